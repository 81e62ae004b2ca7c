"""The report notebooks: committed clean and thin; executed through papermill on synthetic tables they show
every section and chart, with no code, no errors and nothing fetched from the internet; with their defaults
they run top to bottom on the shipped sample (what an analyst does in JupyterLab)."""

from __future__ import annotations

import ast
import html
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from csa_analysis.method.score import Scored
from csa_analysis.paths import PROJECT_DIR
from csa_analysis.report import sections as report
from csa_analysis.run.kernels import COUNTY_NOTEBOOK, DISTRICT_NOTEBOOK, NOTEBOOK_DIR, _exporter, kernel_name

from synthetic import (
    COUNTY_SECTIONS,
    DISTRICT_SECTIONS,
    QUARTER,
    SYNTHETIC_INPUTS,
    h2_headings,
    synthetic_quality,
    synthetic_tables,
    synthetic_where_when,
    write_county,
)

#: The packaged notebooks (what the pack runs) and the analyst's working copies under notebooks/.
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb")) + sorted((PROJECT_DIR / "notebooks").glob("*.ipynb"))


# --------------------------------------------------------------------------------------------------
# Committed clean and thin


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
class TestCommittedNotebook:
    def test_has_no_outputs_and_no_execution_counts(self, path):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code)

    def test_first_cell_is_the_tagged_parameters_cell_of_commented_typed_literals(self, path):
        nb = nbformat.read(path, as_version=4)
        cell = nb.cells[0]
        assert cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", [])
        lines = [ln for ln in cell.source.splitlines() if ln.strip() and not ln.startswith("#")]
        names = []
        for line in lines:
            m = re.fullmatch(r'(\w+): (str|bool|int|float) = (.+?)  # \S.*', line)
            assert m, f"not 'name: type = literal  # comment': {line!r}"
            value = ast.literal_eval(m.group(3))
            assert type(value).__name__ == m.group(2), line
            names.append(m.group(1))
        assert {"data_dir", "quarter", "tables_dir", "generated_at", "fail"} <= set(names)

    def test_after_the_validation_call_every_code_cell_calls_one_report_function(self, path):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"][1:]
        assert "pack = open_report(" in code[0].source  # the validation call
        for cell in code[1:]:
            tree = ast.parse(cell.source)
            assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr), cell.source
            call = tree.body[0].value
            assert isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute), cell.source
            assert call.func.value.id == "report" and hasattr(report, call.func.attr), cell.source
            assert getattr(report, call.func.attr).__doc__, f"report.{call.func.attr} has no docstring"

    def test_no_functions_classes_or_loops(self, path):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                nodes = ast.walk(ast.parse(cell.source))
                assert not [n for n in nodes if isinstance(n, ast.FunctionDef | ast.ClassDef | ast.For | ast.While
                                                             | ast.Lambda)], cell.source

    def test_uses_the_project_kernel(self, path):
        assert nbformat.read(path, as_version=4).metadata.kernelspec.name == "csa-workbench"


# --------------------------------------------------------------------------------------------------
# Executed on synthetic tables


def _run(notebook: Path, out: Path, parameters: dict) -> tuple[nbformat.NotebookNode, str]:
    nb = pm.execute_notebook(str(notebook), str(out), parameters=parameters, kernel_name=kernel_name(),
                             progress_bar=False, execution_timeout=300)
    body, _ = _exporter().from_notebook_node(nbformat.from_dict(nb), resources={"metadata": {"name": "test"}})
    out.with_suffix(".html").write_text(body, encoding="utf-8")
    return nb, body


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    root = tmp_path_factory.mktemp("notebooks")
    tables = synthetic_tables()
    tables |= synthetic_where_when(tables)
    Scored(QUARTER, tables, synthetic_quality(tables), SYNTHETIC_INPUTS).save(root / "data")
    common = {"data_dir": str(write_county(root / "county")), "quarter": str(QUARTER),
              "tables_dir": str(root / "data"), "generated_at": "2024-07-10 06:00 UTC"}
    runs = {"district": (NOTEBOOK_DIR / DISTRICT_NOTEBOOK, root / "district.ipynb",
                         {**common, "district": "Brook & Fenton"}),
            "county": (NOTEBOOK_DIR / COUNTY_NOTEBOOK, root / "county.ipynb", common)}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {k: pool.submit(_run, *args) for k, args in runs.items()}
        return {k: f.result() for k, f in futures.items()}


