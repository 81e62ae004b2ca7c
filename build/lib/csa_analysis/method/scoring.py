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

Caveat: an issue without a harm weight (anti-social behaviour) or a unit cost (most police.uk categories)
scores 0 on that component, not "unknown", so it can only reach a high priority through volume, trend and
prevalence; the methodology annex says so.

Optionally, :func:`morile_matrix` places the county's issues in a MoRiLE-style harm x likelihood matrix, but
only with band edges the county sets in ``[morile]`` (MoRiLE's own scales were not found: none is shipped).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csa_analysis.config.county import County, ScoringWeights
from csa_analysis.errors import InputError
from csa_analysis.method.volume import FLAG_DOWN, FLAG_UP

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


# ------------------------------------------------------------------------------------------------
# Optional MoRiLE-style matrix (harm x likelihood), only with scales read from county.toml

#: Columns of the county table an axis may use.
MORILE_HARM_MEASURES = ("harm_weight", "harm_score")
MORILE_LIKELIHOOD_MEASURES = ("count", "rate_per_1000", "prevalence_share", "districts_above_county_rate")
_MORILE_KEYS = {"harm_measure", "harm_thresholds", "harm_labels", "likelihood_measure",
                "likelihood_thresholds", "likelihood_labels"}


@dataclass(frozen=True)
class MorileScales:
    """User-set scales of a MoRiLE-style matrix (``[morile]`` in county.toml).

    MoRiLE's own numeric scales were not found (reference.md), so nothing here has a default: the county
    sets every band edge. A value at or above the k-th threshold (k = 1, 2, ...) is in level k + 1; below the
    first threshold it is level 1.

    Attributes
    ----------
    harm_measure : str
        ``harm_weight`` (harm per offence) or ``harm_score`` (weight x count).
    harm_thresholds : tuple of float
        Strictly increasing band edges on the harm measure.
    harm_labels : tuple of str
        One label per level (one more than the thresholds); default "1", "2", ...
    likelihood_measure : str
        ``count``, ``rate_per_1000``, ``prevalence_share`` or ``districts_above_county_rate``.
    likelihood_thresholds, likelihood_labels
        As for harm.
    """

    harm_measure: str
    harm_thresholds: tuple[float, ...]
    harm_labels: tuple[str, ...]
    likelihood_measure: str
    likelihood_thresholds: tuple[float, ...]
    likelihood_labels: tuple[str, ...]


def morile_scales(county: County) -> MorileScales | None:
    """The county's MoRiLE-style scales, or None when ``[morile]`` is absent or empty.

    Expected shape (every number is the county's own choice; none is shipped)::

        [morile]
        harm_measure = "harm_weight"
        harm_thresholds = [10, 100]            # three harm levels
        harm_labels = ["lower", "medium", "higher"]
        likelihood_measure = "count"
        likelihood_thresholds = [100, 1000]
        likelihood_labels = ["less frequent", "frequent", "very frequent"]

    Raises
    ------
    InputError
        An unknown key, a missing measure or thresholds, thresholds that are not increasing numbers, or a
        label list of the wrong length; the message names county.toml and the key.
    """
    raw = county.morile
    if not raw:
        return None
    file = county.toml_path
    unknown = sorted(set(raw) - _MORILE_KEYS)
    if unknown:
        raise InputError(f"unknown key{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}",
                         file=file, where="[morile]", expected="only " + ", ".join(sorted(_MORILE_KEYS)))
    values = {}
    for axis, allowed in (("harm", MORILE_HARM_MEASURES), ("likelihood", MORILE_LIKELIHOOD_MEASURES)):
        measure = raw.get(f"{axis}_measure")
        if measure not in allowed:
            raise InputError(f"{axis}_measure {measure!r} is not valid", file=file,
                             where=f"[morile] {axis}_measure", expected="one of " + ", ".join(allowed))
        edges = raw.get(f"{axis}_thresholds")
        ok = (isinstance(edges, list) and len(edges) > 0
              and all(isinstance(e, int | float) and not isinstance(e, bool) and math.isfinite(e) for e in edges)
              and all(a < b for a, b in zip(edges, edges[1:], strict=False)))
        if not ok:
            raise InputError(f"{axis}_thresholds {edges!r} are not valid", file=file,
                             where=f"[morile] {axis}_thresholds",
                             expected="a non-empty list of strictly increasing numbers (band edges)")
        labels = raw.get(f"{axis}_labels", [str(k) for k in range(1, len(edges) + 2)])
        if not (isinstance(labels, list) and len(labels) == len(edges) + 1
                and all(isinstance(x, str) and x.strip() for x in labels)):
            raise InputError(f"{axis}_labels {labels!r} are not valid", file=file, where=f"[morile] {axis}_labels",
                             expected=f"{len(edges) + 1} names, one per level (one more than the thresholds)")
        values[f"{axis}_measure"] = measure
        values[f"{axis}_thresholds"] = tuple(float(e) for e in edges)
        values[f"{axis}_labels"] = tuple(labels)
    return MorileScales(**values)


def _level(values: pd.Series, edges: tuple[float, ...]) -> pd.Series:
    """Level 1..len(edges)+1 of each value (``<NA>`` where the value is missing)."""
    v = values.astype("float64")
    level = np.searchsorted(np.asarray(edges), v.to_numpy(), side="right") + 1
    return pd.Series(level, index=v.index, dtype="Int64").mask(v.isna())


def morile_matrix(county_table: pd.DataFrame, scales: MorileScales) -> pd.DataFrame:
    """Place each county issue in a harm x likelihood matrix with the county's own scales.

    Parameters
    ----------
    county_table : DataFrame
        One row per issue with ``issue``, ``count`` and the two measures named in ``scales``.
    scales : MorileScales
        From :func:`morile_scales`.

    Returns
    -------
    DataFrame
        One row per issue, sorted by ``risk_score`` (highest first) then issue: ``issue``, ``count`` (county
        incidents in the quarter, so that a disclosure rule sees it), ``harm_measure``,
        ``harm_value``, ``harm_level`` (Int64, 1 = lowest band; blank where the issue has no harm weight),
        ``harm_band``, ``likelihood_measure``, ``likelihood_value``, ``likelihood_level``, ``likelihood_band``,
        ``risk_score`` (harm level x likelihood level; blank where either is blank).
    """
    out = pd.DataFrame({"issue": county_table["issue"].astype("str").to_numpy(),
                        "count": county_table["count"].astype("int64").to_numpy()})
    for axis in ("harm", "likelihood"):
        measure = getattr(scales, f"{axis}_measure")
        value = county_table[measure].astype("float64").reset_index(drop=True)
        level = _level(value, getattr(scales, f"{axis}_thresholds"))
        labels = np.asarray(getattr(scales, f"{axis}_labels"), dtype=object)
        out[f"{axis}_measure"] = measure
        out[f"{axis}_value"] = value
        out[f"{axis}_level"] = level
        band = labels[(level.fillna(1) - 1).to_numpy(dtype="int64")]
        out[f"{axis}_band"] = pd.Series(band, dtype="str").mask(level.isna())
    out["risk_score"] = (out["harm_level"] * out["likelihood_level"]).astype("Int64")
    order = out.assign(_s=out["risk_score"].astype("Float64").fillna(-1)).sort_values(
        ["_s", "issue"], ascending=[False, True])
    return order.drop(columns="_s").reset_index(drop=True)
