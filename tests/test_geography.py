"""Placing records by LSOA code (csa_analysis.ingest.geography) on real data shipped in the repository.

The back-tests count rows per district independently of the module: the street files are read with ``csv`` and
``zipfile``, the packaged lookup with ``pyarrow.parquet``, and the module's placement must give the same counts.
"""

from __future__ import annotations

import csv
import doctest
import io
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import csa_analysis.ingest.geography as geography
from csa_analysis.domain.names import normalise_name
from csa_analysis.errors import InputError
from csa_analysis.ingest.discover import discover_street_files
from csa_analysis.ingest.geography import Geography
from csa_analysis.ingest.parse import parse_street_table

ROOT = Path(__file__).resolve().parents[1]
GEO_DIR = ROOT / "csa_analysis" / "reference" / "geography"
RAW = ROOT / "data" / "raw"

SUFFOLK = {"Babergh": "E07000200", "Ipswich": "E07000202", "Mid Suffolk": "E07000203",
           "East Suffolk": "E07000244", "West Suffolk": "E07000245"}
LEICESTERSHIRE = {"Blaby": "E07000129", "Charnwood": "E07000130", "Harborough": "E07000131",
                  "Hinckley and Bosworth": "E07000132", "Melton": "E07000133",
                  "North West Leicestershire": "E07000134", "Oadby and Wigston": "E07000135"}
LEICESTER, RUTLAND = "E06000016", "E06000017"


@pytest.fixture(scope="module")
def geo() -> Geography:
    return Geography.load()


# --------------------------------------------------------------------------------------------------
# Independent readers (no use of the module under test)


def _lookup(name: str, key: str, value: str) -> dict[str, str]:
    table = pq.read_table(GEO_DIR / name, columns=[key, value]).to_pydict()
    return dict(zip(table[key], table[value], strict=True))


