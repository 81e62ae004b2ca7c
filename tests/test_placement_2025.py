"""Back-tests of placement by LSOA code on the shipped 2025 samples (issue 14), against an independent count.

The expected figures are counted here from the raw zips with ``zipfile`` and ``csv`` and the packaged ONS lookup
read with ``pyarrow.parquet`` (no workbench code): each row's 2021 LSOA code is looked up in LSOA 2021 -> LAD 2023,
a repeated Crime ID counts once (in its earliest month, first row in file order), and rows with no LSOA code are
unallocated. The workbench must give exactly these counts for every district, through ``csa check --json``,
``load_dataset`` and the scored tables of ``csa score``, whether the county names its districts or gives codes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import zipfile
from collections import Counter
from functools import cache
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from csa_analysis.cli import main
from csa_analysis.config import read_county
from csa_analysis.domain.issues import ISSUES
from csa_analysis.ingest.counts import load_dataset
from csa_analysis.paths import CURRENT_SAMPLE_DIR, ONS_DATA_DIR, PROJECT_DIR, REFERENCE_DIR, SUFFOLK_SAMPLE_DIR

GEOGRAPHY = REFERENCE_DIR / "geography"
LEICESTERSHIRE = {  # ONS codes of the seven districts of Leicestershire County (LAD 2023)
    "Blaby": "E07000129", "Charnwood": "E07000130", "Harborough": "E07000131", "Hinckley and Bosworth": "E07000132",
    "Melton": "E07000133", "North West Leicestershire": "E07000134", "Oadby and Wigston": "E07000135",
}
SUFFOLK = {"Babergh": "E07000200", "Ipswich": "E07000202", "Mid Suffolk": "E07000203",
           "East Suffolk": "E07000244", "West Suffolk": "E07000245"}
LEICESTER, RUTLAND = "E06000016", "E06000017"
Q3_MONTHS = ("2025-10", "2025-11", "2025-12")


@cache
def lad23_of_lsoa21() -> dict[str, str]:
    t = pq.read_table(GEOGRAPHY / "lsoa21.parquet", columns=["lsoa", "lad23"]).to_pydict()
    return dict(zip(t["lsoa"], t["lad23"], strict=True))


@cache
def independent_count(folder: Path) -> tuple[Counter, Counter, int, int]:
    """(rows per LAD23 code, rows per (LAD23 code, month), unallocated rows, rows read) from the raw zip."""
    lookup = lad23_of_lsoa21()
    by_lad: Counter = Counter()
    by_lad_month: Counter = Counter()
    unallocated = rows_read = 0
    seen_ids: set[str] = set()
    (zip_path,) = sorted((folder / "police_uk").glob("*.zip"))
    with zipfile.ZipFile(zip_path) as z:
        members = sorted((n for n in z.namelist() if n.endswith("-street.csv")),
                         key=lambda n: re.search(r"(\d{4}-\d{2})-[^/]*-street\.csv$", n).group(1))
        for member in members:
            with z.open(member) as fh:
                for row in csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8", newline="")):
                    rows_read += 1
                    crime_id = row["Crime ID"].strip()
                    if crime_id:
                        if crime_id in seen_ids:
                            continue
                        seen_ids.add(crime_id)
                    code = row["LSOA code"].strip()
                    if not code:
                        unallocated += 1
                        continue
                    lad = lookup.get(code, "not in the lookup")
                    by_lad[lad] += 1
                    by_lad_month[lad, row["Month"]] += 1
    return by_lad, by_lad_month, unallocated, rows_read


def check_json(data: Path, capsys) -> dict:
    assert main(["check", "--data", str(data), "--json", "--quiet"]) == 0
    return json.loads(capsys.readouterr().out)


def county_with_codes(src: Path, dest: Path, codes: dict[str, str], *, names: bool) -> Path:
    """A copy of a sample's data folder whose county.toml gives names only, or codes only (official names)."""
    dest.mkdir(parents=True)
    (dest / "police_uk").symlink_to(src / "police_uk", target_is_directory=True)
    lines = ['name = "Test county"', "[population]",
             f'ons_workbook = "{(ONS_DATA_DIR / "mye23tablesew.xlsx").as_posix()}"', ""]
    for name, code in codes.items():
        lines += ["[[districts]]", f'name = "{name}"' if names else f'code = "{code}"', ""]
    (dest / "county.toml").write_text("\n".join(lines), encoding="utf-8")
    return dest


