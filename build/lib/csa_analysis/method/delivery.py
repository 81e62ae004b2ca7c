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

from csa_analysis.config.county import DeliveryRules
from csa_analysis.method.volume import FLAG_UP

COUNTY_WIDE = "county-wide service"
COORDINATED = "county-coordinated"
DISTRICT_LED = "district-led"
LEVELS = (COUNTY_WIDE, COORDINATED, DISTRICT_LED)


def most_districts(n: int, rules: DeliveryRules) -> int:
    """How many districts make "most": the smallest k with k / n >= ``most_districts_share``."""
    return max(1, math.ceil(rules.most_districts_share * n - 1e-9))


def district_evidence(issue_scores: pd.DataFrame, rules: DeliveryRules) -> pd.DataFrame:
    """Per issue, the district facts the rules use.

    Parameters
    ----------
    issue_scores : DataFrame
        District x issue scores with ``issue``, ``count``, ``priority_rank``, ``change_flag`` and
        ``location_quotient``.
    rules : DeliveryRules
        Thresholds from county.toml.

    Returns
    -------
    DataFrame
        Indexed by issue (str): ``low_volume_districts`` (districts below ``low_volume_count``),
        ``priority_districts`` (districts ranking it at most ``priority_top_n`` and with at least one
        incident), ``rising_districts`` (districts with an increase beyond random variation),
        ``top_location_quotient``.
    """
    s = issue_scores
    flags = pd.DataFrame({
        "issue": s["issue"].astype("str").to_numpy(),
        "low_volume_districts": (s["count"] < rules.low_volume_count).to_numpy(dtype=bool),
        "priority_districts": ((s["priority_rank"] <= rules.priority_top_n) & (s["count"] > 0)).to_numpy(
            dtype=bool),
        "rising_districts": s["change_flag"].astype("str").eq(FLAG_UP).fillna(False).to_numpy(dtype=bool),
        "top_location_quotient": s["location_quotient"].astype("float64").to_numpy(),
    })
    g = flags.groupby("issue", sort=False)
    out = g[["low_volume_districts", "priority_districts", "rising_districts"]].sum().astype("int64")
    out["top_location_quotient"] = g["top_location_quotient"].max()
    return out


def _num(x: float, unit: str = "") -> str:
    return f"{x:,.0f}{unit}" if float(x).is_integer() else f"{x:,.2f}{unit}"


def _fmt(values: pd.Series, spec: str = "{:,}", blank: str = "") -> pd.Series:
    """Format numbers for sentences (``blank`` where missing)."""
    return values.map(lambda v: blank if pd.isna(v) else spec.format(v)).astype("str")


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
    harm_unit : str
        Unit of the harm weights, named in the sentences (for example "CCHI days").

    Returns
    -------
    DataFrame
        ``county_table`` plus ``low_volume_districts``, ``priority_districts``, ``rising_districts``,
        ``top_location_quotient``, ``delivery_level``, ``rationale`` (one sentence naming the deciding
        figures) and ``risk_note`` (for district-led issues; blank for escalated ones).

    Examples
    --------
    With the default thresholds, robbery at 3 a quarter in each of 7 districts and a harm weight of 365 CCHI
    days is a county-wide service: "Low volume in 7 of 7 districts (below 20 a quarter) but harm weight 365
    CCHI days per offence (at least 100): one county-wide service, as no district has enough cases to justify
    its own."
    """
    ev = district_evidence(issue_scores, rules)
    t = county_table.copy()
    key = t["issue"].astype("str")
    for col in ev.columns:
        t[col] = key.map(ev[col]).to_numpy()
    n = t["districts"].astype("int64")
    most = np.maximum(1, np.ceil(rules.most_districts_share * n - 1e-9)).astype("int64")
    low_in_most = t["low_volume_districts"] >= most
    high_harm = t["harm_weight"].fillna(-np.inf) >= rules.high_harm_weight
    meaningful = t["count"] >= rules.meaningful_county_count
    priority_in_most = t["priority_districts"] >= most
    county_wide = low_in_most & (high_harm | meaningful)
    coordinated = ~county_wide & priority_in_most
    t["delivery_level"] = np.where(county_wide, COUNTY_WIDE, np.where(coordinated, COORDINATED, DISTRICT_LED))

    n_s, most_s = n.astype("str"), pd.Series(most, index=t.index).astype("str")
    k_low, k_pri = t["low_volume_districts"].astype("str"), t["priority_districts"].astype("str")
    count_s = _fmt(t["count"])
    weight_s = t["harm_weight"].map(lambda w: "" if pd.isna(w) else _num(w)).astype("str")
    low_phrase = "Low volume in " + k_low + " of " + n_s + f" districts (below {rules.low_volume_count} a quarter)"
    harm_reason = "harm weight " + weight_s + f" {harm_unit} per offence (at least {rules.high_harm_weight:g})"
    total_reason = "a county total of " + count_s + f" this quarter (at least {rules.meaningful_county_count:,})"
    why = pd.Series(np.where(high_harm & meaningful, harm_reason + " and " + total_reason,
                             np.where(high_harm, harm_reason, total_reason)), index=t.index)
    enough = pd.Series(np.where(t["low_volume_districts"] >= n,
                                "no district has enough cases to justify its own",
                                "most districts have too few cases to justify their own"), index=t.index)
    wide_text = low_phrase + " but " + why + ": one county-wide service, as " + enough + "."
    coord_text = ("A top-" + str(rules.priority_top_n) + " priority in " + k_pri + " of " + n_s + " districts, "
                  + count_s + " incidents county-wide and " + t["districts_above_county_rate"].astype("str")
                  + " districts at or above the county rate of " + _fmt(t["rate_per_1000"], "{:.2f}")
                  + " per 1,000: delivered locally, coordinated county-wide for economies of scale.")
    share = pd.Series(np.where(
        t["top_district_share"].notna(),
        t["top_district"].astype("str") + " holds " + _fmt(t["top_district_share"], "{:.0%}")
        + " of the county count", "no incidents this quarter"), index=t.index)
    harm_now = pd.Series(np.where(t["harm_weight"].notna(), "harm weight " + weight_s + f" {harm_unit}",
                                  "no harm weight"), index=t.index)
    not_wide = pd.Series(np.where(
        low_in_most,
        low_phrase + " but " + harm_now + f" (below {rules.high_harm_weight:g}) and a county total of "
        + count_s + f" (below {rules.meaningful_county_count:,})",
        low_phrase.str.removesuffix(")") + "; " + most_s + " needed for a county-wide service)"), index=t.index)
    led_text = (not_wide + ", and a top-" + str(rules.priority_top_n) + " priority in " + k_pri + " of " + n_s
                + " (" + most_s + " needed for county coordination): district-led; " + share + ".")
    t["rationale"] = np.where(county_wide, wide_text, np.where(coordinated, coord_text, led_text))
    t["rationale"] = t["rationale"].astype("str")

    lq = pd.Series(np.where(t["top_location_quotient"].notna(),
                            ", location quotient up to " + _fmt(t["top_location_quotient"], "{:.2f}"), ""),
                   index=t.index)
    risk = ("Not escalated. Risk: " + share + lq + "; " + t["rising_districts"].astype("str")
            + " district(s) with an increase beyond random variation; " + harm_now
            + ". Review each quarter and escalate if it becomes a top-" + str(rules.priority_top_n)
            + " priority in " + most_s + " districts.")
    t["risk_note"] = risk.where(t["delivery_level"] == DISTRICT_LED).astype("str")
    return t
