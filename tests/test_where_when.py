"""The where-and-when tables of the sample pack against an independent count of the raw police.uk files.

The scored quarter (``run.pipeline.score_quarter`` on the shipped 2025 Leicestershire sample, default quarter
2025-26Q3) is compared with counts made here from the CSV files inside the sample zip, read with the ``csv``
module: each row placed in a county district by its LSOA-name prefix (Leicestershire's districts were not
reorganised, so the prefix names the district), a repeated Crime ID counted once (first month, first row), and
the outcome groups read from the shipped reference CSV. No project code is involved in the expected figures.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter, defaultdict

import pytest

from csa_analysis.config.county import read_county
from csa_analysis.method.where_when import COUNTY_ROWS
from csa_analysis.paths import CURRENT_SAMPLE_DIR, REFERENCE_DIR
from csa_analysis.run.pipeline import score_quarter

ZIP = CURRENT_SAMPLE_DIR / "police_uk" / "police-uk-2025-leicestershire.zip"
DISTRICTS = ["Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth", "Melton", "North West Leicestershire",
             "Oadby and Wigston"]
QUARTER = "2025-26Q3"
Q_MONTHS = {"2025-10", "2025-11", "2025-12"}


def _raw_rows() -> list[dict[str, str]]:
    """Every row of the sample zip in month and file order, a repeated Crime ID kept only the first time, with
    ``district`` from the LSOA-name prefix (None outside the county)."""
    rows, seen = [], set()
    with zipfile.ZipFile(ZIP) as z:
        for name in sorted(n for n in z.namelist() if n.endswith("-street.csv")):
            with z.open(name) as fh:
                for row in csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8", newline="")):
                    cid = row["Crime ID"].strip()
                    if cid:
                        if cid in seen:
                            continue
                        seen.add(cid)
                    prefix = row["LSOA name"].rsplit(" ", 1)[0] if row["LSOA name"] else ""
                    row["district"] = prefix if prefix in DISTRICTS else None
                    rows.append(row)
    return rows


@pytest.fixture(scope="module")
def raw():
    return [r for r in _raw_rows() if r["district"]]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def tables(cache):
    county = read_county(CURRENT_SAMPLE_DIR)
    scored = score_quarter(county, cache_dir=cache)
    assert str(scored.quarter) == QUARTER
    return scored.tables


def _top(counter: Counter, n: int = 10) -> list[tuple]:
    """The ``n`` keys with most counts: most first, ties by key ascending."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def _rows(t, **eq):
    for col, value in eq.items():
        t = t[t[col].astype("str") == value]
    return t.sort_values("rank")


def test_the_hotspot_lsoas_of_every_district_and_issue_match_an_independent_count(raw, tables):
    per = defaultdict(Counter)
    for r in raw:
        if r["Month"] in Q_MONTHS:
            per[(r["district"], r["Crime type"])][r["LSOA code"]] += 1
    h = tables["hotspots"]
    checked = 0
    for (district, issue), counter in per.items():
        got = _rows(h, district=district, issue=issue, place_type="lsoa")
        expected = _top(counter)
        assert list(zip(got["place_code"], got["count"], strict=True)) == expected, (district, issue)
        assert (got["district_issue_count"] == sum(counter.values())).all()
        checked += 1
    assert checked >= 90  # 7 districts x most of the 14 issues


def _location(text: str) -> str:
    return " ".join(text.split())


def test_repeat_locations_match_an_independent_count_ignoring_blank_and_unnamed_places(raw, tables):
    per = defaultdict(Counter)
    for r in raw:
        loc = _location(r["Location"])
        if r["Month"] not in Q_MONTHS or not loc or loc.casefold() in ("no location", "on or near"):
            continue
        if not r["Longitude"] or not r["Latitude"]:
            continue
        point = (loc, r["LSOA name"], round(float(r["Latitude"]), 6), round(float(r["Longitude"]), 6))
        per[(r["district"], r["Crime type"])][point] += 1
    h = tables["hotspots"]
    for (district, issue), counter in per.items():
        got = _rows(h, district=district, issue=issue, place_type="location")
        expected = _top(counter)
        got_points = [(p, lsoa, round(lat, 6), round(lon, 6), n) for p, lsoa, lat, lon, n in
                      zip(got["place_name"], got["lsoa_name"], got["latitude"], got["longitude"], got["count"],
                          strict=True)]
        assert got_points == [(*k, n) for k, n in expected], (district, issue)
    blank = [r for r in raw if r["Month"] in Q_MONTHS and not _location(r["Location"])]
    assert not set(tables["hotspots"]["place_name"].dropna()) & {"", "No Location", "On or near"}
    assert len(blank) == 0 or "blank" in set(tables["location_exclusions"]["reason"])


def test_ward_counts_are_the_sum_of_their_lsoas(raw, tables):
    from csa_analysis.method.where_when import ward_table

    q = [r for r in raw if r["Month"] in Q_MONTHS]
    lookup = ward_table(__import__("pandas").Series([r["LSOA code"] for r in q])).set_index("lsoa_code")
    per = defaultdict(Counter)
    for r in q:
        if r["LSOA code"] in lookup.index:
            per[(r["district"], r["Crime type"])][lookup.loc[r["LSOA code"], "ward_code"]] += 1
    h = tables["hotspots"]
    got = _rows(h, district="Charnwood", issue="Violence and sexual offences", place_type="ward")
    assert list(zip(got["place_code"], got["count"], strict=True)) == _top(per[("Charnwood",
                                                                                "Violence and sexual offences")])
    assert got["place_name"].notna().all() and len(got) == 10


