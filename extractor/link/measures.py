"""What a value measures: a vocabulary term when one is near, else the words before it.

`measure` is the canonical name from `patterns/` when a term of the right vocabulary for
the row's kind stands in the value's clause (an instrument for a score or change, an event
for a complication, a counted unit for a sample size, an effect type for an effect);
otherwise it stays NULL and `measure_text` is the outcome's noun phrase as written, read
leftwards from the value over the function words of `patterns/rules/lists.yml`
(`total blood loss, 576 ± 53 mL` → `total blood loss`; `duration of analgesia in the
bupivacaine group (508.92 ± 63.30 minutes)` → `duration of analgesia`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from extractor.link.view import SentenceView

VOCABULARY_OF_KIND = {
    "score": "instrument",
    "change": "instrument",
    "complication": "event",
    "sample_size": "count_noun",
    "effect": "effect",
}
NEAR_UNIT = 4  # tokens between a size and the unit it counts
PHRASE_WORDS = 6  # longest measure phrase taken from the text
SEARCH_TOKENS = 25  # how far left of a value its phrase is looked for


def term_for(
    view: SentenceView,
    token: int,
    kind: str,
    avoid: set[int],
    joins: frozenset[str] = frozenset(),
    count: bool = False,
):
    """The nearest term of the kind's vocabulary: before the value in its clause, else
    after it in its clause, else anywhere in the sentence; None when there is none. A
    `count` of events takes the term written right after it first (`70 cancer deaths and
    149 total deaths`: 149 counts deaths, not the term before it)."""
    label = VOCABULARY_OF_KIND.get(kind)
    if label is None:
        return None
    terms = [view.token(i) for i in view.terms(label) if i not in avoid]
    if count:
        own = [
            t
            for t in terms
            if token < t.i <= token + NEAR_UNIT
            and view.same_clause(t.i, token)
            and not value_between(view, token, t.i)
            and _words_between(view, token, t.i, joins)
            and not any("count_noun" in view.feat(k).labels() for k in range(token + 1, t.i))
        ]  # `two patients where implant loosening occurred`: the count is of patients
        if own:
            return own[0]
    if kind == "sample_size":  # a size counts the unit written with it, not one far off
        terms = [
            t
            for t in terms
            if abs(t.i - token) <= NEAR_UNIT
            and not value_between(view, token, t.i)
            and (t.i < token or _words_between(view, token, t.i, joins))
        ]  # `(n=299 in 9 studies)`: `studies` is what 9 counts, not 299; `(n = 1043) and
        # historical controls`: the controls are another group
    if not terms:
        return None
    same = [t for t in terms if view.same_clause(t.i, token)]
    if kind == "sample_size":  # `The study included 72 women`: a size's unit follows it,
        # words only between (`(n = 1043) and historical controls` counts no controls)
        after = [t for t in same if t.i > token]
        if after:
            return after[0]
    before = [t for t in same if t.i < token]
    if before:
        return before[-1]
    after = [t for t in same if t.i > token]
    if after:
        return after[0]
    before_all = [t for t in terms if t.i < token]
    return before_all[-1] if before_all else terms[0]


def term_of_next_value(view: SentenceView, term: int, last: int, joins: frozenset[str]) -> bool:
    """`liver dysfunction in 53.1% cases and edema in 24.5% cases`: a term after a value
    that leads a value of its own (within NEAR_UNIT tokens, no value, time or joining word
    such as `and` between) names that later value, not this one."""
    if term <= last:
        return False
    for i in range(term + 1, min(view.end, term + 1 + NEAR_UNIT)):
        feature = view.feat(i)
        if feature.lower in joins:
            return False
        if feature.is_stat:
            return feature.unit_dim != "time" and view.same_clause(term, i)
    return False


def _words_between(view: SentenceView, a: int, b: int, joins: frozenset[str]) -> bool:
    """Whether only words, none of them joining words, stand strictly between a and b."""
    return all(
        not view.token(i).is_punct and view.feat(i).lower not in joins for i in range(a + 1, b)
    )


def value_between(view: SentenceView, a: int, b: int) -> bool:
    """Whether another statistic stands strictly between tokens a and b."""
    low, high = min(a, b), max(a, b)
    return any(view.feat(i).is_stat for i in range(low + 1, high))


def phrase_before(view: SentenceView, token: int, function_words: frozenset[str], skip: set[int]):
    """The noun phrase that names the value's outcome, as (start, end) Doc tokens."""
    i = token - 1
    lowest = max(view.start, token - SEARCH_TOKENS)
    while i >= lowest and _skippable(view, i, function_words, skip):
        i -= 1
    if i < lowest or view.feat(i).is_stat:
        return None
    end = i + 1
    words = 0
    crossed_of = False
    while i >= lowest and words < PHRASE_WORDS:
        token_i = view.token(i)
        lower = token_i.lower_
        if (
            lower == "of"
            and not crossed_of
            and i - 1 >= lowest
            and _content(view, i - 1, function_words, skip)
        ):
            crossed_of = True
            i -= 1
            continue
        if not _content(view, i, function_words, skip):
            break
        words += 1
        i -= 1
    start = i + 1
    while (
        view.start < start < end
        and view.token(start - 1).text in ("-", "–")
        and view.char_end(start - 1) == view.char_start(start)
    ):
        start += 1  # `grade III-IV toxic reaction`: `IV` ends a range of grades
    if start >= end:
        return None
    return start, end


