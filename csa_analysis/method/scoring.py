"""Priority score: a configurable weighted combination of volume, trend, harm, cost and prevalence.

Each component is scaled to 0-1 within the set being ranked (a district's issues for a district ranking, the
county's issues for the county ranking), so that no unit dominates:

- ``score_volume``: count / the largest count in the set;
- ``score_trend``: 1 for a change flagged ``increase``, 0 for ``decrease``, 0.5 for no change beyond random
  variation; unknown when no comparison is available;
- ``score_harm``: harm score / the largest in the set (unknown where an issue has no harm weight, such as ASB);
- ``score_cost``: estimated cost of crime / the largest in the set (unknown where no unit cost exists);
- ``score_prevalence``: the share of the county's districts whose rate is beyond the county's upper 99.8%
  control limit, allowing for the usual variation between districts (0-1;
  :func:`csa_analysis.method.prevalence.against_county`);
- ``score_concern``: community concern, the share of a residents' survey's respondents naming the issue a
  concern / the largest in the set (``DIR/consultation.csv``, :mod:`csa_analysis.method.concern`); unknown where
  the survey did not ask about the issue, and for every issue when no survey is given.

``priority_score = 100 x sum(w_k x score_k) / sum(w_k)`` over the components k known for the issue, with the
weights of ``[scoring]`` in county.toml (0-100). ``priority_rank`` 1 is the top priority; ties are broken by
issue name, so ranks are deterministic.

A component that is unknown for an issue (no harm weight for anti-social behaviour, no unit cost for most
police.uk types, no comparison quarter) is left out of that issue's score and the remaining weights are
renormalised (``score_basis`` names the components used): it never decides a ranking by its absence.

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
from csa_analysis.method.volume import FLAG_DOWN, FLAG_SAME, FLAG_UP

COMPONENTS = ("volume", "trend", "harm", "cost", "prevalence", "concern")


def _share_of_max(values: pd.Series, groups: pd.Series | None) -> pd.Series:
    """Each value as a share of the largest in its group (0-1); NaN stays NaN (an unknown component)."""
    v = values.astype("float64")
    top = v.groupby(groups, observed=True).transform("max") if groups is not None else pd.Series(
        v.max(), index=v.index)
    return (v / top.where(top > 0)).where(v.notna(), np.nan).fillna(v * 0)


def trend_component(change_flag: pd.Series) -> pd.Series:
    """1 for ``increase``, 0 for ``decrease``, 0.5 for no change beyond random variation; NaN (unknown) when
    no comparison is available."""
    flag = change_flag.astype("str")
    value = np.where(flag == FLAG_UP, 1.0, np.where(flag == FLAG_DOWN, 0.0, 0.5))
    return pd.Series(np.where(flag.isin([FLAG_UP, FLAG_DOWN, FLAG_SAME]), value, np.nan), index=change_flag.index)


def add_priority(table: pd.DataFrame, weights: ScoringWeights, prevalence_share: pd.Series,
                 by: str | None = None) -> pd.DataFrame:
    """Add the five components, ``priority_score`` (0-100), ``score_basis`` and ``priority_rank``.

    The score is taken over the components that are known for each issue (design.md section 4): an issue with
    no harm weight (anti-social behaviour), no unit cost (most police.uk types) or no comparison quarter is
    scored on the rest, with the remaining weights renormalised, so an unknown component never decides a
    ranking by its absence. A component known for fewer than ``weights.min_coverage`` of the issues ranked
    (unit costs exist for 2 of the 14 police.uk types) scores for none of them: it cannot rank them, so it is
    shown but not scored, and a unit cost added for one issue never reorders the others.

    Parameters
    ----------
    table : DataFrame
        One row per issue (county) or per district x issue, with ``issue``, ``count``, ``change_flag``,
        ``harm_score`` and ``cost_of_crime_gbp`` (NaN where no weight or unit cost exists).
    weights : ScoringWeights
        From county.toml ``[scoring]``.
    prevalence_share : Series
        The prevalence component (0-1) per issue name: the share of districts beyond the county's upper 99.8%
        control limit, allowing for the usual variation between districts (``significant_share``).
    by : str, optional
        Column whose groups are ranked separately (``"district"``); None ranks the whole table.

    Returns
    -------
    DataFrame
        The table with ``score_volume``, ``score_trend``, ``score_harm``, ``score_cost`` (NaN where
        unknown), ``score_prevalence``, ``priority_score`` (0-100), ``score_basis`` (the components used, e.g.
        "volume, harm, prevalence") and ``priority_rank`` (int, 1 = top; ties broken by issue name).

    Examples
    --------
    >>> t = pd.DataFrame({"issue": ["A", "B"], "count": [10, 5], "change_flag": ["no comparison available"] * 2,
    ...                   "harm_score": [10.0, np.nan], "cost_of_crime_gbp": [np.nan, np.nan]})
    >>> w = ScoringWeights(volume=1, trend=1, harm=1, cost=1, prevalence=0)
    >>> out = add_priority(t, w, pd.Series({"A": 0.0, "B": 0.0}))
    >>> out["priority_score"].tolist(), out["score_basis"].tolist()
    ([100.0, 50.0], ['volume, harm', 'volume'])
    """
    out = table.copy()
    groups = out[by] if by else None
    out["score_volume"] = _share_of_max(out["count"], groups)
    out["score_trend"] = trend_component(out["change_flag"])
    out["score_harm"] = _share_of_max(out["harm_score"], groups)
    out["score_cost"] = _share_of_max(out["cost_of_crime_gbp"], groups)
    out["score_prevalence"] = out["issue"].astype("str").map(prevalence_share).astype("float64").fillna(0.0)
    concern = out["concern_share"] if "concern_share" in out else pd.Series(np.nan, index=out.index)
    out["score_concern"] = _share_of_max(concern, groups)
    w = np.array([getattr(weights, c) for c in COMPONENTS], dtype=float)
    parts = out[[f"score_{c}" for c in COMPONENTS]].to_numpy()
    known = ~np.isnan(parts)
    # A component known for too few of the issues ranked (a unit cost for 2 of 14) cannot rank them: shown, not
    # scored. Coverage is taken within each group ranked.
    keys = groups.to_numpy() if groups is not None else np.zeros(len(out))
    coverage = pd.DataFrame(known, index=out.index).groupby(keys).transform("mean")
    known &= coverage.to_numpy() >= weights.min_coverage
    used = known & (w > 0)
    weight_known = (known * w).sum(axis=1)
    total = np.where(known, parts, 0.0) @ w
    out["priority_score"] = np.where(weight_known > 0, 100 * total / np.where(weight_known > 0, weight_known, 1), 0.0)
    names = np.array(COMPONENTS, dtype=object)
    out["score_basis"] = [", ".join(names[row]) for row in used]
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
