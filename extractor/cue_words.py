"""Cue words from `patterns/cues.tsv`: the words that open a figure caption.

The flattened-table reader (`extractor/tables/flattened.py`) ends a table at a figure's
caption (`Figure 2`, `Fig. 3`, `Supplementary figure 1`): the caption describes a picture,
not a table row. The words are data, read strictly (an unknown role fails with the file
and line) and compiled once per `Vocabulary`; `pattern` builds the reader's regex around
them, so a clinician adds `Chart` without touching Python. The compiled patterns are kept
on the instance, never at module level, so a test's edited copy never mixes in.
"""

from __future__ import annotations

import re
from pathlib import Path

from extractor.term_index import _read_tsv, term_pattern

# role -> what its cue words tell the readers (also documented in the TSV's header)
CUE_ROLES: dict[str, str] = {
    "caption_label": "opens a figure caption before its number (Fig. 2)",
}
_NEVER = r"(?!)"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class CueWords:
    """The cue words of `cues.tsv` by role, and the regexes readers build around them."""

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
            self.words[row["role"]].append(row["cue"])
        self._patterns: dict[tuple[str, int], re.Pattern[str]] = {}

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
