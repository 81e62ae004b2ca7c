"""Placing records in the county's districts, and the data-quality account of every row.

Each record is put in a district of the county from its LSOA name (``"Charnwood 012B"`` -> ``"Charnwood"``)
through the official names and declared aliases; rows with no LSOA are *unallocated*, rows in other
districts *out of area*. Nothing is dropped without being counted. Placing works on the distinct
local-authority names, never row by row, and the quality account has one source: :func:`count_placed`, used
both for the counts that scoring needs and for the record-level :class:`Dataset`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from csa_analysis.config.county import County
from csa_analysis.domain.issues import issue_categories
from csa_analysis.domain.names import normalise_name
from csa_analysis.errors import InputError

__all__ = ["COUNT_COLUMNS", "Dataset", "PLACING_COLUMNS", "RECORD_COLUMNS", "check_every_district_placed",
           "count_placed", "district_lookup", "group_placing", "place", "place_grouped", "quality_account"]


@dataclass
class Dataset:
    """Records of one county, placed in districts, with the data-quality account.

    Attributes
    ----------
    records : DataFrame
        One row per incident placed in a county district after de-duplication. Columns: ``month`` (str
        ``YYYY-MM``), ``district`` (categorical, categories = county district names in config order),
        ``issue`` (categorical, the police.uk crime types), ``crime_id`` (str, missing for ASB),
        ``force``, ``lsoa_code``, ``lsoa_name``, ``location``, ``longitude``, ``latitude`` (degrees,
        missing where no location), ``outcome``.
    unallocated : DataFrame
        Rows with no LSOA (no location), same columns less ``district``.
    quality : dict
        The ``csa check --json`` object: ``rows_read``, ``districts``, ``unallocated``, ``out_of_area``,
        ``duplicates_dropped``, ``months`` and more detail (see :func:`place`).
    months : list of str
        Every month present in the files (all forces), sorted.
    inputs : list of dict
        ``{"path", "sha256", "rows"}`` for each file read.
    """

    records: pd.DataFrame
    unallocated: pd.DataFrame
    quality: dict[str, Any]
    months: list[str]
    inputs: list[dict[str, Any]] = field(default_factory=list)


#: Columns of :attr:`Dataset.records` besides ``district`` (``load_dataset(columns=...)`` may ask fewer).
RECORD_COLUMNS = ("month", "crime_id", "force", "issue", "lsoa_code", "lsoa_name", "location",
                  "longitude", "latitude", "outcome")
#: Columns placing needs (``la_name`` is missing exactly where the LSOA is: those rows are unallocated).
PLACING_COLUMNS = ("la_name", "issue", "month")
COUNT_COLUMNS = ("district", "issue", "month", "count")


def district_lookup(la_names: Sequence[str], county: County) -> np.ndarray:
    """Position in ``county.district_names`` of each local-authority name, -1 when out of area.

    Parameters
    ----------
    la_names : sequence of str
        Distinct local-authority names (the dictionary of ``la_name``).
    county : County
        Official names and aliases.

    Returns
    -------
    ndarray of int64
        One entry per name, plus a trailing -1 so that a dictionary index of -1 (missing) maps to -1.

    Examples
    --------
    >>> from pathlib import Path
    >>> from csa_analysis.config.county import County, District
    >>> districts = (District("Blaby", 101526), District("Hinckley and Bosworth", 113136, ("Hinckley & Bosworth",)))
    >>> county = County("Shire", Path("county.toml"), Path("police_uk"), districts)
    >>> district_lookup(["Leicester", "hinckley & bosworth", "Blaby"], county).tolist()
    [-1, 1, 0, -1]
    """
    name_map = county.name_map()
    position = {name: i for i, name in enumerate(county.district_names)}
    return np.array([position.get(name_map.get(normalise_name(c)), -1) for c in la_names] + [-1], dtype="int64")


def _codes(column: pa.ChunkedArray | pa.Array) -> tuple[np.ndarray, list[str]]:
    """Dictionary indices (-1 where missing) and the distinct values of a text column."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if not pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_encode()
    return arr.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64"), arr.dictionary.to_pylist()


