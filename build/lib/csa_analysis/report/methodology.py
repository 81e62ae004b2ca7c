"""The methodology annex, written once: every board pack prints it from here, with the county's settings.

:func:`methodology_markdown` returns the annex as Markdown: periods, the formulas, the change test and its
wording, harm weights and unit costs actually in use (with their sources and statuses), the priority score
weights, the delivery rules with the configured thresholds, the optional MoRiLE-style scales and the
assumptions and caveats list (:data:`CAVEATS`, the project's assumptions log).
"""

from __future__ import annotations

import pandas as pd

from csa_analysis.config.county import County
from csa_analysis.method.costs import NO_UNIT_COST, unit_costs_for
from csa_analysis.method.delivery import COORDINATED, COUNTY_WIDE, DISTRICT_LED
from csa_analysis.method.harm import harm_weights_for
from csa_analysis.method.scoring import COMPONENTS, morile_scales
from csa_analysis.method.volume import ALPHA, FLAG_DOWN, FLAG_SAME, FLAG_UP

#: Assumptions and caveats (an assumptions log, printed in every annex).
CAVEATS = (
    "police.uk publishes recorded crime and anti-social behaviour as a full count for each month: a change "
    "test therefore asks whether a change is larger than the random variation of a Poisson count, not whether "
    "a sample differs. It is labelled 'change larger than random variation', never 'statistically "
    "significant'.",
    "Recorded crime counts what is reported to and recorded by the police; changes in reporting or recording "
    "practice change the counts without any change in crime.",
    "Records are placed in districts by their LSOA name. police.uk moves every record to an anonymous map "
    "point covering at least eight addresses; figures are only ever aggregated to district level.",
    "Records with no location (no LSOA) cannot be placed in a district: they are counted as unallocated and "
    "shown in the data-quality section, not dropped silently.",
    "A Crime ID counts once, in the earliest month it appears. Anti-social behaviour incidents have no Crime "
    "ID and are never de-duplicated: identical rows are separate incidents at the same map point.",
    "In the priority score an issue without a harm weight or a unit cost scores 0 on that component (not "
    "'unknown'): such issues can rank high only through volume, trend and prevalence.",
    "Rates use the ONS mid-year population estimate in county.toml for every quarter.",
    "Comparisons with a quarter not fully covered by the data are blank.",
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
    out.insert(5, DEFAULT_HARM_CAVEAT if county.harm_table is None else
               f"Harm weights come from the county's own table {county.harm_table.name}, not the shipped default.")
    out.insert(6, DEFAULT_COST_CAVEAT if county.cost_table is None else
               f"Unit costs come from the county's own table {county.cost_table.name}; issues without a cost in "
               "it are blank, not zero.")
    return out


def _cell(value: object) -> str:
    """Text for a Markdown table cell (pipes escaped, blanks as a dash)."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or str(value) in ("", "nan", "<NA>"):
        return "-"
    return str(value).replace("|", "\\|").replace("\n", " ")


def _number(value: float) -> str:
    if pd.isna(value):
        return "-"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


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
    total = sum(getattr(w, c) for c in COMPONENTS)
    weights = ", ".join(f"{c} {getattr(w, c) / total:.0%}" for c in COMPONENTS)
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
p = min(1, 2 x the smaller tail), at the {ALPHA:.0%} level; against the same quarter last year where the data
allow, otherwise the previous quarter (`change_basis` says which). Flags: "{FLAG_UP}", "{FLAG_DOWN}" (a change
larger than random variation) or "{FLAG_SAME}"; blank when no comparison is possible. District rates are
compared with the county rate on a funnel plot with Poisson control limits (95% and 99.8%).

**Prevalence.** Per issue: `districts_above_county_rate` (districts whose rate is at or above the county rate;
0 when the county has none), `prevalence_share` (that share of the {len(county.districts)} districts), the share
of the county count in the largest district and the Gini coefficient of district rates. Per district: the
location quotient `(count_di / count_d) / (count_ci / count_c)` (above 1: a larger part of the district's
incidents than of the county's).

**Harm.** `harm_score = count x weight` ({harm_unit}), blank where the issue has no weight. Source: {harm_source}.
Where the source gives a range, the weight is the midpoint and the ranking is also shown at the low and high
ends, with equal weights (count only){alternative}.

{harm_table_markdown(county)}

**Cost.** `cost_of_crime_gbp = count x unit cost`, with `price_year` on every row; blank ("{NO_UNIT_COST}"),
never 0, where no unit cost exists, so district and county totals are partial. Source: {cost_source or "none"}.

{cost_table_markdown(county)}

**Funding.** Funding ({county.funding_info.label}) per incident (every crime and anti-social behaviour incident
in the quarter) and per 1,000 residents, blank where a district has no funding. Need share = the district's
share of county {county.funding_info.need_basis}; funding share = its share of the funding given. The
needs-based allocation of a pot is pot x need share, shown for the pot and after each cut scenario.

**Priority score.** Each component scaled to 0-1 within the issues ranked (a district's issues for the district
ranking, the county's issues for the county ranking): volume, harm and cost as a share of the largest in the
set; trend 1 for an increase, 0 for a decrease, 0.5 otherwise; prevalence share. They are combined with the
weights in county.toml, normalised to sum to 1 ({weights}), into a score of 0-100. Rank 1 is the top priority;
ties are broken by issue name.
{morile}
**Delivery level.** "{COUNTY_WIDE}": low volume (fewer than {d.low_volume_count} a quarter) in at least
{d.most_districts_share:.0%} of districts, but high harm (weight at least {d.high_harm_weight:g} {harm_unit}
per offence) or a county total of at least {d.meaningful_county_count:,} a quarter. "{COORDINATED}": a
top-{d.priority_top_n} priority in at least {d.most_districts_share:.0%} of districts. "{DISTRICT_LED}"
otherwise, with a risk note naming the concentration, location quotient, rising districts and harm weight.
These implement the Home Office escalation criteria (serious crime benefiting from a county approach; high
volume across districts for economies of scale; a risk assessment of every issue not escalated) and the
principle that low-volume issues need one service for the county.

**Small numbers.** {small}

#### Assumptions and caveats
{caveat_list}
"""
