"""Forest plots: each study's (or arm's) estimate of one outcome with its interval, as SVG.

The points are the rows of the per-arm meta-analysis export (`ARMS_SQL`), so a plot shows
exactly what `extract export --layout arms` writes. Intervals, in order of preference:

- the interval the source states (`ci_from = stated`);
- continuous values: mean ± 1.96 SD / √n when the SD and n are known (`SD and n`);
- dichotomous values: the Wilson 95% interval of events / n (`Wilson, events/n`);
- none: the point is drawn hollow, marked "no CI".

Effects (HR, OR, RR ...) are drawn on a log axis around 1. Every marker and label links to
the evidence row it came from. Drawn server-side as plain SVG: no script, no dependency.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import escape

from extractor.review.meta import Z_95

RATIO_MEASURES = frozenset({"HR", "OR", "RR", "IRR"})


@dataclass(frozen=True)
class ForestPoint:
    """One row of a forest plot."""

    study: str
    arm: str | None
    time: str
    estimate: float
    ci_low: float | None
    ci_high: float | None
    ci_from: str | None
    n: int | None
    evidence_id: str

    @property
    def label(self) -> str:
        return f"{self.study} · {self.arm}" if self.arm else self.study


@dataclass
class ForestOutcome:
    """Every point of one outcome (measure and kind), grouped by time in time order."""

    measure: str
    kind: str
    unit: str | None = None
    log_scale: bool = False
    groups: dict[str, list[ForestPoint]] = field(default_factory=dict)

    @property
    def points(self) -> list[ForestPoint]:
        return [p for group in self.groups.values() for p in group]

    @property
    def sources(self) -> int:
        """How many documents or arms report the outcome."""
        return len({(p.study, p.arm) for p in self.points})

    @property
    def documents(self) -> int:
        return len({p.study for p in self.points})


def wilson_interval(events: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a proportion, in percent."""
    p = events / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


def _point(row: Mapping[str, Any]) -> ForestPoint | None:
    """A forest point from a per-arm export row, or None when it has no estimate."""
    data_type, n = row["data_type"], row["n"]
    low, high, ci_from = row["ci_low"], row["ci_high"], None
    if data_type == "dichotomous":
        events = row["events"]
        if row["percent"] is not None:
            estimate = row["percent"]
        elif events is not None and n:
            estimate = 100.0 * events / n
        else:
            return None
        if low is not None and high is not None:
            ci_from = "stated"
        elif events is not None and n and 0 <= events <= n:
            low, high = wilson_interval(events, n)
            ci_from = "Wilson, events/n"
    else:
        estimate = row["mean"] if data_type == "continuous" else row["estimate"]
        if estimate is None:
            return None
        if low is not None and high is not None:
            ci_from = "stated"
        elif data_type == "continuous" and row["sd"] is not None and n and n > 1:
            half = Z_95 * row["sd"] / math.sqrt(n)
            low, high, ci_from = estimate - half, estimate + half, "SD and n"
    if ci_from is None:
        low = high = None
    return ForestPoint(
        study=row["study"],
        arm=row["arm"],
        time=row["time"] or "time not stated",
        estimate=float(estimate),
        ci_low=low,
        ci_high=high,
        ci_from=ci_from,
        n=n,
        evidence_id=row["evidence_id"],
    )


def forest_outcomes(
    rows: Iterable[Mapping[str, Any]], min_sources: int = 2
) -> dict[tuple[str, str], ForestOutcome]:
    """Outcomes (measure, kind) reported by `min_sources` or more documents or arms.

    `rows` are per-arm export rows in the export's order (time order within an outcome).
    """
    outcomes: dict[tuple[str, str], ForestOutcome] = {}
    for row in rows:
        point = _point(row)
        if point is None:
            continue
        key = (row["measure"], row["kind"])
        outcome = outcomes.get(key)
        if outcome is None:
            outcome = outcomes[key] = ForestOutcome(
                measure=row["measure"],
                kind=row["kind"],
                unit="%" if row["data_type"] == "dichotomous" else row["unit"],
                log_scale=row["data_type"] == "effect" and row["measure"] in RATIO_MEASURES,
            )
        outcome.groups.setdefault(point.time, []).append(point)
    for outcome in outcomes.values():
        outcome.groups = dict(sorted(outcome.groups.items(), key=lambda kv: _time_order(kv[0])))
    return {k: v for k, v in outcomes.items() if v.sources >= min_sources}


