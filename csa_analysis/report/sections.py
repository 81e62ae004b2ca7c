"""What the report notebooks show: one function per section, each returning something a notebook displays
(HTML, Markdown or a chart image) from the :class:`~csa_analysis.report.pack.Pack` it is given. Sections only
read and show: every figure was computed before, in the analysis layer.
"""

from __future__ import annotations

import pandas as pd

from csa_analysis import __version__
from csa_analysis.method.rag import RAG_KEY
from csa_analysis.report import charts, findings
from csa_analysis.report import summary as summary_text
from csa_analysis.report.formatting import (
    NA,
    esc,
    fmt,
    html_output,
    html_table,
    largest_out_of_area,
    markdown_output,
    quality_rows,
)
from csa_analysis.report.methodology import methodology_markdown
from csa_analysis.report.pack import Pack, illustrative_inputs

TOP_N = 5


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
    when = esc(pack.generated_at) if pack.generated_at else "interactive session"
    where = f"{esc(pack.district)}, {esc(pack.county.name)}" if pack.district else esc(pack.county.name)
    return html_output(
        f"<h1>{esc(kind)}: {where}</h1>"
        f"<p class='csa-meta'><b>Period:</b> {esc(pack.period)} &nbsp; <b>Data:</b> police.uk street-level "
        f"records {span} &nbsp; <b>Generated:</b> {when} by csa-workbench {esc(__version__)}</p>"
    )


def rag_status(pack: Pack) -> pd.DataFrame:
    """Red / Amber / Green per issue of the report's area, with the reason (the ``rag`` table, computed by
    :mod:`csa_analysis.method.rag` before any disclosure rule)."""
    rag = pack.tables["rag"]
    if pack.district is None:
        return rag[rag["level"] == "county"].sort_values("priority_rank")
    return rag[(rag["level"] == "district") & (rag["district"] == pack.district)].sort_values("priority_rank")


def summary(pack: Pack):
    """One screen: top priorities, biggest changes and the RAG status."""
    scores = _district_scores(pack) if pack.district else pack.tables["county_priorities"]
    top = scores.sort_values("priority_rank").head(TOP_N)
    items = "".join(
        f"<li><b>{esc(r.issue)}</b>: {fmt(r.count, 'int')} incidents, {fmt(r.rate_per_1000, 'rate')} per "
        f"1,000 residents (priority score {fmt(r.priority_score, 'score')})</li>" for r in top.itertuples())
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
    return html_output(
        f"<h3>Top priorities</h3><ol>{items}</ol><h3>Biggest changes</h3>{changes_html}"
        f"<h3>RAG status</h3><p>{rag_line}</p>" + rag_key_html(pack) + html_table(rag, {
            "issue": ("Issue", "text"), "status": ("Status", "status"), "reason": ("Why", "text")})
    )


def rag_key_html(pack: Pack) -> str:
    """The RAG key of the page's level (county roll-up or district page): what each status means."""
    key = RAG_KEY["district" if pack.district else "county"]
    items = "".join(f"<li><b>{status}</b>: {esc(meaning)}</li>" for status, meaning in key.items())
    return f"<p class='csa-note'>RAG key ({'district' if pack.district else 'county'} level):</p><ul " \
           f"class='csa-note'>{items}</ul>"


def illustrative_banner(pack: Pack):
    """A visible banner naming every illustrative (invented) input this page uses; nothing when none."""
    uses = illustrative_inputs(pack.county, county_page=pack.district is None)
    if not uses:
        return None
    return html_output("<div class='csa-illustrative' role='note'><b>Illustrative data.</b> This page uses "
                       + esc("; ".join(uses)) + ": invented for demonstration, not real figures. Do not cite "
                       "them.</div>")


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
    return html_output(html_table(t, cols) + note)


def delivery_table(pack: Pack):
    """County issues with their delivery level, the rationale, and the risk note of each issue not escalated."""
    t = pack.tables["county_priorities"].sort_values("priority_rank")
    return html_output(html_table(t, {"issue": ("Issue", "text"), "delivery_level": ("Delivery level", "text"),
                                      "rationale": ("Rationale", "text"), "risk_note": ("Risk note", "text")}))


