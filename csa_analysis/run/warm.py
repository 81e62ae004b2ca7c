"""Report kernels forked from a warm template: a fresh process per report without paying Python's start-up and
the imports of pandas, matplotlib and the library once per report.

A report kernel started the ordinary way costs about 2 CPU-seconds before its first cell does any work: start
the interpreter, import ipykernel, then (in the notebook's first cell) import pandas, matplotlib and
``csa_analysis``. The *template* pays that once per run. It is a plain Python process (``python -m
csa_analysis.run.warm``) started while the quarter is being scored, which imports all of it and then waits. For
each report it ``fork()``\\s: the child becomes that report's ipykernel, with its own connection file, ports,
process group and memory (copy-on-write pages of the template, never shared writes), so a crash, a hang or
leftover state in one report cannot touch another, exactly as with a kernel started from scratch. The child
never runs a cell in the template and the template never runs one at all: every report starts from the same
pristine, freshly imported state.

The parent side is a jupyter_client kernel provisioner (:class:`ForkProvisioner`, a
:class:`~jupyter_client.provisioning.LocalProvisioner` whose ``launch_kernel`` asks the template instead of
``Popen``), so papermill, nbclient and the kernel manager are unchanged: the kernel is a real ipykernel reached
over ZeroMQ, interrupted, killed and shut down as any other. Killing signals the kernel's own process group
(through a pidfd where Linux has one, so a recycled process id is never signalled).

Lifetimes. The template exits when its standard input closes (the run ended, or was killed with SIGKILL), and
each forked kernel is killed by the kernel (``PR_SET_PDEATHSIG``) when the template goes, so nothing outlives a
run. If the template cannot fork (it died, or was never started), a kernel is started the ordinary way.

Only a kernel whose kernelspec runs this very interpreter with ``ipykernel_launcher`` is forked (the project's
kernel, or ``python3`` of the same environment); any other kernel starts the ordinary way.

The protocol (one JSON line each way, over the template's standard input and output)::

    -> {"argv": [...ipykernel arguments...], "env": {...}, "cwd": "..."}
    <- {"pid": 12345}            or   {"error": "..."}
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

#: Imported once in the template: what a report kernel imports before its first cell does any work.
WARM_IMPORTS = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "IPython.core.interactiveshell",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "ipykernel.debugger",  # the kernelspec declares the debugger: ipykernel imports debugpy when it starts
    "sqlite3",  # IPython's history
    "matplotlib_inline.backend_inline",
    "numpy",
    "pandas",
    "pyarrow",
    "pyarrow.parquet",
    "matplotlib",
    "matplotlib.figure",
    "matplotlib.font_manager",
    "matplotlib.backends.backend_agg",
    "nbformat",
    "csa_analysis.report.sections",
    "csa_analysis.run.notebook",
    # what the sections import when they first run (0.5 CPU-seconds a report): Table C2 and peers (scipy.sparse),
    # the charts of places, the glossary, the change test (scipy.special), the workbook reader
    "csa_analysis.sources.peers",
    "csa_analysis.report.place_charts",
    "csa_analysis.report.glossary",
    "scipy.special",
    "pyarrow.dataset",
    "python_calamine",
)
#: ``0`` starts every report kernel the ordinary way (a fresh interpreter), as before the template existed.
FORK_ENV = "CSA_FORK_KERNELS"
_INLINE = "module://matplotlib_inline.backend_inline"
_PR_SET_PDEATHSIG = 1


class TemplateUnavailable(RuntimeError):
    """The template cannot fork a kernel (not started, died, or refused): start one the ordinary way."""


# --------------------------------------------------------------------------------------------------------------
# The template process (``python -m csa_analysis.run.warm``)
# --------------------------------------------------------------------------------------------------------------


def _die_with_parent(sig: int) -> None:
    """Ask Linux to send ``sig`` to this process when its parent exits (a no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)


