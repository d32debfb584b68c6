"""Sample sizes: how many units a study, arm or analysed population has.

Four constructions carry them: a number followed by a count noun from
`patterns/count_nouns.tsv` (`148 patients`, `Eleven studies`, `1,181 sacroiliac joint
fusions`), `n = N` after an arm's name (`sample_size_arms`), a list of sizes paired with
arms (`148 and 151 hips, respectively`), and a bare number enrolled by a verb after the
unit was named (`Of 530 patients screened, 388 were randomised`).

What is *not* a sample size matters as much (conventions rule 4): a count of patients
with an outcome (`39 patients reported pain relief`, `revision was required in two
patients`, `7 patients (24.1%)`), a ratio (`one in four patients`), and a breakdown of a
total into parts of the same kind (`Eleven studies (9 cohort and 2 randomised trials)`,
`54 patients (41 women, 13 men)`): those are proportions or events.
"""

from __future__ import annotations

import re

from extractor.matchers.context import SentenceContext
from extractor.matchers.sample_size_arms import n_equals_rows
from extractor.matchers.sample_size_lists import (
    bracketed_arm_sizes,
    continued_lists,
    group_subject,
)
from extractor.matchers.sample_size_units import (  # count_noun_after: used by other matchers
    arm_after,
    count_noun_after,
    plain_count,
)
from extractor.quantities import Quantity
from extractor.types import Evidence
from extractor.vocab import Term

_NOT_SIZE_BEFORE = re.compile(
    r"\b(?:mean|median|average|maximum|minimum|max|min)\s+(?:of\s+)?$|\b(?:but|except)\s*$",
    re.IGNORECASE,
)
_RATIO_GAP = re.compile(r"\s+(?:in|out\s+of)\s+(?:every\s+)?", re.IGNORECASE)
_IN_BEFORE = re.compile(
    r"\b(?:in|among)\s+(?:the\s+|only\s+|a\s+total\s+of\s+|another\s+)?$", re.IGNORECASE
)
_RELATIVE_EVENT = re.compile(
    r"^\s*(?:\([^()]*\)\s*)?,?\s*(?:where|in\s+whom|whose)\b", re.IGNORECASE
)
_RELATIVE_GROUP = re.compile(
    r"^\s*(?:\([^()]*\)\s*)?,?\s*(?:who|that)\s+(?:had(?:\s+undergone|\s+received)?|underwent|received|were\s+given|"
    r"were\s+treated\s+with|were\s+(?:randomi[sz]ed|randomly\s+assigned|assigned|allocated)\s+to)"
    r"\s+(?:an?\s+|the\s+)?(?P<name>[^,;()]+)",
    re.IGNORECASE,
)
_NAME_END = re.compile(
    r"\s+(?:in|at|for|with|from|during|after|before|between|of|who|which|that|was|were|is|"
    r"are|had|has|and|or|than|on|by)\b",
    re.IGNORECASE,
)
_BARE_ENROL = re.compile(
    r"^\s*(?:(?:were|was|had\s+been|have\s+been|are|being)\s+(?:\w+ly\s+)?|"
    # `204 underwent randomisation`, `734 received at least one dose`
    r"(?=underwent\s+randomi[sz]ation\b|received\s+at\s+least\s+one\s+dose\b))",
    re.IGNORECASE,
)
_LIST_GAP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+)", re.IGNORECASE)


def find_sample_sizes(ctx: SentenceContext) -> list[Evidence]:
    rows: list[Evidence] = []
    rows += n_equals_rows(ctx)
    rows += _size_lists(ctx)
    for q in ctx.values:
        if not plain_count(ctx, q):
            continue
        noun = count_noun_after(ctx, q)
        if noun is None or not _is_size(ctx, q, noun):
            continue
        group = _relative_group(ctx, noun) or arm_after(ctx, noun.end)
        group = group or group_subject(ctx, q.start)
        rows.append(_row(ctx, q, noun, group))
        rows += _same_noun_in_next_arm(ctx, q, noun)
    rows += _enrolled_without_noun(ctx)
    rows += bracketed_arm_sizes(ctx, rows)
    rows += continued_lists(ctx, rows)
    return rows


