"""Financial quarters: April-June is Q1; comparisons with the previous and the same quarter last year."""

from __future__ import annotations

import pandas as pd
import pytest

from csa_analysis.domain.periods import (
    Quarter,
    check_quarter_in_data,
    complete_quarters,
    latest_complete_quarter,
    quarter_of_months,
)
from csa_analysis.errors import InputError


@pytest.mark.parametrize("month,label", [
    ("2024-04", "2024-25Q1"), ("2024-06", "2024-25Q1"), ("2024-07", "2024-25Q2"),
    ("2024-12", "2024-25Q3"), ("2025-01", "2024-25Q4"), ("2025-03", "2024-25Q4"),
    ("1999-12", "1999-00Q3"),
])
def test_months_fall_in_their_financial_quarter(month, label):
    assert str(Quarter.from_month(month)) == label
    assert quarter_of_months(pd.Series([month])).iloc[0] == label


def test_quarter_months_and_comparisons():
    q = Quarter.parse("2024-25Q4")
    assert q.months() == ["2025-01", "2025-02", "2025-03"]
    assert str(q.previous()) == "2024-25Q3"
    assert str(Quarter.parse("2024-25Q1").previous()) == "2023-24Q4"
    assert str(q.last_year()) == "2023-24Q4"
    assert q.label() == "January to March 2025 (2024-25 Q4)"


@pytest.mark.parametrize("text", ["2024Q1", "2024-25Q5", "2024-26Q1", "24-25Q1", ""])
def test_malformed_quarters_are_refused_with_the_expected_form(text):
    with pytest.raises(InputError, match="expected .*2024-25Q1|expected 2024-25Q1"):
        Quarter.parse(text)


def test_the_latest_complete_quarter_ignores_a_partial_one():
    months = ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]
    assert str(latest_complete_quarter(months)) == "2018-19Q3"
    assert [str(q) for q in complete_quarters(months)] == ["2018-19Q3"]


def test_no_complete_quarter_is_an_input_error():
    with pytest.raises(InputError, match="no complete financial quarter"):
        latest_complete_quarter(["2018-11", "2018-12"])


def test_a_quarter_outside_the_data_names_the_missing_months():
    with pytest.raises(InputError, match="needs months 2019-01, 2019-02, 2019-03"):
        check_quarter_in_data(Quarter.parse("2018-19Q4"), ["2018-10", "2018-11", "2018-12"])
