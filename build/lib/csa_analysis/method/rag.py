"""Red / Amber / Green status of every issue, for the county and for each district, with the reason.

Computed from the true (unpublished) tables, before any disclosure rule blanks a small count, so a suppressed
count can never turn an issue Green. The report layer only shows the ``rag`` table this returns.

County roll-up (one row per issue, ``district`` blank): Red for an increase beyond random variation; Amber for
an issue escalated to county level (a county-wide service or county coordination); Green otherwise.

District (one row per district x issue): Red for an increase beyond random variation, or a rate above the
county's upper 99.8% Poisson limit for a district of that size; Amber for a rate at or above the county rate
(with at least one incident); Green otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from csa_analysis.method.delivery import DISTRICT_LED
from csa_analysis.method.volume import FLAG_UP, poisson_quantile

#: Columns of the ``rag`` table.
RAG_COLUMNS = ("level", "district", "issue", "status", "reason", "priority_rank")
#: Upper control limit used for "well above the county rate" (two-sided 99.8%: the funnel plot's outer limit).
RED_LIMIT = 0.999


def county_rag(county_priorities: pd.DataFrame) -> pd.DataFrame:
    """The county roll-up's RAG per issue (see the module docstring).

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
    flag = t["change_flag"].astype("str") if "change_flag" in t else pd.Series("", index=t.index)
    red = (flag == FLAG_UP).to_numpy()
    amber = (t["delivery_level"] != DISTRICT_LED).to_numpy()
    reason = np.where(red, "increase beyond random variation",
                      np.where(amber, "escalated: " + t["delivery_level"].astype("str"), "district-led, no increase"))
    return pd.DataFrame({
        "level": "county", "district": None, "issue": t["issue"].astype("str").to_numpy(),
        "status": np.where(red, "Red", np.where(amber, "Amber", "Green")), "reason": reason,
        "priority_rank": t["priority_rank"].to_numpy(),
    }).sort_values("priority_rank", ignore_index=True)


def district_rag(issue_scores: pd.DataFrame, county_priorities: pd.DataFrame) -> pd.DataFrame:
    """Every district's RAG per issue (see the module docstring).

    Parameters
    ----------
    issue_scores : DataFrame
        ``district``, ``issue``, ``count``, ``population``, ``rate_per_1000``, ``change_flag``,
        ``priority_rank``.
    county_priorities : DataFrame
        ``issue``, ``rate_per_1000`` (the county rate).

    Returns
    -------
    DataFrame
        :data:`RAG_COLUMNS` plus ``county_rate_per_1000``, ``level`` "district", sorted by district then rank.
    """
    t = issue_scores
    issue = t["issue"].astype("str")
    county_rate = issue.map(county_priorities.set_index(county_priorities["issue"].astype("str"))["rate_per_1000"])
    pop = t["population"].astype("float64")
    upper = poisson_quantile(RED_LIMIT, county_rate * pop / 1000) / pop * 1000
    flag = t["change_flag"].astype("str")
    rate = t["rate_per_1000"].astype("float64")
    red = ((flag == FLAG_UP) | (rate > upper)).fillna(False).to_numpy(dtype=bool)
    amber = (~red & (rate >= county_rate) & (t["count"].astype("float64") > 0)).fillna(False).to_numpy(dtype=bool)
    reason = np.where(flag == FLAG_UP, "increase beyond random variation",
                      np.where(red, "rate above the county's 99.8% limit",
                               np.where(amber, "rate at or above the county rate", "below the county rate")))
    out = pd.DataFrame({
        "level": "district", "district": t["district"].astype("str").to_numpy(), "issue": issue.to_numpy(),
        "status": np.where(red, "Red", np.where(amber, "Amber", "Green")), "reason": reason,
        "priority_rank": t["priority_rank"].to_numpy(), "county_rate_per_1000": county_rate.to_numpy(),
    })
    return out.sort_values(["district", "priority_rank"], ignore_index=True, kind="stable")


def rag_table(issue_scores: pd.DataFrame, county_priorities: pd.DataFrame) -> pd.DataFrame:
    """The county rows then every district's rows (:func:`county_rag`, :func:`district_rag`), one table.

    Examples
    --------
    >>> cp = pd.DataFrame({"issue": ["Robbery"], "rate_per_1000": [1.0], "change_flag": ["increase"],
    ...                    "delivery_level": ["district-led"], "priority_rank": [1]})
    >>> s = pd.DataFrame({"district": ["North"], "issue": ["Robbery"], "count": [100], "population": [10_000],
    ...                   "rate_per_1000": [10.0], "change_flag": [None], "priority_rank": [1]})
    >>> rag_table(s, cp)[["level", "status", "reason"]].values.tolist()
    [['county', 'Red', 'increase beyond random variation'], ['district', 'Red', "rate above the county's 99.8% limit"]]
    """
    return pd.concat([county_rag(county_priorities), district_rag(issue_scores, county_priorities)],
                     ignore_index=True)