def _become_kernel(request: dict[str, Any], protocol_fds: tuple[int, ...], ready_w: int) -> None:
    """In the forked child: become the report's ipykernel (never returns)."""
    code = 1
    try:
        os.setsid()  # its own session and process group: killing the kernel never touches the template
        template = os.getppid()
        _die_with_parent(signal.SIGKILL)
        if os.getppid() != template:  # the template died between fork and prctl
            os._exit(1)
        for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        for fd in protocol_fds:  # the template's pipes to the run (replaced below when they are 0 and 1)
            if fd > 2:
                with contextlib.suppress(OSError):
                    os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(2, 1)  # the template's stdout is the protocol pipe: the kernel's low-level output goes to stderr
        os.close(null)
        env = request.get("env")
        if env:
            os.environ.clear()
            os.environ.update(env)
        os.environ.setdefault("MPLBACKEND", _INLINE)
        if request.get("cwd"):
            os.chdir(request["cwd"])
        sys.stdin = open(os.devnull)  # noqa: SIM115 - the kernel's stdin, for its lifetime
        sys.stdout = os.fdopen(1, "w", buffering=1, closefd=False)
        # The kernel's parent, for its parent poller and its banner (read from $JPY_PARENT_PID when ipykernel
        # was imported, which was in the template, before any run's environment)
        argv = [*request["argv"], f"--IPKernelApp.parent_handle={template}"]
        sys.argv = ["ipykernel_launcher", *argv]
        os.write(ready_w, b"1")
        os.close(ready_w)
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        _trace("fork->initialize")
        app.initialize(argv)
        _inline_figures()
        _trace("initialized")
        app.start()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:  # noqa: BLE001 - a child must never return into the template's loop
        import traceback

        with contextlib.suppress(Exception):
            traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _trace(what: str) -> None:
    """For a maintainer timing a forked kernel's start-up: ``$CSA_WARM_TRACE`` names a file that gets one line
    (pid, Unix time, step) per step."""
    if os.environ.get("CSA_WARM_TRACE"):
        with open(os.environ["CSA_WARM_TRACE"], "a") as f:
            f.write(f"{os.getpid()} {time.time():.3f} {what}\n")


def _inline_figures() -> None:
    """Hook the inline backend into the kernel's shell.

    ``matplotlib_inline.backend_inline`` does this when it is imported inside a running kernel; the template
    imported it before any shell existed, so the forked kernel does it now, as a freshly started one would.
    """
    mod = sys.modules.get("matplotlib_inline.backend_inline")
    if mod is not None:
        with contextlib.suppress(Exception):
            mod._enable_matplotlib_integration()


def _fork(request: dict[str, Any], protocol_fds: tuple[int, ...]) -> int:
    """Fork one kernel; return its pid once it is the leader of its own process group."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        _become_kernel(request, protocol_fds, ready_w)
    os.close(ready_w)
    try:
        if not os.read(ready_r, 1):
            raise RuntimeError("the forked kernel exited before it started")
    finally:
        os.close(ready_r)
    return pid


def serve(counties: list[str]) -> None:
    """The template's main loop: import everything once, read the run's county description once (each report
    reads it again; see :func:`_read_counties`), then fork one kernel per request until stdin closes."""
    os.environ.setdefault("MPLBACKEND", _INLINE)  # what ipykernel sets before a notebook imports matplotlib
    import importlib

    from csa_analysis.run.startup import import_jsonschema

    import_jsonschema()  # before nbformat, one of the imports below

    for name in WARM_IMPORTS:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    import matplotlib.font_manager  # noqa: F401 - the font list is read here, once, not per report

    _read_counties(counties)
    _warm_charts()

    import gc

    gc.collect()
    gc.freeze()  # the imported objects stay out of the kernels' collections: their pages stay shared, not copied
    signal.signal(signal.SIGCHLD, _reap)  # finished kernels are reaped (their CPU time counted as the run's)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the run decides when the template stops
    if threading.active_count() != 1:  # forking a threaded process is unsafe: refuse rather than risk it
        _reply({"error": f"{threading.active_count()} threads after the imports; cannot fork safely"})
        return
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    protocol_fds = (inp.fileno(), out.fileno())
    _reply({"ready": True, "pid": os.getpid()})
    for line in inp:
        try:
            request = json.loads(line)
            _reply({"pid": _fork(request, protocol_fds)})
        except Exception as exc:  # noqa: BLE001 - the run falls back to an ordinary kernel start
            _reply({"error": f"{type(exc).__name__}: {exc}"})


def _read_counties(counties: list[str]) -> None:
    """Read each county description once, so that the library's per-process caches are warm in every fork.

    Every report still reads its county (``open_report``); what it finds warm are the caches the library keeps
    for a process's later reads: the packaged ONS lookups, and the ONS mid-year workbook keyed by its path,
    size and modification time (a changed workbook is read again). A county that cannot be read is left to
    the reports, which say why.
    """
    if not counties:
        return
    from csa_analysis.config.county import read_county

    for folder in counties:
        with contextlib.suppress(Exception):
            read_county(folder)


def _warm_charts() -> None:
    """Draw one small chart in the house style to a PNG and throw it away, so that every fork finds matplotlib's
    font files opened, its font look-ups cached and the PNG encoder imported (a report's first chart paid for
    them). Only caches are kept: no figure, no change to matplotlib's settings."""
    import io

    with contextlib.suppress(Exception):
        from csa_analysis.report import charts

        fig, ax = charts._figure((3.0, 2.0))
        ax.plot([0, 1, 2], [1, 3, 2], marker="o", label="Warm-up")
        charts._title(ax, "Warm-up 0123456789 (count)\nSecond line", 11)
        ax.set_xlabel("Month")
        ax.set_ylabel("Incidents (count)")
        ax.legend(fontsize=8, title="Issue")
        ax.text(0.5, 0.5, "Text", fontsize=9, fontweight="bold")
        fig.savefig(io.BytesIO(), format="png", dpi=charts.DPI)


