"""Tests for sim.report.run_figures: files written, PNG, 16:9, data-driven titles."""

from __future__ import annotations

import struct
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from sim.report.markers import marker_note
from sim.report.run_figures import (
    dashboard_figure,
    exit_finding,
    exit_shares_figure,
    first_week,
    headline_finding,
    production_and_seizure_share,
    route_finding,
    write_run_figures,
)

SEED = 20240611
N_REP = 3
WEEKS = 104
EXITS = {
    "callao": "pacific_ports",
    "chimbote": "pacific_ports",
    "paita": "pacific_ports",
    "desaguadero": "bolivia",
    "bolivia_air": "bolivia",
    "inapari": "brazil",
    "brazil_river": "brazil",
}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# week 104 is past the last week (0..103) of the fixture run: ignored
MARKERS = [
    (52, "arrest leader"),
    (60, "fragmentation into 3 gangs"),
    (52, "surge Paita x2"),
    (104, "surge Callao x3 (26 wk)"),
]


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_MAGIC, f"{path.name} is not a PNG"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


@pytest.fixture
def run() -> dict:
    """Small synthetic run: 3 replicates x 104 weeks, 7 exits, 7-node graph."""
    rng = np.random.default_rng(SEED)
    rows = []
    for rep in range(N_REP):
        coca = 25_000 + np.cumsum(rng.normal(0, 50, WEEKS))
        produced = rng.normal(8_000, 600, WEEKS).clip(0)
        seized = rng.gamma(2.0, 250.0, WEEKS)
        exported = rng.normal(7_000, 500, WEEKS).clip(0)
        for w in range(WEEKS):
            rows.append(
                {
                    "scenario": "baseline",
                    "replicate": rep,
                    "seed": SEED + rep,
                    "week": w,
                    "coca_ha": coca[w],
                    "leaf_t": coca[w] * 0.06,
                    "cocaine_produced_kg": produced[w],
                    "cocaine_stock_kg": 20_000 + rng.normal(0, 1_000),
                    "cocaine_in_transit_kg": 9_000 + rng.normal(0, 800),
                    "seized_kg": seized[w],
                    "exported_kg": exported[w],
                    "lost_kg": rng.gamma(1.0, 20.0),
                    "price_leaf_usd_per_kg": 2.5 + rng.normal(0, 0.1),
                    "price_paste_usd_per_kg": 600 + rng.normal(0, 20),
                    "price_hcl_vraem_usd_per_kg": 1_000 + rng.normal(0, 30),
                    "armed_groups": 2,
                    "armed_members": 400 + rng.integers(-20, 20),
                    "armed_fighters": 150 + rng.integers(-10, 10),
                    "armed_income_usd": rng.normal(2e5, 2e4),
                    "violent_events": rng.poisson(1.5),
                    "deaths": rng.poisson(0.8),
                    "eradicated_ha": rng.gamma(1.0, 30.0),
                    "leader_in_place": True,
                }
            )
    ts = pd.DataFrame(rows)

    weights = np.array([40, 8, 4, 10, 28, 6, 4], dtype=float)
    ex_rows = []
    for rep in range(N_REP):
        for w in range(WEEKS):
            kg = rng.dirichlet(weights) * rng.normal(7_000, 500)
            for (exit_id, group), k in zip(EXITS.items(), kg, strict=True):
                ex_rows.append(
                    {
                        "replicate": rep,
                        "week": w,
                        "exit": exit_id,
                        "group": group,
                        "exported_kg": k,
                        "seized_kg": k * 0.05,
                        "price_hcl_usd_per_kg": 1_500 + rng.normal(0, 50),
                    }
                )
    exits = pd.DataFrame(ex_rows)

    g = nx.Graph()
    nodes = {
        "pichari": ("Pichari", "district", "", -73.84, -12.52),
        "llochegua": ("Llochegua", "district", "", -73.91, -12.41),
        "ene_strip": ("Ene airstrip", "airstrip", "", -74.10, -11.90),
        "ayacucho": ("Ayacucho", "hub", "", -74.22, -13.16),
        "callao": ("Callao", "exit", "pacific_ports", -77.15, -12.05),
        "bolivia_air": ("Bolivia (air)", "exit", "bolivia", -65.50, -14.80),
        "desaguadero": ("Desaguadero", "exit", "bolivia", -69.04, -16.57),
    }
    for n, (name, kind, group, lon, lat) in nodes.items():
        g.add_node(n, name=name, kind=kind, group=group, lon=lon, lat=lat)
    for u, v, mode, km in [
        ("pichari", "llochegua", "road", 20),
        ("pichari", "ayacucho", "road", 180),
        ("llochegua", "ene_strip", "trail", 70),
        ("ayacucho", "callao", "road", 560),
        ("ayacucho", "desaguadero", "road", 900),
        ("ene_strip", "bolivia_air", "air", 1000),
    ]:
        g.add_edge(u, v, mode=mode, km=km)
    fl_rows = []
    for rep in range(N_REP):
        for u, v, d in g.edges(data=True):
            fl_rows.append(
                {"replicate": rep, "u": u, "v": v, "mode": d["mode"], "kg": rng.gamma(2.0, 2e5)}
            )
    edge_flows = pd.DataFrame(fl_rows)
    return {"ts": ts, "exits": exits, "edge_flows": edge_flows, "graph": g}


