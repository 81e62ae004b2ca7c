"""Where things live: the package and its shipped files, the source checkout, the sample data and the cache.

Every path is built from the package's own location, never from the working directory, so the workbench
behaves the same from a checkout, an installed wheel, JupyterLab or a scheduler.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The source checkout when running from one (for an installed wheel: the site-packages folder).
PROJECT_DIR = PACKAGE_DIR.parent
#: Reference tables shipped with the package (harm weights, unit costs, lookups), each with its provenance.
REFERENCE_DIR = PACKAGE_DIR / "reference"
#: Templates and report notebooks shipped with the package (what ``csa assess`` runs).
TEMPLATE_DIR = PACKAGE_DIR / "report" / "templates"
PACKAGED_NOTEBOOK_DIR = PACKAGE_DIR / "report" / "notebooks"
#: The shipped 2018-19 sample data folder (in a source checkout): Leicestershire, October 2018 to February 2019,
#: with the 2011 funding table; most tests run on it.
SAMPLE_DATA_DIR = PROJECT_DIR / "data" / "raw" / "leicestershire"
#: The current default sample (``make report``): Leicestershire, January to December 2025, 2021 LSOA codes.
CURRENT_SAMPLE_DIR = PROJECT_DIR / "data" / "raw" / "leicestershire-2025"
#: The second current sample: Suffolk, January to December 2025 (districts merged in 2019).
SUFFOLK_SAMPLE_DIR = PROJECT_DIR / "data" / "raw" / "suffolk-2025"
#: The ONS workbooks and tables the samples read (mid-year population estimates, Table C2).
ONS_DATA_DIR = PROJECT_DIR / "data" / "raw" / "ons"


def default_cache_dir() -> Path:
    """Where processed Parquet files go.

    ``$CSA_CACHE_DIR`` if set; otherwise ``data/processed/`` of the source checkout this package runs from;
    otherwise ``~/.cache/csa-workbench``.
    """
    env = os.environ.get("CSA_CACHE_DIR")
    if env:
        return Path(env)
    checkout = PROJECT_DIR / "data" / "processed"
    if checkout.parent.is_dir() and os.access(checkout.parent, os.W_OK):
        return checkout
    return Path.home() / ".cache" / "csa-workbench"
