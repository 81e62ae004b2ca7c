"""Unit tests of the scoring library on small hand-built frames, with expected values worked by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from csa_analysis.config.county import County, DeliveryRules, District, FundingInfo, ScoringWeights
from csa_analysis.domain.issues import ISSUES
from csa_analysis.domain.periods import Quarter
from csa_analysis.method.costs import cost_per_area, default_unit_costs, funding_scenarios
from csa_analysis.method.delivery import COORDINATED, COUNTY_WIDE, DISTRICT_LED
from csa_analysis.method.harm import default_harm_weights, ranking_sensitivity
from csa_analysis.method.prevalence import county_volume, gini, location_quotients
from csa_analysis.method.score import build_tables_from_counts
from csa_analysis.method.scoring import add_priority
from csa_analysis.method.volume import FLAG_DOWN, FLAG_SAME, FLAG_UP, poisson_change_p, poisson_ci, volume_table


def county(pops=(1000, 2000), funding=None, **kw) -> County:
    names = ["North", "South", "East", "West"][: len(pops)]
    funding = funding or (None,) * len(pops)
    return County(
        name="Test", toml_path=Path("county.toml"), police_uk=Path("police_uk"),
        districts=tuple(District(n, p, (), f) for n, p, f in zip(names, pops, funding, strict=True)), **kw)


def counts(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["district", "issue", "month", "count"])
    df["count"] = df["count"].astype("int64")
    return df


Q = Quarter.parse("2019-20Q1")
ALL_MONTHS = [f"{y}-{m:02d}" for y in (2018, 2019) for m in range(1, 13)]


class TestChangeTest:
    @pytest.mark.parametrize("x1,x0", [(30, 15), (15, 30), (5, 5), (0, 7), (12, 3), (100, 80)])
    def test_matches_scipy_exact_binomial_test(self, x1, x0):
        expected = stats.binomtest(x1, x1 + x0, 0.5).pvalue
        assert poisson_change_p([x1], [x0])[0] == pytest.approx(expected)

    def test_unknown_comparison_gives_nan_and_two_zeros_give_one(self):
        p = poisson_change_p(pd.array([4, 0], dtype="Int64"), pd.array([pd.NA, 0], dtype="Int64"))
        assert np.isnan(p[0]) and p[1] == 1.0

    def test_poisson_interval_is_exact(self):
        lo, hi = poisson_ci([0, 10])
        assert lo[0] == 0 and hi[0] == pytest.approx(stats.chi2.ppf(0.975, 2) / 2)
        assert lo[1] == pytest.approx(stats.chi2.ppf(0.025, 20) / 2)


class TestVolume:
    def test_full_grid_with_zeros_rates_and_both_comparisons(self):
        c = counts([
            ("North", "Burglary", "2019-04", 20), ("North", "Burglary", "2019-05", 10),   # Q1: 30
            ("North", "Burglary", "2019-01", 10),                                        # prev Q: 10
            ("North", "Burglary", "2018-06", 40),                                        # last year: 40
        ])
        v = volume_table(c, county(), Q, ALL_MONTHS)
        assert len(v) == 2 * len(ISSUES)
        row = v[(v["district"] == "North") & (v["issue"] == "Burglary")].iloc[0]
        assert (row["count"], row["count_prev_quarter"], row["count_last_year"]) == (30, 10, 40)
        assert row["rate_per_1000"] == pytest.approx(30.0)  # 30 / 1,000 residents x 1,000
        assert row["change_pct_prev_quarter"] == pytest.approx(200.0)
        assert row["change_pct_last_year"] == pytest.approx(-25.0)
        assert row["change_basis"] == "same quarter last year"
        assert row["change_flag"] == FLAG_SAME  # 30 vs 40: p = 0.32
        south = v[(v["district"] == "South") & (v["issue"] == "Burglary")].iloc[0]
        assert south["count"] == 0 and south["count_last_year"] == 0
        assert np.isnan(south["change_pct_last_year"])  # base 0: no percentage

    def test_a_comparison_quarter_outside_the_data_is_blank_not_zero(self):
        c = counts([("North", "Robbery", m, 5) for m in Q.months()])
        v = volume_table(c, county(), Q, Q.months())
        assert v["count_prev_quarter"].isna().all() and v["count_last_year"].isna().all()
        assert (v["change_flag"] == "no comparison available").all()  # never blank, never "no increase"

    def test_significant_changes_are_flagged_both_ways(self):
        c = counts([("North", "Drugs", "2019-04", 60), ("North", "Drugs", "2019-01", 20),
                    ("South", "Drugs", "2019-04", 10), ("South", "Drugs", "2019-01", 50)])
        months = [m for m in ALL_MONTHS if m >= "2019-01"] + ["2019-04", "2019-05", "2019-06"]
        v = volume_table(c, county(), Q, sorted(set(months) & set(ALL_MONTHS)))
        flags = v[v["issue"] == "Drugs"].set_index("district")["change_flag"]
        assert flags["North"] == FLAG_UP and flags["South"] == FLAG_DOWN


class TestPrevalence:
    def test_county_rate_districts_above_and_location_quotients(self):
        # North 10 burglaries / 1,000 residents = 10 per 1,000; South 10 / 2,000 = 5 per 1,000;
        # county 20 / 3,000 = 6.67 per 1,000, so one district is above.
        c = counts([("North", "Burglary", "2019-04", 10), ("South", "Burglary", "2019-04", 10),
                    ("South", "Robbery", "2019-04", 30)])
        v = volume_table(c, county(), Q, ALL_MONTHS)
        v["location_quotient"] = location_quotients(v)
        cv = county_volume(v).set_index("issue")
        assert cv.loc["Burglary", "rate_per_1000"] == pytest.approx(20 / 3000 * 1000)
        assert cv.loc["Burglary", "districts_above_county_rate"] == 1
        assert cv.loc["Burglary", "prevalence_share"] == pytest.approx(0.5)
        assert cv.loc["Burglary", "top_district_share"] == pytest.approx(0.5)
        assert cv.loc["Shoplifting", "districts_above_county_rate"] == 0  # nothing anywhere
        lq = v.set_index(["district", "issue"])["location_quotient"]
        # North: all its 10 incidents are burglary (share 1); county: 20 of 50 (0.4) -> LQ 2.5
        assert lq[("North", "Burglary")] == pytest.approx(2.5)
        assert lq[("South", "Burglary")] == pytest.approx((10 / 40) / (20 / 50))

    def test_gini_is_zero_when_even_and_grows_with_concentration(self):
        assert gini(np.array([2.0, 2.0])) == 0.0
        assert gini(np.array([0.0, 4.0])) == pytest.approx(0.5)


class TestHarmAndCost:
    def test_default_weights_use_midpoints_and_leave_asb_blank(self):
        w = default_harm_weights().set_index("issue")
        assert w.loc["Violence and sexual offences", "weight"] == pytest.approx((159 + 235) / 2)
        assert w.loc["Burglary", ["weight_low", "weight_high"]].tolist() == [191, 253]
        assert w.loc["Robbery", "weight"] == 365
        assert np.isnan(w.loc["Anti-social behaviour", "weight"])
        assert list(w.index) == list(ISSUES)

    def test_costs_are_blank_where_no_unit_cost_exists_never_zero(self):
        u = default_unit_costs().set_index("issue")
        assert u.loc["Robbery", "unit_cost_gbp"] == 11_320
        assert np.isnan(u.loc["Shoplifting", "unit_cost_gbp"])
        assert (u["price_year"] == "2015/16").all()
        assert not (u["unit_cost_gbp"] == 0).any()

    def test_sensitivity_ranks_under_each_weighting(self):
        cc = pd.DataFrame({"issue": list(ISSUES), "count": [100] + [1] * 13})
        s = ranking_sensitivity(cc, default_harm_weights()).set_index("issue")
        assert s.loc["Robbery", "rank_default"] == 1  # 365 x 1 is the largest harm
        assert s.loc["Anti-social behaviour", "rank_equal_weights"] == 1  # most incidents
        assert s.loc["Anti-social behaviour", "rank_default"] == 14  # no weight: last
        assert s.loc["Anti-social behaviour", "max_rank_change"] == 13


class TestFunding:
    def test_funding_per_incident_shares_and_a_district_without_funding(self):
        c = county(pops=(1000, 3000), funding=(5000.0, None))
        scores = pd.DataFrame({"district": ["North", "South"], "count": [50, 150],
                               "harm_score": [1.0, 1.0], "cost_of_crime_gbp": [np.nan, np.nan],
                               "price_year": ["2015/16"] * 2})
        cpa = cost_per_area(scores, c).set_index("district")
        # no period stated: a year's funding (5,000) against a year's incidents (the quarter's 50 x 4)
        assert cpa.loc["North", "funding_per_incident_gbp"] == pytest.approx(5000 / 200)
        assert cpa.loc["North", "funding_per_1000_residents_gbp"] == pytest.approx(5000.0)
        assert np.isnan(cpa.loc["South", "funding_gbp"])
        assert np.isnan(cpa.loc["South", "funding_per_incident_gbp"])
        assert cpa["need_share"].tolist() == pytest.approx([0.25, 0.75])
        assert cpa.loc["North", "funding_share"] == 1.0
        six = county(pops=(1000, 3000), funding=(5000.0, None), funding_info=FundingInfo(
            period_months=6, pot_gbp=10_000.0, cut_scenarios_pct=(24.8,)))
        cpa6 = cost_per_area(scores, six).set_index("district")
        assert cpa6.loc["North", "funding_per_incident_gbp"] == pytest.approx(5000 * 2 / 200)  # annualised
        assert cpa6.loc["North", "funding_period"] == "6 months"
        scen = funding_scenarios(cpa6.reset_index(), six)
        cut = scen[(scen["scenario"] == "24.8% cut") & (scen["district"] == "South")].iloc[0]
        assert cut["needs_based_gbp"] == pytest.approx(10_000 * 0.752 * 0.75)


class TestPriorityAndDelivery:
    def test_priority_rank_follows_the_weighted_components(self):
        t = pd.DataFrame({"issue": ["Robbery", "Burglary", "Drugs"], "count": [10, 100, 50],
                          "change_flag": pd.Series([None, FLAG_UP, FLAG_DOWN], dtype="str"),
                          "harm_score": [3650.0, 100.0, np.nan], "cost_of_crime_gbp": [np.nan] * 3})
        prev = pd.Series({"Robbery": 1.0, "Burglary": 0.5, "Drugs": 0.0})
        out = add_priority(t, ScoringWeights(volume=1, trend=0, harm=1, cost=0, prevalence=0), prev)
        # Robbery: (0.1 + 1.0)/2 = 55; Burglary: (1.0 + 0.0274)/2 = 51.4; Drugs has no harm weight, so it is
        # scored on volume alone: 0.5/1 = 50 (not (0.5 + 0)/2 = 25: an unknown is not a zero)
        assert out["priority_score"].round(1).tolist() == [55.0, 51.4, 50.0]
        assert out["priority_rank"].tolist() == [1, 2, 3]
        assert np.isnan(out["score_trend"].iloc[0]) and out["score_trend"].tolist()[1:] == [1.0, 0.0]

    def test_low_volume_high_harm_goes_county_wide_and_a_shared_rise_is_coordinated(self):
        c = county(pops=(1000, 1000, 1000, 1000))
        rows = []
        for d in ("North", "South", "East", "West"):
            rows += [(d, "Robbery", "2019-04", 6), (d, "Burglary", "2019-04", 90), (d, "Burglary", "2018-04", 40),
                     (d, "Shoplifting", "2019-04", 40 if d == "North" else 25)]
        tables = build_tables_from_counts(counts(rows), c, Q, ALL_MONTHS)
        level = tables["county_priorities"].set_index("issue")["delivery_level"]
        assert level["Robbery"] == COUNTY_WIDE
        assert level["Burglary"] == COORDINATED
        assert level["Anti-social behaviour"] == DISTRICT_LED
        cp = tables["county_priorities"].set_index("issue")
        assert "365 CCHI days" in cp.loc["Robbery", "rationale"]
        assert "4 of 4 districts" in cp.loc["Robbery", "rationale"]
        assert cp.loc["Anti-social behaviour", "risk_note"].startswith("Not escalated")
        assert pd.isna(cp.loc["Robbery", "risk_note"])

    def test_delivery_thresholds_come_from_configuration(self):
        c = county(pops=(1000, 1000), delivery=DeliveryRules(high_harm_weight=1000))
        rows = [(d, "Robbery", "2019-04", 12) for d in ("North", "South")]
        tables = build_tables_from_counts(counts(rows), c, Q, ALL_MONTHS)
        assert tables["county_priorities"].set_index("issue").loc["Robbery", "delivery_level"] != COUNTY_WIDE
        default = build_tables_from_counts(counts(rows), county(pops=(1000, 1000)), Q, ALL_MONTHS)
        assert default["county_priorities"].set_index("issue").loc["Robbery", "delivery_level"] == COUNTY_WIDE

