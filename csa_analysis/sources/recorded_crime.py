"""Home Office police recorded crime, Table C2 (headline offence groups by Community Safety Partnership).

Table C2 of the ONS "Police force area data tables" counts police recorded crime for every CSP in England and
Wales over a year (e.g. "year ending June 2025"). It is read here as published, ``.csv`` or ``.xlsx``:

* title and note rows sit above the header; the period is read from the title ("year ending June 2025");
* header cells span several lines (``"Police Force\\nArea code"``): they are cleaned to one line, and
  ``[note N]`` markers are dropped from offence group names;
* figures carry thousands separators and a trailing space (``"13,044 "``); ``[x]`` (unavailable), and the
  other GSS shorthand ``[z]`` (not applicable) and ``[c]`` (confidential), are read as missing, never as 0;
* each force has a total row (blank CSP code and name), an ``Unassigned <force>`` row (crimes the force did
  not place in any CSP) and sometimes other rows without a CSP code (``Manchester Airport``); these are kept,
  with ``row_type`` ``force_total``, ``unassigned`` and ``other``, apart from the ``csp`` rows. City of London
  has neither total nor unassigned row: its one CSP is the force, so the England and Wales total is the force
  totals plus the rows of any force without one (:func:`england_wales_rates` does this);
* a CSP covering several local authorities says ``Combined Local Authorities`` where the authority code
  belongs: ``la_code`` is then blank and ``combined_la`` is true;
* names may carry trailing spaces (``"North Yorkshire "``): every text cell is stripped;
* a row may have no figures at all: the 2025 edition's ``unassigned Surrey`` row is blank from the first
  offence column on; its counts are missing. A blank cell in a row that has other figures is an error;
* a row may carry another force's code under its own force's name: in the 2025 edition ``Unassigned Gwent``
  has South Wales's code (W15000003) and ``unassigned Surrey`` Kent's (E23000032). ``force_code`` is the code
  of the force total row with the same force name; the code as published stays in ``force_code_published``.

Columns of the tidy frame (one row per table row x offence group):

``force_code``, ``force``
    police force area code and name (the code corrected from the name where they disagree, see above).
``csp_code``, ``csp_name``
    Community Safety Partnership code and name (blank code for the non-CSP rows).
``la_code``, ``la_name``
    local authority code and name as the table gives them (blank code for a combined CSP). The table's
    authority codes are not always current: the Cumbrian CSPs carry the codes of districts abolished in 2023,
    and "Suffolk Coastal" and "Waveney" both carry East Suffolk's code.
``combined_la``
    true where the table says ``Combined Local Authorities``.
``row_type``
    ``csp``, ``force_total``, ``unassigned`` or ``other``.
``offence_group``
    header text on one line, e.g. ``Total recorded crime (excluding fraud)``, ``Homicide``.
``count``
    recorded crimes in the year (Int64; missing where the table says ``[x]``).
``period``, ``period_end``
    ``"year ending June 2025"`` and the last month of the year, ``"2025-06"``.
``sheet_row``
    the row of the table the figure was read from (1-based spreadsheet row; the CSV's header spans several
    lines of text but is one row).
``force_code_published``
    the force code exactly as the table gives it.
``source``
    the file name.

**A CSP is not always a district.** A CSP covering several districts ("East and Mid Devon", "Western
Suffolk", "South Nottinghamshire", ...) gives one count for all of them: every district in it shows the same
count, and a rate needs the CSP's population, not the district's. The reverse also happens: "Suffolk Coastal"
and "Waveney" are two CSPs inside one district (East Suffolk); "Bournemouth" and "Poole" lie inside the
district Bournemouth, Christchurch and Poole, whose third town sits in the "Dorset" CSP; the four
Buckinghamshire, six Northamptonshire and six Cumbrian CSPs predate their unitary authorities.
:func:`csp_areas` therefore joins CSPs and districts into **comparison areas**, the smallest groups of CSPs
whose combined territory is a whole number of current districts (connected components of the CSP-district
links given by the table and by the packaged ONS lookup). Most areas are one CSP; rates and peers are
computed per area.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from csa_analysis.domain.names import normalise_name
from csa_analysis.errors import InputError
from csa_analysis.paths import REFERENCE_DIR
from csa_analysis.sources.population import aggregate_areas, nearest_names

#: Header cells of the identifying columns (cleaned to one line, compared case-insensitively) -> column name.
ID_COLUMNS = {
    "police force area code": "force_code",
    "police force area name": "force",
    "community safety partnership code": "csp_code",
    "community safety partnership name": "csp_name",
    "local authority code": "la_code",
    "local authority name": "la_name",
}
COMBINED = "Combined Local Authorities"
#: GSS shorthand read as a missing figure (never 0): unavailable, not applicable, confidential.
SHORTHAND_MISSING = frozenset({"[x]", "[z]", "[c]"})
TOTAL_GROUP = "Total recorded crime (excluding fraud)"
ROW_TYPES = ("csp", "force_total", "unassigned", "other")
LOOKUP_FILE = REFERENCE_DIR / "lad_csp_pfa.csv"
SUCCESSORS_FILE = REFERENCE_DIR / "lad_successors.csv"

_HEADER_SEARCH_ROWS = 40
_NUMBER = r"\d{1,3}(?:,\d{3})+|\d+(?:\.0+)?"
_MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                        "september", "october", "november", "december"], start=1)}
_EXPECTED_HEADER = ("a header row with the columns Police Force Area code, Police Force Area name, Community "
                    "Safety Partnership code, Community Safety Partnership name, Local Authority code, Local "
                    "Authority name, then one column per offence group (Home Office Table C2)")


# --------------------------------------------------------------------------------------------------
# Reading one edition


def _one_line(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


def _read_raw(path: Path, sheet: str | None) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError("unsupported file type", file=path, expected="Home Office Table C2 as .csv or .xlsx")
    if not path.is_file():
        raise InputError("file not found", file=path, expected="Home Office Table C2 as .csv or .xlsx")
    try:
        if suffix == ".csv":
            raw = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                              skip_blank_lines=False)
        else:
            with pd.ExcelFile(path, engine="openpyxl") as book:
                name = _c2_sheet(book, path, sheet)
                raw = pd.read_excel(book, sheet_name=name, header=None, dtype=str).fillna("")
    except InputError:
        raise
    except UnicodeDecodeError as exc:
        raise InputError(f"is not UTF-8 text ({exc.reason} at byte {exc.start})", file=path,
                         expected="a UTF-8 CSV file") from None
    except Exception as exc:  # pandas and openpyxl raise many types for unreadable files
        raise InputError(f"cannot be read ({type(exc).__name__}: {exc})", file=path,
                         expected="Home Office Table C2 as .csv or .xlsx") from None
    return raw.reset_index(drop=True)


def _c2_sheet(book: pd.ExcelFile, path: Path, sheet: str | None) -> str:
    names = [str(s) for s in book.sheet_names]
    key = {re.sub(r"\s+", "", s).casefold(): s for s in names}
    if sheet is not None:
        found = key.get(re.sub(r"\s+", "", sheet).casefold())
        if found is None:
            raise InputError(f"has no sheet '{sheet}'", file=path, where=f"sheet '{sheet}'",
                             expected=f"a sheet named '{sheet}' (sheets found: {', '.join(names)})")
        return found
    if len(names) == 1:
        return names[0]
    for candidate in ("tablec2", "c2"):
        if candidate in key:
            return key[candidate]
    raise InputError("has several sheets and none is named 'Table C2'", file=path,
                     expected=f"a sheet 'Table C2' or the sheet named explicitly (sheets found: {', '.join(names)})")


def _period(raw: pd.DataFrame, header: int, path: Path) -> tuple[str, str]:
    title = " ".join(raw.iloc[:header].map(_one_line).to_numpy().ravel().tolist())
    match = re.search(r"year ending\s+([A-Za-z]+)\s+(\d{4})", title, flags=re.IGNORECASE)
    if not match or match.group(1).casefold() not in _MONTHS:
        raise InputError("no period found in the title rows", file=path, where=f"rows 1-{max(header, 1)}",
                         expected="a title naming the year, such as 'year ending June 2025'")
    month = match.group(1).capitalize()
    return f"year ending {month} {match.group(2)}", f"{match.group(2)}-{_MONTHS[month.casefold()]:02d}"


def read_table_c2(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read one edition of Table C2 (``.csv`` as saved from the workbook, or the ``.xlsx``) as published.

    Parameters
    ----------
    path : str or Path
        The table, e.g. ``data/raw/ons/csp_table_c2_ye_june_2025.csv``.
    sheet : str, optional
        For an ``.xlsx`` with several sheets: the sheet to read (default: the one named ``Table C2``).

    Returns
    -------
    pandas.DataFrame
        Tidy long data, one row per table row x offence group, in table order; columns as in the module
        docstring. Select ``row_type == "csp"`` for the CSPs; the ``force_total`` rows give each force's total
        (CSPs + unassigned + other rows).

    Raises
    ------
    InputError
        No header row; no period in the title; two offence columns with the same name; a repeated CSP code;
        a row with figures but no force code; a figure that is neither a whole number nor ``[x]``
        (the message names the row, the CSP and the column).

    Examples
    --------
    >>> from csa_analysis.paths import PROJECT_DIR
    >>> c2 = read_table_c2(PROJECT_DIR / "data/raw/ons/csp_table_c2_ye_june_2025.csv")
    >>> row = c2[(c2["csp_name"] == "Charnwood") & (c2["offence_group"] == TOTAL_GROUP)]
    >>> print(row[["csp_code", "la_code", "count", "period"]].to_string(index=False))
     csp_code   la_code  count                period
    E22000165 E07000130  12859 year ending June 2025
    """
    path = Path(path)
    raw = _read_raw(path, sheet)
    head = raw.head(_HEADER_SEARCH_ROWS).map(lambda v: _one_line(v).casefold())
    has_all = pd.Series(True, index=head.index)
    for label in ID_COLUMNS:
        has_all &= (head == label).any(axis=1)
    if not has_all.any():
        raise InputError(f"no header row found in the first {_HEADER_SEARCH_ROWS} rows", file=path,
                         expected=_EXPECTED_HEADER)
    h = int(has_all.idxmax())
    period, period_end = _period(raw, h, path)
    labels = raw.iloc[h].map(_one_line)
    keys = labels.str.casefold()
    id_pos = {ID_COLUMNS[k]: int(keys[keys == k].index[0]) for k in ID_COLUMNS}
    offence_pos = {i: re.sub(r"\s*\[note \d+\]", "", lab, flags=re.IGNORECASE).strip()
                   for i, lab in labels.items() if lab and i not in id_pos.values()}
    groups = pd.Series(offence_pos)
    if groups.empty:
        raise InputError("the header has no offence group columns", file=path, where=f"row {h + 1}",
                         expected=_EXPECTED_HEADER)
    dup = groups[groups.duplicated()]
    if len(dup):
        raise InputError(f"offence group '{dup.iloc[0]}' has two columns", file=path, where=f"row {h + 1}",
                         expected="one column per offence group")

    body = raw.iloc[h + 1:].map(_one_line)
    ids = pd.DataFrame({name: body[pos] for name, pos in id_pos.items()})
    figures = body[list(offence_pos)].rename(columns=offence_pos)
    sheet_row = pd.Series(body.index + 1, index=body.index)
    rows = sheet_row.astype(str)  # as named in messages
    if path.suffix.lower() == ".csv":  # a CSV row may span several lines of text: say which line it starts on
        breaks = raw.apply(lambda col: col.str.count("\n")).sum(axis=1)
        line = raw.index.to_series() + 1 + breaks.cumsum().shift(fill_value=0)
        rows = rows + " (line " + line[body.index].astype(str) + " of the CSV text)"
    no_force = ids["force_code"] == ""
    stray = no_force & (figures != "").any(axis=1)
    if stray.any():
        i = stray.idxmax()
        raise InputError("row has figures but no police force area code", file=path, where=f"row {rows[i]}",
                         expected="a force code (E23.../W15...) on every row of the table")
    ids, figures, rows = ids[~no_force], figures[~no_force], rows[~no_force]

    text = figures.apply(lambda col: col.str.strip())
    # An entirely blank row of figures (the 2025 edition's "unassigned Surrey") has no figures: missing, not 0.
    # A blank cell among figures is an error like any other unreadable figure.
    empty_row = (text == "").all(axis=1)
    missing = text.isin(SHORTHAND_MISSING) | pd.DataFrame({c: empty_row for c in text.columns})
    valid = text.apply(lambda col: col.str.fullmatch(_NUMBER)).fillna(False).astype(bool)
    bad = ~(missing | valid)
    if bad.to_numpy().any():
        i = bad.any(axis=1).idxmax()
        column = bad.loc[i].idxmax()
        who = ids.loc[i, "csp_name"] or f"{ids.loc[i, 'force']} force total"
        shown = figures.loc[i, column] or "(blank)"
        raise InputError(f"figure {shown!r} is not a number", file=path,
                         where=f"row {rows[i]} ({who}), column '{column}'",
                         expected="a whole number such as 13,044 or [x] where the figure is unavailable")
    numbers = text.where(~missing).apply(lambda col: col.str.replace(",", "", regex=False).str.split(".").str[0])
    counts = numbers.apply(lambda col: pd.to_numeric(col).astype("Int64"))

    combined = ids["la_code"].str.casefold() == COMBINED.casefold()
    ids["la_code"] = ids["la_code"].where(~combined, "")
    ids["combined_la"] = combined
    ids["row_type"] = np.select(
        [ids["csp_code"] != "", ids["csp_name"] == "", ids["csp_name"].str.casefold().str.startswith("unassigned")],
        ["csp", "force_total", "unassigned"], default="other")
    # Two rows of the 2025 edition carry another force's code under their own force's name ("Unassigned
    # Gwent" has South Wales's W15000003, "unassigned Surrey" Kent's E23000032): the force is the one named,
    # whose total row gives its code. The code as published is kept in force_code_published.
    ids["force_code_published"] = ids["force_code"]
    totals = ids[ids["row_type"] == "force_total"]
    by_name = totals.assign(_n=totals["force"].map(normalise_name)).drop_duplicates("_n", keep=False)
    named = ids["force"].map(normalise_name).map(by_name.set_index("_n")["force_code"])
    ids["force_code"] = named.where(named.notna() & (ids["row_type"] != "force_total"), ids["force_code"])
    csp_codes = ids.loc[ids["row_type"] == "csp", "csp_code"]
    if csp_codes.duplicated().any():
        code = csp_codes[csp_codes.duplicated()].iloc[0]
        where = " and ".join(f"row {r}" for r in rows[csp_codes.index[csp_codes == code]])
        raise InputError(f"CSP code {code} appears twice", file=path, where=where,
                         expected="one row per Community Safety Partnership")
    ids["sheet_row"] = sheet_row[ids.index]

    wide = pd.concat([ids, counts], axis=1)
    id_cols = [*ID_COLUMNS.values(), "combined_la", "row_type", "force_code_published", "sheet_row"]
    long = wide.melt(id_vars=id_cols, value_vars=list(groups), var_name="offence_group", value_name="count")
    order = pd.Series(range(len(groups)), index=list(groups))
    long = (long.assign(_o=long["offence_group"].map(order)).sort_values(["sheet_row", "_o"], kind="stable")
            .drop(columns="_o").reset_index(drop=True))
    long["count"] = long["count"].astype("Int64")
    long["period"] = period
    long["period_end"] = period_end
    long["source"] = path.name
    cols = [*ID_COLUMNS.values(), "combined_la", "row_type", "offence_group", "count", "period", "period_end",
            "force_code_published", "sheet_row", "source"]
    return long[cols]


