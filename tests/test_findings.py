"""Each chart's main finding (its alt text and caption) states what the figures behind it show."""

from __future__ import annotations

import numpy as np
import pandas as pd

from csa_analysis.report import findings

from synthetic import synthetic_tables


def test_rates_count_the_issues_above_the_county_and_name_the_highest_ratio():
    tables = synthetic_tables()
    s, c = tables["issue_scores"], tables["county_priorities"]
    district = str(s["district"].iloc[0])
    text, data = findings.rates(s, c, district)
    above = (data["rate_per_1000"] > data["county_rate_per_1000"]).sum()
    assert text.startswith(f"{district} is above the county rate for {above} of {len(data)} issues")
    ratio = data["rate_per_1000"] / data["county_rate_per_1000"]
    assert str(data.loc[ratio.idxmax(), "issue"]) in text


def test_matrix_names_the_issue_with_most_incidents_and_most_harm():
    t = pd.DataFrame({"issue": ["Burglary", "Drugs", "Anti-social behaviour"], "count": [50, 10, 400],
                      "harm_score": [11100.0, 300.0, np.nan]})
    text, data = findings.matrix(t, "CCHI days")
    assert text == "Anti-social behaviour has the most incidents (400) and Burglary the most harm (11,100 CCHI days)."
    assert len(data) == 3


def test_funnel_names_the_districts_above_the_upper_limit():
    s = pd.DataFrame({"district": ["A", "B", "C"], "issue": "Drugs", "population": [1000, 2000, 3000],
                      "rate_per_1000": [9.0, 2.0, 1.0], "upper_998_per_1000": [5.0, 4.0, 3.0]})
    c = pd.DataFrame({"issue": ["Drugs"], "rate_per_1000": [2.5]})
    text, _ = findings.funnel(s, c, "Drugs")
    assert text.startswith("Drugs: 1 district above the county's 99.8% upper limit (A)")
    text, _ = findings.funnel(s.assign(rate_per_1000=1.0), c, "Drugs")
    assert text.startswith("Drugs: no district is above")


def test_funding_names_the_largest_shortfall_and_says_when_there_is_no_funding():
    cpa = pd.DataFrame({"district": ["A", "B"], "need_share": [0.7, 0.3], "funding_share": [0.5, 0.5]})
    text, _ = findings.funding(cpa)
    assert text.startswith("A has the largest shortfall of funding against need: 50% of the funding for 70%")
    text, _ = findings.funding(cpa.assign(funding_share=np.nan))
    assert text.startswith("No funding was given")


def test_sensitivity_names_the_largest_move_or_says_the_ranking_is_stable():
    t = pd.DataFrame({"issue": ["Burglary", "Drugs"], "rank_default": [1, 2], "rank_equal_weights": [2, 1],
                      "max_rank_change": [1, 1]})
    assert findings.sensitivity(t)[0] == ("The ranking depends on the weights: Burglary moves by up to 1 place "
                                          "between weightings.")
    assert findings.sensitivity(t.assign(max_rank_change=0))[0] == ("The harm ranking is the same under every "
                                                                    "weighting.")


def test_trend_reports_the_latest_month_of_the_top_issue_and_keeps_gaps_blank():
    m = pd.DataFrame({"district": "A", "issue": ["Drugs"] * 3, "month": ["2024-04", "2024-05", "2024-06"],
                      "count": [3.0, np.nan, 5.0]})
    text, data = findings.trend(m, ["Drugs"], "A")
    assert text == "In 2024-06, Drugs had most incidents of the top priorities in A (5, against 3 in 2024-04)."
    assert data["count"].isna().sum() == 1  # a missing month stays blank in the table, never 0
