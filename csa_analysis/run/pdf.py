"""PDFs of the board pack's pages, for board papers: Chromium's headless print-to-PDF, laid out for A4.

Each page carries ``@page { size: A4 }`` (the nbconvert template and the front page), so Chromium prints A4
with 12-14 mm margins; charts and their captions are kept on one page, and the tables of figures behind the
charts (folded on screen) are left out of print. Where no Chromium is installed, or one fails on a page, the
run carries on: the pages are still produced, and the manifest and the front page say why there is no PDF.
Chromium runs with a throw-away profile, no network services and no sandbox (it runs as whoever runs the pack,
often root in a container); it only reads the pack's own files, which fetch nothing.

The board-pack runner prints each page as soon as its report is written (:class:`PagePrinter`), while the
other reports still run, instead of printing every page after the last report, and prints them all with one
browser: Chromium started once with ``--remote-debugging-pipe``, each page loaded in its tab and printed with the
DevTools protocol's ``Page.printToPDF`` (the same A4 print as ``--print-to-pdf``), which saves a browser's
start-up (about 1.5 of a page's 3.7 CPU-seconds) on every page. If that browser cannot start, stops answering or
loses its page, the remaining pages are printed the plain way, one ``--print-to-pdf`` process each. The browsers
run at a lower CPU priority (:data:`NICE`), so they never hold up a report.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
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
#: The browser's switches; :data:`PRINT_FLAGS` are added for a ``--print-to-pdf`` process (with the DevTools
#: browser, ``--no-pdf-header-footer`` made its page's renderer die: ``Page.printToPDF`` is told instead).
BROWSER_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--mute-audio")
PRINT_FLAGS = ("--no-pdf-header-footer",)
FLAGS = (*BROWSER_FLAGS[:4], *PRINT_FLAGS, *BROWSER_FLAGS[4:])
#: ``Page.printToPDF``'s options: what ``--print-to-pdf --no-pdf-header-footer`` prints (the page's own
#: ``@page`` size, A4, and margins; no header or footer; no backgrounds).
PRINT_OPTIONS = {"preferCSSPageSize": True, "displayHeaderFooter": False, "printBackground": False,
                 "transferMode": "ReturnAsBase64"}
#: Seconds the DevTools browser may take to start and show its tab.
START_TIMEOUT = 30
#: Environment variable: ``0`` prints every page with a ``--print-to-pdf`` process of its own (no DevTools).
DEVTOOLS_ENV = "CSA_PDF_DEVTOOLS"


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


class BrowserGone(RuntimeError):
    """The DevTools browser failed (did not start, stopped answering, lost its page): print the plain way."""


class DevToolsBrowser:
    """One headless Chromium printing page after page over the DevTools protocol on a pipe.

    Chromium reads commands on its descriptor 3 and writes replies on 4 (``--remote-debugging-pipe``: JSON
    messages ended by a NUL byte). The descriptors are put in place by ``/bin/sh`` (``exec 3<&N 4>&M``), not by
    a ``preexec_fn``, which is unsafe in a process running threads. Every read has a deadline.

    Parameters
    ----------
    browser : str
        The executable.
    profile : Path
        A throw-away profile folder.
    """

    def __init__(self, browser: str, profile: Path) -> None:
        cmd_r, cmd_w = os.pipe()
        out_r, out_w = os.pipe()
        watch_r, watch_w = os.pipe()
        # The shell gets the pipes as its standard streams and moves them to 3 and 4 (no preexec_fn: unsafe in
        # a process running threads), starts the browser, and kills it if the run goes away without closing it
        # (even killed outright): a watcher waits for the end of a pipe only this process writes to.
        script = ("exec 3<&0 4>&1 5<&2 0</dev/null 1>/dev/null 2>/dev/null\n"
                  '"$@" 5<&- &\nb=$!\n'
                  "{ cat >/dev/null; kill -9 $b; } <&5 &\nw=$!\nexec 5<&-\n"
                  "wait $b\ns=$?\nkill $w 2>/dev/null\nexit $s\n")
        try:
            self.proc = subprocess.Popen(
                ["/bin/sh", "-c", script, "sh", browser, *BROWSER_FLAGS, f"--user-data-dir={profile}",
                 "--remote-debugging-pipe", "about:blank"],
                stdin=cmd_r, stdout=out_w, stderr=watch_r)
        except OSError as exc:
            for fd in (cmd_w, out_r, watch_w):
                os.close(fd)
            raise BrowserGone(f"{type(exc).__name__}: {exc}") from None
        finally:
            for fd in (cmd_r, out_w, watch_r):
                os.close(fd)
        self._watch = watch_w
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, self.proc.pid, NICE)  # the browser, forked from it, inherits it
        self._w, self._r = cmd_w, out_r
        self._buf = b""
        self._id = 0
        try:
            self.session = self._attach()
        except BaseException:
            self.kill()
            raise

    def _attach(self) -> str:
        """Attach to the browser's tab (it opens one on about:blank); the session's id."""
        deadline = _deadline(START_TIMEOUT)
        while True:
            pages = [t for t in self._call("Target.getTargets", deadline=deadline)["targetInfos"]
                     if t.get("type") == "page"]
            if pages:
                break
            if _left(deadline) <= 0:
                raise BrowserGone("no tab")
            select.select([], [], [], 0.05)
        session = self._call("Target.attachToTarget", {"targetId": pages[0]["targetId"], "flatten": True},
                             deadline=deadline)["sessionId"]
        self._call("Page.enable", session=session, deadline=deadline)
        return session

    def print_page(self, url: str, target: Path) -> None:
        """Load ``url`` in the tab and write its PDF to ``target``; raises :class:`BrowserGone` on any failure."""
        deadline = _deadline(PAGE_TIMEOUT)
        self._send("Page.navigate", {"url": url}, self.session)
        self._until(lambda m: m.get("method") == "Page.loadEventFired" and m.get("sessionId") == self.session,
                    deadline)
        data = base64.b64decode(self._call("Page.printToPDF", PRINT_OPTIONS, self.session, deadline)["data"])
        if data[:5] != b"%PDF-":
            raise BrowserGone("not a PDF")
        target.write_bytes(data)

    def _send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> int:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._w, data):]
        except OSError as exc:
            raise BrowserGone(f"{type(exc).__name__}: {exc}") from None
        return self._id

    def _call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
              deadline: float | None = None) -> dict[str, Any]:
        sent = self._send(method, params, session)
        reply = self._until(lambda m: m.get("id") == sent, deadline or _deadline(PAGE_TIMEOUT))
        if "error" in reply:
            raise BrowserGone(f"{method}: {reply['error'].get('message', reply['error'])}")
        return reply.get("result", {})

    def _until(self, wanted: Callable[[dict[str, Any]], bool], deadline: float) -> dict[str, Any]:
        """Read messages until one is ``wanted``; the tab's loss, the browser's exit or the deadline raise."""
        while True:
            while b"\0" in self._buf:
                raw, self._buf = self._buf.split(b"\0", 1)
                message = json.loads(raw)
                if message.get("method") in ("Inspector.detached", "Target.detachedFromTarget",
                                             "Target.targetCrashed", "Inspector.targetCrashed"):
                    raise BrowserGone(f"the page was lost ({message.get('params', {}).get('reason', 'detached')})")
                if wanted(message):
                    return message
            left = _left(deadline)
            try:
                if left <= 0 or not select.select([self._r], [], [], left)[0]:
                    raise BrowserGone(f"no answer in {PAGE_TIMEOUT} s")
                chunk = os.read(self._r, 1 << 20)
            except (OSError, ValueError) as exc:
                raise BrowserGone(f"{type(exc).__name__}: {exc}") from None
            if not chunk:
                raise BrowserGone("the browser exited")
            self._buf += chunk

    def close(self) -> None:
        """Ask the browser to close; kill it if it does not within a few seconds."""
        with contextlib.suppress(Exception):
            self._send("Browser.close")
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def stop(self) -> None:
        """Have the browser killed now (safe from another thread: descriptors in use stay open)."""
        with contextlib.suppress(OSError):
            os.close(self._watch)  # the watcher kills the browser
        self._watch = -1
        _kill(self.proc)

    def kill(self) -> None:
        """Kill the browser now (its helper processes exit when it goes) and release the pipe."""
        self.stop()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self._close_fds()

    def _close_fds(self) -> None:
        for fd in (self._w, self._r):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._w = self._r = -1


def _deadline(seconds: float) -> float:
    return time.monotonic() + seconds


def _left(deadline: float) -> float:
    return deadline - time.monotonic()


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

    One browser prints every page over the DevTools protocol (:class:`DevToolsBrowser`); if it fails, that page
    and the later ones are printed with a ``--print-to-pdf`` process each (as with ``$CSA_PDF_DEVTOOLS=0``).

    Parameters
    ----------
    folder : str or Path
        The pack (its staging folder).

    Notes
    -----
    Never raises for a page: a page that fails is named in :meth:`finish`'s result. :meth:`cancel` (Ctrl-C,
    SIGTERM, a failed run) kills the browser running and drops the queued pages.

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

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.browser = find_chromium()
        self._futures: dict[str, Future] = {}
        self._running: set[subprocess.Popen] = set()
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._devtools: DevToolsBrowser | None = None
        self._use_devtools = os.environ.get(DEVTOOLS_ENV, "1").strip() != "0"
        self._pool: ThreadPoolExecutor | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None
        if self.browser is not None:
            self._tmp = tempfile.TemporaryDirectory(prefix="csa-chromium-")
            # one thread: the DevTools browser prints one page at a time, as fast as the reports write them
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="csa-pdf")

    def submit(self, page: str) -> None:
        """Queue ``page`` (relative to the folder) for printing; a page already queued is not printed twice."""
        if self._pool is None or self._tmp is None:
            return
        with self._lock:
            if page in self._futures:
                return
            profile = Path(self._tmp.name) / f"profile-{len(self._futures)}"
            self._futures[page] = self._pool.submit(self._print, page, profile)

    def _print(self, page: str, profile: Path) -> str | None:
        """Print one page (in the printing thread): its error in a line, or None when the PDF was written."""
        if self._cancelled.is_set():
            return f"{page}: cancelled"
        if self._use_devtools:
            try:
                if self._devtools is None:
                    self._devtools = DevToolsBrowser(str(self.browser), Path(str(self._tmp.name)) / "devtools")
                    if self._cancelled.is_set():  # cancelled while it started: cancel() did not see it
                        self._devtools.kill()
                        return f"{page}: cancelled"
                self._devtools.print_page((self.folder / page).as_uri(), self.folder / pdf_name(page))
                return None
            except BrowserGone:
                self._use_devtools = False  # this page and the next ones: one process each
                if self._devtools is not None:
                    self._devtools.kill()
                    self._devtools = None
                (self.folder / pdf_name(page)).unlink(missing_ok=True)
                if self._cancelled.is_set():
                    return f"{page}: cancelled"
        return _print_one(str(self.browser), self.folder, page, profile, self._running, self._lock)

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
        self._cancelled.set()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            running = list(self._running)
        devtools = self._devtools
        if devtools is not None:
            devtools.stop()
        for proc in running:
            _kill(proc)
        self.close()

    def close(self) -> None:
        """Release the printing thread, the browser and its throw-away profiles (after the page printing)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._devtools is not None:
            self._devtools.close()
            self._devtools = None
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
        Unused (kept for callers): one browser prints the pages one after another.

    Returns
    -------
    dict
        ``status`` ("printed", "partly printed" or "skipped"), ``note`` (one sentence for the front page and
        the manifest), ``files`` (page -> its PDF, relative to ``folder``), ``errors`` (one line per page that
        failed), ``browser`` (the executable used, or None).
    """
    printer = PagePrinter(folder)
    return printer.finish(list(pages), say)


__all__ = ["CHROMIUM_ENV", "DEVTOOLS_ENV", "DevToolsBrowser", "PagePrinter", "find_chromium", "pdf_name", "print_pages"]
