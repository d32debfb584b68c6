"""Values written as a list and the names they pair with, in order.

`49.4 ± 32.6, 47.5 ± 38.9 and 26.5 ± 27.4 in patients fed AJ, WGJ and WA respectively`:
the values and the arms are two lists of the same length, paired in order. The names may
be the arms the sentence mentions, else the arms the document declared (`were randomly
assigned to A or B`), else the outcomes the sentence names. Without `respectively`, two
values joined by a `versus` word (`1.15 vs 1.10`) or an unlabelled pair of one outcome
(`hypotension in 4.8% and 3.4%`) take the declared arms in order when there are exactly
as many. Values that already have an arm of their own keep it.
"""

from __future__ import annotations

from dataclasses import replace

from extractor.link.arms import ArmLexicon, Mention
from extractor.link.readings import Reading, modifier_scopes
from extractor.link.view import SentenceView

_FAMILIES = {
    "score": "continuous",
    "change": "continuous",
    "proportion": "share",
    "complication": "share",
    "sample_size": "size",
    "effect": "effect",
}


def distribute(
    view: SentenceView,
    readings: list[Reading],
    mentions: list[Mention],
    lexicon: ArmLexicon,
    respectively: frozenset[str],
    versus: frozenset[str],
) -> None:
    """Give the values of list constructions their arms (and outcomes), in order."""
    markers = [t.i for t in view.tokens() if t.lower_ in respectively]
    done: set[int] = set()
    previous = view.start
    for marker in markers:
        whole = [r for r in readings if previous <= r.token < marker and r.kind != "effect"]
        previous = marker + 1
        group = _last_run(view, whole, versus)
        if len(group) < 2:
            continue
        _pair_respectively(view, group, mentions, lexicon, marker, versus)
        done.update(r.token for r in group)
        earlier = whole[: whole.index(group[0])]
        for block in _earlier_blocks(view, earlier, len(group), marker, versus):
            _pair_respectively(view, block, mentions, lexicon, marker, versus)
            done.update(r.token for r in block)
    _pair_unlabelled(view, [r for r in readings if r.token not in done], mentions, lexicon, versus)


def _last_run(view: SentenceView, group: list[Reading], versus: frozenset[str]) -> list[Reading]:
    """The list that ends right before `respectively`: the last value and those joined to
    it by list words only (`97.6 and 91.4 %`, `49.4 ± 32.6, 47.5 ± 38.9 and 26.5`)."""
    if not group:
        return group
    run = [group[-1]]
    for reading in reversed(group[:-1]):
        between = _gap(view, reading, run[0])
        if len(between) > 6 or not _joining(view, between, versus):
            break
        run.insert(0, reading)
    return run


COMPARISON_WORDS = 2  # words around a `versus` word that complete it (`as compared to`)


def _joining(view: SentenceView, between: list, versus: frozenset[str]) -> bool:
    """Whether the tokens between two values only join them: list words, punctuation,
    or a comparison phrase, a `versus` word with the few words that complete it
    (`1 [1.8%] compared with 2 [3.4%]`, `28 (6.1%) as compared to 51`)."""
    others = [t for t in between if not _joiner(view, t, versus)]
    if not others:
        return True
    return (
        any(t.lower_ in versus for t in between)
        and len(others) <= COMPARISON_WORDS
        and all(t.is_alpha for t in others)
    )


def _earlier_blocks(
    view: SentenceView, before: list[Reading], size: int, marker: int, versus: frozenset[str]
) -> list[list[Reading]]:
    """`The A and B scores were 8.4 and 5.1 preoperatively and 5.2 and 3.0 at 2 years,
    a reduction of 37% and 42%, respectively`: earlier lists of the clause whose length is
    a multiple of the last list's are blocks of as many values, each paired the same way."""
    blocks: list[list[Reading]] = []
    while before:
        run = _last_run(view, before, versus)
        if len(run) < size or len(run) % size or not view.same_clause(run[0].token, marker):
            break
        blocks += [run[k : k + size] for k in range(0, len(run), size)]
        before = before[: len(before) - len(run)]
    return blocks


