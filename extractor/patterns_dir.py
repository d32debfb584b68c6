"""Where the vocabularies and rules live, and which folder a run uses.

The `patterns/` folder is what a clinician edits. A run uses, in this order:

1. the folder given with `--patterns DIR`;
2. `patterns/` in the current folder, when it holds the vocabularies (`instruments.tsv`):
   editing `patterns/` in a copy of the repository and running `extract` there uses the
   edit, whichever checkout the package was installed from;
3. the `patterns/` folder of the checkout the package runs from (an editable install);
4. the copy shipped in the wheel as `extractor/_patterns` (hatchling force-include).

Every run says which one it used (`describe_patterns`).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# A folder is a patterns folder when it holds the vocabularies; a `patterns/` folder of
# something else in the current directory is not taken for one.
MARKER_FILE = "instruments.tsv"


def current_folder_patterns() -> Path | None:
    """`patterns/` in the current folder when it holds the vocabularies, else None."""
    here = Path.cwd() / "patterns"
    return here if (here / MARKER_FILE).is_file() else None


def default_patterns_dir() -> Path:
    """The patterns a run uses when none are given (see the module docstring)."""
    here = current_folder_patterns()
    if here is not None:
        return here
    checkout = _PACKAGE.parent / "patterns"
    if checkout.is_dir():
        return checkout
    return _PACKAGE / "_patterns"


def describe_patterns(given: Path | None = None) -> str:
    """One line naming the patterns folder a run uses and why it was chosen."""
    if given is not None:
        return f"Patterns: {given} (--patterns)"
    chosen = default_patterns_dir()
    here = current_folder_patterns()
    if here is not None and chosen == here:
        why = "patterns/ of the current folder"
    elif chosen == _PACKAGE / "_patterns":
        why = "the copy installed with the package"
    else:
        why = "the installed checkout's patterns/; none in the current folder"
    return f"Patterns: {chosen.resolve()} ({why})"
