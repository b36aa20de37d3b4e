"""Reporting: the figures of a run and the briefing of a comparison.

Modules: `style` (palette, figure frame, number formats), `markers` (intervention markers),
`maps` and `map_figures` (route maps), `run_dashboard` and `run_figures` (`vraem run`),
`briefing_figures` and `briefing_series` (`vraem compare`/`brief`), `briefing` (content and
Markdown), `pdf`, `publish` (writes them all).
"""

from sim.report.markers import marker_note
from sim.report.run_figures import (
    exit_finding,
    headline_finding,
    plot_dashboard,
    plot_exit_shares,
    plot_route_map,
    route_finding,
    write_run_figures,
)

__all__ = [
    "exit_finding",
    "headline_finding",
    "marker_note",
    "plot_dashboard",
    "plot_exit_shares",
    "plot_route_map",
    "route_finding",
    "write_run_figures",
]
