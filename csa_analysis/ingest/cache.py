"""The processed cache: raw police.uk CSV parsed once into Parquet, reused until a raw file changes.

Layout under the cache folder (default ``data/processed/``)::

    incidents/<key>.parquet       all files parsed, combined and de-duplicated; key = hash of the file hashes
    incidents/<key>.json          the account of that combination (rows read, duplicates, inputs, months) and
                                  the Parquet file's size and CRC-32 per column chunk and footer
    counts/<key>.parquet          incidents per placement key, issue and month of that combination
    placements/<hash>.json        a county's districts for the placement keys of an entry (ingest.place)
    stat-index.json               path, size, mtime -> sha256, so unchanged files are not re-hashed
    scored/<key>/                 a quarter's scored tables (run.pipeline), with their CSVs for csa score

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
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from csa_analysis.errors import environment_failure
from csa_analysis.ingest.combine import Combiner, month_groups
from csa_analysis.ingest.discover import StreetFile, discover_street_files
from csa_analysis.ingest.geography import Geography, lookups_fingerprint
from csa_analysis.ingest.parse import PARSER_VERSION, parse_street_table
from csa_analysis.paths import default_cache_dir


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
    """``place|size|mtime|ctime|inode``; the place is ``path|member`` (see :func:`_place`).

    The change time and inode are in the key because an edit that keeps the size and puts the modification
    time back (``touch -r``, a copy with ``cp -p``, some sync tools) still changes them: the file is hashed
    again and a changed file is never served from the cache.
    """
    st = f.path.stat()
    # abspath, not resolve(): no system call per path component, and any stable absolute name will do
    return (f"{os.path.abspath(f.path)}|{f.member or ''}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}|"
            f"{st.st_ino}")


def _place(stat_key: str) -> str:
    """The file a stat key names, without its size, times and inode."""
    return stat_key.rsplit("|", 4)[0]


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


def _entry_key(files: Sequence[StreetFile], hashes: Sequence[str]) -> str:
    return hashlib.sha256(
        json.dumps([PARSER_VERSION, lookups_fingerprint(), [(f.label, f.month, f.force, h)
                                     for f, h in zip(files, hashes, strict=True)]]).encode()
    ).hexdigest()[:32]


def _segments(path: Path) -> list[tuple[int, int, str | None]]:
    """The Parquet file cut into consecutive byte ranges ``(start, length, column)``: each column chunk of each
    row group (``column`` its name), and between them the rest (header, footer: ``column`` None).

    Falls back to the whole file as one range if the chunks do not tile it (never seen; a safe default).
    """
    size = path.stat().st_size
    meta = pq.read_metadata(path)
    chunks = []
    for r in range(meta.num_row_groups):
        group = meta.row_group(r)
        for c in range(group.num_columns):
            col = group.column(c)
            start = col.dictionary_page_offset if col.has_dictionary_page and col.dictionary_page_offset else \
                col.data_page_offset
            chunks.append((int(start), int(col.total_compressed_size), str(col.path_in_schema)))
    chunks.sort()
    out: list[tuple[int, int, str | None]] = []
    at = 0
    for start, length, name in chunks:
        if start < at or length < 0 or start + length > size:
            return [(0, size, None)]
        if start > at:
            out.append((at, start - at, None))
        out.append((start, length, name))
        at = start + length
    if at < size:
        out.append((at, size - at, None))
    return out


def parquet_integrity(path: Path) -> dict[str, Any]:
    """Size and CRC-32 of each byte range of a Parquet file (:func:`_segments`), read once.

    Checking a column then reads only its chunks and the footer (:func:`_verify`): scoring, which reads three
    columns of a national year, verifies 70 MB instead of the whole file, and every byte it reads is verified.

    Returns
    -------
    dict
        ``size`` (bytes) and ``segments``: ``[start, length, crc32, column or None]`` covering the file in order.
    """
    segments = []
    with open(path, "rb") as fh:
        for start, length, name in _segments(path):
            fh.seek(start)
            segments.append([start, length, _crc(fh, length), name])
    return {"size": path.stat().st_size, "segments": segments}


def _crc(fh: Any, length: int) -> int:
    crc = 0
    while length > 0:
        block = fh.read(min(length, 1 << 22))
        if not block:
            return -1
        crc = zlib.crc32(block, crc)
        length -= len(block)
    return crc


def _verify(path: Path, written: dict[str, Any], columns: Sequence[str] | None) -> bool:
    """True when the byte ranges of ``columns`` (every range when None) and the footer match ``written``."""
    wanted = None if columns is None else set(columns)
    with open(path, "rb") as fh:
        for start, length, crc, name in written["segments"]:
            if wanted is not None and name is not None and name not in wanted:
                continue
            fh.seek(start)
            if _crc(fh, length) != crc:
                return False
    return True


def _read_entry(cache: Path, key: str, verify_data: bool,
                columns: Sequence[str] | None = None) -> tuple[Path, dict[str, Any]] | None:
    """The cache entry ``key`` (its Parquet file and account) if it is there, complete and unchanged.

    The account records the Parquet file's size and the CRC-32 of each of its byte ranges as written. The size
    is always checked; with ``verify_data`` the CRCs too: of every range, or with ``columns`` of those columns'
    chunks and the footer (all that reading those columns reads), so data altered in place, even with the
    footer intact, is never used.
    """
    path, account_path = cache / "incidents" / f"{key}.parquet", cache / "incidents" / f"{key}.json"
    if not (path.is_file() and account_path.is_file()):
        return None
    try:
        account = json.loads(account_path.read_text(encoding="utf-8"))
        written = account["parquet"]
        if path.stat().st_size != written["size"]:
            return None
        if verify_data and not _verify(path, written, columns):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return path, account


#: How the incidents are written: no compression and statistics only on the month (the cache is read whole,
#: column by column, so neither pays for its cost at national scale).
_PARQUET_OPTIONS = {"compression": "none", "write_statistics": ["month"]}
#: Plain text columns worth a Parquet dictionary (locations repeat a lot). Crime IDs are unique, and Context is
#: nearly always blank: trying a dictionary for them only costs time before the writer gives up on it.
_DICTIONARY_TEXT = ("location",)


def parquet_options(schema: pa.Schema) -> dict[str, Any]:
    """The writer options of the incidents file of ``schema``: :data:`_PARQUET_OPTIONS`, and dictionary pages for
    the Arrow dictionary columns (kept as they are) and :data:`_DICTIONARY_TEXT` only.

    Examples
    --------
    >>> schema = pa.schema([("crime_id", pa.string()), ("issue", pa.dictionary(pa.int32(), pa.string())),
    ...                     ("location", pa.string())])
    >>> parquet_options(schema)["use_dictionary"]
    ['issue', 'location']
    """
    dictionary = [f.name for f in schema if pa.types.is_dictionary(f.type) or f.name in _DICTIONARY_TEXT]
    return {**_PARQUET_OPTIONS, "use_dictionary": dictionary}


def ensure_cache(
    source: str | Path,
    *,
    cache_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int | None = None,
    rehash: bool = False,
    verify_data: bool = True,
    columns: Sequence[str] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Make sure the processed Parquet file for ``source`` exists and is sound; build it if anything changed.

    Parameters
    ----------
    source : str or Path
        Folder or ``.zip`` of police.uk downloads.
    cache_dir : str or Path, optional
        Cache folder; default :func:`csa_analysis.paths.default_cache_dir`.
    progress : callable, optional
        Receives one-line progress messages.
    workers : int, optional
        Threads used to read, hash and parse files (pyarrow and hashlib release the GIL); default the cores.
    rehash : bool
        Hash every raw file, trusting no stat index (``csa assess``, the quarterly run, does: see
        ``docs/reliability.md`` for the trade-off).
    verify_data : bool
        Check the Parquet file's CRC-32s before returning it (False only when the caller just needs the
        entry's key and account, not its rows).
    columns : sequence of str, optional
        The only columns the caller will read: only their chunks (and the footer) are checked. Default: all.

    Returns
    -------
    path : Path
        The combined Parquet file (every incident, de-duplicated; the columns of
        :func:`csa_analysis.ingest.parse.parse_street_table` plus ``place``, each row's placement key fixed
        in its file's LSOA vintage (:meth:`~csa_analysis.ingest.geography.Geography.place_keys`), and ``source``),
        to read with
        ``pyarrow.parquet.read_table``.
    account : dict
        Rows read, duplicates dropped, inputs with their sha256, months, force months and the Parquet
        file's size and CRC-32 (see :meth:`csa_analysis.ingest.combine.Combiner.account`).

    Notes
    -----
    A file whose size or modification time is not in the stat index is hashed before anything is parsed
    when its path is known (a touched file may well be unchanged, and hashing is far cheaper than parsing).
    Files at paths never seen before are hashed as they are parsed, from the same bytes, so a first run
    reads every file once.
    """
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    try:
        return _ensure_cache(source, cache, progress or (lambda _msg: None), workers, rehash, verify_data, columns)
    except OSError as exc:
        if exc.filename is not None and _inside(Path(exc.filename), cache):
            raise environment_failure(
                exc, "the processed-data cache is unusable",
                advice=f"fix it, or give another folder with --cache or $CSA_CACHE_DIR (now {cache})") from None
        raise


