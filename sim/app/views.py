"""The explorer's Solara components: the current week, the route map, the charts, the action
buttons, the event log, the scenario builder and the scenario picker.

They take `tick`, the count of Mesa's updates (`mesa.visualization.utils.update_counter`), which
the page reads once: one subscriber, so each step re-renders the page once.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import solara
from mesa.visualization.utils import force_update

from sim.app import actions
from sim.app.builder import action_lines, file_name, scenario_yaml
from sim.app.charts import CHART_HEIGHT, CHARTS, chart_option
from sim.app.route_map import PICTURE_FORMAT, live_map
from sim.app.settings import SETTINGS, describe_changes
from sim.app.state import FLOW_WEEKS, Explorer, LiveRun
from sim.config.errors import ConfigError
from sim.report.calendar import last_day
from sim.scenarios import load_scenario
from sim.units import KG_PER_T

MAP_WIDTH = "100%"
CHART_ATTRIBUTES = {
    c.key: {"style": f"height: {CHART_HEIGHT}; width: 100%;", "class": f"vraem-{c.key}"}
    for c in CHARTS
}
LOG_HEIGHT = "330px"
ARREST_WHO, ARREST_OUTCOMES = list(actions.ARREST_WHO), list(actions.ARREST_OUTCOMES)
CARD_STYLE = "margin: 4px; height: 100%;"
LOG_CSS = (
    ".vraem-log {font-size: 0.82em; border-collapse: collapse; width: 100%}"
    " .vraem-log th, .vraem-log td {padding: 2px 6px; text-align: left; vertical-align: top;"
    " border-bottom: 1px solid #eee}"
)


# ----------------------------------------------------------------------------------------------
# the current week and what it has done so far
# ----------------------------------------------------------------------------------------------
def totals_so_far(run: LiveRun) -> tuple[float, float, int]:
    return (
        float(run.values("exported_kg").sum() / KG_PER_T),
        float(run.values("seized_kg").sum() / KG_PER_T),
        int(run.values("deaths").sum()),
    )


def _against(value: float, base: float, unit: str, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f} {unit}"
    if base > 0:
        text += f" (baseline {base:,.{decimals}f}, {100 * (value - base) / base:+.0f}%)"
    elif base == 0 and value == 0:
        text += " (baseline 0)"
    return text


@solara.component
def NowBar(explorer: Explorer, tick: int) -> None:
    """The current week as a date, the horizon, and the totals so far against the baseline."""
    if explorer.run is None:
        solara.Error(f"Cannot run these settings: {explorer.problem}", classes=["vraem-problem"])
        return
    week = explorer.week
    done = "the run is complete" if explorer.run.finished else "the week about to be simulated"
    with solara.Card(style="margin: 4px;"):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=(
                f"<span style='font-size: 1.5em; font-weight: 600' class='vraem-week'>"
                f"Week {week} of {explorer.horizon}</span>&nbsp;&nbsp;"
                f"<span style='font-size: 1.3em' class='vraem-date'>"
                f"{html.escape(explorer.date_of(week))}</span>"
                f"&nbsp;&nbsp;<span style='color:#555'>({done}; week {week} starts that day)"
                f"</span>"
            ),
        )
        exported, seized, deaths = totals_so_far(explorer.run)
        base = totals_so_far(explorer.twin) if explorer.twin is not None else (-1.0, -1.0, -1)
        text = (
            f"<b>{html.escape(explorer.title())}</b>, seed {explorer.config.seed} "
            f"(replicate 0's seed {explorer.run.seed}). Since week 0: exported "
            f"{_against(exported, base[0], 't', 1)}; seized {_against(seized, base[1], 't', 1)};"
            f" violent deaths {_against(deaths, base[2], '')}."
        )
        if explorer.twin is not None:
            text += " Dashed lines: the shipped baseline on the same seed."
        solara.HTML(tag="div", unsafe_innerHTML=text, classes=["vraem-totals"])


# ----------------------------------------------------------------------------------------------
# the route map and the charts
# ----------------------------------------------------------------------------------------------
@solara.component
def RouteMapView(explorer: Explorer, tick: int) -> None:
    """The route network on Peru's outline with the flows of the last weeks (redrawn every
    FLOW_WEEKS weeks, and when an action is taken)."""
    run = explorer.run
    due = (id(explorer), explorer.week // FLOW_WEEKS, len(explorer.acts))

    def draw() -> bytes:
        if run is None:
            return b""
        first = max(0, run.week - len(run.recent))
        if run.week:
            end = last_day(explorer.config.start_date, run.week - 1)
            title = (
                f"Flows of weeks {first}-{run.week - 1} "
                f"({explorer.date_of(first)} to {end:%-d %b %Y})"
            )
        else:
            title = "No flows yet: step the model"
        return live_map(run.model.network).picture(run.flows_t_per_year(), title)

    picture = solara.use_memo(draw, dependencies=list(due))
    with solara.Card("Route network (current run)", style="margin: 4px;"):
        if picture:
            solara.Image(picture, format=PICTURE_FORMAT, width=MAP_WIDTH, classes=["vraem-map"])
        solara.Text(
            f"Line width: flow over the last {FLOW_WEEKS} weeks as a yearly rate (t/yr); "
            f"colour and dashes: transport mode. Redrawn every {FLOW_WEEKS} weeks.",
            style="font-size: 0.85em; color: #555",
        )


@solara.component
def ChartView(explorer: Explorer, key: str, tick: int) -> None:
    chart = next(c for c in CHARTS if c.key == key)
    solara.FigureEcharts(
        option=chart_option(chart, explorer),
        attributes=CHART_ATTRIBUTES[key],
        responsive=True,
    )


@solara.component
def Charts(explorer: Explorer, tick: int) -> None:
    with solara.Card("Time series", style="margin: 4px;"):
        with solara.GridFixed(columns=2):
            for chart in CHARTS:
                ChartView(explorer, chart.key, tick)


# ----------------------------------------------------------------------------------------------
# the buttons that act now
# ----------------------------------------------------------------------------------------------
@solara.component
def ActionsView(explorer: Explorer, tick: int) -> None:
    """Arrests, a Callao surge, a closure, an unrest period: each acts at the current week.
    Only the text and the notice change with the week; the controls are drawn again only
    when one of them changes."""
    when = (
        f"at the beginning of week {explorer.week} ({explorer.date_of(explorer.week)})"
        if explorer.run
        else ""
    )
    with solara.Card("Act now", style=CARD_STYLE):
        solara.Text(
            f"Buttons act now: {when}, the week about to be simulated; each is recorded as the "
            "timed intervention of that week. Sidebar settings apply at Reset.",
            style="font-size: 0.85em; color: #555",
        )
        ActionControls(explorer)
        if explorer.notice:
            solara.Info(explorer.notice, dense=True, classes=["vraem-notice"])


@solara.component
def ActionControls(explorer: Explorer) -> None:
    """The inputs and buttons of the actions."""
    who, set_who = solara.use_state("leader")
    outcome, set_outcome = solara.use_state("captured")
    surge, set_surge = solara.use_state(actions.SURGE_FACTOR)
    surge_weeks, set_surge_weeks = solara.use_state(actions.SURGE_WEEKS)
    targets = solara.use_memo(
        lambda: actions.closure_targets(explorer.run.model.network) if explorer.run else [],
        dependencies=[id(explorer)],
    )
    labels = solara.use_memo(lambda: {t.label: t.value for t in targets}, dependencies=[targets])
    names = solara.use_memo(lambda: list(labels), dependencies=[labels])
    target, set_target = solara.use_state(next(iter(labels), ""))
    closure_weeks, set_closure_weeks = solara.use_state(actions.CLOSURE_WEEKS)
    unrest, set_unrest = solara.use_state(actions.UNREST_FACTOR)
    unrest_weeks, set_unrest_weeks = solara.use_state(actions.UNREST_WEEKS)

    def take(make: Callable[[int], dict]) -> Callable[[], None]:
        def on_click() -> None:
            explorer.act(make(explorer.week))
            force_update()

        return on_click

    with solara.Column(gap="4px"):
        with solara.Row():
            solara.Select("Arrest", values=ARREST_WHO, value=who, on_value=set_who)
            solara.Select("outcome", values=ARREST_OUTCOMES, value=outcome, on_value=set_outcome)
        solara.Button(
            "Arrest now",
            color="error",
            on_click=take(lambda w: actions.arrest(w, who, outcome)),
            classes=["vraem-arrest"],
        )
        solara.SliderFloat(
            f"Callao port control x{surge:g}",
            value=surge,
            on_value=set_surge,
            min=1.5,
            max=10,
            step=0.5,
        )
        solara.SliderInt(
            f"for {surge_weeks} weeks", value=surge_weeks, on_value=set_surge_weeks, min=4, max=260
        )
        solara.Button(
            "Surge Callao now",
            color="primary",
            on_click=take(lambda w: actions.callao_surge(w, surge, surge_weeks)),
        )
        solara.Select("Close a node or a link", values=names, value=target, on_value=set_target)
        solara.SliderInt(
            f"for {closure_weeks} weeks",
            value=closure_weeks,
            on_value=set_closure_weeks,
            min=1,
            max=260,
        )
        solara.Button(
            "Close now",
            color="primary",
            on_click=take(lambda w: actions.closure(w, labels.get(target, ""), closure_weeks)),
            disabled=not target,
        )
        solara.SliderFloat(
            f"Unrest: security effectiveness x{unrest:g}",
            value=unrest,
            on_value=set_unrest,
            min=0.2,
            max=1,
            step=0.05,
        )
        solara.SliderInt(
            f"for {unrest_weeks} weeks",
            value=unrest_weeks,
            on_value=set_unrest_weeks,
            min=1,
            max=104,
        )
        solara.Button(
            "Start unrest now",
            color="primary",
            on_click=take(lambda w: actions.unrest(w, unrest, unrest_weeks)),
        )


# ----------------------------------------------------------------------------------------------
# the event log
# ----------------------------------------------------------------------------------------------
def log_html(explorer: Explorer, violence: bool) -> str:
    """The log as an HTML table, newest first (cells escaped)."""
    rows = []
    for r in explorer.log(violence=violence):
        style = " style='color:#0072B2; font-style: italic'" if r.queued else ""
        cells = (str(r.week), r.date, r.kind, r.who, r.outcome)
        rows.append(f"<tr{style}>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("week", "starts", "event", "who", "outcome"))
    empty = "<tr><td colspan='5'>nothing yet: step the model</td></tr>"
    return (
        f"<style>{LOG_CSS}</style><table class='vraem-log'>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows) or empty}</tbody></table>"
    )


@solara.component
def EventLog(explorer: Explorer, tick: int) -> None:
    violence, set_violence = solara.use_state(True)
    with solara.Card("Event log", style=CARD_STYLE):
        solara.Checkbox(label="show lethal violent events", value=violence, on_value=set_violence)
        solara.HTML(
            tag="div",
            unsafe_innerHTML=log_html(explorer, violence),
            style=f"max-height: {LOG_HEIGHT}; overflow-y: auto;",
        )


# ----------------------------------------------------------------------------------------------
# the scenario builder
# ----------------------------------------------------------------------------------------------
def settings_html(explorer: Explorer) -> str:
    """The run's settings, those changed from the scenario's own in bold."""
    rows = []
    for setting in SETTINGS:
        own = setting.value_in(explorer.own)
        value = explorer.changed.get(setting.name, own)
        cells = f"<td>{html.escape(setting.label)}</td><td>{value:g}</td>"
        style = " style='font-weight: 600'" if setting.name in explorer.changed else ""
        rows.append(f"<tr{style} title='{html.escape(setting.meaning)}'>{cells}</tr>")
    return (
        f"<style>{LOG_CSS}</style><table class='vraem-log vraem-settings'>{''.join(rows)}</table>"
    )


@solara.component
def BuilderView(explorer: Explorer, acts: int) -> None:
    """What was set and triggered, as a scenario file to download and rerun."""
    show, set_show = solara.use_state(False)
    with solara.Card("Scenario builder", style=CARD_STYLE):
        if explorer.run is None:
            solara.Text("Fix the settings to build a scenario.")
            return
        lines = action_lines(explorer)
        solara.HTML(
            tag="div",
            unsafe_innerHTML=html.escape(
                f"Settings changed: {describe_changes(explorer.changed)}. Actions taken: "
                f"{'; '.join(lines) if lines else 'none'}."
            )
            + f"<br><code>vraem run {html.escape(file_name(explorer))} --replicates 1</code> "
            f"reproduces this run (seed {explorer.config.seed}, {explorer.horizon} weeks).",
            classes=["vraem-builder"],
        )
        solara.HTML(tag="div", unsafe_innerHTML=settings_html(explorer))
        solara.FileDownload(
            lambda: scenario_yaml(explorer).encode("utf-8"),
            filename=file_name(explorer),
            label="Export scenario YAML",
        )
        solara.Checkbox(label="show the YAML", value=show, on_value=set_show)
        if show:
            solara.HTML(
                tag="pre",
                unsafe_innerHTML=html.escape(scenario_yaml(explorer)),
                style="font-size: 0.78em; max-height: 300px; overflow: auto;",
            )


# ----------------------------------------------------------------------------------------------
# the scenario picker (sidebar)
# ----------------------------------------------------------------------------------------------
def open_scenario(path: str) -> str:
    """'' if `path` is a valid scenario file (the loader of `vraem check`), else the message."""
    try:
        load_scenario(path)
    except ConfigError as exc:
        return str(exc)
    return ""


@solara.component
def ScenarioPicker(shipped: dict[str, str], current: str, on_open: Callable[[str], None]) -> None:
    """Pick a shipped scenario or open a YAML file; a bad file shows its message."""
    names = list(shipped)
    chosen = next((n for n, p in shipped.items() if Path(p) == Path(current)), names[0])
    name, set_name = solara.use_state(chosen)
    path, set_path = solara.use_state("")
    problem, set_problem = solara.use_state("")

    def open_path(target: str) -> None:
        message = open_scenario(target)
        set_problem(message)
        if not message:
            on_open(target)

    with solara.Card("Scenario"):
        solara.Select("shipped scenario", values=names, value=name, on_value=set_name)
        solara.Button("Open shipped", on_click=lambda: open_path(shipped[name]), text=True)
        solara.InputText("or a scenario file (path)", value=path, on_value=set_path)
        solara.Button(
            "Open file", on_click=lambda: open_path(path), text=True, disabled=not path.strip()
        )
        solara.Text(f"open: {Path(current).name}", style="font-size: 0.85em; color: #555")
        if problem:
            solara.Error(problem, classes=["vraem-open-problem"])
