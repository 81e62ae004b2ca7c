"""Where incidents happen: hotspot LSOAs and wards, repeat locations, and a density grid for a map.

Every function takes the placed records (:attr:`csa_analysis.load.Dataset.records`, or a pyarrow table with
the same columns, which is filtered and cut in Arrow before conversion) and a period (a
:class:`~csa_analysis.periods.Quarter`, a quarter label such as ``"2018-19Q3"``, or a list of ``YYYY-MM``
months), and returns a tidy frame whose columns are documented below. Rows come in a fixed order with explicit
tie-breaks, so the same data always give the same table.

What a police.uk location is
----------------------------
police.uk never publishes where an incident happened. Each incident is moved to the nearest of a fixed set of
anonymous **map points**, chosen to lie over the centre of a street, a public place (a park, an airport) or
a commercial premise (a shopping centre, a nightclub), each covering at least eight postal addresses or none
at all. The ``Location`` text (``"On or near Asda, Thurmaston"``) names that map point, not an address, and
the coordinates are the map point's. So a "repeat location" is a map point that many incidents were moved
to; it may stand for any of the eight or more addresses around it. Tables and charts built here always say
"map point" or "on or near", and never present a point as an exact address.

Generic names recur across a district: in the Leicestershire sample "On or near Supermarket" is the name of
96 different map points and "On or near Parking Area" of 202. Counting the text alone would make these the
"top locations" of every district, so repeat locations are counted per map point (text and coordinates)
by default; ``key="string"`` counts the text alone, for those who want exactly that.

Locations left out of the repeat-location counts (each counted by :func:`location_exclusions`):

* ``blank``: no Location text (missing, or only whitespace);
* ``no_location``: ``"No Location"`` (police.uk's text for an incident it could not map);
* ``no_street``: ``"On or near"`` with no street or place name after it (police.uk serves ``"On or near "``);
* ``no_map_point`` (``key="point"`` only): a Location text but no coordinates (blank, or outside Great
  Britain, which the loader blanks).

The text is compared after normalising white space (leading and trailing spaces removed, inner runs of
white space made one space) and, for the three texts above only, ignoring case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa

from csa_analysis.method._records import Period, map_values, period_code, period_label, period_months, records_frame

#: Place types of the hotspots table, in the order the table lists them.
PLACE_TYPES: tuple[str, ...] = ("lsoa", "ward", "location")

#: Columns of the hotspots table (``tables/hotspots.csv``), in order; see :func:`hotspots_table`.
HOTSPOT_COLUMNS: tuple[str, ...] = (
    "district", "issue", "period", "place_type", "rank", "rank_shared", "place_code", "place_name",
    "lsoa_name", "longitude", "latitude", "count", "share", "district_issue_count", "population",
    "rate_per_1000",
)

#: Why a record's Location is left out of the repeat-location counts: code -> description.
EXCLUSION_REASONS: dict[str, str] = {
    "blank": "Location is blank",
    "no_location": 'Location is "No Location"',
    "no_street": 'Location is "On or near" with no street or place name',
    "no_map_point": "no map point (coordinates blank or outside Great Britain)",
}

#: One sentence for tables and charts of locations.
ANONYMISATION_NOTE = (
    "police.uk moves every incident to an anonymous map point covering at least eight addresses (or none, "
    "for places such as parks), so a location is the map point named 'on or near' a street or place, never "
    "an exact address."
)

#: Assumptions and caveats of this module, one sentence each, for the methodology annex.
METHOD_NOTES: tuple[str, ...] = (
    ANONYMISATION_NOTE,
    "Hotspot LSOAs are ranked by incidents in the period; ties are broken by LSOA code (wards: ward code), and "
    "rank_shared gives tied places the same rank.",
    "Repeat locations are counted per police.uk map point (Location text, coordinates and LSOA), because generic "
    "names such as 'On or near Supermarket' name many different points.",
    "Left out of repeat locations, and counted: blank Location, 'No Location', 'On or near' with no street name "
    "(after normalising white space), and Location texts without coordinates.",
    "Shares are of all the district's incidents of the issue in the period; rates per 1,000 residents are given "
    "only where an LSOA population is supplied (a ward's is the sum of its LSOAs), blank otherwise.",
    "The density map counts incidents in square km cells on a local equirectangular projection about the centre "
    "of the district's map points (scale true to within 1% across a county); cells with too few incidents or "
    "distinct map points (by default fewer than 3 incidents or 2 points) are not shown, and each map states its "
    "rule and what the hidden cells hold.",
)

#: Mean Earth radius (km, IUGG) used by the local projection.
EARTH_RADIUS_KM = 6371.0088

_GROUP = ["district", "issue"]


# --------------------------------------------------------------------------------------------------
# Locations


def normalise_location(values: pd.Series) -> pd.Series:
    """Location texts with white space normalised: trimmed, inner runs of white space made one space.

    Works on the distinct texts only. Missing stays missing.

    Examples
    --------
    >>> normalise_location(pd.Series(["On or near  Asda, Thurmaston ", "On or near ", None])).tolist()
    ['On or near Asda, Thurmaston', 'On or near', nan]
    """
    codes, uniques = pd.factorize(values)
    clean = pd.Series(np.asarray(uniques, dtype=object), dtype="str")
    clean = clean.str.replace(r"\s+", " ", regex=True).str.strip()
    if not len(clean):
        return pd.Series(pd.array([None] * len(codes), dtype="str"))
    out = clean.take(np.where(codes >= 0, codes, 0)).reset_index(drop=True)
    return out.where(pd.Series(codes >= 0), np.nan)


def location_reason(location: pd.Series) -> pd.Series:
    """Why each Location text is left out of repeat locations (a code of :data:`EXCLUSION_REASONS`), or NA.

    Examples
    --------
    >>> location_reason(pd.Series(["On or near Asda", "No Location", "On or near ", " ", None])).tolist()
    [nan, 'no_location', 'no_street', 'blank', 'blank']
    """
    norm = normalise_location(location)
    folded = norm.str.casefold()
    reason = pd.Series(pd.array([None] * len(norm), dtype="str"))
    reason = reason.mask(folded.eq("on or near").fillna(False), "no_street")
    reason = reason.mask(folded.eq("no location").fillna(False), "no_location")
    reason = reason.mask(norm.isna() | norm.eq("").fillna(False), "blank")
    return reason


def _location_frame(records: pd.DataFrame | pa.Table, months: Sequence[str], key: str) -> pd.DataFrame:
    if key not in ("point", "string"):
        raise ValueError(f"key must be 'point' or 'string', not {key!r}")
    cols = ["month", "district", "issue", "location"]
    if key == "point":
        cols += ["lsoa_name", "longitude", "latitude"]
    df = records_frame(records, cols, months)
    reason = location_reason(df["location"])
    if key == "point":
        no_point = (df["longitude"].isna() | df["latitude"].isna()).to_numpy()
        reason = reason.mask(reason.isna().to_numpy() & no_point, "no_map_point")
    df["location"] = normalise_location(df["location"]).to_numpy()
    df["reason"] = reason.to_numpy()
    return df


def location_exclusions(records: pd.DataFrame | pa.Table, period: Period, *,
                        key: Literal["point", "string"] = "point") -> pd.DataFrame:
    """Records of the period left out of the repeat-location counts, per district x issue x reason.

    Parameters
    ----------
    records : DataFrame or pyarrow.Table
        ``month``, ``district``, ``issue``, ``location`` (and ``lsoa_name``, ``longitude``, ``latitude`` for
        ``key="point"``).
    period : Quarter, str or sequence of str
        The months counted.
    key : {"point", "string"}
        As for :func:`repeat_locations` (``"point"`` also leaves out texts with no map point).

    Returns
    -------
    DataFrame
        ``district``, ``issue``, ``reason`` (a code of :data:`EXCLUSION_REASONS`), ``description`` (its
        sentence), ``count`` (records, int). Only non-zero rows, ordered by district, issue, then the order of
        :data:`EXCLUSION_REASONS`.

    Examples
    --------
    >>> recs = pd.DataFrame({"month": ["2018-10"] * 3, "district": ["Blaby"] * 3, "issue": ["Drugs"] * 3,
    ...                      "location": ["No Location", "On or near ", "On or near Asda"]})
    >>> location_exclusions(recs, "2018-10", key="string")[["reason", "count"]].to_dict("records")
    [{'reason': 'no_location', 'count': 1}, {'reason': 'no_street', 'count': 1}]
    """
    df = _location_frame(records, period_months(period), key)
    out = df[df["reason"].notna()].groupby([*_GROUP, "reason"], observed=True).size().rename("count")
    out = out.reset_index()
    order = {r: i for i, r in enumerate(EXCLUSION_REASONS)}
    out = out.assign(_o=out["reason"].map(order)).sort_values([*_GROUP, "_o"], kind="stable")
    out.insert(3, "description", out["reason"].map(EXCLUSION_REASONS).astype("str"))
    out["count"] = out["count"].astype("int64")
    return out.drop(columns="_o").reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# Ranking


def _rank(counts: pd.DataFrame, tiebreak: Sequence[str], top: int | None) -> pd.DataFrame:
    """Rank places within each district x issue: most incidents first, ties broken by ``tiebreak`` ascending."""
    by = [*_GROUP, "count", *tiebreak]
    counts = counts.sort_values(by, ascending=[True, True, False, *[True] * len(tiebreak)], kind="stable",
                                na_position="last").reset_index(drop=True)
    groups = counts.groupby(_GROUP, observed=True, sort=False)
    counts["rank"] = (groups.cumcount() + 1).astype("int64")
    counts["rank_shared"] = groups["count"].rank(method="min", ascending=False).astype("int64")
    if top is not None:
        if top < 1:
            raise ValueError(f"top must be at least 1, not {top}")
        counts = counts[counts["rank"] <= top]
    return counts.reset_index(drop=True)


def _population(population: pd.Series | pd.DataFrame | None) -> pd.Series | None:
    """LSOA code -> residents (float), checked; None when not given."""
    if population is None:
        return None
    if isinstance(population, pd.DataFrame):
        missing = {"lsoa_code", "population"} - set(population.columns)
        if missing:
            raise ValueError(f"the population frame lacks column(s) {sorted(missing)}")
        population = population.set_index("lsoa_code")["population"]
    pop = pd.to_numeric(population, errors="raise").astype("float64")
    pop.index = pop.index.astype("str")
    if pop.index.has_duplicates:
        dup = pop.index[pop.index.duplicated()][:3].tolist()
        raise ValueError(f"the population gives some LSOA codes more than once, e.g. {dup}")
    if (pop < 0).any():
        raise ValueError("the population holds a negative number of residents")
    return pop


def _ward_lookup(wards: pd.DataFrame) -> pd.DataFrame:
    """``lsoa_code`` (index, str) -> ``ward_code``, ``ward_name``; one ward per LSOA or ValueError."""
    missing = {"lsoa_code", "ward_code", "ward_name"} - set(wards.columns)
    if missing:
        raise ValueError(f"the ward lookup lacks column(s) {sorted(missing)}")
    lk = wards[["lsoa_code", "ward_code", "ward_name"]].astype("str").drop_duplicates()
    if lk["lsoa_code"].duplicated().any():
        dup = lk.loc[lk["lsoa_code"].duplicated(), "lsoa_code"].iloc[:3].tolist()
        raise ValueError(f"the ward lookup puts some LSOAs in more than one ward, e.g. {dup}")
    return lk.set_index("lsoa_code")


def _finish(ranked: pd.DataFrame, totals: pd.Series, place_type: str, period: Period) -> pd.DataFrame:
    """Add the common columns and put every column of :data:`HOTSPOT_COLUMNS` in order."""
    out = ranked.merge(totals.rename("district_issue_count").reset_index(), on=_GROUP, how="left")
    out["period"] = period_code(period)
    out["place_type"] = place_type
    out["share"] = out["count"] / out["district_issue_count"]
    for col in ("place_code", "place_name", "lsoa_name"):
        out[col] = out[col].astype("str") if col in out else pd.Series(pd.array([None] * len(out), dtype="str"))
    for col in ("longitude", "latitude", "population"):
        if col not in out:
            out[col] = np.nan
    out["population"] = out["population"].astype("float64")
    out["rate_per_1000"] = (out["count"] / out["population"].where(out["population"] > 0) * 1000).astype(
        "float64")
    out["population"] = out["population"].round().astype("Int64")
    out["count"] = out["count"].astype("int64")
    out["district_issue_count"] = out["district_issue_count"].astype("int64")
    return out[list(HOTSPOT_COLUMNS)]


def _totals(df: pd.DataFrame) -> pd.Series:
    return df.groupby(_GROUP, observed=True).size()


def hotspots(
    records: pd.DataFrame | pa.Table,
    period: Period,
    *,
    place: Literal["lsoa", "ward", "location"] = "lsoa",
    top: int | None = 10,
    wards: pd.DataFrame | None = None,
    population: pd.Series | pd.DataFrame | None = None,
    location_key: Literal["point", "string"] = "point",
) -> pd.DataFrame:
    """The places with most incidents of each issue in each district in the period.

    Parameters
    ----------
    records : DataFrame or pyarrow.Table
        Placed records: ``month``, ``district``, ``issue``, ``lsoa_code``, ``lsoa_name`` (and ``location``,
        ``longitude``, ``latitude`` for ``place="location"``).
    period : Quarter, str or sequence of str
        The months counted.
    place : {"lsoa", "ward", "location"}
        ``"lsoa"``: LSOAs by code; ``"ward"``: wards through ``wards``; ``"location"``: repeat locations
        (see :func:`repeat_locations`).
    top : int or None, default 10
        Places kept per district x issue (by ``rank``); None keeps all.
    wards : DataFrame, optional
        ``lsoa_code``, ``ward_code``, ``ward_name`` (one ward per LSOA; the ONS LSOA-to-ward lookup of the
        records' LSOA vintage). Required for ``place="ward"``. An LSOA missing from the lookup is not ranked
        under any ward (:func:`ward_lookup_gaps` counts those records), but stays in the denominator.
    population : Series or DataFrame, optional
        Residents per LSOA: a Series indexed by ``lsoa_code`` or a frame with ``lsoa_code`` and
        ``population``. A ward's population is the sum over all its LSOAs in ``wards``, and blank if any of
        them has none. Without it ``population`` and ``rate_per_1000`` are blank (never 0).
    location_key : {"point", "string"}
        For ``place="location"``, see :func:`repeat_locations`.

    Returns
    -------
    DataFrame
        The columns of :data:`HOTSPOT_COLUMNS` (see :func:`hotspots_table`), one row per district x issue x
        place with at least one incident, ordered by district, issue (their categorical order) and rank.

    Examples
    --------
    >>> recs = pd.DataFrame({
    ...     "month": ["2018-10", "2018-10", "2018-11", "2018-12"],
    ...     "district": ["Melton"] * 4, "issue": ["Burglary"] * 4,
    ...     "lsoa_code": ["E01025912", "E01025911", "E01025911", "E01025912"],
    ...     "lsoa_name": ["Melton 003B", "Melton 003A", "Melton 003A", "Melton 003B"]})
    >>> hotspots(recs, "2018-19Q3", population=pd.Series({"E01025911": 1500}))[
    ...     ["rank", "rank_shared", "place_code", "count", "share", "rate_per_1000"]]
       rank  rank_shared place_code  count  share  rate_per_1000
    0     1            1  E01025911      2    0.5       1.333333
    1     2            1  E01025912      2    0.5            NaN
    """
    if place == "location":
        out = repeat_locations(records, period, top=top, key=location_key)
        return out
    if place not in PLACE_TYPES:
        raise ValueError(f"place must be one of {PLACE_TYPES}, not {place!r}")
    df = records_frame(records, ["month", *_GROUP, "lsoa_code", "lsoa_name"], period_months(period))
    totals = _totals(df)
    pop = _population(population)
    df = df[df["lsoa_code"].notna()]
    if place == "lsoa":
        counts = df.groupby([*_GROUP, "lsoa_code"], observed=True).size().rename("count").reset_index()
        counts["place_code"] = counts.pop("lsoa_code").astype("str")
        names = df.groupby("lsoa_code", observed=True)["lsoa_name"].first()
        names.index = names.index.astype("str")
        counts["place_name"] = map_values(counts["place_code"], names.astype("str")).to_numpy()
        counts["lsoa_name"] = counts["place_name"]
        if pop is not None:
            counts["population"] = map_values(counts["place_code"], pop).to_numpy()
    else:
        if wards is None:
            raise ValueError("place='ward' needs the LSOA-to-ward lookup (wards=...)")
        lk = _ward_lookup(wards)
        ward = map_values(df["lsoa_code"], lk["ward_code"]).to_numpy()
        keep = pd.notna(ward)
        df = df.loc[keep, _GROUP].assign(place_code=ward[keep])
        counts = df.groupby([*_GROUP, "place_code"], observed=True).size().rename("count").reset_index()
        counts["place_code"] = counts["place_code"].astype("str")
        names = lk.drop_duplicates("ward_code").set_index("ward_code")["ward_name"]
        counts["place_name"] = map_values(counts["place_code"], names).to_numpy()
        if pop is not None:
            counts["population"] = map_values(counts["place_code"], ward_population(wards, pop)).to_numpy()
    ranked = _rank(counts, ["place_code"], top)
    return _finish(ranked, totals, place, period)


def ward_population(wards: pd.DataFrame, population: pd.Series | pd.DataFrame) -> pd.Series:
    """Residents per ward: the sum over the ward's LSOAs in the lookup, NaN if any of them has no figure.

    Examples
    --------
    >>> lk = pd.DataFrame({"lsoa_code": ["A", "B", "C"], "ward_code": ["W1", "W1", "W2"],
    ...                    "ward_name": ["One", "One", "Two"]})
    >>> ward_population(lk, pd.Series({"A": 1000, "B": 1200})).to_dict()
    {'W1': 2200.0, 'W2': nan}
    """
    lk = _ward_lookup(wards)
    pop = _population(population)
    per_lsoa = map_values(pd.Series(lk.index), pop)
    frame = pd.DataFrame({"ward_code": lk["ward_code"].to_numpy(), "population": per_lsoa.to_numpy()})
    agg = frame.groupby("ward_code", sort=True)["population"].agg(["sum", "count", "size"])
    return agg["sum"].where(agg["count"] == agg["size"]).astype("float64").rename("population")


def ward_lookup_gaps(records: pd.DataFrame | pa.Table, period: Period, wards: pd.DataFrame) -> pd.DataFrame:
    """Records of the period whose LSOA is not in the ward lookup (so in no ward ranking).

    Returns
    -------
    DataFrame
        ``district``, ``issue``, ``lsoa_code``, ``lsoa_name``, ``count`` (int); empty when every LSOA is
        in the lookup. Ordered by district, issue, then LSOA code.
    """
    df = records_frame(records, ["month", *_GROUP, "lsoa_code", "lsoa_name"], period_months(period))
    lk = _ward_lookup(wards)
    gap = pd.isna(map_values(df["lsoa_code"], lk["ward_code"]).to_numpy()) & df["lsoa_code"].notna().to_numpy()
    out = df[gap].groupby([*_GROUP, "lsoa_code", "lsoa_name"], observed=True).size().rename("count")
    out = out.reset_index()
    for col in ("lsoa_code", "lsoa_name"):
        out[col] = out[col].astype("str")
    out["count"] = out["count"].astype("int64")
    return out.sort_values([*_GROUP, "lsoa_code"], kind="stable").reset_index(drop=True)


def repeat_locations(
    records: pd.DataFrame | pa.Table,
    period: Period,
    *,
    top: int | None = 10,
    key: Literal["point", "string"] = "point",
) -> pd.DataFrame:
    """The police.uk locations (anonymous map points) with most incidents of each issue in each district.

    A location is an anonymous map point covering at least eight addresses (see the module notes); it is
    never an exact address. Blank texts, ``"No Location"``, a bare ``"On or near"`` and (for
    ``key="point"``) texts without coordinates are left out and counted by :func:`location_exclusions`;
    they stay in ``district_issue_count``, so ``share`` is a share of all the district's incidents of the
    issue.

    Parameters
    ----------
    records : DataFrame or pyarrow.Table
        ``month``, ``district``, ``issue``, ``location``; for ``key="point"`` also ``lsoa_name``,
        ``longitude`` and ``latitude``.
    period : Quarter, str or sequence of str
        The months counted.
    top : int or None, default 10
        Locations kept per district x issue; None keeps all.
    key : {"point", "string"}, default "point"
        ``"point"``: one location per map point (normalised text, longitude, latitude and the LSOA it lies
        in), so the many different points all called "On or near Supermarket" stay apart. ``"string"``: one
        location per normalised text, pooling every point of that name in the district.

    Returns
    -------
    DataFrame
        The columns of :data:`HOTSPOT_COLUMNS` with ``place_type = "location"``, ``place_code`` blank,
        ``place_name`` the normalised text, ``lsoa_name``, ``longitude`` and ``latitude`` of the map point
        (blank for ``key="string"``), ``population`` and ``rate_per_1000`` blank. Ties are broken by text,
        then LSOA name, latitude and longitude (ascending).

    Examples
    --------
    >>> recs = pd.DataFrame({"month": ["2018-10"] * 4, "district": ["Blaby"] * 4, "issue": ["Shoplifting"] * 4,
    ...     "location": ["On or near Supermarket", "On or near  Supermarket", "On or near Supermarket",
    ...                  "No Location"],
    ...     "lsoa_name": ["Blaby 001A", "Blaby 001A", "Blaby 009C", None],
    ...     "longitude": [-1.2, -1.2, -1.1, np.nan], "latitude": [52.6, 52.6, 52.5, np.nan]})
    >>> repeat_locations(recs, "2018-10")[["rank", "place_name", "lsoa_name", "count", "share"]]
       rank              place_name   lsoa_name  count  share
    0     1  On or near Supermarket  Blaby 001A      2   0.50
    1     2  On or near Supermarket  Blaby 009C      1   0.25
    >>> repeat_locations(recs, "2018-10", key="string")[["place_name", "count"]].to_dict("records")
    [{'place_name': 'On or near Supermarket', 'count': 3}]
    """
    df = _location_frame(records, period_months(period), key)
    totals = _totals(df)
    kept = df[df["reason"].isna()]
    keys = [*_GROUP, "location"] + (["lsoa_name", "latitude", "longitude"] if key == "point" else [])
    counts = kept.groupby(keys, observed=True, dropna=False).size().rename("count").reset_index()
    counts = counts.rename(columns={"location": "place_name"})
    counts["place_name"] = counts["place_name"].astype("str")
    if key == "point":
        counts["lsoa_name"] = counts["lsoa_name"].astype("str")
        tiebreak = ["place_name", "lsoa_name", "latitude", "longitude"]
    else:
        tiebreak = ["place_name"]
    ranked = _rank(counts, tiebreak, top)
    return _finish(ranked, totals, "location", period)


def hotspots_table(
    records: pd.DataFrame | pa.Table,
    period: Period,
    *,
    top: int | None = 10,
    wards: pd.DataFrame | None = None,
    population: pd.Series | pd.DataFrame | None = None,
    location_key: Literal["point", "string"] = "point",
) -> pd.DataFrame:
    """The hotspots table (``tables/hotspots.csv``): LSOAs, wards (when a lookup is given) and locations.

    Columns (:data:`HOTSPOT_COLUMNS`)
    ---------------------------------
    district : the official district name (categorical, county order)
    issue : the police.uk crime type (categorical)
    period : the period counted, ``2018-19Q3`` for a quarter, else ``YYYY-MM to YYYY-MM``
    place_type : ``lsoa``, ``ward`` or ``location`` (an anonymous police.uk map point)
    rank : 1 = most incidents; unique within district x issue x place_type, ties broken by ``place_code``
        (LSOA and ward), or by text, LSOA name, latitude, longitude (locations), ascending
    rank_shared : competition rank: places with equal counts share the best rank (1, 2, 2, 4)
    place_code : LSOA code or ward code; blank for locations (a map point has no public code)
    place_name : LSOA name, ward name, or the Location text ("On or near ...", white space normalised)
    lsoa_name : the LSOA of an ``lsoa`` row or of a location's map point; blank for wards
    longitude, latitude : the map point of a ``location`` row (degrees, WGS84); blank otherwise
    count : incidents in the period (int)
    share : ``count / district_issue_count``, in [0, 1]
    district_issue_count : all the district's incidents of the issue in the period (int), including any
        with no usable location or no ward
    population : residents of the LSOA or ward (int) where a population is given; blank otherwise
    rate_per_1000 : ``count / population x 1000``, incidents per 1,000 residents in the period; blank when
        the population is blank (never 0)

    Rows are ordered by district, issue, place type (``lsoa``, ``ward``, ``location``) and rank. Parameters
    are those of :func:`hotspots`.

    Examples
    --------
    >>> recs = pd.DataFrame({"month": ["2018-10"] * 3, "district": ["Melton"] * 3, "issue": ["Drugs"] * 3,
    ...     "lsoa_code": ["E01025911"] * 3, "lsoa_name": ["Melton 003A"] * 3,
    ...     "location": ["On or near Park/Open Space", "On or near Park/Open Space", "No Location"],
    ...     "longitude": [-0.88, -0.88, np.nan], "latitude": [52.76, 52.76, np.nan]})
    >>> t = hotspots_table(recs, "2018-10")
    >>> t[["place_type", "rank", "place_name", "count", "share"]].to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'place_type': 'lsoa', 'rank': 1, 'place_name': 'Melton 003A', 'count': 3, 'share': 1.0},
     {'place_type': 'location', 'rank': 1, 'place_name': 'On or near Park/Open Space', 'count': 2,
      'share': 0.6666666666666666}]
    """
    parts = [hotspots(records, period, place="lsoa", top=top, population=population)]
    if wards is not None:
        parts.append(hotspots(records, period, place="ward", top=top, wards=wards, population=population))
    parts.append(repeat_locations(records, period, top=top, key=location_key))
    out = pd.concat(parts, ignore_index=True)
    kind = pd.Categorical(out["place_type"], categories=list(PLACE_TYPES), ordered=True)
    out = out.assign(_k=kind).sort_values([*_GROUP, "_k", "rank"], kind="stable").drop(columns="_k")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# Density grid


def project_km(lon: np.ndarray | pd.Series, lat: np.ndarray | pd.Series, centre_lon: float,
               centre_lat: float) -> tuple[np.ndarray, np.ndarray]:
    """Local equirectangular projection: km east and north of a centre point.

    ``x = R (lon - lon0) cos(lat0)``, ``y = R (lat - lat0)`` (angles in radians, ``R`` =
    :data:`EARTH_RADIUS_KM`). Areas are true at the centre's latitude; across a county (about 70 km north to
    south) the east-west scale drifts by under 1% and the error against the Ordnance Survey grid is of the same
    order, far below the size of a map cell.

    Examples
    --------
    >>> x, y = project_km(np.array([-1.0]), np.array([53.0]), -1.0, 52.0)
    >>> round(float(x[0]), 3), round(float(y[0]), 1)
    (0.0, 111.2)
    """
    k = np.pi / 180.0 * EARTH_RADIUS_KM
    x = (np.asarray(lon, dtype="float64") - centre_lon) * k * np.cos(np.radians(centre_lat))
    y = (np.asarray(lat, dtype="float64") - centre_lat) * k
    return x, y


def unproject_km(x: np.ndarray, y: np.ndarray, centre_lon: float, centre_lat: float) -> tuple[np.ndarray,
                                                                                             np.ndarray]:
    """The inverse of :func:`project_km`: (longitude, latitude) in degrees."""
    k = np.pi / 180.0 * EARTH_RADIUS_KM
    lat = np.asarray(y, dtype="float64") / k + centre_lat
    lon = np.asarray(x, dtype="float64") / (k * np.cos(np.radians(centre_lat))) + centre_lon
    return lon, lat


@dataclass(frozen=True)
class DensityGrid:
    """Incidents counted on a square km grid, ready for a density map (:func:`density_grid`).

    Attributes
    ----------
    cells : DataFrame
        One row per grid cell holding at least one incident: ``cell_x``, ``cell_y`` (int indices: the cell
        spans ``[cell_x, cell_x + 1) x cell_km`` east of the centre, likewise north), ``x_km``, ``y_km`` (cell
        centre, km east and north of the map centre), ``longitude``, ``latitude`` (cell centre, degrees),
        ``count`` (incidents, int), ``points`` (distinct map points among them, int), ``main_lsoa`` (the LSOA
        name holding most of the cell's incidents; ties alphabetical), ``shown`` (bool: the cell passes the
        suppression rule), ``density_per_km2`` (``count / cell_km**2``, incidents per km² in the period; NaN
        for suppressed cells). Ordered by count (most first), then ``cell_y``, ``cell_x``.
    centre_lon, centre_lat : float
        Centre of the projection (degrees): the middle of the bounding box of every map point of the
        district (all issues, all months), so the maps of one district share one grid.
    cell_km : float
        Cell side (km).
    min_count, min_points : int
        The suppression rule: a cell is shown only with at least ``min_count`` incidents at at least
        ``min_points`` distinct map points.
    extent_km : tuple of float
        ``(x_min, x_max, y_min, y_max)``: grid-aligned bounds holding every counted incident and the outline.
    outline_km : ndarray
        ``(n, 2)`` closed polygon (km): the convex hull of every map point of the district in the data (all
        issues and months), the district's populated extent as police.uk shows it; not its boundary.
    incidents : int
        Incidents with coordinates counted in the grid (= ``cells["count"].sum()``).
    without_coordinates : int
        Incidents of the selection with no coordinates (not on the map).
    suppressed_cells, suppressed_incidents : int
        Cells not shown, and the incidents in them.
    district, issue, period, period_code : str
        What the grid counts: district (``"All districts"`` when not restricted), issue(s), the period label
        (``"October to December 2018 (2018-19 Q3)"``) and code (``"2018-19Q3"``).
    """

    cells: pd.DataFrame
    centre_lon: float
    centre_lat: float
    cell_km: float
    min_count: int
    min_points: int
    extent_km: tuple[float, float, float, float]
    outline_km: np.ndarray = field(repr=False)
    incidents: int
    without_coordinates: int
    suppressed_cells: int
    suppressed_incidents: int
    district: str
    issue: str
    period: str
    period_code: str

    @property
    def shown(self) -> pd.DataFrame:
        """The cells drawn on the map (those passing the suppression rule)."""
        return self.cells[self.cells["shown"]].reset_index(drop=True)

    def rule(self) -> str:
        """The suppression rule in words, for a chart note or the methodology annex."""
        pts = f" at {self.min_points} or more map points" if self.min_points > 1 else ""
        return (f"cells of {self.cell_km:g} km are shown only with {self.min_count} or more incidents{pts}, so "
                "that no single anonymised map point appears as a hotspot")


def _outline(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Closed convex hull of the points (km), or the points themselves when fewer than three are distinct."""
    pts = np.unique(np.column_stack([x, y]), axis=0) if len(x) else np.empty((0, 2))
    if len(pts) >= 3:
        from scipy.spatial import ConvexHull, QhullError

        try:
            hull = pts[ConvexHull(pts).vertices]
            return np.vstack([hull, hull[:1]])
        except QhullError:  # all points on one line
            pass
    return pts