def _inside(path: Path, folder: Path) -> bool:
    path, folder = Path(os.path.abspath(path)), Path(os.path.abspath(folder))
    return path == folder or folder in path.parents


def _ensure_cache(source: str | Path, cache: Path, say: Callable[[str], None], workers: int | None,
                  rehash: bool, verify_data: bool, columns: Sequence[str] | None = None
                  ) -> tuple[Path, dict[str, Any]]:
    files = discover_street_files(source)
    index_path = cache / "stat-index.json"
    index = _read_index(index_path)
    stat_keys = [_stat_key(f) for f in files]
    hashes: list[str | None] = [None if rehash else index.get(k) for k in stat_keys]
    unknown = [i for i, h in enumerate(hashes) if h is None]
    places = {_place(k) for k in index}
    threads = workers or os.cpu_count() or 1
    if unknown and (rehash or all(_place(stat_keys[i]) in places for i in unknown)):
        with ThreadPoolExecutor(max_workers=threads) as pool:
            for i, h in zip(unknown, pool.map(lambda i: _file_sha256(files[i]), unknown), strict=True):
                hashes[i] = h
        unknown = []
    if not unknown:
        key = _entry_key(files, hashes)
        entry = _read_entry(cache, key, verify_data, columns)
        if entry is None and (cache / "incidents" / f"{key}.parquet").exists():
            say("Cache entry damaged or incomplete: rebuilding it")
        if entry is not None:
            if any(k not in index for k in stat_keys):
                index.update(zip(stat_keys, hashes, strict=True))
                _atomic_write_bytes(index_path, json.dumps(index, indent=0).encode())
            say(f"Using the processed cache of {len(files)} police.uk files ({cache})")
            return entry

    say(f"Parsing {len(files)} police.uk files into the cache ({cache})")
    incidents = cache / "incidents"
    incidents.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=incidents, prefix=".incidents.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    (cache / "counts").mkdir(exist_ok=True)
    fd, counts_name = tempfile.mkstemp(dir=cache / "counts", prefix=".counts.", suffix=".tmp")
    os.close(fd)
    tmp_counts = Path(counts_name)
    try:
        account = _build(files, hashes, tmp, threads, say, tmp_counts)
        digests = [read["sha256"] for read in account["inputs"]]  # every file, in order
        index.update(zip(stat_keys, digests, strict=True))
        key = _entry_key(files, digests)
        path = incidents / f"{key}.parquet"
        account["parquet"] = parquet_integrity(tmp)
        account["key_counts"] = {"size": tmp_counts.stat().st_size, "crc32": _file_crc32(tmp_counts)}
        # Only a fully valid input set reaches the cache; its account (with the size and CRC) comes last.
        os.replace(tmp_counts, key_counts_path(path))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        tmp_counts.unlink(missing_ok=True)
        raise
    _atomic_write_bytes(incidents / f"{key}.json", json.dumps(account, indent=1).encode())
    _atomic_write_bytes(index_path, json.dumps(index, indent=0).encode())
    return path, account


