"""Prevalence: county rates, districts at or above them, concentration and location quotients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csa_analysis.domain.issues import ISSUES
from csa_analysis.method.prevalence import county_volume, gini, gini_by_group, location_quotients
from csa_analysis.method.volume import volume_table

from scoringfactory import ALL_MONTHS, Q, make_counts, make_county


def scored(rows, pops=(1000, 2000)):
    v = volume_table(make_counts(rows), make_county(pops), Q, ALL_MONTHS)
    v["location_quotient"] = location_quotients(v)
    return v, county_volume(v).set_index("issue")


class TestCountyVolume:
    def test_a_district_exactly_at_the_county_rate_counts_as_at_or_above(self):
        # 5 / 1,000 and 10 / 2,000: both 5 per 1,000, the county rate.
        _, cv = scored([("North", "Drugs", "2019-04", 5), ("South", "Drugs", "2019-04", 10)])
        assert cv.loc["Drugs", "rate_per_1000"] == pytest.approx(5.0)
        assert cv.loc["Drugs", "districts_above_county_rate"] == 2
        assert cv.loc["Drugs", "prevalence_share"] == 1.0

    def test_an_issue_with_no_incidents_has_no_district_above_and_blank_concentration(self):
        _, cv = scored([("North", "Drugs", "2019-04", 5)])
        r = cv.loc["Robbery"]
        assert r["count"] == 0 and r["districts_above_county_rate"] == 0 and r["prevalence_share"] == 0
        assert np.isnan(r["top_district_share"]) and np.isnan(r["gini_rate"])

    def test_top_district_and_its_share_of_the_county_count(self):
        _, cv = scored([("North", "Burglary", "2019-04", 6), ("South", "Burglary", "2019-05", 24)])
        assert cv.loc["Burglary", "top_district"] == "South"
        assert cv.loc["Burglary", "top_district_share"] == pytest.approx(0.8)

    def test_county_count_and_population_are_district_sums(self):
        _, cv = scored([("North", "Burglary", "2019-04", 6), ("South", "Burglary", "2019-05", 24)])
        assert cv.loc["Burglary", "count"] == 30 and cv.loc["Burglary", "population"] == 3000
        assert cv.loc["Burglary", "rate_per_1000"] == pytest.approx(10.0)
        assert list(cv.index.astype("str")) == list(ISSUES)


class TestGini:
    def test_grouped_gini_equals_the_plain_gini_of_each_group(self):
        rng = np.random.default_rng(7)
        values = pd.Series(rng.gamma(2.0, 3.0, 60))
        groups = pd.Series(pd.Categorical(rng.choice(list("abcd"), 60), categories=list("dcba")))
        got = gini_by_group(values, groups)
        for g in "abcd":
            assert got[g] == pytest.approx(gini(values[groups == g].to_numpy()))
        assert list(got.index) == list("dcba")  # category order kept

    def test_gini_of_district_rates_is_zero_when_rates_are_equal(self):
        _, cv = scored([("North", "Drugs", "2019-04", 5), ("South", "Drugs", "2019-04", 10)])
        assert cv.loc["Drugs", "gini_rate"] == pytest.approx(0.0)


class TestLocationQuotient:
    def test_hand_worked_quotients_and_blank_for_a_district_without_incidents(self):
        v, _ = scored([("North", "Burglary", "2019-04", 10), ("North", "Drugs", "2019-04", 10)],
                      pops=(1000, 2000))
        lq = v.set_index(["district", "issue"])["location_quotient"]
        assert lq[("North", "Burglary")] == pytest.approx(1.0)  # same mix as the county
        assert np.isnan(lq[("South", "Burglary")])  # South has no incidents at all
        assert np.isnan(lq[("North", "Robbery")])  # the county has no robbery

    @settings(max_examples=30, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["North", "South", "East"]), st.sampled_from(ISSUES[:5]),
                              st.integers(1, 50)), min_size=1, max_size=15))
    def test_count_weighted_quotients_average_to_one_for_every_issue(self, rows):
        data = make_counts([(d, i, "2019-04", n) for d, i, n in rows]).groupby(
            ["district", "issue", "month"], as_index=False)["count"].sum()
        v = volume_table(data, make_county((1000, 1000, 1000)), Q, ALL_MONTHS)
        v["lq"] = location_quotients(v)
        d_total = v.groupby("district", observed=True)["count"].transform("sum")
        weight = d_total / v["count"].sum()
        present = v.groupby("issue", observed=True)["count"].transform("sum") > 0
        s = (v["lq"].fillna(0) * weight)[present].groupby(v["issue"][present], observed=True).sum()
        np.testing.assert_allclose(s.to_numpy(), 1.0)
