"""Reading police.uk street-level downloads exactly as the site serves them.

Pipeline
--------
1. :func:`discover_street_files` finds ``YYYY-MM/YYYY-MM-<force>-street.csv`` files in a folder tree, inside
   downloaded ``.zip`` files, or both, for any number of forces.
2. :func:`parse_street_file` parses one file (pyarrow's CSV reader) into a tidy frame, refusing anything that
   is not a police.uk street file with an :class:`~csa_analysis.errors.InputError` naming the file and row.
3. :func:`combine` stacks the files, counts an identical re-downloaded month once (and refuses two differing
   copies of a month), and de-duplicates Crime IDs in the earliest month they appear. Anti-social behaviour
   rows (no Crime ID) are never de-duplicated: identical ASB rows are separate incidents at one map point.
4. :func:`place` puts each record in a district of the county from its LSOA name
   (``"Charnwood 012B"`` -> ``"Charnwood"``) through the official names and declared aliases; rows with no
   LSOA are *unallocated*, rows in other districts *out of area*. Nothing is dropped without being counted.

:func:`load_dataset` runs all of it through the Parquet cache in :mod:`csa_analysis.ingest.cache`.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from csa_analysis.config.county import County
from csa_analysis.domain.issues import CURRENT_TYPES_FROM, ISSUES, RETIRED_ISSUES, RETIRED_MESSAGE, issue_categories
from csa_analysis.domain.names import normalise_name
from csa_analysis.domain.periods import Quarter, check_quarter_in_data
from csa_analysis.errors import InputError, environment_failure
from csa_analysis.ingest.crime_ids import CrimeIdIndex

#: Columns of a police.uk street file, in the order the site serves them.
STREET_COLUMNS: tuple[str, ...] = (
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
)
#: Tidy names given to those columns.
_RENAME = {
    "Crime ID": "crime_id", "Month": "month", "Reported by": "reported_by", "Falls within": "force",
    "Longitude": "longitude", "Latitude": "latitude", "Location": "location",
    "LSOA code": "lsoa_code", "LSOA name": "lsoa_name", "Crime type": "issue",
    "Last outcome category": "outcome", "Context": "context",
}
#: Bounding box of Great Britain (degrees): coordinates outside it are treated as "no location".
GB_BOUNDS = {"lon_min": -8.75, "lon_max": 1.80, "lat_min": 49.85, "lat_max": 60.95}

_STREET_NAME = re.compile(r"(?:^|/)(\d{4}-(?:0[1-9]|1[0-2]))-([a-z0-9-]+)-street\.csv$")
_OTHER_POLICE_UK = re.compile(r"-(outcomes|stop-and-search)\.csv$")
_LSOA_SUFFIX = r"^(.*\S)\s+[0-9]{3}[A-Z]$"

#: Bumped whenever parsing changes, so old cache entries are not reused.
PARSER_VERSION = "4"


@dataclass(frozen=True)
class StreetFile:
    """One police.uk street file found on disk or in a zip.

    Attributes
    ----------
    label : str
        How messages name the file: a path, or ``archive.zip:member/path.csv``.
    month : str
        ``YYYY-MM`` from the file name.
    force : str
        Force slug from the file name, e.g. ``leicestershire``.
    path : Path
        The file on disk (the zip archive for members).
    member : str or None
        Member name inside a zip.
    """

    label: str
    month: str
    force: str
    path: Path
    member: str | None = None

    def read_bytes(self) -> bytes:
        """The file's bytes; a zip member that cannot be read (encrypted, an unsupported compression such as
        Deflate64, corrupt) is an :class:`InputError` naming it, an unreadable disk file an environment
        failure (exit code 3)."""
        try:
            if self.member is None:
                return self.path.read_bytes()
            with zipfile.ZipFile(self.path) as zf:
                return zf.read(self.member)
        except RuntimeError as exc:  # zipfile: "File ... is encrypted, password required for extraction"
            raise InputError(f"cannot be read: the zip member is encrypted ({exc})", file=self.label,
                             expected="an unencrypted zip, as data.police.uk serves it") from None
        except NotImplementedError as exc:  # e.g. Deflate64, which Windows Explorer writes for large zips
            raise InputError(f"cannot be read: {exc} (the zip uses a compression method Python cannot read)",
                             file=self.label, expected="a zip stored or deflated, as data.police.uk serves it; "
                             "re-zip it with standard Deflate or unzip it into police_uk/") from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise InputError(f"cannot be read: the zip is damaged ({type(exc).__name__}: {exc})", file=self.label,
                             expected="a complete zip; download it again") from None
        except OSError as exc:
            if self.member is not None and exc.errno is None:
                raise InputError(f"cannot be read: the zip is damaged ({exc})", file=self.label,
                                 expected="a complete zip; download it again") from None
            raise environment_failure(exc, "cannot read this police.uk file") from None


@dataclass
class Dataset:
    """Records of one county, placed in districts, with the data-quality account.

    Attributes
    ----------
    records : DataFrame
        One row per incident placed in a county district after de-duplication. Columns: ``month`` (str
        ``YYYY-MM``), ``district`` (categorical, categories = county district names in config order),
        ``issue`` (categorical, the police.uk crime types), ``crime_id`` (str, missing for ASB),
        ``force``, ``lsoa_code``, ``lsoa_name``, ``location``, ``longitude``, ``latitude`` (degrees,
        missing where no location), ``outcome``.
    unallocated : DataFrame
        Rows with no LSOA (no location), same columns less ``district``.
    quality : dict
        The ``csa check --json`` object: ``rows_read``, ``districts``, ``unallocated``, ``out_of_area``,
        ``duplicates_dropped``, ``months`` and more detail (see :func:`place`).
    months : list of str
        Every month present in the files (all forces), sorted.
    inputs : list of dict
        ``{"path", "sha256", "rows"}`` for each file read.
    """

    records: pd.DataFrame
    unallocated: pd.DataFrame
    quality: dict[str, Any]
    months: list[str]
    inputs: list[dict[str, Any]] = field(default_factory=list)


# --------------------------------------------------------------------------------------------------
# Finding files


def discover_street_files(source: str | Path) -> list[StreetFile]:
    """Find the police.uk street files under a folder, in a ``.zip``, or both.

    Parameters
    ----------
    source : str or Path
        A folder laid out as the site's download (``YYYY-MM/YYYY-MM-<force>-street.csv``; zips inside it are
        opened too) or a downloaded ``.zip``.

    Returns
    -------
    list of StreetFile
        Sorted by month, then force, then label.

    Raises
    ------
    InputError
        The source does not exist, a zip cannot be opened, a ``.csv`` file is not named like a police.uk
        file, or no street file is found at all.
    """
    source = Path(source)
    found: list[StreetFile] = []
    if source.is_dir():
        for p in sorted(_walk(source)):
            if not p.is_file() or p.name.startswith("."):
                continue
            rel = p.relative_to(source).as_posix()
            if p.suffix.lower() == ".zip":
                found.extend(_zip_members(p, f"{source.name}/{rel}"))
            elif p.suffix.lower() == ".csv":
                m = _STREET_NAME.search(p.name)
                if m:
                    found.append(StreetFile(f"{source.name}/{rel}", m.group(1), m.group(2), p))
                elif not _OTHER_POLICE_UK.search(p.name):
                    raise InputError(
                        "is not named like a police.uk file", file=p,
                        expected="YYYY-MM-<force>-street.csv, as data.police.uk names its downloads",
                    )
    elif source.is_file() and source.suffix.lower() == ".zip":
        found.extend(_zip_members(source, source.name))
    elif source.exists():
        raise InputError("is neither a folder nor a .zip", file=source,
                         expected="the folder or .zip of police.uk downloads")
    else:
        raise InputError("not found", file=source,
                         expected="a folder or .zip of police.uk street files (police_uk in county.toml)")
    if not found:
        raise InputError(
            "holds no police.uk street files", file=source,
            expected="files named YYYY-MM/YYYY-MM-<force>-street.csv, or the download .zip holding them",
        )
    return sorted(found, key=lambda f: (f.month, f.force, f.label))


def _walk(source: Path) -> list[Path]:
    """Every file under ``source``, following folder symlinks but never into a folder already seen (a
    symlink loop, or two links to one month, is walked once)."""
    seen: set[tuple[int, int]] = set()
    found: list[Path] = []
    for folder, dirs, names in os.walk(source, followlinks=True):
        try:
            st = os.stat(folder)
        except OSError:
            dirs[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        found.extend(Path(folder) / n for n in names)
    return found


def _zip_members(path: Path, label: str) -> list[StreetFile]:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"cannot be opened as a zip ({exc})", file=path,
                         expected="a .zip downloaded from data.police.uk") from None
    out = []
    for name in sorted(names):
        m = _STREET_NAME.search(name)
        if m:
            out.append(StreetFile(f"{label}:{name}", m.group(1), m.group(2), path, name))
    if not out:
        raise InputError("holds no police.uk street files", file=path,
                         expected="members named YYYY-MM/YYYY-MM-<force>-street.csv")
    return out


# --------------------------------------------------------------------------------------------------
# Parsing one file


def parse_street_file(data: bytes, label: str, month: str | None = None) -> pd.DataFrame:
    """Parse the bytes of one police.uk street file into a pandas frame.

    Parameters
    ----------
    data : bytes
        The file as served (UTF-8, a header row, comma-separated, quoted where needed).
    label : str
        Name used in error messages.
    month : str, optional
        ``YYYY-MM`` from the file name; every row's ``Month`` must equal it.

    Returns
    -------
    DataFrame
        One row per data row, in file order: ``crime_id``, ``month``, ``force``, ``longitude``,
        ``latitude`` (float64 degrees; missing when blank or outside Great Britain), ``location``,
        ``lsoa_code``, ``lsoa_name``, ``la_name`` (the local-authority part of the LSOA name), ``issue``,
        ``outcome`` (missing when blank) and ``outside_gb`` (bool: coordinates were given but lie outside
        Great Britain). Low-cardinality columns are categorical.

    Raises
    ------
    InputError
        See :func:`parse_street_table`.
    """
    return parse_street_table(data, label, month).to_pandas()


def parse_street_table(data: bytes, label: str, month: str | None = None) -> pa.Table:
    """Parse one police.uk street file into an Arrow table (the columns of :func:`parse_street_file`).

    The fast path types every column in pyarrow's CSV reader (dictionary-encoded text, float
    coordinates) and checks values on the distinct values only. A file that fails it is read again as
    plain text to find the fault and name its row.

    Raises
    ------
    InputError
        Empty file, header-only file, not UTF-8, binary data, wrong or missing or extra columns, a row with
        the wrong number of fields, a Month that is not the file's month, an unknown Crime type, a
        coordinate that is not a number.
    """
    if not data or data.isspace():
        raise InputError("is empty", file=label, expected="a police.uk street file with a header row")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    header = _check_header(data, label)
    try:
        table = _read_csv(data, _FAST_TYPES, header)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise _diagnose(data, label, month, header, exc) from None
    if table.num_rows == 0:
        raise InputError("has a header but no data rows", file=label,
                         expected="at least one crime or anti-social behaviour row")
    table = table.rename_columns([_RENAME[c] for c in table.column_names])
    _check_table(table, label, month)

    lon, lat = table["longitude"], table["latitude"]
    inside = pc.fill_null(pc.and_(
        pc.and_(pc.greater_equal(lon, GB_BOUNDS["lon_min"]), pc.less_equal(lon, GB_BOUNDS["lon_max"])),
        pc.and_(pc.greater_equal(lat, GB_BOUNDS["lat_min"]), pc.less_equal(lat, GB_BOUNDS["lat_max"])),
    ), False)
    given = pc.and_(pc.is_valid(lon), pc.is_valid(lat))
    null = pa.scalar(None, pa.float64())
    return pa.table({
        "crime_id": table["crime_id"],
        "month": table["month"],
        "force": table["force"],
        "longitude": pc.if_else(inside, lon, null),
        "latitude": pc.if_else(inside, lat, null),
        "location": table["location"],
        "lsoa_code": table["lsoa_code"],
        "lsoa_name": table["lsoa_name"],
        "la_name": local_authority(table["lsoa_name"]),
        "issue": table["issue"],
        "outcome": table["outcome"],
        "outside_gb": pc.and_(given, pc.invert(inside)),
    })


_DICT = pa.dictionary(pa.int32(), pa.string())
_FAST_TYPES = {
    "Crime ID": pa.string(), "Month": _DICT, "Reported by": _DICT, "Falls within": _DICT,
    "Longitude": pa.float64(), "Latitude": pa.float64(), "Location": pa.string(), "LSOA code": _DICT,
    "LSOA name": _DICT, "Crime type": _DICT, "Last outcome category": _DICT, "Context": pa.string(),
}


def _read_csv(data: bytes, types: dict[str, pa.DataType], header: Sequence[str]) -> pa.Table:
    """Read the CSV with the header's names as :func:`_check_header` cleaned them (stray spaces dropped)."""
    return pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(use_threads=False, column_names=list(header), skip_rows=1),
        parse_options=pacsv.ParseOptions(newlines_in_values=False),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            strings_can_be_null=True,
            null_values=[""],
            quoted_strings_can_be_null=True,
        ),
    )


