"""Where and when, and what happens to reported crime: the record-level tables of a scored quarter.

:func:`where_and_when_tables` is the one call :func:`csa_analysis.run.pipeline.score_quarter` makes: it reads
the placed records once (:func:`csa_analysis.ingest.counts.load_dataset`, only the columns needed) and returns
every record-level table of the quarter, computed by the functions of :mod:`.places`, :mod:`.seasonality` and
:mod:`.outcomes`, so that they are cached in :class:`~csa_analysis.method.score.Scored`, written as
``tables/<name>.csv`` and put in the workbook like every other table, and pass through the disclosure rule
(:func:`csa_analysis.method.disclosure.publish`) with them.

Tables (columns documented in :data:`TABLES` and the functions named there):

``hotspots``
    per district x issue, the LSOAs, wards (ONS LSOA-to-ward lookup of the records' vintage) and police.uk map
    points ("repeat locations") with most incidents in the quarter (:func:`.places.hotspots_table`).
``location_exclusions``
    records left out of the repeat-location counts, and why (:func:`.places.location_exclusions`).
``density_maps``, ``density_cells``, ``density_outline``
    one incident-density map per district and one for the county (all issues, the quarter): the map's
    settings and what it hid, its shown cells, and the outline of the area's map points
    (:func:`.places.density_grid`).
``month_of_year``, ``rolling_trend``
    per district x issue and for the county (``district`` = :data:`COUNTY_ROWS`): the month-of-year pattern and
    the 12-month rolling total over every month in the data, empty when the data hold too few months
    (:mod:`.seasonality`).
``outcomes``
    per district x issue and for the county: the share of the quarter's crimes in each outcome group
    (:func:`.outcomes.outcome_shares`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from csa_analysis.config.county import County, WhereWhenSettings
from csa_analysis.domain.periods import Quarter
from csa_analysis.method.outcomes import outcome_shares
from csa_analysis.method.places import DensityGrid, density_grid, hotspots_table, location_exclusions
from csa_analysis.method.seasonality import month_of_year, rolling_total

#: The ``district`` value of the county's own rows in ``month_of_year``, ``rolling_trend``, ``outcomes`` and the
#: density tables.
COUNTY_ROWS = "All districts"

#: Record columns the tables need (``month``, ``district`` and ``issue`` always come).
RECORD_COLUMNS = ("lsoa_code", "lsoa_name", "location", "longitude", "latitude", "outcome")


#: The built-in ``[where_and_when]`` settings (county.toml may set others).
DEFAULT_SETTINGS = WhereWhenSettings()

#: The tables :func:`where_and_when_tables` returns, each with one line on what a row is.
TABLES: dict[str, str] = {
    "hotspots": "district x issue x place type (lsoa, ward, location) x rank: the places with most incidents",
    "location_exclusions": "district x issue x reason: records left out of the repeat-location counts",
    "density_maps": "one row per density map (each district, and the county): settings, totals, what was hidden",
    "density_cells": "map x shown km cell: incidents, distinct map points, density per km²",
    "density_outline": "map x vertex: the outline (convex hull) of the area's map points, km from the map centre",
    "month_of_year": "area x issue x calendar month: mean incidents a month (empty with under 12 months)",
    "rolling_trend": "area x issue x month: the 12-month rolling total (empty without 12 consecutive months)",
    "outcomes": "area x issue x outcome group: crimes of the quarter and their share",
}


def _with_county(by_district: pd.DataFrame, county_rows: pd.DataFrame, districts: Sequence[str]) -> pd.DataFrame:
    """District rows then the county's (``district`` = :data:`COUNTY_ROWS`), ``district`` categorical."""
    county_rows = county_rows.assign(district=COUNTY_ROWS)
    out = pd.concat([by_district.assign(district=by_district["district"].astype("str")),
                     county_rows[by_district.columns]], ignore_index=True)
    out["district"] = pd.Categorical(out["district"], categories=[*districts, COUNTY_ROWS])
    return out


