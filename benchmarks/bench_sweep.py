"""Benchmark: sweep throughput (runs per minute) with 1 and 2 local workers and Dask on 2 workers.

    .venv/bin/python benchmarks/bench_sweep.py [SWEEP.yaml] [--configs local:1 local:2 dask:2]

Default sweep: scenarios/sweeps/callao_interdiction_x_arrest_week.yaml (208 runs of 312 weeks).
Each configuration runs the whole sweep into a temporary folder (time includes starting the
workers or the Dask cluster, writing the Parquet files and the analysis, not the figures) and
checks that runs.parquet is byte-identical across configurations. Timing lives here, never in
the tests.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sim.sweep.results import write_sweep_outputs
from sim.sweep.runner import run_sweep
from sim.sweep.spec import load_sweep

SWEEP = (
    Path(__file__).resolve().parent.parent
    / "scenarios"
    / "sweeps"
    / "callao_interdiction_x_arrest_week.yaml"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sweep", nargs="?", type=Path, default=SWEEP)
    parser.add_argument("--configs", nargs="+", default=["local:1", "local:2", "dask:2"])
    args = parser.parse_args()
    sweep = load_sweep(args.sweep)
    first: bytes | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for config in args.configs:
            kind, workers = config.split(":")
            start = time.perf_counter()
            outcome = run_sweep(
                sweep,
                Path(tmp) / config.replace(":", "_"),
                executor=kind,
                workers=int(workers),
                finalize=lambda s, d, r, f: write_sweep_outputs(s, d, r, f, figures=False),
            )
            wall = time.perf_counter() - start
            data = (outcome.folder / "runs.parquet").read_bytes()
            first = first or data
            print(
                f"{sweep.spec.name} {kind} x{workers}: {len(outcome.runs)} runs in {wall:.1f} s "
                f"= {len(outcome.runs) / wall * 60:.1f} runs/min; "
                f"runs.parquet identical to the first: {data == first}",
                flush=True,
            )


if __name__ == "__main__":
    main()
