"""The methodology annex, written once: every board pack prints it from here, with the county's settings.

:func:`methodology_markdown` returns the annex as Markdown: periods, the formulas, the change test and its
wording, harm weights and unit costs actually in use (with their sources and statuses), the priority score
weights, the delivery rules with the configured thresholds, the optional MoRiLE-style scales and the
assumptions and caveats list (:data:`CAVEATS`, the project's assumptions log).
"""

from __future__ import annotations

import pandas as pd

from csa_analysis.config.county import County
from csa_analysis.ingest.combine import LOW_MONTH_SHARE
from csa_analysis.method.costs import NO_UNIT_COST, unit_costs_for
from csa_analysis.method.delivery import COORDINATED, COUNTY_WIDE, DISTRICT_LED
from csa_analysis.method.harm import harm_weights_for
from csa_analysis.method.prevalence import MAD_TO_SD, OVERDISPERSION_MIN_DISTRICTS, WINSOR_SHARE
from csa_analysis.method.rag import RAG_KEY
from csa_analysis.method.scoring import COMPONENTS, morile_scales
from csa_analysis.method.volume import ALPHA, FLAG_DOWN, FLAG_SAME, FLAG_UP, NO_COMPARISON

#: Assumptions and caveats (an assumptions log, printed in every annex).
CAVEATS = (
    "police.uk publishes recorded crime and anti-social behaviour as a full count for each month: a change "
    "test therefore asks whether a change is larger than the random variation of a Poisson count, not whether "
    "a sample differs. It is labelled 'change larger than random variation', never 'statistically "
    "significant'.",
    "Recorded crime counts what is reported to and recorded by the police; changes in reporting or recording "
    "practice change the counts without any change in crime.",
    "Records are placed in districts by their LSOA code through the ONS lookups shipped with the workbench "
    "(LSOA 2011 to the December 2018 districts for older files; LSOA 2021 to the May 2022 and May 2023 districts "
    "for current ones), each file read in its own LSOA vintage; an authority formed by a merger also receives "
    "its predecessors' records from older files, so a time series runs across the reorganisation. The LSOA name "
    "(which police.uk never renamed after mergers) is used only for a code in no lookup, and the data-quality "
    "section counts those rows. police.uk moves every record to an anonymous map point covering at least eight "
    "addresses; figures are only ever aggregated to district level.",
    "Records with no location (no LSOA) cannot be placed in a district: they are counted as unallocated and "
    "shown in the data-quality section, not dropped silently.",
    "A Crime ID counts once, in the earliest month it appears. Anti-social behaviour incidents have no Crime "
    "ID and are never de-duplicated: identical rows are separate incidents at the same map point.",
    "In the priority score a component that is unknown for an issue (no harm weight, no unit cost, no "
    "comparison quarter) is left out of that issue's score and the other weights renormalised: an unknown "
    "component never decides a ranking by its absence (`score_basis` names the components used).",
    "Where the previous quarter or the same quarter last year is not fully in the data (for every force), "
    "every table, sentence and status says 'no comparison available', never 'no increase'. A quarter counts "
    "as complete only when every force whose files are in the data has all three months; a month missing for "
    "some force is blank in the monthly series and breaks the trend lines.",
    "Delivery levels are a transparent default protocol for the county strategy group to confirm or "
    "override, not a decision.",
)
#: Caveat printed when the shipped harm weights are in use.
DEFAULT_HARM_CAVEAT = (
    "The shipped harm weights are indicative Cambridge Crime Harm Index figures per police.uk category from a "
    "secondary source; where the source gives a range the midpoint is used and the two ends are shown in the "
    "sensitivity table. Anti-social behaviour has no sentencing-based weight and contributes no harm."
)
#: Caveat printed when the shipped unit costs are in use.
DEFAULT_COST_CAVEAT = (
    "Unit costs (Home Office Research Report 99, 2015/16 prices) exist for few police.uk categories; the cost "
    "of crime is a partial figure, blank (not zero) where no unit cost exists, and is not adjusted to current "
    "prices."
)


