"""The shipped Leicestershire sample gives the figures the issue states, checked against the csv module."""

from __future__ import annotations

import json
import re

import pytest

from csa_analysis.cli import main
from csa_analysis.config.county import read_county
from csa_analysis.domain.issues import ISSUES
from csa_analysis.ingest.counts import load_dataset

from datafactory import SAMPLE_DIR, SAMPLE_POLICE, count_with_csv, tree_hashes

COUNTY_DISTRICTS = [
    "Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth", "Melton",
    "North West Leicestershire", "Oadby and Wigston",
]


@pytest.fixture(scope="module")
def check_json(tmp_path_factory):
    import os
    import subprocess
    import sys

    env = {**os.environ, "CSA_CACHE_DIR": str(tmp_path_factory.mktemp("c"))}
    done = subprocess.run(
        [sys.executable, "-m", "csa_analysis.cli", "check", "--data", str(SAMPLE_DIR), "--json"],
        capture_output=True, text=True, env=env, check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_check_json_reports_the_sample_totals(check_json):
    assert check_json["rows_read"] == 42_855
    assert check_json["duplicates_dropped"] == 0
    assert check_json["unallocated"] == 1_288
    assert check_json["out_of_area"] == 21_138
    assert check_json["months"] == ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]


def test_check_json_district_rows_match_an_independent_csv_count(check_json):
    expected = count_with_csv(SAMPLE_POLICE)
    assert list(check_json["districts"]) == COUNTY_DISTRICTS
    assert check_json["districts"] == {d: expected[d] for d in COUNTY_DISTRICTS}


def test_out_of_area_is_leicester_rutland_and_75_border_rows(check_json):
    by_area = check_json["out_of_area_by_area"]
    assert by_area["Leicester"] == 20_335
    assert by_area["Rutland"] == 728
    border = sum(v for k, v in by_area.items() if k not in ("Leicester", "Rutland"))
    assert border == 75
    assert not set(by_area) & set(COUNTY_DISTRICTS)


def test_every_row_is_accounted_for(check_json):
    q = check_json
    placed = sum(q["districts"].values())
    assert placed + q["unallocated"] + q["out_of_area"] + q["duplicates_dropped"] == q["rows_read"]


def test_asb_rows_are_not_deduplicated_in_the_sample():
    ds = load_dataset(read_county(SAMPLE_DIR))
    asb = ds.records[ds.records["issue"] == "Anti-social behaviour"]
    # identical ASB rows (same month, place and category) are common and each one counts
    same = asb.duplicated(["month", "lsoa_code", "location", "longitude", "latitude"], keep=False)
    assert same.sum() > 0.05 * len(asb)
    assert asb["crime_id"].isna().all()


def test_records_have_categorical_district_and_issue():
    ds = load_dataset(read_county(SAMPLE_DIR))
    assert list(ds.records["district"].cat.categories) == COUNTY_DISTRICTS
    assert list(ds.records["issue"].cat.categories) == list(ISSUES)
    assert ds.records["district"].notna().all()


def test_readable_check_prints_the_quality_table(capsys):
    assert main(["check", "--data", str(SAMPLE_DIR), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"Rows read \(every data row of every file\) +42,855", out)
    assert re.search(r"Placed in Hinckley and Bosworth +3,125", out)


def test_check_never_modifies_the_raw_data():
    before = tree_hashes(SAMPLE_DIR)
    assert main(["check", "--data", str(SAMPLE_DIR), "--quiet", "--json"]) == 0
    assert tree_hashes(SAMPLE_DIR) == before
