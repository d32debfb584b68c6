"""The prose pattern layer: annotated sentences and rule matches in, evidence rows out.

Loaded once per patterns directory (`ProseEngine.load`), then `find` is a pure function
of a document's text and its tokenised chunks. The order of the steps is the order of
`extractor/link/__init__.py`; each lives in its own module and knows no English.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from spacy.tokens import Doc
from spacy.vocab import Vocab

from extractor.annotate.abbreviations import find_abbreviations
from extractor.annotate.document import AnnotatedSentence, annotate
from extractor.annotate.numbers import load_number_words
from extractor.annotate.statistics import StatisticParser
from extractor.annotate.terms import TermVocabulary
from extractor.link import lists as list_step
from extractor.link.arms import (
    AFTER_WINDOW,
    BEFORE_WINDOW,
    DECLARES,
    Arm,
    ArmLexicon,
    Mention,
    enrolled_population,
    load_comparator_words,
    runs,
    sizes_all_arms,
)
from extractor.link.measures import (
    VOCABULARY_OF_KIND,
    Naming,
    namings,
    phrase_before,
    term_for,
    term_of_next_value,
    value_between,
)
from extractor.link.parallel import declare_compared_labels, declare_parallel
from extractor.link.readings import Reading, read_statistics
from extractor.link.rows import attach_p_and_ci, to_evidence
from extractor.link.series import share_within_series
from extractor.link.times import Time, TimeUnits, find_times, share_closing_time, time_of
from extractor.link.view import SentenceView
from extractor.rules.load import RULES_DIR, SHARED_LISTS, _lists
from extractor.rules.match import RuleSet
from extractor.types import Evidence


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
        )


class ProseEngine:
    """Everything the prose layer loads once: parser, terms, rules, word lists."""

    def __init__(self, patterns_dir: Path, vocab: Vocab) -> None:
        self.parser = StatisticParser.load(patterns_dir)
        self.terms = TermVocabulary.load(patterns_dir, vocab)
        self.rules = RuleSet.load(patterns_dir)
        self.lists = WordLists.load(patterns_dir)
        self.units = TimeUnits.load(patterns_dir, load_number_words(patterns_dir))
        self.comparator_words = load_comparator_words(patterns_dir)

    def find(
        self,
        text: str,
        chunks: Iterable[tuple[Doc, int]],
        allowed: Callable[[int], bool] = lambda _: True,
        skipped: frozenset[tuple[int, int]] = frozenset(),
        table_rows: list[Evidence] = (),
    ) -> list[Evidence]:
        """Evidence rows of every prose sentence that `allowed` admits and that is not one
        of the `skipped` (start, end) spans (table lines read elsewhere). The arms of
        `table_rows` are renamed as the prose names them (a column `Intervention` is the
        arm the text says the intervention group received)."""
        sentences = annotate(text, chunks, self.parser, self.terms)
        views = self._views(sentences)
        lexicon = ArmLexicon(
            self.lists.group_nouns,
            find_abbreviations(text),
            self.lists.generic_arm_names,
            self.lists.function_words,
        )
        lexicon.intervention_roles = self.lists.intervention_roles
        lexicon.name_stop = self.lists.name_stop
        lexicon.enrol_verbs = self.lists.enrol_verbs
        lexicon.assign_verbs = self.lists.assign_verbs
        lexicon.name_joiners = self.lists.name_joiners
        lexicon.comparator_words = self.comparator_words
        lexicon.read_brackets(text)
        for number, view in enumerate(views):
            if number == 0:  # a document's first sentence is its title
                for m in view.of_action("arm"):
                    if m.rule.role == "intervention":
                        lexicon.name_intervention(view, m)
            if _usable(view, allowed, skipped):
                declaring = [
                    m
                    for m in view.of_action("arm")
                    if m.rule.priority >= DECLARES and m.rule.role is None
                ]
                for m in declaring:
                    if not _within_longer(m, declaring):
                        lexicon.declare(view, m)
        for view in views:
            if _usable(view, allowed, skipped):
                declare_parallel(
                    view, lexicon, self.lists.articles, self.lists.versus | self.lists.coordinators
                )
                declare_compared_labels(view, lexicon, self.lists.versus)
        mentioned, sentences_of_arm = _mentions(views, lexicon, allowed, skipped)
        if lexicon.resolve_roles():  # role names became aliases of the study's arms
            mentioned, sentences_of_arm = _mentions(views, lexicon, allowed, skipped)
        rows: list[Evidence] = []
        sizes_seen = {a.n for a in lexicon.arms.values() if a.n}  # denominators a split
        # count and percent may agree with (see `_join_split_share`)
        population_n: int | None = None
        population_unit: str | None = None
        previous: SentenceView | None = None
        carried_measure: tuple[str, str] | None = None
        declared_ci: dict[bool, float] = {}  # percent or not -> level of an interval named
        topic_event: str | None = None
        for view in views:
            if previous is None or previous.annotated.paragraph != view.annotated.paragraph:
                carried_measure = None
                declared_ci = {}
                topic_event = None
                population_n = None  # a paragraph (a guidance paragraph, a section) may
                # report another study than the one before it
            previous = view
            if not _usable(view, allowed, skipped):
                continue
            readings = self._link(
                view, lexicon, carried_measure, mentioned.get(id(view)), sentences_of_arm
            )
            readings = _join_split_share(view, readings, sizes_seen)
            _pairs_as_declared_ci(readings, declared_ci)
            topic_event = _resolve_anaphoric_events(
                view, readings, topic_event, self.lists.anaphoric_events
            )
            for reading in readings:
                if reading.kind in ("score", "change") and reading.measure:
                    carried_measure = (reading.measure, reading.measure_text or "")
            for reading in readings:
                row = to_evidence(view, reading, population_n)
                rows.append(row)
                if row.kind != "sample_size":
                    continue
                # `(n = 46)` counts what the document counts (its first counted unit)
                if row.measure is None:
                    row.measure = population_unit
                elif population_unit is None:
                    population_unit = row.measure
                if row.group_name is None and row.value is not None:
                    population_n = int(row.value)  # the latest size of the whole population
                    sizes_seen.add(population_n)
        for row in table_rows:
            if row.group_name:
                row.group_name = lexicon.name_for(row.group_name)
        rows.sort(key=lambda r: (r.char_start, r.char_end, r.kind))
        return rows

    def rows_of(self, text: str, splitter) -> list[Evidence]:
        """Prose rows of one paragraph or sentence, with no section or table filtering:
        what the construction suite and `extract explain` check."""
        return self.find(text, list(splitter.docs(text)))

    def _views(self, sentences: list[AnnotatedSentence]) -> list[SentenceView]:
        return [
            SentenceView(
                s,
                self.rules.matches(s.features, s.span.start, s.span.end),
                self.lists.clause_breaks,
                self.lists.versus,
            )
            for s in sentences
        ]

    def _link(
        self,
        view: SentenceView,
        lexicon: ArmLexicon,
        carried: tuple[str, str] | None,
        mentions: list[Mention] | None = None,
        sentences_of_arm: dict[str, int] | None = None,
    ) -> list[Reading]:
        readings, time_tokens = read_statistics(view)
        if not readings:
            return []
        if mentions is None:
            mentions = lexicon.mentions(view)
        times = find_times(view, self.units)
        values = {r.token for r in readings}
        arm_tokens = {i for m in mentions for i in range(m.start, m.end)}
        owned = _owned_values(view, lexicon, self.lists.versus)
        per_bracket = Counter(view.bracket.get(v) for v in values)
        skip = arm_tokens | time_tokens
        previous: Reading | None = None
        named = namings(view, self.terms.name_of)
        closing: dict[int, Time] = {}
        opening: set[int] = set()
        for reading in readings:
            _link_arm(
                view,
                reading,
                mentions,
                lexicon,
                values,
                owned,
                per_bracket,
                self.lists.respectively,
                self.lists.versus,
            )
            _counted_event(reading, sentences_of_arm or {}, lexicon)
            time = time_of(
                view,
                reading.token,
                times,
                values,
                reading.last,
                self.lists.span_starts,
                self.lists.articles,
            )
            if time is not None and reading.kind == "sample_size" and not _own_time(time, reading):
                time = None
            if time is not None and time.start > reading.last:
                closing[id(reading)] = time
            elif time is not None and reading.timepoint is None:
                opening.add(id(reading))
            if time is not None and reading.timepoint is None:
                reading.timepoint, reading.months = time.timepoint, time.months
            elif time is not None and reading.timepoint == "follow-up" and reading.months is None:
                reading.months = time.months
            elif (
                time is not None
                and time.start > reading.last
                and time.timepoint == "follow-up"
                and time.months
                and reading.timepoint == "baseline"
                and "baseline" in reading.modifiers
            ):  # `improved from 0.47 at 6 months to 0.73`: a series may start after baseline
                reading.timepoint, reading.months = time.timepoint, time.months
            _link_measure(view, reading, skip, self.lists, carried, previous, named)
            if reading.kind == "change" and reading.timepoint == "baseline":
                reading.kind, reading.statistic = "score", None  # a level at baseline
                _refine_statistic(reading)
            if _corroborated(view, reading, values, self.lists):
                previous = reading  # a weak reading nothing links to an outcome yet (a bare
                # duration) is no list item whose outcome the next value could continue
        share_closing_time(view, readings, closing, opening)
        _continue_label(view, readings)
        share_within_series(view, readings)
        _carry_across_comparison(view, readings, self.lists.versus)
        readings = _match_fractions(view, readings)
        _count_out_of(view, readings, self.lists.denominator_leads, self.lists.articles)
        list_step.breakdown(view, readings, lexicon, self.lists.respectively)
        list_step.distribute(
            view, readings, mentions, lexicon, self.lists.respectively, self.lists.versus
        )
        attach_p_and_ci(
            view, readings, self.lists.respectively, time_tokens, self.lists.distributives
        )
        readings = _coordinated_none(view, readings, self.lists.coordinators)
        return [r for r in readings if _corroborated(view, r, values, self.lists)]


def _mentions(
    views: list[SentenceView], lexicon: ArmLexicon, allowed, skipped
) -> tuple[dict[int, list[Mention]], dict[str, int]]:
    """The arm mentions of every usable sentence, and in how many sentences each arm is
    mentioned (which the lexicon keeps: an arm named once is no arm results are for)."""
    mentioned: dict[int, list[Mention]] = {}
    sentences_of_arm: dict[str, int] = {}
    for view in views:
        if _usable(view, allowed, skipped) and lexicon.arms:
            mentioned[id(view)] = lexicon.mentions(view)
            for key in {m.arm.key for m in mentioned[id(view)]}:
                sentences_of_arm[key] = sentences_of_arm.get(key, 0) + 1
    lexicon.sentences_of = sentences_of_arm
    return mentioned, sentences_of_arm


_FAMILY = {
    "score": "continuous",
    "change": "continuous",
    "proportion": "share",
    "complication": "share",
}
_SERIES = frozenset({"baseline", "follow_up"})
COMPARISON_GAP = 8  # tokens between two values compared by a `versus` word


def _carry_across_comparison(
    view: SentenceView, readings: list[Reading], versus: frozenset[str]
) -> None:
    """`Constipation was more common with oxycodone (18.6%) than with tapentadol (7.9%)`:
    the value after a comparison word measures what the value before it measures, so it
    takes that value's kind and outcome when it names none of its own (or the same)."""
    for a, b in zip(readings, readings[1:], strict=False):
        family = _FAMILY.get(a.kind)
        if family is None or family != _FAMILY.get(b.kind) or b.token - a.last > COMPARISON_GAP:
            continue
        if (b.measure is not None and b.measure != a.measure) or not any(
            view.feat(k).lower in versus for k in range(a.last + 1, b.token)
        ):
            continue
        if a.kind == "complication" and b.kind == "proportion":
            b.kind = "complication"
        if a.kind == "change" and b.kind == "score" and not b.modifiers & _SERIES:
            b.kind, b.statistic = "change", a.statistic  # `gained 9.1 ... compared with 3.2`
        if a.measure is not None:
            b.measure, b.measure_text = a.measure, a.measure_text
        elif b.measure is None and a.match is not None and a.match.slot("measure"):
            b.measure_text = a.measure_text  # an outcome a rule named (`a 30% decrease in CRP
            # ... compared with a 1% decrease`) is the compared value's too
        if b.timepoint is None and a.timepoint is not None and a.kind == b.kind:
            b.timepoint, b.months = a.timepoint, a.months  # both sides at the same time


