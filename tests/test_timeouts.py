"""A hung report is turned into a named failure by the per-cell or the per-report time limit."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest

from csa_analysis.boardpack import NOTEBOOK_DIR, assess

from datafactory import SAMPLE_DIR


@pytest.fixture
def hanging_notebooks(tmp_path):
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOK_DIR, folder)
    path = folder / "district_assessment.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("import time\ntime.sleep(120)"))
    nbformat.write(nb, path)
    return folder


@pytest.mark.parametrize("limits,message", [
    ({"timeout": 20, "report_timeout": None}, "CellTimeoutError: A cell timed out"),
    ({"timeout": 600, "report_timeout": 25}, "report exceeded its time limit of 25 s"),
])
def test_a_hung_district_fails_by_name_and_the_county_still_finishes(tmp_path, hanging_notebooks, limits,
                                                                    message):
    out = tmp_path / "pack"
    code = assess(SAMPLE_DIR, out=out, districts=["Melton"], notebook_dir=hanging_notebooks, progress=False,
                  **limits)
    assert code == 1
    reports = {r["name"]: r for r in json.loads((out / "manifest.json").read_text())["reports"]}
    assert reports["Melton"]["status"] == "failed"
    assert message in reports["Melton"]["error"]
    assert reports["Melton"]["seconds"] < 60
    assert reports["Leicestershire"]["status"] == "ok"
