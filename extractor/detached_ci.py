"""A confidence interval written apart from its estimate.

`find_quantities` attaches an interval written right after a number (`4.1 points (95% CI,
2.6 to 5.6)`). Prose also puts words between them: `the ODI was 8.4 points lower in the
surgery group than in the physiotherapy group (95% CI, 4.1 to 12.7; P < 0.001)`, `a hazard
ratio of 0.75 in favour of A (95% CI, 0.61 to 0.92)`. Left alone, the interval's own
numbers (`95%`, `4.1`, `12.7`) read as a share and two scores. Here such a bracket, when
no quantity holds it, becomes the interval (and p) of the nearest estimate before it in
the clause, and its numbers stop being values.
"""

from __future__ import annotations

import re
from dataclasses import replace

from extractor.annotate.numbers import DIGITS, parse_digits
from extractor.quantities import Quantity

_BOUND = rf"(?:[−\-–]\s?)?{DIGITS}"
_REL = {"≤": "<=", "≥": ">=", "<=": "<=", ">=": ">=", "<": "<", ">": ">", "=": "="}
_DETACHED = re.compile(
    rf"[(\[]\s*(?P<lvl>\d{{2}}(?:\.\d+)?)\s?%\s*(?:CI|C\.I\.|confidence intervals?)\s*[:=,]?"
    rf"\s*(?P<lo>{_BOUND})\s?%?\s*(?:–|—|-|−|‐|to|,)\s*(?P<hi>{_BOUND})\s?%?"
    rf"(?:\s*[;,]\s*[pP]\s*(?P<rel><=|>=|≤|≥|<|>|=)\s*(?P<pv>{DIGITS}))?\s*[)\]]",
    re.IGNORECASE,
)
# words between the estimate and its bracket: no other number, no clause or sentence end
_GAP = re.compile(r"[^;.\d()\[\]]{0,100}|\s*[)\]]\s*")


def attach_detached_ci(
    text: str, found: list[Quantity], offset: int = 0, times: list[tuple[int, int]] = ()
) -> list[Quantity]:
    """`found` with each unattached `(95% CI, a to b[; P ...])` moved onto its estimate;
    numbers inside `times` (`at 5 years`) are when, never the estimate, and may stand
    between the estimate and its bracket."""
    masked = list(text)
    for a, b in times:
        for pos in range(max(a - offset, 0), min(b - offset, len(text))):
            masked[pos] = "x" if not masked[pos].isspace() else masked[pos]
    masked_text = "".join(masked)
    for m in _DETACHED.finditer(text):
        start, end = m.start() + offset, m.end() + offset
        holder = next((q for q in found if q.start < start < q.end), None)
        if holder is not None:
            if not any(a <= holder.start < b for a, b in times) or holder.ci_low is None:
                continue  # already the interval of the number before it
            # `2.3% at 5 years (95% CI, ...)`: the time took the interval of the estimate
            plain = replace(holder, end=start, ci_low=None, ci_high=None, ci_level=None)
            found = [plain if q is holder else q for q in found]
        inside = [q for q in found if start <= q.start < end]
        before = [
            q
            for q in found
            if q.end <= start and q.kind == "value" and not any(a <= q.start < b for a, b in times)
        ]
        if not (inside or holder) or not before:
            continue
        estimate = before[-1]
        if estimate.ci_low is not None or estimate.range_low is not None:
            continue
        if not _GAP.fullmatch(masked_text[estimate.end - offset : m.start()]):
            continue
        fields = {
            "ci_low": parse_digits(m.group("lo")),
            "ci_high": parse_digits(m.group("hi")),
            "ci_level": round(float(m.group("lvl")) / 100, 4),
        }
        if m.group("pv") and estimate.p_value is None:
            fields["p_value"] = parse_digits(m.group("pv"))
            fields["p_relation"] = _REL[m.group("rel")]
        moved = replace(estimate, **fields)
        found = [moved if q is estimate else q for q in found if all(q is not i for i in inside)]
    return found
