"""The board pack: ``csa assess`` on the sample end to end (real loader, papermill, nbconvert, openpyxl), then
the runner's own behaviour on synthetic tables (``score_quarter`` replaced): a failed report, exit codes,
atomic replacement of the previous pack, progress, retries."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import re
import shutil
import threading
import time

import nbformat
import pytest
from openpyxl import load_workbook

from csa_analysis.cli import main
from csa_analysis.config import read_county
from csa_analysis.errors import EnvironmentFailure, InputError
from csa_analysis.run import boardpack, kernels
from csa_analysis.run.boardpack import assess
from csa_analysis.run.output import slug

from datafactory import SAMPLE_DIR, previous_pack, tree_hashes
from synthetic import (
    COUNTY_NAME,
    COUNTY_SECTIONS,
    DISTRICT_SECTIONS,
    h2_headings,
    synthetic_scored,
    write_county,
)

DISTRICTS = ["Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth", "Melton",
             "North West Leicestershire", "Oadby and Wigston"]
#: The sample county gives a partnership register: its roll-up shows that section before data quality.
SAMPLE_COUNTY_SECTIONS = [*COUNTY_SECTIONS[:COUNTY_SECTIONS.index("Data quality")], "Partnership landscape",
                          *COUNTY_SECTIONS[COUNTY_SECTIONS.index("Data quality"):]]


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports") / "2018-19Q3"
    code = main(["assess", "--data", str(SAMPLE_DIR), "--quarter", "2018-19Q3", "--out", str(out),
                 "--jobs", "2", "--quiet", "--cache", str(tmp_path_factory.mktemp("cache"))])
    return code, out


def test_assess_exits_zero_and_writes_every_file_of_the_contract(pack):
    code, out = pack
    assert code == 0
    for rel in ["index.html", "county.html", "tables/issue_scores.csv", "tables/county_priorities.csv",
                "tables/cost_per_area.csv", "board_pack.xlsx", "manifest.json"]:
        assert (out / rel).is_file(), rel
    for d in DISTRICTS:
        assert (out / "districts" / f"{slug(d)}.html").is_file()
        assert (out / "districts" / f"{slug(d)}.ipynb").is_file()  # the audit log
    assert not list(out.parent.glob(f".{out.name}.tmp-*"))  # no staging folder left behind


# 2018-19Q3 in five months of data: no month-of-year pattern or rolling total (the pages say why). County: heat
# map, funnel, matrix, trend, density, outcomes, funding, sensitivity, partnerships; district: trend, rates,
# matrix, hotspots, density, outcomes.
@pytest.mark.parametrize("rel,sections,images", [
    ("county.html", SAMPLE_COUNTY_SECTIONS, 9),
    ("districts/charnwood.html", DISTRICT_SECTIONS, 6),
    ("districts/oadby-and-wigston.html", DISTRICT_SECTIONS, 6),
])
def test_html_has_its_sections_and_charts_and_no_code_or_errors(pack, rel, sections, images):
    page = (pack[1] / rel).read_text(encoding="utf-8")
    assert h2_headings(page) == sections
    assert len(re.findall(r'<img[^>]*src="data:image/png;base64,', page)) == images
    assert len(re.findall(r"<img", page)) == images
    assert "No description has been provided" not in page  # every chart has its title as alt text
    assert "open_report(" not in page and "import " not in page  # no input cells
    assert "jp-OutputArea-error" not in page and "Traceback" not in page
    assert not re.findall(r'(?:src|href)\s*=\s*"(?:https?:)?//', page)  # works offline


def _start_tags(page: str) -> list[tuple[str, tuple]]:
    """Every start tag with its attributes (class words normalised), in order."""
    from html.parser import HTMLParser

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, tuple]] = []

        def handle_starttag(self, tag, attrs):
            self.tags.append((tag, tuple(sorted((k, " ".join((v or "").split()) if k == "class" else v or "")
                                                for k, v in attrs))))

    parser = Tags()
    parser.feed(page)
    return parser.tags


@pytest.mark.parametrize("rel", ["county", "districts/melton"])
def test_pages_have_the_markup_of_nbconverts_own_html_exporter(pack, rel):
    """The runner's exporter skips nbconvert's BeautifulSoup pass (focusable outputs, alt text) and does the same
    on the text: every element and attribute is as nbconvert's HTMLExporter makes it from the audit notebook."""
    from nbconvert import HTMLExporter

    from csa_analysis.paths import TEMPLATE_DIR

    page = (pack[1] / f"{rel}.html").read_text(encoding="utf-8")
    nb = nbformat.read(pack[1] / f"{rel}.ipynb", as_version=4)
    theirs, _ = HTMLExporter(template_name="boardpack", extra_template_basedirs=[str(TEMPLATE_DIR)],
                             exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                             embed_images=True).from_notebook_node(nb, resources={"metadata": {"name": "x"}})
    ours, theirs = _start_tags(page), _start_tags(theirs)
    assert len(ours) > 1000
    assert [t for t in ours if t[0] != "title"] == [t for t in theirs if t[0] != "title"]
    assert sum(dict(attrs).get("tabindex") == "0" for _, attrs in ours) > 20  # every output area focusable


