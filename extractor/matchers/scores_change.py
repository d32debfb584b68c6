"""Whether a number next to an instrument is a change (or a between-group difference).

A change is told by its cue (`patterns/cues.tsv`, roles `change` and `difference`):

- the cue right before the number: `improvement of 45.5`, `mean change was −2.4`,
  `improved by 21.3`, `the change was small at 6 months (0.02; ...)`;
- a change *noun* heading the clause whose verb introduces the number, however long the
  noun phrase: `The mean change in ODI from baseline to 6 months was −18.4`, `The mean
  between-group difference in EQ-5D at 6 months was 0.06`;
- the cue right after the number: `0.26 point increase`, `a 42% improvement`, `a 7-point
  reduction`.

Timepoints, durations and instrument names between the cue and the number (`at 6 months`,
`between baseline and 12 months`, `EQ-5D`) are masked first: their digits are when and
what, not another value that would end the phrase. A cue from the `difference` role makes
the row a between-group `difference`.
"""

from __future__ import annotations

import re

from extractor.matchers.context import SentenceContext
from extractor.quantities import Quantity

# nouns naming a change (`improvement`, `reduction`, `change`, `difference`, `gain`)
_NOUN_END = re.compile(r"(?:ment|tion|ease|ange|ence|line|gain|loss|drop)s?$", re.IGNORECASE)
TIME_UNIT = re.compile(
    r"(?:days?|weeks?|wks?|months?|mos?|years?|yrs?|hours?|hrs?|h|minutes?|mins?|min|"
    r"seconds?|sec)",
    re.IGNORECASE,
)
_FILLER = r"(?:only\s+|about\s+|approximately\s+|around\s+|a\s+|an\s+|(?:mean|median)\s+)?"


def masked_before(ctx: SentenceContext, q: Quantity, chars: int) -> str:
    """Text before `q` with timepoints, durations and instrument names blanked to letters.

    Offsets are kept (same length), so a regex over the result reads like the sentence
    with `at 6 months`, `between baseline and 12 months` and `EQ-5D` as plain words.
    """
    start = max(ctx.sentence.start, q.start - chars)
    chars_list = list(ctx.span(start, q.start))
    durations = [v for v in ctx.values if v.unit and TIME_UNIT.fullmatch(v.unit)]
    for span in [*ctx.timepoints, *ctx.instruments, *durations]:
        for pos in range(max(span.start, start), min(span.end, q.start)):
            if not chars_list[pos - start].isspace():
                chars_list[pos - start] = "x"
    return "".join(chars_list)


# `improved by 6.9 points with A and by 4.1 with B`, `KOOS pain improved by 47.7 points and
# KOOS ADL by 40.6`: the verb of the first change also governs the next (instruments masked)
_ELLIPSIS = re.compile(
    rf"(?:(?:\band|\bor|\bbut|\bwhereas|,)\s+(?:(?:the\s+)?x[x\-]*\s+){{0,4}}(?:by|of)\s+"
    rf"|\b(?:compared\s+with|versus|vs\.?|than)\s+){_FILLER}$",
    re.IGNORECASE,
)


# `... fell from A to B (p < 0.001) and body weight by 4.8 kg`: a second instrument taking
# the first one's change verb by ellipsis (`by` a number is always an amount of change)
_BY_ELLIPSIS = re.compile(
    rf"(?:\band|,)\s+(?:the\s+)?x[x\-]*(?:\s+x[x\-]*){{0,3}}\s+by\s+{_FILLER}$", re.IGNORECASE
)


def continues_change(ctx: SentenceContext, prev: Quantity, q: Quantity) -> bool:
    """`KOOS pain improved by 47.7 points (...) and KOOS ADL by 40.6 points`: `q` is the
    elliptic second change of `prev` (one list: they share the time written after it)."""
    if re.search(r"\b(?:from|to)\s+$", ctx.before(prev.start, 12), re.IGNORECASE):
        return False  # `fell from A to B and weight by C`: B is a score, C a change
    return ctx.prev_value(q) is prev and bool(_ELLIPSIS.search(masked_before(ctx, q, 120)))


def change_kind(ctx: SentenceContext, q: Quantity, depth: int = 0) -> str | None:
    """`change`, `difference`, or None when nothing marks `q` as a change."""
    left = masked_before(ctx, q, 120)
    prev = ctx.prev_value(q)
    if depth < 3 and prev is not None and _ELLIPSIS.search(left):
        kind = change_kind(ctx, prev, depth + 1)
        if kind is not None:
            return kind
    cues = ctx.vocab.cues_in(left, "change") + ctx.vocab.cues_in(left, "difference")
    if _BY_ELLIPSIS.search(left) and ctx.vocab.cues_in(left, "change"):
        return "change"  # `HbA1c fell from 8.9% to 7.6% and body weight by 4.8 kg`
    for cue in sorted(cues, key=lambda c: c.start, reverse=True):
        if _cue_before(cue.text, left[cue.end :], len(left) - cue.end) or _bracket_label(
            cue.text, left[: cue.start], left[cue.end :]
        ):
            near = left[max(0, min(cue.start, len(left) - 45)) :]
            return "difference" if ctx.vocab.cues_in(near, "difference") else "change"
    return _cue_after(ctx, q)


