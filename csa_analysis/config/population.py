"""ONS mid-year population estimates for local authorities, read from the workbook as ONS publishes it.

Two layouts are known and both are read by content, not by position:

* ``mye23tablesew.xlsx`` (mid-2023, England and Wales, April 2023 boundaries): sheet ``MYE2 - Persons`` with
  seven title rows and the header ``Code, Name, Geography, All ages, 0, 1, ..., 89, 90+`` on row 8; sheet
  ``MYE5`` with ``Area (sq km)``; sheet ``MYE6`` with median ages (``Mid-2023``).
* ``ukmidyearestimates20192020ladcodes.xls`` (mid-2019, whole UK, 2020 codes): the same ``MYE2 - Persons``
  sheet with four title rows, the header on row 5, the geography column headed ``Geography1`` (a footnote
  marker) and a footnote row under the table; area in sheet ``MYE 5`` (whole square kilometres), median age
  in ``MYE 6``.

The header row is found by its content (``Code``, ``Name``, ``Geography``, ``All ages`` and the single years of
age), so one title row more or fewer does not matter. Country, region, county and metropolitan county rows sit
among the districts: nothing here sums rows, and :func:`district_level` keeps the local authority districts
only (whose populations add up to the country's).

Columns of the frame returned by :func:`read_mid_year_estimates` (one row per area in the sheet):

``code``
    ONS GSS code (``E07000130``).
``name``
    name as published (``Charnwood``; countries in capitals, ``ENGLAND AND WALES``).
``geography``
    ``Country``, ``Region``, ``County``, ``Metropolitan County``, ``Unitary Authority``, ``Non-metropolitan
    District``, ``Metropolitan District``, ``London Borough``, ``Council Area`` or ``Local Government District``.
``population``
    residents of all ages (Int64, persons).
``aged_0_15``, ``aged_16_24``, ``aged_25_64``, ``aged_65_plus``
    residents in each age band (Int64, persons; the sum of the single years of age).
``share_0_15``, ``share_16_24``, ``share_25_64``, ``share_65_plus``
    the bands as shares of ``population`` (float, 0-1; the four add up to 1). 16-64 is ``share_16_24 +
    share_25_64``. The 16-24 band is kept apart because it is the peak age of offending and victimisation.
``area_sq_km``
    land area in square kilometres from the ``MYE5`` sheet (float; missing if the workbook has no such sheet).
``density_per_sq_km``
    ``population / area_sq_km`` (float, persons per square kilometre, unrounded; the workbook rounds it).
``median_age``
    median age in years from the ``MYE6`` sheet for the same year (float; missing if absent).
``year``
    the mid-year of the estimates, read from the sheet title (``mid-2023`` -> 2023; Int64).
``sheet_row``
    the spreadsheet row the figures were read from (1-based), to trace any figure back to the workbook.

The frame's ``attrs`` hold ``file`` and ``sheet`` so that later errors can name them.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from csa_analysis.domain.names import normalise_name
from csa_analysis.errors import InputError

PERSONS_SHEET = "MYE2 - Persons"
DENSITY_SHEET = "MYE5"
MEDIAN_AGE_SHEET = "MYE6"

#: Geography labels of local authority districts (the lowest tier: their populations add up to the country).
DISTRICT_GEOGRAPHIES = frozenset({
    "Non-metropolitan District", "Unitary Authority", "Metropolitan District", "London Borough",
    "Council Area", "Local Government District",
})

#: Age bands: name -> (first year of age, last year of age; None = the open-ended 90+ column included).
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "0_15": (0, 15), "16_24": (16, 24), "25_64": (25, 64), "65_plus": (65, None),
}

_CODE = re.compile(r"^[EWSNK]\d{8}$")
_HEADER_SEARCH_ROWS = 40
_AGE_LABELS = [str(a) for a in range(90)] + ["90+"]


# --------------------------------------------------------------------------------------------------
# Workbook helpers


def _open_workbook(path: Path) -> pd.ExcelFile:
    suffix = path.suffix.lower()
    engines = {".xlsx": "calamine", ".xlsm": "calamine", ".xls": "calamine"}
    if suffix not in engines:
        raise InputError("unsupported file type", file=path,
                         expected="an ONS mid-year estimates workbook (.xlsx or .xls)")
    if not path.is_file():
        raise InputError("file not found", file=path, expected="an ONS mid-year estimates workbook")
    try:
        return pd.ExcelFile(path, engine=engines[suffix])
    except Exception as exc:  # openpyxl and calamine raise many types for unreadable files
        raise InputError(f"cannot be read as a workbook ({type(exc).__name__}: {exc})", file=path,
                         expected="an ONS mid-year estimates workbook (.xlsx or .xls)") from None


def _sheet_key(name: str) -> str:
    return re.sub(r"\s+", "", str(name)).casefold()


def _find_sheet(book: pd.ExcelFile, wanted: str, path: Path, *, required: bool = True) -> str | None:
    """The sheet whose name is ``wanted`` ignoring case and spaces (``MYE 5`` is ``MYE5``)."""
    hits = [s for s in book.sheet_names if _sheet_key(s) == _sheet_key(wanted)]
    if hits:
        return str(hits[0])
    if required:
        raise InputError(f"has no sheet '{wanted}'", file=path, where=f"sheet '{wanted}'",
                         expected=f"an ONS mid-year estimates workbook with a sheet '{wanted}' "
                                  f"(sheets found: {', '.join(map(str, book.sheet_names))})")
    return None


def _clean_label(value: object) -> str:
    """A header cell as one line of text: ``'Geography1'`` stays, ``0.0`` (a numeric cell) becomes ``'0'``."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = re.sub(r"\s+", " ", str(value)).strip()
    return re.sub(r"^(\d+)\.0+$", r"\1", text)


