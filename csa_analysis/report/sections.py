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
    if "score_concern" in t and t["score_concern"].notna().any():
        cols["score_concern"] = ("Community concern", "score")
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
    return _png(pack, charts.trend_chart(pack.tables["monthly"], issues, pack.area, None, pack.district),
                finding, data)


def rates_chart(pack: Pack):
    """The district's rate per 1,000 residents for each issue against the county rate."""
    finding, data = findings.rates(pack.tables["issue_scores"], pack.tables["county_priorities"], pack.district or "")
    return _png(pack, charts.rates_vs_county(pack.tables["issue_scores"], pack.tables["county_priorities"],
                                             pack.district or "", pack.period), finding, data)


def matrix_chart(pack: Pack):
    """Priority matrix: volume against harm of every issue in the area."""
    table = _district_scores(pack) if pack.district else pack.tables["county_priorities"]
    finding, data = findings.matrix(table, pack.harm_unit)
    return _png(pack, charts.priority_matrix(table, pack.area, pack.period, pack.harm_unit), finding, data)


def heatmap_chart(pack: Pack):
    """Issue x district heat map of location quotients."""
    finding, data = findings.heatmap(pack.tables["issue_scores"])
    return _png(pack, charts.heatmap(pack.tables["issue_scores"], pack.period), finding, data)


