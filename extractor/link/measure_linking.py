"""Which outcome a value measures: the outcome phrase or vocabulary term before it, carried
along a list while only separators stand between items, and refused where the words name
an occasion, a change or a later item.

Split from `engine.py`, which calls `link_measure` once per reading; no English words here.
"""

from __future__ import annotations

from extractor.link.effect_outcomes import effect_outcome
from extractor.link.measures import (
    VOCABULARY_OF_KIND,
    Naming,
    phrase_before,
    term_for,
    term_of_next_value,
)
from extractor.link.readings import Reading
from extractor.link.view import SentenceView
from extractor.link.word_lists import WordLists

FAMILY = {
    "score": "continuous",
    "change": "continuous",
    "proportion": "share",
    "complication": "share",
}


WHO_IS_COUNTED = ("person", "sex")  # count_nouns.tsv categories of persons, not of body parts
UNITS_COUNTED = ("procedure", "body_part")  # ... and of what is operated on or examined


def link_measure(
    view: SentenceView,
    reading: Reading,
    skip: set[int],
    lists: WordLists,
    carried: tuple[str, str] | None,
    previous: Reading | None,
    named: dict[int, Naming] | None = None,
) -> None:
    """The outcome a value measures: what a `measure` rule names for it, its rule's
    measure slot, a vocabulary term near it, the words before it, the outcome of the value
    before it in a list (`28% of A users and 6% of B users`), else the paragraph's
    instrument."""
    named = named or {}
    naming = named.get(reading.token) or named.get(reading.last)  # a count and its percent
    if naming is not None:
        reading.measure, reading.measure_text = naming.measure, naming.text
        return
    if reading.match is not None and reading.match.slot("measure"):
        tokens = reading.match.slot("measure")
        label = VOCABULARY_OF_KIND.get(reading.kind, "")
        feature = view.feat(tokens[0])  # `a 16% reduction in knee joint load`: no knees
        named = label in feature.labels()
        reading.measure = (feature.canonical_as(label) or None) if named else None
        reading.measure_text = view.text_of(tokens[0], tokens[-1] + 1)
        if reading.kind == "effect":  # the contract: what an effect compares, not its label
            outcome = effect_outcome(view, reading, tokens, skip, lists, previous)
            reading.measure_text = outcome or reading.measure_text
        if reading.kind == "complication" and feature.category in lists.share_categories:
            reading.kind = "proportion"  # `70 breast cancer-specific deaths`: an end point
        return
    if reading.match is not None and reading.match.slot("unit") and reading.kind == "sample_size":
        unit = view.token(reading.match.slot("unit")[0])
        reading.measure, reading.measure_text = view.feat(unit.i).canonical or None, unit.text
        return
    count = (
        reading.kind in ("complication", "proportion")
        and not reading.stat.is_percent
        and reading.stat.percent is None
    )
    term = term_for(
        view, reading.token, reading.kind, skip, lists.coordinators | lists.articles, count
    )
    if term is not None and term.i > reading.last:
        own = phrase_before(view, reading.token, lists.function_words, skip)
        if own is not None and _names_bracket(view, own, reading):
            reading.measure_text = view.text_of(*own)  # `night sweats (22%`, not a term
            return  # after the value, which names a later item (`... and insomnia (15%`)
        opening = view.bracket.get(reading.token)
        if (
            previous is not None
            and opening is not None
            and view.bracket.get(previous.token) == opening
        ):
            reading.measure, reading.measure_text = previous.measure, previous.measure_text
            return  # `(22% vs. 9%)`: the second value of a bracket is the first one's item
        if _term_of_later_item(view, term.i, reading):
            term = None
        elif reading.kind != "sample_size" and term_of_next_value(
            view, term.i, reading.last, lists.coordinators
        ):
            if own is not None:
                reading.measure_text = view.text_of(*own)
                return
            term = None
    if term is not None and _stale_term(view, term.i, reading, previous):
        own = phrase_before(view, reading.token, lists.function_words, skip)
        if own is not None and _new_item(
            view, own, reading, previous, lists.coordinators | lists.articles
        ):
            reading.measure_text = view.text_of(*own)
            return
        if previous.measure_text is not None and previous.measure_text != term.text:
            term = None  # `(9.1%)` after `vaginal dryness (18.5% vs` continues that item
    if term is not None:
        label = VOCABULARY_OF_KIND[reading.kind]
        reading.measure, reading.measure_text = view.feat(term.i).canonical_as(label), term.text
        if reading.kind == "complication" and view.feat(term.i).category in lists.share_categories:
            reading.kind = "proportion"  # `a higher remission rate (31.1% vs 19.3%), at the
            # cost of more frequent nausea`: the share is of the end point it is written with
        return
    span = None
    if reading.kind in ("score", "change", "complication", "proportion"):
        span = phrase_before(view, reading.token, lists.function_words, skip)
        if span is not None and view.feat(span[1] - 1).lower in lists.group_nouns:
            span = None  # `in the 6 mg group, ... were 68.4%`: an arm, not what was measured
        if span is not None and (
            _only_change_words(view, span, lists)
            or _said_of_a_change(view, span, lists)
            or _names_an_occasion(view, span, lists)
        ):
            span = None  # `The mean change was only 0.05`: the paragraph's outcome changed
        if (
            previous is not None
            and (previous.kind != "sample_size" or reading.kind == "sample_size")
            and _continues_list(view, span, previous, reading, lists)
        ):  # an arm's `(n = 35)` before a value starts no list of outcomes
            same = FAMILY.get(previous.kind, previous.kind) == FAMILY.get(reading.kind)
            reading.measure = previous.measure if same else None  # a level after its change
            reading.measure_text = previous.measure_text
            return
        if span is not None:
            reading.measure_text = view.text_of(*span)
    if reading.kind in ("score", "change") and carried is not None and span is None:
        reading.measure = carried[0]  # `The mean change was only 0.05` continues the paragraph


