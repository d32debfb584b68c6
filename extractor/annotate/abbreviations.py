"""Abbreviations a document defines: `White Grape Juice (WGJ)`, `vinorelbine plus
capecitabine (NX)`.

Papers name an arm in full once and by its short form afterwards, so a value written
beside `NX` belongs to `vinorelbine plus capecitabine`. This is the algorithm of Schwartz
and Hearst (2003), used throughout biomedical text mining because it needs no word
lists: a short form in brackets is defined by the words just before it when every
character of the short form appears in them, in order, its first character starting a
word.
"""

from __future__ import annotations

import re

_PAREN = re.compile(r"\(\s*([^()\s;,=]{2,10}(?:[ -][^()\s;,=]{1,10})?)\s*[),;]")
_WORD = re.compile(r"[^\s()]+")
MAX_EXTRA_WORDS = 5  # the long form may have this many more words than the short form has letters


def find_abbreviations(text: str) -> dict[str, str]:
    """Short form -> long form, for each `long form (SF)` in `text` (first one wins)."""
    found: dict[str, str] = {}
    for m in _PAREN.finditer(text):
        short = m.group(1)
        if not _is_short_form(short) or short in found:
            continue
        letters = sum(c.isalnum() for c in short)
        window = min(letters + MAX_EXTRA_WORDS, letters * 2)
        before = text[max(0, m.start() - 200) : m.start()]
        words = _WORD.findall(before)[-window:]
        long = _long_form(short, words)
        if long:
            found[short] = long
    return found


def _is_short_form(candidate: str) -> bool:
    return (
        candidate[0].isalnum()
        and any(c.isalpha() for c in candidate)
        and any(c.isupper() for c in candidate)
        and not candidate.replace(".", "").isdigit()
    )


def _long_form(short: str, words: list[str]) -> str | None:
    """The shortest tail of `words` that contains the short form's characters in order,
    the first one at a word's start (Schwartz & Hearst's `findBestLongForm`)."""
    if not words:
        return None
    candidate = " ".join(words)
    s_index = len(short) - 1
    l_index = len(candidate) - 1
    while s_index >= 0:
        c = short[s_index].lower()
        if not c.isalnum():
            s_index -= 1
            continue
        while l_index >= 0 and (
            candidate[l_index].lower() != c
            or (s_index == 0 and l_index > 0 and candidate[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        l_index -= 1
        s_index -= 1
    start = candidate.rfind(" ", 0, l_index + 1) + 1
    long = candidate[start:].strip()
    if not long or len(long) <= len(short) or long.lower() == short.lower():
        return None
    return long
