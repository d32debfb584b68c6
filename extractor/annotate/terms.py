"""Vocabulary terms as labelled token spans, found in one pass over a document.

The vocabularies of `patterns/` (instruments, complications, count nouns, effects,
baseline/follow-up phrases) name things. Here they become spaCy `PhraseMatcher`s, so a
document is searched once for all of them, whatever its length, instead of once per
sentence and per number. The spelling rules every vocabulary file promises are applied
when the matchers are built: case does not matter (except for a term written in capitals,
an abbreviation such as `OR` or `ODI`, which matches only as written), hyphen, space or
nothing between a term's parts (`VAS-pain`, `VAS pain`, `VASpain`), a plural ending.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from extractor.rules.load import RULES_DIR, SHARED_LISTS, _lists
from extractor.term_index import _is_abbreviation, _read_tsv
from extractor.vocab import _entries

# label of each vocabulary, and the file and category column it is read from
VOCABULARIES: tuple[tuple[str, str, str | None], ...] = (
    ("instrument", "instruments.tsv", "unit"),  # an instrument's category is its unit
    ("event", "complications.tsv", "category"),
    ("count_noun", "count_nouns.tsv", "category"),
    ("effect", "effects.tsv", None),
)
_PARTS = re.compile(r"[\s\-‐‑–]+")
MIXED_SEPARATOR_PARTS = 4  # terms of up to this many parts match any mix of spaces and hyphens


@dataclass(frozen=True)
class TermSpan:
    """A vocabulary term in a Doc: token indices [start, end), what it is and names."""

    start: int
    end: int
    label: str  # instrument | event | count_noun | effect | timepoint
    canonical: str
    category: str  # the event category, the counted unit's category, baseline/follow-up
    # the same words' readings in other vocabularies (`pain`: an instrument, and an event)
    also: tuple[tuple[str, str, str], ...] = ()


class TermVocabulary:
    """Every vocabulary of a patterns directory, compiled into two phrase matchers."""

    def __init__(
        self,
        vocab: Vocab,
        entries: Iterable[tuple[str, str, str, str]],
        coordinators: frozenset[str] = frozenset(),
        compound_heads: frozenset[str] = frozenset(),
    ) -> None:
        self.coordinators = coordinators  # words that join coordinated modifiers (`and`)
        self.compound_heads = compound_heads  # `X-related`: X modifies, it is not the term
        self._folded = PhraseMatcher(vocab, attr="LOWER")
        self._exact = PhraseMatcher(vocab, attr="ORTH")
        self._meta: dict[str, tuple[str, str, str]] = {}
        tokenizer = _Tokenizer(vocab)
        self._tokenizer = tokenizer
        for term, label, canonical, category in entries:
            key = f"{label}\x1f{canonical}\x1f{category}"
            self._meta[key] = (label, canonical, category)
            exact = _is_abbreviation(term)
            docs = [tokenizer(spelling) for spelling in spellings(term, plural=label != "effect")]
            (self._exact if exact else self._folded).add(key, docs)

    @classmethod
    def load(cls, directory: Path, vocab: Vocab) -> TermVocabulary:
        lists_path = directory / RULES_DIR / SHARED_LISTS
        lists = _lists(lists_path) if lists_path.is_file() else {}
        return cls(
            vocab,
            _read_entries(directory),
            frozenset(lists.get("coordinators", ())),
            frozenset(lists.get("compound_heads", ())),
        )

    def name_of(self, text: str, label: str) -> str | None:
        """The canonical name of `text` when the whole of it is one term of the vocabulary
        `label` (`severe hypoglycaemia` -> `severe hypoglycaemia`), else None."""
        reading = self._reading_of(text, label)
        return reading[0] if reading else None

    def category_of(self, text: str, label: str) -> str | None:
        """The category of `text` as one whole term of `label` (`patients` as a counted
        noun -> `person`), else None."""
        reading = self._reading_of(text, label)
        return reading[1] if reading else None

    def _reading_of(self, text: str, label: str) -> tuple[str, str] | None:
        """(canonical, category) of `text` as one whole term of `label`, else None."""
        doc = self._tokenizer(text)
        for term in self._matched(doc):
            if (term.start, term.end) == (0, len(doc)):
                if term.label == label:
                    return term.canonical, term.category
                return next(((c, cat) for lab, c, cat in term.also if lab == label), None)
        return None

    def _elided(self, doc: Doc, terms: list[TermSpan]) -> list[TermSpan]:
        """`The lumbar and radicular NRS`, `wound, urinary and chest infections`: a
        modifier coordinated with a term's first word shares the term's other words, and
        is a term of its own when the vocabulary knows the phrase they make (`lumbar NRS`
        -> NRS back pain). Looked up only before a coordinator, so the cost stays with
        the few terms written so."""
        if not self.coordinators:
            return []
        taken = {i for t in terms for i in range(t.start, t.end)}
        added: list[TermSpan] = []
        for term in terms:
            if term.end - term.start < 2 or term.label == "timepoint":
                continue
            head = doc[term.start + 1 : term.end].text
            joint = term.start - 1
            while joint >= 1 and doc[joint].lower_ in self.coordinators:
                word = doc[joint - 1]
                if word.i in taken or not word.is_alpha:
                    break
                reading = self._reading_of(f"{word.text} {head}", term.label)
                if reading is None:
                    break
                added.append(TermSpan(word.i, word.i + 1, term.label, *reading))
                taken.add(word.i)
                joint = word.i - 1
        return added

    def find(self, doc: Doc) -> list[TermSpan]:
        """Terms in `doc` (see `_matched`), with the modifiers coordinated with a term that
        the vocabulary names with the term's head (see `_elided`)."""
        terms = self._matched(doc)
        elided = self._elided(doc, terms)
        if elided:
            terms = sorted(terms + elided, key=lambda t: t.start)
        return terms

    def _matched(self, doc: Doc) -> list[TermSpan]:
        """Terms in `doc`, longest first where two overlap, in document order. Words that
        two vocabularies name (`pain` is an instrument and an event) are one term with its
        other readings in `also`: which one a value takes is the rules' and the linking's
        choice, by context (`Pain fell from 7 to 3`, `Pain was the most common event`)."""
        found = []
        for matcher in (self._folded, self._exact):
            for key_id, start, end in matcher(doc):
                label, canonical, category = self._meta[doc.vocab.strings[key_id]]
                found.append(TermSpan(start, end, label, canonical, category))
        found.sort(key=lambda t: (t.start, -(t.end - t.start)))
        kept: list[TermSpan] = []
        for term in found:
            if kept and term.start < kept[-1].end:
                last = kept[-1]
                same_words = (term.start, term.end) == (last.start, last.end)
                reading = (term.label, term.canonical, term.category)
                if same_words and term.label != last.label and reading not in last.also:
                    kept[-1] = TermSpan(
                        last.start, last.end, last.label, last.canonical, last.category,
                        (*last.also, reading),
                    )  # fmt: skip
                continue
            kept.append(term)
        return [t for t in kept if not self._modifies_compound(doc, t)]

    def _modifies_compound(self, doc: Doc, term: TermSpan) -> bool:
        """`febrile neutropenia-related hospitalisation`, `infection-associated death`: a
        term joined by a hyphen to a word of `compound_heads` is a modifier of what follows,
        so the vocabulary's name would label the wrong outcome."""
        if not self.compound_heads or term.end + 1 >= len(doc):
            return False
        hyphen, head = doc[term.end], doc[term.end + 1]
        return (
            hyphen.text in ("-", "‐", "–")
            and not doc[term.end - 1].whitespace_
            and not hyphen.whitespace_
            and head.lower_ in self.compound_heads
        )


