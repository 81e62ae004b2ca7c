"""Seeded generator of police.uk-shaped street files at national scale, for benchmarks.

The files look like the real downloads in every respect the loader cares about: the twelve columns in the
site's order, 64-hex Crime IDs (blank for anti-social behaviour, about 30% of rows), about 1% of rows with
"No Location" and blank coordinates and LSOA, quoted locations containing commas, real 2021 LSOA codes and
their ONS names (``"Harrogate 015E"``, as police.uk serves them) of real May 2023 districts, taken from the
lookup packaged with the workbench, one ``YYYY-MM/YYYY-MM-<force>-street.csv`` file per force and month, and a
``county.toml`` listing every district with a population. The records themselves are not real data.

Run ``python -m benchmarks.generate --help``.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from csa_analysis.domain.issues import ISSUES
from csa_analysis.paths import REFERENCE_DIR

#: Share of each police.uk category (roughly the national mix: ASB about 30%).
CATEGORY_MIX = {
    "Anti-social behaviour": 0.30, "Violence and sexual offences": 0.27, "Other theft": 0.065,
    "Criminal damage and arson": 0.075, "Shoplifting": 0.055, "Burglary": 0.045, "Vehicle crime": 0.055,
    "Public order": 0.06, "Drugs": 0.022, "Other crime": 0.012, "Theft from the person": 0.01,
    "Bicycle theft": 0.01, "Robbery": 0.008, "Possession of weapons": 0.006,
}
OUTCOMES = np.array([
    "Investigation complete; no suspect identified", "Unable to prosecute suspect",
    "Under investigation", "Local resolution", "Offender given a caution",
    "Awaiting court outcome", "Status update unavailable", "Court result unavailable",
], dtype=object)
STREETS = np.array([f"{a} {b}" for a in ("High", "Church", "Mill", "Station", "Park", "Victoria",
                                         "Queen", "King", "London", "Manor")
                    for b in ("Street", "Road", "Lane", "Close", "Avenue")], dtype=object)
PLACES = np.array(["Supermarket, Town Centre", "Petrol Station, Ring Road", "Parking Area, Retail Park",
                   "Sports/Recreation Area", "Shopping Area", "Nightclub", "Further/Higher Educational "
                   "Building", "Hospital, North Wing"], dtype=object)
HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
          "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]


@dataclass(frozen=True)
class Scale:
    """How much to generate."""

    forces: int = 43
    districts: int = 318  # every district of May 2023 (England and Wales)
    lsoas_per_district: int = 100  # at most: a district with fewer LSOAs uses all of its own
    months: int = 12
    records_per_month: int = 500_000
    first_month: str = "2023-04"
    seed: int = 20261122

    @property
    def rows(self) -> int:
        return self.months * self.records_per_month


NATIONAL_YEAR = Scale()
SMOKE = Scale(forces=3, districts=9, lsoas_per_district=5, months=4, records_per_month=3_000,
              first_month="2023-04")


def _months(first: str, n: int) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        m += 1
        if m > 12:
            y, m = y + 1, 1
    return out


def _real_lsoas(scale: Scale) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The first ``scale.districts`` May 2023 districts (by code) and up to ``lsoas_per_district`` of their real
    2021 LSOAs each: district names, LSOA codes and names (grouped by district), each district's first LSOA and
    number of LSOAs."""
    geography = REFERENCE_DIR / "geography"
    lsoas = pq.read_table(geography / "lsoa21.parquet", columns=["lsoa", "lsoa_name", "lad23"]).to_pandas()
    lsoas["lad23"] = lsoas["lad23"].astype(str)
    lads = pq.read_table(geography / "lads.parquet").to_pandas()
    names = lads[lads["vintage"].astype(str) == "LAD23"].set_index("code")["name"]
    codes = sorted(lsoas["lad23"].unique())
    if scale.districts > len(codes):
        raise ValueError(f"at most {len(codes)} districts (the May 2023 lookup holds {len(codes)})")
    codes = codes[:scale.districts]
    chosen = (lsoas[lsoas["lad23"].isin(codes)].sort_values(["lad23", "lsoa"])
              .groupby("lad23").head(scale.lsoas_per_district))
    n_lsoas = chosen.groupby("lad23").size().reindex(codes).to_numpy()
    first = np.concatenate([[0], np.cumsum(n_lsoas)[:-1]])
    return (names.reindex(codes).to_numpy(dtype=object), chosen["lsoa"].to_numpy(dtype=object),
            chosen["lsoa_name"].to_numpy(dtype=object), first, n_lsoas)


