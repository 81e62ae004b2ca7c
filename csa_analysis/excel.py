"""The board-pack workbook: the scored tables as sheets, formatted for a board paper (openpyxl)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from . import __version__
from .config import County
from .periods import Quarter

HEADER_FILL = PatternFill("solid", fgColor="0B3D6E")
HEADER_FONT = Font(bold=True, color="FFFFFF")
#: Sheet name -> table key, in workbook order.
SHEETS = {
    "County priorities": "county_priorities",
    "Issue scores": "issue_scores",
    "Cost per area": "cost_per_area",
    "Funding scenarios": "funding_scenarios",
    "Harm sensitivity": "harm_sensitivity",
    "Monthly counts": "monthly",
    "Partnership overlap": "partnership_overlap",
    "Partnership meeting load": "partnership_load",
    "Partnership admin share": "partnership_admin",
    "Partnership mergers": "partnership_mergers",
    "Hub and spoke scenario": "partnership_scenario",
    "Hub and spoke load": "partnership_scenario_load",
    "Hub and spoke assumptions": "partnership_assumptions",
}
FORMULA_START = ("=", "+", "-", "@")


def number_format(column: str, dtype) -> str | None:
    """Excel number format for a column, from its name and type."""
    if column.endswith("_gbp"):
        return '"£"#,##0.00'
    if column.endswith("_share") or column in ("need_share", "funding_share", "prevalence_share"):
        return "0.0%"
    if column.startswith("change_pct"):
        return '0.0"%"'
    if column.startswith("p_value"):
        return "0.0000"
    if pd.api.types.is_integer_dtype(dtype):
        return "#,##0"
    if pd.api.types.is_float_dtype(dtype):
        return "#,##0.00"
    return None


def _cell_value(value):
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_sheet(ws, df: pd.DataFrame) -> None:
    """Write ``df`` to a worksheet: styled header, number formats, frozen header row, column widths.

    Text that a spreadsheet would read as a formula (starting ``=``, ``+``, ``-`` or ``@``) is written as
    text, so input data can never inject a formula.
    """
    ws.append([str(c) for c in df.columns])
    for cell in ws[1]:
        cell.fill = HEADER_FILL
        cell.font = HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    formats = [number_format(str(c), df[c].dtype) for c in df.columns]
    for values in df.itertuples(index=False, name=None):
        ws.append([_cell_value(v) for v in values])
    for col_idx, fmt in enumerate(formats, start=1):
        width = max([len(str(df.columns[col_idx - 1]))] + [min(60, len(str(v))) for v in df.iloc[:200, col_idx - 1]])
        ws.column_dimensions[get_column_letter(col_idx)].width = min(60, max(10, width + 2))
        for row in ws.iter_rows(min_row=2, min_col=col_idx, max_col=col_idx):
            cell = row[0]
            if isinstance(cell.value, str):
                if cell.value.startswith(FORMULA_START):
                    cell.data_type = "s"
                cell.alignment = Alignment(wrap_text=len(cell.value) > 60, vertical="top")
            elif fmt and cell.value is not None:
                cell.number_format = fmt
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def write_workbook(tables: dict[str, pd.DataFrame], quality: dict, county: County, quarter: Quarter,
                   path: str | Path) -> Path:
    """Write ``board_pack.xlsx``: an About sheet, one sheet per table and a data-quality sheet."""
    wb = Workbook()
    about = wb.active
    about.title = "About"
    rows = [("County", county.name), ("Quarter", str(quarter)), ("Period", quarter.label()),
            ("Produced by", f"csa-workbench {__version__}"),
            ("Blank cells", "no figure exists (no comparison quarter, no harm weight, no unit cost, no funding)"),
            ("Licence", "Contains public sector information licensed under the Open Government Licence v3.0")]
    for r in rows:
        about.append(list(r))
    about["A1"].font = Font(bold=True)
    about.column_dimensions["A"].width = 16
    about.column_dimensions["B"].width = 100
    for cell in about["B"]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"
    for sheet, key in SHEETS.items():
        if key in tables:
            write_sheet(wb.create_sheet(sheet), tables[key])
    dq = pd.DataFrame([
        ("rows_read", quality["rows_read"]), ("placed_in_county", sum(quality["districts"].values())),
        ("unallocated", quality["unallocated"]), ("out_of_area", quality["out_of_area"]),
        ("duplicates_dropped", quality["duplicates_dropped"]),
        *[(f"placed: {d}", n) for d, n in quality["districts"].items()],
    ], columns=["measure", "rows"])
    write_sheet(wb.create_sheet("Data quality"), dq)
    path = Path(path)
    wb.save(path)
    return path
