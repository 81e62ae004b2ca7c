"""Install and reproduce: the wheel carries what csa assess needs, the pack runs the packaged notebooks (never an
analyst's working copy), versions are pinned and recorded, and environment.yml lists pyproject's packages."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

import nbformat
import pytest

from csa_analysis.paths import PACKAGE_DIR, PROJECT_DIR
from csa_analysis.run import kernels
from csa_analysis.run.boardpack import assess

from datafactory import SAMPLE_DIR, tree_hashes

PYPROJECT = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())


def _name(requirement: str) -> str:
    """``"dask[dataframe]>=2024.8"`` -> ``"dask"`` (PEP 503 normalised)."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]).lower()


def _declared() -> set[str]:
    project = PYPROJECT["project"]
    return {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}


def test_environment_yml_lists_the_same_packages_as_pyproject():
    text = (PROJECT_DIR / "environment.yml").read_text()
    dependencies = text.split("\ndependencies:\n", 1)[1]
    conda = {_name(m) for m in re.findall(r"^  - ([A-Za-z][^\s:]*)$", dependencies, re.M)} - {"python", "pip"}
    assert conda == _declared()
    assert "nodefaults" in text and "\n  - defaults" not in text  # no channel that needs a licence


def test_the_lock_pins_every_declared_package_with_hashes():
    lock = (PROJECT_DIR / "requirements.lock").read_text()
    pinned = {_name(m) for m in re.findall(r"^([A-Za-z][\w.\-]*)==", lock, re.M)}
    assert _declared() <= pinned
    blocks = re.findall(r"^[A-Za-z][\w.\-]*==[^\n]*\\\n((?:\s+--hash=sha256:[0-9a-f]{64}[ \\]*\n)+)", lock, re.M)
    assert len(blocks) == len(re.findall(r"^[A-Za-z][\w.\-]*==", lock, re.M))  # every pin has its hashes


def test_the_pack_runs_the_packaged_notebooks_not_the_working_copies():
    assert kernels.NOTEBOOK_DIR == PACKAGE_DIR / "report" / "notebooks"
    for name in (kernels.DISTRICT_NOTEBOOK, kernels.COUNTY_NOTEBOOK):
        assert (kernels.NOTEBOOK_DIR / name).is_file()


def test_a_scratch_cell_in_a_working_copy_never_reaches_the_pack(tmp_path):
    """An analyst adds a cell to notebooks/district_assessment.ipynb in JupyterLab; the next pack is unchanged."""
    working = PROJECT_DIR / "notebooks" / kernels.DISTRICT_NOTEBOOK
    original = working.read_bytes()
    try:
        nb = nbformat.read(working, as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell("print('SCRATCH-CELL-OUTPUT', 98, 29)"))
        nbformat.write(nb, working)
        out = tmp_path / "pack"
        assert assess(SAMPLE_DIR, out=out, districts=["Melton"], progress=False, cache_dir=tmp_path / "cache") == 0
    finally:
        working.write_bytes(original)
    page = (out / "districts" / "melton.html").read_text(encoding="utf-8")
    assert "Strategic assessment: Melton" in page and "SCRATCH-CELL-OUTPUT" not in page
    assert working.read_bytes() == original


@pytest.mark.parametrize("path", sorted((PROJECT_DIR / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_committed_notebooks_carry_complete_kernel_metadata(path):
    nb = json.loads(path.read_text())
    spec, info = nb["metadata"]["kernelspec"], nb["metadata"]["language_info"]
    assert spec == {"display_name": "Python (csa-workbench)", "language": "python", "name": "csa-workbench"}
    assert {"name", "version", "mimetype", "file_extension", "codemirror_mode", "pygments_lexer",
            "nbconvert_exporter"} <= set(info)
    assert nb["nbformat"] == 4 and nb["nbformat_minor"] >= 5 and all(c.get("id") for c in nb["cells"])
    packaged = json.loads((kernels.NOTEBOOK_DIR / path.name).read_text())
    assert packaged["cells"] == nb["cells"]  # the working copies start as the packaged ones


def test_the_manifest_records_the_versions_used(tmp_path):
    from csa_analysis.run.boardpack import package_versions

    versions = package_versions()
    assert versions["python"] == sys.version.split()[0]
    assert re.fullmatch(r"\d+\.\d+.*", versions["pandas"]) and re.fullmatch(r"\d+\.\d+.*", versions["nbconvert"])


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel built from this checkout, installed into a fresh virtual environment.

    The fresh environment gets the wheel (with pip, no dependencies); the third-party packages it needs are
    borrowed from the test's own environment through a .pth line, so that only csa-workbench's own files come
    from the wheel (the project's editable install is not visible there)."""
    root = tmp_path_factory.mktemp("install")
    source = root / "source"  # a copy: setuptools writes build/ beside pyproject.toml, never into the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(PROJECT_DIR / name, source / name)
    shutil.copytree(PACKAGE_DIR, source / "csa_analysis", ignore=shutil.ignore_patterns("__pycache__"))
    dist = root / "dist"
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist),
                           str(source)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    wheel = next(dist.glob("csa_workbench-*.whl"))
    env_dir = root / "fresh"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    done = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    script = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site = Path(subprocess.check_output([str(python), "-c", script], text=True).strip())
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    # nbconvert's templates are data files installed beside its package: borrow them too (and nothing else
    # from this environment's share/jupyter, whose kernel would run the checkout's code)
    jupyter = root / "jupyter"
    jupyter.mkdir()
    (jupyter / "nbconvert").symlink_to(Path(sys.prefix) / "share" / "jupyter" / "nbconvert")
    return wheel, env_dir, python, jupyter


def test_the_wheel_carries_the_templates_notebooks_and_reference_tables(installed):
    import zipfile

    wheel = installed[0]
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("csa_analysis/report/notebooks/district_assessment.ipynb",
                     "csa_analysis/report/notebooks/county_rollup.ipynb",
                     "csa_analysis/report/templates/boardpack/index.html.j2",
                     "csa_analysis/report/templates/front/index.html.j2",
                     "csa_analysis/reference/harm_weights_default.csv"):
        assert required in names, required
    assert not any(n.startswith(("tests/", "data/", "notebooks/")) for n in names)


def test_the_installed_wheel_builds_the_pack_from_another_folder(installed, tmp_path):
    _, env_dir, python, jupyter = installed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.check_output([str(python), "-c", "import csa_analysis; print(csa_analysis.__file__)"],
                                    cwd=elsewhere, text=True, env=clean).strip()
    assert Path(where).is_relative_to(env_dir)  # the wheel's copy, not this checkout
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    before = tree_hashes(data)
    csa = env_dir / ("Scripts/csa.exe" if os.name == "nt" else "bin/csa")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["CSA_CACHE_DIR"] = str(tmp_path / "cache")
    env["JUPYTER_PATH"] = str(jupyter)
    done = subprocess.run([str(csa), "assess", "--data", str(data), "--out", "pack", "--districts", "Melton",
                           "--quiet"], cwd=elsewhere, env=env, capture_output=True, text=True, check=False,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    manifest = json.loads((elsewhere / "pack" / "manifest.json").read_text())
    assert [r["status"] for r in manifest["reports"]] == ["ok", "ok"]
    assert "Strategic assessment: Melton" in (elsewhere / "pack" / "districts" / "melton.html").read_text()
    assert manifest["kernel"] == "python3"  # the fresh environment's own kernel, running the wheel's code
    assert tree_hashes(data) == before
