"""The vocabularies in `patterns/`, read strictly and compiled once.

Clinicians extend the extractor by editing TSV files (`instruments.tsv`,
`complications.tsv`, `count_nouns.tsv`, `effects.tsv`, `timepoints.tsv`, `cues.tsv`,
`table_headers.tsv`, `number_words.tsv`), so a typo there must fail loudly with the file
and line rather than silently match nothing. Every regex is compiled once per `Vocabulary`
instance and nothing is cached at module level, so two vocabularies (e.g. a test's edited
copy) never mix.

Matching rules, the same for every file: case-insensitive, whole words, longest match
first, hyphen/space/nothing interchangeable between the parts of a term (`VAS-pain`,
`VAS pain`; `EQ-5D`, `EQ 5D`), a plural ending found automatically. A term written all in
capitals (`OR`, `HR`, `ODI`) matches only in capitals, because in lowercase such
abbreviations are ordinary words ("or") or units ("hr").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

import regex

from extractor.annotate.numbers import DIGITS, NumberWords, parse_digits, parse_months_factor
from extractor.cue_words import CueWords
from extractor.header_words import HeaderWords
from extractor.memo import BoundedMemo
from extractor.patterns_dir import default_patterns_dir
from extractor.term_index import Term, _is_abbreviation, _read_tsv, _TermIndex

__all__ = ["Instrument", "Term", "Timepoint", "Vocabulary"]


@dataclass(frozen=True)
class Timepoint:
    """When a value was measured: `baseline` or `follow-up`, with months when stated."""

    start: int
    end: int
    text: str
    timepoint: str
    months: float | None


@dataclass(frozen=True)
class Instrument:
    canonical: str
    scale_min: float | None
    scale_max: float | None
    direction: str
    unit: str | None


_DIRECTIONS = {"lower_is_better", "higher_is_better", "none"}
_COMPLICATION_CATEGORIES = {
    "adverse_event",
    "reoperation",
    "revision",
    "infection",
    "neurological",
    "implant",
    "wound",
    "thromboembolic",
    "death",
    "symptom",
    "endpoint",
    "other",
}
_COUNT_CATEGORIES = {"person", "sex", "study", "procedure", "body_part"}
TIME_MEMO_TEXT = 300  # texts up to this length have their times memoised
TIME_MEMO_SIZE = 20_000  # memo entries kept before it starts afresh (bounded memory)


def _optional_float(path: Path, lineno: int, column: str, text: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError as error:
        raise ValueError(f"{path}:{lineno}: {column} {text!r} is not a number") from error


def _entries(
    path: Path, rows: list[tuple[int, dict[str, str]]], category_of
) -> list[tuple[str, str, str]]:
    """(term, canonical, category) for canonical names and synonyms; duplicates fail."""
    seen: dict[str, int] = {}
    entries: list[tuple[str, str, str]] = []
    canonicals: set[str] = set()
    for lineno, row in rows:
        canonical = row["canonical"]
        if not canonical:
            raise ValueError(f"{path}:{lineno}: empty canonical name")
        if canonical in canonicals:
            raise ValueError(f"{path}:{lineno}: duplicate canonical name {canonical!r}")
        canonicals.add(canonical)
        category = category_of(lineno, row)
        terms = [canonical] + [s.strip() for s in row["synonyms"].split("|") if s.strip()]
        for term in dict.fromkeys(terms):
            key = re.sub(r"[\s\-‐‑–]+", " ", term).strip()
            key = key if _is_abbreviation(term) else key.lower()
            if key in seen:
                if seen[key] == lineno:
                    continue  # a spelling variant of the same entry: harmless
                raise ValueError(f"{path}:{lineno}: {term!r} is already listed on line {seen[key]}")
            seen[key] = lineno
            entries.append((term, canonical, category))
    return entries


class Vocabulary:
    """Everything in `patterns/` that says what words mean, compiled for matching."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.number_words = NumberWords.load(directory / "number_words.tsv")
        self.instruments: dict[str, Instrument] = {}
        self._load_instruments(directory / "instruments.tsv")
        self._complications = self._load_simple(
            directory / "complications.tsv", "category", _COMPLICATION_CATEGORIES
        )
        self._count_nouns = self._load_simple(
            directory / "count_nouns.tsv", "category", _COUNT_CATEGORIES
        )
        self.effect_null: dict[str, float | None] = {}
        self._effects = self._load_effects(directory / "effects.tsv")
        self._load_timepoints(directory / "timepoints.tsv")
        self._time_memo: BoundedMemo[list[Timepoint]] = BoundedMemo(TIME_MEMO_SIZE)
        self.cues = CueWords(directory / "cues.tsv")
        headers = directory / "table_headers.tsv"
        self.table_headers = HeaderWords.from_rows(headers, _read_tsv(headers, ["header", "role"]))

    @classmethod
    def load(cls, directory: Path | None = None) -> Vocabulary:
        """Read and compile a patterns directory (default: the project's `patterns/`)."""
        return cls(Path(directory) if directory else default_patterns_dir())

    # -- loading ---------------------------------------------------------------------------

    def _load_instruments(self, path: Path) -> None:
        columns = ["canonical", "synonyms", "scale_min", "scale_max", "direction", "unit"]
        rows = _read_tsv(path, columns)

        def category(lineno: int, row: dict[str, str]) -> str:
            if row["direction"] not in _DIRECTIONS:
                raise ValueError(
                    f"{path}:{lineno}: direction {row['direction']!r} is not one of "
                    f"{sorted(_DIRECTIONS)}"
                )
            self.instruments[row["canonical"]] = Instrument(
                canonical=row["canonical"],
                scale_min=_optional_float(path, lineno, "scale_min", row["scale_min"]),
                scale_max=_optional_float(path, lineno, "scale_max", row["scale_max"]),
                direction=row["direction"],
                unit=row["unit"] or None,
            )
            return "instrument"

        self._instruments = _TermIndex(_entries(path, rows, category))

    def _load_simple(self, path: Path, column: str, allowed: set[str]) -> _TermIndex:
        rows = _read_tsv(path, ["canonical", "synonyms", column])

        def category(lineno: int, row: dict[str, str]) -> str:
            if row[column] not in allowed:
                raise ValueError(
                    f"{path}:{lineno}: {column} {row[column]!r} is not one of {sorted(allowed)}"
                )
            return row[column]

        return _TermIndex(_entries(path, rows, category))

    def _load_effects(self, path: Path) -> _TermIndex:
        rows = _read_tsv(path, ["canonical", "synonyms", "null_value"])

        def category(lineno: int, row: dict[str, str]) -> str:
            self.effect_null[row["canonical"]] = _optional_float(
                path, lineno, "null_value", row["null_value"]
            )
            return "effect"

        return _TermIndex(_entries(path, rows, category))

    def _load_timepoints(self, path: Path) -> None:
        rows = _read_tsv(path, ["entry", "kind", "timepoint", "months_factor"])
        phrases: list[tuple[str, str, str]] = []
        self._unit_factor: dict[str, float] = {}
        seen: dict[str, int] = {}
        for lineno, row in rows:
            entry, kind = row["entry"], row["kind"]
            key = entry.lower()
            if key in seen:
                raise ValueError(
                    f"{path}:{lineno}: {entry!r} is already listed on line {seen[key]}"
                )
            seen[key] = lineno
            if kind == "phrase":
                if row["timepoint"] not in ("baseline", "follow-up"):
                    raise ValueError(
                        f"{path}:{lineno}: timepoint must be baseline or follow-up, "
                        f"got {row['timepoint']!r}"
                    )
                phrases.append((entry, row["timepoint"], "timepoint"))
            elif kind == "unit":
                try:
                    self._unit_factor[key] = parse_months_factor(row["months_factor"])
                except (ValueError, ZeroDivisionError) as error:
                    raise ValueError(
                        f"{path}:{lineno}: months_factor {row['months_factor']!r} is not a "
                        "number or fraction"
                    ) from error
            else:
                raise ValueError(f"{path}:{lineno}: kind must be phrase or unit, got {kind!r}")
        self._phrases = _TermIndex(phrases, plural=False)
        units = sorted(self._unit_factor, key=len, reverse=True)
        unit = "(?P<unit>" + "|".join(re.escape(u) for u in units) + r")(?:e?s)?(?![\w])"
        num = rf"(?:{DIGITS}|{self.number_words.pattern})"
        # a listed number followed by a bracket, ± or % is a value, not another time: `at
        # week 4, 3 (IQR 2–5) at 3 months`, `at week 6, 61.7% (37 of 60) at 3 months`
        nums = rf"(?P<nums>{num}(?:\s*(?:,|,?\s*and|,?\s*or)\s*{num}(?![\d.]|\s*[(\[±%]))*)"
        post = (
            r"(?:\s*(?:of\s+)?(?:follow[-\s]?up|post[-\s]?operative(?:ly)?|post[-\s]?op|"
            r"(?:after|following|post)[-\s](?:surgery|treatment|the\s+(?:procedure|operation|"
            r"intervention|surgery))|visit))?"
        )
        lead = (
            r"(?:at|after|by|within|to|over|following|through|until|for|during|up\s+to|"
            r"(?<=\bbetween\s[^.;()\d]{1,40})and"  # `between baseline and 12 months`
            # `at baseline, 6 and 12 months`: the list of times goes on after a baseline word
            r"|(?<=\b(?:baseline|pre-?operatively|admission|randomi[sz]ation|discharge),))"
        )
        # `regex` (not `re`) because the alternatives share group names
        self._tp_numeric = regex.compile(
            rf"(?<![\w])(?:(?P<lead>{lead})\s+(?:the\s+|a\s+)?{nums}\s*[-‐]?\s*{unit}{post}"
            rf"|{nums}\s*[-‐]\s*{unit}{post}"
            rf"|{nums}\s*{unit}(?=\s*(?:of\s+)?(?:follow|post|after|following))\s*{post}"
            # a visit named by its unit: `at week 24`, `by month 6`, `on postoperative day 3`
            rf"|(?P<lead>{lead}|on)\s+(?:the\s+)?(?:post[-\s]?operative\s+)?{unit}\s+{nums}"
            r"(?![\w]))",
            regex.IGNORECASE,
        )
        self._num_in_list = re.compile(rf"{DIGITS}|{self.number_words.pattern}", re.IGNORECASE)
        # every numeric time holds a number (`nums`): a digit, or a number word, which
        # begins with one of the unit or tens words; a text holding neither is not
        # searched (most table labels). Case-folded, so the test finds at least every
        # spelling the case-insensitive regex would.
        words = sorted({w.casefold() for w in (*self.number_words.units, *self.number_words.tens)})
        self._may_hold_number = re.compile(
            r"\d|" + "|".join(re.escape(w) for w in words) if words else r"\d"
        ).search

    # -- matching --------------------------------------------------------------------------

    def instruments_in(self, text: str, offset: int = 0) -> list[Term]:
        return self._instruments.find(text, offset)

    def complications_in(self, text: str, offset: int = 0) -> list[Term]:
        return self._complications.find(text, offset)

    def count_nouns_in(self, text: str, offset: int = 0) -> list[Term]:
        return self._count_nouns.find(text, offset)

    def effects_in(self, text: str, offset: int = 0) -> list[Term]:
        return self._effects.find(text, offset)

    def cue_pattern(self, template: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
        """A regex with `{role}` filled by that role's cue words (`CueWords`)."""
        return self.cues.pattern(template, flags)

    def timepoints_in(self, text: str, offset: int = 0) -> list[Timepoint]:
        """Baseline/follow-up phrases and numeric times (`at 6 months`, `24-month`).

        A table's labels are read word by word (`times_in` asks for `at ` + the rest of a
        label from each of its words), so the same short texts come back many times: their
        times are found once per Vocabulary (a bounded memo) and shifted to `offset`."""
        if len(text) > TIME_MEMO_TEXT:
            return self._timepoints_in(text, offset)
        found = self._time_memo.get(text, lambda: self._timepoints_in(text, 0))
        if not offset:
            return list(found)
        return [replace(t, start=t.start + offset, end=t.end + offset) for t in found]

    def numeric_time_at_start(self, text: str) -> bool:
        """Whether a numeric time (`at 6 months`, `at week 12`) starts at the text's first
        character: when only such a time matters (`times_in` reads a label word by word),
        a failed test spares searching the rest of the text for one."""
        return self._tp_numeric.match(text) is not None

    def _timepoints_in(self, text: str, offset: int) -> list[Timepoint]:
        found: list[Timepoint] = []
        numeric = self._tp_numeric.finditer(text) if self._may_hold_number(text.casefold()) else ()
        for match in numeric:
            factor = self._unit_factor[match.group("unit").lower()]
            numbers = list(self._num_in_list.finditer(match.group("nums")))
            base = match.start("nums")
            for i, num in enumerate(numbers):
                if i and re.match(r"\s+(?:at|after|by)\b", text[base + num.end() :]):
                    break  # `at week 6, 60 at 3 months`: 60 has its own time, it is a count
                value = parse_digits(num.group())
                if value is None:
                    parsed = self.number_words.parse(num.group())
                    value = float(parsed) if parsed is not None else None
                if value is None:
                    continue
                last = i == len(numbers) - 1
                lead = match.group("lead")
                start = match.start() if i == 0 and lead is None else base + num.start()
                if i == 0 and match.group("lead"):
                    start = match.start()
                end = match.end() if last else base + num.end()
                found.append(
                    Timepoint(
                        start + offset,
                        end + offset,
                        text[start:end],
                        "follow-up",
                        round(value * factor, 1),
                    )
                )
        for term in self._phrases.find(text):
            if any(t.start - offset < term.end and term.start < t.end - offset for t in found):
                continue
            found.append(
                Timepoint(term.start + offset, term.end + offset, term.text, term.canonical, None)
            )
        found.sort(key=lambda t: t.start)
        return found

    def scale_of(self, measure: str) -> tuple[float, float] | None:
        """(min, max) of an instrument's scale, None if unknown or open-ended."""
        info = self.instruments.get(measure)
        if info is None or info.scale_min is None or info.scale_max is None:
            return None
        return (info.scale_min, info.scale_max)