def _gap(view: SentenceView, a: Reading, b: Reading) -> list:
    """The tokens between two readings, after the end of `a`'s statistic (a combined share
    `19 of 66 patients (28.8%)` ends at its percent, not at its first token)."""
    return [view.token(k) for k in range(a.token + 1, b.token) if view.char_start(k) >= a.stat.end]


def _joiner(view: SentenceView, token, versus: frozenset[str]) -> bool:
    return (
        token.lower_ in versus
        or token.lower_ in ("and", "or")
        or token.is_punct
        or view.feat(token.i).vocab == "timepoint"
    )


def _pair_respectively(
    view: SentenceView,
    group: list[Reading],
    mentions: list[Mention],
    lexicon: ArmLexicon,
    marker: int,
    versus: frozenset[str],
) -> None:
    names = _distinct([m for m in mentions if m.start < marker])
    if len(names) != len(group):  # `203 and 199, respectively, in the A and B groups`
        after = _distinct(
            [m for m in mentions if m.start > marker and view.same_clause(m.start, marker)]
        )
        if len(after) == len(group):
            names = after
    if len(names) > len(group) and _blocks(group, len(names)) is None:
        names = names[-len(group) :]  # `receiving A and those given B (80% and 78%, ...)`
    declared = lexicon.ordered()
    arms = [m.arm for m in names]
    if (
        0 < len(names) < len(group)
        and _blocks(group, len(declared))
        and any(view.token(k).lower_ in versus for k in range(group[0].token, group[-1].token))
    ):
        # `for the A arm (34 v 30 months, respectively)`: the arm named and the other
        arms = _completed(view, names, declared, versus=frozenset()) or arms
    if len(arms) >= 2 and len(group) > len(arms) and _blocks(group, len(arms)) is None:
        group = group[-len(arms) :]  # `3.8% more ...: 20 (19%) and 16 (16%), respectively`
    for block in _blocks(group, len(arms)) or ():
        for reading, arm in zip(block, arms, strict=True):
            reading.arm, reading.arm_n, reading.arm_how = arm.name, arm.n, "list"
    if arms and _blocks(group, len(arms)):
        return
    if not names and _blocks(group, len(declared)):
        for block in _blocks(group, len(declared)) or ():
            for reading, arm in zip(block, declared, strict=True):
                reading.arm, reading.arm_n, reading.arm_how = arm.name, arm.n, "list"
        return
    vocab = "event" if _FAMILIES.get(group[0].kind) == "share" else "instrument"
    terms = [t for t in view.tokens() if view.feat(t.i).vocab == vocab and t.i < marker]
    for block in _blocks(group, len(terms)) or ():
        for reading, term in zip(block, terms, strict=True):
            reading.measure, reading.measure_text = view.feat(term.i).canonical, term.text


def _blocks(group: list[Reading], names: int) -> list[list[Reading]] | None:
    """The list split into blocks of as many values as there are names (`152 and 94 mmHg
    at baseline and 138 and 86 mmHg at 6 months` for two outcomes), or None when it cannot
    be: no names, or a length that is not a multiple of theirs."""
    if names < 1 or len(group) % names or (names == 1 and len(group) > 1):
        return None
    return [group[k : k + names] for k in range(0, len(group), names)]


def _distinct(mentions: list[Mention]) -> list[Mention]:
    seen: set[str] = set()
    out = []
    for mention in mentions:
        if mention.arm.key in seen:
            continue
        seen.add(mention.arm.key)
        out.append(mention)
    return out


