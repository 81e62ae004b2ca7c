"""Build the packaged district -> CSP -> police force area lookup and the district successor table.

Run from the repository root with the folder holding the ONS lookup files (see ``csp_lookup.README.md``)::

    python csa_analysis/reference/build_csp_lookup.py /path/to/lookups

Writes ``lad_csp_pfa.csv`` and ``lad_successors.csv`` beside this script. The output is deterministic (sorted,
no timestamps), so rebuilding from the same inputs gives byte-identical files.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent

CSP_LOOKUPS = {  # file -> (year of the boundaries, its column names for LAD, CSP, PFA code and name)
    "LAD18_CSP18_PFA18_EW_LU.csv": (2018, "LAD18CD", "LAD18NM", "CSP18CD", "CSP18NM", "PFA18CD", "PFA18NM"),
    "LAD19_CSP19_PFA19_EW_LU.csv": (2019, "LAD19CD", "LAD19NM", "CSP19CD", "CSP19NM", "PFA19CD", "PFA19NM"),
}


def build_lad_csp_pfa(folder: Path) -> pd.DataFrame:
    """One row per (district, CSP) pair seen in the 2018 or 2019 lookup, with the years it was seen in."""
    frames = []
    for name, (year, lad, lad_nm, csp, csp_nm, pfa, pfa_nm) in CSP_LOOKUPS.items():
        table = pd.read_csv(folder / name, dtype=str, encoding="utf-8-sig")
        frame = table[[lad, lad_nm, csp, csp_nm, pfa, pfa_nm]].copy()
        frame.columns = ["lad_code", "lad_name", "csp_code", "csp_name", "pfa_code", "pfa_name"]
        frames.append(frame.assign(year=str(year)))
    both = pd.concat(frames, ignore_index=True)
    keys = ["lad_code", "csp_code"]
    years = both.groupby(keys)["year"].agg(lambda s: ";".join(sorted(set(s)))).rename("lookup_years")
    latest = both.sort_values("year").drop_duplicates(keys, keep="last").set_index(keys)  # latest names win
    out = latest.drop(columns="year").join(years).reset_index()
    cols = ["lad_code", "lad_name", "csp_code", "csp_name", "pfa_code", "pfa_name", "lookup_years"]
    return out[cols].sort_values(keys, ignore_index=True)


def build_lad_successors(folder: Path) -> pd.DataFrame:
    """Abolished district codes (2018-2022 boundaries) -> the April 2023 district holding their LSOAs.

    The 2023 district of an abolished one is the district that holds most of its LSOAs in the 2023 best-fit
    lookup (every English reorganisation from 2019 to 2023 merged whole districts, so this is all of them).
    Codes still in the May 2022 lookup are read there (LSOA 2021, the 2023 lookup's own LSOAs); older codes
    from the 2018 lookup, whose LSOA 2011 codes are matched to the same LSOA 2021 codes (most were unchanged
    in 2021). ``lsoas`` counts the LSOAs that went to ``new_code``, ``lsoas_matched`` all that were matched.
    """
    l23 = pd.read_csv(folder / "LSOA21_WD23_LAD23_EW_LU.csv", dtype=str, encoding="utf-8-sig")
    l23 = l23[["LSOA21CD", "LAD23CD", "LAD23NM"]].drop_duplicates()
    l22 = pd.read_csv(folder / "LSOA21_WD22_LAD22_EW_LU.csv", dtype=str, encoding="utf-8-sig")
    l22 = l22[["LSOA21CD", "LTLA22CD", "LTLA22NM"]].drop_duplicates()
    l22.columns = ["lsoa", "old_code", "old_name"]
    l18 = pd.read_csv(folder / "LSOA11_WD18_LAD18_EW_LU.csv", dtype=str, encoding="utf-8-sig")
    l18 = l18[["LSOA11CD", "LAD18CD", "LAD18NM"]].drop_duplicates()
    l18.columns = ["lsoa", "old_code", "old_name"]
    current = set(l23["LAD23CD"])
    l18 = l18[~l18["old_code"].isin(set(l22["old_code"]))]  # a code in the 2022 lookup is read there (LSOA 2021)
    old = pd.concat([l18.assign(source="LSOA11_WD18_LAD18_EW_LU.csv"),
                     l22.assign(source="LSOA21_WD22_LAD22_EW_LU.csv")], ignore_index=True)
    old = old[~old["old_code"].isin(current)]
    pairs = old.merge(l23.rename(columns={"LSOA21CD": "lsoa"}), on="lsoa")
    counts = (pairs.groupby(["old_code", "old_name", "LAD23CD", "LAD23NM", "source"]).size()
              .rename("lsoas").reset_index()
              .sort_values(["old_code", "lsoas"], ascending=[True, False]))
    best = counts.drop_duplicates("old_code", keep="first")
    totals = counts.groupby("old_code")["lsoas"].sum().rename("lsoas_matched")
    out = best.join(totals, on="old_code").rename(columns={"LAD23CD": "new_code", "LAD23NM": "new_name"})
    cols = ["old_code", "old_name", "new_code", "new_name", "lsoas", "lsoas_matched", "source"]
    return out[cols].sort_values("old_code", ignore_index=True)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(argv[0])
    build_lad_csp_pfa(folder).to_csv(HERE / "lad_csp_pfa.csv", index=False, lineterminator="\n")
    build_lad_successors(folder).to_csv(HERE / "lad_successors.csv", index=False, lineterminator="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
