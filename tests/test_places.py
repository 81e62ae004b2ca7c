"""Where: hotspots, repeat locations and the density grid, back-tested against the csv module on real rows."""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from csa_analysis.config import read_county
from csa_analysis.domain.periods import Quarter
from csa_analysis.ingest.counts import load_dataset
from csa_analysis.method import places

from datafactory import SAMPLE_DIR
from placefactory import COUNTY_DISTRICTS, Q3_MONTHS, csv_rows, sample_records

Q3 = Quarter.parse("2018-19Q3")
TOP = 10


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return sample_records()


# --------------------------------------------------------------------------------------------------
# Independent counts: csv module only, straight from the raw files


def _norm(text: str) -> str:
    return " ".join(text.split())


def _excluded(text: str) -> bool:
    t = _norm(text).casefold()
    return t in ("", "no location", "on or near")


@pytest.fixture(scope="module")
def csv_q3():
    """Per (district, issue): Counter of LSOA codes, of map points, of location texts; and totals."""
    lsoa: dict[tuple[str, str], Counter] = defaultdict(Counter)
    point: dict[tuple[str, str], Counter] = defaultdict(Counter)
    text: dict[tuple[str, str], Counter] = defaultdict(Counter)
    names: dict[str, str] = {}
    seen_ids: set[str] = set()
    for row in csv_rows(Q3_MONTHS):
        if row["district"] is None:
            continue
        crime_id = row["Crime ID"]
        if crime_id:  # a Crime ID counts once, in its first row (none repeat in the sample, but be exact)
            if crime_id in seen_ids:
                continue
            seen_ids.add(crime_id)
        key = (row["district"], row["Crime type"])
        lsoa[key][row["LSOA code"]] += 1
        names[row["LSOA code"]] = row["LSOA name"]
        if not _excluded(row["Location"]):
            text[key][_norm(row["Location"])] += 1
            if row["Longitude"] and row["Latitude"]:
                point[key][(_norm(row["Location"]), row["LSOA name"], float(row["Latitude"]),
                            float(row["Longitude"]))] += 1
    return {"lsoa": lsoa, "point": point, "text": text, "names": names}


def _expected_top(counter: Counter, top: int = TOP) -> list[tuple[object, int, int]]:
    """(place, count, shared rank) of the top places: most first, ties by place ascending."""
    ordered = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    shared, out = 0, []
    for i, (place, n) in enumerate(ordered, start=1):
        if i == 1 or n != ordered[i - 2][1]:
            shared = i
        out.append((place, n, shared))
    return out


def _ties(expected: dict) -> int:
    return sum(len({r for _, _, r in rows}) < len(rows) for rows in expected.values())


