"""Hostile names (HTML, script, quotes, ampersands, formula prefixes) are escaped everywhere they are shown.

District names must be official ONS names (placement is by LSOA code through the ONS lookups), so the hostile
text comes in where an input can still carry it: the county's name, the location of each record and the LSOA
name of a code in no lookup (shown as an out-of-area source in the data-quality section).
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from csa_analysis.cli import main

from datafactory import HEADER, sample_lines

EVIL = '=1+1 <script>alert("x")</script> & Co'
COUNTY = '<img src=x onerror=alert(1)> "Shire" & Sons'


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("evil")
    rows = []
    for line in sample_lines("2018-10") + sample_lines("2018-11") + sample_lines("2018-12"):
        fields = next(csv.reader([line]))
        if fields[8].startswith("Melton "):
            fields[6] = "On or near <b>High</b> Street & \"Square\""
            rows.append(fields)
    for f in rows[::50]:  # a code in no lookup, placed (out of area) by its hostile LSOA name
        f[7], f[8] = "E01999999", f"{COUNTY} 001A"
    by_month: dict[str, list[list[str]]] = {}
    for f in rows:
        by_month.setdefault(f[1], []).append(f)
    for month, month_rows in by_month.items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(HEADER.split(","))
        w.writerows(month_rows)
        path = root / "police_uk" / month / f"{month}-leicestershire-street.csv"
        path.parent.mkdir(parents=True)
        path.write_text(buf.getvalue(), encoding="utf-8")
    name = EVIL.replace("\\", "\\\\").replace('"', '\\"')
    (root / "county.toml").write_text(
        f'name = "{name}"\n\n[[districts]]\nname = "Melton"\npopulation = 51209\nfunding_gbp = 100\n',
        encoding="utf-8")
    out = tmp_path_factory.mktemp("out") / "pack"
    code = main(["assess", "--data", str(root), "--out", str(out), "--quiet",
                 "--cache", str(tmp_path_factory.mktemp("cache"))])
    assert code == 0
    return out


def _pages(out):
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in out.rglob("*.html")}


def test_no_page_carries_the_injected_markup(pack):
    pages = _pages(pack)
    assert len(pages) == 3  # index, county, one district
    for name, page in pages.items():
        assert '<script>alert("x")' not in page, name
        assert "<img src=x onerror" not in page, name
        assert "<b>High</b>" not in page, name
        assert not re.search(r"<script\b", page), name  # no script element at all in a board pack


def test_a_county_without_a_partnership_register_shows_no_empty_section(pack):
    assert "Partnership landscape" not in _pages(pack)["county.html"]
    assert not (pack / "tables" / "partnership_overlap.csv").exists()


def test_names_are_shown_escaped(pack):
    pages = _pages(pack)
    # the front page is a Jinja template with autoescaping (markupsafe writes " as &#34;)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in pages["index.html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in pages["county.html"]


def test_spreadsheet_cells_that_look_like_formulas_are_text(pack):
    wb = load_workbook(pack / "board_pack.xlsx")
    cells = [c for sheet in wb.worksheets for row in sheet.iter_rows() for c in row if c.value == EVIL]
    assert cells, "the county's name is in the workbook"
    assert all(c.data_type == "s" for c in cells)
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate)
