"""Inverse-variance pooling: the arithmetic a meta-analysis does with the export's rows.

Small on purpose: enough to draw a pooled diamond under a forest plot and to check that
the `metafor` export can be pooled as it is. A review itself belongs in metafor or RevMan.
Fixed-effect (common-effect) model only: each study weighs 1 / SE², the pooled SE is
1 / sqrt(sum of weights), the 95% interval is ±1.96 SE.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Estimate:
    """One study's effect on an additive scale (a mean difference, a log ratio)."""

    label: str
    value: float
    se: float

    @property
    def ci(self) -> tuple[float, float]:
        return self.value - Z_95 * self.se, self.value + Z_95 * self.se


@dataclass(frozen=True)
class Pooled:
    value: float
    se: float
    weights: tuple[float, ...]  # per study, summing to 1

    @property
    def ci(self) -> tuple[float, float]:
        return self.value - Z_95 * self.se, self.value + Z_95 * self.se


def mean_difference(
    m1: float, sd1: float, n1: int, m2: float, sd2: float, n2: int, label: str = ""
) -> Estimate:
    """Intervention minus comparator, SE = sqrt(sd1²/n1 + sd2²/n2)."""
    if n1 <= 0 or n2 <= 0:
        raise ValueError("a mean difference needs n > 0 in both arms")
    return Estimate(label, m1 - m2, math.sqrt(sd1**2 / n1 + sd2**2 / n2))


def log_risk_ratio(ai: int, n1: int, ci: int, n2: int, label: str = "") -> Estimate:
    """log(RR) with SE = sqrt(1/a - 1/n1 + 1/c - 1/n2); 0.5 added to every cell when a
    cell is empty (the usual continuity correction)."""
    a, c, t1, t2 = float(ai), float(ci), float(n1), float(n2)
    if min(a, c, t1 - a, t2 - c) == 0:
        a, c, t1, t2 = a + 0.5, c + 0.5, t1 + 1, t2 + 1
    return Estimate(
        label, math.log((a / t1) / (c / t2)), math.sqrt(1 / a - 1 / t1 + 1 / c - 1 / t2)
    )


def pool_inverse_variance(estimates: Sequence[Estimate]) -> Pooled:
    """The fixed-effect pooled estimate of two or more studies."""
    if len(estimates) < 2:
        raise ValueError("pooling needs two or more estimates")
    if any(e.se <= 0 for e in estimates):
        raise ValueError("every estimate needs a positive standard error")
    weights = [1 / e.se**2 for e in estimates]
    total = sum(weights)
    value = sum(w * e.value for w, e in zip(weights, estimates, strict=True)) / total
    return Pooled(value, math.sqrt(1 / total), tuple(w / total for w in weights))