def _reap(_signum: int, _frame: object) -> None:
    """Collect every finished kernel (no zombies)."""
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _reply(message: dict[str, Any]) -> None:
    sys.stdout.buffer.write(json.dumps(message).encode() + b"\n")
    sys.stdout.buffer.flush()


# --------------------------------------------------------------------------------------------------------------
# The run's side: one template per process, and the provisioner that asks it for kernels
# --------------------------------------------------------------------------------------------------------------


class Template:
    """A running template process (see the module docstring).

    Parameters
    ----------
    interpreter : list of str
        The kernelspec's command before ``-m ipykernel_launcher`` (the interpreter and its flags, such as
        ``-Xfrozen_modules=off``); the template runs the same, so its forks are what the kernelspec starts.
    counties : list of str, optional
        Data folders whose ``county.toml`` the template reads once before forking (see :func:`_read_counties`).
    """

    def __init__(self, interpreter: list[str], counties: list[str] | None = None) -> None:
        self.interpreter = list(interpreter)
        self.counties = [str(c) for c in counties or []]
        self._lock = threading.Lock()
        self._ready = False
        self._broken: str | None = None
        self.started = time.perf_counter()
        self.ready_seconds: float | None = None
        self.forks = 0
        self.proc = subprocess.Popen(
            [*self.interpreter, "-m", "csa_analysis.run.warm", *self.counties], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=None, start_new_session=True, close_fds=True,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None and self._broken is None

    def _read(self) -> dict[str, Any]:
        line = self.proc.stdout.readline() if self.proc.stdout else b""
        if not line:
            self._broken = "the kernel template exited"
            raise TemplateUnavailable(self._broken)
        return json.loads(line)

    def wait_ready(self) -> None:
        """Block until the template has done its imports (the first fork waits for this)."""
        with self._lock:
            self._wait_ready_locked()

    def _wait_ready_locked(self) -> None:
        if self._ready:
            return
        if self._broken:
            raise TemplateUnavailable(self._broken)
        message = self._read()
        if not message.get("ready"):
            self._broken = message.get("error", "the kernel template did not start")
            raise TemplateUnavailable(self._broken)
        self._ready = True
        self.ready_seconds = time.perf_counter() - self.started

    def fork(self, argv: list[str], env: dict[str, str] | None, cwd: str | None) -> int:
        """A new kernel process running ``ipykernel_launcher argv``; its pid (also its process group)."""
        request = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode() + b"\n"
        with self._lock:
            self._wait_ready_locked()
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(request)
                self.proc.stdin.flush()
            except (OSError, ValueError) as exc:
                self._broken = f"the kernel template is gone ({exc})"
                raise TemplateUnavailable(self._broken) from None
            reply = self._read()
        if "pid" not in reply:
            raise TemplateUnavailable(reply.get("error", "the kernel template refused"))
        self.forks += 1
        return int(reply["pid"])

    def close(self) -> None:
        """Stop the template (its idle kernels, if any, die with it)."""
        with contextlib.suppress(Exception):
            if self.proc.stdin:
                self.proc.stdin.close()
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=2)
        if self.proc.poll() is None:
            with contextlib.suppress(Exception):
                self.proc.kill()
                self.proc.wait(timeout=2)
        with contextlib.suppress(Exception):
            if self.proc.stdout:
                self.proc.stdout.close()


