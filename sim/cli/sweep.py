"""`vraem sweep`: many runs over a parameter design, locally or on a Dask cluster."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, TaskID, TextColumn

from sim.cli.common import err, fail_bad_input, internal_error, out, progress_bar
from sim.config.loader import ConfigError

FORCE_SWEEP = typer.Option(
    "--force",
    help="Discard an unfinished sweep at --out and start again, or replace a result of another "
    "kind. Never replaces a file, a folder with other files, a folder of results, '.', a parent "
    "of it, the home folder or '/'.",
)


class ExecutorKind(StrEnum):
    local = "local"
    dask = "dask"


def sweep(
    sweep_file: Annotated[Path, typer.Argument(help="Sweep YAML file (see scenarios/sweeps/).")],
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Worker processes (default: cores; with --scheduler: ignored)."),
    ] = None,
    executor: Annotated[
        ExecutorKind, typer.Option(help="Where runs execute: local processes or Dask.")
    ] = ExecutorKind.local,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786."),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Result folder (default outputs/<sweep name>/).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Finish an interrupted sweep in the same folder.")
    ] = False,
    force: Annotated[bool, FORCE_SWEEP] = False,
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Skip the figures.")] = False,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Run a parameter sweep: runs.parquet, time series, sensitivity indices, figures.

    Interrupted (Ctrl-C, crash, killed)? Run the same command with --resume: finished runs are
    kept (a run whose saved series is missing or damaged runs again) and only the missing ones
    run. Results do not depend on the executor or worker count. The folder is locked while the
    sweep runs.
    """
    from sim.runner.batch import default_workers
    from sim.runner.outputs import default_output_dir

    loaded = _load(sweep_file, executor, scheduler)
    try:
        target = out_dir or default_output_dir(loaded.spec.name, loaded.path)
    except ConfigError as exc:
        fail_bad_input(exc)
    outcome = _run(
        loaded,
        target,
        executor=executor.value,
        workers=workers or default_workers(),
        scheduler=scheduler,
        resume=resume,
        force=force,
        figures=not no_figures,
        debug=debug,
    )
    if outcome is not None:
        _report(outcome)


def _load(sweep_file: Path, executor: ExecutorKind, scheduler: str | None):
    """The loaded sweep; exit 2 on bad input (a bad file, --scheduler without dask)."""
    from sim.sweep.spec import load_sweep

    if scheduler and executor is not ExecutorKind.dask:
        fail_bad_input(ConfigError("--scheduler", "", "expected together with --executor dask"))
    try:
        return load_sweep(sweep_file)
    except ConfigError as exc:
        fail_bad_input(exc)


def _progress_callbacks(progress: Progress, task: TaskID):
    """`on_progress(done, total, failed)` and `on_executor(info)` for `run_sweep`."""

    def on_progress(done: int, total: int, failed: int) -> None:
        progress.update(task, completed=done, total=total, failed=failed)

    def on_executor(info) -> None:
        where = f" at {info.address}" if info.address else ""
        board = f"; dashboard {info.dashboard}" if info.dashboard else ""
        progress.console.print(
            f"executor: {info.kind}{where}, {info.workers} worker(s){board}", highlight=False
        )

    return on_progress, on_executor


def _run(
    loaded,
    target: Path,
    *,
    executor: str,
    workers: int,
    scheduler: str | None,
    resume: bool,
    force: bool,
    figures: bool,
    debug: bool,
):
    """Run the sweep with a progress bar; None if it was already complete. Exits 2 on bad input
    or an unusable executor, 130 on Ctrl-C, 1 on an internal error."""
    from sim.sweep.executors import ExecutorUnavailable
    from sim.sweep.results import write_sweep_outputs
    from sim.sweep.runner import SweepAlreadyComplete, SweepStateError, run_sweep

    with progress_bar(TextColumn("runs, [red]{task.fields[failed]} failed[/]")) as progress:
        task = progress.add_task(f"{loaded.spec.name}", total=None, failed=0)
        on_progress, on_executor = _progress_callbacks(progress, task)
        try:
            return run_sweep(
                loaded,
                target,
                executor=executor,
                workers=workers,
                scheduler=scheduler,
                resume=resume,
                force=force,
                on_progress=on_progress,
                on_executor=on_executor,
                command=sys.argv,
                finalize=lambda sw, design, runs, folder: write_sweep_outputs(
                    sw, design, runs, folder, figures=figures
                ),
            )
        except SweepAlreadyComplete as exc:
            progress.stop()
            out.print(str(exc))
            return None
        except SweepStateError as exc:
            progress.stop()
            fail_bad_input(ConfigError(target, "", str(exc)))
        except ConfigError as exc:  # --out refused by the output policy, or locked
            progress.stop()
            fail_bad_input(exc)
        except ExecutorUnavailable as exc:
            progress.stop()
            fail_bad_input(ConfigError("--scheduler", "", str(exc)))
        except KeyboardInterrupt:
            progress.stop()
            err.print(
                "interrupted: finished runs are kept; run the same command with --resume "
                "to finish the sweep",
                soft_wrap=True,
            )
            raise typer.Exit(130) from None
        except Exception as exc:
            progress.stop()
            internal_error(exc, debug)


def _report(outcome) -> None:
    """The closing lines: runs, failures, time and rate, where the results are."""
    rate = outcome.executed / outcome.wall_time_s * 60 if outcome.wall_time_s > 0 else 0.0
    out.print(
        f"{len(outcome.runs)} runs ({outcome.executed} run now, {outcome.failed} failed) in "
        f"{outcome.wall_time_s:.1f} s ({rate:.0f} runs/min); results in {outcome.folder}"
    )
    damaged = outcome.rerun_damaged
    if damaged:
        err.print(
            f"note: {damaged} run(s) ran again: their saved series was missing or damaged "
            "(listed under 'damaged' in sweep.json)"
        )
    manifest = json.loads((outcome.folder / "sweep.json").read_text(encoding="utf-8"))
    figures = manifest.get("outputs", {}).get("figures", [])
    if isinstance(figures, str) and "drawing failed" in figures:
        err.print(f"[yellow]warning:[/] figures: {figures}")
    if outcome.failed and outcome.failed == len(outcome.runs):
        first = outcome.runs["error"].dropna().iloc[0]
        err.print(
            f"error: all {outcome.failed} runs failed (first: {first}); their errors are in "
            "the 'error' column of runs.parquet"
        )
        raise typer.Exit(1)
    if outcome.failed:
        err.print(
            f"[yellow]warning:[/] {outcome.failed} run(s) failed; their errors are in the "
            "'error' column of runs.parquet"
        )
