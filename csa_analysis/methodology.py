"""The methodology annex, written once: every board pack prints it from here, with the county's settings."""

from __future__ import annotations

from .config import County
from .delivery import COORDINATED, COUNTY_WIDE, DISTRICT_LED
from .harm import harm_weights_for
from .scoring import COMPONENTS
from .volume import ALPHA

#: Assumptions and caveats (an assumptions log, printed in every annex).
CAVEATS = (
    "police.uk publishes recorded crime and anti-social behaviour as a full count for each month: a change "
    "test therefore asks whether a change is larger than the random variation of a Poisson count, not whether "
    "a sample differs. It is labelled 'change larger than random variation', never 'statistically "
    "significant'.",
    "Records are placed in districts by their LSOA name. police.uk moves every record to an anonymous map "
    "point covering at least eight addresses; figures are only ever aggregated to district level.",
    "Records with no location (no LSOA) cannot be placed in a district: they are counted as unallocated and "
    "shown in the data-quality section, not dropped silently.",
    "A Crime ID counts once, in the earliest month it appears. Anti-social behaviour incidents have no Crime "
    "ID and are never de-duplicated: identical rows are separate incidents at the same map point.",
    "Harm weights are indicative Cambridge Crime Harm Index figures per police.uk category from a secondary "
    "source; where the source gives a range the midpoint is used and the ends are shown in the sensitivity "
    "table. Anti-social behaviour has no sentencing-based weight and contributes no harm.",
    "Unit costs (Home Office Research Report 99, 2015/16 prices) exist for few police.uk categories; the cost "
    "of crime is a partial figure, blank (not zero) where no unit cost exists, and is not adjusted to current "
    "prices.",
    "Rates use the ONS mid-year population estimate in county.toml for every quarter.",
    "Comparisons with a quarter not fully covered by the data are blank.",
)


def methodology_markdown(county: County) -> str:
    """The methodology annex as Markdown, with the county's configured weights and thresholds.

    Parameters
    ----------
    county : County
        Supplies the scoring weights, delivery thresholds and harm table in use.

    Returns
    -------
    str
        Markdown text (headings, formulas, bullet lists).
    """
    w = county.scoring
    total = sum(getattr(w, c) for c in COMPONENTS)
    weights = ", ".join(f"{c} {getattr(w, c) / total:.0%}" for c in COMPONENTS)
    d = county.delivery
    harm = harm_weights_for(county)
    harm_source = "; ".join(sorted(set(harm["source"].dropna().astype(str))))
    caveats = "\n".join(f"- {c}" for c in CAVEATS)
    rule = county.disclosure
    small = (
        f"Counts below {rule.min_count} are {'suppressed' if rule.method == 'suppress' else 'rounded'} in "
        "published outputs (never in the calculations)."
        if rule.min_count else "No small-number suppression is applied (none is configured)."
    )
    return f"""### Methodology

**Periods.** Financial quarters (Q1 = April to June). Each quarter is compared with the previous quarter and
with the same quarter a year before.

**Volume.** `count` per district and issue (police.uk crime type); `rate_per_1000 = count / population x 1,000`
with an exact 95% Poisson interval `[chi2(a/2; 2x)/2, chi2(1-a/2; 2x+2)/2]`. Change is tested with the exact
conditional test of two Poisson counts, `x1 | x0 + x1 ~ Binomial(x0 + x1, 0.5)`, two-sided at the
{ALPHA:.0%} level, against the same quarter last year where the data allow, otherwise the previous quarter.
A flag of "increase" or "decrease" means a change larger than random variation.

**Prevalence.** Per issue: `districts_above_county_rate` (districts whose rate is at or above the county rate),
`prevalence_share` (that share of the {len(county.districts)} districts), the share of the county count in the
largest district and the Gini coefficient of district rates. Per district: the location quotient
`(count_di / count_d) / (count_ci / count_c)`.

**Harm.** `harm_score = count x weight`, weights per issue from: {harm_source}.

**Cost.** `cost_of_crime_gbp = count x unit cost` (Home Office Research Report 99, Heeks et al. 2018, 2015/16
prices; `price_year` on every row); blank where no unit cost exists. Funding per incident and per 1,000
residents; need share by {county.funding_info.need_basis} against funding share; a needs-based allocation of
the pot and cut scenarios.

**Priority score.** Each component scaled to 0-1 within the issues ranked (volume, harm and cost as a share of
the largest; trend 1 for an increase, 0 for a decrease, 0.5 otherwise; prevalence share), combined with the
weights in county.toml ({weights}) into a score of 0-100. Rank 1 is the top priority.

**Delivery level.** "{COUNTY_WIDE}": low volume (fewer than {d.low_volume_count} a quarter) in at least
{d.most_districts_share:.0%} of districts, but high harm (weight at least {d.high_harm_weight:g}) or a county
total of at least {d.meaningful_county_count:,}. "{COORDINATED}": a top-{d.priority_top_n} priority in at least
{d.most_districts_share:.0%} of districts. "{DISTRICT_LED}" otherwise, with a risk note. These implement the
Home Office escalation criteria (serious crime benefiting from a county approach; high volume across districts
for economies of scale) and the principle that low-volume issues need one service for the county.

**Small numbers.** {small}

#### Assumptions and caveats
{caveats}
"""