def test_outcome_shares_match_an_independent_count(raw, tables):
    with open(REFERENCE_DIR / "outcome_groups.csv", newline="", encoding="utf-8") as fh:
        group = {row["outcome"]: row["group"] for row in csv.DictReader(fh)}
    crimes = [r for r in raw if r["Month"] in Q_MONTHS and r["Crime type"] != "Anti-social behaviour"]
    charged = Counter(r["district"] for r in crimes if group.get(r["Last outcome category"]) == "Charged or summonsed")
    total = Counter(r["district"] for r in crimes)
    o = tables["outcomes"]
    for district in DISTRICTS:
        rows = o[(o["district"].astype("str") == district) & (o["outcome_group"].astype("str")
                                                              == "Charged or summonsed")]
        assert int(rows["count"].sum()) == charged[district]
        assert int(rows["crimes"].sum()) == total[district]
    county = o[o["district"].astype("str") == COUNTY_ROWS]
    assert int(county.groupby("issue", observed=True)["crimes"].first().sum()) == sum(total.values())


def test_month_of_year_and_rolling_total_of_the_county_match_the_raw_months(raw, tables):
    burglary = Counter(r["Month"] for r in raw if r["Crime type"] == "Burglary")
    moy = tables["month_of_year"]
    county = moy[(moy["district"].astype("str") == COUNTY_ROWS) & (moy["issue"].astype("str") == "Burglary")]
    assert county.sort_values("calendar_month")["mean_count"].tolist() == [float(burglary[f"2025-{m:02d}"])
                                                                           for m in range(1, 13)]
    roll = tables["rolling_trend"]
    dec = roll[(roll["district"].astype("str") == COUNTY_ROWS) & (roll["issue"].astype("str") == "Burglary")
               & (roll["month"] == "2025-12")]
    assert dec["rolling_total"].tolist() == [float(sum(burglary.values()))]


def test_density_maps_account_for_every_located_incident(raw, tables):
    located = Counter(r["district"] for r in raw if r["Month"] in Q_MONTHS and r["Longitude"] and r["Latitude"])
    maps = tables["density_maps"].set_index(tables["density_maps"]["district"].astype("str"))
    cells = tables["density_cells"]
    for district in DISTRICTS:
        assert int(maps.loc[district, "incidents"]) == located[district]
        shown = int(cells.loc[cells["district"].astype("str") == district, "count"].sum())
        assert shown + int(maps.loc[district, "suppressed_incidents"]) == located[district]
    assert int(maps.loc[COUNTY_ROWS, "incidents"]) == sum(located.values())
    assert (cells["count"] >= maps["min_incidents"].min()).all() and (cells["points"] >= 2).all()


def test_the_disclosure_rule_blanks_small_place_counts_and_the_shares_that_would_reveal_them(tables):
    from csa_analysis.config.county import Disclosure
    from csa_analysis.method.disclosure import apply_rule

    h = apply_rule(tables["hotspots"], Disclosure(min_count=5, method="suppress"))
    small = tables["hotspots"]["count"].between(1, 4).to_numpy()
    assert small.any() and h.loc[small, "count"].isna().all() and h.loc[small, "share"].isna().all()
    assert (h.loc[~small, "count"] >= 5).all()
    o = apply_rule(tables["outcomes"], Disclosure(min_count=5, method="suppress"))
    assert not o["count"].between(1, 4).any() and not o["crimes"].between(1, 4).any()


def test_the_settings_come_from_county_toml(tmp_path, cache, tables):
    import shutil

    from csa_analysis.domain.periods import Quarter
    from csa_analysis.errors import InputError
    from csa_analysis.method.where_when import where_and_when_tables

    for item in CURRENT_SAMPLE_DIR.iterdir():  # the sample's other inputs (local counts, survey, Table C2)
        if item.name not in ("police_uk", "county.toml"):
            (shutil.copytree if item.is_dir() else shutil.copy)(item, tmp_path / item.name)
    text = (CURRENT_SAMPLE_DIR / "county.toml").read_text(encoding="utf-8")
    text = text.replace('police_uk = "police_uk"', f'police_uk = "{(CURRENT_SAMPLE_DIR / "police_uk").as_posix()}"')
    text = text.replace('"../ons/', f'"{(CURRENT_SAMPLE_DIR.parent / "ons").as_posix()}/')
    (tmp_path / "county.toml").write_text(text + "\n[where_and_when]\ntop = 3\ncell_km = 2.0\n", encoding="utf-8")
    county = read_county(tmp_path)
    assert county.where_and_when.top == 3 and county.where_and_when.cell_km == 2.0
    got = where_and_when_tables(county, Quarter.parse(QUARTER), cache_dir=cache)
    assert got["hotspots"]["rank"].max() == 3 and (got["density_maps"]["cell_km"] == 2.0).all()
    # the first three of every ranking are those of the default settings
    h, ten = got["hotspots"], tables["hotspots"]
    key = ["district", "issue", "place_type", "rank"]
    merged = h.merge(ten[ten["rank"] <= 3], on=key, suffixes=("", "_ten"))
    assert len(merged) == len(h) and (merged["count"] == merged["count_ten"]).all()
    (tmp_path / "county.toml").write_text(text + "\n[where_and_when]\ntopp = 3\n", encoding="utf-8")
    with pytest.raises(InputError, match="topp"):
        read_county(tmp_path)