def _continue_label(view: SentenceView, readings: list[Reading]) -> None:
    """`mean joint pain improved from 82.3 at baseline to 30.4 at 6 months, 28.3 at 12
    months and 26.7 at 24 months`: a value of the same outcome that follows a mean (or a
    median) in its clause, with no other value between, is one too, however far the
    label is."""
    for a, b in zip(readings, readings[1:], strict=False):
        if b.statistic is not None or a.statistic not in ("mean", "median"):
            continue
        if a.kind != b.kind or b.kind not in ("score", "change") or a.measure != b.measure:
            continue
        if a.measure is None or not view.same_clause(a.token, b.token):
            continue
        b.statistic = a.statistic


FRACTION_GAP = 6  # tokens between a percent and the count/denominator that make it


def _agrees(count: float, denominator: float, percent: float) -> bool:
    """Whether count/denominator is the written percent, to its rounding."""
    if denominator <= 0:
        return False
    digits = len(str(percent).split(".")[1]) if "." in str(percent) else 0
    return abs(count / denominator * 100 - percent) <= 0.5 * 10 ** (-digits) + 1e-9


_SHARE_FIELDS = ("percent", "ci_low", "ci_high", "ci_level")


def _restated_counts(view: SentenceView, readings: list[Reading]) -> list[Reading]:
    """`27 patients died (27/1,246, 2.2%; 95% CI 1.5 to 3.1)`: a fraction followed by the
    percent it equals is one share, and a count restated as that fraction in a bracket
    right after it is the same share again: one row, the count's, carrying denominator,
    percent and interval."""
    dropped: set[int] = set()
    for a, b in zip(readings, readings[1:], strict=False):
        fraction, share = a.stat, b.stat
        if (
            a.kind in _SHARES
            and b.kind in _SHARES
            and fraction.count is not None
            and fraction.denominator is not None
            and fraction.percent is None
            and share.percent is not None
            and share.count is None
            and b.token - a.last <= FRACTION_GAP
            and view.bracket.get(a.token) == view.bracket.get(b.token)
            and _agrees(fraction.count, fraction.denominator, share.percent)
        ):
            a.stat = replace(fraction, **{f: getattr(share, f) for f in _SHARE_FIELDS})
            if b.ci is not None and a.ci is None:
                a.ci = b.ci
            dropped.add(id(b))
    kept = [r for r in readings if id(r) not in dropped]
    for a, b in zip(kept, kept[1:], strict=False):
        count, fraction = a.stat, b.stat
        if a.kind not in (*_SHARES, "sample_size") or b.kind not in _SHARES:
            continue
        if count.shape != "number" or count.value is None or count.percent is not None:
            continue
        opening = view.bracket.get(b.token)
        if opening is None or not 0 < opening - a.last <= RESTATED_GAP:
            continue
        if not view.same_clause(a.last, opening) or value_between(view, a.last, opening):
            continue
        if fraction.count != count.value or fraction.denominator is None:
            continue
        a.stat = replace(
            count,
            count=fraction.count,
            denominator=fraction.denominator,
            **{f: getattr(fraction, f) for f in _SHARE_FIELDS},
        )
        if a.kind == "sample_size":
            a.kind, a.statistic = b.kind, b.statistic
        if a.measure is None:
            a.measure, a.measure_text = b.measure, b.measure_text
        if b.ci is not None and a.ci is None:
            a.ci = b.ci
        dropped.add(id(b))
    return [r for r in kept if id(r) not in dropped]


