"""All rules matched over a sentence's annotated tokens, in time close to linear.

Patterns are spaCy token patterns, validated by spaCy's own schema (an unknown key or a
malformed operator fails with the rule's id). They are executed here rather than by
spaCy's `Matcher` because that matcher evaluates every Python-level predicate (`IN`
lists, custom attributes) at every token for every pattern that could start there, and a
pattern that starts with a run of name words (`the SI joint fusion group`) starts
everywhere: the cost grew with tokens × rules × run length.

Each pattern here is matched from its **anchor**, a token spec every match holds exactly
once and that can be looked up (a word list, a literal, a statistic's shape or unit
dimension, `integer`, a vocabulary term). An inverted index from each token's features
(its lower-cased text, its statistic shape, its vocabulary ...) to the rules anchored on
them gives the candidate positions; the specs after the anchor are matched forwards and
those before it backwards, with spaCy's operators (`?`, `*`, `+`, `!`, `{n,m}`). Matching
from any such spec finds the same matches, so the anchor is chosen for speed: first the
most selective kind of spec, then, once the first few thousand tokens are counted, the
lookup the fewest tokens answered to (`12 patients` after a comma is tried at integers,
not at every comma). A rule yields every match, all lengths, like spaCy's matcher without
`greedy`; arm rules keep the longest of overlapping matches (an arm's name is the longest
run its rule allows).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.schemas import validate_token_pattern

from extractor.annotate.features import TokenFeatures
from extractor.memo import BoundedCache
from extractor.rules.load import Rule, RuleError, load_rules

Predicate = Callable[[TokenFeatures], bool]
_FLAGS = {
    "IS_ALPHA": "is_alpha",
    "IS_PUNCT": "is_punct",
    "IS_DIGIT": "is_digit",
    "LIKE_NUM": "like_num",
    "IS_SENT_START": "sent_start",
}
_TEXTS = {"TEXT": "text", "ORTH": "text", "LOWER": "lower"}
_OPERATORS = re.compile(r"^(?:[?*+!1]|\{(\d*),?(\d*)\})$")
MAX_REPEAT = 50  # what `*` and `+` mean in tokens: a sentence rarely holds more
LOOKUP_MEMO = 200_000  # distinct token signatures kept before the memo starts afresh
LEARN_TOKENS = 5_000  # tokens counted before each rule's anchor is chosen from the counts
# the annotations a token answers to as index keys: (attribute, value) for these values,
# ("flag", name) for these flags when true
_KEYED_VALUES = ("shape", "vocab", "unit_dim", "category", "canonical")
_KEYED_FLAGS = ("is_stat", "sent_start", "like_num", "integer", "year_like")
REGEX_MEMO = 100_000  # values kept per REGEX test


@dataclass(frozen=True)
class RuleMatch:
    """One rule matched over Doc tokens [start, end); slot name -> Doc token indices."""

    rule: Rule
    start: int
    end: int
    slots: dict[str, tuple[int, ...]]

    def slot(self, name: str) -> tuple[int, ...]:
        return self.slots.get(name, ())


@dataclass(frozen=True)
class _Spec:
    test: Predicate
    low: int
    high: int
    negate: bool
    keys: tuple[tuple[str, Any], ...]  # index keys when selective: ("lower", w), ("shape", s)
    # the keys of every test that is a lookup (its words, its shape, its unit's dimension,
    # `integer` ...): a token matching the spec holds one key of each
    options: tuple[frozenset[tuple[str, Any]], ...] = ()


@dataclass(frozen=True, eq=False)  # hashed by identity: a cheap key per sentence
class _Compiled:
    rule: Rule
    specs: tuple[_Spec, ...]
    anchor: int
    # the index keys of every other spec a match cannot do without (mandatory, not
    # negated): a sentence holding none of one spec's keys cannot hold a match
    required: tuple[frozenset[tuple[str, Any]], ...] = ()
    # the specs right after and right before the anchor when a match must hold exactly
    # one token there: tested on the neighbours first, so most tries end in two calls
    after: _Spec | None = None
    before: _Spec | None = None


@dataclass(frozen=True, eq=False)
class _Anchor:
    """One way to match a rule from the index: a spec every match holds exactly once,
    the keys of one of its lookups, the keys every match needs somewhere in the sentence
    (every lookup of every other spec it cannot do without, and the spec's other
    lookups), and the exactly-once neighbours tried first."""

    compiled: _Compiled
    index: int
    spec: _Spec
    keys: frozenset[tuple[str, Any]]
    required: tuple[frozenset[tuple[str, Any]], ...]
    after: _Spec | None
    before: _Spec | None


class RuleSet:
    """The compiled rules of a patterns directory."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self.by_id = {rule.id: rule for rule in rules}
        self._compiled: list[_Compiled] = []
        self._unindexed: list[_Compiled] = []
        # every way to anchor each rule, and the one the index uses now
        self._anchors: dict[_Compiled, tuple[_Anchor, ...]] = {}
        chosen: dict[_Compiled, _Anchor] = {}
        for rule in rules:
            problems = validate_token_pattern(rule.pattern)
            if problems:
                raise RuleError(f"{rule.source}: rule {rule.id!r}: {'; '.join(problems)}")
            specs = tuple(_compile(token, rule) for token in rule.pattern)
            anchor = _anchor(specs)
            required = tuple(
                frozenset(spec.keys)
                for i, spec in enumerate(specs)
                if i != anchor and spec.low >= 1 and not spec.negate and spec.keys
            )
            compiled = _Compiled(
                rule,
                specs,
                anchor,
                required,
                _neighbour(specs, anchor + 1),
                _neighbour(specs, anchor - 1),
            )
            self._compiled.append(compiled)
            anchors = _anchors(compiled)
            if anchor >= 0 and specs[anchor].keys and anchors:
                self._anchors[compiled] = anchors
                first = frozenset(specs[anchor].keys)  # the static choice, until counts
                chosen[compiled] = next(a for a in anchors if a.index == anchor and a.keys == first)
            elif anchors:
                # the anchor spec is no index key (`integer`, a unit's dimension), yet some
                # exactly-once spec is a lookup: anchored there, it is not tried at every token
                self._anchors[compiled] = anchors
                chosen[compiled] = anchors[0]
            else:
                self._unindexed.append(compiled)
        self._static = {c: _static(c) for c in self._unindexed if c.anchor >= 0}
        # the index keys some spec looks up: a token's other keys (`("text", "the")` when
        # no rule names the word) can neither anchor nor satisfy a rule, so a sentence's
        # keys are gathered without them
        self._looked_up = frozenset(
            key
            for compiled in self._compiled
            for spec in compiled.specs
            for key in (*spec.keys, *(k for option in spec.options for k in option))
        )
        self._index: dict[tuple[str, Any], list[int]] = {}
        self._chosen: list[_Anchor] = []
        self._anchor_keys: frozenset[tuple[str, Any]] = frozenset()
        self._use(chosen)
        # how many tokens of each signature the first sentences held: once `LEARN_TOKENS`
        # are counted, each rule is anchored on its lookup that the fewest of them answer
        # to (a common word such as `in` or `,` is a poor anchor; `integer` often a better)
        self._counts: dict[tuple, list] | None = {}
        self._counted = 0

    def _use(self, chosen: dict[_Compiled, _Anchor]) -> None:
        """Index the rules by their chosen anchors' keys (in rule order)."""
        index: dict[tuple[str, Any], list[int]] = defaultdict(list)
        self._chosen = [chosen[c] for c in self._compiled if c in chosen]
        for number, anchor in enumerate(self._chosen):
            for key in sorted(anchor.keys, key=str):
                index[key].append(number)
        self._index = dict(index)
        self._anchor_keys = frozenset(index)
        # a token's index keys and candidate anchors (their numbers in `_chosen`), by its
        # features: words repeat. Only strings and numbers, so the garbage collector stops
        # tracking the entries at once; entries holding objects would stay tracked, and
        # ten thousand of them make a first pass trigger full collections of the heap.
        self._lookups: dict[tuple, tuple[tuple[tuple[str, Any], ...], tuple[int, ...]]] = {}

    def _learn(self) -> None:
        """Anchor each rule on its lookup that the fewest counted tokens answer to (the
        first of equals); the matches found do not depend on the anchor."""
        frequency: dict[tuple[str, Any], int] = defaultdict(int)
        for keys, count in (self._counts or {}).values():
            for key in keys:
                frequency[key] += count
        chosen = {
            compiled: min(anchors, key=lambda a: sum(frequency.get(k, 0) for k in a.keys))
            for compiled, anchors in self._anchors.items()
        }
        self._counts = None
        self._use(chosen)

    @classmethod
    def load(cls, patterns_dir: Path, vocab: Any = None) -> RuleSet:
        return cls(load_rules(patterns_dir))

    def matches(self, features: Sequence[TokenFeatures], start: int, end: int) -> list[RuleMatch]:
        """Every match inside tokens [start, end) (a sentence), all lengths.

        The sentence's index keys are gathered first, so a rule is tried only where every
        spec it cannot do without has a token to match in the sentence (`the hazard ratio
        for death` anchored on `for` needs a statistic somewhere): most tries at a common
        anchor word fail, and a sentence-wide check is cheaper than trying."""
        lookups = self._lookups
        counts = self._counts
        rows = []
        present: set[tuple[str, Any]] = set()
        for position in range(start, end):
            f = features[position]
            signature = (
                f.lower,
                f.text,
                f.shape,
                f.vocab,
                f.unit_dim,
                f.category,
                f.canonical,
                f.is_stat,
                f.sent_start,
                f.like_num,
                f.integer,
                f.year_like,
            )
            row = lookups.get(signature)
            if row is None:
                if len(lookups) >= LOOKUP_MEMO:
                    lookups.clear()
                looked_up = self._looked_up
                row = lookups[signature] = self._candidates(
                    tuple(key for key in _keys(f) if key in looked_up)
                )
            if counts is not None:
                counted = counts.get(signature)
                if counted is None:
                    counts[signature] = [row[0], 1]
                else:
                    counted[1] += 1
            present.update(row[0])
            rows.append(row[1])
        live: dict[_Anchor, bool] = {}
        chosen = self._chosen
        out: list[RuleMatch] = []
        position = start
        for candidates in rows:
            if candidates:
                feature = features[position]
                for number in candidates:
                    anchor = chosen[number]
                    alive = live.get(anchor)
                    if alive is None:
                        alive = True
                        for keys in anchor.required:
                            if keys.isdisjoint(present):
                                alive = False
                                break
                        live[anchor] = alive
                    if alive and anchor.spec.test(feature):
                        out += _matches_at(anchor, features, position, start, end)
            position += 1
        for compiled in self._unindexed:
            if not _possible(compiled, present):
                continue
            if compiled.anchor >= 0:  # anchored on a spec the index cannot look up
                anchor = self._static[compiled]
                for position in range(start, end):
                    if anchor.spec.test(features[position]):
                        out += _matches_at(anchor, features, position, start, end)
            else:
                for position in range(start, end + 1):
                    out += _matches_from(compiled, features, position, start, end)
        out = _dedupe(out)
        # a total order (slots break the ties of one rule over one span), so the order
        # does not depend on which spec a rule was matched from
        out.sort(key=lambda m: (m.start, m.end, m.rule.id, sorted(m.slots.items())))
        if counts is not None:
            self._counted += end - start
            if self._counted >= LEARN_TOKENS:
                self._learn()
        return out

    def _candidates(
        self, keys: tuple[tuple[str, Any], ...]
    ) -> tuple[tuple[tuple[str, Any], ...], tuple[int, ...]]:
        """A token's keys and the numbers of the anchors indexed under one of them (each
        once, in rule order)."""
        found: dict[int, None] = {}
        for key in keys:
            for number in self._index.get(key, ()):
                found[number] = None
        return keys, tuple(sorted(found))


