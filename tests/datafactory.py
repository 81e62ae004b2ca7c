"""Build small data folders from real police.uk rows, for tests.

Rows are taken verbatim from the shipped Leicestershire sample (``SAMPLE_DIR``), so every test runs on
real-shaped data; a test changes only what it is about.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from csa_analysis.config import SAMPLE_DATA_DIR

SAMPLE_DIR = SAMPLE_DATA_DIR
SAMPLE_POLICE = SAMPLE_DIR / "police_uk"
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context"
)

COUNTY_TOML = """\
name = "Test County"
police_uk = "police_uk"

[[districts]]
name = "Charnwood"
population = 185851

[[districts]]
name = "Blaby"
population = 101526

[[districts]]
name = "Hinckley and Bosworth"
population = 113136
aliases = ["Hinckley & Bosworth"]
"""


def sample_lines(month: str = "2018-10") -> list[str]:
    """Data lines (no header) of one real sample file, exactly as served."""
    path = SAMPLE_POLICE / month / f"{month}-leicestershire-street.csv"
    return path.read_text(encoding="utf-8").splitlines()[1:]


def pick(lines: list[str], *, where, n: int = 1) -> list[str]:
    """The first ``n`` lines whose parsed fields satisfy ``where(dict)``."""
    out = []
    for line in lines:
        row = dict(zip(HEADER.split(","), next(csv.reader([line])), strict=True))
        if where(row):
            out.append(line)
            if len(out) == n:
                break
    assert len(out) == n, "the sample does not hold the rows this test needs"
    return out


def write_street(root: Path, month: str, lines: list[str], force: str = "leicestershire",
                 header: str = HEADER) -> Path:
    path = root / "police_uk" / month / f"{month}-{force}-street.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def make_data_dir(root: Path, files: dict[str, list[str]], toml: str = COUNTY_TOML) -> Path:
    """A data folder with ``county.toml`` and one street file per month in ``files``."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "county.toml").write_text(toml, encoding="utf-8")
    for month, lines in files.items():
        write_street(root, month, lines)
    return root


def tree_hashes(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root``: to prove raw data and outputs are untouched."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def count_with_csv(folder: Path) -> dict[str, int]:
    """Independent count of rows per local-authority name with the csv module (no project code)."""
    counts: dict[str, int] = {}
    for f in sorted(folder.rglob("*-street.csv")):
        with open(f, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                name = row["LSOA name"]
                key = name.rsplit(" ", 1)[0] if name else ""
                counts[key] = counts.get(key, 0) + 1
    return counts


def csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()