def _dictionary(col: pa.ChunkedArray) -> pa.DictionaryArray:
    """One dictionary array for a dictionary-typed column (chunks unified)."""
    arr = col.unify_dictionaries().combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    if not pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_encode()
    return arr


def local_authority(lsoa_name: pa.ChunkedArray | pa.Array) -> pa.DictionaryArray:
    """The local-authority part of LSOA names (``"Charnwood 012B"`` -> ``"Charnwood"``).

    Works on the distinct names only, so it costs nothing per row. A name without the ``NNNX`` suffix is
    kept whole (it then places only through an exact name or alias).
    """
    if isinstance(lsoa_name, pa.Array):
        lsoa_name = pa.chunked_array([lsoa_name])
    arr = _dictionary(lsoa_name)
    # On the distinct names, in Arrow (no GIL held): strip the suffix, then encode the authorities.
    authorities = pc.replace_substring_regex(arr.dictionary, pattern=_LSOA_SUFFIX, replacement=r"\1")
    encoded = authorities.dictionary_encode()
    return pa.DictionaryArray.from_arrays(pc.take(encoded.indices, arr.indices), encoded.dictionary)


def _first_row(mask: pa.ChunkedArray | pa.Array) -> int:
    """Spreadsheet row number (header = 1) of the first True in a row mask."""
    return int(pc.index(pc.fill_null(mask, False), True).as_py()) + 2


