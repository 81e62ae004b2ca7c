"""Harm: the shipped indicative weights, user tables, the ONS CSS and CCHI loaders, and rank sensitivity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from csa_analysis.domain.issues import ISSUES
from csa_analysis.errors import InputError
from csa_analysis.method.harm import (
    HARM_COLUMNS,
    add_harm,
    default_harm_weights,
    load_cchi_workbook,
    load_ons_css_weights,
    ranking_sensitivity,
    read_harm_table,
    weights_to_issues,
)
from csa_analysis.method.score import build_tables_from_counts

from scoringfactory import ALL_MONTHS, Q, make_counts, make_county

#: The indicative figures of reference.md: a single value, or the (low, high) range.
REFERENCE = {
    "Robbery": 365, "Possession of weapons": 273.75, "Other crime": 10, "Public order": 7.5, "Vehicle crime": 5,
    "Other theft": 2, "Theft from the person": 2, "Bicycle theft": 2, "Shoplifting": 1,
    "Violence and sexual offences": (159, 235), "Burglary": (191, 253), "Criminal damage and arson": (5, 18),
    "Drugs": (3.3, 4.0),
}


def ons_workbook(path, rows, header=("Offence category", "Weight"), sheet="List of weights"):
    """An .xlsx in the ONS data tool's layout: notes on rows 1-6, the header on row 7."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws["A1"] = "Crime Severity Score (Experimental Statistics)"
    ws["A3"] = "Weights are based on sentencing data"
    for col, name in enumerate(header, start=1):
        ws.cell(row=7, column=col, value=name)
    for r, values in enumerate(rows, start=8):
        for col, value in enumerate(values, start=1):
            ws.cell(row=r, column=col, value=value)
    wb.save(path)
    return path


