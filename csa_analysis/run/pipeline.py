"""Scoring a quarter, once, for everyone: ``csa score``, ``csa assess`` and the notebooks all call
:func:`score_quarter` (``county, quarter -> Scored``).

The flow: the police.uk files through the processed cache (:mod:`csa_analysis.ingest.cache`), counted and
placed (:mod:`csa_analysis.ingest.counts`), scored (:func:`csa_analysis.method.score.build_tables_from_counts`,
the RAG status included, before any disclosure rule), the disclosure rule applied to what is published, and the
partnership tables added when the county gives a register.

A quarter's scored tables depend only on the input files (through the processed cache's key), the county
description and every table it names, the quarter and the workbench's own code. When none of these changed, a
re-run reads the :class:`~csa_analysis.method.score.Scored` it saved last time instead of scoring again, so a
scheduler's repeated run costs a fraction of a second. A saved entry lists its files with their sha256 and is
rebuilt when any is missing, truncated or edited.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from csa_analysis.config.county import County
from csa_analysis.domain.issues import issue_categories
from csa_analysis.domain.periods import Quarter, latest_complete_quarter
from csa_analysis.errors import environment_failure
from csa_analysis.ingest.cache import ensure_cache
from csa_analysis.ingest.combine import check_quarter_complete, complete_months
from csa_analysis.method.crosscheck import policeuk_vs_c2
from csa_analysis.method.disclosure import publish
from csa_analysis.method.score import Scored, build_tables_from_counts
from csa_analysis.method.where_when import where_and_when_tables
from csa_analysis.paths import PACKAGE_DIR, default_cache_dir
from csa_analysis.report.tables import write_tables
from csa_analysis.run.output import check_cache, check_out, check_writable, out_lock, replace_dir
from csa_analysis.sources.consultation import read_consultation
from csa_analysis.sources.local import LocalCounts, read_local_counts, scored_local_issues

ENGINES = ("arrow", "dask")


def _code_fingerprint() -> str:
    h = hashlib.sha256()
    for p in sorted(PACKAGE_DIR.rglob("*")):
        if p.suffix in (".py", ".csv", ".parquet") and p.is_file():
            h.update(p.relative_to(PACKAGE_DIR).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def scored_key(county: County, incidents_path: Path, quarter: Quarter) -> str:
    """Key of a quarter's scored tables: the inputs (through the incidents file's content key), the county
    description and every table it names, the quarter and the code."""
    h = hashlib.sha256()
    for part in (incidents_path.name, str(quarter), _code_fingerprint()):
        h.update(part.encode())
    for p in county.input_files():
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:32]


def resolve_quarter(text: str | None, account: dict) -> Quarter:
    """The ``--quarter`` asked for (checked complete for every force in the data), or the latest complete one.

    ``account`` is the cache account (``months`` and ``force_months``).
    """
    if not text:
        return latest_complete_quarter(complete_months(account))
    quarter = Quarter.parse(text)
    check_quarter_complete(quarter, account)
    return quarter


def score_quarter(county: County, quarter: str | None = None, *, cache_dir: str | Path | None = None,
                  progress: Callable[[str], None] | None = None, engine: str = "arrow",
                  rehash: bool = False, csv: bool = False) -> Scored:
    """Score one quarter of a county: every table a pack shows, the quality account and the inputs read.

    Parameters
    ----------
    county : County
        From :func:`csa_analysis.config.read_county`.
    quarter : str, optional
        ``2024-25Q1``; None (or blank) for the latest quarter complete for every force in the data.
    cache_dir : str or Path, optional
        The processed-data cache (default :func:`csa_analysis.paths.default_cache_dir`).
    progress : callable, optional
        Called with one-line progress messages.
    engine : str
        ``arrow`` (one machine) or ``dask`` (``dask.dataframe`` over the same cache, on the
        ``dask.distributed`` cluster the caller is connected to, if any); the tables are the same.
    rehash : bool
        Hash every raw file, trusting no stat index (``csa assess`` does).
    csv : bool
        Keep the tables as CSV (``tables/*.csv``, as :func:`csa_analysis.report.tables.write_tables` writes them)
        in the cache entry when scoring, for :func:`score` to copy on later runs. The returned
        :attr:`Scored.folder` is the cache entry; when it already held its CSVs its tables are checked but not
        read (``Scored.tables`` is empty: the CSVs in ``folder / "tables"`` are the tables).

    Returns
    -------
    Scored
        Published tables (disclosure applied; the RAG status computed before it), quality and inputs.

    Raises
    ------
    InputError
        Bad inputs, a malformed quarter, or one not complete for every force (exit code 2).
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    if quarter:
        Quarter.parse(quarter)  # a malformed quarter fails before any work
    say = progress or (lambda _m: None)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    path, account = ensure_cache(county.police_uk, cache_dir=cache, progress=progress, rehash=rehash,
                                 verify_data=False)
    q = resolve_quarter(quarter, account)
    local = read_local_counts(county, account.get("months", []))  # checked before any cached result is reused
    consultation = read_consultation(county)
    entry = cache / "scored" / scored_key(county, path, q)
    kept_csv = csv and (entry / "tables").is_dir()
    saved = Scored.load(entry, tables=not kept_csv)
    if saved is not None:
        say(f"Scored tables unchanged since the last run: reusing them ({entry})")
        if csv and not kept_csv:  # saved without its CSVs (by csa assess): keep them now
            _store(saved, entry, csv=True)
        return saved
    if engine == "dask":
        from csa_analysis.ingest.counts import dask_monthly_counts as count
    else:
        from csa_analysis.ingest.counts import arrow_monthly_counts as count
    counts, account, quality = count(county, cache_dir=cache, progress=progress)
    months = complete_months(account)
    grid_counts, scored_months, quality = with_local_issues(counts, local, county, q, quality)
    for issue in quality.get("local", {}).get("not_scored", []):
        say(f"Local issue {issue!r} is not scored for {q}: its months in local/*.csv do not cover the quarter")
    if consultation is not None:
        consultation = consultation[consultation["issue"].isin(set(grid_counts["issue"].cat.categories))]
    tables = build_tables_from_counts(grid_counts, county, q, months, scored_months, consultation)
    if county.recorded_crime_files:
        say("Reading Home Office Table C2 and ranking the districts among all CSPs of England and Wales")
        tables |= recorded_crime_tables(county, counts, months)
    tables |= where_and_when_tables(county, q, cache_dir=cache, progress=progress)  # record level (issue 15)
    tables = publish(tables, county.disclosure)
    if county.partnerships_file is not None:
        from csa_analysis.partnerships.register import read_register
        from csa_analysis.partnerships.tables import partnership_tables

        tables |= partnership_tables(read_register(county.partnerships_file, county))
    scored = Scored(q, tables, quality, account["inputs"] + partner_inputs(county, local, consultation))
    _store(scored, entry, csv=csv)
    return scored


def with_local_issues(counts: pd.DataFrame, local: LocalCounts, county: County, quarter: Quarter,
                      quality: dict) -> tuple[pd.DataFrame, dict[str, list[str]], dict]:
    """police.uk counts with the local issues' counts added (``issue`` categorical: the 14 police.uk types, then
    the local issues whose months cover ``quarter``), their months, and the quality account with a ``local``
    entry (a local issue that does not cover the quarter is named there, not scored)."""
    scored = scored_local_issues(local, quarter.months())
    issues = issue_categories() + scored
    parts = [counts.astype({"district": "str", "issue": "str"})]
    if scored:
        parts.append(local.counts[local.counts["issue"].isin(scored)])
    out = pd.concat(parts, ignore_index=True)
    out["district"] = pd.Categorical(out["district"], categories=county.district_names)
    out["issue"] = pd.Categorical(out["issue"], categories=issues)
    out["count"] = out["count"].astype("int64")
    quality = dict(quality)
    if county.local_issues:
        quality["local"] = local.quality() | {
            "scored": scored, "not_scored": [i.name for i in county.local_issues if i.name not in scored],
            "quarter": str(quarter)}
    return out, {i: list(local.coverage[i]) for i in scored}, quality


def partner_inputs(county: County, local: LocalCounts, consultation: pd.DataFrame | None) -> list[dict]:
    """Provenance of the partner inputs (local counts, consultation, Table C2 and its population workbook):
    ``path`` (relative to the data folder where possible), ``sha256`` and ``rows`` (data rows read; None for a
    published table read whole)."""
    rows: dict[Path, int | None] = {p: local.rows.get(p.name) for p in county.local_files}
    if county.consultation_file is not None:
        rows[county.consultation_file] = None if consultation is None else int(len(consultation))
    rows |= {p: None for p in county.recorded_crime_files}
    if county.peer_list is not None:
        rows[county.peer_list] = None
    if county.recorded_crime_files and county.recorded_crime_population is not None:
        rows[county.recorded_crime_population] = None
    out = []
    for p, n in rows.items():
        try:
            shown = p.resolve().relative_to(county.data_dir.resolve()).as_posix()
        except ValueError:
            shown = str(p)
        out.append({"path": shown, "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "rows": n})
    return out


def recorded_crime_tables(county: County, counts: pd.DataFrame, months: list[str]) -> dict[str, pd.DataFrame]:
    """Table C2 for the county (:func:`csa_analysis.sources.benchmarking.county_recorded_crime`) and the
    cross-check of police.uk against it (:func:`csa_analysis.method.crosscheck.policeuk_vs_c2`)."""
    from csa_analysis.sources.benchmarking import county_recorded_crime  # scipy: only for counties that need it

    tables = county_recorded_crime(county)
    rc = tables["recorded_crime"]
    period_end = _period_end(rc["period"].iloc[0]) if len(rc) else None
    if period_end is not None:
        tables["recorded_crime_check"] = policeuk_vs_c2(counts, rc, months, period_end)
    return tables


def _period_end(period: str) -> str | None:
    """``"year ending June 2025"`` -> ``"2025-06"``."""
    try:
        return pd.Timestamp("1 " + period.removeprefix("year ending ")).strftime("%Y-%m")
    except ValueError:
        return None


def _store(scored: Scored, entry: Path, csv: bool = False) -> None:
    """Save ``scored`` as the cache entry ``entry``, atomically (another run may be writing the same one).

    With ``csv`` the tables are kept as CSV too (``entry/tables/*.csv``, listed and checked with the entry).
    :attr:`Scored.folder` is then ``entry`` if it was stored (None if another run's entry took its place).
    """
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(prefix=".building-", dir=entry.parent))
        try:
            if csv:
                write_tables(scored.tables, building / "entry")
            scored.save(building / "entry")
            scored.folder = None
            shutil.rmtree(entry, ignore_errors=True)  # a damaged entry of the same key
            try:
                os.rename(building / "entry", entry)
                scored.folder = entry
            except OSError:  # another run finished the same entry first
                pass
        finally:
            shutil.rmtree(building, ignore_errors=True)
    except OSError as exc:
        raise environment_failure(exc, "cannot write the processed-data cache") from None


def _copy_tables(scored: Scored, staging: Path) -> bool:
    """Copy the CSV tables kept with ``scored``'s cache entry into ``staging/tables``; False when there are none.

    The files are copied, never linked, so that nothing done to ``OUT`` later can change the cache entry; a
    copy that fails part-way (the entry replaced meanwhile) is discarded and False returned.
    """
    kept = scored.folder / "tables" if scored.folder is not None else None
    if kept is None or not kept.is_dir():
        return False
    names = sorted(p.name for p in kept.glob("*.csv"))
    if names != sorted(f"{p.stem}.csv" for p in scored.folder.glob("*.parquet")):
        return False
    target = staging / "tables"
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copyfile(kept / name, target / name)
    except FileNotFoundError:
        shutil.rmtree(target, ignore_errors=True)
        return False
    return True


def score(county: County, quarter_text: str | None, out: Path, *, cache_dir: str | Path | None = None,
          progress: Callable[[str], None] | None = None, engine: str = "arrow") -> Quarter:
    """``csa score``: write ``out/tables/*.csv`` for a quarter, atomically (see :func:`score_quarter`).

    Returns
    -------
    Quarter
        The quarter scored.
    """
    cache = check_cache(cache_dir if cache_dir is not None else default_cache_dir(), county.data_dir,
                        county.police_uk)
    if quarter_text:
        Quarter.parse(quarter_text)  # a malformed quarter fails before any work
    target = check_out(out, tables_only=True, data_dir=county.data_dir, police_uk=county.police_uk, cache_dir=cache,
                       inputs=county.input_files())
    check_writable(target.path.parent)
    scored = score_quarter(county, quarter_text, cache_dir=cache, progress=progress, engine=engine, csv=True)
    with out_lock(target.path):
        try:
            target.path.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".tables-", dir=target.path))
            try:
                if not _copy_tables(scored, staging):  # the CSVs kept with the cache entry, else written now
                    if not scored.tables:  # its entry went meanwhile (another run replaced it): score again
                        scored = score_quarter(county, str(scored.quarter), cache_dir=cache, engine=engine)
                    write_tables(scored.tables, staging)
                replace_dir(staging / "tables", target.path / "tables")
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        except OSError as exc:
            raise environment_failure(exc, "cannot write the tables") from None
    return scored.quarter
