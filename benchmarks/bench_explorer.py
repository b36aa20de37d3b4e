"""Benchmark: milliseconds per week of the explorer (`vraem app`) on the default scenario.

Run with `make bench-explorer` (or `.venv/bin/python benchmarks/bench_explorer.py [--repeats
N]`). Timing lives here, never in the tests. Each repeat builds a fresh explorer on the shipped
baseline with its default settings (the baseline stepped beside it) and steps 52 weeks; it
prints the median over repeats of:

- the pure model step (`VraemModel.step`, one run), for reference;
- the explorer's step (the run and the baseline beside it);
- the explorer's step plus the page's render of its default view, as Solara does it after each
  step of Mesa's controller (the page's components rendered with `solara.render`, widgets
  updated: the six charts' options, the totals, the event log, the settings table, the actions,
  and the route map redrawn every FLOW_WEEKS weeks), as the mean over the 52 weeks and the
  slowest week (a map week).

Not measured: sending the widgets' changes to the browser and the browser drawing them.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import solara
from mesa.visualization.utils import force_update

from sim.app.page import Dashboard
from sim.app.route_map import live_map
from sim.app.settings import defaults
from sim.app.state import FLOW_WEEKS, Explorer
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


def explorer_steps(repeats: int, view: bool, weeks: int = WEEKS) -> tuple[list[float], list[float]]:
    """ms per explorer step over `weeks` steps (with `view`: plus the page's render after it, as
    Mesa's controller triggers it), one mean and one slowest week per repeat."""
    values = defaults(load_scenario(BASELINE))
    means, slowest = [], []
    for _ in range(repeats):
        ex = Explorer(str(BASELINE), **values)
        live_map(ex.run.model.network)  # drawn once per network when the page opens
        context = solara.render(Dashboard(ex), handle_error=False)[1] if view else None
        times = []
        for _ in range(weeks):
            start = time.perf_counter()
            ex.step()
            if view:
                force_update()  # what Mesa's controller does after a step: the page re-renders
            times.append((time.perf_counter() - start) * 1000)
        if context is not None:
            context.close()
        means.append(statistics.fmean(times))
        slowest.append(max(times))
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
        f"explorer step + the page's render (Solara, no browser; map every {FLOW_WEEKS} weeks): "
        f"median {statistics.median(viewed):.1f} ms per week (n={repeats}); slowest week "
        f"median {statistics.median(slowest):.1f} ms"
    )


if __name__ == "__main__":
    main()