class TestBackTestAgainstCsv:
    """2018-19 Q3 (October-December 2018): every district x issue, ties included."""

    def test_hotspot_lsoas_match_the_csv_count_for_every_district_and_issue(self, records, csv_q3):
        got = places.hotspots(records, Q3, top=TOP)
        expected = {k: _expected_top(c) for k, c in csv_q3["lsoa"].items()}
        assert _ties(expected) >= 20, "the back-test must cover tied counts"
        assert {(d, i) for d, i in expected} == set(zip(got["district"].astype(str), got["issue"].astype(str),
                                                        strict=True))
        for (district, issue), rows in expected.items():
            g = got[(got["district"] == district) & (got["issue"] == issue)]
            assert list(zip(g["place_code"], g["count"], g["rank_shared"], strict=True)) == rows, (district, issue)
            assert g["rank"].tolist() == list(range(1, len(rows) + 1))
            assert g["place_name"].tolist() == [csv_q3["names"][code] for code, _, _ in rows]
            total = sum(csv_q3["lsoa"][(district, issue)].values())
            assert (g["district_issue_count"] == total).all()
            assert np.allclose(g["share"], g["count"] / total)

    @pytest.mark.parametrize(("district", "issue"), [
        ("Charnwood", "Burglary"), ("Melton", "Shoplifting"), ("Oadby and Wigston", "Vehicle crime"),
        ("Hinckley and Bosworth", "Anti-social behaviour"), ("Blaby", "Drugs"),
    ])
    def test_named_cases_including_ties_at_the_cut_off(self, records, csv_q3, district, issue):
        every = places.hotspots(records, Q3, top=None)
        g = every[(every["district"] == district) & (every["issue"] == issue)]
        counter = csv_q3["lsoa"][(district, issue)]
        assert len(g) == len(counter)
        assert dict(zip(g["place_code"], g["count"], strict=True)) == dict(counter)
        cut = places.hotspots(records, Q3, top=3)
        c = cut[(cut["district"] == district) & (cut["issue"] == issue)]
        assert list(zip(c["place_code"], c["count"], strict=True)) == [(p, n) for p, n, _ in
                                                                      _expected_top(counter, 3)]

    def test_repeat_locations_per_map_point_match_the_csv_count(self, records, csv_q3):
        got = places.repeat_locations(records, Q3, top=TOP)
        expected = {k: _expected_top(c) for k, c in csv_q3["point"].items()}
        assert _ties(expected) >= 20
        for (district, issue), rows in expected.items():
            g = got[(got["district"] == district) & (got["issue"] == issue)]
            have = list(zip(zip(g["place_name"], g["lsoa_name"], g["latitude"], g["longitude"], strict=True),
                            g["count"], g["rank_shared"], strict=True))
            assert have == rows, (district, issue)
            assert g["place_code"].isna().all() and g["population"].isna().all()

    def test_repeat_locations_per_text_match_the_csv_count(self, records, csv_q3):
        got = places.repeat_locations(records, Q3, top=TOP, key="string")
        for (district, issue), counter in csv_q3["text"].items():
            g = got[(got["district"] == district) & (got["issue"] == issue)]
            assert list(zip(g["place_name"], g["count"], g["rank_shared"], strict=True)) == _expected_top(counter)
            assert g["longitude"].isna().all()

    def test_generic_place_names_stay_apart_by_map_point(self, records):
        """"On or near Supermarket" names many map points: per point they are separate rows."""
        by_point = places.repeat_locations(records, Q3, top=None)
        by_text = places.repeat_locations(records, Q3, top=None, key="string")
        sel = lambda t: t[(t["district"] == "Charnwood") & (t["issue"] == "Shoplifting")  # noqa: E731
                          & (t["place_name"] == "On or near Supermarket")]
        assert len(sel(by_point)) > 1
        assert sel(by_point)["count"].sum() == sel(by_text)["count"].iloc[0]


class TestInputs:
    def test_records_from_the_project_loader_give_the_same_table(self, records):
        loaded = load_dataset(read_county(SAMPLE_DIR)).records
        a = places.hotspots_table(loaded, Q3)
        b = places.hotspots_table(records, Q3)
        pd.testing.assert_frame_equal(a, b)

    def test_a_pyarrow_table_gives_the_same_table(self, records):
        table = pa.Table.from_pandas(records, preserve_index=False)
        pd.testing.assert_frame_equal(places.hotspots_table(table, Q3), places.hotspots_table(records, Q3))

    def test_row_order_does_not_change_the_result(self, records):
        shuffled = records.sample(frac=1.0, random_state=7).reset_index(drop=True)
        pd.testing.assert_frame_equal(places.hotspots_table(shuffled, Q3), places.hotspots_table(records, Q3))

    def test_period_forms_agree(self, records):
        a = places.hotspots(records, Q3)
        b = places.hotspots(records, "2018-19Q3")
        c = places.hotspots(records, Q3_MONTHS)
        pd.testing.assert_frame_equal(a, b)
        pd.testing.assert_frame_equal(a.drop(columns="period"), c.drop(columns="period"))
        assert c["period"].iloc[0] == "2018-10 to 2018-12"

    def test_other_months_are_not_counted(self, records):
        got = places.hotspots(records, ["2019-01"], top=None)
        assert got.groupby(["district", "issue"], observed=True)["count"].sum().sum() == (
            records["month"] == "2019-01").sum()


