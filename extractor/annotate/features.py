"""What a rule or a linking step may ask of a token, computed once per document.

After annotation every statistic and every vocabulary term is one token of the Doc. Their
features live in a plain list beside the Doc (one `TokenFeatures` per token) rather than
in spaCy's custom attributes: rules and linking read them many times per token, and a
slot on a plain object costs a fraction of an extension lookup. The names are those a
pattern writes under `_` (`{"_": {"shape": "estimate_sd"}}`).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from extractor.annotate.statistics import Statistic

_DECIMAL = re.compile(r"\d[.·]\d")  # a decimal mark between digits


class TokenFeatures:
    """One token's text, flags and annotation (see `patterns/rules/README.md`)."""

    __slots__ = (
        "i",
        "idx",
        "end_char",
        "text",
        "lower",
        "is_alpha",
        "is_punct",
        "is_digit",
        "like_num",
        "sent_start",
        "stat",
        "is_stat",
        "shape",
        "integer",
        "unit_dim",
        "relation",
        "compound",
        "year_like",
        "vocab",
        "canonical",
        "category",
        "also",
    )

    def __init__(self, i: int, idx: int, text: str, lower: str, is_alpha: bool, is_punct: bool,
                 is_digit: bool, like_num: bool, sent_start: bool) -> None:  # fmt: skip
        self.i = i  # index in the Doc
        self.idx = idx  # character offset in the Doc's text
        self.end_char = idx + len(text)
        self.text = text
        self.lower = lower
        self.is_alpha = is_alpha
        self.is_punct = is_punct
        self.is_digit = is_digit
        self.like_num = like_num
        self.sent_start = sent_start
        self.stat: Statistic | None = None
        self.is_stat = False
        self.shape = ""
        self.integer = False
        self.unit_dim = ""
        self.relation = ""
        self.compound = False
        self.year_like = False
        self.vocab = ""
        self.canonical = ""
        self.category = ""
        # other vocabularies' readings of the same words: (vocab, canonical, category)
        self.also: tuple[tuple[str, str, str], ...] = ()

    @property
    def lower_(self) -> str:  # spaCy's spelling, so linking code reads tokens either way
        return self.lower

    def set_statistic(self, stat: Statistic) -> None:
        self.stat = stat
        self.is_stat = True
        self.shape = stat.shape
        self.integer = (
            stat.kind == "value"
            and stat.value is not None
            and stat.value >= 0
            and float(stat.value).is_integer()
            and not stat.is_percent
            and stat.unit is None
            and stat.shape in ("number", "n_equals")
            and not _DECIMAL.search(stat.text[: max(0, stat.value_end - stat.start)] or stat.text)
        )  # `55.00 for LT` is a measured value written to two decimals, never a count
        self.unit_dim = stat.dimension or ""
        self.relation = stat.relation or ""
        self.compound = stat.compound
        self.year_like = stat.year_like

    def set_term(
        self, label: str, canonical: str, category: str, also: tuple[tuple[str, str, str], ...] = ()
    ) -> None:
        self.vocab = label
        self.canonical = canonical
        self.category = category
        self.also = also

    def labels(self) -> tuple[str, ...]:
        """Every vocabulary that names this token (its first reading first)."""
        return (self.vocab, *(label for label, _, _ in self.also))

    def canonical_as(self, label: str) -> str:
        """The canonical name of this token as a term of `label` (`pain` as an event),
        else its first reading's."""
        for other, canonical, _ in self.also:
            if other == label and self.vocab != label:
                return canonical
        return self.canonical


def features_of(doc: Doc) -> list[TokenFeatures]:
    """The plain features of every token of a (merged) Doc; annotation fills the rest."""
    return [
        TokenFeatures(
            t.i,
            t.idx,
            t.text,
            t.lower_,
            t.is_alpha,
            t.is_punct,
            t.is_digit,
            t.like_num,
            bool(t.is_sent_start),
        )
        for t in doc
    ]