RESTATED_GAP = 6  # tokens between a count and the bracket that restates it as a fraction


def _match_fractions(view: SentenceView, readings: list[Reading]) -> list[Reading]:
    """`41.7% (25 of 60 patients)`, `65.0% of the cohort (143/220)`: a fraction written
    just after a percent it equals is that percent's count and denominator (one row);
    `Of the 96 infants followed up, 81 (84.4%)`: a size of the sentence that a count and
    its percent agree with is their denominator."""
    dropped: set[int] = set()
    for a, b in zip(readings, readings[1:], strict=False):
        share, fraction = a.stat, b.stat
        if (
            a.kind in ("proportion", "complication")
            and share.percent is not None
            and share.count is None
            and fraction.count is not None
            and fraction.denominator is not None
            and fraction.percent is None
            and b.token - a.last <= FRACTION_GAP
            and view.same_clause(a.last, b.token)
            and _agrees(fraction.count, fraction.denominator, share.percent)
        ):
            a.stat = replace(share, count=fraction.count, denominator=fraction.denominator)
            dropped.add(id(b))
    readings = [r for r in readings if id(r) not in dropped]
    readings = _restated_counts(view, readings)
    sizes = [r for r in readings if r.kind == "sample_size" and r.stat.value]
    for r in readings:
        stat = r.stat
        if r.kind not in ("proportion", "complication") or stat.denominator is not None:
            continue
        if stat.count is None or stat.percent is None:
            continue
        for size in sizes:
            if size.token != r.token and _agrees(stat.count, size.stat.value, stat.percent):
                r.stat = replace(stat, denominator=int(size.stat.value))
                break
    return [r for r in readings if id(r) not in dropped]


