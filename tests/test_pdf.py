"""PDFs of the pack's pages: one DevTools browser for every page, the plain route when it fails, never an error."""

from __future__ import annotations

import shutil
import time

import pytest

from csa_analysis.run import pdf

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(not CHROMIUM, reason="Chromium is not installed (make browser)")

PAGE = ("<!DOCTYPE html><html><head><meta charset='utf-8'><style>@page {{ size: A4; margin: 12mm }}</style>"
        "</head><body><h1>{title}</h1><p>Text.</p></body></html>")


def _pages(folder, names):
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(PAGE.format(title=name), encoding="utf-8")
    return list(names)


@needs_chromium
@pytest.mark.parametrize("devtools", ["1", "0"])
def test_each_page_is_printed_to_an_a4_pdf_beside_it(tmp_path, monkeypatch, devtools):
    monkeypatch.setenv(pdf.DEVTOOLS_ENV, devtools)  # one browser for every page, or a process per page
    monkeypatch.delenv(pdf.CHROMIUM_ENV, raising=False)
    pages = _pages(tmp_path, ["county.html", "districts/melton.html", "districts/blaby.html"])
    printer = pdf.PagePrinter(tmp_path)
    printer.submit(pages[0])  # while the other reports still run
    result = printer.finish(pages)
    assert result["status"] == "printed" and result["errors"] == []
    assert result["files"] == {p: pdf.pdf_name(p) for p in pages}
    for p in pages:
        data = (tmp_path / pdf.pdf_name(p)).read_bytes()
        assert data[:5] == b"%PDF-" and b"/MediaBox [0 0 594.9" in data  # A4 portrait


def test_a_browser_that_fails_never_fails_the_run(tmp_path, monkeypatch):
    monkeypatch.setenv(pdf.CHROMIUM_ENV, "false")  # exits 1 at once: neither route prints
    pages = _pages(tmp_path, ["county.html", "districts/melton.html"])
    result = pdf.print_pages(tmp_path, pages)
    assert result["status"] == "skipped" and result["files"] == {} and len(result["errors"]) == 2
    assert not list(tmp_path.rglob("*.pdf"))


@needs_chromium
def test_a_page_submitted_but_no_longer_wanted_leaves_no_pdf(tmp_path, monkeypatch):
    monkeypatch.delenv(pdf.CHROMIUM_ENV, raising=False)
    _pages(tmp_path, ["county.html", "districts/melton.html"])
    printer = pdf.PagePrinter(tmp_path)
    printer.submit("districts/melton.html")
    result = printer.finish(["county.html"])
    assert set(result["files"]) == {"county.html"} and not (tmp_path / "districts" / "melton.pdf").exists()


@needs_chromium
def test_cancel_stops_the_browser_at_once(tmp_path, monkeypatch):
    monkeypatch.delenv(pdf.CHROMIUM_ENV, raising=False)
    pages = _pages(tmp_path, [f"districts/d{i}.html" for i in range(40)])  # more than a second's printing
    printer = pdf.PagePrinter(tmp_path)
    for p in pages:
        printer.submit(p)
    time.sleep(1.0)  # the browser is starting or printing
    started = time.monotonic()
    printer.cancel()
    assert time.monotonic() - started < 15
    assert len(list(tmp_path.rglob("*.pdf"))) < len(pages)