def cost_table(pack: Pack):
    """Funding (for its period, and a year), incidents, cost of crime and need per district; the county-wide pot
    and the reconciliation of the source's total (county roll-up)."""
    t = pack.tables["cost_per_area"]
    if pack.district:
        t = t[t["district"].astype("str") == pack.district]
    info = pack.county.funding_info
    if pack.county.has_funding():
        note = (f"Funding: {esc(info.label)}, covering {esc(info.period_text)}; incidents: {esc(pack.period)}. "
                "Per-incident and per-1,000 figures compare a year with a year (funding x 12 / its months; "
                "incidents x 4).")
    else:
        note = "No funding was given in county.toml."
    body = html_table(t, {
        "district": ("District", "text"), "population": ("Residents", "int"),
        "funding_gbp": ("Funding (its period)", "gbp"), "funding_annual_gbp": ("Funding a year", "gbp"),
        "incidents": ("Incidents (quarter)", "int"),
        "funding_per_incident_gbp": ("Funding a year per incident a year", "gbp"),
        "funding_per_1000_residents_gbp": ("Funding a year per 1,000 residents", "gbp"),
        "cost_of_crime_gbp": ("Cost of crime (partial)", "gbp"),
        "need_share": (f"Share of need ({info.need_basis})", "share"), "funding_share": ("Share of funding", "share")})
    summary = pack.tables.get("funding_summary")
    if pack.district is None and summary is not None and len(summary):
        body += html_table(summary, {"item": ("Funding", "text"), "amount_gbp": ("Amount (its period)", "gbp"),
                                     "annual_gbp": ("A year", "gbp"), "note": ("Note", "text")})
    return html_output(f"<p class='csa-note'>{note}</p>" + body)


def scenarios_table(pack: Pack):
    """Needs-based allocation of the pot, now and under each cut scenario."""
    t = pack.tables["funding_scenarios"]
    if t.empty:
        return html_output("<p class='csa-note'>No funding was given, so no allocation scenario is shown.</p>")
    return html_output(html_table(t, {
        "scenario": ("Scenario", "text"), "relative_to_cut": ("Before or after the cut", "text"),
        "pot_gbp": ("Pot (its period)", "gbp"), "district": ("District", "text"),
        "need_share": ("Share of need", "share"), "needs_based_gbp": ("Needs-based allocation", "gbp"),
        "funding_gbp": ("As allocated", "gbp"), "difference_gbp": ("Difference", "gbp")}))


def sensitivity_table(pack: Pack):
    """County harm ranks under each weighting."""
    t = pack.tables["harm_sensitivity"]
    cols = {"issue": ("Issue", "text"), "count": ("Count", "int")}
    cols |= {c: (c.removeprefix("rank_").replace("_", " ").capitalize() + " rank", "int")
             for c in t.columns if c.startswith("rank_")}
    cols["max_rank_change"] = ("Largest rank change", "int")
    return html_output(html_table(t, cols))


def data_quality(pack: Pack):
    """Rows read, placed, unallocated, out of area and duplicates."""
    t = quality_rows(pack.quality, pack.district)
    top = largest_out_of_area(pack.quality)
    extra = ("<p class='csa-note'>Largest out-of-area sources: "
             + esc(", ".join(f"{k} {v:,}" for k, v in top)) + "</p>") if top else ""
    return html_output(html_table(t, {"measure": ("Measure", "text"), "rows": ("Rows", "int")}) + extra)


