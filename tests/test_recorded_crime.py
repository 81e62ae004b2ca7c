"""Home Office Table C2 read as published (csa_analysis.sources.recorded_crime).

Expected counts were read in data/raw/ons/csp_table_c2_ye_june_2025.csv with a text editor, on the line given in
each comment (the header spans text lines 8-13, so text line L is spreadsheet row L - 5).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from csa_analysis.errors import InputError
from csa_analysis.sources.population import read_mid_year_estimates
from csa_analysis.sources.recorded_crime import (
    TOTAL_GROUP,
    csp_areas,
    csp_rates,
    england_wales_rates,
    force_total_check,
    match_districts,
    offence_groups,
    read_table_c2,
    read_table_c2_editions,
    year_on_year,
)

ONS = Path(__file__).resolve().parents[1] / "data" / "raw" / "ons"
C2 = ONS / "csp_table_c2_ye_june_2025.csv"
MYE23 = ONS / "mye23tablesew.xlsx"


@pytest.fixture(scope="module")
def c2() -> pd.DataFrame:
    return read_table_c2(C2)


@pytest.fixture(scope="module")
def pop23() -> pd.DataFrame:
    return read_mid_year_estimates(MYE23)


@pytest.fixture(scope="module")
def areas(c2) -> pd.DataFrame:
    return csp_areas(c2)


def _count(c2: pd.DataFrame, csp_name: str, group: str, row_type: str = "csp") -> object:
    rows = c2[(c2["csp_name"] == csp_name) & (c2["offence_group"] == group) & (c2["row_type"] == row_type)]
    assert len(rows) == 1, (csp_name, group)
    return rows["count"].iloc[0]


def _edit(tmp_path: Path, old: str, new: str, name: str = "c2.csv") -> Path:
    raw = C2.read_bytes()
    assert raw.count(old.encode()) == 1, old
    out = tmp_path / name
    out.write_bytes(raw.replace(old.encode(), new.encode()))
    return out


class TestReadAsPublished:
    @pytest.mark.parametrize(("csp", "group", "count"), [
        # line 199: E23000021,Leicestershire,E22000165,Charnwood,E07000130,Charnwood,"12,859 ","4,504 ",0 ,1 ,...
        ("Charnwood", TOTAL_GROUP, 12859),
        ("Charnwood", "Violence against the person", 4504),
        ("Charnwood", "Homicide", 0),
        ("Charnwood", "Shoplifting", 1490),
        # line 198: Blaby "6,558 ","2,232 ",3 (homicide)
        ("Blaby", TOTAL_GROUP, 6558),
        ("Blaby", "Homicide", 3),
        # line 329: Ipswich "12,537 ", robbery 101
        ("Ipswich", TOTAL_GROUP, 12537),
        ("Ipswich", "Robbery", 101),
        # line 68: East and Mid Devon, Combined Local Authorities, "10,997 "
        ("East and Mid Devon", TOTAL_GROUP, 10997),
        # line 277: North Yorkshire (CSP E22000372, unitary E06000065) "30,159 "
        ("North Yorkshire", TOTAL_GROUP, 30159),
        # line 80: Unassigned Dorset 539; line 119: Manchester Airport "1,516 "
        ("Unassigned Dorset", TOTAL_GROUP, 539),
        ("Manchester Airport", TOTAL_GROUP, 1516),
    ])
    def test_counts_checked_by_hand(self, c2, csp, group, count):
        row_type = "unassigned" if csp.startswith("Unassigned") else "other" if csp == "Manchester Airport" else "csp"
        assert _count(c2, csp, group, row_type) == count

    def test_trailing_spaces_stripped(self, c2):
        # line 275: the force total row says "North Yorkshire " (trailing space): 44,831
        total = c2[(c2["row_type"] == "force_total") & (c2["force"] == "North Yorkshire")
                   & (c2["offence_group"] == TOTAL_GROUP)]
        assert total["count"].tolist() == [44831]
        assert not c2["force"].str.endswith(" ").any() and not c2["la_name"].str.endswith(" ").any()

    def test_combined_local_authorities(self, c2):
        row = c2[(c2["csp_name"] == "East and Mid Devon") & (c2["offence_group"] == TOTAL_GROUP)].iloc[0]
        assert (row["la_code"], row["combined_la"], row["csp_code"]) == ("", True, "E22000362")
        assert c2.loc[c2["combined_la"], "csp_name"].nunique() == 11

    def test_header_cleaned_and_period_read(self, c2):
        groups = offence_groups(c2)
        assert len(groups) == 23
        assert groups[0] == "Total recorded crime (excluding fraud)"  # header cell spans two lines in the file
        assert groups[-1] == "Miscellaneous crimes against society"
        assert set(c2["period"]) == {"year ending June 2025"} and set(c2["period_end"]) == {"2025-06"}
        assert str(c2["count"].dtype) == "Int64"

    def test_force_totals_and_unassigned_rows_are_not_csps(self, c2):
        rows = c2.drop_duplicates("sheet_row")
        assert rows["row_type"].value_counts().to_dict() == {"csp": 314, "force_total": 42, "unassigned": 42,
                                                             "other": 1}
        csps = rows[rows["row_type"] == "csp"]
        assert (csps["csp_code"] != "").all() and csps["csp_code"].is_unique
        assert not csps["csp_name"].str.contains("Unassigned", case=False).any()
        assert "Manchester Airport" not in set(csps["csp_name"])

    def test_row_without_figures_stays_blank_and_miscoded_force_is_placed_by_name(self, c2):
        # line 344: E23000032,Surrey,,unassigned Surrey,,,,,,... : Kent's code, no figures at all
        surrey = c2[c2["csp_name"] == "unassigned Surrey"]
        assert len(surrey) == 23 and surrey["count"].isna().all()
        assert set(surrey["force_code"]) == {"E23000031"} and set(surrey["force_code_published"]) == {"E23000032"}
        # line 134: W15000003,Gwent,,Unassigned Gwent,... 1 shoplifting: South Wales's code under Gwent's name
        gwent = c2[(c2["csp_name"] == "Unassigned Gwent") & (c2["offence_group"] == "Shoplifting")]
        assert gwent["count"].tolist() == [1] and gwent["force_code"].tolist() == ["W15000002"]

    def test_each_force_total_is_the_sum_of_its_rows(self, c2):
        check = force_total_check(c2)
        assert len(check) == 42 * 23
        assert (check["difference"] == 0).all()

    def test_england_and_wales_total_from_the_force_totals(self, c2):
        # 43 forces but 42 force total rows: City of London (line 40) has only its CSP row, 8,801 crimes in all.
        # So the E&W total is the 42 force totals plus City of London's row; it then equals the sum of every
        # CSP, unassigned and other row, for every offence group.
        assert c2["force_code"].nunique() == 43
        assert "E23000034" not in set(c2.loc[c2["row_type"] == "force_total", "force_code"])
        totals = c2[c2["row_type"] == "force_total"].groupby("offence_group")["count"].sum()
        city = c2[c2["force_code"] == "E23000034"].groupby("offence_group")["count"].sum()
        parts = c2[c2["row_type"] != "force_total"].groupby("offence_group")["count"].sum()
        pd.testing.assert_series_equal(totals + city, parts)
        assert totals[TOTAL_GROUP] == 5195348 and city[TOTAL_GROUP] == 8801
        csps_only = c2[c2["row_type"] == "csp"].groupby("offence_group")["count"].sum()
        assert (csps_only < totals + city).all()  # CSP rows alone would miss the unassigned crimes
        ew = england_wales_rates(c2, csp_rates(c2, read_mid_year_estimates(MYE23))).set_index("offence_group")
        pd.testing.assert_series_equal(ew["count_all_recorded"].sort_index(), (totals + city).astype("Int64"),
                                       check_names=False)


class TestUnavailableAndBadFigures:
    def test_x_stays_blank_never_zero(self, tmp_path, pop23):
        # Charnwood's homicide count (line 199, "0 ") replaced by the table's shorthand [x].
        path = _edit(tmp_path, 'Charnwood,"12,859 ","4,504 ",0 ,', 'Charnwood,"12,859 ","4,504 ",[x] ,')
        c2 = read_table_c2(path)
        assert pd.isna(_count(c2, "Charnwood", "Homicide"))
        assert _count(c2, "Charnwood", "Violence against the person") == 4504
        rates = csp_rates(c2, pop23)
        homicide = rates[rates["offence_group"] == "Homicide"]
        assert pd.isna(homicide.loc[homicide["area_name"] == "Charnwood", "rate_per_1000"]).all()
        ew = england_wales_rates(c2, rates).set_index("offence_group")
        assert ew.loc["Homicide", "areas"] == 299 and ew.loc["Homicide", "areas_without_rate"] == 1
        # the force total keeps its published figure; the check reports the row left out
        check = force_total_check(c2).set_index(["force_code", "offence_group"])
        assert check.loc[("E23000021", "Homicide"), "rows_missing"] == 1

    def test_bad_number_names_file_row_and_column(self, tmp_path):
        path = _edit(tmp_path, '"12,859 "', '"12,3x4 "')
        with pytest.raises(InputError) as err:
            read_table_c2(path)
        text = str(err.value)
        assert "c2.csv" in text and "row 194 (line 199 of the CSV text) (Charnwood)" in text
        assert "column 'Total recorded crime (excluding fraud)'" in text and "'12,3x4'" in text

    def test_blank_cell_among_figures_is_an_error(self, tmp_path):
        path = _edit(tmp_path, 'Charnwood,"12,859 ","4,504 ",0 ,', 'Charnwood,"12,859 ","4,504 ", ,')
        with pytest.raises(InputError, match=r"row 194 .*column 'Homicide': figure '\(blank\)'"):
            read_table_c2(path)

    def test_missing_header(self, tmp_path):
        path = _edit(tmp_path, '"Police Force\nArea code"', '"Force"')
        with pytest.raises(InputError, match=r"c2.csv: no header row found.*Police Force Area code"):
            read_table_c2(path)

    def test_missing_period(self, tmp_path):
        path = _edit(tmp_path, "year ending June 2025 [note 1]", "[note 1]")
        with pytest.raises(InputError, match=r"no period found in the title rows.*year ending June 2025"):
            read_table_c2(path)


def _as_xlsx(tmp_path: Path) -> Path:
    """The CSV written as the published workbook stores it: numbers as numbers, a notes sheet first."""
    raw = pd.read_csv(C2, header=None, dtype=str, keep_default_na=False)
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["Notes for the tables"])
    ws = book.create_sheet("Table C2")
    for r, row in enumerate(raw.itertuples(index=False)):
        values = []
        for v in row:
            text = v.strip().replace(",", "")
            values.append(int(text) if r >= 8 and text.isdigit() else (v if v != "" else None))
        ws.append(values)
    path = tmp_path / "c2.xlsx"
    book.save(path)
    return path


class TestXlsx:
    def test_same_table_as_xlsx_reads_the_same(self, tmp_path, c2):
        from_xlsx = read_table_c2(_as_xlsx(tmp_path))
        pd.testing.assert_frame_equal(from_xlsx.drop(columns="source"), c2.drop(columns="source"))

    def test_xlsx_with_no_c2_sheet(self, tmp_path):
        book = openpyxl.Workbook()
        book.active.title = "Table C1"
        book.create_sheet("Notes")
        book.save(tmp_path / "other.xlsx")
        with pytest.raises(InputError, match=r"other.xlsx: has several sheets and none is named 'Table C2'"):
            read_table_c2(tmp_path / "other.xlsx")


class TestEditions:
    def _second_edition(self, tmp_path: Path, title: str, name: str) -> None:
        raw = C2.read_bytes().replace(b"year ending June 2025", title.encode())
        # Charnwood's total 12,859 -> 12,000 and Blaby's homicides 3 -> 0 in the made-up earlier edition
        raw = raw.replace(b'Charnwood,"12,859 "', b'Charnwood,"12,000 "')
        raw = raw.replace(b'Blaby,"6,558 ","2,232 ",3 ,', b'Blaby,"6,558 ","2,232 ",0 ,')
        (tmp_path / name).write_bytes(raw)

    def test_year_on_year_change(self, tmp_path):
        (tmp_path / C2.name).write_bytes(C2.read_bytes())
        self._second_edition(tmp_path, "year ending June 2024", "c2_2024.csv")
        both = read_table_c2_editions(tmp_path)
        assert list(pd.unique(both["period"])) == ["year ending June 2024", "year ending June 2025"]
        yoy = year_on_year(both)
        assert set(yoy["period"]) == {"year ending June 2025"}  # the 2024 edition has nothing to compare with
        charnwood = yoy[(yoy["csp_name"] == "Charnwood") & (yoy["offence_group"] == TOTAL_GROUP)].iloc[0]
        assert (charnwood["count"], charnwood["count_previous"], charnwood["change"]) == (12859, 12000, 859)
        assert charnwood["change_pct"] == pytest.approx(100 * 859 / 12000)
        blaby = yoy[(yoy["csp_name"] == "Blaby") & (yoy["offence_group"] == "Homicide")].iloc[0]
        assert (blaby["change"], pd.isna(blaby["change_pct"])) == (3, True)  # no percentage of zero
        unchanged = yoy[(yoy["csp_name"] == "Ipswich") & (yoy["offence_group"] == TOTAL_GROUP)]
        assert unchanged["change"].tolist() == [0]
        # force totals and unassigned rows are compared too, by force
        leics = yoy[(yoy["row_type"] == "unassigned") & (yoy["force"] == "Leicestershire")
                    & (yoy["offence_group"] == TOTAL_GROUP)]
        assert leics["change"].tolist() == [0]

    def test_editions_a_quarter_apart_are_not_compared(self, tmp_path):
        (tmp_path / C2.name).write_bytes(C2.read_bytes())
        self._second_edition(tmp_path, "year ending March 2025", "c2_march.csv")
        assert year_on_year(read_table_c2_editions(tmp_path)).empty

    def test_two_files_for_one_period(self, tmp_path):
        (tmp_path / "a.csv").write_bytes(C2.read_bytes())
        (tmp_path / "b.csv").write_bytes(C2.read_bytes())
        with pytest.raises(InputError, match=r"same period \(year ending June 2025\): a.csv and b.csv"):
            read_table_c2_editions(tmp_path)


class TestAreasAndRates:
    def test_every_current_district_in_exactly_one_area(self, areas, pop23):
        from csa_analysis.sources.population import district_level

        lads = set(district_level(pop23)["code"])
        placed = areas.drop_duplicates(["area_code", "lad_code"])
        assert set(placed["lad_code"]) == lads
        assert placed["lad_code"].is_unique
        assert areas["area_code"].nunique() == 300

    def test_combined_and_split_csps(self, areas):
        by_csp = areas.groupby("csp_name")["lad_name"].agg(lambda s: sorted(set(s)))
        assert by_csp["East and Mid Devon"] == ["East Devon", "Mid Devon"]  # from the ONS lookup
        assert by_csp["Western Suffolk"] == ["Babergh", "Mid Suffolk", "West Suffolk"]
        east_suffolk = areas[areas["lad_name"] == "East Suffolk"]
        assert sorted(east_suffolk["csp_name"]) == ["Suffolk Coastal", "Waveney"]
        assert east_suffolk["area_name"].iloc[0] == "East Suffolk (Suffolk Coastal + Waveney)"
        # Cumbria's CSPs carry abolished district codes: they reach Cumberland through the successor table
        assert sorted(areas.loc[areas["lad_name"] == "Cumberland", "csp_name"]) == ["Allerdale", "Carlisle",
                                                                                    "Copeland"]

    def test_rates(self, c2, areas, pop23):
        rates = csp_rates(c2, pop23, areas=areas)
        total = rates[rates["offence_group"] == TOTAL_GROUP].set_index("area_name")
        assert total.loc["Charnwood", "rate_per_1000"] == pytest.approx(12859 / 188010 * 1000)
        # East and Mid Devon: one count for two districts, over their summed population
        # (mye23tablesew.xlsx rows 328 and 330: East Devon 156,167, Mid Devon 84,148)
        assert total.loc["East and Mid Devon", "population"] == 156167 + 84148
        assert total.loc["East and Mid Devon", "rate_per_1000"] == pytest.approx(10997 / 240315 * 1000)
        assert total["population"].sum() == 60854727  # every resident of England and Wales once

    def test_england_wales_rates(self, c2, areas, pop23):
        ew = england_wales_rates(c2, csp_rates(c2, pop23, areas=areas)).set_index("offence_group")
        row = ew.loc[TOTAL_GROUP]
        assert (row["areas"], row["population"], row["count_all_recorded"]) == (300, 60854727, 5195348 + 8801)
        csp_total = c2.loc[(c2["row_type"] == "csp") & (c2["offence_group"] == TOTAL_GROUP), "count"].sum()
        assert row["count"] == csp_total
        assert row["rate_per_1000"] == pytest.approx(csp_total / 60854727 * 1000)
        assert row["count_all_recorded"] == row["count"] + row["count_unassigned"] + row["count_other"]


class TestMatchDistricts:
    def test_by_code_name_and_combined_csp(self, areas):
        out = match_districts(["E07000130", "E22000164", "ipswich", "Mid Devon", "Babergh", "East Suffolk",
                               "North Yorkshire"], areas).set_index("district")
        assert out.loc["E07000130", ["area_name", "matched_by"]].tolist() == ["Charnwood", "district code"]
        assert out.loc["E22000164", ["area_name", "matched_by"]].tolist() == ["Blaby", "CSP code"]
        assert out.loc["ipswich", "area_name"] == "Ipswich"
        assert out.loc["Mid Devon", ["area_name", "shared"]].tolist() == ["East and Mid Devon", True]
        assert out.loc["Babergh", "area_district_names"] == "Babergh;Mid Suffolk;West Suffolk"
        assert out.loc["East Suffolk", ["area_csps", "shared"]].tolist() == [2, False]
        assert out.loc["North Yorkshire", "lad_code"] == "E06000065"

    def test_no_match_names_the_district_and_the_nearest_names(self, areas):
        with pytest.raises(InputError) as err:
            match_districts(["Charnwood", "Oadby & Wigston"], areas, file="county.toml", where="[[districts]] 7")
        text = str(err.value)
        assert text.startswith("county.toml: [[districts]] 7: district 'Oadby & Wigston' matches no")
        assert "nearest names: Oadby and Wigston" in text