def test_district_page_names_its_district_period_and_figures(pack):
    page = (pack[1] / "districts" / "hinckley-and-bosworth.html").read_text(encoding="utf-8")
    assert "Strategic assessment: Hinckley and Bosworth, Leicestershire" in page
    assert "October to December 2018 (2018-19 Q3)" in page
    assert "Top priorities" in page and "RAG status" in page


def test_county_page_shows_delivery_levels_with_rationales(pack):
    page = (pack[1] / "county.html").read_text(encoding="utf-8")
    assert "county-wide service" in page and "county-coordinated" in page and "district-led" in page
    assert "Not escalated. Risk:" in page


def test_county_page_has_the_partnership_landscape_from_the_register(pack):
    page = (pack[1] / "county.html").read_text(encoding="utf-8")
    assert "15 partnerships in the register (partnerships.csv)" in page
    assert "Meeting load per agency" in page and "Hub-and-spoke scenario" in page
    assert (pack[1] / "tables" / "partnership_overlap.csv").is_file()
    assert "Partnership overlap" in load_workbook(pack[1] / "board_pack.xlsx").sheetnames


def test_the_illustrative_register_carries_a_banner_on_every_page_chart_and_sheet_that_uses_it(pack):
    page = (pack[1] / "county.html").read_text(encoding="utf-8")
    assert page.count("class=\"csa-illustrative\"") + page.count("class='csa-illustrative'") >= 2  # page, section
    assert "Illustrative data.</b> This page uses the partnership register partnerships.csv" in page
    assert re.search(r'alt="Partnership landscape \(ILLUSTRATIVE DATA\)', page)  # the chart says so too
    district = (pack[1] / "districts" / "melton.html").read_text(encoding="utf-8")
    assert "class='csa-illustrative'" not in district  # district pages do not use the register
    wb = load_workbook(pack[1] / "board_pack.xlsx")
    for name in wb.sheetnames:
        first = str(wb[name]["A1"].value or "")
        assert first.startswith("ILLUSTRATIVE DATA") == name.startswith(("Partnership", "Hub and spoke")), name
    assert wb["Partnership overlap"].freeze_panes == "A3"


def test_county_page_shows_funding_with_its_period_the_county_wide_pot_and_the_rag_key(pack):
    page = (pack[1] / "county.html").read_text(encoding="utf-8")
    assert "covering April to September 2011 (6 months)" in page
    assert "County-wide allocation" in page and "£118,370" in page
    assert "£1 more than the sum of the rows" in page
    assert "as allocated (after the 24.8% cut)" in page and "before the 24.8% cut (reconstructed)" in page
    assert "RAG key (county level)" in page
    assert "RAG key (district level)" in (pack[1] / "districts" / "melton.html").read_text(encoding="utf-8")


