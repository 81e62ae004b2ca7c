"""``csa score`` end to end, with a cache of the scored tables.

The tables of a quarter depend only on the input files (through the processed cache's key), the county
description and the tables it names, the quarter and the workbench's own code. When none of these changed, a
re-run copies the tables it wrote last time instead of loading and scoring again, so a scheduler's repeated run
costs a fraction of a second.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from .cache import ensure_cache
from .config import PACKAGE_DIR, County, default_cache_dir
from .periods import Quarter, check_quarter_in_data, latest_complete_quarter


def _code_fingerprint() -> str:
    h = hashlib.sha256()
    for p in sorted(PACKAGE_DIR.rglob("*")):
        if p.suffix in (".py", ".csv") and p.is_file():
            h.update(p.relative_to(PACKAGE_DIR).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def scored_key(county: County, incidents_path: Path, quarter: Quarter) -> str:
    """Key of a quarter's scored tables: inputs, county description and its tables, quarter, code."""
    h = hashlib.sha256()
    for part in (incidents_path.name, str(quarter), _code_fingerprint()):
        h.update(part.encode())
    for p in (county.toml_path, county.population_file, county.funding_file, county.harm_table,
              county.harm_alternative, county.cost_table):
        if p is not None:
            h.update(Path(p).read_bytes())
    return h.hexdigest()[:32]


def resolve_quarter(text: str | None, months: list[str]) -> Quarter:
    """The ``--quarter`` asked for (checked against the data), or the latest complete one."""
    if text is None:
        return latest_complete_quarter(months)
    quarter = Quarter.parse(text)
    check_quarter_in_data(quarter, months)
    return quarter


def score(county: County, quarter_text: str | None, out: Path, *, cache_dir: str | Path | None = None,
          progress: Callable[[str], None] | None = None, engine: str = "pandas") -> Quarter:
    """Write ``out/tables/*.csv`` for a quarter, atomically, from the table cache when nothing changed.

    ``engine="dask"`` counts records with ``dask.dataframe`` over the Parquet cache (on the
    ``dask.distributed`` cluster the caller is connected to, if any) instead of pandas; the tables are the same.

    Returns
    -------
    Quarter
        The quarter scored.
    """
    say = progress or (lambda _m: None)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    Quarter.parse(quarter_text) if quarter_text else None  # a malformed quarter fails before any work
    path, account, _ = ensure_cache(county.police_uk, cache_dir=cache, progress=progress)
    quarter = resolve_quarter(quarter_text, account["months"])
    cached = cache / "tables" / scored_key(county, path, quarter)
    if cached.is_dir():
        say(f"Scored tables unchanged since the last run: reusing them ({cached})")
    else:
        from .disclosure import publish
        from .engines import arrow_monthly_counts, dask_monthly_counts
        from .tables import build_tables_from_counts, write_tables

        if engine == "dask":
            counts, _ = dask_monthly_counts(county, cache_dir=cache, progress=progress)
        else:
            counts, _, _ = arrow_monthly_counts(county, cache_dir=cache, progress=progress)
        tables = publish(build_tables_from_counts(counts, county, quarter, account["months"]), county.disclosure)
        cached.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=cached.parent))
        write_tables(tables, building)
        try:
            os.rename(building / "tables", cached)
        except OSError:  # another run finished the same entry first
            pass
        shutil.rmtree(building, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tables-", dir=out))
    try:
        shutil.copytree(cached, staging / "tables")
        replace_dir(staging / "tables", out / "tables")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return quarter


def replace_dir(new: Path, target: Path) -> None:
    """Put the finished ``new`` folder at ``target``; the old one is removed only after the swap."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
        target.rename(old)
    new.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
