"""The model as a function of named parameters, for the EMA workbench (and any other tool).

    from sim.sweep.ema import VraemFunction, ema_model
    f = VraemFunction("scenarios/baseline.yaml", metrics=["exported_t", "deaths"])
    f(**{"security.interdiction_capacity": 1.5})        # -> {"exported_t": ..., "deaths": ...}

    model = ema_model("scenarios/sweeps/discovery_exports_lhs.yaml")  # uncertainties from a sweep
    from ema_workbench import perform_experiments
    experiments, outcomes = perform_experiments(model, scenarios=100)

Parameter names are the scenario's dotted key paths, exactly as in sweep files and `--set`; as
the workbench wants Python identifiers, `ema_model` names them with "__" for "." (e.g.
`security__interdiction_capacity`), and the function accepts either spelling. Each
call runs `replicates` seeded replicates (seeds spawned from `seed`, the same for every call:
common random numbers) and returns the mean of each metric over `years` (from a sweep file: over
its `years` or `weeks`, with its effect columns if it has `effects: true`). Calls are independent
and the function pickles, so the workbench's multiprocessing evaluator can use it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from sim.config.loader import ConfigError, read_scenario_dict, set_key
from sim.metrics import EXPORTED_AT_PORT
from sim.scenarios import validate_scenario
from sim.sweep.design import RunSpec
from sim.sweep.evaluate import Chunk, run_chunk
from sim.sweep.spec import MODEL_METRICS, Sweep, load_sweep

IDENTIFIER_DOT = "__"  # stands for "." in parameter names that must be Python identifiers
DEFAULT_METRICS = ("exported_t", EXPORTED_AT_PORT, "seized_t", "deaths", "armed_groups")


class VraemFunction:
    """Callable `f(**params) -> {metric: value}` over a base scenario."""

    def __init__(
        self,
        base: str | Path = "scenarios/baseline.yaml",
        metrics: list[str] | tuple[str, ...] = DEFAULT_METRICS,
        years: tuple[int, int] = (2, 5),
        replicates: int = 1,
        seed: int | None = None,
        weeks: int | None = None,
        scenario: dict[str, Any] | None = None,
    ) -> None:
        unknown = [m for m in metrics if m not in MODEL_METRICS]
        if unknown:
            raise ValueError(f"unknown metrics {unknown}; expected some of {list(MODEL_METRICS)}")
        data = read_scenario_dict(base)
        for key, value in (scenario or {}).items():
            set_key(data, key, value, base)
        if weeks is not None:
            data["weeks"] = weeks
        if seed is not None:
            data["seed"] = seed
        if "network" in data and isinstance(data["network"].get("data_dir"), str):
            folder = Path(base).resolve().parent
            data["network"]["data_dir"] = str((folder / data["network"]["data_dir"]).resolve())
        self._setup(validate_scenario(data, base).model_dump(mode="json"), str(base))
        self.metrics = tuple(metrics)
        self.years = years
        self.replicates = replicates
        self.metric_weeks: tuple[int, int] | None = None  # a sweep file's `weeks` window
        self.effects = self.effect_ratio = False

    def _setup(self, resolved: dict[str, Any], source: str) -> None:
        self.base = resolved
        self.source = source

    @classmethod
    def from_sweep(cls, sweep_file: str | Path, replicates: int | None = None) -> VraemFunction:
        """The function over a sweep file's base scenario (with its `scenario:` additions),
        metrics, years, seed and replicates."""
        return cls._from_loaded(load_sweep(sweep_file), replicates)

    @classmethod
    def _from_loaded(cls, sweep: Sweep, replicates: int | None) -> VraemFunction:
        spec = sweep.spec
        if spec.model != "vraem":
            raise ConfigError(sweep.path, "model", "expected the vraem model")
        self = cls.__new__(cls)
        self._setup(copy.deepcopy(sweep.base), str(sweep.path))
        self.base["seed"] = spec.seed
        self.metrics = tuple(spec.metrics)
        self.years = spec.years
        self.replicates = replicates or spec.replicates
        self.metric_weeks = spec.weeks
        self.effects, self.effect_ratio = spec.effects, spec.effect_ratio
        return self

    def _chunk(self, data: dict[str, Any], runs: tuple[RunSpec, ...]) -> Chunk:
        return Chunk(
            "vraem",
            data,
            runs,
            self.metrics,
            self.years,
            False,
            weeks=self.metric_weeks,
            effects=self.effects,
            effect_ratio=self.effect_ratio,
        )

    @property
    def outcomes(self) -> tuple[str, ...]:
        """What a call returns: the metrics and, from a sweep with `effects`, their
        counterfactuals, effects (and ratios)."""
        return self._chunk({}, ()).columns

    def __call__(self, **params: Any) -> dict[str, float]:
        """Run the scenario with `params` set; the mean of each metric over the replicates."""
        from sim.runner.seeds import replicate_seeds

        data = copy.deepcopy(self.base)
        for key, value in params.items():
            set_key(data, key.replace(IDENTIFIER_DOT, "."), value, self.source)
        validate_scenario(data, self.source)  # bad names or values fail here, clearly
        seeds = replicate_seeds(int(data["seed"]), self.replicates)
        runs = tuple(RunSpec(k, 0, k, s, {}) for k, s in enumerate(seeds))
        result = run_chunk(self._chunk(data, runs))
        failed = [r for r in result.rows if r["status"] != "ok"]
        if failed:
            raise RuntimeError(failed[0]["error"])
        return {m: sum(r[m] for r in result.rows) / len(result.rows) for m in self.outcomes}


def ema_name(key: str) -> str:
    """The workbench's name (a Python identifier) for a dotted key path."""
    return key.replace(".", IDENTIFIER_DOT)


def ema_model(sweep_file: str | Path, name: str = "vraem", replicates: int | None = None):
    """An `ema_workbench.Model` whose uncertainties are a sweep file's parameters (ranges become
    Real/IntegerParameter, value lists CategoricalParameter) and whose outcomes are its metrics."""
    from ema_workbench import (
        CategoricalParameter,
        IntegerParameter,
        Model,
        RealParameter,
        ScalarOutcome,
    )

    sweep = load_sweep(sweep_file)
    function = VraemFunction._from_loaded(sweep, replicates)
    spec = sweep.spec
    model = Model(name, function=function)
    uncertainties = []
    for key, p in spec.parameters.items():
        name = ema_name(key)
        if p.values is not None:
            uncertainties.append(CategoricalParameter(name, p.values))
        elif p.integer:
            uncertainties.append(IntegerParameter(name, round(p.low), round(p.high)))
        else:
            uncertainties.append(RealParameter(name, p.low, p.high))
    model.uncertainties = uncertainties
    model.outcomes = [ScalarOutcome(m) for m in function.outcomes]
    return model
