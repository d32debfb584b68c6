"""The prose pattern layer: annotated sentences and rule matches in, evidence rows out.

Loaded once per patterns directory (`ProseEngine.load`), then `find` is a pure function
of a document's text and its tokenised chunks. The order of the steps is the order of
`extractor/link/__init__.py`; each lives in its own module and knows no English.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from spacy.tokens import Doc
from spacy.vocab import Vocab

from extractor.annotate.abbreviations import find_abbreviations
from extractor.annotate.document import AnnotatedSentence, annotate
from extractor.annotate.numbers import load_number_words
from extractor.annotate.statistics import StatisticParser
from extractor.annotate.terms import TermVocabulary
from extractor.link import lists as list_step
from extractor.link.arm_linking import link_arm, owned_values
from extractor.link.arms import (
    DECLARES,
    ArmLexicon,
    Mention,
    load_comparator_words,
    runs,
)
from extractor.link.measure_linking import FAMILY, UNITS_COUNTED, WHO_IS_COUNTED, link_measure
from extractor.link.measures import (
    namings,
    value_between,
)
from extractor.link.parallel import declare_compared_labels, declare_parallel
from extractor.link.readings import Reading, read_statistics
from extractor.link.rows import attach_p_and_ci, to_evidence
from extractor.link.series import share_within_series
from extractor.link.times import Time, TimeUnits, find_times, share_closing_time, time_of
from extractor.link.view import SentenceView
from extractor.link.word_lists import WordLists
from extractor.rules.match import RuleSet
from extractor.types import Evidence, Sentence


class ProseEngine:
    """Everything the prose layer loads once: parser, terms, rules, word lists."""

    def __init__(self, patterns_dir: Path, vocab: Vocab) -> None:
        self.parser = StatisticParser.load(patterns_dir)
        self.terms = TermVocabulary.load(patterns_dir, vocab)
        self.rules = RuleSet.load(patterns_dir)
        self.lists = WordLists.load(patterns_dir)
        self.units = TimeUnits.load(patterns_dir, load_number_words(patterns_dir))
        self.comparator_words = load_comparator_words(patterns_dir)
        self._counted_memo: dict[str | None, str | None] = {}

    def _counted(self, unit: str | None) -> str | None:
        """`people` when a size counts persons, `units` when it counts procedures or body
        parts (`count_nouns.tsv` categories), else None (studies, or an unknown unit):
        only the first two can be the population a share is out of, persons first
        (`54 patients (85 fusions)`: 86% of patients are of the 54)."""
        if unit not in self._counted_memo:
            category = self.terms.category_of(unit, "count_noun") if unit else None
            self._counted_memo[unit] = (
                "people"
                if category in WHO_IS_COUNTED
                else "units"
                if category in UNITS_COUNTED
                else None
            )
        return self._counted_memo[unit]

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

        def read(number: int, sentence: Sentence) -> bool:
            """Whether a step reads the sentence: the title, and the usable ones."""
            return number == 0 or _usable_sentence(sentence, allowed, skipped)

        sentences = annotate(text, chunks, self.parser, self.terms, read)
        views = self._views(sentences, lambda number, s: read(number, s.sentence))
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
        population_n: int | None = None  # persons
        population_units: int | None = None  # procedures or body parts, when no persons
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
                population_n = population_units = None  # a paragraph (a guidance
                # paragraph, a section) may report another study than the one before it
            previous = view
            if not _usable(view, allowed, skipped):
                continue
            readings = self._link(
                view, lexicon, carried_measure, mentioned.get(id(view)), sentences_of_arm
            )
            readings = _join_split_share(view, readings, sizes_seen)
            _declare_written_level(view, declared_ci, self.lists.confidence_words)
            _pairs_as_declared_ci(readings, declared_ci)
            topic_event = _resolve_anaphoric_events(
                view, readings, topic_event, self.lists.anaphoric_events
            )
            for reading in readings:
                if reading.kind in ("score", "change") and reading.measure:
                    carried_measure = (reading.measure, reading.measure_text or "")
            for reading in readings:
                row = to_evidence(
                    view, reading, population_n if population_n is not None else population_units
                )
                rows.append(row)
                if row.kind != "sample_size":
                    continue
                # `(n = 46)` counts what the document counts (its first counted unit)
                if row.measure is None:
                    row.measure = population_unit
                elif population_unit is None:
                    population_unit = row.measure
                if row.group_name is None and row.value is not None:
                    sizes_seen.add(int(row.value))
                    counted = self._counted(row.measure)  # not `4 registries`, `8 scales`
                    if counted == "people":
                        population_n = int(row.value)  # the latest size of the population
                    elif counted == "units":
                        population_units = int(row.value)
        for row in table_rows:
            if row.group_name:
                row.group_name = lexicon.name_for(row.group_name)
        rows.sort(key=lambda r: (r.char_start, r.char_end, r.kind))
        return rows

    def rows_of(self, text: str, splitter) -> list[Evidence]:
        """Prose rows of one paragraph or sentence, with no section or table filtering:
        what the construction suite and `extract explain` check."""
        return self.find(text, list(splitter.docs(text)))

    def _views(
        self,
        sentences: list[AnnotatedSentence],
        read: Callable[[int, AnnotatedSentence], bool],
    ) -> list[SentenceView]:
        """A view of every sentence, matched when `read` says a step reads its matches
        (the title, and the sentences rows come from): a full text's references and table
        lines are half its sentences, and matching is the costliest step."""
        return [
            SentenceView(
                s,
                self.rules.matches(s.features, s.span.start, s.span.end) if read(n, s) else [],
                self.lists.clause_breaks,
                self.lists.versus,
            )
            for n, s in enumerate(sentences)
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
        times = [
            t
            for t in find_times(view, self.units)
            if not _names_an_arm(view, t, self.lists.group_nouns)
        ]
        values = {r.token for r in readings}
        arm_tokens = {i for m in mentions for i in range(m.start, m.end)}
        owned = owned_values(view, lexicon, self.lists.versus)
        per_bracket = Counter(view.bracket.get(v) for v in values)
        skip = arm_tokens | time_tokens
        previous: Reading | None = None
        named = namings(view, self.terms.name_of)
        closing: dict[int, Time] = {}
        opening: set[int] = set()
        for reading in readings:
            link_arm(
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
            link_measure(view, reading, skip, self.lists, carried, previous, named)
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


_SERIES = frozenset({"baseline", "follow_up"})
COMPARISON_GAP = 8  # tokens between two values compared by a `versus` word


def _carry_across_comparison(
    view: SentenceView, readings: list[Reading], versus: frozenset[str]
) -> None:
    """`Constipation was more common with oxycodone (18.6%) than with tapentadol (7.9%)`:
    the value after a comparison word measures what the value before it measures, so it
    takes that value's kind and outcome when it names none of its own (or the same)."""
    values = [r for r in readings if r.kind != "sample_size"]  # `-16.5 (6.4) (n = 20)
    # versus -8.1 (6.5)`: an arm's size between the compared values is no value of them
    for a, b in zip(values, values[1:], strict=False):
        family = FAMILY.get(a.kind)
        if family is None or family != FAMILY.get(b.kind) or b.token - a.last > COMPARISON_GAP:
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


