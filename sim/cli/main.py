"""The `vraem` command line: run and check scenarios.

Exit codes: 0 success; 2 bad input (a message naming the file, the key and what was expected,
for every problem found, one a line, no traceback); 1 unexpected internal error (traceback only
with --debug), also when only the figures failed: the result folder is then written all the
same, with its tables and manifest, and a one-line message says how to draw them again; 130
after Ctrl-C (one line, no traceback, also from worker processes).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.cli.briefing import brief, compare
from sim.cli.common import (
    FiguresFailed,
    err,
    fail_bad_input,
    figures_failed,
    internal_error,
    keep_data_if_drawing_fails,
    out,
    print_bad_input,
    run_with_progress,
    source_line,
)
from sim.cli.outputs import FORCE
from sim.cli.sweep import sweep
from sim.config.loader import ConfigError
from sim.scenarios import load_scenario

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="vraem-sim: simulate how the VRAEM cocaine economy reacts when it is disrupted.",
)


def package_version() -> str:
    """The installed version of vraem-sim (package metadata), else `sim.__version__`."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("vraem-sim")
    except PackageNotFoundError:  # a source tree that is not installed
        from sim import __version__

        return __version__


def _print_version(value: bool) -> None:
    if value:
        out.print(f"vraem-sim {package_version()}", highlight=False)
        raise typer.Exit(0)


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version (vraem-sim X.Y.Z) and exit.",
        ),
    ] = False,
) -> None:
    """vraem-sim: simulate how the VRAEM cocaine economy reacts when it is disrupted."""


