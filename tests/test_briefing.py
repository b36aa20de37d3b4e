"""`vraem compare` and `vraem brief`: the comparison folder, figures, PDF, findings = table,
redrawing without re-running, bad input (exit 2) and nothing half-written."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import struct
from pathlib import Path

import pandas as pd
import pytest
from conftest import SCENARIOS
from pypdf import PdfReader
from typer.testing import CliRunner

from sim.cli.main import app
from sim.report.briefing import MAX_PAGES
from sim.report.findings import ALL_OR_NOTHING
from sim.report.scorecard import BETTER, SCORECARD, WORSE
from sim.report.wording import INTERVAL_NAME

runner = CliRunner()

REPLICATES, WEEKS, SEED, EVENT = 3, 104, 11, 26
SCENARIO_FILES = {
    "surge.yaml": f"""
name: callao_surge
extends: {SCENARIOS / "baseline.yaml"}
description: Port control at Callao tripled for a year.
interventions:
  - {{type: interdiction_surge, week: {EVENT}, weeks: 52, nodes: [callao], factor: 3.0,
     label: "Callao port control x3"}}
""",
    "decap.yaml": f"""
name: decapitation
extends: {SCENARIOS / "baseline.yaml"}
description: The successors are arrested, then the leader is killed.
interventions:
  - {{type: arrest_leader, week: {EVENT}, who: successors, outcome: captured}}
  - {{type: arrest_leader, week: {EVENT + 4}, who: leader, outcome: killed}}
""",
}
NAMES = ("callao_surge", "decapitation")
FIGURES = ["effects_summary.png"] + [
    f"{kind}_{name}.png"
    for name in NAMES
    for kind in ("route_map", "fan_charts", "exit_shares", "armed_groups")
]
FIGURE_FILES = sorted([*FIGURES, *(name.replace(".png", ".svg") for name in FIGURES)])
RUN_FILES = ("timeseries.parquet", "exits.parquet", "edge_flows.parquet", "events.parquet")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SLIDE_MIN_WIDTH = 1280  # px

# the wording of the findings, as the reader sees it -> outcome names of comparison.csv
SUBJECTS = {
    "total exports": "exports",
    "exports via Callao": "exports via Callao",
    "seizures": "seizures",
    "the cocaine price in the VRAEM": "HCl price VRAEM",
    "the cocaine price at Callao": "HCl price Callao",
    "the coca leaf price": "leaf price",
    "the coca area": "coca area",
    "violent deaths": "violent deaths",
    "the number of armed groups": "armed groups",
    "the armed groups' income": "armed income",
}
GROUPS = {"the Pacific ports": "pacific_ports", "Bolivia": "bolivia", "Brazil": "brazil"}
_SUBJ = "|".join(re.escape(s) for s in SUBJECTS)
_UNIT = r"(?:%| a year|)"
_CI = re.escape(INTERVAL_NAME)
CLEAR = re.compile(
    rf"(?P<subject>{_SUBJ}) (?P<verb>rises?|falls?) by (?:only )?(?P<x>[\d.]+){_UNIT} "
    rf"\({_CI} (?P<a>[\d.]+) to (?P<b>[\d.]+){_UNIT}\)"
)
UNCLEAR = re.compile(
    rf"(?P<subject>{_SUBJ}) shows? no clear change \((?P<m>[+-]?[\d.]+){_UNIT}, "
    rf"{_CI} (?P<lo>[+-]?[\d.]+) to (?P<hi>[+-]?[\d.]+){_UNIT}\)"
)
UNRESOLVED = re.compile(
    rf"(?P<subject>{_SUBJ}) (?P<verb>rises?|falls?) by (?P<x>[\d.]+){_UNIT}, a large change but "
    rf"not a certain one: its {_CI} \((?P<lo>[+-]?[\d.]+) to (?P<hi>[+-]?[\d.]+){_UNIT}\) "
    r"includes zero; (?:about (?P<n>[\d,]+) replicates would resolve it|more )"
)
SHARE = re.compile(
    r"to (?P<group>the Pacific ports|Bolivia|Brazil)(?: \(mostly [^)]*\))?, whose share of "
    rf"exports (?P<verb>rises|falls) by (?P<x>[\d.]+) points \({_CI} (?P<a>[\d.]+) to "
    r"(?P<b>[\d.]+)\) to (?P<y>[\d.]+)%"
)
WINDOW_WORDS = {  # how each default window reads in a sentence
    "while the interventions run": "during",
    "after the interventions": "after",
    "in the first year after the first intervention": "first year",
}
_WIN = "|".join(re.escape(w) for w in WINDOW_WORDS)
_MONTHS = r"(\w{3} \d{4})(?:\u2013(\w{3} \d{4}))?"  # "Jan 2024" or "Jan 2024-Dec 2025"
WINDOW_AT_START = re.compile(rf"^(?P<w>{_WIN}) \({_MONTHS}\), ", re.IGNORECASE)
BASELINE = re.compile(
    rf"Baseline ({_WIN}) \({_MONTHS}\): the VRAEM exports ([\d,.]+) t/yr of cocaine, "
    r"([\d,.]+) t/yr of it via Callao, and ([\d,.]+) t/yr are seized; cocaine sells at "
    r"([\d,.]+) USD/kg in the VRAEM and ([\d,.]+) USD/kg at Callao; there are ([\d,.]+) violent "
    r"deaths a year\."
)


def _month(iso: str) -> str:
    """An ISO date as the briefing names its month: 'Jan 2024'."""
    return dt.date.fromisoformat(str(iso)).strftime("%b %Y")


def shown(x: float) -> str:
    """The briefing's rounding: whole numbers from 10 up, one decimal below, no "-0.0"."""
    text = f"{x:.1f}"
    if abs(float(text)) >= 10:
        text = f"{x:.0f}"
    return text.lstrip("-") if float(text) == 0 else text


