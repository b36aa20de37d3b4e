"""What a sweep's runs say: per-point means, sensitivity indices (SALib) and scenario discovery
(PRIM, from the EMA workbench)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.sweep.design import REFERENCE_POINT, Design, design_seed
from sim.sweep.spec import RATIO, SweepSpec

SOBOL_RESAMPLES = 1000  # bootstrap resamples for the confidence intervals
CONFIDENCE = 0.95  # level of the SALib confidence intervals (S1_conf, ST_conf, mu_star_conf)


# the SALib results written to sensitivity.csv, per method
INDEX_COLUMNS = {
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
    "morris": ("mu", "mu_star", "mu_star_conf", "sigma"),
}


def point_means(runs: pd.DataFrame, spec: SweepSpec) -> pd.DataFrame:
    """One row per design point (reference runs excluded): parameter values, the mean of each
    metric column (`SweepSpec.metric_columns`: with `effects` also the counterfactuals, effects
    and ratios) over its successful replicates (NaN values, e.g. a ratio to a zero
    counterfactual, left out), and how many replicates succeeded."""
    design_runs = runs[runs["point"] != REFERENCE_POINT]
    ok = design_runs[design_runs["status"] == "ok"]
    params = design_runs.groupby("point")[spec.parameter_names].first()
    means = ok.groupby("point")[spec.metric_columns].mean()
    counts = ok.groupby("point").size().rename("replicates_ok")
    out = params.join(means).join(counts)
    out["replicates_ok"] = out["replicates_ok"].fillna(0).astype("int64")
    return out.reset_index()


def reference_means(runs: pd.DataFrame, spec: SweepSpec) -> pd.Series | None:
    """Mean of each metric column over the reference runs (None if the sweep has none)."""
    ref = runs[(runs["point"] == REFERENCE_POINT) & (runs["status"] == "ok")]
    if ref.empty:
        return None
    return ref[spec.metric_columns].mean()


def sensitivity(spec: SweepSpec, design: Design, points: pd.DataFrame) -> pd.DataFrame:
    """Sobol (S1, ST with confidence intervals) or Morris (mu*, sigma) indices of every metric
    column (with `effects` also the counterfactuals, effects and ratios) to every parameter. A
    column with a design point without a value (no successful run, or only NaN ratios) gets a
    row saying so, not indices."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze

    rows: list[dict[str, Any]] = []
    seed = design_seed(spec.seed)
    for metric in spec.metric_columns:
        y = points.sort_values("point")[metric].to_numpy(dtype=float)
        if len(y) != len(design.x) or not np.all(np.isfinite(y)):
            failed = len(y) != len(design.x) or (points["replicates_ok"] == 0).any()
            why = "no successful run" if failed else "no finite value"
            if not failed and metric.endswith(f"_{RATIO}"):
                why += " (the counterfactual is 0)"
            for name in spec.parameter_names:
                rows.append(
                    {
                        "metric": metric,
                        "parameter": name,
                        "method": spec.method,
                        "note": f"not computed: some design points have {why}",
                    }
                )
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # constant outputs divide by 0
            if spec.method == "sobol":
                res = sobol_analyze.analyze(
                    design.problem,
                    y,
                    calc_second_order=spec.second_order,
                    num_resamples=SOBOL_RESAMPLES,
                    conf_level=CONFIDENCE,
                    seed=seed,
                )
            else:
                res = morris_analyze.analyze(
                    design.problem,
                    design.x,
                    y,
                    num_resamples=SOBOL_RESAMPLES,
                    conf_level=CONFIDENCE,
                    num_levels=spec.levels,
                    seed=seed,
                )
        for i, name in enumerate(spec.parameter_names):
            indices = {key: res[key][i] for key in INDEX_COLUMNS[spec.method]}
            rows.append(
                {"metric": metric, "parameter": name, "method": spec.method, **indices, "note": ""}
            )
    return pd.DataFrame(rows)


@dataclass
class DiscoveryResult:
    """A PRIM box: the parameter ranges where the outcome of interest concentrates."""

    outcome: str  # plain-words description of the outcome
    share: float  # share of design points where it happens
    limits: pd.DataFrame  # rows: parameter; columns: low, high, restricted (bool)
    coverage: float  # share of all outcome points that are in the box
    density: float  # share of the box's points where the outcome happens
    trajectory: pd.DataFrame  # PRIM's peeling trajectory (coverage, density, mass, ...)
    chosen: int  # index of the chosen box on the trajectory
    flags: pd.Series  # per design point: does the outcome happen

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "share_of_points": self.share,
            "coverage": self.coverage,
            "density": self.density,
            "box": {
                name: {"low": float(r.low), "high": float(r.high), "restricted": bool(r.restricted)}
                for name, r in self.limits.iterrows()
            },
        }


def outcome_flags(
    spec: SweepSpec, points: pd.DataFrame, reference: pd.Series | None
) -> tuple[pd.Series, str]:
    """Per design point, whether the discovery outcome happens; and its description."""
    from sim.sweep.spec import metric_label

    d = spec.discovery
    assert d is not None
    value = points[d.metric].astype(float)
    if d.relative_to_reference:
        if reference is None or reference[d.metric] == 0:
            raise ValueError("relative discovery needs reference runs with a non-zero mean")
        value = value / reference[d.metric] - 1.0
    flags = value < d.below if d.below is not None else value > d.above
    flags = flags & value.notna()
    return flags, d.label(metric_label(d.metric))


def discover(
    spec: SweepSpec, points: pd.DataFrame, reference: pd.Series | None
) -> DiscoveryResult | None:
    """Run PRIM on the design points; None if the outcome never (or always) happens."""
    flags, label = outcome_flags(spec, points, reference)
    share = float(flags.mean())
    if flags.sum() == 0 or flags.all():
        return DiscoveryResult(
            label, share, pd.DataFrame(), np.nan, np.nan, pd.DataFrame(), -1, flags
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the workbench warns about optional extras on import
        from ema_workbench.analysis import prim

        x = points[spec.parameter_names].astype(float).reset_index(drop=True)
        box = prim.Prim(x, flags.to_numpy(dtype=bool)).find_box()
    traj = box.peeling_trajectory.reset_index(drop=True)
    dense = traj[traj["density"] >= spec.discovery.min_density]
    chosen = int(dense["coverage"].idxmax()) if not dense.empty else len(traj) - 1
    box.select(chosen)
    lims = box.box_lim.T
    lims.columns = ["low", "high"]
    lo, hi = x.min(), x.max()
    lims["restricted"] = (lims["low"] > lo) | (lims["high"] < hi)
    return DiscoveryResult(
        outcome=label,
        share=share,
        limits=lims,
        coverage=float(traj.loc[chosen, "coverage"]),
        density=float(traj.loc[chosen, "density"]),
        trajectory=traj,
        chosen=chosen,
        flags=flags,
    )
