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
#: With fewer districts than this the between-district variation is not estimated: Poisson limits are kept
#: (a local judgement: five z-scores are about the fewest whose median absolute deviation means anything).
OVERDISPERSION_MIN_DISTRICTS = 5
#: Share of the z-scores winsorised at each end before the mean of z squared is taken (Spiegelhalter 2005: 10%).
WINSOR_SHARE = 0.1
#: Scales a median absolute deviation to a standard deviation under the normal distribution (1 / 0.6745).
MAD_TO_SD = 1.4826


def _level_name(level: float) -> str:
    """``0.95`` -> ``"95"``, ``0.998`` -> ``"998"`` (the column suffix of a limit)."""
    return f"{level * 100:g}".replace(".", "")


def overdispersion(count: pd.Series, expected: pd.Series, issue: pd.Series, *,
                   min_districts: int = OVERDISPERSION_MIN_DISTRICTS,
                   winsor: float = WINSOR_SHARE) -> pd.DataFrame:
    """How much more the districts' counts of each issue vary than Poisson chance allows (Spiegelhalter, 2005).

    Per district ``i`` of an issue, the Poisson z-score of its count ``O_i`` against the ``E_i`` expected at the
    county rate is ``z_i = (O_i - E_i) / sqrt(E_i)``. Two estimates of the dispersion ratio ``phi`` (1 when the
    districts differ by chance alone) are taken from the ``I`` districts with ``E_i > 0``:

    * ``phi_winsorised``: the mean of ``z_i^2`` after the z-scores below their 10th and above their 90th
      percentile (linear interpolation) are set to those percentiles (Spiegelhalter's 10% winsorisation);
    * ``phi_robust``: ``(1.4826 x median |z_i - median z|)^2``, the squared normal-consistent median absolute
      deviation: the spread of the middle of the districts, which one or two outlying districts cannot inflate.

    ``phi`` is the smaller of the two. With 7 to 12 districts, winsorising at 10% cannot discount a pair of
    outlying districts (the 90th percentile of 7 values lies between the two largest), so they would widen the
    limits enough to hide themselves; ordinary variation between districts raises both estimates. The additive
    random-effects variance (DerSimonian-Laird form, on the scale of the ratio ``O / E``, weights
    ``w_i = 1 / var(O_i / E_i) = E_i``) is ``tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w)``, set only
    when ``phi > 1`` and the issue has at least ``min_districts`` districts (otherwise 0: Poisson limits).

    Parameters
    ----------
    count : Series of int
        Incidents per district x issue in the quarter (count).
    expected : Series of float
        Incidents expected at the county rate (count), aligned with ``count``.
    issue : Series
        The issue of each row (the group).
    min_districts : int
        Fewest districts (with ``E_i > 0``) for which ``tau`` is estimated.
    winsor : float
        Share winsorised at each end (0.1: the 10th and 90th percentiles).

    Returns
    -------
    DataFrame
        Indexed by issue: ``districts`` (I), ``phi_winsorised``, ``phi_robust``, ``phi`` (dimensionless; NaN
        where no district expects any incident), ``tau`` (the usual between-district standard deviation of a
        district's rate, as a share of the county rate; 0 when not widened) and ``widened`` (bool: ``tau > 0``).

    Examples
    --------
    Seven districts of equal size whose counts differ by chance alone are not widened (phi at most 1):

    >>> e = pd.Series([100.0] * 7)
    >>> od = overdispersion(pd.Series([96, 104, 100, 91, 109, 100, 100]), e, pd.Series(["Burglary"] * 7))
    >>> od[["districts", "widened", "tau"]].values.tolist()
    [[7, False, 0.0]]

    Rates spread from 70% to 130% of the county rate are: z = -3, ..., 3; winsorised to +/-2.4, the mean of
    z^2 is 3.07 (the median absolute deviation gives 8.79); ``tau^2 = (7 x 3.07 - 6) / (700 - 100)``:


    >>> od = overdispersion(pd.Series([70, 80, 90, 100, 110, 120, 130]), e, pd.Series(["Burglary"] * 7))
    >>> round(float(od.loc["Burglary", "phi"]), 1), round(float(od.loc["Burglary", "tau"]), 3)
    (3.1, 0.161)
    """
    frame = pd.DataFrame({"issue": issue.to_numpy(), "o": count.astype("float64").to_numpy(),
                          "e": expected.astype("float64").to_numpy()})
    frame = frame[frame["e"] > 0]
    frame["z"] = (frame["o"] - frame["e"]) / np.sqrt(frame["e"])
    g = frame.groupby("issue", observed=True, sort=False)["z"]
    low, high = g.transform("quantile", winsor), g.transform("quantile", 1 - winsor)
    frame["zw2"] = frame["z"].clip(lower=low, upper=high) ** 2
    frame["dev"] = (frame["z"] - g.transform("median")).abs()
    frame["w2"] = frame["e"] ** 2
    by = frame.groupby("issue", observed=True, sort=False)
    out = pd.DataFrame({"districts": by["z"].size(), "phi_winsorised": by["zw2"].mean(),
                        "phi_robust": (MAD_TO_SD * by["dev"].median()) ** 2,
                        "sum_w": by["e"].sum(), "sum_w2": by["w2"].sum()})
    out = out.reindex(pd.Index(pd.unique(issue.to_numpy()), name="issue"))
    out["districts"] = out["districts"].fillna(0).astype("int64")
    out["phi"] = np.fmin(out["phi_winsorised"], out["phi_robust"])
    n = out["districts"]
    denominator = out["sum_w"] - out["sum_w2"] / out["sum_w"]
    widen = (n >= min_districts) & (out["phi"] > 1) & (denominator > 0)
    tau2 = (n * out["phi"] - (n - 1)) / denominator.where(widen)
    out["tau"] = np.sqrt(tau2.clip(lower=0)).fillna(0.0).astype("float64")
    out["widened"] = out["tau"].gt(0).to_numpy(dtype=bool)
    return out[["districts", "phi_winsorised", "phi_robust", "phi", "tau", "widened"]]