def signed(x: float) -> str:
    text = shown(x)
    return f"+{text}" if float(text) > 0 else text


def three_figures(x: float) -> float:
    return float(f"{x:.3g}")


def _compare_args(files: list[Path], out: Path) -> list[str]:
    return [
        "compare",
        str(SCENARIOS / "baseline.yaml"),
        *map(str, files),
        "--replicates",
        str(REPLICATES),
        "--weeks",
        str(WEEKS),
        "--seed",
        str(SEED),
        "--workers",
        "1",  # a pool takes longer to start than these runs take
        "--out",
        str(out),
    ]


def _scenario_files(folder: Path) -> list[Path]:
    paths = []
    for name, text in SCENARIO_FILES.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory) -> Path:
    """One comparison: the baseline and two scenarios, 3 replicates x 104 weeks, events at 26."""
    folder = tmp_path_factory.mktemp("compare")
    out = folder / "briefing"
    res = runner.invoke(app, _compare_args(_scenario_files(folder), out))
    assert res.exit_code == 0, res.output + res.stderr
    assert "Key findings" in res.output
    return out


def _findings(folder: Path) -> list[str]:
    """The key-finding bullets of briefing.md, as "Label: text"."""
    md = (folder / "briefing.md").read_text(encoding="utf-8")
    section = md.split("## Key findings", 1)[1].split("\n## ", 1)[0]
    bullets = [line[2:] for line in section.splitlines() if line.startswith("- ")]
    return [re.sub(r"^\*\*(.+?)\*\*: ", r"\1: ", b) for b in bullets]


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_MAGIC, f"{path.name} is not a PNG"
    return struct.unpack(">II", head[16:24])


# ----------------------------------------------------------------------------------------------
def test_compare_writes_the_folder_with_every_figure(compare_dir):
    for name in (
        "comparison.csv",
        "comparison.xlsx",
        "exit_shares.csv",
        "comparison.json",
        "briefing.md",
    ):
        assert (compare_dir / name).is_file(), name
    for run in ("baseline", *NAMES):
        for name in (*RUN_FILES, "summary.csv", "run.json"):
            assert (compare_dir / "runs" / run / name).is_file(), f"runs/{run}/{name}"
    written = sorted(p.name for p in (compare_dir / "figures").iterdir())
    assert written == FIGURE_FILES  # each figure as PNG and SVG
    for name in FIGURES:
        width, height = _png_size(compare_dir / "figures" / name)
        assert width * 9 == height * 16, f"{name} is {width}x{height}, not 16:9"
        assert width >= SLIDE_MIN_WIDTH, name
    assert not list(compare_dir.parent.glob(".briefing.*")), "temporary folder left behind"


