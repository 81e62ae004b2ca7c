"""Every quirk of real police.uk files, on real rows from the sample."""

from __future__ import annotations

import shutil
import zipfile

import pytest

from csa_analysis.config.county import read_county
from csa_analysis.errors import InputError
from csa_analysis.ingest.counts import load_dataset
from csa_analysis.ingest.parse import parse_street_file

import datafactory
from datafactory import HEADER, county_toml, pick, sample_lines, write_street

OCT = sample_lines("2018-10")
NOV = sample_lines("2018-11")


def charnwood(row):
    return row["LSOA name"].startswith("Charnwood ")


def crime(row):
    return bool(row["Crime ID"])


def asb(row):
    return row["Crime type"] == "Anti-social behaviour"


CHARNWOOD = county_toml("Charnwood")


def make_data_dir(root, files, toml=CHARNWOOD):
    """A data folder whose county is Charnwood alone (most tests pick Charnwood rows only)."""
    return datafactory.make_data_dir(root, files, toml)


def load(root):
    return load_dataset(read_county(root))


class TestAntiSocialBehaviour:
    def test_identical_asb_rows_each_count(self, tmp_path):
        line = pick(OCT, where=lambda r: asb(r) and charnwood(r))[0]
        ds = load(make_data_dir(tmp_path, {"2018-10": [line, line, line]}))
        assert len(ds.records) == 3
        assert ds.quality["duplicates_dropped"] == 0
        assert ds.records["crime_id"].isna().all()
        assert ds.records["outcome"].isna().all()


class TestCrimeIdDuplicates:
    def test_a_repeated_crime_id_counts_once_in_its_earliest_month(self, tmp_path):
        line = pick(OCT, where=lambda r: crime(r) and charnwood(r))[0]
        later = line.replace(",2018-10,", ",2018-11,", 1)
        other = pick(NOV, where=lambda r: crime(r) and charnwood(r))[0]
        # the later copy is listed in a file that sorts first on disk too: order must not matter
        ds = load(make_data_dir(tmp_path, {"2018-11": [later, other], "2018-10": [line]}))
        assert ds.quality["duplicates_dropped"] == 1
        assert len(ds.records) == 2
        cid = line.split(",", 1)[0]
        kept = ds.records[ds.records["crime_id"] == cid]
        assert kept["month"].tolist() == ["2018-10"]

    def test_a_crime_id_repeated_within_one_file_counts_once(self, tmp_path):
        line = pick(OCT, where=lambda r: crime(r) and charnwood(r))[0]
        ds = load(make_data_dir(tmp_path, {"2018-10": [line, line]}))
        assert (len(ds.records), ds.quality["duplicates_dropped"]) == (1, 1)


class TestPlacement:
    def test_no_location_rows_are_unallocated_not_dropped(self, tmp_path):
        lines = pick(OCT, where=lambda r: r["Location"] == "No Location", n=2)
        lines += pick(OCT, where=charnwood)
        ds = load(make_data_dir(tmp_path, {"2018-10": lines}))
        assert ds.quality["unallocated"] == 2
        assert len(ds.unallocated) == 2
        assert ds.quality["districts"]["Charnwood"] == 1
        assert ds.quality["rows_read"] == 3

    def test_districts_outside_the_county_are_out_of_area_and_never_new_districts(self, tmp_path):
        lines = pick(OCT, where=lambda r: r["LSOA name"].startswith("Leicester "), n=3)
        lines += pick(OCT, where=lambda r: r["LSOA name"].startswith("South Derbyshire "))
        lines += pick(OCT, where=charnwood)
        lines += pick(OCT, where=lambda r: r["LSOA name"].startswith("Blaby "))
        lines += pick(OCT, where=lambda r: r["LSOA name"].startswith("Hinckley and Bosworth "))
        three = county_toml("Charnwood", "Blaby", "Hinckley and Bosworth")
        ds = load(make_data_dir(tmp_path, {"2018-10": lines}, three))
        assert ds.quality["out_of_area"] == 4
        assert ds.quality["out_of_area_by_area"] == {"Leicester": 3, "South Derbyshire": 1}
        assert list(ds.records["district"].cat.categories) == [
            "Charnwood", "Blaby", "Hinckley and Bosworth"]
        assert sum(ds.quality["districts"].values()) == 3 and ds.quality["districts"]["Charnwood"] == 1

    def test_an_lsoa_name_spelled_differently_is_placed_through_an_alias(self, tmp_path):
        line, other = pick(OCT, where=lambda r: r["LSOA name"].startswith("Hinckley and Bosworth "), n=2)
        odd = other.replace("Hinckley and Bosworth ", "Hinckley & Bosworth ")
        ds = load(make_data_dir(tmp_path, {"2018-10": [odd, line]}, county_toml("Hinckley and Bosworth")))
        assert ds.quality["districts"]["Hinckley and Bosworth"] == 2
        assert ds.quality["out_of_area"] == 0

    def test_quoted_locations_with_commas_keep_all_fields(self, tmp_path):
        line = pick(OCT, where=lambda r: "," in r["Location"] and charnwood(r))[0]
        ds = load(make_data_dir(tmp_path, {"2018-10": [line]}))
        rec = ds.records.iloc[0]
        assert "," in rec["location"]
        assert rec["district"] == "Charnwood"
        assert rec["lsoa_name"].startswith("Charnwood ")

    def test_coordinates_outside_great_britain_become_no_location(self, tmp_path):
        line = pick(OCT, where=lambda r: crime(r) and charnwood(r))[0]
        f = line.split(",")
        f[4], f[5] = "-70.123456", "12.345678"  # Caribbean: a geocoding error
        ds = load(make_data_dir(tmp_path, {"2018-10": [",".join(f)]}))
        rec = ds.records.iloc[0]
        assert rec["longitude"] != rec["longitude"]  # NaN
        assert ds.quality["coordinates_outside_gb"] == 1
        assert rec["district"] == "Charnwood"  # still placed by its LSOA


