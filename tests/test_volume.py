"""Volume: counts on the full grid, comparisons, the exact Poisson change test, intervals and funnel limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from csa_analysis.domain.issues import ISSUES
from csa_analysis.domain.periods import Quarter
from csa_analysis.errors import InputError
from csa_analysis.method.score import build_tables
from csa_analysis.method.volume import (
    FLAG_DOWN,
    FLAG_SAME,
    FLAG_UP,
    funnel_limits,
    monthly_series,
    poisson_change_p,
    poisson_ci,
    volume_table,
)

from scoringfactory import ALL_MONTHS, Q, make_counts, make_county, make_records


def row(v: pd.DataFrame, district: str, issue: str) -> pd.Series:
    return v[(v["district"] == district) & (v["issue"] == issue)].iloc[0]


class TestPoissonChangeP:
    def test_vectorised_p_values_equal_scipy_binomtest_on_a_grid(self):
        x1, x0 = np.meshgrid(np.arange(0, 25), np.arange(0, 25))
        x1, x0 = x1.ravel(), x0.ravel()
        keep = (x1 + x0) > 0
        expected = [stats.binomtest(a, a + b, 0.5).pvalue for a, b in zip(x1[keep], x0[keep], strict=True)]
        np.testing.assert_allclose(poisson_change_p(x1[keep], x0[keep]), expected, rtol=1e-9)

    def test_tails_equal_scipy_stats_binom_at_the_counts_of_a_national_quarter(self):
        # The p-value uses scipy.special (a cheap import); scipy.stats.binom is the reference it must match
        # (to floating-point noise: both evaluate the incomplete beta function, in a different order).
        rng = np.random.default_rng(17)
        x1, x0 = rng.integers(0, 20000, 5000), rng.integers(0, 20000, 5000)
        x1[:3], x0[:3] = [0, 12, 0], [9, 0, 1]
        n = x1 + x0
        expected = np.minimum(1.0, 2.0 * np.minimum(stats.binom.cdf(x1, n, 0.5), stats.binom.sf(x1 - 1, n, 0.5)))
        np.testing.assert_allclose(poisson_change_p(x1, x0), expected, rtol=1e-10, atol=1e-300)

    def test_the_test_is_symmetric_in_its_two_counts(self):
        a, b = np.array([3, 40, 17, 0]), np.array([9, 22, 17, 5])
        np.testing.assert_allclose(poisson_change_p(a, b), poisson_change_p(b, a))

    def test_p_values_lie_in_zero_one(self):
        p = poisson_change_p(np.arange(0, 200, 7), np.arange(200, 0, -7))
        assert ((p >= 0) & (p <= 1)).all()


class TestPoissonCi:
    def test_interval_brackets_the_count_and_widens_with_confidence(self):
        x = np.array([1, 5, 50, 500])
        lo95, hi95 = poisson_ci(x, alpha=0.05)
        lo99, hi99 = poisson_ci(x, alpha=0.01)
        assert (lo95 < x).all() and (hi95 > x).all()
        assert (lo99 < lo95).all() and (hi99 > hi95).all()

    def test_interval_for_five_matches_the_chi_square_formula(self):
        lo, hi = poisson_ci([5])
        assert lo[0] == pytest.approx(stats.chi2.ppf(0.025, 10) / 2)
        assert hi[0] == pytest.approx(stats.chi2.ppf(0.975, 12) / 2)


class TestFunnelLimits:
    def test_limits_bracket_the_county_rate_and_narrow_as_population_grows(self):
        lim = funnel_limits(5.0, [1_000, 10_000, 100_000])
        assert (lim["lower_0.95"] <= 5.0).all() and (lim["upper_0.95"] >= 5.0).all()
        width = lim["upper_0.95"] - lim["lower_0.95"]
        assert width.is_monotonic_decreasing and width.iloc[0] > width.iloc[-1]

    def test_998_limits_are_wider_than_95_limits(self):
        lim = funnel_limits(5.0, [20_000, 80_000])
        assert (lim["lower_0.998"] <= lim["lower_0.95"]).all()
        assert (lim["upper_0.998"] >= lim["upper_0.95"]).all()

    def test_limits_are_poisson_quantiles_of_the_expected_count_as_rates(self):
        # 5 per 1,000 in 10,000 residents: 50 expected.
        lim = funnel_limits(5.0, [10_000]).iloc[0]
        assert lim["upper_0.95"] == pytest.approx(stats.poisson.ppf(0.975, 50) / 10_000 * 1000)
        assert lim["lower_0.95"] == pytest.approx(stats.poisson.ppf(0.025, 50) / 10_000 * 1000)

    def test_a_zero_county_rate_gives_zero_limits(self):
        lim = funnel_limits(0.0, [10_000]).iloc[0]
        assert lim["lower_0.95"] == 0 and lim["upper_0.95"] == 0


class TestVolumeTable:
    def test_grid_is_every_district_by_every_issue_in_configuration_order(self):
        v = volume_table(make_counts([("South", "Drugs", "2019-04", 2)]), make_county(), Q, ALL_MONTHS)
        assert v["district"].astype("str").tolist() == ["North"] * 14 + ["South"] * 14
        assert v["issue"].astype("str").tolist() == list(ISSUES) * 2
        assert v["count"].dtype == "int64" and v["count"].sum() == 2

    def test_flag_uses_the_previous_quarter_when_last_year_is_not_covered(self):
        months = ["2019-01", "2019-02", "2019-03", "2019-04", "2019-05", "2019-06"]
        c = make_counts([("North", "Burglary", "2019-04", 40), ("North", "Burglary", "2019-02", 10)])
        r = row(volume_table(c, make_county(), Q, months), "North", "Burglary")
        assert pd.isna(r["count_last_year"]) and r["count_prev_quarter"] == 10
        assert r["change_basis"] == "previous quarter"
        assert r["change_flag"] == FLAG_UP
        assert r["p_value_prev_quarter"] == pytest.approx(stats.binomtest(40, 50, 0.5).pvalue)
        assert r["change_pct_prev_quarter"] == pytest.approx(300.0)

    def test_one_missing_month_makes_a_comparison_quarter_blank_not_zero(self):
        months = [m for m in ALL_MONTHS if m != "2018-05"]  # last year's Q1 is incomplete
        c = make_counts([("North", "Robbery", "2019-04", 5), ("North", "Robbery", "2018-04", 5)])
        v = volume_table(c, make_county(), Q, months)
        assert v["count_last_year"].isna().all()
        assert (v["count_prev_quarter"] == 0).all()  # covered and empty: a real zero
        assert (v["change_basis"] == "previous quarter").all()

    def test_a_zero_base_gives_a_blank_percentage_but_still_a_test(self):
        c = make_counts([("North", "Drugs", "2019-04", 12)])
        r = row(volume_table(c, make_county(), Q, ALL_MONTHS), "North", "Drugs")
        assert r["count_last_year"] == 0 and np.isnan(r["change_pct_last_year"])
        assert r["change_flag"] == FLAG_UP  # 12 against 0: p = 2 x 0.5^12
        assert r["p_value_last_year"] == pytest.approx(2 * 0.5**12)

    def test_a_fall_larger_than_random_variation_is_a_decrease_and_a_small_one_is_not(self):
        c = make_counts([("North", "Burglary", "2019-04", 10), ("North", "Burglary", "2018-04", 40),
                         ("South", "Burglary", "2019-04", 18), ("South", "Burglary", "2018-04", 20)])
        v = volume_table(c, make_county(), Q, ALL_MONTHS)
        assert row(v, "North", "Burglary")["change_flag"] == FLAG_DOWN
        assert row(v, "South", "Burglary")["change_flag"] == FLAG_SAME
        assert row(v, "South", "Burglary")["change_pct_last_year"] == pytest.approx(-10.0)

    def test_rate_and_its_interval_are_per_1000_residents(self):
        c = make_counts([("South", "Shoplifting", "2019-05", 30)])
        r = row(volume_table(c, make_county(), Q, ALL_MONTHS), "South", "Shoplifting")
        lo, hi = poisson_ci([30])
        assert r["rate_per_1000"] == pytest.approx(15.0)  # 30 / 2,000 x 1,000
        assert r["rate_low_per_1000"] == pytest.approx(lo[0] / 2)
        assert r["rate_high_per_1000"] == pytest.approx(hi[0] / 2)


class TestMonthlySeries:
    def test_every_district_issue_and_month_appears_with_zeros(self):
        months = ["2019-04", "2019-05", "2019-06"]
        c = make_counts([("North", "Drugs", "2019-05", 4), ("South", "Robbery", "2019-06", 1)])
        m = monthly_series(c, make_county(), months)
        assert len(m) == 2 * 14 * 3 and m["count"].dtype == "int64"
        assert m["count"].sum() == 5
        north_drugs = m[(m["district"] == "North") & (m["issue"] == "Drugs")]
        assert north_drugs["month"].tolist() == months and north_drugs["count"].tolist() == [0, 4, 0]


class TestFromRecords:
    def test_build_tables_counts_the_loaders_records_including_repeated_asb_rows(self):
        county = make_county()
        rows = [("North", "Anti-social behaviour", "2019-04")] * 3 + [("South", "Burglary", "2019-06")]
        rows += [("South", "Burglary", "2019-01")]  # previous quarter
        t = build_tables(make_records(rows, county), county, Q, ALL_MONTHS)
        s = t["issue_scores"].set_index(["district", "issue"])
        assert s.loc[("North", "Anti-social behaviour"), "count"] == 3
        assert s.loc[("South", "Burglary"), "count"] == 1
        assert s.loc[("South", "Burglary"), "count_prev_quarter"] == 1
        assert t["cost_per_area"].set_index("district").loc["North", "incidents"] == 3

    def test_the_quarter_may_be_given_as_text(self):
        county = make_county()
        records = make_records([("North", "Drugs", "2019-05")], county)
        a = build_tables(records, county, "2019-20Q1", ALL_MONTHS)
        b = build_tables(records, county, Q, ALL_MONTHS)
        for name in a:
            pd.testing.assert_frame_equal(a[name], b[name])

    def test_a_quarter_outside_the_months_is_refused(self):
        county = make_county()
        with pytest.raises(InputError):
            build_tables(make_records([], county), county, Quarter.parse("2030-31Q1"), ALL_MONTHS)


def test_poisson_quantile_equals_scipy_stats_poisson_ppf():
    from csa_analysis.method.volume import poisson_quantile

    mu = np.concatenate([[0.0, np.nan, 1e-9, 0.5, 1.0], np.linspace(0, 60, 601), np.geomspace(1e-4, 1e6, 500)])
    for q in (0.00001, 0.001, 0.025, 0.5, 0.975, 0.999, 0.99999):
        assert np.array_equal(poisson_quantile(q, mu), stats.poisson.ppf(q, mu), equal_nan=True), q
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        poisson_quantile(1.0, [3.0])