def _check_table(table: pa.Table, label: str, month: str | None) -> None:
    for col, name in (("longitude", "Longitude"), ("latitude", "Latitude")):
        values = table[col]
        infinite = pc.and_(pc.is_valid(values), pc.invert(pc.is_finite(values)))
        if pc.any(infinite).as_py():
            row = _first_row(infinite)
            raise InputError(f"{name} {values[row - 2].as_py()!r} is not a finite number", file=label,
                             where=f"row {row}, column {name!r}",
                             expected="decimal degrees, or blank where there is no location")
    months = table["month"]
    if months.null_count:
        raise InputError("Month is blank", file=label, where=f"row {_first_row(pc.is_null(months))}, "
                         "column 'Month'", expected="YYYY-MM")
    for value in _dictionary(months).dictionary.to_pylist():
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value) or (month is not None and value != month):
            row = _first_row(pc.equal(months.cast(pa.string()), value))
            if month is not None and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
                raise InputError(f"Month {value!r} differs from the file's month {month}", file=label,
                                 where=f"row {row}, column 'Month'",
                                 expected=f"every row in {month}, as the file name says")
            raise InputError(f"Month {value!r} is not a month", file=label,
                             where=f"row {row}, column 'Month'", expected="YYYY-MM")
    issues = table["issue"]
    if issues.null_count:
        raise InputError("Crime type is blank", file=label,
                         where=f"row {_first_row(pc.is_null(issues))}, column 'Crime type'",
                         expected="one of " + ", ".join(ISSUES))
    known = set(ISSUES)
    for value in _dictionary(issues).dictionary.to_pylist():
        if value not in known:
            row = _first_row(pc.equal(issues.cast(pa.string()), value))
            where = f"row {row}, column 'Crime type'"
            if value in RETIRED_ISSUES:
                raise InputError(f"Crime type {value!r} {RETIRED_MESSAGE}", file=label, where=where,
                                 expected=f"police.uk files from {CURRENT_TYPES_FROM} onwards")
            raise InputError(f"Crime type {value!r} is not a police.uk crime type", file=label,
                             where=where, expected="one of " + ", ".join(ISSUES))