def caveats(county: County) -> list[str]:
    """The assumptions and caveats that apply to this county's configuration."""
    out = list(CAVEATS)
    out.insert(6, f"Rates use {county.population_source} for every quarter.")
    out.insert(8, f"A force-month with fewer than {LOW_MONTH_SHARE:.0%} of that force's median monthly rows is "
               "reported as unusually low in the data-quality section (a local judgement: most likely a partial "
               "upload); its counts are used as published.")
    out.insert(5, DEFAULT_HARM_CAVEAT if county.harm_table is None else
               f"Harm weights come from the county's own table {county.harm_table.name}, not the shipped default.")
    out.insert(6, DEFAULT_COST_CAVEAT if county.cost_table is None else
               f"Unit costs come from the county's own table {county.cost_table.name}; issues without a cost in "
               "it are blank, not zero.")
    return out + where_when_caveats(county)


def where_when_caveats(county: County) -> list[str]:
    """The assumptions and caveats of the where-and-when and outcome tables (issue 15), with the county's
    ``[where_and_when]`` settings labelled as local judgements."""
    from csa_analysis.method import outcomes, places, seasonality

    s = county.where_and_when
    given = "set in county.toml" if "where_and_when" in county.settings_given else "the built-in defaults"
    return [*places.METHOD_NOTES, *seasonality.METHOD_NOTES, *outcomes.METHOD_NOTES,
            f"Where and when settings ({given}; local judgements, not from a source): the {s.top} places with most "
            "incidents "
            f"are kept per district, issue and place type; density cells of {s.cell_km:g} km are shown with "
            f"{s.min_count} or more incidents at {s.min_points} or more map points.",
            "Wards are those of the packaged ONS LSOA-to-ward lookup of the records' LSOA vintage (wards of May "
            "2023 for 2021 LSOAs, December 2018 for 2011 LSOAs). LSOA and ward rates per 1,000 residents need "
            "LSOA populations, which the pack is not given: they are blank, never 0.",
            "The executive summary is drafted from the tables by fixed rules (report/summary.py): it repeats the "
            "delivery levels, rationales, risk notes and change flags computed in the analysis, and adds no "
            "judgement of its own."]


def _cell(value: object) -> str:
    """Text for a Markdown table cell (pipes escaped, blanks as a dash)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value) in ("", "nan", "<NA>"):
        return "-"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _number(value: float) -> str:
    if pd.isna(value):
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def _setting(value: float | bool) -> str:
    """A threshold's value: true or false for a switch, else the number."""
    return ("true" if value else "false") if isinstance(value, bool) else _number(value)


def _range(low: float, high: float) -> str:
    if pd.isna(low) or pd.isna(high) or low == high:
        return "-"
    if float(low).is_integer() and float(high).is_integer():
        return f"{low:,.0f} to {high:,.0f}"
    return f"{low:,.2f} to {high:,.2f}"


def _markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def harm_table_markdown(county: County) -> str:
    """The harm weights in use, one row per issue, as a Markdown table."""
    w = harm_weights_for(county)
    rows = [[r.issue, _number(r.weight), _range(r.weight_low, r.weight_high), r.unit, r.status, r.basis]
            for r in w.itertuples(index=False)]
    return _markdown_table(["Issue", "Weight", "Range", "Unit", "Status", "Basis"], rows)


def cost_table_markdown(county: County) -> str:
    """The unit costs in use, one row per issue, as a Markdown table ("no unit cost" where none)."""
    u = unit_costs_for(county)
    rows = [[r.issue, NO_UNIT_COST if pd.isna(r.unit_cost_gbp) else f"£{r.unit_cost_gbp:,.0f}",
             r.price_year if pd.notna(r.unit_cost_gbp) else "-", r.basis]
            for r in u.itertuples(index=False)]
    return _markdown_table(["Issue", "Unit cost per offence", "Price year", "Basis"], rows)


def _given(county: County, section: str) -> str:
    """Where a section's settings come from, for the annex."""
    if section in county.settings_given:
        return f"set in county.toml [{section}]"
    return "built-in defaults: a local judgement with no published source, for the county to set"


#: Where each delivery threshold's default comes from (design.md section 4: sourced or a local judgement).
THRESHOLD_SOURCES = {
    "low_volume_count": "local judgement",
    "most_districts_share": "design rule: \"most\" is a strict majority",
    "high_harm_weight": "local judgement (in the units of the harm weights in use)",
    "meaningful_county_count": "local judgement",
    "service_min_count": "local judgement: enough cases in the county for one service",
    "concentration_share": "local judgement: \"most of the county count\" in one district",
    "shared_pattern_districts": "local judgement: \"several districts\"",
    "overdispersion": "Spiegelhalter (2005), \"Funnel plots for comparing institutional performance\", Stat Med "
                      "24:1185: limits widened for the usual variation between districts",
    "fdr_q": "convention: a 5% false-discovery rate (Benjamini and Hochberg, 1995)",
    "priority_top_n": "local judgement (presentation only)",
}