def test_runs_share_their_seeds_and_the_table_is_tidy(compare_dir):
    seeds = {
        run: json.loads((compare_dir / "runs" / run / "run.json").read_text())["replicate_seeds"]
        for run in ("baseline", *NAMES)
    }
    assert len(seeds["baseline"]) == REPLICATES
    assert seeds["callao_surge"] == seeds["decapitation"] == seeds["baseline"]
    table = pd.read_csv(compare_dir / "comparison.csv")
    expected = {
        "scenario",
        "outcome",
        "window",
        "unit",
        "baseline",
        "scenario_mean",
        "change",
        "change_lo",
        "change_hi",
        "relative",
        "clear",
        "week_from",
        "week_to",
    }
    assert expected <= set(table.columns)
    assert set(table["outcome"]) >= {
        "exports",
        "exports via Callao",
        "seizures",
        "HCl price VRAEM",
        "HCl price Callao",
        "leaf price",
        "violent deaths",
        "armed groups",
        "armed income",
    }
    # each scenario's own windows: while the surge runs (52 weeks) and after it; after the
    # last arrest (week 30) for the arrests, which have no duration; and the first year
    spans = table.groupby(["scenario", "window"])[["week_from", "week_to"]].agg(["min", "max"])
    expected_spans = {
        ("callao_surge", "during"): (EVENT, EVENT + 51),
        ("callao_surge", "after"): (EVENT + 52, WEEKS - 1),
        ("callao_surge", "first year"): (EVENT, EVENT + 51),
        ("decapitation", "after"): (EVENT + 4, WEEKS - 1),
        ("decapitation", "first year"): (EVENT, EVENT + 51),
    }
    assert set(spans.index) == set(expected_spans)
    for key, (a, b) in expected_spans.items():
        assert spans.loc[key].tolist() == [a, a, b, b], key
    assert len(table) == len(expected_spans) * 10
    # ... and in dates: week k starts on the scenario's start date + 7k days
    start = dt.date.fromisoformat(
        str(
            json.loads((compare_dir / "runs" / "callao_surge" / "run.json").read_text())["config"][
                "start_date"
            ]
        )
    )
    for r in table.itertuples():
        assert r.date_from == (start + dt.timedelta(weeks=r.week_from)).isoformat()
        assert r.date_to == (start + dt.timedelta(weeks=r.week_to + 1, days=-1)).isoformat()
    assert (table["change_lo"] <= table["change"] + 1e-9).all()
    assert (table["change"] <= table["change_hi"] + 1e-9).all()
    surge = table[(table["scenario"] == "callao_surge") & (table["window"] == "during")]
    callao = surge.set_index("outcome").loc["exports via Callao"]
    assert callao["change"] < 0 and callao["clear"]
    # common random numbers: before the first intervention the runs are the same, week by week
    before = [
        pd.read_parquet(compare_dir / "runs" / run / "timeseries.parquet")
        .query(f"week < {EVENT}")
        .drop(columns="scenario")
        .reset_index(drop=True)
        for run in ("baseline", "callao_surge")
    ]
    pd.testing.assert_frame_equal(before[0], before[1])