def _same_noun_in_next_arm(ctx: SentenceContext, q: Quantity, noun: Term) -> list[Evidence]:
    """`64 patients in the ketamine group and 61 in the placebo group`: the second number
    counts the same unit in the next arm."""
    nxt = ctx.next_value(q)
    if nxt is None or arm_after(ctx, noun.end) is None or not plain_count(ctx, nxt):
        return []
    if not re.fullmatch(r"\s+[^,;()\d]*?(?:,\s*|\s+)and\s+", ctx.span(noun.end, nxt.start)):
        return []
    group = arm_after(ctx, nxt.end, verb=False)
    if group is None:
        return []
    return [_row(ctx, nxt, noun, group, "sample_size.next_arm")]


def _row(
    ctx: SentenceContext,
    q: Quantity,
    noun: Term,
    group: str | None,
    rule: str = "sample_size.count_noun",
) -> Evidence:
    """A sample size whose mention runs to its noun (the noun's own number only)."""
    nxt = ctx.next_value(q)
    end = noun.end if noun.end > q.end and (nxt is None or nxt.start > noun.end) else q.end
    return ctx.evidence(
        "sample_size",
        q,
        rule,
        char_end=end,
        measure=noun.canonical,
        measure_text=noun.text,
        group_name=group,
        statistic="n",
        count=None,
        unit=None,
    )


def _is_size(ctx: SentenceContext, q: Quantity, noun: Term) -> bool:
    """Whether `q noun` counts a study's units rather than patients with an outcome."""
    before = ctx.before(q.start, 60)
    if _NOT_SIZE_BEFORE.search(before[-30:]) or _after_count_of(ctx, q):
        return False
    if _is_ratio(ctx, q) or _breakdown_part(ctx, q, noun) or _event_before(ctx, q):
        return False
    prev = ctx.prev_value(q)  # `Stroke occurred in 51 and 113 patients`: the list's start
    if prev is not None and re.fullmatch(r",?\s+or\s+", ctx.span(prev.end, q.start)):
        return False  # `at two or three levels`: alternatives that describe, not a size
    if prev is not None and _LIST_GAP.fullmatch(ctx.span(prev.end, q.start)):
        if _event_before(ctx, prev):
            return False
    after_noun = ctx.after(noun.end, 40)
    if re.match(r"\s+had\s+(?:a\s+)?(?:mean|median|average)\b", after_noun, re.IGNORECASE):
        return True  # `The 812 patients had a mean age of`: the population described
    if noun.category in ("person", "sex") and re.match(r"^\s*of\b(?!\s+wh)", after_noun):
        return False  # `two cases of implant loosening` (but `2 studies of X` are studies)
    if re.match(r"^\s*\(\s*\d+(?:[.,]\d+)?\s*%", after_noun) or _outcome_follows(ctx, noun):
        return False  # a count with an outcome: proportions decide
    if _open_paren(ctx, q.start) is not None and re.match(
        r"^\s*,\s*\d+(?:[.,]\d+)?\s*%\s*[)\]]", after_noun
    ):
        return False  # `(4 patients, 8.3%)`: the patients with the outcome and their share
    return not _RELATIVE_EVENT.match(after_noun) or not _event_in_clause(ctx, noun.end, True)


def _after_count_of(ctx: SentenceContext, q: Quantity) -> bool:
    """`nine of the 29 patients`: the 29 is the denominator of a count, not restated N."""
    prev = ctx.prev_value(q)
    if prev is None:
        return False
    gap = ctx.span(prev.end, q.start)
    if prev.count is not None and prev.percent is not None and re.fullmatch(r"\s*of\s+", gap):
        return True  # `61 (38%) of 159 patients`
    return bool(re.fullmatch(r"\s*(?:\w+\s+)?of\s+(?:these|the|those)\s*", gap))


def _is_ratio(ctx: SentenceContext, q: Quantity) -> bool:
    """`one in four patients`, `1 out of every 5 adults`: a ratio, not a count of units."""
    prev = ctx.prev_value(q)
    if prev is None or prev.is_percent or prev.unit or prev.value is None:
        return False
    return prev.value < q.value and bool(_RATIO_GAP.fullmatch(ctx.span(prev.end, q.start)))


