"""Figures of a sweep, in the briefing style of `sim.report.style` (16:9, finding as title,
units on axes, source line): sensitivity bars, outcome against each parameter, a response
surface for two-parameter grids, and the PRIM box of a scenario-discovery sweep."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from scipy.stats import spearmanr

from sim.report.style import RC, figure_title, footer, new_figure, save_figure
from sim.sweep.analysis import DiscoveryResult
from sim.sweep.spec import Sweep, metric_label

MAX_METRIC_PANELS = 4  # metrics shown side by side in one figure (more would not be legible)
MAX_SCATTER_PARAMS = 6  # parameters per row of the scatter figure
DARK, LIGHT = "#1F4E79", "#9DC3E6"  # two blues far apart in lightness (survive greyscale)
OUTCOME_COLOUR = "#B22222"
MIN_RESTRICTION = 0.05  # a box limit that cuts less than 5% of a range is not worth reporting
HARDLY = 0.25  # a parameter whose main effect is under a quarter of the other's "hardly" moves it
TITLE_RESTRICTIONS = 2  # box limits named in the title (all are in the figure's text box)
PANEL_FONT = 12  # panel titles and notes
PANEL_TITLE_CHARS = 108  # characters of panel titles across the figure (then they wrap)
SOBOL_BAR, MORRIS_BAR = 0.38, 0.6  # bar heights (ST and S1 side by side; mu*)
CAPSIZE = 3  # whisker caps (pt)
SIGMA_COLOUR = "#F4B183"
POINT_SIZE = 26  # design points of the PRIM figure (pt^2)
FADED = 0.35  # alpha of design points outside the box on another parameter
AXIS_TOP = 1.02  # coverage and density axes end just above 1


def _metric_label(name: str) -> str:
    return metric_label(name)


def _metric_short(name: str) -> str:
    """The metric's description without its unit, for sentences."""
    return _metric_label(name).split(" (")[0]


def param_label(sweep: Sweep, name: str) -> str:
    """The parameter's label from the sweep file, else its key path."""
    spec = sweep.spec.parameters[name]
    return spec.label or name


def _wrapped(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _sentence(text: str) -> str:
    """First letter upper case, the rest as written (keeps 'Callao', 'HCl')."""
    return text[:1].upper() + text[1:]


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.3g}"


def _sobol_bars(ax: Any, rows: pd.DataFrame, y: np.ndarray) -> None:
    """Total (hatched, light) and first-order (dark) Sobol index per parameter, with whiskers."""
    h = SOBOL_BAR
    ax.barh(
        y + h / 2,
        rows["ST"],
        h,
        xerr=rows["ST_conf"],
        color=LIGHT,
        hatch="//",
        edgecolor=DARK,
        label="total effect ST",
        capsize=CAPSIZE,
    )
    ax.barh(
        y - h / 2,
        rows["S1"],
        h,
        xerr=rows["S1_conf"],
        color=DARK,
        label="first order S1",
        capsize=CAPSIZE,
    )
    ax.set_xlim(left=min(0.0, float(np.nanmin(rows["S1"] - rows["S1_conf"]))))
    ax.set_xlabel("share of output variance")


def _morris_bars(ax: Any, rows: pd.DataFrame, y: np.ndarray, metric: str) -> None:
    """Morris mu* per parameter (bars with whiskers) and sigma (diamonds)."""
    ax.barh(
        y,
        rows["mu_star"],
        MORRIS_BAR,
        xerr=rows["mu_star_conf"],
        color=DARK,
        label="mean |elementary effect| μ*",
        capsize=CAPSIZE,
    )
    ax.plot(
        rows["sigma"],
        y,
        "D",
        color=SIGMA_COLOUR,
        markeredgecolor="black",
        label="σ (interactions, non-linearity)",
    )
    ax.set_xlabel(f"μ* and σ ({_metric_label(metric).split('(')[-1].rstrip(')')})")