def file_details(table: pa.Table, geography: Geography) -> dict[str, Any]:
    """What placing needs to know about a whole file, fixed when it is parsed: its LSOA vintage and forces.

    The vintage is read from the file's distinct LSOA codes and (code, name) pairs by
    :meth:`~csa_analysis.ingest.geography.Geography.column_vintage`, on the columns' dictionaries, so every engine
    (Arrow on the whole table, Dask on one partition at a time) reads the file's codes in the same vintage.

    Returns
    -------
    dict
        ``vintage`` (``"2011"`` or ``"2021"``), ``vintage_evidence`` (``[for 2011, for 2021]``: distinct codes
        or code-name pairs only that vintage explains) and ``falls_within`` (the file's distinct ``Falls within``
        forces, sorted).
    """
    choice = geography.column_vintage(table["lsoa_code"], table["lsoa_name"])
    forces = pc.unique(table["force"]).cast(pa.string()).drop_null().to_pylist()
    return {"vintage": choice.vintage, "vintage_evidence": [choice.evidence_2011, choice.evidence_2021],
            "falls_within": sorted(forces)}


#: Columns of the incidents per placement key, issue and month kept with each cache entry (:func:`read_key_counts`).
KEY_COUNT_COLUMNS = ("place", "issue", "month", "n")


