"""Office formats: `comparison.xlsx` holds the numbers of the CSV files, formatted for an analyst;
every figure is also written as SVG beside its PNG, inside the atomic result folder and its file
list; `vraem compare --no-figures` writes the runs and tables only, and says so in one line."""

from __future__ import annotations

import csv
import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import SCENARIOS
from PIL import Image
from typer.testing import CliRunner

from sim.cli.main import app
from sim.report.style import new_figure, save_figure, svg_path
from sim.report.workbook import (
    ABOUT_SHEET,
    CONDITIONAL_SHEET,
    EXITS_SHEET,
    HEADLINE_SHEET,
    PERCENT_CHANGE_FORMAT,
    SHARE_FORMAT,
    WORKBOOK_FILE,
    comparison_sheets,
    write_workbook,
)
from sim.runner.layout import COMPARE_LAYOUT, FILES_KEY, RUN_LAYOUT, SWEEP_WORK_LAYOUT
from sim.runner.outputs import is_tool_only

runner = CliRunner()

REPLICATES, WEEKS, SEED, EVENT = 3, 40, 11, 12
HOUSEHOLDS = "growers.households=500"  # a small model: the files are what is tested
SCENARIO = f"""
name: callao_surge
extends: {SCENARIOS / "baseline.yaml"}
interventions:
  - {{type: interdiction_surge, week: {EVENT}, weeks: 20, nodes: [callao], factor: 3.0}}
"""
SHEETS = {HEADLINE_SHEET: "comparison.csv", EXITS_SHEET: "exit_shares.csv"}
TABLES = (
    "comparison.csv",
    WORKBOOK_FILE,
    "exit_shares.csv",
    "chance_events.csv",
    "conditional_effects.csv",
)
SVG = "{http://www.w3.org/2000/svg}"
SIGNIFICANT_DIGITS = 16  # the documented precision of a number in the workbook


def _compare(scenario: Path, out: Path, *extra: str):
    args = ["compare", str(SCENARIOS / "baseline.yaml"), str(scenario)]
    args += ["--replicates", str(REPLICATES), "--weeks", str(WEEKS), "--seed", str(SEED)]
    args += ["--workers", "1", "--set", HOUSEHOLDS, "--out", str(out), *extra]
    return runner.invoke(app, args)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "surge.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def drawn(tmp_path_factory, scenario) -> Path:
    """A comparison with its figures and briefing."""
    out = tmp_path_factory.mktemp("drawn") / "compare"
    res = _compare(scenario, out)
    assert res.exit_code == 0, res.output + res.stderr
    return out


@pytest.fixture(scope="module")
def tables_only(tmp_path_factory, scenario):
    """The same comparison with --no-figures, and what the command printed."""
    out = tmp_path_factory.mktemp("tables") / "compare"
    res = _compare(scenario, out, "--no-figures")
    assert res.exit_code == 0, res.output + res.stderr
    return out, res


def _same(text: str, value) -> bool:
    """A workbook cell holds what the CSV field `text` says: the same text or bool; a number
    equal to the CSV's rounded to 16 significant digits (a whole one, such as 3.0, reads back
    as the int 3: Excel has one kind of number); empty if the field is."""
    if text == "":
        return value is None
    if isinstance(value, bool):
        return text == str(value)
    if isinstance(value, int | float):
        return float(f"{float(text):.{SIGNIFICANT_DIGITS}g}") == value
    return isinstance(value, str) and value == text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _column_of(header: str, columns: list[str]) -> str:
    """The CSV column a workbook header names: the column, then its unit in parentheses."""
    (column,) = [c for c in columns if header == c or header.startswith(f"{c} (")]
    return column


