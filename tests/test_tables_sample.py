"""Back-test: the 2018-19 Q3 tables of the shipped sample against figures computed here with the csv module."""

from __future__ import annotations

import csv
from collections import Counter

import pandas as pd
import pytest

from csa_analysis.cli import main

from datafactory import SAMPLE_DIR, SAMPLE_POLICE

POP = {"Blaby": 101526, "Charnwood": 185851, "Harborough": 93807, "Hinckley and Bosworth": 113136,
       "Melton": 51209, "North West Leicestershire": 103611, "Oadby and Wigston": 57015}
# Appendix 1 of the Leicestershire Safer Communities Agreement 2011-13 (allocations to September 2011).
FUNDING = {"Blaby": 22380, "Charnwood": 36209, "Harborough": 19398, "Hinckley and Bosworth": 24506,
           "Melton": 16423, "North West Leicestershire": 24106, "Oadby and Wigston": 17071}


@pytest.fixture(scope="module")
def independent():
    """Counts per district x crime type for October-December 2018, by the csv module alone."""
    counts: Counter = Counter()
    seen_ids: set[str] = set()
    for month in ("2018-10", "2018-11", "2018-12"):
        with open(SAMPLE_POLICE / month / f"{month}-leicestershire-street.csv", newline="",
                  encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["Crime ID"]:
                    if row["Crime ID"] in seen_ids:
                        continue
                    seen_ids.add(row["Crime ID"])
                district = row["LSOA name"].rsplit(" ", 1)[0]
                if district in POP:
                    counts[(district, row["Crime type"])] += 1
    return counts


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    out = tmp_path_factory.mktemp("score")
    assert main(["score", "--data", str(SAMPLE_DIR), "--quarter", "2018-19Q3", "--out", str(out),
                 "--quiet", "--cache", str(tmp_path_factory.mktemp("cache"))]) == 0
    return {name: pd.read_csv(out / "tables" / f"{name}.csv") for name in
            ("issue_scores", "county_priorities", "cost_per_area")}


def test_issue_scores_hold_the_full_grid_with_independent_counts(tables, independent):
    s = tables["issue_scores"]
    assert len(s) == 7 * 14
    got = {(r.district, r.issue): r.count for r in s.itertuples()}
    expected = {key: independent.get(key, 0) for key in got}
    assert got == expected
    assert (s["quarter"] == "2018-19Q3").all()


def test_rates_per_1000_use_the_ons_populations(tables, independent):
    s = tables["issue_scores"].set_index(["district", "issue"])
    for d in POP:
        n = independent[(d, "Burglary")]
        assert s.loc[(d, "Burglary"), "rate_per_1000"] == pytest.approx(n / POP[d] * 1000, rel=1e-5)


def test_county_rates_and_districts_above_the_county_rate(tables, independent):
    c = tables["county_priorities"].set_index("issue")
    county_pop = sum(POP.values())
    for issue in ("Violence and sexual offences", "Anti-social behaviour", "Robbery", "Shoplifting"):
        total = sum(independent.get((d, issue), 0) for d in POP)
        county_rate = total / county_pop * 1000
        above = sum(independent.get((d, issue), 0) / POP[d] * 1000 >= county_rate for d in POP)
        assert c.loc[issue, "count"] == total
        assert c.loc[issue, "rate_per_1000"] == pytest.approx(county_rate, rel=1e-5)
        assert c.loc[issue, "districts_above_county_rate"] == above
        assert c.loc[issue, "prevalence_share"] == pytest.approx(above / 7, rel=1e-5)


def test_funding_per_incident_and_shares_from_the_2011_allocations(tables, independent):
    cpa = tables["cost_per_area"].set_index("district")
    total = sum(FUNDING.values())
    assert total == 160_093  # the document's own total, £160,094, differs by rounding
    for d, gbp in FUNDING.items():
        incidents = sum(v for (dist, _), v in independent.items() if dist == d)
        assert cpa.loc[d, "incidents"] == incidents
        assert cpa.loc[d, "funding_gbp"] == gbp
        # April-September 2011 (six months) against one quarter: a year of each (x 2, x 4)
        assert cpa.loc[d, "funding_per_incident_gbp"] == pytest.approx(gbp * 2 / (incidents * 4), abs=0.01)
        assert cpa.loc[d, "funding_per_1000_residents_gbp"] == pytest.approx(gbp * 2 / POP[d] * 1000, abs=0.01)
        assert cpa.loc[d, "funding_share"] == pytest.approx(gbp / total, rel=1e-5)


def test_contract_columns_come_first_in_order(tables):
    assert list(tables["issue_scores"].columns[:15]) == [
        "district", "issue", "quarter", "count", "count_prev_quarter", "count_last_year",
        "change_pct_prev_quarter", "change_pct_last_year", "change_flag", "rate_per_1000",
        "location_quotient", "harm_score", "cost_of_crime_gbp", "priority_score", "priority_rank"]
    assert list(tables["county_priorities"].columns[:11]) == [
        "issue", "count", "rate_per_1000", "districts_above_county_rate", "prevalence_share", "harm_score",
        "cost_of_crime_gbp", "priority_score", "priority_rank", "delivery_level", "rationale"]
    assert list(tables["cost_per_area"].columns[:9]) == [
        "district", "population", "funding_gbp", "incidents", "funding_per_incident_gbp",
        "funding_per_1000_residents_gbp", "cost_of_crime_gbp", "need_share", "funding_share"]


def test_comparisons_before_the_first_month_are_blank_and_say_so(tables):
    s = tables["issue_scores"]
    assert s["count_prev_quarter"].isna().all() and s["count_last_year"].isna().all()
    assert (s["change_flag"] == "no comparison available").all()


def test_sample_delivery_levels_differ_by_more_than_rank(tables):
    cp = tables["county_priorities"].set_index("issue")
    level = cp["delivery_level"]
    # low volume in most districts, high harm, enough cases for one service
    assert level["Robbery"] == level["Possession of weapons"] == "county-wide service"
    # high volume with a county mechanism declared in county.toml (the 2011-13 agreement, 6.5 and 6.11)
    assert level["Drugs"] == level["Anti-social behaviour"] == "county-coordinated"
    # high volume, and Blaby and Charnwood beyond the county's Poisson 99.8% limit, but within it once the usual
    # variation between districts (a standard deviation of about 13% of the county rate) is allowed for: ordinary
    # differences between districts are not a shared pattern (it was county-coordinated on the Poisson limits)
    assert level["Vehicle crime"] == "district-led"
    assert ("0 districts beyond the county's 99.8% limit once the usual variation between districts"
            in cp.loc["Vehicle crime", "rationale"])
    assert "against 2 beyond the Poisson limit alone" in cp.loc["Vehicle crime", "rationale"]
    # the top two priorities show no shared pattern (and no comparison quarter): district-led
    assert cp.loc[["Violence and sexual offences", "Burglary"], "priority_rank"].tolist() == [1, 2]
    assert level["Violence and sexual offences"] == level["Burglary"] == "district-led"
    # concentrated: Charnwood's to lead
    assert level["Bicycle theft"] == "district-led" and "Charnwood's to lead" in cp.loc["Bicycle theft", "rationale"]
    led = cp[cp["delivery_level"] == "district-led"]
    assert len(led) > 0 and led["risk_note"].str.startswith("Not escalated").all()


def _limits(counts: dict[str, int]) -> tuple[dict[str, float], dict[str, float], float]:
    """The upper 99.8% limit per district (rate per 1,000) allowing for the usual variation between districts,
    the Poisson limit (count) and tau, worked by hand from the annex's formulas (numpy, scipy.stats)."""
    import numpy as np
    from scipy import stats

    o = np.array([counts[d] for d in POP], dtype=float)
    pop = np.array(list(POP.values()), dtype=float)
    rate = o.sum() / pop.sum() * 1000
    e = rate * pop / 1000
    if o.sum() == 0:
        return dict.fromkeys(POP, 0.0), dict.fromkeys(POP, 0.0), 0.0
    z = (o - e) / np.sqrt(e)
    lo, hi = np.percentile(z, [10, 90])
    phi = min(np.mean(np.clip(z, lo, hi) ** 2), (1.4826 * np.median(np.abs(z - np.median(z)))) ** 2)
    tau2 = (7 * phi - 6) / (e.sum() - (e ** 2).sum() / e.sum()) if phi > 1 else 0.0
    poisson = stats.poisson.ppf(0.999, e)
    upper = np.maximum(poisson / pop * 1000, rate * (1 + stats.norm.ppf(0.999) * np.sqrt(1 / e + tau2)))
    upper = upper if tau2 > 0 else poisson / pop * 1000
    return dict(zip(POP, upper, strict=True)), dict(zip(POP, poisson, strict=True)), float(np.sqrt(tau2))


def test_every_delivery_sentence_is_true_for_the_data(tables, independent):
    """The figures each rationale quotes, recomputed here from the raw files (csv module, scipy.stats)."""
    import re

    cp = tables["county_priorities"].set_index("issue")
    for issue, r in cp.iterrows():
        counts = {d: independent.get((d, issue), 0) for d in POP}
        total = sum(counts.values())
        low = sum(n < 20 for n in counts.values())
        text = r["rationale"]
        if m := re.match(r"Low volume in (\d) of 7 districts \(below 20 a quarter each\) but (\d+) across", text):
            assert (int(m.group(1)), int(m.group(2))) == (low, total), issue
        if m := re.match(r"High volume in (\d) of 7 districts", text):
            assert int(m.group(1)) == 7 - low, issue
        if m := re.match(r"(.+?) holds (\d+)% of the county's (\d+) incidents", text):
            top = max(counts, key=counts.get)
            assert (m.group(1), int(m.group(3))) == (top, total), issue
            assert int(m.group(2)) == round(100 * counts[top] / total), issue
        limit, poisson_limit, tau = _limits(counts)
        beyond = [d for d in POP if counts[d] / POP[d] * 1000 > limit[d]]
        if m := re.search(r"rates beyond the county's 99.8% limit in (\d) districts \(([^)]*)\)", text):
            assert (int(m.group(1)), m.group(2)) == (len(beyond), ", ".join(beyond)), issue
        if m := re.search(r"(\d) districts? beyond the county's 99.8% limit once the usual variation between "
                          r"districts, a standard deviation of (\d+)% of the county rate, is allowed for", text):
            assert (int(m.group(1)), int(m.group(2))) == (len(beyond), round(100 * tau)), issue
        if m := re.search(r"against (\d) beyond the Poisson limit alone", text):
            assert int(m.group(1)) == sum(counts[d] > poisson_limit[d] for d in POP), issue
        assert "no increase" not in text
