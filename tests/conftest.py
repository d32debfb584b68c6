"""Fixtures shared by the test files: the sample corpus and the patterns, copied.

Tests that change a document or a vocabulary work on copies in tmp_path, never on the
repository's own files, and never depend on the working directory.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
PATTERNS = REPO / "patterns"


@pytest.fixture
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the sample corpus."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


@pytest.fixture
def patterns_copy(tmp_path: Path) -> Path:
    """A writable copy of the vocabularies and rules."""
    target = tmp_path / "patterns"
    shutil.copytree(PATTERNS, target)
    return target


@pytest.fixture(scope="session")
def extractor():
    """The real extractor over the project's patterns, loaded once per test session."""
    from extractor.pipeline import Extractor

    return Extractor.load(PATTERNS)
