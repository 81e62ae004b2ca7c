"""Small hand-built inputs for the scoring tests: a County without a TOML file, counts and records frames."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from csa_analysis.config.county import County, District
from csa_analysis.domain.issues import ISSUES
from csa_analysis.domain.periods import Quarter

NAMES = ("North", "South", "East", "West", "Central", "Upper", "Lower")
Q = Quarter.parse("2019-20Q1")  # April to June 2019
#: Every month of 2018 and 2019: the quarter, the previous quarter and last year's are all covered.
ALL_MONTHS = [f"{y}-{m:02d}" for y in (2018, 2019) for m in range(1, 13)]


def make_county(pops=(1000, 2000), funding=None, **kw) -> County:
    """A county of ``len(pops)`` districts named North, South, ... with these populations (residents)."""
    names = NAMES[: len(pops)]
    funding = funding or (None,) * len(pops)
    return County(name="Test", toml_path=Path("county.toml"), police_uk=Path("police_uk"),
                  districts=tuple(District(n, p, (), f) for n, p, f in zip(names, pops, funding, strict=True)),
                  **kw)


def make_counts(rows) -> pd.DataFrame:
    """Counts per district x issue x month from ``(district, issue, month, count)`` tuples."""
    df = pd.DataFrame(rows, columns=["district", "issue", "month", "count"])
    df["count"] = df["count"].astype("int64")
    return df


def make_records(rows, county: County, issues=ISSUES) -> pd.DataFrame:
    """Records as the loader gives them, from ``(district, issue, month)`` tuples (one row per incident)."""
    df = pd.DataFrame(list(rows), columns=["district", "issue", "month"])
    df["district"] = pd.Categorical(df["district"], categories=county.district_names)
    df["issue"] = pd.Categorical(df["issue"], categories=list(issues))
    df["month"] = df["month"].astype("str")
    df["crime_id"] = pd.Series([pd.NA] * len(df), dtype="str")
    return df
