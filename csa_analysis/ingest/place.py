"""Placing records in the county's districts, and the data-quality account of every row.

Each record is put in a district by its LSOA **code** through the ONS lookups packaged with the workbench
(:mod:`csa_analysis.ingest.geography`): every file is read in its own LSOA vintage (2011 codes for older files,
2021 codes for current ones, fixed per file when the cache is built), a successor authority receives its
predecessors' LSOAs from older files, and the LSOA name is only a fallback for a code in no lookup (counted
apart as ``placed_by_name``). Rows with no LSOA code and no name are *unallocated*, rows in other districts
*out of area*. Nothing is dropped without being counted. Where a row goes is fixed when its file is cached: its
*placement key* (:meth:`~csa_analysis.ingest.geography.Geography.place_keys`: the file's vintage and the
districts its LSOA lies in, in every lookup, or the LSOA-name prefix for the fallback, or no LSOA), a few
hundred values for the whole country. A county maps the keys to its districts
(:meth:`~csa_analysis.ingest.geography.DistrictSet.place_keys`), so placing works on the distinct keys,
weighted by their counts, never row by row, and the quality account has one source: :func:`place_keys`, used
for the counts that scoring needs (on Arrow or Dask) and for the record-level :class:`Dataset`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from csa_analysis.config.county import County
from csa_analysis.domain.issues import issue_categories
from csa_analysis.errors import InputError
from csa_analysis.ingest import geography
from csa_analysis.ingest.combine import LOW_MONTH_SHARE, incomplete_force_months
from csa_analysis.ingest.geography import METHODS, VINTAGES, DistrictSet, lookups_fingerprint, resolve_districts

__all__ = ["COUNT_COLUMNS", "Dataset", "PLACING_COLUMNS", "RECORD_COLUMNS", "check_every_district_placed",
           "county_districts", "file_vintages", "group_placing", "place", "place_grouped",
           "place_keys", "quality_account"]


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


#: Columns of :attr:`Dataset.records` besides ``district`` (``load_dataset(columns=...)`` may ask fewer).
RECORD_COLUMNS = ("month", "crime_id", "force", "issue", "lsoa_code", "lsoa_name", "location",
                  "longitude", "latitude", "outcome")
#: Columns counting needs: each row's placement key (fixed at ingest in its file's LSOA vintage) and what is
#: counted.
PLACING_COLUMNS = ("place", "issue", "month")
COUNT_COLUMNS = ("district", "issue", "month", "count")


def county_districts(county: County) -> DistrictSet:
    """The county's districts identified in the packaged ONS lookups (by ``code``, else official name).

    Raises
    ------
    InputError
        A name in no lookup (with the nearest official names), a code in none, a name and code that disagree,
        a name shared by several districts, overlapping districts (a successor with a district it replaced).

    Examples
    --------
    >>> from pathlib import Path
    >>> from csa_analysis.config.county import County, District
    >>> county = County("Suffolk", Path("county.toml"), Path("police_uk"),
    ...                 (District("East Suffolk", 250373), District("Babergh", 94058, code="E07000200")))
    >>> [d.code for d in county_districts(county).districts]
    ['E07000244', 'E07000200']
    """
    key = tuple((d.name, d.code, tuple(d.aliases)) for d in county.districts)
    return _districts(key, str(county.toml_path))


@functools.lru_cache(maxsize=32)
def _districts(key: tuple[tuple[str, str | None, tuple[str, ...]], ...], toml: str) -> DistrictSet:
    return resolve_districts([{"name": n, "code": c, "aliases": a} for n, c, a in key], file=toml)


def file_vintages(account: dict[str, Any]) -> dict[str, str]:
    """Each input file's LSOA vintage as fixed when the cache was built (``{path: "2011" | "2021"}``)."""
    return {str(i["path"]): str(i["vintage"]) for i in account.get("inputs", []) if i.get("vintage")}


def _column(values: Any) -> pa.Array:
    if isinstance(values, pa.ChunkedArray | pa.Array):
        return values
    return pa.array(np.asarray(values, dtype=object), type=pa.string(), from_pandas=True)


def _text(values: Any) -> tuple[np.ndarray, list[str]]:
    """Dictionary indices (-1 where missing) and the distinct values of a text column (Arrow or pandas)."""
    arr = _column(values)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.unify_dictionaries().combine_chunks() if pa.types.is_dictionary(arr.type) else arr.combine_chunks()
    if not pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_encode()
    return (arr.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64"),
            [str(v) for v in arr.dictionary.to_pylist()])


