"""The board-pack workbook: the scored tables as sheets, formatted for a board paper (openpyxl).

Each sheet has a bold, filled header row of headings a person reads ("Rate per 1,000 residents", not
``rate_per_1000``; the "Column names" sheet maps each heading to its CSV column) that stays frozen on screen and
repeats on every printed page, number formats chosen from the column (thousands separators, pounds,
percentages), months as dates (``2025-10`` is 1 October 2025, shown "Oct 2025"), column widths fitted to the
content, and the table as an Excel table (sortable, filterable, referable by name). Values are exactly those of
the CSV tables; blanks stay blank (never 0). Text that a spreadsheet would read as a formula (starting ``=``,
``+``, ``-`` or ``@``) is stored as text with Excel's quote prefix, so input data can never inject a formula.

The workbook is written in openpyxl's write-only (streaming) mode: memory stays flat for national tables.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from csa_analysis import __version__
from csa_analysis.config.county import County
from csa_analysis.domain.periods import Quarter
from csa_analysis.report.formatting import human_header, quality_rows

HEADER_FILL = PatternFill("solid", fgColor="0B3D6E")
HEADER_FONT = Font(bold=True, color="FFFFFF")
#: Sheet name -> table key, in workbook order (tables not produced are skipped; others follow these).
SHEETS = {
    "County priorities": "county_priorities",
    "Issue scores": "issue_scores",
    "Cost per area": "cost_per_area",
    "Funding scenarios": "funding_scenarios",
    "Harm sensitivity": "harm_sensitivity",
    "Monthly counts": "monthly",
    "RAG status": "rag",
    "Hotspots": "hotspots",
    "Outcomes": "outcomes",
    "Month of year": "month_of_year",
    "Rolling 12-month trend": "rolling_trend",
    "Density maps": "density_maps",
    "Density cells": "density_cells",
    "Density outline": "density_outline",
    "Location exclusions": "location_exclusions",
    "Partnership register": "partnership_register",
    "Partnership overlap": "partnership_overlap",
    "Partnership overlap matrix": "partnership_overlap_matrix",
    "Partnership meeting load": "partnership_load",
    "Partnership admin share": "partnership_admin",
    "Partnership mergers": "partnership_mergers",
    "Hub and spoke scenario": "partnership_scenario",
    "Hub and spoke load": "partnership_scenario_load",
    "Hub and spoke assumptions": "partnership_assumptions",
}
FORMULA_START = ("=", "+", "-", "@")
#: Excel formats by kind.
GBP = '"£"#,##0.00'
SHARE = "0.0%"
PERCENT_POINTS = '0.0"%"'  # a value already in percent (12.5 means 12.5%)
COUNT = "#,##0"
DECIMAL = "#,##0.00"
P_VALUE = "0.0000"
MAX_WIDTH = 60
#: Columns that hold whole numbers even when stored as floats (a blank forces a float column).
_COUNT_NAMES = {"count", "incidents", "population", "districts", "districts_above_county_rate", "rows",
                "meetings_per_year", "partnerships"}


def number_format(column: str, dtype: Any) -> str | None:
    """Excel number format for a column, from its name and type.

    Examples
    --------
    >>> number_format("funding_gbp", "float64")
    '"£"#,##0.00'
    >>> number_format("need_share", "float64")
    '0.0%'
    >>> number_format("change_pct_last_year", "float64")
    '0.0"%"'
    >>> number_format("count_last_year", "float64")
    '#,##0'
    >>> number_format("issue", "str") is None
    True
    """
    if column.endswith("_gbp"):
        return GBP
    if column.endswith("_share"):
        return SHARE
    if column.startswith("change_pct") or column.endswith("_pct"):
        return PERCENT_POINTS
    if column.startswith("p_value"):
        return P_VALUE
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    if not numeric:
        return None
    if (pd.api.types.is_integer_dtype(dtype) or column in _COUNT_NAMES or column.startswith("count_")
            or column.endswith(("_rank", "_count", "_districts")) or column.startswith("rank_")):
        return COUNT
    return DECIMAL


def _cell_value(value: Any) -> Any:
    """A Python value openpyxl can write; None for every kind of blank."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _text_cell(ws, value: str, **style: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=value)
    if value.startswith(FORMULA_START):
        cell.data_type = "s"  # openpyxl would otherwise store it as a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def _width(df: pd.DataFrame, col: Any) -> float:
    sample = df[col].iloc[:500]
    texts = [str(col)] + ["" if pd.isna(v) else (f"{v:,.2f}" if isinstance(v, float) else str(v))
                          for v in sample]
    return min(MAX_WIDTH, max(10, max(map(len, texts)) + 2))


#: The banner row of a sheet built from an input marked illustrative.
BANNER_FILL = PatternFill("solid", fgColor="FFE1E1")
BANNER_FONT = Font(bold=True, color="8B0012")


#: Excel format of a month (a date on the first of the month).
MONTH = "mmm yyyy"


