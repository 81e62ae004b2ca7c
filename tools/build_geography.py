"""Rebuild the packaged ONS geography lookups in ``csa_analysis/reference/geography/`` (run by hand).

Usage (from the repository root)::

    python tools/build_geography.py /path/to/lookups        # folder holding the ONS CSVs named below

It reads the ONS Open Geography Portal CSVs listed in :data:`SOURCES` (columns selected by name, so the UTF-8
byte-order mark and the moving ``FID``/``ObjectId`` column do not matter), checks their row counts and keys,
and writes compact Parquet files (LSOA tables with dictionary-encoded ward codes and names and district codes;
a code -> name table for districts). The files are sorted and written with fixed options, so a rebuild
from the same CSVs with the same pyarrow version gives the same bytes. ``README.md`` beside them records the
provenance; update it by hand if a source changes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

OUT_DIR = Path(__file__).resolve().parents[1] / "csa_analysis" / "reference" / "geography"

#: ONS file name -> (expected data rows, columns kept and their packaged names).
SOURCES: dict[str, tuple[int, dict[str, str]]] = {
    "LSOA11_WD18_LAD18_EW_LU.csv": (34_753, {
        "LSOA11CD": "lsoa", "LSOA11NM": "lsoa_name", "WD18CD": "ward18", "WD18NM": "ward18_name",
        "WD18NMW": "ward18_name_welsh", "LAD18CD": "lad18", "LAD18NM": "lad18_name",
    }),
    "LSOA21_WD22_LAD22_EW_LU.csv": (35_672, {
        "LSOA21CD": "lsoa", "LSOA21NM": "lsoa_name", "WD22CD": "ward22", "WD22NM": "ward22_name",
        "WD22NMW": "ward22_name_welsh", "LTLA22CD": "lad22", "LTLA22NM": "lad22_name",
        "LTLA22NMW": "lad22_name_welsh",
    }),
    "LSOA21_WD23_LAD23_EW_LU.csv": (35_672, {
        "LSOA21CD": "lsoa", "LSOA21NM": "lsoa_name", "WD23CD": "ward23", "WD23NM": "ward23_name",
        "WD23NMW": "ward23_name_welsh", "LAD23CD": "lad23", "LAD23NM": "lad23_name",
        "LAD23NMW": "lad23_name_welsh",
    }),
    "LAD18_CSP18_PFA18_EW_LU.csv": (348, {
        "LAD18CD": "lad", "LAD18NM": "lad_name", "CSP18CD": "csp", "CSP18NM": "csp_name",
        "PFA18CD": "pfa", "PFA18NM": "pfa_name",
    }),
    "LAD19_CSP19_PFA19_EW_LU.csv": (342, {
        "LAD19CD": "lad", "LAD19NM": "lad_name", "CSP19CD": "csp", "CSP19NM": "csp_name",
        "PFA19CD": "pfa", "PFA19NM": "pfa_name",
    }),
}

_WRITE = {"compression": "zstd", "compression_level": 19, "use_dictionary": True, "write_statistics": False,
          "store_schema": False}


def read_source(folder: Path, name: str) -> pd.DataFrame:
    """One ONS CSV, its kept columns renamed, every value a string (blank -> missing); row count checked."""
    rows, columns = SOURCES[name]
    frame = pd.read_csv(folder / name, encoding="utf-8-sig", dtype=str, keep_default_na=False,
                        usecols=list(columns))
    frame = frame.rename(columns=columns)[list(columns.values())]
    frame = frame.apply(lambda col: col.str.strip()).replace("", None)
    if len(frame) != rows:
        sys.exit(f"{name}: {len(frame)} data rows, expected {rows}")
    # An LSOA has one row; a district has one row per Community Safety Partnership it lies in (East Suffolk
    # and Bournemouth, Christchurch and Poole kept their former CSPs in 2019).
    key = ["lsoa"] if "lsoa" in frame else ["lad", "csp"]
    if frame.duplicated(key).any() or frame[key].isna().any().any():
        sys.exit(f"{name}: {key} is not unique and complete")
    return frame


def names_table(parts: list[tuple[str, pd.DataFrame, str]]) -> pa.Table:
    """``vintage, code, name, name_welsh`` for districts, one row per code and vintage.

    Ward names stay in the LSOA tables: one 2022 ward code carries two names there ("Hunmanby & Sherburn
    (part Ryedale)" and "(part Scarborough)"), so a ward code -> name table would lose one.
    """
    frames = []
    for vintage, frame, col in parts:
        welsh = f"{col}_name_welsh"
        sub = frame[[col, f"{col}_name", *([welsh] if welsh in frame else [])]].drop_duplicates()
        sub.columns = ["code", "name", *(["name_welsh"] if welsh in frame else [])]
        if sub["code"].duplicated().any():
            sys.exit(f"{col}: a code with two names")
        frames.append(sub.assign(vintage=vintage))
    out = pd.concat(frames, ignore_index=True).sort_values(["vintage", "code"], ignore_index=True)
    return pa.table({
        "vintage": pa.array(out["vintage"]).dictionary_encode(),
        "code": pa.array(out["code"], pa.string()),
        "name": pa.array(out["name"], pa.string()),
        "name_welsh": pa.array(out["name_welsh"], pa.string()),
    })


def lsoa_table(frame: pd.DataFrame, columns: list[str]) -> pa.Table:
    frame = frame.sort_values("lsoa", ignore_index=True)
    data = {"lsoa": pa.array(frame["lsoa"], pa.string()), "lsoa_name": pa.array(frame["lsoa_name"], pa.string())}
    for col in columns:
        data[col] = pa.array(frame[col], pa.string()).dictionary_encode()
    return pa.table(data)


def build(folder: Path, out: Path = OUT_DIR) -> dict[str, int]:
    """Write the Parquet files from the CSVs in ``folder``; returns bytes written per file."""
    l11 = read_source(folder, "LSOA11_WD18_LAD18_EW_LU.csv")
    l22 = read_source(folder, "LSOA21_WD22_LAD22_EW_LU.csv")
    l23 = read_source(folder, "LSOA21_WD23_LAD23_EW_LU.csv")
    l21 = l22.merge(l23, on="lsoa", how="outer", suffixes=("", "_23"), validate="one_to_one", indicator=True)
    if (l21["_merge"] != "both").any():
        sys.exit("the 2022 and 2023 lookups do not hold the same LSOA 2021 codes")
    if (l21["lsoa_name"] != l21["lsoa_name_23"]).any():
        sys.exit("the 2022 and 2023 lookups name an LSOA differently")
    pfa = pd.concat([
        read_source(folder, "LAD18_CSP18_PFA18_EW_LU.csv").assign(vintage="2018"),
        read_source(folder, "LAD19_CSP19_PFA19_EW_LU.csv").assign(vintage="2019"),
    ], ignore_index=True).sort_values(["vintage", "lad"], ignore_index=True)

    tables = {
        "lsoa11.parquet": lsoa_table(l11, ["ward18", "ward18_name", "ward18_name_welsh", "lad18"]),
        "lsoa21.parquet": lsoa_table(l21, ["ward22", "ward22_name", "ward22_name_welsh", "lad22",
                                           "ward23", "ward23_name", "ward23_name_welsh", "lad23"]),
        "lads.parquet": names_table([("LAD18", l11, "lad18"), ("LAD22", l22, "lad22"), ("LAD23", l23, "lad23")]),
        "lad_pfa.parquet": pa.Table.from_pandas(
            pfa[["vintage", "lad", "lad_name", "csp", "csp_name", "pfa", "pfa_name"]], preserve_index=False),
    }
    out.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name, table in tables.items():
        pq.write_table(table.replace_schema_metadata(None), out / name, **_WRITE)
        sizes[name] = (out / name).stat().st_size
    return sizes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lookups", type=Path, help="folder holding the ONS lookup CSVs")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"output folder (default {OUT_DIR})")
    args = parser.parse_args(argv)
    sizes = build(args.lookups, args.out)
    for name, size in sizes.items():
        print(f"{name:18} {size:>9,} bytes")
    print(f"{'total':18} {sum(sizes.values()):>9,} bytes")


if __name__ == "__main__":
    main()
