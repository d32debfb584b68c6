"""Consistency flags on evidence rows: numbers that cannot all be right together.

A flag does not remove or change a row; it tells a reviewer where to look (a mis-read
table cell, a CI bound that belongs to another estimate, a score outside its instrument's
scale). The checks are deliberately fair to the way papers round and hedge, because a
flag that fires on correct rows teaches reviewers to ignore flags:

- a percent is compared with count/denominator at the precision it is written with, and
  both rounding (3.84 → "4%") and truncation (27.59 → "27.5%") are accepted;
- "less than 1%" / "more than 90%" only bound the computed share;
- a CI qualifying a complication or proportion may be in percent while `value` is the
  count, so the percent is compared with it too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from extractor.types import Evidence

PERCENT_MISMATCH = "percent_mismatch"
CI_EXCLUDES_ESTIMATE = "ci_excludes_estimate"
CI_INVERTED = "ci_inverted"
OUT_OF_SCALE = "out_of_scale"
SD_NEGATIVE = "sd_negative"
COUNT_EXCEEDS_DENOMINATOR = "count_exceeds_denominator"

CHECK_FLAGS = frozenset(
    {
        PERCENT_MISMATCH,
        CI_EXCLUDES_ESTIMATE,
        CI_INVERTED,
        OUT_OF_SCALE,
        SD_NEGATIVE,
        COUNT_EXCEEDS_DENOMINATOR,
    }
)

_EPS = 1e-9
# A bound word right before a percent: "less than 1%", "<1%", "under 5 %", "up to 25%".
_BOUNDED_PERCENT = re.compile(
    r"(?P<rel>less\s+than|fewer\s+than|lower\s+than|under|below|up\s+to|at\s+most|"
    r"more\s+than|greater\s+than|higher\s+than|over|above|at\s+least|<|≤|>|≥)"
    r"\s*(?P<num>\d+(?:[.,·]\d+)?)\s*(?:%|percent|per\s*cent)",
    re.IGNORECASE,
)
_UPPER = ("less", "fewer", "lower", "under", "below", "up", "at most", "<", "≤")
_BOUND_WINDOW = 40  # characters before the mention searched for "less than x%"


def flag_row(row: Evidence, scale: tuple[float, float] | None) -> list[str]:
    """The consistency flags of one row, sorted. `scale` is the instrument's (min, max)."""
    flags: set[str] = set()
    if _percent_mismatch(row):
        flags.add(PERCENT_MISMATCH)
    if row.ci_low is not None and row.ci_high is not None:
        if row.ci_low > row.ci_high + _EPS:
            flags.add(CI_INVERTED)
        if _ci_excludes_estimate(row):
            flags.add(CI_EXCLUDES_ESTIMATE)
    if row.kind == "score" and scale is not None and _out_of_scale(row, scale):
        flags.add(OUT_OF_SCALE)
    if row.sd is not None and row.sd < 0:
        flags.add(SD_NEGATIVE)
    if row.count is not None and row.denominator is not None and row.count > row.denominator:
        flags.add(COUNT_EXCEEDS_DENOMINATOR)
    return sorted(flags)


def apply_checks(
    rows: list[Evidence], scale_of: Callable[[str], tuple[float, float] | None]
) -> None:
    """Set `row.flags` on every row: the check flags, plus any other flags it already had.

    Recomputes from scratch (so running twice gives the same flags) but keeps flags set by
    other stages. `scale_of(measure)` is asked only for scores with a measure.
    """
    for row in rows:
        scale = scale_of(row.measure) if row.kind == "score" and row.measure else None
        kept = {f for f in row.flags if f not in CHECK_FLAGS}
        row.flags = sorted(kept | set(flag_row(row, scale)))


# --------------------------------------------------------------------------- percent


def _percent_mismatch(row: Evidence) -> bool:
    if row.percent is None or row.count is None or not row.denominator:
        return False
    if row.denominator < 0 or row.count < 0:
        return False
    computed = 100.0 * row.count / row.denominator
    unit = 10.0 ** -_decimals(row.percent)
    bound = _stated_bound(row)
    if bound == "upper":  # "less than 1%": any share up to the bound is consistent
        return computed > row.percent + 0.5 * unit + _EPS
    if bound == "lower":  # "more than 90%"
        return computed < row.percent - 0.5 * unit - _EPS
    # Rounded to nearest: within half a unit. Truncated: up to one unit above.
    return not (row.percent - 0.5 * unit - _EPS <= computed < row.percent + unit - _EPS)


def _decimals(percent: float) -> int:
    """Decimals the percent was written with, as far as the float can tell (4.0 → 0)."""
    text = repr(float(percent))
    if "e" in text or "E" in text:
        return 0
    fraction = text.split(".", 1)[1].rstrip("0") if "." in text else ""
    return len(fraction)


def _stated_bound(row: Evidence) -> str | None:
    """'upper' for "less than x%", 'lower' for "more than x%" next to the mention."""
    quote = row.quote or ""
    if not quote:
        return None
    start = row.char_start - row.quote_start
    end = row.char_end - row.quote_start
    if not (0 <= start <= end <= len(quote)):
        start, end = 0, len(quote)
    window = quote[max(0, start - _BOUND_WINDOW) : end + 1]
    for m in _BOUNDED_PERCENT.finditer(window):
        number = float(re.sub(r"[,·]", ".", m.group("num")))
        if math.isclose(number, row.percent or 0.0, abs_tol=_EPS):
            rel = re.sub(r"\s+", " ", m.group("rel").lower())
            return "upper" if rel.startswith(_UPPER) else "lower"
    return None


# --------------------------------------------------------------------------- CI, scale


def _ci_excludes_estimate(row: Evidence) -> bool:
    low, high = sorted((row.ci_low, row.ci_high))  # an inverted CI is its own flag
    estimates = [row.value] if row.value is not None else []
    if row.kind in ("complication", "proportion") and row.percent is not None:
        estimates.append(row.percent)
    if not estimates:
        return False
    return not any(low - _EPS <= e <= high + _EPS for e in estimates)


def _out_of_scale(row: Evidence, scale: tuple[float, float]) -> bool:
    lo, hi = min(scale), max(scale)
    numbers = (row.value, row.range_low, row.range_high, row.ci_low, row.ci_high)
    return any(n is not None and not (lo - _EPS <= n <= hi + _EPS) for n in numbers)
