"""Reading `patterns/rules/*.yml` strictly: an unknown key, action, kind or list fails
with the file and the rule id, as spaCy refuses a malformed pattern.

A file holds named word lists (`lists:`) and rules (`rules:`). In a token pattern, a
string `$name` inside `IN`/`NOT_IN` stands for the list `name` of the same file (or of
`lists.yml`, shared by all), so one list of enrolment verbs serves every rule that needs
it and a clinician adds a verb in one place. A pattern token may carry `slot: <name>`:
the tokens it matches fill that slot of the match (the value, the arm, the measure ...).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

RULES_DIR = "rules"
SHARED_LISTS = "lists.yml"

ACTIONS = {
    # a statistic in slot `value` is evidence of `kind`
    "evidence": {
        "kind",
        "statistic",
        "timepoint",
        "priority",
        "group",
        "constant",
        "combine",
        "corroborate",
        "amount",
    },
    # a statistic in slot `value` is never evidence (a threshold, a dose, an age ...)
    "block": {"category"},
    # ConText: the cue (the whole match) changes what statistics in its scope mean
    "modifier": {
        "category",
        "direction",
        "scope",
        "terminated_by",
        "crosses_clauses",
        "crosses_comparisons",
    },
    # slot `arm` names a study arm (declared, or mentioned beside a value); slot `value`,
    # if any, is that arm's size
    "arm": {"priority", "sizes", "role"},
    # slot `value` (or the match) is a time: `timepoint`, and months from the value's unit
    "time": {"timepoint"},
    # slot `measure` names the outcome of the statistics in slot `value`: as `names` says
    # (a canonical name), else as the vocabulary names slot `qualifier` + slot `measure`
    # (`was severe in 9` after `Hypoglycaemia` -> `severe hypoglycaemia`), else as the
    # vocabulary names the term in slot `measure`
    "measure": {"priority", "names"},
    # the tokens of slot `list` are separators of an enumeration (`,`, `and`, `vs`)
    "respectively": set(),
}
COMMON = {"id", "action", "pattern", "note", "examples"}
KINDS = ("sample_size", "score", "change", "complication", "proportion", "effect")
MODIFIER_CATEGORIES = {
    "block",  # nothing in scope is evidence
    "change",  # a score in scope is a within-group change
    "difference",  # a score in scope is a between-group difference
    "event",  # a share in scope counts patients with an event (a complication)
    "baseline",  # values in scope were measured at baseline (`from 8.2 to 3.1`)
    "follow_up",  # values in scope were measured after baseline (`... to 3.1`)
    "mean",  # the values in scope are means
    "median",  # ... medians
    "population",  # sizes in scope are of an analysed population, not an arm
    "characteristic",  # shares in scope describe patients on entry: never complications
    "event_free",  # shares in scope count patients free from an event: efficacy, never events
    "level",  # a bare percent in scope is a level of an outcome measured in percent
    "relative",  # a bare percent in scope is a relative change or difference, not a share
}
DIRECTIONS = ("forward", "backward", "both")
SLOTS = {"value", "arm", "alias", "measure", "qualifier", "time", "unit", "list", "cue"}


@dataclass(frozen=True)
class Rule:
    """One rule of `patterns/rules/`; `pattern` is ready for spaCy's Matcher."""

    id: str
    action: str
    pattern: list[dict[str, Any]]
    slots: tuple[str | None, ...]  # the slot of each pattern token (None: unnamed)
    source: str  # file name, for error messages and reports
    kind: str | None = None
    statistic: str | None = None
    timepoint: str | None = None
    priority: int = 0
    group: str | None = None
    constant: float | None = None  # the value of a count written as a word (`no patients`)
    combine: bool = False  # the two values are one share: a count, then its percent
    # the shape alone is weak evidence: the value counts only where its context links it to
    # an outcome (a label, an arm, a time, a vocabulary term, a linking word, a comparison)
    corroborate: bool = False
    # the value is an amount of time an outcome moved by (`prolonged survival by 2.9
    # months`), even where a time rule reads the same words as when it was measured
    amount: bool = False
    sizes: bool = False  # an arm rule whose `value` is the arm's size
    names: str | None = None  # a measure rule's canonical name for what its values count
    role: str | None = None  # `intervention`: slot `alias` names the study's intervention
    category: str | None = None
    direction: str = "forward"
    scope: int = 8
    terminated_by: frozenset[str] = frozenset()  # tokens that end a modifier's scope
    crosses_clauses: bool = False  # a modifier whose scope is the sentence, not the clause
    # a modifier whose scope goes on across a comparison (`less often in A than in B (7% vs
    # 13%)`: both sides measure one outcome), not across a contrast (`;`, `whereas`)
    crosses_comparisons: bool = False
    examples: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the file and the rule."""


def load_rules(patterns_dir: Path) -> list[Rule]:
    """Every rule of `patterns_dir/rules/`, in file then listing order."""
    directory = patterns_dir / RULES_DIR
    if not directory.is_dir():
        raise RuleError(f"{directory}: the rules folder is missing")
    shared = _lists(directory / SHARED_LISTS) if (directory / SHARED_LISTS).is_file() else {}
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.yml")):
        if path.name == SHARED_LISTS:
            continue
        data = _yaml(path)
        unknown = set(data) - {"lists", "rules"}
        if unknown:
            raise RuleError(f"{path.name}: unknown top-level keys {sorted(unknown)}")
        lists = {**shared, **_lists_of(path, data.get("lists") or {})}
        for number, raw in enumerate(data.get("rules") or [], start=1):
            rule = _rule(path.name, number, raw, lists)
            if rule.id in seen:
                raise RuleError(f"{path.name}: rule id {rule.id!r} already in {seen[rule.id]}")
            seen[rule.id] = path.name
            rules.append(rule)
    return rules


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false. YAML 1.1 reads a bare `on`, `no`, `yes`, `off`
    as booleans, and those are words a rule lists (`on placebo`, `no complications`)."""


