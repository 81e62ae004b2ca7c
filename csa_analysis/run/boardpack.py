"""The board-pack runner: every district assessment and the county roll-up, in parallel, written atomically.

Shape (one runner owns execution and export):

1. score the quarter once (:func:`csa_analysis.run.pipeline.score_quarter`); bad input stops here, exit 2,
   nothing written;
2. take a lock on OUT, so two runs into the same folder are never interleaved;
3. build the pack in a temporary folder beside OUT: tables as CSV, the scored quarter saved for the notebooks
   (the county roll-up reads these processed tables, never the district notebooks);
4. execute each notebook with papermill's Python API in a thread pool (one process: imports happen once, a
   report costs about a kernel start plus its own work), with an explicit kernel and a per-cell timeout,
   keeping each executed notebook beside its HTML as the audit log;
5. export HTML with nbconvert (no code, no prompts, images embedded, nothing fetched from the internet),
   write ``board_pack.xlsx``, ``index.html`` and ``manifest.json``;
6. swap the finished folder into place. A failed report is named on stderr and in the manifest; the others
   are still produced and the exit code is 1.

Failure injection (tests, and a scheduler operator's alert drill): ``assess(..., fail=["Melton"])`` or the
environment variable ``CSA_FAIL_REPORT="Melton"`` (comma-separated names or aliases; ``county`` for the
roll-up) sets that notebook's ``fail`` parameter, so it raises in its validation cell; the rest of the pack is
produced and the exit code is 1. The executed notebook records the injected parameter.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from csa_analysis import __version__
from csa_analysis.config.county import County, read_county
from csa_analysis.domain.names import normalise_name
from csa_analysis.domain.periods import Quarter
from csa_analysis.errors import EnvironmentFailure, InputError, environment_failure
from csa_analysis.method.score import Scored
from csa_analysis.paths import default_cache_dir
from csa_analysis.report.front_page import front_page
from csa_analysis.report.tables import write_tables
from csa_analysis.run.kernels import (
    COUNTY_NOTEBOOK,
    DISTRICT_NOTEBOOK,
    NOTEBOOK_DIR,
    ReportJob,
    _report_task,
    allow_reports,
    kernel_name,
    preload_runner,
    ready_kernel_starts,
    run_report,
    stop_reports,
    warm_kernels,
    warm_up,
)
from csa_analysis.run.notebook import FAIL_ENV
from csa_analysis.run.output import (
    GENERATOR,
    check_cache,
    check_out,
    check_writable,
    district_slugs,
    out_lock,
    remove_stale,
    replace_dir,
)
from csa_analysis.run.pdf import PagePrinter
from csa_analysis.run.pipeline import score_quarter


def _fail_targets(county: County, names: Sequence[str]) -> set[str]:
    """Official names (or ``"county"``) of the reports to fail on purpose: ``names`` plus ``$CSA_FAIL_REPORT``.

    An unknown name is an error: an alert drill that silently fails nothing would prove nothing.
    """
    wanted = [n.strip() for n in [*names, *os.environ.get(FAIL_ENV, "").split(",")] if n.strip()]
    name_map = county.name_map()
    out = set()
    for n in wanted:
        if normalise_name(n) in ("county", normalise_name(county.name)):
            out.add("county")
        elif normalise_name(n) in name_map:
            out.add(name_map[normalise_name(n)])
        else:
            raise InputError(f"{n!r} names no report", where=f"${FAIL_ENV} (failure injection)",
                             expected="district names from county.toml, or 'county'")
    return out


def _select_districts(county: County, districts: Sequence[str] | None) -> list[str]:
    if districts is None:
        return county.district_names
    names = [d.strip() for d in districts if d and d.strip()]
    if not names:
        raise InputError("no district names given", where="--districts",
                         expected="official names or aliases from county.toml, separated by commas")
    name_map = county.name_map()
    chosen = []
    for d in names:
        name = name_map.get(normalise_name(d))
        if name is None:
            raise InputError(f"district {d!r} is not in {county.name}", where="--districts",
                             expected="names from county.toml: " + ", ".join(county.district_names))
        if name not in chosen:
            chosen.append(name)
    return chosen


def check_limits(jobs: int | None, timeout: float, report_timeout: float | None) -> None:
    """Refuse run limits that cannot work (before any work): the command line's exit code 2.

    Examples
    --------
    >>> check_limits(2, 600, None)
    >>> check_limits(0, 600, None)
    Traceback (most recent call last):
    ...
    csa_analysis.errors.InputError: --jobs: 0 is not valid (expected a whole number of 1 or more)
    """
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise InputError(f"{jobs!r} is not valid", where="--jobs", expected="a whole number of 1 or more")
    for flag, value in (("--timeout", timeout), ("--report-timeout", report_timeout)):
        if value is None and flag == "--report-timeout":
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
            raise InputError(f"{value!r} is not valid", where=flag, expected="a number of seconds above 0")


def _carry_over(previous: dict[str, Any] | None, scored: Scored, config_sha256: str, chosen: Sequence[str],
                out: Path) -> list[dict[str, Any]]:
    """The previous pack's district reports a partial (``--districts``) run keeps, or an InputError.

    A partial run updates only its own reports and keeps the others, but only from a pack of the same
    quarter, inputs and county description: anything else would mix two different pictures in one pack.
    """
    if previous is None:
        return []
    kept = [r for r in previous.get("reports", []) if isinstance(r, dict) and r.get("kind") == "district"
            and r.get("name") not in chosen]
    if not kept:
        return []
    same = (previous.get("quarter") == str(scored.quarter) and previous.get("config_sha256") == config_sha256
            and [i.get("sha256") for i in previous.get("inputs", [])] == [i["sha256"] for i in scored.inputs])
    if not same:
        raise InputError(
            f"holds a pack with {len(kept)} other district report(s) built from other inputs or for another "
            f"quarter (its quarter: {previous.get('quarter')}); this --districts run would drop or mix them",
            file=out, where="--out",
            expected="a run without --districts to rebuild the whole pack, or another --out for the partial run")
    return [r for r in kept if r.get("status") == "ok" and r.get("html") and (out / r["html"]).is_file()]


def _config_sha256(county: County) -> str:
    """One digest of the county description and every table it names (what a partial run must share)."""
    h = hashlib.sha256()
    for p in county.input_files():
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


@warm_kernels
def assess(
    data_dir: str | Path,
    quarter: str | None = None,
    out: str | Path | None = None,
    jobs: int | None = None,
    districts: Sequence[str] | None = None,
    progress: bool = True,
    *,
    cache_dir: str | Path | None = None,
    timeout: int = 600,
    report_timeout: float | None = 1800,
    notebook_dir: Path = NOTEBOOK_DIR,
    fail: Sequence[str] = (),
    client=None,
) -> int:
    """Produce the board pack for one quarter into ``out``; return the exit code.

    Parameters
    ----------
    data_dir : str or Path
        The data folder holding ``county.toml``.
    quarter : str, optional
        Financial quarter such as ``2024-25Q1``; None for the latest complete quarter in the data.
    out : str or Path
        The pack's folder: new, empty, or a previous pack (see :func:`csa_analysis.run.output.check_out`). It is
        replaced only when the run finishes, and never by a run in which every report failed.
    jobs : int, optional
        Reports run side by side (threads, each driving one kernel); default one more than the cores,
        so a kernel starting up or waiting on its messages does not leave a core idle (about 6% faster on
        two cores than one per core).
    districts : sequence of str, optional
        Only these districts (official names or aliases); default every district. Into a previous pack of
        the same quarter and inputs, only these reports are updated and the others kept.
    progress : bool
        Print one line per step and per finished report (with its seconds) on stderr. Failures are printed
        whatever this says.
    cache_dir : str or Path, optional
        The processed-data cache.
    timeout : int
        Time limit of each notebook cell (seconds).
    report_timeout : float or None
        Time limit of each whole report (seconds); its kernel is killed and the report fails by name.
    notebook_dir : Path
        Folder holding ``district_assessment.ipynb`` and ``county_rollup.ipynb``.
    fail : sequence of str
        Reports to fail on purpose (district names, or ``"county"``), as does ``$CSA_FAIL_REPORT``.
    client : dask.distributed.Client, optional
        Count with the Dask engine and run each report as a task on this cluster instead of the local thread
        pool (the staging folder must then be on storage the workers share).

    Returns
    -------
    int
        0 every report produced; 1 some reports failed (named on stderr and in the manifest; the others
        produced). When every report failed, a previous pack stays in place.

    Raises
    ------
    InputError
        Bad input or usage (the command line's exit code 2): nothing in ``out`` changes.
    EnvironmentFailure
        The machine failed (disk full, permission denied; exit code 3): nothing in ``out`` changes.
    KeyboardInterrupt
        Ctrl-C or SIGTERM: queued reports are cancelled, running kernels killed, ``out`` unchanged.
    """
    if out is None:
        raise TypeError("assess() needs out, the folder of the board pack")
    say: Callable[[str], None] = (lambda m: print(m, file=sys.stderr, flush=True)) if progress else (
        lambda m: None)
    check_limits(jobs, timeout, report_timeout)
    run = _plan(data_dir, quarter, out, districts, cache_dir, fail, say, "dask" if client is not None else "arrow")
    with out_lock(run.out):
        remove_stale(run.out)
        staging = Path(tempfile.mkdtemp(prefix=f".{run.out.name}.tmp-", dir=run.out.parent))
        printer = PagePrinter(staging)  # issue 15: a PDF of each page, printed as soon as the page is written
        try:
            report_jobs = _report_jobs(run, staging, notebook_dir)
            workers = max(1, min(jobs or (os.cpu_count() or 1) + 1, len(report_jobs)))
            kernel = kernel_name()
            ready_kernel_starts()
            say(f"Running {len(report_jobs)} reports, {workers} at a time (kernel {kernel})")

            def workbook() -> None:  # written while the kernels run: the main thread is idle then
                from csa_analysis.report.excel import write_workbook

                write_workbook(run.scored.tables, run.scored.quality, run.county, run.scored.quarter,
                               staging / "board_pack.xlsx")

            _run_reports(report_jobs, staging, kernel, timeout, report_timeout, workers, workbook, say, client,
                         printed=printer.submit)
            environment = [j for j in report_jobs if j.environment]
            if environment:
                raise EnvironmentFailure(f"report {environment[0].name} could not be written: {environment[0].error}",
                                         path=run.out,
                                         advice="free some space or fix the folder's permissions, then run again")
            kept = _keep_reports(run.carried, run.out, staging)
            pdf = printer.finish([j.html for j in report_jobs if j.status == "ok"] + [r["html"] for r in kept], say)
            _write_front(run, staging, report_jobs, kept, kernel, workers, pdf)
            failed = [j for j in report_jobs if j.status != "ok"]
            if failed and len(failed) == len(report_jobs) and run.previous is not None:
                return _keep_previous(run.out, staging, failed)
            replace_dir(staging, run.out)
        except OSError as exc:
            printer.cancel()
            shutil.rmtree(staging, ignore_errors=True)
            raise environment_failure(exc, "cannot write the board pack") from None
        except BaseException:
            printer.cancel()
            shutil.rmtree(staging, ignore_errors=True)
            raise
    for j in failed:
        print(f"csa assess: report failed: {j.name} ({j.html}): {j.error}", file=sys.stderr)
    say(f"Board pack: {run.out / 'index.html'} ({len(report_jobs) - len(failed)} of {len(report_jobs)} reports"
        + (f", {len(kept)} kept from the previous pack" if kept else "")
        + f", {time.perf_counter() - run.t0:.1f} s)")
    return 1 if failed else 0


@dataclass
class _Run:
    """What one ``csa assess`` run decided before writing anything."""

    county: County
    data_dir: Path
    out: Path
    previous: dict[str, Any] | None  # the manifest of the pack already in OUT
    chosen: list[str]  # the districts whose reports run
    slugs: dict[str, str]  # district -> page file stem
    failing: set[str]  # reports failed on purpose (the alert drill)
    scored: Scored
    config_sha256: str
    carried: list[dict[str, Any]]  # the previous pack's reports a partial run keeps
    started_at: datetime
    t0: float


def _plan(data_dir: str | Path, quarter: str | None, out: str | Path, districts: Sequence[str] | None,
          cache_dir: str | Path | None, fail: Sequence[str], say: Callable[[str], None],
          engine: str = "arrow") -> _Run:
    """Check every input and option, and score the quarter: everything that can be refused is refused here,
    before anything is written."""
    started_at = datetime.now(UTC).replace(microsecond=0)
    t0 = time.perf_counter()
    data_dir = Path(data_dir).resolve()
    county = read_county(data_dir)
    cache = check_cache(cache_dir if cache_dir is not None else default_cache_dir(), data_dir, county.police_uk)
    target = check_out(out, tables_only=False, data_dir=data_dir, police_uk=county.police_uk, cache_dir=cache,
                       inputs=county.input_files())
    chosen = _select_districts(county, districts)
    slugs = district_slugs(county.district_names)
    failing = _fail_targets(county, fail)
    check_writable(target.path.parent)
    warm_up(data_dir)  # the report kernels' template imports (and reads the county) while the quarter is scored
    if engine == "arrow":
        preload_runner()  # and this process imports papermill and nbconvert for its report threads meanwhile
    # The quarterly run trusts no stat index: every raw file is hashed (about a second a national year).
    scored = score_quarter(county, quarter, cache_dir=cache, progress=say, rehash=True, engine=engine)
    config_sha256 = _config_sha256(county)
    carried = _carry_over(target.previous, scored, config_sha256, chosen, target.path)
    say(f"Scored {county.name} {scored.quarter}: {len(chosen)} district report(s) and the county roll-up")
    return _Run(county, data_dir, target.path, target.previous, chosen, slugs, failing, scored, config_sha256,
                carried, started_at, t0)


def _stamp(run: _Run) -> str:
    return run.started_at.strftime("%Y-%m-%d %H:%M UTC")


def _report_jobs(run: _Run, staging: Path, notebook_dir: Path) -> list[ReportJob]:
    """Write the tables and the scored quarter into ``staging``; the county roll-up and each district's report."""
    write_tables(run.scored.tables, staging)
    data_folder = staging / "data"
    run.scored.save(data_folder)
    (staging / "districts").mkdir()
    q = run.scored.quarter
    common = {"data_dir": str(run.data_dir), "quarter": str(q), "tables_dir": str(data_folder),
              "generated_at": _stamp(run)}
    jobs = [ReportJob(run.county.name, "county", notebook_dir / COUNTY_NOTEBOOK, "county.html",
                      {**common, "fail": "county" in run.failing}, title=f"{run.county.name} county roll-up, {q}")]
    jobs += [ReportJob(d, "district", notebook_dir / DISTRICT_NOTEBOOK, f"districts/{run.slugs[d]}.html",
                       {**common, "district": d, "fail": d in run.failing}, title=f"{d} strategic assessment, {q}")
             for d in run.chosen]
    return jobs


def _write_front(run: _Run, staging: Path, report_jobs: Sequence[ReportJob], kept: Sequence[dict[str, Any]],
                 kernel: str, workers: int, pdf: dict[str, Any] | None = None) -> None:
    """``index.html`` and ``manifest.json`` (which lists every file of the pack, itself included)."""
    q, tables = run.scored.quarter, run.scored.tables
    failed = [j for j in report_jobs if j.status != "ok"]
    entries = [*_report_entries(report_jobs), *kept]
    manifest = _manifest(run.county, q, run.started_at, run.data_dir, run.scored, kernel, workers, entries, failed,
                         tables, run.config_sha256, time.perf_counter() - run.t0)
    shown = [*report_jobs, *(ReportJob(r["name"], "district", Path(), r["html"], {}, audit=r.get("audit"),
                                       status="ok", seconds=r.get("seconds", 0.0)) for r in kept)]
    manifest["pdf"] = pdf
    (staging / "index.html").write_text(index_html(run.county, q, shown, _stamp(run), sorted(tables), tables, pdf),
                                        encoding="utf-8")
    manifest["files"] = sorted([*_files_of(staging), "manifest.json"])
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    os.chmod(staging, 0o755)


def _keep_previous(out: Path, staging: Path, failed: Sequence[ReportJob]) -> int:
    """Every report failed: keep the good pack in ``out``, put this run aside for inspection; exit code 1."""
    aside = out.parent / f".{out.name}.failed-run"
    shutil.rmtree(aside, ignore_errors=True)
    staging.rename(aside)
    for j in failed:
        print(f"csa assess: report failed: {j.name} ({j.html}): {j.error}", file=sys.stderr)
    print(f"csa assess: every report failed, so the previous pack in {out} is kept unchanged; "
          f"this run's notebooks are in {aside}", file=sys.stderr)
    return 1


def _run_reports(report_jobs: list[ReportJob], staging: Path, kernel: str, timeout: float,
                 report_timeout: float | None, workers: int, meanwhile: Callable[[], None],
                 say: Callable[[str], None], client=None,
                 printed: Callable[[str], None] | None = None) -> None:
    """Run every report (``workers`` at a time, or as tasks on a Dask cluster), calling ``meanwhile`` once
    while they run and ``printed`` with each page written (its path in the pack: PDFs are printed while the
    other reports run); on Ctrl-C or SIGTERM cancel the queued ones, kill the running kernels and re-raise."""
    done_count = 0
    lock = threading.Lock()

    def finished(job: ReportJob) -> None:
        nonlocal done_count
        with lock:
            done_count += 1
            mark = "ok" if job.status == "ok" else "FAILED"
            say(f"[{done_count}/{len(report_jobs)}] {job.name}: {mark} ({job.seconds:.1f} s)"
                + (f" - {job.error}" if job.error else ""))
        if printed is not None and job.status == "ok":
            printed(job.html)

    allow_reports()
    if client is not None:
        from distributed import as_completed as dask_completed

        futures = {client.submit(_report_task, j, staging, kernel, timeout, report_timeout, pure=False): i
                   for i, j in enumerate(report_jobs)}
        try:
            meanwhile()
            for fut in dask_completed(list(futures)):
                report_jobs[futures[fut]] = fut.result()
                finished(report_jobs[futures[fut]])
        except BaseException:
            client.cancel(list(futures))
            raise
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="csa-report")
    try:
        futures = {pool.submit(run_report, j, staging, kernel, timeout, report_timeout): j for j in report_jobs}
        meanwhile()
        for fut in as_completed(futures):
            fut.result()
            finished(futures[fut])
    except BaseException:
        stop_reports()
        pool.shutdown(wait=False, cancel_futures=True)
        _join(pool, seconds=20)
        raise
    pool.shutdown(wait=True)