def thresholds_markdown(county: County) -> str:
    """The delivery thresholds in use, each with its value, where it was set and what backs its default."""
    from dataclasses import fields

    d = county.delivery
    given = "delivery" in county.settings_given
    rows = [[f.name, _setting(getattr(d, f.name)), "county.toml" if given else "built-in default",
             THRESHOLD_SOURCES.get(f.name, "local judgement")] for f in fields(d)]
    return _markdown_table(["Threshold", "Value", "Set in", "Default's basis"], rows)


def mechanisms_markdown(county: County) -> str:
    """The county-level mechanisms and funding opportunities county.toml declares per issue (criteria b, d)."""
    declared = [i for i in county.issues if i.county_mechanism or i.county_funding]
    if not declared:
        return ("No county-level delivery mechanism or funding opportunity is declared in county.toml "
                "(`[[issues]]`), so criteria (b) and (d) decide nothing this quarter.")
    rows = [[i.name, i.county_mechanism or "-", i.county_funding or "-"] for i in declared]
    return ("Declared in county.toml (`[[issues]]`):\n\n"
            + _markdown_table(["Issue", "County mechanism (criterion b)", "County funding (criterion d)"], rows))


def funding_markdown(county: County) -> str:
    """How funding is compared with need: its period, the annualisation, the county-wide pot and any cut."""
    info = county.funding_info
    if not county.has_funding():
        return "No funding was given in county.toml, so no funding figures are shown."
    period = info.period_text if info.period_stated else (
        "a year (the period the allocations cover is not stated in county.toml: `[funding] period_months`)")
    parts = [
        f"The allocations ({info.label}{'; ' + info.source if info.source else ''}) cover {period}. Incidents "
        "cover one quarter. Both are annualised before they are compared: funding a year = allocation x 12 / "
        f"{info.months} months; incidents a year = the quarter's incidents x 4; `funding_per_incident_gbp` = "
        "funding a year / incidents a year, and `funding_per_1000_residents_gbp` = funding a year per 1,000 "
        "residents. Blank where a district has no funding, never 0.",
        f"Need share = the district's share of the county's {info.need_basis}"
        + (" (harm-weighted incidents: issues without a harm weight, such as anti-social behaviour, count no "
           "need)" if info.need_basis == "harm" else "") + "; funding share = its share of the allocations. "
        "The needs-based allocation of the district pot is pot x need share.",
    ]
    if info.cut_pct:
        state = info.figures_are.replace("the cut", f"the {info.cut_pct:g}% cut")
        parts.append(f"The allocations are {state}; the scenarios say whether "
                     "each pot is before or after it (a pot before the cut is reconstructed as the allocations / "
                     f"(1 - {info.cut_pct / 100:g})).")
    if info.county_wide_gbp is not None:
        parts.append(f"A further £{info.county_wide_gbp:,.0f} was held county-wide in the same period and is shown "
                     "beside the district shares (`funding_summary`).")
    if info.published_total_gbp is not None:
        parts.append(f"The source's published total of the district allocations (£{info.published_total_gbp:,.0f}) "
                     "is reconciled with the sum of its rows in `funding_summary`.")
    return " ".join(parts)