def _diagnose(data: bytes, label: str, month: str | None, header: list[str], exc: Exception) -> InputError:
    """Why the fast path failed: re-read as text and name the row and column at fault."""
    try:
        table = _read_csv(data, {c: pa.string() for c in header}, header)
    except (pa.ArrowInvalid, UnicodeDecodeError) as text_exc:
        return _locate_parse_error(data, label, text_exc)
    table = table.rename_columns([_RENAME[c] for c in table.column_names])
    for col, name in (("longitude", "Longitude"), ("latitude", "Latitude")):
        values = table[col]
        as_number = pd.to_numeric(pd.Series(values.to_pylist(), dtype="str"), errors="coerce")
        bad = as_number.isna().to_numpy() & values.is_valid().to_numpy(zero_copy_only=False)
        if bad.any():
            i = int(np.argmax(bad))
            raise InputError(f"{name} {values[i].as_py()!r} is not a number", file=label,
                             where=f"row {i + 2}, column {name!r}",
                             expected="decimal degrees, or blank where there is no location")
    return InputError(f"cannot be read as a police.uk street file ({exc})", file=label,
                      expected="a CSV file as data.police.uk serves it")


def _check_header(data: bytes, label: str) -> list[str]:
    first = data.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"is not UTF-8 text (byte {exc.start} of the header row)", file=label,
                         where="row 1", expected="a UTF-8 police.uk street file") from None
    header = next(csv.reader([text]), [])
    header = [h.strip() for h in header]
    missing = [c for c in STREET_COLUMNS if c not in header]
    extra = [h for h in header if h not in STREET_COLUMNS]
    if len(header) == 1 and len(text) > 0 and missing:
        for sep in (";", "\t", "|"):
            if sep in text:
                raise InputError(
                    f"uses {sep!r} between fields", file=label, where="row 1 (header)",
                    expected="a comma-separated police.uk street file with columns "
                    + ", ".join(STREET_COLUMNS),
                )
    if missing or extra:
        what = []
        if missing:
            what.append(f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}")
        if extra:
            what.append(f"unexpected column{'s' if len(extra) > 1 else ''} {', '.join(extra)}")
        raise InputError(
            "is not a police.uk street file: " + "; ".join(what), file=label, where="row 1 (header)",
            expected="the columns " + ", ".join(STREET_COLUMNS),
        )
    if len(set(header)) != len(header):
        raise InputError("repeats a column name", file=label, where="row 1 (header)",
                         expected="each police.uk column once")
    return header


