"""What a list of values is paired with: `respectively`, shared p-values and units.

- `respectively` (or a list exactly as long) pairs the values of each list, in order,
  with the sentence's arms (`in the low-dose, high-dose and placebo groups`), with
  coordinated qualifiers of one instrument (`The lumbar and radicular NRS`) or with
  several instruments (`ODI and NDI were 42.1 and 38.4`). A qualifier distributes over
  the instrument, and the composed phrase (`lumbar NRS`) is looked up in
  `patterns/instruments.tsv`, so a clinician decides that it means `NRS back pain`;
  without an entry the bare instrument is kept and the qualifier stays in `measure_text`.
- A p-value closing a `respectively` list (`..., respectively (p = 0.002)`) goes to every
  value of the list; one after `both`/`all`/`each` (`both exceeding ... (P < 0.001)`) goes
  to every estimate of its clause that it sums up.
- A series or list written with one unit at its end (`from 8 to 7 and from 6 to 3
  points`, `by 8.9 and 4.1 points`) gives that unit to every value of it.
"""

from __future__ import annotations

import re

from extractor.matchers import arms
from extractor.matchers.context import SentenceContext
from extractor.quantities import Quantity
from extractor.types import Evidence
from extractor.vocab import Term

_WORD = r"[A-Za-z][\w\-]*"
_COORDINATED = re.compile(rf"((?:{_WORD},\s*)*{_WORD},?\s+and\s+{_WORD})\s*$")
_COORDINATED_OPEN = re.compile(rf"((?:{_WORD},\s*)*{_WORD}),?\s+and\s+$")
_NOT_QUALIFIER = re.compile(r"^(?:the|a|an|mean|median|average|baseline|and|or|of|in)$", re.I)
_SUMMING = re.compile(r"\b(?:both|all|each)\b", re.IGNORECASE)


def labels(ctx: SentenceContext, first: Quantity) -> dict[str, list[str]]:
    """Labels a list is paired with, in order: arms, qualifiers, instruments. `respectively`
    says so, but a list as long as the labels pairs with them without it too (`NRS and
    ODI at 6 months were 3.1 ± 1.2 and 25.4 ± 10.1`); the caller checks the lengths."""
    found: dict[str, list[str]] = {}
    for _start, _end, names in ctx._groups:
        if len(names) > 1:
            found["group"] = names
    if "group" not in found and len(ctx.respective_arms) > 1 and _bare_respectively(ctx, first):
        # `Median OS was 22.7 months and 18.4 months, respectively` after the paragraph
        # (or an earlier one) named the arms (`randomised to A or B`): the arms, in order
        found["group"] = ctx.respective_arms
    for term in ctx.instruments:
        if term.end > first.start or not term.text:
            continue
        qualified = _qualified(ctx, term)
        if qualified:
            found["measure_text"] = [text for text, _ in qualified]
            found["measure"] = [canonical for _, canonical in qualified]
            return found
    before = [t for t in ctx.instruments if t.end <= first.start]
    distinct = list(dict.fromkeys(t.canonical for t in before))
    if len(distinct) > 1:
        found["measure"] = distinct
        found["measure_text"] = [
            next(t.text for t in before if t.canonical == c) or c for c in distinct
        ]
    return found


def _bare_respectively(ctx: SentenceContext, first: Quantity) -> bool:
    """`respectively` closes the list with nothing named after the values, and nothing
    but one instrument before them (several instruments are what a list pairs with)."""
    m = re.search(r"\brespectively\b", ctx.span(first.end, ctx.sentence.end), re.IGNORECASE)
    if not m:
        return False
    distinct = {t.canonical for t in ctx.instruments if t.end <= first.start}
    between = ctx.span(first.end, first.end + m.start())
    return len(distinct) <= 1 and not ctx.vocab.timepoints_in(between)