def _join(pool: ThreadPoolExecutor, seconds: float) -> None:
    """Wait up to ``seconds`` for the pool's threads (their kernels are dead, so they finish promptly)."""
    deadline = time.monotonic() + seconds
    for thread in list(getattr(pool, "_threads", ())):
        thread.join(max(0.0, deadline - time.monotonic()))


def _report_entries(report_jobs: Sequence[ReportJob]) -> list[dict[str, Any]]:
    return [{k: v for k, v in asdict(j).items() if k not in ("notebook", "parameters", "environment")}
            for j in report_jobs]


def _keep_reports(carried: Sequence[dict[str, Any]], out: Path, staging: Path) -> list[dict[str, Any]]:
    """Copy the previous pack's reports that a partial run keeps into ``staging``; their manifest entries."""
    kept = []
    for r in carried:
        for rel in (r["html"], r.get("audit")):
            if rel and (out / rel).is_file():
                (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(out / rel, staging / rel)
        kept.append({**r, "kept_from_previous_run": True})
    return kept


#: The packages whose versions a pack records (an official-statistics run must be reproducible).
RECORDED_PACKAGES = ("pandas", "numpy", "pyarrow", "scipy", "matplotlib", "openpyxl", "papermill", "nbconvert",
                     "nbformat", "nbclient", "ipykernel", "jupyter_client", "jinja2", "filelock")


def package_versions() -> dict[str, str]:
    """Python's and each of :data:`RECORDED_PACKAGES`' installed version ("not installed" where missing)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0], "csa-workbench": __version__}
    for name in RECORDED_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _files_of(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _manifest(county: County, q: Quarter, started_at: datetime, data_dir: Path, scored: Scored, kernel: str,
              workers: int, entries: list[dict[str, Any]], failed: Sequence[ReportJob],
              tables: dict[str, pd.DataFrame], config_sha256: str, seconds: float) -> dict[str, Any]:
    return {
        "generator": GENERATOR,
        "county": county.name,
        "quarter": str(q),
        "period": q.label(),
        "generated_at": started_at.isoformat(),
        "package_version": __version__,
        "versions": package_versions(),
        "data_dir": str(data_dir),
        "config_sha256": config_sha256,
        "inputs": scored.inputs,
        "kernel": kernel,
        "jobs": workers,
        "reports": entries,
        "failed": [j.name for j in failed],
        "tables": sorted(tables),
        "seconds": round(seconds, 2),
        "exit_code": 1 if failed else 0,
    }


def index_html(county: County, quarter: Quarter, report_jobs: Sequence[ReportJob], stamp: str,
               table_names: Sequence[str] = (), tables: dict[str, pd.DataFrame] | None = None,
               pdf: dict[str, Any] | None = None) -> str:
    """The pack's front page (:func:`csa_analysis.report.front_page.front_page`) for these reports: the county's
    executive summary from ``tables`` first, and each page's PDF from ``pdf``."""
    reports = [{"name": j.name, "kind": j.kind, "html": j.html, "audit": j.audit, "ok": j.status == "ok",
                "seconds": j.seconds, "error": j.error} for j in report_jobs]
    from csa_analysis.report.pack import illustrative_inputs

    return front_page(county.name, quarter, reports, stamp, table_names, tables, pdf,
                      illustrative=illustrative_inputs(county))