def _count_out_of(
    view: SentenceView, readings: list[Reading], leads: frozenset[str], articles: frozenset[str]
) -> None:
    """`out of 40 patients who received fusion, 39 patients reported ...`, `Of the 210
    women ..., 37 developed ...`: a size the sentence opens with a lead word (`of`) is the
    denominator of a bare count after it that it can hold."""
    sizes = [r for r in readings if r.kind == "sample_size" and r.stat.value]
    for r in readings:
        stat = r.stat
        count = stat.count if stat.count is not None else stat.value
        if r.kind not in _SHARES or count is None:
            continue
        if stat.count is None and not (r.statistic == "count" or view.feat(r.token).integer):
            continue
        if stat.percent is not None or stat.denominator is not None:
            continue
        before = [s for s in sizes if s.token < r.token and _led_by(view, s.token, leads, articles)]
        if before and count <= before[-1].stat.value:
            r.stat = replace(stat, count=int(count), denominator=int(before[-1].stat.value))


def _led_by(view: SentenceView, token: int, leads: frozenset[str], articles: frozenset[str]):
    i = token - 1
    while i >= view.start and view.feat(i).lower in articles:
        i -= 1
    return i >= view.start and view.feat(i).lower in leads


_SHARES = ("proportion", "complication")
_WHO_IS_COUNTED = ("person", "sex")  # count_nouns.tsv categories of persons, not of body parts


