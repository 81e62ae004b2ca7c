"""When incidents happen: the month-of-year pattern and the 12-month rolling total, with gaps kept as gaps.

A month is *present* when the data hold it (pass :attr:`csa_analysis.load.Dataset.months`, the months of
every file read); a month between the first and the last that the data do not hold is a *gap*. A gap's
count is NaN, never 0, and every rolling total whose window touches it is NaN too, so a chart's line breaks
there instead of joining across it. A present month in which a district had no incident of an issue is a
true 0.

Without ``months_present`` the months are taken from the records themselves, which is right only when the
records hold every district and issue: a month in which the selection had no incident would then look like a
gap. Pass ``Dataset.months``.

The month-of-year pattern needs every calendar month at least once (so at least 12 months); the rolling total
needs at least ``window`` (12) consecutive present months. When the data cannot support them, the functions
return an empty frame with the documented columns and the reason in ``frame.attrs["reason"]`` (also given by
:func:`month_of_year_coverage` and :func:`rolling_coverage`), never an error.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from csa_analysis.method._records import consecutive_months, group_keys, period_months, records_frame

#: Calendar month names, January first.
MONTH_NAMES: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July", "August",
                                "September", "October", "November", "December")
#: Months in the rolling window.
WINDOW = 12

#: Assumptions and caveats of this module, one sentence each, for the methodology annex.
METHOD_NOTES: tuple[str, ...] = (
    "A month missing from the data is a gap: its count is blank, never 0, and charts break the line there.",
    "The month-of-year pattern is the mean count of each calendar month over the years in the data, shown only "
    "when every calendar month is present; each mean says how many years it is over.",
    "The 12-month rolling total at a month sums that month and the 11 before it, and is blank unless all 12 are "
    "in the data.",
)


def _calendar(months_present: Sequence[str], months: Sequence[str] | None) -> tuple[list[str], set[str]]:
    """(every month from first to last of the window, the present months in it)."""
    present = set(period_months(months_present)) if len(months_present) else set()
    if months is not None:
        wanted = period_months(months)
        calendar = consecutive_months(wanted[0], wanted[-1])
    elif present:
        calendar = consecutive_months(min(present), max(present))
    else:
        calendar = []
    return calendar, present & set(calendar)


def _runs(calendar: Sequence[str], present: set[str]) -> int:
    """Length of the longest run of consecutive present months."""
    best = run = 0
    for m in calendar:
        run = run + 1 if m in present else 0
        best = max(best, run)
    return best


def _span(months: Sequence[str]) -> str:
    ms = sorted(months)
    return "no months" if not ms else (ms[0] if len(ms) == 1 else f"{ms[0]} to {ms[-1]}")


def month_of_year_coverage(months_present: Sequence[str], months: Sequence[str] | None = None) -> str | None:
    """Why the data cannot give a month-of-year pattern, or None when they can.

    Examples
    --------
    >>> print(month_of_year_coverage(["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]))
    ... # doctest: +NORMALIZE_WHITESPACE
    A month-of-year pattern needs every calendar month at least once (12 months or more); the data hold
    5 months (2018-10 to 2019-02), with no data for March, April, May, June, July, August and September.
    >>> month_of_year_coverage([f"2018-{m:02d}" for m in range(1, 13)]) is None
    True
    """
    calendar, present = _calendar(months_present, months)
    have = {int(m[5:7]) for m in present}
    if len(have) == 12:
        return None
    missing = [MONTH_NAMES[i - 1] for i in range(1, 13) if i not in have]
    listed = missing[0] if len(missing) == 1 else ", ".join(missing[:-1]) + " and " + missing[-1]
    return (f"A month-of-year pattern needs every calendar month at least once (12 months or more); the data "
            f"hold {len(present)} month{'s' if len(present) != 1 else ''} ({_span(present)}), with no data for "
            f"{listed}.")


def rolling_coverage(months_present: Sequence[str], months: Sequence[str] | None = None,
                     window: int = WINDOW) -> str | None:
    """Why the data cannot give a rolling total over ``window`` months, or None when they can.

    Examples
    --------
    >>> rolling_coverage(["2018-01", "2018-02", "2018-04"], window=2) is None
    True
    >>> print(rolling_coverage(["2018-01", "2018-03"], window=2))  # doctest: +NORMALIZE_WHITESPACE
    A 2-month rolling total needs 2 consecutive months of data; the longest run in the data
    (2018-01 to 2018-03) is 1 month.
    """
    calendar, present = _calendar(months_present, months)
    longest = _runs(calendar, present)
    if longest >= window:
        return None
    return (f"A {window}-month rolling total needs {window} consecutive months of data; the longest run in the "
            f"data ({_span(present)}) is {longest} month{'s' if longest != 1 else ''}.")


def monthly_grid(
    records: pd.DataFrame | pa.Table,
    months: Sequence[str] | None = None,
    *,
    by: Sequence[str] = ("district", "issue"),
    months_present: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Incidents per month on the full grid of ``by`` x every month of the window, gaps NaN.

    Parameters
    ----------
    records : DataFrame or pyarrow.Table
        ``month`` and the ``by`` columns.
    months : sequence of str, optional
        The window: every month from its first to its last is a row. Default: first to last present month.
    by : sequence of str, default ("district", "issue")
        The series; a categorical column gives every category (zeros included), another its values.
    months_present : sequence of str, optional
        Months the data hold (``Dataset.months``); default the months of ``records``.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``month`` (``YYYY-MM``), ``present`` (bool), ``count`` (float64: incidents in the
        month; NaN where the month is a gap). Ordered by ``by``, then month.

    Examples
    --------
    >>> recs = pd.DataFrame({"month": ["2018-01", "2018-01", "2018-03"], "issue": ["Drugs"] * 3})
    >>> monthly_grid(recs, by=["issue"])[["month", "present", "count"]].to_dict("list")
    {'month': ['2018-01', '2018-02', '2018-03'], 'present': [True, False, True], 'count': [2.0, nan, 1.0]}
    >>> monthly_grid(recs, by=["issue"], months_present=["2018-01", "2018-02", "2018-03"])["count"].tolist()
    [2.0, 0.0, 1.0]
    """
    by = list(by)
    df = records_frame(records, ["month", *by])
    if months_present is None:
        months_present = sorted(df["month"].unique().tolist())
    calendar, present = _calendar(months_present, months)
    df = df[df["month"].isin(calendar).to_numpy()]
    levels = group_keys(df, by)
    index = pd.MultiIndex.from_product([*levels, pd.Index(calendar, name="month")])
    counts = df.groupby([*by, "month"], observed=True).size()
    grid = counts.reindex(index, fill_value=0).astype("float64").rename("count").reset_index()
    grid.insert(len(by) + 1, "present", grid["month"].isin(present))
    grid["count"] = grid["count"].where(grid["present"])
    return grid


def month_of_year(
    records: pd.DataFrame | pa.Table,
    months: Sequence[str] | None = None,
    *,
    by: Sequence[str] = ("district", "issue"),
    months_present: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Mean incidents per calendar month across the years of the window (the month-of-year pattern).

    Each calendar month's mean is taken over the present months of that name only (a gap is not a zero).

    Parameters
    ----------
    records, months, by, months_present
        As for :func:`monthly_grid`.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``calendar_month`` (int 1-12), ``month_name``, ``mean_count`` (incidents a month on
        average, float), ``years`` (how many months of that name the mean is over, int), ``min_count``,
        ``max_count`` (float). Ordered by ``by`` then calendar month. Empty, with
        ``attrs["reason"]`` saying why, when not every calendar month is present
        (:func:`month_of_year_coverage`); otherwise ``attrs["reason"]`` is None. ``attrs["months"]`` lists the
        present months used.

    Examples
    --------
    >>> months = [f"{y}-{m:02d}" for y in (2017, 2018) for m in range(1, 13)]
    >>> recs = pd.DataFrame({"month": months + ["2017-07", "2018-07"], "issue": "Drugs"})
    >>> t = month_of_year(recs, by=["issue"])
    >>> t.loc[t["calendar_month"].isin([1, 7]), ["month_name", "mean_count", "years"]].to_dict("records")
    [{'month_name': 'January', 'mean_count': 1.0, 'years': 2}, {'month_name': 'July', 'mean_count': 2.0, 'years': 2}]
    >>> month_of_year(recs[recs["month"] < "2017-12"], by=["issue"]).attrs["reason"][:40]
    'A month-of-year pattern needs every cale'
    """
    by = list(by)
    grid = monthly_grid(records, months, by=by, months_present=months_present)
    present = grid.loc[grid["present"], "month"].unique().tolist()
    reason = month_of_year_coverage(present) if present else month_of_year_coverage([])
    columns = [*by, "calendar_month", "month_name", "mean_count", "years", "min_count", "max_count"]
    if reason is not None:
        empty = grid.iloc[:0][by].copy()
        for col, dtype in (("calendar_month", "int64"), ("month_name", "str"), ("mean_count", "float64"),
                           ("years", "int64"), ("min_count", "float64"), ("max_count", "float64")):
            empty[col] = pd.Series(dtype=dtype)
        empty = empty[columns]
        empty.attrs.update(reason=reason, months=sorted(present))
        return empty
    g = grid[grid["present"]].assign(calendar_month=lambda d: d["month"].str.slice(5, 7).astype("int64"))
    out = g.groupby([*by, "calendar_month"], observed=True)["count"].agg(
        mean_count="mean", years="size", min_count="min", max_count="max").reset_index()
    out["years"] = out["years"].astype("int64")
    out.insert(len(by) + 1, "month_name", pd.Series(np.array(MONTH_NAMES)[out["calendar_month"] - 1],
                                                    dtype="str"))
    out = out.sort_values([*by, "calendar_month"], kind="stable").reset_index(drop=True)[columns]
    out.attrs.update(reason=None, months=sorted(present))
    return out


def peak_months(pattern: pd.DataFrame, by: Sequence[str] | None = None) -> pd.DataFrame:
    """The calendar month with the highest mean of each series of a :func:`month_of_year` table.

    Ties go to the earlier calendar month. ``by`` defaults to the columns before ``calendar_month``.

    Examples
    --------
    >>> t = pd.DataFrame({"issue": ["Drugs"] * 3, "calendar_month": [1, 2, 3], "month_name": ["January",
    ...     "February", "March"], "mean_count": [4.0, 6.5, 6.5]})
    >>> peak_months(t)[["issue", "month_name", "mean_count"]].to_dict("records")
    [{'issue': 'Drugs', 'month_name': 'February', 'mean_count': 6.5}]
    """
    if by is None:
        by = list(pattern.columns[: list(pattern.columns).index("calendar_month")])
    by = list(by)
    ordered = pattern.sort_values([*by, "mean_count", "calendar_month"],
                                  ascending=[True] * len(by) + [False, True], kind="stable")
    return ordered.drop_duplicates(by).reset_index(drop=True)


def rolling_total(
    records: pd.DataFrame | pa.Table,
    months: Sequence[str] | None = None,
    *,
    by: Sequence[str] = ("district", "issue"),
    months_present: Sequence[str] | None = None,
    window: int = WINDOW,
) -> pd.DataFrame:
    """The rolling total of incidents over ``window`` months (default 12), broken at gaps.

    The total at month *m* is the sum of the counts of *m* and the ``window - 1`` months before it, given only
    when all of them are present; otherwise it is NaN. Every month of the window is a row (gaps included, with
    ``count`` NaN), so a line drawn through ``rolling_total`` breaks at a gap instead of joining across it.

    Parameters
    ----------
    records, months, by, months_present
        As for :func:`monthly_grid`.
    window : int, default 12
        Months in the rolling window.

    Returns
    -------
    DataFrame
        The ``by`` columns, ``month``, ``count`` (incidents in the month, NaN at a gap), ``rolling_total``
        (incidents in the ``window`` months to this month, float; NaN where the window is incomplete),
        ``months_in_window`` (present months in the window, int). Ordered by ``by`` then month. Empty, with
        ``attrs["reason"]``, when no run of ``window`` consecutive present months exists
        (:func:`rolling_coverage`); otherwise ``attrs["reason"]`` is None. ``attrs["months"]`` lists the
        present months used.

    Examples
    --------
    >>> recs = pd.DataFrame({"month": ["2018-01", "2018-02", "2018-02", "2018-04", "2018-05"], "issue": "Drugs"})
    >>> t = rolling_total(recs, by=["issue"], window=2)
    >>> for r in t.itertuples():
    ...     print(r.month, r.count, r.rolling_total, r.months_in_window)
    2018-01 1.0 nan 1
    2018-02 2.0 3.0 2
    2018-03 nan nan 1
    2018-04 1.0 nan 1
    2018-05 1.0 2.0 2
    """
    if window < 1:
        raise ValueError(f"window must be at least 1 month, not {window}")
    by = list(by)
    grid = monthly_grid(records, months, by=by, months_present=months_present)
    calendar = grid["month"].unique().tolist()
    present = set(grid.loc[grid["present"], "month"])
    columns = [*by, "month", "count", "rolling_total", "months_in_window"]
    if _runs(calendar, present) < window:
        empty = grid.iloc[:0][[*by, "month", "count"]].copy()
        empty["rolling_total"] = pd.Series(dtype="float64")
        empty["months_in_window"] = pd.Series(dtype="int64")
        empty = empty[columns]
        empty.attrs.update(reason=rolling_coverage(sorted(present), calendar or None, window),
                           months=sorted(present))
        return empty
    m = len(calendar)
    values = grid["count"].to_numpy(dtype="float64").reshape(-1, m)  # rows: series, columns: months in order
    missing = np.isnan(values)
    sums = np.concatenate([np.zeros((len(values), 1)), np.cumsum(np.where(missing, 0.0, values), axis=1)], axis=1)
    seen = np.concatenate([np.zeros((len(values), 1), dtype="int64"), np.cumsum(~missing, axis=1)], axis=1)
    start = np.maximum(np.arange(1, m + 1) - window, 0)
    stop = np.arange(1, m + 1)
    total = sums[:, stop] - sums[:, start]
    n = seen[:, stop] - seen[:, start]
    out = grid[[*by, "month", "count"]].copy()
    out["rolling_total"] = np.where(n == window, total, np.nan).reshape(-1)
    out["months_in_window"] = n.reshape(-1).astype("int64")
    out = out[columns].reset_index(drop=True)
    out.attrs.update(reason=None, months=sorted(present))
    return out
