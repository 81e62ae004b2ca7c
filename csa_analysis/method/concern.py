"""Community concern: a residents' survey as a component of the priority score, with its sampling uncertainty,
and where residents' concern and the recorded picture disagree.

The share of respondents who named an issue a concern, ``concerned / respondents``, is a sample estimate: its
95% interval is the Wilson score interval (Wilson 1927; recommended over the normal approximation for small
samples and shares near 0 or 1 by Brown, Cai and DasGupta 2001). The county's share pools the districts'
respondents (a district with more respondents weighs more; the survey's own weights, if any, are not known here).

The priority score's ``concern`` component is the share as a share of the largest in the set ranked (like the
volume, harm and cost components); an issue the survey did not ask about has no concern component (unknown,
never 0), and the score is taken over the components known (:mod:`csa_analysis.method.scoring`).

**Concern against the recorded picture** (:func:`concern_vs_recorded`), per district over the issues surveyed:

* ``high concern, low recorded volume``: the concern share's lower 95% bound is above the district's median
  concern share (concern clearly above typical) while the issue's recorded count in the quarter is in the lower
  half of the surveyed issues;
* ``low concern, high recorded volume``: the upper bound is below the median (concern clearly below typical) while
  the recorded count is in the upper half;
* ``concern and recorded volume agree`` otherwise (including concern not clearly different from typical).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: z for the two-sided 95% interval.
Z95 = 1.959963984540054
HIGH_CONCERN_LOW_VOLUME = "high concern, low recorded volume"
LOW_CONCERN_HIGH_VOLUME = "low concern, high recorded volume"
AGREE = "concern and recorded volume agree"


def wilson_interval(concerned: np.ndarray | pd.Series, respondents: np.ndarray | pd.Series,
                    z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval of a proportion ``concerned / respondents`` (shares 0-1).

    Examples
    --------
    >>> lo, hi = wilson_interval([30], [100])
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.2189, 0.3958)
    >>> lo, hi = wilson_interval([0], [10])
    >>> float(lo[0]), round(float(hi[0]), 4)
    (0.0, 0.2775)
    """
    k = np.asarray(concerned, dtype=float)
    n = np.asarray(respondents, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def _estimates(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out["concern_share"] = out["concerned"] / out["respondents"]
    lo, hi = wilson_interval(out["concerned"], out["respondents"])
    out["concern_low"], out["concern_high"] = lo, hi
    return out


def district_concern(consultation: pd.DataFrame) -> pd.DataFrame:
    """Concern per district x issue with its 95% Wilson interval.

    Parameters
    ----------
    consultation : DataFrame
        ``district``, ``issue``, ``respondents``, ``concerned`` (people), from
        :func:`csa_analysis.sources.consultation.read_consultation`.

    Returns
    -------
    DataFrame
        ``district``, ``issue`` (str), ``respondents``, ``concerned``, ``concern_share`` (0-1), ``concern_low``,
        ``concern_high`` (the interval's ends, 0-1).
    """
    cols = ["district", "issue", "respondents", "concerned"]
    return _estimates(consultation[cols].astype({"district": "str", "issue": "str"}))


def county_concern(consultation: pd.DataFrame) -> pd.DataFrame:
    """Concern per issue for the county: the districts' respondents and concerned pooled.

    Examples
    --------
    >>> c = pd.DataFrame({"district": ["A", "B"], "issue": ["X", "X"], "respondents": [100, 300],
    ...                   "concerned": [10, 90]})
    >>> county_concern(c)[["issue", "respondents", "concerned", "concern_share", "districts_surveyed"]].to_dict(
    ...     "records")
    [{'issue': 'X', 'respondents': 400, 'concerned': 100, 'concern_share': 0.25, 'districts_surveyed': 2}]
    """
    g = consultation.astype({"issue": "str"}).groupby("issue", sort=False)
    pooled = pd.DataFrame({"respondents": g["respondents"].sum(), "concerned": g["concerned"].sum(),
                           "districts_surveyed": g["district"].nunique()}).reset_index()
    return _estimates(pooled)[["issue", "respondents", "concerned", "concern_share", "concern_low", "concern_high",
                               "districts_surveyed"]]


def add_concern(table: pd.DataFrame, concern: pd.DataFrame | None, by: str | None = None) -> pd.DataFrame:
    """Add ``respondents``, ``concerned``, ``concern_share``, ``concern_low`` and ``concern_high`` to a table of
    issues (``by="district"``: district x issue); blank where the survey did not ask (never 0)."""
    out = table.copy()
    cols = ["respondents", "concerned", "concern_share", "concern_low", "concern_high"]
    if concern is None:
        for c in cols:
            out[c] = np.nan
        return out
    keys = ([by] if by else []) + ["issue"]
    right = concern[keys + cols].set_index(keys)
    left = pd.MultiIndex.from_arrays([out[k].astype("str") for k in keys]) if by else out["issue"].astype("str")
    joined = right.reindex(left)
    for c in cols:
        out[c] = joined[c].to_numpy(dtype="float64")
    return out


def concern_vs_recorded(issue_scores: pd.DataFrame) -> pd.DataFrame:
    """Where residents' concern and the recorded picture disagree, per district over the issues surveyed.

    Parameters
    ----------
    issue_scores : DataFrame
        District x issue rows with ``count`` (the quarter's recorded incidents), ``rate_per_1000`` and the columns
        of :func:`add_concern`.

    Returns
    -------
    DataFrame
        One row per district x surveyed issue, by district then concern (highest first): ``district``,
        ``issue``, ``respondents``, ``concerned``, ``concern_share``, ``concern_low``, ``concern_high``,
        ``district_median_concern`` (0-1), ``count``, ``rate_per_1000``, ``volume_rank`` (1 = most incidents among
        the district's surveyed issues), ``issues_surveyed`` and ``agreement`` (see the module notes).

    Examples
    --------
    >>> s = pd.DataFrame({"district": ["A"] * 3, "issue": ["X", "Y", "Z"], "count": [5, 500, 50],
    ...     "rate_per_1000": [0.1, 10, 1], "respondents": [400] * 3, "concerned": [200, 20, 100]})
    >>> s["concern_share"] = s["concerned"] / s["respondents"]
    >>> s["concern_low"], s["concern_high"] = wilson_interval(s["concerned"], s["respondents"])
    >>> out = concern_vs_recorded(s)[["issue", "volume_rank", "agreement"]]
    >>> out.to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'issue': 'X', 'volume_rank': 3, 'agreement': 'high concern, low recorded volume'},
     {'issue': 'Z', 'volume_rank': 2, 'agreement': 'concern and recorded volume agree'},
     {'issue': 'Y', 'volume_rank': 1, 'agreement': 'low concern, high recorded volume'}]
    """
    s = issue_scores[issue_scores["concern_share"].notna()].copy()
    s["district"] = s["district"].astype("str")
    s["issue"] = s["issue"].astype("str")
    g = s.groupby("district", sort=False)
    s["district_median_concern"] = g["concern_share"].transform("median")
    s["issues_surveyed"] = g["issue"].transform("size").astype("int64")
    s["volume_rank"] = g["count"].rank(method="min", ascending=False).astype("int64")
    upper_half = s["volume_rank"] <= s["issues_surveyed"] / 2
    high = s["concern_low"] > s["district_median_concern"]
    low = s["concern_high"] < s["district_median_concern"]
    s["agreement"] = np.where(high & ~upper_half, HIGH_CONCERN_LOW_VOLUME,
                              np.where(low & upper_half, LOW_CONCERN_HIGH_VOLUME, AGREE))
    cols = ["district", "issue", "respondents", "concerned", "concern_share", "concern_low", "concern_high",
            "district_median_concern", "count", "rate_per_1000", "volume_rank", "issues_surveyed", "agreement"]
    out = s[cols].sort_values(["district", "concern_share", "issue"], ascending=[True, False, True],
                              ignore_index=True)
    for c in ("respondents", "concerned", "count"):
        out[c] = out[c].astype("int64")
    return out


__all__ = ["AGREE", "HIGH_CONCERN_LOW_VOLUME", "LOW_CONCERN_HIGH_VOLUME", "add_concern", "concern_vs_recorded",
           "county_concern", "district_concern", "wilson_interval"]
