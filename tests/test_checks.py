"""Consistency flags fire on numbers that disagree, and stay quiet on fair rounding."""

from __future__ import annotations

import pytest

from extractor.checks import CHECK_FLAGS, apply_checks, flag_row
from extractor.types import Evidence


def row(quote: str = "", mention: str | None = None, **fields) -> Evidence:
    """An evidence row whose span is `mention` inside `quote` (the whole quote if None)."""
    start = quote.index(mention) if mention else 0
    end = start + len(mention) if mention else len(quote)
    fields.setdefault("kind", "complication")
    fields.setdefault("value", None)
    return Evidence(
        char_start=100 + start,
        char_end=100 + end,
        rule="test",
        quote=quote,
        quote_start=100,
        quote_end=100 + len(quote),
        **fields,
    )


def complication(quote: str, mention: str, count=None, denominator=None, percent=None):
    value = count if count is not None else percent
    return row(quote, mention, value=value, count=count, denominator=denominator, percent=percent)


# --------------------------------------------------------------------------- percent_mismatch


@pytest.mark.parametrize(
    ("quote", "mention", "count", "denominator", "percent"),
    [
        # spine: 204/5,319 = 3.84%, written as 4% -> rounds to 4
        ("The overall complication rate was 4% (204/5,319).", "4% (204/5,319)", 204, 5319, 4),
        ("wound problems (4%, 17/432)", "4%, 17/432", 17, 432, 4),
        # cardiology: exact to one decimal
        ("MACE occurred in 8.2% (41/500) of patients.", "8.2% (41/500)", 41, 500, 8.2),
        # oncology: 50/110 = 45.45 -> 45.5
        ("The objective response rate was 45.5% (50/110).", "45.5% (50/110)", 50, 110, 45.5),
        # truncation, as some papers do: 8/29 = 27.59 written 27.5
        ("Eight patients (27.5%) of 29 agreed.", "Eight patients (27.5%)", 8, 29, 27.5),
        # an upper bound: 2/432 = 0.46%, "less than 1%"
        ("toe numbness (less than 1%, 2/432)", "less than 1%, 2/432", 2, 432, 1),
        ("revision in <1% (4/1,000) of knees", "<1% (4/1,000)", 4, 1000, 1),
        # a lower bound: 95/100, "more than 90%"
        ("Union in more than 90% (95/100) of fractures.", "90% (95/100)", 95, 100, 90),
    ],
)
def test_fair_percents_are_not_flagged(quote, mention, count, denominator, percent) -> None:
    assert flag_row(complication(quote, mention, count, denominator, percent), None) == []


def test_a_percent_without_denominator_is_not_checked() -> None:
    r = complication("nerve impingement in less than 1% (n=48)", "less than 1% (n=48)", 48, None, 1)
    assert flag_row(r, None) == []


@pytest.mark.parametrize(
    ("quote", "mention", "count", "denominator", "percent"),
    [
        # surgical site infection: 3/50 is 6%, not 12%
        ("Infection occurred in 12% (3/50).", "12% (3/50)", 3, 50, 12),
        # 9/29 = 31.03%: neither rounds nor truncates to 30.9
        ("In nine patients (30.9%) of 29, pain was mild.", "nine patients (30.9%)", 9, 29, 30.9),
        # ophthalmology: 19/102 = 18.6%, not 21%
        ("IOP spikes in 21% (19/102) of eyes.", "21% (19/102)", 19, 102, 21),
        # "less than 1%" cannot hold 9/432 = 2.1%
        ("palsy (less than 1%, 9/432)", "less than 1%, 9/432", 9, 432, 1),
        # "more than 90%" cannot hold 80/100
        ("Union in more than 90% (80/100) of fractures.", "90% (80/100)", 80, 100, 90),
    ],
)
def test_inconsistent_percents_are_flagged(quote, mention, count, denominator, percent) -> None:
    r = complication(quote, mention, count, denominator, percent)
    assert flag_row(r, None) == ["percent_mismatch"]


def test_a_bound_for_another_percent_does_not_excuse_a_mismatch() -> None:
    quote = "dural tear (less than 1%, 2/432) and infection in 12% (3/50)"
    assert flag_row(complication(quote, "12% (3/50)", 3, 50, 12), None) == ["percent_mismatch"]


# --------------------------------------------------------------------------- confidence intervals


@pytest.mark.parametrize(
    ("kind", "value", "low", "high", "percent"),
    [
        ("effect", 0.74, 0.65, 0.85, None),  # cardiology HR
        ("effect", 2.1, 1.3, 3.4, None),  # OR
        ("score", 8.1, 7.8, 8.4, None),  # pain score
        ("complication", 3, 2, 4, 3),  # reoperation 3% (95% CI 2%-4%)
        ("complication", 12, 2, 6, 4),  # 12 events (4%; 95% CI 2-6%): CI is for the percent
        ("effect", 1.0, 1.0, 1.3, None),  # on the bound
    ],
)
def test_an_estimate_inside_its_ci_is_not_flagged(kind, value, low, high, percent) -> None:
    r = row(kind=kind, value=value, ci_low=low, ci_high=high, percent=percent)
    assert flag_row(r, None) == []


