"""Small readings of a complication sentence that pick its event's exact name, its arm,
or whether it reports events at all (split from `complications.py` to keep it short).
"""

from __future__ import annotations

import re
from dataclasses import replace

from extractor.matchers.context import SentenceContext
from extractor.quantities import Quantity
from extractor.vocab import Term

_OPENING_TIME = re.compile(r"^\s*(?:at|before|prior\s+to)\s+[\w\-]+(?:\s+[\w\-]+)?\s*,", re.I)


def baseline_opening(ctx: SentenceContext) -> bool:
    """A sentence opened by its baseline (`At baseline,`, `Before the procedure,`) reports
    what patients had on entry: shares of patients (proportions), not events."""
    m = _OPENING_TIME.match(ctx.sentence.text)
    if not m:
        return False
    end = ctx.sentence.start + m.end()
    return any(tp.timepoint == "baseline" and tp.end <= end for tp in ctx.timepoints)


_RATE_GAP = re.compile(r"^[^\d;]{0,80}?[(,\[]\s*$")


def matching_rate(ctx: SentenceContext, q: Quantity, nxt: Quantity | None) -> Quantity | None:
    """`4 of 51 anterior patients (7.8%; 95% CI 2.2-18.9)`, `27/1,246, 2.2%`: a rate a few
    words after a fraction is that fraction's own rate when it is count/denominator
    rounded; the arithmetic, not the layout, ties them, so a rate of another event in
    the same bracket is never taken."""
    if nxt is None or q.denominator is None or q.count is None:
        return None
    return _rate_matching(ctx, q.count, q.denominator, q.end, nxt)


def rate_of_fraction(
    ctx: SentenceContext, count: int, denominator: int, end: int
) -> Quantity | None:
    """The next rate of the sentence when it is `count/denominator` a few words on."""
    nxt = next((v for v in ctx.values if v.start >= end), None)
    return _rate_matching(ctx, count, denominator, end, nxt) if nxt else None


def _rate_matching(
    ctx: SentenceContext, count: int, denominator: int, end: int, nxt: Quantity
) -> Quantity | None:
    if ctx.is_claimed(nxt) or not denominator:
        return None
    if not nxt.is_percent or nxt.count is not None or nxt.value is None:
        return None
    if not _RATE_GAP.match(ctx.span(end, nxt.start)):
        return None
    digits = nxt.text.split("%")[0].partition(".")[2]
    exact = 100 * count / denominator
    return nxt if abs(round(exact, len(digits.strip())) - nxt.value) < 1e-6 else None


_ATTRIBUTED = re.compile(
    r"^\s+(?:were|was)\s+(?:\w+ly\s+)?(?:(?:judged|considered|deemed|thought|assessed)\s+"
    r"(?:to\s+be\s+|as\s+)?)?(?:attributable|attributed|related)\s+to\s+(?:the\s+)?"
    r"(?:study\s+|trial\s+)?(?:drug|treatment|therapy|medication|intervention|procedure)\b",
    re.IGNORECASE,
)


def attributed(ctx: SentenceContext, term: Term) -> str:
    """`no deaths were attributable to the study drug`: a treatment-related death."""
    if term.category == "death" and _ATTRIBUTED.match(ctx.after(term.end, 70)):
        return "treatment-related death"
    return term.canonical


_DISCONTINUED_FOR = re.compile(
    r"\b(?:discontinued|stopped|withdrew\s+from|withdrew|interrupted)\b[^.;]{0,50}?\b"
    r"(?:because\s+of|due\s+to|owing\s+to|for)\s+(?:an?\s+)?$",
    re.IGNORECASE,
)


def discontinued_for(ctx: SentenceContext, term: Term | None) -> Term | None:
    """`24 patients (5.7%) discontinued the drug because of adverse events`: events that
    led to discontinuation, apart from any adverse event."""
    if term is None or term.canonical != "any adverse event":
        return term
    if not _DISCONTINUED_FOR.search(ctx.before(term.start, 80)):
        return term
    return replace(term, canonical="adverse event leading to discontinuation")


def arm_of_noun(ctx: SentenceContext, q: Quantity) -> str | None:
    """`in 4 of 51 anterior patients`: a known arm written as the adjective of the counted
    patients is the row's arm."""
    m = re.match(
        r"^\s+(?:of\s+(?:the\s+)?\d[\d,]*\s+)?(?P<name>[\w\-]+(?:\s+[\w\-]+)?)\s+"
        r"(?:patients|participants|subjects|women|men|children)\b",
        ctx.after(q.end, 60),
    )
    if not m:
        return None
    name = m.group("name")
    for arm in ctx.known_arms:
        if name.lower() == arm.lower():
            return arm
    return None


_WAS_QUALIFIED = re.compile(
    r"\b(?:was|were)\s+(?P<adj>[a-z][\w\-]*)\s+(?:in|among)\s+(?:only\s+)?$", re.IGNORECASE
)


def qualified_event(ctx: SentenceContext, q: Quantity, events: list[Term]) -> Term | None:
    """`Stroke occurred in 24 (1.9%) and was disabling in 14 (1.1%)`: the earlier event
    with the qualifier is the vocabulary's own event (`disabling stroke`)."""
    m = _WAS_QUALIFIED.search(ctx.before(q.start, 40))
    earlier = [t for t in events if t.end <= q.start]
    if not m or not earlier:
        return None
    name = f"{m.group('adj')} {earlier[-1].text}"
    found = ctx.vocab.complications_in(name)
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(name):
        return Term(q.start, q.start, name, found[0].canonical, found[0].category)
    return None


