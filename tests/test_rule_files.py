"""A rule file a clinician edits is read as written, or refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.rules.load import RuleError, load_rules


def _patterns_with(tmp_path: Path, text: str) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "events.yml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_list_defined_twice_is_refused_not_silently_replaced(tmp_path: Path) -> None:
    patterns = _patterns_with(
        tmp_path,
        "lists:\n  drugs: [lidocaine, alcohol]\n  drugs: [lidocaine]\nrules: []\n",
    )
    with pytest.raises(RuleError, match="'drugs' defined twice"):
        load_rules(patterns)


def test_a_rule_file_with_distinct_lists_loads(tmp_path: Path) -> None:
    patterns = _patterns_with(
        tmp_path, "lists:\n  drugs: [lidocaine]\n  routes: [oral]\nrules: []\n"
    )
    assert load_rules(patterns) == []
