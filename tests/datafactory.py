"""Build small data folders from real police.uk rows, for tests.

Rows are taken verbatim from the shipped Leicestershire sample (``SAMPLE_DIR``), so every test runs on
real-shaped data; a test changes only what it is about.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

from csa_analysis.paths import SAMPLE_DATA_DIR

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


#: Residents of the sample districts (ONS mid-2019, as in the shipped county.toml), and their aliases.
SAMPLE_DISTRICTS = {"Charnwood": (185851, ()), "Blaby": (101526, ()),
                    "Hinckley and Bosworth": (113136, ("Hinckley & Bosworth",))}


def county_toml(*names: str, county: str = "Test County") -> str:
    """A county.toml listing only these sample districts (a district with no records is refused)."""
    lines = [f'name = "{county}"', 'police_uk = "police_uk"', ""]
    for n in names:
        pop, aliases = SAMPLE_DISTRICTS[n]
        lines += ["[[districts]]", f'name = "{n}"', f"population = {pop}"]
        lines += [f"aliases = {list(aliases)!r}".replace("'", '"')] if aliases else []
        lines.append("")
    return "\n".join(lines)


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


def previous_pack(out: Path, text: str = "last quarter's good pack", quarter: str = "2018-19Q2") -> dict[str, str]:
    """A minimal board pack in ``out`` as an earlier run leaves it (manifest included); returns its hashes."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "index.html").write_text(text, encoding="utf-8")
    (out / "tables").mkdir(exist_ok=True)
    (out / "tables" / "issue_scores.csv").write_text("district,issue,count\n", encoding="utf-8")
    manifest = {"generator": "csa-workbench", "quarter": quarter, "package_version": "0.1.0", "reports": [],
                "inputs": [], "files": ["index.html", "manifest.json", "tables/issue_scores.csv"]}
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return tree_hashes(out)
