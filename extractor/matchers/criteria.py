"""Eligibility ranges: `patients with an mJOA score of 8 to 14 were randomised`.

A range of an instrument's values in the subject of an enrolment verb (cue role `enrol`:
included, enrolled, randomised, recruited ...) says who could take part, not what was
measured. `_category_set` in context.py catches small category sets (`ECOG 0 or 1`); this
catches any bare range, whatever its size, when the enrolment verb follows it.
"""

from __future__ import annotations

import re

from extractor.matchers.context import SentenceContext
from extractor.quantities import Quantity

_PAIR = re.compile(r"\s*(?:to|-|–|and)\s*")
# `(mJOA) score of`, `ODI of`, `score between`: what joins the instrument and the range
_OF = re.compile(r"[\s)\]]*(?:(?:total\s+)?score\s+)?(?:of|between|from)\s+$", re.IGNORECASE)


def eligibility_range(ctx: SentenceContext, q: Quantity) -> bool:
    """Whether `q` is an end of `<instrument> of A to B` followed by an enrolment verb."""
    nxt, prev = ctx.next_value(q), ctx.prev_value(q)
    if nxt is not None and _PAIR.fullmatch(ctx.span(q.end, nxt.start)):
        first, second = q, nxt
    elif prev is not None and _PAIR.fullmatch(ctx.span(prev.end, q.start)):
        first, second = prev, q
    else:
        return False
    if any(
        v.sd is not None or v.ci_low is not None or v.range_low is not None for v in (first, second)
    ):
        return False
    head = ctx.span(ctx.sentence.start, first.start)
    if not any(
        t.end > ctx.sentence.start and _OF.fullmatch(head[t.end - ctx.sentence.start :])
        for t in ctx.instruments
    ):
        return False
    tail = ctx.after(second.end, 90)
    verb = re.match(
        r"\s*(?:points?\s+)?(?:[^,;.()\d]{0,50}?\s)?(?:were|was|are|had\s+been|could\s+be)\s+(\w+)",
        tail,
    )
    return bool(verb) and bool(ctx.vocab.cues_in(verb.group(1), "enrol"))
