"""One measured figure per function. Each runs in a fresh process (``python -m benchmarks.measures NAME
ARGS_JSON``) and prints one JSON line: ``{"seconds": ..., "rows": ..., "peak_rss_mib": ...}``.

Timings exclude interpreter start-up and imports unless the figure is a whole command (``csa score``
re-run, report routes), where the wall time of the command is what a user waits for.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _street_files(data: Path) -> list[Path]:
    return sorted((data / "police_uk").rglob("*-street.csv"))


def ingest(data: str, cache: str) -> dict:
    """Raw CSV to the processed cache (a cold cache), all files of the data folder.

    Times :func:`csa_analysis.ingest.cache.ensure_cache`: read, hash, validate, de-duplicate and write the Parquet
    cache. Reading the cache back is the ``load_year`` figure.
    """
    from csa_analysis.ingest.cache import ensure_cache

    shutil.rmtree(cache, ignore_errors=True)
    t = time.perf_counter()
    _path, account = ensure_cache(Path(data) / "police_uk", cache_dir=cache)
    return {"seconds": time.perf_counter() - t, "rows": account["rows_read"], "peak_rss_mib": _peak_rss_mib()}


def pyarrow_read(data: str) -> dict:
    """Baseline: a plain ``pyarrow.csv.read_csv`` of the same files (default options), concatenated."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    t = time.perf_counter()
    tables = [pacsv.read_csv(p) for p in _street_files(Path(data))]
    table = pa.concat_tables(tables, promote_options="permissive")
    return {"seconds": time.perf_counter() - t, "rows": table.num_rows, "peak_rss_mib": _peak_rss_mib()}


def load_year(data: str, cache: str) -> dict:
    """Peak memory of loading a whole (cached) data set and placing it in districts."""
    from csa_analysis.config.county import read_county
    from csa_analysis.ingest.counts import load_dataset

    t = time.perf_counter()
    ds = load_dataset(read_county(data), cache_dir=cache)
    return {"seconds": time.perf_counter() - t, "rows": ds.quality["rows_read"],
            "peak_rss_mib": _peak_rss_mib()}


def score(data: str, cache: str, quarter: str) -> dict:
    """The full ``csa score`` tables for one quarter from a warm cache (count, place, score), in process."""
    # scipy.stats is imported lazily by the change test: an import, so outside the timing like the others
    import scipy.stats  # noqa: F401

    from csa_analysis.config.county import read_county
    from csa_analysis.domain.periods import Quarter
    from csa_analysis.ingest.counts import arrow_monthly_counts
    from csa_analysis.method.score import build_tables_from_counts

    county = read_county(data)
    t = time.perf_counter()
    counts, account, _ = arrow_monthly_counts(county, cache_dir=cache)
    tables = build_tables_from_counts(counts, county, Quarter.parse(quarter), account["months"])
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "rows": int(counts["count"].sum()), "peak_rss_mib": _peak_rss_mib(),
            "tables": {k: len(v) for k, v in tables.items()}}


