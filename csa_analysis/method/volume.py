"""Volume: counts, rates per 1,000 residents, change on the previous quarter and the same quarter last year.

All functions take the small table of counts per district x issue x month
(:func:`csa_analysis.ingest.counts.monthly_counts`) and return full grids: every district x every issue, zeros
included, because a zero is information. A comparison the data cannot support (a quarter with a month
missing from the data) is blank, never 0.

The change test treats police recorded crime as a full count: the question is whether a change is larger
than the random variation expected of a Poisson count, not a sampling error. For two counts with equal
exposure, ``x1 | x0 + x1 ~ Binomial(x0 + x1, 0.5)`` (exact, two-sided, 5% level).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from csa_analysis.config.county import County
from csa_analysis.domain.issues import issue_categories
from csa_analysis.domain.periods import Quarter

#: Level of the change test and of the confidence intervals.
ALPHA = 0.05
FLAG_UP = "increase"
FLAG_DOWN = "decrease"
FLAG_SAME = "no change beyond random variation"
#: Said wherever a comparison cannot be made (the comparison quarter is not fully in the data): never "no
#: increase".
NO_COMPARISON = "no comparison available"


def grid(county: County, issues: Sequence[str]) -> pd.DataFrame:
    """Every district x every issue, categorical, in county then issue order."""
    idx = pd.MultiIndex.from_product(
        [pd.CategoricalIndex(county.district_names, categories=county.district_names),
         pd.CategoricalIndex(list(issues), categories=list(issues))],
        names=["district", "issue"],
    )
    return idx.to_frame(index=False)


def issues_of(counts: pd.DataFrame) -> list[str]:
    """The issue list for tables: the 14 police.uk issues, then the local issues (partner data) of the counts.

    A local issue is any issue not among the police.uk types: with a categorical ``issue`` column, every category
    in category order (a local issue with no incident is still on the grid); otherwise those present, sorted.

    Examples
    --------
    >>> c = pd.DataFrame({"issue": pd.Categorical(["Drugs"], categories=["Drugs", "Hate incidents"])})
    >>> issues_of(c)[-2:]
    ['Violence and sexual offences', 'Hate incidents']
    """
    police = issue_categories()
    col = counts["issue"]
    if isinstance(col.dtype, pd.CategoricalDtype):
        values = [str(c) for c in col.cat.categories]
    else:
        values = sorted(str(i) for i in col.unique()) if len(counts) else []
    return police + [v for v in values if v not in police]


def _covered(quarter: Quarter, months: Sequence[str], issues: Sequence[str],
             issue_months: Mapping[str, Sequence[str]] | None) -> np.ndarray:
    """Per issue, whether every month of ``quarter`` is in its months (``issue_months`` for a local issue,
    else the police.uk ``months``)."""
    need = set(quarter.months())
    own = issue_months or {}
    return np.array([need <= set(own.get(i, months)) for i in issues], dtype=bool)


def quarter_count(counts: pd.DataFrame, county: County, quarter: Quarter, months: Sequence[str],
                  issues: Sequence[str], issue_months: Mapping[str, Sequence[str]] | None = None) -> pd.Series:
    """Count per district x issue in ``quarter`` on the full grid (int), or all-NA when not covered.

    Parameters
    ----------
    counts : DataFrame
        ``district``, ``issue``, ``month``, ``count``.
    months : sequence of str
        Months present in the data; a quarter with any month missing is not covered.
    issue_months : mapping, optional
        Months covered per local issue (partner data), which replace ``months`` for that issue.

    Returns
    -------
    Series of Int64
        Indexed by (district, issue); <NA> for every issue whose months do not cover the quarter.
    """
    g = grid(county, issues)
    index = pd.MultiIndex.from_frame(g)
    covered = _covered(quarter, months, issues, issue_months)
    if not covered.any():
        return pd.Series(pd.NA, index=index, dtype="Int64")
    in_quarter = counts[counts["month"].isin(quarter.months())]
    total = grid_totals(in_quarter, {"district": county.district_names, "issue": issues})
    out = pd.Series(total, index=index, dtype="Int64")
    return out.mask(np.tile(~covered, len(county.district_names)))


def grid_totals(counts: pd.DataFrame, axes: dict[str, Sequence[str]]) -> np.ndarray:
    """Sum ``counts["count"]`` onto the full grid of ``axes``, by category codes (no string keys, no merge).

    Parameters
    ----------
    counts : DataFrame
        A ``count`` column and one column per axis.
    axes : dict
        Column name -> its values in grid order; the first axis varies slowest, as in :func:`grid`.

    Returns
    -------
    ndarray of int64
        One total per grid cell, flattened in C order; a count whose value is on no axis is left out.
    """
    shape = tuple(len(values) for values in axes.values())
    codes = [pd.Categorical(counts[col], categories=list(values)).codes.astype("int64")
             for col, values in axes.items()]
    on_grid = np.logical_and.reduce([c >= 0 for c in codes])
    flat = np.ravel_multi_index([c[on_grid] for c in codes], shape)
    total = np.zeros(int(np.prod(shape)), dtype="int64")
    np.add.at(total, flat, counts["count"].to_numpy(dtype="int64")[on_grid])
    return total


def poisson_change_p(x1: np.ndarray | pd.Series, x0: np.ndarray | pd.Series) -> np.ndarray:
    """Two-sided exact p-value that two Poisson counts with equal exposure have the same mean.

    Conditional test: ``x1 | x0 + x1 ~ Binomial(x0 + x1, 0.5)``; p = min(1, 2 x smaller tail).

    Parameters
    ----------
    x1, x0 : array-like of counts
        This period's and the comparison period's counts (NaN where unknown).

    Returns
    -------
    ndarray of float
        p-values in [0, 1]; NaN where either count is unknown; 1 when both are 0.

    Examples
    --------
    >>> round(float(poisson_change_p([30], [15])[0]), 4)
    0.0357
    >>> float(poisson_change_p([0], [0])[0])
    1.0
    """
    x1 = np.asarray(pd.array(x1, dtype="Float64").to_numpy(dtype=float, na_value=np.nan))
    x0 = np.asarray(pd.array(x0, dtype="Float64").to_numpy(dtype=float, na_value=np.nan))
    from scipy import special  # not scipy.stats: importing it costs a second on every run

    n = x1 + x0
    with np.errstate(invalid="ignore"):  # the incomplete beta is undefined where the tail is the whole range
        # P(X <= x1) and P(X >= x1) for X ~ Binomial(n, 0.5) through the regularised incomplete beta function,
        # as scipy.stats.binom.cdf and .sf compute them (equal to floating-point noise: tests/test_volume.py)
        lower = np.where(x1 >= n, 1.0, special.betaincc(x1 + 1, n - x1, 0.5))
        upper = np.where(x1 <= 0, 1.0, special.betainc(x1, n - x1 + 1, 0.5))
    p = np.minimum(1.0, 2.0 * np.minimum(lower, upper))
    p = np.where(n == 0, 1.0, p)
    return np.where(np.isnan(n), np.nan, p)


def poisson_ci(x: np.ndarray | pd.Series, alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """Exact Poisson confidence interval for a count: ``[chi2(a/2; 2x)/2, chi2(1-a/2; 2x+2)/2]``.

    Examples
    --------
    >>> lo, hi = poisson_ci([10])
    >>> round(float(lo[0]), 2), round(float(hi[0]), 2)
    (4.8, 18.39)
    """
    from scipy import special

    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore"):  # chi2.ppf(q, 2k) / 2 is the inverse regularised gamma function
        lo = np.where(x > 0, special.gammaincinv(x, alpha / 2), 0.0)
        hi = special.gammaincinv(x + 1, 1 - alpha / 2)
    return lo, hi


def poisson_quantile(q: float, mu: np.ndarray | pd.Series | float) -> np.ndarray:
    """Smallest count ``k`` with ``P(X <= k) >= q`` for ``X ~ Poisson(mu)``: ``scipy.stats.poisson.ppf``.

    Computed as SciPy's own ``poisson.ppf`` does, from :mod:`scipy.special` alone, which a report kernel
    imports in a tenth of the time of :mod:`scipy.stats`.

    Parameters
    ----------
    q : float
        Probability, strictly between 0 and 1.
    mu : array-like
        Expected counts (>= 0); NaN gives NaN.

    Examples
    --------
    >>> poisson_quantile(0.999, [0.0, 4.0, 100.0]).tolist()
    [0.0, 11.0, 132.0]
    """
    from scipy import special

    if not 0 < q < 1:
        raise ValueError(f"q must lie strictly between 0 and 1, not {q}")
    mu = np.asarray(mu, dtype=float)
    with np.errstate(invalid="ignore"):
        upper = np.ceil(special.pdtrik(q, mu))
        below = np.maximum(upper - 1, 0)
        k = np.where(special.pdtr(below, mu) >= q, below, upper)
    return np.where(mu == 0, 0.0, np.where(np.isnan(mu), np.nan, k))


def funnel_limits(county_rate_per_1000: float, populations: np.ndarray | pd.Series,
                  levels: Sequence[float] = (0.95, 0.998)) -> pd.DataFrame:
    """Poisson control limits of a rate per 1,000 residents around the county rate, for a funnel plot.

    Poisson variation alone; the limits the decisions and the funnel chart use, widened for the usual variation
    between districts, are :func:`csa_analysis.method.prevalence.control_limits`.

    Parameters
    ----------
    county_rate_per_1000 : float
        The county rate (incidents per 1,000 residents in the period).
    populations : array-like
        Residents; limits are computed for each.
    levels : sequence of float
        Two-sided coverage (0.95 and 0.998 by convention).

    Returns
    -------
    DataFrame
        ``population`` and, per level L, ``lower_L`` and ``upper_L`` (rates per 1,000).
    """
    pop = np.asarray(populations, dtype=float)
    expected = county_rate_per_1000 * pop / 1000
    out = {"population": pop}
    for level in levels:
        a = 1 - level
        lo = np.where(expected > 0, poisson_quantile(a / 2, expected), 0)
        hi = poisson_quantile(1 - a / 2, expected)
        out[f"lower_{level:g}"] = lo / pop * 1000
        out[f"upper_{level:g}"] = hi / pop * 1000
    return pd.DataFrame(out)


def pct_change(now: pd.Series, before: pd.Series) -> pd.Series:
    """Percentage change from ``before`` to ``now`` (percent); NaN where ``before`` is 0 or unknown."""
    before_f = before.astype("Float64")
    pct = (now.astype("Float64") - before_f) / before_f * 100
    return pct.where(before_f > 0).astype("float64")


def bh_adjust(p: np.ndarray | pd.Series) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (false-discovery rate), over the values that are not NaN.

    An adjusted p below q flags a test while keeping the expected share of false flags among all flags at
    most q, however many tests a quarter runs (14 issues x every district).

    Examples
    --------
    >>> bh_adjust([0.01, 0.04, 0.03, np.nan]).round(3).tolist()
    [0.03, 0.04, 0.04, nan]
    """
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    known = ~np.isnan(p)
    m = int(known.sum())
    if m == 0:
        return out
    order = np.argsort(p[known], kind="stable")
    ranked = p[known][order] * m / np.arange(1, m + 1)
    adjusted = np.minimum(1.0, np.minimum.accumulate(ranked[::-1])[::-1])
    values = np.empty(m)
    values[order] = adjusted
    out[known] = values
    return out


