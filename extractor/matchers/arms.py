"""The arms of a trial as a sentence and its paragraph name them, in order.

RCT reports name an arm in several ways besides `in the X group`: after the value with
an introducer (`6.9 points with drug A and 4.1 points with placebo`, `38 patients (7.6%)
receiving A and 29 (5.8%) receiving B`), before a bracketed value (`more frequent with A
(4.2%) than with placebo (1.8%)`), or once in the paragraph (`501 were assigned to A and
502 to placebo`) and then only by order (`... in 32 (6.4%) and 27 (5.4%), respectively`).

The introducer words are data (`arm_lead` in `patterns/cues.tsv`). Because `with X`
also names conditions (`patients with diabetes`), a name after an introducer is an arm
only when the paragraph already declared it as one (a randomisation `were randomly
assigned to A, B or C`, `501 were assigned to A and 502 to B`, `A versus B`, `X group`,
`(n = N)`) or when the sentence contrasts two such mentions next to values (`6.9 points
with A and 4.1 points with B`, `with A (4.2%) than with B (1.8%)`).

The paragraph's arms are carried from sentence to sentence (`matchers/__init__.py`),
declared ones apart from only-contrasted ones, and pair values in order: a bare
`respectively` list, a `versus` pair, a bracketed pair after two compared arms (`in the A
group than in the B group (7.2% vs. 13.5%)`), and an unlabelled pair of one event at one
time (`hypotension in 4.8% and 3.4%`) unless the clause names its own pair (`Smokers and
diabetics made up 31% and 22%`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from extractor.matchers.context import SentenceContext

# a name: up to four words, none of them a word that ends it
_STOPPER = (
    r"(?:and|or|at|than|in|versus|vs|group|groups|arm|arms|with|was|were|is|are|for|to|from|"
    r"by|of|compared|whereas|while|respectively|after|during|plus|but|who|which|that|had|"
    r"patients|participants|receiving|each|both|alone|only)"
)
_WORD = rf"\b(?!{_STOPPER}\b)[A-Za-z][\w\-]*"
_NAME = rf"(?P<name>{_WORD}(?:\s+{_WORD}){{0,3}})"
_DETERMINER = re.compile(r"^(?:the|a|an|matching|matched)\s+", re.IGNORECASE)
# `randomly assigned, in a 1:1 ratio, ... to receive A (dose) or B`: the declared arms
_RANDOMISED = re.compile(
    r"\b(?:were|was|been|being|we|they|then|and)\s+(?:\w+ly\s+)?"
    r"(?:randomi[sz]ed|randomly\s+(?:assigned|allocated)|assigned|allocated)\b"
    r"(?:[^;.]{0,400}?\bto\s+(?:receive|undergo)\b|(?:\s*,?\s*in\s+a\s+[\d:]+\s+ratio,?)?"
    r"(?:\s+(?:the\s+)?(?:patients|participants|subjects|them|women|men|children))?\s+to\b)"
    r"\s+(?:either\s+)?",
    re.IGNORECASE,
)
# the arms after it: `A, B or C`, `A (dose) or matching B`; an arm may be a dose (`10 mg`)
_ITEM = rf"(?:{_WORD}|\d[\d.]*\s*(?!{_STOPPER}\b)[a-zµ][a-zµ/]*)(?:\s+(?:{_WORD}|\d[\d.]*))*?"
_ARM_LIST = re.compile(
    rf"(?P<items>{_ITEM}(?:\s*\([^()]*\))?(?:\s*,\s*{_ITEM}(?:\s*\([^()]*\))?)*)"
    rf",?\s+(?:or|and|versus|vs\.?)\s+(?:to\s+)?(?:receive\s+)?(?P<last>{_ITEM})"
    r"(?=\s*(?:[,;.(]|$)|\s+(?:in\s+addition|plus|for|during|at|and|with|who|which)\b)",
    re.IGNORECASE,
)
# `the comparison of A versus B`, `A vs. B`: two treatments contrasted by name
_VERSUS = re.compile(
    rf"(?P<first>{_WORD}(?:\s+{_WORD}){{0,3}})\s+(?:versus|vs\.?)\s+(?:the\s+)?"
    rf"(?P<second>{_WORD}(?:\s+{_WORD}){{0,3}})",
    re.IGNORECASE,
)
# `501 were assigned to A and 502 to B`: each number's arm
_NUMBERED = re.compile(
    r"\b\d[\d,]*\s+(?:(?:were|was)\s+(?:\w+ly\s+)?(?:randomi[sz]ed|assigned|allocated)\s+)?"
    rf"to\s+(?:receive\s+)?(?:the\s+)?{_NAME}",
    re.IGNORECASE,
)


def clean(name: str) -> str:
    """`the matching placebo` -> `placebo`; a trailing group noun goes too."""
    name = _DETERMINER.sub("", name.strip())
    name = _DETERMINER.sub("", name)
    return re.sub(r"\s+(?:group|arm|cohort)s?$", "", name, flags=re.IGNORECASE).strip()


def same_arm(a: str, b: str) -> bool:
    """Names of one arm: equal, or one is the other's first or last words (`lorvenerone`
    and `lorvenerone 20 mg`; `block` and `adductor canal block`)."""
    x, y = a.lower().split(), b.lower().split()
    if not x or not y:
        return False
    short, long = (x, y) if len(x) <= len(y) else (y, x)
    if long[: len(short)] == short or long[-len(short) :] == short:
        return True
    # `PRP` for `platelet-rich plasma`: an abbreviation of the other's initials
    for abbrev, full in ((a, b), (b, a)):
        initials = "".join(w[0] for w in re.split(r"[\s\-]+", full) if w)
        if len(abbrev) > 1 and abbrev.isupper() and abbrev.lower() == initials.lower():
            return True
    return False


def _add(found: list[str], name: str) -> None:
    name = clean(name)
    if name and not any(same_arm(name, f) for f in found):
        found.append(name)


def merge(first: list[str], then: list[str]) -> list[str]:
    """`first` followed by the names of `then` that are not already in it."""
    found = list(first)
    for name in then:
        _add(found, name)
    return found


def declared_arms(ctx: SentenceContext) -> tuple[list[str], list[str]]:
    """Arms this sentence declares (randomisation, `X group`, `(n = N)`), and names it
    only contrasts (`with A ... than with B`), each in order of first mention. Contrasted
    names are weaker evidence (`with diabetes and with hypertension`): they pair values in
    order only where the paragraph declared no arms."""
    found: list[str] = []
    text = ctx.sentence.text
    for m in _RANDOMISED.finditer(text):
        listed = _ARM_LIST.match(text, m.end())
        if listed:
            items = re.sub(r"\s*\([^()]*\)", "", listed.group("items"))
            for name in [*re.split(r"\s*,\s*", items), listed.group("last")]:
                if len(name.split()) <= 4:
                    _add(found, name)
    for m in _VERSUS.finditer(text):
        pair = [m.group("first"), m.group("second")]
        if not any(_is_measure(ctx, name) for name in pair):
            _add(found, pair[0])
            _add(found, pair[1])
    numbered = list(_NUMBERED.finditer(text))
    if len(numbered) > 1:
        for m in numbered:
            _add(found, m.group("name"))
    for _start, _end, names in ctx._groups:
        for name in names:
            _add(found, name)
    for name in ctx.arms:
        _add(found, name)
    contrasted: list[str] = []
    by_lead: dict[str, list[str]] = {}
    for lead, end, name in lead_mentions(ctx):
        if _next_to_value(ctx, lead, end):
            # `among patients receiving A ... among those receiving B`: one introducer
            word = ctx.span(lead, end)[: -len(name)].split()[-1].lower()
            by_lead.setdefault(word, []).append(name)
    for names in by_lead.values():
        if len({n.lower() for n in names}) > 1:
            for name in names:
                _add(contrasted, name)
    return found, contrasted


def _next_to_value(ctx: SentenceContext, lead: int, end: int) -> bool:
    """A mention right after a value (`6.9 points with A`) or right before a bracketed one
    (`with A (4.2%)`): how a contrast of arms is written, unlike `with higher scores`."""
    if re.match(r"\s*[(\[]\s*[\d.]", ctx.after(end, 8)):
        return True
    opening = ctx.span(ctx.sentence.start, lead)
    if (not opening.strip() or opening.rstrip().endswith(";")) and ctx.after(end, 3).startswith(
        ","
    ):
        return True  # `Among patients receiving A, 19 (12%) ...`
    before = [v for v in ctx.values if v.end <= lead]
    return bool(before) and bool(_AFTER_VALUE.fullmatch(ctx.span(before[-1].end, lead)))


def _is_measure(ctx: SentenceContext, name: str) -> bool:
    """A name that is an instrument, an event, a time or a counted unit is no arm."""
    vocab = ctx.vocab
    if vocab.instruments_in(name) or vocab.complications_in(name) or vocab.timepoints_in(name):
        return True
    return bool(vocab.count_nouns_in(name.split()[-1]))


def lead_mentions(ctx: SentenceContext) -> list[tuple[int, int, str]]:
    """Every `with X`, `receiving X`, ... of the sentence (absolute start of the lead,
    end of the name, cleaned name), whether or not X is an arm."""
    pattern = ctx.vocab.cue_pattern(r"\b{arm_lead}\s+(?:the\s+|matching\s+)?" + _NAME)
    base = ctx.sentence.start
    found = []
    for m in pattern.finditer(ctx.sentence.text):
        name = clean(m.group("name"))
        if not name or ctx.vocab.count_nouns_in(name.split()[0]):
            continue
        if ctx.vocab.instruments_in(name) or ctx.vocab.complications_in(name):
            continue  # `on the VAS`, `with wound infection`: a measure or an event
        if ctx.vocab.timepoints_in(name):
            continue
        found.append((base + m.start(), base + m.end("name"), name))
    return found


def known(ctx: SentenceContext, name: str) -> str | None:
    """The arm of the paragraph `name` refers to, if it is one (callers report the name
    as this sentence writes it: `group_name` is as written)."""
    for arm in [*ctx.declared_arms, *ctx.contrasted_arms]:
        if same_arm(name, arm):
            return arm
    return None


# what may stand between a value and its arm: its brackets, its unit or counted noun
_AFTER_VALUE = re.compile(
    r"[)\]]?(?:\s*[(\[][^()\[\]]*[)\]])*\s*(?:(?:points?|patients|participants|%|months?|days?|"
    r"weeks?|years?|percentage\s+points)\b\s*)?(?:[(\[][^()\[\]]*[)\]]\s*)?,?\s*"
    r"(?P<time>(?:at|after|by)\s+[\w\-]+(?:\s+[\w\-]+)?\s+)?",
    re.IGNORECASE,
)


def arm_after(ctx: SentenceContext, q_end: int) -> str | None:
    """`6.9 points (95% CI ...) with A`, `29 (5.8%) receiving B`: a known arm introduced
    right after the value (its brackets and unit in between)."""
    found = arm_mention_after(ctx, q_end)
    return found[1] if found else None


def arm_mention_after(ctx: SentenceContext, q_end: int) -> tuple[int, str] | None:
    """Like `arm_after`, with the absolute end of the arm's name."""
    gap = _AFTER_VALUE.match(ctx.after(q_end, 150))
    start = q_end + (gap.end() if gap else 0)
    for lead, end, name in lead_mentions(ctx):
        if lead == start:
            return (end, name) if known(ctx, name) else None
    if gap and gap.group("time"):
        return _after_arm(ctx, q_end + gap.start("time"))
    return None