def test_pdf_keeps_to_its_pages_and_has_the_findings(compare_dir):
    reader = PdfReader(compare_dir / "briefing.pdf")
    assert len(reader.pages) <= MAX_PAGES
    # a landscape page for each of the five figures (tests/test_print_sizes.py: why)
    wide = [p for p in reader.pages if p.mediabox.width > p.mediabox.height]
    assert len(wide) == 5 and all("/XObject" in p["/Resources"] for p in wide)
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    for heading in ("Keyfindings", "Headlinetable", "Assumptionsandcaveats"):
        assert heading in text
    findings = _findings(compare_dir)
    told = [f for f in findings if f", {ALL_OR_NOTHING}: " not in f]
    assert len(told) == 1 + len(NAMES)  # the baseline, then each scenario
    # the decapitation's operations and splits are counted in a bullet of their own
    assert any(f.startswith(f"Decapitation, {ALL_OR_NOTHING}: ") for f in findings)
    for finding in findings:
        assert re.sub(r"\s+", "", finding) in text, finding[:60]
    # the markdown links every figure it shows, relative to its folder
    md = (compare_dir / "briefing.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\((figures/[^)]+\.png)\)", md)
    assert len(links) == 5 and all((compare_dir / link).is_file() for link in links)


def test_key_findings_state_the_numbers_of_the_table(compare_dir):
    table = pd.read_csv(compare_dir / "comparison.csv").set_index(["scenario", "outcome", "window"])
    shares = pd.read_csv(compare_dir / "exit_shares.csv")
    shares = shares[shares["level"] == "group"].set_index(["scenario", "window", "name"])
    labels = {name.replace("_", " ").capitalize(): name for name in NAMES}
    findings = _findings(compare_dir)

    base = BASELINE.fullmatch(findings[0])
    assert base, findings[0]
    window = WINDOW_WORDS[base[1]]
    assert window == "during"  # the key window of the surge: while it runs
    first = table.xs((NAMES[0], window), level=("scenario", "window"))
    months = [_month(first["date_from"].iloc[0]), _month(first["date_to"].iloc[0])]
    assert [base[2], base[3] or base[2]] == months
    for group, outcome in zip(
        base.groups()[3:],
        [
            "exports",
            "exports via Callao",
            "seizures",
            "HCl price VRAEM",
            "HCl price Callao",
            "violent deaths",
        ],
        strict=True,
    ):
        assert float(group.replace(",", "")) == three_figures(first.loc[outcome, "baseline"])

    checked = {"clear": 0, "unclear": 0, "share": 0}
    for finding in findings[1:]:
        label, _, text = finding.partition(": ")
        if label.endswith(f", {ALL_OR_NOTHING}"):
            continue  # counts of chance events: tests/test_chance.py
        scenario = labels[label]
        sentences = re.split(r"(?<=\.) (?=(?:While|After|In) )", text)
        for sentence in sentences:
            window = WINDOW_WORDS[WINDOW_AT_START.match(sentence)["w"].lower()]
            for m in CLEAR.finditer(sentence):
                row = table.loc[(scenario, SUBJECTS[m["subject"]], window)]
                assert row["clear"], sentence
                if m["verb"].startswith("fall"):
                    assert row["change"] < 0
                    expected = [-row["change"], -row["change_hi"], -row["change_lo"]]
                else:
                    assert row["change"] > 0
                    expected = [row["change"], row["change_lo"], row["change_hi"]]
                assert [m["x"], m["a"], m["b"]] == [shown(v) for v in expected], sentence
                checked["clear"] += 1
            for m in UNCLEAR.finditer(sentence):
                row = table.loc[(scenario, SUBJECTS[m["subject"]], window)]
                assert not row["clear"], sentence
                numbers = [row["change"], row["change_lo"], row["change_hi"]]
                assert [m["m"], m["lo"], m["hi"]] == [signed(v) for v in numbers], sentence
                checked["unclear"] += 1
            for m in UNRESOLVED.finditer(sentence):
                row = table.loc[(scenario, SUBJECTS[m["subject"]], window)]
                assert not row["clear"] and row["large"], sentence
                assert (row["change"] > 0) == m["verb"].startswith("rise"), sentence
                numbers = [row["change_lo"], row["change_hi"]]
                assert [m["lo"], m["hi"]] == [signed(v) for v in numbers], sentence
                assert m["x"] == shown(abs(row["change"])), sentence
                if m["n"]:
                    assert int(m["n"].replace(",", "")) == row["replicates_needed"], sentence
                checked["unclear"] += 1
            for m in SHARE.finditer(sentence):
                row = shares.loc[(scenario, window, GROUPS[m["group"]])]
                assert row["clear"] and (row["change"] > 0) == (m["verb"] == "rises")
                expected = [abs(row["change"]), row["change_lo"], row["change_hi"]]
                assert [m["x"], m["a"], m["b"]] == [shown(v) for v in expected], sentence
                assert m["y"] == shown(row["scenario_share"])
                checked["share"] += 1
        # every interval in the bullet was parsed and checked
        assert text.count(INTERVAL_NAME) == sum(
            len(p.findall(text)) for p in (CLEAR, UNCLEAR, UNRESOLVED, SHARE)
        ), finding
    # the Callao surge moves traffic (displacement) and the findings say so
    assert checked["clear"] >= 3 and checked["share"] >= 1, checked
    assert "exports via Callao fall by" in findings[1]


