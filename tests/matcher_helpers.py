"""Run the prose engine on one sentence, for the matcher specifications."""

from __future__ import annotations

from functools import lru_cache

from extractor.pipeline import Extractor
from extractor.types import Evidence


@lru_cache(maxsize=1)
def extractor() -> Extractor:
    return Extractor.load()


def rows(text: str, kind: str | None = None) -> list[Evidence]:
    ex = extractor()
    found = ex.prose.rows_of(text, ex.splitter)
    return [r for r in found if kind is None or r.kind == kind]


def mention(text: str, row: Evidence) -> str:
    return text[row.char_start : row.char_end]