_AFTER_ARM = re.compile(rf"after\s+(?:the\s+)?{_NAME}", re.IGNORECASE)


def _after_arm(ctx: SentenceContext, pos: int) -> tuple[int, str] | None:
    """`2 days (IQR 1-3) after open and 4 days after laparoscopic repair`: `after` before
    a declared arm's name (not a time: `after surgery` is in timepoints) is that arm."""
    m = _AFTER_ARM.match(ctx.after(pos, 80))
    if not m or ctx.vocab.timepoints_in(m.group(0)):
        return None
    name = clean(m.group("name"))
    arm = known(ctx, name) or known(ctx, name.split()[0])
    return (
        (pos + m.end("name"), name.split()[0] if arm and not known(ctx, name) else name)
        if arm
        else None
    )


def arm_before_bracket(ctx: SentenceContext, q_start: int) -> str | None:
    """`more frequent with A (4.2%)`: the value in brackets right after a known arm."""
    for _start, end, name in lead_mentions(ctx):
        if end <= q_start and re.fullmatch(r"\s*[(\[]\s*", ctx.span(end, q_start)):
            return name if known(ctx, name) else None
    return None


def arm_opening(ctx: SentenceContext, q_start: int) -> str | None:
    """`Among patients receiving A, 12 (8%) reported ...`: a known arm opening the clause
    (at the sentence start or after `;`, closed by a comma) is the arm of its values up to
    the next arm mention."""
    mentions = lead_mentions(ctx)
    before = [m for m in mentions if m[1] <= q_start]
    if not before:
        return None
    lead, end, name = before[-1]
    opening = ctx.span(ctx.sentence.start, lead)
    if opening.strip() and not re.search(r";\s*$", opening):
        return None
    if not re.match(r"\s*,", ctx.span(end, q_start)) or ";" in ctx.span(end, q_start):
        return None
    return name if known(ctx, name) else None


