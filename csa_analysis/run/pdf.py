"""PDFs of the board pack's pages, for board papers: Chromium's headless print-to-PDF, laid out for A4.

Each page carries ``@page { size: A4 }`` (the nbconvert template and the front page), so Chromium prints A4
with 12-14 mm margins; charts and their captions are kept on one page, and the tables of figures behind the
charts (folded on screen) are left out of print. Where no Chromium is installed, or one fails on a page, the
run carries on: the pages are still produced, and the manifest and the front page say why there is no PDF.
Chromium runs with a throw-away profile, no network services and no sandbox (it runs as whoever runs the pack,
often root in a container); it only reads the pack's own files, which fetch nothing.

The board-pack runner prints each page as soon as its report is written (:class:`PagePrinter`), while the
other reports still run, instead of printing every page after the last report: a page's Chromium spends most of
its few seconds starting up and waiting, which the reports' kernels fill. The browsers run at a lower CPU
priority (:data:`NICE`), so they never hold up a report.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

#: Executable names tried, in order (Debian's package, then other distributions' and Google's).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Environment variable naming the browser to use (set it empty to switch PDFs off).
CHROMIUM_ENV = "CSA_CHROMIUM"
#: Seconds a page may take to print.
PAGE_TIMEOUT = 120
#: Niceness added to each browser (a hint to the scheduler): the reports' kernels come first.
NICE = 10
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


def _print_one(browser: str, folder: Path, page: str, profile: Path,
               running: set[subprocess.Popen] | None = None, lock: threading.Lock | None = None) -> str | None:
    """Print one page; its error in a line, or None when the PDF was written.

    ``running`` (guarded by ``lock``) holds the browser while it runs, so that :meth:`PagePrinter.cancel` can
    kill it. The browser stays in the run's process group, so a run killed with its group takes it along.
    """
    target = folder / pdf_name(page)
    cmd = [browser, *FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={target}", (folder / page).as_uri()]
    lock = lock or threading.Lock()
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except OSError as exc:
        return f"{page}: {type(exc).__name__}: {exc}"
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, proc.pid, NICE)  # its helpers, forked later, inherit it
    if running is not None:
        with lock:
            running.add(proc)
    try:
        _, stderr = proc.communicate(timeout=PAGE_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        _kill(proc)
        proc.communicate()
        return f"{page}: {type(exc).__name__}: {exc}"
    finally:
        if running is not None:
            with lock:
                running.discard(proc)
    if proc.returncode != 0 or not target.is_file() or target.read_bytes()[:5] != b"%PDF-":
        target.unlink(missing_ok=True)
        last = (stderr.decode("utf-8", "replace").strip().splitlines() or [""])[-1]
        return f"{page}: chromium exit code {proc.returncode} {last}"[:300]
    return None


def _kill(proc: subprocess.Popen) -> None:
    """Kill a browser (its helper processes exit when it goes)."""
    with contextlib.suppress(OSError):
        proc.kill()


def _outcome(browser: str, pages: Sequence[str], results: Sequence[str | None],
             say: Callable[[str], None] | None) -> dict[str, Any]:
    """The result dictionary of :func:`print_pages` for ``pages`` and their errors (None: printed)."""
    files: dict[str, str] = {}
    errors: list[str] = []
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


def _skipped(say: Callable[[str], None] | None) -> dict[str, Any]:
    note = ("no PDFs: Chromium is not installed on the machine that built the pack (install it, e.g. "
            "make browser, or print the HTML pages from a browser)")
    if say:
        say(f"PDF skipped: {note}")
    return {"status": "skipped", "note": note, "files": {}, "errors": [], "browser": None}


def _error_of(page: str, future: Future) -> str | None:
    """A printing job's error line (None: printed); whatever went wrong in it is a line, never an exception."""
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a failed PDF never fails the run
        return f"{page}: {type(exc).__name__}: {exc}"[:300]


class PagePrinter:
    """Print pages to PDF in the background, each as soon as it is submitted (while other reports run).

    Parameters
    ----------
    folder : str or Path
        The pack (its staging folder).
    workers : int
        Pages printed side by side.

    Notes
    -----
    Never raises for a page: a page that fails is named in :meth:`finish`'s result. :meth:`cancel` (Ctrl-C,
    SIGTERM, a failed run) kills the browsers running and drops the queued pages.

    Examples
    --------
    >>> import os
    >>> os.environ[CHROMIUM_ENV] = ""
    >>> printer = PagePrinter(".")
    >>> printer.submit("county.html")
    >>> printer.finish(["county.html"])["status"]
    'skipped'
    >>> del os.environ[CHROMIUM_ENV]
    """

    def __init__(self, folder: str | Path, workers: int = 2) -> None:
        self.folder = Path(folder)
        self.browser = find_chromium()
        self._futures: dict[str, Future] = {}
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        if self.browser is not None:
            self._tmp = tempfile.TemporaryDirectory(prefix="csa-chromium-")
            self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="csa-pdf")

    def submit(self, page: str) -> None:
        """Queue ``page`` (relative to the folder) for printing; a page already queued is not printed twice."""
        if self._pool is None or self._tmp is None:
            return
        with self._lock:
            if page in self._futures:
                return
            profile = Path(self._tmp.name) / f"profile-{len(self._futures)}"
            self._futures[page] = self._pool.submit(_print_one, self.browser, self.folder, page, profile,
                                                    self._running, self._lock)

    def finish(self, pages: Sequence[str], say: Callable[[str], None] | None = None) -> dict[str, Any]:
        """Print whichever of ``pages`` were not submitted, wait for every one, and say what was printed.

        Returns
        -------
        dict
            As :func:`print_pages`. A page submitted but not in ``pages`` is not reported (nor kept).
        """
        if self.browser is None:
            self.close()
            return _skipped(say)
        for page in pages:
            self.submit(page)
        try:
            results = [_error_of(page, self._futures[page]) for page in pages]
            for page, fut in self._futures.items():  # printed, but no longer wanted: removed
                if page not in pages and _error_of(page, fut) is None:
                    (self.folder / pdf_name(page)).unlink(missing_ok=True)
        finally:
            self.close()
        return _outcome(self.browser, pages, results, say)

    def cancel(self) -> None:
        """Drop the queued pages and kill the browsers running (the run is stopping)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            running = list(self._running)
        for proc in running:
            _kill(proc)
        self.close()

    def close(self) -> None:
        """Release the pool and the browsers' throw-away profiles (after waiting for the printing ones)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.cleanup()
            self._tmp = None


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
    printer = PagePrinter(folder, workers)
    return printer.finish(list(pages), say)


__all__ = ["CHROMIUM_ENV", "PagePrinter", "find_chromium", "pdf_name", "print_pages"]