def _join_split_share(
    view: SentenceView, readings: list[Reading], sizes: set[int]
) -> list[Reading]:
    """`Twenty-five patients would recommend the same surgery to others (86.2%)`: a count
    that opens a clause and the percent that closes it, with no value between, are one
    share when the count is that percent of a size the document gave (25 of 29 is
    86.2%, to the percent's rounding). The percent's row carries the count; the count is
    no row of its own."""
    dropped: set[int] = set()
    for a, b in zip(readings, readings[1:], strict=False):
        count, share = a.stat, b.stat
        if a.kind not in ("sample_size", *_SHARES) or b.kind not in _SHARES:
            continue
        if count.shape != "number" or count.value is None or count.percent is not None:
            continue
        if share.percent is None or share.count is not None or share.denominator is not None:
            continue
        if not float(count.value).is_integer() or not view.same_clause(a.token, b.token):
            continue
        size = next(
            (
                n
                for n in sorted(sizes)
                if n > count.value and _agrees(count.value, n, share.percent)
            ),
            None,
        )
        if size is None:
            continue
        b.stat = replace(share, count=int(count.value), denominator=size)
        dropped.add(id(a))
    return [r for r in readings if id(r) not in dropped]


SIZE_TIME_GAP = 4  # tokens between a size and the time it was counted at


def _own_time(time: Time, reading: Reading) -> bool:
    """`radiographs of 210 hips at 1 year, 198 at 2 years`, `participants at baseline (n =
    29)`: a size is counted at the time written right beside it; a duration elsewhere in
    its sentence (`60 patients were randomised to 8 weeks of venlafaxine`, `expected
    3-year survival`) is not its time."""
    if time.start > reading.last:
        return time.start - reading.last <= SIZE_TIME_GAP
    return 0 <= reading.token - time.end <= SIZE_TIME_GAP


def _pairs_as_declared_ci(readings: list[Reading], declared: dict[bool, float]) -> None:
    """`4-year event-free survival was 60% (95% CI 53-67) in A and 44% (37-52) in B. The
    corresponding overall survival was 75% (69-82) versus 70% (64-77)`: once a paragraph
    has named an interval for a percent (or for a value that is not one), a bare `(a-b)`
    after another such value is the same interval, not a range. `declared` (percent or
    not -> the level) carries across the paragraph's sentences."""
    for reading in readings:
        stat = reading.stat
        if stat.ci_low is not None and stat.ci_level is not None:
            declared.setdefault(stat.is_percent, stat.ci_level)
        elif (
            stat.is_percent in declared
            and stat.unlabelled_pair
            and stat.range_low is not None
            and stat.ci_low is None
            and reading.ci is None
        ):
            reading.stat = replace(
                stat,
                ci_low=stat.range_low,
                ci_high=stat.range_high,
                ci_level=declared[stat.is_percent],
                range_low=None,
                range_high=None,
                range_kind=None,
            )


def _coordinated_none(
    view: SentenceView, readings: list[Reading], coordinators: frozenset[str]
) -> list[Reading]:
    """`No suicide attempts or deaths occurred`: a count a word gives (`no`) of one event
    counts each event coordinated with it too, one row each."""
    out: list[Reading] = []
    for reading in readings:
        out.append(reading)
        match = reading.match
        if reading.kind != "complication" or match is None or match.rule.constant is None:
            continue
        measure = match.slot("measure")
        if not measure:
            continue
        i = measure[-1] + 1
        while i + 1 < view.end and view.token(i).lower_ in coordinators:
            nxt = i + 1
            if "event" not in view.feat(nxt).labels():
                break
            other = replace(reading, modifiers=set(reading.modifiers))
            other.measure = view.feat(nxt).canonical_as("event")
            other.measure_text = view.token(nxt).text
            out.append(other)
            i = nxt + 1
    return out


def _resolve_anaphoric_events(
    view: SentenceView, readings: list[Reading], topic: str | None, anaphors: frozenset[str]
) -> str | None:
    """`The procedure-related adverse event rate was 2% ... 19% (19/102) of the events were
    related to surgery`: a count of bare `events` counts the event the paragraph is about
    (the first it counts), unless a bracket right after the word names one (`1 event (SI
    joint pain because of ...)`). Returns the paragraph's event after the sentence."""
    for reading in readings:
        if reading.kind != "complication":
            continue
        if (reading.measure_text or "").lower() in anaphors:
            named = _event_in_bracket_after(view, reading, anaphors)
            if named is not None:
                reading.measure, reading.measure_text = named
            elif topic is not None:
                reading.measure = topic
        elif topic is None and reading.measure is not None:
            topic = reading.measure
    return topic


