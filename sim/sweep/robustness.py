"""Robustness files and their runs: the comparison again at every parameter set of a design.

A robustness file is the design part of a sweep file (YAML, safe loader): which parameters vary
over which plausible ranges, and the design that picks the parameter sets (grid, lhs, sobol or
morris, sampled by `sim.sweep.design` exactly as for `vraem sweep`):

    name: robustness
    method: lhs                        # grid | lhs | sobol | morris
    samples: 5                         # not for grid
    parameters:
      armed_group.violence.revenge_weight: {low: 0.5, high: 2.0}
    replicates: 5                      # optional; default: the comparison's replicates
    seed: 20231113                     # seeds the design only

Each parameter set is applied alike to the baseline and to every compared scenario (so every key
must exist in each of them), which then run paired on the comparison's seeds (`run_plan`, as the
main comparison); the effect table of every pair is the main comparison's (`effect_table`).
`sim.report.robustness` judges where each finding holds. Results do not depend on the executor
or the number of workers: every run's seed and values are fixed before it is submitted.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.config.errors import Problem, Problems
from sim.config.loader import ConfigError, format_validation_error, read_yaml, set_key
from sim.config.models import Scenario
from sim.config.section import FolderName
from sim.report.compare import Pair, Plan, run_key, run_plan
from sim.report.effects import MIN_REPLICATES, effect_table
from sim.report.robustness import robustness_table
from sim.report.windows import WindowSpec
from sim.scenarios import validate_scenario
from sim.sweep.design import Design, build_design
from sim.sweep.spec import MODEL_METRICS, ParameterSpec, SweepSpec, key_exists

#: what a sweep file has that a robustness file must not: the comparison supplies them
SWEEP_ONLY_KEYS = {
    "base": "the scenarios are those of the compare command",
    "scenario": "the scenarios are those of the compare command",
    "metrics": "the outcomes are the comparison's headline outcomes",
    "years": "the windows are the comparison's (its scenarios' own, or --window)",
    "weeks": "the horizon is the comparison's (--weeks)",
    "effects": "every parameter set is compared with the baseline",
    "effect_ratio": "every parameter set is compared with the baseline",
    "reference_runs": "the main comparison is the reference",
    "discovery": "robustness reports where each finding holds",
    "common_random_numbers": "every run uses the comparison's seeds",
    "model": "robustness runs the VRAEM model",
    "timeseries": "no series are kept",
    "chunk_size": "runs go to the comparison's workers one replicate at a time",
}

ProgressCallback = Callable[[int, int, int], None]  # (runs done, runs in total, failed sets)


class RobustnessSpec(BaseModel):
    """The design part of a sweep file: parameters, their ranges, the design and its seed."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: FolderName = Field(description="Name of the set of plausible parameters.")
    description: str = Field("", description="Where the ranges come from.")
    method: Literal["grid", "lhs", "sobol", "morris"] = Field(description="Design.")
    parameters: dict[str, ParameterSpec] = Field(description="Dotted key path -> values/range.")
    samples: int | None = Field(None, ge=1, description="As in a sweep file (not for grid).")
    levels: int = Field(4, ge=2, description="morris: grid levels.")
    second_order: bool = Field(False, description="sobol: second-order design points too.")
    seed: int = Field(20231113, ge=0, description="Seed of the design (not of the runs).")
    replicates: int | None = Field(
        None,
        ge=MIN_REPLICATES,
        le=1000,
        description="Paired replicates per run (default: the comparison's).",
    )

    def as_sweep(self) -> SweepSpec:
        """The same design as a sweep spec, for the sweep's design code and its checks (the
        base scenario and metric are placeholders: the comparison supplies runs and outcomes)."""
        return SweepSpec(
            name=self.name,
            method=self.method,
            parameters=self.parameters,
            samples=self.samples,
            levels=self.levels,
            second_order=self.second_order,
            seed=self.seed,
            base="(the compared scenarios)",
            metrics=[next(iter(MODEL_METRICS))],
            reference_runs=False,
        )


@dataclass(frozen=True)
class Robustness:
    """A loaded robustness file: its spec, path and design (one row of `points` per set)."""

    spec: RobustnessSpec
    path: Path
    design: Design

    @property
    def points(self) -> pd.DataFrame:
        return self.design.points

    def replicates_text(self, comparison_replicates: int) -> str:
        """How many replicates each run has and where that number comes from."""
        if self.spec.replicates is not None:
            return f"{self.spec.replicates} replicates per run (from {self.path.name})"
        return f"{comparison_replicates} replicates per run (from the comparison)"


def with_values(
    scenario: Scenario, values: dict[str, Any], replicates: int | None, source: str | Path
) -> Scenario:
    """`scenario` with a parameter set's values (and `replicates`, if given) set, validated."""
    data = copy.deepcopy(scenario.model_dump(mode="json"))
    for key, value in values.items():
        set_key(data, key, value, source)
    if replicates is not None:
        data["replicates"] = replicates
    return validate_scenario(data, source)


def is_robustness_file(path: str | Path) -> bool:
    """A robustness file has a design (`method`) but, unlike a sweep file, no base scenario,
    metrics or model."""
    try:
        data = read_yaml(Path(path))
    except ConfigError:  # unreadable files are reported when loaded
        return False
    return "method" in data and not {"base", "metrics", "model"} & set(data)


