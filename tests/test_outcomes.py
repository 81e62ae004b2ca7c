"""Outcomes: every police.uk category grouped, shares summing to 1, unknowns counted, ASB excluded."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

from csa_analysis.domain.periods import Quarter
from csa_analysis.method import outcomes as o

from placefactory import ALL_MONTHS, COUNTY_DISTRICTS, Q3_MONTHS, csv_rows, sample_records

Q3 = Quarter.parse("2018-19Q3")

#: Categories read from the Leicestershire and Suffolk files of 2025 (/work/shared/data/police_uk_2025, not
#: shipped with the project), written out here so the test runs on the repository alone.
CATEGORIES_2025 = [
    "Action to be taken by another organisation", "Awaiting court outcome", "Court result unavailable",
    "Formal action is not in the public interest", "Further action is not in the public interest",
    "Further investigation is not in the public interest", "Investigation complete; no suspect identified",
    "Local resolution", "Offender given a caution", "Offender given a drugs possession warning",
    "Status update unavailable", "Suspect charged as part of another case", "Unable to prosecute suspect",
]


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return sample_records()


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return o.read_outcome_groups()


class TestReferenceTable:
    def test_every_category_in_the_sample_is_mapped(self, table):
        seen = {r["Last outcome category"] for r in csv_rows(ALL_MONTHS) if r["Last outcome category"]}
        assert len(seen) == 24
        assert seen <= set(table["outcome"])

    def test_every_category_seen_in_2025_files_is_mapped(self, table):
        assert set(CATEGORIES_2025) <= set(table["outcome"])

    def test_groups_sources_and_spellings(self, table):
        assert set(table["group"]) == set(o.OUTCOME_GROUPS)
        assert table["source"].str.len().gt(0).all()
        assert {"Offender given penalty notice", "Offender given a penalty notice", "Under investigation",
                "Suspect charged", "Offender given absolute discharge"} <= set(table["outcome"])
        g = table.set_index("outcome")["group"]
        assert g["Investigation complete; no suspect identified"] == "No suspect identified"
        assert g["Offender fined"] == "Charged or summonsed"
        assert g["Offender given penalty notice"] == g["Local resolution"] == g["Offender given a caution"]
        assert g["Action to be taken by another organisation"] == "Other / transferred"

    def test_a_bad_table_is_refused(self, tmp_path, table):
        dup = tmp_path / "dup.csv"
        pd.concat([table, table.iloc[:1]]).to_csv(dup, index=False)
        with pytest.raises(ValueError, match="more than once"):
            o.read_outcome_groups(dup)
        bad = tmp_path / "bad.csv"
        table.assign(group=table["group"].where(table.index > 0, "Solved")).to_csv(bad, index=False)
        with pytest.raises(ValueError, match="Solved"):
            o.read_outcome_groups(bad)


class TestShares:
    def test_shares_sum_to_one_and_counts_match_the_csv_module(self, records, table):
        shares = o.outcome_shares(records, Q3)
        sums = shares.groupby(["district", "issue"], observed=True)["share"].sum()
        assert np.allclose(sums, 1.0)
        group = table.set_index("outcome")["group"]
        expected = Counter()
        for r in csv_rows(Q3_MONTHS):
            if r["district"] and r["Crime type"] != "Anti-social behaviour":
                expected[(r["district"], r["Crime type"], group[r["Last outcome category"]])] += 1
        got = {(str(d), str(i), str(g)): c for d, i, g, c in
               zip(shares["district"], shares["issue"], shares["outcome_group"], shares["count"], strict=True) if c}
        assert got == dict(expected)
        crimes = shares.drop_duplicates(["district", "issue"])
        assert (crimes["crimes"] > 0).all()

    def test_every_group_has_a_row_and_groups_are_in_order(self, records):
        shares = o.outcome_shares(records, Q3)
        one = shares[(shares["district"] == "Melton") & (shares["issue"] == "Burglary")]
        assert one["outcome_group"].astype(str).tolist() == [*o.OUTCOME_GROUPS, o.NOT_MAPPED]
        assert (one["count"] >= 0).all() and one["count"].sum() == one["crimes"].iloc[0]

    def test_anti_social_behaviour_is_excluded_and_counted(self, records):
        shares = o.outcome_shares(records, Q3)
        assert "Anti-social behaviour" not in set(shares["issue"].astype(str))
        account = o.outcome_account(records, Q3)
        asb = Counter(r["district"] for r in csv_rows(Q3_MONTHS)
                      if r["district"] and r["Crime type"] == "Anti-social behaviour")
        assert dict(zip(account["district"].astype(str), account["asb_excluded"], strict=True)) == dict(asb)
        assert account["district"].astype(str).tolist() == COUNTY_DISTRICTS
        by_district = shares.groupby("district", observed=True)["count"].sum()
        assert (account.set_index("district")["crimes"] == by_district).all()
        assert "excluded" in o.ASB_NOTE and "republish" in o.OUTCOME_CAVEAT

    def test_an_unknown_or_blank_category_is_not_mapped_and_counted(self, records):
        r = records[records["month"].isin(Q3_MONTHS)].reset_index(drop=True).copy()
        crimes = r.index[r["issue"] != "Anti-social behaviour"]
        r["outcome"] = r["outcome"].astype("str")
        r.loc[crimes[:3], "outcome"] = "Offender given a stern look"
        r.loc[crimes[3:5], "outcome"] = None
        shares = o.outcome_shares(r, Q3)
        nm = shares[shares["outcome_group"] == o.NOT_MAPPED]
        assert nm["count"].sum() == 5
        assert np.allclose(shares.groupby(["district", "issue"], observed=True)["share"].sum(), 1.0)
        assert o.unmapped_outcomes(r, Q3).to_dict("records") == [
            {"outcome": "Offender given a stern look", "count": 3}, {"outcome": o.BLANK_OUTCOME, "count": 2}]
        account = o.outcome_account(r, Q3)
        assert account["not_mapped"].sum() == 5 and account["blank_outcome"].sum() == 2
        assert account["crimes"].sum() == len(crimes)

    def test_the_sample_has_nothing_unmapped(self, records):
        assert o.unmapped_outcomes(records, ALL_MONTHS).empty
        assert o.outcome_account(records, ALL_MONTHS)["not_mapped"].sum() == 0

    def test_by_district_only(self, records):
        shares = o.outcome_shares(records, Q3, by=["district"])
        assert list(shares.columns) == ["district", "outcome_group", "count", "crimes", "share"]
        assert np.allclose(shares.groupby("district", observed=True)["share"].sum(), 1.0)
        detailed = o.outcome_shares(records, Q3)
        a = shares.set_index(["district", "outcome_group"])["count"]
        b = detailed.groupby(["district", "outcome_group"], observed=True)["count"].sum()
        assert (a == b.reindex(a.index)).all()

    def test_a_supplied_table_changes_the_groups(self, records, table):
        mine = table.assign(group=table["group"].where(table["outcome"] != "Local resolution",
                                                       "Other / transferred"))
        a = o.outcome_shares(records, Q3, mapping=mine, by=["district"])
        b = o.outcome_shares(records, Q3, by=["district"])
        moved = a.set_index(["district", "outcome_group"])["count"] - b.set_index(["district", "outcome_group"])[
            "count"]
        assert moved.xs("Other / transferred", level="outcome_group").sum() > 0


@pytest.mark.parametrize("module", "csa_analysis.method.outcomes".split(","))
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