class TestHotspotsTable:
    def test_columns_order_and_types(self, records):
        t = places.hotspots_table(records, Q3)
        assert tuple(t.columns) == places.HOTSPOT_COLUMNS
        assert t["place_type"].unique().tolist() == ["lsoa", "location"]
        assert t["share"].between(0, 1).all()
        assert t["count"].dtype == "int64" and t["rank"].dtype == "int64"
        assert t["population"].isna().all() and t["rate_per_1000"].isna().all()  # blank, never 0
        keys = t["district"].cat.codes.to_numpy() * 100 + t["issue"].cat.codes.to_numpy()
        assert (np.diff(keys) >= 0).all()

    def test_rate_per_1000_from_a_population_and_blank_where_none(self, records):
        got = places.hotspots(records, Q3, top=None)
        codes = got["place_code"].unique()
        pop = pd.Series(1500.0, index=codes[::2])  # half the LSOAs have a population
        pop.iloc[0] = 0.0                            # and one has none worth dividing by
        rated = places.hotspots(records, Q3, top=None, population=pop)
        has = rated["place_code"].isin(pop.index[1:])
        assert np.allclose(rated.loc[has, "rate_per_1000"], rated.loc[has, "count"] / 1500 * 1000)
        assert rated.loc[~has, "rate_per_1000"].isna().all()
        assert rated.loc[rated["place_code"] == pop.index[0], "rate_per_1000"].isna().all()
        assert (rated.loc[has, "population"] == 1500).all()

    def test_population_given_twice_for_an_lsoa_is_refused(self, records):
        pop = pd.DataFrame({"lsoa_code": ["E01025631", "E01025631"], "population": [1, 2]})
        with pytest.raises(ValueError, match="more than once"):
            places.hotspots(records, Q3, population=pop)


@pytest.fixture(scope="module")
def wards(records) -> pd.DataFrame:
    """A test ward lookup built from the sample's own LSOAs: the LSOAs of one "NNN" area form a ward."""
    lsoas = records[["lsoa_code", "lsoa_name"]].astype("str").drop_duplicates()
    stem = lsoas["lsoa_name"].str.slice(0, -1)
    return pd.DataFrame({"lsoa_code": lsoas["lsoa_code"], "ward_code": "W-" + stem, "ward_name": stem + " ward"})


class TestWards:
    def test_ward_counts_are_the_sums_of_their_lsoas(self, records, wards):
        lsoa = places.hotspots(records, Q3, top=None)
        ward = places.hotspots(records, Q3, place="ward", wards=wards, top=None)
        lsoa = lsoa.assign(ward=lsoa["place_code"].map(wards.set_index("lsoa_code")["ward_code"]))
        expected = lsoa.groupby(["district", "issue", "ward"], observed=True)["count"].sum()
        got = ward.set_index(["district", "issue", "place_code"])["count"]
        got.index.names = expected.index.names
        pd.testing.assert_series_equal(got.sort_index(), expected.sort_index(), check_names=False)
        assert (ward["place_name"] == ward["place_code"].str.slice(2) + " ward").all()
        assert ward["lsoa_name"].isna().all()

    def test_an_lsoa_missing_from_the_lookup_is_counted_not_ranked(self, records, wards):
        gone = wards.iloc[5:]
        ward = places.hotspots(records, Q3, place="ward", wards=gone, top=None)
        gaps = places.ward_lookup_gaps(records, Q3, gone)
        q3 = records[records["month"].isin(Q3_MONTHS)]
        assert gaps["count"].sum() == q3["lsoa_code"].isin(wards["lsoa_code"].iloc[:5]).sum() > 0
        assert ward["count"].sum() + gaps["count"].sum() == len(q3)
        whole = places.hotspots(records, Q3, top=None)
        t = ward.drop_duplicates(["district", "issue"]).merge(
            whole.drop_duplicates(["district", "issue"]), on=["district", "issue"])
        assert (t["district_issue_count_x"] == t["district_issue_count_y"]).all()

    def test_ward_population_is_blank_unless_every_lsoa_has_one(self, records, wards):
        pop = pd.Series(1000.0, index=wards["lsoa_code"].iloc[1:])
        wp = places.ward_population(wards, pop)
        first_ward = wards["ward_code"].iloc[0]
        assert np.isnan(wp[first_ward])
        sizes = wards.groupby("ward_code").size()
        full = sizes.index[sizes.index != first_ward]
        assert np.allclose(wp[full], sizes[full] * 1000)
        ward = places.hotspots(records, Q3, place="ward", wards=wards, population=pop, top=None)
        assert ward.loc[ward["place_code"] == first_ward, "rate_per_1000"].isna().all()

    def test_an_lsoa_in_two_wards_is_refused(self, records, wards):
        bad = pd.concat([wards, wards.iloc[:1].assign(ward_code="W-other")])
        with pytest.raises(ValueError, match="more than one ward"):
            places.hotspots(records, Q3, place="ward", wards=bad)

    def test_ward_hotspots_need_a_lookup(self, records):
        with pytest.raises(ValueError, match="wards="):
            places.hotspots(records, Q3, place="ward")