def test_write_run_figures_pngs_16_9(run: dict, tmp_path: Path) -> None:
    out = tmp_path / "figs"
    paths = write_run_figures(
        run["ts"],
        run["exits"],
        run["edge_flows"],
        run["graph"],
        out,
        scenario="Baseline",
        source_line="Source: vraem-sim test run",
        weeks=WEEKS,
    )
    assert [p.name for p in paths] == ["dashboard.png", "exit_shares.png", "route_map.png"]
    for p in paths:
        assert p.exists() and p.parent == out
        w, h = _png_size(p)
        assert w >= 1600, f"{p.name} is only {w} px wide"
        assert abs((w / h) / (16 / 9) - 1) < 0.01, f"{p.name} is {w}x{h}, not 16:9"


def test_headline_uses_production_from_data(run: dict) -> None:
    ts = run["ts"]
    per_rep = ts.groupby("replicate")["cocaine_produced_kg"].mean() * 52 / 1000
    expected_t = float(np.median(per_rep))
    # two significant figures, as in the title ("about 420 t")
    rounded = round(expected_t, 1 - int(np.floor(np.log10(expected_t))))
    prod_t, share = production_and_seizure_share(ts)
    assert prod_t == pytest.approx(expected_t)
    text = headline_finding(ts, "Baseline")
    assert text.startswith("Baseline: ")
    assert f"about {rounded:,.0f} t of cocaine a year" in text
    sums = ts.groupby("replicate")[["seized_kg", "exported_kg"]].sum()
    exp_share = float(np.median(sums["seized_kg"] / sums.sum(axis=1)))
    assert share == pytest.approx(exp_share)
    assert f"{100 * exp_share:.0f}% of shipments are seized" in text

    fig = dashboard_figure(ts, scenario="Baseline", source_line="src")
    assert text in fig.get_suptitle().replace("\n", " ")


def test_headline_exact_numbers() -> None:
    weeks = np.arange(52)
    ts = pd.concat(
        pd.DataFrame(
            {
                "replicate": rep,
                "week": weeks,
                "cocaine_produced_kg": 10_000.0,
                "seized_kg": 5.0,
                "exported_kg": 95.0,
            }
        )
        for rep in range(2)
    )
    assert headline_finding(ts, "High") == (
        "High: the VRAEM produces about 520 t of cocaine a year; "
        "5% of shipments are seized before export"
    )


def test_scenario_selection(run: dict) -> None:
    ts = run["ts"]
    other = ts.assign(scenario="double", cocaine_produced_kg=ts["cocaine_produced_kg"] * 2)
    both = pd.concat([ts, other])
    assert headline_finding(both, "baseline") == headline_finding(ts, "baseline")
    with pytest.raises(ValueError, match="not 'nope'"):
        headline_finding(both, "nope")


def test_exit_and_route_findings(run: dict) -> None:
    exits = run["exits"]
    text = exit_finding(exits, "Baseline")
    tot = exits.groupby(["replicate", "exit"])["exported_kg"].sum().unstack()
    shares = tot.div(tot.sum(axis=1), axis=0).mean()
    top = shares.idxmax()
    assert top == "callao"
    assert text.startswith(f"Baseline: Callao takes {100 * shares[top]:.0f}% of exports")

    route = route_finding(run["edge_flows"], run["graph"], weeks=WEEKS, scenario="Baseline")
    assert route.startswith("Baseline: ")
    assert "t/yr" in route


def test_write_run_figures_with_markers_pngs_16_9(run: dict, tmp_path: Path) -> None:
    out = tmp_path / "figs"
    paths = write_run_figures(
        run["ts"],
        run["exits"],
        run["edge_flows"],
        run["graph"],
        out,
        scenario="Baseline",
        source_line="Source: vraem-sim test run",
        weeks=WEEKS,
        markers=MARKERS,
    )
    assert [p.name for p in paths] == ["dashboard.png", "exit_shares.png", "route_map.png"]
    for p in paths:
        assert p.exists() and p.parent == out
        w, h = _png_size(p)
        assert w >= 1600, f"{p.name} is only {w} px wide"
        assert abs((w / h) / (16 / 9) - 1) < 0.01, f"{p.name} is {w}x{h}, not 16:9"


