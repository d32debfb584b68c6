"""Every rule of `patterns/rules/` matches the examples it lists.

A rule's `examples` are its specification in its own file (patterns/rules/README.md): a
clinician reading `sample_size.list_by_time` sees the sentence it was written for. An
example the rule no longer matches (a word list changed, a term now annotated as one
token) would be a false promise, so each one is run through the real annotation and
matcher here.
"""

from __future__ import annotations

from typing import Any

import pytest

from extractor.annotate.document import annotate
from extractor.patterns_dir import default_patterns_dir
from extractor.pipeline import Extractor
from extractor.rules.load import load_rules


@pytest.fixture(scope="module")
def extractor() -> Any:
    return Extractor.load()


def _examples() -> list[Any]:
    return [
        pytest.param(rule.id, text, id=f"{rule.id}:{n}")
        for rule in load_rules(default_patterns_dir())
        for n, text in enumerate(rule.examples)
    ]


@pytest.mark.parametrize(("rule_id", "text"), _examples())
def test_rule_matches_its_example(rule_id: str, text: str, extractor: Any) -> None:
    engine = extractor.prose
    sentences = annotate(text, list(extractor.splitter.docs(text)), engine.parser, engine.terms)
    matched = {
        m.rule.id
        for s in sentences
        for m in engine.rules.matches(s.features, s.span.start, s.span.end)
    }
    assert rule_id in matched, sorted(matched)
