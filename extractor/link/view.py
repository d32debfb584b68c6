"""One sentence as the linking steps see it: tokens, clauses, statistics and matches."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc

from extractor.annotate.document import AnnotatedSentence
from extractor.annotate.features import TokenFeatures
from extractor.annotate.statistics import Statistic
from extractor.rules.match import RuleMatch


@dataclass
class SentenceView:
    """Token-level facts of one annotated sentence (token indices are the Doc's)."""

    annotated: AnnotatedSentence
    matches: list[RuleMatch]
    clause_breaks: frozenset[str]
    comparisons: frozenset[str] = frozenset()  # break words that compare, not contrast
    clause: dict[int, int] = field(default_factory=dict)
    # clauses joined across comparison words: the sides of one comparison are one part
    part: dict[int, int] = field(default_factory=dict)
    # the opening bracket token each token is inside (innermost), if any
    bracket: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        number = 0
        parts = 0
        depth = 0
        opened: list[int] = []
        for token in self.tokens():
            if token.text in "([" and not token.is_stat:
                depth += 1
                opened.append(token.i)
            elif token.text in ")]" and not token.is_stat:
                depth = max(0, depth - 1)
                if opened:
                    opened.pop()
            elif opened:
                self.bracket[token.i] = opened[-1]
            if depth == 0 and (token.text == ";" or token.lower_ in self.clause_breaks):
                if not self._opens_bound(token.i):
                    number += 1
                    if token.lower_ not in self.comparisons:
                        parts += 1
            self.clause[token.i] = number
            self.part[token.i] = parts

    def _opens_bound(self, i: int) -> bool:
        """`less than 1% (n=48)`: a break word that is part of the bound of the value right
        after it (the statistic carries the relation) joins, it does not contrast."""
        nxt = i + 1
        if nxt >= self.end:
            return False
        feature = self.feat(nxt)
        return feature.is_stat and feature.relation in ("<", ">", "<=", ">=")

    @property
    def span(self):
        return self.annotated.span

    @property
    def doc(self) -> Doc:
        return self.annotated.span.doc

    @property
    def start(self) -> int:
        return self.annotated.span.start

    @property
    def end(self) -> int:
        return self.annotated.span.end

    def token(self, i: int) -> TokenFeatures:
        """Doc token `i` as the linking steps read it: text, flags and annotation."""
        return self.annotated.features[i]

    def tokens(self) -> list[TokenFeatures]:
        """The sentence's tokens, in order."""
        return self.annotated.features[self.start : self.end]

    def feat(self, i: int) -> TokenFeatures:
        """What annotation found at Doc token `i` (see `annotate/features.py`)."""
        return self.annotated.features[i]

    def terms(self, label: str) -> list[int]:
        """Tokens of the sentence that are terms of one vocabulary, in order (computed
        once per sentence: every value asks)."""
        cache = self.__dict__.setdefault("_terms", {})
        if not cache:
            for token in self.tokens():
                if token.vocab:
                    for name in token.labels():
                        cache.setdefault(name, []).append(token.i)
            cache.setdefault("", [])
        return cache.get(label, [])

    def stat(self, i: int) -> Statistic | None:
        return self.annotated.features[i].stat

    def stat_tokens(self) -> list[int]:
        return [i for i in range(self.start, self.end) if self.annotated.features[i].is_stat]

    def same_clause(self, a: int, b: int) -> bool:
        return self.clause.get(a) == self.clause.get(b)

    def char_start(self, i: int) -> int:
        return self.annotated.offset + self.annotated.features[i].idx

    def char_end(self, i: int) -> int:
        return self.annotated.offset + self.annotated.features[i].end_char

    def text_of(self, start: int, end: int) -> str:
        """Document text of Doc tokens [start, end)."""
        if start >= end:
            return ""
        features = self.annotated.features
        offset = self.annotated.offset
        return self.annotated.document[
            offset + features[start].idx : offset + features[end - 1].end_char
        ]

    def of_action(self, action: str) -> list[RuleMatch]:
        """The sentence's matches of rules of one action, in order (grouped once per
        sentence: every linking step asks)."""
        cache = self.__dict__.setdefault("_actions", {})
        if not cache:
            for m in self.matches:
                cache.setdefault(m.rule.action, []).append(m)
            cache.setdefault("", [])
        return cache.get(action, [])
