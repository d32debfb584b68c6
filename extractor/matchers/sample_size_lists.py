"""Sample sizes continued in a list by bare numbers: one per arm or per time.

`501 were assigned to A and 502 to B`, `742 patients were randomly assigned, 373 to the A
group and 369 to the B group`, `complete for 62 patients at 6 weeks, 60 at 3 months and 58
at 6 months`: after a sample size, each bare number joined to it by a list counts the same
unit, in the arm or at the time named after it.
"""

from __future__ import annotations

import re

from extractor.matchers.context import SentenceContext
from extractor.matchers.sample_size_units import arm_after, count_noun_after, plain_count
from extractor.types import Evidence

_LIST_END = re.compile(r"(?:[,:(]\s*(?:and\s+)?|\s+and\s+)$", re.IGNORECASE)
_AT_TIME = re.compile(r"^\s+(?:at|after|by)\s+", re.IGNORECASE)


_RESPECTIVE_ARMS = re.compile(
    r"^[\s,]*respectively,?\s+(?:in|to|for)\s+(?:the\s+)?(?P<names>[^;()\d]+?)\s+"
    r"(?:groups|arms|cohorts)\s*\)",
    re.IGNORECASE,
)


def bracketed_arm_sizes(ctx: SentenceContext, rows: list[Evidence]) -> list[Evidence]:
    """`734 patients (369 and 365, respectively, in the A and B groups)`: the bracket
    splits a size into its arms."""
    found: list[Evidence] = []
    for row in rows:
        if not re.match(r"\s*\(", ctx.after(row.char_end, 3)):
            continue
        run = []
        q = ctx.next_value(next((v for v in ctx.values if v.start == row.char_start), None))
        while q is not None and plain_count(ctx, q):
            gap = ctx.span(run[-1].end if run else row.char_end, q.start)
            if not re.fullmatch(r"\s*\(\s*" if not run else r"\s*(?:,\s*(?:and\s+)?|and\s+)", gap):
                break
            run.append(q)
            q = ctx.next_value(q)
        m = _RESPECTIVE_ARMS.match(ctx.after(run[-1].end, 120)) if len(run) > 1 else None
        if not m:
            continue
        names = [n.strip() for n in re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group("names"))]
        if len(names) != len(run):
            continue
        for q, name in zip(run, names, strict=True):
            found.append(
                ctx.evidence(
                    "sample_size",
                    q,
                    "sample_size.bracketed_arms",
                    measure=row.measure,
                    measure_text=None,
                    group_name=name,
                    statistic="n",
                    count=None,
                    unit=None,
                )
            )
    return found


def continued_lists(ctx: SentenceContext, rows: list[Evidence]) -> list[Evidence]:
    """The bare numbers that continue a sample size in a list: `501 were assigned to A and
    502 to B`, `742 patients were randomly assigned, 373 to the A group and 369 to the B
    group`, `complete for 62 patients at 6 weeks, 60 at 3 months and 58 at 6 months`.
    Each counts the same unit, in the arm or at the time named after it, like the first."""
    found: list[Evidence] = []
    for row in sorted(rows, key=lambda r: r.char_start):
        q = next((v for v in ctx.values if v.start == row.char_start), None)
        first, grouped = True, bool(row.group_name)
        while q is not None:
            nxt = ctx.next_value(q)
            while nxt is not None and ctx.is_blocked(nxt):  # `at least one dose`
                nxt = ctx.next_value(nxt)
            if nxt is None or not plain_count(ctx, nxt) or count_noun_after(ctx, nxt):
                break
            gap = ctx.span(q.end, nxt.start)
            bare = "".join(  # the gap without its times (`at 1 year`)
                ch
                for i, ch in enumerate(gap, q.end)
                if not any(t.start <= i < t.end for t in ctx.timepoints)
            )
            if len(gap) > 80 or re.search(r"[;\d]", bare):
                break
            fronted = _arm_before(ctx, q.end, nxt.start) if grouped else None
            if not (_LIST_END.search(gap) or fronted):
                break
            arm = fronted or arm_after(ctx, nxt.end, verb=False)
            if arm is not None and not fronted:
                # `742 patients were randomly assigned, 373 to A`: the list follows the verb;
                # `212 patients (108 in the A group and 104 in the B group)`: the bracket
                enrolled = first and re.search(r"\w+\s*[,:]\s*$", gap)
                bracket = first and gap.rstrip().endswith("(")
                clause = ctx.span(ctx.sentence.start, nxt.start).split(";")[-1]
                if not (grouped or bracket or (enrolled and ctx.vocab.cues_in(clause, "enrol"))):
                    break
            elif arm is None and not (_at_time(ctx, nxt.end) and _at_time(ctx, row.char_end)):
                break
            found.append(
                ctx.evidence(
                    "sample_size",
                    nxt,
                    "sample_size.list_continued",
                    measure=row.measure,
                    measure_text=None,
                    group_name=arm,
                    statistic="n",
                    count=None,
                    unit=None,
                )
            )
            q, first, grouped = nxt, False, arm is not None
    return found


def _at_time(ctx: SentenceContext, pos: int) -> bool:
    """`... at 3 months`: a timepoint right after `pos`."""
    m = _AT_TIME.match(ctx.after(pos, 20))
    return bool(m) and any(t.start <= pos + m.start() + 1 < t.end for t in ctx.timepoints)


def _arm_before(ctx: SentenceContext, start: int, end: int) -> str | None:
    """`The A group comprised 64 patients and the B group 61`: the next arm named right
    before its number (`and the B group`)."""
    for g_start, g_end, names in ctx._groups:
        if start <= g_start and len(names) == 1 and re.fullmatch(r"\s*", ctx.span(g_end, end)):
            lead = ctx.span(start, g_start)
            if re.search(r"(?:,|\band)\s+(?:the\s+)?$", lead):
                return names[0]
    return None


def group_subject(ctx: SentenceContext, pos: int) -> str | None:
    """`The intervention group comprised 64 patients`: the arm that is the clause's subject
    of an enrolling verb right before the count."""
    for _g_start, g_end, names in ctx._groups:
        verb = re.fullmatch(r"\s+(\w+(?:\s+of)?)\s+", ctx.span(g_end, pos))
        if verb and len(names) == 1 and ctx.vocab.cues_in(verb.group(1), "enrol"):
            return names[0]
    return None