def generate(root: str | Path, scale: Scale = NATIONAL_YEAR) -> Path:
    """Write a data folder of generated police.uk files and a ``county.toml``; return it.

    Re-uses an existing folder generated with the same scale (a ``.scale.json`` marker records it).
    """
    root = Path(root)
    marker = root / ".scale.json"
    if marker.is_file() and json.loads(marker.read_text()) == asdict(scale):
        return root
    rng = np.random.default_rng(scale.seed)
    district_force = np.sort(rng.integers(0, scale.forces, scale.districts))
    district_force[: scale.forces] = np.arange(scale.forces)  # every force has a district
    district_force = np.sort(district_force)
    district_names, lsoa_codes, lsoa_names, first_lsoa, n_lsoas = _real_lsoas(scale)
    force_slugs = [f"force-{i:02d}" for i in range(scale.forces)]
    force_names = np.array([f"Force {i:02d} Police" for i in range(scale.forces)], dtype=object)
    populations = rng.integers(60_000, 350_000, scale.districts)
    weights = populations / populations.sum()
    cats = np.array(list(CATEGORY_MIX), dtype=object)
    probs = np.array(list(CATEGORY_MIX.values()))
    probs = probs / probs.sum()
    assert set(cats) == set(ISSUES)

    for month in _months(scale.first_month, scale.months):
        n = scale.records_per_month
        district = rng.choice(scale.districts, n, p=weights)
        lsoa = first_lsoa[district] + (rng.random(n) * n_lsoas[district]).astype(np.int64)
        issue = cats[rng.choice(len(cats), n, p=probs)]
        is_asb = issue == "Anti-social behaviour"
        no_loc = rng.random(n) < 0.01
        ids = rng.integers(0, 2**63, (n, 4), dtype=np.uint64)
        crime_id = np.char.add(np.char.add(np.char.mod("%016x", ids[:, 0]), np.char.mod("%016x", ids[:, 1])),
                               np.char.add(np.char.mod("%016x", ids[:, 2]), np.char.mod("%016x", ids[:, 3])))
        crime_id = crime_id.astype(object)
        crime_id[is_asb] = None
        lon = np.round(-3.0 + rng.random(n) * 3.5, 6)
        lat = np.round(51.0 + rng.random(n) * 3.5, 6)
        quoted = rng.random(n) < 0.05
        location = np.where(quoted, "On or near " + PLACES[rng.integers(0, len(PLACES), n)],
                            "On or near " + STREETS[rng.integers(0, len(STREETS), n)]).astype(object)
        location[no_loc] = "No Location"
        outcome = OUTCOMES[rng.integers(0, len(OUTCOMES), n)].astype(object)
        outcome[is_asb] = None
        force = district_force[district]
        lsoa_code = lsoa_codes[lsoa].copy()
        lsoa_name = lsoa_names[lsoa].copy()
        lsoa_code[no_loc] = None
        lsoa_name[no_loc] = None
        lon_o = lon.astype(object)
        lat_o = lat.astype(object)
        lon_o[no_loc] = None
        lat_o[no_loc] = None
        order = np.argsort(force, kind="stable")
        bounds = np.searchsorted(force[order], np.arange(scale.forces + 1))
        for f in range(scale.forces):
            idx = order[bounds[f]:bounds[f + 1]]
            fname = force_names[f]
            table = pa.table({
                "Crime ID": pa.array(crime_id[idx], pa.string()),
                "Month": pa.array(np.full(len(idx), month, dtype=object), pa.string()),
                "Reported by": pa.array(np.full(len(idx), fname, dtype=object), pa.string()),
                "Falls within": pa.array(np.full(len(idx), fname, dtype=object), pa.string()),
                "Longitude": pa.array(lon_o[idx], pa.float64()),
                "Latitude": pa.array(lat_o[idx], pa.float64()),
                "Location": pa.array(location[idx], pa.string()),
                "LSOA code": pa.array(lsoa_code[idx], pa.string()),
                "LSOA name": pa.array(lsoa_name[idx], pa.string()),
                "Crime type": pa.array(issue[idx], pa.string()),
                "Last outcome category": pa.array(outcome[idx], pa.string()),
                "Context": pa.array([None] * len(idx), pa.string()),
            })
            path = root / "police_uk" / month / f"{month}-{force_slugs[f]}-street.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
            pacsv.write_csv(table, path, write_options=pacsv.WriteOptions(quoting_style="needed"))

    lines = ['name = "England and Wales (generated)"', 'police_uk = "police_uk"', ""]
    for name, pop in zip(district_names, populations, strict=True):
        lines += ["[[districts]]", f'name = "{name}"', f"population = {int(pop)}", ""]
    (root / "county.toml").write_text("\n".join(lines), encoding="utf-8")
    marker.write_text(json.dumps(asdict(scale)))
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write")
    parser.add_argument("--smoke", action="store_true", help="a tiny data set (seconds) instead of a year")
    parser.add_argument("--months", type=int, default=None)
    args = parser.parse_args()
    scale = SMOKE if args.smoke else NATIONAL_YEAR
    if args.months:
        scale = Scale(**{**asdict(scale), "months": args.months})
    print(generate(args.out, scale))


if __name__ == "__main__":
    main()
