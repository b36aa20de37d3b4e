"""Benchmark: wall time of one baseline replicate and of the default baseline run.

Run with `make bench-model` (or `.venv/bin/python benchmarks/bench_model.py`). Timing lives here,
never in the tests. Prints one line per measurement; `--quick` measures only one replicate.
`--against REV` also times one replicate of git revision REV (checked out into a temporary
folder and run with this interpreter), interleaved with this tree's, so both are measured in
the same run on the same machine: e.g. `--against 9984e49` (before the strategic armed group).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sim.model import VraemModel
from sim.runner.batch import run_scenario
from sim.runner.seeds import replicate_seeds
from sim.scenarios import load_scenario

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
ONE_REPLICATE = """
import time, sys
from sim.model import VraemModel
from sim.runner.seeds import replicate_seeds
from sim.scenarios import load_scenario
sc = load_scenario("scenarios/baseline.yaml")
seed = replicate_seeds(sc.seed, int(sys.argv[1]))[-1]
start = time.perf_counter()
VraemModel(sc, seed).run()
print(time.perf_counter() - start)
"""


def time_in(tree: Path, index: int) -> float:
    """Seconds for one 260-week baseline replicate of the code in `tree` (a fresh process)."""
    out = subprocess.run(
        [sys.executable, "-c", ONE_REPLICATE, str(index + 1)],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def compare_with(rev: str, repeats: int) -> None:
    """Time one replicate here and at `rev`, alternating, and print both and their ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "tree"
        archive = subprocess.run(
            ["git", "archive", rev], cwd=REPO, check=True, capture_output=True
        ).stdout
        other.mkdir()
        subprocess.run(["tar", "-x", "-C", str(other)], input=archive, check=True)
        here, there = [], []
        for i in range(repeats):
            there.append(time_in(other, i))
            here.append(time_in(REPO, i))
    a, b = statistics.median(here), statistics.median(there)
    print(f"one replicate, 260 weeks, this tree: median {a:.2f} s (n={repeats})")
    print(f"one replicate, 260 weeks, {rev}: median {b:.2f} s (n={repeats})")
    print(f"ratio this tree / {rev}: {a / b:.2f}")


def time_replicate(repeats: int) -> list[float]:
    """Seconds for one 260-week baseline replicate (construction + run), `repeats` times."""
    sc = load_scenario(BASELINE)
    times = []
    for seed in replicate_seeds(sc.seed, repeats):
        start = time.perf_counter()
        VraemModel(sc, seed).run()
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="only the single-replicate timing")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--against", metavar="REV", help="also time git revision REV")
    args = parser.parse_args()
    if args.against:
        compare_with(args.against, args.repeats)
        return

    times = time_replicate(args.repeats)
    print(
        f"one replicate, 260 weeks: median {statistics.median(times):.2f} s "
        f"(min {min(times):.2f}, max {max(times):.2f}, n={len(times)})"
    )
    if args.quick:
        return
    sc = load_scenario(BASELINE)
    for workers in (1, 2):
        result = run_scenario(sc, workers=workers)
        print(
            f"baseline, {sc.replicates} replicates x {sc.weeks} weeks, {workers} worker(s): "
            f"{result.wall_time_s:.1f} s"
        )


if __name__ == "__main__":
    main()
