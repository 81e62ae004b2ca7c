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

:func:`load_dataset` runs all of it through the Parquet cache in :mod:`csa_analysis.cache`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from .config import County, normalise_name
from .errors import InputError
from .issues import ISSUES, RETIRED_ISSUES

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
PARSER_VERSION = "1"


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
        if self.member is None:
            return self.path.read_bytes()
        with zipfile.ZipFile(self.path) as zf:
            return zf.read(self.member)


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
        for p in sorted(source.rglob("*")):
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


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_street_file(data: bytes, label: str, month: str | None = None) -> pd.DataFrame:
    """Parse the bytes of one police.uk street file.

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
        One row per data row, in file order: ``row`` (int32, the spreadsheet row number, header = 1),
        ``crime_id``, ``month``, ``force``, ``longitude``, ``latitude`` (float64 degrees; missing when blank
        or outside Great Britain), ``location``, ``lsoa_code``, ``lsoa_name``, ``la_name`` (the local
        authority part of the LSOA name), ``issue``, ``outcome`` (str, missing when blank) and
        ``outside_gb`` (bool: coordinates were given but lie outside Great Britain).

    Raises
    ------
    InputError
        Empty file, header-only file, not UTF-8, wrong or missing or extra columns, a row with the wrong
        number of fields, a Month that is not the file's month, an unknown Crime type, a coordinate that
        is not a number.
    """
    if not data.strip():
        raise InputError("is empty", file=label, expected="a police.uk street file with a header row")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    header = _check_header(data, label)
    try:
        # Fast path: numbers and low-cardinality columns typed by pyarrow itself.
        table = _read_csv(data, _FAST_TYPES)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        # Slow path, only for a bad file: read everything as text to find and name the fault.
        try:
            table = _read_csv(data, {c: pa.string() for c in header})
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise _locate_parse_error(data, label, exc) from None
    if table.num_rows == 0:
        raise InputError("has a header but no data rows", file=label,
                         expected="at least one crime or anti-social behaviour row")
    df = table.rename_columns([_RENAME[c] for c in table.column_names]).to_pandas()
    df.insert(0, "row", np.arange(2, len(df) + 2, dtype="int32"))
    _check_values(df, label, month)

    lon = _coordinate(df, "longitude", "Longitude", label)
    lat = _coordinate(df, "latitude", "Latitude", label)
    given = lon.notna() & lat.notna()
    inside = (
        lon.between(GB_BOUNDS["lon_min"], GB_BOUNDS["lon_max"])
        & lat.between(GB_BOUNDS["lat_min"], GB_BOUNDS["lat_max"])
    )
    df["outside_gb"] = (given & ~inside).astype(bool)
    df["longitude"] = lon.where(inside)
    df["latitude"] = lat.where(inside)
    for col in _CATEGORICAL:
        df[col] = df[col].astype("category")
    df["la_name"] = local_authority(df["lsoa_name"])
    return df[[
        "row", "crime_id", "month", "force", "longitude", "latitude", "location", "lsoa_code",
        "lsoa_name", "la_name", "issue", "outcome", "outside_gb",
    ]]


_DICT = pa.dictionary(pa.int32(), pa.string())
_FAST_TYPES = {
    "Crime ID": pa.string(), "Month": _DICT, "Reported by": _DICT, "Falls within": _DICT,
    "Longitude": pa.float64(), "Latitude": pa.float64(), "Location": pa.string(), "LSOA code": _DICT,
    "LSOA name": _DICT, "Crime type": _DICT, "Last outcome category": _DICT, "Context": pa.string(),
}
_CATEGORICAL = ("month", "force", "lsoa_code", "lsoa_name", "issue", "outcome")


def _read_csv(data: bytes, types: dict[str, pa.DataType]) -> pa.Table:
    return pacsv.read_csv(
        io.BytesIO(data),
        read_options=pacsv.ReadOptions(use_threads=False),
        parse_options=pacsv.ParseOptions(newlines_in_values=False),
        convert_options=pacsv.ConvertOptions(
            column_types=types,
            strings_can_be_null=True,
            null_values=[""],
            quoted_strings_can_be_null=True,
        ),
    )


