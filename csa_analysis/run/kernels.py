"""Running one report: a notebook executed by papermill in its own kernel, then exported to HTML by nbconvert.

Each report gets a fresh kernel (a crash, hang or leftover state in one never touches another) with an explicit
kernel name, a per-cell time limit and a per-report limit (its kernel is killed and the report fails by name).
A stopping run (Ctrl-C, SIGTERM) refuses new kernels and kills the running ones (:func:`stop_reports`).

A run wrapped in :func:`warm_kernels` forks each report's kernel from a template process that has already
imported ipykernel, pandas, matplotlib and the library (:mod:`csa_analysis.run.warm`): still one fresh process
per report, without paying the interpreter's start-up and those imports once per report.
"""

from __future__ import annotations

import contextlib
import functools
import random
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from csa_analysis.errors import ENVIRONMENT_ERRNOS
from csa_analysis.paths import PACKAGED_NOTEBOOK_DIR, TEMPLATE_DIR
from csa_analysis.run.startup import import_jsonschema

KERNEL_NAME = "csa-workbench"
#: The report notebooks shipped with the package: what the pack runs (the copies in notebooks/ are the analyst's).
NOTEBOOK_DIR = PACKAGED_NOTEBOOK_DIR
DISTRICT_NOTEBOOK = "district_assessment.ipynb"
COUNTY_NOTEBOOK = "county_rollup.ipynb"


@dataclass
class ReportJob:
    """One report to produce."""

    name: str  # district official name, or the county's name
    kind: str  # "district" or "county"
    notebook: Path
    html: str  # path relative to the pack
    parameters: dict
    title: str = ""  # the page's <title>
    audit: str | None = None  # the executed notebook (audit log), relative to the pack, once written
    status: str = "pending"
    seconds: float = 0.0
    error: str | None = None
    environment: bool = False  # failed because the machine did (disk full, permission denied), not the report


#: Set when the run is stopping (Ctrl-C, SIGTERM): no new kernel may run, running ones are killed.
_STOPPING = threading.Event()
#: Kernel managers whose kernels are running, so that a stopping run can kill them.
_LIVE: set = set()
_LIVE_LOCK = threading.Lock()


def stop_reports() -> None:
    """Stop the run's reports at once: refuse new kernels and kill every running one (Ctrl-C, SIGTERM)."""
    _STOPPING.set()
    with _LIVE_LOCK:
        managers = list(_LIVE)
    for km in managers:
        _kill(km)


def allow_reports() -> None:
    """Let kernels start again (a new run, after an earlier one in this process was stopped)."""
    _STOPPING.clear()


def _kill(km) -> None:
    with contextlib.suppress(Exception):
        km.provisioner.process.kill()


#: Set while a run decorated with :func:`warm_kernels` runs locally: :func:`warm_up` may start the template.
_WARM_RUN = threading.Event()


def warm_kernels(run: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a run of reports so that its kernels are forked from a warm template.

    The run calls :func:`warm_up` once its inputs and options are checked (a refused run starts nothing and
    writes nothing), so the template's imports overlap what the run does before its first report (scoring
    the quarter); the template stops when the run ends, however it ends. A run given a Dask ``client`` is left
    alone here: each worker starts its own template with its first report (:func:`_report_task`).
    """
    from csa_analysis.run.warm import stop_template

    @functools.wraps(run)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("client") is not None:
            return run(*args, **kwargs)
        _WARM_RUN.set()
        try:
            return run(*args, **kwargs)
        finally:
            _WARM_RUN.clear()
            stop_template()

    return wrapper


def warm_up(data_dir: str | Path | None = None) -> None:
    """Start the template of the report kernels now, if the run is a :func:`warm_kernels` one (else nothing).

    ``data_dir``: the run's data folder, whose county description the template reads once (its reports read
    it again, finding the library's per-process caches warm).
    """
    if _WARM_RUN.is_set():
        from csa_analysis.run.warm import start_template

        start_template(kernel_name(), [str(data_dir)] if data_dir else None)


#: What the runner's report threads import first (about 2 CPU-seconds): imported ahead by :func:`preload_runner`.
RUNNER_IMPORTS = ("papermill", "nbclient", "nbformat", "nbconvert", "jupyter_client.manager")


def preload_runner() -> None:
    """Import what the report threads need (papermill, nbconvert, ...) in a background thread, now.

    Called once a run's inputs are checked, so the imports overlap the scoring of the quarter instead of
    delaying the first report. An import that fails here fails again, with its message, where it is needed.
    """
    def load() -> None:
        import importlib

        for name in RUNNER_IMPORTS:
            with contextlib.suppress(Exception):
                importlib.import_module(name)
        with contextlib.suppress(Exception):
            importlib.import_module("nbconvert").HTMLExporter  # noqa: B018 - its lazy import

    import_jsonschema()  # before the thread imports nbformat
    threading.Thread(target=load, name="csa-preload", daemon=True).start()


def kernel_name() -> str:
    """The project's kernel if registered (``make venv`` does), else the default ``python3``."""
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    return KERNEL_NAME if KERNEL_NAME in specs else "python3"


