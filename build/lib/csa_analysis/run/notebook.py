"""The report notebooks' first call: validate their parameters and open the scored quarter they show.

A notebook run by ``csa assess`` reads the quarter the runner scored (``tables_dir``); an analyst's notebook in
JupyterLab scores it now, through the same :func:`csa_analysis.run.pipeline.score_quarter` (and its cache).
"""

from __future__ import annotations

from pathlib import Path

from csa_analysis.config.county import read_county
from csa_analysis.domain.names import normalise_name
from csa_analysis.domain.periods import Quarter
from csa_analysis.errors import InputError
from csa_analysis.method.score import Scored
from csa_analysis.paths import SAMPLE_DATA_DIR
from csa_analysis.report.pack import Pack
from csa_analysis.run.pipeline import score_quarter

#: Environment variable read by the board-pack runner (:mod:`csa_analysis.run.boardpack`): a comma-separated list
#: of district names (or ``county``) whose reports fail on purpose. The runner turns it into each notebook's
#: ``fail`` parameter, so the executed notebook records why it failed.
FAIL_ENV = "CSA_FAIL_REPORT"


def open_report(data_dir: str = "", quarter: str = "", district: str = "", tables_dir: str = "",
                generated_at: str = "", fail: bool = False) -> Pack:
    """Validate a report's parameters and gather what it shows.

    Parameters
    ----------
    data_dir : str
        Data folder with county.toml; blank = the shipped sample.
    quarter : str
        Financial quarter such as ``2018-19Q3``; blank = the latest complete quarter in the data.
    district : str
        Official name or alias of a district; blank = the county roll-up.
    tables_dir : str
        Folder of pre-computed tables written by the board-pack runner; blank = compute them now.
    generated_at : str
        Run time stamp shown in the header (the runner passes it).
    fail : bool
        Raise ``RuntimeError`` here on purpose, after the parameters are validated: failure injection for
        the tests and for a scheduler's alert drill (the runner sets it from ``$CSA_FAIL_REPORT``).

    Raises
    ------
    InputError
        Unknown district or quarter, bad inputs.
    RuntimeError
        ``fail`` is true.
    """
    county = read_county(Path(data_dir) if data_dir else SAMPLE_DATA_DIR)
    name = None
    if district:
        name = county.name_map().get(normalise_name(district))
        if name is None:
            raise InputError(f"district {district!r} is not in {county.name}", where="parameter district",
                             expected="one of " + ", ".join(county.district_names))
    if quarter:
        Quarter.parse(quarter)  # a malformed quarter is a parameter error, named before any work
    if fail:
        raise RuntimeError(f"failure injected for {name or 'county'} (parameter fail=True, ${FAIL_ENV})")
    if tables_dir:
        scored = Scored.load(Path(tables_dir))
        if scored is None:
            raise InputError("holds no complete scored tables", file=tables_dir, where="parameter tables_dir",
                             expected="the data folder csa assess wrote, or blank to score the quarter now")
    else:
        scored = score_quarter(county, quarter or None)
    return Pack(county, scored.quarter, scored.tables, scored.quality, scored.inputs, name, generated_at)
