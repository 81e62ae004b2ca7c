"""The ``csa`` command line: ``check``, ``score`` and ``assess``.

Exit codes (for schedulers): 0 everything produced; 1 some reports failed (the others were produced and
the failures are named on stderr and in the manifest); 2 bad input or usage; 3 the environment failed (disk
full, permission denied, a read-only or unusable folder). With 2 and 3 a single line says what and where,
and nothing in OUT changed. Ctrl-C exits 130 and SIGTERM 143, also with OUT unchanged. No command ends in a
traceback unless ``--debug`` (or ``CSA_DEBUG=1``) asks for one.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence
from pathlib import Path

from csa_analysis import __version__
from csa_analysis.config.county import County, read_county
from csa_analysis.errors import EnvironmentFailure, InputError, environment_failure
from csa_analysis.ingest.counts import load_dataset
from csa_analysis.ingest.place import Dataset
from csa_analysis.paths import default_cache_dir

EXIT_OK, EXIT_FAILED_REPORTS, EXIT_BAD_INPUT, EXIT_ENVIRONMENT = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143

_EPILOG = """\
exit codes: 0 everything produced; 1 some reports failed (named on stderr and in manifest.json);
2 bad input or usage; 3 the environment failed (disk full, permission denied); 130 Ctrl-C; 143 SIGTERM.
With 2, 3, 130 and 143 nothing in OUT changed.

examples:
  csa check --data data/raw/leicestershire
  csa score --data data/raw/leicestershire --quarter 2018-19Q3 --out reports/2018-19Q3
  csa assess --data data/raw/leicestershire --out reports/2018-19Q3 --jobs 2
"""


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and the usage line on every usage error (its default too, made explicit)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _positive_int(text: str) -> int:
    """argparse type: a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number (expected 1 or more)") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not valid (expected a whole number of 1 or more)")
    return value