def ready_kernel_starts() -> None:
    """Make, in the calling (main) thread, the import a report thread's first kernel start would make.

    jupyter_client finds the machine's IP addresses (importing psutil) when it writes the first connection file.
    Left to the report threads, they import it side by side as their kernels start; after a Ctrl-C at that
    moment a run was once found hung at exit, its two report threads waiting on psutil's module lock.
    """
    from jupyter_client.localinterfaces import localhost

    localhost()


#: One HTML exporter per runner thread: building one (finding and compiling the templates) costs more than a
#: district page's export, and an exporter is not shared between threads.
_EXPORTERS = threading.local()
#: The opening tag of a notebook output (or input) area, which nbconvert's lab template makes focusable.
_FOCUSABLE = re.compile(r'<div class="([^"]*\b(?:jp-OutputArea-output|jp-Cell-inputWrapper)\b[^"]*)"')
#: An image tag without alternative text.
_NO_ALT = re.compile(r"<img(?![^>]*\balt=)")


def focusable_outputs(page: str) -> str:
    """What nbconvert's ``HTMLExporter`` does to a finished page, on the text: every output area focusable
    (``tabindex="0"``, so a keyboard user can scroll a wide table) and every image given alternative text.

    nbconvert parses the whole page with BeautifulSoup to do this and serialises it again: two thirds of a
    page's export (0.12 of 0.17 CPU-seconds for a 2018 sample page, in the runner's process). The board-pack
    charts carry their own alt text; the fallback sentence is nbconvert's.

    Examples
    --------
    >>> focusable_outputs('<div class="jp-RenderedHTML jp-OutputArea-output" data-mime-type="text/html">')
    '<div class="jp-RenderedHTML jp-OutputArea-output" tabindex="0" data-mime-type="text/html">'
    >>> focusable_outputs('<img src="a.png"><img alt="Trend" src="b.png">')
    '<img alt="No description has been provided for this image" src="a.png"><img alt="Trend" src="b.png">'
    """
    page = _FOCUSABLE.sub(r'<div class="\1" tabindex="0"', page)
    return _NO_ALT.sub('<img alt="No description has been provided for this image"', page)


def _exporter():
    """This thread's HTML exporter (board-pack template, no code, no prompts).

    It is nbconvert's ``HTMLExporter`` with its last step, a BeautifulSoup pass over the finished page, done on
    the text instead (:func:`focusable_outputs`). Every chart is a data URI already
    (:func:`csa_analysis.report.charts.png`) and the notebooks' markdown links no image, so nbconvert's
    ``embed_images`` (which parses each markdown cell's HTML for images) is off.
    """
    exporter = getattr(_EXPORTERS, "exporter", None)
    if exporter is None:
        from nbconvert import HTMLExporter
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        class BoardPackExporter(HTMLExporter):
            def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[override]
                # HTMLExporter.from_notebook_node (nbconvert 7) up to its BeautifulSoup pass
                langinfo = nb.metadata.get("language_info", {})
                lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
                self.register_filter("highlight_code", self.filters.get(
                    "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
                resources = self._init_resources(resources)
                self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                    notebook_metadata=self._nb_metadata, parent=self, resources=resources))
                page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
                return focusable_outputs(page), resources

        exporter = BoardPackExporter(template_name="boardpack", extra_template_basedirs=[str(TEMPLATE_DIR)],
                                     exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                                     embed_images=False)
        _EXPORTERS.exporter = exporter
    return exporter


