"""The processed cache: raw police.uk CSV parsed once into Parquet, reused until a raw file changes.

Layout under the cache folder (default ``data/processed/``)::

    incidents/<key>.parquet       all files parsed, combined and de-duplicated; key = hash of the file hashes
    incidents/<key>.json          the account of that combination (rows read, duplicates, inputs, months)
    stat-index.json               path, size, mtime -> sha256, so unchanged files are not re-hashed

A file whose size or modification time changed is hashed again; the files are parsed again only when some
file's *content* changed. A second run over unchanged files reads one Parquet file and no CSV at
all. Every write goes to a temporary name and is renamed into place, so an interrupted run never
leaves a torn cache entry.
Raw files are only ever read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .config import default_cache_dir
from .load import PARSER_VERSION, Combiner, StreetFile, discover_street_files, month_groups, parse_street_table


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _stat_key(f: StreetFile) -> str:
    st = f.path.stat()
    return f"{f.path.resolve()}|{f.member or ''}|{st.st_size}|{st.st_mtime_ns}"


def _read_index(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _file_sha256(f: StreetFile) -> str:
    """sha256 of a file's bytes, streamed (a national year is over a gigabyte: never hold it all)."""
    h = hashlib.sha256()
    if f.member is None:
        with open(f.path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                h.update(block)
    else:
        h.update(f.read_bytes())
    return h.hexdigest()


def ensure_cache(
    source: str | Path,
    *,
    cache_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> tuple[Path, dict[str, Any], pa.Table | None]:
    """Make sure the processed Parquet file for ``source`` exists; build it if any raw file changed.

    Parameters
    ----------
    source, cache_dir, progress, workers
        As :func:`load_incidents`.

    Returns
    -------
    path : Path
        The combined Parquet file (every incident, de-duplicated; the columns of
        :func:`csa_analysis.load.parse_street_table` plus ``source``).
    account : dict
        Rows read, duplicates dropped, inputs with their sha256, months
        (see :func:`csa_analysis.load.combine`).
    table : None
        Kept for callers that accept a freshly built table; the incidents are streamed to disk, so it is
        always None and callers read the Parquet file.
    """
    say = progress or (lambda _msg: None)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    files = discover_street_files(source)
    index_path = cache / "stat-index.json"
    index = _read_index(index_path)
    hashes = []
    index_changed = False
    for f in files:
        key = _stat_key(f)
        if key not in index:
            index[key] = _file_sha256(f)
            index_changed = True
        hashes.append(index[key])

    key = hashlib.sha256(
        json.dumps([PARSER_VERSION, [(f.label, f.month, f.force, h)
                                     for f, h in zip(files, hashes, strict=True)]]).encode()
    ).hexdigest()[:32]
    combined_path = cache / "incidents" / f"{key}.parquet"
    account_path = cache / "incidents" / f"{key}.json"
    if combined_path.is_file() and account_path.is_file():
        try:
            account = json.loads(account_path.read_text(encoding="utf-8"))
            pq.read_metadata(combined_path)
            if index_changed:
                _atomic_write_bytes(index_path, json.dumps(index, indent=0).encode())
            say(f"Using the processed cache of {len(files)} police.uk files ({cache})")
            return combined_path, account, None
        except (OSError, ValueError, pa.ArrowException):
            say("Cache entry unreadable: rebuilding it")

    def parsed_file(i: int) -> pa.Table:
        return parse_street_table(files[i].read_bytes(), files[i].label, files[i].month)

    say(f"Parsing {len(files)} police.uk files into the cache ({cache})")
    # Month by month: parse the month's files side by side, drop repeated Crime IDs, append to the Parquet
    # file, let the month go. Only Crime IDs are kept across months.
    combiner = Combiner()
    combined_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=combined_path.parent, prefix=f".{combined_path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    writer = None
    try:
        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            for group in month_groups(files):
                parsed = list(pool.map(parsed_file, group))
                table = combiner.add_month([files[i] for i in group], parsed, [hashes[i] for i in group])
                del parsed
                if table is None:
                    continue
                if writer is None:
                    writer = pq.ParquetWriter(tmp, table.schema, compression="lz4")
                writer.write_table(table.cast(writer.schema) if table.schema != writer.schema else table)
        if writer is not None:
            writer.close()
            writer = None
        account = combiner.account()
        # Only a fully valid input set reaches the cache.
        os.replace(tmp, combined_path)
    except BaseException:
        if writer is not None:
            writer.close()
        tmp.unlink(missing_ok=True)
        raise
    _atomic_write_bytes(account_path, json.dumps(account, indent=1).encode())
    _atomic_write_bytes(index_path, json.dumps(index, indent=0).encode())
    return combined_path, account, None


def load_incidents(
    source: str | Path,
    *,
    cache_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
    columns: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """All incidents of the police.uk files under ``source``, from the cache when nothing changed.

    Parameters
    ----------
    source : str or Path
        Folder or ``.zip`` of police.uk downloads.
    cache_dir : str or Path, optional
        Cache folder; default :func:`csa_analysis.config.default_cache_dir`.
    progress : callable, optional
        Receives one-line progress messages.
    workers : int, optional
        Threads used to parse files (pyarrow releases the GIL); default the number of cores.
    columns : sequence of str, optional
        Columns to return (all by default); the cache always holds all of them.

    Returns
    -------
    incidents, account
        As :func:`csa_analysis.load.combine` returns them, the incidents as a pandas frame with
        categorical low-cardinality columns.
    """
    path, account, table = ensure_cache(source, cache_dir=cache_dir, progress=progress, workers=workers)
    cols = list(columns) if columns else None
    if table is None:
        table = pq.read_table(path, columns=cols)
    elif cols:
        table = table.select(cols)
    return table.unify_dictionaries().to_pandas(), account