def _pair_unlabelled(
    view: SentenceView,
    readings: list[Reading],
    mentions: list[Mention],
    lexicon: ArmLexicon,
    versus: frozenset[str],
) -> None:
    i = 0
    while i < len(readings):
        run = [readings[i]]
        j = i + 1
        while j < len(readings) and _joined(view, run[-1], readings[j], versus):
            run.append(readings[j])
            j += 1
        i = j
        if len(run) < 2 or any(r.arm_how in ("rule", "after", "list") for r in run[1:]):
            continue
        if _over_time(run):
            continue  # `6.9 at baseline and 5.1 at 12 weeks`: one arm's series, not two arms
        order = _order_for(view, run, mentions, lexicon, versus)
        if order is None:
            continue
        versus_between = any(view.token(k).lower_ in versus for k in _between(run))
        first = run[0].arm
        if first is not None and run[0].arm_how in ("rule", "after"):
            if not versus_between or first not in [a.name for a in order]:
                continue
            # `(anastrozole 3.1% vs. tamoxifen ...)`: the first value's own arm leads
            order = [a for a in order if a.name == first] + [a for a in order if a.name != first]
        for reading, arm in zip(run, order, strict=True):
            reading.arm, reading.arm_n, reading.arm_how = arm.name, arm.n, "list"


def _over_time(run: list[Reading]) -> bool:
    """Values at as many different times as there are values are one group followed over
    time, not one value per arm."""
    times = {(r.timepoint, r.months) for r in run if r.timepoint is not None}
    return len(times) == len(run)


def _after_comparison(view: SentenceView, mention: Mention, versus: frozenset[str]) -> bool:
    previous = [
        view.token(k).lower_ for k in range(max(view.start, mention.start - 3), mention.start)
    ]
    return any(word in versus for word in previous)


def _order_for(
    view: SentenceView,
    run: list[Reading],
    mentions: list[Mention],
    lexicon: ArmLexicon,
    versus: frozenset[str],
):
    """The arms a bare list of values pairs with: the distinct arms the sentence named
    before it (`with denosumab compared with ZA (9.7 vs 5.8 months)`), else the study's
    declared arms, when there are as many as values: those the sentence names first
    (`patients receiving A had a larger loss (-3.6% v -0.7%)`), the others after."""
    named = _distinct([m for m in mentions if m.end <= run[0].token])
    if len(named) == len(run):
        return _completed(view, named, named and [m.arm for m in named], versus)
    declared = lexicon.ordered()
    if len(declared) != len(run):
        return None
    if not named:
        return declared
    if not any(view.token(k).lower_ in versus for k in _between(run)):
        return None  # `the A group had 28.6% and 26.5%`: two outcomes of one arm
    # the names of the values' own clause (`X in cycle 1 compared with B (a vs b)`)
    own = [m for m in named if view.same_clause(m.start, run[0].token)]
    return _completed(view, own, declared, versus) if own else None


def _completed(view: SentenceView, named: list[Mention], arms, versus: frozenset[str]):
    """`arms` in the order a sentence that names some of them lists them: the names it
    gives first, the arms it leaves unnamed next, a name after a comparison word last
    (`Compared with TM, BIS had ...`, `more with A than with B`); None when it names an
    arm that is not one of `arms`."""
    keys = {arm.key for arm in arms}
    if any(m.arm.key not in keys for m in named):
        return None
    compared = [m.arm for m in named if _after_comparison(view, m, versus)]
    first = [m.arm for m in named if m.arm not in compared]
    return first + [a for a in arms if a not in first and a not in compared] + compared


def _between(run: list[Reading]) -> range:
    return range(run[0].token + 1, run[-1].token)


def _joined(view: SentenceView, a: Reading, b: Reading, versus: frozenset[str]) -> bool:
    """Two values of one outcome written side by side: same family, only a joining word
    (a `versus` word, `and`, `or`, a comma) and brackets between them, nothing named."""
    if _FAMILIES.get(a.kind) != _FAMILIES.get(b.kind) or not view.same_clause(a.token, b.token):
        if not (
            _FAMILIES.get(a.kind) == _FAMILIES.get(b.kind)
            and any(view.token(k).lower_ in versus for k in range(a.token + 1, b.token))
        ):
            return False
    between = _gap(view, a, b)
    after_b = view.token(b.token + 1) if b.token + 1 < view.end else None
    if between and after_b is not None and between[0].lower_ == after_b.lower_:
        between = between[1:]  # `290 events versus 306 events`: the unit both share
    if len(between) > 4:
        return False
    return all(
        t.lower_ in versus
        or t.lower_ in ("and", "or")
        or t.is_punct
        or view.feat(t.i).vocab == "timepoint"
        for t in between
    )


