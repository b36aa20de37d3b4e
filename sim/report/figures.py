"""Briefing figures for one vraem-sim scenario run (several seeded replicates).

Every figure is 16:9 (16 x 9 in at 120 dpi = 1920 x 1080 px), built with the
object API (:class:`matplotlib.figure.Figure` on an Agg canvas; pyplot and the
process-wide backend are never touched) and titled with a finding computed
from the data.

Public API
----------
* :func:`headline_finding`, :func:`exit_finding`, :func:`route_finding` -
  the title sentences, usable on their own (e.g. in a briefing text).
* :func:`production_and_seizure_share` - the two numbers behind the
  dashboard headline.
* :func:`dashboard_figure`, :func:`exit_shares_figure`,
  :func:`route_map_figure` - build and return a ``Figure``.
* :func:`plot_dashboard`, :func:`plot_exit_shares`, :func:`plot_route_map` -
  build and save as PNG, return the path.
* :func:`write_run_figures` - write all three into a folder.
* :func:`marker_note` - the footnote line listing intervention markers.

The time-series figures take ``markers``: (week, short label) pairs drawn as
dashed vertical lines (e.g. ``[(52, "arrest leader")]``). Weeks are 0-based
reporting weeks; weeks outside the run are ignored and markers at the same
week are merged into one line, labels joined by " + ".
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib as mpl
import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.patheffects import withStroke
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MultipleLocator, PercentFormatter
from matplotlib.transforms import Bbox

__all__ = [
    "DPI",
    "FIGSIZE",
    "dashboard_figure",
    "exit_finding",
    "exit_shares_figure",
    "headline_finding",
    "marker_note",
    "plot_dashboard",
    "plot_exit_shares",
    "plot_route_map",
    "production_and_seizure_share",
    "route_finding",
    "route_map_figure",
    "write_run_figures",
]

FIGSIZE: tuple[float, float] = (16.0, 9.0)
DPI: int = 120
WEEKS_PER_YEAR = 52

# Okabe-Ito palette (colour-blind safe); pairs are also told apart by line
# style, marker or hatch so that they survive greyscale printing.
_BLUE = "#0072B2"
_ORANGE = "#E69F00"
_GREEN = "#009E73"
_VERMILLION = "#D55E00"
_SKY = "#56B4E9"
_PURPLE = "#CC79A7"
_BROWN = "#8C6D31"
_GREY = "#B8B8B8"
_INK = "#222222"

_RC: dict[str, Any] = {
    "font.size": 12,
    "axes.titlesize": 14,
    "axes.titleweight": "bold",
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.title_fontsize": 12,
    "figure.titlesize": 17,
    "figure.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
}

_GROUP_LABELS: dict[str, str] = {
    "pacific_ports": "Pacific ports",
    "bolivia": "Bolivia (land and air)",
    "brazil": "Brazil (land and river)",
}
_GROUP_SHORT: dict[str, str] = {
    "pacific_ports": "Pacific ports",
    "bolivia": "Bolivia",
    "brazil": "Brazil",
}
_GROUP_COLOURS: dict[str, str] = {
    "pacific_ports": _BLUE,
    "bolivia": _ORANGE,
    "brazil": _GREEN,
}
_GROUP_HATCHES: dict[str, str] = {"pacific_ports": "", "bolivia": "//", "brazil": ".."}
_GROUP_MARKERS: dict[str, str] = {"pacific_ports": "s", "bolivia": "D", "brazil": "p"}
_GROUP_ORDER = ("pacific_ports", "bolivia", "brazil")
_EXTRA_COLOURS = (_PURPLE, _SKY, _VERMILLION, _BROWN)
_EXTRA_HATCHES = ("xx", "\\\\", "oo", "--")
_EXTRA_MARKERS = ("h", "P", "X", "*")

_EXIT_LABELS: dict[str, str] = {
    "callao": "Callao",
    "chimbote": "Chimbote",
    "paita": "Paita",
    "desaguadero": "Desaguadero",
    "bolivia_air": "Air bridge to Bolivia",
    "inapari": "Iñapari",
    "brazil_river": "River to Brazil",
}

# exit id -> destination wording for title sentences
_EXIT_TITLE: dict[str, str] = {
    "callao": "Callao",
    "chimbote": "Chimbote",
    "paita": "Paita",
    "desaguadero": "Desaguadero (Bolivia)",
    "bolivia_air": "Bolivia",
    "inapari": "Iñapari (Brazil)",
    "brazil_river": "Brazil",
}

# mode -> (colour, line style, legend label)
_MODE_STYLE: dict[str, tuple[str, str, str]] = {
    "road": (_VERMILLION, "-", "road"),
    "river": (_SKY, "-", "river"),
    "trail": (_BROWN, "-.", "trail"),
    "air": (_PURPLE, "--", "air (flight)"),
}

_TS_REQUIRED = ("replicate", "week")
_EXITS_REQUIRED = ("replicate", "week", "exit", "group", "exported_kg")
_FLOWS_REQUIRED = ("replicate", "u", "v", "kg")


# ----------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------
def _require(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s): {', '.join(missing)}")
    if df.empty:
        raise ValueError(f"{what} is empty")


def _select_scenario(ts: pd.DataFrame, scenario: str | None) -> pd.DataFrame:
    """Rows of ``scenario`` when ``ts`` holds several scenarios, else all rows."""
    if scenario is None or "scenario" not in ts.columns:
        return ts
    names = ts["scenario"].dropna().unique()
    if len(names) <= 1:
        return ts
    if scenario not in set(names):
        raise ValueError(f"ts holds scenarios {sorted(map(str, names))}, not {scenario!r}")
    return ts[ts["scenario"] == scenario]


def _round_sig(x: float, sig: int = 2) -> float:
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, sig - 1 - math.floor(math.log10(abs(x))))


def _fmt_about(x: float) -> str:
    """Round to two significant figures for a headline ("430", "1,200", "4.3")."""
    r = _round_sig(float(x), 2)
    if abs(r) >= 10:
        return f"{r:,.0f}"
    return f"{r:.2g}"


def _fmt_pct(share: float) -> str:
    """A share in 0..1 as a headline percentage ("41%", "0.4%", "<0.1%")."""
    p = 100.0 * float(share)
    if not math.isfinite(p):
        return "n/a"
    if p == 0:
        return "0%"
    if 0 < p < 0.05:
        return "<0.1%"
    if p < 1:
        return f"{p:.1f}%"
    return f"{p:.0f}%"


def _group_label(group: str) -> str:
    return _GROUP_LABELS.get(group, str(group).replace("_", " ").capitalize())


def _group_short(group: str) -> str:
    return _GROUP_SHORT.get(group, _group_label(group))


def _exit_label(exit_id: str) -> str:
    return _EXIT_LABELS.get(exit_id, str(exit_id).replace("_", " ").title())


def _group_styles(groups: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """group -> (colour, hatch, marker); known groups keep fixed styles."""
    out: dict[str, tuple[str, str, str]] = {}
    k = 0
    for g in groups:
        if g in _GROUP_COLOURS:
            out[g] = (_GROUP_COLOURS[g], _GROUP_HATCHES[g], _GROUP_MARKERS[g])
        else:
            i = k % len(_EXTRA_COLOURS)
            out[g] = (_EXTRA_COLOURS[i], _EXTRA_HATCHES[i], _EXTRA_MARKERS[i])
            k += 1
    return out


def _ordered_groups(groups: Sequence[str]) -> list[str]:
    present = list(dict.fromkeys(str(g) for g in groups))
    known = [g for g in _GROUP_ORDER if g in present]
    return known + sorted(g for g in present if g not in _GROUP_ORDER)


def _new_figure() -> Figure:
    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)  # attach an Agg canvas without touching pyplot
    return fig


def _reserve_footer(fig: Figure, height: float = 0.035) -> None:
    """Keep a strip at the bottom free for the footnote and source line."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.set(rect=(0.0, height, 1.0, 1.0 - height))


