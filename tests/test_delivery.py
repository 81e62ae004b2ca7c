"""Delivery level: the default escalation protocol, its configured thresholds, rationales and risk notes."""

from __future__ import annotations

import pandas as pd
import pytest

from csa_analysis.config.county import DeliveryRules
from csa_analysis.method.delivery import (
    COORDINATED,
    COUNTY_WIDE,
    DISTRICT_LED,
    LEVELS,
    district_evidence,
    most_districts,
)
from csa_analysis.method.score import build_tables_from_counts

from scoringfactory import ALL_MONTHS, Q, make_counts, make_county

FOUR = (1000, 1000, 1000, 1000)
DISTRICTS = ("North", "South", "East", "West")


def priorities(rows, pops=FOUR, **rules) -> pd.DataFrame:
    county = make_county(pops, delivery=DeliveryRules(**rules))
    return build_tables_from_counts(make_counts(rows), county, Q, ALL_MONTHS)["county_priorities"].set_index("issue")


def everywhere(issue, n, month="2019-04"):
    return [(d, issue, month, n) for d in DISTRICTS]


class TestMostDistricts:
    @pytest.mark.parametrize("n,share,expected", [(7, 0.5, 4), (4, 0.5, 2), (3, 1.0, 3), (10, 0.3, 3), (1, 0.1, 1)])
    def test_most_is_the_smallest_count_reaching_the_share(self, n, share, expected):
        assert most_districts(n, DeliveryRules(most_districts_share=share)) == expected


class TestEvidence:
    def test_low_volume_priority_and_rising_districts_are_counted_per_issue(self):
        s = pd.DataFrame({"issue": ["Drugs"] * 3 + ["Robbery"] * 3, "count": [5, 25, 0, 1, 2, 3],
                          "priority_rank": [1, 6, 2, 3, 4, 5],
                          "change_flag": pd.Series(["increase", None, "decrease", "increase", "increase",
                                                    "no change beyond random variation"], dtype="str"),
                          "location_quotient": [1.2, 0.8, float("nan"), 2.0, 1.0, 0.5]})
        ev = district_evidence(s, DeliveryRules(low_volume_count=20, priority_top_n=5))
        assert ev.loc["Drugs"].tolist() == [2, 1, 1, 1.2]  # rank 2 with no incidents is not a priority
        assert ev.loc["Robbery"].tolist() == [3, 3, 2, 2.0]


class TestLevels:
    def test_every_issue_gets_one_of_the_three_levels_a_rationale_and_risk_notes_only_when_district_led(self):
        cp = priorities(everywhere("Burglary", 90) + everywhere("Robbery", 3))
        assert set(cp["delivery_level"]) <= set(LEVELS) and len(cp) == 14
        assert cp["rationale"].str.len().gt(40).all()
        led = cp["delivery_level"] == DISTRICT_LED
        assert cp.loc[led, "risk_note"].str.startswith("Not escalated").all()
        assert cp.loc[~led, "risk_note"].isna().all()

    def test_low_volume_everywhere_with_high_harm_is_one_county_wide_service(self):
        cp = priorities(everywhere("Robbery", 3))
        r = cp.loc["Robbery"]
        assert r["delivery_level"] == COUNTY_WIDE
        assert r["rationale"].startswith("Low volume in 4 of 4 districts (below 20 a quarter)")
        assert "harm weight 365 CCHI days per offence (at least 100)" in r["rationale"]

    def test_low_volume_with_a_meaningful_county_total_is_county_wide_even_with_low_harm(self):
        cp = priorities(everywhere("Shoplifting", 15), meaningful_county_count=60)
        r = cp.loc["Shoplifting"]
        assert r["delivery_level"] == COUNTY_WIDE
        assert "a county total of 60 this quarter (at least 60)" in r["rationale"]
        assert "harm weight" not in r["rationale"]  # shoplifting's weight of 1 did not decide it
        assert r["rationale"].endswith("as no district has enough cases to justify its own.")

    def test_a_county_wide_sentence_does_not_claim_every_district_is_small_when_one_is_not(self):
        cp = priorities([("North", "Robbery", "2019-04", 40)] + everywhere("Robbery", 2)[1:])
        r = cp.loc["Robbery"]
        assert r["delivery_level"] == COUNTY_WIDE and r["rationale"].startswith("Low volume in 3 of 4")
        assert "as most districts have too few cases to justify their own" in r["rationale"]

    def test_low_volume_and_low_harm_stays_district_led_and_the_sentence_says_why(self):
        busier = everywhere("Burglary", 90) + everywhere("Drugs", 80) + everywhere("Vehicle crime", 70)
        cp = priorities(everywhere("Shoplifting", 15) + busier, priority_top_n=3)
        r = cp.loc["Shoplifting"]
        assert r["delivery_level"] == DISTRICT_LED
        assert "harm weight 1 CCHI days (below 100) and a county total of 60 (below 200)" in r["rationale"]

    def test_a_priority_in_most_districts_is_county_coordinated(self):
        cp = priorities(everywhere("Burglary", 90))
        r = cp.loc["Burglary"]
        assert r["delivery_level"] == COORDINATED
        assert r["rationale"].startswith("A top-5 priority in 4 of 4 districts, 360 incidents county-wide")

    def test_a_priority_in_a_minority_of_districts_is_district_led_with_its_concentration(self):
        rows = [("North", "Shoplifting", "2019-04", 300)] + everywhere("Burglary", 90) + everywhere("Drugs", 80)
        rows += everywhere("Vehicle crime", 70) + everywhere("Other theft", 60) + everywhere("Public order", 50)
        cp = priorities(rows, pops=FOUR, priority_top_n=3, meaningful_county_count=1000)
        r = cp.loc["Shoplifting"]
        assert r["delivery_level"] == DISTRICT_LED
        assert "North holds 100% of the county count" in r["rationale"]
        assert "location quotient up to" in r["risk_note"]
        assert "escalate if it becomes a top-3 priority in 2 districts" in r["risk_note"]

    def test_thresholds_decide_the_level(self):
        rows = everywhere("Robbery", 3)
        assert priorities(rows).loc["Robbery", "delivery_level"] == COUNTY_WIDE
        assert priorities(rows, high_harm_weight=400).loc["Robbery", "delivery_level"] != COUNTY_WIDE
        assert priorities(rows, low_volume_count=3).loc["Robbery", "delivery_level"] != COUNTY_WIDE
