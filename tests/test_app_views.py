"""What the explorer draws, without a browser: charts in dates with units and the baseline
dashed, the route map as a picture, the log escaped, the page rendered by Solara."""

from __future__ import annotations

import io

import numpy as np
from conftest import SCENARIOS
from PIL import Image

from sim.app.charts import CHARTS, chart_option, shown_weeks, trailing_mean
from sim.app.route_map import FIGSIZE, live_map
from sim.app.settings import defaults
from sim.app.state import Explorer
from sim.app.views import log_html
from sim.scenarios import load_scenario


def explorer(**changes) -> Explorer:
    path = SCENARIOS / "baseline.yaml"
    return Explorer(str(path), **{**defaults(load_scenario(path)), "weeks": 52, **changes})


def test_every_chart_names_its_unit_and_runs_on_dates_with_the_baseline_dashed():
    ex = explorer(start_date="2024-01-01")
    for _ in range(10):
        ex.step()
    for chart in CHARTS:
        option = chart_option(chart, ex)
        title = option["title"]["text"]
        assert any(f"({unit}" in title for unit in ("t/yr", "USD/kg", "deaths", "people")), title
        axis = option["xAxis"]
        assert axis["type"] == "time" and axis["min"] == "2024-01-01"
        rows = option["dataset"]["source"]
        assert len(rows) == 10 and rows[0][0] == "2024-01-01" and rows[-1][0] == "2024-03-04"
        run, base = np.split(np.array([r[1:] for r in rows]), 2, axis=1)
        assert np.array_equal(run, base)  # the baseline itself, on the same seed
        dashed = [s for s in option["series"] if s["lineStyle"].get("type") == "dashed"]
        assert len(dashed) == len(chart.lines)
        assert option["legend"]["data"] == [line.label for line in chart.lines]


def test_without_side_by_side_no_baseline_is_drawn():
    ex = explorer(side_by_side=False)
    ex.step()
    option = chart_option(CHARTS[0], ex)
    assert all("type" not in s["lineStyle"] for s in option["series"])


def test_flows_are_trailing_means_and_the_axis_grows_with_the_run():
    assert trailing_mean(np.array([4.0, 0.0, 8.0, 4.0, 4.0]), 2).tolist() == [4, 2, 4, 6, 4]
    assert [shown_weeks(w, 312) for w in (0, 30, 300)] == [26, 39, 312]
    assert shown_weeks(60, 52) == 52


def test_the_route_map_is_a_picture_of_the_flows():
    ex = explorer(side_by_side=False)
    for _ in range(6):
        ex.step()
    picture = live_map(ex.run.model.network).picture(ex.run.flows_t_per_year(), "flows")
    image = Image.open(io.BytesIO(picture))
    assert image.format == "JPEG"
    assert image.size == (round(FIGSIZE[0] * 100), round(FIGSIZE[1] * 100))
    assert ex.run.flows_t_per_year().max() > 0


def test_the_log_is_escaped_html():
    ex = explorer(side_by_side=False)
    ex.run.model.log_event("arrest_leader", "<b>x</b>", "a & b")
    text = log_html(ex, violence=False)
    assert "&lt;b&gt;x&lt;/b&gt;" in text and "a &amp; b" in text and "<b>x</b>" not in text


def test_the_page_renders_and_redraws_after_a_step():
    import solara
    from mesa.visualization.utils import force_update

    from sim.app.page import Dashboard

    ex = explorer()
    _box, context = solara.render(Dashboard(ex), handle_error=False)

    def shown() -> str:
        return " ".join(w.unsafe_innerHTML or "" for w in context.find(solara.widgets.HTML).widgets)

    try:
        assert "Week 0 of 52" in shown()
        ex.step()
        force_update()  # what Mesa's controller does after a step
        assert "Week 1 of 52" in shown() and "9 Jan 2023" in shown()
    finally:
        context.close()
