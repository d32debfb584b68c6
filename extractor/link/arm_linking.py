"""Which arm a value belongs to: the arm mentions of a sentence, ranked by where they stand
against the value (framing the sentence, before it, after it, sharing its bracket, or the
other side of a comparison).

Split from `engine.py`, which calls `link_arm` once per reading; no English words here.
"""

from __future__ import annotations

import bisect
from collections import Counter

from extractor.link.arms import (
    AFTER_WINDOW,
    BEFORE_WINDOW,
    DECLARES,
    Arm,
    ArmLexicon,
    Mention,
    counted_apart,
    enrolled_population,
    runs,
    sizes_all_arms,
)
from extractor.link.readings import Reading
from extractor.link.view import SentenceView


def link_arm(
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
        if own is not None and reading.kind == "sample_size" and lexicon.outside_study(own.arm):
            return  # `We enrolled 150 patients undergoing hip arthroplasty`: all of them
        if own is not None:
            reading.arm, reading.arm_n, reading.arm_how = own.arm.name, own.arm.n, "rule"
            return
        if reading.match.rule.priority >= DECLARES:
            arm = lexicon.lookup(view.text_of(arm_tokens[0], arm_tokens[-1] + 1))
            if arm is not None and reading.kind == "sample_size" and lexicon.outside_study(arm):
                return
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
            if reading.kind == "sample_size" and lexicon.outside_study(m.arm):
                return  # `150 patients undergoing breast surgery`: what all of them had
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
        if len(listed) >= 2 and listed[0][0] == start and not counted_apart(view, listed):
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


def owned_values(view: SentenceView, lexicon: ArmLexicon, versus: frozenset[str]) -> dict[int, Arm]:
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