def _zip_rows(folder: Path) -> list[dict[str, str]]:
    rows = []
    for path in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(path) as zf:
            for member in sorted(zf.namelist()):
                with zf.open(member) as fh:
                    rows.extend(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8", newline="")))
    return rows


def _count_by_district(rows: list[dict[str, str]], lookup: dict[str, str]) -> Counter:
    return Counter(lookup[r["LSOA code"]] for r in rows if r["LSOA code"])


def _place_folder(county: geography.DistrictSet, folder: Path) -> tuple[geography.RowPlacement, pa.Table]:
    """Through the project's own loader: every file parsed, rows placed per file."""
    tables = []
    for f in discover_street_files(folder):
        t = parse_street_table(f.read_bytes(), f.label, f.month)
        tables.append(t.append_column("source", pa.array([f.label] * t.num_rows).dictionary_encode()))
    table = pa.concat_tables(tables).unify_dictionaries()
    return county.place_rows(table["lsoa_code"], table["lsoa_name"], table["source"]), table


# --------------------------------------------------------------------------------------------------
# Packaged lookups


def test_packaged_lookups_hold_the_ons_rows_and_codes():
    l11 = pq.read_table(GEO_DIR / "lsoa11.parquet").to_pandas()
    l21 = pq.read_table(GEO_DIR / "lsoa21.parquet").to_pandas()
    lads = pq.read_table(GEO_DIR / "lads.parquet").to_pandas()
    pfa = pq.read_table(GEO_DIR / "lad_pfa.parquet").to_pandas()
    assert len(l11) == 34_753 and l11["lsoa"].is_unique
    assert len(l21) == 35_672 and l21["lsoa"].is_unique
    assert lads.groupby("vintage", observed=True).size().to_dict() == {"LAD18": 348, "LAD22": 331, "LAD23": 318}
    assert len(pfa) == 348 + 342
    assert l11["lsoa"].isin(l21["lsoa"]).sum() == 33_647
    row = l21.set_index("lsoa").loc["E01027678"]
    assert (row["lsoa_name"], row["lad22"], row["lad23"]) == ("Harrogate 015E", "E07000165", "E06000065")
    assert l21.set_index("lsoa").loc["E01019198", "lad23"] == "E06000063"  # Carlisle 011B -> Cumberland
    assert l11.set_index("lsoa").loc["E01027833", "lad18"] == "E07000168"  # Scarborough 014E in Scarborough ...
    assert l21.set_index("lsoa").loc["E01027833", "lad22"] == "E07000167"  # ... best-fit to Ryedale in 2022
    codes = lads.set_index(["vintage", "code"])["name"]
    assert codes[("LAD23", "E06000065")] == "North Yorkshire"
    assert codes[("LAD18", "E07000206")] == "Waveney"
    assert ("LAD23", "E07000206") not in codes.index
    for col in ("lsoa", "lsoa_name", "lad22", "lad23", "ward23", "ward23_name"):
        assert l21[col].notna().all(), col
    assert sum(p.stat().st_size for p in GEO_DIR.glob("*.parquet")) < 1_500_000
    readme = (GEO_DIR / "README.md").read_text()
    assert "Source: Office for National Statistics licensed under the Open Government Licence v.3.0" in readme
    assert "LSOA11_WD18_LAD18_EW_LU.csv" in readme and "LSOA21_WD23_LAD23_EW_LU.csv" in readme


def test_docstring_examples_run():
    result = doctest.testmod(geography, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 20
    assert result.failed == 0


def test_missing_packaged_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="lsoa11.parquet: is missing"):
        Geography.load(tmp_path)


# --------------------------------------------------------------------------------------------------
# Back-tests on the 2025 samples (2021 LSOA codes)


def test_suffolk_2025_counts_equal_an_independent_count(geo):
    folder = RAW / "suffolk-2025" / "police_uk"
    expected = _count_by_district(_zip_rows(folder), _lookup("lsoa21.parquet", "lsoa", "lad23"))
    county = geo.resolve_districts(list(SUFFOLK))
    assert [d.code for d in county.districts] == list(SUFFOLK.values())
    rows, table = _place_folder(county, folder)
    counts = rows.counts(county.names)
    assert counts["total"].to_dict() == {name: expected[code] for name, code in SUFFOLK.items()}
    assert counts["total"].to_dict() == {"Babergh": 4266, "Ipswich": 13412, "Mid Suffolk": 4424,
                                         "East Suffolk": 13976, "West Suffolk": 11226}
    assert counts["by_name"].sum() == 0
    assert set(rows.groups["vintage"]) == {"2021"} and len(rows.groups) == 12
    method = pd.Series(rows.method)
    assert (method == "no_lsoa").sum() == 299 == table["lsoa_code"].null_count
    outside = sum(n for code, n in expected.items() if code not in SUFFOLK.values())
    assert ((rows.district == -1) & (method == "code")).sum() == outside == 590


def test_leicestershire_2025_counts_equal_an_independent_count(geo):
    folder = RAW / "leicestershire-2025" / "police_uk"
    expected = _count_by_district(_zip_rows(folder), _lookup("lsoa21.parquet", "lsoa", "lad23"))
    county = geo.resolve_districts(list(LEICESTERSHIRE))
    assert [d.code for d in county.districts] == list(LEICESTERSHIRE.values())
    rows, _ = _place_folder(county, folder)
    counts = rows.counts(county.names)
    assert counts["total"].to_dict() == {name: expected[code] for name, code in LEICESTERSHIRE.items()}
    assert counts["total"].sum() == 50_833
    # Leicester and Rutland (unitaries policed by the same force) are out of area, and named as such.
    area = pd.Series(rows.area)
    out = area[rows.district == -1].value_counts()
    assert out["Leicester"] == expected[LEICESTER] == 49_401
    assert out["Rutland"] == expected[RUTLAND] == 1_912
    assert not (rows.district[np.asarray(area.isin(["Leicester", "Rutland"]))] >= 0).any()


def test_distinct_code_placement_applied_to_dictionary_indices_equals_row_placement(geo):
    folder = RAW / "suffolk-2025" / "police_uk"
    county = geo.resolve_districts(list(SUFFOLK))
    f = discover_street_files(folder)[0]
    table = parse_street_table(f.read_bytes(), f.label, f.month)
    codes = table["lsoa_code"].combine_chunks()
    placed = county.placement(codes.dictionary, file=f.label)
    assert placed.vintage.vintage == "2021"
    rows = county.place_rows(table["lsoa_code"], None)
    assert np.array_equal(placed.take(codes.indices), rows.district)


# --------------------------------------------------------------------------------------------------
# 2011 codes (the 2018-19 sample) and reorganised districts


def test_leicestershire_2018_files_are_read_as_2011_and_match_an_independent_count(geo):
    folder = RAW / "leicestershire" / "police_uk"
    rows_csv = []
    for path in sorted(folder.glob("*/*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows_csv.extend(csv.DictReader(fh))
    expected = _count_by_district(rows_csv, _lookup("lsoa11.parquet", "lsoa", "lad18"))
    county = geo.resolve_districts(list(LEICESTERSHIRE))
    rows, _ = _place_folder(county, folder)
    assert set(rows.groups["vintage"]) == {"2011"}
    assert rows.counts(county.names)["total"].to_dict() == {n: expected[c] for n, c in LEICESTERSHIRE.items()}
    assert pd.Series(rows.area)[rows.district == -1].value_counts()["Leicester"] == 20_335


def _street_csv(month: str, lsoas: list[tuple[str, str]]) -> bytes:
    """A police.uk street file built from a real 2025 Suffolk row, with the LSOA code and name replaced."""
    with zipfile.ZipFile(next((RAW / "suffolk-2025" / "police_uk").glob("*.zip"))) as zf:
        text = zf.read(sorted(zf.namelist())[0]).decode("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    template = next(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
    writer.writeheader()
    for code, name in lsoas:
        writer.writerow({**template, "Month": month, "LSOA code": code, "LSOA name": name})
    return out.getvalue().encode("utf-8")


def _lsoas_of(name: str, *lad18: str) -> list[tuple[str, str]]:
    t = pq.read_table(GEO_DIR / name).to_pandas()
    t = t[t["lad18"].isin(lad18)]
    return list(zip(t["lsoa"], t["lsoa_name"], strict=True))


def test_2011_rows_of_merged_suffolk_districts_go_to_their_successors(geo):
    east = _lsoas_of("lsoa11.parquet", "E07000205", "E07000206")    # Suffolk Coastal, Waveney
    west = _lsoas_of("lsoa11.parquet", "E07000201", "E07000204")    # Forest Heath, St Edmundsbury
    ipswich = _lsoas_of("lsoa11.parquet", "E07000202")
    data = _street_csv("2018-10", east + west + ipswich)
    table = parse_street_table(data, "2018-10/2018-10-suffolk-street.csv", "2018-10")
    county = geo.resolve_districts(list(SUFFOLK))
    placed = county.placement(table["lsoa_code"], table["lsoa_name"])
    assert placed.vintage.vintage == "2011"
    got = placed.table["district_name"].value_counts().to_dict()
    assert got == {"East Suffolk": len(east), "West Suffolk": len(west), "Ipswich": len(ipswich)}
    assert (placed.table["method"] == "code").all()
    # some of those 2011 codes were split or merged in 2021: they arrive through the whole-district map
    assert not placed.table["lsoa_code"].isin(geo.lsoas("E07000244", "2021")).all()


def test_north_yorkshire_receives_harrogate_from_both_vintages(geo):
    county = geo.resolve_districts(["North Yorkshire"])
    new = parse_street_table(_street_csv("2025-03", [("E01027678", "Harrogate 015E")]), "2025-03/x-street.csv")
    placed = county.placement(new["lsoa_code"], new["lsoa_name"])
    assert placed.table.loc[0, "district_name"] == "North Yorkshire"
    assert placed.table.loc[0, "method"] == "code" and placed.vintage.vintage == "2021"
    # a 2011 row of Harrogate: one persisting code and one that did not persist into 2021
    old = [("E01027678", "Harrogate 015E"), ("E01027664", "Harrogate 008B")]
    table = parse_street_table(_street_csv("2018-10", old), "2018-10/x-street.csv")
    placed = county.placement(table["lsoa_code"], table["lsoa_name"])
    assert placed.vintage.vintage == "2011"
    assert placed.table["district"].tolist() == [0, 0]
    # the same rows for a county naming Harrogate itself: 2018 boundaries and, in 2025, the LAD 2022 area
    harrogate = geo.resolve_districts(["Harrogate"])
    assert harrogate.placement(table["lsoa_code"], table["lsoa_name"]).table["district"].tolist() == [0, 0]
    assert harrogate.placement(new["lsoa_code"], new["lsoa_name"]).table["district"].tolist() == [0]


def test_best_fit_moves_are_read_in_each_files_own_vintage(geo):
    county = geo.resolve_districts(["Scarborough", "Ryedale"])
    codes = ["E01027833", "E01027834", "E01027835"]
    names = ["Scarborough 014E", "Scarborough 014F", "Scarborough 014G"]
    new_code = geo.lsoas("E07000168", "2021")
    only_2021 = [c for c in new_code if c not in set(geo.lsoas("E07000168", "2011"))][:1]
    as_2021 = county.placement(codes + only_2021, [*names, None])
    assert as_2021.vintage.vintage == "2021"
    assert as_2021.table["district_name"].tolist() == ["Ryedale"] * 3 + ["Scarborough"]
    assert as_2021.table["vintage"].tolist() == ["2021"] * 4
    # a 2021 file (two codes only 2021 has) holding a stray 2011-only code: that code is read in 2011
    only_2021 = [c for c in new_code if c not in set(geo.lsoas("E07000168", "2011"))][:2]
    mixed = county.placement([*codes, *only_2021, "E01027664"], [*names, None, None, "Harrogate 008B"])
    assert mixed.table["vintage"].tolist() == ["2021"] * 5 + ["2011"]
    assert mixed.table["district_name"].tolist()[:3] == ["Ryedale"] * 3
    assert mixed.table["area"].tolist()[-1] == "Harrogate"
    # the same stray code alone is a 2011 file
    assert county.placement(["E01027664"]).vintage.vintage == "2011"
    as_2011 = county.placement(codes, names, vintage="2011")
    assert as_2011.table["district_name"].tolist() == ["Scarborough"] * 3
    tie = geo.file_vintage(codes)
    assert (tie.vintage, tie.decided_by) == ("2021", "tie")


def test_waveney_is_placed_in_2011_files_and_refused_in_2021_files(geo):
    county = geo.resolve_districts(["Waveney", "Ipswich"])
    waveney = _lsoas_of("lsoa11.parquet", "E07000206")
    codes, names = zip(*waveney, strict=True)
    assert (county.placement(list(codes), list(names)).table["district"] == 0).all()
    with pytest.raises(InputError) as err:
        county.placement(["E01035154"], ["East Suffolk 014C"], file="2025-01/2025-01-suffolk-street.csv")
    text = str(err.value)
    assert text.startswith("2025-01/2025-01-suffolk-street.csv: district 'Waveney': Waveney (E07000206)")
    assert "East Suffolk (E07000244)" in text and "name East Suffolk in county.toml" in text


def test_place_rows_chooses_the_vintage_per_file(geo):
    county = geo.resolve_districts(["East Suffolk", "Ryedale"])
    codes = pa.chunked_array([
        pa.array(["E01030152", "E01027833", None]).dictionary_encode(),
        pa.array(["E01030152", "E01027833", "E01035154"]).dictionary_encode(),
    ])
    names = pa.array(["Suffolk Coastal 004A", "Scarborough 014E", None,
                      "East Suffolk 019A", "Scarborough 014E", "East Suffolk 014C"])
    files = pa.array(["old.csv"] * 3 + ["new.csv"] * 3)
    rows = county.place_rows(codes, names, files)
    assert rows.groups.set_index("group")["vintage"].to_dict() == {"new.csv": "2021", "old.csv": "2011"}
    assert rows.district.tolist() == [0, -1, -1, 0, 1, 0]
    assert list(rows.method) == ["code", "code", "no_lsoa", "code", "code", "code"]
    assert list(rows.area)[1] == "Scarborough"
    # a vintage recorded per file decides for that file (here: a part of new.csv with no evidence in it)
    part = county.place_rows(pa.array(["E01027833"]), None, pa.array(["new.csv"]), vintage={"new.csv": "2021"})
    assert part.district.tolist() == [1] and part.groups["decided_by"].tolist() == ["given"]
    part = county.place_rows(pa.array(["E01027833"]), None, pa.array(["old.csv"]), vintage={"old.csv": "2011"})
    assert part.district.tolist() == [-1]


# --------------------------------------------------------------------------------------------------
# Reorganisations are derived


def test_reorganisations_are_derived_from_the_lookups(geo):
    steps = geo.reorganisations
    def preds(successor: str) -> set[str]:
        return set(steps.loc[steps["successor_name"] == successor, "predecessor_name"])
    assert preds("East Suffolk") == {"Suffolk Coastal", "Waveney"}
    assert preds("West Suffolk") == {"Forest Heath", "St Edmundsbury"}
    assert preds("Cumberland") == {"Allerdale", "Carlisle", "Copeland"}
    assert preds("Westmorland and Furness") == {"Barrow-in-Furness", "Eden", "South Lakeland"}
    assert preds("North Yorkshire") == {"Craven", "Hambleton", "Harrogate", "Richmondshire", "Ryedale",
                                        "Scarborough", "Selby"}
    assert preds("Somerset") == {"Mendip", "Sedgemoor", "South Somerset", "Somerset West and Taunton"}
    assert (steps["share"] == 1.0).all()
    assert "Scarborough" not in set(steps.loc[steps["successor_name"] == "Ryedale", "predecessor_name"])
    somerset = geo.resolve_district("Somerset")
    assert {geo.districts.at[c, "name"] for c in somerset.predecessors} >= {"Taunton Deane", "West Somerset"}
    assert geo.resolve_district("Carlisle").successors == ("E06000063",)
    assert not geo.resolve_district("Ipswich").successors


# --------------------------------------------------------------------------------------------------
# Name fallback


def test_name_fallback_only_for_codes_in_no_lookup_and_counted_apart(geo):
    county = geo.resolve_districts([
        {"name": "Hinckley and Bosworth", "aliases": ["Hinckley & Bosworth"]}, "Melton", "North Yorkshire"])
    melton = next(c for c, lad in _lookup("lsoa21.parquet", "lsoa", "lad23").items() if lad == "E07000133")
    codes = pa.array(["E01999991", "E01999992", None, "E01999993", "E01999994", melton, None])
    names = pa.array(["Hinckley & Bosworth 001A", "melton  012B", "Harrogate 099Z", "Leicester 001A", None,
                      "Hinckley & Bosworth 001A", None])
    rows = county.place_rows(codes, names)
    # a real code decides even when its name says otherwise (row 5 is a Melton LSOA named "Hinckley & ...")
    assert rows.district.tolist() == [0, 1, 2, -1, -1, 1, -1]
    assert list(rows.method) == ["name", "name", "name", "name", "name", "code", "no_lsoa"]
    assert list(rows.area)[3:5] == ["Leicester", "E01999994"]
    counts = rows.counts(county.names)
    assert counts.loc["Hinckley and Bosworth", "by_name"] == 1
    assert counts.loc["Melton", "by_name"] == 1 and counts.loc["North Yorkshire", "by_name"] == 1
    assert counts.loc["Melton", "by_code"] == 1 and counts["total"].sum() == 4


def test_fallback_names_come_from_every_vintage_and_lsoa_prefixes(geo):
    names = geo.resolve_districts(["Kingston upon Hull", "North Yorkshire"]).fallback_names
    assert names["kingston upon hull, city of"] == 0 and names["kingston upon hull"] == 0
    assert all(names[n] == 1 for n in ("harrogate", "craven", "scarborough", "north yorkshire"))
    split = geo.resolve_districts(["Scarborough", "Ryedale"]).fallback_names
    assert split["scarborough"] == 0 and split["ryedale"] == 1


# --------------------------------------------------------------------------------------------------
# Resolving names and codes


@pytest.mark.parametrize(("name", "code"), [
    ("North Yorkshire", "E06000065"), ("Harrogate", "E07000165"), ("Cumberland", "E06000063"),
    ("Carlisle", "E07000028"), ("East Suffolk", "E07000244"), ("Suffolk Coastal", "E07000205"),
    ("  hinckley AND   bosworth ", "E07000132"), ("Caerdydd", "W06000015"),
    ("Kingston upon Hull, City of", "E06000010"), ("Kingston upon Hull", "E06000010"),
])
def test_official_names_of_any_vintage_resolve(geo, name, code):
    assert geo.resolve_district(name).code == code


def test_resolving_by_code_alone_and_by_code_and_name(geo):
    d = geo.resolve_district(None, " e06000065 ")
    assert (d.name, d.code, d.lookups, d.current) == ("North Yorkshire", "E06000065", ("LAD23",), True)
    assert geo.resolve_district("Harrogate", "E07000165").lookups == ("LAD18", "LAD22")
    county = geo.resolve_districts([{"code": "E07000200"}, {"name": "Ipswich", "code": "E07000202"}])
    assert county.names == ["Babergh", "Ipswich"]


def test_unknown_name_suggests_the_nearest_official_names(geo):
    with pytest.raises(InputError) as err:
        geo.resolve_districts(["Blaby", "Hinckley & Bosworth"], file="county.toml")
    text = str(err.value)
    assert text.startswith("county.toml: [[districts]] 2: 'Hinckley & Bosworth' is not a district")
    assert "'Hinckley and Bosworth'" in text
    with pytest.raises(InputError, match="'Harrogate'"):
        geo.resolve_district("Harogate")
    with pytest.raises(InputError, match="police force area, whose districts .* Blaby"):
        geo.resolve_district("Leicestershire")


def test_code_and_name_that_disagree_or_unknown_code(geo):
    with pytest.raises(InputError, match=r"'Harrogate' and code E06000065 disagree: E06000065 is North Yorkshire, "
                                         r"while Harrogate is E07000165"):
        geo.resolve_district("Harrogate", "E06000065")
    with pytest.raises(InputError, match="'E09999999' is not a district"):
        geo.resolve_district("Harrogate", "E09999999")
    with pytest.raises(InputError, match="neither a name nor a code"):
        geo.resolve_district(None, None)


@pytest.mark.parametrize("names", [
    ["North Yorkshire", "Harrogate"], ["Waveney", "East Suffolk"], ["Cumberland", "Carlisle"],
    ["Somerset", "Taunton Deane"],
])
def test_overlapping_districts_are_refused(geo, names):
    with pytest.raises(InputError, match="overlap"):
        geo.resolve_districts(names)


def test_districts_listed_twice_or_sharing_an_alias_are_refused(geo):
    with pytest.raises(InputError, match="listed twice"):
        geo.resolve_districts(["Blaby", {"name": "blaby", "code": "E07000129"}])
    with pytest.raises(InputError, match="alias 'Melton' of Blaby is also the official name of Melton"):
        geo.resolve_districts([{"name": "Blaby", "aliases": ["Melton"]}, "Melton"])
    geo.resolve_districts(["Scarborough", "Ryedale", "Harrogate"])  # neighbours, not overlaps


# --------------------------------------------------------------------------------------------------
# Wards, force areas, explanations


def test_ward_lookup_in_each_vintage(geo):
    w = geo.wards(["E01027678", "E01027664", None, "E01999999"], vintage="2021")
    assert w["vintage"].tolist()[:2] == ["2021", "2011"]  # E01027664 is a 2011 code only
    assert w.loc[0, "ward_code"] == _lookup("lsoa21.parquet", "lsoa", "ward23")["E01027678"]
    assert w.loc[0, "district_name"] == "North Yorkshire" and w.loc[1, "district_name"] == "Harrogate"
    assert w.loc[2:, "ward_code"].isna().all()
    w22 = geo.wards(["E01027678"], vintage="2021", lookup="LAD22")
    assert (w22.loc[0, "ward_code"], w22.loc[0, "district_code"]) == (
        _lookup("lsoa21.parquet", "lsoa", "ward22")["E01027678"], "E07000165")


def test_police_force_areas_and_why_no_records(geo):
    assert geo.police_force_areas("E06000017")["pfa_name"].tolist() == ["Leicestershire"]
    derived = geo.police_force_areas("E06000065")
    assert derived["pfa_name"].tolist() == ["North Yorkshire"] and derived["derived"].all()
    county = geo.resolve_districts(["Blaby", "Rutland", "Waveney"])
    text = county.why_no_records(1, codes_seen=["E01025890"], forces_seen=["Leicestershire Police"])
    assert text == ("Rutland received no records: no file in police_uk/ holds an LSOA in Rutland (E06000017); "
                    "Rutland is in the Leicestershire police force area (E23000021)")
    text = county.why_no_records("Waveney", codes_seen=[], forces_seen=["Leicestershire Police"])
    assert "Suffolk police force area" in text and "files come from Leicestershire Police only" in text
    assert text.endswith("Waveney was abolished and its area is now in East Suffolk (E07000244)")


# --------------------------------------------------------------------------------------------------
# Property: the row path over dictionary indices agrees with the distinct-code path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_rows_and_distinct_codes_agree(data):
    geo = Geography.load()
    county = geo.resolve_districts(["North Yorkshire", "East Suffolk", "Rutland"])
    vintage = data.draw(st.sampled_from(["2011", "2021"]))
    pool = geo.lsoas("E06000065", vintage)[:40].tolist() + geo.lsoas("E07000244", vintage)[:40].tolist() + [
        "E01000001", "E01999999", None]
    picked = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=60))
    distinct = list(dict.fromkeys(picked))
    placed = county.placement(distinct, vintage=vintage)
    position = dict(zip(distinct, placed.table["district"], strict=True))
    rows = county.place_rows(pa.array(picked, pa.string()), None, vintage=vintage)
    assert rows.district.tolist() == [position[c] for c in picked]
    assert (rows.district >= 0).sum() == sum(c in set(geo.lsoas("E06000065", vintage)) |
                                             set(geo.lsoas("E07000244", vintage)) for c in picked)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(), st.text(alphabet=" \tAbc&-,'\u00a0\u0175\u00df"), st.sampled_from(
    ["  North   Yorkshire ", "Ynys Môn", "HINCKLEY & BOSWORTH", "Kingston upon Hull, City of"])), max_size=20))