def _time_order(time: str) -> tuple[int, float, str]:
    if time == "baseline":
        return (0, 0.0, time)
    number, _, unit = time.partition(" ")
    months_per = {"day": 12 / 365, "week": 12 / 52, "month": 1.0, "year": 12.0}
    try:
        value = float(number) * months_per[unit.rstrip("s")]
    except (ValueError, KeyError):
        return (2, 0.0, time)
    return (1, value, time)


# --- drawing -----------------------------------------------------------------------------

WIDTH = 960
LABEL_WIDTH = 380
PLOT_LEFT, PLOT_RIGHT = LABEL_WIDTH + 10, 740
ROW, HEADER, AXIS = 22, 44, 48
INK, MUTED, ACCENT = "#1d3557", "#6c757d", "#c1121f"


def nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values (1, 2, 5 × 10^k steps) covering [low, high]."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    start = math.floor(low / step) * step
    ticks, value = [], start
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.4g}"


def render_svg(outcome: ForestOutcome, href: Callable[[str], str]) -> str:
    """The forest plot of one outcome; `href(evidence_id)` gives each row's link."""
    points = outcome.points
    values = [v for p in points for v in (p.estimate, p.ci_low, p.ci_high) if v is not None]
    log = outcome.log_scale and all(v > 0 for v in values)
    if log:
        lo, hi = math.log(min(values + [1.0])), math.log(max(values + [1.0]))
        pad = (hi - lo) * 0.08 or 0.5
        lo, hi = lo - pad, hi + pad
        ticks = [
            t
            for t in (0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 10)
            if lo <= math.log(t) <= hi
        ]
        tick_values = [math.log(t) for t in ticks]
    else:
        ticks = nice_ticks(min(values), max(values))
        lo, hi = ticks[0], ticks[-1]
        tick_values = list(ticks)

    def x(value: float) -> float:
        v = math.log(value) if log else value
        return PLOT_LEFT + (v - lo) / ((hi - lo) or 1) * (PLOT_RIGHT - PLOT_LEFT)

    rows_count = len(points) + len(outcome.groups)
    height = HEADER + rows_count * ROW + AXIS
    title = f"{outcome.measure} ({outcome.kind})"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'class="forest-plot" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-label="Forest plot of {escape(title)}" '
        f'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" '
        f'font-size="12">',
        f"<title>Forest plot: {escape(title)}</title>",
        f'<text x="4" y="16" font-size="14" font-weight="bold" fill="{INK}">{escape(title)}</text>',
        f'<text x="4" y="36" fill="{MUTED}">Document · arm</text>',
        f'<text x="{(PLOT_LEFT + PLOT_RIGHT) / 2}" y="36" fill="{MUTED}" text-anchor="middle">'
        f"Estimate [95% CI]{(' (' + escape(outcome.unit) + ')') if outcome.unit else ''}</text>",
        f'<text x="{PLOT_RIGHT + 16}" y="36" fill="{MUTED}">Value [95% CI]</text>',
        f'<text x="{WIDTH - 8}" y="36" fill="{MUTED}" text-anchor="end">n</text>',
    ]
    plot_top, plot_bottom = HEADER, HEADER + rows_count * ROW
    for tick, value in zip(ticks, tick_values, strict=True):
        tx = PLOT_LEFT + (value - lo) / ((hi - lo) or 1) * (PLOT_RIGHT - PLOT_LEFT)
        parts.append(
            f'<line x1="{tx:.1f}" y1="{plot_top}" x2="{tx:.1f}" y2="{plot_bottom}" '
            f'stroke="#e9ecef"/>'
            f'<text x="{tx:.1f}" y="{plot_bottom + 16}" text-anchor="middle" fill="{MUTED}">'
            f"{tick:g}</text>"
        )
    if log and lo <= 0 <= hi:
        parts.append(
            f'<line x1="{x(1):.1f}" y1="{plot_top}" x2="{x(1):.1f}" y2="{plot_bottom}" '
            f'stroke="{MUTED}" stroke-dasharray="3 3"/>'
        )
    parts.append(
        f'<line x1="{PLOT_LEFT}" y1="{plot_bottom}" x2="{PLOT_RIGHT}" y2="{plot_bottom}" '
        f'stroke="{MUTED}"/>'
    )
    sizes = [p.n for p in points if p.n]
    biggest = max(sizes) if sizes else 1
    y = HEADER
    for time, group in outcome.groups.items():
        parts.append(
            f'<text x="4" y="{y + 15}" font-weight="bold" fill="{INK}">{escape(time)}</text>'
        )
        y += ROW
        for point in group:
            parts.append(_row_svg(point, y, x, biggest, href))
            y += ROW
    parts.append(
        f'<text x="4" y="{height - 8}" fill="{MUTED}" font-size="11">'
        "Filled square: interval stated or computed (size grows with n); hollow circle: no "
        "interval. Each row links to its evidence row.</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _row_svg(
    point: ForestPoint,
    y: int,
    x: Callable[[float], float],
    biggest: int,
    href: Callable[[str], str],
) -> str:
    link = escape(href(point.evidence_id))
    label = point.label if len(point.label) <= 58 else point.label[:56] + "…"
    middle = y + ROW / 2
    interval = (
        f"{_fmt(point.estimate)} [{_fmt(point.ci_low)}, {_fmt(point.ci_high)}]"
        if point.ci_from
        else f"{_fmt(point.estimate)} (no CI)"
    )
    tooltip = (
        f"{point.label}, {point.time}: {interval}"
        + (f", interval from {point.ci_from}" if point.ci_from else "")
        + (f", n = {point.n}" if point.n else "")
    )
    out = [
        f'<a href="{link}" xlink:href="{link}" class="forest-row" '
        f'data-evidence-id="{escape(point.evidence_id)}">',
        f"<title>{escape(tooltip)}</title>",
        f'<rect x="0" y="{y}" width="{WIDTH}" height="{ROW}" fill="transparent"/>',
        f'<text x="14" y="{middle + 4:.1f}" fill="{INK}" text-decoration="underline">'
        f"{escape(label)}</text>",
    ]
    cx = x(point.estimate)
    if point.ci_from and point.ci_low is not None and point.ci_high is not None:
        out.append(
            f'<line x1="{x(point.ci_low):.1f}" y1="{middle:.1f}" x2="{x(point.ci_high):.1f}" '
            f'y2="{middle:.1f}" stroke="{INK}" stroke-width="1.5"/>'
        )
        side = 5 + 5 * math.sqrt((point.n or 1) / biggest)
        out.append(
            f'<rect x="{cx - side / 2:.1f}" y="{middle - side / 2:.1f}" width="{side:.1f}" '
            f'height="{side:.1f}" fill="{ACCENT}"/>'
        )
    else:
        out.append(
            f'<circle cx="{cx:.1f}" cy="{middle:.1f}" r="4.5" fill="white" stroke="{ACCENT}" '
            'stroke-width="1.5"/>'
        )
    out.append(f'<text x="{PLOT_RIGHT + 16}" y="{middle + 4:.1f}" fill="{INK}">{interval}</text>')
    out.append(
        f'<text x="{WIDTH - 8}" y="{middle + 4:.1f}" fill="{INK}" text-anchor="end">'
        f"{point.n if point.n else '–'}</text>"
    )
    out.append("</a>")
    return "".join(out)


def outcome_rows(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    """Query rows as dicts, the shape `forest_outcomes` reads."""
    return [dict(zip(columns, row, strict=True)) for row in rows]