def duckdb_score(data: str, cache: str, quarter: str) -> dict:
    """Baseline: the same aggregation written directly in DuckDB over the same Parquet cache.

    Counts per district x issue for the quarter, the previous quarter and the same quarter last year,
    rates per 1,000, county totals and rates, districts at or above the county rate, location quotients.
    """
    import duckdb

    from csa_analysis.config.county import read_county
    from csa_analysis.domain.periods import Quarter

    county = read_county(data)
    q = Quarter.parse(quarter)
    files = sorted((Path(cache) / "incidents").glob("*.parquet"))
    pops = [(d.name, d.population) for d in county.districts]
    con = duckdb.connect()
    t = time.perf_counter()
    con.execute("CREATE TEMP TABLE pop(district VARCHAR, population BIGINT)")
    con.executemany("INSERT INTO pop VALUES (?, ?)", pops)
    months = {"cur": q.months(), "prev": q.previous().months(), "ly": q.last_year().months()}
    sql = f"""
    WITH rec AS (
      SELECT CAST(la_name AS VARCHAR) AS district, CAST(issue AS VARCHAR) AS issue,
             CAST(month AS VARCHAR) AS month
      FROM read_parquet('{files[-1]}') WHERE lsoa_name IS NOT NULL),
    c AS (
      SELECT district, issue,
        count(*) FILTER (WHERE month IN {tuple(months['cur'])}) AS n,
        count(*) FILTER (WHERE month IN {tuple(months['prev'])}) AS n_prev,
        count(*) FILTER (WHERE month IN {tuple(months['ly'])}) AS n_ly
      FROM rec JOIN pop USING (district) GROUP BY ALL),
    grid AS (
      SELECT p.district, i.issue, p.population,
             coalesce(c.n, 0) AS n, coalesce(c.n_prev, 0) AS n_prev, coalesce(c.n_ly, 0) AS n_ly
      FROM pop p CROSS JOIN (SELECT DISTINCT issue FROM c) i
      LEFT JOIN c ON c.district = p.district AND c.issue = i.issue),
    tot AS (SELECT issue, sum(n) AS cn, sum(population) AS cp FROM grid GROUP BY issue),
    dtot AS (SELECT district, sum(n) AS dn FROM grid GROUP BY district),
    ctot AS (SELECT sum(n) AS all_n FROM grid)
    SELECT g.district, g.issue, g.n, g.n_prev, g.n_ly, g.n * 1000.0 / g.population AS rate,
           (g.n * 1.0 / nullif(d.dn, 0)) / nullif(t.cn * 1.0 / ct.all_n, 0) AS lq,
           sum(CASE WHEN g.n * 1000.0 / g.population >= t.cn * 1000.0 / t.cp THEN 1 ELSE 0 END)
             OVER (PARTITION BY g.issue) AS above
    FROM grid g JOIN tot t USING (issue) JOIN dtot d USING (district), ctot ct
    """
    out = con.execute(sql).df()
    return {"seconds": time.perf_counter() - t, "rows": int(len(out)), "peak_rss_mib": _peak_rss_mib()}