def key_counts_path(path: Path) -> Path:
    """The incidents per placement key, issue and month of a cache entry: ``counts/<key>.parquet`` beside
    ``incidents/``."""
    return path.parent.parent / "counts" / f"{path.stem}.parquet"


def _file_crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            crc = zlib.crc32(block, crc)
    return crc


def read_key_counts(path: Path, account: dict[str, Any]) -> pa.Table | None:
    """The incidents per placement key, issue and month of a cache entry (:data:`KEY_COUNT_COLUMNS`; ``n`` int64),
    counted when the entry was built; None when the file is missing or not as written (size and CRC-32), so
    the caller counts the incidents themselves.

    Every county's counts come from this small table (a national year: about 100,000 rows instead of 6 million)
    since the key, not the district, is what was counted.
    """
    counts = key_counts_path(path)
    written = account.get("key_counts")
    try:
        if not isinstance(written, dict) or counts.stat().st_size != written["size"]:
            return None
        data = counts.read_bytes()
        if zlib.crc32(data) != written["crc32"]:
            return None
        return pq.read_table(pa.BufferReader(data))
    except (OSError, KeyError, TypeError, ValueError, pa.ArrowException):
        return None


def _count_keys(table: pa.Table) -> pa.Table:
    """Incidents per placement key, issue and month of one month's rows."""
    columns = list(KEY_COUNT_COLUMNS[:-1])
    grouped = table.select(columns).unify_dictionaries().group_by(columns).aggregate([([], "count_all")])
    return grouped.rename_columns(list(KEY_COUNT_COLUMNS))


def _write_key_counts(parts: list[pa.Table], out: Path) -> None:
    """The months' key counts as one table (a month's files are all in one part), written to ``out``."""
    columns = list(KEY_COUNT_COLUMNS[:-1])
    if parts:
        table = pa.concat_tables(parts).unify_dictionaries()
        table = table.group_by(columns).aggregate([("n", "sum")]).rename_columns(list(KEY_COUNT_COLUMNS))
        table = table.cast(pa.schema([(c, pa.dictionary(pa.int32(), pa.string())) for c in columns]
                                     + [("n", pa.int64())]))
    else:
        table = pa.table({c: pa.array([], pa.dictionary(pa.int32(), pa.string())) for c in columns}
                         | {"n": pa.array([], pa.int64())})
    pq.write_table(table, out, compression="none")