def _read_raw(book: pd.ExcelFile, sheet: str, path: Path) -> pd.DataFrame:
    try:
        raw = pd.read_excel(book, sheet_name=sheet, header=None, dtype=str)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a bad workbook
        raise InputError(f"cannot be read ({type(exc).__name__}: {exc})", file=path, where=f"sheet '{sheet}'",
                         expected="an ONS mid-year estimates sheet") from None
    return raw.reset_index(drop=True)


def _header_row(raw: pd.DataFrame, required: dict[str, str], path: Path, sheet: str, expected: str) -> int:
    """Index of the first row (within the first rows) whose cells match every pattern in ``required``."""
    head = raw.head(_HEADER_SEARCH_ROWS)
    cells = pd.Series(head.to_numpy().ravel(), dtype=object).map(_clean_label).astype("string")
    row_of = np.repeat(head.index.to_numpy(), head.shape[1])  # every cell's row, row-major like ravel()
    found = pd.Series(True, index=head.index)
    for pattern in required.values():
        hit = cells.str.fullmatch(pattern, case=False).fillna(False).to_numpy(dtype=bool)
        found &= pd.Series(hit).groupby(row_of).any().reindex(head.index, fill_value=False)
    if not found.any():
        raise InputError(f"no header row found in the first {_HEADER_SEARCH_ROWS} rows", file=path,
                         where=f"sheet '{sheet}'", expected=expected)
    return int(found.idxmax())


def _columns_by_pattern(header: pd.Series, required: dict[str, str]) -> dict[str, int]:
    """Position of the first header cell matching each pattern."""
    return {name: int(header.str.fullmatch(p, case=False).idxmax()) for name, p in required.items()}


def _to_number(col: pd.Series, label: str, rows: pd.Series, path: Path, sheet: str, *,
               integer: bool) -> pd.Series:
    """Parse a column of published figures (thousands separators allowed); name the first bad cell."""
    text = col.astype("string").str.strip().str.replace(",", "", regex=False)
    number = pd.to_numeric(text, errors="coerce")
    bad = number.isna() | (integer & (number.round() != number))
    if bad.any():
        i = bad.idxmax()
        shown = "(blank)" if pd.isna(col[i]) else repr(str(col[i]))
        raise InputError(f"cell is {shown}", file=path, where=f"sheet '{sheet}', row {rows[i]}, column '{label}'",
                         expected="a whole number of persons" if integer else "a number")
    return number.round().astype("Int64") if integer else number.astype("float64")


