"""Worker processes: Ctrl-C of a 2-worker command prints one line and no worker traceback, and no
process of a command outlives it, even when it is killed with SIGKILL.

Each test starts `vraem` in its own session (`start_new_session`), so that its descendants (the
forkserver, multiprocessing's resource tracker, the workers, Dask's worker processes) can be
found by session id, and signals them as a terminal or a kill would.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import yaml
from conftest import REPO, SCENARIOS

INTERRUPTED = 130
UP_TIMEOUT_S = 120  # for the workers to start (a loaded machine is slow to import)
BUSY_S = 1.5  # then let the workers get on with their tasks before the signal
EXIT_TIMEOUT_S = 60  # for the command to end after Ctrl-C
GONE_TIMEOUT_S = 20  # for every process of the session to end (a worker may still be importing)
POLL_S = 0.05
# processes besides the main one once the workers are up: the resource tracker, then the
# forkserver and 2 workers (local) or 2 Dask worker processes
HELPERS = {"local": 4, "dask": 3}
PROGRESS = re.compile(r"\s\d+/\d+(\s|$)")  # a progress bar's "done/total"


def _sweep_file(folder: Path) -> Path:
    """A sweep long enough to be interrupted: 16 design runs and 4 reference runs of two years,
    one run per task."""
    spec = {
        "name": "long",
        "base": str(SCENARIOS / "baseline.yaml"),
        "scenario": {"weeks": 104},
        "method": "grid",
        "parameters": {"network.exit_risk_factor.callao": {"values": [1.0, 2.0, 3.0, 4.0]}},
        "replicates": 4,
        "years": [1, 1],
        "metrics": ["exported_t"],
        "chunk_size": 1,
    }
    path = folder / "long.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def _command(kind: str, folder: Path) -> list[str]:
    vraem = [sys.executable, "-m", "sim"]
    if kind == "run":
        return [
            *vraem,
            "run",
            str(SCENARIOS / "baseline.yaml"),
            "--replicates",
            "12",  # enough work that the signal comes while the workers run (about 2 s)
            "--weeks",
            "260",
            "--workers",
            "2",
            "--out",
            str(folder / "out"),
        ]
    if kind == "compare":
        return [
            *vraem,
            "compare",
            str(SCENARIOS / "baseline.yaml"),
            str(SCENARIOS / "eradication.yaml"),
            "--replicates",
            "8",  # enough work that the signal comes while the workers run (about 3 s)
            "--weeks",
            "260",
            "--workers",
            "2",
            "--out",
            str(folder / "out"),
        ]
    executor = "dask" if kind == "sweep-dask" else "local"
    return [
        *vraem,
        "sweep",
        str(_sweep_file(folder)),
        "--workers",
        "2",
        "--executor",
        executor,
        "--out",
        str(folder / "out"),
        "--no-figures",
    ]


def _start(cmd: list[str], capture: bool = True) -> subprocess.Popen:
    """Start `cmd` in a session of its own; `capture` its stderr (else discard its output: a
    process that outlived it would keep the pipe open)."""
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "COLUMNS": "200",  # one console line per message, as on a wide terminal
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    return subprocess.Popen(
        cmd,
        cwd=REPO,
        env=env,
        start_new_session=True,
        stdout=output,
        stderr=output,
        text=True,
    )


def _others(session: int) -> list[psutil.Process]:
    """The live processes of `session` other than its leader (zombies have ended)."""
    found = []
    for proc in psutil.process_iter(["status"]):
        try:
            if (
                proc.pid != session
                and os.getsid(proc.pid) == session
                and proc.info["status"] != psutil.STATUS_ZOMBIE
            ):
                found.append(proc)
        except (OSError, psutil.Error):  # ended meanwhile
            continue
    return found


def _wait_for_workers(proc: subprocess.Popen, helpers: int) -> None:
    deadline = time.monotonic() + UP_TIMEOUT_S
    while len(_others(proc.pid)) < helpers:
        assert proc.poll() is None, "the command ended before its workers were up"
        assert time.monotonic() < deadline, "the workers did not start"
        time.sleep(POLL_S)
    time.sleep(BUSY_S)
    assert proc.poll() is None, "the command ended before it could be signalled"


def _describe(procs: list[psutil.Process]) -> list[tuple[int, str]]:
    """Pid and command line of the processes still running."""
    described = []
    for proc in procs:
        try:
            described.append((proc.pid, " ".join(proc.cmdline())[:100]))
        except psutil.Error:  # ended (or a zombie) meanwhile
            continue
    return described


def _kill_session(session: int) -> None:
    """Clean up after a failed test: end whatever is left of the session."""
    for proc in _others(session):
        try:
            proc.kill()
        except psutil.Error:
            continue
    try:
        os.killpg(session, signal.SIGKILL)
    except OSError:  # no such group left
        pass


def _gone(session: int) -> list[tuple[int, str]]:
    """Wait up to GONE_TIMEOUT_S for every process of `session` to end; those still running."""
    deadline = time.monotonic() + GONE_TIMEOUT_S
    while (left := _others(session)) and time.monotonic() < deadline:
        time.sleep(POLL_S)
    return _describe(left)


@pytest.mark.parametrize("kind", ["sweep", "compare", "run", "sweep-dask"])
def test_ctrl_c_of_a_two_worker_command_prints_one_line_and_no_traceback(kind, tmp_path):
    proc = _start(_command(kind, tmp_path))
    try:
        _wait_for_workers(proc, HELPERS["dask" if kind == "sweep-dask" else "local"])
        os.killpg(proc.pid, signal.SIGINT)  # as the terminal does: the whole process group
        _, stderr = proc.communicate(timeout=EXIT_TIMEOUT_S)
        left = _gone(proc.pid)
    finally:
        _kill_session(proc.pid)
    assert not left, f"still running after Ctrl-C: {left}"
    assert proc.returncode == INTERRUPTED, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("interrupted: "), stderr
    # before it, only what the command printed while running: the executor, progress bars and
    # (compare with fewer than 10 replicates) the warning that its intervals will be wide
    for line in lines[:-1]:
        printed = line.startswith(("executor: ", "warning: only ")) or PROGRESS.search(line)
        assert printed, stderr


@pytest.mark.parametrize("kind", ["sweep", "sweep-dask"])
def test_no_process_outlives_a_killed_command(kind, tmp_path):
    proc = _start(_command(kind, tmp_path), capture=False)
    try:
        _wait_for_workers(proc, HELPERS["dask" if kind == "sweep-dask" else "local"])
        helpers = {p.pid for p in _others(proc.pid)}
        proc.kill()  # SIGKILL of the main process only: nothing of it can clean up
        proc.wait()
        left = _gone(proc.pid)
    finally:
        _kill_session(proc.pid)
    assert len(helpers) >= HELPERS["dask" if kind == "sweep-dask" else "local"]
    assert not left, f"still running {GONE_TIMEOUT_S} s after SIGKILL: {left}"
