"""Cost per area: unit costs with provenance, cost of crime, funding per incident and resident, need, scenarios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from csa_analysis.config.county import FundingInfo
from csa_analysis.domain.issues import ISSUES
from csa_analysis.errors import InputError
from csa_analysis.method.costs import (
    NO_UNIT_COST,
    add_cost,
    cost_per_area,
    default_unit_costs,
    funding_scenarios,
    funding_summary,
    needs_based_allocation,
    price_years,
    read_unit_costs,
)
from csa_analysis.method.score import build_tables_from_counts
from csa_analysis.paths import REFERENCE_DIR

from scoringfactory import ALL_MONTHS, Q, make_counts, make_county

#: Home Office Research Report 99 figures quoted in reference.md (pounds per offence, 2015/16 prices).
REFERENCE_COSTS = {"Homicide": 3_200_000, "Rape": 39_360, "Violence with injury": 14_050, "Robbery": 11_320,
                   "Theft of vehicle": 10_290, "Arson": 8_420, "Other sexual offences": 6_520,
                   "Other criminal damage": 1_350, "Theft from vehicle": 870}


class TestShippedUnitCosts:
    def test_offence_table_holds_only_the_reference_figures_with_provenance(self):
        t = pd.read_csv(REFERENCE_DIR / "unit_costs_default.csv", dtype={"price_year": "str"})
        assert dict(zip(t["offence"], t["unit_cost_gbp"], strict=True)) == REFERENCE_COSTS
        assert (t["price_year"] == "2015/16").all() and (t["status"] == "secondary").all()
        assert t["source"].str.contains("Research Report 99").all()

    def test_every_issue_is_mapped_with_a_basis_and_no_cost_is_zero(self):
        u = default_unit_costs().set_index("issue")
        assert list(u.index) == list(ISSUES)
        assert u["basis"].notna().all() and (u["price_year"] == "2015/16").all()
        assert not (u["unit_cost_gbp"] == 0).any()
        blank = u["unit_cost_gbp"].isna()
        assert u.loc[blank, "basis"].str.startswith(NO_UNIT_COST).all()

    def test_the_gaps_named_in_reference_md_have_no_unit_cost(self):
        u = default_unit_costs().set_index("issue")
        for issue in ("Anti-social behaviour", "Burglary", "Shoplifting", "Theft from the person", "Other theft",
                      "Violence and sexual offences"):
            assert np.isnan(u.loc[issue, "unit_cost_gbp"]), issue

    def test_mapped_issues_use_a_reference_figure_and_say_what_it_leaves_out(self):
        u = default_unit_costs().set_index("issue")
        costed = u[u["unit_cost_gbp"].notna()]
        assert set(costed["unit_cost_gbp"]) <= set(REFERENCE_COSTS.values())
        assert "commercial robbery" in u.loc["Robbery", "basis"]


class TestCostOfCrime:
    def test_cost_is_count_times_unit_cost_blank_without_one_and_carries_its_price_year(self):
        v = pd.DataFrame({"issue": ["Robbery", "Shoplifting", "Robbery"], "count": [3, 40, 0]})
        c = add_cost(v, default_unit_costs())
        assert c["cost_of_crime_gbp"].iloc[0] == 3 * 11_320
        assert np.isnan(c["cost_of_crime_gbp"].iloc[1])
        assert c["cost_of_crime_gbp"].iloc[2] == 0
        assert (c["price_year"] == "2015/16").all()

    def test_a_user_cost_table_replaces_the_default(self, tmp_path):
        p = tmp_path / "costs.csv"
        p.write_text("issue,unit_cost_gbp,price_year,source\nShoplifting,100,2022/23,local study\n")
        county = make_county(cost_table=p)
        t = build_tables_from_counts(make_counts([("North", "Shoplifting", "2019-04", 7),
                                                  ("North", "Robbery", "2019-04", 1)]), county, Q, ALL_MONTHS)
        cp = t["county_priorities"].set_index("issue")
        assert cp.loc["Shoplifting", "cost_of_crime_gbp"] == 700
        assert np.isnan(cp.loc["Robbery", "cost_of_crime_gbp"])  # not in the user's table
        assert cp.loc["Shoplifting", "price_year"] == "2022/23"
        assert (t["cost_per_area"]["price_year"] == "2022/23").all()

    @pytest.mark.parametrize("text", ["issue,unit_cost_gbp,price_year\nRobbery,-5,2015/16\n",
                                      "issue,unit_cost_gbp,price_year\nRobbery,lots,2015/16\n",
                                      "issue,unit_cost_gbp\nRobbery,5\n",
                                      "issue,unit_cost_gbp,price_year\nMugging,5,2015/16\n"])
    def test_bad_user_cost_tables_are_refused(self, tmp_path, text):
        p = tmp_path / "costs.csv"
        p.write_text(text)
        with pytest.raises(InputError):
            read_unit_costs(p)

    def test_price_years_lists_every_year_behind_the_costs(self):
        t = pd.DataFrame({"cost_of_crime_gbp": [1.0, 2.0, np.nan], "price_year": ["2015/16", "2022/23", "2030/31"]})
        assert price_years(t) == "2015/16; 2022/23"


def scores(counts, harm=None, cost=None):
    n = len(counts)
    return pd.DataFrame({"district": ["North", "South", "East"][:n], "count": counts,
                         "harm_score": harm if harm is not None else [np.nan] * n,
                         "cost_of_crime_gbp": cost if cost is not None else [np.nan] * n,
                         "price_year": ["2015/16"] * n})


class TestCostPerArea:
    def test_contract_columns_first_and_per_incident_and_per_resident_funding(self):
        c = make_county(pops=(1000, 4000), funding=(2000.0, 6000.0))
        cpa = cost_per_area(scores([40, 100]), c).set_index("district")
        assert cpa.reset_index().columns[:9].tolist() == [
            "district", "population", "funding_gbp", "incidents", "funding_per_incident_gbp",
            "funding_per_1000_residents_gbp", "cost_of_crime_gbp", "need_share", "funding_share"]
        # no period stated: the allocations are a year's; a year's incidents are the quarter's x 4
        assert cpa.loc["North", "funding_per_incident_gbp"] == 2000 / (40 * 4)
        assert cpa.loc["South", "funding_per_1000_residents_gbp"] == 1500
        assert cpa["funding_share"].tolist() == [0.25, 0.75]
        assert cpa["need_share"].tolist() == pytest.approx([40 / 140, 100 / 140])
        assert cpa["incidents"].dtype == "int64"

    def test_without_any_funding_every_funding_figure_is_blank_never_zero(self):
        cpa = cost_per_area(scores([40, 100]), make_county(pops=(1000, 4000)))
        for col in ("funding_gbp", "funding_per_incident_gbp", "funding_per_1000_residents_gbp", "funding_share"):
            assert cpa[col].isna().all(), col

    def test_a_district_with_no_incidents_has_blank_funding_per_incident(self):
        cpa = cost_per_area(scores([0, 10]), make_county(funding=(500.0, 500.0))).set_index("district")
        assert np.isnan(cpa.loc["North", "funding_per_incident_gbp"])
        assert cpa.loc["North", "funding_per_1000_residents_gbp"] == 500

    @pytest.mark.parametrize("basis,expected", [("incidents", [0.5, 0.5]), ("harm", [0.2, 0.8]),
                                                ("cost", [0.9, 0.1])])
    def test_need_share_follows_the_configured_basis(self, basis, expected):
        c = make_county(funding_info=FundingInfo(need_basis=basis))
        cpa = cost_per_area(scores([10, 10], harm=[100.0, 400.0], cost=[900.0, 100.0]), c)
        assert cpa["need_share"].tolist() == pytest.approx(expected)
        assert (cpa["need_basis"] == basis).all()

    def test_cost_of_crime_is_blank_for_a_district_where_nothing_has_a_cost(self):
        cpa = cost_per_area(scores([10, 10], cost=[np.nan, 300.0]), make_county()).set_index("district")
        assert np.isnan(cpa.loc["North", "cost_of_crime_gbp"]) and cpa.loc["South", "cost_of_crime_gbp"] == 300


class TestAllocation:
    def test_needs_based_allocation_shares_the_pot_by_need(self):
        got = needs_based_allocation(160_094.0, pd.Series([0.1, 0.4, 0.5], index=list("abc")))
        assert got.tolist() == pytest.approx([16_009.4, 64_037.6, 80_047.0])
        assert got.sum() == pytest.approx(160_094.0)

    def test_cut_scenarios_shrink_the_pot_and_compare_with_current_funding(self):
        cpa = pd.DataFrame({"district": ["North", "South"], "need_share": [0.25, 0.75],
                            "funding_gbp": [100.0, np.nan]})
        c = make_county(funding_info=FundingInfo(pot_gbp=1000.0, cut_scenarios_pct=(24.8, 50)))
        s = funding_scenarios(cpa, c)
        assert s["scenario"].unique().tolist() == ["as allocated", "24.8% cut", "50% cut"]
        cut = s[s["scenario"] == "24.8% cut"].set_index("district")
        assert cut["pot_gbp"].tolist() == pytest.approx([752.0, 752.0])
        assert cut.loc["North", "needs_based_gbp"] == pytest.approx(188.0)
        assert cut.loc["North", "difference_gbp"] == pytest.approx(88.0)
        assert np.isnan(cut.loc["South", "difference_gbp"])  # no current funding: blank

    def test_the_default_pot_is_the_sum_of_current_funding_and_no_funding_means_no_scenarios(self):
        cpa = pd.DataFrame({"district": ["North", "South"], "need_share": [0.5, 0.5], "funding_gbp": [300.0, 100.0]})
        s = funding_scenarios(cpa, make_county())
        assert s["pot_gbp"].tolist() == [400.0, 400.0] and s["difference_gbp"].tolist() == [-100.0, 100.0]
        none = funding_scenarios(cpa.assign(funding_gbp=np.nan), make_county(
            funding_info=FundingInfo(cut_scenarios_pct=(24.8,))))
        assert none.empty and "needs_based_gbp" in none.columns


class TestFundingPeriodsAndCuts:
    def test_per_incident_and_per_resident_figures_compare_a_year_with_a_year(self):
        six = make_county(pops=(1000, 4000), funding=(2000.0, 6000.0), funding_info=FundingInfo(
            period_start="2011-04", period_end="2011-09"))
        cpa = cost_per_area(scores([40, 100]), six).set_index("district")
        # six months' 2,000 is 4,000 a year; one quarter's 40 incidents are 160 a year
        assert cpa.loc["North", "funding_annual_gbp"] == 4000
        assert cpa.loc["North", "funding_per_incident_gbp"] == 4000 / 160
        assert cpa.loc["North", "funding_per_1000_residents_gbp"] == 4000
        assert cpa.loc["North", "funding_period"] == "April to September 2011 (6 months)"

    def test_figures_already_after_a_cut_are_not_cut_again_and_each_scenario_says_before_or_after(self):
        cpa = pd.DataFrame({"district": ["North", "South"], "need_share": [0.5, 0.5], "funding_gbp": [376.0, 376.0]})
        c = make_county(funding_info=FundingInfo(cut_pct=24.8, figures_are="after the cut", cut_scenarios_pct=(10,)))
        s = funding_scenarios(cpa, c).drop_duplicates("scenario").set_index("scenario")
        assert s.index.tolist() == ["as allocated (after the 24.8% cut)", "before the 24.8% cut (reconstructed)",
                                    "a further 10% cut"]
        assert s["relative_to_cut"].tolist() == ["after", "before", "after"]
        assert s["pot_gbp"].tolist() == pytest.approx([752.0, 1000.0, 676.8])

    def test_the_county_wide_pot_and_the_published_total_are_reconciled(self):
        cpa = pd.DataFrame({"funding_gbp": [22380.0, 36209.0, 19398.0, 24506.0, 16423.0, 24106.0, 17071.0]})
        c = make_county(funding_info=FundingInfo(period_months=6, published_total_gbp=160094,
                                                 county_wide_gbp=118370))
        t = funding_summary(cpa, c).set_index("item")
        assert t.loc["District allocations (sum of the rows)", "amount_gbp"] == 160093
        assert "£1 more than the sum of the rows" in t.loc["District allocations (published total)", "note"]
        assert t.loc["County-wide allocation", "amount_gbp"] == 118370
        assert t.loc["Total", "amount_gbp"] == 278464  # the source's "Total Revenue"
        assert t.loc["County-wide allocation", "annual_gbp"] == 2 * 118370
