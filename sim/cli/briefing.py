"""`vraem compare` and `vraem brief`: scenarios against a baseline, and the briefing.

`compare` runs the baseline and every scenario with common random numbers (same seeds) and writes
a comparison folder: the runs (`runs/<name>/`), `comparison.csv`, `comparison.xlsx`,
`exit_shares.csv`, `figures/` (PNG and SVG), `briefing.md` and `briefing.pdf`; with
`--no-figures` only the runs and the tables. `brief` redraws the tables, figures and briefing
from such a folder, or from `vraem run` folders (baseline first, same seeds), without running the
model. Both build the folder in a temporary sibling and rename it into place: nothing
half-written. The folder is locked while it is written, and replaced only if it holds an earlier
comparison and nothing else (`sim.runner.outputs`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import (
    FiguresFailed,
    err,
    fail_bad_input,
    figures_failed,
    internal_error,
    out,
    progress_bar,
)
from sim.cli.outputs import FOCUS, FORCE, WINDOW
from sim.cli.robustness import ROBUSTNESS
from sim.config.loader import ConfigError
from sim.runner.layout import ResultKind

COMPARE = ResultKind.COMPARE
DEFAULT_OUT = Path("outputs/compare")
FIGURES_PER_SCENARIO = 4  # plus one summary figure
INTERRUPTED = 130  # exit code after Ctrl-C, as for `vraem run`


def compare(
    baseline_file: Annotated[
        Path, typer.Argument(metavar="BASELINE.yaml", help="Baseline scenario YAML.")
    ],
    scenario_files: Annotated[
        list[Path],
        typer.Argument(
            metavar="SCENARIO.yaml", help="Scenario YAML files to compare with the baseline."
        ),
    ],
    replicates: Annotated[
        int | None, typer.Option(min=1, help="Seeded replicates (default: each scenario's).")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Master seed for every run.")] = None,
    weeks: Annotated[
        int | None, typer.Option(min=1, help="Horizon in weeks (default: each scenario's).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Local worker processes (default: cores).")
    ] = None,
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="Comparison folder (replaced if it holds an earlier one)."),
    ] = DEFAULT_OUT,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help="Override a key in every file: --set security.effectiveness=0.5"
        ),
    ] = None,
    force: Annotated[bool, FORCE] = False,
    no_figures: Annotated[
        bool,
        typer.Option(
            "--no-figures",
            help="Skip the figures, briefing.md and briefing.pdf: write the runs and tables only "
            "(`vraem brief` draws the rest later).",
        ),
    ] = False,
    focus: Annotated[str | None, FOCUS] = None,
    window: Annotated[list[str] | None, WINDOW] = None,
    robustness_file: Annotated[Path | None, ROBUSTNESS] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Run scenarios and the baseline on the same seeds; write the comparison and the briefing.

    Effects are measured over each scenario's windows: while its interventions run, after they
    end, and in the first year after the first one (or the windows given with --window). With
    --robustness, each headline finding is also checked across plausible parameter sets.
    """
    from sim.cli import robustness as robust
    from sim.report.compare import plan_comparison
    from sim.report.publish import graph_for
    from sim.runner.outputs import writing
    from sim.runner.results import check_comparison_target

    given = {"replicates": replicates, "seed": seed, "weeks": weeks}
    overrides = [*(set_ or []), *(f"{k}={v}" for k, v in given.items() if v is not None)]
    try:
        check_comparison_target(out_dir, force=force)
        plan = plan_comparison(baseline_file, scenario_files, overrides)
        for sc in plan.scenarios:
            graph_for(sc)  # a bad network data folder is bad input: say so before running
        check_focus(focus, [sc.name for sc in plan.scenarios])
        windows = check_windows(window, plan.scenarios)
        checked = robust.load(robustness_file, plan) if robustness_file else None
    except ConfigError as exc:
        fail_bad_input(exc)
    runs = [*plan.baselines.values(), *plan.scenarios]
    _warn_if_few_replicates(min(sc.replicates for sc in plan.scenarios))
    tasks = max(sc.replicates for sc in runs)
    if checked is not None and checked.spec.replicates:
        tasks = max(tasks, checked.spec.replicates)
    executor = _executor(workers, tasks)
    table = robust_runs = None
    try:
        with writing(out_dir, COMPARE, force=force, command=sys.argv):
            pairs = with_windows(_run(plan, executor), windows)
            if checked is not None:
                from sim.sweep.robustness import robustness_findings

                robust_runs = robust.run(checked, plan, executor, windows)
                table = robustness_findings(checked, pairs, robust_runs)
            executor.shutdown(wait=True)  # free the workers before drawing
            folder, written = _write(
                pairs,
                out_dir,
                kind="compare",
                force=force,
                figures=not no_figures,
                focus=focus,
                robustness=table,
            )
    except ConfigError as exc:
        fail_bad_input(exc)
    except KeyboardInterrupt:
        _stop(executor)
        err.print("interrupted: no comparison folder was written", soft_wrap=True)
        raise typer.Exit(INTERRUPTED) from None
    except Exception as exc:  # an internal error, not bad input
        internal_error(exc, debug)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
    if isinstance(written, FiguresFailed):
        figures_failed(written, folder, f"draw them with `vraem brief {folder}`", debug)
    _report(written, folder)
    if checked is not None:
        from sim.report.wording import scenario_titles, titles_of

        fewest = min(sc.replicates for sc in plan.scenarios)
        with scenario_titles(titles_of(plan.scenarios)):
            robust.report(table, checked, robust_runs, fewest)


