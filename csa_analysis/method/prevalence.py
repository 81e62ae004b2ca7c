"""Prevalence across districts: in how many districts an issue is a problem, and how concentrated it is."""

from __future__ import annotations

import numpy as np
import pandas as pd


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = spread evenly, towards 1 = all in one place).

    Examples
    --------
    >>> gini(np.array([1.0, 1.0, 1.0]))
    0.0
    >>> round(gini(np.array([0.0, 0.0, 3.0])), 3)
    0.667
    """
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    total = x.sum()
    if n == 0 or total == 0:
        return float("nan")
    ranks = np.arange(1, n + 1)
    return float((2 * (ranks * x).sum()) / (n * total) - (n + 1) / n)


def gini_by_group(values: pd.Series, groups: pd.Series) -> pd.Series:
    """Gini coefficient of ``values`` within each group, vectorised (no per-group Python call).

    Uses the same formula as :func:`gini` on the values sorted within each group:
    ``G = 2 sum(i x_(i)) / (n sum x) - (n + 1) / n``.

    Parameters
    ----------
    values : Series of float
        Non-negative values (for example district rates per 1,000 residents).
    groups : Series
        Group label of each value (for example the issue), aligned with ``values``.

    Returns
    -------
    Series of float
        Indexed by group (observed groups, sorted); NaN where a group's values sum to 0.
    """
    frame = pd.DataFrame({"g": groups.reset_index(drop=True),
                          "x": values.astype("float64").reset_index(drop=True)})
    frame = frame.sort_values(["g", "x"], kind="mergesort")
    frame["i"] = frame.groupby("g", observed=True).cumcount() + 1
    frame["ix"] = frame["i"] * frame["x"]
    g = frame.groupby("g", observed=True, sort=True)
    n, total, weighted = g["x"].size(), g["x"].sum(), g["ix"].sum()
    out = 2 * weighted / (n * total.where(total > 0)) - (n + 1) / n
    out.index.name = groups.name
    return out.astype("float64")


#: Two-sided coverage of the funnel limits: 95% ("significantly above") and 99.8% (beyond control).
LIMITS = (0.95, 0.998)


def against_county(volume: pd.DataFrame) -> pd.DataFrame:
    """Each district x issue rate against the county rate, with the funnel plot's Poisson control limits.

    Parameters
    ----------
    volume : DataFrame
        ``district``, ``issue``, ``count``, ``population`` (residents), ``rate_per_1000`` (full grid).

    Returns
    -------
    DataFrame
        Aligned with ``volume``: ``county_rate_per_1000``, ``upper_95_per_1000`` and ``upper_998_per_1000``
        (the rate a district of that size would exceed by chance with probability 2.5% and 0.1%),
        ``above_95`` and ``above_998`` (bool: the rate is above that limit).

    Examples
    --------
    >>> v = pd.DataFrame({"district": ["A", "B"], "issue": ["Robbery"] * 2, "count": [30, 10],
    ...                   "population": [10_000, 10_000], "rate_per_1000": [3.0, 1.0]})
    >>> against_county(v)[["above_95", "above_998"]].values.tolist()
    [[True, False], [False, False]]
    """
    from csa_analysis.method.volume import poisson_quantile

    totals = volume.groupby("issue", observed=True).agg(count=("count", "sum"), population=("population", "sum"))
    county_rate = volume["issue"].map(totals["count"] / totals["population"] * 1000).astype("float64")
    pop = volume["population"].astype("float64")
    expected = county_rate * pop / 1000
    out = pd.DataFrame({"county_rate_per_1000": county_rate}, index=volume.index)
    for level in LIMITS:
        name = f"{level * 100:g}".replace(".", "")
        upper = poisson_quantile(1 - (1 - level) / 2, expected) / pop * 1000
        out[f"upper_{name}_per_1000"] = upper
        out[f"above_{name}"] = (volume["rate_per_1000"].astype("float64") > upper).fillna(False).to_numpy(dtype=bool)
    return out


def county_volume(volume: pd.DataFrame) -> pd.DataFrame:
    """County totals and cross-district prevalence per issue.

    Parameters
    ----------
    volume : DataFrame
        :func:`csa_analysis.method.volume.volume_table` (full district x issue grid).

    Returns
    -------
    DataFrame
        One row per issue: ``issue``, ``count``, ``count_prev_quarter``, ``count_last_year`` (Int64, <NA>
        when not covered), ``population`` (county residents), ``rate_per_1000`` (county rate),
        ``districts`` (number of districts), ``districts_above_county_rate`` (districts whose rate is at or
        above the county rate; 0 when the county count is 0), ``prevalence_share`` (that / districts,
        0-1), ``districts_significantly_above`` (districts whose rate is above the county's upper 99.8%
        Poisson control limit for a district of their size: beyond random variation), ``significant_share``
        (that / districts, 0-1), ``top_district``, ``top_district_share`` (share of the county count in the
        largest district, 0-1; NaN when the count is 0), ``gini_rate`` (Gini of district rates, 0-1).
    """
    v = volume
    g = v.groupby("issue", observed=True, sort=True)
    county = pd.DataFrame({
        "count": g["count"].sum().astype("int64"),
        "count_prev_quarter": g["count_prev_quarter"].sum(min_count=1).astype("Int64"),
        "count_last_year": g["count_last_year"].sum(min_count=1).astype("Int64"),
        "population": g["population"].sum().astype("int64"),
        "districts": g["district"].size().astype("int64"),
    })
    # A comparison quarter is covered for every district or for none, so min_count=1 keeps <NA> blank.
    county["rate_per_1000"] = county["count"] / county["population"] * 1000
    county_rate = v["issue"].map(county["rate_per_1000"]).astype("float64")
    above = (v["rate_per_1000"] >= county_rate) & (v["issue"].map(county["count"]).astype("int64") > 0)
    county["districts_above_county_rate"] = above.groupby(v["issue"], observed=True).sum().astype("int64")
    county["prevalence_share"] = county["districts_above_county_rate"] / county["districts"]
    beyond = against_county(v)["above_998"]
    county["districts_significantly_above"] = beyond.groupby(v["issue"], observed=True).sum().astype("int64")
    county["significant_share"] = county["districts_significantly_above"] / county["districts"]
    top = v.sort_values(["issue", "count", "district"], ascending=[True, False, True]).groupby(
        "issue", observed=True).head(1).set_index("issue")
    county["top_district"] = top["district"].astype("str")
    county["top_district_share"] = (top["count"] / county["count"]).where(county["count"] > 0)
    county["gini_rate"] = gini_by_group(v["rate_per_1000"], v["issue"])
    county = county.reset_index()
    return county


def location_quotients(volume: pd.DataFrame) -> pd.Series:
    """Location quotient per district x issue: ``(count_di / count_d) / (count_ci / count_c)``.

    Above 1: the issue is a larger part of the district's incidents than of the county's. NaN where the
    district or the county issue has no incidents.

    Returns
    -------
    Series of float, aligned with ``volume``.
    """
    district_total = volume.groupby("district", observed=True)["count"].transform("sum")
    issue_total = volume.groupby("issue", observed=True)["count"].transform("sum")
    county_total = volume["count"].sum()
    share_d = volume["count"] / district_total.where(district_total > 0)
    share_c = issue_total / county_total if county_total else issue_total * np.nan
    return (share_d / share_c.where(share_c > 0)).astype("float64")