def _sensitivity_panel(
    ax: Any, rows: pd.DataFrame, y: np.ndarray, sobol: bool, metric: str, width: int
) -> None:
    """One metric's indices per parameter: Sobol ST and S1 bars, or Morris mu* bars and sigma."""
    value = rows["ST"] if sobol else rows["mu_star"]
    notes = rows.get("note", pd.Series("", index=rows.index)).fillna("")
    if notes.str.len().gt(0).all():
        why = notes.iloc[0].removeprefix("not computed: some design points have ")
        text = "not computed:\n" + _wrapped(f"a design point has {why}", 24)
        ax.text(0.5, 0.5, text, ha="center", transform=ax.transAxes, fontsize=PANEL_FONT)
    elif value.fillna(0).eq(0).all():  # SALib gives NaN or 0 for an output that never moves
        ax.text(
            0.5,
            0.5,
            "no variation:\nthe same in every run",
            ha="center",
            transform=ax.transAxes,
            fontsize=PANEL_FONT,
        )
    elif sobol:
        _sobol_bars(ax, rows, y)
    else:
        _morris_bars(ax, rows, y, metric)
    ax.set_title(_wrapped(_metric_label(metric), width), fontsize=PANEL_FONT)
    ax.grid(axis="y", visible=False)


def _sensitivity_title(sweep: Sweep, first: pd.DataFrame, top: str, metric: str) -> str:
    """The parameter that moves the first metric most, with its index."""
    row = first.loc[top]
    if sweep.spec.method == "sobol":
        return (
            f"{param_label(sweep, top)} drives most of the variation in "
            f"{_metric_short(metric)}: total Sobol index {row['ST']:.2f} "
            f"(95% interval ±{row['ST_conf']:.2f})"
        )
    return (
        f"{param_label(sweep, top)} moves {_metric_short(metric)} the most: "
        f"μ* = {_fmt(row['mu_star'])} (Morris screening)"
    )


