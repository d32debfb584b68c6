"""Words that name what a table column holds, from `patterns/table_headers.tsv`.

A table's numbers mean nothing without its header: `Mean difference` makes a column of
changes, `p-value` a column of p-values, `Pre-op` a baseline column. Those words are data
(a clinician adds `Δ from baseline` or `Last visit` without touching Python), so they are
read here strictly — an unknown role fails with the file and line — and compiled once per
`Vocabulary`. The table interpreter (`extractor/tables/`) only combines them.

Matching rules for every header word: case-insensitive; the parts of a phrase may be
joined by a space, a hyphen or nothing (`follow-up`, `follow up`, `followup`); a trailing
`*` means any ending (`frequenc*`); punctuation is matched as written with optional spaces
around it (`n (%)`, `vs. baseline`). Plurals are listed as words of their own: in a header
`Means` may be a note's prose while `Mean` names a column, so no ending is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# role -> what a header word of that role tells the table reader (also in the TSV header)
ROLES: dict[str, str] = {
    "label": "first word of a header line that names the label column (Outcome)",
    "baseline": "a column at baseline that only a table header names (Pre, Pre-op)",
    "follow_up": "a column after treatment that only a table header names (Post)",
    "change": "a column of within-group changes (Change, Improvement, Δ)",
    "difference": "a column of differences, between arms or over time (Difference)",
    "between": "before a change/difference word: between arms (Between-group)",
    "within": "before a change/difference word: within one group (Within-group)",
    "qualifier": "other words that may come before a change/difference word (Mean)",
    "from_baseline": "after a change/difference word: what it is relative to",
    "p_value": "a column of p-values (p, p-value)",
    "ci": "a confidence interval, written after its level (95% CI)",
    "value": "a column of plain values (Total, Overall, Results, n (%))",
    "statistic": "a column of means or medians, may be followed by its dispersion",
    "sd": "after mean/median: a standard deviation in brackets or after ±",
    "se": "after mean/median: a standard error",
    "range": "after mean/median: a range or interquartile range",
    "n": "a whole header cell meaning counts (n, No.)",
    "percent": "a whole header cell meaning percentages (%)",
    "note_mean": "in a note: the values are means",
    "note_median": "in a note: the values are medians",
    "note_sd": "in a note: a single bracketed number is a standard deviation",
    "note_se": "in a note: ± is a standard error",
    "note_range": "in a note: a bracketed pair is a range or interquartile range",
    "note_counts": "in a note: categorical values are counts with percentages, n (%)",
    "label_style": "in a row label: words that make the label be read like a note",
    "cohort_caption": "in a caption: the table describes the cohort at entry",
    "complication_heading": "a heading row whose rows are complications",
    "history": "in a row label: a condition before the study, not an outcome",
    "procedure_label": "in a row label of a characteristics table: the procedure's duration",
    "threshold_label": "in a row label: the row counts patients past a threshold",
    "note_opening": "a line starting with it is a table's note (Note, Abbreviations)",
    "note_subject": "a line starting with it and are/is/were is a note (Data are ...)",
    "caption_label": "the word that opens a table caption before its number (Table)",
    "total": "a column or row of the whole population, not one arm (Total, Overall)",
    "n_row": "a whole row label whose numbers are group sizes (n, Participants)",
    "arm_stub": "a label-column header saying the rows are arms (Group, Treatment)",
    "arm_noun": "after a name in a label or header, makes it an arm (group, arm)",
    "empty_cell": "a whole cell meaning no value (NR, NA, —)",
    "reference": "a whole cell or bracket marking a reference category (Ref.)",
    "time_connector": "words a row label may add to a time and still be only a time (at)",
    "count_label": "a row label starting with it holds counts (Number of)",
    "prose_end": "a flattened row label ending with it is wrapped prose (from, of)",
}
# roles whose words are searched anywhere in a note, caption or row label (`anywhere`)
ANYWHERE_ROLES = tuple(role for role in ROLES if role.startswith("note_")) + (
    "label_style",
    "cohort_caption",
    "complication_heading",
    "history",
    "procedure_label",
    "threshold_label",
)

_JOIN_WORDS = r"(?:\s*[-‐‑–]\s*|\s+)?"
_NEVER = r"(?!)"


def word_pattern(term: str) -> str:
    """Regex source for one header word with the matching rules of the module docstring."""
    wildcard = term.endswith("*")
    core = term[:-1] if wildcard else term
    tokens = re.findall(r"[^\W_]+|[^\w\s\-‐‑–]", core)
    if not tokens:
        raise ValueError(f"no letters, digits or signs in {term!r}")
    source = re.escape(tokens[0])
    for before, token in zip(tokens, tokens[1:], strict=False):
        words = before[-1].isalnum() and token[0].isalnum()
        source += (_JOIN_WORDS if words else r"\s*") + re.escape(token)
    return source + (r"\w*" if wildcard else "")


def _whole_word_alternatives(words: list[str]) -> str:
    """Like `_alternatives`, but a word of letters only as a whole word (`SE`, not the
    `se` of `case`); a term with punctuation (`n (%`, `s.e.`) is matched as written."""
    if not words:
        return _NEVER
    ordered = sorted(words, key=len, reverse=True)
    sources = []
    for word in ordered:
        source = word_pattern(word)
        if re.fullmatch(r"[\w\s\-‐‑–]+\*?", word):
            source = rf"(?<![\w]){source}" + ("" if word.endswith("*") else r"(?![\w])")
        sources.append(source)
    return "(?:" + "|".join(sources) + ")"


def _alternatives(words: list[str]) -> str:
    """One alternation, longest word first (so `pre-op` wins over `pre`)."""
    if not words:
        return _NEVER
    ordered = sorted(words, key=len, reverse=True)
    return "(?:" + "|".join(word_pattern(w) for w in ordered) + ")"


@dataclass
class HeaderWords:
    """Header words by role, and the compiled patterns the table reader uses."""

    words: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        w = {role: _alternatives(self.words.get(role, [])) for role in ROLES}
        flags = re.IGNORECASE
        self.label = re.compile(rf"^\s*{w['label']}(?![\w])", flags)
        self.time = re.compile(
            rf"(?<![\w-])(?:(?P<base>{w['baseline']})|(?P<follow>{w['follow_up']}))(?![\w-])",
            flags,
        )
        qualifiers = f"(?:{w['qualifier']}|{w['between']}|{w['within']})"
        self.change = re.compile(
            rf"(?P<quals>(?:{qualifiers}\s+)*)(?P<head>{w['difference']}|{w['change']})"
            rf"(?:\s+{w['from_baseline']})?",
            flags,
        )
        self.between = re.compile(w["between"], flags)
        self.within = re.compile(w["within"], flags)
        self.difference = re.compile(rf"^{w['difference']}$", flags)
        self.p_value = re.compile(rf"(?<![\w-]){w['p_value']}(?![\w-])", flags)
        self.ci = re.compile(rf"(?P<level>\d{{2}}(?:\.\d)?)\s*%\s*{w['ci']}", flags)
        spread = f"(?:{w['sd']}|{w['range']}|{w['se']}|\\d{{2}}\\s*%\\s*{w['ci']})"
        self.value = re.compile(
            rf"(?<![\w])(?:{w['value']}|{w['statistic']}"
            rf"(?:\s*(?:±|\(|\[)\s*{spread}\s*[)\]]?)?)(?![\w])",
            flags,
        )
        # a statistic with its spread (`Mean ± SD`, `Median [IQR]`, `m (SD)`): one sub-column
        self.statistic_header = re.compile(
            rf"(?<![\w]){w['statistic']}(?:\s*(?:±|\(|\[)\s*{spread}\s*[)\]]?)?(?![\w])", flags
        )
        self.n_cell = re.compile(w["n"], flags)
        # a note line under a caption; the words are data, the shape of the line is not
        self.note_line = re.compile(
            rf"^\s*(?:(?:all\s+)?{w['note_subject']}\s+(?:are|is|were)\b|"
            rf"{w['note_opening']}\b|[*†‡§¶]|[a-d]\s+[A-Z]|values\s+(?:are|shown)|"
            r"(?:mean|median)s?\s+(?:±|\(|with)|p\s+values?\s+(?:refer|are|were|from))",
            flags,
        )
        self.percent_cell = re.compile(w["percent"], flags)
        self.caption = re.compile(
            rf"^\s*(?P<label>{w['caption_label']}\s*(?:S?\d+[A-Za-z]?|[IVXLC]+))\b"
            r"(?P<sep>\s*[.:|—–-]+)?\s*",
            flags,
        )
        self.n_row = re.compile(w["n_row"], flags)
        self.total = re.compile(w["total"], flags)
        # `anterior group`, `arm B`: a name made an arm by the noun after (or before) it
        self.arm_noun = w["arm_noun"]
        self.arm_stub = re.compile(w["arm_stub"], flags)
        self.empty_cell = re.compile(w["empty_cell"], flags)
        self.reference = re.compile(w["reference"], flags)
        # a whole header cell naming one sub-column of an arm (`Mean | SD`, `n | %`)
        self.sub_columns = {
            "estimate": re.compile(w["statistic"], flags),
            "sd": re.compile(w["sd"], flags),
            "se": re.compile(w["se"], flags),
            "range": re.compile(w["range"], flags),
        }
        self.prose_end = re.compile(rf"^{w['prose_end']}$", flags)
        self.count_label = re.compile(rf"^\s*{w['count_label']}(?![\w])", flags)
        self.time_connector = re.compile(rf"(?<![\w]){w['time_connector']}(?![\w])", flags)
        # role -> its words, searched anywhere in a note, caption or row label
        self.anywhere = {
            role: re.compile(_whole_word_alternatives(self.words.get(role, [])), flags)
            for role in ANYWHERE_ROLES
        }

    @classmethod
    def from_rows(cls, path: Path, rows: list[tuple[int, dict[str, str]]]) -> HeaderWords:
        """Build from (line number, row) pairs of the TSV; bad rows fail with file:line."""
        words: dict[str, list[str]] = {role: [] for role in ROLES}
        seen: dict[tuple[str, str], int] = {}
        for lineno, row in rows:
            header, role = row["header"], row["role"]
            if role not in ROLES:
                raise ValueError(f"{path}:{lineno}: role {role!r} is not one of {sorted(ROLES)}")
            if not header:
                raise ValueError(f"{path}:{lineno}: empty header word")
            key = (re.sub(r"[\s\-‐‑–]+", " ", header.lower()).strip(), role)
            if key in seen:
                raise ValueError(
                    f"{path}:{lineno}: {header!r} is already listed on line {seen[key]}"
                )
            try:
                word_pattern(header)
            except ValueError as error:
                raise ValueError(f"{path}:{lineno}: {error}") from error
            seen[key] = lineno
            words[role].append(header)
        return cls(words)

    def statistic_of_change(self, quals: str, head: str) -> str:
        """`change`, `difference` (between arms) or `difference?` (arms or time: the table
        decides) for a matched change header."""
        if self.difference.match(head) and not self.within.search(quals):
            return "difference?"
        return "difference" if self.between.search(quals) else "change"