def control_limits_markdown(county: County) -> str:
    """How the funnel-plot control limits are set: Poisson, widened for overdispersion (Spiegelhalter, 2005)."""
    setting = "`[delivery] overdispersion`"
    if not county.delivery.overdispersion:
        return ("**Control limits.** Each district's rate is compared with the county rate through the funnel "
                "plot's Poisson control limits (95% and 99.8%, two-sided: the quantiles of Poisson(E), E the count "
                "expected at the county rate for a district of that size). The adjustment for overdispersion is "
                f"switched off ({setting} is false): for a high-volume issue these limits are so tight that ordinary "
                "differences between districts' rates cross them.")
    n = len(county.districts)
    few = (f" This county has {n} districts, fewer than {OVERDISPERSION_MIN_DISTRICTS}: every issue keeps its "
           "Poisson limits." if n < OVERDISPERSION_MIN_DISTRICTS else "")
    return f"""**Control limits.** Each district's rate is compared with the county rate through funnel-plot control
limits (95% and 99.8%, two-sided), widened where the districts vary more than chance ({setting} is true), following
Spiegelhalter (2005, "Funnel plots for comparing institutional performance", Statistics in Medicine 24:1185-1202;
and "Handling over-dispersion of performance indicators", Quality and Safety in Health Care 14:347-351). A Poisson
limit treats every difference beyond chance as a real one; for a high-volume issue (hundreds a quarter per
district) it is so tight that ordinary differences between districts' rates of 10 to 15% cross it, and almost
every high-volume issue would show "a shared pattern". Per issue, with `O_i` a district's count and `E_i` the count
expected at the county rate:

1. `z_i = (O_i - E_i) / sqrt(E_i)` for the districts with `E_i > 0` (I of them).
2. The dispersion ratio `phi` (1 when the districts differ by chance alone) is the smaller of Spiegelhalter's
   estimate, the mean of `z_i^2` after winsorising the z-scores at their {WINSOR_SHARE:.0%} and
   {1 - WINSOR_SHARE:.0%} percentiles, and a robust one, `({MAD_TO_SD} x median |z_i - median z|)^2`. With
   {n} districts, winsorising at {WINSOR_SHARE:.0%} cannot discount a pair of outlying districts, which would
   then widen the limits enough to hide themselves; the median absolute deviation measures the spread of the
   middle of the districts, which ordinary variation raises and one or two outliers do not.
3. Additive random effects (a DerSimonian-Laird estimate, on the scale of the rate ratio `O / E`, weights
   `w_i = E_i`): `tau^2 = (I x phi - (I - 1)) / (sum w - sum w^2 / sum w)`. `tau` (`overdispersion_tau`) is
   the usual between-district standard deviation of a rate, as a share of the county rate; `phi` is
   `overdispersion_phi`.
4. Limits: `county rate x (1 +/- z_p x sqrt(1 / E + tau^2))`, `z_p` the normal quantile (1.96 for 95%, 3.09 for
   99.8%), never narrower than the Poisson limits (the quantiles of Poisson(E)).

The additive form is used rather than the multiplicative one (Poisson variance x phi): the differences between
districts' rates are a share of the rate whatever a district's size, so the limits should not close in on the
county rate for the largest districts, which is where the Poisson limits fail; the multiplicative form widens
small districts' limits most and leaves the largest still too tight; Spiegelhalter (2005, Quality and Safety in
Health Care) finds the additive random-effects formulation to have the stronger conceptual foundation. The limits
are widened only when `phi` is above 1 and the county has at least {OVERDISPERSION_MIN_DISTRICTS} districts (a
local judgement: too few districts say nothing about their usual variation); otherwise, as for low-count issues
whose districts vary no more than chance (`phi` at most 1), the limits are the Poisson ones (`limits_adjusted`
false).{few} `upper_95_per_1000`, `upper_998_per_1000`, `above_95` and `above_998` are the limits used for every
decision (prevalence, the priority score, the delivery level, the RAG status, the funnel chart);
`poisson_upper_95_per_1000`, `poisson_upper_998_per_1000`, `poisson_above_95` and `poisson_above_998` the Poisson
limits alone, shown beside them."""