def _seconds(text: str) -> float:
    """argparse type: a finite number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not valid (expected a number of seconds above 0)")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="csa",
        description="csa-workbench: Community Safety Partnership strategic assessments and the county "
        "roll-up from police.uk data.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"csa-workbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    def data_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data", required=True, type=Path, metavar="DIR",
                       help="data folder holding county.toml and the police_uk downloads")
        p.add_argument("--cache", type=Path, metavar="DIR", default=None,
                       help="processed-data cache (default: data/processed, or $CSA_CACHE_DIR)")
        p.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
        p.add_argument("--debug", action="store_true",
                       help="show the Python traceback of an error (for a maintainer; also CSA_DEBUG=1)")

    check = sub.add_parser(
        "check", help="validate the inputs, build the processed cache, print a data-quality summary",
        description="Validate the inputs, build the processed cache and print a data-quality summary.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data_arg(check)
    check.add_argument("--json", action="store_true",
                       help="print one JSON object (rows_read, districts, unallocated, out_of_area, "
                       "duplicates_dropped, months, ...) instead of a table")

    def quarter_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--quarter", metavar="Q", default=None,
                       help="financial quarter, e.g. 2024-25Q1 = April-June 2024 "
                       "(default: the latest complete quarter in the data)")
        p.add_argument("--out", required=True, type=Path, metavar="OUT", help="output folder")

    def engine_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument("--engine", choices=("arrow", "dask", "pandas"), default="arrow",
                       help="arrow (one machine, default; 'pandas' is its old name) or dask: counting on "
                       "dask.dataframe and reports as tasks on a dask.distributed cluster (--scheduler, or a local "
                       "cluster)")
        p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                       help="dask.distributed scheduler to use with --engine dask (default: a LocalCluster)")

    score = sub.add_parser(
        "score", help="write the scored tables (OUT/tables/*.csv) for one quarter, no notebooks",
        description="Score every issue for every district and the county; write OUT/tables/*.csv.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data_arg(score)
    quarter_arg(score)
    engine_arg(score)

    assess = sub.add_parser(
        "assess", help="produce the full board pack: HTML per district and county, Excel, manifest",
        description="Produce the quarterly board pack: one strategic assessment per district, the county "
        "roll-up, tables, board_pack.xlsx and manifest.json, written atomically into OUT.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    data_arg(assess)
    quarter_arg(assess)
    engine_arg(assess)
    assess.add_argument("--jobs", type=_positive_int, default=None, metavar="N",
                        help="reports run side by side (default: the number of cores plus one)")
    assess.add_argument("--districts", default=None, metavar='"A,B"',
                        help="only these districts (official names or aliases, comma-separated)")
    assess.add_argument("--timeout", type=_seconds, default=600, metavar="SECONDS",
                        help="time limit of each notebook cell (default 600)")
    assess.add_argument("--report-timeout", type=_seconds, default=1800, metavar="SECONDS",
                        help="time limit of each whole report; a report over it is a named failure (default 1800)")
    return parser


def _progress(args: argparse.Namespace):
    if getattr(args, "quiet", False):
        return None
    return lambda msg: print(msg, file=sys.stderr, flush=True)


def _load(args: argparse.Namespace) -> tuple[County, Dataset]:
    from csa_analysis.run.output import check_cache

    county = read_county(args.data)
    cache = check_cache(args.cache if args.cache is not None else default_cache_dir(), county.data_dir,
                        county.police_uk)
    return county, load_dataset(county, cache_dir=cache, progress=_progress(args))


def format_quality(quality: dict) -> str:
    """The data-quality summary as a readable text table (the rows of
    :func:`csa_analysis.report.formatting.quality_rows`, as the pack and the workbook show them)."""
    from csa_analysis.report.formatting import largest_out_of_area, quality_rows

    rows = quality_rows(quality, by_district=True)
    width = max(len(m) for m in rows["measure"]) + 2
    lines = [f"Data quality: {quality['county']}",
             f"  {quality['months'][0]} to {quality['months'][-1]} ({len(quality['months'])} months, "
             f"{quality['files']} files)", ""]
    lines += [f"  {m:<{width}}{n:>10,}" for m, n in zip(rows["measure"], rows["rows"], strict=True)]
    vintages = quality.get("file_vintages") or {}
    if vintages:
        lines += ["", "  LSOA codes read as " + ", ".join(f"{v} codes ({n} files)" for v, n in vintages.items())
                  + f"; {int((quality.get('placed_by_name') or {}).get('total', 0)):,} rows placed by LSOA name "
                  "(code in no ONS lookup)"]
    top = largest_out_of_area(quality, 5)
    if top:
        lines += ["", "  largest out-of-area sources: " + ", ".join(f"{k} {v:,}" for k, v in top)]
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    county, ds = _load(args)
    local = check_other_inputs(county, ds.quality.get("months", []))
    if local is not None:
        ds.quality["local"] = local
    if args.json:
        print(json.dumps(ds.quality, indent=1))
    else:
        print(format_quality(ds.quality))
    return EXIT_OK


def check_other_inputs(county: County, months: list[str] | None = None) -> dict | None:
    """Read every input ``csa assess`` reads besides the police.uk files, so ``csa check`` refuses what
    ``assess`` would: reference tables, the MoRiLE scales, the partnership register, the local issues' counts
    (checked against the police.uk ``months``), the consultation and Table C2. Returns the local issues' part
    of the data-quality account (None without local issues)."""
    from csa_analysis.method.costs import unit_costs_for
    from csa_analysis.method.harm import harm_weights_for, read_harm_table
    from csa_analysis.method.scoring import morile_scales

    harm_weights_for(county)
    if county.harm_alternative is not None:
        read_harm_table(county.harm_alternative)
    unit_costs_for(county)
    morile_scales(county)
    if county.partnerships_file is not None:
        from csa_analysis.partnerships.register import read_register

        read_register(county.partnerships_file, county)
    from csa_analysis.sources.consultation import read_consultation
    from csa_analysis.sources.local import read_local_counts

    read_consultation(county)
    if county.recorded_crime_files:
        from csa_analysis.sources.recorded_crime import read_table_c2_editions

        read_table_c2_editions(county.recorded_crime_files[0].parent)
    if not (county.local_issues or county.local_files):
        return None
    return read_local_counts(county, months or []).quality()


def dask_client(args: argparse.Namespace):
    """A dask.distributed client: the scheduler named, or a LocalCluster of --jobs workers."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--engine dask needs dask and distributed installed", where="--engine",
                         expected="pip install 'csa-workbench[dask]'") from None
    if args.scheduler:
        return Client(args.scheduler)
    jobs = getattr(args, "jobs", None)
    # A free port for the dashboard (8787 may be taken by another cluster), announced with the progress.
    cluster = LocalCluster(n_workers=jobs or None, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = Client(cluster)
    if not getattr(args, "quiet", False):
        print(f"Dask LocalCluster of {len(cluster.workers)} workers; dashboard {client.dashboard_link}",
              file=sys.stderr)
    return client


def cmd_score(args: argparse.Namespace) -> int:
    from csa_analysis.run.pipeline import score

    county = read_county(args.data)
    if args.engine == "dask":
        with dask_client(args):
            quarter = score(county, args.quarter, args.out, cache_dir=args.cache, progress=_progress(args),
                            engine="dask")
    else:
        quarter = score(county, args.quarter, args.out, cache_dir=args.cache, progress=_progress(args))
    if not args.quiet:
        print(f"Scored {county.name} {quarter}: tables in {Path(args.out) / 'tables'}", file=sys.stderr)
    return EXIT_OK


def cmd_assess(args: argparse.Namespace) -> int:
    from csa_analysis.run.boardpack import assess

    districts = args.districts.split(",") if args.districts is not None else None
    if args.engine == "dask":
        with dask_client(args) as client:
            return assess(args.data, quarter=args.quarter, out=args.out, jobs=args.jobs, districts=districts,
                          cache_dir=args.cache, timeout=args.timeout, report_timeout=args.report_timeout,
                          progress=not args.quiet, client=client)
    return assess(args.data, quarter=args.quarter, out=args.out, jobs=args.jobs,
                  districts=districts, cache_dir=args.cache, timeout=args.timeout,
                  report_timeout=args.report_timeout,
                  progress=not args.quiet)


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler stopping the job), raised in the main thread like Ctrl-C's KeyboardInterrupt."""


