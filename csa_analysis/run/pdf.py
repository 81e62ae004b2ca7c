"""PDFs of the board pack's pages, for board papers: Chromium's headless print-to-PDF, laid out for A4.

Each page carries ``@page { size: A4 }`` (the nbconvert template and the front page), so Chromium prints A4
with 12-14 mm margins; charts and their captions are kept on one page, and the tables of figures behind the
charts (folded on screen) are left out of print. Where no Chromium is installed, or one fails on a page, the
run carries on: the pages are still produced, and the manifest and the front page say why there is no PDF.
Chromium runs with a throw-away profile, no network services and no sandbox (it runs as whoever runs the pack,
often root in a container); it only reads the pack's own files, which fetch nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

#: Executable names tried, in order (Debian's package, then other distributions' and Google's).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Environment variable naming the browser to use (set it empty to switch PDFs off).
CHROMIUM_ENV = "CSA_CHROMIUM"
#: Seconds a page may take to print.
PAGE_TIMEOUT = 120
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--mute-audio")


def find_chromium() -> str | None:
    """The browser to print with: ``$CSA_CHROMIUM`` if set (empty: none), else the first of
    :data:`CHROMIUM_NAMES` on the PATH, else None."""
    if CHROMIUM_ENV in os.environ:
        return shutil.which(os.environ[CHROMIUM_ENV]) if os.environ[CHROMIUM_ENV].strip() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def pdf_name(page: str) -> str:
    """The PDF of a page, beside it: ``districts/melton.html`` -> ``districts/melton.pdf``.

    Examples
    --------
    >>> pdf_name("districts/melton.html")
    'districts/melton.pdf'
    """
    return page[: -len(".html")] + ".pdf" if page.endswith(".html") else page + ".pdf"


def _print_one(browser: str, folder: Path, page: str, profile: Path) -> str | None:
    """Print one page; its error in a line, or None when the PDF was written."""
    target = folder / pdf_name(page)
    cmd = [browser, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={target}", (folder / page).as_uri()]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=PAGE_TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{page}: {type(exc).__name__}: {exc}"
    if done.returncode != 0 or not target.is_file() or target.read_bytes()[:5] != b"%PDF-":
        target.unlink(missing_ok=True)
        last = (done.stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
        return f"{page}: chromium exit code {done.returncode} {last}"[:300]
    return None


def print_pages(folder: str | Path, pages: Sequence[str], say: Callable[[str], None] | None = None,
                workers: int = 2) -> dict[str, Any]:
    """Print each page of the pack to a PDF beside it (A4), never failing the run.

    Parameters
    ----------
    folder : str or Path
        The pack (its staging folder).
    pages : sequence of str
        Pages to print, relative to ``folder`` (``county.html``, ``districts/melton.html``).
    say : callable, optional
        Progress messages.
    workers : int
        Pages printed side by side.

    Returns
    -------
    dict
        ``status`` ("printed", "partly printed" or "skipped"), ``note`` (one sentence for the front page and
        the manifest), ``files`` (page -> its PDF, relative to ``folder``), ``errors`` (one line per page that
        failed), ``browser`` (the executable used, or None).
    """
    folder = Path(folder)
    browser = find_chromium()
    if browser is None:
        note = ("no PDFs: Chromium is not installed on the machine that built the pack (install it, e.g. "
                "make browser, or print the HTML pages from a browser)")
        if say:
            say(f"PDF skipped: {note}")
        return {"status": "skipped", "note": note, "files": {}, "errors": [], "browser": None}
    files: dict[str, str] = {}
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="csa-chromium-") as tmp:
        jobs = [(page, Path(tmp) / f"profile-{i}") for i, page in enumerate(pages)]
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = list(pool.map(lambda job: _print_one(browser, folder, job[0], job[1]), jobs))
    for page, error in zip(pages, results, strict=True):
        if error is None:
            files[page] = pdf_name(page)
        else:
            errors.append(error)
    status = "printed" if not errors else ("partly printed" if files else "skipped")
    note = (f"{len(files)} page{'s' if len(files) != 1 else ''} printed to PDF (A4) with {Path(browser).name}"
            + (f"; {len(errors)} failed: {errors[0]}" if errors else ""))
    if say:
        say(f"PDF: {note}")
    return {"status": status, "note": note, "files": files, "errors": errors, "browser": browser}


__all__ = ["CHROMIUM_ENV", "find_chromium", "pdf_name", "print_pages"]
