"""The explorer: `vraem app`, an interactive Solara page on Mesa's SolaraViz.

- `settings`: the main parameters the sidebar offers (key, label with unit, range), applied to
  a scenario's data;
- `actions`: what each button records, as the timed intervention of the current week;
- `state`: the explorer's session (the run, the baseline beside it, the actions, the log), with
  no UI import;
- `builder`: the scenario YAML of what was set and triggered (`vraem check` accepts it, `vraem
  run` reproduces it);
- `charts`, `route_map`: the data of the charts (ECharts options) and the live route map
  (matplotlib, on Peru's outline);
- `views`, `page`: the Solara components and the page;
- `server`: starts the Solara server; `screenshot`: drives chromium for the README's picture.
"""
