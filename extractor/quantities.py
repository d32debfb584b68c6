"""The prose matchers' name for what the statistic parser finds.

The parser itself is `extractor.annotate.statistics`: one grammar of statistical notation
for prose and table cells. This module keeps the name the matchers import while they are
ported, kind by kind, to the rule layer; it goes when the last of them has moved.
"""

from __future__ import annotations

from extractor.annotate.numbers import NumberWords
from extractor.annotate.statistics import Statistic, StatisticParser

Quantity = Statistic


def find_quantities(
    text: str, offset: int = 0, words: NumberWords | None = None
) -> list[Statistic]:
    """Statistics in `text`, left to right, never overlapping; offsets shifted by `offset`.

    `words` is accepted for the callers' sake; the parser reads the number words of the
    patterns directory it was built from.
    """
    return [s for s in StatisticParser.load().scan(text, offset) if s.kind != "noise"]