def _event_in_bracket_after(
    view: SentenceView, reading: Reading, anaphors: frozenset[str]
) -> tuple[str, str] | None:
    """The event a bracket opening right after the value's bare event word names first,
    when no number comes before it in the bracket (a number there starts a breakdown)."""
    words = [
        i
        for i in view.terms("event")
        if view.token(i).lower_ in anaphors and 0 < i - reading.last <= 2
    ]
    if not words or words[0] + 1 >= view.end or view.token(words[0] + 1).text != "(":
        return None
    opening = words[0] + 1
    for i in range(opening + 1, view.end):
        if view.bracket.get(i) != opening or view.feat(i).is_stat:
            return None
        if "event" in view.feat(i).labels() and view.token(i).lower_ not in anaphors:
            return view.feat(i).canonical_as("event"), view.token(i).text
    return None


def _counted_event(reading: Reading, sentences_of_arm: dict[str, int], lexicon: ArmLexicon) -> None:
    """`wound problems (n=5), iliac fracture (n=1)`: in a sentence that reports events, an
    `(n = x)` after a name counts patients with that event, unless the name is an arm the
    document mentions elsewhere (`SI joint fusion (n=102)` stays that arm's size)."""
    if reading.kind != "sample_size" or reading.stat.shape != "n_equals":
        return
    if "event" not in reading.modifiers:
        return
    if reading.arm is not None:
        arm = lexicon.lookup(reading.arm)
        if arm is None or sentences_of_arm.get(arm.key, 0) > 1:
            return
    reading.kind, reading.statistic, reading.arm, reading.arm_n = "complication", None, None, None
    reading.stat = replace(reading.stat, count=int(reading.stat.value or 0))


_OUTCOME_MODIFIERS = frozenset({"mean", "median", "change", "difference", "baseline", "follow_up"})


def _corroborated(view: SentenceView, reading: Reading, values: set[int], lists: WordLists) -> bool:
    """Whether a value read by a weak rule (`corroborate: true`: a bare number with a unit)
    is an outcome's value: something links it to one (a mean/median or change label, an
    arm, a time, a vocabulary term, a linking word such as `was` or `:` before it, a
    `versus` word joining it to another value, a p-value). A tourniquet `inflated to 250
    mmHg` or lesions `at 80 °C` have none, and are settings of the procedure."""
    rule = reading.match.rule if reading.match is not None else None
    if rule is None or not rule.corroborate:
        return True
    if reading.modifiers & _OUTCOME_MODIFIERS or reading.arm or reading.timepoint:
        return True
    if reading.measure or reading.p is not None or reading.stat.p_value is not None:
        return True
    i = reading.token - 1
    while i >= view.start and view.feat(i).lower in lists.articles | lists.label_words:
        i -= 1
    if i >= view.start and view.feat(i).lower in lists.value_links:
        return True
    for k in range(max(view.start, reading.token - 3), min(view.end, reading.token + 4)):
        if view.feat(k).lower in lists.versus and any(
            o in values and o != reading.token and view.same_clause(o, reading.token)
            for o in range(k - 3, k + 4)
        ):
            return True
    return False


def _refine_statistic(reading: Reading) -> None:
    if "median" in reading.modifiers:
        reading.statistic = "median"
    elif "mean" in reading.modifiers or reading.stat.sd is not None:
        reading.statistic = "mean"


def _within_longer(m, matches) -> bool:
    """Whether another declaration names the same arms with more of their words
    (`Gemcitabine plus paclitaxel versus ...` read from its first word and from its
    second): the shorter reading declares nothing."""
    names = set(m.slot("arm"))
    count = len(runs(m.slot("arm")))
    return any(
        names < set(o.slot("arm")) and len(runs(o.slot("arm"))) == count
        for o in matches
        if o is not m
    )


def _usable(view: SentenceView, allowed, skipped) -> bool:
    s = view.annotated.sentence
    return allowed(s.start) and (s.start, s.end) not in skipped


