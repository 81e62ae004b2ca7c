"""Counting engines: the one heavy step (records to district x issue x month counts) on pandas or Dask.

Everything the scoring needs about volume comes from one small table of counts, so the engine question is
only "who counts?". On one machine pandas counts a national year from the Parquet cache in seconds. Beyond
one machine, :func:`dask_monthly_counts` runs the same count with ``dask.dataframe`` over the same Parquet
cache, on whatever ``dask.distributed`` cluster the caller is connected to (a ``LocalCluster`` in the tests);
the scoring then runs on the small result exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csa_analysis.config.county import County
from csa_analysis.domain.names import normalise_name
from csa_analysis.ingest.load import issue_categories

ENGINES = ("pandas", "dask")
COUNT_COLUMNS = ("district", "issue", "month", "count")


def district_lookup(la_names: pd.Index, county: County) -> np.ndarray:
    """Position in ``county.district_names`` of each local-authority name, -1 when out of area.

    Parameters
    ----------
    la_names : Index of str
        Distinct local-authority names (the categories of ``la_name``).
    county : County
        Official names and aliases.

    Returns
    -------
    ndarray of int64
        One entry per name, plus a trailing -1 so that a categorical code of -1 (missing) maps to -1.
    """
    name_map = county.name_map()
    position = {name: i for i, name in enumerate(county.district_names)}
    return np.array([position.get(name_map.get(normalise_name(c)), -1) for c in la_names] + [-1],
                    dtype="int64")


def monthly_counts(records: pd.DataFrame, county: County) -> pd.DataFrame:
    """Counts per district x issue x month from placed records (pandas engine).

    Parameters
    ----------
    records : DataFrame
        :attr:`csa_analysis.ingest.load.Dataset.records` (``district``, ``issue``, ``month``).
    county : County
        Gives the district order.

    Returns
    -------
    DataFrame
        ``district`` (categorical, county order), ``issue`` (categorical), ``month`` (str ``YYYY-MM``),
        ``count`` (int64, incidents). Only combinations with at least one record; sorted.
    """
    counts = (
        records.groupby(["district", "issue", "month"], observed=True, sort=True)
        .size()
        .rename("count")
        .reset_index()
    )
    counts["month"] = counts["month"].astype("str")
    counts["count"] = counts["count"].astype("int64")
    return counts[list(COUNT_COLUMNS)]


def arrow_monthly_counts(
    county: County,
    *,
    cache_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    rehash: bool = False,
) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Any]]:
    """Counts per district x issue x month and the data-quality account, aggregated by Arrow itself.

    ``rehash`` hashes every raw file, trusting no stat index (see :func:`csa_analysis.ingest.cache.ensure_cache`).

    Reads only the three columns placing needs from the Parquet cache (``la_name`` is missing exactly where
    the LSOA is: those rows are unallocated) and groups them with Arrow's
    multi-threaded hash aggregation, so no per-record pandas frame is ever built: this is what ``csa score``
    and ``csa assess`` use on one machine.

    Returns
    -------
    counts : DataFrame
        As :func:`monthly_counts`.
    account : dict
        The cache account.
    quality : dict
        As :attr:`csa_analysis.ingest.load.Dataset.quality`.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from csa_analysis.ingest.cache import ensure_cache
    from csa_analysis.ingest.load import check_every_district_placed, quality_account

    path, account = ensure_cache(county.police_uk, cache_dir=cache_dir, progress=progress, rehash=rehash)
    table = pq.read_table(path, columns=["la_name", "issue", "month"]).unify_dictionaries()
    grouped = table.group_by(["la_name", "issue", "month"]).aggregate([([], "count_all")])
    n = grouped["count_all"].to_numpy()
    la = grouped["la_name"].combine_chunks()
    if not pa.types.is_dictionary(la.type):
        la = la.dictionary_encode()
    # Place each distinct local-authority name (not each row): -1 marks out of area and, through the
    # trailing -1 of the lookup, rows with no LSOA (unallocated).
    la_code = la.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")
    lookup = district_lookup(pd.Index(la.dictionary.to_pylist(), dtype="object"), county)
    code = lookup[la_code]
    no_lsoa = la_code < 0
    unallocated = int(n[no_lsoa].sum())
    outside = (code < 0) & ~no_lsoa
    by_name = np.bincount(la_code[outside], weights=n[outside], minlength=len(la.dictionary))
    by_area = {la.dictionary[int(i)].as_py(): int(by_name[i]) for i in np.flatnonzero(by_name)}
    inside = code >= 0
    placed_rows = pa.array(inside)
    issue, month = (grouped[c].combine_chunks().cast(pa.string()).filter(placed_rows).to_pandas()
                    for c in ("issue", "month"))
    placed = pd.DataFrame({
        "district": pd.Categorical.from_codes(code[inside], categories=county.district_names),
        "issue": pd.Categorical(issue, categories=issue_categories(issue.unique())),
        "month": month,
        "count": n[inside].astype("int64"),
    })
    # Two names of one district (an alias) fold together here.
    counts = (placed.groupby(["district", "issue", "month"], observed=True, sort=True)["count"].sum()
              .reset_index()[list(COUNT_COLUMNS)])
    counts["count"] = counts["count"].astype("int64")
    per_district = counts.groupby("district", observed=False)["count"].sum().to_dict()
    check_every_district_placed(county, per_district, by_area)
    quality = quality_account(county, account, per_district, unallocated, by_area)
    return counts, account, quality


def dask_monthly_counts(
    county: County,
    *,
    cache_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The same counts as :func:`monthly_counts`, computed with ``dask.dataframe`` over the Parquet cache.

    Uses the ``dask.distributed`` client the caller has started, if any (otherwise Dask's default local
    scheduler). Each Parquet row group is one partition.

    Returns
    -------
    counts : DataFrame
        As :func:`monthly_counts`.
    account : dict
        The cache account (rows read, duplicates, inputs, months).
    """
    import dask.dataframe as dd

    from csa_analysis.ingest.cache import ensure_cache

    path, account = ensure_cache(county.police_uk, cache_dir=cache_dir, progress=progress)
    ddf = dd.read_parquet(str(path), columns=["la_name", "lsoa_name", "issue", "month"],
                          split_row_groups=True)
    names = list(county.district_names)

    def place_partition(part: pd.DataFrame) -> pd.DataFrame:
        la = part["la_name"].astype("category")
        codes = district_lookup(la.cat.categories, county)[la.cat.codes.to_numpy()]
        keep = (codes >= 0) & part["lsoa_name"].notna().to_numpy()
        out = pd.DataFrame({
            "district": pd.Categorical.from_codes(codes[keep], categories=names),
            "issue": part["issue"].astype("str").to_numpy()[keep],
            "month": part["month"].astype("str").to_numpy()[keep],
        })
        return out

    meta = pd.DataFrame({"district": pd.Categorical([], categories=names),
                         "issue": pd.Series([], dtype="str"), "month": pd.Series([], dtype="str")})
    placed = ddf.map_partitions(place_partition, meta=meta)
    counts = placed.groupby(["district", "issue", "month"], observed=True).size().compute()
    counts = counts.rename("count").reset_index()
    issues = issue_categories(counts["issue"].unique())
    counts["district"] = pd.Categorical(counts["district"].astype("str"), categories=names)
    counts["issue"] = pd.Categorical(counts["issue"].astype("str"), categories=issues)
    counts["month"] = counts["month"].astype("str")
    counts["count"] = counts["count"].astype("int64")
    counts = counts.sort_values(["district", "issue", "month"], ignore_index=True)
    return counts[list(COUNT_COLUMNS)], account