# ----------------------------------------------------------------------------------------------
def test_the_workbook_holds_the_same_numbers_as_the_csv(drawn):
    wb = openpyxl.load_workbook(drawn / WORKBOOK_FILE)
    for sheet, csv_file in SHEETS.items():
        with (drawn / csv_file).open(encoding="utf-8", newline="") as f:
            header, *rows = list(csv.reader(f))
        cells = list(wb[sheet].iter_rows(values_only=True))
        assert [_column_of(h, header) for h in cells[0]] == header, sheet
        assert len(cells) - 1 == len(rows) > 0, sheet
        for r, (row, values) in enumerate(zip(rows, cells[1:], strict=True), start=2):
            for column, text, value in zip(header, row, values, strict=True):
                assert _same(text, value), (sheet, r, column, text, value)
                if _is_number(text):
                    assert not isinstance(value, str), f"{sheet} {column} row {r} is text"


def test_the_workbook_is_formatted_for_an_analyst(drawn):
    wb = openpyxl.load_workbook(drawn / WORKBOOK_FILE)
    assert wb.sheetnames == [HEADLINE_SHEET, EXITS_SHEET, ABOUT_SHEET]
    for sheet in SHEETS:
        ws = wb[sheet]
        assert ws.freeze_panes == "A2", sheet
        assert all(cell.font.bold for cell in ws[1]), sheet
        for cell in ws[1]:  # wide enough for the column's name (its unit may wrap)
            width = ws.column_dimensions[cell.column_letter].width
            assert width >= len(cell.value.split(" (")[0]), (sheet, cell.value)
    effects = wb[HEADLINE_SHEET]
    headers = [c.value for c in effects[1]]
    assert "baseline (in unit)" in headers and "change (% or unit)" in headers
    column = {h: i for i, h in enumerate(headers)}
    for row in effects.iter_rows(min_row=2):
        change = row[column["change (% or unit)"]]
        if row[column["relative"]].value:  # a percentage: a number shown with one decimal
            assert isinstance(change.value, float) and change.number_format == PERCENT_CHANGE_FORMAT
    shares = wb[EXITS_SHEET]
    headers = [c.value for c in shares[1]]
    assert "baseline_share (% of exports)" in headers and "change (percentage points)" in headers
    share = shares.cell(2, headers.index("baseline_share (% of exports)") + 1)
    assert isinstance(share.value, float) and share.number_format == SHARE_FORMAT
    about = " ".join(str(c) for row in wb[ABOUT_SHEET].iter_rows(values_only=True) for c in row)
    assert f"{CONDITIONAL_SHEET} - not in this workbook" in about  # its place, said to be empty
    assert "16 significant digits" in about


def test_text_stays_text_a_missing_number_is_empty_and_a_conditional_table_has_its_sheet(
    tmp_path,
):
    table = pd.DataFrame(
        {"scenario": ["=1+1", "plain"], "change": [float("nan"), -4.25], "relative": [True, True]}
    )
    shares = pd.DataFrame({"name": ["callao"], "change": [1.5]})
    sheets = comparison_sheets(
        table,
        shares,
        headline_file="comparison.csv",
        exits_file="exit_shares.csv",
        conditional=table,
        conditional_file="conditional.csv",
    )
    path = write_workbook(tmp_path / WORKBOOK_FILE, sheets, title="t", source="s")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [HEADLINE_SHEET, CONDITIONAL_SHEET, EXITS_SHEET, ABOUT_SHEET]
    rows = list(wb[HEADLINE_SHEET].iter_rows(min_row=2, values_only=True))
    assert rows == [("=1+1", None, True), ("plain", -4.25, True)]
    assert wb[HEADLINE_SHEET]["A2"].data_type == "s"  # not a formula


def test_every_figure_is_also_an_svg_with_the_same_title(drawn):
    figures = drawn / "figures"
    pngs = sorted(figures.glob("*.png"))
    assert len(pngs) == 5
    assert sorted(figures.glob("*.svg")) == sorted(svg_path(p) for p in pngs)
    for png in pngs:
        root = ET.parse(svg_path(png)).getroot()  # valid XML
        assert root.tag == f"{SVG}svg" and root.get("viewBox") == "0 0 1152 648"  # 16 x 9 in
        title = root.find(f"{SVG}title").text
        assert title == Image.open(png).text["Title"], png.name
    md = (drawn / "briefing.md").read_text(encoding="utf-8")
    assert ".png)" in md and ".svg" not in md  # the briefing shows the PNGs


