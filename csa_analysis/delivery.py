"""Delivery level per county issue, with the rationale and, for issues not escalated, a risk note.

The escalation protocol (Home Office, "Identifying county-wide priorities"; design.md section 2):

1. **County-wide service** (criterion a and the low-volume rule): the issue is low volume in most districts
   (fewer than ``low_volume_count`` a quarter in at least ``most_districts_share`` of them), but high harm
   (harm weight at or above ``high_harm_weight``) or with a meaningful county total (at least
   ``meaningful_county_count``): no district has enough cases to justify its own service.
2. **County-coordinated** (criterion c): a priority (district rank at most ``priority_top_n``) in most
   districts: delivered locally, coordinated county-wide for economies of scale.
3. **District-led** otherwise, with a risk note: every issue not escalated is risk-assessed.

Thresholds come from ``[delivery]`` in county.toml.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .config import DeliveryRules

COUNTY_WIDE = "county-wide service"
COORDINATED = "county-coordinated"
DISTRICT_LED = "district-led"
LEVELS = (COUNTY_WIDE, COORDINATED, DISTRICT_LED)


def most_districts(n: int, rules: DeliveryRules) -> int:
    """How many districts make "most": the smallest k with k / n >= ``most_districts_share``."""
    return max(1, math.ceil(rules.most_districts_share * n - 1e-9))


def district_evidence(issue_scores: pd.DataFrame, rules: DeliveryRules) -> pd.DataFrame:
    """Per issue, the district facts the rules use.

    Returns
    -------
    DataFrame
        Indexed by issue: ``low_volume_districts`` (districts below ``low_volume_count``),
        ``priority_districts`` (districts ranking it at most ``priority_top_n`` and with at least one
        incident), ``rising_districts``
        (districts with an increase beyond random variation), ``top_location_quotient``.
    """
    s = issue_scores
    g = s.groupby(s["issue"].astype("str"), sort=False)
    return pd.DataFrame({
        "low_volume_districts": g["count"].apply(lambda c: int((c < rules.low_volume_count).sum())),
        "priority_districts": g[["priority_rank", "count"]].apply(
            lambda d: int(((d["priority_rank"] <= rules.priority_top_n) & (d["count"] > 0)).sum())),
        "rising_districts": g["change_flag"].apply(lambda f: int((f.astype("str") == "increase").sum())),
        "top_location_quotient": g["location_quotient"].max(),
    })


def _num(x: float, unit: str = "") -> str:
    return f"{x:,.0f}{unit}" if float(x).is_integer() else f"{x:,.2f}{unit}"


def delivery_levels(county_table: pd.DataFrame, issue_scores: pd.DataFrame, rules: DeliveryRules,
                    harm_unit: str = "CCHI days") -> pd.DataFrame:
    """Decide the delivery level of each county issue and say why.

    Parameters
    ----------
    county_table : DataFrame
        One row per issue with ``issue``, ``count``, ``rate_per_1000``, ``districts``,
        ``districts_above_county_rate``, ``harm_weight``, ``top_district``, ``top_district_share``.
    issue_scores : DataFrame
        District x issue scores with ``count``, ``priority_rank``, ``change_flag``, ``location_quotient``.
    rules : DeliveryRules
        Thresholds from county.toml.

    Returns
    -------
    DataFrame
        ``county_table`` plus ``low_volume_districts``, ``priority_districts``, ``rising_districts``,
        ``delivery_level``, ``rationale`` (one sentence naming the deciding figures) and ``risk_note``
        (for district-led issues; blank for escalated ones).
    """
    ev = district_evidence(issue_scores, rules)
    t = county_table.copy()
    key = t["issue"].astype("str")
    for col in ev.columns:
        t[col] = key.map(ev[col]).to_numpy()
    n = t["districts"].astype("int64")
    most = n.map(lambda k: most_districts(int(k), rules))
    low_in_most = t["low_volume_districts"] >= most
    high_harm = t["harm_weight"].fillna(-np.inf) >= rules.high_harm_weight
    meaningful = t["count"] >= rules.meaningful_county_count
    priority_in_most = t["priority_districts"] >= most
    level = np.where(low_in_most & (high_harm | meaningful), COUNTY_WIDE,
                     np.where(priority_in_most, COORDINATED, DISTRICT_LED))
    t["delivery_level"] = level

    rationale, risk = [], []
    for row in t.itertuples(index=False):
        k_low, k_pri, n_d = int(row.low_volume_districts), int(row.priority_districts), int(row.districts)
        if row.delivery_level == COUNTY_WIDE:
            why = []
            if pd.notna(row.harm_weight) and row.harm_weight >= rules.high_harm_weight:
                why.append(f"high harm ({_num(row.harm_weight)} {harm_unit} per offence)")
            if row.count >= rules.meaningful_county_count:
                why.append(f"a county total of {row.count:,} this quarter")
            rationale.append(
                f"Low volume in {k_low} of {n_d} districts (fewer than {rules.low_volume_count} a quarter) "
                f"but {' and '.join(why)}: one county-wide service, as no district has enough cases to "
                "justify its own."
            )
            risk.append("")
        elif row.delivery_level == COORDINATED:
            rationale.append(
                f"A top-{rules.priority_top_n} priority in {k_pri} of {n_d} districts, {row.count:,} "
                f"incidents county-wide and {int(row.districts_above_county_rate)} districts at or above the "
                f"county rate of {row.rate_per_1000:.2f} per 1,000: delivered locally, coordinated county-wide "
                "for economies of scale."
            )
            risk.append("")
        else:
            share = (f"{row.top_district} holds {row.top_district_share:.0%} of the county count"
                     if pd.notna(row.top_district_share) else "no incidents this quarter")
            rationale.append(
                f"A top-{rules.priority_top_n} priority in {k_pri} of {n_d} districts and low volume in "
                f"{k_low}, not enough for county delivery: district-led ({share})."
            )
            lq = (f", location quotient up to {row.top_location_quotient:.2f}"
                  if pd.notna(row.top_location_quotient) else "")
            harm = (f"harm weight {_num(row.harm_weight)} {harm_unit}" if pd.notna(row.harm_weight)
                    else "no harm weight")
            risk.append(
                f"Not escalated. Risk: {share}{lq}; {int(row.rising_districts)} district(s) with an increase "
                f"beyond random variation; {harm}. Review each quarter and escalate if it becomes a "
                f"top-{rules.priority_top_n} priority in {int(most_districts(n_d, rules))} districts."
            )
    t["rationale"] = rationale
    t["risk_note"] = pd.Series(risk, index=t.index).replace("", pd.NA).astype("str")
    return t