def change_flag(p: np.ndarray, now: pd.Series, before: pd.Series, alpha: float = ALPHA) -> pd.Series:
    """``increase`` / ``decrease`` when ``p`` < ``alpha``, else no change beyond random variation;
    :data:`NO_COMPARISON` where ``p`` is NaN (no comparison quarter in the data)."""
    up = (now.astype("Float64") > before.astype("Float64")).fillna(False).to_numpy(dtype=bool)
    flag = np.where(p < alpha, np.where(up, FLAG_UP, FLAG_DOWN), FLAG_SAME).astype(object)
    flag[np.isnan(p)] = NO_COMPARISON
    return pd.Series(flag, index=now.index, dtype="str")


def volume_table(counts: pd.DataFrame, county: County, quarter: Quarter,
                 months: Sequence[str], issue_months: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Volume per district x issue for a quarter, with both comparisons and the change test.

    Parameters
    ----------
    counts : DataFrame
        Counts per district x issue x month (:func:`csa_analysis.ingest.counts.monthly_counts`).
    county : County
        Districts and populations (residents).
    quarter : Quarter
        The reporting quarter; must be fully covered by ``months``.
    months : sequence of str
        Months present in the data.
    issue_months : mapping, optional
        Months covered per local issue; each must cover ``quarter`` (a comparison quarter it does not cover is
        "no comparison available" for that issue).

    Returns
    -------
    DataFrame
        One row per district x issue (full grid): ``district``, ``issue`` (categorical), ``quarter``,
        ``population`` (residents), ``count``, ``count_prev_quarter``, ``count_last_year`` (Int64, <NA>
        when the data do not cover that quarter), ``change_pct_prev_quarter``, ``change_pct_last_year``
        (percent; NaN when the base is 0 or unknown), ``p_value_prev_quarter``, ``p_value_last_year`` (exact
        two-sided p-values), ``p_value_adjusted`` (of the comparison the flag uses, Benjamini-Hochberg adjusted
        over every district x issue of the quarter), ``change_flag`` (``increase`` / ``decrease`` when the
        adjusted p-value is below ``[delivery] fdr_q``, ``no change beyond random variation``, or
        ``no comparison available``),
        ``change_basis`` (which comparison the flag uses: the same quarter last year when available,
        else the previous quarter), ``rate_per_1000``, ``rate_low_per_1000``, ``rate_high_per_1000``
        (95% exact Poisson interval).
    """
    issues = issues_of(counts)
    out = grid(county, issues)
    now = quarter_count(counts, county, quarter, months, issues, issue_months)
    prev = quarter_count(counts, county, quarter.previous(), months, issues, issue_months)
    ly = quarter_count(counts, county, quarter.last_year(), months, issues, issue_months)
    now = now.reset_index(drop=True).astype("int64")
    prev = prev.reset_index(drop=True)
    ly = ly.reset_index(drop=True)
    pop = out["district"].astype("str").map(county.populations()).astype("int64")
    out["quarter"] = str(quarter)
    out["population"] = pop
    out["count"] = now
    out["count_prev_quarter"] = prev
    out["count_last_year"] = ly
    out["change_pct_prev_quarter"] = pct_change(now, prev)
    out["change_pct_last_year"] = pct_change(now, ly)
    p_prev = poisson_change_p(now, prev)
    p_ly = poisson_change_p(now, ly)
    out["p_value_prev_quarter"] = p_prev
    out["p_value_last_year"] = p_ly
    use_ly = ~np.isnan(p_ly)
    p = np.where(use_ly, p_ly, p_prev)
    base = ly.where(use_ly, prev)
    # Every district x issue is tested each quarter: flags are controlled for the false-discovery rate.
    out["p_value_adjusted"] = bh_adjust(p)
    out["change_flag"] = change_flag(out["p_value_adjusted"].to_numpy(), now, base, county.delivery.fdr_q)
    basis = np.where(use_ly, "same quarter last year", np.where(np.isnan(p_prev), None,
                                                                "previous quarter"))
    out["change_basis"] = pd.Series(basis, dtype="str")
    out["rate_per_1000"] = now / pop * 1000
    lo, hi = poisson_ci(now)
    out["rate_low_per_1000"] = lo / pop * 1000
    out["rate_high_per_1000"] = hi / pop * 1000
    return out


def monthly_series(counts: pd.DataFrame, county: County, months: Sequence[str],
                   issue_months: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """Counts per district x issue x month on the full grid of months, a gap left blank, never 0.

    The grid spans every calendar month from the first to the last of ``months`` (the complete months of the
    data). A month inside that span but not in ``months`` (a force's file missing, so the month is incomplete)
    has a blank count, so a trend line breaks there instead of falling to zero or joining across the gap.

    Returns
    -------
    DataFrame
        ``district``, ``issue`` (categorical), ``month`` (str ``YYYY-MM``), ``count`` (incidents: int64 when no
        month is missing, else nullable Int64 with ``<NA>`` in the missing months; a local issue's months
        outside ``issue_months`` are missing too), sorted.

    Examples
    --------
    >>> from csa_analysis.config.county import District
    >>> from pathlib import Path
    >>> county = County("Shire", Path("county.toml"), Path("police_uk"), (District("Blaby", 101526),))
    >>> counts = pd.DataFrame({"district": pd.Categorical(["Blaby", "Blaby"]), "issue": ["Drugs", "Drugs"],
    ...                        "month": ["2025-01", "2025-03"], "count": [4, 6]})
    >>> m = monthly_series(counts, county, ["2025-01", "2025-03"])
    >>> print(m.loc[m["issue"] == "Drugs", ["month", "count"]].to_string(index=False))
      month  count
    2025-01      4
    2025-02   <NA>
    2025-03      6
    """
    issues = issues_of(counts)
    districts = list(county.district_names)
    present = sorted(months)
    span = [str(p) for p in pd.period_range(present[0], present[-1], freq="M")] if present else []
    shape = (len(districts), len(issues), len(span))
    total = grid_totals(counts, {"district": districts, "issue": issues, "month": span})
    d, i, m = np.unravel_index(np.arange(total.size), shape)
    full = pd.DataFrame({
        "district": pd.Categorical.from_codes(d, categories=districts),
        "issue": pd.Categorical.from_codes(i, categories=issues),
        "month": np.asarray(span, dtype=object)[m] if span else np.array([], dtype=object),
        "count": total,
    })
    full["month"] = full["month"].astype("str")
    gap = ~full["month"].isin(present)
    for issue, own in (issue_months or {}).items():  # a local issue's months are its own (a handful of issues)
        gap |= (full["issue"] == issue) & ~full["month"].isin(list(own))
    if gap.any():
        full["count"] = full["count"].astype("Int64").mask(gap)
    return full