class TestTheShippedSamplesPlaceAsTheLookupSays:
    @pytest.mark.parametrize("folder, districts", [(CURRENT_SAMPLE_DIR, LEICESTERSHIRE), (SUFFOLK_SAMPLE_DIR, SUFFOLK)],
                             ids=["leicestershire-2025", "suffolk-2025"])
    def test_csa_check_gives_the_independent_count_for_every_district(self, folder, districts, capsys):
        by_lad, _, unallocated, rows_read = independent_count(folder)
        quality = check_json(folder, capsys)
        expected = {name: by_lad[code] for name, code in districts.items()}
        assert quality["districts"] == expected
        assert all(n > 1000 for n in expected.values())  # every district really holds records
        assert quality["placed_by_code"]["districts"] == expected
        assert quality["placed_by_code"]["total"] == sum(expected.values())
        assert quality["placed_by_name"]["total"] == 0
        assert quality["unallocated"] == unallocated
        assert quality["rows_read"] == rows_read
        outside = sum(n for code, n in by_lad.items() if code not in districts.values())
        assert quality["out_of_area"] == outside
        assert quality["file_vintages"] == {"2021": 12}
        assert quality["incomplete_force_months"] == []

    def test_leicester_and_rutland_are_out_of_area(self, capsys):
        by_lad, _, _, _ = independent_count(CURRENT_SAMPLE_DIR)
        quality = check_json(CURRENT_SAMPLE_DIR, capsys)
        assert quality["out_of_area_by_area"]["Leicester"] == by_lad[LEICESTER] > 40_000
        assert quality["out_of_area_by_area"]["Rutland"] == by_lad[RUTLAND] > 1_000
        assert "Leicester" not in quality["districts"] and "Rutland" not in quality["districts"]

    def test_east_and_west_suffolk_receive_the_rows_named_after_the_districts_they_replaced(self):
        """The LSOA names still say "Suffolk Coastal", "Waveney", "Forest Heath" and "St Edmundsbury" for none of
        the 2021 LSOAs (they were renamed in 2021), but the old names must not matter either way: by code only."""
        ds = load_dataset(read_county(SUFFOLK_SAMPLE_DIR))
        by_lad, _, _, _ = independent_count(SUFFOLK_SAMPLE_DIR)
        counts = ds.records["district"].value_counts()
        assert counts["East Suffolk"] == by_lad[SUFFOLK["East Suffolk"]]
        assert counts["West Suffolk"] == by_lad[SUFFOLK["West Suffolk"]]
        assert len(ds.records) == sum(by_lad[c] for c in SUFFOLK.values())
        assert len(ds.unallocated) == ds.quality["unallocated"]

    @pytest.mark.parametrize("folder, districts, names", [
        (CURRENT_SAMPLE_DIR, LEICESTERSHIRE, True), (SUFFOLK_SAMPLE_DIR, SUFFOLK, False)],
        ids=["leicestershire-by-name", "suffolk-by-code"])
    def test_names_only_and_codes_only_give_the_same_counts(self, folder, districts, names, tmp_path, capsys):
        data = county_with_codes(folder, tmp_path / "data", districts, names=names)
        by_lad, _, _, _ = independent_count(folder)
        quality = check_json(data, capsys)
        assert quality["districts"] == {name: by_lad[code] for name, code in districts.items()}

    @pytest.mark.parametrize("folder, districts", [(CURRENT_SAMPLE_DIR, LEICESTERSHIRE), (SUFFOLK_SAMPLE_DIR, SUFFOLK)],
                             ids=["leicestershire-2025", "suffolk-2025"])
    def test_csa_score_counts_the_default_quarter_as_the_lookup_says(self, folder, districts, tmp_path):
        _, by_lad_month, _, _ = independent_count(folder)
        assert main(["score", "--data", str(folder), "--out", str(tmp_path / "out"), "--quiet"]) == 0
        tables = tmp_path / "out" / "tables"
        with open(tables / "cost_per_area.csv", newline="", encoding="utf-8") as fh:
            incidents = {r["district"]: int(r["incidents"]) for r in csv.DictReader(fh)}
        assert incidents == {name: sum(by_lad_month[code, m] for m in Q3_MONTHS) for name, code in districts.items()}
        with open(tables / "issue_scores.csv", newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert {r["quarter"] for r in rows} == {"2025-26Q3"}
        previous = {name: sum(by_lad_month[code, m] for m in ("2025-07", "2025-08", "2025-09"))
                    for name, code in districts.items()}
        prev_by_district: Counter = Counter()
        for r in rows:
            if r["issue"] in ISSUES:  # police.uk types only: the sample's local issues are partner data
                prev_by_district[r["district"]] += int(r["count_prev_quarter"])
        assert dict(prev_by_district) == previous


class TestTheDefaultSample:
    def test_make_report_defaults_to_leicestershire_2025_and_its_latest_complete_quarter(self, tmp_path):
        makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
        data = re.search(r"^DATA\s*\?=\s*(\S+)\s*$", makefile, flags=re.MULTILINE).group(1)
        quarter = re.search(r"^QUARTER\s*\?=(.*)$", makefile, flags=re.MULTILINE).group(1).strip()
        assert PROJECT_DIR / data == CURRENT_SAMPLE_DIR
        assert quarter == "", "the quarter is left to the workbench (the latest complete one)"
        assert main(["score", "--data", str(PROJECT_DIR / data), "--out", str(tmp_path / "out"), "--quiet"]) == 0
        with open(tmp_path / "out" / "tables" / "county_priorities.csv", newline="", encoding="utf-8") as fh:
            county = list(csv.DictReader(fh))
        with open(tmp_path / "out" / "tables" / "issue_scores.csv", newline="", encoding="utf-8") as fh:
            scores = list(csv.DictReader(fh))
        assert {r["quarter"] for r in scores} == {"2025-26Q3"}
        # the previous quarter (2025-26Q2) is in the data: every comparison with it is a figure, never blank
        assert all(r["count_prev_quarter"] != "" for r in scores)
        assert sum(int(r["count_prev_quarter"]) for r in scores) > 10_000
        assert all(r["count_last_year"] == "" for r in scores)  # 2024-25Q3 is not in the data: no comparison
        local = [i.name for i in read_county(CURRENT_SAMPLE_DIR).local_issues]
        assert len(local) == 3  # the sample's illustrative partner data: SARC, domestic abuse and hate incidents
        assert sorted(r["issue"] for r in county) == sorted(ISSUES + tuple(local))

    def test_the_samples_populations_are_the_ons_workbooks(self):
        """Checked by hand in data/raw/ons/mye23tablesew.xlsx, sheet "MYE2 - Persons", column "All ages": row 100
        Charnwood (E07000130) 188,010; row 103 Melton (E07000133) 53,237; row 204 East Suffolk (E07000244)
        247,100; row 205 Ipswich (E07000202) 139,378."""
        leics, suffolk = read_county(CURRENT_SAMPLE_DIR), read_county(SUFFOLK_SAMPLE_DIR)
        assert leics.populations()["Charnwood"] == 188_010 and leics.populations()["Melton"] == 53_237
        assert suffolk.populations()["East Suffolk"] == 247_100 and suffolk.populations()["Ipswich"] == 139_378
        for county in (leics, suffolk):
            assert county.population_year == 2023 and county.population_sheet == "MYE2 - Persons"
            assert county.population_file.resolve() == ONS_DATA_DIR / "mye23tablesew.xlsx"
            assert "mid-2023" in county.population_source
        toml = (CURRENT_SAMPLE_DIR / "county.toml").read_text(encoding="utf-8")
        assert "population =" not in toml  # nothing retyped

    def test_a_population_xlsx_in_the_ons_layout_is_read_as_the_workbook(self, tmp_path):
        data = tmp_path / "data"
        data.mkdir()
        shutil.copy(ONS_DATA_DIR / "mye23tablesew.xlsx", data / "population.xlsx")
        (data / "county.toml").write_text(
            'name = "Suffolk"\n[[districts]]\nname = "East Suffolk"\n[[districts]]\ncode = "E07000202"\n'
            '[[districts]]\nname = "Babergh District"\naliases = ["Babergh"]\n', encoding="utf-8")
        county = read_county(data)
        assert county.populations().to_dict() == {"East Suffolk": 247_100, "Ipswich": 139_378,
                                                  "Babergh District": 95_872}
        assert county.population_year == 2023


class TestPopulationsFromTheWorkbookAreRefusedWhenTheyCannotBeRight:
    def county(self, tmp_path, body: str) -> Path:
        data = tmp_path / "data"
        data.mkdir(exist_ok=True)
        workbook = (ONS_DATA_DIR / "mye23tablesew.xlsx").as_posix()
        (data / "county.toml").write_text(f'name = "Test"\n[population]\nons_workbook = "{workbook}"\n{body}',
                                          encoding="utf-8")
        return data

    def test_populations_given_twice_are_refused(self, tmp_path):
        data = self.county(tmp_path, '[[districts]]\nname = "Blaby"\n')
        (data / "population.csv").write_text("district,population\nBlaby,105278\n", encoding="utf-8")
        with pytest.raises(Exception, match="populations are given twice") as info:
            read_county(data)
        assert type(info.value).__name__ == "InputError"

    def test_a_district_not_in_the_workbook_is_refused_with_the_nearest_names(self, tmp_path):
        data = self.county(tmp_path, '[[districts]]\nname = "Harrogate"\n')  # abolished in 2023
        with pytest.raises(Exception, match="district 'Harrogate' is not in the population estimates") as info:
            read_county(data)
        assert "mid-2023" in str(info.value) and "give a district's code" in str(info.value)

    def test_a_figure_in_county_toml_must_agree_with_the_workbook(self, tmp_path):
        data = self.county(tmp_path, '[[districts]]\nname = "Blaby"\npopulation = 101526\n')
        with pytest.raises(Exception, match="population of 'Blaby' is 101,526 in county.toml but 105,278"):
            read_county(data)

    def test_a_table_that_is_no_ons_workbook_is_refused(self, tmp_path):
        data = tmp_path / "data"
        data.mkdir()
        (data / "pop.csv").write_text("district,population\nBlaby,105278\n", encoding="utf-8")
        (data / "county.toml").write_text('name = "Test"\n[population]\nons_workbook = "pop.csv"\n'
                                          '[[districts]]\nname = "Blaby"\n', encoding="utf-8")
        with pytest.raises(Exception, match="is not an ONS mid-year estimates workbook"):
            read_county(data)

    def test_the_older_xls_layout_is_read_by_code(self, tmp_path):
        data = tmp_path / "data"
        data.mkdir()
        (data / "county.toml").write_text(
            'name = "Test"\n[population]\nons_workbook = "'
            f'{(ONS_DATA_DIR / "ukmidyearestimates20192020ladcodes.xls").as_posix()}"\n'
            '[[districts]]\nname = "Blaby"\ncode = "E07000129"\n', encoding="utf-8")
        county = read_county(data)
        # the mid-2019 figure the 2018-19 sample's county.toml carries (typed there from the same workbook)
        assert county.populations()["Blaby"] == 101_526 and county.population_year == 2019
