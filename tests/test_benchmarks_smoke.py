"""A small-scale run of the benchmark code (no timing is asserted: speed lives in make bench)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_benchmark_code_runs_end_to_end_on_smoke_data(tmp_path):
    out = tmp_path / "smoke.json"
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--smoke", "--no-reports", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    names = [f["name"] for f in result["figures"]]
    assert len(names) == 6 and names[0].startswith("ingest")
    for f in result["figures"]:
        assert set(f) >= {"name", "rows", "seconds", "baseline", "baseline_seconds", "ratio", "spread", "met"}
        assert f["seconds"] > 0
        assert f["spread"]["runs"] == len(f["all_seconds"]) and f["spread"]["min"] <= f["spread"]["max"]
    ingest = result["figures"][0]
    assert ingest["rows"] == 12_000
    assert ingest["ratio"] == pytest.approx(ingest["seconds"] / ingest["baseline_seconds"], rel=0.05)
    assert result["machine"]["cores"] >= 1


def test_generator_writes_police_uk_shaped_files(tmp_path):
    from benchmarks.generate import SMOKE, generate
    from csa_analysis.config.county import read_county
    from csa_analysis.ingest.counts import load_dataset

    root = generate(tmp_path / "gen", SMOKE)
    county = read_county(root)
    ds = load_dataset(county)
    assert ds.quality["rows_read"] == SMOKE.rows
    asb = (ds.records["issue"] == "Anti-social behaviour").mean()
    assert 0.25 < asb < 0.35
    assert 0.005 < ds.quality["unallocated"] / SMOKE.rows < 0.02
    assert len(county.districts) == SMOKE.districts


@pytest.mark.skipif(not Path("/proc/stat").is_file(), reason="the machine's busy time is read from /proc/stat")
def test_a_commands_machine_cpu_counts_at_least_the_cpu_of_its_own_processes():
    argv = [sys.executable, "-c", "sum(i * i for i in range(3_000_000))"]
    out = subprocess.run([sys.executable, "-m", "benchmarks.measures", "command", json.dumps({"argv": argv})],
                         cwd=ROOT, capture_output=True, text=True, check=True)  # a fresh process, as make bench
    done = json.loads(out.stdout.strip().splitlines()[-1])
    assert done["cpu_seconds"] > 0.05
    assert done["machine_cpu_seconds"] >= done["cpu_seconds"] - 0.05  # whole ticks of 10 ms, rounded down