def _locate_parse_error(data: bytes, label: str, exc: Exception) -> InputError:
    """Turn a pyarrow parse error into a message that names the row, by re-reading with ``csv``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as uexc:
        row = data[: uexc.start].count(b"\n") + 1
        return InputError(f"is not UTF-8 text (byte {uexc.start})", file=label, where=f"row {row}",
                          expected="UTF-8 text, as data.police.uk serves it")
    if "\x00" in text:
        row = text[: text.index("\x00")].count("\n") + 1
        return InputError("holds binary data (a NUL byte)", file=label, where=f"row {row}",
                          expected="a text CSV file from data.police.uk")
    try:
        for i, fields in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if len(fields) != len(STREET_COLUMNS) and fields:
                return InputError(
                    f"has {len(fields)} fields", file=label, where=f"row {i}",
                    expected=f"{len(STREET_COLUMNS)} comma-separated fields, like the header",
                )
    except csv.Error as cexc:
        return InputError(f"cannot be parsed as CSV ({cexc})", file=label,
                          expected="a CSV file as data.police.uk serves it")
    return InputError(f"cannot be parsed as CSV ({exc})", file=label,
                      expected="a CSV file as data.police.uk serves it")


# --------------------------------------------------------------------------------------------------
# Combining files


class Combiner:
    """Stacks parsed files month by month, resolving repeated months and de-duplicating Crime IDs.

    Feed it each month's files in order (:meth:`add_month`); it returns that month's kept rows, so a caller can
    write them out and let them go. Only the Crime IDs seen so far are held (to drop a repeated ID in a later
    month), which keeps a national year's ingest within memory. :meth:`account` gives the totals.
    """

    def __init__(self) -> None:
        self.rows_read = 0
        self.repeated: list[str] = []
        self.repeated_rows = 0
        self.duplicates_dropped = 0
        self.outside_gb = 0
        self.inputs: list[dict[str, Any]] = []
        self._months: set[str] = set()
        self._force_months: dict[str, set[str]] = {}
        self._last_month = ""
        self._by_key: dict[tuple[str, str], tuple[str, str]] = {}
        self._ids = CrimeIdIndex()

    def add_month(self, files: Sequence[StreetFile], tables: Sequence[pa.Table],
                  hashes: Sequence[str]) -> pa.Table | None:
        """Add one month's files (same month, any forces); return the rows kept (None when none)."""
        kept = []
        for f, t, h in zip(files, tables, hashes, strict=True):
            if f.month < self._last_month:
                raise ValueError("months must be added in order")  # discover_street_files guarantees it
            self._last_month = f.month
            self._months.add(f.month)
            self._force_months.setdefault(f.force, set()).add(f.month)
            self.rows_read += t.num_rows
            self.inputs.append({"path": f.label, "sha256": h, "rows": int(t.num_rows)})
            key = (f.month, f.force)
            if key in self._by_key:
                label, first_hash = self._by_key[key]
                if first_hash != h:
                    raise InputError(
                        f"month {f.month} of force '{f.force}' is given twice with different contents "
                        f"(also in {label})", file=f.label, expected="each month once; remove the older download")
                self.repeated.append(f.label)
                self.repeated_rows += t.num_rows
                continue
            self._by_key[key] = (f.label, h)
            kept.append(t.append_column("source", pa.DictionaryArray.from_arrays(
                pa.array(np.zeros(t.num_rows, np.int32)), pa.array([f.label]))))
        if not kept:
            return None
        table = pa.concat_tables(kept).unify_dictionaries()
        # A Crime ID counts once, in its first row: the first within this month, and only if no earlier
        # month had it. Rows without one (anti-social behaviour) are all kept.
        keep = self._ids.keep(table["crime_id"])
        dropped = int(len(keep) - keep.sum())
        if dropped:
            self.duplicates_dropped += dropped
            table = table.filter(pa.array(keep))
        self.outside_gb += int(pc.sum(table["outside_gb"]).as_py() or 0)
        return table

    def account(self) -> dict[str, Any]:
        """``rows_read`` (every data row of every file, repeats included), ``repeated_file_rows`` (rows of
        identical re-downloads, counted once), ``repeated_files``, ``duplicates_dropped`` (repeated Crime IDs
        after their earliest appearance), ``coordinates_outside_gb``, ``months`` (every month any file holds),
        ``force_months`` (force -> its months: completeness is per force) and ``inputs``."""
        return {
            "rows_read": int(self.rows_read),
            "repeated_file_rows": int(self.repeated_rows),
            "repeated_files": list(self.repeated),
            "duplicates_dropped": int(self.duplicates_dropped),
            "coordinates_outside_gb": int(self.outside_gb),
            "months": sorted(self._months),
            "force_months": {force: sorted(m) for force, m in sorted(self._force_months.items())},
            "inputs": list(self.inputs),
        }