# district: trend, rates, matrix, hotspots, density, month of year, rolling total, outcomes; county: heat map,
# funnel, matrix, trend, density, month of year, rolling total, outcomes, funding, sensitivity
@pytest.mark.parametrize("kind,sections,images", [("district", DISTRICT_SECTIONS, 8), ("county", COUNTY_SECTIONS, 10)])
class TestExecuted:
    def test_no_cell_raised_or_wrote_to_stderr(self, executed, kind, sections, images):
        nb, _ = executed[kind]
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert [o for o in outputs if o.output_type == "error"] == []
        assert [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"] == []

    def test_every_section_in_order(self, executed, kind, sections, images):
        assert h2_headings(executed[kind][1]) == sections

    def test_every_chart_is_an_embedded_png_with_alt_text(self, executed, kind, sections, images):
        tags = re.findall(r"<img\b[^>]*>", executed[kind][1])
        assert len(tags) == images
        assert all(re.search(r'\ssrc="data:image/png;base64,[A-Za-z0-9+/=]+"', t) for t in tags)
        assert all(re.search(r'\salt="[^"]{20,}"', t) for t in tags)  # the chart's title, for screen readers
        page = executed[kind][1]
        # every chart is a figure with its finding as a caption and its figures as a table
        figures = re.findall(r'<figure class="csa-chart">(.*?)</figure>', page, re.S)
        assert len(figures) == images
        for fig in figures:
            caption = re.search(r"<figcaption>(.+?)</figcaption>", fig, re.S).group(1)
            assert html.unescape(caption) in html.unescape(re.search(r'alt="([^"]*)"', fig).group(1))
            assert re.search(r'<details class="csa-data">.*<table class="csa">.*<td', fig, re.S)

    def test_headings_never_skip_a_level(self, executed, kind, sections, images):
        levels = [int(n) for n in re.findall(r"<h([1-6])\b", executed[kind][1])]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels

    def test_executive_summary_glossary_and_rag_key(self, executed, kind, sections, images):
        page = executed[kind][1]
        exec_at = page.index("What the board is asked to decide")
        assert exec_at < page.index(">Top priorities and RAG status<")
        assert "What the data cannot show" in page and "domestic abuse" in page
        assert page.count("RAG key (") >= 2  # in the summary and with the glossary
        for term in ("Location quotient", "Harm index", "Funnel plot", "RAG (Red, Amber, Green)",
                     "Rate per 1,000 residents"):
            assert f"<dt>{term}" in page

    def test_no_code_and_nothing_fetched_from_the_internet(self, executed, kind, sections, images):
        page = executed[kind][1]
        assert "open_report(" not in page and "from csa_analysis" not in page
        assert 'class="jp-InputPrompt' not in page and 'class="jp-OutputPrompt' not in page
        assert 'class="highlight' not in page  # no code block at all
        assert not re.findall(r'(?:src|href)\s*=\s*["\']?(?:https?:)?//', page)
        assert not re.search(r"<script\b", page) and "@import" not in page

    def test_header_names_area_period_and_run(self, executed, kind, sections, images):
        page = executed[kind][1]
        assert "April to June 2024 (2024-25 Q1)" in page and "2024-07-10 06:00 UTC" in page
        title = ("Strategic assessment: Brook &amp; Fenton, Synthshire" if kind == "district"
                 else "County roll-up: Community Safety Agreement evidence: Synthshire")
        assert title in page

    def test_the_parameters_are_recorded_in_the_executed_notebook(self, executed, kind, sections, images):
        nb, _ = executed[kind]
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and "tables_dir" in injected[0].source


def test_blanks_show_as_n_a_and_numbers_for_people(executed):
    page = executed["county"][1]
    rows = re.findall(r"<tr><td>Fairholt</td>.*?</tr>", page)  # the cost table's row among the charts' tables
    fairholt = max(rows, key=lambda r: r.count("<td"))
    assert fairholt.count(">n/a<") == 5  # funding, a year, per incident, per 1,000 residents, share of funding
    assert re.search(r">£\d{1,3},\d{3}<", page) and re.search(r">\d{1,3}(,\d{3})+<", page)


def test_formula_looking_text_is_shown_as_text(executed):
    assert "=Not escalated. Risk: text that looks like a formula." in executed["county"][1]


# --------------------------------------------------------------------------------------------------
# An analyst's run: defaults, shipped sample, whatever MPLBACKEND says


def test_defaults_run_top_to_bottom_on_the_sample_even_with_mplbackend_agg(tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")  # must not drop figures from the executed notebook
    nb = pm.execute_notebook(str(NOTEBOOK_DIR / DISTRICT_NOTEBOOK), str(tmp_path / "out.ipynb"),
                             kernel_name=kernel_name(), progress_bar=False, execution_timeout=300)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    html = "".join(o.get("data", {}).get("text/html", "") for o in outputs if o.output_type == "display_data"
                   or o.output_type == "execute_result")
    assert "Strategic assessment: Charnwood, Leicestershire" in html
    # trend, rates, matrix; hotspots, density, outcomes (5 months of data: no seasonality)
    assert len(re.findall(r"<img src=\"data:image/png;base64,", html)) == 3 + 3