def group_placing(table: pa.Table) -> pa.Table:
    """Incidents per placement key, issue and month, counted by Arrow's multi-threaded group-by.

    The placement key (the ``place`` column) was fixed for each row when its file was cached
    (:meth:`~csa_analysis.ingest.geography.Geography.place_keys`: file vintage and the LSOA's districts in the
    lookups, or the name fallback, or no LSOA), so three dictionary columns of a few hundred, 15 and 12 values
    are grouped, whatever the county.

    Returns
    -------
    pyarrow.Table
        :data:`PLACING_COLUMNS` and ``n`` (int64): one row per distinct combination, far fewer than the records.
    """
    grouped = table.select(list(PLACING_COLUMNS)).unify_dictionaries().group_by(list(PLACING_COLUMNS)).aggregate(
        [([], "count_all")])
    return grouped.rename_columns([*PLACING_COLUMNS, "n"])


def _files_with_rows(account: dict[str, Any]) -> dict[str, str]:
    """Each file whose rows are in the cache (identical re-downloads are not), in order, with its vintage."""
    repeated = set(account.get("repeated_files", []))
    return {p: v for p, v in file_vintages(account).items() if p not in repeated}


#: Bumped when what :meth:`DistrictSet.place_keys` returns changes shape (the rules are in the memo's key).
_MEMO_VERSION = "1"


@functools.cache
def _rules_fingerprint() -> str:
    """sha256 of the lookups and of the code that places keys (this module and the geography module)."""
    h = hashlib.sha256(lookups_fingerprint().encode())
    for module in (__file__, geography.__file__):
        h.update(Path(module).read_bytes())
    return h.hexdigest()


