"""Sweep files: which parameters vary over which ranges, the design, replicates, seed, metrics.

A sweep file (YAML, safe loader) names a base scenario and varies dotted key paths of it:

    name: callao_interdiction_x_arrest_week
    base: ../baseline.yaml              # scenario file, relative to the sweep file
    scenario: {weeks: 312, interventions: [...]}   # optional: merged into the base first
    method: grid                        # grid | lhs | sobol | morris
    parameters:
      network.exit_risk_factor.callao: {values: [1.0, 2.0, 3.0]}
      interventions.0.week: {values: [26, 52, 104]}
    replicates: 5
    metrics: [exported_t, exported_callao_t, deaths]

Parameters are validated on load: each key must exist in the resolved base scenario, and the
scenario must be valid at each end of each range (or at each listed value).
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim import metrics
from sim.config.errors import Problem, Problems
from sim.config.loader import (
    ConfigError,
    deep_merge,
    format_validation_error,
    read_scenario_dict,
    read_yaml,
    resolve_data_dir,
    set_key,
)
from sim.config.models import Scenario
from sim.config.section import FolderName
from sim.scenarios import validate_scenario
from sim.units import WEEKS_PER_YEAR

#: Per-run metrics a sweep can analyse (the outcomes of `sim.metrics`: their yearly values
#: averaged over the sweep's `years`, or their values over its `weeks`): name -> label with unit.
MODEL_METRICS: dict[str, str] = {o.name: o.label for o in metrics.OUTCOMES.values()}

#: Columns a sweep with `effects: true` adds for each metric `m`, suffix -> what it holds: `m`
#: itself is the scenario's level; `m_counterfactual` the same run (same parameter values and
#: seed) with no interventions; `m_effect` their difference; `m_ratio` (with `effect_ratio`)
#: their quotient, NaN where the counterfactual is 0.
COUNTERFACTUAL, EFFECT, RATIO = "counterfactual", "effect", "ratio"

#: The analytic Ishigami function (a=7, b=0.1): a self-test of the sensitivity pipeline.
ISHIGAMI_PARAMETERS = ("x1", "x2", "x3")
ISHIGAMI_METRICS = {"y": "Ishigami function value"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class ParameterSpec(_Strict):
    """One varied parameter: a list of `values` (grid) or a `low`-`high` range (other designs)."""

    values: list[Any] | None = Field(None, description="Values to take (grid designs).")
    low: float | None = Field(None, description="Lower end of the range (sampled designs).")
    high: float | None = Field(None, description="Upper end of the range (sampled designs).")
    integer: bool = Field(False, description="Round sampled values to whole numbers.")
    label: str | None = Field(None, description="Name with unit for tables and figures.")

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        has_range = self.low is not None or self.high is not None
        if self.values is not None and has_range:
            raise ValueError("give either `values` or `low` and `high`, not both")
        if self.values is None and not has_range:
            raise ValueError("give `values: [...]` or `low:` and `high:`")
        if has_range:
            if self.low is None or self.high is None:
                raise ValueError("a range needs both `low` and `high`")
            if not (math.isfinite(self.low) and math.isfinite(self.high)):
                raise ValueError("`low` and `high` must be finite numbers")
            if self.low >= self.high:
                raise ValueError(f"`low` ({self.low}) must be below `high` ({self.high})")
        elif len(self.values or []) == 0:
            raise ValueError("`values` must list at least one value")
        return self

    def ends(self) -> list[Any]:
        """The values checked on load: every listed value, or both ends of the range."""
        if self.values is not None:
            return list(self.values)
        lo, hi = self.low, self.high
        return [round(lo), round(hi)] if self.integer else [lo, hi]


class DiscoverySpec(_Strict):
    """Scenario discovery (PRIM): the region of parameter space where an outcome happens, e.g.
    "exports fall by more than 20% against the reference runs" = `{metric: exported_t, below:
    -0.2}`."""

    metric: str = Field(description="Metric that defines the outcome of interest.")
    below: float | None = Field(None, description="Outcome happens when the value is below this.")
    above: float | None = Field(None, description="Outcome happens when the value is above this.")
    relative_to_reference: bool = Field(
        True,
        description="Thresholds are relative changes against the mean of the reference runs "
        "(the unchanged base scenario with the same seeds), e.g. -0.2 = a 20% fall.",
    )
    min_density: float = Field(
        0.8,
        gt=0,
        le=1,
        description="PRIM: the chosen box is the one with the highest coverage "
        "among boxes at least this dense (share of its runs where the outcome happens).",
    )

    @model_validator(mode="after")
    def _one_threshold(self) -> Self:
        if (self.below is None) == (self.above is None):
            raise ValueError("give exactly one of `below` or `above`")
        return self

    def label(self, description: str) -> str:
        """Plain words, e.g. 'cocaine exported (t/yr) falls by more than 20%'."""
        value = self.below if self.below is not None else self.above
        if not self.relative_to_reference:
            return f"{description} {'below' if self.below is not None else 'above'} {value:g}"
        pct = f"{abs(value) * 100:.0f}%"
        if self.below is not None:
            return f"{description} " + (
                f"falls by more than {pct}" if value <= 0 else f"rises by less than {pct}"
            )
        return f"{description} " + (
            f"rises by more than {pct}" if value >= 0 else f"falls by less than {pct}"
        )


class SweepSpec(_Strict):
    """A parameter sweep over a base scenario."""

    name: FolderName = Field(description="Sweep name; names the default output folder.")
    description: str = Field("", description="What the sweep asks.")
    model: Literal["vraem", "ishigami"] = Field(
        "vraem",
        description="`vraem` (the model) or `ishigami` (an analytic test function with known "
        "Sobol indices, to check the sensitivity pipeline).",
    )
    base: str | None = Field(None, description="Base scenario file, relative to the sweep file.")
    scenario: dict[str, Any] = Field(
        default_factory=dict,
        description="Scenario keys merged into the base before the sweep (e.g. weeks, an "
        "intervention whose week the sweep varies).",
    )
    method: Literal["grid", "lhs", "sobol", "morris"] = Field(description="Design.")
    parameters: dict[str, ParameterSpec] = Field(description="Dotted key path -> values/range.")
    samples: int | None = Field(
        None,
        ge=1,
        description="lhs: design points; sobol: base sample N (a power of 2; N*(D+2) points, "
        "N*(2D+2) with second order); morris: trajectories (r*(D+1) points). Not for grid.",
    )
    levels: int = Field(4, ge=2, description="morris: grid levels.")
    second_order: bool = Field(False, description="sobol: also estimate second-order indices.")
    replicates: int = Field(1, ge=1, le=1000, description="Seeded replicates per design point.")
    seed: int = Field(20231113, ge=0, description="Master seed of the design and of the runs.")
    common_random_numbers: bool = Field(
        True,
        description="Replicate k of every design point uses the same seed (spawned from the "
        "master seed), so differences between points are not noise; false: every run its own.",
    )
    reference_runs: bool = Field(
        True, description="Also run the unchanged base scenario (point -1) with the same seeds."
    )
    metrics: list[str] = Field(description="Metrics to record and analyse (see MODEL_METRICS).")
    years: tuple[int, int] = Field(
        (2, 5), description="Metrics are yearly means over these years (1 = weeks 0-51)."
    )
    weeks: tuple[int, int] | None = Field(
        None,
        description="Instead of `years`: metrics over these weeks (0-based, inclusive), flows "
        "as a rate per year (weekly mean times 52), levels as means (`sim.metrics.over_weeks`).",
    )
    effects: bool = Field(
        False,
        description="Also run each run's counterfactual (the same scenario, parameter values and "
        "seed with `interventions: []`) and record `m_counterfactual` and `m_effect` (scenario "
        "minus counterfactual) for every metric `m`.",
    )
    effect_ratio: bool = Field(
        False,
        description="With `effects`: also `m_ratio` = scenario / counterfactual (NaN where the "
        "counterfactual is 0).",
    )
    timeseries: bool = Field(True, description="Keep every run's weekly time series.")
    chunk_size: int | None = Field(
        None, ge=1, le=1000, description="Runs per task (default: about 4 tasks per worker)."
    )
    discovery: DiscoverySpec | None = Field(None, description="Scenario discovery (PRIM).")

    def problems(self) -> list[tuple[str, str]]:
        """What does not fit together, as (key path, what was expected); empty if all is well."""
        out: list[tuple[str, str]] = []
        if not self.parameters:
            out.append(("parameters", "expected at least one parameter"))
        if self.method == "grid":
            if self.samples is not None:
                out.append(("samples", "expected no `samples` in a grid (it takes every value)"))
            for key, p in self.parameters.items():
                if p.values is None:
                    out.append((f"parameters.{key}", "expected `values: [...]` in a grid"))
        else:
            if self.samples is None:
                out.append(("samples", f"expected a number of samples for method '{self.method}'"))
            for key, p in self.parameters.items():
                if p.values is not None:
                    out.append(
                        (f"parameters.{key}", f"expected `low` and `high` for '{self.method}'")
                    )
        if self.method == "sobol" and self.samples and self.samples & (self.samples - 1):
            out.append(("samples", f"expected a power of 2 for sobol, got {self.samples}"))
        if self.method in ("sobol", "morris") and len(self.parameters) < 2:
            out.append(("parameters", f"expected at least two parameters for '{self.method}'"))
        if self.years[0] < 1 or self.years[1] < self.years[0]:
            out.append(("years", f"expected [first, last] with 1 <= first <= last: {self.years}"))
        if self.weeks is not None:
            if "years" in self.model_fields_set:
                out.append(("weeks", "expected either `weeks` or `years`, not both"))
            if self.weeks[0] < 0 or self.weeks[1] < self.weeks[0]:
                out.append(
                    ("weeks", f"expected [first, last] with 0 <= first <= last: {list(self.weeks)}")
                )
        if self.effect_ratio and not self.effects:
            out.append(("effect_ratio", "expected `effects: true` with `effect_ratio: true`"))
        if self.effects and self.model != "vraem":
            out.append(
                ("effects", "expected the vraem model (a test function has no interventions)")
            )
        known = ISHIGAMI_METRICS if self.model == "ishigami" else MODEL_METRICS
        if not self.metrics:
            out.append(("metrics", "expected at least one metric"))
        for m in self.metrics:
            if m not in known:
                out.append(("metrics", f"unknown metric '{m}'; expected one of {', '.join(known)}"))
        if self.discovery is not None:
            if self.discovery.metric not in self.metric_columns:
                out.append(
                    (
                        "discovery.metric",
                        f"expected one of `metrics` (or their effect columns), got "
                        f"'{self.discovery.metric}'",
                    )
                )
            if self.discovery.relative_to_reference and not self.has_reference:
                out.append(("discovery", "a relative threshold needs `reference_runs: true`"))
        if self.model == "ishigami":
            if set(self.parameters) != set(ISHIGAMI_PARAMETERS):
                out.append(("parameters", "expected exactly x1, x2, x3 for the ishigami model"))
            if self.base is not None:
                out.append(("base", "expected no base scenario for the ishigami model"))
        elif self.base is None:
            out.append(("base", "expected the base scenario file"))
        return out

    @property
    def has_reference(self) -> bool:
        """Reference runs (the unchanged base scenario) are part of this sweep."""
        return self.reference_runs and self.model == "vraem"

    @property
    def parameter_names(self) -> list[str]:
        """The varied keys, in file order."""
        return list(self.parameters)

    @property
    def derived_suffixes(self) -> list[str]:
        """The suffixes of the columns `effects` adds to each metric, in column order."""
        if not self.effects:
            return []
        return [COUNTERFACTUAL, EFFECT, *([RATIO] if self.effect_ratio else [])]

    @property
    def metric_columns(self) -> list[str]:
        """Every metric column of runs.parquet, in order: the metrics (the scenario's levels),
        then, with `effects`, `m_counterfactual` of each metric, `m_effect` of each and (with
        `effect_ratio`) `m_ratio` of each."""
        return [*self.metrics] + [f"{m}_{s}" for s in self.derived_suffixes for m in self.metrics]

    def column_groups(self) -> list[tuple[str, list[str]]]:
        """The metric columns by kind: ("", levels), then ("counterfactual", ...), ("effect",
        ...), ("ratio", ...) as the sweep has them (figures draw one set per kind)."""
        return [("", list(self.metrics))] + [
            (s, [f"{m}_{s}" for m in self.metrics]) for s in self.derived_suffixes
        ]

    def window_text(self) -> str:
        """The metric window in words, e.g. 'years 2-5' or 'weeks 52-77'."""
        first, last = self.weeks if self.weeks is not None else self.years
        return f"{'weeks' if self.weeks is not None else 'years'} {first}-{last}"


def metric_label(column: str) -> str:
    """Label with unit of a metric column, also of the columns `effects` adds: e.g.
    "the interventions' effect on violent deaths (per yr)"."""
    if column in MODEL_METRICS:
        return MODEL_METRICS[column]
    if column in ISHIGAMI_METRICS:
        return ISHIGAMI_METRICS[column]
    base, _, suffix = column.rpartition("_")
    if base not in MODEL_METRICS or suffix not in (COUNTERFACTUAL, EFFECT, RATIO):
        return column
    what, _, unit = MODEL_METRICS[base].partition(" (")
    unit = f" ({unit}" if unit else ""
    if suffix == COUNTERFACTUAL:
        return f"{what} without the interventions{unit}"
    if suffix == EFFECT:
        return f"the interventions' effect on {what}{unit}"
    return f"{what} with / without the interventions (ratio)"


class Sweep:
    """A loaded sweep: its spec, the file it came from and the resolved base scenario dict."""

    def __init__(self, spec: SweepSpec, path: Path, base: dict[str, Any] | None) -> None:
        self.spec = spec
        self.path = path
        self.base = base  # resolved scenario dict (None for test functions)

    @property
    def weeks(self) -> int:
        return int(self.base["weeks"]) if self.base else 0

    def fingerprint(self) -> str:
        """Hash of everything that determines the runs (resume refuses a changed sweep)."""
        payload = {"spec": self.spec.model_dump(mode="json"), "base": self.base}
        blob = json.dumps(payload, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def scenario_for(self, values: dict[str, Any], source: str | Path = "") -> Scenario:
        """The base scenario with the design point's values set (validated)."""
        data = copy.deepcopy(self.base)
        for key, value in values.items():
            set_key(data, key, value, source or self.path)
        return validate_scenario(data, source or self.path)


def is_sweep_file(path: str | Path) -> bool:
    """A sweep file has a `method` key at the top level (scenario files never do)."""
    try:
        data = read_yaml(Path(path))
    except ConfigError:  # unreadable files are reported when loaded as a scenario
        return False
    return "method" in data


def key_exists(data: Any, key: str) -> bool:
    """The key's parent exists in the resolved scenario (a new key of a mapping parameter, such
    as `network.exit_risk_factor.callao`, is allowed; validation rejects unknown section keys)."""
    node = data
    parts = key.split(".")
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and (part in node or last):
            node = node.get(part)
        else:
            return False
    return True


def load_sweep(path: str | Path) -> Sweep:
    """Read and validate a sweep file, its base scenario and every parameter's range."""
    path = Path(path).resolve()
    data = read_yaml(path)
    try:
        spec = SweepSpec.model_validate(data)
    except ValidationError as exc:
        rows = format_validation_error(exc)
        found = [
            Problem(str(path), "" if key.startswith("_") else key, f"expected a valid sweep: {msg}")
            for key, msg in dict.fromkeys(rows)
        ]
        raise ConfigError.of(found) from None
    issues = spec.problems()
    if issues:
        raise ConfigError.of([Problem(str(path), key, msg) for key, msg in issues])
    if spec.model == "ishigami":
        return Sweep(spec, path, None)
    base_path = (path.parent / spec.base).resolve()
    if not base_path.exists():
        raise ConfigError(
            path, "base", f"expected an existing scenario file, {base_path} not found"
        )
    additions = copy.deepcopy(spec.scenario)
    resolve_data_dir(additions, path.parent)  # the sweep file wrote it
    base_dict = read_scenario_dict(base_path)
    validate_scenario(base_dict, base_path)  # the base's own errors name the base file
    try:
        base = validate_scenario(deep_merge(base_dict, additions), path).model_dump(mode="json")
    except ConfigError as exc:  # what the sweep file's `scenario:` block added
        found = [
            Problem(str(path), f"scenario.{p.key}" if p.key else "scenario", p.expected)
            for p in exc.problems
        ]
        raise ConfigError.of(found) from None
    sweep = Sweep(spec, path, base)
    n_years = math.ceil(sweep.weeks / WEEKS_PER_YEAR)
    if spec.weeks is None and spec.years[0] > n_years:
        raise ConfigError(
            path, "years", f"expected years within the {sweep.weeks}-week horizon (1-{n_years})"
        )
    if spec.weeks is not None and spec.weeks[1] >= sweep.weeks:
        raise ConfigError(
            path,
            "weeks",
            f"expected weeks within the {sweep.weeks}-week horizon (0-{sweep.weeks - 1}), got "
            f"{list(spec.weeks)}",
        )
    if spec.effects and not base.get("interventions"):
        raise ConfigError(
            path,
            "effects",
            "expected a base scenario with interventions: `effects: true` compares each run "
            "with the same run without them, but the base scenario (with the `scenario:` "
            "block) has none; add them under `scenario: {interventions: [...]}`",
        )
    found = Problems(path)
    for key, param in spec.parameters.items():
        if not key_exists(base, key):
            found.add(
                f"parameters.{key}",
                "expected a key path of the scenario (see docs/CONFIG.md; list items by index, "
                "e.g. interventions.0.week)",
            )
            continue
        for value in param.ends():
            try:
                sweep.scenario_for({key: value})
            except ConfigError as exc:
                for p in exc.problems:
                    found.add(f"parameters.{key}", f"value {value!r} is not valid: {p.expected}")
    found.raise_if_any()
    return sweep