def test_vectorised_names_equal_normalise_name(names):
    got = geography._normalised(names).tolist()
    assert got == [None if n is None else normalise_name(n) for n in names]


@pytest.mark.parametrize("lookup", ["LAD23", "LAD22"])
def test_all_districts_of_a_lookup_place_every_lsoa_of_both_vintages_once(geo, lookup):
    """No gap and no overlap: today's (or 2022's) districts receive every 2011 and 2021 LSOA exactly once."""
    codes = pq.read_table(GEO_DIR / "lads.parquet").to_pandas().query("vintage == @lookup")["code"]
    county = geo.resolve_districts([{"code": c} for c in codes])  # overlaps would raise here
    for vintage, name in (("2011", "lsoa11.parquet"), ("2021", "lsoa21.parquet")):
        lsoas = pq.read_table(GEO_DIR / name, columns=["lsoa"])["lsoa"]
        placed = county.placement(lsoas, vintage=vintage)
        assert (placed.table["district"] >= 0).all(), vintage
        assert (placed.table["vintage"] == vintage).all()


def test_all_2018_districts_place_every_2011_lsoa_and_refuse_2021_files(geo):
    codes = pq.read_table(GEO_DIR / "lads.parquet").to_pandas().query("vintage == 'LAD18'")["code"]
    county = geo.resolve_districts([{"code": c} for c in codes])
    lsoas = pq.read_table(GEO_DIR / "lsoa11.parquet", columns=["lsoa"])["lsoa"]
    assert (county.placement(lsoas).table["district"] >= 0).all()
    with pytest.raises(InputError, match="cannot be placed with 2021 LSOA codes"):
        county.placement(["E01035154"])


