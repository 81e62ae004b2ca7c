"""Shared plumbing of the ``method`` modules: periods, the records frame, mapping values through a table.

Not public API: each method module documents the columns it needs and re-exports nothing from here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from csa_analysis.domain.periods import Quarter, parse_month

#: A reporting period: a :class:`~csa_analysis.periods.Quarter`, a quarter label (``"2018-19Q3"``), one
#: ``YYYY-MM`` month, or a sequence of ``YYYY-MM`` months.
Period = Quarter | str | Sequence[str]


def period_months(period: Period) -> list[str]:
    """The sorted, distinct ``YYYY-MM`` months of a period.

    Examples
    --------
    >>> period_months("2018-19Q3")
    ['2018-10', '2018-11', '2018-12']
    >>> period_months(["2019-01", "2018-12", "2019-01"])
    ['2018-12', '2019-01']
    """
    if isinstance(period, Quarter):
        return period.months()
    if isinstance(period, str):
        if "Q" in period:
            return Quarter.parse(period).months()
        parse_month(period)
        return [period]
    months = sorted({str(m) for m in period})
    for m in months:
        parse_month(m)
    if not months:
        raise ValueError("the period holds no month")
    return months


def period_code(period: Period) -> str:
    """A compact label for tables: the quarter (``'2018-19Q3'``), else ``'first to last'`` months.

    Examples
    --------
    >>> period_code(["2018-10", "2018-11"])
    '2018-10 to 2018-11'
    >>> period_code("2018-19Q3")
    '2018-19Q3'
    """
    if isinstance(period, Quarter):
        return str(period)
    if isinstance(period, str) and "Q" in period:
        return str(Quarter.parse(period))
    months = period_months(period)
    if len(months) == 1:
        return months[0]
    if months == consecutive_months(months[0], months[-1]):
        return f"{months[0]} to {months[-1]}"
    return ",".join(months)


def period_label(period: Period) -> str:
    """A label for chart titles: ``'October to December 2018 (2018-19 Q3)'`` or ``'October 2018 to ...'``."""
    if isinstance(period, Quarter):
        return period.label()
    if isinstance(period, str) and "Q" in period:
        return Quarter.parse(period).label()
    months = period_months(period)
    first, last = (pd.Timestamp(m + "-01").strftime("%B %Y") for m in (months[0], months[-1]))
    return first if first == last else f"{first} to {last}"


def consecutive_months(first: str, last: str) -> list[str]:
    """Every ``YYYY-MM`` month from ``first`` to ``last`` inclusive.

    Examples
    --------
    >>> consecutive_months("2018-11", "2019-02")
    ['2018-11', '2018-12', '2019-01', '2019-02']
    """
    parse_month(first)
    parse_month(last)
    return [str(p) for p in pd.period_range(first, last, freq="M").strftime("%Y-%m")]


def records_frame(records: pd.DataFrame | pa.Table, columns: Iterable[str],
                  months: Sequence[str] | None = None) -> pd.DataFrame:
    """The wanted columns of the records, restricted to ``months`` (all months when None).

    A pyarrow table (e.g. the national Parquet cache read with ``pyarrow.dataset``) is filtered by month and
    cut to the wanted columns in Arrow before anything is converted to pandas, so only the rows and columns
    an analysis needs are ever materialised.

    Raises
    ------
    ValueError
        A wanted column is missing (the message names it and the columns present).
    """
    columns = list(dict.fromkeys(columns))
    have = list(records.column_names if isinstance(records, pa.Table) else records.columns)
    missing = [c for c in columns if c not in have]
    if missing:
        raise ValueError(f"the records lack column(s) {missing}; they have {have}")
    if isinstance(records, pa.Table):
        table = records.select(columns)
        if months is not None:
            month = table["month"]
            if pa.types.is_dictionary(month.type):
                month = month.cast(pa.string())
            table = table.filter(pc.is_in(month, value_set=pa.array(list(months), pa.string())))
        frame = table.to_pandas()
        if "month" in frame.columns:
            frame["month"] = frame["month"].astype("str")
        return frame
    frame = records[columns] if months is None else records.loc[records["month"].isin(list(months)), columns]
    return frame.reset_index(drop=True)


def map_values(values: pd.Series, table: pd.Series) -> pd.Series:
    """``table[value]`` for every value (missing where the value is absent from the table, or missing).

    Works on the distinct values (``pandas.factorize``), so it costs one lookup per distinct value however many
    rows there are; the values may be categorical or plain strings. The result has a fresh ``RangeIndex`` and
    the dtype of ``table``.

    Examples
    --------
    >>> map_values(pd.Series(["a", "b", None, "a"]), pd.Series({"a": 1.0})).tolist()
    [1.0, nan, nan, 1.0]
    """
    codes, uniques = pd.factorize(values)
    if len(uniques) == 0:
        return pd.Series(pd.array([None] * len(codes), dtype=table.dtype))
    keys = pd.Index(np.asarray(uniques, dtype=object))
    looked = table.reindex(keys).reset_index(drop=True)
    taken = looked.take(np.where(codes >= 0, codes, 0)).reset_index(drop=True)
    return taken.where(pd.Series(codes >= 0))


def group_keys(frame: pd.DataFrame, by: Sequence[str]) -> list[pd.Index]:
    """The levels of a full grid over ``by``: a categorical column's categories, else its sorted values."""
    levels = []
    for col in by:
        s = frame[col]
        if isinstance(s.dtype, pd.CategoricalDtype):
            levels.append(pd.CategoricalIndex(s.cat.categories, categories=s.cat.categories, name=col))
        else:
            levels.append(pd.Index(sorted(s.dropna().unique()), name=col))
    return levels
