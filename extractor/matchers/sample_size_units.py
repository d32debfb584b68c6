"""What a sample-size number counts and which arm it is in, shared by the size matchers.

`count_noun_after` finds the unit a number counts (`148 patients`, `29 consecutive
patients`), `plain_count` says whether a number can be a count at all, and `arm_after`
reads the arm named right after a count (`in the ketamine group`, `were randomised to
early surgery`). `sample_size.py` and `sample_size_lists.py` both use them (and the
other matchers use `count_noun_after`).
"""

from __future__ import annotations

import re

from extractor.matchers.context import SentenceContext
from extractor.quantities import Quantity
from extractor.vocab import Term

_BETWEEN_WORD = re.compile(r"[A-Za-z][\w\-]*")
_NOT_BETWEEN = {
    "of", "with", "in", "who", "were", "was", "and", "or", "to", "from", "had", "per",
    "for", "among",
}  # fmt: skip
_IN_ARM = re.compile(r"^\s+(?:in|into)\s+(?:the\s+)?", re.IGNORECASE)
_TO_ARM = re.compile(
    r"^\s+(?P<verb>(?:were\s+|was\s+)?(?:randomi[sz]ed|randomly\s+(?:assigned|allocated)|"
    r"assigned|allocated)\s+)?to\s+(?:receive\s+)?(?:the\s+)?(?P<name>[^,;.()\d]+?)"
    r"(?=\s*(?:[,;.()]|$)|\s+(?:and|or|versus|vs\.?|while|whereas)\s)",
    re.IGNORECASE,
)


def count_noun_after(ctx: SentenceContext, q: Quantity) -> Term | None:
    """The count noun a number counts: `148 patients`, `29 consecutive patients`."""
    tail = ctx.after(q.end, 60)
    for term in ctx.vocab.count_nouns_in(tail, q.end):
        gap = ctx.span(q.end, term.start)
        words = _BETWEEN_WORD.findall(gap)
        if re.search(r"[^\w\s\-]|\d", gap) or gap.startswith(("-", "‐")) or len(words) > 3:
            # `3-levels`, `5-dimensions`: a compound adjective, not a count of units
            return None
        if any(w.lower() in _NOT_BETWEEN for w in words):
            return None
        return _head_noun(ctx, term)
    return None


def _head_noun(ctx: SentenceContext, term: Term) -> Term:
    """`total hip arthroplasties`, `knee replacements`: a body part naming the procedure
    counted is a modifier; the noun after it is what is counted."""
    if term.category != "body_part":
        return term
    following = ctx.vocab.count_nouns_in(ctx.after(term.end, 30), term.end)
    if following and following[0].category == "procedure":
        if re.fullmatch(r"\s+", ctx.span(term.end, following[0].start)):
            return following[0]
    return term


def plain_count(ctx: SentenceContext, q: Quantity) -> bool:
    """A whole positive number with nothing attached that makes it something else."""
    if ctx.is_claimed(q) or q.n_equals or q.is_percent or q.value is None:
        return False
    if q.value != int(q.value) or q.value <= 0 or q.year_like or q.compound:
        return False
    if q.relation in (">", ">=", "<", "<="):
        return False
    return q.denominator is None and q.count is None  # `27 of 28`, `7 (24.1%)`: proportions


def arm_after(ctx: SentenceContext, pos: int, verb: bool = True) -> str | None:
    """`64 patients in the ketamine group`, `45 patients were randomised to early surgery`:
    the arm named right after the count (`and 44 to conservative care`: no verb needed)."""
    tail = ctx.after(pos, 90)
    m = _IN_ARM.match(tail)
    group = ctx.group_at(pos + m.end()) if m else None
    if group and len(group[2]) == 1:
        return group[2][0]
    m = _TO_ARM.match(tail)
    if not m or (verb and not m.group("verb")):
        return None
    name = re.sub(r"\s+(?:group|arm)s?$", "", m.group("name").strip(), flags=re.IGNORECASE)
    return name if name and len(name.split()) <= 6 else None
