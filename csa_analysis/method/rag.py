"""Red / Amber / Green status of every issue, for the county and for each district, with the reason.

Computed from the true (unpublished) tables, before any disclosure rule blanks a small count, so a suppressed
count can never turn an issue Green. The report layer only shows the ``rag`` table this returns, with
:data:`RAG_KEY` printed beside it: one definition per level.

Changes are those flagged after the false-discovery-rate control of the quarter's tests; where the comparison
quarter is not in the data, the reason says "no comparison available", never "no increase".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csa_analysis.method.delivery import DISTRICT_LED
from csa_analysis.method.volume import FLAG_UP, NO_COMPARISON

#: Columns of the ``rag`` table.
RAG_COLUMNS = ("level", "district", "issue", "status", "reason", "priority_rank")

#: What each status means, per level (printed on every page beside the statuses).
RAG_KEY = {
    "county": {
        "Red": "a county-wide increase beyond random variation (after the false-discovery-rate control)",
        "Amber": "escalated to county level: a county-wide service or county coordination",
        "Green": "district-led, with no county-wide increase beyond random variation (or no comparison "
                 "available)",
    },
    "district": {
        "Red": "an increase beyond random variation (after the false-discovery-rate control), or a rate beyond "
               "the county's upper 99.8% control limit for a district of its size (allowing for the usual "
               "variation between districts where they vary more than chance)",
        "Amber": "a rate above the county's upper 95% limit (significantly above the county rate, on the same "
                 "basis)",
        "Green": "neither (a rate within the county's limits, no increase beyond random variation, or no "
                 "comparison available)",
    },
}


def _trend_reason(flag: pd.Series) -> np.ndarray:
    return np.where(flag == NO_COMPARISON, "no comparison available", "no increase beyond random variation")


def county_rag(county_priorities: pd.DataFrame) -> pd.DataFrame:
    """The county roll-up's RAG per issue (:data:`RAG_KEY` ``["county"]``).

    Parameters
    ----------
    county_priorities : DataFrame
        ``issue``, ``change_flag``, ``delivery_level``, ``priority_rank``.

    Returns
    -------
    DataFrame
        :data:`RAG_COLUMNS`, ``level`` "county", ``district`` blank, sorted by priority rank.
    """
    t = county_priorities
    flag = t["change_flag"].astype("str") if "change_flag" in t else pd.Series(NO_COMPARISON, index=t.index)
    red = (flag == FLAG_UP).to_numpy()
    escalated = (t["delivery_level"] != DISTRICT_LED).to_numpy()
    level = t["delivery_level"].astype("str").to_numpy()
    trend = _trend_reason(flag)
    reason = np.where(red, "increase beyond random variation; " + level,
                      np.where(escalated, "escalated: " + level + "; " + trend, "district-led; " + trend))
    return pd.DataFrame({
        "level": "county", "district": None, "issue": t["issue"].astype("str").to_numpy(),
        "status": np.where(red, "Red", np.where(escalated, "Amber", "Green")), "reason": reason,
        "priority_rank": t["priority_rank"].to_numpy(),
    }).sort_values("priority_rank", ignore_index=True)


def district_rag(issue_scores: pd.DataFrame) -> pd.DataFrame:
    """Every district's RAG per issue (:data:`RAG_KEY` ``["district"]``).

    Parameters
    ----------
    issue_scores : DataFrame
        ``district``, ``issue``, ``change_flag``, ``priority_rank``, ``county_rate_per_1000``, ``above_95``,
        ``above_998`` and optionally ``limits_adjusted`` (:func:`csa_analysis.method.prevalence.against_county`:
        the limits allow for the usual variation between districts, and the reason then says so).

    Returns
    -------
    DataFrame
        :data:`RAG_COLUMNS` plus ``county_rate_per_1000``, ``level`` "district", sorted by district then rank.
    """
    t = issue_scores
    flag = t["change_flag"].astype("str")
    rising = (flag == FLAG_UP).to_numpy()
    beyond = t["above_998"].to_numpy(dtype=bool)
    above = t["above_95"].to_numpy(dtype=bool)
    red = rising | beyond
    amber = ~red & above
    trend = _trend_reason(flag)
    adjusted = (t["limits_adjusted"].to_numpy(dtype=bool) if "limits_adjusted" in t
                else np.zeros(len(t), dtype=bool))
    allowing = np.where(adjusted, " (allowing for the usual variation between districts)", "")
    reason = np.where(rising, "increase beyond random variation",
                      np.where(beyond, "rate beyond the county's 99.8% limit" + allowing + "; " + trend,
                               np.where(amber, "rate above the county's 95% limit" + allowing + "; " + trend,
                                        "rate within the county's limits" + allowing + "; " + trend)))
    out = pd.DataFrame({
        "level": "district", "district": t["district"].astype("str").to_numpy(),
        "issue": t["issue"].astype("str").to_numpy(),
        "status": np.where(red, "Red", np.where(amber, "Amber", "Green")), "reason": reason,
        "priority_rank": t["priority_rank"].to_numpy(),
        "county_rate_per_1000": t["county_rate_per_1000"].astype("float64").to_numpy(),
    })
    return out.sort_values(["district", "priority_rank"], ignore_index=True, kind="stable")


def rag_table(issue_scores: pd.DataFrame, county_priorities: pd.DataFrame) -> pd.DataFrame:
    """The county rows then every district's rows (:func:`county_rag`, :func:`district_rag`), one table.

    Examples
    --------
    >>> cp = pd.DataFrame({"issue": ["Robbery"], "change_flag": ["no comparison available"],
    ...                    "delivery_level": ["district-led"], "priority_rank": [1]})
    >>> s = pd.DataFrame({"district": ["North"], "issue": ["Robbery"], "change_flag": ["no comparison available"],
    ...                   "priority_rank": [1], "county_rate_per_1000": [1.0], "above_95": [True],
    ...                   "above_998": [False]})
    >>> rag_table(s, cp)[["level", "status", "reason"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    [['county', 'Green', 'district-led; no comparison available'],
     ['district', 'Amber', "rate above the county's 95% limit; no comparison available"]]
    """
    return pd.concat([county_rag(county_priorities), district_rag(issue_scores)], ignore_index=True)
