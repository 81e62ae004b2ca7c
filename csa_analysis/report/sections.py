"""What the report notebooks call: open a pack, then one function per section, each returning something a
notebook displays (HTML, Markdown or a chart image). Every table is formatted for people: thousands
separators, percentages, pounds, and "n/a" for blanks. Every piece of text from the inputs is HTML-escaped.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csa_analysis import __version__
from csa_analysis.config.county import County, read_county
from csa_analysis.domain.names import normalise_name
from csa_analysis.domain.periods import Quarter
from csa_analysis.errors import InputError
from csa_analysis.method.volume import poisson_quantile
from csa_analysis.paths import SAMPLE_DATA_DIR
from csa_analysis.report import charts
from csa_analysis.report.methodology import methodology_markdown

#: Environment variable read by the board-pack runner (:mod:`csa_analysis.run.boardpack`): a comma-separated list
#: of district names (or ``county``) whose reports fail on purpose. The runner turns it into each notebook's
#: ``fail`` parameter, so the executed notebook records why it failed.
FAIL_ENV = "CSA_FAIL_REPORT"
TOP_N = 5
NA = "n/a"


@dataclass
class Pack:
    """Everything one report shows.

    Attributes
    ----------
    county : County
    quarter : Quarter
    tables : dict of DataFrame
        The scored tables (:func:`csa_analysis.method.score.build_tables`).
    quality : dict
        The data-quality account (``csa check --json``).
    inputs : list of dict
        Files read, with sha256 and rows.
    district : str or None
        The district of a district assessment; None for the county roll-up.
    generated_at : str
        When the run started (given by the runner; blank in an interactive session).
    extras : dict
        Optional sections (e.g. the partnership register) keyed by name.
    """

    county: County
    quarter: Quarter
    tables: dict[str, pd.DataFrame]
    quality: dict[str, Any]
    inputs: list[dict[str, Any]]
    district: str | None = None
    generated_at: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def area(self) -> str:
        return self.district or self.county.name

    @property
    def period(self) -> str:
        return self.quarter.label()

    @property
    def harm_unit(self) -> str:
        """Unit of the harm weights in use (e.g. ``"CCHI days"``), read from the county's harm table."""
        from csa_analysis.method.harm import harm_weights_for

        units = harm_weights_for(self.county)["unit"].dropna().astype("str")
        return units.iloc[0] if len(units) else "weighted harm"


# --------------------------------------------------------------------------------------------------
# Opening


def save_pack_data(tables: Mapping[str, pd.DataFrame], quality: dict, inputs: list, folder: Path) -> None:
    """Write what reports need into ``folder`` (Parquet tables, quality and inputs as JSON)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        table.to_parquet(folder / f"{name}.parquet", index=False)
    (folder / "quality.json").write_text(json.dumps(quality, indent=1), encoding="utf-8")
    (folder / "inputs.json").write_text(json.dumps(inputs, indent=1), encoding="utf-8")


def _read_pack_data(folder: Path) -> tuple[dict[str, pd.DataFrame], dict, list]:
    tables = {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}
    quality = json.loads((folder / "quality.json").read_text(encoding="utf-8"))
    inputs = json.loads((folder / "inputs.json").read_text(encoding="utf-8"))
    return tables, quality, inputs


def open_report(data_dir: str = "", quarter: str = "", district: str = "", tables_dir: str = "",
                generated_at: str = "", fail: bool = False) -> Pack:
    """Validate a report's parameters and gather what it shows.

    Parameters
    ----------
    data_dir : str
        Data folder with county.toml; blank = the shipped sample.
    quarter : str
        Financial quarter such as ``2018-19Q3``; blank = the latest complete quarter in the data.
    district : str
        Official name or alias of a district; blank = the county roll-up.
    tables_dir : str
        Folder of pre-computed tables written by the board-pack runner; blank = compute them now.
    generated_at : str
        Run time stamp shown in the header (the runner passes it).
    fail : bool
        Raise ``RuntimeError`` here on purpose, after the parameters are validated: failure injection for
        the tests and for a scheduler's alert drill (the runner sets it from ``$CSA_FAIL_REPORT``).

    Raises
    ------
    InputError
        Unknown district or quarter, bad inputs.
    RuntimeError
        ``fail`` is true.
    """
    county = read_county(Path(data_dir) if data_dir else SAMPLE_DATA_DIR)
    name = None
    if district:
        name = county.name_map().get(normalise_name(district))
        if name is None:
            raise InputError(f"district {district!r} is not in {county.name}", where="parameter district",
                             expected="one of " + ", ".join(county.district_names))
    if quarter:
        Quarter.parse(quarter)  # a malformed quarter is a parameter error, named before any work
    if fail:
        raise RuntimeError(f"failure injected for {name or 'county'} (parameter fail=True, ${FAIL_ENV})")
    if tables_dir:
        tables, quality, inputs = _read_pack_data(Path(tables_dir))
        q = Quarter.parse(quarter) if quarter else Quarter.parse(str(tables["issue_scores"]["quarter"].iloc[0]))
    else:
        from csa_analysis.ingest.combine import complete_months
        from csa_analysis.ingest.counts import arrow_monthly_counts
        from csa_analysis.method.disclosure import publish
        from csa_analysis.method.score import build_tables_from_counts
        from csa_analysis.run.pipeline import resolve_quarter

        counts, account, quality = arrow_monthly_counts(county)
        q = resolve_quarter(quarter or None, account)
        tables = publish(build_tables_from_counts(counts, county, q, complete_months(account)), county.disclosure)
        inputs = account["inputs"]
    return Pack(county, q, tables, quality, inputs, name, generated_at)


# --------------------------------------------------------------------------------------------------
# Formatting


def _fmt(value: Any, kind: str) -> str:
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
    return pd.DataFrame({heading: [_fmt(v, "text" if kind == "status" else kind) for v in df[col]]
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
            text = html.escape(_fmt(rec.get(col), "text" if kind == "status" else kind))
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
@media print{table.csa{page-break-inside:auto}table.csa thead{display:table-header-group}
tr{page-break-inside:avoid}table.csa th,td.rag-red,td.rag-amber,td.rag-green{-webkit-print-color-adjust:exact;
print-color-adjust:exact}}
</style>"""