def test_marker_note() -> None:
    assert marker_note([]) == ""
    assert marker_note([(52, "arrest leader")]) == "Interventions: 1 week 52 arrest leader"
    # numbered in week order; none ignored when all are in range
    assert marker_note([(104, "surge Callao x3 (26 wk)"), (52, "arrest leader")]) == (
        "Interventions: 1 week 52 arrest leader; 2 week 104 surge Callao x3 (26 wk)"
    )
    assert marker_note(MARKERS) == (
        "Interventions: 1 week 52 arrest leader + surge Paita x2; "
        "2 week 60 fragmentation into 3 gangs; 3 week 104 surge Callao x3 (26 wk)"
    )
    # out of range: after last_week, or negative
    assert marker_note(MARKERS, last_week=WEEKS - 1) == (
        "Interventions: 1 week 52 arrest leader + surge Paita x2; "
        "2 week 60 fragmentation into 3 gangs"
    )
    assert marker_note([(-1, "before"), (200, "after")], last_week=WEEKS - 1) == ""
    spaced = [(np.int64(8), "  close   Callao ")]
    assert marker_note(spaced) == "Interventions: 1 week 8 close Callao"
    with pytest.raises(ValueError, match="whole number"):
        marker_note([(8.5, "half a week")])


def _marker_weeks(ax) -> list[float]:
    """x of the dashed vertical lines (the markers) in ``ax``."""
    return sorted(
        float(line.get_xdata()[0])
        for line in ax.lines
        if line.get_linestyle() == "--" and len(set(line.get_xdata())) == 1
    )


def _footnote(fig) -> str:
    return "\n".join(t.get_text() for t in fig.texts)


def test_markers_on_dashboard(run: dict) -> None:
    fig = dashboard_figure(run["ts"], scenario="Baseline", source_line="src", markers=MARKERS)
    axes = fig.axes
    assert len(axes) == 8
    for ax in axes:
        assert _marker_weeks(ax) == [52.0, 60.0]  # merged at 52, 104 out of range
    note = marker_note(MARKERS, last_week=WEEKS - 1)
    assert note in _footnote(fig)
    assert "week 104" not in _footnote(fig)

    # labels only in the first panel, numbered, inside it and apart from each other
    labels = {t.get_text().replace("\n", " "): t for t in axes[0].texts}
    assert set(labels) == {"1 arrest leader + surge Paita x2", "2 fragmentation into 3 gangs"}
    assert all(not ax.texts for ax in axes[1:])
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in labels.values()]
    inside = axes[0].bbox
    for bb in boxes:
        assert inside.x0 <= bb.x0 and bb.x1 <= inside.x1
        assert inside.y0 <= bb.y0 and bb.y1 <= inside.y1
    assert not boxes[0].overlaps(boxes[1])

    # no markers: no dashed lines, footnote unchanged
    plain = dashboard_figure(run["ts"], scenario="Baseline", source_line="src")
    assert all(_marker_weeks(ax) == [] for ax in plain.axes)
    assert "Interventions" not in _footnote(plain)


def test_markers_on_exit_shares(run: dict) -> None:
    fig = exit_shares_figure(run["exits"], scenario="Baseline", source_line="src", markers=MARKERS)
    ax_bar, ax_area = fig.axes
    assert _marker_weeks(ax_bar) == []
    assert _marker_weeks(ax_area) == [52.0, 60.0]
    assert marker_note(MARKERS, last_week=WEEKS - 1) in _footnote(fig)
    # labels only in the footnote: the area panel names the route groups, nothing else
    texts = {t.get_text() for t in ax_area.texts}
    assert texts <= {"Pacific ports", "Bolivia", "Brazil"}


def test_the_run_dashboard_reports_tonnes_per_year_and_deaths_per_year(run: dict) -> None:
    fig = dashboard_figure(run["ts"], scenario="baseline", source_line="src")
    by_title = {ax.get_title(loc="left"): ax for ax in fig.axes}
    produced = by_title["Cocaine produced"]
    assert produced.get_ylabel() == "tonnes per year (t/yr)"
    median = produced.get_lines()[0].get_ydata()
    drawn = run["ts"][run["ts"]["week"] >= first_week(int(run["ts"]["week"].max()) + 1, [])]
    weekly_kg = drawn.groupby("week")["cocaine_produced_kg"].median().to_numpy()
    np.testing.assert_allclose(median, weekly_kg * 52 / 1000)  # after the start-up
    deaths = next(ax for t, ax in by_title.items() if t.startswith("Deaths"))
    assert deaths.get_ylabel() == "deaths per year"
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert not [y for y in labels if "t/week" in y or "per week" in y or "per 4 weeks" in y]
