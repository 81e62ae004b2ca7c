"""Formatting for people, in one place: numbers as text, HTML tables, the house table style, and the
data-quality rows that the command line, the report pages and the workbook all show.

Thousands separators, percentages, pounds, and "n/a" for blanks (a blank is never shown as 0). Every piece of
text from the inputs is HTML-escaped.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

NA = "n/a"


def fmt(value: Any, kind: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or (
            not isinstance(value, str) and pd.isna(value)):
        return NA
    if kind == "int":
        return f"{int(value):,}"
    if kind == "share":
        return f"{float(value):.0%}" if float(value) >= 0.1 or float(value) == 0 else f"{float(value):.1%}"
    if kind == "pct":
        return f"{float(value):+.0f}%"
    if kind == "gbp":
        v = float(value)
        text = f"£{abs(v):,.0f}" if abs(v) >= 100 else f"£{abs(v):,.2f}"
        return "-" + text if v < 0 else text
    if kind == "rate":
        return f"{float(value):,.2f}"
    if kind == "score":
        return f"{float(value):,.1f}"
    if kind == "weight":
        return f"{float(value):,.4g}"
    return str(value)


def format_frame(df: pd.DataFrame, columns: Mapping[str, tuple[str, str]]) -> pd.DataFrame:
    """``df`` formatted for people: the chosen columns as text under their headings.

    Thousands separators, percentages, pounds, and "n/a" for blanks (a blank is never shown as 0).

    Parameters
    ----------
    columns : mapping
        Column -> (heading, kind); kinds as for :func:`html_table`.

    Examples
    --------
    >>> t = pd.DataFrame({"issue": ["Drugs"], "count": [12345], "funding_gbp": [float("nan")],
    ...                   "need_share": [0.25]})
    >>> format_frame(t, {"issue": ("Issue", "text"), "count": ("Count", "int"),
    ...                  "funding_gbp": ("Funding", "gbp"), "need_share": ("Share", "share")}).iloc[0].tolist()
    ['Drugs', '12,345', 'n/a', '25%']
    """
    return pd.DataFrame({heading: [fmt(v, "text" if kind == "status" else kind) for v in df[col]]
                         if col in df else [NA] * len(df)
                         for col, (heading, kind) in columns.items()}, index=df.index)


def html_table(df: pd.DataFrame, columns: Mapping[str, tuple[str, str]], *, css_class: str = "csa") -> str:
    """An HTML table of ``df`` for people.

    Parameters
    ----------
    columns : mapping
        Column -> (heading, kind) with kind one of ``text``, ``int``, ``share`` (0-1 shown as %), ``pct``
        (a percentage change), ``gbp``, ``rate``, ``score``, ``weight``, ``status`` (RAG).
    """
    head = "".join(f"<th>{html.escape(h)}</th>" for h, _ in columns.values())
    rows = []
    for rec in df.to_dict("records"):
        cells = []
        for col, (_, kind) in columns.items():
            text = html.escape(fmt(rec.get(col), "text" if kind == "status" else kind))
            cls = ' class="num"' if kind not in ("text", "status") else ""
            if kind == "status":
                cls = f' class="rag rag-{text.lower()}"'
            cells.append(f"<td{cls}>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>' + "".join(rows)
            + "</tbody></table>")


STYLE = """<style>
table.csa{border-collapse:collapse;font-size:13px;margin:6px 0 14px}
table.csa.csa th{background:#0b3d6e;color:#fff;text-align:left;padding:4px 8px;vertical-align:bottom}
table.csa.csa td{border-bottom:1px solid #ddd;padding:3px 8px;vertical-align:top;text-align:left}
table.csa.csa td.num{text-align:right;white-space:nowrap}
td.rag-red{background:#f4c7b8}td.rag-amber{background:#fde7b0}td.rag-green{background:#cfe8d8}
.csa-meta{color:#444;font-size:13px}.csa-note{color:#555;font-size:12px}
.csa-illustrative{border:2px solid #b00020;background:#fff4f4;color:#6d0013;padding:6px 10px;margin:8px 0;
font-size:14px}
@media print{table.csa{page-break-inside:auto}table.csa thead{display:table-header-group}
tr{page-break-inside:avoid}table.csa th,td.rag-red,td.rag-amber,td.rag-green{-webkit-print-color-adjust:exact;
print-color-adjust:exact}}
</style>"""


def html_output(body: str):
    from IPython.display import HTML

    return HTML(STYLE + body)


def markdown_output(text: str):
    from IPython.display import Markdown

    return Markdown(text)


def esc(text: Any) -> str:
    return html.escape(str(text))


#: The data-quality account's rows, in the order people read them: (key, measure).
QUALITY_ROWS = (
    ("rows_read", "Rows read (every data row of every file)"),
    ("placed", "Placed in the county's districts"),
    ("placed_by_code", "  of which placed by LSOA code (ONS lookups)"),
    ("placed_by_name", "  of which placed by LSOA name (code in no lookup)"),
    ("unallocated", "Unallocated: no location, so no district"),
    ("out_of_area", "Out of area: in a district outside the county"),
    ("duplicates_dropped", "Duplicates dropped (repeated Crime ID)"),
    ("repeated_file_rows", "Identical re-downloaded files counted once (rows)"),
    ("coordinates_outside_gb", "Coordinates outside Great Britain (treated as no location)"),
)


def _total(value: Any) -> int:
    """A count of the account, given as a number or as ``{"total": n, ...}``."""
    if isinstance(value, Mapping):
        value = value.get("total", 0)
    return int(value or 0)


def incomplete_month_rows(quality: Mapping[str, Any]) -> list[tuple[str, int]]:
    """One (measure, rows) per missing or unusually low force-month of the account, in force and month order.

    Examples
    --------
    >>> incomplete_month_rows({"incomplete_force_months": [
    ...     {"force": "suffolk", "month": "2025-03", "status": "missing", "rows": 0, "usual_rows": 4000},
    ...     {"force": "suffolk", "month": "2025-07", "status": "low", "rows": 1200, "usual_rows": 4000}],
    ...     "low_month_share": 0.5})  # doctest: +NORMALIZE_WHITESPACE
    [('Missing month: suffolk 2025-03 (no file; usually 4,000 rows)', 0),
     ('Unusually low month: suffolk 2025-07 (below 50% of its usual 4,000 rows)', 1200)]
    """
    share = float(quality.get("low_month_share", 0.5))
    out = []
    for r in quality.get("incomplete_force_months", []):
        usual = f"{int(r['usual_rows']):,}" if r.get("usual_rows") is not None else "n/a"
        if r["status"] == "missing":
            out.append((f"Missing month: {r['force']} {r['month']} (no file; usually {usual} rows)", 0))
        else:
            out.append((f"Unusually low month: {r['force']} {r['month']} (below {share:.0%} of its usual "
                        f"{usual} rows)", int(r["rows"])))
    return out


def quality_rows(quality: Mapping[str, Any], district: str | None = None, *, by_district: bool = False
                 ) -> pd.DataFrame:
    """The data-quality account as rows for people: ``measure`` and ``rows``.

    The county's totals (with the rows placed by LSOA code and by the LSOA-name fallback), then every missing or
    unusually low force-month (:func:`incomplete_month_rows`: a missing month shows 0 rows).

    Parameters
    ----------
    quality : mapping
        The ``csa check --json`` object.
    district : str, optional
        Add the rows placed in this district (a district page), after the county's.
    by_district : bool
        Add one row per district (the command line and the workbook).

    Examples
    --------
    >>> q = {"rows_read": 10, "districts": {"A": 6, "B": 1}, "unallocated": 2, "out_of_area": 1,
    ...      "duplicates_dropped": 0, "placed_by_code": {"total": 6}, "placed_by_name": {"total": 1}}
    >>> quality_rows(q, "A")["rows"].tolist()
    [10, 7, 6, 6, 1, 2, 1, 0, 0, 0]
    """
    values = {**quality, "placed": sum(quality["districts"].values())}
    rows = [(label, _total(values.get(key, 0))) for key, label in QUALITY_ROWS]
    if district is not None:
        rows.insert(2, (f"Placed in {district} (all months)", int(quality["districts"].get(district, 0))))
    if by_district:
        rows += [(f"Placed in {d}", int(n)) for d, n in quality["districts"].items()]
    rows += incomplete_month_rows(quality)
    rows += local_rows(quality)
    return pd.DataFrame(rows, columns=["measure", "rows"])


def local_rows(quality: Mapping[str, Any]) -> list[tuple[str, int]]:
    """The local issues' part of the account (partner data): rows read per file, district-months of an issue
    with no row (counted as 0), and each issue not scored because its months do not cover the quarter.

    Examples
    --------
    >>> local_rows({"local": {"files": {"sarc.csv": 84}, "issues": {"SARC": {"district_months_without_row": 2}},
    ...             "not_scored": ["Hate"], "quarter": "2025-26Q3"}})  # doctest: +NORMALIZE_WHITESPACE
    [('Local issue counts: sarc.csv (rows read)', 84),
     ('Local issue SARC: district-months with no row (counted as 0)', 2),
     ('Local issue Hate: not scored (its months do not cover 2025-26Q3)', 0)]
    """
    local = quality.get("local")
    if not local:
        return []
    out = [(f"Local issue counts: {name} (rows read)", int(n)) for name, n in local.get("files", {}).items()]
    out += [(f"Local issue {issue}: district-months with no row (counted as 0)", int(v["district_months_without_row"]))
            for issue, v in local.get("issues", {}).items() if v.get("district_months_without_row")]
    out += [(f"Local issue {issue}: not scored (its months do not cover {local.get('quarter', 'the quarter')})", 0)
            for issue in local.get("not_scored", [])]
    return out


def largest_out_of_area(quality: Mapping[str, Any], n: int = 8) -> list[tuple[str, int]]:
    """The ``n`` local-authority names outside the county with most rows, largest first."""
    return sorted(quality.get("out_of_area_by_area", {}).items(), key=lambda kv: (-kv[1], kv[0]))[:n]
