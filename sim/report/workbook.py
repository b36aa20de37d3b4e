"""`comparison.xlsx`: the tables of a comparison as one workbook for an analyst (openpyxl).

It takes the very tables that `comparison.csv` and `exit_shares.csv` are written from, so it holds
the same rows, the same columns in the same order and the same numbers. A number is stored to 16
significant digits (openpyxl writes `%.16g`; Excel shows at most 15), so it equals the CSV's
value rounded to 16 significant digits; the number formats round only what a cell *shows*
(percentages and changes to one decimal, levels to two), never the value in it. A missing value
(an empty CSV field) is an empty cell, and so would be an infinite one (Excel has none); text is
always text, never a formula. Each sheet has a bold, frozen header row with a filter; a
header is the CSV column's name followed by its unit in parentheses, e.g. `baseline_share (% of
exports)`. A relative change shows as `-4.6%`, an absolute one as `+2.7`; both are numbers
(-4.5715..., 2.7), not text.

Sheets: `Headline effects` (comparison.csv), `Conditional effects` (conditional_effects.csv:
the headline effects split by the outcome of chance events, only when some event happened in
some runs but not all; the `About` sheet says so otherwise), `Exit shares` (exit_shares.csv) and
`About` (what each sheet is, and its source file).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

WORKBOOK_FILE = "comparison.xlsx"
HEADLINE_SHEET = "Headline effects"
CONDITIONAL_SHEET = "Conditional effects"
EXITS_SHEET = "Exit shares"
ABOUT_SHEET = "About"

# number formats: what a cell shows, not what it holds
LEVEL_FORMAT = "#,##0.00"  # a level in its unit (t/yr, USD/kg, ...)
SHARE_FORMAT = "0.0"  # a percentage, one decimal
PERCENT_CHANGE_FORMAT = '+0.0"%";-0.0"%";0.0"%"'  # a relative change in %, one decimal
CHANGE_FORMAT = "+0.0;-0.0;0.0"  # an absolute change, or one in percentage points
WHOLE_FORMAT = "0"  # weeks, counts
BOOLEAN_FORMAT = '"TRUE";"TRUE";"FALSE"'  # Excel shows a boolean so anyway; LibreOffice needs it

# column widths, in characters
MIN_WIDTH = 8
MAX_WIDTH = 48
HEADER_WRAP = 14  # a longer header is wrapped onto lines of about this many characters
WIDTH_PADDING = 2
SHOWN_DECIMALS = 2  # decimals assumed when sizing a column for its numbers
ABOUT_WIDTHS = (22, 26, 90)  # the About sheet's three columns
ABOUT_HEADER_ROW = 4  # after the title, the source line and a blank row
TITLE_SIZE = 14  # points
LINE_HEIGHT_PT = 15.0  # height of one line of text in a row

TEXT_TYPE = "s"  # openpyxl's data type of a text cell
HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
FROZEN_BELOW_HEADER = "A2"
PRINTED_ON_EVERY_PAGE = "1:1"  # the header row

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Column:
    """How a sheet shows one column of its table: the unit named in the header, and the number
    format of its cells (fixed, or chosen per row for a column whose unit differs by row)."""

    unit: str = ""
    number_format: str | Callable[[Row], str] = ""

    def format_for(self, row: Row) -> str:
        """The number format of this column's cell in `row` ("" for Excel's default)."""
        fmt = self.number_format
        return fmt(row) if callable(fmt) else fmt


def _change_format(row: Row) -> str:
    """A change of the headline table: in % when the outcome's change is relative."""
    return PERCENT_CHANGE_FORMAT if bool(row.get("relative", False)) else CHANGE_FORMAT


_WEEK = Column("week", WHOLE_FORMAT)
_EFFECT_CHANGE = Column("% or unit", _change_format)
_SHARE = Column("% of exports", SHARE_FORMAT)
_POINTS = Column("percentage points", CHANGE_FORMAT)