def local_authority(lsoa_name: pd.Series) -> pd.Series:
    """The local-authority part of LSOA names (``"Charnwood 012B"`` -> ``"Charnwood"``), categorical.

    Works on the distinct names only, so it costs nothing per row. A name without the ``NNNX`` suffix is
    kept whole (it then places only through an exact name or alias).
    """
    lsoa = lsoa_name.astype("category")
    cats = pd.Series(lsoa.cat.categories.astype("str"))
    la = cats.str.extract(_LSOA_SUFFIX, expand=False).fillna(cats).to_numpy(dtype=object)
    uniq, inverse = np.unique(la, return_inverse=True) if len(la) else (np.array([], dtype=object),
                                                                        np.array([], dtype=np.int64))
    codes = lsoa.cat.codes.to_numpy()
    la_codes = np.append(inverse, -1)[codes]  # code -1 (missing) picks the trailing -1
    return pd.Series(pd.Categorical.from_codes(la_codes, categories=pd.Index(uniq, dtype="str")),
                     index=lsoa_name.index)


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


def _first_bad(mask: pd.Series, df: pd.DataFrame) -> int:
    return int(df.loc[mask.to_numpy(), "row"].iloc[0])


def _check_values(df: pd.DataFrame, label: str, month: str | None) -> None:
    m = df["month"].astype("str")
    bad = m.isna() | ~m.str.fullmatch(r"\d{4}-(0[1-9]|1[0-2])").fillna(False).astype(bool)
    if bad.any():
        row = _first_bad(bad, df)
        raise InputError(f"Month {m[bad].iloc[0]!r} is not a month", file=label,
                         where=f"row {row}, column 'Month'", expected="YYYY-MM")
    if month is not None:
        other = m != month
        if other.any():
            raise InputError(
                f"Month {m[other].iloc[0]!r} differs from the file's month {month}", file=label,
                where=f"row {_first_bad(other, df)}, column 'Month'",
                expected=f"every row in {month}, as the file name says",
            )
    known = set(ISSUES) | set(RETIRED_ISSUES)
    unknown = ~df["issue"].isin(known)
    if unknown.any():
        raise InputError(
            f"Crime type {df.loc[unknown, 'issue'].iloc[0]!r} is not a police.uk crime type",
            file=label, where=f"row {_first_bad(unknown, df)}, column 'Crime type'",
            expected="one of " + ", ".join(ISSUES),
        )


def _coordinate(df: pd.DataFrame, col: str, name: str, label: str) -> pd.Series:
    if pd.api.types.is_float_dtype(df[col]):
        return df[col]
    values = pd.to_numeric(df[col], errors="coerce").astype("float64")
    bad = values.isna() & df[col].notna()
    if bad.any():
        raise InputError(f"{name} {df.loc[bad, col].iloc[0]!r} is not a number", file=label,
                         where=f"row {_first_bad(bad, df)}, column {name!r}",
                         expected="decimal degrees, or blank where there is no location")
    return values


# --------------------------------------------------------------------------------------------------
# Combining files