def _month_keys(table: pa.Table, vintages: dict[str, str], geography: Geography) -> pa.DictionaryArray:
    """Each row's placement key (:meth:`~csa_analysis.ingest.geography.Geography.place_keys`) for a month's rows,
    each read in its own file's LSOA vintage: one call per vintage on the month's dictionaries, not per file."""
    source = table["source"].unify_dictionaries().combine_chunks()
    is_2011 = np.array([vintages[str(label)] == "2011" for label in source.dictionary.to_pylist()], dtype=bool)
    rows_2011 = is_2011[source.indices.to_numpy(zero_copy_only=False)]
    if not rows_2011.any() or rows_2011.all():
        return geography.place_keys(table["lsoa_code"], table["lsoa_name"], "2011" if rows_2011.any() else "2021")
    mask = pa.array(rows_2011)
    old = geography.place_keys(table["lsoa_code"].filter(mask), table["lsoa_name"].filter(mask), "2011")
    new = geography.place_keys(table["lsoa_code"].filter(pc.invert(mask)), table["lsoa_name"].filter(pc.invert(mask)),
                               "2021")
    indices = np.empty(len(rows_2011), dtype=np.int32)
    indices[rows_2011] = old.indices.to_numpy()
    indices[~rows_2011] = new.indices.to_numpy() + len(old.dictionary)
    return pa.DictionaryArray.from_arrays(pa.array(indices), pa.concat_arrays([old.dictionary, new.dictionary]))


def _build(files: Sequence[StreetFile], hashes: Sequence[str | None], out: Path, threads: int,
           say: Callable[[str], None], counts_out: Path | None = None) -> dict[str, Any]:
    """Parse, combine and write every file to ``out``, a month at a time, as a pipeline.

    Worker threads read, hash (where ``hashes`` has None) and parse the next month's files while the
    calling thread de-duplicates this month and a writer thread appends the month before to the Parquet
    file (and counts its incidents per placement key, issue and month, written to ``counts_out``); pyarrow and
    hashlib release the GIL, so the stages overlap on all cores. At most four months are in memory at once.

    Returns
    -------
    dict
        :meth:`~csa_analysis.ingest.combine.Combiner.account`; its ``inputs`` give every file's sha256, in order,
        and :func:`file_details`.
    """
    geography = Geography.load()  # loaded once, before the worker threads need it

    def parsed_file(i: int) -> tuple[pa.Table, str, dict[str, Any]]:
        data = files[i].read_bytes()
        digest = hashes[i] or hashlib.sha256(data).hexdigest()
        table = parse_street_table(data, files[i].label, files[i].month)
        return table, digest, file_details(table, geography)

    groups = month_groups(files)
    combiner = Combiner()
    writer: pq.ParquetWriter | None = None
    written: Future | None = None
    parts: list[pa.Table] = []
    vintages: dict[str, str] = {}

    def write(table: pa.Table) -> None:
        assert writer is not None
        writer.write_table(table)
        parts.append(_count_keys(table))
    with ThreadPoolExecutor(max_workers=threads) as pool, ThreadPoolExecutor(max_workers=1) as write_pool:
        ahead = [[pool.submit(parsed_file, i) for i in group] for group in groups[:2]]
        try:
            for m, group in enumerate(groups):
                results = [future.result() for future in ahead.pop(0)]
                if m + 2 < len(groups):
                    ahead.append([pool.submit(parsed_file, i) for i in groups[m + 2]])
                table = combiner.add_month([files[i] for i in group], [r[0] for r in results],
                                           [r[1] for r in results], [r[2] for r in results])
                vintages.update({files[i].label: r[2]["vintage"] for i, r in zip(group, results, strict=True)})
                del results
                if written is not None:
                    written.result()
                if table is None:
                    continue
                table = table.append_column("place", _month_keys(table, vintages, geography))
                if writer is None:
                    writer = pq.ParquetWriter(out, table.schema, **parquet_options(table.schema))
                if table.schema != writer.schema:
                    table = table.cast(writer.schema)
                written = write_pool.submit(write, table)
                if len(groups) > 3:
                    say(f"  {files[group[0]].month}: {m + 1} of {len(groups)} months")
            if written is not None:
                written.result()
        finally:
            for futures in ahead:
                for future in futures:
                    future.cancel()
            if writer is not None:
                if written is not None:
                    wait([written])
                writer.close()
    if counts_out is not None:
        _write_key_counts(parts, counts_out)
    return combiner.account()
