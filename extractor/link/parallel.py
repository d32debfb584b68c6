"""Arms named in parallel: `11 (4.3%) receiving rivaroxaban and 23 (9.1%) receiving
enoxaparin`, `5 days after open and 2 days after olecranon osteotomy`.

A weak arm rule (`arm.after_value`, a name after a value) only counts where it names an
arm the document declared: `46% with hypertension` names a condition, not an arm. But two
or more such mentions in one sentence, each holding its own value, led by the same word
and naming different things, are a comparison of arms written in parallel: the sentence
declares them itself. Arms declared this way keep their weak rule's priority, so that the
study's randomised arms still lead where values are paired with arms in order.
"""

from __future__ import annotations

import itertools

from extractor.link.arms import DECLARES, ArmLexicon, arm_key, runs
from extractor.link.view import SentenceView
from extractor.rules.match import RuleMatch

MIN_PARALLEL = 2  # mentions that make a parallel construction
OUTCOME_TERMS = ("event", "instrument", "effect")  # vocabularies that name what is measured


def declare_parallel(
    view: SentenceView,
    lexicon: ArmLexicon,
    articles: frozenset[str],
    joiners: frozenset[str] = frozenset(),
) -> None:
    """Declare the names of a sentence's parallel weak arm mentions that the document
    does not know yet (see the module docstring). A name led by a joining word (`and`,
    `versus`, a comma) is the next item of a list, which may list outcomes as well as
    arms (`fatigue (10.8%) and nausea (5.4%)`): it declares nothing."""
    weak = [
        m
        for m in view.of_action("arm")
        if m.rule.priority < DECLARES and m.rule.role is None and _holds_value(view, m)
    ]
    if len(weak) < MIN_PARALLEL:
        return
    # a sentence that names the study's arms lists outcomes in parallel, unless its list
    # holds one of them (`-5.49 for SMT versus -3.24 for LT and -0.06 for WLC`):
    # `+0.59 and +0.11 for anxiety and +0.81 and +0.45 for depression`
    names_arms = len({m.arm.key for m in lexicon.mentions(view)}) >= MIN_PARALLEL
    declared = {
        i for m in view.of_action("arm") if m.rule.priority >= DECLARES for i in m.slot("arm")
    }
    by_lead: dict[str, list[tuple[RuleMatch, int, int]]] = {}
    for m in weak:
        for start, end in runs(m.slot("arm")):
            if any(i in declared for i in range(start, end)):
                continue  # part of a name a declaring rule reads whole (`the SI joint group`)
            if end < view.end and view.feat(end).vocab in OUTCOME_TERMS:
                continue  # `1.75 for fatal myocardial infarction`: a qualifier of an outcome
            lead = _lead(view, m, start, articles)
            if lead is not None and lead not in joiners and lead.isalpha():
                by_lead.setdefault(lead, []).append((m, start, end))
    for mentions in by_lead.values():
        keys = {arm_key(view.text_of(s, e), lexicon.group_nouns) for _, s, e in mentions}
        if len(keys) < MIN_PARALLEL:
            continue
        if names_arms and not any(lexicon.lookup(view.text_of(s, e)) for _, s, e in mentions):
            continue
        for m, start, end in mentions:
            name = view.text_of(start, end)
            near = lexicon.closest(name)
            # a name of the same parallel list is no other name's spelling (`after radial
            # access and ... after femoral access`)
            if lexicon.lookup(name) is None and (near is None or near.key in keys):
                lexicon.declare(
                    view,
                    RuleMatch(m.rule, m.start, m.end, {**m.slots, "arm": tuple(range(start, end))}),
                )


COMPARED_REACH = 3  # tokens after the second of two labelled values where their p may stand


def declare_compared_labels(
    view: SentenceView, lexicon: ArmLexicon, versus: frozenset[str]
) -> None:
    """`(POWIR, 0.01 % vs. FLEX, 1.3 %; p < 0.04)`, `(NCI 105 ± 46 mg/dL, PBOO 96 ± 37
    mg/dL, p = 0.06)`: two values side by side, each labelled right before it by a short
    form the document defines in brackets, and compared (a `versus` word between them, or
    one p-value right after them), are the values of the two arms the labels name, though
    no assignment sentence named them. Outcomes listed by their abbreviations are not
    compared so (`HbA1c 7.1%, LDL 2.9 mmol/L`)."""
    labelled: list[tuple[int, int, str, RuleMatch]] = []  # short form, value, label
    for m in view.of_action("arm"):
        names, values = runs(m.slot("arm")), m.slot("value")
        if m.rule.priority >= DECLARES or len(names) != 1 or not values:
            continue
        short = names[0][1] - 1  # `neck-POWIR`: the short form is the label's last piece
        if short < values[0] and lexicon.defines_short(view.token(short).text):
            labelled.append((short, values[0], view.text_of(*names[0]), m))
    labelled.sort(key=lambda item: item[1])
    for (a, a_value, a_label, m), (b, b_value, b_label, _) in itertools.pairwise(labelled):
        texts = view.token(a).text, view.token(b).text
        if arm_key(texts[0], lexicon.group_nouns) == arm_key(texts[1], lexicon.group_nouns):
            continue
        compared = any(view.feat(k).lower in versus for k in range(a_value + 1, b)) or any(
            view.feat(k).is_stat and view.feat(k).shape == "p"
            for k in range(b_value + 1, min(view.end, b_value + 1 + COMPARED_REACH))
        )
        if compared:
            for text, label in zip(texts, (a_label, b_label), strict=True):
                lexicon.declare_label(text, label, m.rule.priority)


def _holds_value(view: SentenceView, m: RuleMatch) -> bool:
    return any(view.feat(i).is_stat for i in range(m.start, m.end))


def _lead(view: SentenceView, m: RuleMatch, start: int, articles: frozenset[str]) -> str | None:
    """The word of the rule that introduces a name (`with`, `after`, `receiving`),
    articles skipped; None when the rule names the arm first (`age 68.3 years`)."""
    i = start - 1
    while i >= m.start and view.feat(i).lower in articles:
        i -= 1
    if i < m.start or view.feat(i).is_stat:
        return None
    return view.feat(i).lower