@app.command()
def run(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    replicates: Annotated[
        int | None, typer.Option(min=1, help="Seeded replicates (default: the scenario's).")
    ] = None,
    seed: Annotated[int | None, typer.Option(min=0, help="Master seed.")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Local worker processes (default: cores).")
    ] = None,
    weeks: Annotated[int | None, typer.Option(min=1, help="Reported horizon (weeks).")] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Result folder (default outputs/<name>/).")
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Override a key: --set security.effectiveness=0.5"),
    ] = None,
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Skip the figures.")] = False,
    force: Annotated[bool, FORCE] = False,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Run a scenario's seeded replicates and write its result folder.

    --out is created, or replaced if it holds an earlier run result and nothing else.
    """
    from sim.runner.layout import ResultKind
    from sim.runner.outputs import default_output_dir, writing
    from sim.runner.results import write_result_folder

    drawing: list[FiguresFailed] = []
    try:
        overrides = list(set_ or [])
        for key, value in (("replicates", replicates), ("seed", seed), ("weeks", weeks)):
            if value is not None:
                overrides.append(f"{key}={value}")
        scenario = load_scenario(scenario_file, overrides)
        target = out_dir or default_output_dir(scenario.name, scenario_file)
        with writing(target, ResultKind.RUN, force=force, command=sys.argv) as folder:
            result = run_with_progress(scenario, workers)
            draw = None if no_figures else keep_data_if_drawing_fails(_draw_run_figures, drawing)
            write_result_folder(result, folder, draw=draw, command=sys.argv, force=force)
    except ConfigError as exc:
        fail_bad_input(exc)
    except KeyboardInterrupt:
        err.print("interrupted: no result folder was written", soft_wrap=True)
        raise typer.Exit(130) from None
    except Exception as exc:  # an internal error, not bad input
        internal_error(exc, debug)
    _print_headline(result)
    out.print(f"results in {folder} ({result.wall_time_s:.1f} s, {result.workers} worker(s))")
    if drawing:
        redraw = "run the same command again to draw them (the same seed gives the same results)"
        figures_failed(drawing[0], folder, redraw, debug)


def _draw_run_figures(result, fig_dir: Path) -> None:
    from sim.interventions import describe
    from sim.report.run_figures import write_run_figures
    from sim.report.wording import scenario_titles
    from sim.scenarios import compile_network

    sc = result.scenario
    net = compile_network(sc)
    with scenario_titles({sc.name: sc.display_title}):
        write_run_figures(
            result.timeseries,
            result.exits,
            result.edge_flows,
            net.graph,
            fig_dir,
            scenario=sc.name,
            source_line=source_line(sc),
            weeks=sc.weeks,
            markers=[(iv.week, describe(iv)) for iv in sc.interventions],
            start_date=sc.start_date,
        )


def _print_headline(result) -> None:
    """The table after a run: some outcomes of `sim.metrics`, yearly means over years 2+."""
    from sim.metrics import EXPORTED_AT_PORT, OUTCOMES, yearly
    from sim.runner.summary import interval

    shown = (
        "coca_ha",
        "cocaine_produced_t",
        "exported_t",
        EXPORTED_AT_PORT,
        "seized_t",
        "price_leaf_usd_per_kg",
        "price_hcl_vraem_usd_per_kg",
        "armed_members",
        "deaths",
    )
    per_year = yearly(result.timeseries, result.exits)
    later = per_year[per_year["year"] >= 2] if per_year["year"].max() >= 2 else per_year
    per_rep = later.groupby("replicate").mean(numeric_only=True)
    years = "years 2+" if per_year["year"].max() >= 2 else "year 1"
    table = Table(title=f"{result.scenario.name}: yearly mean over {years} (90% interval)")
    table.add_column("metric")
    table.add_column("mean", justify="right")
    table.add_column("90% interval", justify="right")
    for name in shown:
        mean, lo, hi = interval(per_rep[name])
        table.add_row(OUTCOMES[name].label, f"{mean:,.1f}", f"{lo:,.1f} - {hi:,.1f}")
    out.print(table)


VALIDATION_MISSED = 3  # exit code of `vraem validate` when a target is missed


@app.command()
def validate(
    replicates: Annotated[int, typer.Option(min=1, help="Seeded replicates.")] = 20,
    seed: Annotated[int | None, typer.Option(min=0, help="Master seed.")] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Local worker processes (default: cores).")
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Result folder.")] = Path(
        "outputs/validation"
    ),
    scenario_file: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="The baseline scenario to validate (default: the baseline shipped with the "
            "package, scenarios/baseline.yaml of the repository).",
        ),
    ] = None,
    force: Annotated[bool, FORCE] = False,
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Run the baseline and compare it with every calibration target (years 2-5).

    Exit 0 if every target's model mean is inside its band, 3 if one is missed. Works from any
    folder: the default baseline is part of the package.
    """
    from sim.calibration import packaged_baseline

    scenario_file = scenario_file or packaged_baseline()
    try:
        overrides = [f"replicates={replicates}"] + ([f"seed={seed}"] if seed is not None else [])
        scenario = load_scenario(scenario_file, overrides)
    except ConfigError as exc:
        fail_bad_input(exc)
    if scenario.weeks < 260:
        err.print(
            f"note: the targets are measured over weeks 52-259; this run has {scenario.weeks}"
        )
    table, folder = _run_validation(scenario, workers, out_dir, force, debug)
    _print_validation(
        table, f"{scenario.name}: calibration targets, years 2-5, {replicates} replicates"
    )
    missed = int((table["status"] != "PASS").sum())
    out.print(
        f"{len(table) - missed} of {len(table)} targets inside their band; results in {folder}"
    )
    if missed:
        raise typer.Exit(VALIDATION_MISSED)


def _run_validation(scenario, workers: int | None, out_dir: Path, force: bool, debug: bool):
    """Run the scenario, measure it on the targets and write the result folder with the
    validation table and figure; return the table and the folder."""
    from sim.calibration import evaluate_targets
    from sim.calibration.validate import write_validation
    from sim.report.style import save_figure
    from sim.runner.layout import ResultKind
    from sim.runner.outputs import writing
    from sim.runner.results import write_result_folder

    try:
        with writing(out_dir, ResultKind.RUN, force=force, command=sys.argv) as folder:
            result = run_with_progress(scenario, workers)
            table = evaluate_targets(result.timeseries, result.exits, result.events)

            def draw(res, fig_dir: Path) -> None:
                write_validation(table, fig_dir.parent, source_line(scenario), save_figure)

            write_result_folder(result, folder, draw=draw, command=sys.argv, force=force)
    except ConfigError as exc:
        fail_bad_input(exc)
    except KeyboardInterrupt:
        err.print("interrupted: no result folder was written")
        raise typer.Exit(130) from None
    except Exception as exc:
        internal_error(exc, debug)
    return table, folder


