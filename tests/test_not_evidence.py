"""Specifications of numbers that are never evidence rows (conventions rule 10)."""

from __future__ import annotations

import pytest
from matcher_helpers import rows


@pytest.mark.parametrize(
    "text",
    [
        "The trial was published in 2013 and updated in June 2017.",
        "Patients were treated between April 15, 2019, and June 19, 2020.",
        "4.1 In a randomised trial the committee considered the evidence.",
        "ISBN: 978-1-4731-2414-1",
        "The study was registered (NCT01234567; NL9351; METCZ20200224).",
        "Pain was measured on the NRS (0–10, 10 being worst pain).",
        "Pain was scored on a scale of 1 to 10 before surgery.",
        "Function was rated on a scale of 0 to 6 by the assessor.",
        "Eligibility required a VAS pain score of at least 50 (0–100 scale).",
        "Success was defined as a pain reduction of at least 20 mm on the VAS.",
        "Important improvements were VAS more than 20.0 points and ODI more than 15.0 points.",
        "Diagnosis needed at least a 50% reduction of pain 30–60 min after lidocaine 2%.",
        "Patients received 500 mg of tranexamic acid before the 3-cm incision.",
        "This pain typically develops after the age of 50.",
        "When at least 3 of 5 provocative tests were positive, 3 implants were placed.",
        "doi: 10.1097/BRS.0000000000005726. Spine (Phila Pa 1976).",
        "Analyses used IBM SPSS statistics 27 (Chicago, IL).",
        "A p value ≤ 0.05 was considered statistically significant.",
        "The mean age was 61.2 ± 9.4 years and HbA1c was measured.",
    ],
)
def test_produces_no_row(text):
    assert rows(text) == []


def test_sentence_citing_references_is_skipped():
    text = "Other series reported a VAS improvement of 4.5 points in 80% of patients [8, 13]."
    assert rows(text) == []
    assert rows("As Smith et al. found, NRS fell from 7.1 to 3.2 at 6 months.") == []


def test_threshold_inside_result_sentence_is_not_a_score():
    text = "In nine patients (30.9%), a VAS-pain score of 3 or lower was reported."
    assert [(r.kind, r.value) for r in rows(text)] == [("proportion", 30.9)]