def _content(view: SentenceView, i: int, function_words: frozenset[str], skip: set[int]) -> bool:
    token = view.token(i)
    feature = view.feat(i)
    if i in skip or feature.is_stat or token.is_punct and token.text not in ("-", "/"):
        return False
    if feature.vocab in ("instrument", "event", "effect"):
        return True
    if token.text[:1] in "-–":  # `grade III-IV toxicity`: the end of a range, no word
        return False
    return (
        token.is_alpha or "-" in token.text or _letters_then_digits(token.text)
    ) and token.lower_ not in function_words


def _letters_then_digits(text: str) -> bool:
    """`FEV1`, `HbA1c`, `CD4`, `Ki67`: a name that starts with a letter and has digits
    in it, not a number (`12th`, `3rd` start with a digit) nor a visit label (`T1`)."""
    return (
        text[:1].isalpha()
        and text.isalnum()
        and any(c.isdigit() for c in text)
        and sum(c.isalpha() for c in text) >= 2
    )


def _skippable(view: SentenceView, i: int, function_words: frozenset[str], skip: set[int]) -> bool:
    token = view.token(i)
    feature = view.feat(i)
    if i in skip or feature.vocab == "timepoint":
        return True
    if feature.is_stat:
        return False
    return (
        token.is_punct
        or token.lower_ in function_words
        or not (token.is_alpha or _letters_then_digits(token.text))
    )


@dataclass(frozen=True)
class Naming:
    """What a `measure` rule says a value counts: a canonical name and the words."""

    measure: str
    text: str
    priority: int


def namings(view: SentenceView, name_of: Callable[[str, str], str | None]) -> dict[int, Naming]:
    """The outcome `measure` rules name for the values in their `value` slot, by token:
    the rule's `names`, else the vocabulary's name for the qualifier and the measure
    together (`Hypoglycaemia ... was severe in 9` -> `severe hypoglycaemia`; a pair the
    vocabulary does not know names nothing), else the vocabulary's name of the measure
    term itself (`Revisions were done ... for pain (n=6)` -> `revision`).
    `name_of(text, label)` looks a phrase up."""
    found: dict[int, Naming] = {}
    for m in view.of_action("measure"):
        measure = m.slot("measure")
        text = view.text_of(measure[0], measure[-1] + 1)
        name = m.rule.names
        qualifier = m.slot("qualifier")
        label = view.feat(measure[0]).vocab or "event"
        if name is None and qualifier:
            name = name_of(f"{view.text_of(qualifier[0], qualifier[-1] + 1)} {text}", label)
        elif name is None and view.feat(measure[0]).vocab:
            name = view.feat(measure[0]).canonical_as(label)
        if not name:
            continue
        for i in m.slot("value"):
            current = found.get(i)
            if current is None or m.rule.priority > current.priority:
                found[i] = Naming(name, text, m.rule.priority)
    return found