def sheet_headers(columns: list[Any] | pd.Index) -> list[str]:
    """The headings of a sheet: :func:`csa_analysis.report.formatting.human_header` of each column, made unique
    (an Excel table needs distinct headings) by adding the column name to a repeated one.

    Examples
    --------
    >>> sheet_headers(["district", "rate_per_1000", "score_harm"])
    ['District', 'Rate per 1,000 residents', 'Score: harm']
    """
    heads = [human_header(str(c)) for c in columns]
    seen: dict[str, int] = {}
    for h in heads:
        seen[h] = seen.get(h, 0) + 1
    return [f"{h} ({c})" if seen[h] > 1 else h for h, c in zip(heads, columns, strict=True)]


def _months_as_dates(df: pd.DataFrame) -> pd.DataFrame:
    """``month`` columns of ``YYYY-MM`` text as dates (the first of the month); others unchanged."""
    out = df
    for col in df.columns:
        if str(col) == "month" or str(col).endswith("_month"):
            text = df[col].astype("str")
            if text.str.fullmatch(r"\d{4}-\d{2}").fillna(False).all() and len(text):
                out = out.copy() if out is df else out
                out[col] = pd.to_datetime(text + "-01", format="%Y-%m-%d")
    return out


def _table_name(title: str, used: set[str]) -> str:
    """A valid, unique Excel table name for a sheet ("Issue scores" -> "IssueScores")."""
    base = "".join(w[:1].upper() + w[1:] for w in "".join(ch if ch.isalnum() else " " for ch in title).split())
    base = base if base[:1].isalpha() else f"T{base}"
    name, k = base or "Table", 2
    while name.casefold() in used:
        name, k = f"{base}{k}", k + 1
    used.add(name.casefold())
    return name


def write_sheet(ws, df: pd.DataFrame, banner: str | None = None, table_name: str | None = None) -> None:
    """Write ``df`` to a (write-only) worksheet: headings for people, number formats, months as dates, frozen
    header, widths, and (``table_name``) an Excel table over the header and rows.

    Text that a spreadsheet would read as a formula (starting ``=``, ``+``, ``-`` or ``@``) is written as
    text, so input data can never inject a formula. ``banner``: a first row saying the sheet uses an
    illustrative (invented) input; the header then sits on row 2.
    """
    from openpyxl.worksheet.filters import AutoFilter
    from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

    columns = list(df.columns)
    formats = [number_format(str(c), df[c].dtype) for c in columns]
    df = _months_as_dates(df)
    formats = [MONTH if pd.api.types.is_datetime64_any_dtype(df[c].dtype) else f for c, f in zip(columns, formats,
                                                                                                   strict=True)]
    headers = sheet_headers(columns)
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(_width(df, col), min(len(headers[i - 1]) + 2, 30))
    top = 2 if banner else 1
    ws.freeze_panes = f"A{top + 1}"  # (write-only sheets take their settings before the first row)
    ws.print_title_rows = f"{top}:{top}"
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ref = f"A{top}:{get_column_letter(len(columns))}{len(df) + top}" if columns else None
    if ref and table_name and len(df):
        table = Table(displayName=table_name, ref=ref)
        table.tableColumns = [TableColumn(id=i, name=h) for i, h in enumerate(headers, start=1)]
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=True)
        table.autoFilter = AutoFilter(ref=ref)
        with warnings.catch_warnings():  # openpyxl always warns in write-only mode; the columns are set above
            warnings.filterwarnings("ignore", "In write-only mode you must add table columns manually")
            ws.add_table(table)
    elif ref:
        ws.auto_filter.ref = ref
    if banner:
        ws.oddHeader.center.text = "ILLUSTRATIVE DATA"
        ws.append([_text_cell(ws, banner, fill=BANNER_FILL, font=BANNER_FONT)])
    header_align = Alignment(wrap_text=True, vertical="top")
    ws.append([_text_cell(ws, h, fill=HEADER_FILL, font=HEADER_FONT, alignment=header_align) for h in headers])
    wrap = Alignment(wrap_text=True, vertical="top")
    for values in df.itertuples(index=False, name=None):
        row = []
        for value, fmt in zip(values, formats, strict=True):
            v = _cell_value(value)
            if isinstance(v, str):
                row.append(_text_cell(ws, v, **({"alignment": wrap} if len(v) > MAX_WIDTH else {})))
            elif v is not None and fmt:
                cell = WriteOnlyCell(ws, value=v)
                cell.number_format = fmt
                row.append(cell)
            else:
                row.append(v)
        ws.append(row)


#: Tables holding a row per issue (so the rows of an illustrative local issue, when the county has one).
ISSUE_TABLES = ("county_priorities", "issue_scores", "harm_sensitivity", "monthly", "rag", "morile_matrix",
                "concern")