def sensitivity_figure(
    sweep: Sweep, sens: pd.DataFrame, source_line: str, columns: list[str] | None = None
) -> tuple[Figure, str]:
    """Sobol S1/ST (or Morris mu*/sigma) per parameter, one panel per metric column (of
    `columns`, default the metrics)."""
    spec = sweep.spec
    wanted = columns or spec.metrics
    metrics = [m for m in wanted if m in set(sens["metric"])][:MAX_METRIC_PANELS]
    fig = new_figure()
    axes = fig.subplots(1, len(metrics), sharey=True, squeeze=False)[0]
    sobol = spec.method == "sobol"
    key = "ST" if sobol else "mu_star"
    computed = [
        m for m in metrics if key in sens and sens.loc[sens["metric"] == m, key].notna().any()
    ]
    lead = computed[0] if computed else metrics[0]  # orders the bars and gives the title
    first = sens[sens["metric"] == lead].set_index("parameter")
    order = first[key].fillna(0).sort_values().index.tolist() if key in first else list(first.index)
    y = np.arange(len(order))
    for ax, metric in zip(axes, metrics, strict=True):
        rows = sens[sens["metric"] == metric].set_index("parameter").reindex(order)
        _sensitivity_panel(ax, rows, y, sobol, metric, PANEL_TITLE_CHARS // len(metrics))
    axes[0].set_yticks(y, [param_label(sweep, p) for p in order])
    axes[0].legend(loc="lower right")
    if computed:
        title = _sensitivity_title(sweep, first, order[-1], lead)
    else:
        title = f"No sensitivity indices of {_metric_short(lead)}: {first['note'].iloc[0]}"
    figure_title(fig, title)
    window = f"; metrics over {spec.window_text()}" if spec.model == "vraem" else ""
    note = (
        f"{spec.method} design, {spec.samples} base samples{window}; "
        "whiskers: 95% bootstrap interval"
    )
    footer(fig, source_line, note)
    return fig, title


def scatter_figure(
    sweep: Sweep,
    points: pd.DataFrame,
    reference: pd.Series | None,
    source_line: str,
    columns: list[str] | None = None,
) -> tuple[Figure, str]:
    """Each metric column (rows; of `columns`, default the metrics) against each parameter
    (columns), one dot per design point."""
    spec = sweep.spec
    metrics = (columns or spec.metrics)[:3]
    params = spec.parameter_names[:MAX_SCATTER_PARAMS]
    fig = new_figure()
    axes = fig.subplots(len(metrics), len(params), squeeze=False, sharey="row")
    best = (0.0, params[0], metrics[0])
    for i, metric in enumerate(metrics):
        for j, param in enumerate(params):
            ax = axes[i][j]
            x = points[param].astype(float)
            yv = points[metric].astype(float)
            ax.scatter(x, yv, s=14, color=DARK, alpha=0.6, edgecolor="none")
            ok = x.notna() & yv.notna()
            if ok.sum() > 2 and x[ok].nunique() > 1 and yv[ok].nunique() > 1:
                rho = float(spearmanr(x[ok], yv[ok]).statistic)
                ax.text(
                    0.02,
                    0.97,
                    f"ρ = {rho:+.2f}",
                    transform=ax.transAxes,
                    va="top",
                    fontsize=10,
                    bbox={"fc": "white", "ec": "none", "alpha": 0.8},
                )
                if abs(rho) > abs(best[0]):
                    best = (rho, param, metric)
            if reference is not None and metric in reference:
                ax.axhline(
                    reference[metric],
                    color="black",
                    linestyle="--",
                    linewidth=1.2,
                    label="reference (base scenario)",
                )
            if i == len(metrics) - 1:
                ax.set_xlabel(_wrapped(param_label(sweep, param), 120 // len(params)))
            if j == 0:
                ax.set_ylabel(_wrapped(_metric_label(metric), 28))
    if reference is not None:
        axes[0][0].legend(loc="lower left", fontsize=9)
    rho, param, metric = best
    direction = "rises" if rho > 0 else "falls"
    title = (
        f"{_sentence(_metric_short(metric))} {direction} with {param_label(sweep, param)} "
        f"(Spearman ρ = {rho:+.2f}); each dot is one design point"
    )
    figure_title(fig, title)
    footer(fig, source_line, f"mean of {spec.replicates} replicate(s) per point")
    return fig, title


def grid_finding(
    sweep: Sweep,
    points: pd.DataFrame,
    reference: pd.Series | None,
    metric: str,
    px: str,
    py: str,
) -> str:
    """Which of two grid parameters moves a metric, e.g. 'Cocaine exported ranges 386-403 t/yr
    (-4% to +0% against the reference): Callao detection risk moves it, week of capture
    hardly'."""
    values = points[metric].astype(float)
    lo, hi = values.min(), values.max()
    unit = (
        _metric_label(metric).rsplit("(", 1)[-1].rstrip(")") if "(" in _metric_label(metric) else ""
    )
    text = f"{_sentence(_metric_short(metric))} ranges {_fmt(lo)}–{_fmt(hi)} {unit}".rstrip()
    ref = None if reference is None else reference.get(metric)
    if ref:
        text += f" ({(lo / ref - 1) * 100:+.0f}% to {(hi / ref - 1) * 100:+.0f}% against reference)"
    spread = {
        name: float(np.ptp(points.groupby(name)[metric].mean().to_numpy(dtype=float)))
        for name in (px, py)
    }
    strong, weak = sorted(spread, key=spread.get, reverse=True)
    if spread[weak] < HARDLY * spread[strong]:
        return f"{text}: {param_label(sweep, strong)} moves it, {param_label(sweep, weak)} hardly"
    return f"{text}: both {param_label(sweep, px)} and {param_label(sweep, py)} move it"


def response_figure(
    sweep: Sweep,
    points: pd.DataFrame,
    reference: pd.Series | None,
    source_line: str,
    columns: list[str] | None = None,
) -> tuple[Figure, str]:
    """Two-parameter grid: a heat map per metric column (of `columns`, default the metrics),
    cells labelled with the value (and the change against the reference runs)."""
    spec = sweep.spec
    px, py = spec.parameter_names[:2]
    metrics = (columns or spec.metrics)[:3]
    fig = new_figure()
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for ax, metric in zip(axes, metrics, strict=True):
        table = points.pivot_table(index=py, columns=px, values=metric, aggfunc="mean")
        im = ax.imshow(table.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="cividis")
        ax.set_xticks(range(len(table.columns)), [f"{v:g}" for v in table.columns])
        ax.set_yticks(range(len(table.index)), [f"{v:g}" for v in table.index])
        ax.set_xlabel(param_label(sweep, px))
        ax.set_ylabel(param_label(sweep, py))
        ax.grid(False)
        ref = None if reference is None else reference.get(metric)
        lo, hi = np.nanmin(table.to_numpy()), np.nanmax(table.to_numpy())
        for (r, c), v in np.ndenumerate(table.to_numpy(dtype=float)):
            text = _fmt(v)
            if ref:
                text += f"\n{(v / ref - 1) * 100:+.0f}%"
            dark = (v - lo) / (hi - lo or 1) < 0.55
            ax.text(
                c, r, text, ha="center", va="center", fontsize=9, color="white" if dark else "black"
            )
        fig.colorbar(im, ax=ax, shrink=0.8, label=_metric_label(metric))
        ax.set_title(_metric_label(metric), fontsize=12)
    title = grid_finding(sweep, points, reference, metrics[0], px, py)
    figure_title(fig, title)
    note = "cell: mean over replicates" + (
        "; % = change against the reference runs (base scenario, same seeds)"
        if reference is not None
        else ""
    )
    footer(fig, source_line, note)
    return fig, title


def restriction(found: DiscoveryResult, points: pd.DataFrame) -> pd.Series:
    """Share of each parameter's sampled range that the box cuts away, largest first."""
    x = points[found.limits.index].astype(float)
    span = (x.max() - x.min()).replace(0, np.nan)
    kept = (found.limits["high"] - found.limits["low"]) / span
    return (1 - kept).clip(lower=0).fillna(0).sort_values(ascending=False)


def _inside_box(points: pd.DataFrame, found: DiscoveryResult) -> np.ndarray:
    """Whether each design point lies inside the PRIM box on every restricted parameter."""
    inside = np.ones(len(points), dtype=bool)
    for name, r in found.limits.iterrows():
        v = points[name].astype(float).to_numpy()
        inside &= (v >= r.low) & (v <= r.high)
    return inside


def _prim_points(ax: Any, points: pd.DataFrame, found: DiscoveryResult, px: str, py: str) -> None:
    """Design points on two parameters (outcome: filled squares; faded outside the box on
    another parameter) and the PRIM box on them."""
    flags = found.flags.to_numpy(dtype=bool)
    inside = _inside_box(points, found)
    x, y = points[px].astype(float), points[py].astype(float)
    for happens, marker in ((False, "o"), (True, "s")):
        for in_box, alpha in ((True, 1.0), (False, FADED)):
            sel = (flags == happens) & (inside == in_box)
            style = (
                {"color": OUTCOME_COLOUR}
                if happens
                else {"facecolor": "none", "edgecolor": "#555555"}
            )
            label = None
            if in_box:
                label = "outcome happens" if happens else "outcome does not happen"
            ax.scatter(
                x[sel], y[sel], s=POINT_SIZE, marker=marker, alpha=alpha, label=label, **style
            )
    lx, ly = found.limits.loc[px], found.limits.loc[py]
    ax.add_patch(
        Rectangle(
            (lx.low, ly.low),
            lx.high - lx.low,
            ly.high - ly.low,
            fill=False,
            linewidth=2.5,
            edgecolor="black",
            linestyle="--",
        )
    )
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Patch(fill=False, edgecolor="black", linestyle="--", linewidth=2))
    labels.append("PRIM box")
    ax.legend(handles, labels, loc="lower left", framealpha=0.95)


def _prim_trajectory(tr: Any, sweep: Sweep, found: DiscoveryResult, shown: pd.Series) -> None:
    """Coverage against density of each peeling step, the chosen box, its limits as text."""
    traj = found.trajectory
    tr.plot(traj["coverage"], traj["density"], "-o", color=DARK, markersize=4)
    tr.plot(
        found.coverage,
        found.density,
        "o",
        markersize=12,
        markerfacecolor="none",
        markeredgecolor="black",
        markeredgewidth=2,
        label="chosen box",
    )
    tr.set_xlabel("coverage (share of outcome points inside the box)")
    tr.set_ylabel("density (share of box points with the outcome)")
    tr.set_xlim(0, AXIS_TOP)
    tr.set_ylim(0, AXIS_TOP)
    tr.legend(loc="lower left")
    tr.set_title("PRIM peeling trajectory", fontsize=PANEL_FONT)
    box_text = "\n".join(
        f"{param_label(sweep, n)}: {found.limits.loc[n, 'low']:.3g} – "
        f"{found.limits.loc[n, 'high']:.3g}"
        for n in shown.index
    )
    tr.text(
        0.98,
        0.98,
        "box limits\n" + (box_text or "none restricted"),
        ha="right",
        va="top",
        transform=tr.transAxes,
        fontsize=10,
        bbox={"fc": "white", "ec": "#999999"},
    )


def _prim_title(sweep: Sweep, found: DiscoveryResult, shown: pd.Series) -> str:
    limits = " and ".join(
        f"{param_label(sweep, n)} {found.limits.loc[n, 'low']:.3g}–"
        f"{found.limits.loc[n, 'high']:.3g}"
        for n in shown.index[:TITLE_RESTRICTIONS]
    )
    return (
        f"{_sentence(found.outcome)} in {found.share:.0%} of design points; "
        f"mostly where {limits} (coverage {found.coverage:.0%}, density {found.density:.0%})"
    )


def prim_figure(
    sweep: Sweep, points: pd.DataFrame, found: DiscoveryResult, source_line: str
) -> tuple[Figure, str]:
    """The PRIM box on the two most restricted parameters, and the peeling trajectory."""
    spec = sweep.spec
    fig = new_figure()
    ax, tr = fig.subplots(1, 2, width_ratios=[1.5, 1])
    removed = restriction(found, points)
    shown = removed[removed >= MIN_RESTRICTION]
    names = list(shown.index) + [p for p in removed.index if p not in shown.index]
    px, py = names[0], names[1] if len(names) > 1 else names[0]
    _prim_points(ax, points, found, px, py)
    ax.set_xlabel(param_label(sweep, px))
    ax.set_ylabel(param_label(sweep, py))
    ax.set_title(
        f"design points ({len(points)}); faded: outside the box on another parameter",
        fontsize=PANEL_FONT,
    )
    _prim_trajectory(tr, sweep, found, shown)
    title = _prim_title(sweep, found, shown)
    figure_title(fig, title)
    footer(
        fig,
        source_line,
        "PRIM (EMA workbench); outcome relative to the reference runs"
        if spec.discovery and spec.discovery.relative_to_reference
        else "PRIM",
    )
    return fig, title


def write_sweep_figures(
    sweep: Sweep,
    points: pd.DataFrame,
    reference: pd.Series | None,
    sens: pd.DataFrame | None,
    found: DiscoveryResult | None,
    folder: Path,
    source_line: str,
) -> list[Path]:
    """Every figure that applies to this sweep, as PNG files in `folder`: with `effects`, the
    sensitivity, scatter and response figures once for the metrics (`sensitivity.png`) and once
    for each kind of column it adds (`sensitivity_effect.png`, `sensitivity_counterfactual.png`,
    `sensitivity_ratio.png`, likewise `scatter_*`, `response_surface_*`)."""
    spec = sweep.spec
    made = []
    with mpl.rc_context(RC):
        for suffix, cols in spec.column_groups():
            tail = f"_{suffix}" if suffix else ""
            if sens is not None and not sens.empty and {"S1", "mu_star"} & set(sens.columns):
                made.append(
                    (f"sensitivity{tail}.png", sensitivity_figure(sweep, sens, source_line, cols))
                )
            made.append(
                (f"scatter{tail}.png", scatter_figure(sweep, points, reference, source_line, cols))
            )
            if spec.method == "grid" and len(spec.parameter_names) == 2:
                made.append(
                    (
                        f"response_surface{tail}.png",
                        response_figure(sweep, points, reference, source_line, cols),
                    )
                )
        if found is not None and not found.limits.empty:
            made.append(("prim_box.png", prim_figure(sweep, points, found, source_line)))
    return [save_figure(fig, folder / name, title, source_line) for name, (fig, title) in made]
