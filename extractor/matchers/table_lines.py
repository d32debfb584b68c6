"""The lines of a document as a table sees them: captions, labels, cell runs.

Kept apart from the table finder so that the finder reads as the decisions it makes
(where a table starts, where it ends) and these as the small facts it asks about a line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CAPTION = re.compile(
    r"^\s*(?:Table|TABLE|Tab\.)\s*(?P<num>\d+[A-Za-z]?|[IVXLC]+)\b(?P<sep>\s*[.:|—–-]+)?"
    r"\s*(?P<title>.*)$"
)
FIGURE = re.compile(r"^\s*(?:Fig\.|Figure|FIGURE)\s*\d+")
MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_GAP = re.compile(r"\S(?:.*?\S)?(?=\s{2,}|\t|\s*$)")
# a label ending in one of these is a wrapped line of prose ("... improved from 7.83")
_PROSE_END = frozenset(
    "from to of at was were in by and with than is are the a an for on or that which as".split()
)


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str

    @property
    def indent(self) -> int:
        return len(self.text) - len(self.text.lstrip())

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def lines_of(text: str) -> list[Line]:
    lines, start = [], 0
    for raw in text.split("\n"):
        lines.append(Line(start, start + len(raw), raw.rstrip("\r")))
        start += len(raw) + 1
    return lines


def caption_at(line: str) -> re.Match[str] | None:
    """A `Table N` line that is a title: punctuation after the number, or a capitalised,
    short title. `Table 2 shows the outcomes ...` starts a sentence and is not a caption."""
    match = _CAPTION.match(line)
    if match is None:
        return None
    title = match.group("title")
    if len(title.split()) > 30:
        return None
    if match.group("sep") or not title or title[0].isupper() or title[0] in "([0123456789":
        return match
    return None


def label_ok(label: str, has_parent: bool) -> bool:
    """A row label, not a wrapped line of prose that happens to end in a number."""
    words = label.split()
    if not words or len(words) > 12 or len(label) > 90:
        return False
    if re.search(r"[.!?]\s+[A-Z]", label) or words[-1].lower() in _PROSE_END:
        return False
    return has_parent or any(ch.isalpha() for ch in label)


def aligned_parts(line: Line) -> list[tuple[str, int, int]]:
    """Cells of a space-aligned line: runs of text separated by 2+ spaces or a tab."""
    return [(m.group(), line.start + m.start(), m.start()) for m in _GAP.finditer(line.text)]


def markdown_parts(line: Line) -> list[tuple[str, int]]:
    """Cells of a markdown line between the pipes, with their offsets."""
    body = line.text
    out, pos = [], body.index("|") + 1 if body.lstrip().startswith("|") else 0
    for piece in body[pos:].split("|"):
        lead = len(piece) - len(piece.lstrip())
        out.append((piece.strip(), line.start + pos + lead))
        pos += len(piece) + 1
    if out and not out[-1][0] and body.rstrip().endswith("|"):
        out.pop()
    return out
