"""ONS mid-year population estimates read as published (csa_analysis.sources.population).

Expected figures were read by opening the workbooks in data/raw/ons and looking at the cells named in each
comment; they are written here as literals, not recomputed by the code under test.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from csa_analysis.config.population import mid_year_estimates
from csa_analysis.errors import InputError
from csa_analysis.sources.population import (
    aggregate_areas,
    district_level,
    lookup_populations,
    read_mid_year_estimates,
)

ONS = Path(__file__).resolve().parents[1] / "data" / "raw" / "ons"
MYE23 = ONS / "mye23tablesew.xlsx"
MYE19 = ONS / "ukmidyearestimates20192020ladcodes.xls"


@pytest.fixture(scope="module")
def pop23() -> pd.DataFrame:
    return read_mid_year_estimates(MYE23)


@pytest.fixture(scope="module")
def pop19() -> pd.DataFrame:
    return read_mid_year_estimates(MYE19)


def _row(pop: pd.DataFrame, name: str) -> pd.Series:
    rows = pop[pop["name"] == name]
    assert len(rows) == 1, name
    return rows.iloc[0]


class TestReadMid2023:
    @pytest.mark.parametrize(("name", "code", "geography", "population", "sheet_row"), [
        # mye23tablesew.xlsx, sheet "MYE2 - Persons", column D "All ages", on the row given
        ("Charnwood", "E07000130", "Non-metropolitan District", 188010, 100),
        ("Harborough", "E07000131", "Non-metropolitan District", 102581, 101),
        ("East Suffolk", "E07000244", "Non-metropolitan District", 247100, 204),
        ("North Yorkshire", "E06000065", "Unitary Authority", 627629, 69),  # one unitary since April 2023
        ("Rutland", "E06000017", "Unitary Authority", 40643, 87),
    ])
    def test_districts_checked_by_hand(self, pop23, name, code, geography, population, sheet_row):
        row = _row(pop23, name)
        assert (row["code"], row["geography"], row["population"], row["sheet_row"]) == (
            code, geography, population, sheet_row)
        assert row["year"] == 2023

    def test_age_bands_area_and_median_age_of_charnwood(self, pop23):
        row = _row(pop23, "Charnwood")
        # Row 100 of "MYE2 - Persons": columns 0..15 add up to 31,376, 16..24 to 29,629, 65..90+ to 35,924.
        assert (row["aged_0_15"], row["aged_16_24"], row["aged_65_plus"]) == (31376, 29629, 35924)
        assert row["aged_25_64"] == 188010 - 31376 - 29629 - 35924
        assert row["share_16_24"] == pytest.approx(29629 / 188010)
        # Sheet "MYE5" row 100: Area (sq km) 279.0426, 2023 people per sq. km 674 (rounded there).
        assert row["area_sq_km"] == pytest.approx(279.0426)
        assert round(row["density_per_sq_km"]) == 674
        # Sheet "MYE6" row 100, column "Mid-2023": median age 39.4.
        assert row["median_age"] == pytest.approx(39.4)

    def test_shares_add_up_to_one(self, pop23):
        shares = pop23[["share_0_15", "share_16_24", "share_25_64", "share_65_plus"]].sum(axis=1)
        assert shares.to_numpy() == pytest.approx(1.0)

    def test_county_rows_are_kept_and_never_summed(self, pop23):
        county = _row(pop23, "Leicestershire")  # row 98: the county, 734,015
        assert (county["code"], county["geography"], county["population"]) == ("E10000018", "County", 734015)
        districts = district_level(pop23)
        assert "E10000018" not in set(districts["code"])
        assert set(districts["geography"]) == {"Non-metropolitan District", "Unitary Authority",
                                               "Metropolitan District", "London Borough"}
        assert len(districts) == 318
        # Row 9, ENGLAND AND WALES: 60,854,727. The districts add up to it; all rows would count people 3-4 times.
        assert districts["population"].sum() == 60854727
        assert _row(pop23, "ENGLAND AND WALES")["population"] == 60854727
        assert pop23["population"].sum() > 3 * 60854727
        # The seven districts of Leicestershire County add up to the county row, so nothing is double counted.
        seven = lookup_populations(pop23, ["Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth", "Melton",
                                           "North West Leicestershire", "Oadby and Wigston"])
        assert seven["population"].sum() == 734015


class TestReadMid2019Xls:
    @pytest.mark.parametrize(("name", "population", "sheet_row"), [
        # ukmidyearestimates20192020ladcodes.xls, sheet "MYE2 - Persons", column D "All ages"
        ("Charnwood", 185851, 109),
        ("Melton", 51209, 112),
    ])
    def test_districts_checked_by_hand(self, pop19, name, population, sheet_row):
        row = _row(pop19, name)
        assert (row["population"], row["sheet_row"], row["year"]) == (population, sheet_row, 2019)
        # The geography column is headed "Geography1" in this workbook: read all the same.
        assert row["geography"] == "Non-metropolitan District"

    def test_area_from_the_mye_5_sheet_and_footnote_row_ignored(self, pop19):
        # Sheet "MYE 5" (with a space) row 109: Area (sq km) 279 (whole square kilometres in this edition).
        assert _row(pop19, "Charnwood")["area_sq_km"] == 279
        # The footnote under the table ("1. Further information ...") is not an area.
        assert pop19["code"].str.fullmatch(r"[EWSNK]\d{8}").all()
        assert len(pop19) == 426

    def test_whole_uk_but_england_and_wales_districts_add_up(self, pop19):
        ew = district_level(pop19, england_and_wales=True)
        assert len(ew) == 336
        assert ew["population"].sum() == _row(pop19, "ENGLAND AND WALES")["population"] == 59439840
        assert "Council Area" in set(district_level(pop19)["geography"])  # Scotland, dropped above


def _rewrite(tmp_path: Path, change) -> Path:
    book = openpyxl.load_workbook(MYE23)
    change(book["MYE2 - Persons"])
    out = tmp_path / "mye23_edited.xlsx"
    book.save(out)
    return out


class TestHeaderFoundByContent:
    def test_one_more_title_row(self, tmp_path):
        edited = read_mid_year_estimates(_rewrite(tmp_path, lambda ws: ws.insert_rows(1)))
        row = _row(edited, "Charnwood")
        assert (row["population"], row["sheet_row"]) == (188010, 101)
        assert len(edited) == 357

    def test_one_title_row_fewer(self, tmp_path):
        edited = read_mid_year_estimates(_rewrite(tmp_path, lambda ws: ws.delete_rows(2)))
        row = _row(edited, "Charnwood")
        assert (row["population"], row["sheet_row"]) == (188010, 99)
        assert row["year"] == 2023  # the title on row 1 is still there


def _small_workbook(tmp_path: Path, sheet: str, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for r in rows:
        ws.append(r)
    path = tmp_path / "small.xlsx"
    book.save(path)
    return path


HEADER = ["Code", "Name", "Geography", "All ages", *range(90), "90+"]


class TestBadWorkbooks:
    def test_wrong_sheet_names_the_sheet_expected_and_found(self, tmp_path):
        path = _small_workbook(tmp_path, "Persons", [HEADER])
        with pytest.raises(InputError) as err:
            read_mid_year_estimates(path)
        text = str(err.value)
        assert "small.xlsx" in text and "sheet 'MYE2 - Persons'" in text and "sheets found: Persons" in text

    def test_no_header_row(self, tmp_path):
        path = _small_workbook(tmp_path, "MYE2 - Persons", [["Title"], ["Code", "Name", "Population"]])
        with pytest.raises(InputError, match=r"small.xlsx: sheet 'MYE2 - Persons': no header row.*All ages"):
            read_mid_year_estimates(path)

    def test_ages_that_do_not_add_up_name_the_row(self, tmp_path):
        row = ["E07000130", "Charnwood", "Non-metropolitan District", 100, *([1] * 90), 9]  # 99, not 100
        path = _small_workbook(tmp_path, "MYE2 - Persons", [["Title mid-2023"], HEADER, row])
        with pytest.raises(InputError, match=r"row 3 \(Charnwood\).*add up to 99"):
            read_mid_year_estimates(path)

    def test_bad_figure_names_row_and_column(self, tmp_path):
        row = ["E07000130", "Charnwood", "Non-metropolitan District", "1o0", *([1] * 91)]
        path = _small_workbook(tmp_path, "MYE2 - Persons", [HEADER, row])
        with pytest.raises(InputError, match=r"row 2, column 'All ages': cell is '1o0'"):
            read_mid_year_estimates(path)

    def test_bad_code_names_the_row(self, tmp_path):
        row = ["E0700013", "Charnwood", "Non-metropolitan District", 91, *([1] * 91)]
        path = _small_workbook(tmp_path, "MYE2 - Persons", [HEADER, row])
        with pytest.raises(InputError, match=r"row 2, column 'Code': code is 'E0700013'"):
            read_mid_year_estimates(path)

    def test_bad_single_year_of_age_names_the_first_bad_cell_by_column(self, tmp_path):
        # Two bad cells: age 7 on row 3 and age 40 on row 2; the first column holding one is reported.
        good = ["E07000130", "Charnwood", "Non-metropolitan District", 91, *([1] * 91)]
        row2 = good[:4] + ["1"] * 40 + ["x"] + ["1"] * 50
        row3 = good[:4] + ["1"] * 7 + [""] + ["1"] * 83
        path = _small_workbook(tmp_path, "MYE2 - Persons", [HEADER, row2, row3])
        with pytest.raises(InputError, match=r"row 3, column '7': cell is \(blank\)"):
            read_mid_year_estimates(path)
        row3 = good[:4] + ["1"] * 7 + ["1.5"] + ["1"] * 83
        path = _small_workbook(tmp_path, "MYE2 - Persons", [HEADER, good, row3])
        with pytest.raises(InputError, match=r"row 3, column '7': cell is '1.5'.*whole number of persons"):
            read_mid_year_estimates(path)

    def test_small_workbook_without_optional_sheets_reads(self, tmp_path):
        row = ["E07000130", "Charnwood", "Non-metropolitan District", 91, *([1] * 91)]
        out = read_mid_year_estimates(_small_workbook(tmp_path, "MYE2 - Persons", [HEADER, row]))
        assert out["population"].tolist() == [91]
        assert out["area_sq_km"].isna().all() and out["year"].isna().all()

    def test_missing_file_and_wrong_type(self, tmp_path):
        with pytest.raises(InputError, match="file not found"):
            read_mid_year_estimates(tmp_path / "absent.xlsx")
        (tmp_path / "pop.csv").write_text("Code,Name\n")
        with pytest.raises(InputError, match="unsupported file type"):
            read_mid_year_estimates(tmp_path / "pop.csv")


class TestLookupPopulations:
    def test_by_code_and_by_name_in_the_order_given(self, pop23):
        out = lookup_populations(pop23, ["rutland", "E07000130", "  North   Yorkshire "])
        assert out["district"].tolist() == ["rutland", "E07000130", "  North   Yorkshire "]
        assert out["code"].tolist() == ["E06000017", "E07000130", "E06000065"]
        assert out["population"].tolist() == [40643, 188010, 627629]

    def test_missing_district_names_it_and_the_nearest_names(self, pop23):
        with pytest.raises(InputError) as err:
            lookup_populations(pop23, ["Charnwood", "North West Leics"])
        text = str(err.value)
        assert "mye23tablesew.xlsx" in text and "sheet 'MYE2 - Persons'" in text
        assert "'North West Leics'" in text and "nearest names: North West Leicestershire" in text

    def test_ampersand_is_not_guessed(self, pop23):
        with pytest.raises(InputError, match=r"'Hinckley & Bosworth'.*nearest names: Hinckley and Bosworth"):
            lookup_populations(pop23, ["Hinckley & Bosworth"])

    def test_a_name_matching_two_rows_is_refused(self):
        pop = pd.DataFrame({"code": ["W06000022", "X00000001"], "name": ["Newport", "NEWPORT"],
                            "geography": ["Unitary Authority", "Made up"], "population": [1, 2]})
        with pytest.raises(InputError, match=r"'newport' matches 2 rows: W06000022 Newport.*give the ONS code"):
            lookup_populations(pop, ["newport"], file="pop.xlsx")
        assert lookup_populations(pop, ["W06000022"])["population"].tolist() == [1]

    def test_a_county_row_is_returned_as_a_county(self, pop19):
        # In mid-2019 North Yorkshire was a two-tier county: the row found says so.
        out = lookup_populations(pop19, ["North Yorkshire"])
        assert (out["code"].iloc[0], out["geography"].iloc[0], out["population"].iloc[0]) == (
            "E10000023", "County", 618054)


class TestAggregateAreas:
    def test_sums_and_population_weighted_shares(self):
        pop = pd.DataFrame({"code": ["A", "B", "C"], "population": [100, 300, 50], "aged_0_15": [10, 60, 5],
                            "aged_16_24": [20, 30, 5], "aged_25_64": [50, 150, 20], "aged_65_plus": [20, 60, 20],
                            "area_sq_km": [10.0, 30.0, 5.0], "median_age": [40.0, 38.0, 50.0],
                            "year": [2023, 2023, 2023]})
        members = pd.DataFrame({"area_code": ["X", "X", "Y", "Z"], "code": ["A", "B", "C", "missing"]})
        out = aggregate_areas(pop, members).set_index("area_code")
        # X = A + B: 400 residents, 70 aged 0-15 (17.5%), 80 aged 65+ (20%), 40 sq km, 10 per sq km.
        assert out.loc["X", "population"] == 400
        assert out.loc["X", "share_0_15"] == pytest.approx(0.175)
        assert out.loc["X", "share_65_plus"] == pytest.approx(0.2)
        assert out.loc["X", "density_per_sq_km"] == pytest.approx(10.0)
        assert pd.isna(out.loc["X", "median_age"])  # a median of medians is not a median
        assert out.loc["Y", "median_age"] == 50.0
        assert (out.loc["X", "districts"], out.loc["X", "district_codes"]) == (2, "A;B")
        # A member missing from the estimates: no partial sum, the whole area is missing.
        assert out.loc["Z", "districts_missing"] == 1 and pd.isna(out.loc["Z", "population"])


def test_workbook_read_once_per_process_but_again_when_replaced(tmp_path):
    path = tmp_path / "mye.xlsx"
    path.write_bytes(MYE23.read_bytes())
    first = mid_year_estimates(path)
    first.loc[:, "population"] = 0  # a caller's change never reaches the next caller
    again = mid_year_estimates(path)
    assert _row(again, "Charnwood")["population"] == 188010
    edited = _rewrite(tmp_path, lambda ws: ws.insert_rows(1))
    edited.replace(path)  # same path, new file
    assert _row(mid_year_estimates(path), "Charnwood")["sheet_row"] == 101