def load_robustness(path: str | Path, scenarios: Sequence[Scenario] = ()) -> Robustness:
    """Read and check a robustness file and its design, and against the compared `scenarios`
    (baselines included): every key must exist in each and every end of every range must give a
    valid scenario. Raises ConfigError naming the file, the key and what was expected."""
    path = Path(path).resolve()
    data = read_yaml(path)
    found = Problems(path)
    for key in data:
        if key in SWEEP_ONLY_KEYS:
            found.add(key, f"expected no `{key}` in a robustness file: {SWEEP_ONLY_KEYS[key]}")
    found.raise_if_any()
    try:
        spec = RobustnessSpec.model_validate(data)
    except ValidationError as exc:
        rows = dict.fromkeys(format_validation_error(exc))
        raise ConfigError.of(
            [
                Problem(
                    str(path),
                    "" if key.startswith("_") else key,
                    f"expected a valid robustness file: {msg}",
                )
                for key, msg in rows
            ]
        ) from None
    issues = spec.as_sweep().problems()
    if issues:
        raise ConfigError.of([Problem(str(path), key, msg) for key, msg in issues])
    for key, param in spec.parameters.items():
        for sc in scenarios:
            if not key_exists(sc.model_dump(mode="json"), key):
                found.add(
                    f"parameters.{key}",
                    f"expected a key path of every compared scenario, but {sc.name} has none "
                    "(see docs/CONFIG.md; list items by index, e.g. interventions.0.week)",
                )
                break
            before = len(found.found)
            for value in param.ends():
                try:
                    with_values(sc, {key: value}, None, path)
                except ConfigError as exc:
                    for p in exc.problems:
                        found.add(
                            f"parameters.{key}",
                            f"value {value!r} is not valid for {sc.name}: {p.expected}",
                        )
            if len(found.found) > before:  # said once, for the first scenario it fails in
                break
    found.raise_if_any()
    return Robustness(spec, path, build_design(spec.as_sweep()))


@dataclass
class RobustnessRuns:
    """The effect tables of every parameter set that ran (stacked, with `parameter_set`), and the
    error of each set that failed."""

    effects: pd.DataFrame
    failed: dict[int, str] = field(default_factory=dict)


def plan_for(plan: Plan, values: dict[str, Any], replicates: int | None, source: Path) -> Plan:
    """The comparison's plan with a parameter set applied to the baselines and the scenarios."""
    scenarios = [with_values(sc, values, replicates, source) for sc in plan.scenarios]
    baselines, dirs = {}, {}
    for key, sc in plan.baselines.items():
        changed = with_values(sc, values, replicates, source)
        baselines[run_key(changed)] = changed
        dirs[run_key(changed)] = plan.baseline_dirs[key]
    return Plan(scenarios=scenarios, baselines=baselines, baseline_dirs=dirs)


def runs_per_set(robustness: Robustness, plan: Plan) -> int:
    """Model runs (replicates) at one parameter set: every baseline and every scenario."""
    reps = robustness.spec.replicates
    return sum(reps or sc.replicates for sc in [*plan.baselines.values(), *plan.scenarios])


def run_robustness(
    robustness: Robustness,
    plan: Plan,
    executor: Executor | None = None,
    on_progress: ProgressCallback | None = None,
    windows: Sequence[WindowSpec] = (),
) -> RobustnessRuns:
    """Run the comparison's plan at every parameter set, in order, and compute each pair's
    effect table over the comparison's windows (`windows`: its `--window` specs, if any). A set
    whose runs fail is recorded with its error and left out; if every set fails, RuntimeError
    with the first error. `on_progress(done, total, failed sets)` is told after every
    replicate."""
    per_set = runs_per_set(robustness, plan)
    total = per_set * len(robustness.points)
    started = [0]  # replicates of the runs started so far
    tables: list[pd.DataFrame] = []
    failed: dict[int, str] = {}

    def report(done: int) -> None:
        if on_progress:
            on_progress(done, total, len(failed))

    def on_start(sc: Scenario) -> Callable[[int, int], None]:
        before = started[0]
        started[0] += sc.replicates
        return lambda finished, _of: report(before + finished)

    for number, values in enumerate(robustness.points.to_dict("records")):
        clean = {k: (v.item() if hasattr(v, "item") else v) for k, v in values.items()}
        source = Path(f"{robustness.path} (parameter set {number})")
        try:
            changed = plan_for(plan, clean, robustness.spec.replicates, source)
            pairs = run_plan(changed, executor=executor, on_start=on_start)
            for p in pairs:
                p.custom_windows = tuple(windows)
            tables += [
                effect_table(p.baseline, p.scenario, p.windows).assign(parameter_set=number)
                for p in pairs
            ]
        except Exception as exc:  # a parameter set the model cannot run: recorded, left out
            failed[number] = f"{type(exc).__name__}: {exc}"
        started[0] = (number + 1) * per_set
        report(started[0])
    if failed and len(failed) == len(robustness.points):
        raise RuntimeError(f"every parameter set failed; the first: {next(iter(failed.values()))}")
    effects = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    return RobustnessRuns(effects, failed)


def robustness_findings(
    robustness: Robustness, pairs: Sequence[Pair], runs: RobustnessRuns
) -> pd.DataFrame:
    """robustness.csv: every finding of the main comparison (`pairs`) and where it holds across
    the parameter sets (`sim.report.robustness.robustness_table`)."""
    main = pd.concat(
        [effect_table(p.baseline, p.scenario, p.windows) for p in pairs], ignore_index=True
    )
    return robustness_table(
        main,
        runs.effects,
        robustness.points,
        failed=len(runs.failed),
        design=robustness.spec.method,
    )