def density_grid(
    records: pd.DataFrame | pa.Table,
    period: Period,
    *,
    district: str | None = None,
    issue: str | Sequence[str] | None = None,
    cell_km: float = 1.0,
    min_count: int = 3,
    min_points: int = 2,
) -> DensityGrid:
    """Count incidents with coordinates on a square grid (km) for a density map of one district.

    Method: map points are projected with a local equirectangular projection about the centre of the
    district's map points (:func:`project_km`; north is up and a km is a km in both directions, to within 1%
    across a county), then counted in square cells of ``cell_km`` aligned on that centre. Cells with fewer
    than ``min_count`` incidents, or whose incidents all lie at fewer than ``min_points`` distinct map points,
    are *suppressed*: counted (``suppressed_cells``, ``suppressed_incidents``) but not coloured, so a single
    anonymised map point (which stands for eight or more addresses) is never shown as a hotspot; concentrations
    at one point belong to the repeat-locations table, which names the point as a point.

    Parameters
    ----------
    records : DataFrame or pyarrow.Table
        ``month``, ``district``, ``issue``, ``longitude``, ``latitude`` (and ``lsoa_name`` for
        ``main_lsoa``, optional).
    period : Quarter, str or sequence of str
        The months counted.
    district : str, optional
        The district mapped; None maps every record given.
    issue : str or sequence of str, optional
        Issue(s) counted; None counts all.
    cell_km : float, default 1.0
        Cell side in km.
    min_count : int, default 3
        Fewest incidents for a cell to be shown.
    min_points : int, default 2
        Fewest distinct map points for a cell to be shown (1 switches this part of the rule off).

    Returns
    -------
    DensityGrid

    Examples
    --------
    >>> recs = pd.DataFrame({"month": ["2018-10"] * 5, "district": ["Melton"] * 5, "issue": ["Drugs"] * 5,
    ...     "longitude": [-0.886, -0.887, -0.886, -0.80, np.nan],
    ...     "latitude": [52.766, 52.7665, 52.766, 52.78, np.nan]})
    >>> g = density_grid(recs, "2018-10", district="Melton")
    >>> g.incidents, g.without_coordinates, g.suppressed_cells, g.suppressed_incidents
    (4, 1, 1, 1)
    >>> g.shown[["count", "points", "density_per_km2"]].to_dict("records")
    [{'count': 3, 'points': 2, 'density_per_km2': 3.0}]
    """
    if cell_km <= 0:
        raise ValueError(f"cell_km must be positive, not {cell_km}")
    if min_count < 1 or min_points < 1:
        raise ValueError("min_count and min_points must be at least 1")
    has_lsoa = (records.column_names if isinstance(records, pa.Table) else records.columns).__contains__(
        "lsoa_name")
    cols = ["month", *_GROUP, "longitude", "latitude"] + (["lsoa_name"] if has_lsoa else [])
    everything = records_frame(records, cols)
    if district is not None:
        everything = everything[(everything["district"] == district).to_numpy()]
    context = everything[everything["longitude"].notna() & everything["latitude"].notna()]
    months = period_months(period)
    sel = everything[everything["month"].isin(months).to_numpy()]
    if issue is not None:
        issues = [issue] if isinstance(issue, str) else list(issue)
        sel = sel[sel["issue"].isin(issues).to_numpy()]
        issue_label = ", ".join(issues)
    else:
        issue_label = "All issues"
    located = sel["longitude"].notna() & sel["latitude"].notna()
    without = int((~located).sum())
    sel = sel[located]

    pts = context[["longitude", "latitude"]].drop_duplicates()
    if len(pts):
        lon0 = float((pts["longitude"].min() + pts["longitude"].max()) / 2)
        lat0 = float((pts["latitude"].min() + pts["latitude"].max()) / 2)
    else:
        lon0 = lat0 = 0.0
    ox, oy = project_km(pts["longitude"], pts["latitude"], lon0, lat0)
    outline = _outline(ox, oy)
    x, y = project_km(sel["longitude"], sel["latitude"], lon0, lat0)
    cx = np.floor(x / cell_km).astype("int64")
    cy = np.floor(y / cell_km).astype("int64")

    frame = pd.DataFrame({"cell_x": cx, "cell_y": cy, "longitude": sel["longitude"].to_numpy(),
                          "latitude": sel["latitude"].to_numpy()})
    if has_lsoa:
        frame["lsoa_name"] = sel["lsoa_name"].astype("str").to_numpy()
    cells = frame.groupby(["cell_x", "cell_y"]).size().rename("count").to_frame()
    cells["points"] = frame.drop_duplicates(["cell_x", "cell_y", "longitude", "latitude"]).groupby(
        ["cell_x", "cell_y"]).size()
    if has_lsoa:
        per = frame.groupby(["cell_x", "cell_y", "lsoa_name"]).size().rename("n").reset_index()
        per = per.sort_values(["cell_x", "cell_y", "n", "lsoa_name"], ascending=[True, True, False, True],
                              kind="stable").drop_duplicates(["cell_x", "cell_y"])
        cells["main_lsoa"] = per.set_index(["cell_x", "cell_y"])["lsoa_name"].astype("str")
    else:
        cells["main_lsoa"] = pd.Series(pd.array([None] * len(cells), dtype="str"), index=cells.index)
    cells = cells.reset_index()
    cells["x_km"] = (cells["cell_x"] + 0.5) * cell_km
    cells["y_km"] = (cells["cell_y"] + 0.5) * cell_km
    clon, clat = unproject_km(cells["x_km"].to_numpy(), cells["y_km"].to_numpy(), lon0, lat0)
    cells["longitude"], cells["latitude"] = clon, clat
    cells["count"] = cells["count"].astype("int64")
    cells["points"] = cells["points"].astype("int64")
    cells["shown"] = (cells["count"] >= min_count) & (cells["points"] >= min_points)
    cells["density_per_km2"] = (cells["count"] / cell_km**2).where(cells["shown"]).astype("float64")
    cells = cells.sort_values(["count", "cell_y", "cell_x"], ascending=[False, True, True], kind="stable")
    cells = cells[["cell_x", "cell_y", "x_km", "y_km", "longitude", "latitude", "count", "points", "main_lsoa",
                   "shown", "density_per_km2"]].reset_index(drop=True)

    allx = np.concatenate([x, outline[:, 0]]) if len(outline) else x
    ally = np.concatenate([y, outline[:, 1]]) if len(outline) else y
    if len(allx):
        lo_x, hi_x = np.floor(allx.min() / cell_km), np.floor(allx.max() / cell_km) + 1
        lo_y, hi_y = np.floor(ally.min() / cell_km), np.floor(ally.max() / cell_km) + 1
        extent = (float(lo_x * cell_km), float(hi_x * cell_km), float(lo_y * cell_km), float(hi_y * cell_km))
    else:
        extent = (0.0, cell_km, 0.0, cell_km)
    hidden = ~cells["shown"]
    return DensityGrid(
        cells=cells, centre_lon=lon0, centre_lat=lat0, cell_km=float(cell_km), min_count=int(min_count),
        min_points=int(min_points), extent_km=extent, outline_km=outline, incidents=int(cells["count"].sum()),
        without_coordinates=without, suppressed_cells=int(hidden.sum()),
        suppressed_incidents=int(cells.loc[hidden, "count"].sum()),
        district=district if district is not None else "All districts", issue=issue_label,
        period=period_label(period), period_code=period_code(period),
    )