def complete_months(account: dict[str, Any]) -> list[str]:
    """The months every force in the data has a file for: a month one force lacks is not complete.

    Examples
    --------
    >>> complete_months({"months": ["2025-01", "2025-02"],
    ...                  "force_months": {"a": ["2025-01", "2025-02"], "b": ["2025-02"]}})
    ['2025-02']
    """
    by_force = account.get("force_months") or {}
    if not by_force:
        return sorted(account.get("months", []))
    return sorted(set.intersection(*(set(m) for m in by_force.values())))


def missing_force_months(account: dict[str, Any]) -> dict[str, list[str]]:
    """Force -> the months within the data's span that it has no file for (empty when complete)."""
    months = sorted(account.get("months", []))
    if not months:
        return {}
    span = [str(p) for p in pd.period_range(months[0], months[-1], freq="M")]
    by_force = account.get("force_months") or {"": months}
    return {force: [m for m in span if m not in set(have)] for force, have in by_force.items()
            if set(span) - set(have)}


def check_quarter_complete(quarter: Quarter, account: dict[str, Any]) -> None:
    """Raise :class:`InputError` naming the force and months when ``quarter`` is not complete for every force."""
    by_force = account.get("force_months") or {"": account.get("months", [])}
    gaps = {force: [m for m in quarter.months() if m not in set(have)] for force, have in by_force.items()}
    gaps = {f: g for f, g in gaps.items() if g}
    if not gaps:
        return
    if len(gaps) == len(by_force) or len(by_force) == 1:
        check_quarter_in_data(quarter, account.get("months", []))
        return
    force, missing = sorted(gaps.items())[0]
    raise InputError(
        f"quarter {quarter} is not complete: force '{force}' has no file for {', '.join(missing)}, although "
        "other forces do (a quarter is complete only when every force in the data has all three months)",
        where="--quarter",
        expected=f"the missing {force} download(s) in police_uk/, or a quarter every force covers")


