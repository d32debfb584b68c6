"""Reading numbers as papers write them: digits and words.

Clinical prose writes the same number many ways: `5,319` (thousands separator), `.026`
(no leading zero, common in p-values), `0·74` (Lancet's raised decimal point), `−1.2` with
a Unicode minus, `Eleven`, `Twenty-three`, `one hundred and forty-eight`. Every reader
needs the same reading, so it lives here once. The number words themselves are data
(`patterns/number_words.tsv`) so that a clinician can see and extend them.

A hyphen is never read as a sign here: whether `-` between two numbers is a range or a
minus depends on its neighbours, which only the statistic parser (`annotate/statistics.py`)
sees. A Unicode minus `−` is always a sign.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from extractor.patterns_dir import default_patterns_dir

# A digit number: thousands groups only when every group has exactly three digits
# (`5,319`, not the list `8,13`), a decimal part with `.` or `·`, or a bare decimal `.026`.
DIGITS = r"(?:\d{1,3}(?:[,\u2009]\d{3})+(?![\d])(?:[.·]\d+)?|\d+(?:[.·]\d+)?|[.·]\d+)"
MINUS = "−"  # U+2212: always a sign
SIGNED = rf"(?:{MINUS}\s?)?{DIGITS}"

_DIGIT_RE = re.compile(rf"^\s*(?P<sign>[{MINUS}\-–])?\s*(?P<num>{DIGITS})\s*$")


def parse_digits(text: str) -> float | None:
    """The value of a digit number (`5,319`, `.026`, `0·74`, `−1.2`), else None.

    A leading ASCII hyphen or en dash is accepted as a sign here because the caller has
    already decided it is one (e.g. `(-0.4 to 1.2)`).
    """
    match = _DIGIT_RE.match(text)
    if not match:
        return None
    value = float(match.group("num").replace(",", "").replace("\u2009", "").replace("·", "."))
    return -value if match.group("sign") else value


@dataclass(frozen=True)
class NumberWords:
    """Number words from `number_words.tsv`, as a regex and a parser."""

    units: dict[str, int]
    tens: dict[str, int]
    scales: dict[str, int]

    @classmethod
    def load(cls, path: Path) -> NumberWords:
        """Read the TSV strictly: header `word value kind`, kinds unit/tens/scale."""
        units: dict[str, int] = {}
        tens: dict[str, int] = {}
        scales: dict[str, int] = {}
        by_kind = {"unit": units, "tens": tens, "scale": scales}
        seen: set[str] = set()
        header: list[str] | None = None
        with path.open(encoding="utf-8") as handle:
            for lineno, line in enumerate(handle, start=1):
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                fields = next(csv.reader([line.rstrip("\n")], delimiter="\t"))
                if header is None:
                    if fields != ["word", "value", "kind"]:
                        raise ValueError(
                            f"{path}:{lineno}: expected columns word, value, kind; got {fields}"
                        )
                    header = fields
                    continue
                if len(fields) != 3:
                    raise ValueError(f"{path}:{lineno}: expected 3 columns, got {len(fields)}")
                word, value, kind = (f.strip() for f in fields)
                if kind not in by_kind:
                    raise ValueError(f"{path}:{lineno}: unknown kind {kind!r} (unit/tens/scale)")
                if word.lower() in seen:
                    raise ValueError(f"{path}:{lineno}: duplicate number word {word!r}")
                seen.add(word.lower())
                try:
                    by_kind[kind][word.lower()] = int(value)
                except ValueError as error:
                    raise ValueError(
                        f"{path}:{lineno}: value {value!r} is not an integer"
                    ) from error
        return cls(units=units, tens=tens, scales=scales)

    @functools.cached_property
    def pattern(self) -> str:
        """Regex source for one number-word phrase (`Twenty-three`, `one hundred and five`,
        `Two hundred-forty`)."""

        def alt(words: dict[str, int]) -> str:
            return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))

        unit, ten, scale = alt(self.units), alt(self.tens), alt(self.scales)
        small = rf"(?:(?:{ten})(?:[-‐\s](?:{unit}))?|(?:{unit}))"
        # the first letters a phrase can start with, tested first: a pattern that opens
        # with a lookbehind and case-insensitive words is otherwise tried in full at every
        # character of a text (the lookahead changes no match)
        first = "".join(sorted({re.escape(w[0]) for w in (*self.units, *self.tens) if w}))
        lead = f"(?=[{first}])" if first else ""
        return (
            rf"{lead}(?<![\w\-‐]){small}"
            rf"(?:\s+(?:{scale})(?:(?:\s+and\s+|[\s\-‐]){small})?)*(?![\w])"
        )

    @functools.cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern, re.IGNORECASE)

    def parse(self, text: str) -> int | None:
        """Value of a number-word phrase, None if any word is not a number word."""
        tokens = [t for t in re.split(r"[\s\-‐]+", text.strip().lower()) if t and t != "and"]
        if not tokens:
            return None
        total = current = 0
        for token in tokens:
            if token in self.units:
                current += self.units[token]
            elif token in self.tens:
                current += self.tens[token]
            elif token in self.scales:
                scale = self.scales[token]
                if scale == 100:
                    current = max(current, 1) * 100
                else:
                    total += max(current, 1) * scale
                    current = 0
            else:
                return None
        return total + current


@functools.lru_cache(maxsize=8)
def load_number_words(directory: Path | None = None) -> NumberWords:
    """Number words of a patterns directory, read once per directory (immutable)."""
    base = Path(directory) if directory else default_patterns_dir()
    return NumberWords.load(base / "number_words.tsv")


def parse_number(text: str, words: NumberWords | None = None) -> float | None:
    """Digits or number words to a float: `5,319`, `.026`, `−1.2`, `Twenty-three`."""
    value = parse_digits(text)
    if value is not None:
        return value
    words = words or load_number_words()
    parsed = words.parse(text)
    return float(parsed) if parsed is not None else None


def parse_fraction(text: str) -> tuple[int, int] | None:
    """`83/102` or `n=96/5,319` to (count, denominator); None if not a fraction."""
    match = re.fullmatch(rf"\s*(?:[nN]\s*=\s*)?({DIGITS})\s*/\s*({DIGITS})\s*", text)
    if not match:
        return None
    count, denominator = parse_digits(match.group(1)), parse_digits(match.group(2))
    if count is None or denominator is None or count % 1 or denominator % 1:
        return None
    return int(count), int(denominator)


def parse_months_factor(text: str) -> float:
    """A months-per-unit factor from the timepoints file: `12`, `1`, `12/52`."""
    if "/" in text:
        top, bottom = text.split("/", 1)
        return float(top) / float(bottom)
    return float(text)
