"""Parsing one police.uk street file, exactly as the site serves it, into an Arrow table.

The fast path types every column in pyarrow's CSV reader (dictionary-encoded text, float coordinates) and
checks values on the distinct values only; a file that fails it is read again as plain text to name the row
and column at fault. Anything that is not a police.uk street file is an
:class:`~csa_analysis.errors.InputError` naming the file, the row and what was expected.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from csa_analysis.domain.issues import CURRENT_TYPES_FROM, ISSUES, RETIRED_ISSUES, RETIRED_MESSAGE
from csa_analysis.errors import InputError

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

_LSOA_SUFFIX = r"^(.*\S)\s+[0-9]{3}[A-Z]$"

#: Bumped whenever parsing changes, so old cache entries are not reused.
#: 5: each input's LSOA vintage and forces, rows per force-month; 6: each row's placement key; 7: the vintage
#: evidence counts a file's distinct codes (not its distinct code-name pairs), as the engines do.
PARSER_VERSION = "7"



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
        pa.BufferReader(data),  # read in Arrow from the bytes (no Python file calls, no copies)
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
    end = data.find(b"\n")
    first = (data if end < 0 else data[:end]).rstrip(b"\r")  # the header row only (no copy of the rest)
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