#: the columns of comparison.csv that have a unit or format; any other column is shown as is
EFFECT_COLUMNS: dict[str, Column] = {
    "baseline": Column("in unit", LEVEL_FORMAT),
    "scenario_mean": Column("in unit", LEVEL_FORMAT),
    "change": _EFFECT_CHANGE,
    "change_lo": _EFFECT_CHANGE,
    "change_hi": _EFFECT_CHANGE,
    "change_sd": _EFFECT_CHANGE,
    "replicates_needed": Column("runs", WHOLE_FORMAT),
    "week_from": _WEEK,
    "week_to": _WEEK,
    "replicates": Column("runs", WHOLE_FORMAT),
}
#: the columns of exit_shares.csv that have a unit or format
SHARE_COLUMNS: dict[str, Column] = {
    "baseline_share": _SHARE,
    "scenario_share": _SHARE,
    "change": _POINTS,
    "change_lo": _POINTS,
    "change_hi": _POINTS,
    "week_from": _WEEK,
    "week_to": _WEEK,
}


@dataclass(frozen=True)
class Sheet:
    """One table of the workbook: the sheet's title, the table as its CSV is written from, the
    CSV's name, what it holds (for the About sheet) and how its columns are shown."""

    title: str
    table: pd.DataFrame
    csv_file: str
    about: str
    columns: Mapping[str, Column] = field(default_factory=dict)


def header(name: str, column: Column | None) -> str:
    """A sheet's header for CSV column `name`: the name, then its unit in parentheses."""
    return f"{name} ({column.unit})" if column is not None and column.unit else name


def cell_value(value: Any) -> Any:
    """A table value as a workbook cell: a Python number, bool or text; missing or not finite
    (NaN, which the CSV writes as an empty field) as an empty cell."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return str(value)


def _shown_width(value: Any) -> int:
    """About how many characters a cell shows for `value`."""
    if isinstance(value, float):
        return len(f"{value:+,.{SHOWN_DECIMALS}f}") + 1  # a unit sign such as "%"
    return len(str(value)) if value is not None else 0


def write_sheet(ws: Worksheet, sheet: Sheet) -> None:
    """Fill `ws` with `sheet`'s table: the header row (bold, frozen, with a filter), then one row
    per table row, each cell formatted by its column."""
    names = [str(c) for c in sheet.table.columns]
    specs = [sheet.columns.get(name) for name in names]
    headers = [header(name, spec) for name, spec in zip(names, specs, strict=True)]
    ws.append(headers)
    # a header wraps at spaces, so its longest word must fit on one line
    widths = [max(min(len(text), HEADER_WRAP), *map(len, text.split())) for text in headers]
    for r, row in enumerate(sheet.table.to_dict("records"), start=2):
        for i, (name, spec) in enumerate(zip(names, specs, strict=True)):
            value = cell_value(row[name])
            cell = ws.cell(r, i + 1, value)
            if isinstance(value, str):
                cell.data_type = TEXT_TYPE  # never a formula, even if it starts with "="
            elif isinstance(value, bool):
                cell.number_format = BOOLEAN_FORMAT
            elif spec is not None and isinstance(value, int | float):
                fmt = spec.format_for(row)
                if fmt:
                    cell.number_format = fmt
            widths[i] = max(widths[i], _shown_width(value))
    for cell in ws[1]:
        cell.font = HEADER_FONT
        cell.alignment = HEADER_ALIGNMENT
    lines = 1
    for i, width in enumerate(widths, start=1):
        chars = min(MAX_WIDTH, max(MIN_WIDTH, width + WIDTH_PADDING))
        ws.column_dimensions[get_column_letter(i)].width = chars
        lines = max(lines, len(textwrap.wrap(headers[i - 1], chars - WIDTH_PADDING)))
    ws.row_dimensions[1].height = lines * LINE_HEIGHT_PT
    ws.freeze_panes = FROZEN_BELOW_HEADER
    if names:
        ws.auto_filter.ref = ws.dimensions
    _print_setup(ws)


def _print_setup(ws: Worksheet) -> None:
    """Print a sheet landscape, one page wide, with the header row on every page."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = PRINTED_ON_EVERY_PAGE