def _kernel_manager(seconds: float | None, fired: threading.Event) -> type:
    """The kernel manager for one report.

    It kills its kernel after ``seconds`` (None: no limit), so a hung report becomes a named failure, and
    it does not interrupt a kernel it is shutting down: jupyter_client sends SIGINT before every shutdown,
    which made finished kernels log a spurious "KeyboardInterrupt caught in kernel" error.
    """
    from jupyter_client.manager import AsyncKernelManager

    from csa_analysis.run.warm import current_template, fork_provisioner

    class ReportKernelManager(AsyncKernelManager):
        async def _async_pre_start_kernel(self, **kw):  # type: ignore[override]
            if self.provisioner is None and current_template() is not None:
                self.kernel_id = self.kernel_id or kw.pop("kernel_id", None) or str(uuid.uuid4())
                self.provisioner = fork_provisioner(self)  # forked from the warm template
            return await super()._async_pre_start_kernel(**kw)

        async def start_kernel(self, **kw):  # type: ignore[override]
            if _STOPPING.is_set():
                raise RuntimeError("the run is stopping: no new report starts")
            await super().start_kernel(**kw)
            with _LIVE_LOCK:
                _LIVE.add(self)
            if _STOPPING.is_set():  # stopped while this kernel was starting
                _kill(self)
            if seconds is None:
                return

            def kill() -> None:
                fired.set()
                with contextlib.suppress(Exception):
                    self.provisioner.process.kill()

            self._csa_timer = threading.Timer(seconds, kill)
            self._csa_timer.daemon = True
            self._csa_timer.start()

        async def _async_interrupt_kernel(self) -> None:
            if getattr(self, "shutting_down", False):
                return
            await super()._async_interrupt_kernel()

        async def shutdown_kernel(self, *args, **kw):  # type: ignore[override]
            timer = getattr(self, "_csa_timer", None)
            if timer is not None:
                timer.cancel()
            with _LIVE_LOCK:
                _LIVE.discard(self)
            return await super().shutdown_kernel(*args, **kw)

    return ReportKernelManager


#: The papermill engine of the board-pack runner (:func:`_report_engine`), registered under this name.
ENGINE_NAME = "csa-report"


@functools.cache
def _report_engine() -> str:
    """Register and name papermill's nbclient engine that saves the executed notebook when it starts and ends,
    not after each cell.

    papermill's own manager rewrites the whole output notebook (serialised with its charts, validated,
    deep-copied) when each cell starts and ends: about 80 writes of a growing notebook a district report, about
    2 CPU-seconds of the runner's process per report, all under one interpreter lock shared by the report
    threads. Here the notebook is written when execution starts (parameters in, no output yet: the report's audit
    notebook exists while it runs, as before), then once at the end by papermill (with the error marked when a
    cell fails), or by this engine when execution stops early (the kernel died or was killed at its time limit),
    as far as it got, so a failed report always leaves its audit notebook. Only papermill's periodic save of a
    cell running for minutes is not made.
    """
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class StartAndEnd(NotebookExecutionManager):
        saving = True  # until execution starts, and again if it stops early

        def notebook_start(self, **kwargs: Any) -> None:
            super().notebook_start(**kwargs)  # saves the notebook as it starts
            self.saving = False

        def save(self, **kwargs: Any) -> None:
            if self.saving:
                super().save(**kwargs)

    class ReportEngine(NBClientEngine):
        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True, log_output=False,
                             autosave_cell_every=30, **kwargs):  # papermill's Engine.execute_notebook, StartAndEnd
            nb_man = StartAndEnd(nb, output_path=output_path, progress_bar=progress_bar, log_output=log_output,
                                 autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            except BaseException:
                nb_man.saving = True  # notebook_complete below writes the notebook as far as it got
                raise
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE_NAME, ReportEngine)
    return ENGINE_NAME