def test_manifest_records_inputs_with_hashes_and_each_report(pack):
    manifest = json.loads((pack[1] / "manifest.json").read_text())
    assert manifest["quarter"] == "2018-19Q3"
    assert manifest["package_version"]
    assert len(manifest["inputs"]) == 5
    first = manifest["inputs"][0]
    raw = SAMPLE_DIR / "police_uk" / "2018-10" / "2018-10-leicestershire-street.csv"
    assert first["sha256"] == hashlib.sha256(raw.read_bytes()).hexdigest()
    assert first["rows"] == 8_956
    reports = {r["name"]: r for r in manifest["reports"]}
    assert set(reports) == {"Leicestershire", *DISTRICTS}
    assert all(r["status"] == "ok" and r["error"] is None and r["seconds"] > 0 for r in reports.values())


def test_the_front_page_names_the_illustrative_inputs_in_a_banner(pack):
    page = (pack[1] / "index.html").read_text(encoding="utf-8")
    body = page.split("<body>", 1)[1]
    county = read_county(SAMPLE_DIR)
    assert county.partnerships_illustrative  # the 2018-19 sample's register is invented
    banner = re.search(r'<div class="illustrative" role="note">(.*?)</div>', body, re.S)
    assert banner and county.partnerships_file.name in banner.group(1)
    assert body.index("Illustrative data.") < body.index("Executive summary")