def month_groups(files: Sequence[StreetFile]) -> list[list[int]]:
    """Indices of ``files`` (in :func:`discover_street_files` order) grouped by month."""
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(files):
        groups.setdefault(f.month, []).append(i)
    return [groups[m] for m in sorted(groups)]


def combine(
    files: Sequence[StreetFile],
    parsed: Sequence[pa.Table],
    hashes: Sequence[str],
) -> tuple[pa.Table, dict[str, Any]]:
    """Stack parsed files, resolve repeated months and de-duplicate Crime IDs (all in memory).

    Parameters
    ----------
    files, parsed, hashes : sequences of equal length
        Each file (in :func:`discover_street_files` order, so by month), its parsed table
        (:func:`parse_street_table`) and the sha256 of its bytes.

    Returns
    -------
    incidents : pyarrow.Table
        Every kept row in month, file and row order, with a ``source`` column (the file label).
    account : dict
        See :meth:`Combiner.account`.

    Raises
    ------
    InputError
        Two different copies of one force's month.
    """
    combiner = Combiner()
    tables = []
    for group in month_groups(files):
        table = combiner.add_month([files[i] for i in group], [parsed[i] for i in group], [hashes[i] for i in group])
        if table is not None:
            tables.append(table)
    return pa.concat_tables(tables).unify_dictionaries(), combiner.account()


# --------------------------------------------------------------------------------------------------
# Placing records in districts


#: Columns of :attr:`Dataset.records` besides ``district`` (``load_dataset(columns=...)`` may ask fewer).
RECORD_COLUMNS = ("month", "crime_id", "force", "issue", "lsoa_code", "lsoa_name", "location",
                  "longitude", "latitude", "outcome")
#: Columns placing needs.
_PLACING_COLUMNS = ("la_name", "lsoa_name", "issue", "month")


def place(incidents: pd.DataFrame, county: County, account: dict[str, Any]) -> Dataset:
    """Put every incident in a county district, or count it as unallocated or out of area.

    Parameters
    ----------
    incidents, account
        The output of :func:`combine` (as pandas), with at least ``la_name``, ``lsoa_name``, ``issue``
        and ``month``.
    county : County
        Districts with their official names and aliases.

    Returns
    -------
    Dataset
        Placed records, unallocated rows and the quality account, whose ``districts`` gives rows placed in
        each official district (all months), ``unallocated`` rows with no LSOA, ``out_of_area`` rows in
        a district not in ``county.toml`` (``out_of_area_by_area`` names them).
    """
    name_map = county.name_map()
    position = {name: i for i, name in enumerate(county.district_names)}
    la = incidents["la_name"]
    # Map each local-authority category (not each row) to a district position, -1 when out of area.
    lookup = np.array(
        [position.get(name_map.get(normalise_name(c)), -1) for c in la.cat.categories] + [-1],
        dtype="int64",
    )
    codes = lookup[la.cat.codes.to_numpy()]  # code -1 (missing LSOA) indexes the trailing -1
    district = pd.Categorical.from_codes(codes, categories=county.district_names)
    no_lsoa = incidents["lsoa_name"].isna().to_numpy()
    in_county = (codes >= 0) & ~no_lsoa
    out_area = ~in_county & ~no_lsoa

    issues = issue_categories(incidents["issue"].cat.categories)
    cols = [c for c in RECORD_COLUMNS if c in incidents.columns]

    def tidy(mask: np.ndarray) -> pd.DataFrame:
        out = incidents.loc[mask, cols].reset_index(drop=True)
        out["issue"] = out["issue"].cat.set_categories(issues)
        out["month"] = out["month"].astype("str")
        return out

    records = tidy(in_county)
    records.insert(1, "district", district[in_county])
    unallocated = tidy(no_lsoa)

    per_district = records["district"].value_counts(sort=False)
    by_area = incidents.loc[out_area, "la_name"].astype("str").value_counts()
    check_every_district_placed(county, per_district.to_dict(), by_area.to_dict())
    quality = quality_account(county, account, per_district.to_dict(), int(no_lsoa.sum()), by_area.to_dict())
    return Dataset(records=records, unallocated=unallocated, quality=quality,
                   months=list(account["months"]), inputs=list(account["inputs"]))