def test_headline_table_shows_the_same_numbers(compare_dir):
    table = pd.read_csv(compare_dir / "comparison.csv")
    md = (compare_dir / "briefing.md").read_text(encoding="utf-8")
    scorecard, headline = md.split("## Headline table")[0], md.split("## Headline table")[1]
    year1 = table[(table["scenario"] == "callao_surge") & (table["window"] == "during")]
    rows = [line for line in headline.splitlines() if line.startswith("| Callao surge")]
    cells = [c.strip().strip("*") for c in rows[0].strip("|").split("|")[1:]]
    assert len(cells) == len(year1)
    for cell, row in zip(cells, year1.itertuples(), strict=True):
        assert f"({signed(row.change_lo)} to {signed(row.change_hi)})" in cell
        assert cell.startswith(signed(row.change))
    # page 1's scorecard shows the same numbers for its outcomes
    card = [line for line in scorecard.splitlines() if line.startswith("| Callao surge (")]
    by_outcome = year1.set_index("outcome")
    for (outcome, _), cell in zip(SCORECARD, card[0].strip("|").split("|")[1:], strict=True):
        row = by_outcome.loc[outcome]
        assert f"({signed(row.change_lo)} to {signed(row.change_hi)})" in cell, outcome
        assert (BETTER in cell or WORSE in cell) == bool(row.clear), (outcome, cell)


def test_brief_redraws_the_same_briefing_without_running(compare_dir, tmp_path, monkeypatch):
    copy = tmp_path / "copy"
    shutil.copytree(compare_dir, copy)
    shutil.rmtree(copy / "figures")
    for name in ("briefing.pdf", "briefing.md", "comparison.csv"):
        (copy / name).unlink()

    def no_runs(*args, **kwargs):
        raise AssertionError("vraem brief must not run the model")

    monkeypatch.setattr("sim.runner.batch.run_scenario", no_runs)
    monkeypatch.setattr("sim.report.compare.run_scenario", no_runs)
    res = runner.invoke(app, ["brief", str(copy)])
    assert res.exit_code == 0, res.output + res.stderr
    assert (copy / "comparison.csv").read_bytes() == (compare_dir / "comparison.csv").read_bytes()
    assert _findings(copy) == _findings(compare_dir)
    assert sorted(p.name for p in (copy / "figures").iterdir()) == FIGURE_FILES
    assert len(PdfReader(copy / "briefing.pdf").pages) <= MAX_PAGES


def test_run_folders_pair_only_with_matching_seeds(compare_dir, tmp_path):
    from sim.report.briefing import comparison_tables
    from sim.report.compare import pair_run_folders

    runs = compare_dir / "runs"
    pairs, _sources = pair_run_folders([runs / "baseline", runs / "callao_surge"])
    table, _shares = comparison_tables(pairs)
    saved = pd.read_csv(compare_dir / "comparison.csv")
    saved = saved[saved["scenario"] == "callao_surge"].reset_index(drop=True)
    pd.testing.assert_frame_equal(
        table[saved.columns].reset_index(drop=True), saved, check_dtype=False
    )

    other = tmp_path / "other_seed"
    shutil.copytree(runs / "callao_surge", other)
    info = json.loads((other / "run.json").read_text())
    info["replicate_seeds"] = [s + 1 for s in info["replicate_seeds"]]
    (other / "run.json").write_text(json.dumps(info))
    out = tmp_path / "brief"
    res = runner.invoke(app, ["brief", str(runs / "baseline"), str(other), "--out", str(out)])
    assert res.exit_code == 2, res.output + res.stderr
    assert "run.json" in res.stderr and "seed" in res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists()