def test_index_links_every_report_and_table(pack):
    page = (pack[1] / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', page)
    for link in links:
        assert (pack[1] / link).is_file(), link
    assert "county.html" in links and "board_pack.xlsx" in links
    assert sum(link.startswith("districts/") and link.endswith(".html") for link in links) == 7
    assert sum(link.endswith(".ipynb") for link in links) == 8  # each report's audit log
    if shutil.which("chromium"):  # each report's A4 PDF, recorded in the manifest
        assert sum(link.endswith(".pdf") for link in links) == 8
        manifest = json.loads((pack[1] / "manifest.json").read_text())
        assert manifest["pdf"]["status"] == "printed" and len(manifest["pdf"]["files"]) == 8
    assert page.index("Executive summary") < page.index("county.html")  # the front page leads with it


def test_workbook_has_formatted_sheets(pack):
    wb = load_workbook(pack[1] / "board_pack.xlsx")
    assert wb.sheetnames[:4] == ["About", "County priorities", "Issue scores", "Cost per area"]
    ws = wb["Cost per area"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold and ws["A1"].value == "District"
    header = [c.value for c in ws[1]]
    funding = ws.cell(row=2, column=header.index("Funding (£, its period)") + 1)
    assert funding.value == 22380 and "£" in funding.number_format
    share = ws.cell(row=2, column=header.index("Share of need") + 1)
    assert share.number_format == "0.0%"
    assert wb["Issue scores"].max_row == 7 * 14 + 1


def test_bad_input_leaves_a_previous_pack_untouched(tmp_path, capsys):
    out = tmp_path / "pack"
    before = previous_pack(out, "the good pack from last quarter")
    code = main(["assess", "--data", str(SAMPLE_DIR), "--out", str(out), "--quarter", "2019-20Q1", "--quiet"])
    assert code == 2
    assert "needs months" in capsys.readouterr().err
    assert tree_hashes(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["pack"]


def test_a_second_run_into_the_same_folder_is_refused_while_one_holds_it(tmp_path):
    out = tmp_path / "pack"
    from filelock import FileLock

    with FileLock(str(tmp_path / ".pack.lock")):  # another run (filelock: the same on Windows)
        with pytest.raises(InputError, match="another csa run is writing this folder"):
            assess(SAMPLE_DIR, out=out, districts=["Melton"], progress=False)
    assert not out.exists()


# --------------------------------------------------------------------------------------------------
# The runner on synthetic tables


def _old_pack(out):
    before = previous_pack(out)
    (out / "districts").mkdir()
    (out / "districts" / "stale-from-last-quarter.html").write_text("gone once a new pack is in place")
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["files"].append("districts/stale-from-last-quarter.html")
    (out / "manifest.json").write_text(json.dumps(manifest))
    return before | tree_hashes(out)


@pytest.fixture(scope="module")
def failed_run(tmp_path_factory):
    """One real run (kernels, nbconvert) on synthetic tables in which Eastmere fails on purpose."""
    root = tmp_path_factory.mktemp("synthetic")
    data = write_county(root / "data")
    out = root / "pack"
    old = _old_pack(out)
    err = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stderr(err):
        mp.setattr(boardpack, "score_quarter", lambda county, quarter, **kw: synthetic_scored())
        mp.setenv("CSA_FAIL_REPORT", "eastmere")  # names are matched like county.toml names
        mp.setenv("CSA_CHROMIUM", "")  # no browser: the PDFs are skipped with a note, the run still succeeds
        code = assess(data, None, out, jobs=3, districts=["Eastmere", "Brook & Fenton"], progress=True)
    manifest = json.loads((out / "manifest.json").read_text())
    return code, out, err.getvalue(), manifest, old


def test_a_failed_district_is_named_and_the_others_still_finish(failed_run):
    """The summary of :class:`TestAFailedReport` (docs/reliability.md cites this name)."""
    code, out, err, manifest, _ = failed_run
    assert code == 1 and "report failed: Eastmere" in err
    assert {r["name"]: r["status"] for r in manifest["reports"]} == {
        COUNTY_NAME: "ok", "Eastmere": "failed", "Brook & Fenton": "ok"}
    assert (out / "county.html").is_file() and (out / "districts" / "brook-fenton.html").is_file()


class TestAFailedReport:
    def test_exit_code_1_and_the_failure_named_on_stderr(self, failed_run):
        code, _, err, _, _ = failed_run
        assert code == 1
        assert "csa assess: report failed: Eastmere (districts/eastmere.html): RuntimeError: failure injected " \
               "for Eastmere" in err

    def test_progress_shows_one_line_per_finished_report_with_seconds(self, failed_run):
        lines = [ln for ln in failed_run[2].splitlines() if re.match(r"\[\d/3\] ", ln)]
        assert len(lines) == 3
        assert all(re.search(r": (ok|FAILED) \(\d+\.\d s\)", ln) for ln in lines)

    def test_manifest_records_each_report(self, failed_run):
        manifest = failed_run[3]
        reports = {r["name"]: r for r in manifest["reports"]}
        assert set(reports) == {COUNTY_NAME, "Eastmere", "Brook & Fenton"}
        assert reports["Eastmere"]["status"] == "failed"
        assert "failure injected for Eastmere" in reports["Eastmere"]["error"]
        for name in (COUNTY_NAME, "Brook & Fenton"):
            assert reports[name]["status"] == "ok" and reports[name]["error"] is None
        assert all(r["seconds"] > 0 for r in reports.values())
        assert manifest["failed"] == ["Eastmere"] and manifest["exit_code"] == 1
        assert manifest["quarter"] == "2024-25Q1" and manifest["package_version"]
        assert manifest["inputs"][0]["sha256"] == "0" * 64 and manifest["inputs"][0]["rows"] == 12_345

    def test_the_others_are_produced_and_the_pack_replaces_the_old_one(self, failed_run):
        _, out, _, _, _ = failed_run
        assert (out / "county.html").is_file() and (out / "districts" / "brook-fenton.html").is_file()
        assert not (out / "districts" / "eastmere.html").exists()
        assert not (out / "districts" / "stale-from-last-quarter.html").exists()  # a partial success replaces it
        for name in ("issue_scores", "county_priorities", "cost_per_area", "monthly"):
            assert (out / "tables" / f"{name}.csv").is_file()
        assert (out / "board_pack.xlsx").is_file()
        assert not list(out.parent.glob(".pack.tmp-*")) and not list(out.parent.glob(".pack.old-*"))

    def test_the_failed_notebook_is_kept_as_the_audit_log_failing_in_its_validation_cell(self, failed_run):
        nb = nbformat.read(failed_run[1] / "districts" / "eastmere.ipynb", as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])][0]
        assert "fail = True" in injected.source
        errors = [c for c in nb.cells if c.cell_type == "code" and any(o.output_type == "error" for o in c.outputs)]
        assert len(errors) == 1 and "open_report(" in errors[0].source

    def test_index_names_the_failure_and_links_only_what_exists(self, failed_run):
        out = failed_run[1]
        page = (out / "index.html").read_text(encoding="utf-8")
        assert "failed: RuntimeError: failure injected for Eastmere" in page
        assert "Brook &amp; Fenton" in page and "Brook & Fenton" not in page
        for link in re.findall(r'href="([^"]+)"', page):
            assert (out / link).is_file(), link
        assert 'href="districts/eastmere.html"' not in page

    def test_without_a_browser_the_pdfs_are_skipped_with_a_note(self, failed_run):
        _, out, _, manifest, _ = failed_run
        assert manifest["pdf"]["status"] == "skipped" and manifest["pdf"]["files"] == {}
        assert "Chromium is not installed" in manifest["pdf"]["note"]
        assert "PDF: no PDFs: Chromium is not installed" in (out / "index.html").read_text(encoding="utf-8")
        assert not list(out.rglob("*.pdf"))

    def test_page_titles_name_the_report(self, failed_run):
        page = (failed_run[1] / "districts" / "brook-fenton.html").read_text(encoding="utf-8")
        assert "<title>Brook &amp; Fenton strategic assessment, 2024-25Q1</title>" in page


def _synthetic(monkeypatch, tmp_path):
    monkeypatch.setattr(boardpack, "score_quarter", lambda county, quarter, **kw: synthetic_scored())
    monkeypatch.setenv("CSA_CHROMIUM", "")  # runner tests: no PDFs (the sample pack and the browser test print)
    return write_county(tmp_path / "data")


def _fake_report(active: list, peak: list):
    """A stand-in for run_report: no kernel, a page in a few milliseconds; records concurrency."""
    lock = threading.Lock()

    def run(job, staging, kernel, timeout, report_timeout):
        with lock:
            active.append(job.name)
            peak.append(len(active))
        time.sleep(0.05)
        (staging / job.html).write_text(f"<p>{job.name}</p>")
        job.status, job.seconds = "ok", 0.05
        with lock:
            active.remove(job.name)

    return run


def test_bad_input_exits_2_and_changes_nothing(tmp_path, monkeypatch, capsys):
    data = write_county(tmp_path / "data")

    def bad(county, quarter, **kw):
        raise InputError("has 3 fields", file="police_uk/2024-06/x.csv", where="row 7", expected="12 fields")

    monkeypatch.setattr(boardpack, "score_quarter", bad)
    out = tmp_path / "pack"
    before = _old_pack(out)
    assert main(["assess", "--data", str(data), "--out", str(out), "--quiet"]) == 2
    assert "police_uk/2024-06/x.csv: row 7: has 3 fields (expected 12 fields)" in capsys.readouterr().err
    assert tree_hashes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "pack"]