# `from 48.2`, `from a mean of 48.2`, `from a mean (SD) of 48.2`: the FROM value of a pair
_SERIES_FROM = re.compile(
    r"\bfrom\s+(?:(?:a|an|the)\s+)?(?:(?:mean|median|average|baseline)\s+"
    r"(?:\([^()\d]{1,24}\)\s+)?(?:of\s+)?)?$",
    re.IGNORECASE,
)


def series_arm(ctx: SentenceContext, rows: list[Evidence]) -> None:
    """`from 48.2 to 21.5 in the surgical group and from 47.9 to 30.2 in the physiotherapy
    group`, `from 41.9 at baseline to 46.8 at 6 months with A`: the arm named after the
    TO value of a from-to pair is the arm of its FROM value too (not the arm of the pair
    before it)."""
    ordered = sorted(rows, key=lambda r: r.char_start)
    pairs: list[tuple[Evidence, Evidence]] = []
    for a, b in zip(ordered, ordered[1:], strict=False):
        if not _SERIES_FROM.search(ctx.before(a.char_start, 40)):
            continue
        if not re.fullmatch(r"[^;\d]{0,40}?\bto\s*", ctx.span(a.char_end, b.char_start)):
            continue
        q = next((v for v in ctx.values if v.start == b.char_start), None)
        if q is None:
            continue
        right = ctx.group_right(q)
        name = right[2][0] if right and len(right[2]) == 1 else arms.arm_after(ctx, q.end)
        if name:
            a.group_name = name
        pairs.append((a, b))
    # `from 29.6 at baseline to 33.9 at 12 months with A and from 29.9 to 31.6 with B`,
    # `ODI from 48 to 21 at 2 years and NRS from 7 to 3`: a parallel pair (another arm or
    # instrument) without a time of its own is measured at the first pair's times
    for (a0, b0), (a1, b1) in zip(pairs, pairs[1:], strict=False):
        parallel = (a0.group_name, a0.measure) != (a1.group_name, a1.measure)
        if parallel and b1.months is None and b0.months and a1.timepoint == "baseline":
            b1.timepoint, b1.months = b0.timepoint, b0.months
        # `from 15 to 8 with A and from 15 to 10 with B at week 12`: one time closing both
        # pairs, when nothing placed the first pair in time
        own_time = any(a0.char_start <= t.start < a1.char_start for t in ctx.timepoints)
        if parallel and b0.months is None and b1.months and not own_time:
            if b0.timepoint == "follow-up" and a1.timepoint == "baseline":
                b0.months = b1.months


def arms_in_order(ctx: SentenceContext, rows: list[Evidence], members: list[Quantity]) -> None:
    """`Median overall survival was 25.0 versus 19.6 months` after the paragraph named the
    arms (`randomised to A or B`): one value per arm, in order, when the list is exactly
    as long as the arms, names none of them, and is one measure at one time."""
    bare = says_respectively(ctx) and _bare_respectively(ctx, members[0])
    known = ctx.respective_arms if bare else ctx.known_arms
    if len(rows) != len(members) or len(known) != len(rows) or any(r.group_name for r in rows):
        return
    if len({(r.kind, r.measure, r.timepoint, r.months) for r in rows}) != 1:
        return
    if says_respectively(ctx) and not _bare_respectively(ctx, members[0]):
        return
    if not says_respectively(ctx) and arms.coordinated_subject(ctx, members[0].start):
        return
    if sum(t.start >= members[0].end for t in ctx.timepoints) >= len(members):
        return  # `3.1 and 2.5 at 6 and 12 months`: a value per time, not per arm
    for row, name in zip(rows, known, strict=True):
        row.group_name = name


def says_respectively(ctx: SentenceContext) -> bool:
    return "respectively" in ctx.sentence.text.lower()


