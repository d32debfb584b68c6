"""Normalised text -> sentences: the units a `quote` is taken from.

A statistical model would be the usual tool, but models are not downloaded here, and
clinical prose defeats general-purpose rules in predictable ways: "p < 0.001)." is not
always a sentence end, "et al." and "Fig." rarely are, "4.3 In the RCT ..." starts a
numbered guidance paragraph, and a table row or heading is a unit of its own. So the
pipeline is spaCy's blank English tokenizer plus one rule component,
`evidence_sentence_boundaries`, that sets `token.is_sent_start`:

* a sentence starts after every line break (normalisation keeps line breaks only for
  headings, table rows, list items and paragraphs);
* after ". ", "? " or "! " (closing brackets and quotes may sit between) when the next
  character is a capital, a digit or an opening bracket, unless the full stop belongs to
  an abbreviation in patterns/abbreviations.txt or to a list number at a line start
  ("4. Results");
* at any offset the caller passes in `extra_starts` (section starts, including headings
  glued to the next word, "ResultsThe lumbar ..."); a token is split if need be.

Long texts are processed in chunks cut at line breaks (and, for a giant single line, at
sentence boundaries), so memory stays flat and spaCy's `max_length` is never reached.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy
import regex
import spacy
from spacy.attrs import IDS, IDX, IS_SPACE, LENGTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import compile_infix_regex

from extractor.patterns_dir import default_patterns_dir
from extractor.types import Sentence

ABBREVIATIONS_FILE = "abbreviations.txt"
COMPONENT = "evidence_sentence_boundaries"
# Where a Doc carries the caller's extra sentence starts (offsets into the Doc's text).
EXTRA_STARTS_KEY = "evidence_extra_starts"
# ... and the text it was made from (the same as `doc.text`, which costs a pass to rebuild)
TEXT_KEY = "evidence_text"

_BEFORE_NUMBER = " before-number"

_PUNCTUATION_BOUNDARY = regex.compile(
    r"[.?!][)\]\"'”’»]*\s+(?=[\p{Lu}\p{N}(\[“\"‘«])", regex.VERSION1
)
_LINE_START = regex.compile(r"\n\s*(?=\S)")
_OPENERS = "([{\"'“‘«"
_LIST_NUMBER = regex.compile(r"(?:\d{1,3}(?:\.\d{1,3})*|[A-Za-z]|[ivxlcIVXLC]{1,5})\.")


@dataclass(frozen=True)
class Abbreviations:
    """Lower-cased abbreviations, each with its full stop(s)."""

    always: tuple[str, ...]
    before_number: tuple[str, ...]

    @cached_property
    def longest(self) -> int:
        return max((len(entry) for entry in (*self.always, *self.before_number)), default=0)


def load_abbreviations(path: Path | str) -> Abbreviations:
    """Read the abbreviation list strictly: a malformed line names its file and line."""
    path = Path(path)
    always: list[str] = []
    before_number: list[str] = []
    seen: dict[str, int] = {}
    for number, raw_line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        entry = raw_line.strip()
        if not entry or entry.startswith("#"):
            continue
        target = always
        if entry.endswith(_BEFORE_NUMBER):
            entry, target = entry[: -len(_BEFORE_NUMBER)].strip(), before_number
        key = " ".join(entry.lower().split())
        where = f"{path}:{number}"
        if not key.endswith(".") or "  " in entry:
            raise ValueError(
                f"{where}: cannot read {raw_line.strip()!r}; expected an abbreviation ending "
                "in '.', optionally followed by 'before-number'"
            )
        if key in seen:
            raise ValueError(
                f"{where}: duplicate abbreviation {entry!r} (first on line {seen[key]})"
            )
        seen[key] = number
        target.append(key)
    return Abbreviations(tuple(always), tuple(before_number))


def sentence_starts(
    text: str, abbreviations: Abbreviations, extra_starts: Iterable[int] = ()
) -> list[int]:
    """Offsets in `text` where a sentence starts (the first is not included: it is 0)."""
    starts = {match.end() for match in _LINE_START.finditer(text)}
    for match in _PUNCTUATION_BOUNDARY.finditer(text):
        if text[match.start()] != "." or _full_stop_ends_sentence(
            text, match.start(), match.end(), abbreviations
        ):
            starts.add(match.end())
    for offset in extra_starts:
        while 0 <= offset < len(text) and text[offset].isspace():
            offset += 1
        if 0 < offset < len(text):
            starts.add(offset)
    return sorted(starts)


def _full_stop_ends_sentence(
    text: str, dot: int, next_start: int, abbreviations: Abbreviations
) -> bool:
    # Only a short window before the full stop is looked at, so the cost per candidate is
    # constant however long the text is.
    window_start = max(0, dot + 1 - abbreviations.longest - 1)
    before = text[window_start : dot + 1].lower()
    at_text_start = window_start == 0
    if _ends_with_any(before, abbreviations.always, at_text_start):
        return False
    if text[next_start].isdigit() and _ends_with_any(
        before, abbreviations.before_number, at_text_start
    ):
        return False
    word_start = dot
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    while word_start < dot and text[word_start] in _OPENERS:
        word_start += 1
    return not (
        _at_line_start(text, word_start) and _LIST_NUMBER.fullmatch(text, word_start, dot + 1)
    )


def _at_line_start(text: str, offset: int) -> bool:
    while offset > 0 and text[offset - 1] in " \t":
        offset -= 1
    return offset == 0 or text[offset - 1] == "\n"


def _ends_with_any(before: str, entries: tuple[str, ...], at_text_start: bool) -> bool:
    for entry in entries:
        if before.endswith(entry):
            start = len(before) - len(entry)
            if (start == 0 and at_text_start) or (start > 0 and not before[start - 1].isalpha()):
                return True
    return False


class EvidenceSentenceBoundaries:
    """The spaCy component: sets `is_sent_start` on every token from the rules above."""

    def __init__(self, abbreviations: Abbreviations) -> None:
        self.abbreviations = abbreviations

    def __call__(self, doc: Doc) -> Doc:
        extra = doc.user_data.get(EXTRA_STARTS_KEY, ())
        # the splitter hands over the text it tokenised: `doc.text` is rebuilt from a Token
        # object per token on every access
        text = doc.user_data.get(TEXT_KEY)
        if text is None:
            text = doc.text
        starts = sentence_starts(text, self.abbreviations, extra)
        _split_tokens_at(doc, starts)
        if not len(doc):
            return doc
        # Set in bulk, from the token offsets as arrays: assigning token.is_sent_start one
        # by one re-checks the whole Doc on every assignment (quadratic in the chunk), and
        # a Python pass over every token costs more than the few starts need.
        offsets = doc.to_array([IDX, IS_SPACE])
        first = numpy.isin(offsets[:, 0], numpy.array(starts, dtype="uint64"))
        first &= offsets[:, 1] == 0
        first[0] = True
        values = numpy.where(first, 1, -1).astype("int64").astype("uint64").reshape(-1, 1)
        doc.from_array([SENT_START], values)
        return doc


def _split_tokens_at(doc: Doc, starts: list[int]) -> None:
    """Split tokens that a sentence start falls inside, e.g. a heading glued to a word."""
    if not starts or not len(doc):
        return
    # each start looks up the token it falls in (the last one beginning before it),
    # rather than every token looking for starts
    spans = doc.to_array([IDX, LENGTH])
    token_starts = spans[:, 0].tolist()
    token_ends = (spans[:, 0] + spans[:, 1]).tolist()
    inside: dict[int, list[int]] = {}
    for offset in starts:
        i = bisect.bisect_left(token_starts, offset) - 1
        if i >= 0 and offset < token_ends[i]:
            inside.setdefault(i, []).append(offset)
    splits = sorted(inside.items())
    if not splits:
        return
    with doc.retokenize() as retokenizer:
        for index, inner in splits:
            token = doc[index]
            cuts = [0, *(offset - token.idx for offset in inner), len(token.text)]
            orths = [token.text[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
            retokenizer.split(token, orths, heads=[(token, 0)] * len(orths))


@Language.factory(COMPONENT, default_config={"abbreviations_path": None})
def make_evidence_sentence_boundaries(
    nlp: Language, name: str, abbreviations_path: str | None
) -> EvidenceSentenceBoundaries:
    path = abbreviations_path or default_patterns_dir() / ABBREVIATIONS_FILE
    return EvidenceSentenceBoundaries(load_abbreviations(path))


PERCENT_SLASH = r"(?<=%)/(?=[0-9.·])"
# The word attributes anything downstream reads (`annotate/features.py`, the term phrase
# matchers on LOWER and ORTH, the boundaries' IS_SPACE), and NORM, spaCy's own default.
WORD_ATTRIBUTES = ("LOWER", "NORM", "IS_ALPHA", "IS_DIGIT", "IS_PUNCT", "LIKE_NUM", "IS_SPACE")


class SentenceSplitter:
    """Built once per run (loading spaCy is the slow part); `split` is then cheap."""

    def __init__(
        self, abbreviations_path: Path | str | None = None, chunk_chars: int = 100_000
    ) -> None:
        path = abbreviations_path or default_patterns_dir() / ABBREVIATIONS_FILE
        self.nlp = spacy.blank("en")
        # spaCy computes every word attribute it knows (shape, stop word, URL, e-mail,
        # prefix, suffix ...) by a Python call each, once per new word, and each merged
        # statistic is a new word: only those read are kept (measured on 188 abstracts,
        # splitting alone 0.23 -> 0.18 s CPU)
        keep = {IDS[name] for name in WORD_ATTRIBUTES}
        getters = self.nlp.vocab.lex_attr_getters
        for attribute in [a for a in getters if a not in keep]:
            del getters[attribute]
        # spaCy strips prefixes and suffixes one at a time, each a search of the whole
        # word: a run of thousands of brackets costs the square of its length. A word
        # longer than any real one is kept whole instead (it is noise, not prose).
        self.nlp.tokenizer.token_match = _overlong_word
        # `10.8%/5.4%` (a percent for each arm of `(A/B)`) is two statistics: the slash
        # after a percent parts two tokens, so that each can be one
        infixes = [*self.nlp.Defaults.infixes, PERCENT_SLASH]
        self.nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
        self.nlp.add_pipe(COMPONENT, config={"abbreviations_path": str(path)})
        self.abbreviations = self.nlp.get_pipe(COMPONENT).abbreviations
        self.chunk_chars = chunk_chars

    def split(self, text: str, extra_starts: Iterable[int] = ()) -> list[Sentence]:
        """Sentences of `text` in order, stripped, with `text[start:end] == sentence.text`."""
        return sentences_of(text, self.docs(text, extra_starts))

    def docs(self, text: str, extra_starts: Iterable[int] = ()) -> Iterator[tuple[Doc, int]]:
        """The tokenised chunks of `text`, sentence starts set, each with its offset.

        The annotation stage works on these same Docs, so a document is tokenised once.
        """
        extras = sorted(set(extra_starts))
        docs = ((self._doc(text, start, end, extras), start) for start, end in self._chunks(text))
        yield from self.nlp.pipe(docs, as_tuples=True, batch_size=64)

    def _doc(self, text: str, start: int, end: int, extras: list[int]) -> Doc:
        chunk = text[start:end]
        doc = self.nlp.make_doc(chunk)
        low, high = bisect.bisect_left(extras, start), bisect.bisect_left(extras, end)
        doc.user_data[EXTRA_STARTS_KEY] = tuple(offset - start for offset in extras[low:high])
        doc.user_data[TEXT_KEY] = chunk
        return doc

    def _chunks(self, text: str) -> Iterator[tuple[int, int]]:
        """Spans of at most `chunk_chars`, cut only where a sentence starts anyway."""
        limit = self.chunk_chars
        chunk_start = 0
        position = 0
        while position < len(text):
            line_end = text.find("\n", position)
            line_end = len(text) if line_end == -1 else line_end + 1
            if line_end - chunk_start > limit and position > chunk_start:
                yield chunk_start, position
                chunk_start = position
            if line_end - position > limit:
                yield from self._cut_long_line(text, position, line_end)
                chunk_start = line_end
            position = line_end
        if chunk_start < len(text):
            yield chunk_start, len(text)

    def _cut_long_line(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        """A line longer than a chunk: cut at sentence ends, else (garbage) at a space."""
        limit = self.chunk_chars
        while end - start > limit:
            window = text[start : start + limit]
            cuts = sentence_starts(window, self.abbreviations)
            cut = cuts[-1] if cuts else 0
            if cut <= 0:
                space = window.rfind(" ")
                cut = space + 1 if space > 0 else limit
            yield start, start + cut
            start += cut
        yield start, end


MAX_WORD = 120  # characters: longer whitespace-free runs are one token (see SentenceSplitter)


def _overlong_word(text: str) -> bool:
    return len(text) > MAX_WORD


def sentences_of(text: str, docs: Iterable[tuple[Doc, int]]) -> list[Sentence]:
    """The sentences of chunk Docs (as `SentenceSplitter.docs` yields them), stripped."""
    sentences: list[Sentence] = []
    for doc, offset in docs:
        for span in doc.sents:
            begin = offset + span.start_char
            finish = offset + span.end_char
            while begin < finish and text[begin].isspace():
                begin += 1
            while finish > begin and text[finish - 1].isspace():
                finish -= 1
            if begin < finish:
                sentences.append(Sentence(begin, finish, text[begin:finish]))
    return sentences