def test_a_saved_figure_gives_the_same_svg_every_time(tmp_path):
    paths = []
    for name in ("one", "two"):
        fig = new_figure()
        fig.add_subplot().plot([0, 1, 2], [3, 1, 2])
        fig.suptitle("Exports fall")
        paths.append(save_figure(fig, tmp_path / name / "figure.png", "Exports fall", "test"))
    one, two = (svg_path(p).read_bytes() for p in paths)
    assert one == two and b"<dc:date>" not in one


def test_the_manifests_list_the_new_files_and_the_tool_replaces_them_as_its_own(
    drawn, scenario, tmp_path
):
    files = json.loads((drawn / "comparison.json").read_text())[FILES_KEY]
    assert WORKBOOK_FILE in files
    assert {f for f in files if f.endswith(".svg")} == {
        f.removesuffix(".png") + ".svg" for f in files if f.endswith(".png")
    }
    assert is_tool_only(drawn)
    for layout in (COMPARE_LAYOUT, RUN_LAYOUT, SWEEP_WORK_LAYOUT):  # folders without the list
        assert layout.expects("figures/route_map.svg"), layout.label
    assert COMPARE_LAYOUT.expects(WORKBOOK_FILE)

    # an earlier comparison with its workbook and SVGs is replaced ...
    earlier = tmp_path / "earlier"
    shutil.copytree(drawn, earlier)
    res = _compare(scenario, earlier, "--no-figures")
    assert res.exit_code == 0, res.output + res.stderr
    assert not (earlier / "figures").exists() and (earlier / WORKBOOK_FILE).is_file()
    # ... but not once it holds an SVG this tool did not write
    edited = tmp_path / "edited"
    shutil.copytree(drawn, edited)
    (edited / "figures" / "my_slide.svg").write_text("<svg/>", encoding="utf-8")
    res = _compare(scenario, edited, "--no-figures")
    assert res.exit_code == 2 and "my_slide.svg" in res.stderr
    assert (edited / "figures" / "my_slide.svg").is_file() and (edited / "briefing.pdf").is_file()


def test_a_run_folder_writes_its_figures_as_svg_too(tmp_path):
    out = tmp_path / "run"
    args = ["run", str(SCENARIOS / "baseline.yaml"), "--replicates", str(REPLICATES)]
    args += ["--weeks", "20", "--workers", "1", "--set", HOUSEHOLDS, "--out", str(out)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output + res.stderr
    files = json.loads((out / "run.json").read_text())[FILES_KEY]
    for name in ("dashboard", "exit_shares", "route_map"):
        assert {f"figures/{name}.png", f"figures/{name}.svg"} <= set(files), name
        ET.parse(out / "figures" / f"{name}.svg")


def test_compare_with_no_figures_writes_the_tables_and_says_so_in_one_line(drawn, tables_only):
    out, res = tables_only
    assert sorted(p.name for p in out.iterdir()) == sorted([*TABLES, "comparison.json", "runs"])
    for run in ("baseline", "callao_surge"):
        assert (out / "runs" / run / "timeseries.parquet").is_file(), run
    (line,) = [line for line in res.output.splitlines() if "--no-figures" in line]
    assert all(name in line for name in TABLES) and f"vraem brief {out.resolve()}" in line
    assert "drawing" not in res.stderr
    for name in TABLES[::2]:  # the same numbers as with the figures (the same seeds)
        assert (out / name).read_bytes() == (drawn / name).read_bytes(), name
    findings = [line for line in res.output.splitlines() if line.startswith("- ")]
    briefing = (drawn / "briefing.md").read_text(encoding="utf-8").replace("**", "")
    assert findings and all(finding in briefing for finding in findings)
