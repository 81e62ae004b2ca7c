"""Delivery level per county issue, the rationale that names the figures that decided it, and, for every issue
not escalated, a risk note.

The escalation protocol (Home Office, "Identifying county-wide priorities"; design.md sections 2 and 4) has four
criteria: (a) a more serious crime that benefits from a county-wide approach; (b) a county-level delivery
mechanism that already exists for the issue; (c) high volume across several districts, for economies of
scale; (d) county-level funding that can be accessed for it. Low-volume issues need one service for the whole
county because no district has enough cases; high-volume issues lend themselves to district delivery. The
rules, in order (thresholds from ``[delivery]`` in county.toml, :class:`csa_analysis.config.DeliveryRules`):

1. **No incidents in any district**: district-led; nothing to escalate.
2. **One district only**: district-led; there is nothing to coordinate across districts.
3. **Concentrated**: when one district holds more than ``concentration_share`` of the county count, the issue is
   that district's to lead, however low it is elsewhere.
4. **County-wide service** (criterion a and the low-volume rule; b and d): low volume (fewer than
   ``low_volume_count`` a quarter) in most districts (a strict majority), enough cases in the county for one
   service (at least ``service_min_count`` a quarter), and high harm (a weight of at least ``high_harm_weight``),
   a meaningful county total (at least ``meaningful_county_count``), an existing county mechanism or a county
   funding opportunity.
5. **County-coordinated** (criterion c; b and d): high volume in most districts and a shared pattern: a rise
   beyond random variation (after the false-discovery-rate control) or a rate beyond the county's upper 99.8%
   control limit in at least ``shared_pattern_districts`` districts, a county-wide rise, an existing county
   mechanism or a county funding opportunity. A high rank alone is not a shared pattern. The limit allows for
   the usual variation between districts (:func:`csa_analysis.method.prevalence.against_county`): for a
   high-volume issue the Poisson limit alone is so tight that ordinary differences between districts' rates
   of about 10% cross it, which would make almost every high-volume issue "a shared pattern".
6. **District-led** otherwise, with a risk note naming where the issue is concentrated, its trend, its harm and
   what would trigger escalation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from csa_analysis.config.county import DeliveryRules, IssueSettings
from csa_analysis.method.volume import FLAG_UP, NO_COMPARISON

COUNTY_WIDE = "county-wide service"
COORDINATED = "county-coordinated"
DISTRICT_LED = "district-led"
LEVELS = (COUNTY_WIDE, COORDINATED, DISTRICT_LED)


def majority(k: np.ndarray | int, n: np.ndarray | int, rules: DeliveryRules) -> np.ndarray | bool:
    """True where ``k`` of ``n`` districts are "most" of them: more than ``most_districts_share`` (strictly).

    Examples
    --------
    >>> [bool(majority(k, n, DeliveryRules())) for k, n in ((2, 4), (3, 4), (4, 7))]
    [False, True, True]
    """
    return np.asarray(k) > rules.most_districts_share * np.asarray(n)


def most_districts(n: int, rules: DeliveryRules) -> int:
    """How many districts make "most" of ``n``: the smallest k with k / n above ``most_districts_share``.

    Examples
    --------
    >>> most_districts(7, DeliveryRules()), most_districts(4, DeliveryRules()), most_districts(1, DeliveryRules())
    (4, 3, 1)
    """
    return int(np.floor(rules.most_districts_share * n)) + 1 if n else 0


def _names(mask: pd.Series, district: pd.Series, issue: pd.Series) -> pd.Series:
    """Per issue, the districts where ``mask`` holds, comma-joined in county order."""
    picked = pd.DataFrame({"issue": issue[mask.to_numpy()], "district": district[mask.to_numpy()]})
    return picked.groupby("issue", sort=False)["district"].agg(", ".join)


def district_evidence(issue_scores: pd.DataFrame, rules: DeliveryRules) -> pd.DataFrame:
    """Per issue, the district facts the rules use.

    Parameters
    ----------
    issue_scores : DataFrame
        District x issue rows with ``district``, ``issue``, ``count``, ``change_flag``, ``above_998`` (rate
        beyond the county's upper 99.8% limit, allowing for the usual variation between districts) and
        ``location_quotient``; optionally ``poisson_above_998``, ``limits_adjusted`` and ``overdispersion_tau``
        (:func:`csa_analysis.method.prevalence.against_county`; False, False and 0 when absent).
    rules : DeliveryRules
        Thresholds from county.toml.

    Returns
    -------
    DataFrame
        Indexed by issue (str): ``low_volume_districts`` (below ``low_volume_count``), ``high_volume_districts``,
        ``rising_districts`` (an increase beyond random variation, after the false-discovery-rate control),
        ``above_limit_districts`` (beyond the county's 99.8% limit used), ``poisson_above_districts`` (beyond
        the Poisson 99.8% limit alone), their names (``rising_names``, ``above_names``), ``comparison_available``
        (bool), ``top_location_quotient``, ``limits_adjusted`` (bool: the limits allow for overdispersion) and
        ``overdispersion_tau`` (the usual between-district standard deviation, as a share of the county rate).
    """
    s = issue_scores
    issue = s["issue"].astype("str").reset_index(drop=True)
    district = s["district"].astype("str").reset_index(drop=True)
    flag = s["change_flag"].astype("str").reset_index(drop=True)
    low = (s["count"] < rules.low_volume_count).to_numpy(dtype=bool)
    rising = flag.eq(FLAG_UP).fillna(False)
    def column(name: str, default: object) -> pd.Series:
        return (s[name] if name in s else pd.Series(default, index=s.index)).reset_index(drop=True)

    above = column("above_998", False)
    frame = pd.DataFrame({"issue": issue, "low": low, "high": ~low, "rising": rising.to_numpy(dtype=bool),
                          "above": above.to_numpy(dtype=bool),
                          "poisson_above": column("poisson_above_998", False).to_numpy(dtype=bool),
                          "adjusted": column("limits_adjusted", False).to_numpy(dtype=bool),
                          "tau": column("overdispersion_tau", 0.0).astype("float64").to_numpy(),
                          "compared": flag.ne(NO_COMPARISON).fillna(False).to_numpy(dtype=bool),
                          "lq": s["location_quotient"].astype("float64").to_numpy()})
    g = frame.groupby("issue", sort=False)
    out = pd.DataFrame({
        "low_volume_districts": g["low"].sum().astype("int64"),
        "high_volume_districts": g["high"].sum().astype("int64"),
        "rising_districts": g["rising"].sum().astype("int64"),
        "above_limit_districts": g["above"].sum().astype("int64"),
        "poisson_above_districts": g["poisson_above"].sum().astype("int64"),
        "comparison_available": g["compared"].any(),
        "top_location_quotient": g["lq"].max(),
        "limits_adjusted": g["adjusted"].any(),
        "overdispersion_tau": g["tau"].max(),
    })
    out["rising_names"] = _names(rising, district, issue).reindex(out.index).fillna("")
    out["above_names"] = _names(above.astype(bool), district, issue).reindex(out.index).fillna("")
    return out


def _num(x: float) -> str:
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}"


def _levels(t: pd.DataFrame, rules: DeliveryRules) -> dict[str, np.ndarray]:
    """The rules' tests per issue (each a boolean array) and the level they give."""
    n = t["districts"].to_numpy(dtype="int64")
    count = t["count"].to_numpy(dtype="int64")
    share = t["top_district_share"].astype("float64").to_numpy()
    k = rules.shared_pattern_districts
    tests = {
        "zero": count == 0,
        "single": n < 2,
        "concentrated": np.nan_to_num(share) > rules.concentration_share,
        "low_most": majority(t["low_volume_districts"].to_numpy(), n, rules),
        "high_most": majority(t["high_volume_districts"].to_numpy(), n, rules),
        "enough": count >= rules.service_min_count,
        "high_harm": t["harm_weight"].astype("float64").fillna(-np.inf).to_numpy() >= rules.high_harm_weight,
        "meaningful": count >= rules.meaningful_county_count,
        "mechanism": t["county_mechanism"].astype("str").str.len().to_numpy() > 0,
        "funding": t["county_funding"].astype("str").str.len().to_numpy() > 0,
        "county_rising": t["change_flag"].astype("str").eq(FLAG_UP).fillna(False).to_numpy(dtype=bool),
        "rising_several": t["rising_districts"].to_numpy() >= k,
        "above_several": t["above_limit_districts"].to_numpy() >= k,
    }
    blocked = tests["zero"] | tests["single"] | tests["concentrated"]
    county_level = tests["mechanism"] | tests["funding"]
    tests["county_wide"] = (~blocked & tests["low_most"] & tests["enough"]
                            & (tests["high_harm"] | tests["meaningful"] | county_level))
    tests["coordinated"] = (~blocked & ~tests["county_wide"] & tests["high_most"]
                            & (tests["rising_several"] | tests["above_several"] | tests["county_rising"]
                               | county_level))
    return tests


def _districts(k: int) -> str:
    return f"{k} district" if k == 1 else f"{k} districts"


def _trend(r: Mapping[str, Any]) -> str:
    if not r["comparison_available"]:
        return "no comparison available"
    if r["rising_districts"]:
        return f"a rise beyond random variation in {_districts(r['rising_districts'])} ({r['rising_names']})"
    return "no district rises beyond random variation"


def _allowing(r: Mapping[str, Any]) -> str:
    """Where the limits were widened: the phrase that says so, with the usual between-district variation."""
    if not r.get("limits_adjusted"):
        return ""
    tau = float(r["overdispersion_tau"])
    share = f"{tau:.0%}" if tau >= 0.01 else f"{tau:.1%}"
    return f" once the usual variation between districts, a standard deviation of {share} of the county rate, is " \
        "allowed for"


def _rationale(r: Mapping[str, Any], rules: DeliveryRules, unit: str) -> str:
    """One sentence naming the figures that decided the issue's level."""
    n, c = int(r["districts"]), int(r["count"])
    low, high = int(r["low_volume_districts"]), int(r["high_volume_districts"])
    weight = "no harm weight" if pd.isna(r["harm_weight"]) else f"harm weight {_num(r['harm_weight'])} {unit}"
    county_level = [f"an existing county mechanism ({r['county_mechanism']})"] if r["county_mechanism"] else []
    county_level += [f"a county funding opportunity ({r['county_funding']})"] if r["county_funding"] else []
    if r["zero"]:
        return f"No incidents in any of the {n} districts this quarter: nothing to escalate."
    if r["single"]:
        return (f"{c:,} incidents in the county's only district ({r['top_district']}): there is nothing to "
                "coordinate across districts.")
    if r["concentrated"]:
        return (f"{r['top_district']} holds {r['top_district_share']:.0%} of the county's {c:,} incidents "
                f"(more than {rules.concentration_share:.0%}): the issue is {r['top_district']}'s to lead, "
                "however low it is elsewhere.")
    if r["county_wide"]:
        why = ([f"{weight} per offence (at least {rules.high_harm_weight:g})"] if r["high_harm"] else [])
        why += [f"a county total of {c:,} (at least {rules.meaningful_county_count:,})"] if r["meaningful"] else []
        return (f"Low volume in {low} of {n} districts (below {rules.low_volume_count} a quarter each) but {c:,} "
                f"across the county (at least {rules.service_min_count} for one service) and "
                + " and ".join(why + county_level) + ": one county-wide service, as most districts have too few "
                "cases to justify their own.")
    pattern = []
    if r["rising_several"]:
        pattern.append(f"a rise beyond random variation in {r['rising_districts']} districts ({r['rising_names']})")
    if r["above_several"]:
        pattern.append(f"rates beyond the county's 99.8% limit in {r['above_limit_districts']} districts "
                       f"({r['above_names']}){_allowing(r)}")
    if r["county_rising"]:
        pattern.append("a county-wide rise beyond random variation")
    if r["coordinated"]:
        return (f"High volume in {high} of {n} districts ({rules.low_volume_count} or more a quarter each) and "
                + " and ".join(pattern + county_level) + ": delivered by the districts, coordinated county-wide "
                "for economies of scale.")
    if r["low_most"]:
        missing = ([f"the county total of {c:,} is below the {rules.service_min_count} one service needs"]
                   if not r["enough"] else
                   [f"{weight} (below {rules.high_harm_weight:g}), a county total of {c:,} (below "
                    f"{rules.meaningful_county_count:,}) and no county mechanism or funding declared"])
        return (f"Low volume in {low} of {n} districts (below {rules.low_volume_count} a quarter each) but "
                + missing[0] + ": district-led.")
    volume = (f"High volume in {high} of {n} districts" if r["high_most"]
              else f"Volume split: {high} of {n} districts at {rules.low_volume_count} or more a quarter")
    beyond = f"{_districts(r['above_limit_districts'])} beyond the county's 99.8% limit{_allowing(r)}"
    if r.get("limits_adjusted") and r["poisson_above_districts"] != r["above_limit_districts"]:
        beyond += f", against {r['poisson_above_districts']} beyond the Poisson limit alone"
    return (f"{volume}, but no pattern shared by {rules.shared_pattern_districts} or more districts (trend: "
            f"{_trend(r)}; {beyond}) and no county mechanism or funding declared: district-led.")


def _risk(r: Mapping[str, Any], rules: DeliveryRules, unit: str) -> str:
    """The risk note of an issue not escalated: concentration, trend, harm, and what would trigger escalation."""
    if r["zero"]:
        return "Not escalated. Risk: none recorded this quarter. Review if incidents appear."
    where = f"{r['top_district']} holds {r['top_district_share']:.0%} of the county count"
    if pd.notna(r["top_location_quotient"]):
        where += f" (location quotient up to {r['top_location_quotient']:.2f})"
    weight = "no harm weight" if pd.isna(r["harm_weight"]) else f"harm weight {_num(r['harm_weight'])} {unit}"
    k = rules.shared_pattern_districts
    if r["concentrated"]:
        trigger = (f"it spreads so that no district holds more than {rules.concentration_share:.0%} of the "
                   "county count")
    elif r["low_most"]:
        trigger = (f"the county total reaches {rules.service_min_count} a quarter with high harm, a county "
                   "mechanism or funding" if not r["enough"] else
                   "a county mechanism or funding opportunity is declared, or its harm is reassessed")
    else:
        usual = " (allowing for the usual variation between districts)" if r.get("limits_adjusted") else ""
        trigger = (f"it rises beyond random variation, or goes beyond the county's 99.8% limit{usual}, in {k} or "
                   "more districts, or county-wide")
    return f"Not escalated. Risk: {where}; trend: {_trend(r)}; {weight}. Escalate if {trigger}."


def delivery_levels(county_table: pd.DataFrame, issue_scores: pd.DataFrame, rules: DeliveryRules,
                    issue_settings: Mapping[str, IssueSettings] | None = None,
                    harm_unit: str = "CCHI days") -> pd.DataFrame:
    """Decide the delivery level of each county issue and say why (see the module docstring for the rules).

    Parameters
    ----------
    county_table : DataFrame
        One row per issue with ``issue``, ``count``, ``districts``, ``harm_weight``, ``top_district``,
        ``top_district_share``, ``change_flag`` (the county-level test).
    issue_scores : DataFrame
        District x issue rows (see :func:`district_evidence`).
    rules : DeliveryRules
        Thresholds from county.toml.
    issue_settings : mapping of str to IssueSettings, optional
        What county.toml declares per issue: an existing county mechanism (criterion b), a county funding
        opportunity (criterion d).
    harm_unit : str
        Unit of the harm weights, named in the sentences (for example "CCHI days").

    Returns
    -------
    DataFrame
        ``county_table`` plus the evidence of :func:`district_evidence`, ``county_mechanism``,
        ``county_funding``, ``delivery_level``, ``rationale`` (one sentence naming the deciding figures) and
        ``risk_note`` (district-led issues only; blank for escalated ones).

    Examples
    --------
    Robbery, 3 a quarter in each of 7 districts with a harm weight of 365 CCHI days, is a county-wide service:
    "Low volume in 7 of 7 districts (below 20 a quarter each) but 21 across the county (at least 20 for one
    service) and harm weight 365 CCHI days per offence (at least 100): one county-wide service, ...". With no
    robbery at all, it is district-led: "No incidents in any of the 7 districts this quarter".
    """
    settings = issue_settings or {}
    ev = district_evidence(issue_scores, rules)
    t = county_table.copy()
    key = t["issue"].astype("str")
    for col in ev.columns:
        t[col] = key.map(ev[col]).to_numpy()
    t["county_mechanism"] = key.map(lambda i: settings.get(i, IssueSettings(i)).county_mechanism)
    t["county_funding"] = key.map(lambda i: settings.get(i, IssueSettings(i)).county_funding)
    tests = _levels(t, rules)
    t["delivery_level"] = np.where(tests["county_wide"], COUNTY_WIDE,
                                   np.where(tests["coordinated"], COORDINATED, DISTRICT_LED))
    records = [{**r, **{name: bool(v[i]) for name, v in tests.items()}}
               for i, r in enumerate(t.to_dict("records"))]  # one per issue (about 14), to word its sentences
    t["rationale"] = pd.Series([_rationale(r, rules, harm_unit) for r in records], index=t.index, dtype="str")
    t["risk_note"] = pd.Series([_risk(r, rules, harm_unit) if r["delivery_level"] == DISTRICT_LED else None
                                for r in records], index=t.index, dtype="str")
    return t