class TestExclusions:
    @pytest.fixture
    def edited(self, records):
        """Real Charnwood shoplifting rows of October 2018, some locations made blank or bare."""
        r = records[(records["month"] == "2018-10") & (records["district"] == "Charnwood")
                    & (records["issue"] == "Shoplifting")].reset_index(drop=True).copy()
        r.loc[0, "location"] = "No Location"
        r.loc[1, "location"] = "On or near "
        r.loc[2, "location"] = "   "
        r.loc[3, "location"] = None
        r.loc[4, "location"] = "no location"
        r.loc[5, ["longitude", "latitude"]] = np.nan
        r.loc[6, ["lsoa_name", "longitude", "latitude"]] = r.loc[7, ["lsoa_name", "longitude", "latitude"]]
        r.loc[6, "location"] = "  " + r.loc[7, "location"].replace(" ", "  ") + " "  # the same map point
        return r

    def test_each_reason_is_counted(self, edited):
        ex = places.location_exclusions(edited, "2018-10")
        assert dict(zip(ex["reason"], ex["count"], strict=True)) == {
            "blank": 2, "no_location": 2, "no_street": 1, "no_map_point": 1}
        assert set(ex["description"]) == {places.EXCLUSION_REASONS[r] for r in ex["reason"]}
        by_text = places.location_exclusions(edited, "2018-10", key="string")
        assert "no_map_point" not in set(by_text["reason"])

    def test_excluded_rows_are_not_ranked_but_stay_in_the_denominator(self, edited):
        got = places.repeat_locations(edited, "2018-10", top=None)
        assert got["count"].sum() == len(edited) - 6
        assert (got["district_issue_count"] == len(edited)).all()
        assert not got["place_name"].str.casefold().isin(["no location", "on or near", ""]).any()

    def test_white_space_is_normalised_before_counting(self, edited):
        got = places.repeat_locations(edited, "2018-10", top=None)
        target = " ".join(edited.loc[7, "location"].split())
        row = got[(got["place_name"] == target) & np.isclose(got["latitude"], edited.loc[7, "latitude"])
                  & np.isclose(got["longitude"], edited.loc[7, "longitude"])]
        same = edited["location"].str.split().str.join(" ").eq(target) & np.isclose(
            edited["latitude"], edited.loc[7, "latitude"]) & np.isclose(edited["longitude"], edited.loc[7, "longitude"])
        assert len(row) == 1 and row["count"].iloc[0] == same.sum() >= 2
        assert edited.loc[6, "location"] != edited.loc[7, "location"]


@pytest.fixture(scope="module")
def grid(records) -> places.DensityGrid:
    return places.density_grid(records, Q3, district="Charnwood")


