"""A hung report is turned into a named failure by the per-cell or the per-report time limit."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest

from csa_analysis.run.boardpack import assess
from csa_analysis.run.kernels import NOTEBOOK_DIR

from datafactory import SAMPLE_DIR


@pytest.fixture
def hanging_notebooks(tmp_path):
    folder = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOK_DIR, folder)
    path = folder / "district_assessment.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("import time\ntime.sleep(120)"))
    nbformat.write(nb, path)
    return folder


@pytest.mark.parametrize("limits,message", [
    ({"timeout": 20, "report_timeout": None}, "CellTimeoutError: A cell timed out"),
    ({"timeout": 600, "report_timeout": 25}, "report exceeded its time limit of 25 s"),
])
def test_a_hung_district_fails_by_name_and_the_county_still_finishes(tmp_path, hanging_notebooks, limits,
                                                                    message):
    out = tmp_path / "pack"
    code = assess(SAMPLE_DIR, out=out, districts=["Melton"], notebook_dir=hanging_notebooks, progress=False,
                  **limits)
    assert code == 1
    reports = {r["name"]: r for r in json.loads((out / "manifest.json").read_text())["reports"]}
    assert reports["Melton"]["status"] == "failed"
    assert message in reports["Melton"]["error"]
    assert reports["Melton"]["seconds"] < 60
    assert reports["Leicestershire"]["status"] == "ok"
    # the stopped report's audit notebook is kept, as far as it got: the cells before the hang ran, none after
    audit = nbformat.read(out / reports["Melton"]["audit"], as_version=4)
    code = [c for c in audit.cells if c.cell_type == "code"]
    hang = next(i for i, c in enumerate(code) if "time.sleep(120)" in c.source)
    assert all(c.execution_count for c in code[1:hang]) and code[1].metadata.papermill["status"] == "completed"
    assert not any(c.execution_count for c in code[hang + 1:])


def test_a_report_kernel_is_shut_down_without_an_interrupt_but_can_still_be_interrupted():
    """jupyter_client sends SIGINT before every shutdown, which made finished kernels log a spurious
    "KeyboardInterrupt caught in kernel" error; the report kernel manager skips only that interrupt."""
    import asyncio
    import signal
    import threading

    from csa_analysis.run.kernels import _kernel_manager, kernel_name

    km = _kernel_manager(None, threading.Event())(kernel_name=kernel_name())
    sent = []

    async def run() -> None:
        await km.start_kernel(extra_arguments=["--IPKernelApp.log_level=ERROR"])
        real = km._async_signal_kernel

        async def recording(signum):
            sent.append(signum)
            await real(signum)

        km._async_signal_kernel = recording
        await km.interrupt_kernel()  # an interrupt asked for (a cell timeout) still reaches the kernel
        assert sent == [signal.SIGINT]
        await km.shutdown_kernel()
        assert not await km.is_alive()

    asyncio.run(run())
    assert sent == [signal.SIGINT]  # none added by the shutdown


def test_a_timed_out_report_leaves_no_task_pending_on_its_threads_event_loop(tmp_path, hanging_notebooks):
    import asyncio

    from jupyter_core.utils import ensure_event_loop

    from csa_analysis.run.kernels import ReportJob, kernel_name, run_report

    job = ReportJob("Melton", "district", hanging_notebooks / "district_assessment.ipynb", "districts/melton.html",
                    {"data_dir": str(SAMPLE_DIR), "quarter": "2018-19Q3", "district": "Melton"})
    run_report(job, tmp_path, kernel_name(), timeout=5)
    assert job.status == "failed" and "CellTimeoutError" in job.error
    assert [t for t in asyncio.all_tasks(ensure_event_loop()) if not t.done()] == []
