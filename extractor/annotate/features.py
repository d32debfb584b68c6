"""What a rule or a linking step may ask of a token, computed once per document.

After annotation every statistic and every vocabulary term is one token of the Doc. Their
features live in a plain list beside the Doc (one `TokenFeatures` per token) rather than
in spaCy's custom attributes: rules and linking read them many times per token, and a
slot on a plain object costs a fraction of an extension lookup. The names are those a
pattern writes under `_` (`{"_": {"shape": "estimate_sd"}}`).
"""

from __future__ import annotations

import re

from spacy.attrs import IDX, ORTH, SENT_START
from spacy.tokens import Doc, Token

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
    """The plain features of every token of a (merged) Doc; annotation fills the rest.

    Read from arrays and from each word's lexeme (its text, lower case and flags belong to
    the word, not to the token), because a Token object made per token costs more than all
    the rest."""
    words = _WORDS.setdefault(doc.vocab.lang, {})
    if len(words) > WORDS_KEPT:  # bounded memory, however many words a corpus holds
        words.clear()
    out = []
    for i, (orth, idx, sent_start) in enumerate(doc.to_array([ORTH, IDX, SENT_START]).tolist()):
        word = words.get(orth)
        if word is None:
            word = words[orth] = _word(doc[i])
        out.append(TokenFeatures(i, idx, *word, sent_start == 1))
    return out


def _word(token: Token) -> tuple[str, str, bool, bool, bool, bool]:
    """What a token's word says of it (the first token of a word seen stands for all)."""
    return (
        token.text,
        token.lower_,
        token.is_alpha,
        token.is_punct,
        token.is_digit,
        token.like_num,
    )


# a word's text and flags by its language and id (the hash of its text): words repeat
# across documents
_WORDS: dict[str, dict[int, tuple[str, str, bool, bool, bool, bool]]] = {}
WORDS_KEPT = 200_000