def density_tables(records: pd.DataFrame, quarter: Quarter, districts: Sequence[str],
                   settings: WhereWhenSettings = DEFAULT_SETTINGS) -> dict[str, pd.DataFrame]:
    """One incident-density map per district and one for the county, as three tidy tables.

    Returns
    -------
    dict of DataFrame
        ``density_maps``: ``district`` (or :data:`COUNTY_ROWS`), ``period``, ``issue`` (``All issues``),
        ``centre_lon``, ``centre_lat`` (degrees), ``cell_km``, ``min_incidents``, ``min_points`` (the rule),
        ``x_min_km``, ``x_max_km``, ``y_min_km``, ``y_max_km`` (the map's extent, km from its centre), ``incidents``
        (with coordinates, int), ``without_coordinates``, ``suppressed_cells``, ``suppressed_incidents`` (int).
        ``density_cells``: ``district`` and the shown cells of :attr:`.places.DensityGrid.cells` (``count`` int,
        ``density_per_km2`` incidents per km² in the quarter). ``density_outline``: ``district``, ``vertex``
        (int, in drawing order), ``x_km``, ``y_km``.
    """
    maps, cells, outlines = [], [], []
    for name in [*districts, None]:  # one map per district and the county's: a handful, not rows
        grid = density_grid(records, quarter, district=name, cell_km=settings.cell_km,
                            min_count=settings.min_count, min_points=settings.min_points)
        label = COUNTY_ROWS if name is None else name
        x0, x1, y0, y1 = grid.extent_km
        maps.append({"district": label, "period": grid.period_code, "issue": grid.issue,
                     "centre_lon": grid.centre_lon, "centre_lat": grid.centre_lat, "cell_km": grid.cell_km,
                     "min_incidents": grid.min_count, "min_points": grid.min_points, "x_min_km": x0, "x_max_km": x1,
                     "y_min_km": y0, "y_max_km": y1, "incidents": grid.incidents,
                     "without_coordinates": grid.without_coordinates, "suppressed_cells": grid.suppressed_cells,
                     "suppressed_incidents": grid.suppressed_incidents})
        cells.append(grid.shown.drop(columns="shown").assign(district=label))
        outline = np.asarray(grid.outline_km, dtype="float64").reshape(-1, 2)
        outlines.append(pd.DataFrame({"district": label, "vertex": np.arange(len(outline), dtype="int64"),
                                      "x_km": outline[:, 0], "y_km": outline[:, 1]}))
    cats = [*districts, COUNTY_ROWS]
    out = {"density_maps": pd.DataFrame(maps), "density_cells": pd.concat(cells, ignore_index=True),
           "density_outline": pd.concat(outlines, ignore_index=True)}
    for name, t in out.items():
        t["district"] = pd.Categorical(t["district"], categories=cats)
        out[name] = t[["district", *[c for c in t.columns if c != "district"]]]
    return out


def density_from_tables(tables: dict[str, pd.DataFrame], district: str | None) -> DensityGrid | None:
    """The :class:`~.places.DensityGrid` of one map back from the tables of :func:`density_tables` (None when
    the tables hold no map of that area); ``district`` None for the county's map.

    Examples
    --------
    >>> recs = pd.DataFrame({"month": ["2018-10"] * 4, "district": ["Melton"] * 4, "issue": ["Drugs"] * 4,
    ...     "longitude": [-0.886, -0.887, -0.886, -0.80], "latitude": [52.766, 52.7665, 52.766, 52.78]})
    >>> g = density_from_tables(density_tables(recs, Quarter.parse("2018-19Q3"), ["Melton"]), "Melton")
    >>> g.incidents, g.suppressed_incidents, g.shown["count"].tolist()
    (4, 1, [3])
    """
    label = COUNTY_ROWS if district is None else district
    maps = tables.get("density_maps")
    if maps is None:
        return None
    row = maps[maps["district"].astype("str") == label]
    if row.empty:
        return None
    m = row.iloc[0]
    cells = tables["density_cells"]
    cells = cells[cells["district"].astype("str") == label].drop(columns="district").assign(shown=True)
    outline = tables["density_outline"]
    outline = outline[outline["district"].astype("str") == label].sort_values("vertex")
    return DensityGrid(
        cells=cells.reset_index(drop=True), centre_lon=float(m["centre_lon"]), centre_lat=float(m["centre_lat"]),
        cell_km=float(m["cell_km"]), min_count=int(m["min_incidents"]), min_points=int(m["min_points"]),
        extent_km=(float(m["x_min_km"]), float(m["x_max_km"]), float(m["y_min_km"]), float(m["y_max_km"])),
        outline_km=outline[["x_km", "y_km"]].to_numpy(dtype="float64"), incidents=int(m["incidents"]),
        without_coordinates=int(m["without_coordinates"]), suppressed_cells=int(m["suppressed_cells"]),
        suppressed_incidents=int(m["suppressed_incidents"]), district=label, issue=str(m["issue"]),
        period=Quarter.parse(str(m["period"])).label() if "Q" in str(m["period"]) else str(m["period"]),
        period_code=str(m["period"]))