def offence_groups(c2: pd.DataFrame) -> list[str]:
    """The offence groups of a Table C2 frame in the table's column order.

    Examples
    --------
    >>> offence_groups(pd.DataFrame({"offence_group": ["Total", "Homicide", "Total", "Homicide"]}))
    ['Total', 'Homicide']
    """
    return list(pd.unique(c2["offence_group"]))


def read_table_c2_editions(folder: str | Path) -> pd.DataFrame:
    """Read every edition of Table C2 (``*.csv``, ``*.xlsx``) in a folder into one long frame.

    Parameters
    ----------
    folder : str or Path
        E.g. ``DIR/recorded_crime/``. Files whose names start with ``~$`` or ``.`` (Excel lock files, hidden
        files) are skipped.

    Returns
    -------
    pandas.DataFrame
        The frames of :func:`read_table_c2` stacked, sorted by ``period_end`` then table order.

    Raises
    ------
    InputError
        No table in the folder, or two files for the same period (both named).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError("folder not found", file=folder, expected="a folder of Home Office Table C2 files")
    files = sorted(p for p in folder.iterdir()
                   if p.suffix.lower() in (".csv", ".xlsx") and not p.name.startswith(("~$", ".")))
    if not files:
        raise InputError("holds no .csv or .xlsx file", file=folder, expected="one or more editions of Table C2")
    frames = [read_table_c2(p) for p in files]
    periods = pd.DataFrame({"period": [f["period"].iloc[0] if len(f) else "" for f in frames],
                            "file": [p.name for p in files]})
    dup = periods[periods["period"].duplicated(keep=False)]
    if len(dup):
        raise InputError(f"two files hold the same period ({dup['period'].iloc[0]}): "
                         f"{' and '.join(dup['file'])}", file=folder, expected="one file per edition of Table C2")
    return pd.concat(frames, ignore_index=True).sort_values(["period_end", "sheet_row"], kind="stable",
                                                            ignore_index=True)


def force_total_check(c2: pd.DataFrame) -> pd.DataFrame:
    """Each force total beside the sum of the force's other rows (CSPs, unassigned, other), per offence group.

    Forces without a total row are left out: in the 2025 edition, City of London, whose only row is its CSP.

    Returns
    -------
    pandas.DataFrame
        ``period``, ``force_code``, ``offence_group``, ``force_total``, ``sum_of_rows`` (over the rows with a
        figure), ``rows_missing`` (rows with ``[x]`` or no figures, left out of the sum), ``difference`` (total
        minus sum). In the year ending June 2025 edition every difference is 0 (once the two miscoded
        unassigned rows are given their own force's code).
    """
    keys = ["period", "force_code", "offence_group"]
    totals = c2[c2["row_type"] == "force_total"].groupby(keys, sort=False)["count"].sum(min_count=1)
    parts = c2[c2["row_type"] != "force_total"].groupby(keys, sort=False)["count"]
    out = pd.DataFrame({"force_total": totals}).join(parts.sum(min_count=1).rename("sum_of_rows")).astype("Int64")
    out["rows_missing"] = (parts.size() - parts.count()).reindex(out.index).fillna(0).astype("int64")
    out["difference"] = out["force_total"] - out["sum_of_rows"]
    return out.reset_index()


# --------------------------------------------------------------------------------------------------
# Year-on-year change


def _row_key(c2: pd.DataFrame) -> pd.Series:
    other = c2["force_code"] + "|" + c2["row_type"] + "|" + c2["csp_name"].map(normalise_name)
    return c2["csp_code"].where(c2["row_type"] == "csp", other)


def year_on_year(c2: pd.DataFrame) -> pd.DataFrame:
    """Change in each row's count from the edition twelve months earlier, per offence group.

    CSP rows are matched by CSP code; force totals, unassigned and other rows by force code and name. A period
    is compared only with the period ending twelve months before it (two editions a quarter apart give no
    year-on-year change); with no such edition, or no such row in it, the comparison is missing ("no
    comparison available"), never 0.

    Parameters
    ----------
    c2 : pandas.DataFrame
        Several editions, from :func:`read_table_c2_editions`.

    Returns
    -------
    pandas.DataFrame
        One row per row of the later editions x offence group: ``row_type``, ``force_code``, ``force``,
        ``csp_code``, ``csp_name``, ``offence_group``, ``period``, ``previous_period``, ``count``,
        ``count_previous`` (Int64), ``change`` (Int64, count - previous), ``change_pct`` (float, percent of the
        previous count; missing when that is 0 or missing). Editions with no earlier edition are left out.

    Examples
    --------
    >>> c2 = pd.DataFrame({"row_type": "csp", "force_code": "E23000021", "force": "Leicestershire",
    ...     "csp_code": "E22000165", "csp_name": "Charnwood", "offence_group": "Homicide",
    ...     "count": pd.array([2, 3], dtype="Int64"), "period": ["year ending June 2024", "year ending June 2025"],
    ...     "period_end": ["2024-06", "2025-06"]})
    >>> print(year_on_year(c2)[["period", "count", "count_previous", "change", "change_pct"]].to_string(index=False))
                   period  count  count_previous  change  change_pct
    year ending June 2025      3               2       1        50.0
    """
    frame = c2.assign(_key=_row_key(c2), _end=pd.PeriodIndex(c2["period_end"], freq="M"))
    earlier = frame[["_key", "offence_group", "_end", "period", "count"]].rename(
        columns={"period": "previous_period", "count": "count_previous"})
    earlier["_end"] = earlier["_end"] + 12
    later = frame[frame["_end"].isin(set(earlier["_end"]))]
    out = later.merge(earlier, on=["_key", "offence_group", "_end"], how="left", validate="many_to_one")
    out["count_previous"] = out["count_previous"].astype("Int64")
    out["change"] = (out["count"] - out["count_previous"]).astype("Int64")
    prev = out["count_previous"].astype("Float64")
    out["change_pct"] = (100 * out["change"].astype("Float64") / prev.where(prev != 0)).astype("float64")
    cols = ["row_type", "force_code", "force", "csp_code", "csp_name", "offence_group", "period",
            "previous_period", "count", "count_previous", "change", "change_pct"]
    return out[cols].reset_index(drop=True)


# --------------------------------------------------------------------------------------------------
# CSPs, districts and comparison areas


def load_csp_lookup(path: str | Path = LOOKUP_FILE) -> pd.DataFrame:
    """The packaged district -> CSP -> police force area lookup (ONS, December 2018 and 2019 boundaries).

    Columns ``lad_code``, ``lad_name``, ``csp_code``, ``csp_name``, ``pfa_code``, ``pfa_name``,
    ``lookup_years`` (``2018;2019``). Provenance: ``csa_analysis/reference/csp_lookup.README.md``.
    """
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def load_lad_successors(path: str | Path = SUCCESSORS_FILE) -> pd.DataFrame:
    """The packaged table of abolished district codes -> the April 2023 district that absorbed them.

    Columns ``old_code``, ``old_name``, ``new_code``, ``new_name``, ``lsoas``, ``lsoas_matched``, ``source``.
    """
    return pd.read_csv(path, dtype={"old_code": str, "old_name": str, "new_code": str, "new_name": str,
                                    "source": str})


def csp_areas(c2: pd.DataFrame, *, lookup: pd.DataFrame | None = None,
              successors: pd.DataFrame | None = None) -> pd.DataFrame:
    """Comparison areas: the smallest groups of CSPs whose combined territory is a set of whole districts.

    A CSP is linked to a district (local authority district, current April 2023 code) when the table gives
    the district's code on the CSP's row, or when the ONS lookup (``lookup``, default the packaged 2018/2019
    one) puts the district, or a district it absorbed, in that CSP. Abolished district codes are replaced by
    their successors (``successors``, default the packaged table). Areas are the connected components of these
    links: one CSP and one district (most of England and Wales); one CSP and several districts (a combined CSP
    such as "East and Mid Devon"); several CSPs in one district ("Suffolk Coastal" and "Waveney" = East
    Suffolk; the four Buckinghamshire CSPs); or a tangle ("Bournemouth", "Poole" and "Dorset" = the districts
    Bournemouth, Christchurch and Poole, and Dorset).

    Parameters
    ----------
    c2 : pandas.DataFrame
        One edition from :func:`read_table_c2` (only its ``csp`` rows are used).
    lookup, successors : pandas.DataFrame, optional
        Replacements for the packaged lookups (same columns as :func:`load_csp_lookup` and
        :func:`load_lad_successors`).

    Returns
    -------
    pandas.DataFrame
        One row per CSP x district link (sorted by area, CSP, district): ``area_code`` (the CSP code, or the
        sorted CSP codes joined by ``+``), ``area_name`` (the CSP name, or the CSP names joined by `` + ``),
        ``csp_code``, ``csp_name``, ``force_code``, ``force``, ``lad_code``, ``lad_name`` (current district; blank
        for a CSP linked to none), ``link`` (``table`` or ``lookup``), ``area_csps`` and ``area_districts``
        (how many of each the area holds).
    """
    if c2["period"].nunique() > 1:
        raise ValueError("csp_areas needs one edition of Table C2; select one period first")
    lookup = load_csp_lookup() if lookup is None else lookup
    successors = load_lad_successors() if successors is None else successors
    csps = (c2[c2["row_type"] == "csp"].drop_duplicates("csp_code")
            [["csp_code", "csp_name", "force_code", "force", "la_code", "la_name"]])
    table_links = csps.loc[csps["la_code"] != "", ["csp_code", "la_code", "la_name"]].set_axis(
        ["csp_code", "lad_code", "lad_name"], axis=1).assign(link="table")
    lookup_links = lookup.loc[lookup["csp_code"].isin(csps["csp_code"]), ["csp_code", "lad_code", "lad_name"]]
    links = pd.concat([table_links, lookup_links.assign(link="lookup")], ignore_index=True)
    new_code = links["lad_code"].map(successors.set_index("old_code")["new_code"])
    new_name = links["lad_code"].map(successors.set_index("old_code")["new_name"])
    links["lad_code"] = new_code.fillna(links["lad_code"])
    links["lad_name"] = new_name.fillna(links["lad_name"])
    # A name from the lookup (ONS) wins over the table's (the table calls East Suffolk "Suffolk Coastal").
    names = links.sort_values("link").drop_duplicates("lad_code").set_index("lad_code")["lad_name"]
    links["lad_name"] = links["lad_code"].map(names)
    links = links.drop_duplicates(["csp_code", "lad_code"])  # "table" first: the table's own word is kept
    links = csps[["csp_code"]].merge(links, on="csp_code", how="left")
    links[["lad_code", "lad_name"]] = links[["lad_code", "lad_name"]].fillna("")
    links["link"] = links["link"].fillna("none")

    nodes = pd.Index(pd.unique(pd.concat(["C" + links["csp_code"], "L" + links.loc[links["lad_code"] != "",
                                                                                   "lad_code"]])))
    linked = links[links["lad_code"] != ""]
    a = nodes.get_indexer("C" + linked["csp_code"])
    b = nodes.get_indexer("L" + linked["lad_code"])
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(nodes), len(nodes)))
    _, component = connected_components(graph, directed=False)
    links["_component"] = component[nodes.get_indexer("C" + links["csp_code"])]
    links = links.merge(csps[["csp_code", "csp_name", "force_code", "force"]], on="csp_code")
    per = links.drop_duplicates(["_component", "csp_code"]).sort_values("csp_code").groupby("_component")
    area_code = per["csp_code"].agg("+".join)
    area_name = per["csp_name"].agg(lambda s: " + ".join(sorted(s)))
    links["area_code"] = links["_component"].map(area_code)
    links["area_name"] = links["_component"].map(area_name)
    grouped = links.groupby("area_code")
    links["area_csps"] = grouped["csp_code"].transform("nunique")
    districts = links.loc[links["lad_code"] != ""].groupby("area_code")["lad_code"].nunique()
    links["area_districts"] = links["area_code"].map(districts).fillna(0).astype(grouped["csp_code"].size().dtype)
    # Several CSPs making one district: name the district first, "East Suffolk (Suffolk Coastal + Waveney)".
    one_district = (links["area_csps"] > 1) & (links["area_districts"] == 1)
    links.loc[one_district, "area_name"] = (links["lad_name"] + " (" + links["area_name"] + ")")[one_district]
    cols = ["area_code", "area_name", "csp_code", "csp_name", "force_code", "force", "lad_code", "lad_name", "link",
            "area_csps", "area_districts"]
    return links[cols].sort_values(["area_code", "csp_code", "lad_code"], ignore_index=True)


def csp_rates(c2: pd.DataFrame, population: pd.DataFrame, *, areas: pd.DataFrame | None = None) -> pd.DataFrame:
    """Recorded crimes per 1,000 residents for every comparison area and offence group.

    Parameters
    ----------
    c2 : pandas.DataFrame
        One edition from :func:`read_table_c2`.
    population : pandas.DataFrame
        From :func:`csa_analysis.sources.population.read_mid_year_estimates`, on the same district boundaries
        as ``areas`` (for the 2025 table, the mid-2023 workbook: April 2023 districts).
    areas : pandas.DataFrame, optional
        From :func:`csp_areas` (computed from ``c2`` if not given).

    Returns
    -------
    pandas.DataFrame
        One row per area x offence group, sorted by area name and the table's offence order: ``area_code``,
        ``area_name``, ``csp_codes`` (``;``-joined), ``force`` (``;``-joined), ``district_codes``,
        ``offence_group``, ``period``, ``count`` (Int64, the sum over the area's CSPs; missing if any is ``[x]``),
        ``population`` (Int64, the sum over the area's districts; missing if any is missing from
        ``population``), ``population_year``, ``rate_per_1000`` (float, ``count / population x 1000``).
        A rate is for the whole area: a district in a combined CSP shares it.
    """
    areas = csp_areas(c2) if areas is None else areas
    members = areas[["area_code", "csp_code"]].drop_duplicates()
    rows = c2[c2["row_type"] == "csp"].merge(members, on="csp_code", how="inner")
    keys = ["area_code", "offence_group", "period"]
    grouped = rows.groupby(keys, sort=False)["count"]
    out = grouped.sum(min_count=1).mask(grouped.count() < grouped.size()).astype("Int64").rename("count")
    out = out.reset_index()
    per_area = areas.groupby("area_code").agg(
        area_name=("area_name", "first"),
        csp_codes=("csp_code", lambda s: ";".join(sorted(set(s)))),
        force=("force", lambda s: ";".join(sorted(set(s)))))
    pop = aggregate_areas(population, areas[["area_code", "lad_code"]].rename(columns={"lad_code": "code"}))
    pop = pop.set_index("area_code")[["population", "year", "district_codes"]].rename(
        columns={"year": "population_year"})
    out = out.join(per_area, on="area_code").join(pop, on="area_code")
    out["rate_per_1000"] = (out["count"].astype("Float64") / out["population"].astype("Float64")
                            * 1000).astype("float64")
    order = pd.Series(range(len(offence_groups(c2))), index=offence_groups(c2))
    out = (out.assign(_o=out["offence_group"].map(order))
           .sort_values(["area_name", "area_code", "_o"], ignore_index=True).drop(columns="_o"))
    cols = ["area_code", "area_name", "csp_codes", "force", "district_codes", "offence_group", "period", "count",
            "population", "population_year", "rate_per_1000"]
    return out[cols]


def england_wales_rates(c2: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """England and Wales rates per 1,000 residents per offence group.

    ``rate_per_1000`` is over every comparison area with a rate (a count and a population): the sum of their
    counts over the sum of their populations, so it compares like with like with the areas' own rates (which
    leave out crimes not placed in any CSP). ``rate_per_1000_all_recorded`` is every crime recorded in England
    and Wales (the sum of the force totals, which include the ``Unassigned`` and other non-CSP rows, plus the
    rows of a force without a total row: City of London has only its CSP row) over the population of all
    areas; it is missing unless every area has a population.

    Parameters
    ----------
    c2 : pandas.DataFrame
        The edition the rates came from (its force totals are used).
    rates : pandas.DataFrame
        From :func:`csp_rates`.

    Returns
    -------
    pandas.DataFrame
        One row per period x offence group (table order): ``count``, ``population``, ``rate_per_1000``,
        ``areas`` (areas with a rate), ``areas_without_rate``, ``count_all_recorded`` (sum of force totals, see above),
        ``count_unassigned``, ``count_other`` (non-CSP rows such as Manchester Airport), ``population_all``,
        ``rate_per_1000_all_recorded``.
    """
    keys = ["period", "offence_group"]
    with_rate = rates[rates["rate_per_1000"].notna()]
    g = with_rate.groupby(keys, sort=False)
    out = pd.DataFrame({"count": g["count"].sum(), "population": g["population"].sum(), "areas": g.size()})
    g_all = rates.groupby(keys, sort=False)
    out["areas_without_rate"] = (g_all.size() - out["areas"]).astype("int64")
    pop_all = g_all["population"].sum(min_count=1).mask(g_all["population"].count() < g_all.size())
    by_type = c2.groupby([*keys, "row_type"], sort=False)["count"].sum(min_count=1).unstack("row_type")
    for row_type, column in (("unassigned", "count_unassigned"), ("other", "count_other")):
        out[column] = by_type[row_type] if row_type in by_type else pd.NA
    # Every force's total row, and the rows of a force that has none (City of London: its one CSP is the force).
    with_total = set(c2.loc[c2["row_type"] == "force_total", "force_code"])
    national = c2[(c2["row_type"] == "force_total") | ~c2["force_code"].isin(with_total)]
    out["count_all_recorded"] = national.groupby(keys, sort=False)["count"].sum(min_count=1)
    out["population_all"] = pop_all
    ints = ["count", "population", "count_all_recorded", "count_unassigned", "count_other", "population_all"]
    out[ints] = out[ints].astype("Int64")
    out["rate_per_1000"] = (out["count"] / out["population"] * 1000).astype("float64")
    out["rate_per_1000_all_recorded"] = (out["count_all_recorded"] / out["population_all"] * 1000).astype("float64")
    cols = ["count", "population", "rate_per_1000", "areas", "areas_without_rate", "count_all_recorded",
            "count_unassigned", "count_other", "population_all", "rate_per_1000_all_recorded"]
    return out[cols].reset_index()


def match_districts(districts: Sequence[str], areas: pd.DataFrame, *, successors: pd.DataFrame | None = None,
                    file: str | Path | None = None, where: str | None = None) -> pd.DataFrame:
    """Place a county's districts in the comparison areas of Table C2.

    Each district may be given by ONS district code (current, or an abolished one such as ``E07000205``), by
    CSP code, or by name: the CSP name or the district name (official ONS name, current or former), compared
    with :func:`csa_analysis.config.normalise_name` (case and spacing only; no other guessing). A district in a
    "Combined Local Authorities" CSP is matched to that CSP through the ONS lookup.

    **A CSP covering several districts gives one count for all of them**: every district of the area gets the
    area's count, and its rate must use the area's population (``area_districts`` > 1 and ``shared`` say so).

    Parameters
    ----------
    districts : sequence of str
        Codes or names, e.g. the districts of ``county.toml``.
    areas : pandas.DataFrame
        From :func:`csp_areas`.
    successors : pandas.DataFrame, optional
        Abolished district codes -> current ones (default: the packaged table).
    file, where : optional
        The input to name in errors (e.g. ``county.toml`` and ``[[districts]]``).

    Returns
    -------
    pandas.DataFrame
        One row per district, in the order given: ``district`` (as given), ``area_code``, ``area_name``,
        ``matched_by`` (``district code``, ``CSP code``, ``CSP name``, ``district name``, ``former district
        code`` or ``former district name``), ``lad_code`` (the current district, when matched by a district),
        ``area_csps``, ``area_districts``, ``area_district_names`` (``;``-joined) and ``shared`` (the area's
        count covers more than one district).

    Raises
    ------
    InputError
        A district matching no area (the message gives the nearest names), or matching two different areas.
    """
    successors = load_lad_successors() if successors is None else successors
    succ = successors[successors["new_code"].isin(areas["lad_code"])]
    keys = pd.concat([
        pd.DataFrame({"key": areas["lad_code"], "lad_code": areas["lad_code"], "by": "district code"}),
        pd.DataFrame({"key": areas["csp_code"], "lad_code": "", "by": "CSP code"}),
        pd.DataFrame({"key": areas["csp_name"], "lad_code": "", "by": "CSP name"}),
        pd.DataFrame({"key": areas["lad_name"], "lad_code": areas["lad_code"], "by": "district name"}),
        pd.DataFrame({"key": succ["old_code"], "lad_code": succ["new_code"], "by": "former district code"}),
        pd.DataFrame({"key": succ["old_name"], "lad_code": succ["new_code"], "by": "former district name"}),
    ], ignore_index=True)
    keys = keys[keys["key"] != ""]
    lad_area = areas[areas["lad_code"] != ""].drop_duplicates("lad_code").set_index("lad_code")["area_code"]
    csp_area = areas.drop_duplicates("csp_code").set_index(["csp_code", "csp_name"])["area_code"]
    via_csp = keys["by"].str.startswith("CSP")
    keys["area_code"] = keys["lad_code"].map(lad_area)
    keys.loc[via_csp & (keys["by"] == "CSP code"), "area_code"] = keys["key"].map(
        csp_area.droplevel("csp_name"))
    keys.loc[via_csp & (keys["by"] == "CSP name"), "area_code"] = keys["key"].map(
        csp_area.droplevel("csp_code").groupby(level=0).first())
    keys["norm"] = keys["key"].map(normalise_name)
    keys = keys.dropna(subset=["area_code"]).drop_duplicates(["norm", "area_code", "by", "lad_code"])

    wanted = pd.DataFrame({"district": [str(d) for d in districts]})
    wanted["norm"] = wanted["district"].map(normalise_name)
    wanted["order"] = range(len(wanted))
    hits = wanted.merge(keys, on="norm", how="left")
    n_areas = hits.groupby("order")["area_code"].nunique()
    none = wanted[wanted["order"].map(n_areas) == 0]
    if len(none):
        name = none["district"].iloc[0]
        near = nearest_names(name, keys.loc[~keys["by"].str.contains("code"), "key"].tolist())
        raise InputError(f"district '{name}' matches no Community Safety Partnership of Table C2", file=file,
                         where=where, expected="a district or CSP code or name found in the table or the ONS "
                                               "lookup" + (f"; nearest names: {', '.join(near)}" if near else ""))
    two = wanted[wanted["order"].map(n_areas) > 1]
    if len(two):
        name = two["district"].iloc[0]
        found = hits.loc[hits["order"] == two["order"].iloc[0]].drop_duplicates("area_code")
        names = areas.drop_duplicates("area_code").set_index("area_code")["area_name"]
        listed = "; ".join(f"{names[a]} ({by})" for a, by in zip(found["area_code"], found["by"], strict=True))
        raise InputError(f"district '{name}' matches more than one CSP: {listed}", file=file, where=where,
                         expected="a name that identifies one CSP; give the ONS district code instead")
    rank = {"district code": 0, "CSP code": 1, "former district code": 2, "district name": 3, "CSP name": 4,
            "former district name": 5}
    best = (hits.assign(_r=hits["by"].map(rank)).sort_values(["order", "_r"])
            .drop_duplicates("order").sort_values("order"))
    per_area = areas.groupby("area_code").agg(
        area_name=("area_name", "first"), area_csps=("area_csps", "first"),
        area_districts=("area_districts", "first"),
        area_district_names=("lad_name", lambda s: ";".join(sorted(set(s) - {""}))))
    out = best[["district", "area_code", "by", "lad_code"]].rename(columns={"by": "matched_by"})
    out = out.join(per_area, on="area_code")
    out["shared"] = out["area_districts"] > 1
    cols = ["district", "area_code", "area_name", "matched_by", "lad_code", "area_csps", "area_districts",
            "area_district_names", "shared"]
    return out[cols].reset_index(drop=True)
