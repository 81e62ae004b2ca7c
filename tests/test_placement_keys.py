"""Placement keys fixed at ingest (issue 17): each row's key, computed once per file when the cache is built, places
it exactly as placing the row itself by code, name and file vintage would, for any county; and scoring, the
record-level dataset and the kept answers (``placements/``, the cache's per-column checks) agree with that.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from csa_analysis.config import read_county
from csa_analysis.errors import InputError
from csa_analysis.ingest import place as place_mod
from csa_analysis.ingest.cache import ensure_cache, key_counts_path
from csa_analysis.ingest.counts import arrow_monthly_counts, load_dataset
from csa_analysis.ingest.geography import METHODS, Geography
from csa_analysis.ingest.place import COUNT_COLUMNS, county_districts, file_vintages
from csa_analysis.paths import CURRENT_SAMPLE_DIR, REFERENCE_DIR, SAMPLE_DATA_DIR, SUFFOLK_SAMPLE_DIR

GEOGRAPHY = REFERENCE_DIR / "geography"

#: Counties around the 2019 and 2023 reorganisations: successors, the districts they replaced (2011 files only),
#: districts a best-fit lookup moves LSOAs between (Scarborough, Ryedale), and a county with aliases.
COUNTIES = {
    "suffolk": (["East Suffolk", "West Suffolk", "Babergh", "Ipswich", "Mid Suffolk"], ("2011", "2021")),
    "north yorkshire": (["North Yorkshire", "York"], ("2011", "2021")),
    "before 2019": (["Suffolk Coastal", "Waveney", "Forest Heath"], ("2011",)),
    "before 2023": (["Scarborough", "Ryedale", "Harrogate", "Craven"], ("2011", "2021")),
    "cumbria": ([{"name": "Cumberland", "aliases": ["Carlisle City"]}, "Westmorland and Furness"], ("2011", "2021")),
}


def mixed_rows(seed: int, n: int = 6000) -> tuple[pa.Array, pa.Array]:
    """LSOA codes and names as police.uk files hold them, and as they go wrong: codes of either vintage with the
    names of either vintage, codes in no lookup (with and without a name), blank codes with a name, both
    blank, lower case and padded codes, names of abolished districts and names of no district."""
    rng = np.random.default_rng(seed)
    l11 = pq.read_table(GEOGRAPHY / "lsoa11.parquet", columns=["lsoa", "lsoa_name"]).to_pandas()
    l21 = pq.read_table(GEOGRAPHY / "lsoa21.parquet", columns=["lsoa", "lsoa_name"]).to_pandas()
    # weight the north and Suffolk, where the reorganisations are
    pool = pd.concat([l11, l21], ignore_index=True).astype(str)
    near = pool["lsoa_name"].str.match(r"(Suffolk|Waveney|Babergh|Ipswich|Mid Suffolk|East Suffolk|West Suffolk|"
                                       r"Forest Heath|St Edmundsbury|Harrogate|Craven|Scarborough|Ryedale|York|"
                                       r"Selby|Hambleton|Richmondshire|Allerdale|Carlisle|Copeland|Eden|"
                                       r"South Lakeland|Barrow)")
    picked = pd.concat([pool[near].sample(n // 2, random_state=seed, replace=True),
                        pool.sample(n // 4, random_state=seed + 1)], ignore_index=True)
    codes = picked["lsoa"].to_numpy(dtype=object)
    names = picked["lsoa_name"].to_numpy(dtype=object)
    swap = rng.random(len(names)) < 0.3  # a name of another LSOA: of the other vintage, or elsewhere
    names[swap] = rng.permutation(names[swap])
    m = len(codes)
    extra_codes = np.array(["E01999999", "W01999998", None, None, "", "  ", " e01027678 ", "x"], dtype=object)
    extra_names = np.array(["Waveney 001A", None, "Harrogate 015E", "Narnia 001A", "Carlisle City 002B", None,
                            None, "Scarborough 014E"], dtype=object)
    k = n - m
    pick = rng.integers(0, len(extra_codes), k)
    codes = np.concatenate([codes, extra_codes[pick]])
    names = np.concatenate([names, extra_names[rng.integers(0, len(extra_names), k)]])
    blank = rng.random(len(names)) < 0.05
    names[blank] = rng.choice(np.array([None, "", " "], dtype=object), blank.sum())
    return (pa.array(codes, pa.string()).dictionary_encode(), pa.array(names, pa.string()).dictionary_encode())


@pytest.mark.parametrize("county", list(COUNTIES))
@pytest.mark.parametrize("seed", [1, 2])
def test_a_rows_placement_key_places_it_as_placing_the_row_itself_does(county, seed):
    geo = Geography.load()
    districts, vintages = COUNTIES[county]
    resolved = geo.resolve_districts(districts)
    for vintage in vintages:
        codes, names = mixed_rows(seed)
        files = pa.array([f"{vintage}-file"] * len(codes))
        rows = resolved.place_rows(codes, names, files, vintage={f"{vintage}-file": vintage})
        keys = geo.place_keys(codes, names, vintage)
        placed = resolved.place_keys(keys.dictionary.to_pylist())
        index = keys.indices.to_numpy()
        assert np.array_equal(placed["district"].to_numpy()[index], rows.district.astype(np.int64))
        assert np.array_equal(placed["method"].to_numpy()[index], np.asarray(rows.method.codes))
        expected_area = np.asarray(rows.area.astype(object))
        got_area = placed["area"].to_numpy(dtype=object)[index]
        assert [None if pd.isna(a) else str(a) for a in got_area] == \
            [None if pd.isna(a) else str(a) for a in expected_area]
        assert set(placed["vintage"]) == {vintage}
        assert len(keys.dictionary) < 1500  # a few hundred cells, names and odd codes, not thousands of LSOAs


def test_the_keys_of_a_2021_file_refuse_a_district_abolished_before_2022():
    geo = Geography.load()
    resolved = geo.resolve_districts(["Waveney"])
    keys = geo.place_keys(pa.array(["E01030152"]), pa.array(["East Suffolk 019A"]), "2021")
    placed = resolved.place_keys(keys.dictionary.to_pylist())
    assert placed["vintage"].tolist() == ["2021"]
    with pytest.raises(InputError, match="Waveney .* cannot be placed with 2021 LSOA codes"):
        resolved.check_vintages({"2025-01-suffolk.csv": "2021"})


def _counts_row_by_row(data, cache):
    """Counts and placement per district from placing every cached row by code, name and its file's vintage."""
    county = read_county(data)
    path, account = ensure_cache(county.police_uk, cache_dir=cache)
    t = pq.read_table(path, columns=["source", "lsoa_code", "lsoa_name", "issue", "month"])
    rows = county_districts(county).place_rows(t["lsoa_code"], t["lsoa_name"], t["source"],
                                                vintage=file_vintages(account))
    frame = pd.DataFrame({"district": rows.district, "issue": t["issue"].to_numpy().astype(str),
                          "month": t["month"].to_numpy().astype(str)})
    frame = frame[frame["district"] >= 0]
    frame["district"] = np.asarray(county.district_names, dtype=object)[frame["district"]]
    counts = frame.groupby(["district", "issue", "month"]).size().rename("count").reset_index()
    return counts, rows.counts(county.district_names)