def test_bad_input_exits_2_naming_the_file(compare_dir, tmp_path):
    # a scenario file with a wrong key: nothing is run or written
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\nname: bad\nweekz: 3\n")
    out = tmp_path / "never"
    res = runner.invoke(app, _compare_args([bad], out))
    assert res.exit_code == 2
    assert "bad.yaml" in res.stderr and "weekz" in res.stderr
    assert "Traceback" not in res.stderr
    assert not out.exists() and not list(tmp_path.glob(".never*"))

    # two scenarios with one name
    files = _scenario_files(tmp_path)
    res = runner.invoke(app, _compare_args([files[0], files[0]], out))
    assert res.exit_code == 2 and "name" in res.stderr

    # a folder holding other files is never replaced
    res = runner.invoke(app, _compare_args(files[:1], tmp_path))
    assert res.exit_code == 2 and "--out" in res.stderr
    assert (tmp_path / "bad.yaml").is_file()

    # not a result folder
    res = runner.invoke(app, ["brief", str(tmp_path)])
    assert res.exit_code == 2 and str(tmp_path) in res.stderr

    # a damaged table: exit 2 naming it, and the folder is left as it was
    copy = tmp_path / "damaged"
    shutil.copytree(compare_dir, copy)
    (copy / "runs" / "callao_surge" / "exits.parquet").write_bytes(b"not parquet")
    before = (copy / "briefing.md").read_bytes()
    res = runner.invoke(app, ["brief", str(copy)])
    assert res.exit_code == 2, res.output + res.stderr
    assert "exits.parquet" in res.stderr and "Traceback" not in res.stderr
    assert (copy / "briefing.md").read_bytes() == before


def test_a_failure_while_drawing_leaves_nothing_half_written(compare_dir, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("sim.report.publish.write_briefing_figures", broken)
    out = tmp_path / "new"
    res = runner.invoke(app, ["brief", str(compare_dir), "--out", str(out)])
    assert res.exit_code == 1
    assert "internal error" in res.stderr and "Traceback" not in res.stderr
    assert list(tmp_path.iterdir()) == []  # neither the folder nor a temporary one

    # in place: the comparison folder keeps its files
    copy = tmp_path / "kept"
    shutil.copytree(compare_dir, copy)
    res = runner.invoke(app, ["brief", str(copy)])
    assert res.exit_code == 1
    assert sorted(p.name for p in (copy / "figures").iterdir()) == FIGURE_FILES
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept"]


def test_the_map_outlines_are_packaged_natural_earth_shapes():
    import numpy as np

    from sim.report.outline import country_rings

    rings = country_rings()
    assert {"Peru", "Ecuador", "Colombia", "Brazil", "Bolivia", "Chile"} <= set(rings)
    peru = np.vstack(rings["Peru"])
    assert len(peru) > 300  # 1:50m detail, not a box
    lon0, lat0 = peru.min(axis=0)
    lon1, lat1 = peru.max(axis=0)
    assert -81.5 < lon0 < -81 and -69 < lon1 < -68.5 and -18.5 < lat0 < -18 and -0.1 < lat1 < 0


def test_compare_with_a_window_of_one_week_after_the_intervention_draws_everything(tmp_path):
    scenario = tmp_path / "short.yaml"
    scenario.write_text(
        f"extends: {SCENARIOS / 'baseline.yaml'}\nname: short\ninterventions:\n"
        "  - {type: interdiction_surge, week: 2, weeks: 4, factor: 3, nodes: [callao]}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["compare", str(SCENARIOS / "baseline.yaml"), str(scenario), "--replicates", "3"]
    result = runner.invoke(app, [*args, "--weeks", "3", "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "briefing.pdf").exists() and (out / "figures" / "effects_summary.png").exists()