def partnership_landscape(pack: Pack):
    """The partnership landscape section (county roll-up), shown only when a partnership register is given."""
    if "partnership_register" not in pack.tables:
        return None
    from csa_analysis.partnerships.analysis import admin_share_context, meeting_load_context
    from csa_analysis.report.partnership_charts import overlap_matrix_figure

    t = pack.tables
    register = t["partnership_register"]
    names = register["partnership"].astype("str").tolist()
    matrix = t["partnership_overlap_matrix"].pivot(index="partnership_a", columns="partnership_b",
                                                   values="jaccard").reindex(index=names, columns=names)
    marker = " (ILLUSTRATIVE DATA)" if pack.county.partnerships_illustrative else ""
    pairs = t["partnership_overlap_matrix"]
    pairs = pairs[pairs["partnership_a"].astype("str") < pairs["partnership_b"].astype("str")]
    best = pairs.sort_values("jaccard", ascending=False).head(1)
    finding = (f"The largest remit overlap is between {best['partnership_a'].iloc[0]} and "
               f"{best['partnership_b'].iloc[0]} (Jaccard index {best['jaccard'].iloc[0]:.2f}){marker}."
               if len(best) else "No two partnerships share a remit.")
    chart = charts.png(overlap_matrix_figure(
        matrix, f"Partnership landscape{marker}: remit overlap between partnerships (Jaccard index, 0-1), "
        f"{pack.county.name}"), finding, pairs.reset_index(drop=True))
    banner = ("<div class='csa-illustrative' role='note'><b>Illustrative data.</b> The partnership register is "
              "invented for demonstration: no figure in this section is real.</div>"
              if pack.county.partnerships_illustrative else "")
    source = pack.county.partnerships_file.name if pack.county.partnerships_file else "the register"
    return html_output(
        "<h2>Partnership landscape</h2>" + banner
        + f"<p>{len(register)} partnerships in the register ({esc(source)}). "
        f"{esc(admin_share_context(t['partnership_admin']))}</p>" + chart.data
        + "<h3>Meeting load per agency</h3>"
        + f"<p>{esc(meeting_load_context(t['partnership_load'], register))}</p>"
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
    return markdown_output(text)


def provenance(pack: Pack):
    """Input files with their sha256 and rows, and the software version."""
    t = pd.DataFrame(pack.inputs)
    return html_output(f"<p class='csa-meta'>csa-workbench {esc(__version__)}; county description "
                 f"{esc(pack.county.toml_path.name)}. Contains public sector information licensed under the "
                 "Open Government Licence v3.0.</p>" + html_table(t, {
                     "path": ("File", "text"), "rows": ("Rows", "int"), "sha256": ("sha256", "text")}))


# --------------------------------------------------------------------------------------------------
# Charts (each returns an image a notebook shows)


def _top_issues(pack: Pack) -> list[str]:
    scores = _district_scores(pack) if pack.district else pack.tables["county_priorities"]
    return scores.sort_values("priority_rank")["issue"].astype("str").head(TOP_N).tolist()


def trend_chart(pack: Pack):
    """Monthly incidents of the area's top priorities over every month in the data."""
    issues = _top_issues(pack)
    finding, data = findings.trend(pack.tables["monthly"], issues, pack.area, pack.district)
    return charts.png(charts.trend_chart(pack.tables["monthly"], issues, pack.area, None, pack.district),
                      finding, data)


def rates_chart(pack: Pack):
    """The district's rate per 1,000 residents for each issue against the county rate."""
    finding, data = findings.rates(pack.tables["issue_scores"], pack.tables["county_priorities"], pack.district or "")
    return charts.png(charts.rates_vs_county(pack.tables["issue_scores"], pack.tables["county_priorities"],
                                             pack.district or "", pack.period), finding, data)


def matrix_chart(pack: Pack):
    """Priority matrix: volume against harm of every issue in the area."""
    table = _district_scores(pack) if pack.district else pack.tables["county_priorities"]
    finding, data = findings.matrix(table, pack.harm_unit)
    return charts.png(charts.priority_matrix(table, pack.area, pack.period, pack.harm_unit), finding, data)


def heatmap_chart(pack: Pack):
    """Issue x district heat map of location quotients."""
    finding, data = findings.heatmap(pack.tables["issue_scores"])
    return charts.png(charts.heatmap(pack.tables["issue_scores"], pack.period), finding, data)


def funnel_chart(pack: Pack):
    """Funnel plot of the county's top priority: district rates against the county rate."""
    scores = _with_population(pack.tables["issue_scores"], pack)
    issue = _top_issues(pack)[0]
    finding, data = findings.funnel(scores, pack.tables["county_priorities"], issue)
    return charts.png(charts.funnel_plot(scores, pack.tables["county_priorities"], issue, pack.period),
                      finding, data)


def funding_chart(pack: Pack):
    """Each district's share of need against its share of funding."""
    info = pack.county.funding_info
    periods = f"Funding: {info.period_text}; need: {pack.period}"
    finding, data = findings.funding(pack.tables["cost_per_area"])
    return charts.png(charts.funding_vs_need(pack.tables["cost_per_area"], periods, info.need_basis), finding, data)


def sensitivity_chart(pack: Pack):
    """County harm ranks under each weighting."""
    finding, data = findings.sensitivity(pack.tables["harm_sensitivity"])
    return charts.png(charts.sensitivity_chart(pack.tables["harm_sensitivity"], pack.period), finding, data)


# --------------------------------------------------------------------------------------------------
# Executive summary, where and when, outcomes, glossary (issue 15)


def executive_summary(pack: Pack):
    """What the board is asked to decide, what stays with the districts and its risk, what changed beyond random
    variation, where, and what the data cannot show (:func:`csa_analysis.report.summary.executive_summary`)."""
    found = summary_text.executive_summary(pack.tables, pack.county.name, pack.district)
    return html_output(summary_text.summary_html(found) + rag_key_html(pack)
                       + "<p class='csa-note'>Terms such as location quotient, harm and RAG are explained in the "
                       "glossary at the end of this page.</p>")


def _hotspot_rows(pack: Pack, place_type: str, top: int) -> pd.DataFrame:
    h = pack.tables.get("hotspots")
    if h is None:
        return pd.DataFrame()
    h = h[(h["place_type"].astype("str") == place_type) & (h["rank"] <= top)]
    if pack.district:
        h = h[h["district"].astype("str") == pack.district]
    return h


def hotspots_section(pack: Pack):
    """The LSOAs, wards and repeat locations (police.uk map points) with most incidents of the area's top
    priorities in the quarter, with a chart of the top priority's LSOAs."""
    from csa_analysis.method.places import ANONYMISATION_NOTE
    from csa_analysis.report import place_charts

    if "hotspots" not in pack.tables:
        return html_output("<p class='csa-note'>No record-level tables in this pack: hotspots not shown.</p>")
    issues = _top_issues(pack)[:3]
    if pack.district is None:  # the county: the issues proposed for county delivery first, then the top ones
        cp = pack.tables["county_priorities"].sort_values("priority_rank")
        proposed = cp.loc[cp["delivery_level"].astype("str") != "district-led", "issue"].astype("str").tolist()
        issues = list(dict.fromkeys([*proposed, *issues]))[:5]
    parts = []
    if pack.district:
        chart = place_charts.hotspot_chart(pack.tables["hotspots"].dropna(subset=["count"]), pack.district,
                                           issues[0], top=10)  # a count the disclosure rule blanked: no bar
        parts.append(charts.figure_html(chart.figure, chart.alt, chart.data))
    top = 5 if pack.district else 1
    cols = {"district": ("District", "text"), "issue": ("Issue", "text"), "rank_shared": ("Rank", "int"),
            "place_code": ("Code", "text"), "place_name": ("Place", "text"), "count": ("Incidents", "int"),
            "share": ("Share of the district's incidents of the issue", "share"),
            "rate_per_1000": ("Per 1,000 residents", "rate")}
    for place_type, heading in (("lsoa", "Neighbourhoods (LSOAs) with most incidents"),
                                ("ward", "Wards with most incidents"),
                                ("location", "Repeat locations: police.uk map points with most incidents")):
        rows = _hotspot_rows(pack, place_type, top)
        rows = rows[rows["issue"].astype("str").isin(issues)]
        if place_type == "location":
            rows = rows.assign(place_name=rows["place_name"].astype("str") + " (" + rows["lsoa_name"].astype("str")
                               + ")")
        shown = {k: v for k, v in cols.items() if not (place_type == "location" and k == "place_code")
                 and not (pack.district and k == "district")
                 and not (k == "rate_per_1000" and rows["rate_per_1000"].isna().all())}
        parts.append(f"<h3>{esc(heading)}</h3>" + html_table(rows, shown))
    parts.append("<p class='csa-note'>" + esc(ANONYMISATION_NOTE) + " Rates per 1,000 residents of an LSOA or "
                 "ward need LSOA populations, which this pack was not given, so they are left out (blank in "
                 "tables/hotspots.csv, never 0). Every issue and district is in tables/hotspots.csv and the "
                 "workbook.</p>")
    return html_output("".join(parts))


def density_map(pack: Pack):
    """A map of incident density (all issues, the quarter) drawn from the records' coordinates, without map
    tiles."""
    from csa_analysis.method.where_when import density_from_tables
    from csa_analysis.report import place_charts

    grid = density_from_tables(pack.tables, pack.district)
    if grid is None:
        return html_output("<p class='csa-note'>No density map in this pack.</p>")
    grid = type(grid)(**{**grid.__dict__, "district": pack.area})
    chart = place_charts.density_chart(grid)
    return html_output(charts.figure_html(chart.figure, chart.alt, chart.data.head(30)))


def _area_rows(pack: Pack, name: str) -> pd.DataFrame:
    from csa_analysis.method.where_when import COUNTY_ROWS

    t = pack.tables[name]
    return t[t["district"].astype("str") == (pack.district or COUNTY_ROWS)].assign(
        district=pack.area).drop(columns="district")


def seasonality_section(pack: Pack):
    """The month-of-year pattern and the 12-month rolling trend of the top priorities, where the data hold a
    year or more; otherwise why not."""
    from csa_analysis.method.seasonality import month_of_year_coverage, rolling_coverage
    from csa_analysis.report import place_charts

    if "month_of_year" not in pack.tables:
        return html_output("<p class='csa-note'>No seasonality tables in this pack.</p>")
    months = pack.quality.get("months", [])
    issues = _top_issues(pack)
    parts = []
    why = month_of_year_coverage(months)
    if why:
        parts.append(f"<p class='csa-note'>{esc(why)}</p>")
    else:
        pattern = _area_rows(pack, "month_of_year")
        pattern.attrs["months"] = months
        chart = place_charts.month_of_year_chart(pattern, pack.area, issues=issues)
        parts.append(charts.figure_html(chart.figure, chart.alt, chart.data))
    why = rolling_coverage(months)
    trend = _area_rows(pack, "rolling_trend")
    windows = trend.dropna(subset=["rolling_total"])["month"].nunique() if len(trend) else 0
    if why:
        parts.append(f"<p class='csa-note'>{esc(why)}</p>")
    elif windows < 2:  # one complete window is a total, not a trend: say it, draw nothing
        parts.append(f"<p>{esc(place_charts.trend_finding(trend[trend['issue'].astype('str').isin(issues)], issues))}"
                     " A 12-month trend line needs 13 or more consecutive months of data.</p>")
    else:
        chart = place_charts.rolling_trend_chart(trend, pack.area, issues=issues)
        parts.append(charts.figure_html(chart.figure, chart.alt, chart.data.dropna(subset=["rolling_total"])))
    return html_output("".join(parts))


def outcomes_section(pack: Pack):
    """What happened to the quarter's crimes: the share of each issue's crimes by outcome group, with the caveat
    that police.uk revises outcomes when it republishes a month."""
    from csa_analysis.method.outcomes import ASB_NOTE, OUTCOME_CAVEAT
    from csa_analysis.report import place_charts

    if "outcomes" not in pack.tables:
        return html_output("<p class='csa-note'>No outcome table in this pack.</p>")
    shares = _area_rows(pack, "outcomes")
    chart = place_charts.outcome_chart(shares, None, period=pack.period, area=pack.area)
    return html_output(f"<p class='csa-note'><b>Caveat:</b> {esc(OUTCOME_CAVEAT)} {esc(ASB_NOTE)}</p>"
                       + charts.figure_html(chart.figure, chart.alt, chart.data))


def glossary(pack: Pack):
    """The terms a board member may not know, each in a sentence (:data:`csa_analysis.report.glossary.TERMS`),
    and the RAG key of the page."""
    from csa_analysis.report.glossary import glossary_html

    return html_output(glossary_html() + rag_key_html(pack))