@pytest.mark.parametrize("sample", ["leicestershire", "leicestershire-2025", "suffolk-2025"])
def test_column_vintage_weighs_a_files_distinct_codes_and_pairs_like_file_vintage(geo, sample):
    """Ingest reads each file's vintage from its columns' dictionaries; on every shipped street file that gives the
    vintage and evidence of :meth:`Geography.file_vintage` on the file's distinct (code, name) pairs, counted here
    with ``csv``."""
    files = discover_street_files(RAW / sample / "police_uk")
    assert files
    for f in files:
        rows = csv.DictReader(io.StringIO(f.read_bytes().decode("utf-8-sig"), newline=""))
        pairs = sorted({(r["LSOA code"] or None, r["LSOA name"] or None) for r in rows}, key=str)
        table = parse_street_table(f.read_bytes(), f.label, f.month)
        expected = geo.file_vintage([c for c, _ in pairs], [n for _, n in pairs])
        assert geo.column_vintage(table["lsoa_code"], table["lsoa_name"]) == expected, f.label


def test_column_vintage_counts_each_code_once_across_rows_and_chunks(geo):
    # E01035154 exists in 2021 only, E01027664 in 2011 only; E01030152 persisted, and "Suffolk Coastal 004A" is its
    # 2011 name. The CSV reader gives a file in chunks, each with its own dictionary: a code repeated in rows and
    # chunks is one piece of evidence.
    codes = pa.chunked_array([pa.array(["E01035154", "E01035154", "E01030152"]).dictionary_encode(),
                              pa.array([None, "E01027664", "E01035154", "E01030152"]).dictionary_encode()])
    names = pa.array(["East Suffolk 014C"] * 2 + ["Suffolk Coastal 004A", None, "Harrogate 008B",
                                                    "East Suffolk 014C", "Suffolk Coastal 004A"])
    choice = geo.column_vintage(codes, names)
    assert (choice.evidence_2011, choice.evidence_2021) == (2, 1)
    assert (choice.vintage, choice.decided_by) == ("2011", "evidence")
    assert choice == geo.file_vintage(["E01035154", "E01030152", "E01027664"],
                                      ["East Suffolk 014C", "Suffolk Coastal 004A", "Harrogate 008B"])
