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

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import regex

from extractor.header_words import HeaderWords
from extractor.numbers import DIGITS, NumberWords, parse_digits, parse_months_factor
from extractor.patterns_dir import default_patterns_dir


@dataclass(frozen=True)
class Term:
    """A vocabulary term found in text (absolute offsets)."""

    start: int
    end: int
    text: str
    canonical: str
    category: str


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


_SEP = r"(?:\s*[-‐‑–]\s*|\s+)?"
_DIRECTIONS = {"lower_is_better", "higher_is_better", "none"}
_CUE_ROLES = {
    "threshold_before",
    "threshold_after",
    "definition",
    "scale",
    "age",
    "change",
    "difference",
    "enrol",
    "outcome",
    "group_noun",
    "population",
    "share",
    "dose",
    "none",
}
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
    "other",
}
_COUNT_CATEGORIES = {"person", "sex", "study", "procedure", "body_part"}


def _read_tsv(path: Path, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a TSV whose header must be exactly `columns`; (line number, row) pairs."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: vocabulary file is missing")
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = next(csv.reader([line.rstrip("\r\n")], delimiter="\t", quoting=csv.QUOTE_NONE))
            if header is None:
                names = [f.strip() for f in fields]
                unknown = [n for n in names if n not in columns]
                missing = [c for c in columns if c not in names]
                if unknown or missing or len(names) != len(columns):
                    raise ValueError(
                        f"{path}:{lineno}: header must be {columns}; "
                        f"unknown columns {unknown}, missing columns {missing}"
                    )
                header = names
                continue
            if len(fields) > len(header):
                raise ValueError(
                    f"{path}:{lineno}: {len(fields)} columns but the header has {len(header)}"
                )
            fields += [""] * (len(header) - len(fields))
            rows.append((lineno, {h: f.strip() for h, f in zip(header, fields, strict=True)}))
    if header is None:
        raise ValueError(f"{path}: no header line")
    return rows


def _optional_float(path: Path, lineno: int, column: str, text: str) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError as error:
        raise ValueError(f"{path}:{lineno}: {column} {text!r} is not a number") from error


def _is_abbreviation(term: str) -> bool:
    return not any(c.islower() for c in term) and sum(c.isupper() for c in term) >= 2


def term_pattern(term: str, plural: bool = True) -> str:
    """Regex source for one vocabulary term with the shared matching rules."""
    wildcard = term.endswith("*")
    trailing_hyphen = term.endswith("-") and not wildcard
    core = term.rstrip("*").rstrip("-") if (wildcard or trailing_hyphen) else term
    parts = [p for p in re.split(r"[\s\-‐‑–]+", core) if p]
    escaped = [re.escape(p).replace("'", "['’]?").replace("’", "['’]?") for p in parts]
    body = _SEP.join(escaped)
    if wildcard:
        body += r"\w*"
    elif trailing_hyphen:
        return rf"(?<![\w]){body}[-‐](?=\s|$)"
    elif plural and parts and parts[-1][-1:].isalpha():
        if _is_abbreviation(term):
            body += r"(?:s|'s|’s)?"
        elif parts[-1].endswith("y") and parts[-1][-2:-1] not in "aeiou":
            body = body[:-1] + r"(?:y|ies)"
        else:
            body += r"(?:es|s)?"
    start = r"(?<![\w])" if core[:1].isalnum() else r"(?<![\w])"
    end = r"(?![\w])" if core[-1:].isalnum() or wildcard else ""
    return start + body + end


_WORD_RUN = re.compile(r"\w+")
_KEY_CHARS = 3


def _first_key(term: str) -> str | None:
    """The first letters of a term, lower-cased: which words of a text can start it.

    None when the term starts with a non-word character ("(S)AE"), which is then searched
    for everywhere.
    """
    first = _WORD_RUN.match(term.lstrip())
    return first.group().lower()[:_KEY_CHARS] if first else None


