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
    if kind == "int":  # rounded, never truncated (a harm score of 12.7 is 13)
        return f"{int(value):,}" if isinstance(value, int | np.integer) else f"{round(float(value)):,}"
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
    >>> fmt(1234.5001, "int"), fmt(0.004, "gbp"), fmt(12.7, "int")
    ('1,235', '£0.00', '13')
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
font-size:14px}.csa-illustrative-tag{color:#8b0012}
figure.csa-chart{margin:8px 0 18px}figure.csa-chart figcaption{font-size:13px;color:#222;margin:4px 0}
details.csa-data summary{cursor:pointer;color:#0b3d6e;font-size:13px}
.csa-exec li{margin:3px 0}dl.csa-glossary dt{font-weight:bold;margin-top:6px}dl.csa-glossary dd{margin-left:1.5em}
@media print{details.csa-data{display:none}figure.csa-chart{page-break-inside:avoid}
table.csa{page-break-inside:auto}table.csa thead{display:table-header-group}
tr{page-break-inside:avoid}table.csa th,td.rag-red,td.rag-amber,td.rag-green{-webkit-print-color-adjust:exact;
print-color-adjust:exact}}
</style>"""


#: Headings a person reads for the columns of the scored tables (:func:`human_header` builds the others).
HEADERS: dict[str, str] = {
    "district": "District", "issue": "Issue", "quarter": "Quarter", "month": "Month", "period": "Period",
    "count": "Incidents", "count_prev_quarter": "Incidents, previous quarter",
    "count_last_year": "Incidents, same quarter last year",
    "change_pct_prev_quarter": "Change on previous quarter (%)", "change_pct_last_year": "Change on last year (%)",
    "change_flag": "Change beyond random variation?", "change_basis": "Change compared with",
    "rate_per_1000": "Rate per 1,000 residents", "rate_low_per_1000": "Rate per 1,000, 95% interval low",
    "rate_high_per_1000": "Rate per 1,000, 95% interval high", "location_quotient": "Location quotient",
    "harm_score": "Harm score", "harm_weight": "Harm weight per offence", "cost_of_crime_gbp": "Cost of crime (£)",
    "unit_cost_gbp": "Unit cost (£)", "price_year": "Price year", "priority_score": "Priority score (0-100)",
    "priority_rank": "Priority rank", "population": "Residents", "funding_gbp": "Funding (£, its period)",
    "funding_annual_gbp": "Funding a year (£)", "incidents": "Incidents",
    "funding_per_incident_gbp": "Funding a year per incident a year (£)",
    "funding_per_1000_residents_gbp": "Funding a year per 1,000 residents (£)", "need_share": "Share of need",
    "funding_share": "Share of funding", "districts_above_county_rate": "Districts at or above the county rate",
    "prevalence_share": "Prevalence (share of districts)", "delivery_level": "Delivery level",
    "rationale": "Rationale", "risk_note": "Risk note", "status": "RAG status", "reason": "Why",
    "level": "Level", "p_value_adjusted": "p-value (adjusted for many tests)",
    "p_value_prev_quarter": "p-value against previous quarter", "p_value_last_year": "p-value against last year",
    "place_type": "Place type", "rank": "Rank", "rank_shared": "Rank (ties shared)", "place_code": "Place code",
    "place_name": "Place", "lsoa_name": "LSOA", "longitude": "Longitude", "latitude": "Latitude",
    "share": "Share", "district_issue_count": "District's incidents of the issue",
    "outcome_group": "Outcome group", "crimes": "Crimes", "calendar_month": "Calendar month (1-12)",
    "month_name": "Calendar month", "mean_count": "Incidents a month on average", "years": "Years averaged",
    "min_count": "Fewest incidents", "max_count": "Most incidents", "rolling_total": "12-month rolling total",
    "months_in_window": "Months in the window", "density_per_km2": "Incidents per km²", "points": "Map points",
    "main_lsoa": "Main LSOA", "measure": "Measure", "rows": "Rows",
}


def human_header(column: str) -> str:
    """The heading a person reads for a table column.

    Examples
    --------
    >>> human_header("rate_per_1000"), human_header("score_volume"), human_header("cell_km")
    ('Rate per 1,000 residents', 'Score: volume', 'Cell km')
    >>> human_header("needs_based_gbp")
    'Needs based (£)'
    """
    column = str(column)
    if column in HEADERS:
        return HEADERS[column]
    if column.startswith("score_"):
        return "Score: " + column.removeprefix("score_").replace("_", " ")
    if column.startswith("rank_"):
        return "Rank: " + column.removeprefix("rank_").replace("_", " ")
    text = column
    suffix = ""
    for end, unit in (("_gbp", " (£)"), ("_pct", " (%)"), ("_per_1000", " per 1,000 residents"),
                      ("_share", " share"), ("_km2", " per km²")):
        if text.endswith(end):
            text, suffix = text[: -len(end)], unit
            break
    text = text.replace("_", " ").replace("-", " ").strip()
    return (text[:1].upper() + text[1:] + suffix) if text else column


def auto_kind(column: str, dtype: Any) -> str:
    """The :func:`fmt` kind of a column, from its name and type (for tables built without a column list).

    Examples
    --------
    >>> auto_kind("count", "int64"), auto_kind("share", "float64"), auto_kind("issue", "str")
    ('int', 'share', 'text')
    """
    column = str(column)
    if column.endswith("_gbp"):
        return "gbp"
    if column == "share" or column.endswith("_share"):
        return "share"
    if column.startswith("change_pct"):
        return "pct"
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        return "text"
    if pd.api.types.is_integer_dtype(dtype) or column in ("count", "incidents", "population", "crimes") or \
            column.startswith("count") or column.endswith(("_count", "rank")) or column == "rolling_total":
        return "int"
    if "rate" in column or "quotient" in column or column.startswith(("x_", "y_", "mean")):
        return "rate"
    return "score"


def auto_table(df: pd.DataFrame) -> str:
    """``df`` as an HTML table with headings and number formats chosen from its columns."""
    return html_table(df, {c: (human_header(c), auto_kind(c, df[c].dtype)) for c in df.columns})


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