def _term_of_later_item(view: SentenceView, term: int, reading: Reading) -> bool:
    """`operative blood loss (310 ml versus 420 ml), ... and length of stay (3.1 days`: a
    vocabulary term after the value, with another bracket of values between them, names a
    later item of the list, not this value."""
    if term <= reading.last:
        return False
    own = view.bracket.get(reading.token)
    return any(
        view.feat(i).is_stat and view.bracket.get(i) not in (None, own)
        for i in range(reading.last + 1, term)
    )


def _stale_term(view: SentenceView, term: int, reading: Reading, previous: Reading | None) -> bool:
    """`diarrhea (3.1% vs 1.3%), vaginal dryness (18.5% vs 9.1%)`: whether a vocabulary
    term stands before an earlier value of this value's clause, so that it may name that
    earlier item rather than this one."""
    return (
        previous is not None
        and term < previous.token < reading.token
        and view.same_clause(previous.token, reading.token)
    )


def _new_item(
    view: SentenceView,
    span: tuple[int, int],
    reading: Reading,
    previous: Reading,
    coordinators: frozenset[str],
) -> bool:
    """Whether the value's own phrase opens a new item of a list: the value is the first
    in a bracket that opens right after the phrase, after the previous value's bracket
    (`(anastrozole 3.1% vs. tamoxifen 1.3%)` is one item, `vaginal dryness (18.5%` a new
    one; `(difference 0.4` and `in 13 patients (9.3%` name no item)."""
    if not _names_bracket(view, span, reading) or span[0] <= previous.last:
        return False
    if view.bracket.get(reading.token) == view.bracket.get(previous.token):
        return False
    return _only_separators(view, previous, span[0], coordinators)


def _only_separators(
    view: SentenceView, previous: Reading, start: int, joins: frozenset[str]
) -> bool:
    """Whether only punctuation and joining words (`), `, `; and `) stand between the end of
    the previous value's bracket and a phrase, as between the items of a list. `(less than
    1%, n=27), or because a cup had dislocated (less than 1%` gives a clause, not an item:
    its words before the bracket are a reason for the event the sentence counts. `joins`:
    the words that may stand there (`and`, `or`, articles)."""
    own = view.bracket.get(previous.token)
    for i in range(previous.last + 1, start):
        if own is not None and view.bracket.get(i) == own:
            continue  # the rest of the previous value's bracket
        token = view.token(i)
        if not (token.is_punct or token.lower_ in joins):
            return False
    return True


def _names_bracket(view: SentenceView, span: tuple[int, int], reading: Reading) -> bool:
    """Whether the phrase ends where the value's bracket opens (`night sweats (22%`) and
    names something other than who was counted (`in 13 patients (9.3%`)."""
    opening = view.bracket.get(reading.token)
    if opening is None or span[1] != opening:
        return False
    last = view.feat(span[1] - 1)
    return last.vocab != "count_noun" or last.category not in WHO_IS_COUNTED


def _only_change_words(view: SentenceView, span: tuple[int, int], lists: WordLists) -> bool:
    """Whether the words before a value say only that it is a change (`the change was`),
    not what changed."""
    return all(view.token(i).lower_ in lists.change_words for i in range(*span))


def _names_an_occasion(view: SentenceView, span: tuple[int, int], lists: WordLists) -> bool:
    """`but, after crossover, improved from 0.47`: words opened by an occasion word and
    closed by a comma say when the value was measured, not what it measures."""
    before, after = span[0] - 1, span[1]
    if after >= view.end or view.token(after).text != ",":
        return False
    opened = before >= view.start and view.token(before).lower_ in lists.occasion_leads
    return opened or view.token(span[0]).lower_ in lists.occasion_leads  # `Following X,`


def _said_of_a_change(view: SentenceView, span: tuple[int, int], lists: WordLists) -> bool:
    """`the change was small at 6 months (0.02; ...)`: the words before the value describe
    a bare change (a change word, after nothing that names an outcome, linked to them by
    `was`), so they name no outcome either."""
    i = span[0] - 1
    if i < view.start or view.token(i).lower_ not in lists.value_links:
        return False
    i -= 1
    while i >= view.start and view.token(i).lower_ in lists.articles | lists.label_words:
        i -= 1
    if i < view.start or view.token(i).lower_ not in lists.change_words:
        return False
    i -= 1
    while i >= view.start and view.token(i).lower_ in lists.articles | lists.label_words:
        i -= 1
    return (
        i < view.start
        or view.feat(i).is_stat
        or not view.token(i).is_alpha
        or (view.token(i).lower_ in lists.function_words and not view.feat(i).vocab)
    )


def _continues_list(view: SentenceView, span, previous: Reading, reading: Reading, lists) -> bool:
    """The value is the next item of the previous value's list: no words of its own tie a
    new outcome to it (no `was`, `:`, `of` between its name and it)."""
    if not view.same_clause(previous.token, reading.token) and span is not None:
        return False
    if span is None:
        return True
    if span[0] < previous.token:
        return False
    if _new_item(view, span, reading, previous, lists.coordinators | lists.articles):
        return False  # `..., intraoperative blood loss (28.0 ml`: a new item of the list
    return not any(view.token(i).lower_ in lists.value_links for i in range(span[1], reading.token))
