"""The look shared by every figure of vraem-sim: palette, fonts, frame, title, source line.

Every figure is 16:9 (16 x 9 in at 120 dpi = 1920 x 1080 px), built with the object API
(:class:`matplotlib.figure.Figure` on an Agg canvas; pyplot and the process-wide backend are never
touched), drawn and saved inside ``mpl.rc_context(RC)``, titled with a finding computed from the
data (:func:`figure_title`) and signed with a source line (:func:`footer`). :func:`save_figure`
writes every figure, as PNG and as SVG beside it.

Also here: number formats for titles and axes, the week axis, the styles of route groups, exits
and transport modes, and the grid of panels under a legend row used by the briefing figures.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MultipleLocator

from sim.units import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from sim.config.models import Scenario

FIGSIZE: tuple[float, float] = (16.0, 9.0)
DPI: int = 120
SVG_SUFFIX = ".svg"  # every figure is saved as PNG and, beside it, as SVG
SVG_HASH_SALT = "vraem-sim"  # fixed ids inside the SVG, so that it is reproducible

# Okabe-Ito palette (colour-blind safe); pairs are also told apart by line
# style, marker or hatch so that they survive greyscale printing.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
SKY = "#56B4E9"
PURPLE = "#CC79A7"
BROWN = "#8C6D31"
GREY = "#B8B8B8"
INK = "#222222"
NOTE_INK = "#333333"  # secondary text: panel notes, marker labels

RC: dict[str, Any] = {
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

# the exit whose exports and price the figures single out (the main Pacific port)
PORT_EXIT = "callao"

GROUP_LABELS: dict[str, str] = {
    "pacific_ports": "Pacific ports",
    "bolivia": "Bolivia (land and air)",
    "brazil": "Brazil (land and river)",
}
GROUP_SHORT: dict[str, str] = {
    "pacific_ports": "Pacific ports",
    "bolivia": "Bolivia",
    "brazil": "Brazil",
}
GROUP_COLOURS: dict[str, str] = {
    "pacific_ports": BLUE,
    "bolivia": ORANGE,
    "brazil": GREEN,
}
GROUP_HATCHES: dict[str, str] = {"pacific_ports": "", "bolivia": "//", "brazil": ".."}
GROUP_MARKERS: dict[str, str] = {"pacific_ports": "s", "bolivia": "D", "brazil": "p"}
GROUP_ORDER = ("pacific_ports", "bolivia", "brazil")
EXTRA_COLOURS = (PURPLE, SKY, VERMILLION, BROWN)
EXTRA_HATCHES = ("xx", "\\\\", "oo", "--")
EXTRA_MARKERS = ("h", "P", "X", "*")

EXIT_LABELS: dict[str, str] = {
    "callao": "Callao",
    "chimbote": "Chimbote",
    "paita": "Paita",
    "desaguadero": "Desaguadero",
    "bolivia_air": "Air bridge to Bolivia",
    "inapari": "Iñapari",
    "brazil_river": "River to Brazil",
}

# exit id -> destination wording for title sentences ("... by air to Bolivia")
EXIT_DESTINATIONS: dict[str, str] = {
    "callao": "Callao",
    "chimbote": "Chimbote",
    "paita": "Paita",
    "desaguadero": "Desaguadero (Bolivia)",
    "bolivia_air": "Bolivia",
    "inapari": "Iñapari (Brazil)",
    "brazil_river": "Brazil",
}

# mode -> (colour, line style, legend label)
MODE_STYLE: dict[str, tuple[str, str, str]] = {
    "road": (VERMILLION, "-", "road"),
    "river": (SKY, "-", "river"),
    "trail": (BROWN, "-.", "trail"),
    "air": (PURPLE, "--", "air (flight)"),
}
UNKNOWN_MODE_STYLE = (INK, ":")  # colour and line style of a mode not in MODE_STYLE

# footer: footnote bottom left, source line bottom right
FOOTER_HEIGHT = 0.035  # share of the figure height kept free for one footer line
FOOTER_TWO_LINES = 0.055  # ... and for a footnote pushed one line up above the source line
FOOTER_Y = 0.008  # baseline of the bottom footer line (figure fraction)
FOOTER_LEFT, FOOTER_RIGHT = 0.005, 0.995
# the smallest font of any figure text (footers, map names, marker labels): a 16 in figure
# printed on an A4 landscape page (10.9 in wide, sim.report.pdf) prints it at 10.5 x 10.9 / 16
# = 7.2 pt, above the 7 pt a printed briefing needs
MIN_FONT_PT = 10.5
FOOTER_STYLE: dict[str, Any] = {"va": "bottom", "fontsize": MIN_FONT_PT, "color": "#444444"}
FOOTER_LINE_PT = 1.6 * MIN_FONT_PT  # one footer line, in points
FOOTER_GAP_PX = 20  # least gap between the footnote's last line and the source line
FOOTER_PAD_PX = 6.0  # space kept above the footnote
FOOTER_WIDTH = 0.99  # share of the figure width a footnote line may take
MIN_WRAP_CHARS = 10  # a footnote line is never wrapped narrower than this
TITLE_WIDTH = 0.97  # share of the figure width the title may take before it is wrapped
TITLE_WRAP_SLACK = 4  # characters added to the balanced line length of a wrapped title

# week axis: year ticks on runs of 2+ years, else quarters (13 weeks) or 4 weeks
QUARTER_WEEKS = 13
HALF_YEAR_WEEKS = 26
MONTH_WEEKS = 4

LEGEND_ROW = 0.075  # height of the legend row, as a share of one panel row

NUM_FMT = FuncFormatter(lambda x, _pos: f"{x:,.6g}")


# ----------------------------------------------------------------------------------------------
# data checks and numbers
# ----------------------------------------------------------------------------------------------
def require_columns(df: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    """Raise ValueError if ``df`` lacks any of ``cols`` or is empty (``what`` names it)."""
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s): {', '.join(missing)}")
    if df.empty:
        raise ValueError(f"{what} is empty")


def round_sig(x: float, sig: int = 2) -> float:
    """``x`` rounded to ``sig`` significant figures (0 and non-finite values unchanged)."""
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, sig - 1 - math.floor(math.log10(abs(x))))


def fmt_about(x: float) -> str:
    """Round to two significant figures for a headline ("430", "1,200", "4.3")."""
    r = round_sig(float(x), 2)
    if abs(r) >= 10:
        return f"{r:,.0f}"
    return f"{r:.2g}"


def fmt_pct(share: float) -> str:
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


def nice(x: float) -> float:
    """Round down to 1, 2 or 5 times a power of ten."""
    if x <= 0:
        return 0.0
    p = 10 ** math.floor(math.log10(x))
    for m in (5, 2, 1):
        if m * p <= x:
            return m * p
    return p


# ----------------------------------------------------------------------------------------------
# route groups and exits
# ----------------------------------------------------------------------------------------------
def group_label(group: str) -> str:
    """Legend name of a route group ("Bolivia (land and air)")."""
    return GROUP_LABELS.get(group, str(group).replace("_", " ").capitalize())


def group_short(group: str) -> str:
    """Short name of a route group ("Bolivia")."""
    return GROUP_SHORT.get(group, group_label(group))


def exit_label(exit_id: str) -> str:
    """Display name of an exit ("Air bridge to Bolivia")."""
    return EXIT_LABELS.get(exit_id, str(exit_id).replace("_", " ").title())


def group_styles(groups: Sequence[str]) -> dict[str, tuple[str, str, str]]:
    """group -> (colour, hatch, marker); known groups keep fixed styles."""
    out: dict[str, tuple[str, str, str]] = {}
    k = 0
    for g in groups:
        if g in GROUP_COLOURS:
            out[g] = (GROUP_COLOURS[g], GROUP_HATCHES[g], GROUP_MARKERS[g])
        else:
            i = k % len(EXTRA_COLOURS)
            out[g] = (EXTRA_COLOURS[i], EXTRA_HATCHES[i], EXTRA_MARKERS[i])
            k += 1
    return out


def ordered_groups(groups: Sequence[str]) -> list[str]:
    """The distinct groups: known ones in GROUP_ORDER, then the others sorted."""
    present = list(dict.fromkeys(str(g) for g in groups))
    known = [g for g in GROUP_ORDER if g in present]
    return known + sorted(g for g in present if g not in GROUP_ORDER)


def mode_style(mode: str) -> tuple[str, str, str]:
    """(colour, line style, legend label) of a transport mode."""
    return MODE_STYLE.get(mode, (*UNKNOWN_MODE_STYLE, mode))


# ----------------------------------------------------------------------------------------------
# figure frame: canvas, footer, title, saving
# ----------------------------------------------------------------------------------------------
def new_figure() -> Figure:
    """A 16:9 figure with constrained layout on its own Agg canvas."""
    fig = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)  # attach an Agg canvas without touching pyplot
    return fig


def reserve_footer(fig: Figure, height: float = FOOTER_HEIGHT) -> None:
    """Keep a strip at the bottom free for the footnote and source line."""
    engine = fig.get_layout_engine()
    if engine is not None:
        engine.set(rect=(0.0, height, 1.0, 1.0 - height))


def footer(fig: Figure, source_line: str, note: str = "") -> None:
    """Footnote bottom left, source line bottom right; stacked if they would touch.

    ``note`` may hold several lines ("\\n"); any line wider than the figure is
    wrapped, and the footer strip grows to fit.
    """
    src = None
    if source_line:
        src = fig.text(FOOTER_RIGHT, FOOTER_Y, source_line, ha="right", **FOOTER_STYLE)
    if not note:
        return
    txt = fig.text(FOOTER_LEFT, FOOTER_Y, note, ha="left", **FOOTER_STYLE)
    renderer = fig.canvas.get_renderer()
    txt.set_text(fit_lines(txt, renderer, FOOTER_WIDTH * fig.bbox.width))
    if src is not None:
        # only the bottom line of the note sits level with the source line
        x0 = txt.get_window_extent(renderer).x0
        last = text_width(txt, txt.get_text().split("\n")[-1], renderer)
        if x0 + last + FOOTER_GAP_PX > src.get_window_extent(renderer).x0:
            txt.set_y(FOOTER_Y + FOOTER_LINE_PT / (fig.get_figheight() * 72.0))  # one line up
            reserve_footer(fig, FOOTER_TWO_LINES)
    engine = fig.get_layout_engine()
    if engine is not None:
        reserved = float(engine.get().get("rect", (0.0, 0.0, 1.0, 1.0))[1])
        need = (txt.get_window_extent(renderer).y1 + FOOTER_PAD_PX) / fig.bbox.height
        if need > reserved:
            reserve_footer(fig, need)


def text_width(txt: Any, line: str, renderer: Any) -> float:
    """Width in pixels of ``line`` set in the font of ``txt``."""
    probe = Text(text=line, fontproperties=txt.get_fontproperties(), figure=txt.get_figure())
    return float(probe.get_window_extent(renderer).width)


def fit_lines(txt: Any, renderer: Any, limit: float) -> str:
    """The text of ``txt`` with each line wider than ``limit`` px wrapped."""
    lines: list[str] = []
    for line in txt.get_text().split("\n"):
        width = text_width(txt, line, renderer)
        if width <= limit or len(line) < 2:
            lines.append(line)
            continue
        per_line = max(int(len(line) * limit / width) - 2, MIN_WRAP_CHARS)
        lines.extend(_wrap_items(line, per_line))
    return "\n".join(lines)


def _wrap_items(line: str, per_line: int) -> list[str]:
    """``line`` broken between "; "-separated items where possible, else between words."""
    lines: list[str] = []
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
    return lines


def figure_title(fig: Figure, text: str) -> None:
    """Figure title; wrapped into balanced lines only if it is wider than the figure."""
    title = fig.suptitle(text)
    renderer = fig.canvas.get_renderer()
    width = title.get_window_extent(renderer).width
    limit = TITLE_WIDTH * fig.bbox.width
    if width > limit:
        n_lines = math.ceil(width / limit)
        title.set_text(textwrap.fill(text, width=math.ceil(len(text) / n_lines) + TITLE_WRAP_SLACK))


def source_line(scenario: Scenario) -> str:
    """The source line of a scenario's figures: "vraem-sim <version>, N replicates, seed S"."""
    from sim import __version__

    return f"vraem-sim {__version__}, {scenario.replicates} replicates, seed {scenario.seed}"