def ward_table(lsoa_codes: pd.Series) -> pd.DataFrame:
    """``lsoa_code``, ``ward_code``, ``ward_name`` of each distinct LSOA code, from the packaged ONS lookups in
    the codes' own vintage (:func:`csa_analysis.ingest.geography.ward_lookup`); codes in no lookup left out."""
    from csa_analysis.ingest.geography import ward_lookup

    codes = pd.Series(lsoa_codes.dropna().astype("str").unique())
    if codes.empty:
        return pd.DataFrame({"lsoa_code": [], "ward_code": [], "ward_name": []}, dtype="str")
    wards = ward_lookup(codes.to_numpy(dtype=object))[["lsoa_code", "ward_code", "ward_name"]]
    return wards.dropna().astype("str").reset_index(drop=True)


def where_and_when_from_records(records: pd.DataFrame, months_present: Sequence[str], quarter: Quarter,
                                districts: Sequence[str],
                                settings: WhereWhenSettings = DEFAULT_SETTINGS) -> dict[str, pd.DataFrame]:
    """Every record-level table of a quarter (see the module notes) from placed records.

    Parameters
    ----------
    records : DataFrame
        :attr:`csa_analysis.ingest.place.Dataset.records` with at least ``month``, ``district``, ``issue`` and
        :data:`RECORD_COLUMNS`.
    months_present : sequence of str
        Every ``YYYY-MM`` month the data hold (:attr:`~csa_analysis.ingest.place.Dataset.months`): a month
        not among them is a gap (blank, never 0) in the month-of-year pattern and the rolling total.
    quarter : Quarter
        The quarter of the hotspots, density maps and outcomes.
    districts : sequence of str
        The county's districts, in order.
    settings : WhereWhenSettings
        Places kept and the density rule.

    Returns
    -------
    dict of DataFrame
        The tables of :data:`TABLES`.
    """
    q = quarter.months()
    in_quarter = records[records["month"].isin(q).to_numpy()]
    out = {
        "hotspots": hotspots_table(records, quarter, top=settings.top,
                                   wards=ward_table(in_quarter["lsoa_code"])),
        "location_exclusions": location_exclusions(records, quarter),
    }
    out |= density_tables(records, quarter, districts, settings)
    present = sorted(set(months_present))
    moy = _with_county(month_of_year(records, months_present=present),
                       month_of_year(records, by=["issue"], months_present=present), districts)
    roll = _with_county(rolling_total(records, months_present=present),
                        rolling_total(records, by=["issue"], months_present=present), districts)
    out["month_of_year"], out["rolling_trend"] = moy, roll
    out["outcomes"] = _with_county(outcome_shares(records, quarter),
                                   outcome_shares(records, quarter, by=["issue"]), districts)
    return out


def where_and_when_tables(county: County, quarter: Quarter, *, cache_dir: str | Path | None = None,
                          progress: Callable[[str], None] | None = None,
                          settings: WhereWhenSettings | None = None) -> dict[str, pd.DataFrame]:
    """The record-level tables of a quarter (:func:`where_and_when_from_records`), reading the placed records
    from the processed cache (only the columns they need).

    Parameters
    ----------
    county : County
        From :func:`csa_analysis.config.read_county`.
    quarter : Quarter
        The quarter scored.
    cache_dir : str or Path, optional
        The processed-data cache (as for :func:`csa_analysis.ingest.counts.load_dataset`).
    progress : callable, optional
        Called with one-line progress messages.
    settings : WhereWhenSettings, optional
        Places kept and the density rule; default the county's ``[where_and_when]`` (county.toml).
    """
    from csa_analysis.ingest.counts import load_dataset

    settings = settings or county.where_and_when

    data = load_dataset(county, cache_dir=cache_dir, progress=progress, columns=RECORD_COLUMNS)
    if progress:
        progress("Where and when: hotspots, repeat locations, density maps, seasonality and outcomes")
    return where_and_when_from_records(data.records, data.months, quarter, county.district_names, settings)


__all__ = ["COUNTY_ROWS", "RECORD_COLUMNS", "TABLES", "WhereWhenSettings", "density_from_tables", "density_tables",
           "ward_table", "where_and_when_from_records", "where_and_when_tables"]