PART_OF_SAMPLE = "proportion.part_of_sample"
ARM_OF_SAMPLE = "sample_size.arm_of_sample"


def _read_unread_parts(
    view: SentenceView, readings: list[Reading], opening: int, closing: int
) -> list[Reading]:
    """`Eleven studies (9 prospective cohort and 2 trials)`: a whole number in the bracket
    after a size that no rule read (its noun counts nothing the vocabularies know) is a
    part of the size all the same."""
    have = {r.token for r in readings}
    have |= {i for m in view.of_action("block") for i in m.slot("value")}  # never evidence
    added = []
    scopes: dict[int, set[str]] | None = None
    for k in range(opening + 1, closing):
        feature = view.feat(k)
        if k not in have and feature.integer and not feature.year_like:
            if scopes is None:
                scopes = modifier_scopes(view)
            if "block" in scopes.get(k, ()):
                continue  # `on a scale of 0 to 6`
            added.append(Reading(k, feature.stat, "sample_size", PART_OF_SAMPLE, 0))
    readings += added
    readings.sort(key=lambda r: r.token)
    return added


BREAKDOWN_GAP = 5  # tokens from a size to the bracket that breaks it down, plus one


def _bracket_part_end(view: SentenceView, opening: int) -> int:
    """Where the first part of the bracket opened at `opening` ends: its closing bracket
    or a `;` in it (`(127 women [59.9%] and 85 men; mean age ...)`), brackets inside it
    skipped."""
    depth = 0
    for k in range(opening + 1, view.end):
        text = view.token(k).text
        if view.feat(k).is_stat:
            continue
        if text in ("(", "["):
            depth += 1
        elif text in (")", "]"):
            if depth == 0:
                return k
            depth -= 1
        elif text == ";" and depth == 0:
            return k
    return view.end


def breakdown(
    view: SentenceView,
    readings: list[Reading],
    lexicon: ArmLexicon,
    respectively: frozenset[str] = frozenset(),
) -> None:
    """`54 patients (41 women, 13 men)`, `Eleven studies (9 cohort and 2 RCTs)`: whole
    numbers in the bracket right after a size are parts of it, proportions with the size
    as denominator; a part named by a declared arm stays that arm's size, and so do the
    parts a `respectively` pairs with arms (`402 patients (203 and 199, respectively, in
    the A and B groups)`)."""
    sizes = [r for r in readings if r.kind == "sample_size" and r.arm is None]
    for size in sizes:
        opening = next(
            (
                k
                for k in range(size.token + 1, min(view.end, size.token + BREAKDOWN_GAP))
                if view.token(k).text in ("(", "[")
            ),
            None,
        )
        if opening is None or size.stat.value is None:
            continue
        closing = _bracket_part_end(view, opening)
        added = _read_unread_parts(view, readings, opening, closing)
        parts = [
            r
            for r in readings
            if opening < r.token < closing
            and r.kind in ("sample_size", "proportion")
            and r.stat.shape == "number"
            and r.arm is None
            and r.stat.value is not None
            and r.stat.value < size.stat.value
        ]
        shares = [  # `127 women [59.9%] and 85 men`: a part already read with its percent
            r
            for r in readings
            if opening < r.token < closing
            and r.kind == "proportion"
            and r.stat.count is not None
            and r not in parts
        ]
        if len(parts) + len(shares) < 2 and not (len(parts) == 1 and parts[0].kind == "proportion"):
            for reading in added:
                readings.remove(reading)
            continue
        for reading in added:
            if reading not in parts:
                readings.remove(reading)
        if any(view.token(k).lower_ in respectively for k in range(opening, closing)):
            for part in parts:  # sizes of the arms `respectively` will name
                part.kind, part.rule = "sample_size", ARM_OF_SAMPLE
            continue
        for part in parts:
            part.kind, part.rule = "proportion", PART_OF_SAMPLE
            part.stat = replace(
                part.stat, count=int(part.stat.value), denominator=int(size.stat.value)
            )
