"""RawText -> NormalisedText: the one string every evidence offset points into.

Text copied out of PDFs and exported from typesetting systems is hard-wrapped, hyphenated
at line ends, full of ligatures, non-breaking and zero-width spaces, and split into pages.
Patterns written against running prose would miss "fre-\\nquencies" or "7.83\\n(± 1.71)",
so this stage rebuilds running prose while keeping the lines that carry structure
(headings, table rows, list items, numbered guidance paragraphs) on lines of their own,
because the sentence splitter and the section finder rely on them.

Decisions worth knowing:

* Characters: ligatures become letters, soft hyphens and zero-width characters go,
  non-breaking/thin spaces become spaces, U+2010/U+2011 (typographic hyphens) become
  "-". Dashes, the minus sign (U+2212), ± ≤ ≥ are kept: they carry meaning (a range, a
  negative number) that ASCII folding would destroy. Other control characters are
  dropped; a form feed is a paragraph break.
* Line ends: a word broken by a hyphen is joined without the hyphen unless the hyphen is
  part of the word (rules in the module, vocabulary in patterns/hyphen_prefixes.txt).
  Other line breaks are joined with one space when the line is running prose (a wrapped
  line of near-full width, a line ending mid-clause, a next line starting in lower case)
  and kept when the line is a heading, table row, list item or caption.
* Blank lines are paragraph breaks ("\\n\\n") except where a sentence plainly continues
  across them (no terminal punctuation before, lower case after), which happens when a
  PDF column or a float interrupts a sentence.
* A reader that writes each paragraph on one line itself (JATS and PubMed XML) says so
  with `RawText.reflow = False`: its line breaks are all kept, because a heading in lower
  case ("methods" above "data") would otherwise be run into the next line.
* Pages are joined by "\\n\\n" or, when a sentence runs over the page break, by the same
  join as a line break; `page_starts[i]` is the offset of the first character that came
  from page i + 1, so a join never moves a character to the wrong page.

The output is built line by line from pieces whose page is known, never by rewriting the
whole string, so offsets and page starts are exact and the result is deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from extractor.patterns_dir import default_patterns_dir
from extractor.types import NormalisedText, RawText

HYPHEN_RULES_FILE = "hyphen_prefixes.txt"

_SOFT_HYPHEN = "\u00ad"

# One translation table for everything that is only a different way of writing the same
# text. Soft hyphens are handled separately: at a line end they mark a word break.
_CHAR_MAP: dict[int, str] = {
    ord("\ufb00"): "ff",
    ord("\ufb01"): "fi",
    ord("\ufb02"): "fl",
    ord("\ufb03"): "ffi",
    ord("\ufb04"): "ffl",
    ord("\ufb05"): "st",
    ord("\ufb06"): "st",
    ord("\u2010"): "-",
    ord("\u2011"): "-",
    ord("\t"): " ",
    ord("\u00a0"): " ",
    ord("\u1680"): " ",
    ord("\u202f"): " ",
    ord("\u205f"): " ",
    ord("\u3000"): " ",
    ord("\u200b"): "",
    ord("\u200c"): "",
    ord("\u200d"): "",
    ord("\u2060"): "",
    ord("\ufeff"): "",
    ord("\f"): "\n\n",
    ord("\v"): "\n",
    ord("\u2028"): "\n",
    ord("\u2029"): "\n\n",
    ord("\u0085"): "\n",
}
_CHAR_MAP.update({code: " " for code in range(0x2000, 0x200B)})  # en quad ... hair space
_CHAR_MAP.update(
    {code: "" for code in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)] if code not in _CHAR_MAP}
)
del _CHAR_MAP[ord("\n")]
# A thin or no-break space between digit groups (`16 608`, the Lancet's thousands) is kept
# as U+2009 so that the number parser reads one number; anywhere else it is a space.
del _CHAR_MAP[0x2009]
_DIGIT_GROUP_SPACE = re.compile("(?<=\\d)[\u2009\u202f\u00a0](?=\\d{3}(?!\\d))|([\u2009])")
# A plain space between digit groups (`13 388 women`, as PubMed keeps the Lancet's and
# JAMA's thousands) counts as one where the groups stand alone and a word follows them:
# not inside a run of numbers (`12 100 150`), not before a decimal part or a percent.
_PLAIN_DIGIT_GROUPS = re.compile(
    r"(?<![\w.,·\u2009])(?<!\d )\d{1,3}(?: \d{3})+(?![\w.,·%\u2009])(?= +[^\W\d_])"
)

_DIGIT_GROUPS_PAIR = re.compile(r"\d \d{3}")  # in every match of _PLAIN_DIGIT_GROUPS

_SPACES = re.compile(r" {2,}")

# A wrapped document's lines are at most this long at the 90th percentile; above it the
# text has one paragraph per line and single line breaks are structure, not wrapping.
_MAX_WRAP_WIDTH = 160
# Below this, lines are too short to be wrapped prose (table rows, lists, a title page).
_MIN_WRAP_WIDTH = 30
# A line at least this share of the wrap width is running prose that was wrapped.
_LONG_LINE_SHARE = 0.7

_TERMINAL_END = re.compile(r"[.:;?!][)\]\"'”’»]*$")
_CONTINUING_END = re.compile(r"[,(\[/&+=<>≤≥±–—-]$")
_CONTINUATION_WORDS = frozenset(
    """a an the of and or nor but to in into on at by for from with within without
    than that which whose who whom as is are was were be been being vs versus between
    among per under over after before during including compared via""".split()
)
_LAST_WORD = re.compile(r"([A-Za-z]+)$")
_NUMBER_END = re.compile(r"\d%?[)\]]?$")

# Lines that are structure whatever their neighbours look like.
_BULLET_ITEM = re.compile(r"^[•◦▪▫‣⁃●○■□*+-]\s+\S")
_NUMBERED_ITEM = re.compile(r"^(?:\d{1,3}[.)]|\(?[a-z]\)|\(?[ivx]{1,4}\))\s+\S")
_NUMBERED_PARAGRAPH = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+[A-Z]")
_TABLE_ROW = re.compile(r"^\|")
_CAPTION = re.compile(r"^(?:Table|Fig\.?|Figure)\s*\d+[A-Za-z]?(?:[.:|]\s*|\s+|$)(?=[A-Z(]|$)")

_WORD_HYPHEN_END = re.compile(r"(?<=[^\W_])-$")
_LETTERS_END = re.compile(r"[^\W\d_]*$")
_LETTERS_START = re.compile(r"^[^\W\d_]*")
_VOWELS = frozenset("aeiou")
_SUSPENDING_WORDS = frozenset({"and", "or", "nor"})


@dataclass(frozen=True)
class HyphenRules:
    """Which line-end hyphens are part of the word; see patterns/hyphen_prefixes.txt."""

    first_halves: frozenset[str]
    second_halves: frozenset[str]
    compounds: frozenset[str]
    always_joined: frozenset[str]


def load_hyphen_rules(path: Path | str) -> HyphenRules:
    """Read the hyphen vocabulary strictly: a malformed line names its file and line."""
    path = Path(path)
    first: set[str] = set()
    second: set[str] = set()
    compounds: set[str] = set()
    joined: set[str] = set()
    seen: dict[str, int] = {}
    for number, raw_line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        entry = raw_line.strip().lower()
        if not entry or entry.startswith("#"):
            continue
        where = f"{path}:{number}"
        if entry in seen:
            raise ValueError(f"{where}: duplicate entry {entry!r} (first on line {seen[entry]})")
        seen[entry] = number
        if re.fullmatch(r"![^\W\d_]+", entry):
            joined.add(entry[1:])
        elif re.fullmatch(r"[^\W\d_]+-", entry):
            first.add(entry[:-1])
        elif re.fullmatch(r"-[^\W\d_]+", entry):
            second.add(entry[1:])
        elif re.fullmatch(r"[^\W\d_]+-[^\W\d_]+", entry):
            compounds.add(entry)
        else:
            raise ValueError(
                f"{where}: cannot read {raw_line.strip()!r}; expected 'first-', '-second', "
                "'first-second' or '!word'"
            )
    return HyphenRules(frozenset(first), frozenset(second), frozenset(compounds), frozenset(joined))


@lru_cache(maxsize=1)
def _default_hyphen_rules() -> HyphenRules:
    return load_hyphen_rules(default_patterns_dir() / HYPHEN_RULES_FILE)


@dataclass(frozen=True)
class _Line:
    text: str  # whitespace collapsed and stripped, never empty
    page: int  # 0-based index of the page it came from
    gap: str  # what separated it from the previous line: 'start', 'line', 'blank', 'page'
    soft_break: bool  # the line ended in a soft hyphen: a discretionary word break
    suspended: bool  # the line ended in "- " (hyphen, space), as in "pre- and post-"
    in_table: bool = False  # part of a table block (docs/TABLE_TEXT.md): never joined


def normalise(raw: RawText, hyphen_rules: HyphenRules | None = None) -> NormalisedText:
    """Rebuild running prose from `raw`, keeping structure lines and exact page starts."""
    rules = hyphen_rules if hyphen_rules is not None else _default_hyphen_rules()
    lines = _mark_table_blocks(_lines(raw.pages))
    wrap = _wrap_width(lines) if raw.reflow else None
    first_offset: dict[int, int] = {}
    pieces: list[str] = []
    length = 0
    for index, line in enumerate(lines):
        text = line.text
        if index + 1 < len(lines):
            join = _join(lines, index + 1, wrap, rules) if raw.reflow else "break"
            if join == "drop-hyphen":
                text = text[:-1]
        if index:
            join = _join(lines, index, wrap, rules) if raw.reflow else "break"
            separator = _separator(join, line.gap)
            pieces.append(separator)
            length += len(separator)
        first_offset.setdefault(line.page, length)
        pieces.append(text)
        length += len(text)
    text = "".join(pieces)
    if not raw.paginated:
        return NormalisedText(text=text, page_starts=())
    starts: list[int] = []
    following = len(text)
    for page in reversed(range(len(raw.pages))):
        following = first_offset.get(page, following)
        starts.append(following)
    starts.reverse()
    if starts:
        starts[0] = 0
    return NormalisedText(text=text, page_starts=tuple(starts))


def _lines(pages: list[str]) -> list[_Line]:
    """Non-empty lines in reading order, each with what separated it from the one before."""
    lines: list[_Line] = []
    for page_index, page in enumerate(pages):
        gap = "page" if lines else "start"
        page = page.replace("\r\n", "\n").replace("\r", "\n")
        # each substitution only where it can match (the test is a fast scan; the
        # patterns open with lookbehinds, which make a search try every character)
        if "\u2009" in page or "\u202f" in page or "\u00a0" in page:
            page = _DIGIT_GROUP_SPACE.sub(lambda m: " " if m.group(1) else "\u2009", page)
        if _DIGIT_GROUPS_PAIR.search(page):
            page = _PLAIN_DIGIT_GROUPS.sub(lambda m: m.group().replace(" ", "\u2009"), page)
        for raw_line in page.translate(_CHAR_MAP).split("\n"):
            rstripped = raw_line.rstrip(" ")
            soft_break = rstripped.endswith(_SOFT_HYPHEN)
            text = _SPACES.sub(" ", raw_line.replace(_SOFT_HYPHEN, "")).strip(" ")
            if not text:
                if gap == "line":
                    gap = "blank"
                continue
            suspended = (
                not soft_break and rstripped.endswith("-") and len(rstripped) < len(raw_line)
            )
            lines.append(_Line(text, page_index, gap, soft_break, suspended))
            gap = "line"
    return lines


def _mark_table_blocks(lines: list[_Line]) -> list[_Line]:
    """Mark the lines of table blocks, which keep their line breaks (docs/TABLE_TEXT.md).

    A block is its rows (lines starting with `|`), the caption line opening the block
    just before the first row, and the footnote lines that follow the last row without a
    blank line. Footnotes ("a Values are ...", "b P from ...") and captions look like
    prose to the joining rules and would otherwise be run into their neighbours.
    """
    marked = list(lines)
    in_block = False
    for index, line in enumerate(lines):
        if _TABLE_ROW.match(line.text):
            if not in_block and line.gap == "line" and index and lines[index - 1].gap != "line":
                marked[index - 1] = replace(lines[index - 1], in_table=True)  # the caption
            in_block = True
        elif line.gap != "line":
            in_block = False
        if in_block:
            marked[index] = replace(line, in_table=True)
    return marked


def _wrap_width(lines: list[_Line]) -> int | None:
    """The width the text was wrapped at, or None when paragraphs are single lines."""
    if not lines:
        return None
    lengths = sorted(len(line.text) for line in lines)
    width = lengths[min(len(lengths) - 1, int(0.9 * len(lengths)))]
    return width if _MIN_WRAP_WIDTH <= width <= _MAX_WRAP_WIDTH else None


def _separator(join: str, gap: str) -> str:
    if join in ("drop-hyphen", "tight"):
        return ""
    if join == "space":
        return " "
    return "\n" if gap == "line" else "\n\n"


def _join(lines: list[_Line], index: int, wrap: int | None, rules: HyphenRules) -> str:
    """How line `index` attaches to the line before it.

    'drop-hyphen' (a typesetting break), 'tight' (no space: a real hyphen or dash),
    'space' (wrapped prose) or 'break' (a line or paragraph boundary that stays).
    """
    prev, nxt = lines[index - 1], lines[index]
    if prev.in_table or nxt.in_table:
        return "break"
    if _is_structure(nxt.text, prev.text) or _TABLE_ROW.match(prev.text):
        return "break"
    word_break = _word_break(prev, nxt, rules)
    if word_break is not None:
        return word_break
    if _CAPTION.match(prev.text) and not _continues(prev.text):
        return "break"
    starts_lower = nxt.text[0].islower() or nxt.text[0] in ",;)%"
    if nxt.gap == "line":
        if _TERMINAL_END.search(prev.text):
            if wrap and _is_long(prev, wrap) and not _is_heading(lines, index, wrap):
                return "space"
            return "break"
        if starts_lower or _continues(prev.text):
            return "space"
        if _NUMBER_END.search(prev.text) and nxt.text[0].isupper():
            return "break"  # table rows end in numbers; prose rarely breaks there
        if wrap and _is_long(prev, wrap):
            return "space"
        return "break"
    # a blank line or a page break
    if _TERMINAL_END.search(prev.text):
        return "break"
    if starts_lower or _continues(prev.text):
        return "space"
    if (
        nxt.gap == "page"
        and wrap
        and _is_long(prev, wrap)
        and _is_long(nxt, wrap)
        and not _NUMBER_END.search(prev.text)
    ):
        return "space"
    return "break"


def _is_structure(text: str, previous: str) -> bool:
    """A line that starts a list item, numbered paragraph or table row.

    A number-like start after a line that stops mid-clause ("... at" / "12. The") is
    wrapped prose that happens to begin with a number, not a list.
    """
    if _BULLET_ITEM.match(text) or _TABLE_ROW.match(text):
        return True
    numbered = _NUMBERED_ITEM.match(text) or _NUMBERED_PARAGRAPH.match(text)
    return bool(numbered) and not _continues(previous)


def _is_long(line: _Line, wrap: int) -> bool:
    return len(line.text) >= _LONG_LINE_SHARE * wrap


def _continues(text: str) -> bool:
    """The line stops mid-clause: a comma, an open bracket, a preposition, an article.

    A bracket opened on the line and not closed ("... 2.0 (95%") also means the clause
    goes on, even when the line ends in a number and the next starts with a capital.
    """
    if _CONTINUING_END.search(text):
        return True
    if text.count("(") + text.count("[") > text.count(")") + text.count("]"):
        return True
    word = _LAST_WORD.search(text)
    return bool(word) and word.group(1).lower() in _CONTINUATION_WORDS


def _is_heading(lines: list[_Line], index: int, wrap: int) -> bool:
    """A short capitalised line that does not end a sentence, followed by a new start."""
    line = lines[index]
    text = line.text
    if _is_long(line, wrap) or not (text[0].isupper() or text[0].isdigit()):
        return False
    if (_TERMINAL_END.search(text) and not text.endswith(":")) or _continues(text):
        return False
    if index + 1 == len(lines) or lines[index + 1].gap != "line":
        return True
    first = lines[index + 1].text[0]
    return first.isupper() or first.isdigit()


def _word_break(prev: _Line, nxt: _Line, rules: HyphenRules) -> str | None:
    """The join for a line ending inside a word, or None when it does not."""
    first = nxt.text[0]
    if prev.soft_break:
        return "tight" if first.isalnum() else None
    if prev.suspended or not first.isalnum():
        return None
    if prev.text[-1] in "–—" and len(prev.text) > 1 and prev.text[-2].isalnum():
        return "tight"  # a range or dash split at the line end: 14–/22%
    if not _WORD_HYPHEN_END.search(prev.text):
        return None
    if prev.text[-2].isdigit() or not first.islower():
        return "tight"
    left = _LETTERS_END.search(prev.text[:-1]).group(0)
    right = _LETTERS_START.match(nxt.text).group(0)
    if right in _SUSPENDING_WORDS and nxt.text[len(right) : len(right) + 1] == " ":
        return "space"  # a suspended hyphen, as in "pre- and postoperative"
    return "tight" if _hyphen_is_real(left, right, nxt.text[len(right) :], rules) else "drop-hyphen"


def _hyphen_is_real(left: str, right: str, after_right: str, rules: HyphenRules) -> bool:
    """Whether left-/right is a hyphenated word rather than a word broken by typesetting."""
    first, second = left.lower(), right.lower()
    if first + second in rules.always_joined:
        return False
    if f"{first}-{second}" in rules.compounds:
        return True
    if any(ch.isupper() for ch in left[1:]) or any(ch.isupper() for ch in right):
        return True  # an acronym: MISJF-related
    if after_right[:1].isdigit():
        return True  # a code: non-a1c
    if len(left) <= 1:
        return True  # X-ray, t-test, p-value: typesetting never leaves one letter behind
    if first in rules.first_halves:
        return True
    if second in rules.second_halves and len(first) >= 3:
        return True
    return first[-1] in _VOWELS and first[-1] == second[:1]
