"""Records frames and independent counts for the where/when/outcome tests, from the shipped sample only.

:func:`sample_records` reads the real Leicestershire files (2018-10 to 2019-02) with pandas into the shape of
:attr:`csa_analysis.load.Dataset.records`, placing each row in a county district by the prefix of its LSOA
name (``"Charnwood 012B"`` -> Charnwood), in the test itself rather than through the project's loader.
:func:`csv_rows` reads the same files with the ``csv`` module for the independent counts the back-tests
compare against: no project code is involved there.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from csa_analysis.domain.issues import ISSUES

from datafactory import SAMPLE_POLICE

#: The seven districts of Leicestershire County, in the order of the sample's county.toml.
COUNTY_DISTRICTS = [
    "Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth", "Melton", "North West Leicestershire",
    "Oadby and Wigston",
]
Q3_MONTHS = ["2018-10", "2018-11", "2018-12"]
ALL_MONTHS = ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]


def sample_files(months: list[str] = ALL_MONTHS) -> list[Path]:
    return [SAMPLE_POLICE / m / f"{m}-leicestershire-street.csv" for m in months]


def district_of(lsoa_name: str) -> str | None:
    """The county district named by an LSOA name's prefix, or None (outside the county or no LSOA)."""
    prefix = lsoa_name.rsplit(" ", 1)[0] if lsoa_name else ""
    return prefix if prefix in COUNTY_DISTRICTS else None


def csv_rows(months: list[str] = ALL_MONTHS) -> list[dict[str, str]]:
    """Every row of the sample files of ``months``, in file order, as the csv module reads it, plus
    ``district`` (from the LSOA-name prefix; None outside the county)."""
    rows = []
    for path in sample_files(months):
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                row["district"] = district_of(row["LSOA name"])
                rows.append(row)
    return rows


def sample_records(months: list[str] = ALL_MONTHS) -> pd.DataFrame:
    """The county's placed records of ``months`` in the columns and dtypes of ``Dataset.records``."""
    raw = pd.concat([pd.read_csv(p, dtype="str", keep_default_na=False) for p in sample_files(months)],
                    ignore_index=True)
    district = raw["LSOA name"].map(district_of)
    raw = raw[district.notna()].reset_index(drop=True)
    district = district[district.notna()].reset_index(drop=True)
    blank = lambda s: s.mask(s == "")  # noqa: E731
    return pd.DataFrame({
        "month": raw["Month"].astype("str"),
        "district": pd.Categorical(district, categories=COUNTY_DISTRICTS),
        "crime_id": blank(raw["Crime ID"]),
        "force": raw["Falls within"].astype("category"),
        "issue": pd.Categorical(raw["Crime type"], categories=list(ISSUES)),
        "lsoa_code": raw["LSOA code"].astype("category"),
        "lsoa_name": raw["LSOA name"].astype("category"),
        "location": raw["Location"],
        "longitude": pd.to_numeric(blank(raw["Longitude"])),
        "latitude": pd.to_numeric(blank(raw["Latitude"])),
        "outcome": blank(raw["Last outcome category"]).astype("category"),
    })


def relabel_months(records: pd.DataFrame, shifts: int) -> pd.DataFrame:
    """``shifts`` copies of the records, copy k moved ``5 k`` months later: a long real-shaped series."""
    parts = []
    for k in range(shifts):
        part = records.copy()
        part["month"] = (pd.PeriodIndex(part["month"], freq="M") + 5 * k).strftime("%Y-%m")
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