def _to_numbers(frame: pd.DataFrame, labels: Sequence[str], rows: pd.Series, path: Path, sheet: str
                ) -> pd.DataFrame:
    """:func:`_to_number` of several columns of whole numbers at once (``labels`` name them, in order).

    The cells are parsed in one pass; the first bad cell reported is the one :func:`_to_number` would report
    going column by column (the first column holding one, its first row).
    """
    values = frame.to_numpy(dtype=object)
    flat = pd.Series(values.ravel(order="F"), dtype=object)  # column by column
    text = flat.astype("string").str.strip().str.replace(",", "", regex=False)
    number = pd.to_numeric(text, errors="coerce")
    bad = (number.isna() | (number.round() != number)).to_numpy(dtype=bool)
    if bad.any():
        i = int(np.argmax(bad))
        col, row = divmod(i, len(frame))
        cell = values[row, col]
        shown = "(blank)" if pd.isna(cell) else repr(str(cell))
        raise InputError(f"cell is {shown}", file=path,
                         where=f"sheet '{sheet}', row {rows.iloc[row]}, column '{labels[col]}'",
                         expected="a whole number of persons")
    whole = number.round().astype("Int64").to_numpy().reshape(values.shape, order="F")
    return pd.DataFrame({label: pd.array(whole[:, j], dtype="Int64") for j, label in enumerate(labels)},
                        index=frame.index)


def _year_from_title(raw: pd.DataFrame, header: int) -> int | None:
    title = " ".join(raw.iloc[:header].astype("string").fillna("").to_numpy().ravel().tolist())
    match = re.search(r"mid-(\d{4})", title, flags=re.IGNORECASE)
    return int(match.group(1)) if match else None


# --------------------------------------------------------------------------------------------------
# Readers


def _read_persons(book: pd.ExcelFile, path: Path, sheet_name: str) -> tuple[pd.DataFrame, int | None, str]:
    sheet = _find_sheet(book, sheet_name, path)
    raw = _read_raw(book, sheet, path)
    required = {"code": r"code", "name": r"name", "geography": r"geography\s*\d*", "population": r"all ages",
                "age0": r"0", "age90": r"90\+"}
    expected = ("a header row with the columns Code, Name, Geography, All ages, 0, 1, ..., 89, 90+ "
                "(one row per area)")
    h = _header_row(raw, required, path, sheet, expected)
    header = raw.iloc[h].map(_clean_label)
    pos = _columns_by_pattern(header, {k: v for k, v in required.items() if not k.startswith("age")})
    missing = [a for a in _AGE_LABELS if a not in set(header)]
    if missing:
        raise InputError(f"the header has no column for age {', '.join(missing[:5])}", file=path,
                         where=f"sheet '{sheet}', row {h + 1}", expected=expected)
    age_pos = {a: int(header[header == a].index[0]) for a in _AGE_LABELS}
    body = raw.iloc[h + 1:]
    rows = pd.Series(body.index + 1, index=body.index)  # spreadsheet row numbers
    # Blank separator rows and footnotes have no "All ages" figure; every other row must be an area.
    body = body[body[pos["population"]].notna() & (body[pos["population"]].astype("string").str.strip() != "")]
    code = body[pos["code"]].astype("string").str.strip()
    bad_code = ~code.fillna("").str.fullmatch(_CODE.pattern)
    if bad_code.any():
        i = bad_code.idxmax()
        raise InputError(f"code is {code[i]!r}", file=path, where=f"sheet '{sheet}', row {rows[i]}, column 'Code'",
                         expected="a 9-character ONS area code such as E07000130 on every row with figures")
    out = pd.DataFrame({
        "code": code,
        "name": body[pos["name"]].astype("string").str.strip(),
        "geography": body[pos["geography"]].astype("string").str.strip(),
        "population": _to_number(body[pos["population"]], "All ages", rows, path, sheet, integer=True),
    })
    ages = _to_numbers(body[[age_pos[a] for a in _AGE_LABELS]], _AGE_LABELS, rows.loc[body.index], path, sheet)
    mismatch = ages.sum(axis=1) != out["population"]
    if mismatch.any():
        i = mismatch.idxmax()
        raise InputError(f"the single years of age add up to {int(ages.loc[i].sum())}, not the 'All ages' "
                         f"figure {int(out.loc[i, 'population'])}", file=path,
                         where=f"sheet '{sheet}', row {rows[i]} ({out.loc[i, 'name']})",
                         expected="'All ages' equal to the sum of the columns 0 to 90+")
    for band, (first, last) in AGE_BANDS.items():
        labels = _AGE_LABELS[first:] if last is None else _AGE_LABELS[first:last + 1]
        out[f"aged_{band}"] = ages[labels].sum(axis=1).astype("Int64")
    for band in AGE_BANDS:
        out[f"share_{band}"] = (out[f"aged_{band}"] / out["population"]).astype("float64")
    out["sheet_row"] = rows.loc[out.index].astype("int64")
    return out, _year_from_title(raw, h), sheet