def methodology_markdown(county: County) -> str:
    """The methodology annex as Markdown, with the county's configured weights and thresholds.

    Parameters
    ----------
    county : County
        Supplies the scoring weights, delivery thresholds, harm and cost tables in use, the need basis, the
        disclosure rule and any MoRiLE-style scales.

    Returns
    -------
    str
        Markdown text (headings, formulas, tables, bullet lists).
    """
    w = county.scoring
    used = [c for c in COMPONENTS if c != "concern" or county.consultation_file is not None]
    total = sum(getattr(w, c) for c in used)
    weights = ", ".join(f"{c} {getattr(w, c) / total:.0%}" for c in used)
    d = county.delivery
    harm = harm_weights_for(county)
    weighted = harm["weight"].notna()
    harm_source = "; ".join(sorted(set(harm.loc[weighted, "source"].dropna().astype(str)))) or "none"
    harm_unit = "; ".join(sorted(set(harm.loc[weighted, "unit"].dropna().astype(str)))) or "weight units"
    costs = unit_costs_for(county)
    cost_source = "; ".join(sorted(set(costs.loc[costs["unit_cost_gbp"].notna(), "source"].dropna().astype(str))))
    alternative = (f" and under the alternative table `{county.harm_alternative.name}`"
                   if county.harm_alternative else "")
    caveat_list = "\n".join(f"- {c}" for c in caveats(county))
    rule = county.disclosure
    small = (
        f"Counts below {rule.min_count} are {'suppressed' if rule.method == 'suppress' else 'rounded'} in "
        "published outputs (never in the calculations)."
        if rule.min_count else "No small-number suppression is applied (none is configured)."
    )
    funding_text = funding_markdown(county)
    mechanisms = mechanisms_markdown(county)
    thresholds = thresholds_markdown(county)
    control_limits = control_limits_markdown(county)
    scales = morile_scales(county)
    morile = ""
    if scales is not None:
        morile = (
            "\n**MoRiLE-style matrix.** Each county issue is placed on a harm level (by "
            f"`{scales.harm_measure}`, band edges {', '.join(_number(e) for e in scales.harm_thresholds)}: "
            f"{', '.join(scales.harm_labels)}) and a likelihood level (by `{scales.likelihood_measure}`, band "
            f"edges {', '.join(_number(e) for e in scales.likelihood_thresholds)}: "
            f"{', '.join(scales.likelihood_labels)}); `risk_score` = harm level x likelihood level. The band "
            "edges are this county's own choice in county.toml: MoRiLE's published scales were not used.\n"
        )
    return f"""### Methodology

**Periods.** Financial quarters (Q1 = April to June), written like 2024-25Q1. Each quarter is compared with the
previous quarter and with the same quarter a year before.

**Volume.** `count` per district and issue (police.uk crime type), every district x issue shown, zeros
included; `rate_per_1000 = count / population x 1,000` with an exact {1 - ALPHA:.0%} Poisson interval
`[chi2(a/2; 2x)/2, chi2(1-a/2; 2x+2)/2]`. Percentage change = (now - then) / then x 100, blank when the earlier
count is 0 or not covered by the data.

**Change larger than random variation.** Recorded crime is a full count, not a sample, so the question is
whether a change is larger than the random variation of a Poisson count. The exact conditional test of two
Poisson counts with equal exposure is used: `x1 | x0 + x1 ~ Binomial(x0 + x1, 0.5)`, two-sided,
p = min(1, 2 x the smaller tail); against the same quarter last year where the data allow, otherwise the
previous quarter (`change_basis` says which). Every district x issue is tested each quarter
({len(county.districts)} x 14 tests), and at 5% about one test in twenty would flag by chance alone, so the
quarter's tests are controlled together for the false-discovery rate (Benjamini and Hochberg, 1995): a change
is flagged "{FLAG_UP}" or "{FLAG_DOWN}" only when its adjusted p-value (`p_value_adjusted`) is below
{d.fdr_q:g} ({_given(county, "delivery")}), otherwise "{FLAG_SAME}"; the county's issues are tested and
controlled the same way among themselves. Where no comparison quarter is in the data the flag is
"{NO_COMPARISON}". p-values are written at full precision in the CSV tables.

**Prevalence.** Per issue: `districts_above_county_rate` (districts whose rate is at or above the county rate;
about half by construction, kept for reference), `prevalence_share` (that share of the {len(county.districts)}
districts), and the measure that carries information: `districts_significantly_above`, the districts whose rate
is beyond the county's upper 99.8% control limit for a district of their size (the funnel plot's outer limit,
allowing for the usual variation between districts: see **Control limits** below), with `significant_share` its
share of the districts; `districts_above_poisson_limit` counts the same against the Poisson limit alone; the share
of the county count in the largest
district and the Gini coefficient of district rates. Per district: the location quotient
`(count_di / count_d) / (count_ci / count_c)` (above 1: a larger part of the district's incidents than of the
county's).

{control_limits}

**Harm.** `harm_score = count x weight` ({harm_unit}), blank where the issue has no weight. Source: {harm_source}.
Where the source gives a range, the weight is the midpoint and the ranking is also shown at the low and high
ends, with equal weights (count only){alternative}.

{harm_table_markdown(county)}

**Cost.** `cost_of_crime_gbp = count x unit cost`, with `price_year` on every row; blank ("{NO_UNIT_COST}"),
never 0, where no unit cost exists, so district and county totals are partial. Source: {cost_source or "none"}.

{cost_table_markdown(county)}

**Funding.** {funding_text}

**Priority score.** Each component scaled to 0-1 within the issues ranked (a district's issues for the district
ranking, the county's issues for the county ranking): volume, harm and cost as a share of the largest in the
set; trend 1 for an increase, 0 for a decrease, 0.5 for no change beyond random variation; prevalence the share
of districts beyond the county's 99.8% limit. They are combined with weights {weights} ({_given(county, "scoring")})
into a score of 0-100, **over the components known for each issue**: a component that is unknown (no harm
weight, as for anti-social behaviour; no unit cost, as for most police.uk types; no comparison quarter) is left
out and the other weights renormalised, so an unknown component never decides a ranking by its absence
(`score_basis` names the components used). A component known for fewer than {w.min_coverage:.0%} of the issues
ranked scores for none of them (shown, not scored): unit costs exist for few police.uk types, and two costed
issues cannot be ranked against twelve uncosted ones on cost. Rank 1 is the top priority; ties are broken by
issue name.
{morile}
**Delivery level.** The Home Office escalation protocol's four criteria: (a) a serious crime that benefits from a
county-wide approach; (b) a county-level delivery mechanism that already exists; (c) high volume across several
districts, for economies of scale; (d) county-level funding that can be accessed. The rules, in order:

1. No incidents in any district: "{DISTRICT_LED}" (nothing to escalate). One district only: "{DISTRICT_LED}".
2. Concentrated: one district holds more than {d.concentration_share:.0%} of the county count: "{DISTRICT_LED}",
   that district's to lead, however low the issue is elsewhere.
3. "{COUNTY_WIDE}": low volume (fewer than {d.low_volume_count} a quarter) in most districts (more than
   {d.most_districts_share:.0%}: a strict majority), at least {d.service_min_count} a quarter across the county
   (enough cases for one service), and high harm (a weight of at least {d.high_harm_weight:g} {harm_unit} per
   offence), a county total of at least {d.meaningful_county_count:,} a quarter, an existing county mechanism
   or a county funding opportunity.
4. "{COORDINATED}": {d.low_volume_count} or more a quarter in most districts, and a shared pattern: a rise
   beyond random variation or a rate beyond the county's 99.8% limit (allowing for the usual variation between
   districts) in at least {d.shared_pattern_districts} districts, a county-wide rise, an existing county
   mechanism or a county funding opportunity. A high rank alone is not a shared pattern, and neither are the
   ordinary differences between districts' rates of a high-volume issue.
5. "{DISTRICT_LED}" otherwise, with a risk note naming where the issue is concentrated, its trend, its harm and
   what would trigger escalation.

{mechanisms}

{thresholds}

**RAG status.** County roll-up: Red, {RAG_KEY["county"]["Red"]}; Amber, {RAG_KEY["county"]["Amber"]}; Green,
{RAG_KEY["county"]["Green"]}. District pages: Red, {RAG_KEY["district"]["Red"]}; Amber,
{RAG_KEY["district"]["Amber"]}; Green, {RAG_KEY["district"]["Green"]}.

{partner_data_markdown(county)}

**Small numbers.** {small}

### Assumptions and caveats
{caveat_list}
"""