def control_limits(county_rate_per_1000: float | np.ndarray | pd.Series,
                   population: float | np.ndarray | pd.Series, tau: float | np.ndarray | pd.Series = 0.0,
                   levels: tuple[float, ...] = LIMITS) -> pd.DataFrame:
    """Funnel-plot control limits of a district's rate around the county rate: Poisson, and widened by ``tau``.

    The one formula behind the flags of :func:`against_county` and the funnel chart. With ``E`` the count
    expected at the county rate (``county_rate x population / 1000``) and ``z_p`` the standard normal quantile of
    ``p = 1 - (1 - level) / 2``:

    * Poisson limits: the ``1 - p`` and ``p`` quantiles of Poisson(``E``), per 1,000 residents (the lower one 0
      when ``E`` is 0);
    * limits used: where ``tau > 0``, the additive random-effects limits of Spiegelhalter (2005),
      ``county_rate x (1 +/- z_p sqrt(1 / E + tau^2))`` (the lower one at least 0), never narrower than the
      Poisson ones; where ``tau`` is 0, the Poisson limits.

    Parameters
    ----------
    county_rate_per_1000 : float or array-like
        County rate (incidents per 1,000 residents in the quarter).
    population : float or array-like
        Residents of each district (or of each point of a funnel curve).
    tau : float or array-like
        Between-district standard deviation of the rate as a share of the county rate (:func:`overdispersion`).
    levels : tuple of float
        Two-sided coverages (0.95 and 0.998).

    Returns
    -------
    DataFrame
        Per level L (suffix ``95``, ``998``): ``poisson_lower_L_per_1000``, ``poisson_upper_L_per_1000``,
        ``lower_L_per_1000`` and ``upper_L_per_1000`` (rates per 1,000 residents).

    Examples
    --------
    A county rate of 5 per 1,000 and 100,000 residents expect 500 incidents: the Poisson upper 99.8% limit is 570
    incidents (5.71 per 1,000); a between-district standard deviation of 15% of the county rate widens it to
    ``5 x (1 + 3.0902 x sqrt(1 / 500 + 0.15^2))`` = 7.42 per 1,000.

    >>> lim = control_limits(5.0, [100_000, 100_000], [0.0, 0.15]).round(2)
    >>> lim["upper_998_per_1000"].tolist(), lim["poisson_upper_998_per_1000"].tolist()
    ([5.71, 7.42], [5.71, 5.71])
    """
    from scipy import special

    from csa_analysis.method.volume import poisson_quantile

    rate, pop, t = np.broadcast_arrays(np.asarray(county_rate_per_1000, dtype=float),
                                       np.asarray(population, dtype=float), np.asarray(tau, dtype=float))
    expected = rate * pop / 1000
    t = np.nan_to_num(t)
    out: dict[str, np.ndarray] = {}
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(1 / expected + t ** 2)
        for level in levels:
            name, tail = _level_name(level), (1 - level) / 2
            p_low = np.where(expected > 0, poisson_quantile(tail, expected), 0.0) / pop * 1000
            p_high = poisson_quantile(1 - tail, expected) / pop * 1000
            half = special.ndtri(1 - tail) * spread
            out[f"poisson_lower_{name}_per_1000"] = p_low
            out[f"poisson_upper_{name}_per_1000"] = p_high
            out[f"lower_{name}_per_1000"] = np.where(t > 0, np.fmin(p_low, rate * np.maximum(1 - half, 0)), p_low)
            out[f"upper_{name}_per_1000"] = np.where(t > 0, np.fmax(p_high, rate * (1 + half)), p_high)
    return pd.DataFrame(out)