def comparison_sheets(
    headline: pd.DataFrame,
    exits: pd.DataFrame,
    *,
    headline_file: str,
    exits_file: str,
    conditional: pd.DataFrame | None = None,
    conditional_file: str = "",
) -> list[Sheet]:
    """The sheets of a comparison's workbook, in order: headline effects, conditional effects
    (only if given), exit shares."""
    sheets = [
        Sheet(
            HEADLINE_SHEET,
            headline,
            headline_file,
            "one row per scenario, outcome and window: the baseline and scenario levels (in "
            "`unit`) and the paired change (mean and interval; in % when `relative`, else in "
            "`unit`: '% or unit' in a header); `clear`: the interval excludes zero",
            EFFECT_COLUMNS,
        )
    ]
    if conditional is not None:
        sheets.append(
            Sheet(
                CONDITIONAL_SHEET,
                conditional,
                conditional_file,
                "the headline effects split by the outcome of chance events: `event`, "
                "`condition` (in words), `happened`, `runs_in_part`, then the columns of the "
                "headline effects computed on those runs and their paired baselines",
                EFFECT_COLUMNS,
            )
        )
    sheets.append(
        Sheet(
            EXITS_SHEET,
            exits,
            exits_file,
            "each route group's and exit's share of exports (%) in baseline and scenario, and "
            "the paired change in percentage points (`level`: group or exit)",
            SHARE_COLUMNS,
        )
    )
    return sheets


def _about(ws: Worksheet, sheets: Sequence[Sheet], title: str, source: str) -> None:
    """The About sheet: what the workbook is, and each sheet with its source file."""
    ws.append([title])
    ws.append([source])
    ws.append([])
    ws.append(["sheet", "same rows and numbers as", "content"])
    for sheet in sheets:
        ws.append([sheet.title, sheet.csv_file, sheet.about])
    if not any(s.title == CONDITIONAL_SHEET for s in sheets):
        ws.append(
            [
                CONDITIONAL_SHEET,
                "-",
                "not in this workbook: no chance event of these scenarios (an operation's "
                "success, a split, the leader in place at the end) happened in some runs but not "
                "in all, so no effect is split by one",
            ]
        )
    ws.append([])
    ws.append(
        [
            "Numbers are those of the CSV files, stored to 16 significant digits; the formats "
            "round only the display (percentages and changes to one decimal, levels to two). A "
            "header is the CSV column's name with its unit in parentheses; an empty cell is a "
            "missing value."
        ]
    )
    ws["A1"].font = Font(bold=True, size=TITLE_SIZE)
    for cell in ws[ABOUT_HEADER_ROW]:
        cell.font = HEADER_FONT
    for i, width in enumerate(ABOUT_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    notes = ws.max_row
    for row in ws.iter_rows(min_row=ABOUT_HEADER_ROW + 1):
        lines = 1
        for i, cell in enumerate(row):
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            width = sum(ABOUT_WIDTHS) if cell.row == notes else ABOUT_WIDTHS[i]
            if cell.value:
                lines = max(lines, len(textwrap.wrap(str(cell.value), width - WIDTH_PADDING)))
        ws.row_dimensions[row[0].row].height = lines * LINE_HEIGHT_PT
    ws.merge_cells(start_row=notes, start_column=1, end_row=notes, end_column=len(ABOUT_WIDTHS))
    _print_setup(ws)


def write_workbook(
    path: Path,
    sheets: Sequence[Sheet],
    *,
    title: str,
    source: str,
    created: datetime | None = None,
) -> Path:
    """Write `sheets` and an About sheet to the workbook at `path` (inside the folder being
    built: the command renames that folder into place); return `path`."""
    wb = Workbook()
    first = wb.active
    for sheet in sheets:
        write_sheet(wb.create_sheet(sheet.title), sheet)
    _about(wb.create_sheet(ABOUT_SHEET), sheets, title, source)
    wb.remove(first)
    wb.properties.title = title
    wb.properties.creator = "vraem-sim"
    if created is not None:
        wb.properties.created = created
    wb.save(path)
    return path