def _anchors(compiled: _Compiled) -> tuple[_Anchor, ...]:
    """Every lookup of every spec a match of the rule holds exactly once."""
    specs = compiled.specs
    mandatory = [
        (i, option)
        for i, spec in enumerate(specs)
        if spec.low >= 1 and not spec.negate
        for option in spec.options
    ]
    return tuple(
        _Anchor(
            compiled,
            i,
            spec,
            option,
            tuple(keys for j, keys in mandatory if (j, keys) != (i, option)),
            _neighbour(specs, i + 1),
            _neighbour(specs, i - 1),
        )
        for i, spec in enumerate(specs)
        if spec.low == 1 and spec.high == 1 and not spec.negate
        for option in spec.options
    )


def _static(compiled: _Compiled) -> _Anchor:
    """The rule's anchor when the index cannot look it up (tried at every token)."""
    index = compiled.anchor
    return _Anchor(
        compiled,
        index,
        compiled.specs[index],
        frozenset(),
        compiled.required,
        compiled.after,
        compiled.before,
    )


def _keys(feature: TokenFeatures) -> tuple[tuple[str, Any], ...]:
    """The index keys a token answers to: a spec's lookup can match the token only if
    they share one."""
    keys: tuple[tuple[str, Any], ...] = (
        ("lower", feature.lower),
        ("text", feature.text),
        ("shape", feature.shape),
        ("vocab", feature.vocab),
        ("unit_dim", feature.unit_dim),
        ("category", feature.category),
        ("canonical", feature.canonical),
    )
    for flag in _KEYED_FLAGS:
        if getattr(feature, flag):
            keys += (("flag", flag),)
    return keys


