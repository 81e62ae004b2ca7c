"""Bad input: exit code 2, a message naming the file, the place and what was expected, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from csa_analysis.cli import main

from datafactory import COUNTY_TOML, HEADER, make_data_dir, pick, previous_pack, sample_lines, tree_hashes

OCT = sample_lines("2018-10")
GOOD = pick(OCT, where=lambda r: r["LSOA name"].startswith("Charnwood "), n=3)
STREET = "police_uk/2018-10/2018-10-leicestershire-street.csv"


def run(capsys, root: Path, command: str = "check") -> tuple[int, str]:
    argv = [command, "--data", str(root), "--quiet"]
    if command == "score":
        argv += ["--out", str(root.parent / "out")]
    code = main(argv)
    return code, capsys.readouterr().err


def write(root: Path, rel: str, content: str | bytes) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        p.write_bytes(content)
    else:
        p.write_text(content, encoding="utf-8")


def no_header_column(column: str) -> str:
    cols = HEADER.split(",")
    i = cols.index(column)
    keep = [",".join(c for j, c in enumerate(line.split(",")) if j != i) for line in [HEADER, *GOOD]]
    return "\n".join(keep) + "\n"


# (case id, file to write, its content, fragments the message must hold)
STREET_CASES = [
    ("missing column", STREET, no_header_column("Crime type"),
     [STREET, "row 1 (header)", "missing column Crime type", "expected the columns Crime ID"]),
    ("extra column", STREET, "\n".join([HEADER + ",Extra", *(g + "," for g in GOOD)]) + "\n",
     [STREET, "unexpected column Extra"]),
    ("empty file", STREET, "", [STREET, "is empty"]),
    ("header only", STREET, HEADER + "\n", [STREET, "header but no data rows"]),
    ("not a police.uk file", STREET, "name,value\nfoo,1\n", [STREET, "is not a police.uk street file"]),
    ("semicolons", STREET, "\n".join([HEADER.replace(",", ";"), *GOOD]) + "\n", [STREET, "uses ';'"]),
    ("short row", STREET, "\n".join([HEADER, GOOD[0], "abc,2018-10,x", GOOD[1]]) + "\n",
     [STREET, "row 3", "has 3 fields", "12 comma-separated fields"]),
    ("not utf-8", STREET, "\n".join([HEADER, GOOD[0]]).encode() + b"\n" +
     GOOD[1].replace("On or near", "On or n\xe9ar").encode("latin-1") + b"\n",
     [STREET, "row 3", "not UTF-8"]),
    ("binary renamed .csv", STREET, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
     [STREET, "row 1"]),
    ("wrong month", STREET, "\n".join([HEADER, GOOD[0], GOOD[1].replace(",2018-10,", ",2018-09,")]),
     [STREET, "row 3, column 'Month'", "differs from the file's month 2018-10"]),
    ("unknown crime type", STREET,
     "\n".join([HEADER, GOOD[0].replace("Charnwood", "Charnwood").rsplit(",", 3)[0]
                + ",Jaywalking,,"]),
     [STREET, "row 2, column 'Crime type'", "'Jaywalking' is not a police.uk crime type"]),
    ("badly named csv", "police_uk/2018-10/crimes.csv", "x", ["crimes.csv", "not named like"]),
    ("zip with no street files", "police_uk/download.zip", b"PK\x05\x06" + bytes(18),
     ["download.zip", "no police.uk street files"]),
]


@pytest.mark.parametrize("case,rel,content,fragments", STREET_CASES, ids=[c[0] for c in STREET_CASES])
@pytest.mark.parametrize("command", ["check", "score"])
def test_bad_street_files_are_refused_clearly(tmp_path, capsys, case, rel, content, fragments, command):
    root = make_data_dir(tmp_path / "data", {})
    write(root, rel, content)
    if not rel.startswith(STREET):
        write(root, "police_uk/2018-11/2018-11-leicestershire-street.csv", "\n".join([HEADER]))
    out = tmp_path / "out"
    previous_pack(out)
    raw_before, out_before = tree_hashes(root), tree_hashes(out)
    code, err = run(capsys, root, command)
    assert code == 2
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    assert "Traceback" not in err
    assert tree_hashes(root) == raw_before
    assert tree_hashes(out) == out_before
    cache = Path(os.environ["CSA_CACHE_DIR"])
    assert not list(cache.rglob("*.parquet"))


TOML_CASES = [
    ("unknown key", COUNTY_TOML.replace("population = 185851", "populaton = 185851"),
     ["county.toml", "[[districts]] 'Charnwood'", "unknown key 'populaton'"]),
    ("unknown top-level key", "nmae = 'x'\n" + COUNTY_TOML, ["unknown key 'nmae'"]),
    ("district twice", COUNTY_TOML + '\n[[districts]]\nname = "Blaby"\npopulation = 5\n',
     ["'Blaby' is listed twice"]),
    ("alias collides", COUNTY_TOML.replace('aliases = ["Hinckley & Bosworth"]', 'aliases = ["Blaby"]'),
     ["'Blaby' is used twice", "district 'Blaby'"]),
    ("negative population", COUNTY_TOML.replace("101526", "-101526"),
     ["[[districts]] 'Blaby' population", "-101526", "a whole number from 1,000 to 15,000,000"]),
    ("zero population", COUNTY_TOML.replace("101526", "0"), ["from 1,000 to 15,000,000"]),
    ("missing population", COUNTY_TOML.replace("population = 101526\n", ""),
     ["no population for Blaby"]),
    ("not toml", "name = ", ["county.toml", "not valid TOML"]),
]


@pytest.mark.parametrize("case,toml,fragments", TOML_CASES, ids=[c[0] for c in TOML_CASES])
def test_bad_county_toml_is_refused_naming_the_key(tmp_path, capsys, case, toml, fragments):
    root = make_data_dir(tmp_path / "data", {"2018-10": GOOD}, toml=toml)
    assert_refused_and_nothing_written(capsys, root, fragments)


def assert_refused_and_nothing_written(capsys, root: Path, fragments: list[str]) -> None:
    """Exit 2 with every fragment in the message; raw data, OUT and the cache untouched."""
    out = root.parent / "out"
    out.mkdir(exist_ok=True)
    previous_pack(out)
    raw_before, out_before = tree_hashes(root), tree_hashes(out)
    code, err = run(capsys, root, "score")
    assert code == 2
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"
    assert tree_hashes(root) == raw_before and tree_hashes(out) == out_before
    assert not list(Path(os.environ["CSA_CACHE_DIR"]).rglob("*.parquet"))


TABLE_CASES = [
    ("funding.csv", "district,allocation_gbp\nCharnwood,36209\nNorth West Leics,24106\n",
     ["funding.csv", "row 3, column 'district'", "'North West Leics' matches no district",
      "Charnwood, Hinckley and Bosworth"]),
    ("funding.csv", "district,allocation_gbp\nCharnwood,36209\ncharnwood,1\n",
     ["funding.csv", "row 3", "'Charnwood' is given twice"]),
    ("funding.csv", "district,amount\nCharnwood,36209\n", ["no column 'allocation_gbp'"]),
    ("funding.csv", "district,allocation_gbp\nCharnwood,lots\n",
     ["row 2, column 'allocation_gbp'", "'lots' is not a number"]),
    ("population.csv", "district,population\nBlaby,-4\n",
     ["population.csv", "row 2, column 'population'", "from 1,000 to 15,000,000"]),
    ("population.csv", "district,population\nLeicester,354224\n",
     ["'Leicester' matches no district"]),
]


@pytest.mark.parametrize("name,content,fragments", TABLE_CASES,
                         ids=[f"{c[0]}:{c[2][-1][:24]}" for c in TABLE_CASES])
def test_bad_district_tables_are_refused_naming_file_and_row(tmp_path, capsys, name, content,
                                                             fragments):
    root = make_data_dir(tmp_path / "data", {"2018-10": GOOD})
    write(root, name, content)
    assert_refused_and_nothing_written(capsys, root, fragments)


def test_funding_given_twice_is_refused(tmp_path, capsys):
    toml = COUNTY_TOML.replace("population = 101526", "population = 101526\nfunding_gbp = 22380")
    root = make_data_dir(tmp_path / "data", {"2018-10": GOOD}, toml=toml)
    write(root, "funding.csv", "district,allocation_gbp\nCharnwood,36209\n")
    assert_refused_and_nothing_written(capsys, root, ["funding is given both in county.toml"])


def test_funding_xlsx_is_read_with_aliases(tmp_path):
    from openpyxl import Workbook

    from csa_analysis.config.county import read_county

    root = make_data_dir(tmp_path / "data", {"2018-10": GOOD})
    wb = Workbook()
    ws = wb.active
    ws.append(["district", "allocation_gbp"])
    ws.append(["Hinckley & Bosworth", 24506])
    ws.append(["Charnwood", 36209.5])
    wb.save(root / "funding.xlsx")
    county = read_county(root)
    assert county.funding().to_dict() == pytest.approx(
        {"Charnwood": 36209.5, "Blaby": float("nan"), "Hinckley and Bosworth": 24506.0},
        nan_ok=True)


def test_an_unknown_quarter_is_refused(tmp_path, capsys):
    root = make_data_dir(tmp_path / "data", {"2018-10": GOOD})
    code = main(["score", "--data", str(root), "--quiet", "--out", str(tmp_path / "o"),
                 "--quarter", "2018Q3"])
    assert code == 2
    assert "--quarter" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_quarter_with_no_data_is_refused(tmp_path, capsys):
    root = make_data_dir(tmp_path / "data", {"2018-10": GOOD})
    code = main(["score", "--data", str(root), "--quiet", "--out", str(tmp_path / "o"),
                 "--quarter", "2018-19Q3"])
    assert code == 2
    err = capsys.readouterr().err
    assert "needs months 2018-11, 2018-12" in err and "2018-10 to 2018-10" in err
    assert not (tmp_path / "o").exists()
