"""Priority score: a configurable weighted combination of volume, trend, harm, cost and prevalence.

Each component is scaled to 0-1 within the set being ranked (a district's issues for a district ranking, the
county's issues for the county ranking), so that no unit dominates:

- ``score_volume``: count / the largest count in the set;
- ``score_trend``: 1 for a change flagged ``increase``, 0 for ``decrease``, 0.5 for no change beyond random
  variation or no comparison available (neutral);
- ``score_harm``: harm score / the largest in the set (0 where an issue has no harm weight, such as ASB);
- ``score_cost``: estimated cost of crime / the largest in the set (0 where no unit cost exists);
- ``score_prevalence``: the issue's prevalence share across the county's districts (0-1).

``priority_score = 100 x sum(w_k x score_k) / sum(w_k)`` with the weights of ``[scoring]`` in county.toml
(0-100). ``priority_rank`` 1 is the top priority; ties are broken by issue name, so ranks are deterministic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .config import ScoringWeights
from .volume import FLAG_DOWN, FLAG_UP

COMPONENTS = ("volume", "trend", "harm", "cost", "prevalence")


def _share_of_max(values: pd.Series, groups: pd.Series | None) -> pd.Series:
    v = values.astype("float64").fillna(0.0)
    top = v.groupby(groups, observed=True).transform("max") if groups is not None else pd.Series(
        v.max(), index=v.index)
    return (v / top.where(top > 0)).fillna(0.0)


def trend_component(change_flag: pd.Series) -> pd.Series:
    """1 for ``increase``, 0 for ``decrease``, 0.5 otherwise (no change, or no comparison)."""
    flag = change_flag.astype("str")
    return pd.Series(np.where(flag == FLAG_UP, 1.0, np.where(flag == FLAG_DOWN, 0.0, 0.5)),
                     index=change_flag.index)


def add_priority(table: pd.DataFrame, weights: ScoringWeights, prevalence_share: pd.Series,
                 by: str | None = None) -> pd.DataFrame:
    """Add the five components, ``priority_score`` (0-100) and ``priority_rank`` to a table of issues.

    Parameters
    ----------
    table : DataFrame
        One row per issue (county) or per district x issue, with ``issue``, ``count``, ``change_flag``,
        ``harm_score`` and ``cost_of_crime_gbp``.
    weights : ScoringWeights
        From county.toml ``[scoring]``.
    prevalence_share : Series
        Prevalence share (0-1) per issue name.
    by : str, optional
        Column whose groups are ranked separately (``"district"``); None ranks the whole table.

    Returns
    -------
    DataFrame
        The table with ``score_volume``, ``score_trend``, ``score_harm``, ``score_cost``,
        ``score_prevalence``, ``priority_score`` and ``priority_rank`` (int, 1 = top).
    """
    out = table.copy()
    groups = out[by] if by else None
    out["score_volume"] = _share_of_max(out["count"], groups)
    out["score_trend"] = trend_component(out["change_flag"])
    out["score_harm"] = _share_of_max(out["harm_score"], groups)
    out["score_cost"] = _share_of_max(out["cost_of_crime_gbp"], groups)
    out["score_prevalence"] = out["issue"].astype("str").map(prevalence_share).astype("float64").fillna(0.0)
    w = np.array([getattr(weights, c) for c in COMPONENTS], dtype=float)
    parts = out[[f"score_{c}" for c in COMPONENTS]].to_numpy()
    out["priority_score"] = 100 * (parts @ w) / w.sum()
    keys = ([by] if by else []) + ["priority_score", "issue"]
    order = out.assign(issue=out["issue"].astype("str")).sort_values(
        keys, ascending=[True] * (1 if by else 0) + [False, True])
    ranks = order.groupby(by, observed=True).cumcount() + 1 if by else pd.Series(
        np.arange(1, len(order) + 1), index=order.index)
    out["priority_rank"] = ranks.reindex(out.index).astype("int64")
    return out