def _on_sigterm(signum, frame) -> None:
    raise Terminated()


def _check_usage(args: argparse.Namespace) -> None:
    """Usage errors argparse cannot see, refused before any work."""
    if getattr(args, "scheduler", None) and getattr(args, "engine", "arrow") != "dask":
        raise InputError("--scheduler needs --engine dask", where="--scheduler",
                         expected="--engine dask --scheduler ADDRESS, or neither")
    if getattr(args, "districts", None) is not None and not [d for d in args.districts.split(",") if d.strip()]:
        raise InputError("no district names given", where="--districts",
                         expected='official names or aliases from county.toml, e.g. --districts "Melton,Blaby"')
    cache = args.cache if args.cache is not None else default_cache_dir()
    if cache.exists() and not cache.is_dir():
        raise EnvironmentFailure("the processed-data cache is a file, not a folder", path=cache,
                                 advice="remove it, or give another folder with --cache or $CSA_CACHE_DIR")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``csa`` console script; returns the exit code (never raises, never a traceback)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help, --version (0) and usage errors (2), already printed by argparse
        return exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
    debug = getattr(args, "debug", False) or os.environ.get("CSA_DEBUG", "") not in ("", "0")
    handler = {"check": cmd_check, "score": cmd_score, "assess": cmd_assess}[args.command]
    prog = f"csa {args.command}"
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if in_main else None
    try:
        _check_usage(args)
        return handler(args)
    except InputError as exc:
        _say(prog, f"error: {exc}", debug)
        return EXIT_BAD_INPUT
    except EnvironmentFailure as exc:
        _say(prog, f"error: {exc}", debug)
        return EXIT_ENVIRONMENT
    except OSError as exc:
        _say(prog, f"error: {environment_failure(exc)}", debug)
        return EXIT_ENVIRONMENT
    except MemoryError:
        _say(prog, "error: out of memory (close other programs, use fewer --jobs, or a larger machine)", debug)
        return EXIT_ENVIRONMENT
    except Terminated:
        _say(prog, "stopped by SIGTERM: queued reports cancelled, nothing in OUT changed", debug)
        return EXIT_TERMINATED
    except KeyboardInterrupt:
        _say(prog, "interrupted (Ctrl-C): queued reports cancelled, nothing in OUT changed", debug)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a defect of the workbench: one line, and the traceback on request
        _say(prog, f"internal error: {type(exc).__name__}: {exc} (nothing in OUT changed; run again with "
             "--debug for the traceback and report it)", debug)
        return EXIT_ENVIRONMENT
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _say(prog: str, message: str, debug: bool) -> None:
    if debug:
        traceback.print_exc(file=sys.stderr)
    first = " ".join(str(message).split())  # one line, whatever the message held
    print(f"{prog}: {first}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