def _link_arm(
    view: SentenceView,
    reading: Reading,
    mentions: list[Mention],
    lexicon: ArmLexicon,
    values: set[int],
    owned: dict[int, Arm],
    per_bracket: Counter,
    respectively: frozenset[str] = frozenset(),
    versus: frozenset[str] = frozenset(),
) -> None:
    """The arm named in the value's own rule or an arm rule that holds the value (`S-1:
    9.2 %`), else the one right after it, else the one before it in its clause (not
    across a `respectively` list, whose names are its own values')."""
    if reading.token in owned or reading.last in owned:  # a count and its owned percent
        arm = owned.get(reading.token) or owned[reading.last]
        reading.arm, reading.arm_n, reading.arm_how = arm.name, arm.n, "rule"
        return
    if reading.match is not None and enrolled_population(
        view, reading.match, lexicon.enrol_verbs, lexicon.group_nouns, lexicon.assign_verbs
    ):
        return  # `72 patients undergoing surgery were randomly divided ...`: all of them
    if reading.match is not None and reading.match.slot("arm"):
        arm_tokens = reading.match.slot("arm")
        own = next((m for m in mentions if m.start <= arm_tokens[0] < m.end), None)
        if own is not None:
            reading.arm, reading.arm_n, reading.arm_how = own.arm.name, own.arm.n, "rule"
            return
        if reading.match.rule.priority >= DECLARES:
            arm = lexicon.lookup(view.text_of(arm_tokens[0], arm_tokens[-1] + 1))
            if arm is not None:
                reading.arm, reading.arm_n, reading.arm_how = arm.name, arm.n, "rule"
                return
    token = reading.token
    starts = [m.start for m in mentions]
    first = bisect.bisect_right(starts, token)
    shared = _shared_bracket(view, token, per_bracket)
    reach = _after_own_bracket(view, reading.last) + AFTER_WINDOW
    for m in mentions[first:]:
        if m.start > reach:
            break
        if shared is not None and view.bracket.get(m.start) != shared:
            break  # `(25 [8.9%] versus 8 [2.8%]) ... with A and B`: a bracketed list pairs
            # with arms in order, not with the name after the bracket
        if view.same_clause(token, m.start):
            if reading.kind == "sample_size" and _first_of_listed_arms(view, m.start):
                return  # `407 patients were randomly assigned to A or B`: all of them
            if (
                reading.kind == "sample_size"
                and any(
                    view.feat(i).lower in lexicon.assign_verbs for i in range(token + 1, m.start)
                )
                and not _next_arm_counted(view, m, values, owned)
            ):
                return  # `149 were randomly assigned to A (n = 75; ...) or B`: all of them
            if reading.kind == "sample_size" and any(
                owned.get(i) is m.arm for i in range(m.end, m.end + 4)
            ):
                continue  # `84 were assigned to A (n = 40) or B`: A's size follows A
            if not any(i in values for i in range(token + 1, m.start)):
                reading.arm, reading.arm_n, reading.arm_how = m.arm.name, m.arm.n, "after"
                return
    if reading.kind == "sample_size":
        return  # a size named only after an arm is the population's (`WLC enrolled 66`)
    # the nearest mention before, in the clause, with no value between that has an arm of
    # its own after it; looked for within BEFORE_WINDOW tokens (linking stays linear)
    for m in reversed(mentions[bisect.bisect_left(starts, token - BEFORE_WINDOW) : first]):
        if m.end > token or not view.same_clause(m.start, token):
            continue
        if any(i in values and _value_has_arm_after(i, mentions) for i in range(m.end, token)):
            break
        if any(view.feat(i).lower in respectively for i in range(m.end, token)):
            break  # `... for A and B, respectively, and C improved by 9.5 for walking`
        if _second_of_pair(view, m, mentions):
            break  # `(A/B) included diarrhoea (10.8%/0%)`: the names label a pair
        reading.arm, reading.arm_n, reading.arm_how = m.arm.name, m.arm.n, "before"
        return
    frame = _framing_arm(view, mentions, values)
    if (
        frame is not None
        and frame.end <= token
        and not any(view.feat(i).lower in versus for i in range(frame.end, token))
    ):  # `... compared with controls (16 deaths`: a comparison's other side is not the frame
        reading.arm, reading.arm_n, reading.arm_how = frame.arm.name, frame.arm.n, "frame"


FRAME_START = 6  # tokens from the sentence's start within which a framing arm is named


def _framing_arm(view: SentenceView, mentions: list[Mention], values: set[int]) -> Mention | None:
    """`For patients who crossed over (n=35), the change was small ... but, after crossover,
    improved from 0.47`; `With NSM, 3 patients reported pain; 1 had flushing`: an arm named
    at the very start of a sentence, before any value, and the only arm the sentence names,
    frames every clause of it, past `but` and `;`."""
    if not mentions or mentions[0].start - view.start > FRAME_START:
        return None
    first = mentions[0]
    if any(m.arm is not first.arm for m in mentions):
        return None
    if any(i in values for i in range(view.start, first.start)):
        return None
    return first


def _after_own_bracket(view: SentenceView, last: int) -> int:
    """The token a value's arm is looked for after: past the bracket right after the value
    (`35.6% (95% confidence interval [95% CI], 23.6-49.1%) for the A arm`), whose words
    are the value's own."""
    if last + 1 >= view.end or view.token(last + 1).text not in ("(", "["):
        return last
    depth = 0
    for k in range(last + 1, view.end):
        if view.feat(k).is_stat:
            continue
        if view.token(k).text in ("(", "["):
            depth += 1
        elif view.token(k).text in (")", "]"):
            depth -= 1
            if depth == 0:
                return k
    return last


def _next_arm_counted(
    view: SentenceView, m: Mention, values: set[int], owned: dict[int, Arm]
) -> bool:
    """`59 were randomized to A and 59 to the B arm`: a later count outside brackets that
    another arm owns makes the first the size of the arm named after it."""
    return any(
        i > m.end and view.bracket.get(i) is None and owned.get(i) not in (None, m.arm)
        for i in values
    )