def _html(body: str):
    from IPython.display import HTML

    return HTML(STYLE + body)


def _markdown(text: str):
    from IPython.display import Markdown

    return Markdown(text)


def _esc(text: Any) -> str:
    return html.escape(str(text))


# --------------------------------------------------------------------------------------------------
# Sections


def _with_population(scores: pd.DataFrame, pack: Pack) -> pd.DataFrame:
    """``issue_scores`` with a ``population`` column (taken from ``cost_per_area`` if the table lacks it)."""
    if "population" in scores:
        return scores
    pop = pack.tables["cost_per_area"].set_index(pack.tables["cost_per_area"]["district"].astype("str"))
    return scores.assign(population=scores["district"].astype("str").map(pop["population"]))


def _district_scores(pack: Pack) -> pd.DataFrame:
    s = _with_population(pack.tables["issue_scores"], pack)
    if pack.district is None:
        return s
    return s[s["district"].astype("str") == pack.district]


def header(pack: Pack):
    """Title, period and generation details."""
    kind = "Strategic assessment" if pack.district else "County roll-up: Community Safety Agreement evidence"
    months = pack.quality.get("months", [])
    span = f"{months[0]} to {months[-1]}" if months else NA
    when = _esc(pack.generated_at) if pack.generated_at else "interactive session"
    where = f"{_esc(pack.district)}, {_esc(pack.county.name)}" if pack.district else _esc(pack.county.name)
    return _html(
        f"<h1>{_esc(kind)}: {where}</h1>"
        f"<p class='csa-meta'><b>Period:</b> {_esc(pack.period)} &nbsp; <b>Data:</b> police.uk street-level "
        f"records {span} &nbsp; <b>Generated:</b> {when} by csa-workbench {_esc(__version__)}</p>"
    )


