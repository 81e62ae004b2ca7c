"""``csa score`` end to end, with a cache of the scored tables.

The tables of a quarter depend only on the input files (through the processed cache's key), the county
description and the tables it names, the quarter and the workbench's own code. When none of these changed, a
re-run copies the tables it wrote last time instead of loading and scoring again, so a scheduler's repeated run
costs a fraction of a second.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from csa_analysis.config.county import County
from csa_analysis.domain.periods import Quarter, latest_complete_quarter
from csa_analysis.errors import environment_failure
from csa_analysis.ingest.cache import ensure_cache
from csa_analysis.paths import PACKAGE_DIR, default_cache_dir
from csa_analysis.run.output import check_cache, check_out, check_writable, out_lock, replace_dir


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


def resolve_quarter(text: str | None, account: dict) -> Quarter:
    """The ``--quarter`` asked for (checked complete for every force in the data), or the latest complete one.

    ``account`` is the cache account (``months`` and ``force_months``).
    """
    from csa_analysis.ingest.combine import check_quarter_complete, complete_months

    if text is None:
        return latest_complete_quarter(complete_months(account))
    quarter = Quarter.parse(text)
    check_quarter_complete(quarter, account)
    return quarter


def score(county: County, quarter_text: str | None, out: Path, *, cache_dir: str | Path | None = None,
          progress: Callable[[str], None] | None = None, engine: str = "arrow") -> Quarter:
    """Write ``out/tables/*.csv`` for a quarter, atomically, from the table cache when nothing changed.

    ``engine="dask"`` counts records with ``dask.dataframe`` over the Parquet cache (on the
    ``dask.distributed`` cluster the caller is connected to, if any) instead of pandas; the tables are the same.

    Returns
    -------
    Quarter
        The quarter scored.
    """
    say = progress or (lambda _m: None)
    cache = check_cache(cache_dir if cache_dir is not None else default_cache_dir(), county.data_dir,
                        county.police_uk)
    Quarter.parse(quarter_text) if quarter_text else None  # a malformed quarter fails before any work
    target = check_out(out, tables_only=True, data_dir=county.data_dir, police_uk=county.police_uk, cache_dir=cache,
                       inputs=county.input_files())
    out = target.path
    check_writable(out.parent)
    path, account = ensure_cache(county.police_uk, cache_dir=cache, progress=progress, verify_data=False)
    quarter = resolve_quarter(quarter_text, account)
    cached = reuse_tables(cache, scored_key(county, path, quarter))
    if cached is not None:
        say(f"Scored tables unchanged since the last run: reusing them ({cached})")
    else:
        from csa_analysis.ingest.counts import arrow_monthly_counts, dask_monthly_counts
        from csa_analysis.method.disclosure import publish
        from csa_analysis.method.score import build_tables_from_counts

        if engine == "dask":
            counts, _ = dask_monthly_counts(county, cache_dir=cache, progress=progress)
        else:
            counts, _, _ = arrow_monthly_counts(county, cache_dir=cache, progress=progress)
        tables = publish(build_tables_from_counts(counts, county, quarter, complete_months(account)),
                         county.disclosure)
        cached = store_tables(cache, scored_key(county, path, quarter), tables)
    with out_lock(out):
        out.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".tables-", dir=out))
        try:
            shutil.copytree(cached, staging / "tables")
            (staging / "tables" / TABLES_MANIFEST).unlink()
            replace_dir(staging / "tables", out / "tables")
        except OSError as exc:
            raise environment_failure(exc, "cannot write the tables") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return quarter


#: The list of a scored-table entry's files with their sha256, written last: an entry without it, or whose
#: files differ from it (truncated, missing, edited), is rebuilt.
TABLES_MANIFEST = "entry.json"


def store_tables(cache: Path, key: str, tables: dict) -> Path:
    """Write a quarter's published tables as the scored-table cache entry ``key``; return its folder."""
    from csa_analysis.method.score import write_tables

    entry = cache / "tables" / key
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=entry.parent))
        try:
            written = write_tables(tables, building)
            listing = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in written}
            (building / "tables" / TABLES_MANIFEST).write_text(json.dumps(listing, indent=0), encoding="utf-8")
            shutil.rmtree(entry, ignore_errors=True)  # a damaged entry of the same key
            try:
                os.rename(building / "tables", entry)
            except OSError:  # another run finished the same entry first
                pass
        finally:
            shutil.rmtree(building, ignore_errors=True)
    except OSError as exc:
        raise environment_failure(exc, "cannot write the processed-data cache") from None
    return entry


def reuse_tables(cache: Path, key: str) -> Path | None:
    """The scored-table entry ``key`` when it is complete and unchanged (every file's sha256 as written)."""
    entry = cache / "tables" / key
    try:
        listing = json.loads((entry / TABLES_MANIFEST).read_text(encoding="utf-8"))
        files = {p.name for p in entry.iterdir()} - {TABLES_MANIFEST}
        if not isinstance(listing, dict) or files != set(listing):
            return None
        for name, digest in listing.items():
            if hashlib.sha256((entry / name).read_bytes()).hexdigest() != digest:
                return None
    except (OSError, ValueError):
        return None
    return entry


def complete_months(account: dict) -> list[str]:
    """Months every force in the data has (see :func:`csa_analysis.ingest.combine.complete_months`)."""
    from csa_analysis.ingest.combine import complete_months as months_of_every_force

    return months_of_every_force(account)
