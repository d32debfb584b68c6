"""Scores (an instrument's value at a time) and changes (within-group or between groups).

A score needs an instrument from `patterns/instruments.tsv` in the sentence and a sign
that the number is a measured value: a dispersion/CI/range, a timepoint next to it, a
`from ... to ...` series, or a list whose other members have one. Series and lists make
several rows (conventions rule 3): each value takes the timepoint right after it, or the
one its list shares, or the one before it (`from a baseline of 8.1`); in `from X to Y`
without words X is baseline and Y follow-up. `respectively` pairs the values of each list
with the sentence's instruments, qualifiers (`lumbar and radicular NRS`) or arms
(`low-dose, high-dose and placebo groups`) in order.

A number right after a change cue (`improvement of`, `mean change was`, `improved ... by`,
`0.26 point increase`, `a 33% improvement`) is a `change`; `difference` makes it a
between-group difference.
"""

from __future__ import annotations

import re

from extractor.matchers.context import SentenceContext
from extractor.matchers.sample_size import count_noun_after
from extractor.quantities import Quantity
from extractor.types import Evidence

_LIST_GAP = re.compile(r"\s*(?:,|,?\s*and|,?\s*or|/)\s*")
_LINK = re.compile(
    r"(?:\b(?:was|were|is|are|of|averaged|reached|at)\s+(?:a\s+|an\s+)?(?:(?:mean|median|average)"
    r"\s+(?:\w+\s+){0,2}?(?:of\s+)?)?|\b(?:mean|median|average)\s+|[:=]\s*)$",
    re.IGNORECASE,
)
_FROM = re.compile(r"\bfrom\b(?:\s+(?:a|an|the)?\s*(?:\w+\s+){0,4}?(?:of\s+)?)?\s*$", re.IGNORECASE)


def find_scores(ctx: SentenceContext) -> list[Evidence]:
    if not ctx.instruments:
        return []
    cands = [q for q in ctx.values if _candidate(ctx, q)]
    if not cands:
        return []
    lists = _lists(ctx, cands)
    change = {id(q): _change_kind(ctx, q) for q in cands}
    for members in lists:
        kinds = [change[id(q)] for q in members if change[id(q)]]
        if kinds:
            for q in members:
                change[id(q)] = change[id(q)] or kinds[0]
    rows: list[Evidence] = []
    labels = _labels(ctx, cands[0])
    taken: set[int] = set()
    tps: dict[int, object] = {}
    for members in lists:
        shared = ctx.timepoint_right(members[-1])
        for q in members:
            tp = ctx.timepoint_right(q) or (shared if len(members) > 1 else None)
            if tp:
                tps[id(q)] = tp
                taken.add(tp.start)
    for members in lists:
        signal = any(_signal(ctx, q, tps) or change[id(q)] for q in members)
        if not signal:
            continue
        p_list = ctx.p_after(members[-1]) if len(members) > 1 else None
        for index, q in enumerate(members):
            if q.is_percent and not change[id(q)] and not _percent_unit(ctx):
                continue
            rows.append(_row(ctx, q, change[id(q)], tps, taken, labels, members, index, p_list))
    return rows


def _candidate(ctx: SentenceContext, q: Quantity) -> bool:
    if ctx.is_claimed(q) or q.n_equals or q.value is None or ctx.is_blocked(q):
        return False
    if q.denominator is not None or (q.count is not None and q.percent is not None):
        return False
    if count_noun_after(ctx, q) is not None:
        return False
    following = " ".join(ctx.after(q.end, 20).split()[:1])
    if q.sd is None and q.ci_low is None and ctx.vocab.cues_in(following, "outcome"):
        return False  # `1 had worsening pain`: a count of patients, not a score
    return not re.match(r"^\s*(?:of\s+(?:the\s+)?\d|studies|trials|patients)", ctx.after(q.end, 20))


def _lists(ctx: SentenceContext, cands: list[Quantity]) -> list[list[Quantity]]:
    """Runs of values joined only by `,` / `and` / `or`: `8.4 (7–10) and 5.1 (2–10)`."""
    lists: list[list[Quantity]] = []
    for q in cands:
        if lists and _LIST_GAP.fullmatch(ctx.span(lists[-1][-1].end, q.start)):
            lists[-1].append(q)
        else:
            lists.append([q])
    return lists