def _open_paren(ctx: SentenceContext, pos: int) -> int | None:
    """Absolute offset of the bracket still open at `pos`, if any."""
    text = ctx.span(ctx.sentence.start, pos)
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] in ")]":
            depth += 1
        elif text[i] in "([":
            if depth == 0:
                return ctx.sentence.start + i
            depth -= 1
    return None


def _breakdown_part(ctx: SentenceContext, q: Quantity, noun: Term) -> bool:
    """A part of the total just before the bracket, counted in the same unit: `Eleven
    studies (9 cohort and 2 randomised trials)`, `120 children (70 boys, 50 girls)`.
    Another unit is a sample size of its own: `212 knees (198 patients)`, `299 patients
    (from 9 studies)`."""
    paren = _open_paren(ctx, q.start)
    if paren is None:
        return False
    head = ctx.before(paren, 60).rstrip()
    # `184 patients were included (102 women and 82 men)`: the verb after the total
    verb = re.search(r"\s+(?:were|was|had\s+been)\s+(?:\w+ly\s+)?(\w+)$", head)
    if verb and ctx.vocab.cues_in(verb.group(1), "enrol"):
        head = head[: verb.start()]
    outer = [t for t in ctx.vocab.count_nouns_in(head) if t.end == len(head)]
    if not outer:
        return False
    kind = outer[-1].category
    return noun.category == kind or (noun.category == "sex" and kind == "person")


def _event_before(ctx: SentenceContext, q: Quantity) -> bool:
    """`revision was required in two patients`, `infection occurred in 3 patients`: the
    patients are those with the event (a count), not the study's population."""
    before = ctx.before(q.start, 80)
    m = _IN_BEFORE.search(before)
    if not m:
        return False
    head = before[: m.start()].rstrip()
    # only a verb decides: `an RCT of ablation for atrial fibrillation in 300 patients`
    # names a condition before `in`, and those patients are the study's
    # `persisted at one-year follow-up in two patients`: a time between verb and `in`
    bare = re.sub(r"\s+(?:at|after|by|during|beyond)\s+(?:[\w\-]+\s*){1,4}$", "", head)
    if any(t.end in (len(head), len(bare)) for t in ctx.vocab.cues_in(bare, "outcome")):
        return True
    # ... or an event that is the clause's subject: `and peroneal nerve palsy in 2
    # patients`, `Wound dehiscence was managed conservatively in one patient`
    # (`Mortality was 8% in the 412 patients who ...`: the event has its own number, and
    # `the` patients are the population it was measured in)
    clause = re.split(r"[,;:]|\b(?:and|but|while|whereas)\b", head)[-1]
    subject = re.sub(r"^\s*(?:(?:the|a|an|one|each)\s+)?", "", clause)
    events = ctx.vocab.complications_in(subject)
    if not events or re.search(r"\d", subject) or re.search(r"\bthe\s+$", m.group()):
        return False
    return len(subject[: events[0].start].split()) <= 2


def _event_in_clause(ctx: SentenceContext, pos: int, verbs: bool = False) -> bool:
    """An event named in the clause after `pos` (`where implant loosening occurred`), with
    no number of its own (`in whom 3 infections occurred` counts a subset of them)."""
    clause = re.split(r"[;,]", ctx.after(pos, 80), maxsplit=1)[0]
    if any(pos <= v.start < pos + len(clause) for v in ctx.values):
        return False
    verb = verbs and bool(ctx.vocab.cues_in(clause, "outcome"))
    return bool(ctx.vocab.complications_in(clause)) or verb


def _outcome_follows(ctx: SentenceContext, noun: Term) -> bool:
    """`39 patients reported ...`: an outcome verb within three words after the noun."""
    words = ctx.after(noun.end, 30).split()[:2]
    first = ctx.vocab.cues_in(" ".join(words), "outcome")
    return bool(first) and first[0].start == 0 and not ctx.vocab.cues_in(words[0], "enrol")