def _footer(fig: Figure, source_line: str, note: str = "") -> None:
    """Footnote bottom left, source line bottom right; stacked if they would touch.

    ``note`` may hold several lines ("\\n"); then lines wider than the figure
    are wrapped, and the footer strip grows to fit.
    """
    style = {"va": "bottom", "fontsize": 10, "color": "#444444"}
    src = fig.text(0.995, 0.008, source_line, ha="right", **style) if source_line else None
    if not note:
        return
    txt = fig.text(0.005, 0.008, note, ha="left", **style)
    renderer = fig.canvas.get_renderer()
    if "\n" in note:
        txt.set_text(_fit_lines(txt, renderer, 0.99 * fig.bbox.width))
    if src is not None:
        # only the bottom line of the note sits level with the source line
        x0 = txt.get_window_extent(renderer).x0
        last = _text_width(txt, txt.get_text().split("\n")[-1], renderer)
        if x0 + last + 20 > src.get_window_extent(renderer).x0:
            txt.set_y(0.008 + 16.0 / (fig.get_figheight() * 72.0))  # one line up
            _reserve_footer(fig, 0.055)
    engine = fig.get_layout_engine()
    if engine is not None:
        reserved = float(engine.get().get("rect", (0.0, 0.0, 1.0, 1.0))[1])
        need = (txt.get_window_extent(renderer).y1 + 6.0) / fig.bbox.height
        if need > reserved:
            _reserve_footer(fig, need)


def _text_width(txt: Any, line: str, renderer: Any) -> float:
    """Width in pixels of ``line`` set in the font of ``txt``."""
    probe = Text(text=line, fontproperties=txt.get_fontproperties(), figure=txt.get_figure())
    return float(probe.get_window_extent(renderer).width)


def _fit_lines(txt: Any, renderer: Any, limit: float) -> str:
    """The text of ``txt`` with each line wider than ``limit`` px wrapped."""
    lines: list[str] = []
    for line in txt.get_text().split("\n"):
        width = _text_width(txt, line, renderer)
        if width <= limit or len(line) < 2:
            lines.append(line)
            continue
        per_line = max(int(len(line) * limit / width) - 2, 10)
        # break between "; "-separated items where possible, else between words
        row = ""
        for item in line.split("; "):
            joined = f"{row}; {item}" if row else item
            if len(joined) <= per_line:
                row = joined
                continue
            if row:
                lines.append(row + ";")
            wrapped = textwrap.wrap(item, width=per_line) or [""]
            lines.extend(wrapped[:-1])
            row = wrapped[-1]
        lines.append(row)
    return "\n".join(lines)


def _title(fig: Figure, text: str) -> None:
    """Figure title; wrapped into balanced lines only if it is wider than the figure."""
    title = fig.suptitle(text)
    renderer = fig.canvas.get_renderer()
    width = title.get_window_extent(renderer).width
    limit = 0.97 * fig.bbox.width
    if width > limit:
        n_lines = math.ceil(width / limit)
        title.set_text(textwrap.fill(text, width=math.ceil(len(text) / n_lines) + 4))


def _save(fig: Figure, path: str | Path, title: str, source_line: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"Title": " ".join(title.split()), "Source": source_line or "vraem-sim"}
    with mpl.rc_context(_RC):
        fig.savefig(path, dpi=DPI, format="png", metadata=metadata)
    return path


def _week_axis(ax: Any, n_weeks: int) -> None:
    """Year ticks (every 52 weeks) on runs of 2+ years, else every 13 or 4 weeks."""
    if n_weeks >= 2 * WEEKS_PER_YEAR:
        ax.xaxis.set_major_locator(MultipleLocator(WEEKS_PER_YEAR))
        ax.xaxis.set_minor_locator(MultipleLocator(13))
    elif n_weeks >= 26:
        ax.xaxis.set_major_locator(MultipleLocator(13))
    else:
        ax.xaxis.set_major_locator(MultipleLocator(4))
    ax.set_xlim(0, max(n_weeks, 1))


_NUM_FMT = FuncFormatter(lambda x, _pos: f"{x:,.6g}")


# ----------------------------------------------------------------------------
# intervention markers
# ----------------------------------------------------------------------------
_MARKER_COLOUR = "#7A7A7A"
_MARKER_DASHES = (0, (5, 3))
_MARKER_FONT = 9.5


def _merge_markers(
    markers: Sequence[tuple[int, str]], last_week: int | None = None
) -> list[tuple[int, str]]:
    """(week, label) sorted by week; weeks outside 0..``last_week`` dropped and
    labels at the same week joined by " + " (in the order given)."""
    by_week: dict[int, list[str]] = {}
    for week, label in markers:
        w = int(week)
        if w != week:
            raise ValueError(f"marker week must be a whole number, not {week!r}")
        if w < 0 or (last_week is not None and w > last_week):
            continue
        text = " ".join(str(label).split())
        by_week.setdefault(w, [])
        if text:
            by_week[w].append(text)
    return [(w, " + ".join(by_week[w])) for w in sorted(by_week)]


def marker_note(markers: Sequence[tuple[int, str]], *, last_week: int | None = None) -> str:
    """Footnote line for intervention markers, numbered in week order, e.g.
    "Interventions: 1 week 52 arrest leader; 2 week 104 surge Callao x3 (26 wk)".

    Markers at the same week are merged ("arrest leader + surge Callao");
    with ``last_week`` set, weeks after it (and negative weeks) are left out.
    Returns "" when no marker is left.
    """
    merged = _merge_markers(markers, last_week)
    if not merged:
        return ""
    parts = (f"{i} week {w} {label}".rstrip() for i, (w, label) in enumerate(merged, 1))
    return "Interventions: " + "; ".join(parts)


def _marker_lines(ax: Any, merged: Sequence[tuple[int, str]], zorder: float, **kw: Any) -> None:
    """A thin dashed grey vertical line at each marker week."""
    style = {"color": _MARKER_COLOUR, "ls": _MARKER_DASHES, "lw": 1.1, "zorder": zorder}
    style.update(kw)
    for w, _label in merged:
        ax.axvline(w, **style)


def _data_overlap(ax: Any, series: Sequence[np.ndarray], bb: Bbox) -> float:
    """Pixels of height over which the data in ``series`` run behind ``bb``.

    ``series`` holds arrays of shape (k, n): row 0 the weeks, the others
    y values (band edges, median) at those weeks.
    """
    inv = ax.transData.inverted()
    x0 = inv.transform((bb.x0, bb.y0))[0]
    x1 = inv.transform((bb.x1, bb.y0))[0]
    total = 0.0
    for arr in series:
        sel = (arr[0] >= x0 - 1.0) & (arr[0] <= x1 + 1.0)
        vals = arr[1:, sel]
        vals = vals[np.isfinite(vals)]
        if vals.size == 0:
            continue
        y_lo = ax.transData.transform((x0, float(vals.min())))[1]
        y_hi = ax.transData.transform((x0, float(vals.max())))[1]
        total += max(0.0, min(y_hi + 2.0, bb.y1) - max(y_lo - 2.0, bb.y0))
    return total