@dataclass
class _TermIndex:
    """One compiled matcher for a list of (term, canonical, category).

    A vocabulary is hundreds of alternatives, and a regex alternation tries every one of
    them at every character. So the alternation is only tried where a word starts with
    the first letters of some term (a set lookup per word); terms that start with a
    non-word character are searched for everywhere, as before. The matches are the same
    as a plain scan's: longest alternative first at each start, overlaps resolved below.
    """

    entries: list[tuple[str, str, str]]
    plural: bool = True
    abbreviations_match_case: bool = True
    _regexes: list[tuple[re.Pattern[str], list[tuple[str, str]]]] = field(default_factory=list)
    _anywhere: list[tuple[re.Pattern[str], list[tuple[str, str]]]] = field(default_factory=list)
    _keys: dict[int, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ordered = sorted(self.entries, key=lambda e: len(e[0]), reverse=True)
        keys: dict[int, set[str]] = {}
        for keyed in (True, False):
            for sensitive in (False, True):
                chosen = [
                    e
                    for e in ordered
                    if (self.abbreviations_match_case and _is_abbreviation(e[0])) == sensitive
                    and (_first_key(e[0]) is not None) == keyed
                ]
                if not chosen:
                    continue
                source = "|".join(
                    f"(?P<t{i}>{term_pattern(term, self.plural)})"
                    for i, (term, _, _) in enumerate(chosen)
                )
                flags = 0 if sensitive else re.IGNORECASE
                compiled = (re.compile(source, flags), [(c, k) for _, c, k in chosen])
                (self._regexes if keyed else self._anywhere).append(compiled)
                for term, _, _ in chosen if keyed else ():
                    key = _first_key(term) or ""
                    keys.setdefault(len(key), set()).add(key)
        self._keys = {length: frozenset(found) for length, found in keys.items()}

    def _candidate_starts(self, text: str) -> list[int]:
        starts = []
        for word in _WORD_RUN.finditer(text):
            lowered = word.group()[:_KEY_CHARS].lower()
            if any(lowered[:length] in keys for length, keys in self._keys.items()):
                starts.append(word.start())
        return starts

    def find(self, text: str, offset: int = 0) -> list[Term]:
        found: list[Term] = []

        def add(match: re.Match[str], meta: list[tuple[str, str]]) -> None:
            canonical, category = meta[int(match.lastgroup[1:])]
            found.append(
                Term(
                    match.start() + offset, match.end() + offset, match.group(), canonical, category
                )
            )

        starts = self._candidate_starts(text) if self._regexes else []
        for compiled, meta in self._regexes:
            for position in starts:
                match = compiled.match(text, position)
                if match:
                    add(match, meta)
        for compiled, meta in self._anywhere:
            for match in compiled.finditer(text):
                add(match, meta)
        found.sort(key=lambda t: (t.start, -(t.end - t.start)))
        kept: list[Term] = []
        for term in found:
            if kept and term.start < kept[-1].end:
                continue
            kept.append(term)
        return kept


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
        self._load_cues(directory / "cues.tsv")
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
        nums = rf"(?P<nums>{num}(?:\s*(?:,|,?\s*and|,?\s*or)\s*{num})*)"
        post = (
            r"(?:\s*(?:of\s+)?(?:follow[-\s]?up|post[-\s]?operative(?:ly)?|post[-\s]?op|"
            r"(?:after|following|post)[-\s](?:surgery|treatment|the\s+(?:procedure|operation|"
            r"intervention|surgery))|visit))?"
        )
        lead = r"(?:at|after|by|within|to|over|following|through|until|for|during|up\s+to)"
        # `regex` (not `re`) because the alternatives share group names
        self._tp_numeric = regex.compile(
            rf"(?<![\w])(?:(?P<lead>{lead})\s+(?:the\s+|a\s+)?{nums}\s*[-‐]?\s*{unit}{post}"
            rf"|{nums}\s*[-‐]\s*{unit}{post}"
            rf"|{nums}\s*{unit}(?=\s*(?:of\s+)?(?:follow|post|after|following))\s*{post}"
            # a visit named by its unit: `at week 24`, `by month 6`, `at day 90`
            rf"|(?P<lead>{lead})\s+(?:the\s+)?{unit}\s+{nums}(?![\w]))",
            regex.IGNORECASE,
        )
        self._num_in_list = re.compile(rf"{DIGITS}|{self.number_words.pattern}", re.IGNORECASE)

    def _load_cues(self, path: Path) -> None:
        rows = _read_tsv(path, ["cue", "role"])
        by_role: dict[str, list[tuple[str, str, str]]] = {r: [] for r in _CUE_ROLES}
        seen: dict[tuple[str, str], int] = {}
        for lineno, row in rows:
            if row["role"] not in _CUE_ROLES:
                raise ValueError(
                    f"{path}:{lineno}: role {row['role']!r} is not one of {sorted(_CUE_ROLES)}"
                )
            key = (row["cue"].lower(), row["role"])
            if key in seen:
                raise ValueError(
                    f"{path}:{lineno}: {row['cue']!r} is already listed on line {seen[key]}"
                )
            seen[key] = lineno
            # cues are matched case-insensitively even when written in capitals (MCID, IU)
            by_role[row["role"]].append((row["cue"], row["role"], row["role"]))
        self._cues = {role: _CueIndex(entries) for role, entries in by_role.items()}

    # -- matching --------------------------------------------------------------------------

    def instruments_in(self, text: str, offset: int = 0) -> list[Term]:
        return self._instruments.find(text, offset)

    def complications_in(self, text: str, offset: int = 0) -> list[Term]:
        return self._complications.find(text, offset)

    def count_nouns_in(self, text: str, offset: int = 0) -> list[Term]:
        return self._count_nouns.find(text, offset)

    def effects_in(self, text: str, offset: int = 0) -> list[Term]:
        return self._effects.find(text, offset)

    def cues_in(self, text: str, role: str, offset: int = 0) -> list[Term]:
        """Cue words of one role (see `patterns/cues.tsv`); canonical is the cue as listed."""
        if role not in self._cues:
            raise KeyError(f"unknown cue role {role!r}")
        return self._cues[role].find(text, offset)

    def timepoints_in(self, text: str, offset: int = 0) -> list[Timepoint]:
        """Baseline/follow-up phrases and numeric times (`at 6 months`, `24-month`)."""
        found: list[Timepoint] = []
        for match in self._tp_numeric.finditer(text):
            factor = self._unit_factor[match.group("unit").lower()]
            numbers = list(self._num_in_list.finditer(match.group("nums")))
            base = match.start("nums")
            for i, num in enumerate(numbers):
                value = parse_digits(num.group())
                if value is None:
                    parsed = self.number_words.parse(num.group())
                    value = float(parsed) if parsed is not None else None
                if value is None:
                    continue
                last = i == len(numbers) - 1
                start = match.start() if i == 0 and not match.group("lead") else base + num.start()
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

    def unit_of(self, measure: str) -> str | None:
        info = self.instruments.get(measure)
        return info.unit if info else None


class _CueIndex(_TermIndex):
    """Cue words: always case-insensitive, no automatic plural (cues list their forms)."""

    def __init__(self, entries: list[tuple[str, str, str]]) -> None:
        # a cue's "canonical" is the cue itself: callers ask which words fired
        super().__init__(
            [(term, term, role) for term, _, role in entries],
            plural=False,
            abbreviations_match_case=False,
        )
