"""Specifications of `find_quantities`: a number with everything attached to it, as one
quantity, across the spellings of SD, range/IQR, CI, count/denominator and p-values."""

from __future__ import annotations

import pytest

from extractor.quantities import find_quantities


def one(text: str):
    values = [q for q in find_quantities(text) if q.kind != "p"]
    assert len(values) == 1, values
    return values[0]


@pytest.mark.parametrize(
    "text", ["7.83 (± 1.71)", "7.83 ± 1.71", "7.83 (SD 1.71)", "7.83 +/- 1.71", "7.83, SD 1.71"]
)
def test_sd_spellings_attach_to_the_value(text):
    q = one(text)
    assert (q.value, q.sd) == (7.83, 1.71)


def test_mention_span_covers_value_and_dispersion():
    (q,) = find_quantities("mean JOA 9.8 ± 2.6 before", offset=100)
    assert (q.start, q.end, q.text) == (109, 118, "9.8 ± 2.6")


def test_median_with_range_in_parentheses():
    q = one("8.4 (7–10)")
    assert (q.value, q.range_low, q.range_high, q.range_kind) == (8.4, 7, 10, "range")


def test_iqr_wording_is_recorded():
    q = one("NRS 7 (IQR 6–8)")
    assert (q.value, q.range_low, q.range_high, q.range_kind) == (7, 6, 8, "iqr")


@pytest.mark.parametrize(
    ("text", "value", "low", "high"),
    [
        ("45.5 points (95% CI: 38.6-52.3)", 45.5, 38.6, 52.3),
        ("8.1 (95% confidence interval [CI] 7.8 to 8.4)", 8.1, 7.8, 8.4),
        ("46 (95% CI, 37 to 54)", 46, 37, 54),
        ("3% (95% CI: 2%-4%)", 3, 2, 4),
        ("0.4 [95% CI −0.4 to 1.2]", 0.4, -0.4, 1.2),
        ("0.74 95% CI 0.65–0.85", 0.74, 0.65, 0.85),
        ("2.1; 95% CI, 1.3 to 3.4", 2.1, 1.3, 3.4),
        ("18.4 months (95% CI 15.2–21.7)", 18.4, 15.2, 21.7),
    ],
)
def test_ci_spellings(text, value, low, high):
    q = one(text)
    assert (q.value, q.ci_low, q.ci_high, q.ci_level) == (value, low, high, 0.95)


def test_ci_level_other_than_95():
    assert one("1.8 (90% CI 1.1 to 2.5)").ci_level == 0.9


def test_unicode_minus_is_a_sign_and_hyphen_between_numbers_is_a_range():
    q = one("−1.2 (−2.0 to −0.4)")
    assert (q.value, q.range_low, q.range_high) == (-1.2, -2.0, -0.4)
    r = one("reported 38.6-52.3 overall")
    assert (r.kind, r.range_low, r.range_high) == ("range", 38.6, 52.3)


def test_hyphen_after_a_word_is_a_sign():
    assert one("changed by -1.2 points").value == -1.2


@pytest.mark.parametrize(
    ("text", "percent", "count", "denominator"),
    [
        ("4% (204/5,319)", 4, 204, 5319),
        ("(2% [119/5,319])", 2, 119, 5319),
        ("(4%, 17/432)", 4, 17, 432),
        ("81% [83/102]", 81, 83, 102),
        ("19% (19/102)", 19, 19, 102),
        ("1% (n=48)", 1, 48, None),
        ("(less than 1%, n=46)", 1, 46, None),
    ],
)
def test_percent_with_count_and_denominator(text, percent, count, denominator):
    q = one(text)
    assert (q.percent, q.count, q.denominator, q.is_percent) == (percent, count, denominator, True)


def test_count_with_percent_in_parentheses():
    q = one("13 (44.8%)")
    assert (q.value, q.count, q.percent, q.is_percent) == (13, 13, 44.8, False)


def test_less_than_is_kept_as_relation():
    assert one("in less than 1% (n=48)").relation == "<"


@pytest.mark.parametrize(
    ("text", "value", "relation"),
    [
        ("p<0.001", 0.001, "<"),
        ("P = .026", 0.026, "="),
        ("p=0.06", 0.06, "="),
        ("P < 0.0001", 0.0001, "<"),
        ("p ≤ 0.05", 0.05, "<="),
        ("p-value = 0.03", 0.03, "="),
    ],
)
def test_p_values_are_their_own_quantities(text, value, relation):
    (q,) = find_quantities(text)
    assert (q.kind, q.p_value, q.p_relation, q.value) == ("p", value, relation, None)


def test_p_inside_ci_parentheses_attaches_to_the_estimate():
    (q,) = find_quantities("0.74 (95% CI 0.65-0.85; P<0.001)")
    assert (q.value, q.p_value, q.p_relation) == (0.74, 0.001, "<")


def test_number_words_and_percent_words():
    assert one("Eleven studies").value == 11
    q = one("Eighty-six percent of patients")
    assert (q.value, q.is_percent, q.is_word) == (86, True, True)


def test_n_equals_prefix_is_part_of_the_mention():
    q = one("(N = 28)")
    assert (q.value, q.n_equals, q.text) == (28, True, "N = 28")
    f = one("n=96/5,319")
    assert (f.count, f.denominator, f.n_equals) == (96, 5319, True)


def test_of_fraction():
    q = find_quantities("In 27 of 28 patients (96%)")[0]
    assert (q.count, q.denominator) == (27, 28)


def test_several_values_with_sd_in_a_list():
    qs = find_quantities("5.2 ± 1.9, 6.8 ± 2.4 and 7.1 ± 3.0 days")
    assert [(q.value, q.sd) for q in qs] == [(5.2, 1.9), (6.8, 2.4), (7.1, 3.0)]
    assert qs[-1].unit == "days"


def test_sd_with_percent_makes_a_percent_unit_score():
    q = one("LVEF 35.2 ± 8.1% at baseline")
    assert (q.value, q.sd, q.unit) == (35.2, 8.1, "%")


def test_lancet_decimal_point():
    q = one("0·74 (0·65–0·85)")
    assert (q.value, q.range_low) == (0.74, 0.65)


@pytest.mark.parametrize(
    "text",
    [
        "ISBN: 978-1-4731-2414-1",
        "registration number NL9351",
        "NCT01234567",
        "(METCZ20200224)",
        "EQ-5D-3L and SF-36 and PHQ-9",
        "between April 15, 2019, and June 19, 2020",
        "2026 Apr 21",
        "as reported [8, 13, 21]",
        "doi: 10.1097/BRS.0000000000005726",
        "Table 2 shows",
        "4.1 In a randomised trial",
        "randomised 1:1",
    ],
)
def test_identifiers_dates_references_are_not_quantities(text):
    assert find_quantities(text) == []


def test_year_is_flagged():
    (q,) = find_quantities("published in 2013")
    assert q.year_like


def test_hyphenated_size_is_a_compound():
    q = one("A 3-cm lateral incision")
    assert (q.unit, q.compound) == ("cm", True)


def test_number_word_of_digits_is_a_count_with_denominator():
    q = one("Nineteen of the 84 shoulders were stiff")
    assert (q.value, q.count, q.denominator) == (19, 19, 84)
