"""The words the meta-analysis export needs from `patterns/`, and the judgments made with them.

The export pairs arms into comparisons and states times as the source did, which takes
three small pieces of vocabulary, all data in `patterns/`:

- `arm_roles.tsv`: words that make an arm the comparator (`placebo`, `usual care`, `sham`);
- `timepoints.tsv` (its `unit` lines): time units and their months factor, to find the
  words `12 weeks` behind a `months` of 2.8;
- `count_nouns.tsv` (its `person` category): which sample sizes count people, the n of an arm.

These are registered as SQL functions (`extractor.review.export_sql.register_functions`) so that the
very same query runs in `extract export` and behind Datasette's canned queries. Nothing here
imports spaCy or the extraction pipeline: the Datasette plugin loads this module.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from extractor.patterns_dir import default_patterns_dir

ROLE_FILE = "arm_roles.tsv"
TIMEPOINT_FILE = "timepoints.tsv"
COUNT_NOUN_FILE = "count_nouns.tsv"

# A time written in the quote: `12 weeks`, `12-week`, `6 mo`, and a visit named by its
# unit, `week 12`. The units themselves come from timepoints.tsv.
_NUMBER = r"\d+(?:\.\d+)?"


def read_tsv(path: Path) -> list[dict[str, str]]:
    """Rows of a patterns TSV (comment lines start with #; the first other line is the header)."""
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = next(csv.reader([line.rstrip("\r\n")], delimiter="\t", quoting=csv.QUOTE_NONE))
            if header is None:
                header = [field.strip() for field in fields]
                continue
            rows.append(dict(zip(header, (field.strip() for field in fields), strict=False)))
    return rows


def _term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """Whole-word, case-insensitive alternation; hyphen, space or nothing between parts."""
    alternatives = []
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        parts = [re.escape(part) for part in re.split(r"[\s\-]+", term) if part]
        alternatives.append(r"[\s\-]?".join(parts) + r"s?")
    if not alternatives:
        return None
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])", re.IGNORECASE)


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s\-/]+", name) if w]


def initialism(name: str) -> str:
    """First letters of the words of a name: `non-surgical management` -> `NSM`."""
    return "".join(word[0] for word in _words(name)).upper()


def arm_match(arm: str | None, other: str | None) -> int:
    """How surely two arm names of one document name the same arm.

    2: the same words (case and spacing aside); 1: one is the other's abbreviation (`NSM`,
    `non-surgical management`) or the last words of it (`SI joint fusion`, `minimally
    invasive SI joint fusion`); 0: different arms, or either name missing.
    """
    if not arm or not other:
        return 0
    a, b = " ".join(_words(arm)).lower(), " ".join(_words(other)).lower()
    if a == b:
        return 2
    short, long = sorted((arm, other), key=len)
    if len(_words(short)) == 1 and len(short) >= 2 and short.upper() == short:
        if short.replace(".", "") == initialism(long):
            return 1
    short_words, long_words = (_words(x.lower()) for x in (short, long))
    if len(short_words) < len(long_words) and long_words[-len(short_words) :] == short_words:
        return 1
    return 0


@dataclass(frozen=True)
class ExportWords:
    """The vocabulary of one patterns folder, compiled once."""

    comparator: re.Pattern[str] | None
    units: dict[str, float]  # unit word (lowercase) -> months per unit
    time_in_text: re.Pattern[str] | None
    person_nouns: frozenset[str]

    @classmethod
    def load(cls, directory: Path | None = None) -> ExportWords:
        """Read the three files; a missing file leaves its judgment at its neutral answer."""
        directory = Path(directory) if directory is not None else default_patterns_dir()
        roles = directory / ROLE_FILE
        comparator_terms = (
            [r["entry"] for r in read_tsv(roles) if r.get("role") == "comparator"]
            if roles.is_file()
            else []
        )
        units: dict[str, float] = {}
        timepoints = directory / TIMEPOINT_FILE
        for row in read_tsv(timepoints) if timepoints.is_file() else []:
            if row.get("kind") == "unit" and row.get("months_factor"):
                units[row["entry"].lower()] = _factor(row["months_factor"])
        nouns = directory / COUNT_NOUN_FILE
        person = frozenset(
            row["canonical"]
            for row in (read_tsv(nouns) if nouns.is_file() else [])
            if row.get("category") == "person"
        )
        return cls(
            comparator=_term_pattern(comparator_terms),
            units=units,
            time_in_text=_time_pattern(units),
            person_nouns=person or frozenset({"patients"}),
        )

    def comparator_word(self, name: str | None) -> str | None:
        """The comparator word in an arm's name (`placebo`), else None."""
        if not name or self.comparator is None:
            return None
        found = self.comparator.search(name)
        return found.group(0) if found else None

    def counts_people(self, measure: str | None) -> bool:
        """Whether a sample size of this unit is a number of people (NULL: assumed people)."""
        return measure is None or measure in self.person_nouns

    def time_as_stated(
        self,
        quote: str | None,
        quote_start: int | None,
        char_start: int | None,
        timepoint: str | None,
        months: float | None,
    ) -> str | None:
        """The time as the source wrote it (`12 weeks`), for a row's `months` (2.8).

        The quote is searched for a number and unit whose months, rounded to one decimal as
        the extractor rounds them, equal `months`; the nearest to the mention wins. When
        nothing matches, the months themselves are given (`6 months`).
        """
        if timepoint == "baseline":
            return "baseline"
        if months is None:
            return "follow-up, time not stated" if timepoint == "follow-up" else None
        if quote and self.time_in_text is not None:
            mention_at = (char_start or 0) - (quote_start or 0)
            candidates = []
            for found in self.time_in_text.finditer(quote):
                number = found.group("n1") or found.group("n2")
                unit = (found.group("u1") or found.group("u2")).lower()
                factor = self.units.get(unit) or self.units.get(unit.rstrip("s"))
                if factor is None:
                    continue
                value = float(number)
                if round(value * factor, 1) == round(months, 1):
                    canonical = next(u for u in self.units if self.units[u] == factor)
                    distance = min(abs(found.start() - mention_at), abs(found.end() - mention_at))
                    candidates.append((distance, _label(value, canonical)))
            if candidates:
                return min(candidates)[1]
        return _label(months, "month")


def _factor(text: str) -> float:
    if "/" in text:
        top, bottom = text.split("/", 1)
        return float(top) / float(bottom)
    return float(text)


def _time_pattern(units: dict[str, float]) -> re.Pattern[str] | None:
    if not units:
        return None
    unit = "|".join(re.escape(u) for u in sorted(units, key=len, reverse=True))
    return re.compile(
        rf"(?<![\w.])(?:(?P<n1>{_NUMBER})\s*[-‐]?\s*(?P<u1>{unit})(?:e?s)?(?![\w])"
        rf"|(?P<u2>{unit})\s+(?P<n2>{_NUMBER})(?![\w.]))",
        re.IGNORECASE,
    )


def _label(value: float, unit: str) -> str:
    number = f"{value:g}"
    plural = "" if value == 1 else "s"
    return f"{number} {unit}{plural}"


@lru_cache(maxsize=8)
def load_words(directory: str | None = None) -> ExportWords:
    """ExportWords of a patterns folder, read once per process (Datasette calls this per
    connection)."""
    return ExportWords.load(Path(directory) if directory else None)