@pytest.mark.parametrize("data", [SUFFOLK_SAMPLE_DIR, CURRENT_SAMPLE_DIR, SAMPLE_DATA_DIR],
                         ids=["suffolk-2025", "leicestershire-2025", "leicestershire-2018"])
def test_counting_on_placement_keys_equals_placing_every_row(tmp_path, data):
    cache = tmp_path / "cache"
    expected, per_district = _counts_row_by_row(data, cache)
    county = read_county(data)
    counts, _account, quality = arrow_monthly_counts(county, cache_dir=cache)
    assert list(counts.columns) == list(COUNT_COLUMNS)
    got = counts.assign(district=counts["district"].astype(str), issue=counts["issue"].astype(str))
    got = got[got["count"] > 0].sort_values(["district", "issue", "month"], ignore_index=True)
    expected = expected.sort_values(["district", "issue", "month"], ignore_index=True)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    assert quality["placed_by_code"]["districts"] == per_district["by_code"].to_dict()
    assert quality["placed_by_name"]["districts"] == per_district["by_name"].to_dict()
    records = load_dataset(county, cache_dir=cache, columns=["lsoa_code"])
    assert records.quality == quality
    assert records.records.groupby("district", observed=False).size().to_dict() == per_district["total"].to_dict()


def test_a_countys_districts_for_the_keys_are_kept_and_used_without_the_lookups(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    county = read_county(SUFFOLK_SAMPLE_DIR)
    counts, _, quality = arrow_monthly_counts(county, cache_dir=cache)
    kept = list((cache / "placements").glob("*.json"))
    assert len(kept) == 1

    def no_lookups(*_args, **_kwargs):
        raise AssertionError("the lookups were read although the answer was kept")

    monkeypatch.setattr(place_mod, "county_districts", no_lookups)
    again, _, quality_again = arrow_monthly_counts(county, cache_dir=cache)
    pd.testing.assert_frame_equal(again, counts)
    assert quality_again == quality
    monkeypatch.undo()

    # a damaged file is placed afresh (and written again); another county's districts get their own file
    kept[0].write_text("{not json", encoding="utf-8")
    again, _, _ = arrow_monthly_counts(county, cache_dir=cache)
    pd.testing.assert_frame_equal(again, counts)
    assert json.loads(kept[0].read_text(encoding="utf-8"))["keys"]
    keys = json.loads(kept[0].read_text(encoding="utf-8"))["keys"]
    fewer = dataclasses.replace(county, districts=county.districts[:2])
    placed, _ = place_mod._key_districts(keys, fewer, cache / "placements")
    assert len(list((cache / "placements").glob("*.json"))) == 2
    assert set(placed["district"]) <= {-1, 0, 1}


def test_counting_verifies_the_columns_it_reads_and_the_record_level_load_every_column(tmp_path):
    cache = tmp_path / "cache"
    county = read_county(SAMPLE_DATA_DIR)
    path, account = ensure_cache(county.police_uk, cache_dir=cache)
    segments = account["parquet"]["segments"]
    assert [s[0] for s in segments] == sorted(s[0] for s in segments)
    assert sum(s[1] for s in segments) == path.stat().st_size  # the ranges cover the file, in order
    good = path.read_bytes()

    def damaged(column: str) -> bytes:
        start, length = next((s[0], s[1]) for s in segments if s[3] == column)
        out = bytearray(good)
        for i in range(start + length // 2, start + length // 2 + 8):
            out[i] ^= 0xFF
        return bytes(out)

    path.write_bytes(damaged("location"))  # a column counting never reads
    assert ensure_cache(county.police_uk, cache_dir=cache, columns=["place", "issue", "month"])[0].read_bytes() \
        != good
    assert ensure_cache(county.police_uk, cache_dir=cache)[0].read_bytes() == good  # all columns: rebuilt
    counts, _, _ = arrow_monthly_counts(county, cache_dir=cache)
    path.write_bytes(damaged("place"))
    again, _, _ = arrow_monthly_counts(county, cache_dir=cache)  # from the key counts: no column read
    pd.testing.assert_frame_equal(again, counts)
    key_counts_path(path).unlink()
    again, _, _ = arrow_monthly_counts(county, cache_dir=cache)  # counting the column: checked, so rebuilt first
    assert path.read_bytes() == good
    pd.testing.assert_frame_equal(again, counts)


def test_the_placement_key_is_a_dictionary_column_of_the_cache(tmp_path):
    county = read_county(CURRENT_SAMPLE_DIR)
    path, _ = ensure_cache(county.police_uk, cache_dir=tmp_path / "cache")
    column = pq.read_table(path, columns=["place"])["place"]
    assert pa.types.is_dictionary(column.type)
    keys = set(column.unique().cast(pa.string()).to_pylist()) if not pa.types.is_dictionary(
        column.unique().type) else set(column.unique().dictionary_decode().to_pylist())
    assert all(k.split("|")[0] == "2021" for k in keys)
    assert any(k.split("|")[1] == "2021" for k in keys)
    assert METHODS == ("code", "name", "no_lsoa")


@pytest.mark.parametrize("damage", ["removed", "edited"])
def test_the_key_counts_kept_with_the_cache_equal_counting_the_incidents(tmp_path, damage):
    cache = tmp_path / "cache"
    county = read_county(SUFFOLK_SAMPLE_DIR)
    counts, account, quality = arrow_monthly_counts(county, cache_dir=cache)
    path, _ = ensure_cache(county.police_uk, cache_dir=cache)
    kept = key_counts_path(path)
    assert pq.read_table(kept)["n"].to_numpy().sum() == len(pq.read_table(path, columns=["place"]))
    if damage == "removed":
        kept.unlink()
    else:
        data = bytearray(kept.read_bytes())
        data[len(data) // 2] ^= 0xFF
        kept.write_bytes(bytes(data))
    again, _, quality_again = arrow_monthly_counts(county, cache_dir=cache)  # counted from the incidents
    pd.testing.assert_frame_equal(again, counts)
    assert quality_again == quality
