"""Official recorded crime for a county's districts: Table C2, its national standing, peers and year-on-year change.

:func:`county_recorded_crime` is the one call the pipeline makes when ``DIR/recorded_crime/`` holds Table C2:
every edition is read as published (:mod:`csa_analysis.sources.recorded_crime`), the latest is placed on the
county's districts (by ONS code when county.toml gives one, else by name and aliases), ranked among all CSP areas
of England and Wales and compared with each district's most similar peers (:mod:`csa_analysis.sources.peers`),
and an edition ending twelve months earlier, when present, gives the year-on-year change.

**Which population.** ``rate_per_1000`` is the table's count over the district's population in county.toml
(design.md section 5), when the district is a CSP of its own. A district inside a CSP that covers several
districts has only the CSP's count, so its rate is the CSP area's count over the area's ONS population (the
workbook named in ``[recorded_crime] ons_workbook``; default the county's ``[population]`` workbook, else the
shipped mid-2023 estimates), and ``population_basis`` says so. The national standing, the England and Wales rate
and the peers' rates use the ONS workbook for every area, this one included, so that all areas are on one basis
(``rate_per_1000_ons``).
"""

from __future__ import annotations

import pandas as pd

from csa_analysis.config.county import County
from csa_analysis.config.population import mid_year_estimates
from csa_analysis.config.tables import Column, Schema, read_table
from csa_analysis.errors import InputError
from csa_analysis.sources.peers import (
    area_profiles,
    nearest_neighbours,
    recorded_crime_table,
    user_peers,
)
from csa_analysis.sources.recorded_crime import csp_areas, match_districts, read_table_c2_editions, year_on_year

#: Columns of ``tables/recorded_crime.csv`` (design.md section 5 first).
RECORDED_CRIME_COLUMNS = (
    "district", "offence_group", "period", "count", "rate_per_1000", "england_wales_rate_per_1000",
    "percentile_england_wales", "rank_england_wales", "areas_ranked", "peers_rate_per_1000", "rank_among_peers",
    "peer_group_size", "peers", "peer_method", "population", "population_basis", "rate_per_1000_ons",
    "population_ons", "population_year", "previous_period", "count_previous", "change_pct_previous_year",
    "area_code", "area_name", "count_shared", "area_district_names", "source",
)


def county_recorded_crime(county: County) -> dict[str, pd.DataFrame]:
    """The recorded-crime tables of a county with Table C2 in ``DIR/recorded_crime/``.

    Returns
    -------
    dict of DataFrame
        ``recorded_crime``: one row per district x offence group of the latest edition (columns
        :data:`RECORDED_CRIME_COLUMNS`; counts are crimes in the year, Int64, blank for ``[x]``; rates are crimes
        per 1,000 residents; ``percentile_england_wales`` 0 = lowest rate of all CSP areas, 100 = highest;
        ``change_pct_previous_year`` percent, blank without an edition twelve months earlier).
        ``recorded_crime_peers``: one row per district x peer (``district``, ``peer_rank``, ``peer_name``,
        ``distance`` in standard deviations, and the characteristics compared).
        Empty dict when the county gives no Table C2.

    Raises
    ------
    InputError
        A table that cannot be read as published, a district that matches no CSP (the nearest names given), or
        an ONS workbook that is not one.
    """
    if not county.recorded_crime_files:
        return {}
    folder = county.recorded_crime_files[0].parent
    editions = read_table_c2_editions(folder)
    latest_end = editions["period_end"].max()
    latest = editions[editions["period_end"] == latest_end].reset_index(drop=True)
    if county.recorded_crime_population is None:  # read_county always sets it when tables are given
        raise InputError("no ONS population workbook for the national rates", file=county.toml_path,
                         where="[recorded_crime]", expected='ons_workbook = "mye23tablesew.xlsx"')
    population = mid_year_estimates(county.recorded_crime_population)
    keys = [d.code or d.name for d in county.districts]
    areas = csp_areas(latest)
    profiles = area_profiles(areas, population)
    placed = match_districts(keys, areas, file=county.toml_path, where="[[districts]]")
    if county.peer_list is not None:
        peers = read_peer_list(county, areas, profiles)
    else:
        peers = nearest_neighbours(profiles, k=county.peers_k, targets=sorted(set(placed["area_code"])))
    table = recorded_crime_table(keys, latest, population, peers=peers, file=county.toml_path,
                                 where="[[districts]]")
    official = dict(zip(keys, county.district_names, strict=True))
    table["district"] = table["district"].map(official)
    table = table.rename(columns={"rate_per_1000": "rate_per_1000_ons", "population": "population_ons"})
    own = ~table["count_shared"].astype(bool)
    toml_pop = table["district"].map(county.populations()).astype("Int64")
    table["population"] = toml_pop.where(own, table["population_ons"]).astype("Int64")
    table["population_basis"] = pd.Series(
        [f"district: {county.population_source}" if o else
         f"CSP area ({names.replace(';', ', ')}): ONS mid-{y} estimates" for o, names, y in
         zip(own, table["area_district_names"], table["population_year"].astype("str"), strict=True)],
        index=table.index, dtype="str")
    table["rate_per_1000"] = (table["count"].astype("Float64") / table["population"].astype("Float64")
                              * 1000).astype("float64")
    table = _add_year_on_year(table, editions, latest_end)
    table["source"] = latest["source"].iloc[0]
    peers = _peer_rows(placed, peers, profiles, county)
    return {"recorded_crime": table[list(RECORDED_CRIME_COLUMNS)].reset_index(drop=True),
            "recorded_crime_peers": peers}


