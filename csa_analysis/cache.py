"""The processed cache: raw police.uk CSV parsed once into Parquet, reused until a raw file changes.

Layout under the cache folder (default ``data/processed/``)::

    incidents/<key>.parquet       all files parsed, combined and de-duplicated; key = hash of the file hashes
    incidents/<key>.json          the account of that combination (rows read, duplicates, inputs, months)
    stat-index.json               path, size, mtime -> sha256, so unchanged files are not re-hashed

A file whose size or modification time changed is hashed again; the files are parsed again only when some
file's *content* changed. A second run over unchanged files reads one Parquet file and no CSV at
all. Every write goes to a temporary name and is renamed into place, so an interrupted run never leaves a torn cache entry.
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
from .load import (
    PARSER_VERSION,
    StreetFile,
    combine,
    discover_street_files,
    parse_street_table,
    sha256_bytes,
)


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


def _atomic_parquet(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="lz4")
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
    say = progress or (lambda _msg: None)
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    files = discover_street_files(source)
    index_path = cache / "stat-index.json"
    index = _read_index(index_path)

    hashes: list[str | None] = [index.get(_stat_key(f)) for f in files]
    raw: dict[int, bytes] = {}
    for i, f in enumerate(files):
        if hashes[i] is None:
            raw[i] = f.read_bytes()
            hashes[i] = sha256_bytes(raw[i])
            index[_stat_key(f)] = hashes[i]
    final_hashes = [h for h in hashes if h is not None]

    key = hashlib.sha256(
        json.dumps([PARSER_VERSION, [(f.label, f.month, f.force, h)
                                     for f, h in zip(files, final_hashes, strict=True)]]).encode()
    ).hexdigest()[:32]
    combined_path = cache / "incidents" / f"{key}.parquet"
    account_path = cache / "incidents" / f"{key}.json"
    if combined_path.is_file() and account_path.is_file():
        try:
            account = json.loads(account_path.read_text(encoding="utf-8"))
            incidents = pq.read_table(combined_path, columns=list(columns) if columns else None)
            say(f"Read {len(files)} police.uk files from the cache ({cache})")
            if raw:
                _atomic_write_bytes(index_path, json.dumps(index, indent=0).encode())
            return incidents.to_pandas(), account
        except (OSError, ValueError, pa.ArrowException):
            say("Cache entry unreadable: rebuilding it")

    def parsed_file(i: int) -> pa.Table:
        data = raw.pop(i, None)
        if data is None:
            data = files[i].read_bytes()
        return parse_street_table(data, files[i].label, files[i].month)

    say(f"Parsing {len(files)} police.uk files into the cache ({cache})")
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        parsed = list(pool.map(parsed_file, range(len(files))))
    incidents, account = combine(files, parsed, final_hashes)
    del parsed
    # Only a fully valid input set reaches the cache.
    _atomic_parquet(incidents, combined_path)
    _atomic_write_bytes(account_path, json.dumps(account, indent=1).encode())
    _atomic_write_bytes(index_path, json.dumps(index, indent=0).encode())
    if columns:
        incidents = incidents.select(list(columns))
    return incidents.to_pandas(), account