class _Tokenizer:
    """The blank English tokenizer, so patterns split exactly as documents do."""

    def __init__(self, vocab: Vocab) -> None:
        import spacy

        self._nlp = spacy.blank("en", vocab=vocab)

    def __call__(self, text: str) -> Doc:
        return self._nlp.make_doc(text)


def spellings(term: str, plural: bool = True) -> list[str]:
    """The written forms a vocabulary term stands for (see the module docstring)."""
    parts = [p for p in _PARTS.split(term.strip()) if p]
    if not parts:
        return []
    joined = {" ".join(parts), "-".join(parts), "".join(parts), term.strip()}
    if 2 < len(parts) <= MIXED_SEPARATOR_PARTS:
        # `primary-outcome event`, `primary outcome-event`: each gap a space or a hyphen
        for mask in range(2 ** (len(parts) - 1)):
            form = parts[0]
            for k, part in enumerate(parts[1:]):
                form += ("-" if mask >> k & 1 else " ") + part
            joined.add(form)
    forms = set(joined)
    if plural and parts[-1][-1:].isalpha():
        for form in joined:
            if _is_abbreviation(term):
                forms.add(form + "s")
            elif form.endswith("y") and form[-2:-1] not in "aeiou":
                forms.add(form[:-1] + "ies")
            elif form.endswith(("s", "x", "ch", "sh")):
                forms.add(form + "es")
            else:
                forms.add(form + "s")
    return sorted(forms)


def _read_entries(directory: Path) -> list[tuple[str, str, str, str]]:
    """(term, label, canonical, category) for every vocabulary and baseline phrase."""
    out: list[tuple[str, str, str, str]] = []
    for label, filename, column in VOCABULARIES:
        path = directory / filename
        header = _header_of(path)
        rows = _read_tsv(path, header)

        def category(_lineno: int, row: dict[str, str], column: str | None = column) -> str:
            return row[column] if column else ""

        for term, canonical, cat in _entries(path, rows, category):
            out.append((term, label, canonical, cat))
    path = directory / "timepoints.tsv"
    for _lineno, row in _read_tsv(path, ["entry", "kind", "timepoint", "months_factor"]):
        entry = row["entry"]
        if row["kind"] == "phrase" and not entry.endswith(("-", "*")):
            out.append((entry, "timepoint", row["timepoint"], row["timepoint"]))
    return out


def _header_of(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip() and not line.lstrip().startswith("#"):
                return [f.strip() for f in line.rstrip("\r\n").split("\t")]
    raise ValueError(f"{path}: no header line")