def _marker_labels(
    ax: Any, merged: Sequence[tuple[int, str]], series: Sequence[np.ndarray]
) -> None:
    """Label each marker line in ``ax``: rotated text beside the line, at the top
    or bottom of the axes, whichever hides less data; numbered when there are
    several markers (the numbers of :func:`marker_note`). Where space is short
    a label is wrapped onto two lines or cut to its number; where there is no
    room without hiding data or other labels it is left to the footnote (a
    single marker is always labelled).

    Call once the layout is final (after ``fig.draw_without_rendering()``).
    """
    fig = ax.get_figure()
    renderer = fig.canvas.get_renderer()
    ax_box = ax.bbox
    numbered = len(merged) > 1
    pad_px = 3.0 * fig.dpi / 72.0  # white box around the text
    obstacles: list[Bbox] = []
    leg = ax.get_legend()
    if leg is not None:
        obstacles.append(leg.get_window_extent(renderer))
    line_x = [float(ax.transData.transform((w, 0.0))[0]) for w, _label in merged]
    style = {
        "rotation": 90,
        "rotation_mode": "default",
        "fontsize": _MARKER_FONT,
        "color": "#333333",
        "zorder": 6,
        "xycoords": ("data", "axes fraction"),
        "textcoords": "offset points",
        "bbox": {"boxstyle": "square,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
    }
    # (side of the line, top/bottom of the axes), in order of preference
    spots = [(1, "top"), (1, "bottom"), (-1, "top"), (-1, "bottom")]
    for i, (w, label) in enumerate(merged, 1):
        full = f"{i} {label}".rstrip() if numbered else (label or f"week {w}")
        variants = [full]
        if len(full) > 16:
            variants.append(textwrap.fill(full, width=math.ceil(len(full) / 2) + 2))
        if numbered:
            variants.append(str(i))  # last resort: the footnote says the rest
        scored = []
        for vi, text in enumerate(variants):
            short = numbered and vi == len(variants) - 1
            for pi, (side, where) in enumerate(spots):
                t = ax.annotate(
                    text,
                    (w, 0.985 if where == "top" else 0.015),
                    xytext=(4.0 * side, 0.0),
                    ha="left" if side > 0 else "right",
                    va=where,
                    multialignment="left",
                    **style,
                )
                t.set_in_layout(False)
                bb = t.get_window_extent(renderer).padded(pad_px)
                t.remove()
                outside = not (
                    bb.x0 >= ax_box.x0 - 1
                    and bb.x1 <= ax_box.x1 + 1
                    and bb.y0 >= ax_box.y0 - 1
                    and bb.y1 <= ax_box.y1 + 1
                )
                bad = outside or any(bb.overlaps(o) for o in obstacles)
                hidden = round(_data_overlap(ax, series, bb) / 4.0)
                crosses = sum(bb.x0 < lx < bb.x1 for j, lx in enumerate(line_x, 1) if j != i)
                # never on other labels; then: hide no data, cover no other marker
                # line, keep the full text (if it hides no data), hide as little data
                # as possible, one line, preferred spot
                key = (bad, hidden > 0, crosses, short and not hidden, hidden, vi, pi)
                scored.append((key, t, bb))
        key, t, bb = min(scored, key=lambda item: item[0])
        if numbered and (key[0] or key[1]):
            continue  # no room beside the line: the footnote names it
        ax.add_artist(t)
        obstacles.append(bb)


# ----------------------------------------------------------------------------
# dashboard
# ----------------------------------------------------------------------------
def production_and_seizure_share(ts: pd.DataFrame) -> tuple[float, float]:
    """Median across replicates of (cocaine production in t/year, seizure share).

    Production of a replicate = its mean weekly ``cocaine_produced_kg`` * 52 /
    1000. Seizure share of a replicate = total ``seized_kg`` / (total
    ``seized_kg`` + total ``exported_kg``) over the whole run, i.e. the share
    of cocaine leaving the valley's stocks that is seized rather than exported.
    """
    _require(ts, (*_TS_REQUIRED, "cocaine_produced_kg", "seized_kg", "exported_kg"), "ts")
    by_rep = ts.groupby("replicate")
    prod = by_rep["cocaine_produced_kg"].mean() * WEEKS_PER_YEAR / 1000.0
    seized = by_rep["seized_kg"].sum()
    outflow = seized + by_rep["exported_kg"].sum()
    share = (seized / outflow.where(outflow > 0)).dropna()
    return float(prod.median()), float(share.median()) if len(share) else float("nan")


def headline_finding(ts: pd.DataFrame, scenario: str | None = None) -> str:
    """The dashboard title, e.g. "Baseline: the VRAEM produces about 430 t of
    cocaine a year; 6% of shipments are seized before export".

    ``scenario`` is used to pick rows when ``ts`` holds several scenarios and as
    the prefix of the sentence.
    """
    ts = _select_scenario(ts, scenario)
    prod_t, share = production_and_seizure_share(ts)
    text = f"the VRAEM produces about {_fmt_about(prod_t)} t of cocaine a year"
    if math.isfinite(share):
        text += f"; {_fmt_pct(share)} of shipments are seized before export"
    else:
        text += "; nothing was shipped out"
    return f"{scenario}: {text}" if scenario else text[0].upper() + text[1:]


def _bands(ts: pd.DataFrame, col: str, scale: float = 1.0, roll: int = 0) -> pd.DataFrame:
    """Per-week 5th, 50th and 95th percentile across replicates of ``col``."""
    wide = ts.pivot(index="week", columns="replicate", values=col).sort_index()
    wide = wide.astype(float) * scale
    if roll > 1:
        wide = wide.rolling(roll, min_periods=roll).sum()
    arr = wide.to_numpy()
    ok = ~np.all(np.isnan(arr), axis=1)
    q = np.full((arr.shape[0], 3), np.nan)
    if ok.any():
        q[ok] = np.nanquantile(arr[ok], [0.05, 0.5, 0.95], axis=1).T
    return pd.DataFrame(q, index=wide.index, columns=["lo", "mid", "hi"])


# (title, y label, [(column, legend label, scale, colour, style)], rolling window)
_DASH_PANELS: list[tuple[str, str, list[tuple[str, str, float, str, str]], int]] = [
    ("Coca area", "hectares (ha)", [("coca_ha", "coca area", 1.0, _GREEN, "-")], 0),
    (
        "Cocaine produced",
        "tonnes per week (t/week)",
        [("cocaine_produced_kg", "produced", 1e-3, _BLUE, "-")],
        0,
    ),
    (
        "Cocaine exported and seized",
        "tonnes per week (t/week)",
        [
            ("exported_kg", "exported", 1e-3, _BLUE, "-"),
            ("seized_kg", "seized", 1e-3, _VERMILLION, "--"),
        ],
        0,
    ),
    (
        "Coca leaf price",
        "USD per kg of leaf",
        [("price_leaf_usd_per_kg", "leaf", 1.0, _GREEN, "-")],
        0,
    ),
    (
        "Paste and HCl prices (VRAEM)",
        "USD per kg",
        [
            ("price_hcl_vraem_usd_per_kg", "cocaine HCl", 1.0, _BLUE, "-"),
            ("price_paste_usd_per_kg", "base paste", 1.0, _ORANGE, "--"),
        ],
        0,
    ),
    (
        "Armed group size",
        "people",
        [
            ("armed_members", "members", 1.0, _BLUE, "-"),
            ("armed_fighters", "fighters", 1.0, _VERMILLION, "--"),
        ],
        0,
    ),
    (
        "Deaths (4-week rolling sum)",
        "deaths per 4 weeks",
        [("deaths", "deaths", 1.0, _VERMILLION, "-")],
        4,
    ),
    (
        "Cocaine stocks",
        "tonnes (t, end of week)",
        [
            ("cocaine_stock_kg", "in stock", 1e-3, _BLUE, "-"),
            ("cocaine_in_transit_kg", "in transit", 1e-3, _ORANGE, "--"),
        ],
        0,
    ),
]


def dashboard_figure(
    ts: pd.DataFrame,
    *,
    scenario: str,
    source_line: str,
    markers: Sequence[tuple[int, str]] = (),
) -> Figure:
    """Build the 2 x 4 panel time-series dashboard (median + 90% band).

    ``markers``: (week, short label) pairs, drawn as dashed lines in every
    panel, labelled in the first panel and listed in the footnote.
    """
    needed = {c for _t, _y, lines, _r in _DASH_PANELS for c, *_ in lines}
    _require(ts, (*_TS_REQUIRED, *sorted(needed)), "ts")
    ts = _select_scenario(ts, scenario)
    n_rep = ts["replicate"].nunique()
    last_week = int(ts["week"].max())
    merged = _merge_markers(markers, last_week)
    title = headline_finding(ts, scenario)
    with mpl.rc_context(_RC):
        fig = _new_figure()
        _reserve_footer(fig)
        axes = fig.subplots(2, 4, sharex=True)
        first_series: list[np.ndarray] = []
        for ax, (ptitle, ylabel, lines, roll) in zip(axes.flat, _DASH_PANELS, strict=True):
            for col, label, scale, colour, style in lines:
                b = _bands(ts, col, scale, roll)
                x = b.index.to_numpy(dtype=float)
                ax.fill_between(x, b["lo"], b["hi"], color=colour, alpha=0.22, lw=0)
                ax.plot(x, b["mid"], color=colour, ls=style, lw=2.0, label=label)
                if ax is axes.flat[0]:
                    first_series.append(np.vstack([x, b[["lo", "mid", "hi"]].to_numpy().T]))
            _marker_lines(ax, merged, zorder=1.5)
            ax.set_title(ptitle, loc="left")
            ax.set_ylabel(ylabel)
            ax.yaxis.set_major_formatter(_NUM_FMT)
            ax.set_ylim(bottom=0)
            if len(lines) > 1:
                ax.legend(loc="best", frameon=True, framealpha=0.85, edgecolor="none")
            _week_axis(ax, last_week + 1)
        for ax in axes[-1]:
            ax.set_xlabel("weeks since start")
        _title(fig, title)
        _footer(
            fig,
            source_line,
            (
                f"Lines: median of {n_rep} replicates; shading: 5th-95th percentile across "
                "replicates."
                if n_rep > 1
                else "Lines: a single replicate (no uncertainty band)."
            )
            + " Major x ticks every 52 weeks (1 year) on runs of 2+ years."
            + (f"\n{marker_note(merged)}" if merged else ""),
        )
        if merged:
            fig.draw_without_rendering()  # final layout, so labels can be placed
            _marker_labels(axes.flat[0], merged, first_series)
    return fig


def plot_dashboard(
    ts: pd.DataFrame,
    path: str | Path,
    *,
    scenario: str,
    source_line: str,
    markers: Sequence[tuple[int, str]] = (),
) -> Path:
    """Save the time-series dashboard as a 16:9 PNG at ``path``; return the path."""
    fig = dashboard_figure(ts, scenario=scenario, source_line=source_line, markers=markers)
    return _save(fig, path, fig.get_suptitle(), source_line)


# ----------------------------------------------------------------------------
# exit shares
# ----------------------------------------------------------------------------
def _exit_groups(exits: pd.DataFrame) -> pd.Series:
    """exit id -> group (the most frequent group recorded for that exit)."""
    return exits.groupby("exit")["group"].agg(lambda s: s.astype(str).mode().iloc[0])


def _exit_share_table(exits: pd.DataFrame) -> pd.DataFrame:
    """Per exit: mean, 5th and 95th percentile across replicates of its export share."""
    wide = exits.pivot_table(
        index="replicate", columns="exit", values="exported_kg", aggfunc="sum", fill_value=0.0
    ).astype(float)
    tot = wide.sum(axis=1)
    shares = wide[tot > 0].div(tot[tot > 0], axis=0)
    if shares.empty:
        raise ValueError("exits: no cocaine exported in any replicate")
    groups = _exit_groups(exits)
    table = pd.DataFrame(
        {
            "mean": shares.mean(),
            "lo": shares.quantile(0.05),
            "hi": shares.quantile(0.95),
            "group": groups.reindex(shares.columns).to_numpy(),
        }
    )
    return table.sort_values("mean", ascending=False)


def _group_share_table(exits: pd.DataFrame) -> pd.Series:
    wide = exits.pivot_table(
        index="replicate", columns="group", values="exported_kg", aggfunc="sum", fill_value=0.0
    ).astype(float)
    tot = wide.sum(axis=1)
    return wide[tot > 0].div(tot[tot > 0], axis=0).mean()


def exit_finding(exits: pd.DataFrame, scenario: str | None = None) -> str:
    """Title sentence of the exit chart, e.g. "Baseline: Callao takes 41% of
    exports; by route: Pacific ports 55%, Bolivia 38%, Brazil 7%".

    Shares are per-replicate shares of exported kg over the whole run, averaged
    across replicates.
    """
    _require(exits, _EXITS_REQUIRED, "exits")
    table = _exit_share_table(exits)
    top = table.index[0]
    gshares = _group_share_table(exits)
    order = gshares.sort_values(ascending=False)
    parts = ", ".join(f"{_group_short(g)} {_fmt_pct(s)}" for g, s in order.items())
    text = (
        f"{_exit_label(top)} takes {_fmt_pct(table.loc[top, 'mean'])} of exports; by route: {parts}"
    )
    return f"{scenario}: {text}" if scenario else text


def exit_shares_figure(
    exits: pd.DataFrame,
    *,
    scenario: str,
    source_line: str,
    markers: Sequence[tuple[int, str]] = (),
) -> Figure:
    """Build the exit-share figure: bars by exit (left), group shares over time (right).

    ``markers``: (week, short label) pairs, drawn as dashed lines on the right
    panel and listed in the footnote.
    """
    _require(exits, _EXITS_REQUIRED, "exits")
    table = _exit_share_table(exits)
    groups = _ordered_groups(list(table["group"]))
    styles = _group_styles(groups)
    n_rep = exits["replicate"].nunique()
    title = exit_finding(exits, scenario)

    # group shares over time: block sums of exports, summed over replicates
    # (= export-weighted mean of the replicates' shares)
    last_week = int(exits["week"].max())
    merged = _merge_markers(markers, last_week)
    block = 13 if last_week + 1 >= 2 * WEEKS_PER_YEAR else 4
    e = exits.assign(block=(exits["week"] // block).astype(int))
    by_block = e.pivot_table(
        index="block", columns="group", values="exported_kg", aggfunc="sum", fill_value=0.0
    ).astype(float)
    by_block = by_block.reindex(columns=groups, fill_value=0.0)
    tot = by_block.sum(axis=1)
    by_block = by_block[tot > 0].div(tot[tot > 0], axis=0)

    with mpl.rc_context(_RC):
        fig = _new_figure()
        _reserve_footer(fig)
        ax_bar, ax_area = fig.subplots(1, 2, width_ratios=[1.0, 1.15])

        y = np.arange(len(table))[::-1]
        colours = [styles[g][0] for g in table["group"]]
        hatches = [styles[g][1] for g in table["group"]]
        mean = table["mean"].to_numpy() * 100
        lo = table["lo"].to_numpy() * 100
        hi = table["hi"].to_numpy() * 100
        bars = ax_bar.barh(y, mean, color=colours, edgecolor=_INK, linewidth=0.8, height=0.7)
        for bar, h in zip(bars, hatches, strict=True):
            bar.set_hatch(h)
        ax_bar.errorbar(
            mean,
            y,
            xerr=np.vstack([np.clip(mean - lo, 0, None), np.clip(hi - mean, 0, None)]),
            fmt="none",
            ecolor=_INK,
            elinewidth=1.5,
            capsize=5,
        )
        xmax = max(float(np.nanmax(hi)), float(np.nanmax(mean)), 1.0)
        for yi, m, h in zip(y, mean, hi, strict=True):
            ax_bar.text(
                max(m, h) + xmax * 0.02,
                yi,
                _fmt_pct(m / 100),
                va="center",
                ha="left",
                fontsize=12,
            )
        ax_bar.set_yticks(y, [_exit_label(x) for x in table.index])
        ax_bar.tick_params(axis="y", labelsize=12)
        ax_bar.set_xlim(0, xmax * 1.18)
        ax_bar.xaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax_bar.set_xlabel("share of exported cocaine, whole run (%)")
        ax_bar.set_title("Share of exports by exit", loc="left")
        ax_bar.grid(axis="y", visible=False)

        # stepped stack: each block's share is held over its weeks
        starts = by_block.index.to_numpy(dtype=float) * block
        ends = np.minimum(starts + block, last_week + 1)
        x = np.column_stack([starts, ends]).ravel()
        layers = [np.repeat(by_block[g].to_numpy() * 100, 2) for g in groups]
        polys = ax_area.stackplot(
            x,
            *layers,
            colors=[styles[g][0] for g in groups],
            edgecolor=_INK,
            linewidth=0.6,
        )
        for poly, g in zip(polys, groups, strict=True):
            poly.set_hatch(styles[g][1])
        # direct labels in the middle of each band, where it is thick enough
        mid = len(x) // 2
        band_labels = _band_labels(ax_area, float(x[mid]), mid, groups, layers)
        ax_area.set_ylim(0, 100)
        ax_area.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax_area.set_ylabel("share of exports (%)")
        ax_area.set_xlabel("weeks since start")
        _week_axis(ax_area, last_week + 1)
        # dark dashes on a light line, to show on every colour of the stack
        _marker_lines(ax_area, merged, zorder=2.4, color="white", ls="-", lw=2.6, alpha=0.85)
        _marker_lines(ax_area, merged, zorder=2.5, color="#3A3A3A", lw=1.3)
        ax_area.set_title(f"Share of exports by route group, {block}-week blocks", loc="left")
        ax_area.grid(False)

        handles = [
            Patch(
                facecolor=styles[g][0],
                hatch=styles[g][1],
                edgecolor=_INK,
                label=_group_label(g),
            )
            for g in groups
        ]
        ax_bar.legend(
            handles=handles,
            title="Route group",
            loc="lower right",
            frameon=True,
            framealpha=0.95,
            edgecolor="none",
            fontsize=12,
            handleheight=1.4,
            handlelength=2.4,
        )
        _title(fig, title)
        _footer(
            fig,
            source_line,
            (
                f"Bars: mean over {n_rep} replicates; whiskers: 5th-95th percentile across "
                f"replicates. Right: exports pooled over replicates per {block}-week block."
                if n_rep > 1
                else f"A single replicate (no whiskers). Right: exports per {block}-week block."
            )
            + (f"\n{marker_note(merged)}" if merged else ""),
        )
        if merged:
            fig.draw_without_rendering()  # final layout: move band labels off the lines
            _clear_band_labels(ax_area, band_labels, x, mid, groups, layers, merged)
    return fig


def _band_labels(
    ax: Any, xpos: float, idx: int, groups: Sequence[str], layers: Sequence[np.ndarray]
) -> list[Any]:
    """Name each band of the stacked area at ``xpos`` (values at ``idx``) if 7+ points thick."""
    out = []
    bottom = 0.0
    for g, layer in zip(groups, layers, strict=True):
        thick = float(layer[idx])
        if thick >= 7:
            out.append(
                ax.text(
                    xpos,
                    bottom + thick / 2,
                    _group_short(g),
                    ha="center",
                    va="center",
                    fontsize=13,
                    fontweight="bold",
                    bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": _INK, "lw": 0.6},
                )
            )
        bottom += thick
    return out


def _clear_band_labels(
    ax: Any,
    labels: list[Any],
    x: np.ndarray,
    mid: int,
    groups: Sequence[str],
    layers: Sequence[np.ndarray],
    merged: Sequence[tuple[int, str]],
) -> None:
    """If a marker line runs through the band labels, move them to the block
    nearest the middle where none does (keeping as many labels)."""
    renderer = ax.get_figure().canvas.get_renderer()
    line_x = [float(ax.transData.transform((w, 0.0))[0]) for w, _label in merged]

    def crossed(texts: list[Any]) -> bool:
        for t in texts:
            bb = t.get_window_extent(renderer).padded(8.0)
            if any(bb.x0 < lx < bb.x1 for lx in line_x):
                return True
            if bb.x0 < ax.bbox.x0 or bb.x1 > ax.bbox.x1:
                return True
        return False

    if not crossed(labels):
        return
    n_shown = len(labels)
    for t in labels:
        t.remove()
    # block k spans x[2k]..x[2k+1]; try block centres, nearest the middle first
    starts = list(range(0, len(x) - 1, 2))
    starts.sort(key=lambda i: abs((x[i] + x[i + 1]) / 2 - x[mid]))
    for i in starts:
        texts = _band_labels(ax, float(x[i] + x[i + 1]) / 2, i, groups, layers)
        if len(texts) >= n_shown and not crossed(texts):
            return
        for t in texts:
            t.remove()
    _band_labels(ax, float(x[mid]), mid, groups, layers)  # nowhere clear: as before


def plot_exit_shares(
    exits: pd.DataFrame,
    path: str | Path,
    *,
    scenario: str,
    source_line: str,
    markers: Sequence[tuple[int, str]] = (),
) -> Path:
    """Save the exit-share figure as a 16:9 PNG at ``path``; return the path."""
    fig = exit_shares_figure(exits, scenario=scenario, source_line=source_line, markers=markers)
    return _save(fig, path, fig.get_suptitle(), source_line)


# ----------------------------------------------------------------------------
# route map
# ----------------------------------------------------------------------------
def _edge_key(u: Any, v: Any) -> tuple[Any, Any]:
    a, b = (u, v) if str(u) <= str(v) else (v, u)
    return a, b


def _mean_edge_flows(edge_flows: pd.DataFrame, graph: nx.Graph, weeks: int) -> pd.DataFrame:
    """One row per undirected edge: u, v, mode, t_per_year (mean over replicates).

    Replicates absent for an edge count as zero flow; the number of replicates
    is the number of distinct ``replicate`` values in ``edge_flows``.
    """
    if weeks <= 0:
        raise ValueError("weeks must be positive")
    _require(edge_flows, _FLOWS_REQUIRED, "edge_flows")
    n_rep = edge_flows["replicate"].nunique()
    keys = [_edge_key(u, v) for u, v in zip(edge_flows["u"], edge_flows["v"], strict=True)]
    df = pd.DataFrame(
        {
            "u": [k[0] for k in keys],
            "v": [k[1] for k in keys],
            "kg": edge_flows["kg"].astype(float).to_numpy(),
            "mode": edge_flows["mode"].astype(str).to_numpy()
            if "mode" in edge_flows.columns
            else "road",
        }
    )
    agg = df.groupby(["u", "v"], sort=False).agg(kg=("kg", "sum"), mode=("mode", "first"))
    agg = agg.reset_index()
    modes = []
    for u, v, m in zip(agg["u"], agg["v"], agg["mode"], strict=True):
        data = graph.get_edge_data(u, v)
        modes.append(str(data.get("mode", m)) if data else m)
    agg["mode"] = modes
    agg["t_per_year"] = agg["kg"] / n_rep / weeks * WEEKS_PER_YEAR / 1000.0
    return agg[agg["t_per_year"] > 0].sort_values("t_per_year").reset_index(drop=True)


def _node_name(graph: nx.Graph, n: Any) -> str:
    """Short map label: known exits by their short name, others by ``name``
    without parenthesised detail ("Rio Tambo (Puerto Ocopa)" -> "Rio Tambo")."""
    if str(n) in _EXIT_LABELS:
        return _EXIT_LABELS[str(n)]
    name = str(graph.nodes[n].get("name") or n)
    return re.sub(r"\s*\([^)]*\)", "", name).strip() or name


def _exit_place(graph: nx.Graph, n: Any) -> str:
    """Where an exit leads, for title sentences ("... by air to Bolivia")."""
    return _EXIT_TITLE.get(str(n), _node_name(graph, n))


def _mode_word(mode: str) -> str:
    return {"air": "air", "road": "road", "river": "river", "trail": "trail"}.get(mode, mode)


def route_finding(
    edge_flows: pd.DataFrame, graph: nx.Graph, *, weeks: int, scenario: str | None = None
) -> str:
    """Title sentence of the route map, from the mean flows on edges into exit
    nodes, e.g. "Baseline: 300 t/yr leave by road to Callao and 130 t/yr by air
    to Bolivia; together 74% of all exports"."""
    flows = _mean_edge_flows(edge_flows, graph, weeks)
    exits = {n for n, d in graph.nodes(data=True) if d.get("kind") == "exit"}
    legs: dict[tuple[Any, str], float] = {}
    for u, v, mode, t in zip(
        flows["u"], flows["v"], flows["mode"], flows["t_per_year"], strict=True
    ):
        for end in (u, v):
            if end in exits:
                legs[(end, mode)] = legs.get((end, mode), 0.0) + t
    prefix = f"{scenario}: " if scenario else ""
    if not legs:
        return prefix + "no cocaine reached an exit on the route network"
    ranked = sorted(legs.items(), key=lambda kv: -kv[1])
    total = sum(legs.values())
    (n1, m1), t1 = ranked[0]
    text = f"{_fmt_about(t1)} t/yr leave by {_mode_word(m1)} to {_exit_place(graph, n1)}"
    if len(ranked) == 1:
        return prefix + text + ", the only way out used"
    (n2, m2), t2 = ranked[1]
    text += f" and {_fmt_about(t2)} t/yr by {_mode_word(m2)} to {_exit_place(graph, n2)}"
    return prefix + text + f"; together {_fmt_pct((t1 + t2) / total)} of all exports"


def _nice(x: float) -> float:
    """Round down to 1, 2 or 5 times a power of ten."""
    if x <= 0:
        return 0.0
    p = 10 ** math.floor(math.log10(x))
    for m in (5, 2, 1):
        if m * p <= x:
            return m * p
    return p


def _width_refs(max_t: float) -> list[float]:
    """Three round reference flows for the line-width legend."""
    return sorted({_nice(max_t * f) for f in (0.05, 0.25, 1.0)} - {0.0})


_LABEL_OFFSETS = (
    ((1, 1), "left", "bottom"),
    ((-1, 1), "right", "bottom"),
    ((1, -1), "left", "top"),
    ((-1, -1), "right", "top"),
    ((0, 1.4), "center", "bottom"),
    ((0, -1.4), "center", "top"),
)


_LabelItem = tuple[Any, float, float, str, float, dict[str, Any], bool]


def _place_labels(
    ax: Any,
    items: list[_LabelItem],
    obstacles: dict[Any, Bbox],
    placed: list[Bbox],
) -> None:
    """Label points, trying offsets that keep off earlier labels and markers.

    ``items`` are (key, x, y, text, offset in points, text kwargs, required).
    ``obstacles`` maps keys to display-space boxes of markers (a label ignores
    its own marker); ``placed`` holds boxes to avoid and collects new labels.
    A label with no free position is dropped unless ``required``; then it
    goes to the best position that stays inside the axes.
    """
    renderer = ax.figure.canvas.get_renderer()
    ax_box = ax.get_window_extent(renderer)
    halo = [withStroke(linewidth=3.5, foreground="white")]
    for key, x, y, text, off, kw, required in items:
        scored = []
        for i, ((fx, fy), ha, va) in enumerate(_LABEL_OFFSETS):
            t = ax.annotate(
                text,
                (x, y),
                xytext=(fx * off, fy * off),
                textcoords="offset points",
                ha=ha,
                va=va,
                path_effects=halo,
                zorder=20,
                **kw,
            )
            t.set_in_layout(False)
            bb = t.get_window_extent(renderer)
            outside = not (
                bb.x0 >= ax_box.x0
                and bb.x1 <= ax_box.x1
                and bb.y0 >= ax_box.y0
                and bb.y1 <= ax_box.y1
            )
            hits_label = any(bb.overlaps(p) for p in placed)
            hits_marker = any(bb.overlaps(b) for k, b in obstacles.items() if k != key)
            scored.append(((outside, hits_label, hits_marker, i), t, bb))
            t.remove()
        score, t, bb = min(scored, key=lambda item: item[0])
        if any(score[:3]) and not required:
            continue
        ax.add_artist(t)
        placed.append(bb)


def _bbox(pts: np.ndarray) -> tuple[float, float, float, float]:
    return (
        float(pts[:, 0].min()),
        float(pts[:, 0].max()),
        float(pts[:, 1].min()),
        float(pts[:, 1].max()),
    )


def _pad(
    box: tuple[float, float, float, float], frac: float, min_deg: float
) -> tuple[float, float, float, float]:
    x0, x1, y0, y1 = box
    px = max((x1 - x0) * frac, min_deg)
    py = max((y1 - y0) * frac, min_deg)
    return x0 - px, x1 + px, y0 - py, y1 + py


def _map_shape(box: tuple[float, float, float, float]) -> float:
    """Width/height of a lon/lat box drawn at true scale, kept within 0.5..2.5."""
    x0, x1, y0, y1 = box
    ratio = (x1 - x0) * math.cos(math.radians((y0 + y1) / 2.0)) / (y1 - y0)
    return min(max(ratio, 0.5), 2.5)


def _in_box(p: tuple[float, float], box: tuple[float, float, float, float] | None) -> bool:
    return box is not None and box[0] <= p[0] <= box[1] and box[2] <= p[1] <= box[3]


# kind -> (marker, size in pt, face colour, legend label, z-order)
_NODE_STYLE: dict[str, tuple[str, float, str, str, int]] = {
    "district": ("o", 7.0, "white", "district", 6),
    "hub": ("o", 4.5, _INK, "hub", 7),
    "airstrip": ("^", 8.0, "#666666", "airstrip", 7),
}
_EXIT_MS = 14.0


def route_map_figure(
    edge_flows: pd.DataFrame,
    graph: nx.Graph,
    *,
    scenario: str,
    source_line: str,
    weeks: int,
) -> Figure:
    """Build the route map: network in grey, flows by line width and mode.

    When the producing area (districts and airstrips) is small against the
    whole network, a second panel zooms in on it (its box is drawn on the
    overview map). Line width is proportional to the mean flow across
    replicates in t/year, with a 1 pt minimum so that small flows stay visible.
    """
    pos = {
        n: (float(d["lon"]), float(d["lat"]))
        for n, d in graph.nodes(data=True)
        if d.get("lon") is not None and d.get("lat") is not None
    }
    if not pos:
        raise ValueError("graph: no node has lon/lat")
    flows = _mean_edge_flows(edge_flows, graph, weeks)
    flows = flows[flows["u"].isin(pos) & flows["v"].isin(pos)]
    title = route_finding(edge_flows, graph, weeks=weeks, scenario=scenario)
    n_rep = edge_flows["replicate"].nunique()

    kinds = {n: str(graph.nodes[n].get("kind", "")) for n in pos}
    full_box = _pad(_bbox(np.array(list(pos.values()))), 0.06, 0.05)
    core = np.array([pos[n] for n in pos if kinds[n] in ("district", "airstrip")])
    zoom_box = None
    if len(core) >= 2:
        zb = _pad(_bbox(core), 0.12, 0.08)
        if (zb[1] - zb[0]) < 0.4 * (full_box[1] - full_box[0]) and (zb[3] - zb[2]) < 0.4 * (
            full_box[3] - full_box[2]
        ):
            zoom_box = zb

    max_t = float(flows["t_per_year"].max()) if len(flows) else 0.0
    max_lw, min_lw = 11.0, 1.0
    k = max_lw / max_t if max_t > 0 else 0.0

    # throughput of each node (t/yr), used to pick the places worth naming
    through: dict[Any, float] = {}
    for u, v, t in zip(flows["u"], flows["v"], flows["t_per_year"], strict=True):
        through[u] = through.get(u, 0.0) + t
        through[v] = through.get(v, 0.0) + t

    def top(kind: str, n_max: int, keep: Any) -> list[Any]:
        """The ``n_max`` busiest nodes of ``kind`` that pass ``keep``."""
        nodes = [n for n in pos if kinds[n] == kind and keep(n)]
        nodes.sort(key=lambda n: -through.get(n, 0.0))
        busy = [n for n in nodes if through.get(n, 0.0) > 0]
        return (busy or nodes)[:n_max]

    exit_nodes = [n for n in pos if kinds[n] == "exit"]
    groups = _ordered_groups([str(graph.nodes[n].get("group", "")) for n in exit_nodes])
    gstyles = _group_styles(groups)

    with mpl.rc_context(_RC):
        fig = _new_figure()
        _reserve_footer(fig)
        if zoom_box is not None:
            ratios = [_map_shape(full_box), _map_shape(zoom_box)]
            ratios.append(0.24 * sum(ratios))  # legend column, about 3 in
            axes = fig.subplots(1, 3, width_ratios=ratios)
            map_axes, leg_ax = [axes[0], axes[1]], axes[2]
            boxes = [full_box, zoom_box]
        else:
            ratios = [_map_shape(full_box)]
            ratios.append(0.24 * ratios[0])
            axes = fig.subplots(1, 2, width_ratios=ratios)
            map_axes, leg_ax = [axes[0]], axes[1]
            boxes = [full_box]

        base = [[pos[u], pos[v]] for u, v in graph.edges() if u in pos and v in pos]
        for ax, (x0, x1, y0, y1) in zip(map_axes, boxes, strict=True):
            ax.add_collection(
                LineCollection(base, colors=_GREY, linewidths=0.9, zorder=1, capstyle="round"),
                autolim=False,
            )
            for mode, sub in flows.groupby("mode", sort=False):
                colour, style, _label = _MODE_STYLE.get(mode, (_INK, ":", mode))
                segs = [[pos[u], pos[v]] for u, v in zip(sub["u"], sub["v"], strict=True)]
                widths = np.maximum(sub["t_per_year"].to_numpy() * k, min_lw)
                ax.add_collection(
                    LineCollection(
                        segs,
                        colors=colour,
                        linewidths=widths,
                        linestyles=style,
                        capstyle="round" if style == "-" else "butt",
                        alpha=0.9,
                        zorder=4 if mode == "air" else 3,
                    ),
                    autolim=False,
                )
            for kind, (marker, ms, face, _label, z) in _NODE_STYLE.items():
                pts = np.array([pos[n] for n in pos if kinds[n] == kind]).reshape(-1, 2)
                ax.plot(
                    pts[:, 0],
                    pts[:, 1],
                    ls="none",
                    marker=marker,
                    ms=ms,
                    mfc=face,
                    mec=_INK,
                    mew=1.0,
                    zorder=z,
                )
            other = [pos[n] for n in pos if kinds[n] not in (*_NODE_STYLE, "exit")]
            if other:
                arr = np.array(other)
                ax.plot(arr[:, 0], arr[:, 1], ls="none", marker=".", color="#666666", zorder=6)
            for g in groups:
                arr = np.array(
                    [pos[n] for n in exit_nodes if str(graph.nodes[n].get("group", "")) == g]
                )
                colour, _h, marker = gstyles[g]
                ax.plot(
                    arr[:, 0],
                    arr[:, 1],
                    ls="none",
                    marker=marker,
                    ms=_EXIT_MS,
                    mfc=colour,
                    mec=_INK,
                    mew=1.5,
                    zorder=8,
                )
            # show exactly the box, widened along one axis to keep lon/lat true
            ax.dataLim.set_points(np.array([[x0, y0], [x1, y1]]))
            ax.set_xmargin(0.0)
            ax.set_ymargin(0.0)
            ax.autoscale_view()
            ax.set_aspect(1.0 / math.cos(math.radians((y0 + y1) / 2.0)), adjustable="datalim")
            ax.set_xlabel("longitude (°)")
            ax.set_ylabel("latitude (°)")
            ax.grid(True, color="#EEEEEE")
            for side in ("top", "right"):
                ax.spines[side].set_visible(True)

        map_axes[0].set_title(
            "Whole network (dashed box: detail)" if zoom_box is not None else "Route network",
            loc="left",
        )
        zoom_rect = None
        if zoom_box is not None:
            map_axes[1].set_title("Detail: producing area", loc="left")
            x0, x1, y0, y1 = zoom_box
            zoom_rect = Rectangle(
                (x0, y0), x1 - x0, y1 - y0, fill=False, ec=_INK, lw=1.5, ls="--", zorder=9
            )
            map_axes[0].add_patch(zoom_rect)

        # legends in their own column
        leg_ax.axis("off")
        mode_handles = [Line2D([], [], color=_GREY, lw=1.5, label="link, no flow")]
        for mode in list(_MODE_STYLE) + sorted(set(flows["mode"]) - set(_MODE_STYLE)):
            colour, style, label = _MODE_STYLE.get(mode, (_INK, ":", mode))
            mode_handles.append(Line2D([], [], color=colour, ls=style, lw=4, label=label))
        width_handles = [
            Line2D([], [], color=_INK, lw=max(r * k, min_lw), label=f"{r:,g} t/yr")
            for r in _width_refs(max_t)
        ] or [Line2D([], [], color=_INK, lw=min_lw, label="no flow")]
        node_handles = [
            Line2D([], [], ls="none", marker=marker, ms=ms, mfc=face, mec=_INK, label=label)
            for marker, ms, face, label, _z in _NODE_STYLE.values()
        ]
        for g in groups:
            colour, _h, marker = gstyles[g]
            node_handles.append(
                Line2D(
                    [],
                    [],
                    ls="none",
                    marker=marker,
                    ms=12,
                    mfc=colour,
                    mec=_INK,
                    mew=1.5,
                    label=f"exit: {_group_label(g)}",
                )
            )
        common = {"frameon": False, "alignment": "left", "borderaxespad": 0.0}
        leg_ax.add_artist(
            leg_ax.legend(
                handles=mode_handles,
                title="Transport mode",
                loc="upper left",
                bbox_to_anchor=(0.0, 1.0),
                handlelength=3.2,
                **common,
            )
        )
        leg_ax.add_artist(
            leg_ax.legend(
                handles=width_handles,
                title="Mean flow (line width)",
                loc="center left",
                bbox_to_anchor=(0.0, 0.52),
                handlelength=3.2,
                labelspacing=1.0,
                **common,
            )
        )
        leg_ax.legend(
            handles=node_handles,
            title="Places",
            loc="lower left",
            bbox_to_anchor=(0.0, 0.0),
            labelspacing=0.9,
            **common,
        )

        _title(fig, title)
        rep = "replicate" if n_rep == 1 else "replicates"
        _footer(
            fig,
            source_line,
            f"Line width proportional to the mean flow over {n_rep} {rep} in t/yr "
            f"({weeks}-week run; minimum 1 pt), both directions together.",
        )

        # labels last, once the layout (and so the display transform) is final
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        shown_zoom = None
        if zoom_rect is not None:
            # the detail panel shows more than the box (equal aspect): draw what it shows
            (zx0, zx1), (zy0, zy1) = map_axes[1].get_xlim(), map_axes[1].get_ylim()
            shown_zoom = (zx0, zx1, zy0, zy1)
            zoom_rect.set_bounds(zx0, zy0, zx1 - zx0, zy1 - zy0)
        size = {
            n: _EXIT_MS if kinds[n] == "exit" else _NODE_STYLE.get(kinds[n], ("", 5.0))[1]
            for n in pos
        }
        exit_font = {"fontsize": 12, "fontweight": "bold"}
        hub_font = {"fontsize": 11}
        district_font = {"fontsize": 11, "fontstyle": "italic", "color": "#333333"}
        for zoomed, ax in zip((False, True), map_axes, strict=False):
            obstacles: dict[Any, Bbox] = {}
            for n, (x, y) in pos.items():
                cx, cy = ax.transData.transform((x, y))
                r = size[n] / 2 * fig.dpi / 72.0
                obstacles[n] = Bbox([[cx - r, cy - r], [cx + r, cy + r]])
            placed: list[Bbox] = []
            if not zoomed and zoom_rect is not None:
                placed.append(zoom_rect.get_window_extent(renderer))

            def wanted(n: Any, zoomed: bool = zoomed) -> bool:
                return _in_box(pos[n], shown_zoom) == zoomed

            items: list[_LabelItem] = []
            for n in sorted(exit_nodes, key=lambda n: -through.get(n, 0.0)):
                if wanted(n):
                    items.append((n, *pos[n], _node_name(graph, n), 8.0, exit_font, True))
            for n in top("hub", 5 if zoomed else 7, wanted):
                items.append((n, *pos[n], _node_name(graph, n), 5.0, hub_font, False))
            if zoomed:
                for n in top("district", 8, wanted):
                    items.append((n, *pos[n], _node_name(graph, n), 5.0, district_font, False))
            _place_labels(ax, items, obstacles, placed)
    return fig


def plot_route_map(
    edge_flows: pd.DataFrame,
    graph: nx.Graph,
    path: str | Path,
    *,
    scenario: str,
    source_line: str,
    weeks: int,
) -> Path:
    """Save the route map as a 16:9 PNG at ``path``; return the path.

    ``weeks`` is the length of the horizon over which ``edge_flows.kg`` was
    summed; flows are shown as t/year = kg / weeks * 52 / 1000.
    """
    fig = route_map_figure(
        edge_flows, graph, scenario=scenario, source_line=source_line, weeks=weeks
    )
    return _save(fig, path, fig.get_suptitle(), source_line)


# ----------------------------------------------------------------------------
# all together
# ----------------------------------------------------------------------------
def write_run_figures(
    ts: pd.DataFrame,
    exits: pd.DataFrame,
    edge_flows: pd.DataFrame,
    graph: nx.Graph,
    fig_dir: str | Path,
    *,
    scenario: str,
    source_line: str,
    weeks: int,
    markers: Sequence[tuple[int, str]] = (),
) -> list[Path]:
    """Write dashboard.png, exit_shares.png and route_map.png into ``fig_dir``.

    ``markers`` (week, short label) go on the dashboard and the exit shares
    figure; the route map (whole-run totals) has none.
    """
    fig_dir = Path(fig_dir)
    fig_dir.mkdir(parents=True, exist_ok=True)
    return [
        plot_dashboard(
            ts,
            fig_dir / "dashboard.png",
            scenario=scenario,
            source_line=source_line,
            markers=markers,
        ),
        plot_exit_shares(
            exits,
            fig_dir / "exit_shares.png",
            scenario=scenario,
            source_line=source_line,
            markers=markers,
        ),
        plot_route_map(
            edge_flows,
            graph,
            fig_dir / "route_map.png",
            scenario=scenario,
            source_line=source_line,
            weeks=weeks,
        ),
    ]
