"""The processed cache: built once, reused without parsing CSV, rebuilt when a raw file's content changes."""

from __future__ import annotations

import os

import pytest

import csa_analysis.ingest.cache as cache_mod
from csa_analysis.config.county import read_county
from csa_analysis.ingest.counts import load_dataset

from datafactory import county_toml, make_data_dir, pick, sample_lines, tree_hashes

OCT = sample_lines("2018-10")


@pytest.fixture
def root(tmp_path):
    lines = pick(OCT, where=lambda r: r["LSOA name"].startswith("Charnwood "), n=20)
    return make_data_dir(tmp_path / "data", {"2018-10": lines}, county_toml("Charnwood"))


@pytest.fixture
def parse_calls(monkeypatch):
    calls = []
    real = cache_mod.parse_street_table

    def counting(data, label, month=None):
        calls.append(label)
        return real(data, label, month)

    monkeypatch.setattr(cache_mod, "parse_street_table", counting)
    return calls


def test_the_second_run_parses_no_csv(root, parse_calls):
    county = read_county(root)
    first = load_dataset(county)
    assert len(parse_calls) == 1
    second = load_dataset(county)
    assert len(parse_calls) == 1
    assert second.quality == first.quality
    assert second.records.equals(first.records)


def test_a_touched_but_unchanged_file_is_not_parsed_again(root, parse_calls):
    county = read_county(root)
    load_dataset(county)
    f = next((root / "police_uk").rglob("*.csv"))
    os.utime(f, ns=(1_000_000_000, 1_000_000_000))
    load_dataset(county)
    assert len(parse_calls) == 1


def test_a_changed_file_is_parsed_again(root, parse_calls):
    county = read_county(root)
    assert load_dataset(county).quality["districts"]["Charnwood"] == 20
    f = next((root / "police_uk").rglob("*.csv"))
    lines = f.read_text().splitlines()
    f.write_text("\n".join(lines[:-5]) + "\n")
    assert load_dataset(county).quality["districts"]["Charnwood"] == 15
    assert len(parse_calls) == 2


def test_the_cache_is_parquet_with_categorical_columns_and_raw_data_is_untouched(root):
    before = tree_hashes(root)
    load_dataset(read_county(root))
    cache = cache_mod.default_cache_dir()
    combined = list((cache / "incidents").glob("*.parquet"))
    assert len(combined) == 1
    import pandas as pd

    df = pd.read_parquet(combined[0])
    assert isinstance(df["issue"].dtype, pd.CategoricalDtype)
    assert tree_hashes(root) == before


def test_the_cache_keeps_parquet_dictionaries_for_repeating_text_only(tmp_path):
    lines = pick(OCT, where=lambda r: r["LSOA name"].startswith("Charnwood "), n=400)
    root = make_data_dir(tmp_path / "data", {"2018-10": lines}, county_toml("Charnwood"))
    load_dataset(read_county(root))
    (path,) = (cache_mod.default_cache_dir() / "incidents").glob("*.parquet")
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(path).metadata
    columns = {meta.row_group(0).column(i).path_in_schema: meta.row_group(0).column(i)
               for i in range(meta.num_columns)}
    # Crime IDs are unique: written plain. Locations and the categorical columns repeat: dictionary pages.
    assert not columns["crime_id"].has_dictionary_page
    assert columns["location"].has_dictionary_page
    assert all(columns[c].has_dictionary_page for c in ("month", "force", "lsoa_code", "issue", "outcome", "place"))
    assert pq.read_table(path).num_rows == 400


def _sha256(path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_input_hashes_are_each_files_sha256_whether_hashed_before_or_while_parsing(tmp_path):
    lines = {m: pick(sample_lines(m), where=lambda r: r["LSOA name"].startswith("Blaby "), n=8)
             for m in ("2018-10", "2018-11", "2018-12", "2019-01")}
    root = make_data_dir(tmp_path / "data", lines, county_toml("Blaby"))
    cache = tmp_path / "cache"
    files = sorted((root / "police_uk").rglob("*.csv"))
    expected = {f.name: _sha256(f) for f in files}

    _path, first = cache_mod.ensure_cache(root / "police_uk", cache_dir=cache)  # new paths: while parsing
    assert {i["path"].rsplit("/", 1)[1]: i["sha256"] for i in first["inputs"]} == expected
    files[1].write_text(files[1].read_text() + lines["2018-11"][0] + "\n")  # known path, new content
    expected[files[1].name] = _sha256(files[1])
    _path, second = cache_mod.ensure_cache(root / "police_uk", cache_dir=cache)  # hashed before parsing
    assert {i["path"].rsplit("/", 1)[1]: i["sha256"] for i in second["inputs"]} == expected
    assert second["rows_read"] == first["rows_read"] + 1


def test_a_bad_file_in_a_late_month_stops_the_pipeline_and_leaves_no_cache_file(tmp_path):
    from csa_analysis.errors import InputError

    lines = {m: pick(sample_lines(m), where=lambda r: r["LSOA name"].startswith("Blaby "), n=8)
             for m in ("2018-10", "2018-11", "2018-12", "2019-01", "2019-02")}
    root = make_data_dir(tmp_path / "data", lines, county_toml("Blaby"))
    bad = next((root / "police_uk").rglob("2019-01-*.csv"))
    bad.write_text(bad.read_text().replace("2019-01,", "2019-13,", 1))
    cache = tmp_path / "cache"
    with pytest.raises(InputError) as err:
        cache_mod.ensure_cache(root / "police_uk", cache_dir=cache)
    assert "2019-01-leicestershire-street.csv" in str(err.value) and "row 2" in str(err.value)
    assert list((cache / "incidents").iterdir()) == []