_WHICH_AFFECTED = re.compile(
    r",\s*(?:which\s+(?:affected|occurred\s+in|was\s+seen\s+in|developed\s+in)|affecting|"
    r"occurring\s+in|seen\s+in)\s+(?:only\s+)?$",
    re.IGNORECASE,
)


def relative_event(ctx: SentenceContext, q: Quantity, events: list[Term]) -> Term | None:
    """`... was dysphagia, which affected 17.6% of patients`: the event the relative
    clause hangs on is the one its rate counts."""
    head = ctx.span(ctx.sentence.start, q.start)
    m = _WHICH_AFFECTED.search(head)
    if not m:
        return None
    at = ctx.sentence.start + m.start()
    before = [t for t in events if t.end <= at and not ctx.span(t.end, at).strip()]
    if before and before[-1].canonical in ("any complication", "any adverse event"):
        # `Hoarseness was the most common complication, affecting 19`: the subject
        clause = ctx.span(ctx.sentence.start, at)
        start = ctx.sentence.start + max(clause.rfind(";"), clause.rfind(". ")) + 1
        subject = [t for t in events if start <= t.start and t.end <= before[-1].start]
        if subject and subject[0].canonical not in ("any complication", "any adverse event"):
            return subject[0]
    return before[-1] if before else None


_PARALLEL_ARM = re.compile(
    r"^[\s)\]]*(?:[(\[][^()\[\]]*[)\]]\s*)?(?P<lead>after|following|with|receiving|on)\s+"
    r"(?:the\s+)?(?P<name>[A-Za-z][\w\-]*(?:\s+(?!and\b|or\b|in\b|at\b)[A-Za-z][\w\-]*){0,2})",
    re.IGNORECASE,
)
_ARM_HEAD = re.compile(r"\s+(?:surgery|group|arm|approach|procedure|treatment)$", re.IGNORECASE)


def parallel_arms(ctx: SentenceContext, rows: list) -> None:
    """`in 2 patients (3.9%) after anterior surgery and in 5 (9.8%) after laminoplasty`:
    the second of two parallel `after X` phrases names the second count's arm, even when
    the paper calls that arm by its procedure rather than the name it declared."""
    ordered = sorted(rows, key=lambda r: r.char_start)
    for first, second in zip(ordered, ordered[1:], strict=False):
        if not first.group_name or second.group_name:
            continue
        m1 = _PARALLEL_ARM.match(ctx.after(first.char_end, 80))
        m2 = _PARALLEL_ARM.match(ctx.after(second.char_end, 80))
        if not m1 or not m2 or m1.group("lead").lower() != m2.group("lead").lower():
            continue
        if first.group_name.lower() not in m1.group("name").lower():
            continue
        if not re.fullmatch(
            r"[^;]*\band\s+(?:in\s+)?", ctx.span(first.char_end + m1.end(), second.char_start)
        ):
            continue
        name = _ARM_HEAD.sub("", m2.group("name").strip())
        if name and not ctx.vocab.complications_in(name):
            second.group_name = name


_ROW_GAP = re.compile(r"\s*(?:,\s*and|,|and)\s*", re.IGNORECASE)
_TERM_GAP = re.compile(r"\s*(?:,\s*(?:and|or)?|and|or)\s*(?:an?\s+)?", re.IGNORECASE)


def pair_listed_events(ctx: SentenceContext, rows: list, events: list[Term]) -> None:
    """`Anastomotic leak, ileus and pneumonia occurred in 6 (3.1%), 14 (7.2%) and 5
    (2.6%) patients, respectively`: as many listed events as listed counts pair in order."""
    ordered = sorted(rows, key=lambda r: r.char_start)
    run: list = []
    for row in [*ordered, None]:
        if row is not None and (
            not run or _ROW_GAP.fullmatch(ctx.span(run[-1].char_end, row.char_start))
        ):
            run.append(row)
            continue
        if len(run) > 1:
            _pair_run(ctx, run, events)
        run = [row] if row is not None else []


def _pair_run(ctx: SentenceContext, run: list, events: list[Term]) -> None:
    tail = ctx.span(run[-1].char_end, ctx.sentence.end).split(";")[0]
    if not re.search(r"\brespectively\b", tail, re.IGNORECASE):
        return
    head = ctx.span(ctx.sentence.start, run[0].char_start)
    start = ctx.sentence.start + head.rfind(";") + 1
    listed = [t for t in events if start <= t.start and t.end <= run[0].char_start]
    if len(listed) != len(run):
        return
    if not all(
        _TERM_GAP.fullmatch(ctx.span(a.end, b.start))
        for a, b in zip(listed, listed[1:], strict=False)
    ):
        return
    for row, term in zip(run, listed, strict=True):
        row.measure, row.measure_text = term.canonical, term.text


_OF_OPENING = re.compile(r"^\s*(?:of|among)\s+(?:the\s+|all\s+|these\s+|those\s+)?$", re.IGNORECASE)


def opening_denominator(
    ctx: SentenceContext, q: Quantity, count: int, percent: float
) -> int | None:
    """`Of the 64 patients treated, 58 (90.6%) healed`: the total opening the sentence is
    the denominator when count/total is the stated percent."""
    for total in ctx.values:
        if total.start >= q.start or total.value is None or total.is_percent:
            continue
        if not _OF_OPENING.match(ctx.span(ctx.sentence.start, total.start)):
            continue
        if total.value <= count or total.value != int(total.value):
            return None
        decimals = len(str(percent).partition(".")[2].rstrip("0"))
        if abs(round(100 * count / total.value, decimals) - percent) < 1e-6:
            return int(total.value)
        return None
    return None