def _declare_written_level(
    view: SentenceView, declared: dict[bool, float], confidence_words: frozenset[str]
) -> None:
    """`The mean differences with 95% confidence intervals were -4.57 (-6.33, -2.82), ...`:
    a level written alone before confidence words (a blocked `95%`, no value of its own)
    declares the interval of the bare pairs after it, for percents and other values."""
    for i in range(view.start, view.end - 1):
        stat = view.stat(i)
        if (
            stat is not None
            and stat.is_percent
            and stat.value is not None
            and 50 <= stat.value < 100
            and stat.ci_low is None
            and view.feat(i + 1).lower in confidence_words
        ):
            declared.setdefault(True, round(stat.value / 100, 4))
            declared.setdefault(False, round(stat.value / 100, 4))
            return


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


ARM_NAME_WORDS = 2  # words between a duration and the group noun of the arm it names


def _names_an_arm(view: SentenceView, time: Time, group_nouns: frozenset[str]) -> bool:
    """`in favour of the 12-month treatment group`, `the 6-week arm`: a hyphenated
    duration before a group noun says how long an arm was treated, not when its values
    were measured."""
    if "-" not in view.text_of(time.start, time.end):
        return False
    for i in range(time.end, min(view.end, time.end + ARM_NAME_WORDS + 1)):
        token = view.token(i)
        if view.feat(i).lower in group_nouns:
            return True
        if not token.is_alpha or view.feat(i).is_stat:
            return False
    return False


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
    return _usable_sentence(view.annotated.sentence, allowed, skipped)


def _usable_sentence(s: Sentence, allowed, skipped) -> bool:
    return allowed(s.start) and (s.start, s.end) not in skipped