def rag_status(pack: Pack) -> pd.DataFrame:
    """Red / Amber / Green per issue of the report's area.

    Red: an increase beyond random variation, or a rate above the county's 99.8% Poisson limit.
    Amber: a rate at or above the county rate. Green: otherwise. (County roll-up: on county change only:
    Red for an increase, Amber for an issue escalated to county level, Green otherwise.)
    """
    cp = pack.tables["county_priorities"].assign(issue=lambda t: t["issue"].astype("str"))
    if pack.district is None:
        t = cp.copy()
        flag = t.get("change_flag", pd.Series(index=t.index, dtype="str")).astype("str")
        red = flag == "increase"
        amber = t["delivery_level"] != "district-led"
        reason = np.where(red, "increase beyond random variation",
                          np.where(amber, "escalated: " + t["delivery_level"], "district-led, no increase"))
    else:
        t = _district_scores(pack).assign(issue=lambda d: d["issue"].astype("str")).copy()
        county_rate = t["issue"].map(cp.set_index("issue")["rate_per_1000"])
        pop = t["population"]
        expected = county_rate * pop / 1000
        upper = poisson_quantile(0.999, expected) / pop * 1000
        flag = t["change_flag"].astype("str")
        rate = t["rate_per_1000"].astype("float64")
        red = ((flag == "increase") | (rate > upper)).fillna(False)
        amber = (~red & (rate >= county_rate) & (t["count"].astype("float64") > 0)).fillna(False)
        reason = np.where(flag == "increase", "increase beyond random variation",
                          np.where(red, "rate above the county's 99.8% limit",
                                   np.where(amber, "rate at or above the county rate", "below the county rate")))
        t["county_rate_per_1000"] = county_rate
    t["status"] = np.where(red, "Red", np.where(amber, "Amber", "Green"))
    t["reason"] = reason
    return t.sort_values("priority_rank")


def summary(pack: Pack):
    """One screen: top priorities, biggest changes and the RAG status."""
    scores = _district_scores(pack) if pack.district else pack.tables["county_priorities"]
    top = scores.sort_values("priority_rank").head(TOP_N)
    items = "".join(
        f"<li><b>{_esc(r.issue)}</b>: {_fmt(r.count, 'int')} incidents, {_fmt(r.rate_per_1000, 'rate')} per "
        f"1,000 residents (priority score {_fmt(r.priority_score, 'score')})</li>" for r in top.itertuples())
    change_col = "change_pct_last_year" if scores["change_pct_last_year"].notna().any() else \
        "change_pct_prev_quarter"
    changes = scores.dropna(subset=[change_col])
    if changes.empty:
        changes_html = ("<p class='csa-note'>No comparison is possible: neither the previous quarter nor the "
                        "same quarter last year is fully in the data.</p>")
    else:
        big = changes.reindex(changes[change_col].abs().sort_values(ascending=False).index).head(TOP_N)
        basis = "the same quarter last year" if change_col.endswith("last_year") else "the previous quarter"
        changes_html = f"<p>Largest changes against {basis}:</p>" + html_table(big, {
            "issue": ("Issue", "text"), "count": ("Count", "int"), change_col: ("Change", "pct"),
            "change_flag": ("Larger than random variation?", "text")})
    rag = rag_status(pack)
    counts = rag["status"].value_counts()
    rag_line = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("Red", "Amber", "Green"))
    return _html(
        f"<h3>Top priorities</h3><ol>{items}</ol><h3>Biggest changes</h3>{changes_html}"
        f"<h3>RAG status</h3><p>{rag_line}</p>" + html_table(rag.head(14), {
            "issue": ("Issue", "text"), "status": ("Status", "status"), "reason": ("Why", "text")})
    )


def priorities_table(pack: Pack):
    """The ranked issues with every score component beside the total."""
    if pack.district:
        t = _district_scores(pack).sort_values("priority_rank")
        cols = {"priority_rank": ("Rank", "int"), "issue": ("Issue", "text"), "count": ("Count", "int"),
                "rate_per_1000": ("Per 1,000", "rate"), "location_quotient": ("Location quotient", "rate"),
                "change_pct_last_year": ("Change on last year", "pct"),
                "harm_score": (f"Harm ({pack.harm_unit})", "int"), "cost_of_crime_gbp": ("Cost of crime", "gbp")}
    else:
        t = pack.tables["county_priorities"].sort_values("priority_rank")
        cols = {"priority_rank": ("Rank", "int"), "issue": ("Issue", "text"), "count": ("Count", "int"),
                "rate_per_1000": ("Per 1,000", "rate"),
                "districts_above_county_rate": ("Districts at/above county rate", "int"),
                "prevalence_share": ("Prevalence", "share"), "harm_score": (f"Harm ({pack.harm_unit})", "int"),
                "cost_of_crime_gbp": ("Cost of crime", "gbp")}
    cols |= {f"score_{c}": (c.capitalize(), "score") for c in ("volume", "trend", "harm", "cost", "prevalence")}
    cols["priority_score"] = ("Priority score (0-100)", "score")
    note = ("<p class='csa-note'>Components are scaled 0-1 within the issues ranked; the priority score is their "
            "weighted sum (weights in county.toml) on a 0-100 scale. Blank harm or cost means no weight or "
            "unit cost exists, not zero.</p>")
    return _html(html_table(t, cols) + note)


