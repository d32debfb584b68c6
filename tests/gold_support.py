"""What the gold-file checks share: reading the numbers a document writes near a quote.

Used by tests/test_gold_files.py (seed gold) and tests/test_heldout_sets.py (held-out
sets), so a gold file is held to the same standard wherever it lives.
"""

from __future__ import annotations

import math
import re

# Attributes that are numbers copied from the text (not derived like months or ci_level).
WRITTEN_NUMBERS = (
    "sd",
    "ci_low",
    "ci_high",
    "range_low",
    "range_high",
    "count",
    "denominator",
    "percent",
    "p_value",
)
VALUE_WINDOW = 100  # characters either side of `near` in which the value must be written
ATTRIBUTE_WINDOW = 250

_UNITS = {
    "zero": 0, "no": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
_DIGITS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+")
_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?")


def collapsed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _word_value(word: str) -> int | None:
    word = word.lower()
    if word in _UNITS:
        return _UNITS[word]
    if word in _TENS:
        return _TENS[word]
    if "-" in word:
        tens, unit = word.split("-", 1)
        if tens in _TENS and unit in _UNITS and 0 < _UNITS[unit] < 10:
            return _TENS[tens] + _UNITS[unit]
    return None


def numbers_written_in(text: str) -> list[float]:
    """Every number in `text`, unsigned: digits (with thousands commas) and number words,
    including 'two hundred and twelve'."""
    found = [float(m.group().replace(",", "")) for m in _DIGITS.finditer(text)]
    words = [m.group() for m in _WORD.finditer(text)]
    for i, word in enumerate(words):
        value = _word_value(word)
        if value is None:
            continue
        found.append(value)
        if i + 1 < len(words) and words[i + 1].lower() == "hundred":
            rest = 0
            j = i + 2
            if j < len(words) and words[j].lower() == "and":
                j += 1
            if j < len(words) and (tail := _word_value(words[j])) is not None:
                rest = tail
            found.append(value * 100 + rest)
    return found


def windows(source: str, near: str, width: int) -> list[str]:
    """The text around each occurrence of `near` in `source`."""
    out = []
    start = source.find(near)
    while start >= 0:
        out.append(source[max(0, start - width) : start + len(near) + width])
        start = source.find(near, start + 1)
    return out


def is_written(number: float, texts: list[str]) -> bool:
    """Written with or without its sign (a Unicode minus or hyphen is not part of a match,
    because hyphens also join ranges)."""
    return any(
        math.isclose(abs(number), n, rel_tol=1e-9, abs_tol=1e-9)
        for t in texts
        for n in numbers_written_in(t)
    )