def _read_area(book: pd.ExcelFile, path: Path) -> pd.DataFrame | None:
    sheet = _find_sheet(book, DENSITY_SHEET, path, required=False)
    if sheet is None:
        return None
    raw = _read_raw(book, sheet, path)
    required = {"code": r"code", "area": r"area \(sq km\)"}
    h = _header_row(raw, required, path, sheet, "a header row with the columns Code and Area (sq km)")
    pos = _columns_by_pattern(raw.iloc[h].map(_clean_label), required)
    body = raw.iloc[h + 1:]
    code = body[pos["code"]].astype("string").str.strip()
    body = body[code.fillna("").str.fullmatch(_CODE.pattern)]
    rows = pd.Series(body.index + 1, index=body.index)
    area = _to_number(body[pos["area"]], "Area (sq km)", rows, path, sheet, integer=False)
    return pd.DataFrame({"code": code[body.index], "area_sq_km": area})


def _read_median_age(book: pd.ExcelFile, path: Path, year: int | None) -> pd.DataFrame | None:
    sheet = _find_sheet(book, MEDIAN_AGE_SHEET, path, required=False)
    if sheet is None or year is None:
        return None
    raw = _read_raw(book, sheet, path)
    required = {"code": r"code", "median": rf"mid-{year}"}
    h = _header_row(raw, required, path, sheet, f"a header row with the columns Code and Mid-{year}")
    pos = _columns_by_pattern(raw.iloc[h].map(_clean_label), required)
    body = raw.iloc[h + 1:]
    code = body[pos["code"]].astype("string").str.strip()
    body = body[code.fillna("").str.fullmatch(_CODE.pattern)]
    rows = pd.Series(body.index + 1, index=body.index)
    median = _to_number(body[pos["median"]], f"Mid-{year}", rows, path, sheet, integer=False)
    return pd.DataFrame({"code": code[body.index], "median_age": median})


