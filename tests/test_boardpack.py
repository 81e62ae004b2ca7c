"""The board pack end to end: csa assess on the sample through real papermill, nbconvert and openpyxl."""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from csa_analysis.boardpack import assess, slug
from csa_analysis.cli import main
from csa_analysis.errors import InputError

from datafactory import SAMPLE_DIR, tree_hashes

DISTRICTS = ["Blaby", "Charnwood", "Harborough", "Hinckley and Bosworth", "Melton",
             "North West Leicestershire", "Oadby and Wigston"]
DISTRICT_SECTIONS = ["Summary", "Priorities", "Trends", "Compared with the county", "Priority matrix",
                     "Funding and cost", "Data quality", "Methodology", "Provenance"]
COUNTY_SECTIONS = ["Summary", "Delivery levels", "County priorities", "Where issues are concentrated",
                   "Districts against the county", "Priority matrix", "Trends", "Funding against need",
                   "Sensitivity of the harm ranking", "Partnership landscape", "Data quality", "Methodology",
                   "Provenance"]


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


def _sections(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>|¶", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.S)]


@pytest.mark.parametrize("rel,sections,images", [
    ("county.html", COUNTY_SECTIONS, 7),
    ("districts/charnwood.html", DISTRICT_SECTIONS, 3),
    ("districts/oadby-and-wigston.html", DISTRICT_SECTIONS, 3),
])
def test_html_has_its_sections_and_charts_and_no_code_or_errors(pack, rel, sections, images):
    page = (pack[1] / rel).read_text(encoding="utf-8")
    assert _sections(page) == sections
    assert len(re.findall(r'<img[^>]*src="data:image/png;base64,', page)) == images
    assert len(re.findall(r"<img", page)) == images
    assert "No description has been provided" not in page  # every chart has its title as alt text
    assert "open_report(" not in page and "import " not in page  # no input cells
    assert "jp-OutputArea-error" not in page and "Traceback" not in page
    assert not re.findall(r'(?:src|href)\s*=\s*"(?:https?:)?//', page)  # works offline


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


def test_index_links_every_report_and_table(pack):
    page = (pack[1] / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="([^"]+)"', page)
    for link in links:
        assert (pack[1] / link).is_file(), link
    assert "county.html" in links and "board_pack.xlsx" in links
    assert sum(link.startswith("districts/") for link in links) == 7


def test_workbook_has_formatted_sheets(pack):
    wb = load_workbook(pack[1] / "board_pack.xlsx")
    assert wb.sheetnames[:4] == ["About", "County priorities", "Issue scores", "Cost per area"]
    ws = wb["Cost per area"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.bold and ws["A1"].value == "district"
    header = [c.value for c in ws[1]]
    funding = ws.cell(row=2, column=header.index("funding_gbp") + 1)
    assert funding.value == 22380 and "£" in funding.number_format
    share = ws.cell(row=2, column=header.index("need_share") + 1)
    assert share.number_format == "0.0%"
    assert wb["Issue scores"].max_row == 7 * 14 + 1


def test_a_failed_district_is_named_and_the_others_still_finish(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CSA_FAIL_REPORT", "Melton")
    out = tmp_path / "pack"
    code = main(["assess", "--data", str(SAMPLE_DIR), "--out", str(out), "--districts", "Melton,Blaby",
                 "--quiet"])
    assert code == 1
    err = capsys.readouterr().err
    assert "report failed: Melton" in err
    reports = {r["name"]: r for r in json.loads((out / "manifest.json").read_text())["reports"]}
    assert reports["Melton"]["status"] == "failed"
    assert "failure injected for Melton" in reports["Melton"]["error"]
    assert reports["Blaby"]["status"] == "ok" and reports["Leicestershire"]["status"] == "ok"
    assert (out / "districts" / "blaby.html").is_file() and (out / "county.html").is_file()
    assert not (out / "districts" / "melton.html").exists()
    assert (out / "districts" / "melton.ipynb").is_file()  # the failed run's audit log
    assert "failed" in (out / "index.html").read_text()


def test_bad_input_leaves_a_previous_pack_untouched(tmp_path, capsys):
    out = tmp_path / "pack"
    out.mkdir()
    (out / "index.html").write_text("the good pack from last quarter")
    before = tree_hashes(out)
    code = main(["assess", "--data", str(SAMPLE_DIR), "--out", str(out), "--quarter", "2019-20Q1", "--quiet"])
    assert code == 2
    assert "needs months" in capsys.readouterr().err
    assert tree_hashes(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["pack"]


def test_a_second_run_into_the_same_folder_is_refused_while_one_holds_it(tmp_path):
    out = tmp_path / "pack"
    with open(tmp_path / ".pack.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(InputError, match="another csa run is writing this folder"):
            assess(SAMPLE_DIR, out=out, districts=["Melton"], progress=False)
    assert not out.exists()


def test_committed_notebooks_have_no_outputs_and_a_tagged_parameters_cell():
    import nbformat

    for path in sorted(Path(__file__).parent.parent.joinpath("notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), path.name
        assert "parameters" in code[0].metadata.get("tags", []), path.name
        assert all("def " not in c.source and "class " not in c.source for c in code), path.name