class TestDensityGrid:
    def _selection(self, records):
        return records[(records["district"] == "Charnwood") & records["month"].isin(Q3_MONTHS)]

    def test_grid_total_equals_the_incidents_with_coordinates(self, records, grid):
        sel = self._selection(records)
        located = sel["longitude"].notna() & sel["latitude"].notna()
        assert grid.incidents == grid.cells["count"].sum() == located.sum()
        assert grid.without_coordinates == (~located).sum()

    def test_suppressed_cells_are_counted_and_follow_the_rule(self, grid):
        hidden = grid.cells[~grid.cells["shown"]]
        assert grid.suppressed_cells == len(hidden) > 0
        assert grid.suppressed_incidents == hidden["count"].sum()
        assert ((hidden["count"] < grid.min_count) | (hidden["points"] < grid.min_points)).all()
        shown = grid.shown
        assert ((shown["count"] >= 3) & (shown["points"] >= 2)).all()
        assert hidden["density_per_km2"].isna().all()
        assert np.allclose(shown["density_per_km2"], shown["count"] / grid.cell_km**2)

    def test_a_single_map_point_is_never_a_hotspot(self, records):
        sel = self._selection(records)
        g = places.density_grid(records, Q3, district="Charnwood", min_count=1, min_points=2)
        assert (g.shown["points"] >= 2).all()
        loose = places.density_grid(records, Q3, district="Charnwood", min_count=1, min_points=1)
        assert loose.suppressed_cells == 0 and loose.shown["count"].sum() == sel["longitude"].notna().sum()

    def test_no_point_lies_outside_the_extent_and_cells_agree_with_a_histogram(self, records, grid):
        sel = self._selection(records).dropna(subset=["longitude", "latitude"])
        x, y = places.project_km(sel["longitude"], sel["latitude"], grid.centre_lon, grid.centre_lat)
        x0, x1, y0, y1 = grid.extent_km
        assert (x >= x0).all() and (x < x1).all() and (y >= y0).all() and (y < y1).all()
        ox, oy = grid.outline_km[:, 0], grid.outline_km[:, 1]
        assert (ox >= x0).all() and (ox <= x1).all() and (oy >= y0).all() and (oy <= y1).all()
        edges_x = np.arange(x0, x1 + grid.cell_km / 2, grid.cell_km)
        edges_y = np.arange(y0, y1 + grid.cell_km / 2, grid.cell_km)
        hist, _, _ = np.histogram2d(x, y, bins=[edges_x, edges_y])
        assert hist.sum() == len(sel)
        ix = np.round((grid.cells["x_km"] - grid.cell_km / 2 - x0) / grid.cell_km).astype(int)
        iy = np.round((grid.cells["y_km"] - grid.cell_km / 2 - y0) / grid.cell_km).astype(int)
        assert (hist[ix, iy] == grid.cells["count"].to_numpy()).all()
        assert hist[hist > 0].size == len(grid.cells)

    def test_map_points_are_counted_by_both_coordinates(self, records):
        """Three real Melton rows moved to two map points sharing a longitude, 100 m apart, in one cell (a
        fourth row, a month later, only sets the map centre)."""
        r = records[records["district"] == "Melton"].iloc[:4].copy()
        r["month"] = ["2018-10", "2018-10", "2018-10", "2018-11"]
        r["longitude"] = [-0.8860, -0.8860, -0.8860, -0.80]
        r["latitude"] = [52.7660, 52.7669, 52.7669, 52.80]
        g = places.density_grid(r, "2018-10", district="Melton")
        assert g.cells[["count", "points"]].to_dict("records") == [{"count": 3, "points": 2}]
        assert g.shown["count"].tolist() == [3]

    def test_projection_round_trips_and_keeps_km(self):
        lon, lat = np.array([-1.2, -0.9]), np.array([52.6, 52.8])
        x, y = places.project_km(lon, lat, -1.05, 52.7)
        back = places.unproject_km(x, y, -1.05, 52.7)
        assert np.allclose(back[0], lon) and np.allclose(back[1], lat)
        # 0.2 degrees of latitude is 22.24 km
        assert abs((y[1] - y[0]) - 22.239) < 0.01

    def test_cells_of_one_district_share_a_grid_across_issues(self, records):
        a = places.density_grid(records, Q3, district="Melton", issue="Burglary")
        b = places.density_grid(records, Q3, district="Melton", issue="Shoplifting")
        assert (a.centre_lon, a.centre_lat, a.extent_km) == (b.centre_lon, b.centre_lat, b.extent_km)

    def test_issue_filter_and_bad_parameters(self, records):
        g = places.density_grid(records, Q3, district="Melton", issue=["Burglary", "Drugs"])
        sel = self._selection(records)
        assert g.issue == "Burglary, Drugs"
        assert g.incidents + g.without_coordinates == ((records["district"] == "Melton")
                                                       & records["month"].isin(Q3_MONTHS)
                                                       & records["issue"].isin(["Burglary", "Drugs"])).sum()
        assert len(sel) > 0
        with pytest.raises(ValueError):
            places.density_grid(records, Q3, cell_km=0)
        with pytest.raises(ValueError):
            places.density_grid(records, Q3, min_count=0)


def test_every_county_district_appears(records):
    assert set(places.hotspots(records, Q3)["district"].astype(str)) == set(COUNTY_DISTRICTS)


@pytest.mark.parametrize("module", "csa_analysis.method.places,csa_analysis.method._records".split(","))
def test_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