_PAIR_JOIN = re.compile(r"\s*(?:,|;|,?\s*and|,?\s*versus|,?\s*vs\.?|/)\s*", re.IGNORECASE)


def bracket_pair_arm(ctx: SentenceContext, q_start: int) -> str | None:
    """`less frequently in the A group than in the B group (9.5% vs. 16.1%)`: the values
    of a bracketed pair after two compared arms take those arms in order."""
    head = ctx.span(ctx.sentence.start, q_start)
    opening = head.rfind("(")
    if opening < 0 or ")" in head[opening:]:
        return None
    start = ctx.sentence.start + opening
    close = ctx.sentence.text.find(")", opening)
    end = ctx.sentence.start + close if close >= 0 else ctx.sentence.end
    inside = [v for v in ctx.values if start < v.start and v.end <= end]
    if len(inside) < 2 or not all(
        _PAIR_JOIN.fullmatch(ctx.span(a.end, b.start))
        for a, b in zip(inside, inside[1:], strict=False)
    ):
        return None
    clause = re.split(r"[;(]", ctx.span(ctx.sentence.start, start))[-1]
    if not re.search(r"\b(?:than|versus|vs\.?|compared\s+with)\b", clause, re.IGNORECASE):
        return None
    clause_start = start - len(clause)
    named: list[str] = []
    for g_start, _g_end, names in ctx._groups:
        if clause_start <= g_start < start and len(names) == 1:
            named.append(names[0])
    for lead, _end, name in lead_mentions(ctx):
        if clause_start <= lead < start and known(ctx, name):
            named.append(name)
    if len(named) != len(inside):
        return None
    index = next(i for i, v in enumerate(inside) if v.start >= q_start)
    return named[index]


