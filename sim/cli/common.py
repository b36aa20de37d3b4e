"""What the `vraem` commands share: consoles, error exits, progress bars, the source line."""

from __future__ import annotations

import shutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sim.config.loader import ConfigError

err = Console(stderr=True)
out = Console()


def print_bad_input(exc: ConfigError) -> None:
    """The error on stderr: every problem it holds, one a line, printed as written (a key such
    as `list[str]` is not read as console markup)."""
    err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)


def fail_bad_input(exc: ConfigError) -> None:
    """Print the bad-input error and exit 2."""
    print_bad_input(exc)
    raise typer.Exit(2)


def progress_bar(*counted: ProgressColumn, eta: bool = True) -> Progress:
    """The commands' progress bar on stderr: description, bar, done/total, any `counted`
    columns, elapsed time and (with `eta`) the time remaining."""
    columns = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        *counted,
        TimeElapsedColumn(),
    ]
    if eta:
        columns += [TextColumn("ETA"), TimeRemainingColumn()]
    return Progress(*columns, console=err)


def run_with_progress(scenario, workers: int | None):
    """Run a scenario's replicates with a progress bar on stderr."""
    from sim.runner.batch import default_workers, run_scenario

    n_workers = min(workers or default_workers(), scenario.replicates)
    with progress_bar() as progress:
        task = progress.add_task(f"{scenario.name}: replicates", total=scenario.replicates)
        return run_scenario(
            scenario,
            workers=n_workers,
            on_done=lambda done, total: progress.update(task, completed=done),
        )


def source_line(scenario) -> str:
    from sim import __version__

    return f"vraem-sim {__version__}, {scenario.replicates} replicates, seed {scenario.seed}"


def internal_error(exc: BaseException, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    err.print(
        f"[bold red]internal error:[/] {type(exc).__name__}: {exc}"
        + ("" if debug else " (run again with --debug for the traceback)"),
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(1)


# ----------------------------------------------------------------------------------------------
# figures that fail to draw: the data is kept
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FiguresFailed:
    """Drawing raised `error` after the data was written; the data is kept."""

    error: Exception


def keep_data_if_drawing_fails(
    draw: Callable[[Any, Path], None], failed: list[FiguresFailed]
) -> Callable[[Any, Path], None]:
    """`draw(result, fig_dir)` that, instead of raising (which would discard the whole result
    folder), appends the failure to `failed` and removes the half-drawn `fig_dir`."""

    def draw_or_note(result: Any, fig_dir: Path) -> None:
        try:
            draw(result, fig_dir)
        except Exception as exc:  # any bug or I/O error while drawing: keep the data
            failed.append(FiguresFailed(exc))
            shutil.rmtree(fig_dir, ignore_errors=True)

    return draw_or_note


def figures_failed(failure: FiguresFailed, folder: Path, redraw: str, debug: bool) -> None:
    """One line on stderr: the figures failed, where the data is, how to draw them again
    (`redraw`); exit 1. The traceback only with --debug."""
    exc = failure.error
    if debug:
        traceback.print_exception(exc)
    err.print(
        f"[bold red]error:[/] the figures could not be drawn ({type(exc).__name__}: {exc}); "
        f"the data is kept in {folder}: {redraw}"
        + ("" if debug else " (run again with --debug for the traceback)"),
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(1)
