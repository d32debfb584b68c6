"""Run the prose matchers on one sentence, for the matcher specifications."""

from __future__ import annotations

from functools import lru_cache

from extractor.matchers import find_evidence
from extractor.types import Evidence, Sentence
from extractor.vocab import Vocabulary


@lru_cache(maxsize=1)
def vocab() -> Vocabulary:
    return Vocabulary.load()


def rows(text: str, kind: str | None = None) -> list[Evidence]:
    found = find_evidence(text, [Sentence(0, len(text), text)], vocab())
    return [r for r in found if kind is None or r.kind == kind]


def mention(text: str, row: Evidence) -> str:
    return text[row.char_start : row.char_end]
