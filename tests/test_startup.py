"""The run's processes import jsonschema (through papermill, nbconvert and nbformat) without building the RFC 3987
IRI grammar at import (about a CPU-second a process), everything they use from it still works, and a process that
never imports nbformat does not import jsonschema. (The kernels' template: ``tests/test_warm_kernels.py``.)"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

needs_grammar = pytest.mark.skipif(importlib.util.find_spec("rfc3987_syntax") is None,
                                   reason="rfc3987-syntax is not installed: there is no grammar to avoid")


def _fresh(code: str) -> dict:
    """Run ``code`` (which prints one JSON line) in a new interpreter, as the runner and the template start."""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


@needs_grammar
def test_the_runner_imports_papermill_and_nbconvert_without_building_the_iri_grammar():
    seen = _fresh(
        "import json, sys\n"
        "from csa_analysis.run import kernels\n"
        "kernels.preload_runner()  # what csa assess does once its inputs are checked\n"
        "import papermill, nbconvert, nbformat, jsonschema\n"
        "print(json.dumps({'grammar': 'rfc3987_syntax' in sys.modules or 'lark' in sys.modules,\n"
        "                  'iri': 'iri' in jsonschema.FormatChecker().checkers,\n"
        "                  'uri': 'uri' in jsonschema.FormatChecker().checkers}))")
    assert seen == {"grammar": False, "iri": False, "uri": True}


@needs_grammar
def test_without_it_jsonschema_still_builds_the_grammar():
    """The control: the saving comes from :func:`import_jsonschema` (if this fails, the grammar moved elsewhere and
    the first test proves nothing)."""
    seen = _fresh("import json, sys\nimport nbformat\nprint(json.dumps('rfc3987_syntax' in sys.modules))")
    assert seen is True


@needs_grammar
def test_notebooks_still_validate_and_the_grammar_can_still_be_imported():
    seen = _fresh(
        "import json\n"
        "from csa_analysis.run.startup import import_jsonschema\n"
        "import_jsonschema()\n"
        "import nbformat\n"
        "nb = nbformat.read('notebooks/district_assessment.ipynb', as_version=4)\n"
        "nbformat.validate(nb)\n"
        "bad = nbformat.v4.new_notebook(); bad.cells.append({'cell_type': 'code'})\n"
        "try:\n"
        "    nbformat.validate(bad); caught = False\n"
        "except nbformat.ValidationError:\n"
        "    caught = True\n"
        "import rfc3987_syntax\n"
        "print(json.dumps({'invalid_caught': caught,\n"
        "                  'iri_later': rfc3987_syntax.is_valid_syntax('iri', 'https://www.police.uk/')}))")
    assert seen == {"invalid_caught": True, "iri_later": True}


def test_csa_score_imports_no_jsonschema():
    """Scoring (``csa score``, and the data path of ``csa assess``) never imports nbformat, so it pays nothing."""
    seen = _fresh("import json, sys\nimport csa_analysis.run.pipeline\nprint(json.dumps('jsonschema' in sys.modules))")
    assert seen is False


def test_a_second_call_changes_nothing():
    from csa_analysis.run.startup import import_jsonschema

    import_jsonschema()
    assert import_jsonschema() is False
    assert "jsonschema" in sys.modules