def group_placing(table: pa.Table) -> pd.DataFrame:
    """Incidents per local-authority name, issue and month, counted by Arrow's multi-threaded hash group-by.

    Returns
    -------
    DataFrame
        ``la_name`` (str, None where there is no LSOA), ``issue``, ``month`` (str) and ``n`` (int64): small
        (distinct names x issues x months) whatever the number of records.
    """
    grouped = table.select(list(PLACING_COLUMNS)).unify_dictionaries().group_by(list(PLACING_COLUMNS)).aggregate(
        [([], "count_all")])
    return pd.DataFrame({c: grouped[c].combine_chunks().cast(pa.string()).to_pandas() for c in PLACING_COLUMNS}
                        | {"n": grouped["count_all"].to_numpy().astype("int64")})


def place_grouped(grouped: pd.DataFrame, county: County, account: dict[str, Any]) -> tuple[pd.DataFrame,
                                                                                             dict[str, Any]]:
    """Counts per district x issue x month and the data-quality account from :func:`group_placing`'s table.

    The one place the quality account is built (the Arrow and the Dask engines both group, then call this):
    each distinct local-authority name, not each row, is placed.

    Parameters
    ----------
    grouped : DataFrame
        ``la_name`` (None where there is no LSOA), ``issue``, ``month``, ``n``.
    county : County
        Districts with their official names and aliases.
    account : dict
        The cache account (:meth:`csa_analysis.ingest.combine.Combiner.account`).

    Returns
    -------
    counts : DataFrame
        ``district`` (categorical, county order), ``issue`` (categorical), ``month`` (str ``YYYY-MM``),
        ``count`` (int64, incidents); only combinations with at least one record; sorted.
    quality : dict
        The ``csa check --json`` object (:func:`quality_account`).

    Raises
    ------
    InputError
        A district that received no record at all (:func:`check_every_district_placed`).
    """
    la = pd.Categorical(grouped["la_name"])
    la_code = la.codes.astype("int64")
    la_names = [str(c) for c in la.categories]
    n = grouped["n"].to_numpy(dtype="int64")
    code = district_lookup(la_names, county)[la_code]  # code -1 (no LSOA) hits the trailing -1
    no_lsoa = la_code < 0
    outside = (code < 0) & ~no_lsoa
    by_name = np.bincount(la_code[outside], weights=n[outside], minlength=len(la_names))
    by_area = {la_names[int(i)]: int(by_name[i]) for i in np.flatnonzero(by_name)}
    inside = code >= 0
    issue = grouped["issue"].astype("str").to_numpy()[inside]
    placed = pd.DataFrame({
        "district": pd.Categorical.from_codes(code[inside], categories=county.district_names),
        "issue": pd.Categorical(issue, categories=issue_categories(issue)),
        "month": grouped["month"].astype("str").to_numpy()[inside],
        "count": n[inside],
    })
    # Two names of one district (an alias) fold together here.
    counts = (placed.groupby(["district", "issue", "month"], observed=True, sort=True)["count"].sum()
              .reset_index()[list(COUNT_COLUMNS)])
    counts["month"] = counts["month"].astype("str")
    counts["count"] = counts["count"].astype("int64")
    per_district = counts.groupby("district", observed=False)["count"].sum().to_dict()
    check_every_district_placed(county, per_district, by_area)
    return counts, quality_account(county, account, per_district, int(n[no_lsoa].sum()), by_area)