def cchi_workbook(path, rows, header=("HO Code", "HO Offence Title", "CCHI Score"), header_row=3):
    """An .xlsx with a "CCHI 2021 values sheet": a title above, the header on ``header_row``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "CCHI 2021 values sheet"
    ws["A1"] = "Cambridge Crime Harm Index 2021"
    for col, name in enumerate(header, start=1):
        ws.cell(row=header_row, column=col, value=name)
    for r, values in enumerate(rows, start=header_row + 1):
        for col, value in enumerate(values, start=1):
            ws.cell(row=r, column=col, value=value)
    wb.save(path)
    return path


class TestDefaultWeights:
    def test_one_row_per_issue_with_provenance_columns(self):
        w = default_harm_weights()
        assert tuple(w.columns) == HARM_COLUMNS
        assert w["issue"].tolist() == list(ISSUES)
        assert w["source"].notna().all() and w["basis"].notna().all()
        assert (w["unit"] == "CCHI days").all()

    def test_weights_are_the_reference_figures_with_midpoints_for_ranges(self):
        w = default_harm_weights().set_index("issue")
        for issue, figure in REFERENCE.items():
            if isinstance(figure, tuple):
                low, high = figure
                assert w.loc[issue, ["weight_low", "weight_high"]].tolist() == pytest.approx([low, high])
                assert w.loc[issue, "weight"] == pytest.approx((low + high) / 2)
                assert "midpoint" in w.loc[issue, "basis"]
            else:
                assert w.loc[issue, ["weight", "weight_low", "weight_high"]].tolist() == [figure] * 3
            assert w.loc[issue, "status"] == "indicative"

    def test_no_weight_is_invented_for_anti_social_behaviour(self):
        w = default_harm_weights().set_index("issue")
        assert w.loc["Anti-social behaviour", ["weight", "weight_low", "weight_high"]].isna().all()
        assert set(w.index[w["weight"].notna()]) == set(REFERENCE)

    def test_harm_score_is_count_times_weight_and_blank_without_a_weight(self):
        v = pd.DataFrame({"issue": ["Robbery", "Anti-social behaviour", "Drugs"], "count": [2, 50, 0]})
        h = add_harm(v, default_harm_weights())
        assert h["harm_score"].iloc[0] == 730
        assert np.isnan(h["harm_score"].iloc[1])  # blank, never 0
        assert h["harm_score"].iloc[2] == 0  # a zero count with a weight is a real 0


class TestUserHarmTable:
    def test_a_minimal_table_is_completed_and_ranges_default_to_the_weight(self, tmp_path):
        p = tmp_path / "harm.csv"
        p.write_text("issue,weight\nRobbery,100\nBurglary,50\n")
        t = read_harm_table(p).set_index("issue")
        assert list(t.index) == list(ISSUES)
        assert t.loc["Robbery", ["weight", "weight_low", "weight_high"]].tolist() == [100, 100, 100]
        assert np.isnan(t.loc["Drugs", "weight"]) and t.loc["Robbery", "status"] == "user"

    @pytest.mark.parametrize("text,fault", [
        ("issue,weight\nRobbery,-1\n", "column 'weight'"),
        ("issue,weight\nRobbery,high\n", "column 'weight'"),
        ("issue,weight\nMurder,5\n", "column 'issue'"),
        ("offence,weight\nRobbery,5\n", "header row"),
    ])
    def test_bad_tables_are_refused_with_the_place_named(self, tmp_path, text, fault):
        p = tmp_path / "harm.csv"
        p.write_text(text)
        with pytest.raises(InputError) as err:
            read_harm_table(p)
        assert fault in str(err.value)

    def test_a_county_harm_table_replaces_the_default_in_the_scores(self, tmp_path):
        p = tmp_path / "harm.csv"
        p.write_text("issue,weight,unit\nShoplifting,1000,my units\n")
        county = make_county(harm_table=p)
        t = build_tables_from_counts(make_counts([("North", "Shoplifting", "2019-04", 3)]), county, Q, ALL_MONTHS)
        cp = t["county_priorities"].set_index("issue")
        assert cp.loc["Shoplifting", "harm_score"] == 3000
        assert np.isnan(cp.loc["Robbery", "harm_score"])


class TestOnsLoader:
    def test_reads_the_list_of_weights_from_row_seven_and_skips_blank_rows(self, tmp_path):
        p = ons_workbook(tmp_path / "css.xlsx", [("Homicide", 7979), ("Attempted murder", 4663), (None, None),
                                                 ("Possession of cannabis", 3), ("Note: experimental", None)])
        w = load_ons_css_weights(p)
        assert w["offence"].tolist() == ["Homicide", "Attempted murder", "Possession of cannabis"]
        assert w["weight"].tolist() == [7979, 4663, 3]
        assert (w["unit"] == "ONS CSS weight").all() and (w["source"] == "css.xlsx").all()

    def test_a_workbook_without_the_sheet_is_refused(self, tmp_path):
        p = ons_workbook(tmp_path / "css.xlsx", [("Homicide", 7979)], sheet="Weights")
        with pytest.raises(InputError, match="List of weights"):
            load_ons_css_weights(p)

    def test_a_sheet_without_the_columns_on_row_seven_is_refused(self, tmp_path):
        p = ons_workbook(tmp_path / "css.xlsx", [("Homicide", 7979)], header=("Offence", "Severity"))
        with pytest.raises(InputError, match="Offence category"):
            load_ons_css_weights(p)

    def test_a_file_that_is_not_a_workbook_is_refused(self, tmp_path):
        p = tmp_path / "css.xlsx"
        p.write_text("not a workbook")
        with pytest.raises(InputError):
            load_ons_css_weights(p)


class TestCchiLoader:
    def test_finds_the_header_row_and_reads_codes_titles_and_scores(self, tmp_path):
        p = cchi_workbook(tmp_path / "cchi.xlsx", [(28, "Burglary in a dwelling", 182.5), ("8P", "Assault", 365),
                                                   (None, None, None), ("105A", "Arson", None)])
        w = load_cchi_workbook(p)
        assert w.columns.tolist() == ["offence", "home_office_code", "weight", "unit", "source"]
        assert w["offence"].tolist() == ["Burglary in a dwelling", "Assault"]
        assert w["home_office_code"].tolist() == ["28", "8P"]
        assert w["weight"].tolist() == [182.5, 365] and (w["unit"] == "CCHI days").all()

    def test_long_header_names_on_the_first_row_are_recognised(self, tmp_path):
        p = cchi_workbook(tmp_path / "cchi.xlsx", [("8.1", "Wounding", 730)], header_row=1,
                          header=("Home Office classification", "Offence title", "CCHI score (days)"))
        w = load_cchi_workbook(p)
        assert w[["offence", "home_office_code", "weight"]].values.tolist() == [["Wounding", "8.1", 730]]

    def test_a_sheet_without_a_cchi_score_column_is_refused(self, tmp_path):
        p = cchi_workbook(tmp_path / "cchi.xlsx", [(28, "Burglary", 182.5)], header=("Code", "Offence title", "Days"))
        with pytest.raises(InputError, match="CCHI"):
            load_cchi_workbook(p)


class TestWeightsToIssues:
    OFFENCES = pd.DataFrame({"offence": ["Homicide", "Assault with injury", "Assault without injury",
                                         "Possession of cannabis"],
                             "weight": [7979.0, 100.0, 20.0, 3.0], "unit": "ONS CSS weight", "source": "css.xlsx"})

    def test_plain_mean_by_default_and_unmapped_issues_stay_blank(self):
        m = pd.DataFrame({"offence": ["Assault with injury", "Assault without injury", "Possession of cannabis"],
                          "issue": ["Violence and sexual offences", "Violence and sexual offences", "Drugs"]})
        t = weights_to_issues(self.OFFENCES, m).set_index("issue")
        assert t.loc["Violence and sexual offences", "weight"] == pytest.approx(60.0)
        assert t.loc["Violence and sexual offences", ["weight_low", "weight_high"]].tolist() == [20.0, 100.0]
        assert t.loc["Drugs", "weight"] == 3.0
        assert np.isnan(t.loc["Robbery", "weight"]) and t.loc["Drugs", "unit"] == "ONS CSS weight"
        assert t.loc["Drugs", "basis"] == "plain mean of mapped offences"

    def test_shares_weight_the_mean_when_given(self, tmp_path):
        p = tmp_path / "map.csv"
        p.write_text("offence,issue,share\nAssault with injury,Violence and sexual offences,0.25\n"
                     "Assault without injury,Violence and sexual offences,0.75\n")
        t = weights_to_issues(self.OFFENCES, p).set_index("issue")
        assert t.loc["Violence and sexual offences", "weight"] == pytest.approx(0.25 * 100 + 0.75 * 20)
        assert "share-weighted" in t.loc["Violence and sexual offences", "basis"]

    @pytest.mark.parametrize("text,match", [
        ("offence,issue\nMurder,Robbery\n", "not in the weights table"),
        ("offence,issue\nHomicide,Murder\n", "not a police.uk issue"),
        ("offence,issue,share\nHomicide,Robbery,\n", "column 'share': is blank"),
        ("offence,issue,share\nHomicide,Robbery,-2\n", "column 'share': '-2' is below 0"),
        ("offence,category\nHomicide,Robbery\n", "no column 'issue'"),
    ])
    def test_bad_mappings_are_refused(self, tmp_path, text, match):
        p = tmp_path / "map.csv"
        p.write_text(text)
        with pytest.raises(InputError, match=match):
            weights_to_issues(self.OFFENCES, p)

    def test_an_ons_workbook_rolled_up_and_saved_works_as_the_alternative_table(self, tmp_path):
        book = ons_workbook(tmp_path / "css.xlsx", [("Shop theft", 4), ("Robbery of business", 900)])
        css = load_ons_css_weights(book)
        m = pd.DataFrame({"offence": ["Shop theft", "Robbery of business"], "issue": ["Shoplifting", "Robbery"]})
        alt = tmp_path / "alt.csv"
        weights_to_issues(css, m).to_csv(alt, index=False)
        county = make_county(harm_alternative=alt)
        c = make_counts([("North", "Shoplifting", "2019-04", 300), ("North", "Robbery", "2019-04", 1)])
        s = build_tables_from_counts(c, county, Q, ALL_MONTHS)["harm_sensitivity"].set_index("issue")
        # default: robbery 365 x 1 above shoplifting 1 x 300; alternative: 900 x 1 below 4 x 300
        assert s.loc["Shoplifting", "harm_alternative"] == 1200 and s.loc["Robbery", "harm_alternative"] == 900
        assert s.loc["Shoplifting", "rank_alternative"] == 1 and s.loc["Robbery", "rank_default"] == 1
        assert np.isnan(s.loc["Burglary", "harm_alternative"])  # not mapped: blank, ranked last


class TestRankingSensitivity:
    def test_range_ends_can_reorder_issues_and_the_change_is_reported(self):
        # Burglary 191-253 x 10 vs violence 159-235 x 12: default 2,220 vs 2,364; low 1,910 vs 1,908.
        cc = pd.DataFrame({"issue": list(ISSUES), "count": 0})
        cc.loc[cc["issue"] == "Burglary", "count"] = 10
        cc.loc[cc["issue"] == "Violence and sexual offences", "count"] = 12
        s = ranking_sensitivity(cc, default_harm_weights()).set_index("issue")
        assert s.loc["Violence and sexual offences", "rank_default"] == 1
        assert s.loc["Burglary", "rank_range_low"] == 1
        assert s.loc["Violence and sexual offences", "max_rank_change"] == 1

    def test_ties_are_broken_by_issue_name(self):
        cc = pd.DataFrame({"issue": list(ISSUES), "count": 1})
        s = ranking_sensitivity(cc, default_harm_weights())
        equal = s.sort_values("rank_equal_weights")["issue"].tolist()
        assert equal == sorted(ISSUES)
        assert s["rank_default"].tolist() == list(range(1, 15))