def _possible(compiled: _Compiled, present: set[tuple[str, Any]]) -> bool:
    """Whether every spec the rule cannot do without can match some token of the sentence."""
    return all(not keys.isdisjoint(present) for keys in compiled.required)


def _dedupe(matches: list[RuleMatch]) -> list[RuleMatch]:
    """One match per (rule, span, slots); for arm rules only the longest of overlapping
    matches."""
    seen: set[tuple] = set()
    unique = []
    for m in matches:
        key = (m.rule.id, m.start, m.end, tuple(sorted(m.slots.items())))
        if key not in seen:
            seen.add(key)
            unique.append(m)
    by_rule: dict[str, list[RuleMatch]] = defaultdict(list)
    rest = []
    for m in unique:
        (by_rule[m.rule.id] if m.rule.action == "arm" else rest).append(m)
    for group in by_rule.values():
        # the longest match, then the one naming the most words (`adjuvant trastuzumab`
        # rather than `trastuzumab` after a gap that took `adjuvant`): a choice that does
        # not depend on the order matches were found in
        group.sort(key=lambda m: (-(m.end - m.start), -_named(m), m.start, sorted(m.slots.items())))
        kept: list[RuleMatch] = []
        taken: set[int] = set()
        for m in group:
            named = {i for name in ("arm", "value", "alias") for i in m.slot(name)}
            # two matches may share the words around them (`(182 exemestane, 189
            # tamoxifen)` shares the comma), not the names and values they read
            if not named & taken:
                kept.append(m)
                taken |= named
        rest += kept
    return rest