def _qualified(ctx: SentenceContext, term: Term) -> list[tuple[str, str]] | None:
    """`lumbar and radicular NRS` → [('lumbar NRS', 'NRS back pain'), ...], else None.

    Two shapes: the instrument found is the bare head (`neck and arm NRS`: `NRS`), or the
    vocabulary already joined the last qualifier to it (`lumbar and radicular NRS`:
    `radicular NRS`), in which case the head is the term without its first word.
    """
    head_before = ctx.span(ctx.sentence.start, term.start)
    m = _COORDINATED.search(head_before)
    if m:
        parts, head = _split(m.group(1)), term.text
    else:
        words = term.text.split(None, 1)
        m = _COORDINATED_OPEN.search(head_before)
        if len(words) != 2 or not m or _whole_term(ctx, words[1]) is None:
            return None
        parts, head = [*_split(m.group(1)), words[0]], words[1]
    if any(_NOT_QUALIFIER.match(p) or ctx.vocab.instruments_in(p) for p in parts):
        return None  # `NRS pain and ODI`: two instruments, not qualifiers of one
    bare = _whole_term(ctx, head)
    fallback = bare.canonical if bare else term.canonical
    out = []
    for part in parts:
        composed = f"{part} {head}"
        whole = _whole_term(ctx, composed)
        out.append((composed, whole.canonical if whole else fallback))
    return out


def _split(words: str) -> list[str]:
    return [p.strip() for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", words) if p.strip()]


def _whole_term(ctx: SentenceContext, text: str) -> Term | None:
    """The instrument that `text` names as a whole, if the vocabulary has it."""
    found = ctx.vocab.instruments_in(text)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(text):
        return found[0]
    return None


def closing_p(ctx: SentenceContext, members: list[Quantity]) -> Quantity | None:
    """The p right after a list, or right after the `respectively` that closes it."""
    last = members[-1]
    p = ctx.p_after(last)
    if p is not None:
        return p
    nxt = ctx.next_value(last)
    for p in ctx.p_values:
        if p.start < last.end or (nxt is not None and p.start > nxt.start):
            continue
        gap = ctx.span(last.end, p.start)
        if re.search(r"\brespectively\W{0,4}$", gap, re.IGNORECASE) and ";" not in gap:
            return p
    return None


def summing_p(ctx: SentenceContext, rows: list[Evidence]) -> None:
    """`..., both exceeding established thresholds (P < 0.001)`: p on each estimate summed."""
    for p in ctx.p_values:
        before = [r for r in rows if r.char_end <= p.start]
        if not before:
            continue
        gap = ctx.span(max(r.char_end for r in before), p.start)
        word = _SUMMING.search(gap)
        if not word or ";" in gap:
            continue
        clause = [
            r
            for r in before
            if ";" not in ctx.span(r.char_end, p.start) and r.timepoint != "baseline"
        ]  # a baseline value is what the p compares against, not what it qualifies
        if word.group().lower() == "both":
            clause = clause[-2:]
        for row in clause:
            if row.p_value is None:
                row.p_value, row.p_relation = p.p_value, p.p_relation


def share_series_unit(ctx: SentenceContext, rows: list[Evidence]) -> None:
    """`from 8 to 7 and from 6 to 3 points`: the unit written once ends the series."""
    series = [r for r in rows if r.kind == "score" and r.rule.endswith("from_to_series")]
    by_measure: dict[str | None, list[Evidence]] = {}
    for row in series:
        by_measure.setdefault(row.measure, []).append(row)
    for group in by_measure.values():
        units = {r.unit for r in group if r.unit}
        if len(units) != 1 or not group[-1].unit:
            continue
        for row in group:
            row.unit = row.unit or group[-1].unit


def share_list_unit(rows: list[Evidence]) -> None:
    """`improved by 8.9 and 4.1 points`: a list's unit written once after its last value."""
    if not rows or not rows[-1].unit or any(r.unit and r.unit != rows[-1].unit for r in rows):
        return
    for row in rows:
        row.unit = row.unit or rows[-1].unit
