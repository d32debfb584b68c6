"""Where the vocabularies and rules live.

The root `patterns/` folder is what a clinician edits. A wheel carries a copy as
`extractor/_patterns` (hatchling force-include); a source checkout or editable install
reads the folder itself, so an edit takes effect without reinstalling.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def default_patterns_dir() -> Path:
    """The `patterns/` folder of this checkout, else the copy shipped in the wheel."""
    checkout = _PACKAGE.parent / "patterns"
    if checkout.is_dir():
        return checkout
    return _PACKAGE / "_patterns"