def _change_kind(ctx: SentenceContext, q: Quantity) -> str | None:
    left = ctx.before(q.start, 70)
    cue_re = r"(?:{})".format(
        "|".join(
            re.escape(t.text)
            for t in ctx.vocab.cues_in(left, "change") + ctx.vocab.cues_in(left, "difference")
        )
        or "(?!)"
    )
    diff = bool(ctx.vocab.cues_in(left[-45:], "difference"))
    kind = "difference" if diff else "change"
    if re.search(
        rf"{cue_re}\w*(?:\s+(?!from\b|to\b)[\w\-]+){{0,4}}?\s+(?:of|was|were|by|is|:)\s+"
        r"(?:only\s+|about\s+|approximately\s+|a\s+|an\s+|mean\s+)?$",
        left,
        re.IGNORECASE,
    ):
        return kind
    if re.search(rf"{cue_re}\w*\b[^.;()\d]{{0,60}}\bby\s+$", left, re.IGNORECASE):
        return kind
    if re.search(rf"{cue_re}\w*\b[^.;()\d]{{0,40}}\(\s*$", left, re.IGNORECASE):
        return kind
    right = ctx.after(q.end, 30)
    if q.compound and q.unit in ("points", "pts"):
        right = ctx.after(q.end, 30)
    if re.match(r"^[\s\-]*(?:points?\s+|pts?\s+)?(?:\w+\s+)?", right):
        head = " ".join(re.sub(r"^[\s\-]*(?:points?|pts?)?", "", right).split()[:2])
        found = ctx.vocab.cues_in(head, "change") + ctx.vocab.cues_in(head, "difference")
        if (
            found
            and found[0].start < 3
            and re.search(r"(?:ment|tion|ease|ange|ence|line|gain|loss|drop)s?$", found[0].text)
        ):
            return "difference" if ctx.vocab.cues_in(head, "difference") else "change"
    return None


def _signal(ctx: SentenceContext, q: Quantity, tps: dict) -> bool:
    if q.sd is not None or q.ci_low is not None or q.range_low is not None:
        return True
    if id(q) in tps or ctx.timepoint_left(q, set()):
        return True
    left = ctx.before(q.start, 60)
    if _FROM.search(left) or re.search(r"\bto\s+$", left):
        return True
    return bool(_LINK.search(left)) and bool([t for t in ctx.instruments if t.end <= q.start])


def _percent_unit(ctx: SentenceContext) -> bool:
    return any(ctx.vocab.unit_of(t.canonical) == "%" for t in ctx.instruments)


def _labels(ctx: SentenceContext, first: Quantity) -> dict[str, list[str]]:
    """Labels a `respectively` list is paired with: arms, qualifiers, instruments."""
    text = ctx.sentence.text
    if "respectively" not in text.lower():
        return {}
    labels: dict[str, list[str]] = {}
    for _start, _end, names in ctx._groups:
        if len(names) > 1:
            labels["group"] = names
    for term in ctx.instruments:
        head = ctx.span(ctx.sentence.start, term.start)
        m = re.search(
            r"((?:[A-Za-z][\w\-]*,\s*)*[A-Za-z][\w\-]*\s+and\s+[A-Za-z][\w\-]*)\s*$", head
        )
        if m and term.end <= first.start:
            parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group(1))
            labels["qualifier"] = [f"{p} {term.text}" for p in parts]
            labels["qualified_measure"] = [term.canonical] * len(parts)
            break
    before = [t for t in ctx.instruments if t.end <= first.start]
    distinct = list(dict.fromkeys(t.canonical for t in before))
    if len(distinct) > 1 and "qualifier" not in labels:
        labels["measure"] = distinct
        labels["measure_text"] = [
            next(t.text for t in before if t.canonical == c) for c in distinct
        ]
    return labels


def _measure(ctx: SentenceContext, q: Quantity):
    before = [t for t in ctx.instruments if t.end <= q.start]
    if before:
        return before[-1]
    return ctx.instruments[0]


def _row(ctx, q, change, tps, taken, labels, members, index, p_list) -> Evidence:
    term = _measure(ctx, q)
    kind = "change" if change else "score"
    if labels and len(members) > 1:
        shape = "respectively"
    elif re.search(r"\bfrom\b", ctx.clause_before(q.start), re.IGNORECASE) and not change:
        shape = "from_to_series"
    else:
        shape = "list" if len(members) > 1 else "value"
    rule = f"{kind}.{shape}"
    row = ctx.evidence(kind, q, rule, measure=term.canonical, measure_text=term.text or None)
    if change:
        row.statistic = change
        if q.is_percent:
            row.unit, row.percent = "%", None
        elif row.unit is None:
            row.unit = "points" if "point" in ctx.after(q.end, 12) else None
    else:
        row.statistic = ctx.statistic(q)
        if row.unit is None:
            row.unit = ctx.vocab.unit_of(term.canonical) if _percent_unit(ctx) else None
    tp = tps.get(id(q)) or ctx.timepoint_left(q, taken)
    if tp is not None:
        row.timepoint, row.months = tp.timepoint, tp.months
    elif not change:
        left = ctx.before(q.start, 60)
        if _FROM.search(left):
            row.timepoint = "baseline"
        elif re.search(r"\bto\s+$", left):
            row.timepoint = "follow-up"
    if row.timepoint == "baseline":
        row.months = None
    n = len(members)
    if labels and n > 1:
        for key in ("qualifier", "measure", "group"):
            if key in labels and len(labels[key]) == n:
                if key == "qualifier":
                    row.measure_text = labels["qualifier"][index]
                    row.measure = labels["qualified_measure"][index]
                elif key == "measure":
                    row.measure = labels["measure"][index]
                    row.measure_text = labels["measure_text"][index]
                else:
                    row.group_name = labels["group"][index]
    if row.group_name is None:
        row.group_name = ctx.group_for(q)
    p = p_list if p_list is not None and labels else ctx.p_after(q)
    if p_list is not None and index == n - 1:
        p = p_list
    if p is not None and row.p_value is None:
        row.p_value, row.p_relation = p.p_value, p.p_relation
    return row