def _relative_group(ctx: SentenceContext, noun: Term) -> str | None:
    """`299 patients (from 9 studies) who had minimally invasive SI joint fusion`: the
    relative clause names the arm or subgroup the number belongs to."""
    if noun.category not in ("person", "sex"):
        return None
    m = _RELATIVE_GROUP.match(ctx.after(noun.end, 120))
    if not m:
        return None
    name = m.group("name")
    end = _NAME_END.search(name)
    name = name[: end.start()] if end else name
    name = re.sub(r"\s+(?:group|arm)s?\s*$", "", name.strip(" .,"), flags=re.IGNORECASE)
    words = name.split()
    if not words or len(words) > 8 or re.search(r"\d", name):
        return None
    if ctx.vocab.complications_in(name) or ctx.vocab.instruments_in(name):
        return None  # `who had SI joint pain`, `who had a VAS of ...`: a condition, not an arm
    return name


def _size_lists(ctx: SentenceContext) -> list[Evidence]:
    """`148 and 151 hips`: every number of a list takes the noun after the last one, and
    `respectively` pairs them with the arms named before or after."""
    rows: list[Evidence] = []
    values = [q for q in ctx.values if plain_count(ctx, q)]
    i = 0
    while i < len(values):
        run = [values[i]]
        while i + len(run) < len(values):
            nxt = values[i + len(run)]
            if not _LIST_GAP.fullmatch(ctx.span(run[-1].end, nxt.start)):
                break
            run.append(nxt)
        i += len(run)
        noun = count_noun_after(ctx, run[-1]) if len(run) > 1 else None
        if noun is None or re.search(r"\bbetween\s*$", ctx.before(run[0].start, 20)):
            continue
        if not all(_is_size(ctx, q, noun) for q in (run[0], run[-1])):
            continue
        names = _paired_arms(ctx, run, noun)
        for j, q in enumerate(run):
            rows.append(_row(ctx, q, noun, names[j] if names else None, "sample_size.count_list"))
    return rows


def _paired_arms(ctx: SentenceContext, run: list[Quantity], noun: Term) -> list[str] | None:
    """Arm names a `respectively` pairs with the list: `The cemented and uncemented groups
    comprised ...` before it, or `... allocated to X and Y, respectively` after it."""
    rest = ctx.span(noun.end, ctx.sentence.end)
    tail = re.split(r";", rest, maxsplit=1)[0]
    if not re.search(r"\brespectively\b", tail, re.IGNORECASE):
        return None
    left = ctx.group_left(run[0])
    if left and len(left[2]) == len(run):
        return left[2]
    m = re.search(
        r"\b(?:to|into|in|with|received|underwent)\s+(?:the\s+)?(?P<names>[^;()]+?),?\s+"
        r"respectively",
        tail,
        re.IGNORECASE,
    )
    if not m:
        return None
    names = [n.strip() for n in _LIST_GAP.split(m.group("names")) if n.strip()]
    names = [re.sub(r"\s+(?:group|arm)s?$", "", n, flags=re.IGNORECASE) for n in names]
    return names if len(names) == len(run) else None


def _enrolled_without_noun(ctx: SentenceContext) -> list[Evidence]:
    """`Of 530 patients screened, 388 were randomly assigned, of whom 371 were included`:
    a bare number enrolled by a verb counts the unit the sentence already named."""
    rows: list[Evidence] = []
    for q in ctx.values:
        if not plain_count(ctx, q) or q.unit or count_noun_after(ctx, q):
            continue
        tail = ctx.after(q.end, 60)
        verb = _BARE_ENROL.match(tail)
        if not verb:
            continue
        cues = ctx.vocab.cues_in(tail[verb.end() :], "enrol")
        if not cues or cues[0].start != 0 or _event_in_clause(ctx, q.end + verb.end()):
            continue
        if _NOT_SIZE_BEFORE.search(ctx.before(q.start, 30)) or _after_count_of(ctx, q):
            continue
        if re.search(r"\d\s*(?:or|to|-|–)\s*$", ctx.before(q.start, 12)):
            continue  # `a Karnofsky score of 80 or 90 were randomised`: a criterion's values
        named = ctx.vocab.count_nouns_in(ctx.span(ctx.sentence.start, q.start))
        arm = arm_after(ctx, q.end)
        if not named and arm is None:
            continue  # (`Of these, 96 were assigned to A`: an arm says people were counted)
        rows.append(
            ctx.evidence(
                "sample_size",
                q,
                "sample_size.enrolled",
                measure=named[-1].canonical if named else "patients",
                measure_text=None,
                group_name=arm,
                statistic="n",
                count=None,
                unit=None,
            )
        )
    return rows