def combine(
    files: Sequence[StreetFile],
    parsed: Sequence[pd.DataFrame],
    hashes: Sequence[str],
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Stack parsed files, resolve repeated months and de-duplicate Crime IDs.

    Parameters
    ----------
    files, parsed, hashes : sequences of equal length
        Each file, its parsed frame (:func:`parse_street_file`) and the sha256 of its bytes.

    Returns
    -------
    incidents : DataFrame
        Every kept row, ordered by month, file and row, with a ``source`` column (the file label).
        Categorical ``month``, ``force``, ``issue``, ``la_name``.
    account : dict
        ``rows_read`` (every data row of every file, repeats included), ``repeated_file_rows`` (rows of
        identical re-downloads, counted once), ``repeated_files``, ``duplicates_dropped`` (repeated Crime
        IDs after their earliest appearance), ``coordinates_outside_gb``, ``inputs`` and ``months``.

    Raises
    ------
    InputError
        Two different copies of one force's month.
    """
    rows_read = sum(len(p) for p in parsed)
    seen: dict[tuple[str, str], int] = {}
    keep: list[int] = []
    repeated: list[str] = []
    repeated_rows = 0
    for i, f in enumerate(files):
        key = (f.month, f.force)
        if key in seen:
            j = seen[key]
            if hashes[j] != hashes[i]:
                raise InputError(
                    f"month {f.month} of force '{f.force}' is given twice with different contents "
                    f"(also in {files[j].label})",
                    file=f.label,
                    expected="each month once; remove the older download",
                )
            repeated.append(f.label)
            repeated_rows += len(parsed[i])
            continue
        seen[key] = i
        keep.append(i)
    frames = [parsed[i].assign(source=files[i].label) for i in keep]
    df = concat_categorical(frames)
    # Files are already in month order; a stable sort keeps file and row order within a month.
    df["month"] = df["month"].cat.reorder_categories(sorted(df["month"].cat.categories))
    df = df.sort_values("month", kind="stable", ignore_index=True)
    dup = df["crime_id"].notna() & df["crime_id"].duplicated(keep="first")
    duplicates_dropped = int(dup.sum())
    df = df.loc[~dup.to_numpy()].reset_index(drop=True)
    df["source"] = df["source"].astype("category")
    account = {
        "rows_read": int(rows_read),
        "repeated_file_rows": int(repeated_rows),
        "repeated_files": repeated,
        "duplicates_dropped": duplicates_dropped,
        "coordinates_outside_gb": int(df["outside_gb"].sum()),
        "months": sorted({f.month for f in files}),
        "inputs": [
            {"path": f.label, "sha256": h, "rows": int(len(p))}
            for f, h, p in zip(files, hashes, parsed, strict=True)
        ],
    }
    return df, account


def _str_categories(col: pd.Series) -> pd.Series:
    cats = col.cat.categories
    if cats.dtype == "str":
        return col
    return pd.Series(pd.Categorical.from_codes(col.cat.codes, categories=cats.astype("str")),
                     index=col.index)


def concat_categorical(frames: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Stack frames keeping categorical columns categorical (union of sorted categories)."""
    from pandas.api.types import union_categoricals

    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    out = pd.concat(frames, ignore_index=True)
    for col in frames[0].columns:
        if isinstance(frames[0][col].dtype, pd.CategoricalDtype):
            out[col] = pd.Series(
                union_categoricals([_str_categories(f[col]) for f in frames], sort_categories=True,
                                   ignore_order=True),
                index=out.index,
            )
    return out


# --------------------------------------------------------------------------------------------------
# Placing records in districts


def issue_categories(present: Sequence[str] = ()) -> list[str]:
    """The 14 police.uk issues, plus any retired category present in the data."""
    return [*ISSUES, *[r for r in RETIRED_ISSUES if r in set(present)]]


def place(incidents: pd.DataFrame, county: County, account: dict[str, Any]) -> Dataset:
    """Put every incident in a county district, or count it as unallocated or out of area.

    Parameters
    ----------
    incidents, account
        The output of :func:`combine`.
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
    cols = ["month", "crime_id", "force", "issue", "lsoa_code", "lsoa_name", "location",
            "longitude", "latitude", "outcome"]
    records = incidents.loc[in_county, cols].reset_index(drop=True)
    records.insert(1, "district", district[in_county])
    records["issue"] = pd.Categorical(records["issue"].astype("str"), categories=issues)
    records["month"] = records["month"].astype("str")
    unallocated = incidents.loc[no_lsoa, cols].reset_index(drop=True)
    unallocated["month"] = unallocated["month"].astype("str")
    unallocated["issue"] = pd.Categorical(unallocated["issue"].astype("str"), categories=issues)

    per_district = records["district"].value_counts(sort=False)
    by_area = incidents.loc[out_area, "la_name"].astype("str").value_counts()
    quality = {
        "county": county.name,
        "rows_read": account["rows_read"],
        "districts": {d: int(per_district.get(d, 0)) for d in county.district_names},
        "unallocated": int(no_lsoa.sum()),
        "out_of_area": int(out_area.sum()),
        "duplicates_dropped": account["duplicates_dropped"],
        "months": account["months"],
        "repeated_file_rows": account["repeated_file_rows"],
        "repeated_files": account["repeated_files"],
        "coordinates_outside_gb": account["coordinates_outside_gb"],
        "out_of_area_by_area": {str(k): int(v) for k, v in by_area.sort_index().items()},
        "files": len(account["inputs"]),
    }
    return Dataset(records=records, unallocated=unallocated, quality=quality,
                   months=list(account["months"]), inputs=list(account["inputs"]))


def load_dataset(
    county: County,
    *,
    cache_dir: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Dataset:
    """Read the county's police.uk files (through the Parquet cache) and place the records.

    Parameters
    ----------
    county : County
        From :func:`csa_analysis.config.read_county`.
    cache_dir : str or Path, optional
        Where processed Parquet files live; default :func:`csa_analysis.config.default_cache_dir`.
    progress : callable, optional
        Called with a short message per step (e.g. ``print``) on long runs.

    Returns
    -------
    Dataset
    """
    from .cache import load_incidents

    incidents, account = load_incidents(county.police_uk, cache_dir=cache_dir, progress=progress)
    return place(incidents, county, account)
