"""Benchmark: milliseconds per week of the explorer (`vraem app`) on the default scenario.

Run with `.venv/bin/python benchmarks/bench_explorer.py [--repeats N]`. Timing lives here, never
in the tests. Each repeat builds a fresh explorer on the shipped baseline with its default
settings (the baseline stepped beside it) and steps 52 weeks; it prints the median over repeats
of:

- the pure model step (`VraemModel.step`, one run), for reference;
- the explorer's step (the run and the baseline beside it);
- the explorer's step plus what the page recomputes each week for its default view: the six
  charts' options, the totals, the event log and the settings table, and the route map, redrawn
  every FLOW_WEEKS weeks (its cost spread over those weeks; the slowest week is printed too).

Not measured: Solara's diffing and the browser drawing the charts (done in the browser).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from sim.app.charts import chart_options
from sim.app.route_map import live_map
from sim.app.settings import defaults
from sim.app.state import FLOW_WEEKS, Explorer
from sim.app.views import log_html, settings_html, totals_so_far
from sim.model import VraemModel
from sim.runner.seeds import replicate_seeds
from sim.scenarios import load_scenario

REPO = Path(__file__).resolve().parent.parent
BASELINE = REPO / "scenarios" / "baseline.yaml"
WEEKS = 52


def model_steps(repeats: int) -> list[float]:
    """ms per step of the bare model, one value per repeat."""
    sc = load_scenario(BASELINE)
    out = []
    for seed in replicate_seeds(sc.seed, repeats):
        model = VraemModel(sc, seed)
        start = time.perf_counter()
        for _ in range(WEEKS):
            model.step()
        out.append((time.perf_counter() - start) * 1000 / WEEKS)
    return out


def explorer_steps(repeats: int, view: bool) -> tuple[list[float], list[float]]:
    """ms per explorer step (with `view`: plus the default view's recomputation), one mean and
    one slowest week per repeat."""
    values = defaults(load_scenario(BASELINE))
    means, slowest = [], []
    for _ in range(repeats):
        ex = Explorer(str(BASELINE), **values)
        live_map(ex.run.model.network)  # drawn once per network when the page opens
        weeks = []
        for _ in range(WEEKS):
            start = time.perf_counter()
            ex.step()
            if view:
                chart_options(ex)
                totals_so_far(ex.run), totals_so_far(ex.twin)
                log_html(ex, violence=True)
                settings_html(ex)
                if ex.week % FLOW_WEEKS == 0:
                    live_map(ex.run.model.network).png(ex.run.flows_t_per_year(), "flows")
            weeks.append((time.perf_counter() - start) * 1000)
        means.append(statistics.fmean(weeks))
        slowest.append(max(weeks))
    return means, slowest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    repeats = max(5, parser.parse_args().repeats)
    bare = model_steps(repeats)
    stepped, _ = explorer_steps(repeats, view=False)
    viewed, slowest = explorer_steps(repeats, view=True)
    print(f"model step (one run), baseline: median {statistics.median(bare):.1f} ms (n={repeats})")
    print(
        f"explorer step (run + baseline beside it): median {statistics.median(stepped):.1f} ms"
        f" (n={repeats})"
    )
    print(
        f"explorer step + default view (charts, totals, log, map every {FLOW_WEEKS} weeks): "
        f"median {statistics.median(viewed):.1f} ms per week (n={repeats}); slowest week "
        f"median {statistics.median(slowest):.1f} ms"
    )


if __name__ == "__main__":
    main()
