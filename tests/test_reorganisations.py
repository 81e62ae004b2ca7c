"""Placing across reorganisations, the name fallback, refusals and completeness (issue 14).

Data folders are built from real 2018-19 Leicestershire rows (``datafactory``); where a test needs another
county's rows, it keeps a real row and swaps in real 2011 LSOA codes and names of that county taken from the
packaged lookup (read here with ``pyarrow.parquet``, not through the module under test).
"""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from csa_analysis.cli import main
from csa_analysis.config import read_county
from csa_analysis.ingest.counts import load_dataset
from csa_analysis.method.volume import monthly_series
from csa_analysis.paths import REFERENCE_DIR, SUFFOLK_SAMPLE_DIR
from csa_analysis.report.charts import trend_chart
from csa_analysis.report.formatting import quality_rows

from datafactory import HEADER, make_data_dir, pick, sample_lines, write_street
from scoringfactory import make_county

GEOGRAPHY = REFERENCE_DIR / "geography"
COLUMNS = HEADER.split(",")
#: LAD 2018 codes of districts abolished by later mergers, and the authority that took them over.
SUFFOLK_COASTAL, WAVENEY = "E07000205", "E07000206"  # -> East Suffolk (E07000244), April 2019
HARROGATE, CRAVEN = "E07000165", "E07000163"  # -> North Yorkshire (E06000065), April 2023


def lsoas_2011(lad18: str, n: int) -> list[tuple[str, str]]:
    """The first ``n`` (LSOA 2011 code, name) of a December 2018 district, from the packaged lookup."""
    t = pq.read_table(GEOGRAPHY / "lsoa11.parquet", columns=["lsoa", "lsoa_name", "lad18"]).to_pandas()
    t = t[t["lad18"].astype(str) == lad18].sort_values("lsoa")
    assert len(t) >= n
    return list(t[["lsoa", "lsoa_name"]].head(n).itertuples(index=False, name=None))


def relocated(lines: list[str], places: list[tuple[str, str]]) -> list[str]:
    """Real rows moved to other LSOAs (code and name replaced; everything else as served)."""
    out = []
    for line, (code, name) in zip(lines, places, strict=True):
        row = dict(zip(COLUMNS, next(csv.reader([line])), strict=True))
        row["LSOA code"], row["LSOA name"] = code, name
        buf = io.StringIO()
        csv.writer(buf, lineterminator="").writerow([row[c] for c in COLUMNS])
        out.append(buf.getvalue())
    return out


def with_lsoa(lines: list[str], n: int) -> list[str]:
    return pick(lines, where=lambda r: bool(r["LSOA code"]) and r["LSOA name"].startswith("Blaby"), n=n)


def toml(*districts: str, county: str = "Test County") -> str:
    """A county.toml with each district given as the body of its [[districts]] table."""
    body = "\n".join(f"[[districts]]\n{d}\npopulation = 100000\n" for d in districts)
    return f'name = "{county}"\npolice_uk = "police_uk"\n\n{body}'