def read_mid_year_estimates(path: str | Path, *, sheet: str = PERSONS_SHEET) -> pd.DataFrame:
    """Read an ONS mid-year population estimates workbook (``.xlsx`` or ``.xls``) as published.

    Parameters
    ----------
    path : str or Path
        The workbook, e.g. ``data/raw/ons/mye23tablesew.xlsx``.
    sheet : str, default ``"MYE2 - Persons"``
        The persons-by-single-year-of-age sheet (matched ignoring case and spaces).

    Returns
    -------
    pandas.DataFrame
        One row per area in the sheet, in sheet order; columns as in the module docstring (``code``, ``name``,
        ``geography``, ``population``, age bands and shares, ``area_sq_km``, ``density_per_sq_km``,
        ``median_age``, ``year``, ``sheet_row``). County, region and country rows are kept: select with
        :func:`district_level`, never sum all rows.

    Raises
    ------
    InputError
        Not a workbook, no such sheet (the message lists the sheets present), no header row, a row whose code
        or figures cannot be read, or single years of age that do not add up to ``All ages``.

    Examples
    --------
    >>> from csa_analysis.paths import PROJECT_DIR
    >>> pop = read_mid_year_estimates(PROJECT_DIR / "data/raw/ons/mye23tablesew.xlsx")
    >>> print(pop.loc[pop["name"] == "Charnwood", ["code", "geography", "population", "year"]]
    ...       .to_string(index=False))
         code                 geography  population  year
    E07000130 Non-metropolitan District      188010  2023
    """
    path = Path(path)
    book = _open_workbook(path)
    with book:
        persons, year, found_sheet = _read_persons(book, path, sheet)
        area = _read_area(book, path)
        median = _read_median_age(book, path, year)
    out = persons
    if area is not None:
        out = out.merge(area.drop_duplicates("code"), on="code", how="left", validate="many_to_one")
    else:
        out["area_sq_km"] = np.nan
    out["density_per_sq_km"] = out["population"].astype("float64") / out["area_sq_km"]
    if median is not None:
        out = out.merge(median.drop_duplicates("code"), on="code", how="left", validate="many_to_one")
    else:
        out["median_age"] = np.nan
    out["year"] = pd.array([year] * len(out), dtype="Int64")
    cols = (["code", "name", "geography", "population"] + [f"aged_{b}" for b in AGE_BANDS]
            + [f"share_{b}" for b in AGE_BANDS] + ["area_sq_km", "density_per_sq_km", "median_age", "year",
                                                    "sheet_row"])
    out = out[cols].reset_index(drop=True)
    out[["code", "name", "geography"]] = out[["code", "name", "geography"]].astype("str")
    out.attrs.update(file=str(path), sheet=found_sheet)
    return out


@functools.cache
def _mid_year_estimates_cached(path: str, size: int, mtime_ns: int, inode: int) -> pd.DataFrame:
    return read_mid_year_estimates(path)


def mid_year_estimates(path: str | Path) -> pd.DataFrame:
    """:func:`read_mid_year_estimates`, read once per process while the workbook is unchanged.

    The county description, the Table C2 rates and the peers all need the same workbook, and a report kernel
    reads the county again: each gets a copy of one reading, keyed by the file's path, size, modification time
    and inode (an edited or replaced workbook is read again).
    """
    path = Path(path)
    if not path.is_file():
        return read_mid_year_estimates(path)  # its error names the file
    st = path.stat()
    return _mid_year_estimates_cached(str(path), st.st_size, st.st_mtime_ns, st.st_ino).copy()


def district_level(population: pd.DataFrame, *, england_and_wales: bool = False) -> pd.DataFrame:
    """Keep the local authority districts (unitary, non-metropolitan, metropolitan, London boroughs, ...).

    Counties, metropolitan counties, regions and countries are dropped, so the populations of the rows kept
    add up to the country totals without double counting.

    Parameters
    ----------
    population : pandas.DataFrame
        A frame from :func:`read_mid_year_estimates`.
    england_and_wales : bool, default False
        Keep only codes starting ``E`` or ``W`` (the mid-2019 workbook also covers Scotland and Northern Ireland).

    Examples
    --------
    >>> pop = pd.DataFrame({"code": ["E10000018", "E07000130", "W06000015"],
    ...                     "geography": ["County", "Non-metropolitan District", "Unitary Authority"]})
    >>> district_level(pop)["code"].tolist()
    ['E07000130', 'W06000015']
    """
    keep = population["geography"].isin(DISTRICT_GEOGRAPHIES)
    if england_and_wales:
        keep &= population["code"].str[0].isin(["E", "W"])
    return population[keep].reset_index(drop=True)


def nearest_names(wanted: str, names: Sequence[str], n: int = 3) -> list[str]:
    """Up to ``n`` names from ``names`` closest to ``wanted`` (case- and space-insensitive), best first.

    Examples
    --------
    >>> nearest_names("North West Leics", ["North West Leicestershire", "North Warwickshire", "Melton"])
    ['North West Leicestershire']
    """
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(normalise_name(name), str(name))
    keys = difflib.get_close_matches(normalise_name(wanted), list(by_key), n=n, cutoff=0.6)
    return [by_key[k] for k in keys]


