"""The board pack in a real browser: headless Chromium (Debian's package) loads the pages offline with no
console errors and every chart decodes; the front page leads with the executive summary; every page has the new
sections (executive summary, where and when, outcomes, glossary, RAG key), headings in order, and every chart
has alt text stating its finding and its figures as a table; each page has an A4 PDF. Full-page screenshots of
the front page, the county roll-up and one district page are kept under reports/screenshots/ for people to look
at. The pack is built from the default sample (Leicestershire 2025, a full year: the month-of-year pattern shows).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from csa_analysis.cli import main
from csa_analysis.paths import CURRENT_SAMPLE_DIR

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="Debian's chromium and chromium-driver are not installed (make browser)")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "reports" / "screenshots"


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "pack"
    code = main(["assess", "--data", str(CURRENT_SAMPLE_DIR), "--out", str(out), "--districts", "Melton", "--quiet",
                 "--cache", str(tmp_path_factory.mktemp("cache"))])
    assert code == 0
    return out


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1280,2000"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    yield driver
    driver.quit()


# county: heat map, funnel, matrix, trend, density, month of year, outcomes, funding, sensitivity, standing in
# England and Wales (Table C2); district: trend, rates, matrix, hotspots, density, month of year, outcomes,
# benchmark against peers (12 months: one 12-month total, said, not drawn)
PAGES = [("index.html", 0), ("county.html", 10), ("districts/melton.html", 8)]


def _full_page_screenshot(browser, name: str) -> None:
    height = browser.execute_script("return document.documentElement.scrollHeight;")
    browser.set_window_size(1280, min(int(height) + 40, 16000))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / name))
    browser.set_window_size(1280, 2000)


@pytest.mark.parametrize("page,images", PAGES)
def test_page_loads_offline_without_console_errors_and_every_image_decodes(pack, browser, page, images):
    browser.get((pack / page).as_uri())
    assert browser.title
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    decoded = browser.execute_script(
        "return Array.from(document.images).map(i => i.complete && i.naturalWidth > 0);")
    assert len(decoded) == images and all(decoded)
    _full_page_screenshot(browser, page.replace("/", "-").replace(".html", ".png"))


@pytest.mark.parametrize("page,images", PAGES[1:])
def test_every_chart_has_alt_text_with_its_finding_and_a_table_of_its_figures(pack, browser, page, images):
    browser.get((pack / page).as_uri())
    charts = browser.execute_script("""
        return Array.from(document.images).map(img => {
            const fig = img.closest('figure.csa-chart');
            const cap = fig && fig.querySelector('figcaption');
            const table = fig && fig.querySelector('details.csa-data table');
            return {alt: img.alt, caption: cap ? cap.textContent : null,
                    rows: table ? table.querySelectorAll('tbody tr').length : 0,
                    heads: table ? Array.from(table.querySelectorAll('th')).map(th => th.textContent) : []};
        });""")
    assert len(charts) == images
    for chart in charts:
        assert chart["caption"] and chart["alt"].endswith(chart["caption"]), chart["alt"]
        assert len(chart["alt"]) > len(chart["caption"]) + 20  # the title, then the finding
        assert chart["rows"] > 0 and all("_" not in h for h in chart["heads"]), chart["heads"]


@pytest.mark.parametrize("page", ["county.html", "districts/melton.html"])
def test_new_sections_headings_in_order_glossary_and_rag_key(pack, browser, page):
    from selenium.webdriver.common.by import By

    browser.get((pack / page).as_uri())
    h2 = [e.text.strip(" ¶") for e in browser.find_elements(By.TAG_NAME, "h2")]
    for section in ("Executive summary", "Where and when", "Outcomes of crimes", "Glossary"):
        assert section in h2, h2
    assert h2[0] == "Executive summary" and h2.index("Glossary") > h2.index("Where and when")
    levels = browser.execute_script(
        "return Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => +h.tagName[1]);")
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    text = browser.find_element(By.TAG_NAME, "body").text
    for words in ("What the board is asked to decide", "What the data cannot show", "Location quotient",
                  "Funnel plot", "Harm index", "Neighbourhoods (LSOAs) with most incidents",
                  "Repeat locations: police.uk map points", "Outcomes are police.uk's latest outcome",
                  "incidents in the 12 months to December 2025"):
        assert words in text, words
    assert text.count("RAG key (") >= 2


def test_front_page_leads_with_the_executive_summary_and_links_each_pdf(pack, browser):
    from selenium.webdriver.common.by import By

    browser.get((pack / "index.html").as_uri())
    headings = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "h2")]
    assert headings[:2] == ["Executive summary", "Reports"]
    links = {e.get_attribute("href").rsplit("/", 2)[-1] for e in browser.find_elements(By.LINK_TEXT, "PDF")}
    assert links == {"county.pdf", "melton.pdf"}
    for pdf in ("county.pdf", "districts/melton.pdf"):
        data = (pack / pdf).read_bytes()
        assert data[:5] == b"%PDF-" and b"/MediaBox [0 0 594.9" in data  # A4 portrait (595 x 842 points)


def test_a_district_page_prints_to_pdf(pack, browser):
    import base64

    from selenium.webdriver.common.print_page_options import PrintOptions

    browser.get((pack / "districts" / "melton.html").as_uri())
    options = PrintOptions()
    options.orientation = "portrait"
    pdf = base64.b64decode(browser.print_page(options))
    assert pdf[:5] == b"%PDF-" and len(pdf) > 50_000  # text and the embedded charts
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "districts-melton.pdf").write_bytes(pdf)


def test_index_links_open_the_reports(pack, browser):
    from selenium.webdriver.common.by import By

    browser.get((pack / "index.html").as_uri())
    browser.find_element(By.LINK_TEXT, "Melton").click()
    assert "Strategic assessment: Melton" in browser.page_source
