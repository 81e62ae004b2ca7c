"""Hostile and careless use (issue: nothing lost, no traceback, no silent wrong number).

Every case runs in temporary folders and proves by hash that the data folder, the "home" folder, the current
folder and any previous pack are untouched. Exit codes: 2 bad input or usage, 3 the environment, 1 some reports
failed, 130/143 interrupted.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from csa_analysis.cli import main
from csa_analysis.config.county import read_county
from csa_analysis.ingest.cache import ensure_cache
from csa_analysis.ingest.counts import load_dataset
from csa_analysis.method.score import Scored
from csa_analysis.run import boardpack, kernels
from csa_analysis.run.output import district_slugs, slug

from datafactory import (
    HEADER,
    SAMPLE_DIR,
    county_toml,
    make_data_dir,
    pick,
    previous_pack,
    sample_lines,
    tree_hashes,
    write_street,
)
from synthetic import COUNTY_NAME, DISTRICTS, synthetic_scored, write_county

OCT = sample_lines("2018-10")
NOV = sample_lines("2018-11")
CHARNWOOD = pick(OCT, where=lambda r: r["LSOA name"].startswith("Charnwood "), n=6)


def charnwood_data(root: Path, toml: str | None = None) -> Path:
    return make_data_dir(root, {"2018-10": CHARNWOOD}, toml or county_toml("Charnwood"))


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main([*argv])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.fixture
def sample_copy(tmp_path):
    """A copy of the shipped sample: a test that went wrong must never touch the real one."""
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    return data


# --------------------------------------------------------------------------------------------------
# OUT is only ever a folder the workbench made


class TestOutFolder:
    def refused(self, capsys, data: Path, out: str | Path, *extra: str, command: str = "assess") -> str:
        before = tree_hashes(data)
        code, err = run(capsys, command, "--data", str(data), "--out", str(out), "--quiet", *extra)
        assert code == 2, err
        assert tree_hashes(data) == before
        assert len(err.strip().splitlines()) == 1  # one clear line
        return err

    @pytest.mark.parametrize("command", ["assess", "score"])
    def test_the_data_folder_is_refused_and_nothing_in_it_changes(self, capsys, sample_copy, command):
        err = self.refused(capsys, sample_copy, sample_copy, command=command)
        assert "is the data folder" in err

    def test_the_police_uk_folder_inside_the_data_is_refused(self, capsys, sample_copy):
        err = self.refused(capsys, sample_copy, sample_copy / "police_uk")
        assert "the police.uk downloads" in err

    def test_a_folder_inside_the_data_is_refused(self, capsys, sample_copy):
        err = self.refused(capsys, sample_copy, sample_copy / "reports")
        assert "lies inside the data folder" in err
        assert not (sample_copy / "reports").exists()

    def test_a_folder_containing_the_data_is_refused(self, capsys, tmp_path, sample_copy):
        err = self.refused(capsys, sample_copy, tmp_path)
        assert "contains the data folder" in err

    def test_the_current_folder_is_refused_and_left_untouched(self, capsys, tmp_path, sample_copy, monkeypatch):
        work = tmp_path / "work"
        work.mkdir()
        (work / "notes.txt").write_text("an analyst's notes")
        monkeypatch.chdir(work)
        before = tree_hashes(work)
        err = self.refused(capsys, sample_copy, ".")
        assert "is the current folder" in err
        assert tree_hashes(work) == before

    def test_a_folder_containing_the_current_folder_is_refused(self, capsys, tmp_path, sample_copy, monkeypatch):
        work = tmp_path / "a" / "work"
        work.mkdir(parents=True)
        monkeypatch.chdir(work)
        err = self.refused(capsys, sample_copy, tmp_path / "a")
        assert "contains the current folder" in err

    def test_the_home_folder_is_refused_and_left_untouched(self, capsys, tmp_path, sample_copy, monkeypatch):
        home = tmp_path / "home"
        (home / "Documents").mkdir(parents=True)
        (home / "Documents" / "cv.docx").write_bytes(b"precious")
        monkeypatch.setenv("HOME", str(home))
        before = tree_hashes(home)
        err = self.refused(capsys, sample_copy, "~")
        assert "is your home folder" in err
        assert tree_hashes(home) == before

    def test_the_root_is_refused_before_any_work(self, capsys, sample_copy, tmp_path):
        cache = tmp_path / "cache"
        err = self.refused(capsys, sample_copy, "/", "--cache", str(cache))
        assert "is the filesystem root" in err
        assert not cache.exists()  # nothing was parsed: refused before any work

    def test_a_file_is_refused(self, capsys, tmp_path, sample_copy):
        f = tmp_path / "pack.html"
        f.write_text("not a folder")
        err = self.refused(capsys, sample_copy, f)
        assert "is a file" in err
        assert f.read_text() == "not a folder"

    @pytest.mark.parametrize("command", ["assess", "score"])
    def test_a_non_empty_folder_that_is_not_a_pack_is_refused(self, capsys, tmp_path, sample_copy, command):
        out = tmp_path / "projects"
        (out / "2024").mkdir(parents=True)
        (out / "2024" / "budget.xlsx").write_bytes(b"spreadsheet")
        before = tree_hashes(out)
        err = self.refused(capsys, sample_copy, out, command=command)
        assert "is a folder that is not a board pack" in err and "budget.xlsx" in err
        assert tree_hashes(out) == before

    def test_a_pack_holding_files_the_workbench_did_not_write_is_refused(self, capsys, tmp_path, sample_copy):
        out = tmp_path / "pack"
        previous_pack(out)
        (out / "board notes.docx").write_bytes(b"the chair's notes")
        before = tree_hashes(out)
        err = self.refused(capsys, sample_copy, out)
        assert "did not write (board notes.docx)" in err
        assert tree_hashes(out) == before

    def test_the_cache_is_refused(self, capsys, tmp_path, sample_copy):
        cache = tmp_path / "cache"
        cache.mkdir()
        err = self.refused(capsys, sample_copy, cache, "--cache", str(cache))
        assert "is the processed-data cache" in err

    def test_an_input_file_elsewhere_is_protected(self, capsys, tmp_path, sample_copy):
        shared = tmp_path / "shared"
        shared.mkdir()
        shutil.move(sample_copy / "funding.csv", shared / "funding.csv")
        toml = (sample_copy / "county.toml").read_text().replace('table = "funding.csv"',
                                                                 f'table = "{shared / "funding.csv"}"')
        assert str(shared) in toml
        (sample_copy / "county.toml").write_text(toml)
        err = self.refused(capsys, sample_copy, shared)
        assert "contains the input file" in err
        assert (shared / "funding.csv").is_file()


@pytest.mark.parametrize("command", ["check", "score", "assess"])
@pytest.mark.parametrize("where", ["data", "data/police_uk/cache", "."])
def test_a_cache_among_the_raw_data_is_refused(tmp_path, capsys, command, where):
    data = charnwood_data(tmp_path / "data")
    before = tree_hashes(data)
    cache = tmp_path / where if where != "." else tmp_path
    argv = [command, "--data", str(data), "--cache", str(cache), "--quiet"]
    code, err = run(capsys, *argv, *(["--out", str(tmp_path / "out")] if command != "check" else []))
    assert code == 2 and "--cache" in err
    assert tree_hashes(data) == before and not (tmp_path / "out").exists()


class TestOptionsAreCheckedBeforeAnyWork:
    @pytest.mark.parametrize("argv,fragment", [
        (["--report-timeout", "-1"], "--report-timeout"),
        (["--report-timeout", "nan"], "--report-timeout"),
        (["--report-timeout", "inf"], "--report-timeout"),
        (["--timeout", "0"], "--timeout"),
        (["--jobs", "0"], "--jobs"),
        (["--jobs", "two"], "--jobs"),
        (["--districts", " , "], "no district names"),
        (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler needs --engine dask"),
        (["--quarter", "2018Q3"], "--quarter"),
    ])
    def test_a_bad_option_is_exit_2_with_nothing_written(self, capsys, tmp_path, argv, fragment):
        data = charnwood_data(tmp_path / "data")
        out, cache = tmp_path / "pack", tmp_path / "cache"
        code = main(["assess", "--data", str(data), "--out", str(out), "--cache", str(cache), "--quiet", *argv])
        err = capsys.readouterr().err
        assert code == 2 and fragment in err and "Traceback" not in err
        assert not out.exists() and not cache.exists()


# --------------------------------------------------------------------------------------------------
# A good pack is never replaced by a worse one


def _synthetic(monkeypatch, tmp_path) -> Path:
    monkeypatch.setattr(boardpack, "score_quarter", lambda county, quarter, **kw: synthetic_scored())
    return write_county(tmp_path / "data")


def _fake_reports(monkeypatch, failing=(), environment=False):
    """run_report without kernels: a page in milliseconds; ``failing`` reports fail (an OSError if
    ``environment``)."""
    def run(job, staging, kernel, timeout, report_timeout):
        if job.name in failing or "*" in failing:
            job.status, job.error = "failed", "RuntimeError: failure injected"
            job.environment = environment
        else:
            (staging / job.html).parent.mkdir(parents=True, exist_ok=True)
            (staging / job.html).write_text(f"<p>{job.name} {time.time_ns()}</p>")
            job.status = "ok"
        job.seconds = 0.01

    monkeypatch.setattr(boardpack, "run_report", run)


def test_a_run_in_which_every_report_failed_keeps_the_previous_pack(tmp_path, monkeypatch, capsys):
    data = _synthetic(monkeypatch, tmp_path)
    out = tmp_path / "pack"
    _fake_reports(monkeypatch)
    assert main(["assess", "--data", str(data), "--out", str(out), "--quiet"]) == 0
    before = tree_hashes(out)
    _fake_reports(monkeypatch, failing=("*",))
    code, err = run(capsys, "assess", "--data", str(data), "--out", str(out), "--quiet")
    assert code == 1
    assert "every report failed, so the previous pack" in err
    assert tree_hashes(out) == before
    assert (tmp_path / ".pack.failed-run" / "manifest.json").is_file()  # the failed run, for inspection


def test_a_partial_run_updates_only_its_reports_in_a_pack_of_the_same_inputs(tmp_path, monkeypatch):
    data = _synthetic(monkeypatch, tmp_path)
    out = tmp_path / "pack"
    _fake_reports(monkeypatch)
    assert boardpack.assess(data, None, out, progress=False) == 0
    pages = {p.name: p.read_text() for p in (out / "districts").glob("*.html")}
    assert len(pages) == len(DISTRICTS)
    assert boardpack.assess(data, None, out, districts=["Eastmere"], progress=False) == 0
    after = {p.name: p.read_text() for p in (out / "districts").glob("*.html")}
    assert set(after) == set(pages)  # nothing dropped
    assert after["eastmere.html"] != pages["eastmere.html"]  # this one rebuilt
    assert all(after[n] == pages[n] for n in pages if n != "eastmere.html")  # the others kept as they were
    manifest = json.loads((out / "manifest.json").read_text())
    assert len([r for r in manifest["reports"] if r["kind"] == "district"]) == len(DISTRICTS)
    assert sum(bool(r.get("kept_from_previous_run")) for r in manifest["reports"]) == len(DISTRICTS) - 1
    index = (out / "index.html").read_text()
    assert all(f'href="districts/{n}"' in index for n in pages)


def test_a_partial_run_into_a_pack_of_other_inputs_is_refused(tmp_path, monkeypatch, capsys):
    data = _synthetic(monkeypatch, tmp_path)
    out = tmp_path / "pack"
    _fake_reports(monkeypatch)
    assert boardpack.assess(data, None, out, progress=False) == 0
    before = tree_hashes(out)
    (data / "county.toml").write_text((data / "county.toml").read_text().replace("51209", "51210"))
    code, err = run(capsys, "assess", "--data", str(data), "--out", str(out), "--districts", "Eastmere", "--quiet")
    assert code == 2
    assert "other district report(s) built from other inputs" in err and "without --districts" in err
    assert tree_hashes(out) == before


# --------------------------------------------------------------------------------------------------
# The environment failing is exit 3, one line, nothing in OUT changed


def test_disk_full_while_writing_is_exit_3_and_the_pack_is_unchanged(tmp_path, monkeypatch, capsys):
    data = _synthetic(monkeypatch, tmp_path)
    out = tmp_path / "pack"
    before = previous_pack(out)
    _fake_reports(monkeypatch)

    def full(*args, **kw):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / ".pack.tmp-x" / "tables"))

    monkeypatch.setattr(boardpack, "write_tables", full)
    code, err = run(capsys, "assess", "--data", str(data), "--out", str(out), "--quiet")
    assert code == 3
    assert "no space left on the device" in err and "free some space" in err
    assert tree_hashes(out) == before
    assert not list(tmp_path.glob(".pack.tmp-*"))


def test_a_report_that_cannot_be_written_is_the_environment_not_a_failed_report(tmp_path, monkeypatch, capsys):
    data = _synthetic(monkeypatch, tmp_path)
    out = tmp_path / "pack"
    before = previous_pack(out)
    _fake_reports(monkeypatch, failing=("Eastmere",), environment=True)
    code, err = run(capsys, "assess", "--data", str(data), "--out", str(out), "--quiet")
    assert code == 3 and "Eastmere could not be written" in err
    assert tree_hashes(out) == before


def test_permission_denied_is_exit_3_naming_the_folder(tmp_path, monkeypatch, capsys):
    data = _synthetic(monkeypatch, tmp_path)
    out = tmp_path / "pack"
    before = previous_pack(out)

    def denied(*args, **kw):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path))

    monkeypatch.setattr(boardpack.tempfile, "mkdtemp", denied)
    code, err = run(capsys, "assess", "--data", str(data), "--out", str(out), "--quiet")
    assert code == 3 and f"{tmp_path}: permission denied" in err and "permissions" in err
    assert tree_hashes(out) == before


@pytest.mark.parametrize("make", ["a file", "a file inside"])
def test_an_unusable_cache_folder_is_exit_3_naming_it(tmp_path, capsys, make):
    data = charnwood_data(tmp_path / "data")
    cache = tmp_path / "cache"
    if make == "a file":
        cache.write_text("not a folder")
    else:
        cache.mkdir()
        (cache / "incidents").write_text("a file where the cache keeps its Parquet files")
    code, err = run(capsys, "score", "--data", str(data), "--out", str(tmp_path / "out"), "--cache", str(cache),
                    "--quiet")
    assert code == 3 and str(cache) in err and "--cache" in err
    assert not (tmp_path / "out").exists()


def test_an_internal_error_is_one_line_and_debug_shows_the_traceback(tmp_path, monkeypatch, capsys):
    data = charnwood_data(tmp_path / "data")

    def bug(*args, **kw):
        raise ValueError("a defect")

    monkeypatch.setattr("csa_analysis.cli.load_dataset", bug)
    assert main(["check", "--data", str(data), "--quiet"]) == 3
    err = capsys.readouterr().err
    assert "internal error: ValueError: a defect" in err and "Traceback" not in err
    assert main(["check", "--data", str(data), "--quiet", "--debug"]) == 3
    assert "Traceback" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------
# Inputs that cannot be read or cannot be right


def _zip_with(tmp_path: Path, patch) -> Path:
    """A data folder whose police.uk download is a zip of one real month, then ``patch(bytearray)``-ed."""
    root = charnwood_data(tmp_path / "src")
    data = make_data_dir(tmp_path / "data", {}, county_toml("Charnwood"))
    src = root / "police_uk" / "2018-10" / "2018-10-leicestershire-street.csv"
    (data / "police_uk").mkdir()
    z = data / "police_uk" / "download.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(src, "2018-10/2018-10-leicestershire-street.csv")
    raw = bytearray(z.read_bytes())
    patch(raw)
    z.write_bytes(bytes(raw))
    return data


def _set_flag(raw: bytearray, bit: int) -> None:
    raw[6] |= bit  # local file header flags
    central = raw.index(b"PK\x01\x02")
    raw[central + 8] |= bit


def _set_method(raw: bytearray, method: int) -> None:
    raw[8:10] = method.to_bytes(2, "little")
    central = raw.index(b"PK\x01\x02")
    raw[central + 10:central + 12] = method.to_bytes(2, "little")


def _corrupt(raw: bytearray) -> None:
    start = 30 + len("2018-10/2018-10-leicestershire-street.csv")
    for i in range(start + 10, start + 40):
        raw[i] ^= 0x5A


@pytest.mark.parametrize("patch,fragment", [
    (lambda raw: _set_flag(raw, 0x1), "encrypted"),
    (lambda raw: _set_method(raw, 9), "compression method"),  # Deflate64
    (_corrupt, "the zip is damaged"),
], ids=["encrypted", "deflate64", "corrupt"])
def test_an_unreadable_zip_member_is_named(tmp_path, capsys, patch, fragment):
    data = _zip_with(tmp_path, patch)
    before = tree_hashes(data)
    code, err = run(capsys, "check", "--data", str(data), "--quiet")
    assert code == 2
    assert "download.zip:2018-10/2018-10-leicestershire-street.csv" in err and fragment in err
    assert tree_hashes(data) == before


def test_header_cells_with_stray_spaces_are_read(tmp_path):
    spaced = ", ".join(f" {c} " for c in HEADER.split(","))
    data = make_data_dir(tmp_path, {}, county_toml("Charnwood"))
    write_street(data, "2018-10", CHARNWOOD, header=spaced)
    ds = load_dataset(read_county(data))
    assert ds.quality["districts"] == {"Charnwood": len(CHARNWOOD)}


def test_a_county_toml_with_a_byte_order_mark_is_read(tmp_path):
    data = charnwood_data(tmp_path)
    toml = data / "county.toml"
    toml.write_bytes(b"\xef\xbb\xbf" + toml.read_bytes())
    assert read_county(data).district_names == ["Charnwood"]


TOML_CASES = [
    ("infinite population", ("population = 185851", "population = inf"), "population: inf is not valid"),
    ("nan population", ("population = 185851", "population = nan"), "population: nan is not valid"),
    ("overflowing population", ("population = 185851", "population = 99999999999999999999999"),
     "from 1,000 to 15,000,000"),
    ("absurd population", ("population = 185851", "population = 3"), "from 1,000 to 15,000,000"),
    ("infinite weight", None, "[scoring] harm: inf is not valid"),
    ("cut above 100", None, "[funding] cut_scenarios_pct: 124.8 is not valid"),
    ("negative cut", None, "[funding] cut_scenarios_pct: -5 is not valid"),
    ("share above 1", None, "[delivery] most_districts_share: 1.5 is not valid"),
    ("switch not true or false", None, "[delivery] overdispersion: 'yes' is not true or false"),
    ("misspelt switch", None, "unknown key 'overdispersed'"),
]
EXTRA = {"infinite weight": "[scoring]\nharm = inf\n", "cut above 100": "[funding]\ncut_scenarios_pct = [124.8]\n",
         "negative cut": "[funding]\ncut_scenarios_pct = [-5]\n",
         "share above 1": "[delivery]\nmost_districts_share = 1.5\n",
         "switch not true or false": "[delivery]\noverdispersion = \"yes\"\n",
         "misspelt switch": "[delivery]\noverdispersed = true\n"}


@pytest.mark.parametrize("case,replace,fragment", TOML_CASES, ids=[c[0] for c in TOML_CASES])
def test_numbers_that_cannot_be_right_in_county_toml_are_refused(tmp_path, capsys, case, replace, fragment):
    toml = county_toml("Charnwood")
    toml = toml.replace(*replace) if replace else toml + "\n" + EXTRA[case]
    data = charnwood_data(tmp_path, toml)
    code, err = run(capsys, "check", "--data", str(data), "--quiet")
    assert code == 2 and "county.toml" in err and fragment in err


@pytest.mark.parametrize("cell,fragment", [
    ("22.380,50", "'22.380,50' uses a decimal comma"),
    ("22,38", "'22,38' uses a decimal comma"),
    ("inf", "'inf' is not a number"),
    ("1e999", "'1e999' is not a number"),
    ("", "row 2, column 'allocation_gbp': is blank"),
])
def test_funding_cells_that_cannot_be_right_are_refused(tmp_path, capsys, cell, fragment):
    toml = county_toml("Charnwood").replace('police_uk = "police_uk"', 'police_uk = "police_uk"\nfunding = "f.csv"')
    data = charnwood_data(tmp_path, toml)
    (data / "f.csv").write_text(f'district,allocation_gbp\nCharnwood,"{cell}"\n')
    code, err = run(capsys, "check", "--data", str(data), "--quiet")
    assert code == 2 and "f.csv" in err and fragment in err


def test_a_blank_district_cell_says_blank_not_nan(tmp_path, capsys):
    data = charnwood_data(tmp_path)
    (data / "population.csv").write_text("district,population\n,185851\n")
    code, err = run(capsys, "check", "--data", str(data), "--quiet")
    assert code == 2 and "row 2, column 'district': district is blank" in err and "nan" not in err


def test_an_absurd_meeting_count_in_the_register_is_refused_by_check(tmp_path, capsys):
    data = charnwood_data(tmp_path)
    (data / "partnerships.csv").write_text(
        "partnership,level,geography,remit,meetings_per_year,members,admin_cost_gbp,delivery_spend_gbp\n"
        "Charnwood CSP,district,Charnwood,Anti-social behaviour,10000,police;council,,\n")
    code, err = run(capsys, "check", "--data", str(data), "--quiet")
    assert code == 2 and "partnerships.csv" in err and "meetings_per_year" in err and "366" in err


def test_an_infinite_coordinate_is_refused_naming_the_row(tmp_path, capsys):
    f = CHARNWOOD[1].split(",")
    f[4] = "1e999"
    data = make_data_dir(tmp_path, {"2018-10": [CHARNWOOD[0], ",".join(f)]}, county_toml("Charnwood"))
    code, err = run(capsys, "check", "--data", str(data), "--quiet")
    assert code == 2 and "row 3, column 'Longitude'" in err


@pytest.mark.parametrize("retired", ["Violent crime", "Public disorder and weapons"])
def test_both_pre_2013_crime_types_are_refused_with_the_same_message(tmp_path, capsys, retired):
    f = pick(OCT, where=lambda r: r["LSOA name"].startswith("Charnwood ") and r["Crime type"] == "Public order")[0]
    old = f.replace(",Public order,", f",{retired},")
    data = make_data_dir(tmp_path, {"2018-10": [CHARNWOOD[0], old]}, county_toml("Charnwood"))
    code, err = run(capsys, "check", "--data", str(data), "--quiet")
    assert code == 2
    assert f"Crime type '{retired}' is a crime type police.uk retired in May 2013" in err
    assert "police.uk files from 2013-05 onwards" in err


def test_a_symlink_loop_in_police_uk_is_not_followed(tmp_path):
    data = charnwood_data(tmp_path)
    os.symlink(data / "police_uk", data / "police_uk" / "2018-10" / "loop")
    ds = load_dataset(read_county(data))
    assert ds.quality["districts"] == {"Charnwood": len(CHARNWOOD)} and ds.quality["files"] == 1


# --------------------------------------------------------------------------------------------------
# Completeness per force; a district with no records


def test_a_month_missing_for_one_force_is_not_complete(tmp_path, capsys):
    months = {"2018-10": CHARNWOOD[:2], "2018-11": pick(NOV, where=lambda r: r["LSOA name"].startswith(
        "Charnwood "), n=2), "2018-12": pick(sample_lines("2018-12"), where=lambda r: r["LSOA name"].startswith(
            "Charnwood "), n=2)}
    data = make_data_dir(tmp_path / "data", months, county_toml("Charnwood"))
    border = [line.replace("Leicestershire Police", "Warwickshire Police") for line in CHARNWOOD[2:4]]
    write_street(data, "2018-10", border, force="warwickshire")
    write_street(data, "2018-12", [b.replace(",2018-10,", ",2018-12,") for b in border], force="warwickshire")
    # November is missing for this force
    code, err = run(capsys, "score", "--data", str(data), "--quarter", "2018-19Q3", "--out",
                    str(tmp_path / "out"), "--quiet")
    assert code == 2
    assert "force 'warwickshire' has no file for 2018-11" in err
    code, err = run(capsys, "score", "--data", str(data), "--out", str(tmp_path / "out"), "--quiet")
    assert code == 2 and "no complete financial quarter" in err  # not 2018-19Q3, though one force has it


def test_a_district_with_no_records_is_refused_naming_it_and_the_nearest_name(tmp_path, capsys):
    toml = county_toml("Charnwood") + '\n[[districts]]\nname = "Blabby"\npopulation = 101526\n'
    lines = CHARNWOOD + pick(OCT, where=lambda r: r["LSOA name"].startswith("Blaby "), n=2)
    data = make_data_dir(tmp_path, {"2018-10": lines}, toml)
    code, err = run(capsys, "check", "--data", str(data), "--quiet")
    assert code == 2
    # a name in no ONS lookup is refused before any record is placed, with the nearest official names
    assert "'Blabby' is not a district in the ONS lookups" in err and "such as 'Blaby'" in err


# --------------------------------------------------------------------------------------------------
# The cache never serves stale or damaged results


def _parse_count(monkeypatch) -> list:
    import csa_analysis.ingest.cache as cache_mod

    calls = []
    real = cache_mod.parse_street_table
    monkeypatch.setattr(cache_mod, "parse_street_table", lambda *a, **k: calls.append(a[1]) or real(*a, **k))
    return calls


def test_a_raw_file_changed_with_the_same_size_and_mtime_is_read_again(tmp_path, monkeypatch):
    data = charnwood_data(tmp_path / "data")
    cache = tmp_path / "cache"
    raw = data / "police_uk" / "2018-10" / "2018-10-leicestershire-street.csv"
    _, first = ensure_cache(data / "police_uk", cache_dir=cache)
    st = raw.stat()
    text = raw.read_text()
    edited = text.replace("Anti-social behaviour", "Anti-social behaviouR", 1)
    assert edited != text and len(edited) == len(text)
    time.sleep(0.01)
    raw.write_text(edited)
    os.utime(raw, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same modification time
    assert raw.stat().st_size == st.st_size and raw.stat().st_mtime_ns == st.st_mtime_ns
    with pytest.raises(Exception, match="Anti-social behaviouR"):  # read again, and the edit refused
        ensure_cache(data / "police_uk", cache_dir=cache)
    raw.write_text(text.replace("On or near", "On or neaR", 1))
    os.utime(raw, ns=(st.st_atime_ns, st.st_mtime_ns))
    _, second = ensure_cache(data / "police_uk", cache_dir=cache)
    assert second["inputs"][0]["sha256"] != first["inputs"][0]["sha256"]


def test_csa_assess_rehashes_every_raw_file(tmp_path, monkeypatch):
    data = charnwood_data(tmp_path / "data")
    cache = tmp_path / "cache"
    ensure_cache(data / "police_uk", cache_dir=cache)
    import csa_analysis.ingest.cache as cache_mod

    hashed = []
    real = cache_mod._file_sha256
    monkeypatch.setattr(cache_mod, "_file_sha256", lambda f: hashed.append(f.label) or real(f))
    ensure_cache(data / "police_uk", cache_dir=cache)
    assert hashed == []  # the stat index vouches for the file
    ensure_cache(data / "police_uk", cache_dir=cache, rehash=True)
    assert len(hashed) == 1


def test_a_parquet_file_altered_behind_an_intact_footer_is_rebuilt(tmp_path, monkeypatch):
    data = charnwood_data(tmp_path / "data")
    cache = tmp_path / "cache"
    path, _ = ensure_cache(data / "police_uk", cache_dir=cache)
    good = path.read_bytes()
    damaged = bytearray(good)
    for i in range(200, 260):
        damaged[i] ^= 0xFF
    path.write_bytes(bytes(damaged))
    import pyarrow.parquet as pq

    pq.read_metadata(path)  # the footer is intact
    calls = _parse_count(monkeypatch)
    path2, _ = ensure_cache(data / "police_uk", cache_dir=cache)
    assert calls and path2.read_bytes() == good


@pytest.mark.parametrize("damage", ["truncated", "missing"])
def test_a_damaged_scored_table_entry_is_rebuilt(tmp_path, damage):
    months = {m: pick(sample_lines(m), where=lambda r: r["LSOA name"].startswith("Charnwood "), n=3)
              for m in ("2018-10", "2018-11", "2018-12")}
    data = make_data_dir(tmp_path / "data", months, county_toml("Charnwood"))
    cache, out = tmp_path / "cache", tmp_path / "out"
    assert main(["score", "--data", str(data), "--out", str(out), "--cache", str(cache), "--quiet"]) == 0
    good = tree_hashes(out)
    entry = next((cache / "scored").iterdir())
    victim = entry / "issue_scores.parquet"
    if damage == "truncated":
        victim.write_bytes(victim.read_bytes()[:100])
    else:
        victim.unlink()
    assert Scored.load(entry) is None
    shutil.rmtree(out)
    assert main(["score", "--data", str(data), "--out", str(out), "--cache", str(cache), "--quiet"]) == 0
    assert tree_hashes(out) == good


# --------------------------------------------------------------------------------------------------
# File names


def test_district_file_names_are_unique_bounded_and_readable():
    long = "Upper " + "Long " * 60 + "Vale"
    names = ["Craven", "Craven.", "Ynys Môn", long, "CON", "Brook & Fenton"]
    slugs = district_slugs(names)
    assert len(set(slugs.values())) == len(names)
    assert slugs["Ynys Môn"] == "ynys-mon" and slugs["Brook & Fenton"] == "brook-fenton"
    assert slugs["Craven"].startswith("craven-") and slugs["Craven."].startswith("craven-")
    assert len(slugs[long]) <= 70 and slugs[long].startswith("upper-long-long")
    assert slugs["CON"] == "con-district"  # a reserved device name on Windows
    assert district_slugs(names) == slugs  # stable from run to run
    assert slug("Rhondda Cynon Taf") == "rhondda-cynon-taf"


def test_the_pack_gives_colliding_names_their_own_pages(tmp_path, monkeypatch):
    import synthetic

    data = tmp_path / "data"
    data.mkdir()
    (data / "county.toml").write_text(
        f'name = "{COUNTY_NAME}"\n\n[[districts]]\nname = "Craven"\npopulation = 57000\n\n'
        '[[districts]]\nname = "Craven."\npopulation = 58000\n')
    scored = synthetic_scored()
    renamed = {"Ashby Vale": "Craven", "Brook & Fenton": "Craven."}
    for name, t in list(scored.tables.items()):
        if "district" in t:
            keep = t["district"].astype(str).isin(renamed).to_numpy()
            scored.tables[name] = t.loc[keep].assign(district=t.loc[keep, "district"].astype(str).map(renamed))
    monkeypatch.setattr(boardpack, "score_quarter", lambda county, quarter, **kw: scored)
    _fake_reports(monkeypatch)
    assert boardpack.assess(data, None, tmp_path / "pack", progress=False) == 0
    pages = sorted(p.name for p in (tmp_path / "pack" / "districts").glob("*.html"))
    assert len(pages) == 2 and all(p.startswith("craven-") for p in pages)
    assert synthetic.DISTRICTS  # the module's own county is untouched


# --------------------------------------------------------------------------------------------------
# Ctrl-C and SIGTERM stop promptly, kill the kernels and keep the previous pack


def _kernels(parent: int) -> set[int]:
    """Process ids of the report kernels ``parent`` started, and of the template they are forked from: its
    descendants running ``ipykernel_launcher`` or ``csa_analysis.run.warm`` (a forked kernel is the template's
    child and keeps its command line). Other processes on the machine may run kernels of their own."""
    ppids: dict[int, int] = {}
    cmds: dict[int, bytes] = {}
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmds[int(pid)] = Path(f"/proc/{pid}/cmdline").read_bytes()
                ppids[int(pid)] = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue

    def descends(pid: int) -> bool:
        for _ in range(8):
            pid = ppids.get(pid, 0)
            if pid == parent:
                return True
            if pid <= 1:
                return False
        return False

    return {pid for pid, cmd in cmds.items()
            if (b"ipykernel_launcher" in cmd or b"csa_analysis.run.warm" in cmd) and descends(pid)}


def _alive(pids: set[int]) -> set[int]:
    """Those of ``pids`` that still run (a zombie counts as gone)."""
    out = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            out.add(pid)
    return out


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts kernel processes through /proc")
@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "Ctrl-C"])
def test_a_signal_stops_the_run_promptly_kills_its_kernels_and_keeps_the_pack(tmp_path, sig, code):
    out = tmp_path / "pack"
    before = previous_pack(out)
    env = {**os.environ, "CSA_CACHE_DIR": str(tmp_path / "cache")}
    argv = [sys.executable, "-m", "csa_analysis.cli", "assess", "--data", str(SAMPLE_DIR), "--out", str(out),
            "--jobs", "2"]
    # Ctrl-C reaches the run even when this suite was started in the background (`make test &` ignores SIGINT,
    # and an ignored signal stays ignored across exec)
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    kernels: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        kernels |= _kernels(proc.pid)
        if list(tmp_path.glob(".pack.tmp-*/districts/*.ipynb")) and kernels:
            break
        time.sleep(0.1)
    assert proc.poll() is None, "the run ended before any kernel started"
    kernels |= _kernels(proc.pid)
    sent = time.monotonic()
    proc.send_signal(sig)
    stderr = proc.communicate(timeout=60)[1]
    assert proc.returncode == code
    assert time.monotonic() - sent < 30
    assert "Traceback" not in stderr
    last = stderr.strip().splitlines()[-1]
    assert "nothing in OUT changed" in last
    assert tree_hashes(out) == before
    assert not list(tmp_path.glob(".pack.tmp-*"))
    time.sleep(0.5)
    assert not _alive(kernels), "a report kernel outlived the run"


def test_kernels_started_after_a_stop_are_refused():
    kernels._STOPPING.set()
    try:
        km = kernels._kernel_manager(None, threading.Event())(kernel_name=kernels.kernel_name())
        import asyncio

        with pytest.raises(RuntimeError, match="the run is stopping"):
            asyncio.run(km.start_kernel())
    finally:
        kernels._STOPPING.clear()


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="counts kernel processes through /proc")
def test_ctrl_c_kills_a_hung_report_at_once_and_keeps_the_pack(tmp_path):
    """In-process, with a district notebook that would sleep for two minutes: only killing its kernel ends
    the run within seconds."""
    import nbformat

    folder = tmp_path / "notebooks"
    shutil.copytree(kernels.NOTEBOOK_DIR, folder)
    path = folder / kernels.DISTRICT_NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("import time\ntime.sleep(120)"))
    nbformat.write(nb, path)
    out = tmp_path / "pack"
    before = previous_pack(out)
    seen_kernels: set[int] = set()

    def interrupt_when_running() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            seen_kernels.update(_kernels(os.getpid()))
            if list(tmp_path.glob(".pack.tmp-*/districts/*.ipynb")) and seen_kernels:
                time.sleep(2)  # inside the sleeping cell
                os.kill(os.getpid(), signal.SIGINT)
                return
            time.sleep(0.1)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C raises, even in a background suite
    threading.Thread(target=interrupt_when_running, daemon=True).start()
    started = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            boardpack.assess(SAMPLE_DIR, out=out, districts=["Melton"], notebook_dir=folder, jobs=2, progress=False,
                             cache_dir=tmp_path / "cache")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - started < 90
    assert tree_hashes(out) == before and not list(tmp_path.glob(".pack.tmp-*"))
    time.sleep(0.5)
    assert seen_kernels and not _alive(seen_kernels), "the hung report's kernel outlived the run"
