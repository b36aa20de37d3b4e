"""Pair a baseline with scenarios under common random numbers: plan and run the comparison, and pair
saved runs. The runner writes and reads the folders (`sim.runner.results`, `sim.runner.folders`).

Every scenario is paired with a baseline run of the same seed, replicates and horizon, so replicate
k of both shares its seed and the paired difference isolates the intervention. Baselines are run
once per distinct (weeks, seed, replicates).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path

from sim.config.loader import ConfigError
from sim.config.models import Scenario
from sim.report.effects import FEW_REPLICATES, MIN_REPLICATES
from sim.report.windows import Window, WindowSpec, first_event_week, scenario_windows
from sim.runner.batch import RunResult, run_scenario
from sim.runner.folders import folder_kind, load_run
from sim.runner.folders import load_comparison as load_saved_comparison
from sim.runner.results import (
    RUN_MANIFEST,
    PairedDirs,
    copy_comparison,
    write_comparison,
)
from sim.scenarios import load_scenario

RunKey = tuple[int, int, int]  # (weeks, seed, replicates)


@dataclass
class Pair:
    """A scenario run and the baseline run that shares its seeds, with their folder names."""

    baseline: RunResult
    scenario: RunResult
    baseline_dir: str
    scenario_dir: str
    custom_windows: tuple[WindowSpec, ...] = field(default=())  # `--window`, else the defaults

    @property
    def name(self) -> str:
        return self.scenario.scenario.name

    @property
    def event_week(self) -> int:
        return first_event_week(self.scenario.scenario)

    @property
    def windows(self) -> list[Window]:
        """The windows its effects are measured over (`sim.report.windows`)."""
        return scenario_windows(self.scenario.scenario, self.custom_windows)

    @property
    def dirs(self) -> PairedDirs:
        """The pair's folder names, as the runner records them."""
        return PairedDirs(self.name, self.scenario_dir, self.baseline_dir)


@dataclass
class Plan:
    """The configurations to run: every scenario and one baseline per distinct run key."""

    scenarios: list[Scenario]
    baselines: dict[RunKey, Scenario]
    baseline_dirs: dict[RunKey, str]


def run_key(scenario: Scenario) -> RunKey:
    return (scenario.weeks, scenario.seed, scenario.replicates)


def plan_comparison(
    baseline_file: Path,
    scenario_files: Sequence[Path],
    overrides: Sequence[str] = (),
) -> Plan:
    """Load the scenarios (with `overrides`), then the baseline once per (weeks, seed, replicates).

    Raises ConfigError for bad files and for scenario names that are not unique.
    """
    if not scenario_files:
        raise ConfigError("command line", "SCENARIO", "expected at least one scenario file")
    scenarios: list[Scenario] = []
    seen: dict[str, Path] = {}
    for path in scenario_files:
        sc = load_scenario(path, list(overrides))
        if sc.name in seen:
            raise ConfigError(
                path,
                "name",
                f"expected a scenario name not used by another scenario of this comparison "
                f"('{sc.name}' is also the name of {seen[sc.name]})",
            )
        seen[sc.name] = Path(path)
        if sc.replicates < MIN_REPLICATES:
            where = "replicates (or --replicates)" if overrides else "replicates"
            raise ConfigError(
                path,
                where,
                f"expected at least {MIN_REPLICATES} replicates to compare (got "
                f"{sc.replicates}): fewer paired runs give no confidence interval; use "
                f"{FEW_REPLICATES} or more",
            )
        scenarios.append(sc)
    baselines: dict[RunKey, Scenario] = {}
    for sc in scenarios:
        key = run_key(sc)
        if key not in baselines:
            baselines[key] = load_scenario(
                baseline_file,
                [
                    *overrides,
                    f"replicates={sc.replicates}",
                    f"weeks={sc.weeks}",
                    f"seed={sc.seed}",
                ],
            )
    base_name = next(iter(baselines.values())).name
    if base_name in seen:
        raise ConfigError(
            seen[base_name],
            "name",
            f"expected a name other than the baseline's ('{base_name}', from {baseline_file})",
        )
    dirs = {
        key: base_name if len(baselines) == 1 else f"{base_name}-{key[0]}w-seed{key[1]}-{key[2]}r"
        for key in baselines
    }
    return Plan(scenarios=scenarios, baselines=baselines, baseline_dirs=dirs)