def _named(m: RuleMatch) -> int:
    return sum(len(m.slot(name)) for name in ("arm", "value", "alias"))


def _matches_at(
    anchor: _Anchor, features: Sequence[TokenFeatures], position: int, start: int, end: int
) -> list[RuleMatch]:
    """Matches whose anchor spec matched the token at `position`."""
    after, before = anchor.after, anchor.before
    if after is not None and (position + 1 >= end or not after.test(features[position + 1])):
        return []
    if before is not None and (position - 1 < start or not before.test(features[position - 1])):
        return []
    specs = anchor.compiled.specs
    index = anchor.index
    rights = _forward(specs, index + 1, features, position + 1, end)
    if not rights:
        return []
    lefts = _backward(specs, index - 1, features, position - 1, start)
    out = []
    for left_start, left_slots in lefts:
        for right_end, right_slots in rights:
            alignment = [*left_slots, index, *right_slots]
            out.append(_match(anchor.compiled.rule, left_start, right_end, alignment))
    return out


def _matches_from(
    compiled: _Compiled, features: Sequence[TokenFeatures], position: int, start: int, end: int
) -> list[RuleMatch]:
    return [
        _match(compiled.rule, position, right_end, slots)
        for right_end, slots in _forward(compiled.specs, 0, features, position, end)
        if right_end > position
    ]


