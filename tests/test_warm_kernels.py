"""Report kernels forked from the warm template keep a report's isolation: each is a fresh process of its own, in
its own process group, starting from the template's pristine state; one report's leftover state, crash or kill
never reaches another report or the template; without a template a kernel starts the ordinary way."""

from __future__ import annotations

import asyncio
import os
import signal
import threading

import pytest

from csa_analysis.run import kernels, warm

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forking needs POSIX")

PROBE = {"pid": "os.getpid()", "ppid": "os.getppid()", "pgid": "os.getpgid(0)",
         "warm": "'pandas' in sys.modules and 'csa_analysis.report.sections' in sys.modules",
         "leftover": "getattr(csa_analysis, 'LEFTOVER', None)",
         "max_rows": "__import__('pandas').get_option('display.max_rows')",
         # the template imported nbformat (so jsonschema) without building the IRI grammar (run/startup.py)
         "iri_grammar": "[m in __import__('sys').modules for m in ('jsonschema', 'lark', 'rfc3987_syntax')]"}


@pytest.fixture()
def template():
    kernels._WARM_RUN.set()
    try:
        kernels.warm_up()
        t = warm.current_template()
        assert t is not None, "the project's kernel can be forked from this interpreter"
        t.wait_ready()
        yield t
    finally:
        kernels._WARM_RUN.clear()
        warm.stop_template()


class Kernel:
    """One report kernel, started as the runner starts it (its kernel manager class)."""

    def __init__(self) -> None:
        self.km = kernels._kernel_manager(None, threading.Event())(kernel_name=kernels.kernel_name())
        self.kc = None

    async def start(self) -> Kernel:
        await self.km.start_kernel(extra_arguments=["--IPKernelApp.log_level=ERROR"])
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=120)
        return self

    async def run(self, code: str, timeout: float = 60) -> dict:
        reply = await self.kc.execute(code, reply=True, timeout=timeout, user_expressions={
            k: v for k, v in PROBE.items()})
        assert reply["content"]["status"] == "ok", reply["content"]
        return {k: v["data"]["text/plain"] for k, v in reply["content"]["user_expressions"].items()}

    @property
    def forked(self) -> bool:
        return bool(getattr(self.km.provisioner, "forked", False))

    async def stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        await self.km.shutdown_kernel(now=True)


SETUP = "import os, sys, signal, csa_analysis"


def test_each_kernel_is_a_fresh_warm_process_of_its_own_forked_from_the_template(template):
    async def go():
        a, b = await Kernel().start(), await Kernel().start()
        try:
            ra, rb = await a.run(SETUP), await b.run(SETUP)
        finally:
            await a.stop()
            await b.stop()
        return a, b, ra, rb

    a, b, ra, rb = asyncio.run(go())
    assert a.forked and b.forked
    assert ra["pid"] != rb["pid"]
    for r in (ra, rb):
        assert int(r["ppid"]) == template.pid  # forked by the template
        assert r["pgid"] == r["pid"]  # its own process group: killing it never touches the template
        assert r["warm"] == "True"  # pandas and the library already imported
        assert r["iri_grammar"] == "[True, False, False]"  # jsonschema imported, its IRI grammar not built
    assert template.alive() and template.forks == 2


def test_leftover_state_a_crash_and_a_kill_in_one_kernel_never_reach_the_next(template):
    async def go():
        first = await Kernel().start()
        before = await first.run(SETUP)
        left = await first.run(SETUP + "\ncsa_analysis.LEFTOVER = 'from the first report'\n"
                               "import pandas; pandas.set_option('display.max_rows', 3)")
        # the first report crashes hard (no Python clean-up at all)
        first.kc.execute("os.kill(os.getpid(), signal.SIGSEGV)")
        for _ in range(100):
            if not await first.km.is_alive():
                break
            await asyncio.sleep(0.1)
        crashed = not await first.km.is_alive()
        await first.stop()
        second = await Kernel().start()
        after = await second.run(SETUP)
        # a hung third report killed as the report time limit kills it: the second is untouched
        third = await Kernel().start()
        third.kc.execute("import time; time.sleep(60)")
        kernels._kill(third.km)
        for _ in range(100):
            if not await third.km.is_alive():
                break
            await asyncio.sleep(0.1)
        killed = not await third.km.is_alive()
        still = await second.run(SETUP)
        await third.stop()
        await second.stop()
        return before, left, crashed, after, killed, still

    before, left, crashed, after, killed, still = asyncio.run(go())
    assert left["leftover"] == "'from the first report'" and left["max_rows"] == "3"
    assert crashed and killed
    assert after["leftover"] == before["leftover"] == "None"  # the template's pristine state, not the first's
    assert after["max_rows"] == before["max_rows"] != "3"
    assert still["pid"] == after["pid"]
    assert template.alive()


def _start_one_kernel() -> tuple[bool, dict]:
    """Start one report kernel, run the set-up cell in it and stop it: (whether it was forked, the cell's result)."""
    async def go():
        k = await Kernel().start()
        try:
            return k.forked, await k.run(SETUP)
        finally:
            await k.stop()

    return asyncio.run(go())


def test_without_a_template_a_kernel_starts_the_ordinary_way():
    warm.stop_template()
    forked, r = _start_one_kernel()
    assert not forked and int(r["ppid"]) == os.getpid()


def test_a_dead_template_falls_back_to_the_ordinary_way(template):
    os.kill(template.pid, signal.SIGKILL)
    template.proc.wait(timeout=10)
    forked, r = _start_one_kernel()
    assert not forked and int(r["ppid"]) == os.getpid()


def test_fork_kernels_0_starts_no_template(monkeypatch):
    monkeypatch.setenv(warm.FORK_ENV, "0")
    assert warm.start_template(kernels.kernel_name()) is None
