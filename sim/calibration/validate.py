"""`vraem validate`: run the baseline and set each calibration target's band beside the model.

Writes `validation.csv`, `validation.md` and `figures/validation.png` with `validation.svg`
(each target's band with the model's value and 90% interval on a common scale where the band
spans 0 to 1). The model's value is the mean over replicates unless the table's `statistic` says
otherwise (median, pooled median; see `sim.calibration.targets`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.calibration.targets import load_targets

FIGSIZE = (16, 9)
DPI = 120
FIGURE_FILE = "validation.png"  # in figures/, with validation.svg beside it

#: saves a figure at a path, with its title and source line: `sim.report.style.save_figure`
SaveFigure = Callable[[Figure, Path, str, str], Path]


def fmt(x: float) -> str:
    """A number as an analyst would write it: 36,650 / 428.0 / 2.59 / 0.097 ("n/a" if undefined)."""
    if not np.isfinite(x):
        return "n/a"
    ax = abs(x)
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 100:
        return f"{x:.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    if ax >= 1 or ax == 0:
        return f"{x:.2f}" if ax else "0"
    return f"{x:.3f}"


def markdown_table(table: pd.DataFrame) -> str:
    """The validation table in Markdown, then the notes of the targets that have one."""
    lines = [
        "| target | unit | model | statistic | 90% interval | band | status |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| {r.target} | {r.unit} | {fmt(r.model_mean)} | {r.statistic} | "
            f"{fmt(r.model_p05)} - {fmt(r.model_p95)} | {fmt(r.band_low)} - {fmt(r.band_high)} "
            f"| {r.status} |"
        )
    notes = [f"- {r.target}: {r.note}" for r in table.itertuples() if _has_note(r.note)]
    if notes:
        lines += ["", "Notes:", "", *notes]
    return "\n".join(lines)


def _has_note(note) -> bool:
    """A note that says something (a CSV read back gives NaN for an empty one)."""
    return isinstance(note, str) and bool(note)


def _scaled(value: float, low: float, high: float) -> float:
    if high == low:
        return 0.5 + (value - low)  # a zero-width band: 0.5 is on target
    return (value - low) / (high - low)


def validation_figure(table: pd.DataFrame, source_line: str) -> Figure:
    """Each target's band (shaded, 0-1) with the model's mean and 90% interval on it."""
    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    ax = fig.subplots()
    n = len(table)
    y = np.arange(n)[::-1]
    ax.axvspan(0, 1, color="#cfe3f3", zorder=0, label="band of the real figures")
    for yi, r in zip(y, table.itertuples(), strict=True):
        lo, hi = r.band_low, r.band_high
        if r.value is not None and not pd.isna(r.value):
            ax.plot(
                _scaled(float(r.value), lo, hi),
                yi,
                marker="|",
                ms=22,
                mew=3,
                color="#2166ac",
                zorder=1,
            )
        mean = _scaled(r.model_mean, lo, hi)
        p05, p95 = _scaled(r.model_p05, lo, hi), _scaled(r.model_p95, lo, hi)
        ok = r.status == "PASS"
        ax.plot([p05, p95], [yi, yi], color="black", lw=2.5, zorder=2)
        ax.plot(
            mean,
            yi,
            marker="o" if ok else "X",
            ms=11,
            color="#1b7837" if ok else "#b2182b",
            markeredgecolor="black",
            zorder=3,
        )
        value = fmt(r.model_mean) + ("" if r.statistic == "mean" else f" ({r.statistic})")
        text = f"{value}   (band {fmt(lo)} - {fmt(hi)})"
        ax.text(1.62, yi, text, va="center", ha="right", fontsize=11)
    ax.set_yticks(y, [t.replace("_", " ") for t in table["target"]], fontsize=12)
    ax.set_xlim(-0.6, 1.65)
    ax.set_xticks([0, 0.5, 1], ["band low", "middle", "band high"], fontsize=12)
    ax.set_xlabel("position within the target's band (0 = low end, 1 = high end)", fontsize=12)
    ax.plot(
        [], [], marker="o", ls="", color="#1b7837", markeredgecolor="black", label="PASS: model"
    )
    ax.plot(
        [], [], marker="X", ls="", color="#b2182b", markeredgecolor="black", label="MISS: model"
    )
    ax.plot([], [], color="black", lw=2.5, label="90% interval across replicates")
    ax.plot([], [], marker="|", ms=16, mew=3, ls="", color="#2166ac", label="reported figure")
    ax.legend(loc="lower left", fontsize=11, framealpha=0.9)
    passed = int((table["status"] == "PASS").sum())
    fig.suptitle(
        f"The baseline lands inside {passed} of {n} real-world bands "
        "(years 2-5, mean of replicates unless said otherwise)",
        fontsize=16,
        fontweight="bold",
    )
    fig.text(0.99, 0.005, source_line, ha="right", va="bottom", fontsize=9, color="#555555")
    return fig


def write_validation(table: pd.DataFrame, folder: Path, source_line: str, save: SaveFigure) -> None:
    """Write the table (CSV, Markdown) into `folder` (which must exist) and the figure through
    `save(figure, path, title, source_line)`: the command passes `sim.report.style.save_figure`,
    the one place figures are written (as PNG and SVG), which this layer may not import."""
    table.to_csv(folder / "validation.csv", index=False)
    (folder / "validation.md").write_text(markdown_table(table) + "\n", encoding="utf-8")
    fig = validation_figure(table, source_line)
    save(fig, folder / "figures" / FIGURE_FILE, fig.get_suptitle(), source_line)


def target_values() -> dict[str, float]:
    """The point value of each target (its `value`, or the middle of its band)."""
    out = {}
    for name, t in load_targets().items():
        lo, hi = t["band"]
        out[name] = float(t["value"]) if t.get("value") is not None else (lo + hi) / 2
    return out