def count_placed(table: pa.Table, county: County, account: dict[str, Any]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """:func:`place_grouped` of :func:`group_placing`: counts and quality from the incidents' Arrow table."""
    return place_grouped(group_placing(table), county, account)


def place(table: pa.Table, county: County, account: dict[str, Any]) -> Dataset:
    """Put every incident in a county district, or count it as unallocated or out of area.

    Parameters
    ----------
    table : pyarrow.Table
        The incidents (from the Parquet cache) with at least :data:`PLACING_COLUMNS`.
    county : County
        Districts with their official names and aliases.
    account : dict
        The cache account.

    Returns
    -------
    Dataset
        Placed records, unallocated rows and the quality account (from :func:`count_placed`, so it agrees
        with the counts scoring uses by construction).
    """
    _counts, quality = count_placed(table, county, account)
    table = table.unify_dictionaries()
    la_code, la_names = _codes(table["la_name"])
    code = district_lookup(la_names, county)[la_code]
    incidents = table.select([c for c in RECORD_COLUMNS if c in table.column_names]).to_pandas()
    issues = issue_categories(incidents["issue"].astype("str").unique())

    def tidy(mask: np.ndarray) -> pd.DataFrame:
        out = incidents.loc[mask].reset_index(drop=True)
        out["issue"] = pd.Categorical(out["issue"].astype("str"), categories=issues)
        out["month"] = out["month"].astype("str")
        return out

    records = tidy(code >= 0)
    records.insert(1, "district", pd.Categorical.from_codes(code[code >= 0], categories=county.district_names))
    return Dataset(records=records, unallocated=tidy(la_code < 0), quality=quality,
                   months=list(account["months"]), inputs=list(account["inputs"]))


def check_every_district_placed(county: County, per_district: dict[str, int],
                                out_of_area_by_area: dict[str, int]) -> None:
    """Raise :class:`InputError` naming a district that received no record at all, and why.

    A district with no record is never a quiet row of zeros: its name (or alias) matches no LSOA name in the
    files, because of a typo, an abolished name, or the wrong force's downloads. The message lists the
    nearest authority names the files do hold.
    """
    empty = [d for d in county.district_names if not per_district.get(d)]
    if not empty:
        return
    import difflib

    name = empty[0]
    found = sorted(out_of_area_by_area, key=lambda k: -out_of_area_by_area[k])
    near = difflib.get_close_matches(name, found, n=3, cutoff=0.6)
    hint = (f"the files hold records of {', '.join(repr(n) for n in near)}" if near else
            f"the files hold records of {', '.join(repr(n) for n in found[:5])}" if found else
            "the files hold no records outside the county's other districts")
    others = f" ({len(empty) - 1} other district(s) too: {', '.join(empty[1:])})" if len(empty) > 1 else ""
    raise InputError(
        f"district {name!r} received no records{others}: no LSOA in the police.uk files lies in it; {hint}",
        file=county.toml_path, where=f"[[districts]] {name!r}",
        expected="the official name of a district in these files (or an alias for it), and the police.uk "
        "downloads of the force that covers it")


def quality_account(county: County, account: dict[str, Any], per_district: dict[str, int], unallocated: int,
                    out_of_area_by_area: dict[str, int]) -> dict[str, Any]:
    """The data-quality account (the ``csa check --json`` object) from the placement counts.

    Parameters
    ----------
    account : dict
        The cache account (:func:`combine`).
    per_district : dict
        Rows placed in each official district (all months).
    unallocated : int
        Rows with no LSOA.
    out_of_area_by_area : dict
        Rows per local-authority name outside the county.
    """
    return {
        "county": county.name,
        "rows_read": account["rows_read"],
        "districts": {d: int(per_district.get(d, 0)) for d in county.district_names},
        "unallocated": int(unallocated),
        "out_of_area": int(sum(out_of_area_by_area.values())),
        "duplicates_dropped": account["duplicates_dropped"],
        "months": account["months"],
        "repeated_file_rows": account["repeated_file_rows"],
        "repeated_files": account["repeated_files"],
        "coordinates_outside_gb": account["coordinates_outside_gb"],
        "out_of_area_by_area": {str(k): int(v) for k, v in sorted(out_of_area_by_area.items())},
        "files": len(account["inputs"]),
    }
