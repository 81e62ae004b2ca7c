"""Prevalence: county rates, districts at or above them, concentration and location quotients."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csa_analysis.domain.issues import ISSUES
from csa_analysis.method.prevalence import against_county, county_volume, gini, gini_by_group, location_quotients
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


# ----------------------------------------------------------------------------------------------------------------
# Control limits widened for overdispersion (Spiegelhalter 2005). The expected limits are worked here by hand, with
# numpy and scipy.stats, not by calling the functions under test.

#: Seven districts with the sizes of Leicestershire's (residents).
SEVEN = np.array([100_000, 185_000, 95_000, 115_000, 52_000, 105_000, 57_000])


def district_frame(counts, pops=SEVEN, issue="Burglary") -> pd.DataFrame:
    counts = np.asarray(counts)
    return pd.DataFrame({"district": [f"D{i}" for i in range(len(counts))], "issue": issue, "count": counts,
                         "population": np.asarray(pops), "rate_per_1000": counts / np.asarray(pops) * 1000})


def by_hand(counts, pops=SEVEN):
    """Expected phi, tau and upper 95% / 99.8% limits (per 1,000), worked from the formulas of the annex."""
    from scipy import stats

    o, pop = np.asarray(counts, dtype=float), np.asarray(pops, dtype=float)
    rate = o.sum() / pop.sum() * 1000
    e = rate * pop / 1000
    z = (o - e) / np.sqrt(e)
    lo, hi = np.percentile(z, [10, 90])
    phi_w = np.mean(np.clip(z, lo, hi) ** 2)
    phi_r = (1.4826 * np.median(np.abs(z - np.median(z)))) ** 2
    phi, n = min(phi_w, phi_r), len(o)
    tau2 = (n * phi - (n - 1)) / (e.sum() - (e ** 2).sum() / e.sum()) if phi > 1 and n >= 5 else 0.0
    limits = {}
    for level, q in (("95", 0.975), ("998", 0.999)):
        poisson = stats.poisson.ppf(q, e) / pop * 1000
        wide = rate * (1 + stats.norm.ppf(q) * np.sqrt(1 / e + tau2))
        limits[level] = np.maximum(poisson, wide) if tau2 > 0 else poisson
        limits[f"poisson_{level}"] = poisson
    return phi, np.sqrt(tau2), limits


class TestOverdispersion:
    def test_poisson_counts_proportional_to_population_keep_the_poisson_limits_and_few_flags(self):
        # 400 replicate counties (seeded): counts Poisson with a mean proportional to population, about 200 to 740
        # a quarter per district. The districts differ by chance alone, so phi is about 1 or below (winsorising and
        # the robust estimate both pull it down), the limits stay Poisson in most replicates and widen a little in
        # the few where phi exceeds 1 by chance, and a rate beyond the 99.8% limit stays rare.
        from scipy import stats

        rng = np.random.default_rng(20051185)
        reps = 400
        pops = np.tile(SEVEN, reps)
        v = pd.DataFrame({"district": np.tile([f"D{i}" for i in range(7)], reps),
                          "issue": np.repeat([f"county {i}" for i in range(reps)], 7),
                          "count": rng.poisson(4.0 / 1000 * pops), "population": pops})
        v["rate_per_1000"] = v["count"] / v["population"] * 1000
        a = against_county(v)
        phi = a.groupby(v["issue"])["overdispersion_phi"].first()
        assert 0.2 < phi.median() < 1.2
        assert a.groupby(v["issue"])["limits_adjusted"].first().mean() < 0.25
        e = a["county_rate_per_1000"] * v["population"] / 1000
        poisson_998 = stats.poisson.ppf(0.999, e) / v["population"] * 1000
        kept = ~a["limits_adjusted"]
        np.testing.assert_allclose(a.loc[kept, "upper_998_per_1000"], poisson_998[kept])
        np.testing.assert_allclose(a["poisson_upper_998_per_1000"], poisson_998)
        assert (a["upper_998_per_1000"] >= poisson_998 - 1e-9).all()  # never narrower than Poisson
        assert a.loc[a["limits_adjusted"], "overdispersion_tau"].median() < 0.06  # chance widening is slight
        assert a["above_998"].mean() <= 0.005 and a["above_998"].sum() <= a["poisson_above_998"].sum()

    def test_ordinary_variation_between_districts_widens_the_limits_as_worked_by_hand(self):
        # Rates 15-25% either side of the county rate, hundreds a quarter in each of seven districts.
        counts = np.round(4.0 / 1000 * SEVEN * np.array([1.20, 0.85, 1.25, 0.80, 1.15, 0.90, 1.00])).astype(int)
        a = against_county(district_frame(counts))
        phi, tau, limits = by_hand(counts)
        assert phi > 1 and a["limits_adjusted"].all()
        assert a["overdispersion_phi"].iloc[0] == pytest.approx(phi)
        assert a["overdispersion_tau"].iloc[0] == pytest.approx(tau)
        np.testing.assert_allclose(a["upper_95_per_1000"], limits["95"])
        np.testing.assert_allclose(a["upper_998_per_1000"], limits["998"])
        np.testing.assert_allclose(a["poisson_upper_998_per_1000"], limits["poisson_998"])
        assert a["poisson_above_998"].sum() >= 2  # Poisson alone: "a shared pattern"
        assert not a["above_998"].any()  # allowing for the usual variation: none

    def test_a_genuinely_outlying_pair_of_districts_is_still_flagged(self):
        # Five districts within 2% of one rate, two small ones at twice it. Winsorising at 10% cannot discount two
        # outliers among seven (phi_winsorised is large), but the middle of the districts does not vary beyond
        # chance (phi = the robust estimate, below 1): the limits stay the Poisson ones and both districts stand out.
        mult = np.array([1.00, 1.01, 2.00, 0.99, 1.02, 0.98, 2.00])
        pops = np.array([100_000, 185_000, 60_000, 115_000, 150_000, 105_000, 57_000])
        counts = np.round(4.0 / 1000 * pops * mult).astype(int)
        a = against_county(district_frame(counts, pops))
        phi, tau, limits = by_hand(counts, pops)
        np.testing.assert_allclose(a["upper_998_per_1000"], limits["998"])
        assert a["above_998"].tolist() == [False, False, True, False, False, False, True]

    def test_fewer_than_five_districts_keep_the_poisson_limits(self):
        from scipy import stats

        pops = SEVEN[:4]
        counts = np.round(4.0 / 1000 * pops * np.array([1.3, 0.7, 1.25, 0.75])).astype(int)
        a = against_county(district_frame(counts, pops))
        e = counts.sum() / pops.sum() * pops
        assert not a["limits_adjusted"].any() and (a["overdispersion_tau"] == 0).all()
        assert a["overdispersion_phi"].iloc[0] > 1  # overdispersed, but too few districts to say how much
        np.testing.assert_allclose(a["upper_998_per_1000"], stats.poisson.ppf(0.999, e) / pops * 1000)

    def test_the_adjustment_can_be_switched_off(self):
        counts = np.round(4.0 / 1000 * SEVEN * np.array([1.20, 0.85, 1.25, 0.80, 1.15, 0.90, 1.00])).astype(int)
        off = against_county(district_frame(counts), overdispersion_adjusted=False)
        _, _, limits = by_hand(counts)
        assert not off["limits_adjusted"].any() and off["overdispersion_phi"].iloc[0] > 1
        np.testing.assert_allclose(off["upper_998_per_1000"], limits["poisson_998"])
        assert off["above_998"].tolist() == off["poisson_above_998"].tolist()

    def test_county_volume_counts_the_districts_beyond_the_limits_used(self):
        counts = np.round(4.0 / 1000 * SEVEN * np.array([1.20, 0.85, 1.25, 0.80, 1.15, 0.90, 1.00])).astype(int)
        v = district_frame(counts)
        v = pd.concat([v, against_county(v)], axis=1)
        cv = county_volume(v.assign(count_prev_quarter=pd.NA, count_last_year=pd.NA)).set_index("issue")
        assert cv.loc["Burglary", "districts_significantly_above"] == 0
        assert cv.loc["Burglary", "districts_above_poisson_limit"] == v["poisson_above_998"].sum() >= 2
        assert bool(cv.loc["Burglary", "limits_adjusted"])

    def test_an_issue_with_no_incidents_has_no_dispersion_and_zero_limits(self):
        a = against_county(district_frame(np.zeros(7, dtype=int)))
        assert a["overdispersion_phi"].isna().all() and not a["limits_adjusted"].any()
        assert (a["upper_998_per_1000"] == 0).all() and not a["above_998"].any()