def _mapping_without_duplicates(loader: _Loader, node: yaml.MappingNode) -> dict[Any, Any]:
    """PyYAML lets a repeated key silently replace the first: a list defined twice would lose
    the words of one copy without a word said, so a repeated key is an error."""
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"{key!r} defined twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_duplicates)
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}  # noqa: S506
    except yaml.YAMLError as error:
        raise RuleError(f"{path.name}: not valid YAML ({error})") from error
    if not isinstance(data, dict):
        raise RuleError(f"{path.name}: expected a mapping with `lists` and `rules`")
    return data


def _lists(path: Path) -> dict[str, list[str]]:
    data = _yaml(path)
    unknown = set(data) - {"lists"}
    if unknown:
        raise RuleError(f"{path.name}: only `lists` belongs here, not {sorted(unknown)}")
    return _lists_of(path, data.get("lists") or {})


def _lists_of(path: Path, raw: Any) -> dict[str, list[str]]:
    if not isinstance(raw, dict):
        raise RuleError(f"{path.name}: `lists` must map names to lists of words")
    out: dict[str, list[str]] = {}
    for name, words in raw.items():
        if not isinstance(words, list):
            raise RuleError(f"{path.name}: list {name!r} must be a list of words")
        odd = [w for w in words if not isinstance(w, str)]
        if odd:  # YAML reads a bare no/on/yes as a boolean: quote such words
            raise RuleError(f"{path.name}: list {name!r} has non-words {odd!r} (quote them)")
        lowered = [w.lower() for w in words]
        repeated = sorted({w for w in lowered if lowered.count(w) > 1})
        if repeated:
            raise RuleError(f"{path.name}: list {name!r} repeats {repeated}")
        out[name] = lowered
    return out