def run_plan(
    plan: Plan,
    executor: Executor | None = None,
    on_start: Callable[[Scenario], Callable[[int, int], None] | None] | None = None,
) -> list[Pair]:
    """Run every baseline once and every scenario; pair them. `on_start(scenario)` may return a
    progress callback `(done, total)` for that run."""

    def run(sc: Scenario) -> RunResult:
        on_done = on_start(sc) if on_start else None
        return run_scenario(sc, workers=1, on_done=on_done, executor=executor)

    base_runs = {key: run(sc) for key, sc in plan.baselines.items()}
    pairs = []
    for sc in plan.scenarios:
        key = run_key(sc)
        pairs.append(Pair(base_runs[key], run(sc), plan.baseline_dirs[key], sc.name))
    return pairs


# ----------------------------------------------------------------------------------------------
# saving and loading pairs (the runner writes and reads the folders)
# ----------------------------------------------------------------------------------------------
def save_runs(pairs: Sequence[Pair], folder: Path, command: list[str] | None = None) -> str:
    """Write each distinct run of the pairs under `folder/runs/`, and comparison.json; return
    the creation time recorded in it."""
    runs: dict[str, RunResult] = {}
    for p in pairs:
        runs.setdefault(p.baseline_dir, p.baseline)
        runs.setdefault(p.scenario_dir, p.scenario)
    return write_comparison(runs, [p.dirs for p in pairs], folder, command)


def copy_runs(
    pairs: Sequence[Pair],
    sources: dict[str, Path],
    folder: Path,
    command: list[str] | None = None,
    created: str | None = None,
) -> str:
    """Copy the pairs' run folders (`sources`: folder name -> source folder) into
    `folder/runs/`, and write comparison.json; return its creation time."""
    return copy_comparison(sources, [p.dirs for p in pairs], folder, command, created)


def load_comparison(folder: Path) -> tuple[list[Pair], dict[str, Path], str | None]:
    """The pairs of a comparison folder (checked to share seeds), the source folder of each run
    (folder name -> path) and the creation time of the comparison."""
    saved = load_saved_comparison(folder)
    pairs = []
    for d in saved.pairs:
        base, scen = saved.runs[d.baseline_dir], saved.runs[d.scenario_dir]
        check_pairing(base, scen, saved.sources[d.baseline_dir], saved.sources[d.scenario_dir])
        pairs.append(Pair(base, scen, d.baseline_dir, d.scenario_dir))
    return pairs, saved.sources, saved.created


def pair_run_folders(folders: Sequence[Path]) -> tuple[list[Pair], dict[str, Path]]:
    """Pair `vraem run` folders: the first is the baseline, each other one a scenario.

    Their seeds, replicates and horizon must match (common random numbers).
    """
    if len(folders) < 2:
        raise ConfigError(
            folders[0] if folders else "command line",
            "",
            "expected a `vraem compare` folder, or two or more `vraem run` folders "
            "(the baseline first)",
        )
    base_dir = Path(folders[0])
    base = load_run(base_dir)
    names = {base.scenario.name: base_dir}
    sources = {base.scenario.name: base_dir}
    pairs = []
    for folder in folders[1:]:
        if folder_kind(folder) != "run":
            raise ConfigError(folder, "", "expected a `vraem run` folder, not a comparison folder")
        scen = load_run(folder)
        if scen.scenario.name in names:
            raise ConfigError(
                Path(folder) / RUN_MANIFEST,
                "config.name",
                f"expected a scenario name not used by another folder "
                f"('{scen.scenario.name}' is also in {names[scen.scenario.name]})",
            )
        check_pairing(base, scen, base_dir, Path(folder))
        if len(scen.seeds) < MIN_REPLICATES:
            raise ConfigError(
                Path(folder) / RUN_MANIFEST,
                "replicate_seeds",
                f"expected at least {MIN_REPLICATES} replicates to compare (got "
                f"{len(scen.seeds)}): fewer paired runs give no confidence interval; rerun both "
                f"with --replicates {FEW_REPLICATES} or more",
            )
        names[scen.scenario.name] = Path(folder)
        sources[scen.scenario.name] = Path(folder)
        pairs.append(Pair(base, scen, base.scenario.name, scen.scenario.name))
    return pairs, sources


def check_pairing(base: RunResult, scen: RunResult, base_dir: Path, scen_dir: Path) -> None:
    """Raise ConfigError unless the two runs share seeds and horizon (common random numbers)."""
    b, s = base.scenario, scen.scenario
    if base.seeds != scen.seeds or b.weeks != s.weeks:
        raise ConfigError(
            scen_dir / RUN_MANIFEST,
            "replicate_seeds",
            f"expected the same replicate seeds and weeks as the baseline {base_dir / RUN_MANIFEST}"
            f" (common random numbers): the baseline has seed {b.seed}, {b.replicates} "
            f"replicates, {b.weeks} weeks; this run has seed {s.seed}, {s.replicates} replicates, "
            f"{s.weeks} weeks. Rerun one with matching --seed, --replicates and --weeks",
        )