def against_county(volume: pd.DataFrame, overdispersion_adjusted: bool = True) -> pd.DataFrame:
    """Each district x issue rate against the county rate, with the funnel plot's control limits, widened for
    the usual variation between districts where the districts vary more than chance (Spiegelhalter, 2005).

    Parameters
    ----------
    volume : DataFrame
        ``district``, ``issue``, ``count``, ``population`` (residents), ``rate_per_1000`` (full grid).
    overdispersion_adjusted : bool
        Widen the limits for overdispersion (``[delivery] overdispersion`` in county.toml, default true); when
        false the limits used are the Poisson ones (``overdispersion_phi`` is still reported).

    Returns
    -------
    DataFrame
        Aligned with ``volume``: ``county_rate_per_1000``; the limits used for every decision,
        ``upper_95_per_1000`` and ``upper_998_per_1000`` (rates per 1,000 residents a district of that size
        would exceed with probability 2.5% and 0.1%, allowing for the usual variation between districts where
        ``limits_adjusted``), and ``above_95``, ``above_998`` (bool: the rate is above that limit); the Poisson
        limits alone, ``poisson_upper_95_per_1000``, ``poisson_upper_998_per_1000``, ``poisson_above_95``,
        ``poisson_above_998``; and per issue (repeated on its rows) ``overdispersion_phi`` (dispersion ratio,
        dimensionless; NaN when no district expects an incident), ``overdispersion_tau`` (between-district
        standard deviation as a share of the county rate; 0 when not widened) and ``limits_adjusted`` (bool:
        the limits used are wider than the Poisson ones: phi above 1, at least
        :data:`OVERDISPERSION_MIN_DISTRICTS` districts and the adjustment on). See :func:`overdispersion` and
        :func:`control_limits`.

    Examples
    --------
    >>> v = pd.DataFrame({"district": ["A", "B"], "issue": ["Robbery"] * 2, "count": [30, 10],
    ...                   "population": [10_000, 10_000], "rate_per_1000": [3.0, 1.0]})
    >>> against_county(v)[["above_95", "above_998", "limits_adjusted"]].values.tolist()
    [[True, False, False], [False, False, False]]
    """
    totals = volume.groupby("issue", observed=True).agg(count=("count", "sum"), population=("population", "sum"))
    county_rate = volume["issue"].map(totals["count"] / totals["population"] * 1000).astype("float64")
    pop = volume["population"].astype("float64")
    expected = county_rate * pop / 1000
    od = overdispersion(volume["count"], expected, volume["issue"])
    phi = volume["issue"].map(od["phi"]).astype("float64")
    tau = volume["issue"].map(od["tau"]).astype("float64").fillna(0.0)
    if not overdispersion_adjusted:
        tau = tau * 0.0
    lim = control_limits(county_rate.to_numpy(), pop.to_numpy(), tau.to_numpy())
    rate = volume["rate_per_1000"].astype("float64").to_numpy()
    out = pd.DataFrame({"county_rate_per_1000": county_rate}, index=volume.index)
    for prefix in ("", "poisson_"):
        for level in LIMITS:
            name = _level_name(level)
            upper = lim[f"{prefix}upper_{name}_per_1000"].to_numpy()
            out[f"{prefix}upper_{name}_per_1000"] = upper
            out[f"{prefix}above_{name}"] = np.nan_to_num(rate > upper, nan=0).astype(bool)
    out["overdispersion_phi"] = phi.to_numpy()
    out["overdispersion_tau"] = tau.to_numpy()
    out["limits_adjusted"] = (tau > 0).to_numpy(dtype=bool)
    return out


def county_volume(volume: pd.DataFrame, overdispersion_adjusted: bool = True) -> pd.DataFrame:
    """County totals and cross-district prevalence per issue.

    Parameters
    ----------
    volume : DataFrame
        :func:`csa_analysis.method.volume.volume_table` (full district x issue grid), with the columns of
        :func:`against_county` when they have been added (otherwise they are computed here).
    overdispersion_adjusted : bool
        Passed to :func:`against_county` when its columns are not in ``volume``.

    Returns
    -------
    DataFrame
        One row per issue: ``issue``, ``count``, ``count_prev_quarter``, ``count_last_year`` (Int64, <NA>
        when not covered), ``population`` (county residents), ``rate_per_1000`` (county rate),
        ``districts`` (number of districts), ``districts_above_county_rate`` (districts whose rate is at or
        above the county rate; 0 when the county count is 0), ``prevalence_share`` (that / districts,
        0-1), ``districts_significantly_above`` (districts whose rate is above the county's upper 99.8%
        control limit for a district of their size, allowing for the usual variation between districts:
        :func:`against_county` ``above_998``), ``significant_share`` (that / districts, 0-1),
        ``districts_above_poisson_limit`` (the same count against the Poisson limit alone),
        ``overdispersion_phi``, ``overdispersion_tau`` and ``limits_adjusted`` (:func:`against_county`),
        ``top_district``, ``top_district_share`` (share of the county count in the
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
    limits = v if "above_998" in v else against_county(v, overdispersion_adjusted)
    by_issue = limits.groupby(v["issue"], observed=True, sort=True)
    county["districts_significantly_above"] = by_issue["above_998"].sum().astype("int64")
    county["significant_share"] = county["districts_significantly_above"] / county["districts"]
    county["districts_above_poisson_limit"] = by_issue["poisson_above_998"].sum().astype("int64")
    county["overdispersion_phi"] = by_issue["overdispersion_phi"].first().astype("float64")
    county["overdispersion_tau"] = by_issue["overdispersion_tau"].first().astype("float64")
    county["limits_adjusted"] = by_issue["limits_adjusted"].any().astype(bool)
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