def _key_districts(keys: list[str], county: County, memo_dir: Path | None
                   ) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """:meth:`DistrictSet.place_keys` of ``keys`` for the county, and its districts that cannot be placed with
    each vintage; kept in ``memo_dir`` (one small JSON file per county and set of keys).

    The file's name is the sha256 of the keys, the county's districts (names, codes, aliases), the lookups and
    the placing code, so any change to one of them places the keys afresh. A file that cannot be read or does
    not match is ignored and written again; one that cannot be written is skipped (the answer is the same).
    """
    spec = [[d.name, d.code, list(d.aliases)] for d in county.districts]
    memo = None
    if memo_dir is not None:
        digest = hashlib.sha256(json.dumps([_MEMO_VERSION, _rules_fingerprint(), spec, sorted(keys)]).encode())
        memo = Path(memo_dir) / f"{digest.hexdigest()[:32]}.json"
        try:
            saved = json.loads(memo.read_text(encoding="utf-8"))
            table = pd.DataFrame(saved["placed"], index=pd.Index(saved["keys"], dtype=object))
            table = table.reindex(pd.Index(keys, dtype=object))
            if not table.isna().drop(columns="area").any().any():
                out = pd.DataFrame({"district": table["district"].to_numpy(dtype=np.int64),
                                    "method": table["method"].to_numpy(dtype=np.int8),
                                    "area": table["area"].to_numpy(dtype=object),
                                    "vintage": table["vintage"].to_numpy(dtype=object)})
                out["area"] = out["area"].where(out["area"].notna(), None)
                return out, {str(v): list(p) for v, p in saved["unplaceable"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            pass
    districts = county_districts(county)
    placed = districts.place_keys(keys)
    unplaceable = {v: [i for i, d in enumerate(districts.districts) if d.name not in districts.placeable(v)]
                   for v in VINTAGES}
    if memo is not None:
        body = {"keys": list(keys), "unplaceable": unplaceable,
                "placed": {"district": placed["district"].tolist(), "method": placed["method"].tolist(),
                           "area": [None if pd.isna(a) else str(a) for a in placed["area"]],
                           "vintage": placed["vintage"].tolist()}}
        try:
            _atomic_write_text(memo, json.dumps(body))
        except OSError:
            pass
    return placed, unplaceable


def _atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def place_keys(keys: list[str], n: np.ndarray, county: County, account: dict[str, Any],
               codes_seen: Callable[[], list[str]] | None = None, memo_dir: Path | None = None
               ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Each placement key's district and the data-quality account, from the incidents per key.

    The one place the quality account is built (the Arrow and Dask engines and the record-level :func:`place`
    all count incidents per key, then call this).

    Parameters
    ----------
    keys : list of str
        Distinct placement keys (the ``place`` column's values).
    n : ndarray of int64
        Incidents per key (0 allowed).
    county : County
        Districts with their ONS codes or official names, and aliases.
    account : dict
        The cache account (:meth:`csa_analysis.ingest.combine.Combiner.account`): its ``inputs`` give the files'
        LSOA vintages.
    codes_seen : callable, optional
        Returns the distinct LSOA codes of the files; only called to explain a district with no record.
    memo_dir : Path, optional
        A folder of the processed cache where the keys' districts are kept for this county (:func:`_key_districts`),
        so a later run does not load the lookups at all.

    Returns
    -------
    placed : DataFrame
        Per key, as :meth:`~csa_analysis.ingest.geography.DistrictSet.place_keys` (``district``, ``method``,
        ``area``, ``vintage``).
    quality : dict
        The ``csa check --json`` object (:func:`quality_account`).

    Raises
    ------
    InputError
        A district that cannot be placed with the files' LSOA vintage (abolished before 2022 and the files use
        2021 codes), or one that received no record at all (:func:`check_every_district_placed`).
    """
    placed, unplaceable = _key_districts(keys, county, memo_dir)
    present = set(placed["vintage"].to_numpy()[n > 0])
    if any(unplaceable.get(v) for v in present):
        county_districts(county).check_vintages({f: v for f, v in _files_with_rows(account).items() if v in present})
    district = placed["district"].to_numpy()
    method = placed["method"].to_numpy()
    no_lsoa = method == METHODS.index("no_lsoa")
    inside = district >= 0
    outside = ~inside & ~no_lsoa
    by_area = pd.Series(n[outside]).groupby(placed["area"].to_numpy()[outside], sort=False).sum()
    out_of_area = {str(a): int(v) for a, v in by_area.items() if v}

    names = county.district_names
    by_name = inside & (method == METHODS.index("name"))
    total = np.bincount(district[inside], weights=n[inside], minlength=len(names)).astype("int64")
    named = np.bincount(district[by_name], weights=n[by_name], minlength=len(names)).astype("int64")
    per_district = pd.DataFrame({"by_code": total - named, "by_name": named, "total": total}, index=names)
    check_every_district_placed(county, per_district["total"].to_dict(), account, codes_seen)
    fallback_names = outside & (method == METHODS.index("name"))
    return placed, quality_account(county, account, per_district, int(n[no_lsoa].sum()), out_of_area,
                                   int(n[fallback_names].sum()))


def place_grouped(grouped: pa.Table | pd.DataFrame, county: County, account: dict[str, Any],
                  codes_seen: Callable[[], list[str]] | None = None, memo_dir: Path | None = None
                  ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Counts per district x issue x month and the data-quality account from :func:`group_placing`'s table.

    Parameters
    ----------
    grouped : pyarrow.Table or DataFrame
        :data:`PLACING_COLUMNS` and ``n`` (incidents).
    county : County
        Districts with their ONS codes or official names, and aliases.
    account : dict
        The cache account, whose ``inputs`` give each file's LSOA vintage.
    codes_seen, memo_dir : optional
        As :func:`place_keys`.

    Returns
    -------
    counts : DataFrame
        ``district`` (categorical, county order), ``issue`` (categorical), ``month`` (str ``YYYY-MM``),
        ``count`` (int64, incidents); only combinations with at least one record; sorted.
    quality : dict
        The ``csa check --json`` object (:func:`quality_account`).

    Raises
    ------
    InputError
        As :func:`place_keys`.
    """
    n = np.asarray(grouped["n"], dtype="int64") if isinstance(grouped, pd.DataFrame) else \
        grouped["n"].to_numpy().astype("int64")
    key_idx, keys = _text(grouped["place"])
    placed, quality = place_keys(keys, np.bincount(key_idx, weights=n, minlength=len(keys)).astype("int64"),
                                 county, account, codes_seen, memo_dir)
    district = placed["district"].to_numpy()[key_idx]
    inside = district >= 0

    issue_idx, issues = _text(grouped["issue"])
    month_idx, months = _text(grouped["month"])
    names = county.district_names
    key = pd.DataFrame({"district": district[inside], "issue": issue_idx[inside], "month": month_idx[inside],
                        "count": n[inside]})
    summed = key.groupby(["district", "issue", "month"], sort=False)["count"].sum().reset_index()
    issue_names = np.asarray(issues, dtype=object)[summed["issue"].to_numpy()]
    counts = pd.DataFrame({
        "district": pd.Categorical.from_codes(summed["district"].to_numpy(), categories=names),
        "issue": pd.Categorical(issue_names, categories=issue_categories(issue_names)),
        "month": np.asarray(months, dtype=object)[summed["month"].to_numpy()].astype("str"),
        "count": summed["count"].to_numpy().astype("int64"),
    }).sort_values(["district", "issue", "month"], ignore_index=True)[list(COUNT_COLUMNS)]
    counts["month"] = counts["month"].astype("str")
    return counts, quality


def place(table: pa.Table, county: County, account: dict[str, Any],
          codes_seen: Callable[[], list[str]] | None = None, memo_dir: Path | None = None) -> Dataset:
    """Put every incident in a county district, or count it as unallocated or out of area.

    Parameters
    ----------
    table : pyarrow.Table
        The incidents (from the Parquet cache) with at least :data:`PLACING_COLUMNS`.
    county : County
        Districts with their ONS codes or official names, and aliases.
    account : dict
        The cache account.
    codes_seen : callable, optional
        As :func:`place_keys` (default: the table's ``lsoa_code`` column, if read).
    memo_dir : Path, optional
        As :func:`place_keys`.

    Returns
    -------
    Dataset
        Placed records, unallocated rows and the quality account (from :func:`place_keys` on the same
        placement keys, so the records agree with it by construction).
    """
    if codes_seen is None and "lsoa_code" in table.column_names:
        codes_seen = functools.partial(_distinct_codes, table.select(["lsoa_code"]))
    key_idx, keys = _text(table["place"])
    placed, quality = place_keys(keys, np.bincount(key_idx, minlength=len(keys)).astype("int64"), county,
                                 account, codes_seen, memo_dir)
    district = placed["district"].to_numpy()[key_idx]
    no_lsoa = placed["method"].to_numpy()[key_idx] == METHODS.index("no_lsoa")
    del key_idx, codes_seen
    inside = district >= 0
    columns = [c for c in RECORD_COLUMNS if c in table.column_names]
    table = table.select(columns)  # drop what is not returned (the caller's table is usually this one only)
    keep, unallocated = pa.array(inside), pa.array(no_lsoa)
    issues = issue_categories()
    records: dict[str, Any] = {}
    rest: dict[str, Any] = {}
    # Column by column, each column's Arrow buffers released as soon as it is converted (when nothing else
    # holds the table), so the records never exist twice in memory.
    for name in columns:
        column = table[name]
        table = table.drop_columns([name])
        records[name] = _record_column(name, column.filter(keep), issues)
        rest[name] = _record_column(name, column.filter(unallocated), issues)
        del column
        if name == "month":
            records["district"] = pd.Categorical.from_codes(district[inside], categories=county.district_names)
    return Dataset(records=pd.DataFrame(records, copy=False), unallocated=pd.DataFrame(rest, copy=False),
                   quality=quality,
                   months=list(account["months"]), inputs=list(account["inputs"]))


def _record_column(name: str, values: pa.ChunkedArray, issues: list[str]) -> Any:
    """One column of :attr:`Dataset.records` from its Arrow column (dtypes as documented there)."""
    out = values.to_pandas()
    if name == "issue":
        return out.astype("str").astype(pd.CategoricalDtype(issues)) if not isinstance(
            out.dtype, pd.CategoricalDtype) else out.cat.set_categories(issues)
    if name == "month":
        return out.astype("str")
    return out


def _distinct_codes(table: pa.Table) -> list[str]:
    """The distinct LSOA codes of a table's ``lsoa_code`` column."""
    codes = table["lsoa_code"]
    if pa.types.is_dictionary(codes.type):
        codes = codes.cast(pa.string())
    return [str(c) for c in pc.unique(codes).drop_null().to_pylist()]


def _police_uk_label(county: County) -> str:
    """How to name the downloads in messages: ``police_uk/`` or ``police-uk-2025.zip``."""
    p = county.police_uk
    return p.name if p.suffix.lower() == ".zip" else f"{p.name}/"


def check_every_district_placed(county: County, per_district: dict[str, int], account: dict[str, Any],
                                codes_seen: list[str] | Callable[[], list[str]] | None = None) -> None:
    """Raise :class:`InputError` naming a district that received no record at all, and why.

    A district with no record is never a quiet row of zeros. The message says why, from the lookups
    (:meth:`~csa_analysis.ingest.geography.DistrictSet.why_no_records`): no file holds an LSOA of it (with the
    police force area that covers it and the forces whose files were given), or it was abolished and its area
    is now in a named successor; and what to write instead. ``codes_seen`` (the files' distinct LSOA codes, or a
    function returning them) is only read when a district is empty.
    """
    empty = [d for d in county.district_names if not per_district.get(d)]
    if not empty:
        return
    if callable(codes_seen):
        codes_seen = codes_seen()
    name = empty[0]
    forces = sorted({f for i in account.get("inputs", []) for f in i.get("falls_within", [])})
    why = county_districts(county).why_no_records(name, codes_seen=codes_seen or [], forces_seen=forces,
                                                  source=_police_uk_label(county))
    others = f" ({len(empty) - 1} other district(s) too: {', '.join(empty[1:])})" if len(empty) > 1 else ""
    raise InputError(
        f"{why}{others}", file=county.toml_path, where=f"[[districts]] {name!r}",
        expected="only districts these files cover (remove it, or name the authority that now covers its area), "
        "or add the police.uk downloads of the force that covers it")


def quality_account(county: County, account: dict[str, Any], placed: pd.DataFrame, unallocated: int,
                    out_of_area_by_area: dict[str, int], out_of_area_by_name: int = 0) -> dict[str, Any]:
    """The data-quality account (the ``csa check --json`` object) from the placement counts.

    Parameters
    ----------
    account : dict
        The cache account (:func:`combine`).
    placed : DataFrame
        Per official district (index, county order): ``by_code``, ``by_name`` and ``total`` rows (all months).
    unallocated : int
        Rows with no LSOA code and no LSOA name.
    out_of_area_by_area : dict
        Rows per district outside the county (its newest ONS name; the LSOA-name prefix for the name fallback).
    out_of_area_by_name : int
        Of those, rows whose code is in no lookup (placed outside by their LSOA name).

    Returns
    -------
    dict
        ``county``, ``rows_read``, ``districts`` (official name -> rows placed, all months), ``unallocated``,
        ``out_of_area``, ``duplicates_dropped``, ``months`` (the design's contract), then ``placed_by_code`` and
        ``placed_by_name`` (rows placed through the ONS lookups and by the LSOA-name fallback; each ``{"total":
        n, "districts": {name: n}}``), ``out_of_area_by_name``, ``file_vintages`` (files per LSOA vintage),
        ``incomplete_force_months`` (:func:`csa_analysis.ingest.combine.incomplete_force_months`) with
        ``low_month_share`` (its threshold), ``repeated_file_rows``, ``repeated_files``,
        ``coordinates_outside_gb``, ``out_of_area_by_area`` and ``files``.
    """
    vintages = pd.Series(file_vintages(account), dtype=object).value_counts().sort_index()
    return {
        "county": county.name,
        "rows_read": account["rows_read"],
        "districts": {d: int(placed.at[d, "total"]) for d in county.district_names},
        "unallocated": int(unallocated),
        "out_of_area": int(sum(out_of_area_by_area.values())),
        "duplicates_dropped": account["duplicates_dropped"],
        "months": account["months"],
        "placed_by_code": {"total": int(placed["by_code"].sum()),
                           "districts": {d: int(placed.at[d, "by_code"]) for d in county.district_names}},
        "placed_by_name": {"total": int(placed["by_name"].sum()),
                           "districts": {d: int(placed.at[d, "by_name"]) for d in county.district_names}},
        "out_of_area_by_name": int(out_of_area_by_name),
        "file_vintages": {str(k): int(v) for k, v in vintages.items()},
        "incomplete_force_months": incomplete_force_months(account),
        "low_month_share": LOW_MONTH_SHARE,
        "repeated_file_rows": account["repeated_file_rows"],
        "repeated_files": account["repeated_files"],
        "coordinates_outside_gb": account["coordinates_outside_gb"],
        "out_of_area_by_area": {str(k): int(v) for k, v in sorted(out_of_area_by_area.items())},
        "files": len(account["inputs"]),
    }
