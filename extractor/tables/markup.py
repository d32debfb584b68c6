"""Inline markup of markdown and pandoc text, dropped from cells and captions.

Text tables arrive as markdown written by people or by pandoc: `**Item**`, `*Placebo
(*n* = 42)*`, `[Summary]{.smallcaps}`, `###### Results of ...`, links `[1](#)` used as
footnote references. The canonical form (docs/TABLE_TEXT.md) drops formatting but keeps
footnote markers as written, so an emphasis asterisk must go while the asterisk of
`0.02*` or `Water*` stays: an asterisk run is emphasis only when it opens before a word
and a run of the same length closes after one; anything else is a marker.
"""

from __future__ import annotations

import re

_LINK = re.compile(r"\[([^\[\]]*)\]\([^()\s]*\)")
_SPAN = re.compile(r"\[([^\[\]]*)\]\{[^{}]*\}")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_STARS = re.compile(r"\*+")
_SPACES = re.compile(r"\s+")
_SUPERSCRIPT_EMPTY = re.compile(r"\^\s*\^")


def clean_cell(text: str) -> str:
    """A cell's text in the canonical form: one line, no `|`, formatting dropped."""
    text = _SPAN.sub(r"\1", text)
    text = _drop_emphasis(text)
    text = _links(text)
    text = _SUPERSCRIPT_EMPTY.sub("", text)
    text = text.replace("|", "/").replace("\\", "")
    return _SPACES.sub(" ", text).strip()


def clean_caption(text: str) -> str:
    """A caption or footnote line: a cell's cleaning, and no heading marks."""
    return clean_cell(_HEADING.sub("", text))


def _links(text: str) -> str:
    """`[1](#)` glued to a number or word is a footnote reference (`^1^`); a link
    elsewhere keeps only its text."""

    def replace(match: re.Match[str]) -> str:
        before = text[match.start() - 1] if match.start() else " "
        inner = match.group(1)
        if before == "^" or not inner.strip():
            return inner
        return f"^{inner}^" if not before.isspace() and len(inner) <= 3 else inner

    return _LINK.sub(replace, text)


def _drop_emphasis(text: str) -> str:
    """Remove paired emphasis asterisks; unpaired ones are footnote markers and stay."""
    runs = list(_STARS.finditer(text))
    drop: set[int] = set()
    stack: list[re.Match[str]] = []
    for run in runs:
        before = text[run.start() - 1] if run.start() else " "
        after = text[run.end()] if run.end() < len(text) else " "
        opens = (before.isspace() or before in "([{/^") and not after.isspace()
        closes = not before.isspace() and (after.isspace() or after in ")]}.,;:/^")
        if closes and stack and len(stack[-1].group()) == len(run.group()):
            opener = stack.pop()
            drop.update((opener.start(), run.start()))
        elif opens:
            stack.append(run)
    if not drop:
        return text
    out, pos = [], 0
    for run in runs:
        if run.start() in drop:
            out.append(text[pos : run.start()])
            pos = run.end()
    out.append(text[pos:])
    return "".join(out)