def _rule(source: str, number: int, raw: Any, lists: dict[str, list[str]]) -> Rule:
    where = f"{source}: rule {number}"
    if not isinstance(raw, dict):
        raise RuleError(f"{where}: expected a mapping")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise RuleError(f"{where}: missing `id`")
    where = f"{source}: rule {rule_id!r}"
    action = raw.get("action")
    if action not in ACTIONS:
        raise RuleError(f"{where}: action {action!r} is not one of {sorted(ACTIONS)}")
    unknown = set(raw) - COMMON - ACTIONS[action]
    if unknown:
        raise RuleError(f"{where}: unknown keys {sorted(unknown)} for action {action!r}")
    if action == "evidence" and raw.get("kind") not in KINDS:
        raise RuleError(f"{where}: kind {raw.get('kind')!r} is not one of {KINDS}")
    if action == "modifier":
        if raw.get("category") not in MODIFIER_CATEGORIES:
            raise RuleError(
                f"{where}: category {raw.get('category')!r} not one of "
                f"{sorted(MODIFIER_CATEGORIES)}"
            )
        if raw.get("direction", "forward") not in DIRECTIONS:
            raise RuleError(f"{where}: direction must be one of {DIRECTIONS}")
    if action == "block" and not isinstance(raw.get("category"), str):
        raise RuleError(f"{where}: a block rule names its `category`")
    pattern = raw.get("pattern")
    if not isinstance(pattern, list) or not pattern:
        raise RuleError(f"{where}: `pattern` must be a non-empty list of token dicts")
    tokens, slots = [], []
    for token in pattern:
        if not isinstance(token, dict):
            raise RuleError(f"{where}: every pattern token must be a mapping")
        token = copy.deepcopy(token)
        slot = token.pop("slot", None)
        if slot is not None and slot not in SLOTS:
            raise RuleError(f"{where}: slot {slot!r} is not one of {sorted(SLOTS)}")
        tokens.append(_expand(token, lists, where))
        slots.append(slot)
    needs_value = action in ("evidence", "block", "measure")
    if action == "measure" and "measure" not in slots:
        raise RuleError(f"{where}: a measure rule needs a token with `slot: measure`")
    if needs_value and "value" not in slots:
        raise RuleError(f"{where}: an {action} rule needs a token with `slot: value`")
    if action == "arm" and "arm" not in slots and not raw.get("role"):
        raise RuleError(f"{where}: an arm rule needs a token with `slot: arm`")
    if raw.get("role") not in (None, "intervention"):
        raise RuleError(f"{where}: role must be `intervention`")
    if raw.get("role") and "alias" not in slots:
        raise RuleError(f"{where}: a role rule names the treatment in `slot: alias`")
    examples = raw.get("examples") or []
    if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
        raise RuleError(f"{where}: `examples` must be a list of sentences")
    return Rule(
        id=rule_id,
        action=action,
        pattern=tokens,
        slots=tuple(slots),
        source=source,
        kind=raw.get("kind"),
        statistic=raw.get("statistic"),
        timepoint=raw.get("timepoint"),
        priority=int(raw.get("priority", 0)),
        group=raw.get("group"),
        constant=_constant(where, raw.get("constant")),
        combine=bool(raw.get("combine", False)),
        corroborate=bool(raw.get("corroborate", False)),
        amount=bool(raw.get("amount", False)),
        sizes=bool(raw.get("sizes", False)),
        names=raw.get("names"),
        role=raw.get("role"),
        category=raw.get("category"),
        direction=raw.get("direction", "forward"),
        scope=int(raw.get("scope", 8)),
        crosses_clauses=bool(raw.get("crosses_clauses", False)),
        crosses_comparisons=bool(raw.get("crosses_comparisons", False)),
        terminated_by=frozenset(
            _expand({"IN": raw.get("terminated_by") or []}, lists, where)["IN"]
        ),
        examples=tuple(examples),
    )


def _constant(where: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RuleError(f"{where}: `constant` must be a number")
    return float(value)


def _expand(value: Any, lists: dict[str, list[str]], where: str) -> Any:
    """Replace `$name` list references inside a token pattern by the list's words."""
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            if key in ("IN", "NOT_IN") and isinstance(inner, str) and inner.startswith("$"):
                name = inner[1:]
                if name not in lists:
                    raise RuleError(f"{where}: unknown list ${name}")
                out[key] = list(lists[name])
            elif key in ("IN", "NOT_IN") and isinstance(inner, list):
                words: list[str] = []
                for item in inner:
                    if isinstance(item, str) and item.startswith("$"):
                        if item[1:] not in lists:
                            raise RuleError(f"{where}: unknown list {item}")
                        words += lists[item[1:]]
                    elif isinstance(item, bool):  # YAML 1.1 reads a bare on/no/yes as a boolean
                        raise RuleError(f"{where}: {item!r} in a word list: quote the word")
                    else:
                        words.append(item)
                out[key] = words
            else:
                out[key] = _expand(inner, lists, where)
        return out
    if isinstance(value, list):
        return [_expand(v, lists, where) for v in value]
    return value
