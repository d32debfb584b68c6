"""Between-group effect estimates: HR, OR, RR, RD, IRR, SMD, NNT (`patterns/effects.tsv`).

An effect is the first number after its name, with only linking words between
(`hazard ratio 0.74`, `OR, 2.1`, `HR = 1.32`, `odds ratio for death was 2.1`, `the HR for
death, 0.74`, `lowered the incidence rate ratio for pneumonia to 0.55`). An NNT's
definition may hold a number of its own that is not the estimate (`the number needed to
treat to prevent one hospitalisation was 21`), so the estimate is the first number the
linking words reach. A list closed by `respectively` (`odds ratios were 2.1 (1.3-3.4) and
1.6 (1.1-2.3) for X and Y, respectively`) gives one row per value.

A bare bracketed interval after an effect (`HR = 1.32 [1.05–1.66]`) is its confidence
interval: effect estimates are reported with CIs, not ranges. An effect in a power
calculation or definition (`90% power to detect a hazard ratio of 0.75`) is an assumption,
not a result (the `definition` cues of `patterns/cues.tsv`).
"""

from __future__ import annotations

import re

from extractor.matchers.context import SentenceContext
from extractor.quantities import Quantity
from extractor.types import Evidence
from extractor.vocab import Term

_LINK = re.compile(
    r"^\s*(?:[)\]]\s*)?(?:[(\[][A-Za-z]+[)\]]\s*)?(?:[,:=(]\s*|(?:(?:for|of|in)\s+(?:[\w\-]+\s+){0,3}?[\w\-]+\s*"
    r"(?:,\s*|(?:was|were|is|of|=|to)\s+)|(?:was|were|is|of|=|to)\s+)|)"
    r"(?:(?:about|approximately|only|just)\s+)?$",
    re.IGNORECASE,
)
# `to prevent one heart failure hospitalisation`: the unit an NNT is counted in
_NNT_UNIT = re.compile(
    r"^\s*(?:(?:to|in\s+order\s+to)\s+(?:prevent|avoid|achieve|obtain|cause|gain|save|treat)|for)"
    r"\s+$",
    re.IGNORECASE,
)
_NNT_AFTER_UNIT = re.compile(
    r"(?:\s+[\w\-]+){1,6}?\s*(?:,\s*|\s+(?:was|were|is|of|=)\s+)(?:(?:about|approximately)\s+)?",
    re.IGNORECASE,
)
_RATE_UNIT = re.compile(r"^\s*(?:beats?|breaths?|/\s*min|per\s+min)", re.IGNORECASE)
_TRAILING_LINK = re.compile(
    r"[\s,:=(\[]*(?:\b(?:was|were|is|of|to)\s*)?(?:\b(?:about|approximately|only|just)\s*)?"
    r"[\s,:=(\[]*$",
    re.IGNORECASE,
)
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)")


def find_effects(ctx: SentenceContext) -> list[Evidence]:
    rows: list[Evidence] = []
    for term in ctx.vocab.effects_in(ctx.sentence.text, ctx.sentence.start):
        q = _estimate_after(ctx, term)
        if q is None or _assumed(ctx, q):
            continue
        named = _measure_text(ctx, term, q)
        rows.append(_row(ctx, term, q, named))
        _claim_nnt_unit(ctx, term, q)
        for more in _list_after(ctx, q):
            rows.append(_row(ctx, term, more, named))
    return rows


def _estimate_after(ctx: SentenceContext, term: Term) -> Quantity | None:
    """The first number after the name that only linking words separate from it."""
    later = [v for v in ctx.values if v.start >= term.end][:2]
    if not later or not _usable(ctx, later[0]):
        return None
    first = later[0]
    if _LINK.match(ctx.span(term.end, first.start)):
        return first
    # `the number needed to treat to prevent one hospitalisation was 21`
    if term.canonical not in ("NNT", "NNH") or first.value != 1 or len(later) < 2:
        return None
    if not _NNT_UNIT.match(ctx.span(term.end, first.start)) or not _usable(ctx, later[1]):
        return None
    return later[1] if _NNT_AFTER_UNIT.fullmatch(ctx.span(first.end, later[1].start)) else None


def _claim_nnt_unit(ctx: SentenceContext, term: Term, q: Quantity) -> None:
    """The `one` of `to prevent one stroke` is the NNT's unit, not a count of events."""
    if term.canonical not in ("NNT", "NNH"):
        return
    for v in ctx.values:
        if v.value != 1 or ctx.is_claimed(v) or not term.end <= v.start < ctx.sentence.end:
            continue
        lead = ctx.span(q.end, v.start) if v.start > q.end else ctx.span(term.end, v.start)
        if _NNT_UNIT.match(lead):
            ctx.claimed.add((v.start, v.end))


def _usable(ctx: SentenceContext, q: Quantity) -> bool:
    """An estimate has no unit: `HR 112 bpm`, `RR 24 breaths/min` are heart and respiratory
    rates, `OR 95 minutes` an operating-room time."""
    if ctx.is_claimed(q) or q.value is None or q.year_like:
        return False
    if q.unit and not q.is_percent:
        return False
    return not _RATE_UNIT.match(ctx.after(q.end, 20))


def _assumed(ctx: SentenceContext, q: Quantity) -> bool:
    """`power to detect a hazard ratio of 0.75`: a definition or assumption, not a result."""
    return bool(ctx.vocab.cues_in(ctx.clause_before(q.start), "definition"))


def _list_after(ctx: SentenceContext, q: Quantity) -> list[Quantity]:
    """`2.1 (1.3-3.4) and 1.6 (1.1-2.3) ..., respectively`: the rest of the list."""
    if not re.search(r"\brespectively\b", ctx.after(q.end, 200), re.IGNORECASE):
        return []
    found: list[Quantity] = []
    current = q
    while (nxt := ctx.next_value(current)) is not None:
        if not _usable(ctx, nxt) or nxt.is_percent != q.is_percent:
            break
        if not _LIST_GAP.fullmatch(ctx.span(current.end, nxt.start)):
            break
        found.append(nxt)
        current = nxt
    return found


def _measure_text(ctx: SentenceContext, term: Term, q: Quantity) -> str:
    """The effect's name with what it compares, as written: `hazard ratio for stroke or
    systemic embolism`, `number needed to treat to prevent one hospitalisation`."""
    named = _TRAILING_LINK.sub("", ctx.span(term.start, q.start))
    return named if len(named.split()) <= 14 else term.text


def _row(ctx: SentenceContext, term: Term, q: Quantity, named: str) -> Evidence:
    row = ctx.evidence(
        "effect",
        q,
        "effect.named_estimate",
        measure=term.canonical,
        measure_text=named,
        statistic=term.canonical.lower(),
        unit=None,
    )
    if q.range_low is not None and q.ci_low is None:
        row.ci_low, row.ci_high = q.range_low, q.range_high
        row.range_low = row.range_high = None
    p = ctx.p_after(q)
    if p and row.p_value is None:
        row.p_value, row.p_relation = p.p_value, p.p_relation
    row.group_name = ctx.group_for(q)
    return row