def check_json(data, capsys) -> dict:
    code = main(["check", "--data", str(data), "--json", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def refused(data, capsys) -> str:
    code = main(["check", "--data", str(data), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    return err


class TestASuccessorReceivesItsPredecessorsRowsFromOlderFiles:
    @pytest.mark.parametrize("district, predecessors", [
        ('name = "East Suffolk"', (SUFFOLK_COASTAL, WAVENEY)),
        ('name = "East Suffolk"\ncode = "E07000244"', (SUFFOLK_COASTAL, WAVENEY)),
        ('code = "E07000244"', (SUFFOLK_COASTAL, WAVENEY)),
        ('name = "North Yorkshire"', (HARROGATE, CRAVEN)),
        ('code = "E06000065"', (HARROGATE, CRAVEN)),
    ], ids=["east-suffolk-by-name", "east-suffolk-name-and-code", "east-suffolk-by-code", "north-yorkshire-by-name",
            "north-yorkshire-by-code"])
    def test_rows_of_the_abolished_districts_land_in_the_successor(self, district, predecessors, tmp_path, capsys):
        lines = sample_lines("2018-10")
        places = lsoas_2011(predecessors[0], 6) + lsoas_2011(predecessors[1], 4)
        moved = relocated(with_lsoa(lines, 10), places)
        blaby = pick(lines, where=lambda r: r["LSOA name"].startswith("Blaby") and r not in moved, n=30)[10:]
        data = make_data_dir(tmp_path / "data", {"2018-10": moved + blaby},
                             toml(district, 'name = "Blaby"'))
        quality = check_json(data, capsys)
        successor = next(iter(quality["districts"]))
        assert successor in ("East Suffolk", "North Yorkshire")
        assert quality["districts"] == {successor: 10, "Blaby": 20}
        assert quality["placed_by_code"]["districts"] == {successor: 10, "Blaby": 20}
        assert quality["placed_by_name"]["total"] == 0
        assert quality["file_vintages"] == {"2011": 1}
        records = load_dataset(read_county(data)).records
        assert (records["district"] == successor).sum() == 10

    def test_the_2018_names_of_the_abolished_districts_are_not_what_places_them(self, tmp_path, capsys):
        """The same Waveney codes with a made-up LSOA name still go to East Suffolk: the code decides."""
        lines = sample_lines("2018-10")
        places = [(code, f"Somewhere {i:03d}A") for i, (code, _) in enumerate(lsoas_2011(WAVENEY, 5))]
        data = make_data_dir(tmp_path / "data", {"2018-10": relocated(with_lsoa(lines, 5), places)},
                             toml('name = "East Suffolk"'))
        assert check_json(data, capsys)["districts"] == {"East Suffolk": 5}


class TestTheNameFallback:
    def test_a_code_in_no_lookup_is_placed_by_its_name_and_counted_apart(self, tmp_path, capsys):
        lines = sample_lines("2018-10")
        rows = with_lsoa(lines, 12)
        unknown = relocated(rows[:2], [("E01999998", "Blaby 099Z"), ("E01999999", "Leicester 099Z")])
        data = make_data_dir(tmp_path / "data", {"2018-10": unknown + rows[2:]}, toml('name = "Blaby"'))
        quality = check_json(data, capsys)
        assert quality["districts"] == {"Blaby": 11}
        assert quality["placed_by_code"] == {"total": 10, "districts": {"Blaby": 10}}
        assert quality["placed_by_name"] == {"total": 1, "districts": {"Blaby": 1}}
        assert quality["out_of_area_by_name"] == 1 and quality["out_of_area_by_area"] == {"Leicester": 1}
        measures = dict(zip(*quality_rows(quality).to_dict("list").values(), strict=True))
        assert measures["  of which placed by LSOA name (code in no lookup)"] == 1
        assert measures["  of which placed by LSOA code (ONS lookups)"] == 10


class TestRefusals:
    def test_a_district_policed_by_another_force_is_refused_saying_why(self, tmp_path, capsys):
        lines = sample_lines("2018-10")
        data = make_data_dir(tmp_path / "data", {"2018-10": with_lsoa(lines, 5)},
                             toml('name = "Blaby"', 'name = "Babergh"'))
        err = refused(data, capsys)
        assert "Babergh received no records" in err
        assert "no file in police_uk/ holds an LSOA in Babergh (E07000200)" in err
        assert "Suffolk police force area" in err and "the files come from Leicestershire Police only" in err
        assert "[[districts]] 'Babergh'" in err

    def test_a_district_abolished_before_2022_is_refused_for_2025_files_naming_its_successor(self, tmp_path,
                                                                                               capsys):
        data = tmp_path / "data"
        data.mkdir()
        (data / "police_uk").symlink_to(SUFFOLK_SAMPLE_DIR / "police_uk", target_is_directory=True)
        (data / "county.toml").write_text(toml('name = "Ipswich"', 'name = "Waveney"', county="Suffolk"),
                                          encoding="utf-8")
        err = refused(data, capsys)
        assert "Waveney (E07000206) cannot be placed with 2021 LSOA codes" in err
        assert "name East Suffolk in county.toml in place of Waveney" in err

    def test_a_name_in_no_lookup_is_refused_with_the_nearest_official_names(self, tmp_path, capsys):
        data = make_data_dir(tmp_path / "data", {"2018-10": with_lsoa(sample_lines("2018-10"), 5)},
                             toml('name = "Blabby"'))
        err = refused(data, capsys)
        assert "'Blabby' is not a district in the ONS lookups" in err and "'Blaby'" in err

    def test_a_police_force_area_named_as_a_district_says_so(self, tmp_path, capsys):
        data = make_data_dir(tmp_path / "data", {"2018-10": with_lsoa(sample_lines("2018-10"), 5)},
                             toml('name = "Leicestershire"'))
        err = refused(data, capsys)
        assert "it is a police force area" in err and "Charnwood" in err

    def test_a_name_and_code_that_disagree_are_refused(self, tmp_path, capsys):
        data = make_data_dir(tmp_path / "data", {"2018-10": with_lsoa(sample_lines("2018-10"), 5)},
                             toml('name = "Blaby"\ncode = "E07000130"'))
        err = refused(data, capsys)
        assert "name 'Blaby' and code E07000130 disagree: E07000130 is Charnwood" in err

    def test_a_code_that_is_no_district_is_refused(self, tmp_path, capsys):
        data = make_data_dir(tmp_path / "data", {"2018-10": with_lsoa(sample_lines("2018-10"), 5)},
                             toml('name = "Blaby"\ncode = "Blaby"'))
        assert "is not an ONS district code" in refused(data, capsys)

    def test_overlapping_districts_are_refused(self, tmp_path, capsys):
        lines = sample_lines("2018-10")
        moved = relocated(with_lsoa(lines, 4), lsoas_2011(WAVENEY, 4))
        data = make_data_dir(tmp_path / "data", {"2018-10": moved},
                             toml('name = "East Suffolk"', 'name = "Waveney"'))
        err = refused(data, capsys)
        assert "Waveney (E07000206) and East Suffolk (E07000244) overlap" in err
        assert "Waveney became part of East Suffolk" in err

    def test_the_same_code_twice_is_refused(self, tmp_path, capsys):
        data = make_data_dir(tmp_path / "data", {"2018-10": with_lsoa(sample_lines("2018-10"), 5)},
                             toml('name = "Blaby"\ncode = "E07000129"', 'name = "Other"\ncode = "e07000129"'))
        assert "the code E07000129 is listed twice" in refused(data, capsys)


class TestCompleteness:
    def two_forces(self, root, capsys):
        """Force "leicestershire" has four months, one far below its usual; "northants" lacks 2018-11."""
        files = {}
        for month, n in (("2018-10", 40), ("2018-11", 38), ("2018-12", 8), ("2019-01", 42)):
            files[month] = with_lsoa(sample_lines(month), n)
        data = make_data_dir(root, files, toml('name = "Blaby"'))
        for month in ("2018-10", "2018-12", "2019-01"):
            other = pick(sample_lines(month), where=lambda r: not r["Crime ID"] and r["LSOA name"].startswith("Blaby"),
                         n=5)
            write_street(data, month, other, force="northants")
        return data

    def test_csa_check_reports_a_missing_and_an_unusually_low_force_month(self, tmp_path, capsys):
        quality = check_json(self.two_forces(tmp_path / "data", capsys), capsys)
        assert quality["incomplete_force_months"] == [
            {"force": "leicestershire", "month": "2018-12", "status": "low", "rows": 8, "usual_rows": 39},
            {"force": "northants", "month": "2018-11", "status": "missing", "rows": 0, "usual_rows": 5},
        ]
        assert quality["low_month_share"] == 0.5

    def test_the_text_summary_names_them(self, tmp_path, capsys):
        data = self.two_forces(tmp_path / "data", capsys)
        assert main(["check", "--data", str(data), "--quiet"]) == 0
        out = capsys.readouterr().out
        assert "Missing month: northants 2018-11 (no file; usually 5 rows)" in out
        assert "Unusually low month: leicestershire 2018-12 (below 50% of its usual 39 rows)" in out

    def test_a_quarter_with_a_missing_force_month_is_not_scored(self, tmp_path, capsys):
        data = self.two_forces(tmp_path / "data", capsys)
        code = main(["score", "--data", str(data), "--quarter", "2018-19Q3", "--out", str(tmp_path / "o"),
                     "--quiet"])
        assert code == 2 and "force 'northants' has no file for 2018-11" in capsys.readouterr().err


class TestTrendLinesBreakAtGaps:
    def test_a_missing_month_is_blank_in_the_series_and_breaks_the_line(self):
        county = make_county()
        counts = pd.DataFrame({"district": pd.Categorical(["North", "North", "North"], categories=["North", "South"]),
                               "issue": ["Drugs", "Drugs", "Drugs"], "month": ["2019-04", "2019-06", "2019-07"],
                               "count": [4, 6, 5]})
        monthly = monthly_series(counts, county, ["2019-04", "2019-06", "2019-07"])  # 2019-05 incomplete
        drugs = monthly[(monthly["district"] == "North") & (monthly["issue"] == "Drugs")]
        assert drugs["month"].tolist() == ["2019-04", "2019-05", "2019-06", "2019-07"]
        assert drugs["count"].isna().tolist() == [False, True, False, False]  # blank, never 0
        fig = trend_chart(monthly, ["Drugs"], "Test")
        (line,) = fig.axes[0].get_lines()
        y = np.asarray(line.get_ydata(), dtype="float64")
        assert np.isnan(y[1]) and y.tolist()[0] == 4.0 and y.tolist()[2:] == [6.0, 5.0]

    def test_without_a_gap_the_series_keeps_whole_numbers(self):
        counts = pd.DataFrame({"district": pd.Categorical(["North"], categories=["North", "South"]),
                               "issue": ["Drugs"], "month": ["2019-05"], "count": [4]})
        monthly = monthly_series(counts, make_county(), ["2019-04", "2019-05"])
        assert monthly["count"].dtype == "int64" and not monthly["count"].isna().any()