def svg_path(png: str | Path) -> Path:
    """Where the SVG copy of the figure saved as ``png`` goes: beside it, same name, ``.svg``."""
    return Path(png).with_suffix(SVG_SUFFIX)


def save_figure(fig: Figure, path: str | Path, title: str, source_line: str) -> Path:
    """Save ``fig`` as PNG at ``path`` and as SVG beside it (:func:`svg_path`), folders made, with
    title and source as metadata; return the PNG's path.

    This is the one place figures are written. Both files go where ``path`` says: commands save
    into the temporary folder they rename into place, which makes both appear at once, whole. The
    SVG is vector (text as paths, so it looks the same without the fonts) and reproducible: no
    date, and element ids from a fixed salt, so the same figure gives the same bytes.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {"Title": " ".join(title.split()), "Source": source_line or "vraem-sim"}
    with mpl.rc_context({**RC, "svg.hashsalt": SVG_HASH_SALT, "svg.fonttype": "path"}):
        fig.savefig(path, dpi=DPI, format="png", metadata=metadata)
        fig.savefig(svg_path(path), dpi=DPI, format="svg", metadata={**metadata, "Date": None})
    return path


# ----------------------------------------------------------------------------------------------
# axes
# ----------------------------------------------------------------------------------------------
def week_axis(ax: Any, n_weeks: int) -> None:
    """Year ticks (every 52 weeks) on runs of 2+ years, else every 13 or 4 weeks."""
    if n_weeks >= 2 * WEEKS_PER_YEAR:
        ax.xaxis.set_major_locator(MultipleLocator(WEEKS_PER_YEAR))
        ax.xaxis.set_minor_locator(MultipleLocator(QUARTER_WEEKS))
    elif n_weeks >= HALF_YEAR_WEEKS:
        ax.xaxis.set_major_locator(MultipleLocator(QUARTER_WEEKS))
    else:
        ax.xaxis.set_major_locator(MultipleLocator(MONTH_WEEKS))
    ax.set_xlim(0, max(n_weeks, 1))


def panels_with_legend(
    fig: Figure,
    nrows: int,
    ncols: int,
    handles: list[Any],
    *,
    height_ratios: Sequence[float] | None = None,
    sharex: bool = True,
    sharey: bool = False,
) -> np.ndarray:
    """A grid of panels under a legend row that spans the figure (so the legend never meets the
    title). Returns the panels as an (nrows, ncols) array."""
    ratios = list(height_ratios or [1.0] * nrows)
    gs = fig.add_gridspec(nrows + 1, ncols, height_ratios=[LEGEND_ROW * max(ratios), *ratios])
    leg_ax = fig.add_subplot(gs[0, :])
    leg_ax.axis("off")
    leg_ax.legend(
        handles=handles,
        loc="center",
        ncols=len(handles),
        frameon=False,
        handlelength=2.6,
        columnspacing=1.8,
        borderaxespad=0.0,
    )
    axes = np.empty((nrows, ncols), dtype=object)
    for r in range(nrows):
        for c in range(ncols):
            first = axes[0, 0] if (r or c) else None
            axes[r, c] = fig.add_subplot(
                gs[r + 1, c],
                sharex=first if sharex else None,
                sharey=first if sharey else None,
            )
    if sharex:
        for ax in axes[:-1].flat:
            ax.tick_params(labelbottom=False)
    if sharey:
        for ax in axes[:, 1:].flat:
            ax.tick_params(labelleft=False)
    return axes