def _match(rule: Rule, begin: int, finish: int, alignment: list[int]) -> RuleMatch:
    slots: dict[str, list[int]] = defaultdict(list)
    for offset, spec_index in enumerate(alignment):
        name = rule.slots[spec_index]
        if name:
            slots[name].append(begin + offset)
    return RuleMatch(rule, begin, finish, {k: tuple(v) for k, v in slots.items()})


def _forward(
    specs: tuple[_Spec, ...], index: int, features: Sequence[TokenFeatures], position: int, end: int
) -> list[tuple[int, list[int]]]:
    """(end position, spec index of each token) for every way specs[index:] match from
    `position` onwards."""
    if index == len(specs):
        return [(position, [])]
    spec = specs[index]
    out: list[tuple[int, list[int]]] = []
    if spec.negate:
        if position < end and not spec.test(features[position]):
            return [
                (p, [index, *rest])
                for p, rest in _forward(specs, index + 1, features, position + 1, end)
            ]
        return []
    count = 0
    p = position
    while True:
        if count >= spec.low:
            for finish, rest in _forward(specs, index + 1, features, p, end):
                out.append((finish, [index] * count + rest))
        if count >= spec.high or p >= end or not spec.test(features[p]):
            break
        count += 1
        p += 1
    return out


def _backward(
    specs: tuple[_Spec, ...],
    index: int,
    features: Sequence[TokenFeatures],
    position: int,
    start: int,
) -> list[tuple[int, list[int]]]:
    """(start position, spec index of each token) for every way specs[:index + 1] match
    ending at `position` (inclusive), going leftwards."""
    if index < 0:
        return [(position + 1, [])]
    spec = specs[index]
    out: list[tuple[int, list[int]]] = []
    if spec.negate:
        if position >= start and not spec.test(features[position]):
            return [
                (s, [*rest, index])
                for s, rest in _backward(specs, index - 1, features, position - 1, start)
            ]
        return []
    count = 0
    p = position
    while True:
        if count >= spec.low:
            for begin, rest in _backward(specs, index - 1, features, p, start):
                out.append((begin, rest + [index] * count))
        if count >= spec.high or p < start or not spec.test(features[p]):
            break
        count += 1
        p -= 1
    return out


def _neighbour(specs: tuple[_Spec, ...], index: int) -> _Spec | None:
    """The spec at `index` when every match holds exactly one token of it there (not
    optional, not repeated, not negated), else None."""
    if 0 <= index < len(specs):
        spec = specs[index]
        if spec.low == 1 and spec.high == 1 and not spec.negate:
            return spec
    return None


_SELECTIVITY = {"lower": 0, "text": 0, "vocab": 1, "shape": 2, "flag": 3}  # rarer first


def _anchor(specs: tuple[_Spec, ...]) -> int:
    """The most selective spec that must match exactly once and can be looked up in the
    index (a word before a vocabulary term, a term before a statistic's shape, a shape
    before a flag such as `is_stat` or a sentence start, which hold at many tokens; the
    first of equals); else the first mandatory spec; -1 when every spec is optional.
    Matching from any anchor finds the same matches; a rare anchor tries fewer places."""
    keyed = [
        (max(_SELECTIVITY.get(kind, 3) for kind, _ in spec.keys), i)
        for i, spec in enumerate(specs)
        if spec.low >= 1 and spec.high == 1 and spec.keys and not spec.negate
    ]
    if keyed:
        return min(keyed)[1]
    for i, spec in enumerate(specs):
        if spec.low >= 1 and spec.high == 1 and not spec.negate:
            return i
    return -1


