"""`x (y)` is a mean and its SD when the sentence declares it: `Mean (SD) HAM-D scores were
24.1 (3.9) ...`, `fell from a mean (SD) of 15.2 (2.9) to 8.1 (4.4)`.

Without a declaration a bare bracketed number after a value could be a count, a percent or
an n, so `quantities.py` leaves it as a value of its own (and a matcher may wrongly read it
as a second score). After a `(SD)` declaration earlier in the sentence, every later `x (y)`
with nothing else attached is one quantity: the mean x with SD y.
"""

from __future__ import annotations

import re
from dataclasses import replace

from extractor.quantities import Quantity

# `mean (SD)`, `mean (± SD)`, `means [SD]`, `(standard deviation)`: the written format
_DECLARED = re.compile(
    r"[(\[]\s*(?:±\s*)?(?:SD|S\.D\.|standard\s+deviations?)\s*[)\]]",
)
_OPEN = re.compile(r"\s*[(\[]\s*")
_CLOSE = re.compile(r"\s*[)\]]")


def _plain(q: Quantity) -> bool:
    """A value with nothing attached (no dispersion, interval, count or percent)."""
    return (
        q.kind == "value"
        and q.value is not None
        and q.sd is None
        and q.ci_low is None
        and q.range_low is None
        and q.count is None
        and not q.is_percent
        and not q.is_word
    )


def declares_sd(text: str) -> bool:
    """Whether `text` declares the `x (y)` format as mean (SD) (`Data are mean (SD).`)."""
    return _DECLARED.search(text) is not None


def attach_declared_sd(
    text: str, found: list[Quantity], offset: int, inherited: bool = False
) -> list[Quantity]:
    """`found` with each `x (y)` after a `(SD)` declaration merged into x with sd=y; with
    `inherited` (an earlier sentence of the paragraph declared it) from the start."""
    declared = _DECLARED.search(text)
    if declared is None and not inherited:
        return found
    after = offset if inherited or declared is None else declared.end() + offset
    out: list[Quantity] = []
    i = 0
    while i < len(found):
        q = found[i]
        nxt = found[i + 1] if i + 1 < len(found) else None
        if q.start >= after and nxt is not None and _plain(q) and _plain(nxt):
            gap = text[q.end - offset : nxt.start - offset]
            close = _CLOSE.match(text, nxt.end - offset)
            if _OPEN.fullmatch(gap) and close and nxt.value >= 0 and nxt.unit in (None, q.unit):
                end = close.end() + offset
                out.append(
                    replace(q, sd=nxt.value, end=end, text=text[q.start - offset : close.end()])
                )
                i += 2
                continue
        out.append(q)
        i += 1
    return out