def run_report(job: ReportJob, staging: Path, kernel: str, timeout: int,
               report_timeout: float | None = None) -> None:
    """Execute one notebook into ``staging`` and export its HTML; record status, seconds and error on ``job``.

    ``timeout`` limits each cell (seconds); ``report_timeout`` the whole report (seconds, None = no limit).
    """
    import_jsonschema()
    import papermill as pm

    started = time.perf_counter()
    fired = threading.Event()
    manager = _kernel_manager(report_timeout or None, fired)
    out_nb = staging / job.html.replace(".html", ".ipynb")
    out_nb.parent.mkdir(parents=True, exist_ok=True)
    try:
        for attempt in (1, 2):
            try:
                # No cwd: papermill's cwd changes the whole process's directory (not thread-safe); every path
                # reaches the notebook as an absolute parameter instead.
                nb = pm.execute_notebook(
                    str(job.notebook), str(out_nb), parameters=job.parameters, kernel_name=kernel,
                    engine_name=_report_engine(),
                    progress_bar=False, log_output=False, execution_timeout=timeout, kernel_manager_class=manager,
                    # keep the terminal's progress lines readable: no kernel start-up warnings, errors only
                    extra_arguments=["--IPKernelApp.log_level=ERROR"],
                )
                break
            except Exception as exc:
                if attempt == 1 and _port_collision(exc):  # kernels started side by side: retry once
                    time.sleep(random.uniform(0.2, 1.0))
                    continue
                raise
        import nbformat

        body, _ = _exporter().from_notebook_node(nbformat.from_dict(nb),
                                                 resources={"metadata": {"name": job.title or job.name}})
        (staging / job.html).write_text(body, encoding="utf-8")
        job.status = "ok"
    except Exception as exc:  # a failed report is recorded, never fatal to the others
        job.status = "failed"
        job.error = (f"report exceeded its time limit of {report_timeout:g} s" if fired.is_set()
                     else _short_error(exc))
        job.environment = isinstance(exc, OSError) and exc.errno in ENVIRONMENT_ERRNOS
        _cancel_leftover_tasks()
    if out_nb.is_file():
        job.audit = out_nb.relative_to(staging).as_posix()
    job.seconds = round(time.perf_counter() - started, 2)


def _cancel_leftover_tasks() -> None:
    """Cancel what a failed report left pending on this thread's event loop.

    nbclient does not cancel its output-polling task when a cell times out (``async_execute_cell`` leaves
    it for a ``CellControlSignal``), so it would stay pending on the loop this thread reuses for its next
    report, and be reported as "Task was destroyed but it is pending!" when Python exits.
    """
    import asyncio

    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    if loop.is_running():
        return
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def _port_collision(exc: BaseException) -> bool:
    """True for a kernel start that lost a race for a port (``ZMQError: Address already in use``)."""
    seen: BaseException | None = exc
    while seen is not None:
        if "ZMQError" in type(seen).__name__ or "Address already in use" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _short_error(exc: BaseException) -> str:
    """One line naming what went wrong: the failing cell's exception, or the runner's."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:  # papermill's PapermillExecutionError: the notebook's own exception
        return f"{ename}: {evalue}"[:500]
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip().strip("-")]
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:500]


def _report_task(job: ReportJob, staging: Path, kernel: str, timeout: int,
                 report_timeout: float | None) -> ReportJob:
    """:func:`run_report` as a dask task: returns the job with its status (tasks cannot mutate the caller's).

    The worker's first report starts the worker's template (:mod:`csa_analysis.run.warm`); it lives as long
    as the worker process and its later reports fork from it.
    """
    from csa_analysis.run.warm import current_template, start_template

    if current_template() is None:
        start_template(kernel, [job.parameters["data_dir"]] if job.parameters.get("data_dir") else None)
    run_report(job, staging, kernel, timeout, report_timeout)
    return job
