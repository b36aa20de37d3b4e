"""`vraem compare --robustness FILE`: the comparison again at every parameter set of a design.

The option's help, loading the file (bad input exits 2 from the caller), running the parameter
sets with the sweep's progress bar, and the closing lines: one per headline finding.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.progress import TextColumn

from sim.cli.common import err, out, progress_bar

ROBUSTNESS = typer.Option(
    "--robustness",
    metavar="SWEEP.yaml",
    help="Also check every headline finding across plausible parameters: the design part of a "
    "sweep file (method, samples, parameters with ranges; optional replicates, default the "
    "comparison's) picks the parameter sets; at each, every scenario and the baseline run paired "
    "on the comparison's seeds. A finding holds in a set when its effect there has the same "
    "direction with its 90% interval excluding zero (a 'no clear change' when the interval "
    "includes zero there too); most sensitive = the parameter with the largest absolute "
    "Spearman correlation with the effect across the sets. Writes robustness.csv. Example: "
    "scenarios/sweeps/robustness.yaml.",
)


def load(path: Path, plan):
    """The robustness file checked against the plan's scenarios (raises ConfigError)."""
    from sim.sweep.robustness import load_robustness

    return load_robustness(path, [*plan.baselines.values(), *plan.scenarios])


def run(robustness, plan, executor, windows=()):
    """Run every parameter set with a progress bar on stderr (runs done, sets failed)."""
    from sim.sweep.robustness import run_robustness

    sets = len(robustness.points)
    with progress_bar(TextColumn("runs, [red]{task.fields[failed]} sets failed[/]")) as progress:
        task = progress.add_task(f"robustness: {sets} parameter sets", total=None, failed=0)

        def on_progress(done: int, total: int, failed: int) -> None:
            progress.update(task, completed=done, total=total, failed=failed)

        return run_robustness(
            robustness, plan, executor=executor, on_progress=on_progress, windows=windows
        )


def report(table: pd.DataFrame, robustness, runs, replicates: int) -> None:
    """The robustness block of the summary: what was done, then one line per headline finding;
    a warning naming the sets that failed."""
    from sim.report.robustness import HOLDS_MEANS, SENSITIVITY_MEANS, robustness_lines

    spec = robustness.spec
    varied = _count(len(spec.parameters), "parameter")
    out.print(
        f"[bold]Robustness across parameters[/] ({robustness.path.name}: {spec.method}, "
        f"{len(robustness.points)} parameter sets over {varied}; "
        f"{robustness.replicates_text(replicates)}, on the comparison's seeds)",
        highlight=False,
        soft_wrap=True,
    )
    out.print(f"{HOLDS_MEANS[:1].upper()}{HOLDS_MEANS[1:]}; {SENSITIVITY_MEANS}.", soft_wrap=True)
    for line in robustness_lines(table):
        out.print(f"- {line}", highlight=False, soft_wrap=True)
    for number, error in runs.failed.items():
        err.print(
            f"[yellow]warning:[/] parameter set {number} failed and is left out: {error}",
            highlight=False,
            soft_wrap=True,
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
