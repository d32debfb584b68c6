"""What the words of a header, row label or caption say, as small facts.

A header cell or row label mixes several things (`Placebo (n = 118)`, `Age, mean (SD),
years`, `HbA1c at week 12, %`): a name, a group size, a statistic declaration, a time, a
unit, footnote marks. Each helper here pulls out one of them, with the vocabularies of
`patterns/` (timepoints, instruments, units, the header words of `table_headers.tsv`) and
the statistic parser's notation words; `columns.py` and `rows.py` combine them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from extractor.annotate.statistics import StatisticParser

# footnote marks around a label: `Immunosuppressed^a^`, `Water*`, `TAU^¤^`, `Anemia †`
_MARKS = re.compile(r"\s*(?:\^[^^\s][^^]{0,8}\^|[*†‡§¶#¤]+|[ᵃᵇᶜᵈᵉᶠ]+)")
_SPACES = re.compile(r"\s+")
_BRACKET = re.compile(r"[(\[][^()\[\]]*[)\]]")


def strip_marks(text: str) -> str:
    """A label without its footnote marks and extra spaces."""
    return _SPACES.sub(" ", _MARKS.sub("", text)).strip(" ,;:")


@dataclass(frozen=True)
class GroupSize:
    """`(n = 120)` in a label: the number and where it is written."""

    n: int
    start: int  # offsets in the label text
    end: int


def group_size(text: str, parser: StatisticParser) -> GroupSize | None:
    """The one `n = 120` / `(N=30)` / `n: 30` a label holds (two is no group's size)."""
    found = list(_n_pattern(parser).finditer(text))
    if len(found) != 1:
        return None
    match = found[0]
    digits = re.sub(r"[,\u2009\u202f ]", "", match.group("n"))
    return GroupSize(int(digits), match.start(), match.end()) if digits.isdigit() else None


def without_group_size(text: str, parser: StatisticParser) -> str:
    return _SPACES.sub(" ", _n_pattern(parser).sub(" ", text)).strip(" ,;:")


_N_CACHE: dict[int, re.Pattern[str]] = {}


def _n_pattern(parser: StatisticParser) -> re.Pattern[str]:
    key = id(parser)
    if key not in _N_CACHE:
        label = parser.notation.alternation("n")
        _N_CACHE[key] = re.compile(
            rf"[(\[]?\s*(?<![\w.])(?:{label})\s*[=:]\s*"
            rf"(?P<n>\d{{1,3}}(?:[,\u2009\u202f ]\d{{3}})+(?![\d.])|\d+)(?![\d.])\s*[)\]]?"
        )
    return _N_CACHE[key]


def first_term(finder: Any, text: str) -> Any:
    """The most specific term a vocabulary finder sees in `text`, or None.

    `Pain, VAS` finds both `pain` and `VAS pain`: a term whose name is contained in another
    found term's name is the generic one, so `VAS pain` wins; otherwise the first one.
    """
    try:
        terms = finder(text, 0) if text else []
    except Exception:  # a vocabulary hiccup must not lose the table
        return None
    names = [set(str(getattr(t, "canonical", "")).lower().split()) for t in terms]
    specific = [
        t for t, words in zip(terms, names, strict=True) if not any(words < o for o in names)
    ]
    return (specific or terms or [None])[0]


@dataclass(frozen=True)
class When:
    """A time a header or label names: `baseline`, or `follow-up` with months if known."""

    timepoint: str
    months: float | None
    start: int
    end: int


def times_in(text: str, vocab: Any) -> list[When]:
    """Times in a header or label: the vocabulary's phrases and numeric times, a bare
    `6 months` / `Week 12` (a time only because it heads a column: read as the
    vocabulary reads `at 6 months`), and the header words only tables use (`Pre`,
    `Post-test`). Offsets are in `text`."""
    found: list[When] = []
    try:
        for term in vocab.timepoints_in(text, 0):
            found.append(When(term.timepoint, term.months, term.start, term.end))
        for start in _word_starts(text):
            if any(w.start <= start < w.end for w in found) or _window_end(text, start):
                continue
            dating = "at " + text[start:]
            if not vocab.numeric_time_at_start(dating):
                continue  # only a numeric time from the first word has months
            dated = [t for t in vocab.timepoints_in(dating, 0) if t.start == 0]
            if dated and dated[0].months is not None:
                end = start + dated[0].end - 3
                found = [w for w in found if not (start <= w.start < end)]
                found.append(When("follow-up", dated[0].months, start, end))
    except Exception:  # a vocabulary hiccup must not lose the table
        found = []
    for match in vocab.table_headers.time.finditer(text):
        if any(w.start < match.end() and match.start() < w.end for w in found):
            continue
        when = "baseline" if match.group("base") else "follow-up"
        found.append(When(when, None, match.start(), match.end()))
    return sorted(found, key=lambda w: w.start)


def _window_end(text: str, start: int) -> bool:
    """`0-3 months`: the 3 ends a window, it is no visit."""
    return bool(re.search(r"\d\s*[-–—]+\s*$", text[:start]))


def _word_starts(text: str) -> list[int]:
    return [
        i for i, ch in enumerate(text) if ch.isalnum() and (i == 0 or not text[i - 1].isalnum())
    ]


def _overlap(a: Any, b: Any) -> bool:
    return a.start < b.end and b.start < a.end


def one_time(text: str, vocab: Any) -> When | None:
    """The single time a text names, None when it names none or several (`Follow up
    after 4 months` is one time: the follow-up word and the months that date it)."""
    found = times_in(text, vocab)
    if len({w.timepoint for w in found}) != 1:
        return None
    dated = {w.months for w in found if w.months is not None}
    if len(dated) > 1:
        return None
    return next((w for w in found if w.months is not None), found[0])


def is_only_time(text: str, vocab: Any) -> When | None:
    """The time a label is and nothing else (`Baseline`, `Week 8`, `6 months`)."""
    found = times_in(text, vocab)
    if len(found) != 1:
        return None
    when = found[0]
    rest = text[: when.start] + text[when.end :]
    return when if not re.search(r"[^\W\d_]{2,}", _rest_words(rest, vocab)) else None


def _rest_words(rest: str, vocab: Any) -> str:
    """What is left of a time label once connecting words (`at`, `visit`) are gone."""
    return vocab.table_headers.time_connector.sub(" ", rest)


def unit_in(text: str, parser: StatisticParser) -> str | None:
    """The unit a label states at its end or in brackets: `Age, years`, `(g/kg/hr)`,
    `HbA1c, %`, `Glucose (mg/dL)`."""
    text = _BRACKET.sub(lambda m: " " if any(parser.declarations(m.group())) else m.group(), text)
    for match in re.finditer(
        r"(?:,\s*|\(\s*)(?P<u>[^(),;]{1,20}?)\s*\)?\s*$|\((?P<b>[^()]{1,20})\)", text
    ):
        written = (match.group("u") or match.group("b") or "").strip()
        if written == "%":
            return "%"
        unit = parser.notation.unit_of(written)
        if unit is not None:
            return unit.canonical or written
    return None
