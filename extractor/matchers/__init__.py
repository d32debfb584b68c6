"""The pattern layer: sentences in, evidence rows out.

Tables first (their rows are not prose: the table matcher reads them by column), then the
prose matchers on every other sentence where the document's own evidence may be
(`extract_allowed`), that does not cite references (conventions rule 1) and is not a
figure caption. The prose
matchers run in a fixed order — effects, sample sizes, complications, proportions, scores
and changes — and a number claimed by one is not reported again by the next.
"""

from __future__ import annotations

from collections.abc import Callable

from extractor.matchers import arms
from extractor.matchers.complications import find_complications, find_proportions
from extractor.matchers.context import SentenceContext, cites_reference
from extractor.matchers.effects import find_effects
from extractor.matchers.sample_size import find_sample_sizes
from extractor.matchers.scores import find_scores
from extractor.tables import find_table_evidence
from extractor.types import Evidence, Sentence
from extractor.vocab import Vocabulary

_PROSE = (find_effects, find_sample_sizes, find_complications, find_proportions, find_scores)


def find_prose_evidence(
    sentence: Sentence, vocab: Vocabulary, previous: SentenceContext | None = None
) -> list[Evidence]:
    """All prose rows of one sentence (no citation or section filtering)."""
    return _run(_context(sentence, vocab, previous))


def _context(
    sentence: Sentence,
    vocab: Vocabulary,
    previous: SentenceContext | None,
    document_arms: list[str] | None = None,
) -> SentenceContext:
    """A sentence continuing the previous one in the same paragraph inherits its instrument.

    The inheritance chains: a sentence that itself inherited passes the instrument on
    (`The mean change was only 0.05 points ...` then `For patients who crossed over, the
    change was small (0.02) ...` both continue the EQ-5D sentence), until a sentence names
    an instrument or the paragraph ends. Earlier instruments of the paragraph stay in the
    list (oldest first), so a generic `pain` finds the paragraph's pain scale even when
    another instrument was named in between.
    """
    carried = []
    arms: list[str] = []
    contrast: list[str] = []
    sd_declared = False
    if previous is not None and previous.sentence.end <= sentence.start:
        if sentence.start - previous.sentence.end < 4:
            sd_declared = previous.sd_declared  # `Data are mean (SD).` holds for the paragraph
            if previous.instruments:
                carried = [*previous.carried, *previous.instruments]
            # `Patients were assigned to A or B. ... in 32 (6.4%) and 27 (5.4%),
            # respectively`: the paragraph's arms stay known, in order
            arms, contrast = previous.declared_arms, previous.contrasted_arms
    return SentenceContext(
        sentence,
        vocab,
        carried=carried,
        carried_arms=arms,
        carried_contrast=contrast,
        document_arms=list(document_arms or []),
        sd_declared=sd_declared,
    )


# `Fig. 2 Two cases of ...`, `Figure 1: Flow of 240 patients`, but not `Figure 4 shows ...`
_CAPTION = r"^\s*{caption_label}\s*S?\d+[a-z]?[.:|]?\s+(?!{caption_verb})"  # words: cues.tsv


def is_caption(sentence: Sentence, vocab: Vocabulary) -> bool:
    """A figure caption describes a picture: none of its numbers is the study's result."""
    return bool(vocab.cue_pattern(_CAPTION).match(sentence.text))


def _run(ctx: SentenceContext) -> list[Evidence]:
    """The rows of one prose sentence: none for a figure caption, for every kind."""
    rows: list[Evidence] = []
    if is_caption(ctx.sentence, ctx.vocab):
        return rows
    for matcher in _PROSE:
        rows += matcher(ctx)
    return rows


def find_evidence(
    text: str,
    sentences: list[Sentence],
    vocab: Vocabulary,
    extract_allowed: Callable[[int], bool] = lambda _: True,
) -> list[Evidence]:
    tables = find_table_evidence(text, sentences, vocab)
    rows: list[Evidence] = [r for r in tables.evidence if extract_allowed(r.char_start)]
    consumed = set(tables.consumed)
    previous: SentenceContext | None = None
    # the arms earlier paragraphs declared (`Methods: ... randomly assigned to A or B`), for
    # a bare `respectively` in a later paragraph that names none
    document_arms: list[str] = []
    for sentence in sentences:
        if (sentence.start, sentence.end) in consumed or not extract_allowed(sentence.start):
            previous = None
            continue
        if previous is not None and "\n\n" in text[previous.sentence.end : sentence.start]:
            previous = None  # a blank line ends the paragraph
        ctx = _context(sentence, vocab, previous, document_arms)
        previous = ctx
        document_arms = arms.merge(document_arms, ctx.declared_arms)
        if cites_reference(sentence.text):
            continue
        rows += _run(ctx)
    rows.sort(key=lambda r: (r.char_start, r.char_end, r.kind))
    return rows