def lookup_populations(population: pd.DataFrame, districts: Sequence[str], *,
                       file: str | Path | None = None) -> pd.DataFrame:
    """The rows of ``population`` for a list of districts given by ONS code or official name.

    Names are compared with :func:`csa_analysis.config.normalise_name` (case and spacing ignored, nothing else
    guessed: ``&`` is not ``and``). Codes are compared ignoring case.

    Parameters
    ----------
    population : pandas.DataFrame
        A frame from :func:`read_mid_year_estimates` (or any frame with ``code`` and ``name``).
    districts : sequence of str
        ONS codes (``E07000130``) or names (``Charnwood``), in the order wanted.
    file : str or Path, optional
        The workbook to name in errors; defaults to ``population.attrs["file"]``.

    Returns
    -------
    pandas.DataFrame
        One row per requested district, in the order given: ``district`` (as given) followed by every column
        of ``population``.

    Raises
    ------
    InputError
        A district matching no row (the message names it and the nearest names), or a name matching two
        or more rows (the message lists their codes so that the code can be given instead).

    Examples
    --------
    >>> pop = pd.DataFrame({"code": ["E07000130", "E07000133"], "name": ["Charnwood", "Melton"],
    ...                     "population": [188010, 53237]})
    >>> print(lookup_populations(pop, ["melton", "E07000130"])[["district", "code", "population"]]
    ...       .to_string(index=False))
     district      code  population
       melton E07000133       53237
    E07000130 E07000130      188010
    """
    file = file if file is not None else population.attrs.get("file")
    sheet = population.attrs.get("sheet")
    where_sheet = f"sheet '{sheet}'" if sheet else None
    table = population.reset_index(drop=True)
    keys = pd.concat([
        pd.DataFrame({"key": table["code"].astype("string").str.strip().str.casefold(), "row": table.index}),
        pd.DataFrame({"key": table["name"].map(normalise_name), "row": table.index}),
    ]).drop_duplicates()
    wanted = pd.DataFrame({"district": [str(d) for d in districts]})
    wanted["key"] = wanted["district"].map(normalise_name)
    wanted["order"] = range(len(wanted))
    hits = wanted.merge(keys, on="key", how="left")
    n_hits = hits.groupby("order")["row"].count()
    missing = wanted[wanted["order"].map(n_hits) == 0]
    if len(missing):
        name = missing["district"].iloc[0]
        near = nearest_names(name, table["name"].tolist())
        also = f" ({len(missing) - 1} more district(s) also missing: {', '.join(missing['district'].iloc[1:])})" \
            if len(missing) > 1 else ""
        raise InputError(f"district '{name}' is not in the population estimates{also}", file=file,
                         where=where_sheet,
                         expected="an ONS code or official name of a row in the sheet"
                                  + (f"; nearest names: {', '.join(near)}" if near else ""))
    ambiguous = wanted[wanted["order"].map(n_hits) > 1]
    if len(ambiguous):
        name = ambiguous["district"].iloc[0]
        rows = table.loc[hits.loc[hits["order"] == ambiguous["order"].iloc[0], "row"].astype(int)]
        listed = "; ".join(f"{c} {n} ({g})" for c, n, g in
                           zip(rows["code"], rows["name"], rows.get("geography", pd.Series("", index=rows.index)),
                               strict=True))
        raise InputError(f"district '{name}' matches {len(rows)} rows: {listed}", file=file, where=where_sheet,
                         expected="a name that identifies one row; give the ONS code instead")
    out = hits.sort_values("order").drop(columns=["key", "order"])
    out = out.join(table, on="row").drop(columns="row").reset_index(drop=True)
    return out