def brief(
    result_dirs: Annotated[
        list[Path],
        typer.Argument(
            metavar="RESULT_DIR",
            help="A `vraem compare` folder, or `vraem run` folders with the baseline first.",
        ),
    ],
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Where to write (default: the compare folder itself; for run folders "
            f"{DEFAULT_OUT}).",
        ),
    ] = None,
    force: Annotated[bool, FORCE] = False,
    focus: Annotated[str | None, FOCUS] = None,
    window: Annotated[list[str] | None, WINDOW] = None,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Redraw the tables, figures and briefing from saved results, without running the model
    (a compare folder's robustness.csv is kept and told again)."""
    from sim.report.compare import load_comparison, pair_run_folders
    from sim.report.robustness import read_robustness
    from sim.runner.folders import folder_kind
    from sim.runner.results import check_comparison_target

    try:
        kinds = [folder_kind(d) for d in result_dirs]
        if kinds == ["compare"]:
            pairs, sources, created = load_comparison(result_dirs[0])
            robustness = read_robustness(result_dirs[0])
            target = out_dir or result_dirs[0]
        elif kinds and all(k == "run" for k in kinds):
            pairs, sources = pair_run_folders(result_dirs)
            created = robustness = None
            target = out_dir or DEFAULT_OUT
        else:
            bad = result_dirs[kinds.index("compare")] if "compare" in kinds else result_dirs[0]
            raise ConfigError(
                bad,
                "",
                "expected a single `vraem compare` folder, or two or more `vraem run` folders "
                "(the baseline first), not a mix",
            )
        check_comparison_target(target, force=force)
        check_focus(focus, [p.name for p in pairs])
        pairs = with_windows(pairs, check_windows(window, [p.scenario.scenario for p in pairs]))
    except ConfigError as exc:
        fail_bad_input(exc)
    try:
        folder, written = _write(
            pairs,
            target,
            kind="brief",
            sources=sources,
            created=created,
            force=force,
            focus=focus,
            robustness=robustness,
        )
    except ConfigError as exc:
        fail_bad_input(exc)
    except KeyboardInterrupt:
        err.print("interrupted: the folder was left as it was")
        raise typer.Exit(INTERRUPTED) from None
    except Exception as exc:
        internal_error(exc, debug)
    _report(written, folder)


def check_focus(focus: str | None, names: list[str]) -> None:
    """Raise ConfigError unless `focus` is None or the name of a compared scenario."""
    if focus is not None and focus not in names:
        raise ConfigError(
            "command line",
            "--focus",
            f"expected the name of a compared scenario: {', '.join(names)} (got '{focus}')",
        )


def check_windows(texts: list[str] | None, scenarios):
    """The `--window` specs, parsed and checked against every scenario (ConfigError if one
    is malformed or lies outside a run)."""
    from sim.report.windows import parse_windows

    specs = parse_windows(texts)
    for sc in scenarios:
        for spec in specs:
            spec.resolve(sc)
    return specs


def with_windows(pairs, specs):
    """The pairs, measured over the `--window` specs (the default windows if none)."""
    for p in pairs:
        p.custom_windows = tuple(specs)
    return pairs


def _warn_if_few_replicates(fewest: int) -> None:
    """Say in bold, before running, that fewer than FEW_REPLICATES pairs give wide intervals."""
    from sim.report.effects import FEW_REPLICATES

    if fewest < FEW_REPLICATES:
        err.print(
            f"[bold yellow]warning: only {fewest} paired replicates: the intervals will be wide "
            f"and the briefing says so on page 1; use --replicates {FEW_REPLICATES} or more "
            "before acting on the results[/]",
            highlight=False,
            soft_wrap=True,
        )


def _executor(workers: int | None, tasks: int):
    """A pool of local workers (inline for one), no larger than the number of tasks."""
    from sim.runner.batch import default_workers, make_executor

    return make_executor(max(1, min(workers or default_workers(), tasks)))


def _run(plan, executor):
    """Run the plan on the pool, with a progress bar per run on stderr."""
    from sim.report.compare import run_plan

    with progress_bar(eta=False) as progress:

        def on_start(sc):
            task = progress.add_task(f"{sc.name}: replicates", total=sc.replicates)
            return lambda done, total: progress.update(task, completed=done)

        return run_plan(plan, executor=executor, on_start=on_start)


def _write(
    pairs,
    target: Path,
    *,
    kind: str,
    sources=None,
    created=None,
    force: bool = False,
    figures: bool = True,
    focus: str | None = None,
    robustness=None,
):
    """Build the folder in a temporary sibling, then move it into place (under its lock)."""
    from sim.report.compare import copy_runs, save_runs
    from sim.runner.outputs import staged_folder

    if figures:
        err.print(f"drawing {FIGURES_PER_SCENARIO * len(pairs) + 1} figures and the briefing ...")
    with staged_folder(target, COMPARE, force=force, command=sys.argv) as tmp:
        if kind == "compare":
            created = save_runs(pairs, tmp, command=sys.argv)
        else:
            created = copy_runs(pairs, sources, tmp, command=sys.argv, created=created)
        written = _briefing(
            pairs,
            tmp,
            created,
            keep_data=kind == "compare",
            figures=figures,
            focus=focus,
            robustness=robustness,
        )
    return target.resolve(), written


def _report(written, folder: Path) -> None:
    from sim.report.briefing import MAX_PAGES
    from sim.report.publish import TABLE_FILES

    out.print("[bold]Key findings[/]")
    for line in written.findings:
        out.print(f"- {line}", highlight=False, soft_wrap=True)
    if not written.drawn:
        out.print(
            f"--no-figures: tables ({', '.join(TABLE_FILES)}) and runs in {folder}; no figures, "
            f"briefing.md or briefing.pdf (draw them with `vraem brief {folder}`)",
            highlight=False,
            soft_wrap=True,
        )
        return
    if written.pages > MAX_PAGES:
        err.print(
            f"note: briefing.pdf has {written.pages} pages, more than {MAX_PAGES}: compare fewer "
            "scenarios at a time for a short briefing"
        )
    out.print(f"briefing ({written.pages} pages), table and figures in {folder}")


def _stop(executor) -> None:
    """After Ctrl-C: cancel the queued runs and end the workers without waiting for them."""
    from sim.runner.batch import stop_executor

    stop_executor(executor)


def _briefing(
    pairs,
    folder: Path,
    created: str,
    *,
    keep_data: bool,
    figures: bool = True,
    focus: str | None = None,
    robustness=None,
):
    """Write the tables (with `robustness`, robustness.csv too) and (with `figures`) the figures
    and briefing into `folder`. If this fails and `keep_data` (the runs were made now, not
    copied), return FiguresFailed instead of raising and leave only the runs, comparison.json
    and robustness.csv in the folder, from which `vraem brief` draws everything again."""
    import shutil

    from sim.report.publish import write_briefing
    from sim.report.robustness import ROBUSTNESS_FILE
    from sim.runner.results import MANIFEST_FILE, RUNS_DIR

    try:
        return write_briefing(
            pairs, folder, created, figures=figures, focus=focus, robustness=robustness
        )
    except Exception as exc:  # any bug or I/O error while drawing: keep the runs
        if not keep_data:
            raise
        for entry in folder.iterdir():
            if entry.name not in (RUNS_DIR, MANIFEST_FILE, ROBUSTNESS_FILE):
                if entry.is_dir():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        return FiguresFailed(exc)