def check_every_district_placed(county: County, per_district: dict[str, int],
                                out_of_area_by_area: dict[str, int]) -> None:
    """Raise :class:`InputError` naming a district that received no record at all, and why.

    A district with no record is never a quiet row of zeros: its name (or alias) matches no LSOA name in the
    files, because of a typo, an abolished name, or the wrong force's downloads. The message lists the
    nearest authority names the files do hold.
    """
    empty = [d for d in county.district_names if not per_district.get(d)]
    if not empty:
        return
    import difflib

    name = empty[0]
    found = sorted(out_of_area_by_area, key=lambda k: -out_of_area_by_area[k])
    near = difflib.get_close_matches(name, found, n=3, cutoff=0.6)
    hint = (f"the files hold records of {', '.join(repr(n) for n in near)}" if near else
            f"the files hold records of {', '.join(repr(n) for n in found[:5])}" if found else
            "the files hold no records outside the county's other districts")
    others = f" ({len(empty) - 1} other district(s) too: {', '.join(empty[1:])})" if len(empty) > 1 else ""
    raise InputError(
        f"district {name!r} received no records{others}: no LSOA in the police.uk files lies in it; {hint}",
        file=county.toml_path, where=f"[[districts]] {name!r}",
        expected="the official name of a district in these files (or an alias for it), and the police.uk "
        "downloads of the force that covers it")


def quality_account(county: County, account: dict[str, Any], per_district: dict[str, int], unallocated: int,
                    out_of_area_by_area: dict[str, int]) -> dict[str, Any]:
    """The data-quality account (the ``csa check --json`` object) from the placement counts.

    Parameters
    ----------
    account : dict
        The cache account (:func:`combine`).
    per_district : dict
        Rows placed in each official district (all months).
    unallocated : int
        Rows with no LSOA.
    out_of_area_by_area : dict
        Rows per local-authority name outside the county.
    """
    return {
        "county": county.name,
        "rows_read": account["rows_read"],
        "districts": {d: int(per_district.get(d, 0)) for d in county.district_names},
        "unallocated": int(unallocated),
        "out_of_area": int(sum(out_of_area_by_area.values())),
        "duplicates_dropped": account["duplicates_dropped"],
        "months": account["months"],
        "repeated_file_rows": account["repeated_file_rows"],
        "repeated_files": account["repeated_files"],
        "coordinates_outside_gb": account["coordinates_outside_gb"],
        "out_of_area_by_area": {str(k): int(v) for k, v in sorted(out_of_area_by_area.items())},
        "files": len(account["inputs"]),
    }


def load_dataset(
    county: County,
    *,
    cache_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    columns: Sequence[str] | None = None,
) -> Dataset:
    """Read the county's police.uk files (through the Parquet cache) and place the records.

    Parameters
    ----------
    county : County
        From :func:`csa_analysis.config.county.read_county`.
    cache_dir : str or Path, optional
        Where processed Parquet files live; default :func:`csa_analysis.config.county.default_cache_dir`.
    progress : callable, optional
        Called with a short message per step (e.g. ``print``) on long runs.
    columns : sequence of str, optional
        Record columns wanted (from :data:`RECORD_COLUMNS`); ``month``, ``district`` and ``issue`` always
        come. Asking only for what an analysis needs reads far less at national scale.

    Returns
    -------
    Dataset
    """
    from csa_analysis.ingest.cache import load_incidents

    read = None
    if columns is not None:
        unknown = sorted(set(columns) - set(RECORD_COLUMNS) - {"district"})
        if unknown:
            raise ValueError(f"unknown record columns {unknown}; choose from {RECORD_COLUMNS}")
        read = sorted(set(columns) - {"district"} | set(_PLACING_COLUMNS))
    incidents, account = load_incidents(county.police_uk, cache_dir=cache_dir, progress=progress,
                                        columns=read)
    return place(incidents, county, account)
