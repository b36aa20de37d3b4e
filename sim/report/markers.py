"""Intervention markers on the time-series figures: dashed lines, their labels and footnote.

Markers are (week, short label) pairs (e.g. ``[(52, "arrest leader")]``). Weeks are 0-based
reporting weeks; weeks outside the run are ignored and markers at the same week are merged into
one line, labels joined by " + " (:func:`merge_markers`). The lines are numbered in week order
in the footnote (:func:`marker_note`) and, where there is room, labelled beside the line
(:func:`marker_labels`, rotated; :func:`stacked_marker_labels`, horizontal rows).
"""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.transforms import Bbox

from sim.report.calendar import day_label
from sim.report.style import MIN_FONT_PT, NOTE_INK

if TYPE_CHECKING:
    from sim.config.models import Scenario

MARKER_COLOUR = "#7A7A7A"
MARKER_DASHES = (0, (5, 3))
MARKER_WIDTH = 1.1
MARKER_ZORDER = 1.5  # behind the data, above the grid
MARKER_FONT = MIN_FONT_PT
LABEL_PAD_PT = 3.0  # white box around a rotated label
LABEL_GAP_PT = 4.0  # from the line to its label
LABEL_TOP, LABEL_BOTTOM = 0.985, 0.015  # axes heights of labels at the top / bottom
LABEL_ZORDER = 6
WRAP_FROM_CHARS = 16  # labels longer than this may be wrapped onto two lines
DATA_PAD_PX = 2.0  # data closer than this to a label counts as hidden
HIDDEN_STEP_PX = 4.0  # hidden data is counted in steps of this many pixels
ROTATED_LABEL_STYLE: dict[str, Any] = {
    "rotation": 90,
    "rotation_mode": "default",
    "fontsize": MARKER_FONT,
    "color": NOTE_INK,
    "zorder": LABEL_ZORDER,
    "xycoords": ("data", "axes fraction"),
    "textcoords": "offset points",
    "bbox": {"boxstyle": "square,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
}
# (side of the line, top/bottom of the axes), in order of preference
LABEL_SPOTS = ((1, "top"), (1, "bottom"), (-1, "top"), (-1, "bottom"))

ROW_LABEL_FONT = MIN_FONT_PT
ROW_LABEL_BOX: dict[str, Any] = {
    "boxstyle": "square,pad=0.15",
    "fc": "white",
    "ec": "none",
    "alpha": 0.85,
}
LABEL_ROWS = (0.95, 0.74, 0.53)  # axes heights of the rows of horizontal marker labels


def intervention_markers(scenario: Scenario) -> list[tuple[int, str]]:
    """(week, short label) of each intervention, for the dashed marker lines."""
    from sim.interventions import describe

    return [(iv.week, describe(iv)) for iv in scenario.interventions]


def scenario_markers(scenario: Scenario) -> tuple[list[tuple[int, str]], str]:
    """The merged markers of a scenario's interventions within its run, and their footnote."""
    merged = merge_markers(intervention_markers(scenario), scenario.weeks - 1)
    return merged, marker_note(merged, start_date=scenario.start_date)


def merge_markers(
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


def marker_note(
    markers: Sequence[tuple[int, str]],
    *,
    last_week: int | None = None,
    start_date: dt.date | None = None,
) -> str:
    """Footnote line for intervention markers, numbered in week order, e.g.
    "Interventions: 1 week 52 arrest leader; 2 week 104 surge Callao x3 (26 wk)", or with
    `start_date` "1. 1 Jan 2024 (week 52) arrest leader; ...".

    Markers at the same week are merged ("arrest leader + surge Callao");
    with ``last_week`` set, weeks after it (and negative weeks) are left out.
    Returns "" when no marker is left.
    """
    merged = merge_markers(markers, last_week)
    if not merged:
        return ""
    dot = "." if start_date is not None else ""
    parts = (
        f"{i}{dot} {_when(w, start_date)} {label}".rstrip()
        for i, (w, label) in enumerate(merged, 1)
    )
    return "Interventions: " + "; ".join(parts)


def _when(week: int, start_date: dt.date | None) -> str:
    if start_date is None:
        return f"week {week}"
    return f"{day_label(start_date, week)} (week {week})"


def marker_lines(
    ax: Any, merged: Sequence[tuple[int, str]], zorder: float = MARKER_ZORDER, **kw: Any
) -> None:
    """A thin dashed grey vertical line at each marker week (``kw`` overrides the style)."""
    style = {"color": MARKER_COLOUR, "ls": MARKER_DASHES, "lw": MARKER_WIDTH, "zorder": zorder}
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
        total += max(0.0, min(y_hi + DATA_PAD_PX, bb.y1) - max(y_lo - DATA_PAD_PX, bb.y0))
    return total


def _label_variants(i: int, week: int, label: str, numbered: bool) -> list[str]:
    """The texts to try for marker ``i``: in full, wrapped onto two lines, its number only."""
    full = f"{i} {label}".rstrip() if numbered else (label or f"week {week}")
    variants = [full]
    if len(full) > WRAP_FROM_CHARS:
        variants.append(textwrap.fill(full, width=math.ceil(len(full) / 2) + 2))
    if numbered:
        variants.append(str(i))  # last resort: the footnote says the rest
    return variants


def _inside(bb: Bbox, box: Bbox) -> bool:
    """``bb`` within ``box``, give or take a pixel."""
    return (
        bb.x0 >= box.x0 - 1
        and bb.x1 <= box.x1 + 1
        and bb.y0 >= box.y0 - 1
        and (bb.y1 <= box.y1 + 1)
    )


def _try_label(ax: Any, text: str, week: int, side: int, where: str, pad_px: float) -> Any:
    """A rotated label beside the line at ``week``, measured and taken off the axes again."""
    t = ax.annotate(
        text,
        (week, LABEL_TOP if where == "top" else LABEL_BOTTOM),
        xytext=(LABEL_GAP_PT * side, 0.0),
        ha="left" if side > 0 else "right",
        va=where,
        multialignment="left",
        **ROTATED_LABEL_STYLE,
    )
    t.set_in_layout(False)
    bb = t.get_window_extent(ax.get_figure().canvas.get_renderer()).padded(pad_px)
    t.remove()
    return t, bb


def marker_labels(ax: Any, merged: Sequence[tuple[int, str]], series: Sequence[np.ndarray]) -> None:
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
    numbered = len(merged) > 1
    pad_px = LABEL_PAD_PT * fig.dpi / 72.0
    obstacles: list[Bbox] = []
    leg = ax.get_legend()
    if leg is not None:
        obstacles.append(leg.get_window_extent(renderer))
    line_x = [float(ax.transData.transform((w, 0.0))[0]) for w, _label in merged]
    for i, (w, label) in enumerate(merged, 1):
        variants = _label_variants(i, w, label, numbered)
        scored = []
        for vi, text in enumerate(variants):
            short = numbered and vi == len(variants) - 1
            for pi, (side, where) in enumerate(LABEL_SPOTS):
                t, bb = _try_label(ax, text, w, side, where, pad_px)
                bad = not _inside(bb, ax.bbox) or any(bb.overlaps(o) for o in obstacles)
                hidden = round(_data_overlap(ax, series, bb) / HIDDEN_STEP_PX)
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


def stacked_marker_labels(ax: Any, merged: Sequence[tuple[int, str]]) -> None:
    """Horizontal labels right of each marker line near the top of `ax`, numbered as in the
    footnote; a label that would touch the previous one goes a row lower (or shows its number
    only). Call once the layout is final."""
    renderer = ax.get_figure().canvas.get_renderer()
    numbered = len(merged) > 1
    placed: list[Any] = []
    for i, (week, label) in enumerate(merged, 1):
        texts = [f"{i} {label}" if numbered else label] + ([str(i)] if numbered else [])
        done = False
        for text in texts:
            for y in LABEL_ROWS:
                t = ax.annotate(
                    text,
                    (week, y),
                    xycoords=("data", "axes fraction"),
                    xytext=(LABEL_GAP_PT, 0),
                    textcoords="offset points",
                    ha="left",
                    va="top",
                    fontsize=ROW_LABEL_FONT,
                    color=NOTE_INK,
                    bbox=ROW_LABEL_BOX,
                    zorder=LABEL_ZORDER,
                )
                bb = t.get_window_extent(renderer)
                if bb.x1 <= ax.bbox.x1 and not any(bb.overlaps(p) for p in placed):
                    placed.append(bb)
                    done = True
                    break
                t.remove()
            if done:
                break