def aggregate_areas(population: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """Population characteristics of groups of districts (e.g. a CSP covering several districts).

    Counts and areas are summed; shares and density are recomputed from the sums, which makes them
    population-weighted (area-weighted for density). Median age cannot be combined from medians and is kept
    only for groups of one district.

    Parameters
    ----------
    population : pandas.DataFrame
        A frame from :func:`read_mid_year_estimates`.
    membership : pandas.DataFrame
        Columns ``area_code`` (the group) and ``code`` (an ONS district code in it); one row per member.

    Returns
    -------
    pandas.DataFrame
        One row per ``area_code`` (sorted): ``population``, ``aged_*``, ``share_*``, ``area_sq_km``,
        ``density_per_sq_km``, ``median_age``, ``year``, ``districts`` (members), ``district_codes``
        (``;``-joined, sorted) and ``districts_missing`` (members not in ``population``). Every figure of a
        group with a missing member is missing, never a partial sum.

    Examples
    --------
    >>> pop = pd.DataFrame({"code": ["A", "B"], "population": [100, 300], "aged_0_15": [10, 60],
    ...                     "aged_16_24": [10, 30], "aged_25_64": [50, 150], "aged_65_plus": [30, 60],
    ...                     "area_sq_km": [10.0, 30.0], "median_age": [40.0, 38.0], "year": [2023, 2023]})
    >>> out = aggregate_areas(pop, pd.DataFrame({"area_code": ["X", "X", "Y"], "code": ["A", "B", "B"]}))
    >>> print(out[["area_code", "population", "share_0_15", "density_per_sq_km", "median_age"]]
    ...       .to_string(index=False))
    area_code  population  share_0_15  density_per_sq_km  median_age
            X         400       0.175               10.0         NaN
            Y         300       0.200               10.0        38.0
    """
    counts = ["population"] + [f"aged_{b}" for b in AGE_BANDS]
    members = membership[["area_code", "code"]].drop_duplicates()
    cols = ["code", *counts, "area_sq_km", "median_age", "year"]
    joined = members.merge(population[[c for c in cols if c in population.columns]].drop_duplicates("code"),
                           on="code", how="left", indicator=True)
    joined["missing"] = joined["_merge"] == "left_only"
    grouped = joined.groupby("area_code", sort=True)
    out = grouped[[*counts, "area_sq_km"]].sum(min_count=1)
    out[counts] = out[counts].astype("Int64")
    out["districts"] = grouped["code"].size()
    out["district_codes"] = grouped["code"].agg(lambda s: ";".join(sorted(s)))
    out["districts_missing"] = grouped["missing"].sum().astype("int64")
    incomplete = out["districts_missing"] > 0
    out.loc[incomplete, [*counts, "area_sq_km"]] = pd.NA
    for band in AGE_BANDS:
        out[f"share_{band}"] = (out[f"aged_{band}"] / out["population"]).astype("float64")
    out["density_per_sq_km"] = out["population"].astype("float64") / out["area_sq_km"].astype("float64")
    single_median = grouped["median_age"].first() if "median_age" in joined else np.nan
    out["median_age"] = np.where(out["districts"] == 1, single_median, np.nan)
    out["year"] = grouped["year"].max().astype("Int64") if "year" in joined else pd.NA
    order = ([*counts] + [f"share_{b}" for b in AGE_BANDS]
             + ["area_sq_km", "density_per_sq_km", "median_age", "year", "districts", "district_codes",
                "districts_missing"])
    out["area_sq_km"] = out["area_sq_km"].astype("float64")
    return out[order].reset_index()


def is_mid_year_workbook(path: str | Path) -> bool:
    """True when ``path`` is a workbook (``.xlsx``/``.xls``) with an ONS ``MYE2 - Persons`` sheet.

    Tells an ONS mid-year estimates workbook saved as ``population.xlsx`` from a two-column district table; a
    file that cannot be opened as a workbook is not one (its reader then says why).

    Examples
    --------
    >>> from csa_analysis.paths import PROJECT_DIR
    >>> is_mid_year_workbook(PROJECT_DIR / "data/raw/ons/mye23tablesew.xlsx")
    True
    >>> is_mid_year_workbook(PROJECT_DIR / "data/raw/leicestershire/funding.csv")
    False
    """
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls") or not path.is_file():
        return False
    try:
        book = _open_workbook(path)
    except InputError:
        return False
    with book:
        return _find_sheet(book, PERSONS_SHEET, path, required=False) is not None