def test_a_crash_while_writing_keeps_the_previous_pack(tmp_path, monkeypatch):
    data = _synthetic(monkeypatch, tmp_path)
    monkeypatch.setattr(boardpack, "run_report", _fake_report([], []))

    def crash(*args, **kw):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "x.xlsx"))

    monkeypatch.setattr("csa_analysis.report.excel.write_workbook", crash)
    out = tmp_path / "pack"
    before = _old_pack(out)
    with pytest.raises(EnvironmentFailure, match="no space left on the device"):
        assess(data, None, out, progress=False)
    assert tree_hashes(out) == before
    assert not list(tmp_path.glob(".pack.tmp-*"))


def test_reports_run_at_most_jobs_at_a_time_and_every_district_is_produced(tmp_path, monkeypatch):
    data = _synthetic(monkeypatch, tmp_path)
    active, peak = [], []
    monkeypatch.setattr(boardpack, "run_report", _fake_report(active, peak))
    out = tmp_path / "pack"
    assert assess(data, "2024-25Q1", out, jobs=2, progress=False) == 0
    assert max(peak) == 2 and len(peak) == 8
    pages = sorted(p.name for p in (out / "districts").glob("*.html"))
    assert pages == ["ashby-vale.html", "brook-fenton.html", "castleford.html", "dunmore.html", "eastmere.html",
                     "fairholt.html", "st-greyston-s.html"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["jobs"] == 2 and manifest["exit_code"] == 0 and manifest["failed"] == []


def test_by_default_one_more_report_runs_than_there_are_cores(tmp_path, monkeypatch):
    data = _synthetic(monkeypatch, tmp_path)
    active, peak = [], []
    monkeypatch.setattr(boardpack, "run_report", _fake_report(active, peak))
    monkeypatch.setattr(boardpack.os, "cpu_count", lambda: 2)
    out = tmp_path / "pack"
    assert assess(data, "2024-25Q1", out, progress=False) == 0
    assert json.loads((out / "manifest.json").read_text())["jobs"] == 3
    assert max(peak) <= 3


def test_an_unknown_name_in_the_failure_drill_is_bad_usage(tmp_path, monkeypatch):
    data = _synthetic(monkeypatch, tmp_path)
    monkeypatch.setenv("CSA_FAIL_REPORT", "Nowhere")
    with pytest.raises(InputError, match="'Nowhere' names no report"):
        assess(data, None, tmp_path / "pack", progress=False)
    assert not (tmp_path / "pack").exists()


@pytest.mark.parametrize("name,expected", [("Hinckley and Bosworth", "hinckley-and-bosworth"),
                                           ("Brook & Fenton", "brook-fenton"), ("St Greyston's", "st-greyston-s"),
                                           ("  ", "district")])
def test_slug(name, expected):
    assert slug(name) == expected


def test_kernel_falls_back_to_python3_when_the_project_kernel_is_not_registered(monkeypatch):
    from jupyter_client.kernelspec import KernelSpecManager

    monkeypatch.setattr(KernelSpecManager, "find_kernel_specs", lambda self: {"python3": "/x"})
    assert kernels.kernel_name() == "python3"
    monkeypatch.setattr(KernelSpecManager, "find_kernel_specs", lambda self: {"python3": "/x", "csa-workbench": "/y"})
    assert kernels.kernel_name() == "csa-workbench"


@pytest.mark.parametrize("collisions,status", [(1, "ok"), (2, "failed")])
def test_a_kernel_port_collision_is_retried_once(tmp_path, monkeypatch, collisions, status):
    import papermill
    import zmq

    calls = []

    def execute(*args, **kw):
        calls.append(kw.get("cwd"))
        if len(calls) <= collisions:
            raise zmq.error.ZMQError(98, "Address already in use")
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("## Done")])

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    job = kernels.ReportJob("Eastmere", "district", kernels.NOTEBOOK_DIR / kernels.DISTRICT_NOTEBOOK,
                              "districts/eastmere.html", {})
    kernels.run_report(job, tmp_path, "python3", 60)
    assert job.status == status and len(calls) == 2
    assert calls == [None, None]  # never a cwd: it is process-wide, not thread-safe
    if status == "failed":
        assert "Address already in use" in job.error
    else:
        assert "Done" in (tmp_path / "districts" / "eastmere.html").read_text()
