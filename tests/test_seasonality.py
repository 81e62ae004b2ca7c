"""When: monthly grid, month-of-year pattern and rolling total; gaps are NaN, never 0."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csa_analysis.method import seasonality as s

from placefactory import ALL_MONTHS, csv_rows, relabel_months, sample_records


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return sample_records()


def _frame(counts: dict[str, int], issue: str = "Drugs") -> pd.DataFrame:
    """A hand-worked records frame: ``counts[month]`` rows of ``issue`` in each month."""
    months = [m for m, n in counts.items() for _ in range(n)]
    return pd.DataFrame({"month": months, "district": "Melton", "issue": issue})


class TestMonthlyGrid:
    def test_counts_match_the_csv_module(self, records):
        grid = s.monthly_grid(records, months_present=ALL_MONTHS)
        expected: dict[tuple[str, str, str], int] = {}
        for row in csv_rows():
            if row["district"]:
                key = (row["district"], row["Crime type"], row["Month"])
                expected[key] = expected.get(key, 0) + 1
        got = {(str(d), str(i), m): c for d, i, m, c in
               zip(grid["district"], grid["issue"], grid["month"], grid["count"], strict=True) if c}
        assert got == expected
        assert (grid["count"] >= 0).all() and grid["present"].all()
        assert len(grid) == 7 * 14 * 5  # every district x issue x month, zeros included

    def test_a_present_month_without_incidents_is_zero_and_a_gap_is_nan(self):
        recs = _frame({"2020-01": 2, "2020-03": 1})
        gap = s.monthly_grid(recs, by=["issue"])
        assert gap["month"].tolist() == ["2020-01", "2020-02", "2020-03"]
        assert np.isnan(gap["count"].iloc[1]) and not gap["present"].iloc[1]
        zero = s.monthly_grid(recs, by=["issue"], months_present=["2020-01", "2020-02", "2020-03"])
        assert zero["count"].tolist() == [2.0, 0.0, 1.0]

    def test_the_window_can_extend_past_the_data(self):
        recs = _frame({"2020-02": 1})
        grid = s.monthly_grid(recs, ["2020-01", "2020-03"], by=["issue"], months_present=["2020-02"])
        assert grid["month"].tolist() == ["2020-01", "2020-02", "2020-03"]
        assert grid["present"].tolist() == [False, True, False]


class TestMonthOfYear:
    def test_hand_worked_means(self):
        counts = {f"2019-{m:02d}": m for m in range(1, 13)}          # 1 in January ... 12 in December
        counts |= {f"2020-{m:02d}": 2 * m for m in range(1, 7)}      # 2 ... 12 in January-June 2020
        t = s.month_of_year(_frame(counts), by=["issue"])
        assert t["calendar_month"].tolist() == list(range(1, 13))
        assert t["mean_count"].tolist() == [1.5, 3, 4.5, 6, 7.5, 9, 7, 8, 9, 10, 11, 12]
        assert t["years"].tolist() == [2] * 6 + [1] * 6
        assert t["min_count"].iloc[0] == 1 and t["max_count"].iloc[0] == 2
        assert t.attrs["reason"] is None
        peak = s.peak_months(t)
        assert peak[["month_name", "mean_count"]].to_dict("records") == [{"month_name": "December",
                                                                          "mean_count": 12.0}]

    def test_a_gap_is_left_out_of_the_mean_not_counted_as_zero(self):
        counts = {f"{y}-{m:02d}": 4 for y in (2019, 2020) for m in range(1, 13)}
        del counts["2020-05"]
        t = s.month_of_year(_frame(counts), by=["issue"])
        may = t[t["calendar_month"] == 5].iloc[0]
        assert may["mean_count"] == 4.0 and may["years"] == 1

    def test_fewer_than_twelve_months_give_an_empty_frame_with_a_reason(self, records):
        t = s.month_of_year(records, months_present=ALL_MONTHS)
        assert t.empty
        assert list(t.columns) == ["district", "issue", "calendar_month", "month_name", "mean_count", "years",
                                   "min_count", "max_count"]
        assert "5 months" in t.attrs["reason"] and "March" in t.attrs["reason"]
        assert s.month_of_year_coverage(ALL_MONTHS) == t.attrs["reason"]

    def test_twelve_months_with_a_calendar_month_missing_are_not_enough(self):
        months = [f"2019-{m:02d}" for m in range(2, 13)] + ["2020-02"]  # 12 months, no January
        t = s.month_of_year(_frame(dict.fromkeys(months, 1)), by=["issue"])
        assert t.empty and "January" in t.attrs["reason"]

    def test_real_rows_over_25_months(self, records):
        long = relabel_months(records, 5)  # October 2018 to October 2020, 25 months
        t = s.month_of_year(long)
        assert not t.empty and t.attrs["reason"] is None
        sel = long[(long["district"] == "Charnwood") & (long["issue"] == "Burglary")]
        per_month = sel.groupby("month").size()
        jan = per_month[per_month.index.str.endswith("-01")]
        row = t[(t["district"] == "Charnwood") & (t["issue"] == "Burglary") & (t["calendar_month"] == 1)]
        assert row["mean_count"].iloc[0] == pytest.approx(jan.mean())
        assert row["years"].iloc[0] == len(jan)


class TestRollingTotal:
    def test_hand_worked_window_of_three(self):
        recs = _frame({"2020-01": 1, "2020-02": 2, "2020-03": 3, "2020-04": 4, "2020-06": 6, "2020-07": 7,
                       "2020-08": 8})
        t = s.rolling_total(recs, by=["issue"], window=3)
        assert t["month"].tolist() == [f"2020-{m:02d}" for m in range(1, 9)]
        got = t["rolling_total"].tolist()
        assert got[:4] == [pytest.approx(np.nan, nan_ok=True)] * 2 + [6.0, 9.0]
        assert all(np.isnan(got[4:7]))  # May is a gap: every window holding it is NaN
        assert got[7] == 21.0
        assert np.isnan(t["count"].iloc[4])  # the gap itself: NaN, never 0
        assert t["months_in_window"].tolist() == [1, 2, 3, 3, 2, 2, 2, 3]

    def test_a_gap_breaks_the_twelve_month_line(self, records):
        long = relabel_months(records, 6)  # October 2018 to March 2021
        present = sorted(set(long["month"]))
        present.remove("2019-11")
        long = long[long["month"] != "2019-11"]
        t = s.rolling_total(long, months_present=present)
        series = t[(t["district"] == "Blaby") & (t["issue"] == "Burglary")].set_index("month")
        assert np.isnan(series.loc["2019-11", "count"])
        assert series.loc["2018-10":"2019-08", "rolling_total"].isna().all()  # fewer than 12 months yet
        assert series.loc["2019-09", "rolling_total"] == series.loc["2018-10":"2019-09", "count"].sum()
        assert series.loc["2019-10", "rolling_total"] == series.loc["2018-11":"2019-10", "count"].sum()
        # every window from 2019-11 to 2020-10 holds the gap
        broken = series.loc["2019-11":"2020-10", "rolling_total"]
        assert len(broken) == 12 and broken.isna().all()
        full = series.loc["2019-12":"2020-11", "count"]
        assert series.loc["2020-11", "rolling_total"] == full.sum() and full.notna().all()
        assert (t["rolling_total"].dropna() > 0).all()

    def test_fewer_than_twelve_consecutive_months_give_an_empty_frame_with_a_reason(self, records):
        t = s.rolling_total(records, months_present=ALL_MONTHS)
        assert t.empty and "5 months" in t.attrs["reason"]
        assert list(t.columns) == ["district", "issue", "month", "count", "rolling_total", "months_in_window"]
        months = [f"2019-{m:02d}" for m in range(1, 12)] + ["2020-01"]  # 12 months, longest run 11
        gapped = s.rolling_total(_frame(dict.fromkeys(months, 1)), by=["issue"])
        assert gapped.empty and "11 months" in gapped.attrs["reason"]

    def test_county_series_by_issue(self, records):
        long = relabel_months(records, 3)
        t = s.rolling_total(long, by=["issue"])
        assert set(t.columns) >= {"issue", "month", "rolling_total"} and "district" not in t.columns
        sel = t[(t["issue"] == "Drugs") & t["rolling_total"].notna()]
        drugs = long[long["issue"] == "Drugs"].groupby("month").size()
        last = sel.iloc[-1]
        window = [str(p) for p in pd.period_range(end=last["month"], periods=12, freq="M")]
        assert last["rolling_total"] == drugs.reindex(window, fill_value=0).sum()


@pytest.mark.parametrize("module", "csa_analysis.method.seasonality".split(","))
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
