"""Cue words from `patterns/cues.tsv`: the words that decide what a number in prose means.

Read strictly (an unknown role fails with the file and line) and compiled once per
`Vocabulary`. Matchers use them two ways: `find` lists the cues of one role in a text,
and `pattern` builds a matcher's own regex around them — the regex keeps the syntax
(spaces, brackets, how far to look) while the words come from the file, so a clinician
adds `was judged` or `surveillance` without touching Python. The compiled patterns are
kept on the instance, never at module level, so a test's edited copy never mixes in.
"""

from __future__ import annotations

import re
from pathlib import Path

from extractor.term_index import Term, _read_tsv, _TermIndex, term_pattern

# role -> what its cue words tell the matchers (also documented in the TSV's header)
CUE_ROLES: dict[str, str] = {
    "threshold_before": "before a number it is a cut-off, not a result",
    "threshold_after": "after a number it is a cut-off",
    "definition": "numbers after it in the same clause define something",
    "scale": "numbers after it are the ends of a scale",
    "age": "numbers right after it are ages",
    "change": "a number right after it (or 'by' a number) is a change",
    "difference": "like change, but between groups",
    "enrol": "after 'N patients' it makes N a sample size",
    "outcome": "after 'N patients' it makes N a count with an outcome",
    "group_noun": "the noun that names an arm",
    "arm_lead": "before a treatment's name it introduces an arm ('6.9 points with placebo')",
    "population": "the noun that names an analysed population",
    "share": "before/around a percent it makes it a share of patients",
    "dose": "near a number it makes it a dose or concentration",
    "none": "the event count is zero",
    "follow_up": "words for the follow-up period: a time after them is its duration",
    "judging": "after is/was in the clause a value opens: the value is a threshold",
    "not_counted": "a word ending in s after a whole number that is not what it counts",
    "arm_opening": "opens a sentence before its one arm: its values belong to that arm",
    "caption_label": "opens a figure caption before its number (Fig. 2)",
    "caption_verb": "after a figure's number: prose about the figure, not its caption",
    "defining_after": "right after a number: says what it stands for (indicating ...)",
    "value_link": "right before a value: links it to the instrument named before",
    "event_verb": "between a count of patients and an event: says they had it",
    "onset": "shortly before a symptom: makes it an event patients had",
    "symptom_outcome": "right after a symptom: makes it an outcome, not an event",
    "change_verb": "in the clause before `from X%`: says a share changed",
}
_NEVER = r"(?!)"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class _CueIndex(_TermIndex):
    """Cue words: always case-insensitive, no automatic plural (cues list their forms)."""

    def __init__(self, entries: list[tuple[str, str, str]]) -> None:
        # a cue's "canonical" is the cue itself: callers ask which words fired
        super().__init__(
            [(term, term, role) for term, _, role in entries],
            plural=False,
            abbreviations_match_case=False,
        )


class CueWords:
    """The cue words of `cues.tsv` by role, and the regexes matchers build around them."""

    def __init__(self, path: Path) -> None:
        rows = _read_tsv(path, ["cue", "role"])
        self.words: dict[str, list[str]] = {r: [] for r in CUE_ROLES}
        seen: dict[tuple[str, str], int] = {}
        for lineno, row in rows:
            if row["role"] not in CUE_ROLES:
                raise ValueError(
                    f"{path}:{lineno}: role {row['role']!r} is not one of {sorted(CUE_ROLES)}"
                )
            key = (row["cue"].lower(), row["role"])
            if key in seen:
                raise ValueError(
                    f"{path}:{lineno}: {row['cue']!r} is already listed on line {seen[key]}"
                )
            seen[key] = lineno
            # cues are matched case-insensitively even when written in capitals (MCID, IU)
            self.words[row["role"]].append(row["cue"])
        self._indexes = {
            role: _CueIndex([(w, role, role) for w in words]) for role, words in self.words.items()
        }
        self._patterns: dict[tuple[str, int], re.Pattern[str]] = {}

    def find(self, text: str, role: str, offset: int = 0) -> list[Term]:
        if role not in self._indexes:
            raise KeyError(f"unknown cue role {role!r}")
        return self._indexes[role].find(text, offset)

    def alternation(self, role: str) -> str:
        """Regex source matching any cue of `role` as whole words, longest first."""
        if role not in self.words:
            raise KeyError(f"unknown cue role {role!r}")
        ordered = sorted(self.words[role], key=len, reverse=True)
        if not ordered:
            return _NEVER
        return "(?:" + "|".join(term_pattern(w, plural=False) for w in ordered) + ")"

    def pattern(self, template: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
        """`template` compiled with each `{role}` replaced by that role's cue words.

        Compiled once per template; other braces (`{0,40}`) are left to the regex.
        """
        key = (template, flags)
        compiled = self._patterns.get(key)
        if compiled is None:

            def fill(match: re.Match[str]) -> str:
                role = match.group(1)
                return self.alternation(role) if role in CUE_ROLES else match.group(0)

            compiled = re.compile(_PLACEHOLDER.sub(fill, template), flags)
            self._patterns[key] = compiled
        return compiled