class TestMonthsAndFiles:
    def test_an_identical_re_download_of_a_month_counts_once(self, tmp_path):
        lines = pick(OCT, where=charnwood, n=5)
        root = make_data_dir(tmp_path, {"2018-10": lines})
        copy = root / "police_uk" / "again" / "2018-10" / "2018-10-leicestershire-street.csv"
        copy.parent.mkdir(parents=True)
        shutil.copy(root / "police_uk" / "2018-10" / "2018-10-leicestershire-street.csv", copy)
        ds = load(root)
        assert len(ds.records) == 5
        assert ds.quality["repeated_file_rows"] == 5
        assert ds.quality["rows_read"] == 10

    def test_two_different_copies_of_a_month_are_refused_naming_both(self, tmp_path):
        lines = pick(OCT, where=charnwood, n=5)
        root = make_data_dir(tmp_path, {"2018-10": lines})
        other = tmp_path / "police_uk" / "again"
        write_street(other.parent.parent / "x", "2018-10", lines[:4])
        shutil.move(str(tmp_path / "x" / "police_uk" / "2018-10"), str(other))
        with pytest.raises(InputError) as err:
            load(root)
        msg = str(err.value)
        assert "2018-10" in msg and "different contents" in msg
        assert "again/2018-10-leicestershire-street.csv" in msg

    def test_the_downloaded_zip_reads_like_the_folder(self, tmp_path):
        lines = {"2018-10": pick(OCT, where=charnwood, n=4), "2018-11": pick(NOV, where=charnwood, n=3)}
        folder = make_data_dir(tmp_path / "folder", lines)
        zipped = make_data_dir(tmp_path / "zipped", {})
        (zipped / "police_uk").mkdir()
        with zipfile.ZipFile(zipped / "police_uk" / "download.zip", "w") as zf:
            for p in sorted((folder / "police_uk").rglob("*.csv")):
                zf.write(p, p.relative_to(folder / "police_uk").as_posix())
            zf.writestr("2018-10/2018-10-leicestershire-outcomes.csv", "ignored")
        a, b = load(folder), load(zipped)
        assert a.quality["districts"] == b.quality["districts"] == {"Charnwood": 7}
        assert b.months == ["2018-10", "2018-11"]

    def test_police_uk_may_point_at_a_zip_file(self, tmp_path):
        src = make_data_dir(tmp_path / "src", {"2018-10": pick(OCT, where=charnwood, n=2)})
        root = make_data_dir(tmp_path / "root", {}, toml=(src / "county.toml").read_text().replace(
            'police_uk = "police_uk"', 'police_uk = "download.zip"'))
        with zipfile.ZipFile(root / "download.zip", "w") as zf:
            zf.write(src / "police_uk/2018-10/2018-10-leicestershire-street.csv",
                     "2018-10/2018-10-leicestershire-street.csv")
        assert load(root).quality["districts"]["Charnwood"] == 2

    def test_several_forces_are_read_together(self, tmp_path):
        root = make_data_dir(tmp_path, {"2018-10": pick(OCT, where=charnwood, n=2)}, county_toml("Charnwood", "Blaby"))
        border = pick(OCT, where=lambda r: crime(r) and r["LSOA name"].startswith("Blaby "))[0]
        border = border.replace("Leicestershire Police", "Warwickshire Police")
        write_street(root, "2018-10", [border], force="warwickshire")
        ds = load(root)
        assert ds.quality["districts"] == {"Charnwood": 2, "Blaby": 1}
        assert set(ds.records["force"].astype(str)) == {"Leicestershire Police", "Warwickshire Police"}
        assert ds.quality["files"] == 2


def test_a_real_file_parses_to_its_row_count_with_blank_crime_ids_as_missing():
    from datafactory import SAMPLE_POLICE

    data = (SAMPLE_POLICE / "2018-10" / "2018-10-leicestershire-street.csv").read_bytes()
    df = parse_street_file(data, "2018-10.csv", "2018-10")
    assert len(df) == 8_956
    assert df["crime_id"].isna().sum() == sum(1 for line in OCT if line.startswith(","))
    assert HEADER.count(",") == 11
