"""Reporting: briefing figures for vraem-sim runs."""

from sim.report.figures import (
    exit_finding,
    headline_finding,
    marker_note,
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