def _compile(token: dict[str, Any], rule: Rule) -> _Spec:
    op = token.get("OP", "1")
    low, high, negate = _operator(op, rule)
    tests: list[str] = []  # Python expressions over the token's features `f`
    constants: dict[str, Any] = {}
    keys: list[tuple[str, Any]] | None = None
    options: list[frozenset[tuple[str, Any]]] = []
    for key, value in token.items():
        if key == "OP":
            continue
        if key in _TEXTS:
            attr = _TEXTS[key]
            test, words = _value_test(attr, value, constants)
            tests.append(test)
            if words is not None:
                found = [(attr, w.lower() if attr == "lower" else w) for w in words]
                options.append(frozenset(found))
                if keys is None:
                    keys = found
        elif key in _FLAGS:
            attr = _FLAGS[key]
            want = bool(value)
            tests.append(f"f.{attr} == {want!r}")
            if want and attr in ("sent_start", "like_num"):
                options.append(frozenset({("flag", attr)}))
                if keys is None:
                    keys = [("flag", attr)]
        elif key == "_":
            for name, inner in value.items():
                if not hasattr(TokenFeatures, "__slots__") or name not in TokenFeatures.__slots__:
                    raise RuleError(f"{rule.source}: rule {rule.id!r}: unknown attribute _.{name}")
                test, words = _value_test(name, inner, constants)
                tests.append(test)
                if name in _KEYED_VALUES and words is not None:
                    options.append(frozenset((name, w) for w in words))
                elif name in _KEYED_FLAGS and inner is True:
                    options.append(frozenset({("flag", name)}))
                if name in ("shape", "vocab") and words is not None and keys is None:
                    keys = [(name, w) for w in words]
                elif name == "is_stat" and inner is True and keys is None:
                    keys = [("flag", "is_stat")]
        else:
            raise RuleError(f"{rule.source}: rule {rule.id!r}: attribute {key} is not supported")

    return _Spec(_predicate(tests, constants), low, high, negate, tuple(keys or ()), tuple(options))


def _predicate(tests: list[str], constants: dict[str, Any]) -> Predicate:
    """One function for all of a spec's tests, compiled from their expressions: a rule
    asks it of many tokens, and one call with attribute reads inline costs a fraction of
    a call per test. The attribute names come from fixed tables or `TokenFeatures`'
    slots and the values are bound as constants, so no pattern text becomes code."""
    body = " and ".join(f"({test})" for test in tests) if tests else "True"
    namespace = {"__builtins__": {"str": str}, **constants}
    return eval(f"lambda f: {body}", namespace)  # noqa: S307


def _value_test(attr: str, value: Any, constants: dict[str, Any]) -> tuple[str, list | None]:
    """An expression testing one attribute (its value bound in `constants`), and the exact
    values it accepts when it is a lookup (a literal or an IN list) that the index can use."""
    name = f"_c{len(constants)}"
    if isinstance(value, dict):
        if "IN" in value:
            allowed = constants[name] = frozenset(value["IN"])
            return f"f.{attr} in {name}", sorted(allowed, key=str)
        if "NOT_IN" in value:
            constants[name] = frozenset(value["NOT_IN"])
            return f"f.{attr} not in {name}", None
        if "REGEX" in value:
            constants[name] = _regex_test(re.compile(value["REGEX"]))
            return f"{name}[f.{attr}]", None
        raise ValueError(f"unsupported predicate {value}")
    constants[name] = value
    return f"f.{attr} == {name}", [value]


def _regex_test(pattern: re.Pattern[str]) -> BoundedCache[Any, bool]:
    """Whether the regex is found in a value, by value: token texts repeat, so each is
    searched once (forgotten all at once past `REGEX_MEMO` values, to bound memory)."""
    return BoundedCache(lambda value: pattern.search(str(value)) is not None, REGEX_MEMO)


def _operator(op: str, rule: Rule) -> tuple[int, int, bool]:
    if not _OPERATORS.match(op):
        raise RuleError(f"{rule.source}: rule {rule.id!r}: operator {op!r} is not supported")
    if op == "1":
        return 1, 1, False
    if op == "!":
        return 1, 1, True
    if op == "?":
        return 0, 1, False
    if op == "*":
        return 0, MAX_REPEAT, False
    if op == "+":
        return 1, MAX_REPEAT, False
    low_text, high_text = _OPERATORS.match(op).groups()  # type: ignore[union-attr]
    if "," not in op:
        number = int(low_text)
        return number, number, False
    return int(low_text or 0), int(high_text) if high_text else MAX_REPEAT, False