def machine_busy_seconds() -> float | None:
    """CPU-seconds every core of the machine has been busy since boot (``/proc/stat``: user, nice, system, irq
    and softirq; not idle, I/O wait, or steal, the time the host gave to other machines), or None where there
    is no ``/proc/stat``."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    ticks = [int(x) for x in fields]
    return (sum(ticks[:7]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # user..softirq, less idle and iowait


def command(argv: list[str], cwd: str | None = None, env: dict[str, str] | None = None) -> dict:
    """Wall time of a whole command (a user's wait), with its children's peak memory and CPU time.

    ``env`` is added to this environment. ``cpu_seconds`` is the user and system time of every process the
    command started and waited for (forked kernels included: the template waits for them), a figure much less
    sensitive than the wall time to other work on a shared machine. ``machine_cpu_seconds`` is how long the
    machine's cores were busy meanwhile (:func:`machine_busy_seconds`): it also counts what ``cpu_seconds``
    cannot, Chromium's renderers (not the command's children), and anything else running, so it means the
    command's cost only on an otherwise idle machine.
    """
    busy = machine_busy_seconds()
    t = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False,
                          env={**os.environ, **env} if env else None)
    seconds = time.perf_counter() - t
    busy_after = machine_busy_seconds()
    if done.returncode not in (0,):
        raise SystemExit(f"{argv[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "rows": 0, "peak_rss_mib": _children_peak_rss_mib(),
            "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "machine_cpu_seconds": None if busy is None or busy_after is None else busy_after - busy}


def hash_files(data: str) -> dict:
    """One step of ingest on its own: sha256 of every raw street file (the cache key and the manifest's)."""
    import hashlib

    files = _street_files(Path(data))
    t = time.perf_counter()
    for p in files:
        with open(p, "rb") as f:
            hashlib.file_digest(f, "sha256")
    return {"seconds": time.perf_counter() - t, "rows": len(files), "peak_rss_mib": _peak_rss_mib()}


def write_parquet(cache: str) -> dict:
    """One step of ingest on its own: writing the processed table (read back from the cache) as the cache does:
    with its options (:func:`csa_analysis.ingest.cache.parquet_options`)."""
    import pyarrow.parquet as pq

    src = sorted((Path(cache) / "incidents").glob("*.parquet"))[-1]
    table = pq.read_table(src)
    out = Path(tempfile.mkdtemp(prefix="bench-write-")) / "t.parquet"
    t = time.perf_counter()
    from csa_analysis.ingest.cache import parquet_options

    pq.write_table(table, out, **parquet_options(table.schema))
    seconds = time.perf_counter() - t
    shutil.rmtree(out.parent, ignore_errors=True)
    return {"seconds": seconds, "rows": table.num_rows, "peak_rss_mib": _peak_rss_mib()}


def kernel_steps(runs: int = 5) -> dict:
    """What starting a report kernel costs, step by step, started the ordinary way and forked from the template.

    For each way, ``runs`` times: ``start`` (the kernel manager's start: a new interpreter, or a fork),
    ``ready`` (start until the kernel answers ``kernel_info``: ipykernel's own start-up) and ``imports`` (the
    report notebook's first cell: pandas, matplotlib and the library). Each step's seconds, every run.
    """
    import asyncio
    import threading

    from csa_analysis.run import kernels, warm

    first_cell = "from csa_analysis.report import sections as report\nfrom csa_analysis.run.notebook import open_report"
    name = kernels.kernel_name()

    async def one() -> dict:
        km = kernels._kernel_manager(None, threading.Event())(kernel_name=name)
        t0 = time.perf_counter()
        await km.start_kernel(extra_arguments=["--IPKernelApp.log_level=ERROR"])
        t1 = time.perf_counter()
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=120)
        t2 = time.perf_counter()
        msg_id = kc.execute(first_cell)
        while (await kc.get_shell_msg(timeout=120))["parent_header"].get("msg_id") != msg_id:
            pass
        t3 = time.perf_counter()
        forked = bool(getattr(km.provisioner, "forked", False))
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        return {"start": t1 - t0, "ready": t2 - t1, "imports": t3 - t2, "forked": forked}

    out: dict = {}
    os.environ[warm.FORK_ENV] = "0"
    out["ordinary"] = [asyncio.run(one()) for _ in range(runs)]
    os.environ[warm.FORK_ENV] = "1"
    template = warm.start_template(name)
    t = time.perf_counter()
    template.wait_ready()
    out["template_ready_seconds"] = template.ready_seconds
    out["template_wait_seconds"] = time.perf_counter() - t
    out["forked"] = [asyncio.run(one()) for _ in range(runs)]
    warm.stop_template()
    total = sum(r["start"] + r["ready"] + r["imports"] for r in out["forked"])
    return {"seconds": total / runs, "rows": runs, "peak_rss_mib": _peak_rss_mib(), "steps": out}


def naive_reports(notebook_runs: list[dict], cache: str | None = None) -> dict:
    """Baseline: one ``papermill`` CLI call plus one ``jupyter nbconvert`` CLI call per report.

    ``cache`` is the processed cache the notebooks load the data through (``$CSA_CACHE_DIR``).
    """
    bindir = Path(sys.executable).parent
    env = {**os.environ, "CSA_CACHE_DIR": cache} if cache else None
    tmp = Path(tempfile.mkdtemp(prefix="naive-"))
    t = time.perf_counter()
    for i, run in enumerate(notebook_runs):
        executed = tmp / f"r{i}.ipynb"
        argv = [str(bindir / "papermill"), run["notebook"], str(executed), "--no-progress-bar",
                "-k", run.get("kernel", "csa-workbench")]
        for k, v in run["parameters"].items():
            argv += ["-p", k, str(v)]
        subprocess.run(argv, check=True, capture_output=True, env=env)
        subprocess.run([str(bindir / "jupyter"), "nbconvert", "--to", "html", "--no-input",
                        str(executed)], check=True, capture_output=True, env=env)
    seconds = time.perf_counter() - t
    shutil.rmtree(tmp, ignore_errors=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "rows": len(notebook_runs), "peak_rss_mib": _children_peak_rss_mib(),
            "cpu_seconds": usage.ru_utime + usage.ru_stime}


MEASURES = {f.__name__: f for f in (ingest, pyarrow_read, load_year, score, duckdb_score, command,
                                     naive_reports, hash_files, write_parquet, kernel_steps)}


if __name__ == "__main__":
    name, args = sys.argv[1], json.loads(sys.argv[2])
    os.environ.setdefault("PYTHONHASHSEED", "0")
    print(json.dumps(MEASURES[name](**args)))
