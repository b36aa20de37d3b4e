"""The benchmark suite runs (its `--quick` version), so it cannot rot. No timing is asserted:
timing lives in benchmarks/run.py, never in a test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IDS = [f"B{i}" for i in range(1, 12)]


def test_the_quick_benchmark_suite_measures_every_figure_and_writes_its_results_file(tmp_path):
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--out", str(out)],
        cwd=tmp_path,  # the suite finds the repository from its own path
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["quick"] is True
    assert {"cpu", "cores", "python", "numpy", "mesa"} <= set(results["machine"])
    assert results["commit"] and results["date"]
    figures = {f["id"]: f for f in results["figures"]}
    assert list(figures) == IDS
    for f in figures.values():
        assert f["value"] > 0 and f["target"] and f["unit"]
        assert f["passed"] is None  # a quick figure is not compared with its target
    # the executors and Mesa's batch runner gave every run the same metrics
    assert figures["B5"]["detail"]["identical_results"] is True
    assert not list(tmp_path.glob("*.partial"))
    for line_id in IDS:
        assert f"\n{line_id} " in "\n" + done.stdout
