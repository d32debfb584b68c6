"""What an effect estimate is about: the outcome a hazard, odds or risk ratio compares.

The contract puts an effect's type in `measure` (`HR`) and what it compares in
`measure_text`. The label (`hazard ratio`) is what a rule finds; the outcome is elsewhere,
in one of two places, tried in this order:

1. after the label, led by a preposition of `outcome_prepositions` in
   `patterns/rules/lists.yml`: `the hazard ratio for death in the A group was 0.62`,
   `HR for OS: 0.76`, `odds ratio of nonunion 2.8`; or right after the value (`risk
   ratios were 1.75 (0.44 to 8.13) for fatal myocardial infarction`);
2. when the label stands in a bracket, the item the bracket is written after:
   `larger tumour size (HR, 2.12; ...)`, `or total mortality (HR 0.91, ...)`, or the
   outcome of the value before it in the same bracket (`(median PFS, 16 vs 12 weeks,
   HR = 0.86)`).

When none of these names anything, the label itself stays the measure text, as before.
No English words here: the prepositions, stop words and arm tokens come from the caller.
"""

from __future__ import annotations

from extractor.link.measures import PHRASE_WORDS, phrase_before
from extractor.link.readings import Reading
from extractor.link.view import SentenceView
from extractor.link.word_lists import WordLists

_OUTCOME_VOCABULARIES = ("instrument", "event")


def effect_outcome(
    view: SentenceView,
    reading: Reading,
    label: list[int],
    skip: set[int],
    lists: WordLists,
    previous: Reading | None,
) -> str | None:
    """The outcome an effect value compares, as written, or None when the sentence does
    not say it near the label."""
    after = _led_by_preposition(view, label[-1] + 1, reading.token, skip, lists)
    if after is None and reading.last + 1 < view.end:
        following = view.feat(reading.last + 1).lower
        if following in lists.outcome_prepositions:
            end = min(view.end, reading.last + 2 + PHRASE_WORDS)
            after = _led_by_preposition(view, reading.last + 1, end, skip, lists)
    if after is not None:
        return view.text_of(*after)
    opening = view.bracket.get(label[0])
    if opening is None:
        return None
    if (
        previous is not None
        and previous.kind != "sample_size"
        and previous.measure_text
        and view.bracket.get(previous.token) == opening
    ):
        words = previous.measure_text.split()
        return previous.measure_text if _names_outcome(view, words[-1].lower(), lists) else None
    host = phrase_before(view, opening, lists.function_words, skip)
    if host is None or host[1] != opening:
        host = _term_before(view, opening, skip)
    if host is None:
        return None  # `24.8 per 1000 women in the A group (RR ...)`: the words are not its item
    if not _names_outcome(view, view.feat(host[1] - 1).lower, lists):
        return None
    if _given_treatment(view, host, lists):
        return None  # `more frequent with acupuncture (RR 1.45)`: the arm, not the outcome
    return view.text_of(*host)


def _given_treatment(view: SentenceView, host: tuple[int, int], lists: WordLists) -> bool:
    """A phrase after a word that introduces what patients received (`with`, `after`,
    `favoured`) names an arm, unless it is an outcome term of the vocabularies
    (`associated with nonunion`); a role name (`the combination`) is an arm too."""
    if view.text_of(*host).lower() in lists.generic_arm_names:
        return True
    if any(view.feat(i).vocab in _OUTCOME_VOCABULARIES for i in range(*host)):
        return False
    i = host[0] - 1
    while i >= view.start and view.feat(i).lower in lists.articles:
        i -= 1
    return i >= view.start and view.feat(i).lower in lists.treatment_leads


def _term_before(view: SentenceView, opening: int, skip: set[int]) -> tuple[int, int] | None:
    """`Major bleeding (HR 1.12 ...)`: an outcome term of the vocabularies, merged into one
    token, right before the bracket (the phrase reader passes over such tokens)."""
    before = opening - 1
    if before < view.start or before in skip:
        return None
    return (before, opening) if view.feat(before).vocab in _OUTCOME_VOCABULARIES else None


def _names_outcome(view: SentenceView, last: str, lists: WordLists) -> bool:
    """A phrase ending in a group noun (`the A and B groups`), a word for events in general
    or a counted noun (`per 1000 women`) names who or what was counted, not an outcome."""
    if last in lists.group_nouns or last in lists.anaphoric_events:
        return False
    return not any(
        view.feat(i).lower == last and "count_noun" in view.feat(i).labels()
        for i in range(view.start, view.end)
    )


def _led_by_preposition(
    view: SentenceView, start: int, stop: int, skip: set[int], lists: WordLists
) -> tuple[int, int] | None:
    """`for death in the A group`: the words after an outcome preposition between the label
    and its value, up to the first word that is not part of a name (an arm, a verb, a
    value); articles after the preposition are passed over."""
    i = start
    while i < stop and view.feat(i).lower not in lists.outcome_prepositions:
        if view.feat(i).is_stat:
            return None
        i += 1
    if i >= stop:
        return None
    i += 1
    while i < stop and view.feat(i).lower in lists.articles:
        i += 1
    begin = i
    words = 0
    while i < stop and words < PHRASE_WORDS:
        number = view.feat(i).is_stat or view.token(i).text.isdigit()
        inside = number and i + 1 < stop and _name_word(view, i + 1, skip, lists)
        if not (inside or _name_word(view, i, skip, lists)):
            break  # `grade 3 toxicity`: a number with a word after it is part of the name
        words += 1
        i += 1
    while i > begin and view.feat(i - 1).lower in lists.coordinators:
        i -= 1  # `for death or` before a value: the list went on past the name
    return (begin, i) if i > begin else None


def _name_word(view: SentenceView, i: int, skip: set[int], lists: WordLists) -> bool:
    token = view.token(i)
    feature = view.feat(i)
    if i in skip or feature.is_stat:
        return False
    if feature.lower in lists.coordinators and not token.is_punct:
        return True  # `disease progression or death`
    if token.is_punct and token.text not in ("-", "/"):
        return False
    if feature.vocab:
        return True
    return (token.is_alpha or "-" in token.text) and feature.lower not in lists.function_words