def funnel_chart(pack: Pack):
    """Funnel plot of the county's top priority: district rates against the county rate."""
    scores = _with_population(pack.tables["issue_scores"], pack)
    issue = _top_issues(pack)[0]
    finding, data = findings.funnel(scores, pack.tables["county_priorities"], issue)
    return _png(pack, charts.funnel_plot(scores, pack.tables["county_priorities"], issue, pack.period),
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
    return _png(pack, charts.sensitivity_chart(pack.tables["harm_sensitivity"], pack.period), finding, data)


# ==================================================================================================
# Issue 16: local issues, official recorded crime (Table C2), benchmarking, community concern and the
# police.uk / Table C2 cross-check. Each section returns its own heading, or None when its input is not given.


def _png(pack: Pack, fig, finding: str | None = None, data: pd.DataFrame | None = None):
    """A chart as an image with its finding and figures (:func:`charts.png`), its title marked ILLUSTRATIVE DATA
    when it shows an illustrative local issue."""
    marked = illustrative_chart_issues(pack, fig)
    if marked:
        ax = fig.axes[0]
        ax.set_title(ax.get_title(loc="left") + "\nILLUSTRATIVE DATA (invented counts): " + ", ".join(marked),
                     loc="left", fontsize=10, color="#8b0012")
    return charts.png(fig, finding, data)


def illustrative_chart_issues(pack: Pack, fig) -> list[str]:
    """The illustrative local issues a chart shows (named in its tick labels, legend or annotations).

    The tick labels are the axes' formatters applied to their tick positions, as the drawing will label them;
    asking the axes for their label artists instead would lay out every tick before the chart is drawn (about
    40 ms a chart, a second of a pack's CPU).
    """
    names = pack.county.illustrative_issues
    if not names or not fig.axes:
        return []
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            texts |= set(axis.get_major_formatter().format_ticks(axis.get_majorticklocs()))
        legend = ax.get_legend()
        if legend is not None:
            texts |= {t.get_text() for t in legend.get_texts()}
    joined = "\n".join(texts)
    return [n for n in names if n in joined]


def _banner(text: str) -> str:
    return f"<div class='csa-illustrative' role='note'><b>Illustrative data.</b> {esc(text)}</div>"


def local_issues_section(pack: Pack):
    """Local issues from partner and force data (``[[issues]]`` with a source, counts in ``local/*.csv``): what
    each counts and where it comes from, its harm weight and unit cost with their sources, the months it covers,
    and its place in this quarter's picture; a banner when an issue is illustrative."""
    local = pack.county.local_issues
    if not local:
        return None
    account = pack.quality.get("local", {})
    covered = account.get("issues", {})
    cp = pack.tables["county_priorities"].assign(issue=lambda t: t["issue"].astype("str")).set_index("issue")
    ds = _district_scores(pack).assign(issue=lambda t: t["issue"].astype("str")).set_index("issue") \
        if pack.district else None
    rows = []
    for i in local:
        months = covered.get(i.name, {})
        scored = i.name in cp.index
        where = ds if ds is not None else cp
        rows.append({
            "issue": i.name + (" (ILLUSTRATIVE)" if i.illustrative else ""),
            "source": i.source + (f". {i.description}" if i.description else ""),
            "months": f"{months.get('first')} to {months.get('last')}" if months.get("first") else NA,
            "harm": (f"{fmt(i.harm_weight, 'weight')} {pack.harm_unit}: {i.harm_source}" if i.harm_weight is not None
                     else "no harm weight declared (unknown, not 0)"),
            "cost": (f"{fmt(i.unit_cost_gbp, 'gbp')} ({i.price_year or 'price year not stated'}): {i.cost_source}"
                     if i.unit_cost_gbp is not None else "no unit cost declared"),
            "count": where.loc[i.name, "count"] if scored else None,
            "rank": where.loc[i.name, "priority_rank"] if scored else None,
            "level": (cp.loc[i.name, "delivery_level"] if scored else
                      f"not scored: its months do not cover {pack.period}"),
        })
    cols = {"issue": ("Local issue", "text"), "source": ("Source", "text"), "months": ("Months given", "text"),
            "harm": ("Harm weight and source", "text"), "cost": ("Unit cost and source", "text"),
            "count": (f"Count ({pack.quarter})", "int"), "rank": ("Priority rank", "int"),
            "level": ("County delivery level", "text")}
    illustrative = [i.name for i in local if i.illustrative]
    banner = _banner("The local issues " + ", ".join(illustrative) + " are invented for demonstration (county.toml "
                     "marks them illustrative = true): their counts, ranks and delivery levels are not real. Do not "
                     "cite them.") if illustrative else ""
    note = ("<p class='csa-note'>Local issues go through the same volume, change, prevalence, harm, priority and "
            "delivery-level rules as the police.uk types and appear in every table and chart beside them. They "
            "are left out of the funding-per-incident and need figures, which count police.uk records only, "
            "because a partner's incident is often also a police.uk record (a domestic abuse crime is in "
            "'Violence and sexual offences').</p>")
    return html_output("<h2>Local issues: partner and force data</h2>" + banner + html_table(pd.DataFrame(rows), cols)
                       + note)


#: The Table C2 offence groups a page shows first (the finer groups police.uk cannot show), in this order.
C2_FOCUS = ("Total recorded crime (excluding fraud)", "Violence with injury", "Violence without injury",
            "Stalking and harassment", "Sexual offences", "Homicide", "Robbery", "Residential burglary",
            "Criminal damage and arson", "Drug offences", "Possession of weapons offences", "Public order offences")


def recorded_crime_section(pack: Pack):
    """Official recorded crime (Home Office Table C2): the finer offence groups with rates per 1,000 residents,
    the England and Wales rate, the standing among all CSPs (percentile) and the change on the previous year."""
    rc = pack.tables.get("recorded_crime")
    if rc is None or rc.empty:
        return None
    period = str(rc["period"].iloc[0])
    focus = rc[rc["offence_group"].isin(C2_FOCUS)]
    note = (f"<p class='csa-note'>Police recorded crime by Community Safety Partnership, {esc(period)} (Home Office "
            f"Table C2, {esc(rc['source'].iloc[0])}). Rates are crimes in the year per 1,000 residents. The "
            "percentile places the rate among all CSP areas of England and Wales (0 lowest, 100 highest). "
            "n/a: the table shows [x] (unavailable) or no earlier edition is given.</p>")
    if pack.district:
        t = rc[rc["district"].astype("str") == pack.district]
        shared = t["count_shared"].astype(bool).any()
        extra = (f"<p class='csa-note'>{esc(pack.district)} is one of several districts of the CSP "
                 f"{esc(t['area_name'].iloc[0])}: the count and rate are the CSP's.</p>" if shared else "")
        body = html_table(t, {
            "offence_group": ("Offence group", "text"), "count": ("Crimes", "int"),
            "rate_per_1000": ("Per 1,000 residents", "rate"),
            "england_wales_rate_per_1000": ("England and Wales per 1,000", "rate"),
            "percentile_england_wales": ("Percentile in England and Wales", "score"),
            "rank_england_wales": ("Rank (1 = highest)", "int"), "areas_ranked": ("Areas ranked", "int"),
            "change_pct_previous_year": ("Change on previous year", "pct")})
        return html_output("<h2>Official recorded crime</h2>" + note + extra + body)
    wide = focus.pivot_table(index="offence_group", columns="district", values="rate_per_1000", sort=False,
                             observed=True, dropna=False)
    wide = wide.reindex(index=[g for g in C2_FOCUS if g in wide.index],
                        columns=[d for d in pack.county.district_names if d in wide.columns])
    ew = focus.drop_duplicates("offence_group").set_index("offence_group")["england_wales_rate_per_1000"]
    wide["England and Wales"] = ew.reindex(wide.index)
    table = wide.reset_index()
    cols = {"offence_group": ("Offence group (crimes per 1,000 residents)", "text")}
    cols |= {c: (c, "rate") for c in table.columns if c != "offence_group"}
    total = rc[rc["offence_group"] == C2_FOCUS[0]]
    standing = html_table(total, {
        "district": ("District", "text"), "count": ("Crimes (excl. fraud)", "int"),
        "rate_per_1000": ("Per 1,000", "rate"), "england_wales_rate_per_1000": ("England and Wales", "rate"),
        "percentile_england_wales": ("Percentile", "score"), "change_pct_previous_year": ("Change on year", "pct")})
    return html_output("<h2>Official recorded crime</h2>" + note + html_table(table, cols)
                       + "<h3>Total recorded crime: standing in England and Wales</h3>" + standing)


def benchmarking_section(pack: Pack):
    """Benchmarking against the most similar areas (nearest neighbours on size, density and age structure, from
    the ONS estimates): the peers named, and the rate against the peers' for the focus offence groups."""
    rc, peers = pack.tables.get("recorded_crime"), pack.tables.get("recorded_crime_peers")
    if rc is None or rc.empty or peers is None:
        return None
    intro = ("<p class='csa-note'>Peers are the CSP areas of England and Wales most similar in population, density "
             "and age structure (statistical nearest neighbours on ONS estimates; the method and its limits are in "
             "the methodology annex). They are not the Home Office's most similar groups or CIPFA's nearest "
             "neighbours, whose lists are not available here.</p>")
    if pack.district:
        p = peers[peers["district"].astype("str") == pack.district]
        t = rc[(rc["district"].astype("str") == pack.district) & rc["offence_group"].isin(C2_FOCUS)]
        named = html_table(p, {"peer_rank": ("Rank", "int"), "peer_name": ("Peer", "text"),
                               "distance": ("Distance (sd)", "rate"), "peer_population": ("Residents", "int"),
                               "peer_density_per_sq_km": ("Residents per km²", "int"),
                               "peer_share_16_24": ("Aged 16-24", "share"),
                               "peer_share_65_plus": ("Aged 65+", "share")})
        own = p.head(1)
        own_line = (f"<p>{esc(pack.district)}: {fmt(own['population'].iloc[0], 'int')} residents, "
                    f"{fmt(own['density_per_sq_km'].iloc[0], 'int')} per km², "
                    f"{fmt(own['share_16_24'].iloc[0], 'share')} aged 16-24, "
                    f"{fmt(own['share_65_plus'].iloc[0], 'share')} aged 65+.</p>") if len(own) else ""
        versus = html_table(t, {"offence_group": ("Offence group", "text"),
                                "rate_per_1000": ("Per 1,000 residents", "rate"),
                                "peers_rate_per_1000": ("Peers per 1,000 (pooled)", "rate"),
                                "england_wales_rate_per_1000": ("England and Wales per 1,000", "rate"),
                                "rank_among_peers": ("Rank among peers (1 = highest)", "int"),
                                "peer_group_size": ("Areas compared", "int")})
        finding, data = findings.benchmark(rc, pack.district, C2_FOCUS)
        chart = charts.png(charts.benchmark_chart(rc, pack.district, C2_FOCUS), finding, data).data
        return html_output("<h2>Benchmarking against similar areas</h2>" + intro + own_line + named + chart
                           + versus)
    total = rc[rc["offence_group"] == C2_FOCUS[0]]
    finding, data = findings.percentiles(rc, pack.county.district_names, C2_FOCUS)
    chart = charts.png(charts.percentile_chart(rc, pack.county.district_names, C2_FOCUS), finding, data).data
    return html_output("<h2>Benchmarking against similar areas</h2>" + intro + chart + html_table(total, {
        "district": ("District", "text"), "peers": ("Most similar areas", "text"),
        "rate_per_1000": ("Crimes per 1,000", "rate"), "peers_rate_per_1000": ("Peers per 1,000 (pooled)", "rate"),
        "rank_among_peers": ("Rank among peers (1 = highest)", "int"), "peer_group_size": ("Areas compared", "int"),
        "percentile_england_wales": ("Percentile in England and Wales", "score")}))


def community_concern_section(pack: Pack):
    """The views and concerns of local communities: a residents' survey per district and issue, its 95% interval,
    and where concern and the recorded picture disagree (high concern with low recorded volume, and the reverse)."""
    t = pack.tables.get("concern")
    if t is None:
        return None
    if pack.district:
        t = t[t["district"].astype("str") == pack.district]
    banner = _banner(f"The consultation {pack.county.consultation_file.name} is invented for demonstration "
                     "(county.toml marks it illustrative): no share in this section is real.") \
        if pack.county.consultation_illustrative and pack.county.consultation_file is not None else ""
    t = t.assign(interval=[f"{fmt(lo, 'share')} to {fmt(hi, 'share')}" for lo, hi in
                           zip(t["concern_low"], t["concern_high"], strict=True)])
    apart = t[t["agreement"] != "concern and recorded volume agree"]
    cols = {"district": ("District", "text"), "issue": ("Issue", "text"), "respondents": ("Respondents", "int"),
            "concern_share": ("Concerned", "share"), "interval": ("95% interval", "text"),
            "count": (f"Recorded ({pack.quarter})", "int"), "volume_rank": ("Volume rank among surveyed", "int"),
            "agreement": ("Concern against recorded volume", "text")}
    if pack.district:
        cols.pop("district")
    note = ("<p class='csa-note'>The share of respondents naming each issue a concern, with its 95% Wilson interval "
            "(fewer respondents, wider interval). Concern is 'high' when the interval lies wholly above the district's "
            "median concern, 'low' when wholly below; recorded volume is high or low against the district's other "
            "surveyed issues. Community concern is a component of the priority score (weight in county.toml).</p>")
    disagree = ("<h3>Where concern and the recorded picture disagree</h3>" + html_table(apart, cols)
                if len(apart) else "<p>Concern and recorded volume agree for every surveyed issue.</p>")
    return html_output("<h2>Community concern</h2>" + banner + note + disagree + "<h3>Every surveyed issue</h3>"
                       + html_table(t, cols))


def recorded_crime_check(pack: Pack):
    """Data quality: police.uk counts against Table C2 for the same CSP and year (or the months of it in the data,
    pro rata), by how much they differ and why."""
    t = pack.tables.get("recorded_crime_check")
    if t is None:
        return None
    head = "<h2>Data quality: police.uk against official recorded crime</h2>"
    why = ("<p class='csa-note'>They differ by design: police.uk publishes recorded crime with a location (crimes "
           "without a map point are left out or have no LSOA, so they are in no district here), its figures are "
           "fixed when a month is published while Table C2 is extracted later (after reclassification and "
           "cancellation), and the two group offences differently. Table C2 counts every crime the force assigned "
           "to the CSP.</p>")
    if t.empty:
        return html_output(head + "<p>No comparison available: fewer than three months of Table C2's year are in "
                           "the police.uk data.</p>" + why)
    if pack.district:
        t = t[t["district"].astype("str") == pack.district]
    basis = esc(t["basis"].iloc[0]) if len(t) else ""
    total = t[t["offence_group"] == C2_FOCUS[0]]
    if len(total) and total["c2_count_for_months"].sum() > 0:
        p, c = total["police_uk_count"].sum(), total["c2_count_for_months"].sum()
        where = esc(pack.district) if pack.district else f"the {len(total)} districts compared"
        basis += (f" In {where}, police.uk holds {fmt(p, 'int')} crimes against Table C2's {fmt(c, 'int')} for the "
                  f"same months: {fmt(abs(p - c) / c, 'share')} {'fewer' if p < c else 'more'}")
    return html_output(head + f"<p>{esc(t['period'].iloc[0]) if len(t) else ''}: {basis}.</p>" + html_table(t, {
        "district": ("District", "text"), "offence_group": ("Table C2 group", "text"),
        "police_uk_issues": ("police.uk types", "text"), "police_uk_count": ("police.uk", "int"),
        "c2_count_for_months": ("Table C2 (same months)", "int"), "difference_pct": ("Difference", "pct")}) + why)


# --------------------------------------------------------------------------------------------------
# Executive summary, where and when, outcomes, glossary (issue 15)


def executive_summary(pack: Pack):
    """What the board is asked to decide, what stays with the districts and its risk, what changed beyond random
    variation, where, and what the data cannot show (:func:`csa_analysis.report.summary.executive_summary`)."""
    found = summary_text.executive_summary(pack.tables, pack.county.name, pack.district)
    marked = summary_text.illustrative_issues(pack.tables)
    return html_output(summary_text.summary_html(found, illustrative=marked) + rag_key_html(pack)
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
