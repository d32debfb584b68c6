"""Arm and population sizes written `(n = N)`: which arm, or which analysed population.

`(n=102)` is a sample size only when the words before it name something that has
members: an arm (`comparing X (n=102) with Y (NSM, n=46)`, `randomised to pregabalin (n =
64) or placebo (n = 61)`, `in the arthroscopy group (n=45)`), people (`those who crossed
over (n=35)`) or an analysed population (`the per-protocol population (N = 96)`). After
an event (`wound infection (n=3)`, `too short (n=30)`) the same brackets hold an event
count, which the complications matcher reads.
"""

from __future__ import annotations

import re

from extractor.matchers.context import SentenceContext
from extractor.types import Evidence
from extractor.vocab import Term

_NP_BOUNDARY = re.compile(
    r"(?:[,;:()\[\]]|\b(?:comparing|compared with|compared to|compared|with|versus|vs\.?|and|"
    r"or|between|in|for|of|among|to|including|included)\b)",
    re.IGNORECASE,
)
_NP_STRIP_HEAD = re.compile(
    r"^(?:(?:those|patients|participants|subjects|individuals)\s+(?:who\s+)?(?:had\s+|underwent\s+|"
    r"received\s+)?|the\s+|a\s+|an\s+)",
    re.IGNORECASE,
)
_PAREN_ABBREV = re.compile(r"\(\s*(?P<abbr>[A-Z][A-Za-z0-9\-]{1,10})\s*[,;]\s*$")
# words that introduce an arm: `comparing X`, `versus X`, `randomised to X`
_ARM_LEAD = (
    r"\b(?:comparing|compared|with|versus|vs\.?|"
    r"(?:randomi[sz]ed|randomly\s+assigned|assigned|allocated)(?:\s+\w+ly)?"
    # an allocation ratio between: `randomised 2:1 to`, `allocated in a 1:1 ratio to`
    r"(?:\s*,?\s+(?:in\s+a\s+)?\d+\s*:\s*\d+(?:\s+ratio)?,?)?\s+to)\s+"
)
_SUMMARY_STATISTIC = re.compile(
    r"\b(?:(?:mean|median)\s*(?:±|\+/-|\(|\[|,)?\s*(?:SD|SEM?|IQR|range|95%\s*CI)|"
    r"n\s*\(\s*%\s*\))[)\]]?\s*[(\[]?\s*$",
    re.IGNORECASE,
)
_NOT_GROUP_WORDS = {"all", "except", "one", "the", "a", "an", "total"}


def n_equals_rows(ctx: SentenceContext) -> list[Evidence]:
    """`(n=102)` after an arm's name; `(NSM, n=46)` with its abbreviation."""
    rows: list[Evidence] = []
    for q in ctx.values:
        if not q.n_equals or ctx.is_claimed(q) or q.denominator is not None:
            continue
        before = ctx.before(q.start, 90)
        abbrev = _PAREN_ABBREV.search(before)
        head = before[: abbrev.start()] if abbrev else before.rstrip(" ([")
        if not abbrev and not re.search(r"[(\[]\s*$", before):
            if not re.search(r"(?:^|[\s,;])$", before):
                continue
        phrase = _noun_phrase(head)
        nouns = [n for n in ctx.vocab.count_nouns_in(phrase) if n.category in ("person", "study")]
        group_cue = ctx.vocab.cues_in(phrase, "group_noun")
        population = bool(ctx.vocab.cues_in(phrase, "population")) and not group_cue
        armish = bool(abbrev or nouns or group_cue or population) or re.match(
            r"^(?:those|patients|participants)\b", phrase, re.IGNORECASE
        )
        event_context = bool(ctx.vocab.complications_in(phrase)) and not (nouns or group_cue)
        # `Table 2. Outcomes, mean ± SD (n = 187)`: after the statistic a caption's values
        # are summarised with, N is the population its rows describe
        population = population or bool(_SUMMARY_STATISTIC.search(head))
        armish = armish or population
        if event_context or not (armish or _introduced_as_arm(head, phrase, bool(rows))):
            continue
        measure = _measure(ctx, head, phrase, nouns, population)
        group = None if population else _group_name(phrase, bool(nouns), ctx)
        if group:
            ctx.arms.append(group)
        rows.append(
            ctx.evidence(
                "sample_size",
                q,
                "sample_size.n_equals",
                measure=measure,
                measure_text=phrase or None,
                group_name=group,
                statistic="n",
                count=None,
                unit=None,
            )
        )
    return rows


def _introduced_as_arm(head: str, phrase: str, after_arm: bool) -> bool:
    """`compared with X (n=..)`, `randomised to X (n=..)`; `or Y (n=..)` after another arm."""
    if not phrase:
        return False
    tail = re.escape(phrase) + r"\s*$"
    if re.search(_ARM_LEAD + tail, head, re.IGNORECASE):
        return True
    after_previous = r"[)\]]\s*(?:,\s*(?:and\s+|or\s+)?|(?:and|or)\s+)"
    return after_arm and bool(re.search(after_previous + tail, head, re.IGNORECASE))


def _measure(
    ctx: SentenceContext, head: str, phrase: str, nouns: list[Term], population: bool
) -> str:
    """What the N counts: the person or study noun of the phrase, else patients. A study
    noun that already has its own number (`16 RCTs (n = 2,345)`) or only qualifies a
    population (`the study sample (N = 1,200)`) leaves the N to count participants."""
    people = [n for n in nouns if n.category == "person"]
    if people:
        return people[-1].canonical
    if not nouns or population:
        return "patients"
    last = nouns[-1]
    number = rf"(?:\d[\d,]*|{ctx.vocab.number_words.pattern})"
    counted = rf"{number}\s+(?:[\w\-]+\s+){{0,2}}{re.escape(last.text)}\W*$"
    return "patients" if re.search(counted, head, re.IGNORECASE) else last.canonical


def _noun_phrase(text: str) -> str:
    """The words before a parenthesis back to a boundary word or punctuation (max 8)."""
    text = text.rstrip(" ([")
    cut = 0
    for m in _NP_BOUNDARY.finditer(text):
        if m.end() < len(text):
            cut = m.end()
    words = text[cut:].split()[-8:]
    return " ".join(words).strip(" ,;")


def _group_name(phrase: str, has_count_noun: bool, ctx: SentenceContext) -> str | None:
    name = _NP_STRIP_HEAD.sub("", phrase).strip()
    name = re.sub(r"\s+(?:group|arm|cohort)s?$", "", name, flags=re.IGNORECASE).strip()
    if not name:
        return None
    rest = [w for w in name.split() if not ctx.vocab.count_nouns_in(w)]
    rest = [w for w in rest if w.lower() not in _NOT_GROUP_WORDS]
    if not rest:
        return None
    if has_count_noun and ctx.vocab.count_nouns_in(name.split()[-1]) and "who" not in phrase:
        return None
    return name
