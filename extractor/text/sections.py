"""Normalised text -> sections: which part of a document a number sits in.

Sections decide two things downstream: the `section` column of every evidence row, and
whether a number is extracted at all (numbers in an introduction or a guidance section on
current treatments describe other work, not this document's evidence).

Model, kept deliberately simple:

* Headings come from patterns/sections.tsv (heading as written, canonical name, extract
  yes/no). They are recognised alone on a line ("Results", "Material and methods",
  "4 Efficacy", "## Methods", "II. Results"), as labels ("Results: A total of ...") at a
  line start or after a sentence end, and glued to the next word by careless copying
  ("ResultsThe lumbar ...", "Level of evidenceIV") when a known heading ending in a
  lower-case letter is directly followed by a capital. Unknown subheadings ("Population",
  "Follow-up outcomes") are not sections: their text stays in the enclosing section.
* Levels: a heading is top level (1), except a label or glued heading inside an abstract,
  which is a sublabel (2) named by itself ("results", "background") and nested in the
  abstract, so the abstract's background is not extracted but its results are. A heading
  alone on a line closes the abstract.
* Numbered guidance paragraphs ("4.3 In the RCT of 148 patients ...") at a line start are
  sections of kind 'paragraph' named "4.3", inheriting `extract` from the section they
  sit in. Table captions at a line start ("Table 3 Results") open a section of kind
  'table' named by the caption, always extracted, that runs until the next heading,
  paragraph, caption or figure caption, or until running prose resumes (with the
  heading-like line just before that prose, which is the next subheading).
* Sections nest: the list is flat and sorted by start, a paragraph or table lying inside
  its parent section; `section_at` returns the innermost one for an offset.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import regex

from extractor.patterns_dir import default_patterns_dir
from extractor.types import Section

SECTIONS_FILE = "sections.tsv"
COLUMNS = ("heading", "name", "extract")

_SENTENCE_END = regex.compile(r"[.?!;][)\]\"'”’]*[ \t]+")
_PARAGRAPH = regex.compile(r"(\d{1,2}\.\d{1,2})\.?[ \t]+(?=\p{Lu})")
_TABLE_CAPTION = regex.compile(
    r"(?:Table|TABLE)[ \t]+[A-Z]?\d{1,3}[A-Za-z]?(?:[.:|][ \t]*|[ \t]+|$)(?=\p{Lu}|\(|$)"
)
_FIGURE_CAPTION = regex.compile(r"(?:Fig\.?|Figure|FIG\.?)[ \t]*\d{1,3}")
_TERMINAL_END = regex.compile(r"[.?!:][)\]\"'”’]*$")
_PROSE_MIN_WORDS = 12
_PROSE_MIN_CHARS = 200
_SUBHEADING_MAX_CHARS = 60
_CAPTION_NAME_MAX_CHARS = 120


@dataclass(frozen=True)
class SectionVocabulary:
    """Known headings: normalised heading -> (canonical name, extract)."""

    entries: dict[str, tuple[str, bool]]
    source: str = ""
    _standalone: regex.Pattern[str] | None = field(default=None, repr=False, compare=False)
    _label: regex.Pattern[str] | None = field(default=None, repr=False, compare=False)
    _glued: regex.Pattern[str] | None = field(default=None, repr=False, compare=False)

    @classmethod
    def from_entries(
        cls, entries: dict[str, tuple[str, bool]], source: str = ""
    ) -> SectionVocabulary:
        normalised = {_key(heading): value for heading, value in entries.items()}
        if not normalised:
            return cls(normalised, source)
        alternation = "|".join(
            r"[ \t]+".join(regex.escape(word) for word in heading.split())
            for heading in sorted(normalised, key=len, reverse=True)
        )
        heads = f"(?i:(?P<head>{alternation}))"
        return cls(
            normalised,
            source,
            _standalone=regex.compile(
                r"(?:\#{1,6}[ \t]*)?"
                r"(?:(?P<number>\d{1,2}(?:\.\d{1,2})*|[IVX]{1,4})\.?[ \t]+)?"
                rf"{heads}[ \t]*[.:]?[ \t]*$"
            ),
            _label=regex.compile(rf"{heads}[ \t]*:(?=\s|$)"),
            _glued=regex.compile(rf"(?=\p{{Lu}}){heads}(?<=\p{{Ll}})(?=\p{{Lu}})"),
        )

    def lookup(self, heading: str) -> tuple[str, bool]:
        return self.entries[_key(heading)]


def _key(heading: str) -> str:
    return " ".join(heading.lower().split())


def load_section_vocabulary(path: Path | str | None = None) -> SectionVocabulary:
    """Read sections.tsv strictly: unknown columns, bad values and duplicates fail loudly."""
    path = Path(path) if path is not None else default_patterns_dir() / SECTIONS_FILE
    entries: dict[str, tuple[str, bool]] = {}
    first_line: dict[str, int] = {}
    header: list[str] | None = None
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.reader(handle, delimiter="\t"), 1):
            where = f"{path}:{number}"
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            cells = [cell.strip() for cell in row]
            if header is None:
                unknown = [cell for cell in cells if cell not in COLUMNS]
                if unknown:
                    raise ValueError(
                        f"{where}: unknown column {unknown[0]!r}; the columns are "
                        f"{', '.join(COLUMNS)}"
                    )
                missing = [column for column in COLUMNS if column not in cells]
                if missing or len(set(cells)) != len(cells):
                    raise ValueError(
                        f"{where}: the header must name each of {', '.join(COLUMNS)} once"
                    )
                header = cells
                continue
            if len(cells) != len(header):
                raise ValueError(
                    f"{where}: expected {len(header)} tab-separated fields "
                    f"({', '.join(header)}), found {len(cells)}"
                )
            record = dict(zip(header, cells, strict=True))
            heading, name, extract = record["heading"], record["name"], record["extract"]
            if not heading or not name:
                raise ValueError(f"{where}: heading and name must not be empty")
            if extract.lower() not in ("yes", "no"):
                raise ValueError(f"{where}: extract must be 'yes' or 'no', not {extract!r}")
            key = _key(heading)
            if key in entries:
                raise ValueError(
                    f"{where}: duplicate heading {heading!r} (first on line {first_line[key]})"
                )
            entries[key] = (name, extract.lower() == "yes")
            first_line[key] = number
    if header is None:
        raise ValueError(f"{path}: no header line ({', '.join(COLUMNS)})")
    return SectionVocabulary.from_entries(entries, source=str(path))


@dataclass(frozen=True)
class Heading:
    """Where a section starts, and where the text it introduces starts."""

    start: int
    body_start: int
    name: str
    kind: str  # 'section', 'paragraph', 'table', or 'figure' (ends a table, no section)
    extract: bool
    level: int  # 1 top level, 2 sublabel of an abstract, 3 paragraph or table
    glued: bool = False


def find_sections(text: str, headings: SectionVocabulary) -> list[Section]:
    """The recognised sections of `text`, sorted by start, outer before inner."""
    return sections_from_headings(text, find_headings(text, headings))


def find_headings(text: str, vocabulary: SectionVocabulary) -> list[Heading]:
    """Every heading, label, numbered paragraph and caption, in document order."""
    found: list[Heading] = []
    top: Heading | None = None
    container: Heading | None = None  # the innermost level 1 or 2 section open here
    for line_start, line_end in _lines(text):
        line = text[line_start:line_end]
        standalone = vocabulary._standalone.match(line) if vocabulary._standalone else None
        if standalone:
            name, extract = vocabulary.lookup(standalone.group("head"))
            top = container = Heading(line_start, line_end, name, "section", extract, level=1)
            found.append(top)
            continue
        paragraph = _PARAGRAPH.match(line)
        if paragraph and _is_prose_like(line):
            inherited = container.extract if container else True
            found.append(
                Heading(
                    line_start,
                    line_start + paragraph.end(),
                    paragraph.group(1),
                    "paragraph",
                    inherited,
                    level=3,
                )
            )
        elif _TABLE_CAPTION.match(line):
            found.append(Heading(line_start, line_end, _caption_name(line), "table", True, 3))
            continue
        elif _FIGURE_CAPTION.match(line):
            found.append(Heading(line_start, line_end, line, "figure", True, 3))
            continue
        for heading in _inline_headings(text, line_start, line_end, vocabulary, top):
            if heading.level == 1:
                top = heading
            container = heading
            found.append(heading)
    return found


def _lines(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        if text[start:end].strip():
            spans.append((start, end))
        start = end + 1
    return spans


def _inline_headings(
    text: str, line_start: int, line_end: int, vocabulary: SectionVocabulary, top: Heading | None
) -> list[Heading]:
    """Labels and glued headings at the line start or after a sentence end in the line."""
    if vocabulary._label is None or vocabulary._glued is None:
        return []
    line = text[line_start:line_end]
    candidates = [0] + [match.end() for match in _SENTENCE_END.finditer(line)]
    found: list[Heading] = []
    for candidate in candidates:
        position = candidate
        while position < len(line):
            label = vocabulary._label.match(line, position)
            glued = None if label else vocabulary._glued.match(line, position)
            match = label or glued
            if match is None:
                break
            name, extract = vocabulary.lookup(match.group("head"))
            in_abstract = top is not None and top.name == "abstract" and name != "abstract"
            body = match.end()
            while body < len(line) and line[body] in " \t":
                body += 1
            heading = Heading(
                line_start + position,
                line_start + body,
                name,
                "section",
                extract,
                level=2 if in_abstract else 1,
                glued=glued is not None,
            )
            found.append(heading)
            if heading.level == 1:
                top = heading
            position = body  # "AbstractBackground: ..." chains headings
    return found


def _is_prose_like(line: str) -> bool:
    stripped = line.strip()
    return bool(_TERMINAL_END.search(stripped)) or len(stripped.split()) >= _PROSE_MIN_WORDS


def _is_prose(line: str) -> bool:
    stripped = line.strip()
    if len(stripped) >= _PROSE_MIN_CHARS:
        return True
    return bool(_TERMINAL_END.search(stripped)) and len(stripped.split()) >= _PROSE_MIN_WORDS


def _looks_like_subheading(line: str) -> bool:
    stripped = line.strip()
    return (
        0 < len(stripped) <= _SUBHEADING_MAX_CHARS
        and stripped[0].isupper()
        and not any(ch.isdigit() for ch in stripped)
        and not _TERMINAL_END.search(stripped)
    )


def _caption_name(line: str) -> str:
    name = " ".join(line.split()).rstrip(".")
    if len(name) <= _CAPTION_NAME_MAX_CHARS:
        return name
    cut = name.rfind(" ", 0, _CAPTION_NAME_MAX_CHARS)
    return name[: cut if cut > 0 else _CAPTION_NAME_MAX_CHARS]


def sections_from_headings(text: str, headings: list[Heading]) -> list[Section]:
    """Give every heading its extent; figure captions only end tables."""
    sections: list[Section] = []
    for index, heading in enumerate(headings):
        if heading.kind == "figure":
            continue
        end = len(text)
        for later in headings[index + 1 :]:
            if later.level <= heading.level and later.kind != "figure":
                end = later.start
                break
            if heading.level == 3 and (later.kind != "figure" or heading.kind == "table"):
                end = later.start
                break
        if heading.kind == "table":
            end = min(end, _table_end(text, heading.body_start, end))
        end = _trim(text, heading.start, end)
        sections.append(
            Section(
                start=heading.start,
                end=end,
                name=heading.name,
                kind=heading.kind,
                extract=heading.extract,
            )
        )
    sections.sort(key=lambda s: (s.start, -s.end))
    return sections


def _table_end(text: str, after_caption: int, limit: int) -> int:
    """Where running prose resumes after a flattened table (or `limit`)."""
    previous: tuple[int, int] | None = None
    for start, end in _lines_between(text, after_caption, limit):
        if _is_prose(text[start:end]):
            if (
                previous is not None
                and text.count("\n", previous[1], start) == 1
                and _looks_like_subheading(text[previous[0] : previous[1]])
            ):
                return previous[0]
            return start
        previous = (start, end)
    return limit


def _lines_between(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + a, start + b) for a, b in _lines(text[start:end])]


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def heading_sentence_starts(headings: list[Heading]) -> list[int]:
    """Offsets the sentence splitter should start sentences at.

    Every heading starts a sentence; a glued heading's text also starts one, because
    "ResultsThe" has no space for the splitter to find.
    """
    starts = {heading.start for heading in headings}
    starts.update(heading.body_start for heading in headings if heading.glued)
    return sorted(starts)


def section_at(sections: list[Section], offset: int) -> Section | None:
    """The innermost (shortest) section containing `offset`, or None."""
    best: Section | None = None
    for section in sections:
        if section.start <= offset < section.end and (
            best is None or section.end - section.start <= best.end - best.start
        ):
            best = section
    return best


def extract_allowed(sections: list[Section], offset: int) -> bool:
    """Whether a number at `offset` is this document's evidence: the innermost decides."""
    section = section_at(sections, offset)
    return True if section is None else section.extract