def _print_validation(table, title: str) -> None:
    """The validation table on the console, PASS in green and MISS in red, then its notes."""
    from sim.calibration.validate import fmt

    view = Table(title=title)
    for col, justify in (
        ("target", "left"),
        ("model", "right"),
        ("statistic", "left"),
        ("90% interval", "right"),
        ("band", "right"),
        ("", "center"),
    ):
        view.add_column(col, justify=justify)
    for r in table.itertuples():
        colour = "green" if r.status == "PASS" else "bold red"
        view.add_row(
            r.target,
            fmt(r.model_mean),
            r.statistic,
            f"{fmt(r.model_p05)} - {fmt(r.model_p95)}",
            f"{fmt(r.band_low)} - {fmt(r.band_high)}",
            f"[{colour}]{r.status}[/]",
        )
    out.print(view)
    for r in table.itertuples():
        if r.note:
            out.print(f"{r.target}: {r.note}", highlight=False)


@app.command()
def check(
    files: Annotated[
        list[Path], typer.Argument(help="Scenario, sweep or robustness YAML files to validate.")
    ],
) -> None:
    """Validate scenario, sweep and robustness files without running them (exit 0 if all are
    valid, else 2)."""
    from sim.sweep.design import build_design, plan_runs
    from sim.sweep.robustness import is_robustness_file, load_robustness
    from sim.sweep.spec import is_sweep_file, load_sweep

    bad = 0
    for path in files:
        try:
            if is_robustness_file(path):
                robust = load_robustness(path)
                out.print(
                    f"ok: {path} (robustness file '{robust.spec.name}', {robust.spec.method}, "
                    f"{len(robust.points)} parameter sets; `vraem compare --robustness` checks "
                    "its keys against the compared scenarios)"
                )
            elif is_sweep_file(path):
                loaded = load_sweep(path)
                n_runs = len(plan_runs(loaded.spec, build_design(loaded.spec)))
                paired = ", each with its counterfactual" if loaded.spec.effects else ""
                out.print(
                    f"ok: {path} (sweep '{loaded.spec.name}', {loaded.spec.method}, "
                    f"{n_runs} runs{paired})"
                )
            else:
                scenario = load_scenario(path)
                out.print(f"ok: {path} (scenario '{scenario.name}', {scenario.weeks} weeks)")
        except ConfigError as exc:
            print_bad_input(exc)
            bad += 1
    if bad:
        raise typer.Exit(2)


@app.command("app")
def explore(
    scenario_file: Annotated[
        Path | None,
        typer.Argument(help="Scenario YAML file to open first (default: the baseline)."),
    ] = None,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to serve on.")] = 8765,
    host: Annotated[
        str, typer.Option(help="Host to listen on (default: this machine only).")
    ] = "127.0.0.1",
    debug: Annotated[bool, typer.Option(help="Show tracebacks of internal errors.")] = False,
) -> None:
    """Open the explorer: an interactive page (Mesa's SolaraViz) to step a scenario, change its
    settings, act now (arrests, a Callao surge, closures, unrest), compare it with the
    baseline and export what was done as a scenario file. Serves until Ctrl-C."""
    try:
        if scenario_file is not None:
            load_scenario(scenario_file)
    except ConfigError as exc:
        fail_bad_input(exc)
    from sim.app.server import port_problem, serve  # lazily: `vraem run` never imports solara

    problem = port_problem(host, port)
    if problem:
        err.print(f"[bold red]error:[/] {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    out.print(f"VRAEM explorer on http://{host}:{port}/ (Ctrl-C to stop)", highlight=False)
    try:
        serve(scenario_file, host, port)
    except KeyboardInterrupt:
        err.print("stopped")
    except Exception as exc:  # an internal error, not bad input
        internal_error(exc, debug)


# commands with their own modules
app.command()(compare)
app.command()(sweep)
app.command()(brief)


def main() -> None:
    """Entry point of the `vraem` console script and `python -m sim`."""
    app()


if __name__ == "__main__":
    main()
