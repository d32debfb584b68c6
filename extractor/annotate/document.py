"""A document's sentences with their statistics and terms as single tokens.

The sentence splitter's Docs are annotated in place: every statistic the parser finds
and every vocabulary term becomes one token whose features (see `features.py`) say what it is.
Rules then match sequences of such tokens, and the linking steps walk them, without any
step searching the text again.

Where a statistic and a term overlap, the term wins when it holds the statistic (`6-minute
walk distance`, `30-day mortality` are names, not numbers); the statistic wins otherwise.
A paragraph that declares its notation (`Values are mean (SD).`) reads every later bare
`x (y)` of the paragraph that way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from extractor.annotate.features import TokenFeatures, features_of
from extractor.annotate.statistics import Statistic, StatisticParser
from extractor.annotate.terms import TermSpan, TermVocabulary
from extractor.types import Sentence


@dataclass
class AnnotatedSentence:
    """One sentence of the merged Doc, with where it sits in the document."""

    sentence: Sentence
    span: Span  # tokens of the annotated Doc
    offset: int  # document offset of the Doc's first character
    paragraph: int  # consecutive sentences with no blank line between share a number
    features: list[TokenFeatures]  # of every token of the Doc (shared by its sentences)
    document: str  # the whole document text (a Doc's `.text` is rebuilt on every access)

    @property
    def tokens(self) -> Span:
        return self.span

    def char(self, token_index: int) -> int:
        """Document offset where a token of the Doc starts."""
        return self.offset + self.span.doc[token_index].idx

    def char_end(self, token_index: int) -> int:
        token = self.span.doc[token_index]
        return self.offset + token.idx + len(token.text)


def annotate(
    text: str,
    chunks: Iterable[tuple[Doc, int]],
    parser: StatisticParser,
    terms: TermVocabulary,
    read: Callable[[int, Sentence], bool] = lambda _number, _sentence: True,
) -> list[AnnotatedSentence]:
    """Annotate the splitter's chunk Docs; return the document's sentences in order.

    Statistics are looked for only in the sentences `read` admits (by their number in
    the document and their span): nothing reads those of the others (a full text's
    references and table lines, half its sentences), though their words may still
    declare a notation for the sentences after them."""
    out: list[AnnotatedSentence] = []
    number = 0
    paragraph = 0
    previous_end: int | None = None
    declared: tuple[str | None, str | None] = (None, None)
    for doc, offset in chunks:
        spans: list[tuple[int, int, dict]] = []
        found_terms = terms.find(doc)
        sentence_bounds: list[tuple[int, int]] = []
        for sent in doc.sents:
            begin, finish = _stripped(text, offset + sent.start_char, offset + sent.end_char)
            if begin >= finish:
                continue
            if previous_end is not None and "\n\n" in text[previous_end:begin]:
                paragraph += 1
                declared = (None, None)
            previous_end = finish
            own = parser.declared(text[begin:finish])
            meanings = (own[0] or declared[0], own[1] or declared[1])
            declared = meanings
            number += 1
            if not read(number - 1, Sentence(begin, finish, text[begin:finish])):
                continue
            stats = parser.scan(
                text[begin:finish], begin, paren_means=meanings[0], pair_means=meanings[1]
            )
            stats = parser.share_units(text, stats)
            sentence_bounds.append((sent.start, sent.end))
            spans += _stat_spans(doc, offset, stats, sent)
        spans = _resolve(spans, [_term_span(t) for t in found_terms])
        with doc.retokenize() as retokenizer:
            for start, end, _annotation in spans:
                if end - start > 1:
                    retokenizer.merge(doc[start:end])
        features = features_of(doc)
        removed = 0  # tokens merged away before the current span
        for start, end, annotation in spans:
            feature = features[start - removed]
            if isinstance(annotation, Statistic):
                feature.set_statistic(annotation)
            else:
                feature.set_term(*annotation)
            removed += end - start - 1
        for sent in doc.sents:
            begin, finish = _stripped(text, offset + sent.start_char, offset + sent.end_char)
            if begin >= finish:
                continue
            out.append(
                AnnotatedSentence(
                    Sentence(begin, finish, text[begin:finish]), sent, offset, 0, features, text
                )
            )
    _number_paragraphs(text, out)
    return out


def _stripped(text: str, begin: int, finish: int) -> tuple[int, int]:
    while begin < finish and text[begin].isspace():
        begin += 1
    while finish > begin and text[finish - 1].isspace():
        finish -= 1
    return begin, finish


def _number_paragraphs(text: str, sentences: list[AnnotatedSentence]) -> None:
    paragraph = 0
    for i, s in enumerate(sentences):
        if i and "\n\n" in text[sentences[i - 1].sentence.end : s.sentence.start]:
            paragraph += 1
        s.paragraph = paragraph


def _stat_spans(doc: Doc, offset: int, stats: list[Statistic], sent: Span) -> list:
    spans = []
    for stat in stats:
        if stat.kind == "noise":
            continue
        span = doc.char_span(stat.start - offset, stat.end - offset, alignment_mode="expand")
        if span is None or span.start < sent.start or span.end > sent.end:
            continue
        spans.append((span.start, span.end, stat))
    return spans


def _term_span(term: TermSpan) -> tuple[int, int, tuple[str, str, str]]:
    return (term.start, term.end, (term.label, term.canonical, term.category, term.also))


def _resolve(stats: list, terms: list) -> list:
    """Non-overlapping spans: a term holding a statistic wins, else the statistic.

    Both lists are sorted by start and do not overlap within themselves, so one sweep
    finds the statistics each term touches (linear in the number of spans)."""
    stats = sorted(stats, key=lambda span: (span[0], span[1]))
    dropped: set[int] = set()
    kept_terms = []
    first = 0
    for t in sorted(terms, key=lambda span: (span[0], span[1])):
        while first < len(stats) and stats[first][1] <= t[0]:
            first += 1
        touching = []
        k = first
        while k < len(stats) and stats[k][0] < t[1]:
            touching.append(k)
            k += 1
        inside = [k for k in touching if t[0] <= stats[k][0] and stats[k][1] <= t[1]]
        if len(inside) != len(touching):
            continue  # partly over a statistic: the number wins
        if any((stats[k][1] - stats[k][0]) >= (t[1] - t[0]) for k in inside):
            continue
        dropped.update(inside)
        kept_terms.append(t)
    merged = sorted(
        [span for k, span in enumerate(stats) if k not in dropped] + kept_terms,
        key=lambda span: (span[0], span[1]),
    )
    out = []
    for span in merged:
        if out and span[0] < out[-1][1]:
            continue
        if span[1] - span[0] >= 1:
            out.append(span)
    return out
