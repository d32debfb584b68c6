"""Sample sizes: how many units a study, arm or analysed population has.

Two constructions carry almost all of them: a number followed by a count noun from
`patterns/count_nouns.tsv` (`148 patients`, `Eleven studies`, `1,181 sacroiliac joint
fusions`) and `n = N` after an arm's name (`comparing X (n=102) with Y (NSM, n=46)`). A
count of patients *with an outcome* (`39 patients reported pain relief`, `7 patients
(24.1%)`) is a proportion, not a sample size (conventions rule 4), and `54 patients (41
women, 13 men)` is one sample size plus two proportions of it.
"""

from __future__ import annotations

import re

from extractor.matchers.context import SentenceContext
from extractor.quantities import Quantity
from extractor.types import Evidence
from extractor.vocab import Term

_BETWEEN_WORD = re.compile(r"[A-Za-z][\w\-]*")
_NOT_BETWEEN = {"of", "with", "in", "who", "were", "was", "and", "or", "to", "from", "had", "per"}
_NOT_SIZE_BEFORE = re.compile(
    r"\b(?:mean|median|average|maximum|minimum|max|min)\s+(?:of\s+)?$"
    r"|\bof\s+(?:these|the|those)\s*$|\b(?:but|except)\s*$",
    re.IGNORECASE,
)
_NP_BOUNDARY = re.compile(
    r"(?:[,;:(\[]|\b(?:comparing|compared with|compared to|compared|with|versus|vs\.?|and|"
    r"between|in|for|of|among|to|including|included)\b)",
    re.IGNORECASE,
)
_NP_STRIP_HEAD = re.compile(
    r"^(?:(?:those|patients|participants|subjects|individuals)\s+(?:who\s+)?(?:had\s+|underwent\s+|"
    r"received\s+)?|the\s+|a\s+|an\s+)",
    re.IGNORECASE,
)
_PAREN_ABBREV = re.compile(r"\(\s*(?P<abbr>[A-Z][A-Za-z0-9\-]{1,10})\s*[,;]\s*$")


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
        return term
    return None


def find_sample_sizes(ctx: SentenceContext) -> list[Evidence]:
    rows: list[Evidence] = []
    rows += _n_equals(ctx)
    for q in ctx.values:
        if ctx.is_claimed(q) or q.n_equals or q.is_percent or q.value is None:
            continue
        if q.value != int(q.value) or q.value <= 0 or q.year_like or q.compound:
            continue
        if q.relation in (">", ">=", "<", "<="):
            continue
        noun = count_noun_after(ctx, q)
        if noun is None or noun.category == "sex" and _inside_breakdown(ctx, q):
            continue
        if q.denominator is not None or q.count is not None:
            continue  # `27 of 28 patients`, `7 (24.1%) patients`: proportions
        if _NOT_SIZE_BEFORE.search(ctx.before(q.start, 30)):
            continue
        after_noun = ctx.after(noun.end, 40)
        if re.match(r"^\s*of\b", after_noun):
            continue  # `two cases of implant loosening`
        if re.match(r"^\s*\(\s*\d+(?:[.,]\d+)?\s*%", after_noun) or _outcome_follows(ctx, noun):
            continue  # a count with an outcome: proportions decide
        rows.append(
            ctx.evidence(
                "sample_size",
                q,
                "sample_size.count_noun",
                char_end=noun.end,
                measure=noun.canonical,
                measure_text=noun.text,
                statistic="n",
                count=None,
                unit=None,
            )
        )
    return rows


def _outcome_follows(ctx: SentenceContext, noun: Term) -> bool:
    """`39 patients reported ...`: an outcome verb within three words after the noun."""
    words = ctx.after(noun.end, 30).split()[:2]
    first = ctx.vocab.cues_in(" ".join(words), "outcome")
    return bool(first) and first[0].start == 0 and not ctx.vocab.cues_in(words[0], "enrol")


def _inside_breakdown(ctx: SentenceContext, q: Quantity) -> bool:
    before = ctx.before(q.start, 40)
    return before.rfind("(") > before.rfind(")")


def _n_equals(ctx: SentenceContext) -> list[Evidence]:
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
        armish = bool(abbrev or nouns or group_cue) or re.match(
            r"^(?:those|patients|participants)\b", phrase, re.IGNORECASE
        )
        preceded = (
            re.search(
                r"\b(?:comparing|compared|with|versus|vs\.?)\s+" + re.escape(phrase) + r"\s*$",
                head,
                re.IGNORECASE,
            )
            if phrase
            else None
        )
        event_context = bool(ctx.vocab.complications_in(phrase)) and not (nouns or group_cue)
        if event_context or not (armish or preceded):
            continue
        people = [n for n in nouns if n.category in ("person", "study")]
        measure = people[-1].canonical if people else "patients"
        group = _group_name(phrase, bool(people), ctx)
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
    rest = [w for w in rest if w.lower() not in {"all", "except", "one", "the", "a", "an", "total"}]
    if not rest:
        return None
    if has_count_noun and ctx.vocab.count_nouns_in(name.split()[-1]) and "who" not in phrase:
        return None
    return name