def illustrative_sheets(county: County) -> dict[str, str]:
    """Table key -> the banner its sheet carries, for every table built from an input marked illustrative."""
    out: dict[str, str] = {}
    if county.partnerships_illustrative and county.partnerships_file is not None:
        text = (f"ILLUSTRATIVE DATA: built from the partnership register {county.partnerships_file.name}, invented "
                "for demonstration; not real figures, do not cite them.")
        out |= {key: text for key in SHEETS.values() if key.startswith("partnership")}
    parts = []
    if county.illustrative_issues:
        parts.append("the rows of the local issues " + ", ".join(county.illustrative_issues)
                     + " are invented counts (local/*.csv)")
    for key in ISSUE_TABLES if parts else ():
        out[key] = "ILLUSTRATIVE DATA: " + "; ".join(parts) + "; not real figures, do not cite them."
    if county.consultation_illustrative and county.consultation_file is not None:
        out["concern"] = (f"ILLUSTRATIVE DATA: the residents' survey {county.consultation_file.name} is invented"
                          + (" and " + parts[0] if parts else "") + "; not real figures, do not cite them.")
    return out


def write_workbook(tables: Mapping[str, pd.DataFrame], quality: Mapping[str, Any], county: County,
                   quarter: Quarter, path: str | Path) -> Path:
    """Write ``board_pack.xlsx``: an About sheet, one sheet per table and a data-quality sheet.

    Parameters
    ----------
    tables : mapping of DataFrame
        The scored tables by key (:data:`SHEETS` names the sheets of the known ones; any other table gets a
        sheet named after its key).
    quality : mapping
        The data-quality account (``csa check --json``).
    county, quarter
        Named on the About sheet.
    path : str or Path
        The ``.xlsx`` file to write.

    Returns
    -------
    Path
        ``path``.
    """
    wb = Workbook(write_only=True)
    try:
        _fill(wb, tables, quality, county, quarter)
        path = Path(path)
        wb.save(path)
    except BaseException:  # Ctrl-C, SIGTERM or an error: close the sheets' streams quietly, then re-raise
        _discard(wb)
        raise
    return path


def _discard(wb: Workbook) -> None:
    """Close every write-only sheet's half-written stream now, silently; otherwise the garbage collector closes
    them later and prints "Exception ignored in ... Traceback" on the terminal of an interrupted run."""
    import contextlib

    for ws in wb.worksheets:
        rows = getattr(ws, "_rows", None)
        if rows is not None:
            with contextlib.suppress(BaseException):
                rows.close()
        writer = getattr(ws, "_writer", None)
        if writer is not None:
            with contextlib.suppress(BaseException):
                writer.close()


def _fill(wb: Workbook, tables: Mapping[str, pd.DataFrame], quality: Mapping[str, Any], county: County,
          quarter: Quarter) -> None:
    """Every sheet of :func:`write_workbook` into ``wb``."""
    about = wb.create_sheet("About")
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = 100
    rows = [("County", county.name), ("Quarter", str(quarter)), ("Period", quarter.label()),
            ("Produced by", f"csa-workbench {__version__}"),
            ("Blank cells", "no figure exists (no comparison quarter, no harm weight, no unit cost, no funding)"),
            ("Units", "counts are incidents; *_gbp are pounds; *_share are shares shown as percentages; "
                      "change_pct_* are percentage changes (12.5 = 12.5%); rate_per_1000 is incidents per "
                      "1,000 residents in the quarter"),
            ("Headings", "each sheet is an Excel table with headings for people; the 'Column names' sheet gives "
                         "each heading's column in the CSV files of tables/; months are dates (the first of the "
                         "month)"),
            ("Licence", "Contains public sector information licensed under the Open Government Licence v3.0")]
    for label, text in rows:
        about.append([_text_cell(about, label, font=Font(bold=True)),
                      _text_cell(about, text, alignment=Alignment(wrap_text=True, vertical="top"))])
    banners = illustrative_sheets(county)
    if banners:
        about.append([_text_cell(about, "Illustrative data", font=BANNER_FONT),
                      _text_cell(about, "; ".join(sorted(set(banners.values()))),
                                 alignment=Alignment(wrap_text=True, vertical="top"))])
    known = {key: sheet for sheet, key in SHEETS.items()}
    order = [k for k in SHEETS.values() if k in tables] + sorted(k for k in tables if k not in known)
    used: set[str] = set()
    names = []
    for key in order:
        name = known.get(key) or key.replace("_", " ").capitalize()[:31]
        write_sheet(wb.create_sheet(name), tables[key], banners.get(key), _table_name(name, used))
        names += [(name, h, str(c)) for h, c in zip(sheet_headers(tables[key].columns), tables[key].columns,
                                                    strict=True)]
    write_sheet(wb.create_sheet("Data quality"), quality_rows(quality, by_district=True), None,
                _table_name("Data quality", used))
    write_sheet(wb.create_sheet("Column names"), pd.DataFrame(names, columns=["sheet", "heading", "csv_column"]),
                None, _table_name("Column names", used))