def _first_of_listed_arms(view: SentenceView, start: int) -> bool:
    """Whether a declaration listing several arms (`assigned to A or B`) starts at `start`."""
    for m in view.of_action("arm"):
        if m.rule.sizes or m.rule.priority < DECLARES:
            continue
        listed = runs(m.slot("arm"))
        if len(listed) >= 2 and listed[0][0] == start:
            return True
    return False


def _shared_bracket(view: SentenceView, token: int, per_bracket: Counter) -> int | None:
    """The bracket a value shares with another value (`(34 [12.1%] versus 9 [3.2%])`),
    by its opening token; None when the value is alone in its bracket or outside one.
    `per_bracket` counts the sentence's values by bracket (counted once per sentence)."""
    opening = view.bracket.get(token)
    if opening is None or per_bracket[opening] < 2:
        return None
    return opening


def _owned_values(
    view: SentenceView, lexicon: ArmLexicon, versus: frozenset[str]
) -> dict[int, Arm]:
    """Values an arm rule ties to a known arm (`capecitabine: 1.4 %`, `(n = 73)` after the
    name), by token; not the second name of `A vs B: a vs b`, which labels the pair
    (though in `A, a vs. B, b` B owns b).
    A count written before its name claims first: in `(122 A, 104 B)` the 104 is B's,
    though `A, 104` reads like `A, 16.0 months`."""
    owned: dict[int, Arm] = {}
    for m in sorted(view.of_action("arm"), key=_name_first):
        names = runs(m.slot("arm"))
        if len(names) != 1 or sizes_all_arms(view, m):
            continue
        first = names[0][0]
        if (
            first > view.start
            and view.token(first - 1).lower_ in versus
            and not (first - 1 > view.start and view.feat(first - 2).is_stat)
        ):
            continue  # `A vs B: a vs b`, not `A, a vs. B, b`: B labels its own value
        arm = lexicon.lookup(view.text_of(*names[0]))
        if arm is None:
            continue
        for i in m.slot("value"):
            outside = view.bracket.get(names[0][0]) != view.bracket.get(i)
            if not (outside and _shares_bracket(view, i)):
                owned.setdefault(i, arm)
    return owned


_NOT_PAIRED = frozenset({"p", "ci"})  # shapes that go with a value, not beside it


def _shares_bracket(view: SentenceView, token: int) -> bool:
    """Whether a value's bracket holds another value (`in the A arm (41.1% v 23.6%)`):
    the name before such a bracket labels the comparison, not its first value."""
    opening = view.bracket.get(token)
    if opening is None:
        return False
    k = opening + 1
    while k < view.end and view.bracket.get(k) is not None and k != token:
        stat = view.stat(k)
        if stat is not None and view.bracket.get(k) == opening and stat.shape not in _NOT_PAIRED:
            return True
        k += 1
    k = token + 1
    while k < view.end and view.bracket.get(k) == opening:
        stat = view.stat(k)
        if stat is not None and stat.shape not in _NOT_PAIRED:
            return True
        k += 1
    return False


def _second_of_pair(view: SentenceView, m: Mention, mentions: list[Mention]) -> bool:
    """Whether a mention is the second name of `A/B` or `A versus B`: the two name the
    values of a pair, and neither is the arm of a value on its own."""
    joint = m.start - 1
    if joint <= view.start:
        return False
    if view.token(joint).text != "/" and view.feat(joint).lower not in view.comparisons:
        return False
    if any(other.end == joint for other in mentions):
        return True
    # `(combination/placebo)`: the other name need not be one the document declared
    return view.token(joint).text == "/" and view.token(joint - 1).is_alpha


def _name_first(m) -> bool:
    """Sort key: matches whose value comes before their name first."""
    values, names = m.slot("value"), m.slot("arm")
    return not (values and names and values[0] < names[0])


def _value_has_arm_after(i: int, mentions: list[Mention]) -> bool:
    starts = [m.start for m in mentions]
    k = bisect.bisect_right(starts, i)
    return k < len(starts) and starts[k] <= i + AFTER_WINDOW


def _link_measure(
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
        if reading.kind == "complication" and feature.category in lists.share_categories:
            reading.kind = "proportion"  # `70 breast cancer-specific deaths`: an end point
        return
    if reading.match is not None and reading.match.slot("unit") and reading.kind == "sample_size":
        unit = view.token(reading.match.slot("unit")[0])
        reading.measure, reading.measure_text = view.feat(unit.i).canonical or None, unit.text
        return
    term = term_for(view, reading.token, reading.kind, skip, lists.coordinators | lists.articles)
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
            same = _FAMILY.get(previous.kind, previous.kind) == _FAMILY.get(reading.kind)
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


def _only_separators(view: SentenceView, previous: Reading, start: int, joins: frozenset[str]):
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
    return last.vocab != "count_noun" or last.category not in _WHO_IS_COUNTED


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
