"""Counting engines: the one heavy step (records to district x issue x month counts) on Arrow or Dask.

Everything the scoring needs about volume comes from one small table of counts, so the engine question is
only "who counts?". On one machine Arrow's group-by counts a national year from the Parquet cache in a
fraction of a second (:func:`arrow_monthly_counts`). :func:`load_dataset` gives the placed records themselves
for analyses that need them. Beyond
one machine, :func:`dask_monthly_counts` runs the same count with ``dask.dataframe`` over the same Parquet
cache, on whatever ``dask.distributed`` cluster the caller is connected to (a ``LocalCluster`` in the tests);
the scoring then runs on the small result exactly as before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from csa_analysis.config.county import County
from csa_analysis.ingest.cache import ensure_cache, read_key_counts
from csa_analysis.ingest.place import (
    COUNT_COLUMNS,
    PLACING_COLUMNS,
    RECORD_COLUMNS,
    Dataset,
    group_placing,
    place,
    place_grouped,
)

#: Who counts: Arrow's own group-by on one machine, or dask.dataframe on a cluster (the tables are the same).
ENGINES = ("arrow", "dask")


def monthly_counts(records: pd.DataFrame, county: County) -> pd.DataFrame:
    """Counts per district x issue x month from placed records (pandas engine).

    Parameters
    ----------
    records : DataFrame
        :attr:`csa_analysis.ingest.place.Dataset.records` (``district``, ``issue``, ``month``).
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

    Reads the incidents per placement key, issue and month counted when the cache was built
    (:func:`csa_analysis.ingest.cache.read_key_counts`; if that file is missing or damaged, counts the cache's
    three columns with :func:`csa_analysis.ingest.place.group_placing`) and places them with
    :func:`csa_analysis.ingest.place.place_grouped`, so no per-record frame is ever built: this is what
    ``csa score`` and ``csa assess`` use on one machine. ``rehash`` hashes every raw file, trusting no stat
    index (see :func:`csa_analysis.ingest.cache.ensure_cache`).

    Returns
    -------
    counts : DataFrame
        As :func:`monthly_counts`.
    account : dict
        The cache account.
    quality : dict
        As :attr:`csa_analysis.ingest.place.Dataset.quality`.
    """
    path, account = ensure_cache(county.police_uk, cache_dir=cache_dir, progress=progress, rehash=rehash,
                                 columns=())  # no column of the incidents is read if the key counts are sound
    grouped = read_key_counts(path, account)  # counted when the cache was built
    if grouped is None:  # count the incidents' three columns, checked (the entry rebuilt if they are damaged)
        path, account = ensure_cache(county.police_uk, cache_dir=cache_dir, progress=progress,
                                     columns=PLACING_COLUMNS)
        grouped = group_placing(pq.read_table(path, columns=list(PLACING_COLUMNS)))
    counts, quality = place_grouped(grouped, county, account, codes_seen=functools.partial(_codes_seen, path),
                                    memo_dir=_memo_dir(path))
    return counts, account, quality


def _memo_dir(path: Path) -> Path:
    """Where the placement keys' districts are kept per county: ``placements/`` beside ``incidents/``."""
    return path.parent.parent / "placements"


def _codes_seen(path: Path) -> list[str]:
    """The distinct LSOA codes of a cache entry (read only to explain a district with no record)."""
    codes = pq.read_table(path, columns=["lsoa_code"])["lsoa_code"]
    return [str(c) for c in pc.unique(codes.cast(pa.string())).drop_null().to_pylist()]


def load_dataset(
    county: County,
    *,
    cache_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    columns: Sequence[str] | None = None,
) -> Dataset:
    """Read the county's police.uk files (through the Parquet cache) and place every record.

    Parameters
    ----------
    county : County
        From :func:`csa_analysis.config.read_county`.
    cache_dir : str or Path, optional
        Where processed Parquet files live; default :func:`csa_analysis.paths.default_cache_dir`.
    progress : callable, optional
        Called with a short message per step (e.g. ``print``) on long runs.
    columns : sequence of str, optional
        Record columns wanted (from :data:`RECORD_COLUMNS`); ``month``, ``district`` and ``issue`` always
        come. Asking only for what an analysis needs reads far less at national scale.

    Returns
    -------
    Dataset
    """
    read = None
    if columns is not None:
        unknown = sorted(set(columns) - set(RECORD_COLUMNS) - {"district"})
        if unknown:
            raise ValueError(f"unknown record columns {unknown}; choose from {RECORD_COLUMNS}")
        read = sorted(set(columns) - {"district"} | set(PLACING_COLUMNS))
    path, account = ensure_cache(county.police_uk, cache_dir=cache_dir, progress=progress, columns=read)
    # pre_buffer=False: a local file gains nothing from it, and it holds every column's raw bytes until the
    # whole table is decoded (about 370 MB more at the peak for a national year)
    return place(pq.read_table(path, columns=read, pre_buffer=False), county, account,
                 codes_seen=functools.partial(_codes_seen, path),
                 memo_dir=_memo_dir(path))


def dask_monthly_counts(
    county: County,
    *,
    cache_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any], dict[str, Any]]:
    """The same counts and quality as :func:`arrow_monthly_counts`, grouped by ``dask.dataframe``.

    Uses the ``dask.distributed`` client the caller has started, if any (otherwise Dask's default local
    scheduler); each Parquet row group is one partition. Dask groups the records by placement key, issue and
    month (the key fixed for each row when the cache was built, in its file's LSOA vintage, so a partition needs
    nothing of the rest of its file); the grouped result is placed by
    :func:`csa_analysis.ingest.place.place_grouped`, exactly as on one machine.

    Returns
    -------
    counts, account, quality
        As :func:`arrow_monthly_counts`.
    """
    import dask.dataframe as dd

    path, account = ensure_cache(county.police_uk, cache_dir=cache_dir, progress=progress, columns=PLACING_COLUMNS)
    ddf = dd.read_parquet(str(path), columns=list(PLACING_COLUMNS), split_row_groups=True)
    ddf = ddf.astype({c: "str" for c in PLACING_COLUMNS})  # categoricals differ between partitions
    grouped = ddf.groupby(list(PLACING_COLUMNS), dropna=False, observed=True).size().compute()
    grouped = grouped.rename("n").reset_index()
    counts, quality = place_grouped(grouped, county, account, codes_seen=functools.partial(_codes_seen, path),
                                    memo_dir=_memo_dir(path))
    return counts, account, quality
