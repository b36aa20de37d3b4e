"""The old home of the `vraem run` figures, now in `sim.report.run_figures` (style in
`sim.report.style`, markers in `sim.report.markers`, maps in `sim.report.maps`).

Only re-exports the public names it had. It stays while `sim/cli/main.py` imports
`write_run_figures` from here; delete it once that import reads `sim.report.run_figures`.
"""

from sim.report.markers import marker_note
from sim.report.run_figures import (
    dashboard_figure,
    exit_finding,
    exit_shares_figure,
    headline_finding,
    plot_dashboard,
    plot_exit_shares,
    plot_route_map,
    production_and_seizure_share,
    route_finding,
    route_map_figure,
    write_run_figures,
)
from sim.report.style import DPI, FIGSIZE

__all__ = [
    "DPI",
    "FIGSIZE",
    "dashboard_figure",
    "exit_finding",
    "exit_shares_figure",
    "headline_finding",
    "marker_note",
    "plot_dashboard",
    "plot_exit_shares",
    "plot_route_map",
    "production_and_seizure_share",
    "route_finding",
    "route_map_figure",
    "write_run_figures",
]