def delivery_table(pack: Pack):
    """County issues with their delivery level, the rationale, and the risk note of each issue not escalated."""
    t = pack.tables["county_priorities"].sort_values("priority_rank")
    return _html(html_table(t, {"issue": ("Issue", "text"), "delivery_level": ("Delivery level", "text"),
                                "rationale": ("Rationale", "text"), "risk_note": ("Risk note", "text")}))


def cost_table(pack: Pack):
    """Funding, incidents, cost of crime and need per district."""
    t = pack.tables["cost_per_area"]
    if pack.district:
        t = t[t["district"].astype("str") == pack.district]
    label = _esc(pack.county.funding_info.label)
    return _html(f"<p class='csa-note'>Funding: {label}.</p>" + html_table(t, {
        "district": ("District", "text"), "population": ("Residents", "int"), "funding_gbp": ("Funding", "gbp"),
        "incidents": ("Incidents", "int"), "funding_per_incident_gbp": ("Funding per incident", "gbp"),
        "funding_per_1000_residents_gbp": ("Funding per 1,000 residents", "gbp"),
        "cost_of_crime_gbp": ("Cost of crime (partial)", "gbp"), "need_share": ("Share of need", "share"),
        "funding_share": ("Share of funding", "share")}))


def scenarios_table(pack: Pack):
    """Needs-based allocation of the pot, now and under each cut scenario."""
    t = pack.tables["funding_scenarios"]
    if t.empty:
        return _html("<p class='csa-note'>No funding was given, so no allocation scenario is shown.</p>")
    return _html(html_table(t, {
        "scenario": ("Scenario", "text"), "pot_gbp": ("Pot", "gbp"), "district": ("District", "text"),
        "need_share": ("Share of need", "share"), "needs_based_gbp": ("Needs-based allocation", "gbp"),
        "funding_gbp": ("Current funding", "gbp"), "difference_gbp": ("Difference", "gbp")}))


def sensitivity_table(pack: Pack):
    """County harm ranks under each weighting."""
    t = pack.tables["harm_sensitivity"]
    cols = {"issue": ("Issue", "text"), "count": ("Count", "int")}
    cols |= {c: (c.removeprefix("rank_").replace("_", " ").capitalize() + " rank", "int")
             for c in t.columns if c.startswith("rank_")}
    cols["max_rank_change"] = ("Largest rank change", "int")
    return _html(html_table(t, cols))