@pytest.mark.parametrize(
    ("kind", "value", "low", "high", "percent"),
    [
        ("effect", 3.9, 1.3, 3.4, None),  # OR above its CI
        ("change", 45.5, 52.3, 60.1, None),  # VAS improvement below its CI
        ("complication", 12, 2, 6, 9),  # neither the count nor the percent inside
    ],
)
def test_an_estimate_outside_its_ci_is_flagged(kind, value, low, high, percent) -> None:
    r = row(kind=kind, value=value, ci_low=low, ci_high=high, percent=percent)
    assert flag_row(r, None) == ["ci_excludes_estimate"]


def test_an_inverted_ci_is_flagged_once() -> None:
    r = row(kind="score", value=8.1, ci_low=8.4, ci_high=7.8)
    assert flag_row(r, None) == ["ci_inverted"]


def test_a_lone_ci_bound_is_not_checked() -> None:
    assert flag_row(row(kind="effect", value=5.0, ci_low=1.0), None) == []


# --------------------------------------------------------------------------- scale


@pytest.mark.parametrize(
    ("fields", "scale"),
    [
        ({"value": 7.83}, (0, 10)),  # VAS 0-10
        ({"value": 0.266}, (-0.594, 1)),  # EQ-5D-3L index
        ({"value": 69.4, "range_low": 52, "range_high": 86}, (0, 100)),  # ODI
        ({"value": 12.5, "range_low": 9, "range_high": 17}, (0, 17)),  # JOA, on the top
        ({"value": 101.0}, None),  # no scale known: nothing to check
    ],
)
def test_scores_inside_their_scale_are_not_flagged(fields, scale) -> None:
    assert flag_row(row(kind="score", **fields), scale) == []


@pytest.mark.parametrize(
    ("fields", "scale"),
    [
        ({"value": 78.3}, (0, 10)),  # a 0-100 VAS read against a 0-10 scale
        ({"value": 101.0}, (0, 100)),  # KOOS
        ({"value": 12.5, "range_low": 9, "range_high": 18}, (0, 17)),  # JOA range
        ({"value": 56.6, "ci_low": 51.0, "ci_high": 105.0}, (0, 100)),  # ODI CI bound
        ({"value": -1.0}, (0, 10)),  # NRS
    ],
)
def test_scores_outside_their_scale_are_flagged(fields, scale) -> None:
    assert flag_row(row(kind="score", **fields), scale) == ["out_of_scale"]


def test_scale_is_checked_only_for_scores() -> None:
    # An ODI change of -30 points or a proportion of 86% is not a score on the instrument.
    assert flag_row(row(kind="change", value=-30.0), (0, 100)) == []
    assert flag_row(row(kind="proportion", value=86.0, percent=86.0), (0, 10)) == []


# --------------------------------------------------------------------------- sd, counts


def test_a_negative_sd_is_flagged() -> None:
    assert flag_row(row(kind="score", value=4.97, sd=-2.63), None) == ["sd_negative"]


def test_a_zero_or_positive_sd_is_not_flagged() -> None:
    assert flag_row(row(kind="score", value=4.97, sd=0.0), None) == []
    assert flag_row(row(kind="score", value=4.97, sd=2.63), None) == []


def test_a_count_above_its_denominator_is_flagged() -> None:
    r = row(kind="proportion", value=12, count=12, denominator=10)
    assert flag_row(r, None) == ["count_exceeds_denominator"]


def test_a_count_equal_to_its_denominator_is_not_flagged() -> None:
    r = complication("All 40 patients (100%, 40/40) agreed.", "100%, 40/40", 40, 40, 100)
    assert flag_row(r, None) == []


def test_flags_are_sorted_when_several_fire() -> None:
    r = row(kind="proportion", value=120, count=12, denominator=10, percent=120, sd=-1.0,
            ci_low=5.0, ci_high=1.0)  # fmt: skip
    assert flag_row(r, None) == [
        "ci_excludes_estimate",
        "ci_inverted",
        "count_exceeds_denominator",
        "sd_negative",
    ]


# --------------------------------------------------------------------------- apply_checks


def test_apply_checks_sets_flags_and_asks_the_scale_of_scores_only() -> None:
    asked: list[str] = []

    def scale_of(measure: str):
        asked.append(measure)
        return {"VAS pain": (0, 10)}.get(measure)

    rows = [
        row(kind="score", value=78.3, measure="VAS pain"),
        row(kind="score", value=45.0, measure="unknown instrument"),
        row(kind="change", value=-30.0, measure="ODI"),
        row(kind="score", value=3.0),
    ]
    apply_checks(rows, scale_of)
    assert [r.flags for r in rows] == [["out_of_scale"], [], [], []]
    assert asked == ["VAS pain", "unknown instrument"]


def test_apply_checks_keeps_other_flags_and_is_idempotent() -> None:
    r = row(kind="score", value=4.97, sd=-2.63)
    r.flags = ["table_guess", "out_of_scale"]  # a stale check flag and another stage's flag
    apply_checks([r], lambda m: None)
    assert r.flags == ["sd_negative", "table_guess"]
    apply_checks([r], lambda m: None)
    assert r.flags == ["sd_negative", "table_guess"]
    assert "table_guess" not in CHECK_FLAGS
