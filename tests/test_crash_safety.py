"""A run killed mid-way (SIGKILL) leaves the previous pack intact; the next run completes and tidies up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from datafactory import SAMPLE_DIR, previous_pack, tree_hashes


def test_sigkill_mid_run_keeps_the_previous_pack_and_a_rerun_completes(tmp_path):
    out = tmp_path / "pack"
    before = previous_pack(out)
    env = {**os.environ, "CSA_CACHE_DIR": str(tmp_path / "cache")}
    argv = [sys.executable, "-m", "csa_analysis.cli", "assess", "--data", str(SAMPLE_DIR), "--out", str(out),
            "--quiet", "--jobs", "2", "--districts", "Melton,Blaby"]
    proc = subprocess.Popen(argv, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    staging = None
    while time.monotonic() < deadline and proc.poll() is None:
        found = list(tmp_path.glob(".pack.tmp-*/districts/*.ipynb"))
        if found:  # notebooks are running: kill in the middle of the run
            staging = found[0].parent.parent
            break
        time.sleep(0.1)
    assert staging is not None, "the run never reached the report stage"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert tree_hashes(out) == before  # the good pack is untouched
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Strategic assessment" in (out / "districts" / "melton.html").read_text()
    assert (out / "index.html").read_text() != "last quarter's good pack"
    assert not list(tmp_path.glob(".pack.tmp-*")) and not list(tmp_path.glob(".pack.old-*"))
