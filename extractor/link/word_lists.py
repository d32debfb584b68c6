"""The word lists the link steps read from `patterns/rules/lists.yml`, gathered once per
patterns directory so no step carries an English word."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from extractor.rules.load import RULES_DIR, SHARED_LISTS, _lists


@dataclass(frozen=True)
class WordLists:
    """The shared lists the generic steps need (from `patterns/rules/lists.yml`)."""

    clause_breaks: frozenset[str]
    respectively: frozenset[str]
    versus: frozenset[str]
    group_nouns: frozenset[str]
    function_words: frozenset[str]
    value_links: frozenset[str]
    label_words: frozenset[str]  # words that label a value as a mean or a median
    span_starts: frozenset[str]  # words before the first time of a span (`between`, `from`)
    generic_arm_names: frozenset[str]
    intervention_roles: frozenset[str]
    name_stop: frozenset[str]
    articles: frozenset[str]
    distributives: frozenset[str]
    coordinators: frozenset[str]  # words that join the items of a list (`and`, `or`)
    enrol_verbs: frozenset[str]  # verbs that put patients into a study
    assign_verbs: frozenset[str]  # verbs that put patients into the arms
    name_joiners: frozenset[str]  # words joining the treatments of one arm (`plus`)
    change_words: frozenset[str] = frozenset()  # a phrase of only these names no outcome
    anaphoric_events: frozenset[str] = frozenset()  # `the events`: the paragraph's event
    share_categories: frozenset[str] = frozenset()  # events that are efficacy end points
    occasion_leads: frozenset[str] = frozenset()  # `after crossover, ...`: when, not what
    denominator_leads: frozenset[str] = frozenset()  # `out of 40 patients, 39 ...`: of what
    outcome_prepositions: frozenset[str] = frozenset()  # `hazard ratio for death`: of what
    treatment_leads: frozenset[str] = frozenset()  # `with A (RR ...)`: what was received
    confidence_words: frozenset[str] = frozenset()  # `95% CI`: the percent is a level

    @classmethod
    def load(cls, patterns_dir: Path) -> WordLists:
        lists = _lists(patterns_dir / RULES_DIR / SHARED_LISTS)

        def get(name: str) -> frozenset[str]:
            if name not in lists:
                raise ValueError(f"{RULES_DIR}/{SHARED_LISTS}: the list {name!r} is required")
            return frozenset(lists[name])

        return cls(
            clause_breaks=get("clause_breaks"),
            respectively=get("respectively"),
            versus=get("versus"),
            group_nouns=get("group_nouns"),
            function_words=get("measure_stops"),
            value_links=get("value_links"),
            label_words=get("mean_words") | get("median_words"),
            span_starts=get("span_starts"),
            generic_arm_names=get("generic_arm_names"),
            intervention_roles=get("intervention_roles"),
            name_stop=get("arm_stop"),
            articles=get("articles"),
            distributives=get("distributives"),
            coordinators=get("coordinators"),
            enrol_verbs=get("enrol_verbs"),
            assign_verbs=get("assign_verbs"),
            name_joiners=get("name_joiners"),
            change_words=get("change_words"),
            anaphoric_events=get("anaphoric_events"),
            share_categories=get("share_categories"),
            occasion_leads=get("occasion_leads"),
            denominator_leads=get("denominator_leads"),
            outcome_prepositions=frozenset(lists.get("outcome_prepositions", ())),
            treatment_leads=frozenset(lists.get("treatment_leads", ())),
            confidence_words=frozenset(lists.get("confidence_words", ())),
        )
