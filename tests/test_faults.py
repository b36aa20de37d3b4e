"""SIGKILL at seeded random moments of `vraem run` and `vraem compare` (the sweep's are in
tests/test_sweep.py): the folder holds the previous complete result, byte for byte, or the new
complete one, never a partial one; what the killed writer left beside it is cleaned up by the
next write (here `clean_debris`, which every write runs first)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml
from conftest import REPO, SCENARIOS, baseline_run

from sim.runner.folders import load_comparison, load_run
from sim.runner.layout import FILES_KEY, MANIFEST_FILE, RUN_MANIFEST, ResultKind
from sim.runner.outputs import clean_debris, staged_folder
from sim.runner.results import PairedDirs, write_comparison, write_result_folder

SEED = 20240612
SMALL = ["--replicates", "1", "--workers", "1", "--set", "growers.households=500"]
DEADLINE_S = 90  # per killed command: bounds the test if something hangs
POLL_S = 0.01
ENV = {**os.environ, "MPLBACKEND": "Agg"}


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _kill(cmd: list[str], out: Path, *, after_s: float, once_writing: bool) -> int | None:
    """Start `cmd`, SIGKILL it (and its workers) `after_s` seconds after it starts or, with
    `once_writing`, after its temporary folder beside `out` appears. Returns its exit code if it
    ended first, else None."""
    proc = subprocess.Popen(
        cmd,
        cwd=REPO,
        env=ENV,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + DEADLINE_S
    while once_writing and not list(out.parent.glob(f".{out.name}.tmp-*")):
        if proc.poll() is not None or time.monotonic() > deadline:
            break
        time.sleep(POLL_S)
    try:
        return proc.wait(timeout=after_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return None


def _check_after_kill(out: Path, previous: dict[str, bytes] | None, load) -> str:
    """`out` is the previous result byte for byte, a complete new one, or (with no previous
    result) nothing, once the debris is cleaned; nothing else is left beside it."""
    print("before", sorted(p.name for p in out.parent.iterdir()))
    print("cleaned", clean_debris(out.parent))
    assert sorted(p.name for p in out.parent.iterdir()) == ([out.name] if out.exists() else [])
    if not out.exists():
        assert previous is None, "the previous result is gone"
        return "nothing"
    files = _files(out)
    if files == previous:
        return "previous"
    load(out)  # the new result reads back whole
    manifest = RUN_MANIFEST if (out / RUN_MANIFEST).is_file() else MANIFEST_FILE
    assert sorted(json.loads(files[manifest])[FILES_KEY]) == sorted(files)
    return "new"


def _moments(rng: random.Random, late_s: float, n: int) -> list[tuple[float, bool]]:
    """One kill early in the start, then `n` at random moments of the writing (up to `late_s`
    seconds after the temporary folder appears)."""
    return [(rng.uniform(0.2, 1.0), False)] + [(rng.uniform(0, late_s), True) for _ in range(n)]


def test_run_killed_at_random_moments_leaves_the_previous_or_the_new_result(tmp_path):
    out = tmp_path / "outputs" / "run"
    cmd = [sys.executable, "-m", "sim", "run", str(SCENARIOS / "baseline.yaml"), *SMALL]
    cmd += ["--weeks", "20", "--seed", "7", "--out", str(out)]
    seen = []
    # no earlier result: a kill leaves nothing or the whole result
    _kill(cmd, out, after_s=0.2, once_writing=True)
    seen.append(_check_after_kill(out, None, load_run))
    rng = random.Random(SEED)
    for after_s, once_writing in _moments(rng, 1.5, 2):
        if not out.exists() or seen[-1] == "new":  # start again from an earlier result
            write_result_folder(baseline_run(1, 8), out)
        previous = _files(out)
        _kill(cmd, out, after_s=after_s, once_writing=once_writing)
        seen.append(_check_after_kill(out, previous, load_run))
    print("seen", seen)
    assert "previous" in seen, seen


def _compare_files(folder: Path) -> list[Path]:
    arrest = folder / "arrest.yaml"
    spec = {
        "extends": str(SCENARIOS / "baseline.yaml"),
        "name": "arrest",
        "interventions": [
            {"type": "arrest_leader", "week": 10, "who": "leader", "outcome": "captured"}
        ],
    }
    arrest.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return [SCENARIOS / "baseline.yaml", arrest]


def _earlier_comparison(out: Path) -> None:
    run = baseline_run(1, 8)
    with staged_folder(out, ResultKind.COMPARE) as tmp:
        pairs = [PairedDirs(run.scenario.name, "scenario", "baseline")]
        write_comparison({"baseline": run, "scenario": run}, pairs, tmp)


def test_compare_killed_at_random_moments_leaves_the_previous_or_the_new_result(tmp_path):
    out = tmp_path / "outputs" / "compare"
    files = _compare_files(tmp_path)
    cmd = [sys.executable, "-m", "sim", "compare", *map(str, files), *SMALL, "--replicates", "3"]
    cmd += ["--weeks", "30", "--out", str(out)]
    rng = random.Random(SEED + 1)
    seen = []
    for after_s, once_writing in _moments(rng, 5.0, 2):
        if not out.exists() or (seen and seen[-1] == "new"):
            _earlier_comparison(out)
        previous = _files(out)
        _kill(cmd, out, after_s=after_s, once_writing=once_writing)
        seen.append(_check_after_kill(out, previous, load_comparison))
    print("seen", seen)
    assert "previous" in seen, seen


_KILL_AT_RENAME = """
import os, signal, sys
from pathlib import Path
real = Path.rename
kill_at = int(sys.argv[1])  # SIGKILL right after this many renames
calls = []
def rename(self, target):
    out = real(self, target)
    calls.append(target)
    if len(calls) == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    return out
Path.rename = rename
from sim.cli.main import main
sys.argv = ["vraem", *sys.argv[2:]]
main()
"""


def test_a_kill_between_or_after_the_two_renames_is_settled_by_the_next_write(tmp_path):
    out = tmp_path / "outputs" / "run"
    args = ["run", str(SCENARIOS / "baseline.yaml"), *SMALL, "--weeks", "8", "--no-figures"]
    for renames, expected in ((1, "previous"), (2, "new")):
        write_result_folder(baseline_run(1, 8), out)
        previous = _files(out)
        cmd = [sys.executable, "-c", _KILL_AT_RENAME, str(renames), *args, "--out", str(out)]
        proc = subprocess.run(cmd, cwd=REPO, env=ENV, capture_output=True, timeout=DEADLINE_S)
        assert proc.returncode == -signal.SIGKILL, proc.stderr
        assert list(out.parent.glob(".run.old-*")), "the kill did not fall between the renames"
        assert _check_after_kill(out, previous, load_run) == expected
