"""Benchmark: wall time of one baseline replicate and of the default baseline run.

Run with `make bench` (or `.venv/bin/python benchmarks/bench_model.py`). Timing lives here, never
in the tests. Prints one line per measurement; `--quick` measures only one replicate.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from sim.model import VraemModel
from sim.runner.batch import run_scenario
from sim.runner.seeds import replicate_seeds
from sim.scenarios import load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


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
    args = parser.parse_args()

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
