"""Regenerate the golden result: `python tests/golden/make_golden.py`.

Only do this in a commit of its own that says why the pinned result had to change (e.g. a move
that changes the order of random draws, or a deliberate change of behaviour).
"""

from __future__ import annotations

from pathlib import Path

from sim.runner.batch import run_scenario
from sim.scenarios import load_scenario

HERE = Path(__file__).resolve().parent
SCENARIOS = HERE.parent.parent / "scenarios"
GOLDEN_SCENARIOS = ("baseline", "decapitation", "interdiction_surge_callao")
REPLICATES, WEEKS, SEED = 2, 104, 20231113
TABLES = ("timeseries", "exits", "edge_flows", "events")


def golden_run(name: str):
    """The pinned run of one shipped scenario."""
    sc = load_scenario(SCENARIOS / f"{name}.yaml")
    sc = sc.model_copy(update={"replicates": REPLICATES, "weeks": WEEKS, "seed": SEED})
    return run_scenario(sc, workers=1)


def main() -> None:
    for name in GOLDEN_SCENARIOS:
        result = golden_run(name)
        for table in TABLES:
            getattr(result, table).to_parquet(HERE / f"{name}.{table}.parquet", index=False)
        print(f"{name}: {len(result.timeseries)} rows, {len(result.events)} events")


if __name__ == "__main__":
    main()
