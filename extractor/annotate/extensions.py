"""The custom token attributes annotation sets, declared in one place.

After annotation a statistic (`576 ± 53 mL`) and a vocabulary term (`adverse events`) are
each one token, so rules in `patterns/rules/` can ask for them by what they are
(`{"_": {"shape": "estimate_sd"}}`, `{"_": {"vocab": "count_noun"}}`) instead of by the
words they are written with.
"""

from __future__ import annotations

from spacy.tokens import Token

# Text attributes default to "" rather than None: spaCy's Matcher compares a pattern's
# string with the attribute's string, and None is not one.
ATTRIBUTES = {
    "stat": None,  # the parsed Statistic of a statistic token
    "is_stat": False,  # whether the token is a statistic (for `not a number` in patterns)
    "shape": "",  # its shape: number, percent, estimate_sd, count_percent, p, ci, ...
    "integer": False,  # a plain whole number >= 0 with nothing attached (a count or a size)
    "vocab": "",  # the vocabulary of a term token: instrument, event, count_noun, ...
    "canonical": "",  # the term's canonical name
    "category": "",  # the term's category (event category, counted unit's category)
    "unit_dim": "",
    "relation": "",  # `<`, `>=` ... when the value is written as a bound
    "compound": False,  # part of a compound adjective: `6-month`, `3-cm`
    "year_like": False,  # a bare integer 1900-2100  # the dimension of a statistic's unit: time, mass, volume, ...
}


def declare() -> None:
    """Register the attributes (idempotent: spaCy keeps one registry per process)."""
    for name, default in ATTRIBUTES.items():
        if not Token.has_extension(name):
            Token.set_extension(name, default=default)


declare()
