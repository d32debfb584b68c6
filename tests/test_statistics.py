"""The statistic parser's specification, as data: `tests/statistics/*.jsonl`
(`prose_ported.jsonl` holds the cases the old `find_quantities` tests specified).

Each prose case lists every statistic the text holds, in order, with the attributes that
matter for it; each cell case the one statistic a table cell is (or null). Every found
statistic's offsets must point at its own text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractor.annotate.statistics import StatisticParser

CASES = Path(__file__).parent / "statistics"


def _cases(name: str) -> list[dict]:
    lines = (CASES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def parser() -> StatisticParser:
    return StatisticParser.load()


def _check(stat, expected: dict) -> None:
    for key, want in expected.items():
        got = getattr(stat, key)
        if isinstance(want, float | int) and not isinstance(want, bool) and got is not None:
            assert got == pytest.approx(want), f"{key} of {stat.text!r}"
        else:
            assert got == want, f"{key} of {stat.text!r}: {got!r}"


PROSE = [case for name in ("prose.jsonl", "prose_ported.jsonl") for case in _cases(name)]


@pytest.mark.parametrize("case", PROSE, ids=lambda c: c["text"][:60])
def test_prose_statistic_is_read_by_its_shape(parser: StatisticParser, case: dict) -> None:
    offset = 1000
    found = parser.scan(
        case["text"],
        offset,
        paren_means=case.get("paren_means"),
        pair_means=case.get("pair_means"),
    )
    assert [s.text for s in found] == [e["text"] for e in case["found"]]
    for stat, expected in zip(found, case["found"], strict=True):
        assert case["text"][stat.start - offset : stat.end - offset] == stat.text
        _check(stat, expected)


@pytest.mark.parametrize("case", _cases("cells.jsonl"), ids=lambda c: c["cell"] or "empty")
def test_table_cell_is_one_statistic_or_none(parser: StatisticParser, case: dict) -> None:
    stat = parser.parse_cell(
        case["cell"], 50, paren_means=case.get("paren_means"), pair_means=case.get("pair_means")
    )
    if case["expect"] is None:
        assert stat is None
        return
    assert stat is not None
    assert case["cell"][stat.start - 50 : stat.end - 50] == stat.text
    _check(stat, case["expect"])


def test_scan_time_grows_linearly_with_pathological_input(parser: StatisticParser) -> None:
    """64 KB of digits, a long `95% CI` repetition and a long list finish: each anchor is
    read within a bounded window (no assertion on seconds: the bound is structural, so the
    count of statistics is what is checked)."""
    digits = "1" * 65536 + ":2"
    assert parser.scan(digits) is not None
    repeated = "(95% CI 1.2 to 3.4) " * 2000
    assert len(parser.scan(repeated)) == 2000
    listed = ", ".join(f"{i}.5" for i in range(3000))
    assert len(parser.scan(listed)) == 3000


def test_a_number_too_large_for_the_database_is_not_a_value(parser: StatisticParser) -> None:
    found = parser.scan("4% (1/10000000000000000000) and 1" + "0" * 400)
    assert all(s.value is None or abs(s.value) < 1e15 for s in found if s.kind == "value") and all(
        s.denominator is None or s.denominator < 10**15 for s in found
    )


def _patterns_copy(tmp_path: Path) -> Path:
    import shutil

    from extractor.patterns_dir import default_patterns_dir

    target = tmp_path / "patterns"
    shutil.copytree(default_patterns_dir(), target)
    return target


def test_a_new_notation_spelling_is_a_line_of_data(tmp_path: Path) -> None:
    patterns = _patterns_copy(tmp_path)
    before = StatisticParser.load(patterns).scan("BMI 27.1 (ET 3.2)")
    assert [s.sd for s in before] == [None, None]
    tsv = patterns / "statistics.tsv"
    tsv.write_text(tsv.read_text(encoding="utf-8") + "ET\tsd\t\n", encoding="utf-8")
    after = StatisticParser(*_loaded(patterns)).scan("BMI 27.1 (ET 3.2)")
    assert [(s.value, s.sd) for s in after] == [(27.1, 3.2)]


def test_a_new_unit_is_a_line_of_data(tmp_path: Path) -> None:
    patterns = _patterns_copy(tmp_path)
    tsv = patterns / "units.tsv"
    tsv.write_text(tsv.read_text(encoding="utf-8") + "furlongs\t\tlength\n", encoding="utf-8")
    (stat,) = StatisticParser(*_loaded(patterns)).scan("walked 3.5 furlongs")
    assert (stat.value, stat.unit, stat.dimension) == (3.5, "furlongs", "length")


def test_an_unknown_role_in_the_notation_file_fails_with_its_line(tmp_path: Path) -> None:
    patterns = _patterns_copy(tmp_path)
    tsv = patterns / "statistics.tsv"
    tsv.write_text(tsv.read_text(encoding="utf-8") + "mode\tmodus\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"statistics\.tsv:\d+: unknown role 'modus'"):
        _loaded(patterns)


def _loaded(patterns: Path):
    from extractor.annotate.numbers import NumberWords
    from extractor.annotate.statistics import NotationWords

    return NotationWords.load(patterns), NumberWords.load(patterns / "number_words.tsv")


def test_declarations_lists_every_meaning_a_text_declares(parser: StatisticParser) -> None:
    """`mean (SD) or n (%)` declares two meanings for `x (y)`: neither alone settles it."""
    assert parser.declarations("Values are mean (SD) or n (%)") == (["sd", "percent"], [])
    assert parser.declarations("Data are median [IQR]; HR (95% CI)") == ([], ["iqr", "ci"])
    assert parser.declarations("Outcome at 12 weeks") == ([], [])


def test_a_statistic_made_on_the_fast_path_is_the_one_its_class_makes() -> None:
    from extractor.annotate.statistics import Statistic, _shifted, _statistic

    made = _statistic(start=1, end=5, text="12.3", value=12.3, value_end=5, unit="mg")
    assert made == Statistic(1, 5, "12.3", 12.3, value_end=5, unit="mg")
    assert _shifted(made, 10) == Statistic(11, 15, "12.3", 12.3, value_end=15, unit="mg")
    with pytest.raises(TypeError):
        _statistic(start=1, end=5, text="12.3", value=12.3, colour="red")
