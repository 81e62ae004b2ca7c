"""Delivery level: the escalation protocol's rules at their edges, the rationale's figures and the risk notes.

Each edge the review found is a test here, written from contrived inputs: an issue with no incidents, one
concentrated in one district, "most" meaning half, a one-district county, every top-5 issue coordinated, and
the two criteria (b, d) the rules ignored.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csa_analysis.config.county import DeliveryRules, IssueSettings
from csa_analysis.method.delivery import (
    COORDINATED,
    COUNTY_WIDE,
    DISTRICT_LED,
    LEVELS,
    district_evidence,
    majority,
    most_districts,
)
from csa_analysis.method.score import build_tables_from_counts
from csa_analysis.method.volume import NO_COMPARISON

from scoringfactory import ALL_MONTHS, Q, make_counts, make_county

FOUR = (1000, 1000, 1000, 1000)
DISTRICTS = ("North", "South", "East", "West")
NOW, LAST_YEAR, PREVIOUS = "2019-04", "2018-04", "2019-01"


def tables(rows, pops=FOUR, months=ALL_MONTHS, issues=(), **rules) -> dict[str, pd.DataFrame]:
    county = make_county(pops, delivery=DeliveryRules(**rules), issues=tuple(issues))
    return build_tables_from_counts(make_counts(rows), county, Q, months)


def priorities(rows, pops=FOUR, **kw) -> pd.DataFrame:
    return tables(rows, pops, **kw)["county_priorities"].set_index("issue")


def steady(issue, n, districts=DISTRICTS):
    """``n`` a quarter in each district, now and a year before (no change to flag)."""
    return [(d, issue, m, n) for d in districts for m in (NOW, LAST_YEAR, PREVIOUS)]


class TestMost:
    @pytest.mark.parametrize("k,n,expected", [(2, 4, False), (3, 4, True), (4, 7, True), (3, 7, False),
                                              (1, 1, True), (1, 2, False)])
    def test_most_is_a_strict_majority(self, k, n, expected):
        assert bool(majority(k, n, DeliveryRules())) is expected

    @pytest.mark.parametrize("n,expected", [(7, 4), (4, 3), (2, 2), (1, 1)])
    def test_how_many_make_most(self, n, expected):
        assert most_districts(n, DeliveryRules()) == expected


class TestEvidence:
    def test_low_high_rising_and_beyond_limit_districts_are_counted_and_named_per_issue(self):
        s = pd.DataFrame({"district": ["North", "South", "East"] * 2,
                          "issue": ["Drugs"] * 3 + ["Robbery"] * 3, "count": [5, 25, 0, 1, 2, 3],
                          "change_flag": ["increase", NO_COMPARISON, "decrease", "increase", "increase",
                                          "no change beyond random variation"],
                          "above_998": [True, False, False, False, True, True],
                          "location_quotient": [1.2, 0.8, np.nan, 2.0, 1.0, 0.5]})
        ev = district_evidence(s, DeliveryRules(low_volume_count=20))
        assert ev.loc["Drugs", ["low_volume_districts", "high_volume_districts", "rising_districts",
                                "above_limit_districts"]].tolist() == [2, 1, 1, 1]
        assert ev.loc["Robbery", "rising_names"] == "North, South" and ev.loc["Robbery", "above_names"] == "South, East"
        assert bool(ev.loc["Drugs", "comparison_available"]) and ev.loc["Robbery", "top_location_quotient"] == 2.0


class TestEdges:
    def test_an_issue_with_no_incidents_is_never_escalated_whatever_its_harm(self):
        cp = priorities(steady("Burglary", 40))
        r = cp.loc["Robbery"]  # 0 in all four districts, harm weight 365
        assert r["count"] == 0 and r["delivery_level"] == DISTRICT_LED
        assert r["rationale"] == "No incidents in any of the 4 districts this quarter: nothing to escalate."
        assert r["risk_note"].startswith("Not escalated.")

    def test_an_issue_concentrated_in_one_district_is_that_districts_to_lead(self):
        rows = [("North", "Shoplifting", m, 600) for m in (NOW, LAST_YEAR, PREVIOUS)]
        rows += steady("Shoplifting", 5, DISTRICTS[1:])  # "most districts have too few" elsewhere
        r = priorities(rows).loc["Shoplifting"]
        assert r["delivery_level"] == DISTRICT_LED
        assert r["rationale"].startswith("North holds 98% of the county's 615 incidents (more than 50%)")
        assert "North's to lead" in r["rationale"]
        assert "no district holds more than 50% of the county count" in r["risk_note"]

    def test_two_of_four_districts_are_not_most(self):
        rows = steady("Robbery", 6, ("North", "South")) + steady("Robbery", 30, ("East", "West"))
        r = priorities(rows).loc["Robbery"]
        assert r["low_volume_districts"] == 2 and r["delivery_level"] == DISTRICT_LED
        rows = steady("Robbery", 8, ("North", "South", "East")) + steady("Robbery", 20, ("West",))
        r = priorities(rows).loc["Robbery"]
        assert r["low_volume_districts"] == 3 and r["delivery_level"] == COUNTY_WIDE  # 3 of 4 are most

    def test_a_one_district_county_escalates_nothing(self):
        cp = priorities(steady("Robbery", 30, ("North",)) + steady("Burglary", 90, ("North",)), pops=(5000,))
        assert (cp["delivery_level"] == DISTRICT_LED).all()
        assert "the county's only district (North)" in cp.loc["Robbery", "rationale"]

    def test_low_volume_everywhere_needs_enough_cases_in_the_county_for_one_service(self):
        few = priorities(steady("Robbery", 3)).loc["Robbery"]  # 12 in the county, below 20
        assert few["delivery_level"] == DISTRICT_LED
        assert "the county total of 12 is below the 20 one service needs" in few["rationale"]
        enough = priorities(steady("Robbery", 6)).loc["Robbery"]  # 24
        assert enough["delivery_level"] == COUNTY_WIDE
        assert enough["rationale"].startswith("Low volume in 4 of 4 districts (below 20 a quarter each) but 24 "
                                              "across the county (at least 20 for one service)")
        assert "harm weight 365 CCHI days per offence (at least 100)" in enough["rationale"]

    def test_a_meaningful_county_total_makes_a_low_harm_issue_county_wide(self):
        r = priorities(steady("Shoplifting", 15), meaningful_county_count=60).loc["Shoplifting"]
        assert r["delivery_level"] == COUNTY_WIDE
        assert "a county total of 60 (at least 60)" in r["rationale"] and "harm weight" not in r["rationale"]

    def test_a_top_rank_alone_is_not_county_coordination(self):
        rows = steady("Burglary", 90) + steady("Vehicle crime", 70) + steady("Other theft", 60)
        cp = priorities(rows)
        assert cp.loc["Burglary", "priority_rank"] == 1
        assert (cp.loc[["Burglary", "Vehicle crime", "Other theft"], "delivery_level"] == DISTRICT_LED).all()
        r = cp.loc["Burglary"]
        assert "High volume in 4 of 4 districts, but no pattern shared by 2 or more districts" in r["rationale"]
        assert "trend: no district rises beyond random variation" in r["rationale"]
        assert "Escalate if it rises beyond random variation, or goes beyond the county's 99.8% limit, in 2 or " \
               "more districts" in r["risk_note"]

    def test_a_rise_shared_by_several_districts_is_county_coordinated_and_named(self):
        rows = [(d, "Burglary", NOW, 60) for d in DISTRICTS] + [(d, "Burglary", LAST_YEAR, 20) for d in DISTRICTS]
        rows += steady("Vehicle crime", 70)
        r = priorities(rows).loc["Burglary"]
        assert r["rising_districts"] == 4 and r["delivery_level"] == COORDINATED
        assert "a rise beyond random variation in 4 districts (North, South, East, West)" in r["rationale"]
        assert r["rationale"].endswith("delivered by the districts, coordinated county-wide for economies of scale.")

    def test_rates_beyond_the_county_limit_in_several_districts_are_a_shared_pattern(self):
        rows = steady("Burglary", 150, ("North", "South")) + steady("Burglary", 40, ("East", "West"))
        r = priorities(rows).loc["Burglary"]
        assert r["above_limit_districts"] == 2 and r["delivery_level"] == COORDINATED
        assert "rates beyond the county's 99.8% limit in 2 districts (North, South)" in r["rationale"]

    def test_an_existing_county_mechanism_and_county_funding_count_and_are_named(self):
        drugs = IssueSettings("Drugs", county_mechanism="County substance misuse board (agreement 6.5)")
        shop = IssueSettings("Shoplifting", county_funding="Retail crime fund (PCC 2025)")
        cp = priorities(steady("Drugs", 40) + steady("Shoplifting", 6), issues=(drugs, shop))
        assert cp.loc["Drugs", "delivery_level"] == COORDINATED
        assert "an existing county mechanism (County substance misuse board (agreement 6.5))" in \
            cp.loc["Drugs", "rationale"]
        assert cp.loc["Shoplifting", "delivery_level"] == COUNTY_WIDE  # low volume, 24 in the county, funded
        assert "a county funding opportunity (Retail crime fund (PCC 2025))" in cp.loc["Shoplifting", "rationale"]
        plain = priorities(steady("Drugs", 40) + steady("Shoplifting", 6))
        assert (plain.loc[["Drugs", "Shoplifting"], "delivery_level"] == DISTRICT_LED).all()

    def test_every_issue_has_one_level_a_rationale_and_a_risk_note_only_when_district_led(self):
        cp = priorities(steady("Burglary", 90) + steady("Robbery", 6))
        assert set(cp["delivery_level"]) <= set(LEVELS) and len(cp) == 14
        assert cp["rationale"].str.len().gt(40).all()
        led = cp["delivery_level"] == DISTRICT_LED
        assert cp.loc[led, "risk_note"].str.startswith("Not escalated").all()
        assert cp.loc[~led, "risk_note"].isna().all()

    def test_thresholds_decide_the_level(self):
        rows = steady("Robbery", 6)
        assert priorities(rows).loc["Robbery", "delivery_level"] == COUNTY_WIDE
        assert priorities(rows, high_harm_weight=400).loc["Robbery", "delivery_level"] != COUNTY_WIDE
        assert priorities(rows, low_volume_count=3).loc["Robbery", "delivery_level"] != COUNTY_WIDE
        assert priorities(rows, service_min_count=25).loc["Robbery", "delivery_level"] != COUNTY_WIDE


class TestComparisons:
    def test_no_comparison_quarter_says_so_everywhere_never_no_increase(self):
        months = ["2019-04", "2019-05", "2019-06"]
        t = tables([(d, "Burglary", NOW, 50) for d in DISTRICTS], months=months)
        s, cp, rag = t["issue_scores"], t["county_priorities"].set_index("issue"), t["rag"]
        assert (s["change_flag"] == NO_COMPARISON).all() and (cp["change_flag"] == NO_COMPARISON).all()
        assert "trend: no comparison available" in cp.loc["Burglary", "rationale"]
        assert "no comparison available" in cp.loc["Robbery", "risk_note"] or cp.loc["Robbery", "count"] == 0
        assert rag["reason"].str.contains("no comparison available").all()
        for text in [*cp["rationale"], *cp["risk_note"].dropna(), *rag["reason"]]:
            assert "no increase" not in text and "0 district(s) with an increase" not in text

    def test_chance_flags_are_controlled_for_the_false_discovery_rate(self):
        rows = steady("Burglary", 40) + steady("Vehicle crime", 40) + steady("Shoplifting", 40)
        rows = [r for r in rows if not (r[0] == "North" and r[1] == "Burglary" and r[2] == NOW)]
        rows.append(("North", "Burglary", NOW, 63))  # 63 against 40: raw p about 0.03
        s = tables(rows)["issue_scores"].set_index(["district", "issue"])
        north = s.loc[("North", "Burglary")]
        assert north["p_value_last_year"] < 0.05  # at 5% one such flag in twenty tests is chance
        assert north["p_value_adjusted"] > 0.05 and north["change_flag"] == "no change beyond random variation"

    def test_p_values_are_written_at_full_precision(self, tmp_path):
        from csa_analysis.report.tables import write_tables

        rows = [(d, "Burglary", NOW, 200) for d in DISTRICTS] + [(d, "Burglary", LAST_YEAR, 10) for d in DISTRICTS]
        write_tables(tables(rows), tmp_path)
        text = (tmp_path / "tables" / "issue_scores.csv").read_text()
        header = text.splitlines()[0].split(",")
        burglary = next(line for line in text.splitlines() if ",Burglary," in line).split(",")
        p = float(burglary[header.index("p_value_last_year")])
        assert 0 < p < 1e-30  # not rounded to 0.0


class TestUsualVariationBetweenDistricts:
    """Rule 5's "rates beyond the county's 99.8% limit" allows for the usual variation between districts
    (Spiegelhalter 2005): ordinary differences between the rates of a high-volume issue are not a shared pattern;
    a pair of genuinely outlying districts still is, and low-volume high-harm issues stay county-wide."""

    SEVEN = (100_000, 185_000, 95_000, 115_000, 52_000, 105_000, 57_000)
    NAMES = ("North", "South", "East", "West", "Central", "Upper", "Lower")

    def rows(self, issue, counts):
        return [(d, issue, m, int(n)) for d, n in zip(self.NAMES, counts, strict=True)
                for m in (NOW, LAST_YEAR, PREVIOUS)]

    def counts(self, mult, pops=SEVEN, rate=4.0):
        return np.round(rate / 1000 * np.asarray(pops) * np.asarray(mult)).astype(int)

    def test_ordinary_variation_in_a_high_volume_issue_is_district_led_and_says_why(self):
        from scipy import stats

        # Hundreds a quarter per district, rates 15-25% either side of the county rate, steady on last year.
        counts = self.counts([1.20, 0.85, 1.25, 0.80, 1.15, 0.90, 1.00])
        rows = self.rows("Violence and sexual offences", counts) + self.rows("Robbery", [4, 7, 5, 9, 3, 6, 8])
        pops = np.asarray(self.SEVEN, dtype=float)
        e = counts.sum() / pops.sum() * pops
        poisson_beyond = int((counts > stats.poisson.ppf(0.999, e)).sum())
        assert poisson_beyond >= 2  # against the Poisson limit alone this would be "a shared pattern"
        z = (counts - e) / np.sqrt(e)
        lo, hi = np.percentile(z, [10, 90])
        phi = min(np.mean(np.clip(z, lo, hi) ** 2), (1.4826 * np.median(np.abs(z - np.median(z)))) ** 2)
        tau = np.sqrt((7 * phi - 6) / (e.sum() - (e ** 2).sum() / e.sum()))

        cp = priorities(rows, pops=self.SEVEN)
        r = cp.loc["Violence and sexual offences"]
        assert r["above_limit_districts"] == 0 and r["poisson_above_districts"] == poisson_beyond
        assert r["delivery_level"] == DISTRICT_LED
        assert (f"0 districts beyond the county's 99.8% limit once the usual variation between districts, a standard "
                f"deviation of {tau:.0%} of the county rate, is allowed for, against {poisson_beyond} beyond the "
                "Poisson limit alone") in r["rationale"]
        assert r["rationale"].endswith("no county mechanism or funding declared: district-led.")
        assert "goes beyond the county's 99.8% limit (allowing for the usual variation between districts), in 2 " \
               "or more districts" in r["risk_note"]
        # (d) a low-volume, high-harm issue in the same county is still one county-wide service
        assert cp.loc["Robbery", "delivery_level"] == COUNTY_WIDE
        # With the adjustment switched off ([delivery] overdispersion = false) the Poisson limits decide, as before.
        off = priorities(rows, pops=self.SEVEN, overdispersion=False).loc["Violence and sexual offences"]
        assert off["above_limit_districts"] == poisson_beyond and off["delivery_level"] == COORDINATED

    def test_a_genuinely_outlying_pair_of_districts_is_still_a_shared_pattern(self):
        pops = (100_000, 185_000, 60_000, 115_000, 150_000, 105_000, 57_000)
        counts = self.counts([1.00, 1.01, 2.00, 0.99, 1.02, 0.98, 2.00], pops)
        r = priorities(self.rows("Burglary", counts), pops=pops).loc["Burglary"]
        assert r["above_limit_districts"] == 2 and r["delivery_level"] == COORDINATED
        assert "rates beyond the county's 99.8% limit in 2 districts (East, Lower)" in r["rationale"]

    def test_district_rag_allows_for_the_usual_variation(self):
        counts = self.counts([1.20, 0.85, 1.25, 0.80, 1.15, 0.90, 1.00])
        t = tables(self.rows("Violence and sexual offences", counts), pops=self.SEVEN)
        rag = t["rag"]
        rows = rag[(rag["level"] == "district") & (rag["issue"] == "Violence and sexual offences")]
        assert (rows["status"] != "Red").all()
        assert rows["reason"].str.contains("allowing for the usual variation between districts").all()


class TestAnnex:
    def test_the_annex_states_the_method_its_source_and_when_the_limits_stay_poisson(self):
        from csa_analysis.report.methodology import methodology_markdown

        text = methodology_markdown(make_county((1000,) * 7))
        assert "Spiegelhalter (2005" in text and "Statistics in Medicine 24:1185" in text
        assert "tau^2 = (I x phi - (I - 1)) / (sum w - sum w^2 / sum w)" in text
        assert "at least 5 districts" in text and "(`phi` at most 1), the limits are the Poisson ones" in text
        assert "| overdispersion | true | built-in default | Spiegelhalter (2005)" in text
        few = methodology_markdown(make_county(FOUR))
        assert "This county has 4 districts, fewer than 5: every issue keeps its Poisson limits." in few
        off = methodology_markdown(make_county(FOUR, delivery=DeliveryRules(overdispersion=False)))
        assert "adjustment for overdispersion is switched off" in off and "| overdispersion | false |" in off