def _cue_before(cue: str, gap: str, distance: int) -> bool:
    """Whether the words between a cue and the number make the number the change."""
    gap = re.sub(r"^\w*", "", gap)  # the rest of a wildcard cue: `improv` + `ement`
    if re.search(r"(?:ed|rose|fell)$", cue, re.IGNORECASE) and re.fullmatch(
        rf"\s+{_FILLER}", gap, re.IGNORECASE
    ):
        return True  # `gained 9.1 points`, `improved 12 points`: the verb's object
    if _NOUN_END.search(cue) and re.fullmatch(
        r"(?:\s+(?:in|of|for)\s+[^.;,()\d]{1,40}?)?\s*[,:]\s*", gap, re.IGNORECASE
    ):
        return True  # `(between-group difference, 2.8 points; ...)`, `(difference in X, 3.9`
    if distance <= 70 and re.fullmatch(
        rf"(?:\s+(?!from\b|to\b)[\w\-]+){{0,4}}?\s+(?:of|was|were|by|is|:)\s+{_FILLER}",
        gap,
        re.IGNORECASE,
    ):
        return True  # `improvement of`, `mean change was`, `improved by`
    if re.fullmatch(r"[^.;()\d]{0,60}\bby\s+", gap, re.IGNORECASE):
        return True  # `improved with statistical significance by`
    if re.fullmatch(r"[^.;()\d]{0,40}\(\s*", gap, re.IGNORECASE):
        return True  # `the change was small at 6 months (0.02; ...)`
    if _NOUN_END.search(cue) and re.fullmatch(
        rf"(?:(?!\b(?:was|were|is|are)\b)[^.;,()\d]){{0,90}}"
        rf"\s(?:was|were|is|are|of|amounted\s+to|:|=)\s+{_FILLER}",
        gap,
        re.IGNORECASE,
    ):
        return True  # `The mean change in ODI from baseline to 6 months was`
    return False


def _bracket_label(cue: str, before: str, gap: str) -> bool:
    """`(difference 0.4; 95% CI ...)`, `(mean change -2.1 points, ...)`: a change noun
    opening a bracket labels the number right after it, with no `of`/`was` between."""
    gap = re.sub(r"^\w*", "", gap)
    return bool(
        _NOUN_END.search(cue)
        and re.search(r"\(\s*(?:[\w\-]+\s+){0,2}$", before)
        and re.fullmatch(rf"\s+{_FILLER}", gap, re.IGNORECASE)
    )


# `8.4 points lower in the surgery group than in the physiotherapy group`: one arm's value
# told against the other's is their difference
_COMPARATIVE = re.compile(
    r"^[\s\-]*(?:points?\s+)?(?:lower|higher|greater|smaller|less|more|better|worse)\s+"
    r"(?:in|with|for|among|on|after)\b[^.;]{0,80}?\bthan\b",
    re.IGNORECASE,
)


_GREATER = re.compile(r"\s*(?:greater|larger|bigger|smaller|lesser|additional)\s+", re.IGNORECASE)


def _cue_after(ctx: SentenceContext, q: Quantity) -> str | None:
    """`0.26 point increase`, `a 42% improvement`, `7-point reduction`, `8.4 points lower
    in A than in B` (a difference)."""
    if _COMPARATIVE.match(ctx.after(q.end, 120)):
        return "difference"
    right = ctx.after(q.end, 40)
    head = re.sub(r"^[\s\-]*(?:points?|pts?)?", "", right)
    greater = _GREATER.match(head)  # `a 4.4-point greater reduction`: between the arms
    if greater:
        head = head[greater.end() :]
    head = " ".join(head.split()[:2])
    found = ctx.vocab.cues_in(head, "change") + ctx.vocab.cues_in(head, "difference")
    share = ctx.vocab.cues_in(head, "share")
    if found and share and share[0].start == found[0].start:
        return None  # `the 11.8% loss to follow-up`: a share of patients, not a change
    if found and found[0].start < 3 and _NOUN_END.search(found[0].text):
        if greater:
            return "difference"
        return "difference" if ctx.vocab.cues_in(head, "difference") else "change"
    return None