def data_quality(pack: Pack):
    """Rows read, placed, unallocated, out of area and duplicates."""
    q = pack.quality
    rows = [("Rows read (every data row of every file)", q["rows_read"]),
            ("Placed in the county's districts", sum(q["districts"].values())),
            ("Unallocated: no location, so no district", q["unallocated"]),
            ("Out of area: in a district outside the county", q["out_of_area"]),
            ("Duplicates dropped (repeated Crime ID)", q["duplicates_dropped"]),
            ("Identical re-downloaded files counted once (rows)", q.get("repeated_file_rows", 0)),
            ("Coordinates outside Great Britain (treated as no location)", q.get("coordinates_outside_gb", 0))]
    if pack.district:
        rows.insert(2, (f"Placed in {pack.district} (all months)", q["districts"].get(pack.district, 0)))
    t = pd.DataFrame(rows, columns=["measure", "rows"])
    top = sorted(q.get("out_of_area_by_area", {}).items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    extra = ("<p class='csa-note'>Largest out-of-area sources: "
             + _esc(", ".join(f"{k} {v:,}" for k, v in top)) + "</p>") if top else ""
    return _html(html_table(t, {"measure": ("Measure", "text"), "rows": ("Rows", "int")}) + extra)


def partnership_landscape(pack: Pack):
    """The partnership landscape section (county roll-up), shown only when a partnership register is given."""
    if "partnership_overlap" not in pack.tables:
        return None
    from csa_analysis.partnerships.register import (
        admin_share_context,
        meeting_load_context,
        overlap_matrix,
        read_register,
    )
    from csa_analysis.report.partnership_charts import overlap_matrix_figure

    t = pack.tables
    register = read_register(pack.county.partnerships_file, pack.county)
    chart = charts.png(overlap_matrix_figure(
        overlap_matrix(register),
        f"Partnership landscape: remit overlap between partnerships (Jaccard index, 0-1), {pack.county.name}"))
    return _html(
        "<h2>Partnership landscape</h2>"
        f"<p>{len(register)} partnerships in the register ({_esc(pack.county.partnerships_file.name)}). "
        f"{_esc(admin_share_context(t['partnership_admin']))}</p>" + chart.data
        + "<h3>Meeting load per agency</h3>"
        + f"<p>{_esc(meeting_load_context(t['partnership_load'], register))}</p>"
        + html_table(t["partnership_load"], {
            "agency": ("Agency", "text"), "partnerships": ("Partnerships", "int"),
            "meetings_per_year": ("Meetings a year", "int")})
        + "<h3>Candidate mergers</h3>" + (html_table(t["partnership_mergers"], {
            "partnership_a": ("Partnership", "text"), "partnership_b": ("With", "text"),
            "jaccard": ("Remit overlap", "share"), "reason": ("Why", "text")})
            if len(t["partnership_mergers"]) else "<p>No pair meets the overlap threshold.</p>")
        + "<h3>Hub-and-spoke scenario</h3>" + html_table(t["partnership_scenario"], {
            "measure": ("Measure", "text"), "before": ("Before", "int"), "after": ("After", "int"),
            "change": ("Change", "int"), "unit": ("Unit", "text")})
        + "<p class='csa-note'>Assumptions:</p>" + html_table(t["partnership_assumptions"], {
            "assumption": ("Assumption", "text"), "value": ("Value", "text"), "note": ("Note", "text")})
    )


def methodology(pack: Pack):
    """The methodology annex, with this county's settings (its own leading title dropped: the notebook's
    section heading names it)."""
    text = methodology_markdown(pack.county).lstrip()
    first, _, rest = text.partition("\n")
    if first.startswith("#") and first.lstrip("#").strip().casefold() == "methodology":
        text = rest.lstrip("\n")
    return _markdown(text)


def provenance(pack: Pack):
    """Input files with their sha256 and rows, and the software version."""
    t = pd.DataFrame(pack.inputs)
    return _html(f"<p class='csa-meta'>csa-workbench {_esc(__version__)}; county description "
                 f"{_esc(pack.county.toml_path.name)}. Contains public sector information licensed under the "
                 "Open Government Licence v3.0.</p>" + html_table(t, {
                     "path": ("File", "text"), "rows": ("Rows", "int"), "sha256": ("sha256", "text")}))


# --------------------------------------------------------------------------------------------------
# Charts (each returns an image a notebook shows)


def _top_issues(pack: Pack) -> list[str]:
    scores = _district_scores(pack) if pack.district else pack.tables["county_priorities"]
    return scores.sort_values("priority_rank")["issue"].astype("str").head(TOP_N).tolist()


def trend_chart(pack: Pack):
    """Monthly incidents of the area's top priorities over every month in the data."""
    return charts.png(charts.trend_chart(pack.tables["monthly"], _top_issues(pack), pack.area, None,
                                         pack.district))


def rates_chart(pack: Pack):
    """The district's rate per 1,000 residents for each issue against the county rate."""
    return charts.png(charts.rates_vs_county(pack.tables["issue_scores"], pack.tables["county_priorities"],
                                             pack.district or "", pack.period))


def matrix_chart(pack: Pack):
    """Priority matrix: volume against harm of every issue in the area."""
    table = _district_scores(pack) if pack.district else pack.tables["county_priorities"]
    return charts.png(charts.priority_matrix(table, pack.area, pack.period, pack.harm_unit))


def heatmap_chart(pack: Pack):
    """Issue x district heat map of location quotients."""
    return charts.png(charts.heatmap(pack.tables["issue_scores"], pack.period))


def funnel_chart(pack: Pack):
    """Funnel plot of the county's top priority: district rates against the county rate."""
    return charts.png(charts.funnel_plot(_with_population(pack.tables["issue_scores"], pack),
                                         pack.tables["county_priorities"],
                                         _top_issues(pack)[0], pack.period))


def funding_chart(pack: Pack):
    """Each district's share of need against its share of funding."""
    return charts.png(charts.funding_vs_need(pack.tables["cost_per_area"], pack.period,
                                             pack.county.funding_info.need_basis))


def sensitivity_chart(pack: Pack):
    """County harm ranks under each weighting."""
    return charts.png(charts.sensitivity_chart(pack.tables["harm_sensitivity"], pack.period))
