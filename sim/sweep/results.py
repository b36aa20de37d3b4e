"""The analysis files and figures of a finished sweep, written into its folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.sweep.analysis import discover, point_means, reference_means, sensitivity
from sim.sweep.design import Design
from sim.sweep.spec import Sweep


def source_line(sweep: Sweep, runs: pd.DataFrame) -> str:
    """Footer of the sweep's figures."""
    from sim import __version__

    spec = sweep.spec
    return (
        f"vraem-sim {__version__}, sweep '{spec.name}' ({spec.method}), {len(runs)} runs, "
        f"{spec.replicates} replicate(s) per point, seed {spec.seed}"
    )


def write_sweep_outputs(
    sweep: Sweep, design: Design, runs: pd.DataFrame, folder: Path, figures: bool = True
) -> dict[str, Any]:
    """`points.csv`, `sensitivity.csv` (sobol/morris), `discovery.json` and
    `prim_trajectory.csv` (if the sweep asks for discovery), and figures. Returns the list of
    files written, for the manifest."""
    spec = sweep.spec
    written: dict[str, Any] = {"runs": "runs.parquet"}
    if not (runs["status"] == "ok").any():  # nothing to analyse or draw; the runs are kept
        written["figures"] = written["analysis"] = "none: every run failed"
        return written
    if spec.timeseries and spec.model == "vraem" and (folder / "timeseries").exists():
        written["timeseries"] = "timeseries/ (Parquet dataset partitioned by point)"
    points = point_means(runs, spec)
    points.to_csv(folder / "points.csv", index=False, float_format="%.6g")
    written["points"] = "points.csv"
    reference = reference_means(runs, spec)
    sens = None
    if spec.method in ("sobol", "morris"):
        sens = sensitivity(spec, design, points)
        sens.to_csv(folder / "sensitivity.csv", index=False, float_format="%.6g")
        written["sensitivity"] = "sensitivity.csv"
    found = None
    if spec.discovery is not None:
        found = discover(spec, points, reference)
        (folder / "discovery.json").write_text(
            json.dumps(found.as_dict(), indent=2) + "\n", encoding="utf-8"
        )
        found.trajectory.to_csv(folder / "prim_trajectory.csv", index=False, float_format="%.6g")
        written["discovery"] = ["discovery.json", "prim_trajectory.csv"]
    if figures:
        from sim.report.style import svg_path
        from sim.sweep.figures import write_sweep_figures

        try:
            paths = write_sweep_figures(
                sweep, points, reference, sens, found, folder / "figures", source_line(sweep, runs)
            )
        except Exception as exc:  # the data is what matters: publish it without the figures
            written["figures"] = f"none: drawing failed ({type(exc).__name__}: {exc})"
        else:
            written["figures"] = [str(p.relative_to(folder)) for p in paths]
            written["figures_svg"] = [str(svg_path(p).relative_to(folder)) for p in paths]
    return written
