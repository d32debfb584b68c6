"""All rules in one spaCy Matcher, run once per annotated Doc.

spaCy validates every pattern against its schema when the matcher is built (an unknown
token attribute fails there, with the rule's id in the message); the alignments spaCy
returns say which pattern token matched each Doc token, which is how a match's slots are
filled.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extractor.annotate import extensions
from extractor.rules.load import Rule, RuleError, load_rules

extensions.declare()


@dataclass(frozen=True)
class RuleMatch:
    """One rule matched over Doc tokens [start, end); slot name -> Doc token indices."""

    rule: Rule
    start: int
    end: int
    slots: dict[str, tuple[int, ...]]

    def slot(self, name: str) -> tuple[int, ...]:
        return self.slots.get(name, ())


class RuleSet:
    """The compiled rules of a patterns directory."""

    def __init__(self, rules: list[Rule], vocab: Vocab) -> None:
        self.rules = rules
        self.by_id = {rule.id: rule for rule in rules}
        self._matcher = Matcher(vocab, validate=True)
        for rule in rules:
            try:
                # an arm's name is the longest run its rule allows; other rules keep every
                # match, and the linking steps prefer the nearest (shortest) one
                greedy = "LONGEST" if rule.action == "arm" else None
                self._matcher.add(rule.id, [rule.pattern], greedy=greedy)
            except (ValueError, KeyError) as error:
                raise RuleError(f"{rule.source}: rule {rule.id!r}: {error}") from error

    @classmethod
    def load(cls, patterns_dir: Path, vocab: Vocab) -> RuleSet:
        return cls(load_rules(patterns_dir), vocab)

    def matches(self, doc: Doc) -> list[RuleMatch]:
        """Every match in `doc`, all lengths (the linking steps choose between them)."""
        out = []
        for key, start, end, alignment in self._matcher(doc, with_alignments=True):
            rule = self.by_id[doc.vocab.strings[key]]
            slots: dict[str, list[int]] = defaultdict(list)
            for offset, pattern_index in enumerate(alignment):
                name = rule.slots[pattern_index]
                if name:
                    slots[name].append(start + offset)
            out.append(RuleMatch(rule, start, end, {k: tuple(v) for k, v in slots.items()}))
        out.sort(key=lambda m: (m.start, m.end, m.rule.id))
        return out
