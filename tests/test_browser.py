"""The board pack in a real browser: headless Chromium (Debian's package) loads the pages offline with no
console errors and every chart decodes. A screenshot is kept under reports/ for people to look at."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from csa_analysis.cli import main

from datafactory import SAMPLE_DIR

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER),
                                reason="Debian's chromium and chromium-driver are not installed (make browser)")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "reports" / "screenshots"


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    out = tmp_path_factory.mktemp("browser") / "pack"
    code = main(["assess", "--data", str(SAMPLE_DIR), "--out", str(out), "--districts", "Melton", "--quiet",
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


@pytest.mark.parametrize("page,images", [("index.html", 0), ("county.html", 7), ("districts/melton.html", 3)])
def test_page_loads_offline_without_console_errors_and_every_image_decodes(pack, browser, page, images):
    browser.get((pack / page).as_uri())
    assert browser.title
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    decoded = browser.execute_script(
        "return Array.from(document.images).map(i => i.complete && i.naturalWidth > 0);")
    assert len(decoded) == images and all(decoded)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / (page.replace("/", "-").replace(".html", ".png"))))


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