# --------------------------------------------------------------------------------------------------
# Issue 16: local issues, community concern, Table C2, benchmarking and the cross-check


def partner_data_markdown(county: County) -> str:
    """The annex paragraphs for the partner inputs the county gives: local issues, the residents' survey (community
    concern), Home Office Table C2 (which population its rates use), the peers' method and its limits, and the
    police.uk / Table C2 cross-check. Blank when none is given."""
    parts = []
    if county.local_issues:
        rows = [[i.name + (" (illustrative)" if i.illustrative else ""), i.source,
                 f"{_number(i.harm_weight)}: {i.harm_source}" if i.harm_weight is not None else "none (unknown)",
                 f"£{i.unit_cost_gbp:,.0f} ({i.price_year or 'price year not stated'}): {i.cost_source}"
                 if i.unit_cost_gbp is not None else "none"] for i in county.local_issues]
        parts.append(
            "**Local issues (partner and force data).** Issues police.uk cannot show are declared in county.toml "
            "(`[[issues]]` with a `source`) and counted monthly by district in `local/*.csv` (month, district by "
            "name, alias or ONS code, issue, count). Their counts join the police.uk grid before any method runs, so "
            "volume, change, prevalence, harm, cost, priority and delivery level treat them exactly like the "
            "police.uk types, and are among the quarter's change tests controlled for the false-discovery rate "
            "(districts x (14 + local issues) tests a quarter). A local issue's comparisons use its own months: a "
            "quarter it does not fully cover is "
            f"\"{NO_COMPARISON}\", and an issue whose months do not cover the quarter scored is left out of that "
            "quarter (the data-quality account names it). A month of an issue with no row for a district counts 0 "
            "there (the account says how many). Local issues are left out of the funding-per-incident and need "
            "figures, which count police.uk records only, because a partner's incident is often also a police.uk "
            "record. Harm weights are in the unit of the harm table in use.\n\n"
            + _markdown_table(["Local issue", "Source", "Harm weight and source", "Unit cost and source"], rows))
    if county.consultation_file is not None:
        parts.append(
            f"**Community concern.** `{county.consultation_file.name}` gives, per district and issue, how many "
            "residents answered and how many named the issue a concern"
            + (" (ILLUSTRATIVE: invented answers)" if county.consultation_illustrative else "") + ". The share "
            "concerned has a 95% Wilson score interval (Wilson 1927; Brown, Cai and DasGupta 2001), so fewer "
            "respondents give a wider interval. The priority score's `concern` component is the share as a share "
            "of the largest in the set ranked; an issue not surveyed has no concern component (unknown, not 0); "
            "the county's share pools the districts' respondents (the survey's own weights are not known here). "
            f"Like every component, it scores only when known for at least {county.scoring.min_coverage:.0%} of "
            "the issues ranked. Concern and the recorded picture *disagree* when the interval lies wholly above "
            "the district's median concern while the issue's recorded count is in the lower half of the "
            "district's surveyed issues (high concern, low recorded volume), or wholly below it while the count is "
            "in the upper half (the reverse). Concern measures what residents worry about, which recorded crime "
            "cannot: both are evidence for the board.")
    if county.recorded_crime_files:
        from csa_analysis.sources.peers import methodology_markdown as peers_markdown

        files = ", ".join(p.name for p in county.recorded_crime_files)
        pop = county.recorded_crime_population.name if county.recorded_crime_population else "none"
        parts.append(
            f"**Official recorded crime (Home Office Table C2: {files}).** Read as published: title and note rows, "
            "multi-line headers, thousands separators with trailing spaces; `[x]` is unavailable and stays blank, "
            "never 0; force totals, \"Unassigned\" rows (crimes a force placed in no CSP) and other non-CSP rows are "
            "kept apart from the CSPs; a CSP covering several authorities (\"Combined Local Authorities\") gives one "
            "count for all of them. Each district is matched to its CSP by its ONS code (else its name), through "
            "the packaged ONS district-CSP lookup. **Which population:** a district that is its own CSP has "
            f"`rate_per_1000 = count / population x 1,000` with its population from {county.population_source}; a "
            "district inside a multi-district CSP shows the CSP's count and the CSP's rate over the CSP's ONS "
            f"population. The England and Wales rate, the percentiles and the peers' rates use the ONS workbook "
            f"{pop} for every area, this county's included (`rate_per_1000_ons`), so all areas are on one basis; "
            "the estimates may be a year or two older than the crime figures. With several editions in the folder, "
            "the edition ending twelve months earlier gives the change on the previous year.\n\n"
            + peers_markdown(k=county.peers_k, user_supplied=county.peer_list is not None,
                             population_year=county.population_year
                             if county.recorded_crime_population == county.population_file else None
                             ))
        parts.append(
            "**Cross-check: police.uk against Table C2.** For each district that is its own CSP, police.uk crimes "
            "(every type except anti-social behaviour, and type by type where the groups correspond) are set "
            "against the table for the same year; when the police.uk data cover only part of the table's year, the "
            "months they share are compared with the table's year scaled pro rata (which seasonality distorts). "
            "They differ by design: police.uk publishes recorded crime with a location, so crimes with no map point "
            "are left out or have no LSOA (in no district here), police.uk figures are fixed when a month is first "
            "published while Table C2 is extracted later, after reclassification and cancellation, and the two "
            "group offences differently.")
    return "\n\n".join(parts)