class ForkedProcess:
    """A kernel forked by the template, with the parts of :class:`subprocess.Popen` jupyter_client uses.

    It is not this process's child, so its exit is seen through a pidfd (Linux) or ``kill(pid, 0)``.
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._signalled: int | None = None
        self._pidfd: int | None = None
        with contextlib.suppress(AttributeError, OSError):
            self._pidfd = os.pidfd_open(pid)

    def _exited(self, timeout: float = 0.0) -> bool:
        if self._pidfd is not None:
            readable, _, _ = select.select([self._pidfd], [], [], timeout)
            return bool(readable)
        deadline = time.monotonic() + timeout
        while True:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                return True
            except PermissionError:
                return False
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)

    def poll(self) -> int | None:
        if self.returncode is None and self._exited():
            self._finish()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not self._exited(1e9 if timeout is None else timeout):
                raise subprocess.TimeoutExpired([str(self.pid)], timeout or 0)
            self._finish()
        assert self.returncode is not None
        return self.returncode

    def _finish(self) -> None:
        self.returncode = -self._signalled if self._signalled else 0
        if self._pidfd is not None:
            with contextlib.suppress(OSError):
                os.close(self._pidfd)
            self._pidfd = None

    def send_signal(self, sig: int) -> None:
        if self.poll() is not None:
            return
        self._signalled = int(sig) if sig in (signal.SIGKILL, signal.SIGTERM) else self._signalled
        if self._pidfd is not None and hasattr(signal, "pidfd_send_signal"):
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(self._pidfd, sig)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, sig)
        if sig == signal.SIGKILL:  # and whatever the kernel started in its own process group
            with contextlib.suppress(OSError):
                os.killpg(self.pid, signal.SIGKILL)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def __del__(self) -> None:
        if self._pidfd is not None:
            with contextlib.suppress(OSError):
                os.close(self._pidfd)


_TEMPLATE: Template | None = None
_TEMPLATE_LOCK = threading.Lock()


def start_template(kernel: str, counties: list[str] | None = None) -> Template | None:
    """Start this process's template for ``kernel`` (if not running); its imports run beside what runs next.

    ``counties`` are data folders whose county description it reads once before forking.

    Returns None (kernels then start the ordinary way) when the kernel cannot be forked: its kernelspec does not
    run ``ipykernel_launcher`` with this interpreter, or ``$CSA_FORK_KERNELS`` is ``0``.
    """
    global _TEMPLATE
    if os.environ.get(FORK_ENV, "1").strip() == "0":
        return None
    interpreter = _interpreter(kernel)
    if interpreter is None:
        return None
    with _TEMPLATE_LOCK:
        if _TEMPLATE is None or not _TEMPLATE.alive() or _TEMPLATE.interpreter != interpreter:
            if _TEMPLATE is not None:
                _TEMPLATE.close()
            _TEMPLATE = Template(interpreter, counties)
        return _TEMPLATE


def stop_template() -> None:
    """Stop this process's template, if any."""
    global _TEMPLATE
    with _TEMPLATE_LOCK:
        template, _TEMPLATE = _TEMPLATE, None
    if template is not None:
        template.close()


def current_template() -> Template | None:
    """The running template, or None."""
    return _TEMPLATE


def _interpreter(kernel: str) -> list[str] | None:
    """The kernelspec's command before ``-m ipykernel_launcher``, if it runs this interpreter; else None."""
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        argv = list(KernelSpecManager().get_kernel_spec(kernel).argv)
    except (NoSuchKernel, OSError, ValueError):
        return None
    return interpreter_of(argv)


def interpreter_of(argv: list[str]) -> list[str] | None:
    """``argv[:i]`` where ``argv[i:i+2]`` is ``-m ipykernel_launcher`` and ``argv[0]`` is this interpreter.

    Examples
    --------
    >>> import sys
    >>> interpreter_of([sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json"])[1:]
    ['-Xfrozen_modules=off']
    >>> interpreter_of(["/opt/other/python", "-m", "ipykernel_launcher", "-f", "c.json"]) is None
    True
    """
    for i in range(1, len(argv) - 1):
        if argv[i] == "-m" and argv[i + 1] == "ipykernel_launcher":
            with contextlib.suppress(OSError):
                if Path(argv[0]).resolve() == Path(sys.executable).resolve():
                    return argv[:i]
            return None
    return None


def _provisioner_class() -> type:
    from jupyter_client.provisioning import LocalProvisioner

    class ForkProvisioner(LocalProvisioner):
        """A LocalProvisioner whose kernel is forked from the template (an ordinary start if it cannot be)."""

        forked = False

        async def launch_kernel(self, cmd: list[str], **kwargs: Any):  # type: ignore[override]
            template = current_template()
            interpreter = interpreter_of(cmd)
            if template is not None and interpreter == template.interpreter:
                argv = cmd[len(interpreter) + 2:]
                env = kwargs.get("env")
                cwd = kwargs.get("cwd")
                try:
                    pid = template.fork(argv, dict(env) if env else None, str(cwd) if cwd else None)
                except TemplateUnavailable:
                    pass
                else:
                    self.process = ForkedProcess(pid)
                    self.pid = self.pgid = pid
                    self.cwd = cwd or Path.cwd()
                    self.forked = True
                    return self.connection_info
            return await super().launch_kernel(cmd, **kwargs)

    return ForkProvisioner


_PROVISIONER: type | None = None


def fork_provisioner(kernel_manager) -> Any:
    """The provisioner for ``kernel_manager``: forked from the template when one runs, else ordinary."""
    global _PROVISIONER
    if _PROVISIONER is None:
        _PROVISIONER = _provisioner_class()
    return _PROVISIONER(kernel_id=kernel_manager.kernel_id, kernel_spec=kernel_manager.kernel_spec,
                        parent=kernel_manager)


if __name__ == "__main__":
    serve(sys.argv[1:])
