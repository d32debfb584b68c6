"""Specifications of number reading: digits as papers write them and number words."""

from __future__ import annotations

import pytest

from extractor.annotate.numbers import load_number_words, parse_digits, parse_fraction, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5,319", 5319.0),
        ("1,181", 1181.0),
        (".026", 0.026),
        ("0·74", 0.74),
        ("−1.2", -1.2),
        ("42", 42.0),
    ],
)
def test_digit_numbers_are_read_with_separators_and_signs(text, value):
    assert parse_digits(text) == value


def test_list_comma_is_not_a_thousands_separator():
    assert parse_digits("8,13") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Eleven", 11),
        ("Twenty-three", 23),
        ("twenty three", 23),
        ("one hundred and forty-eight", 148),
        ("two thousand", 2000),
        ("NINETY-NINE", 99),
    ],
)
def test_number_words_including_hyphenated_and_capitalised(text, value):
    assert load_number_words().parse(text) == value


def test_non_number_word_is_not_a_number():
    assert parse_number("third") is None
    assert parse_number("several") is None


def test_number_word_regex_finds_whole_compound_only():
    found = load_number_words().regex.findall("Thirty-one of these and someone else")
    assert found == ["Thirty-one"]


@pytest.mark.parametrize(
    ("text", "pair"),
    [("83/102", (83, 102)), ("n=96/5,319", (96, 5319)), ("17 / 432", (17, 432))],
)
def test_fractions_give_count_and_denominator(text, pair):
    assert parse_fraction(text) == pair


def test_decimal_fraction_is_not_a_count():
    assert parse_fraction("1.5/3") is None
