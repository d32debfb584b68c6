"""Matching one list of vocabulary terms, with the rules every `patterns/` file shares.

Split from `vocab.py` so that each vocabulary (terms, cue words) can build on one matcher:
case-insensitive, whole words, longest match first, hyphen/space/nothing interchangeable
between the parts of a term, a plural ending found automatically (see `vocab.py`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

_SEP = r"(?:\s*[-‐‑–]\s*|\s+)?"


@dataclass(frozen=True)
class Term:
    """A vocabulary term found in text (absolute offsets)."""

    start: int
    end: int
    text: str
    canonical: str
    category: str


def _read_tsv(path: Path, columns: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a TSV whose header must be exactly `columns`; (line number, row) pairs."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: vocabulary file is missing")
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] | None = None
    with path.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = next(csv.reader([line.rstrip("\r\n")], delimiter="\t", quoting=csv.QUOTE_NONE))
            if header is None:
                names = [f.strip() for f in fields]
                unknown = [n for n in names if n not in columns]
                missing = [c for c in columns if c not in names]
                if unknown or missing or len(names) != len(columns):
                    raise ValueError(
                        f"{path}:{lineno}: header must be {columns}; "
                        f"unknown columns {unknown}, missing columns {missing}"
                    )
                header = names
                continue
            if len(fields) > len(header):
                raise ValueError(
                    f"{path}:{lineno}: {len(fields)} columns but the header has {len(header)}"
                )
            fields += [""] * (len(header) - len(fields))
            rows.append((lineno, {h: f.strip() for h, f in zip(header, fields, strict=True)}))
    if header is None:
        raise ValueError(f"{path}: no header line")
    return rows


def _is_abbreviation(term: str) -> bool:
    return not any(c.islower() for c in term) and sum(c.isupper() for c in term) >= 2


def term_pattern(term: str, plural: bool = True) -> str:
    """Regex source for one vocabulary term with the shared matching rules."""
    wildcard = term.endswith("*")
    trailing_hyphen = term.endswith("-") and not wildcard
    core = term.rstrip("*").rstrip("-") if (wildcard or trailing_hyphen) else term
    parts = [p for p in re.split(r"[\s\-‐‑–]+", core) if p]
    escaped = [re.escape(p).replace("'", "['’]?").replace("’", "['’]?") for p in parts]
    body = _SEP.join(escaped)
    if wildcard:
        body += r"\w*"
    elif trailing_hyphen:
        return rf"(?<![\w]){body}[-‐](?=\s|$)"
    elif plural and parts and parts[-1][-1:].isalpha():
        if _is_abbreviation(term):
            body += r"(?:s|'s|’s)?"
        elif parts[-1].endswith("y") and parts[-1][-2:-1] not in "aeiou":
            body = body[:-1] + r"(?:y|ies)"
        else:
            body += r"(?:es|s)?"
    start = r"(?<![\w])" if core[:1].isalnum() else r"(?<![\w])"
    end = r"(?![\w])" if core[-1:].isalnum() or wildcard else ""
    return start + body + end


_WORD_RUN = re.compile(r"\w+")
_KEY_CHARS = 3


def _first_key(term: str) -> str | None:
    """The first letters of a term, lower-cased: which words of a text can start it.

    None when the term starts with a non-word character ("(S)AE"), which is then searched
    for everywhere.
    """
    first = _WORD_RUN.match(term.lstrip())
    return first.group().lower()[:_KEY_CHARS] if first else None


@dataclass
class _TermIndex:
    """One compiled matcher for a list of (term, canonical, category).

    A vocabulary is hundreds of alternatives, and a regex alternation tries every one of
    them, in order, wherever it is tried. So the terms are grouped by their first letters
    (`_first_key`), each group compiled into its own alternation, and at a word of the text
    only the groups its first letters select are tried: the few terms that could start
    there, not the whole vocabulary. The matches are those of one alternation of all
    terms: at each start the earliest alternative (longest term first) among the groups
    tried, since no term of another group can match a word that does not start with its
    key; case-sensitive terms (abbreviations) apart from the rest, as before. Terms that
    start with a non-word character are searched for everywhere, as one alternation.
    """

    entries: list[tuple[str, str, str]]
    plural: bool = True
    # per case sensitivity (insensitive first): first key -> the alternation of its terms,
    # whose group `t<i>` is the i-th term of `_meta`
    _groups: list[dict[str, re.Pattern[str]]] = field(default_factory=list)
    _anywhere: list[re.Pattern[str]] = field(default_factory=list)
    _meta: list[tuple[str, str]] = field(default_factory=list)
    _keys: dict[int, frozenset[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ordered = sorted(self.entries, key=lambda e: len(e[0]), reverse=True)
        keys: dict[int, set[str]] = {}
        for keyed in (True, False):
            for sensitive in (False, True):
                chosen = [
                    e
                    for e in ordered
                    if _is_abbreviation(e[0]) == sensitive
                    and (_first_key(e[0]) is not None) == keyed
                ]
                if not chosen:
                    continue
                flags = 0 if sensitive else re.IGNORECASE
                by_key: dict[str, list[str]] = {}
                for term, canonical, category in chosen:
                    alternative = f"(?P<t{len(self._meta)}>{term_pattern(term, self.plural)})"
                    self._meta.append((canonical, category))
                    by_key.setdefault(_first_key(term) or "", []).append(alternative)
                if not keyed:
                    self._anywhere.append(re.compile("|".join(by_key[""]), flags))
                    continue
                self._groups.append(
                    {key: re.compile("|".join(group), flags) for key, group in by_key.items()}
                )
                for key in by_key:
                    keys.setdefault(len(key), set()).add(key)
        self._keys = {length: frozenset(found) for length, found in keys.items()}

    def _candidate_starts(self, text: str) -> list[tuple[int, list[str]]]:
        """Each word that some term could start at, with its first letters that are keys."""
        starts = []
        for word in _WORD_RUN.finditer(text):
            lowered = word.group()[:_KEY_CHARS].lower()
            found = [
                lowered[:length] for length, keys in self._keys.items() if lowered[:length] in keys
            ]
            if found:
                starts.append((word.start(), found))
        return starts

    def find(self, text: str, offset: int = 0) -> list[Term]:
        found: list[Term] = []

        def add(match: re.Match[str]) -> None:
            canonical, category = self._meta[int(match.lastgroup[1:])]
            found.append(
                Term(
                    match.start() + offset, match.end() + offset, match.group(), canonical, category
                )
            )

        starts = self._candidate_starts(text) if self._groups else []
        for groups in self._groups:
            for position, keys in starts:
                best: re.Match[str] | None = None
                for key in keys:
                    regex = groups.get(key)
                    match = regex.match(text, position) if regex is not None else None
                    if match and (best is None or _rank(match) < _rank(best)):
                        best = match
                if best is not None:
                    add(best)
        for compiled in self._anywhere:
            for match in compiled.finditer(text):
                add(match)
        found.sort(key=lambda t: (t.start, -(t.end - t.start)))
        kept: list[Term] = []
        for term in found:
            if kept and term.start < kept[-1].end:
                continue
            kept.append(term)
        return kept


def _rank(match: re.Match[str]) -> int:
    """The order of the matched term among all terms (longest first)."""
    return int(match.lastgroup[1:])