def _add_year_on_year(table: pd.DataFrame, editions: pd.DataFrame, latest_end: str) -> pd.DataFrame:
    """``previous_period``, ``count_previous`` and ``change_pct_previous_year`` of each area and offence group,
    from the edition ending twelve months before the latest (blank when there is none, never 0)."""
    out = table.copy()
    change = year_on_year(editions)
    change = change[(change["row_type"] == "csp") & (change["period"] == table["period"].iloc[0])]
    if change.empty:
        out["previous_period"] = None
        out["count_previous"] = pd.array([pd.NA] * len(out), dtype="Int64")
        out["change_pct_previous_year"] = float("nan")
        return out
    members = csp_areas(editions[editions["period_end"] == latest_end])[["area_code", "csp_code"]].drop_duplicates()
    per_area = change.merge(members, on="csp_code")
    g = per_area.groupby(["area_code", "offence_group"], sort=False)
    prev = g["count_previous"].sum(min_count=1).mask(g["count_previous"].count() < g.size())
    summary = pd.DataFrame({"count_previous": prev.astype("Int64"),
                            "previous_period": g["previous_period"].first()}).reset_index()
    out = out.merge(summary, on=["area_code", "offence_group"], how="left")
    base = out["count_previous"].astype("Float64")
    out["change_pct_previous_year"] = (100 * (out["count"].astype("Float64") - base) / base.where(base > 0)
                                       ).astype("float64")
    return out


def _peer_rows(placed: pd.DataFrame, peers: pd.DataFrame, profiles: pd.DataFrame, county: County) -> pd.DataFrame:
    """One row per district x peer, with the characteristics the method compared (for the annex and the pack)."""
    placed = placed.assign(district=county.district_names)
    traits = ["population", "density_per_sq_km", "share_0_15", "share_16_24", "share_65_plus"]
    prof = profiles.set_index("area_code")[traits]
    out = placed[["district", "area_code"]].merge(peers, on="area_code")
    out = out.join(prof.add_prefix("peer_"), on="peer_code").join(prof, on="area_code")
    cols = ["district", "area_name", "peer_rank", "peer_name", "distance", *traits, *[f"peer_{t}" for t in traits],
            "peer_code", "method"]
    order = {d: i for i, d in enumerate(county.district_names)}
    return out[cols].assign(_d=out["district"].map(order)).sort_values(["_d", "peer_rank"], ignore_index=True
                                                                         ).drop(columns="_d")


#: A county's own peer list (``[recorded_crime] peer_list``): each district's peers, in order.
PEER_SCHEMA = Schema("peer list (district, peer)", (
    Column("district", "district"),
    Column("peer", expected="a CSP or district name or ONS code of England and Wales"),
))


def read_peer_list(county: County, areas: pd.DataFrame, profiles: pd.DataFrame) -> pd.DataFrame:
    """The county's own peers (for example its Home Office most similar group, where the county has the list):
    ``district, peer`` rows, the peers in order; every district of the county must have at least one.

    Raises
    ------
    InputError
        An unknown district, a peer matching no CSP or two, a peer in the district's own CSP, or a district with
        no peer (the file and row named).
    """
    path = county.peer_list
    t = read_table(path, PEER_SCHEMA, districts=county.district_keys())
    missing = [d for d in county.district_names if d not in set(t["district"])]
    if missing:
        raise InputError(f"no peer is listed for {', '.join(missing)}", file=path,
                         expected="rows 'district, peer' for every district of county.toml")
    key = {d.name: d.code or d.name for d in county.districts}
    pairs = pd.DataFrame({"area": t["district"].map(key), "peer": t["peer"]})
    return user_peers(pairs, areas, profiles, file=path)


__all__ = ["PEER_SCHEMA", "RECORDED_CRIME_COLUMNS", "county_recorded_crime", "read_peer_list"]
