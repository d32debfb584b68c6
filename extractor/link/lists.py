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

from extractor.link.arms import ArmLexicon, Mention
from extractor.link.readings import Reading
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
    markers = [t.i for t in view.span if t.lower_ in respectively]
    done: set[int] = set()
    previous = view.start
    for marker in markers:
        group = [r for r in readings if previous <= r.token < marker and r.kind != "effect"]
        previous = marker + 1
        group = _last_family(group)
        if len(group) < 2:
            continue
        _pair_respectively(view, group, mentions, lexicon, marker)
        done.update(r.token for r in group)
    _pair_unlabelled(view, [r for r in readings if r.token not in done], lexicon, versus)


def _last_family(group: list[Reading]) -> list[Reading]:
    """The run of same-family readings that ends the list (sizes before it are apart)."""
    if not group:
        return group
    family = _FAMILIES.get(group[-1].kind)
    run: list[Reading] = []
    for reading in reversed(group):
        if _FAMILIES.get(reading.kind) != family:
            break
        run.append(reading)
    return list(reversed(run))


def _pair_respectively(
    view: SentenceView,
    group: list[Reading],
    mentions: list[Mention],
    lexicon: ArmLexicon,
    marker: int,
) -> None:
    names = _distinct([m for m in mentions if m.start < marker])
    count = len(group)
    if len(names) == count:
        for reading, mention in zip(group, names, strict=True):
            reading.arm, reading.arm_n = mention.arm.name, mention.arm.n
        return
    declared = lexicon.ordered()
    if len(declared) == count and not names:
        for reading, arm in zip(group, declared, strict=True):
            reading.arm, reading.arm_n = arm.name, arm.n
        return
    vocab = "event" if _FAMILIES.get(group[0].kind) == "share" else "instrument"
    terms = [t for t in view.span if t._.vocab == vocab and t.i < marker]
    if len(terms) == count:
        for reading, term in zip(group, terms, strict=True):
            reading.measure, reading.measure_text = term._.canonical, term.text


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
    view: SentenceView, readings: list[Reading], lexicon: ArmLexicon, versus: frozenset[str]
) -> None:
    declared = lexicon.ordered()
    if len(declared) < 2:
        return
    i = 0
    while i < len(readings):
        run = [readings[i]]
        j = i + 1
        while j < len(readings) and _joined(view, run[-1], readings[j], versus):
            run.append(readings[j])
            j += 1
        if len(run) == len(declared) and all(r.arm is None for r in run):
            if len(run) == 2 or any(view.token(k).lower_ in versus for k in _between(run)):
                for reading, arm in zip(run, declared, strict=True):
                    reading.arm, reading.arm_n = arm.name, arm.n
        i = j


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
    between = [view.token(k) for k in range(a.token + 1, b.token)]
    if len(between) > 4:
        return False
    return all(
        t.lower_ in versus or t.lower_ in ("and", "or") or t.is_punct or t._.vocab == "timepoint"
        for t in between
    )
