"""Between-group effect estimates: HR, OR, RR, RD, IRR, SMD, NNT (`patterns/effects.tsv`).

An effect is the first number after its name, with only linking words between
(`hazard ratio 0.74`, `OR, 2.1`, `HR = 1.32`, `odds ratio for death was 2.1`). A bare
bracketed interval after an effect (`HR = 1.32 [1.05–1.66]`) is its confidence interval:
effect estimates are reported with CIs, not ranges.
"""

from __future__ import annotations

import re

from extractor.matchers.context import SentenceContext
from extractor.types import Evidence

_LINK = re.compile(
    r"^\s*(?:\([A-Za-z]+\)\s*)?(?:[,:=(]\s*|(?:(?:for|of)\s+(?:[\w\-]+\s+){0,3}?)?"
    r"(?:was|were|is|of|=)\s+|)(?:(?:about|approximately)\s+)?$"
)


def find_effects(ctx: SentenceContext) -> list[Evidence]:
    rows: list[Evidence] = []
    for term in ctx.vocab.effects_in(ctx.sentence.text, ctx.sentence.start):
        q = next((v for v in ctx.values if v.start >= term.end), None)
        if q is None or ctx.is_claimed(q) or q.value is None or q.year_like:
            continue
        if not _LINK.match(ctx.span(term.end, q.start)):
            continue
        row = ctx.evidence(
            "effect",
            q,
            "effect.named_estimate",
            measure=term.canonical,
            measure_text=term.text,
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
        rows.append(row)
    return rows
