"""Start the explorer's Solara server (`vraem app`): on localhost by default, in production mode
(no reloading), with Solara's telemetry off. Solara is imported only here, when serving."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

PAGE_MODULE = "sim.app.page"
SCENARIO_ENV = "VRAEM_APP_SCENARIO"  # the scenario file the page opens first


def port_problem(host: str, port: int) -> str:
    """'' if the explorer can listen on host:port, else why not (in words)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return f"cannot listen on host {host!r}: {exc.strerror}"
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        # as the server will (uvicorn): connections of an earlier server closing down
        # (TIME_WAIT) do not make a port busy, a listening server does
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is in use; choose another with --port"
            return f"cannot listen on {host}:{port} ({exc.strerror})"
    return ""


def serve(scenario: Path | None, host: str, port: int) -> None:
    """Serve the explorer until interrupted."""
    os.environ[SCENARIO_ENV] = str(scenario.resolve()) if scenario else ""
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    os.environ.setdefault("MPLBACKEND", "Agg")
    from solara.__main__ import cli as solara_cli

    solara_cli(
        [
            "run",
            PAGE_MODULE,
            "--host",
            host,
            "--port",
            str(port),
            "--production",
            "--no-open",
            "--log-level",
            "warning",
        ],
        standalone_mode=False,
    )