def coordinated_subject(ctx: SentenceContext, pos: int) -> bool:
    """`Men and women made up 55% and 45%`: the clause before a list names as many things
    as it has values, so the list pairs with them, not with the arms (one event or
    instrument spelled with `and`, `nausea and vomiting`, is one thing)."""
    clause = re.split(r"[,;:]", ctx.span(ctx.sentence.start, pos))[-1]
    offset = pos - len(clause)
    terms = [*ctx.vocab.complications_in(clause, offset), *ctx.vocab.instruments_in(clause, offset)]
    for term in terms:
        a, b = term.start - offset, term.end - offset
        clause = clause[:a] + "x" * (b - a) + clause[b:]
    clause = re.sub(r"^\s*(?:and|or)\s+", "", clause)
    return bool(re.search(r"\b[A-Za-z][\w\-]*\s+(?:and|or)\s+[A-Za-z]", clause))


def arm_label_before(ctx: SentenceContext, q_start: int) -> str | None:
    """`Thromboembolic events: A 3/150 (2.0%); placebo 2/148 (1.4%)`: a known arm written
    as the label of the value right after it (after `:`, `;`, `,` or a bracket)."""
    head = ctx.span(ctx.sentence.start, q_start)
    m = re.search(r"(?:^|[;:,(\[])\s*(?P<name>[A-Za-z][\w\- ]{0,40}?)\s*[:,=]?\s*$", head)
    if not m:
        return None
    name = clean(m.group("name"))
    for arm in ctx.declared_arms:
        if name.lower() == arm.lower() or (same_arm(name, arm) and len(name) > 2):
            return name
    return None


_GROUP_LEAD = r"(?:in|for|among|within|with|versus|vs\.?|than|and|the|to|of)"
# `of ketamine-treated patients`, `for surgically treated patients`
_TREATED = re.compile(
    r"\b(?i:in|for|among|of)\s+(?:(?i:the)\s+)?"
    r"(?P<name>(?:[\w\-]+\s+)?[\w\-]*?(?:-treated|\s+treated))\s+"
    r"(?i:patients|participants|subjects|knees|hips)\b"
)
_NOT_TREATED_NAME = {"were", "was", "the", "all", "those", "patients"}


def other_group_forms(ctx: SentenceContext, nouns: str) -> list[tuple[int, int, list[str]]]:
    """Arms written other than `in the X group` (for `SentenceContext._find_groups`):
    `in group A`, `in arm II` (the noun first, a letter or numeral naming the arm), and an
    arm named by how its patients were treated (`of ketamine-treated patients`: the arm is
    the treatment, `-treated` goes; `for surgically treated patients`)."""
    text, base = ctx.sentence.text, ctx.sentence.start
    found: list[tuple[int, int, list[str]]] = []
    lettered = re.compile(
        rf"\b(?i:{_GROUP_LEAD})\s+(?:(?i:the)\s+)?(?P<noun>(?i:{nouns}))\s+"
        rf"(?P<name>[A-Z]|[IVX]{{1,4}})\b"
    )
    for m in lettered.finditer(text):
        found.append((base + m.start("noun"), base + m.end(), [m.group("name")]))
    for m in _TREATED.finditer(text):
        name = re.sub(r"-treated$", "", m.group("name"))
        if name.split()[0].lower() not in _NOT_TREATED_NAME:
            found.append((base + m.start("name"), base + m.end(), [name]))
    return found
