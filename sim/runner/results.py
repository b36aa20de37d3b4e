"""Write result folders, atomically: each is built in a temporary sibling, then swapped in.

A run folder (`vraem run`, `vraem validate`, and each run of a comparison) holds the tables of
RUN_TABLES, `summary.csv` and `run.json` (resolved config, seeds, versions). A comparison folder
(`vraem compare`, `vraem brief`) holds

- `runs/<name>/`: each distinct run, as a run folder;
- `comparison.json`: which baseline run each scenario run is paired with (paths relative to the
  folder), the focus scenario of the figures and the command;
- what `sim.report.briefing.write_briefing` draws from the pairs (tables, figures, briefing).

Which folders may be written or replaced, the lock and the temporary sibling are in
`sim.runner.outputs`; every manifest carries the marker of `sim.runner.layout` and, once the
folder is complete, the list of its files. `sim.runner.folders` reads both kinds back.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import sim
from sim.config.loader import ConfigError
from sim.recorder import TIMESERIES_COLUMNS
from sim.runner.batch import RunResult
from sim.runner.layout import (
    COPIED_FILES,
    MANIFEST_FILE,
    MANIFEST_KIND,
    RUN_MANIFEST,
    RUN_TABLE_FILES,
    RUNS_DIR,
    SUMMARY_FILE,
    WRITTEN_BY,
    WRITTEN_BY_KEY,
    ResultKind,
)
from sim.runner.outputs import (
    check_output_target,
    plain_name,
    staged_folder,
)
from sim.runner.summary import summary_table

# the tables of a run folder and the columns a reader needs in each
RUN_TABLES: dict[str, tuple[str, ...]] = dict(
    zip(
        RUN_TABLE_FILES,
        (
            ("replicate", "week", *TIMESERIES_COLUMNS),
            ("replicate", "week", "exit", "group", "exported_kg", "price_hcl_usd_per_kg"),
            ("replicate", "u", "v", "mode", "kg"),
            ("replicate", "week", "type", "who", "outcome"),
        ),
        strict=True,
    )
)

DEPENDENCIES = ("mesa", "networkx", "numpy", "pandas", "pyarrow", "pydantic", "matplotlib")


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "vraem-sim": sim.__version__}
    for name in DEPENDENCIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def _git_commit() -> str | None:
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout.strip() or None if proc.returncode == 0 else None


def manifest(result: RunResult, command: list[str] | None = None) -> dict:
    """The `run.json` manifest: resolved config, seeds, versions, commit, wall time."""
    sc = result.scenario
    return {
        WRITTEN_BY_KEY: WRITTEN_BY,
        "scenario": sc.name,
        "command": command,
        "config": sc.model_dump(mode="json"),
        "master_seed": sc.seed,
        "replicates": sc.replicates,
        "replicate_seeds": result.seeds,
        "weeks": sc.weeks,
        "workers": result.workers,
        "wall_time_s": round(result.wall_time_s, 3),
        "versions": _versions(),
        "git_commit": _git_commit(),
    }


def write_tables(result: RunResult, folder: Path) -> None:
    """The Parquet tables and summary.csv into `folder` (which must exist)."""
    frames = (result.timeseries, result.exits, result.edge_flows, result.events)
    for name, frame in zip(RUN_TABLES, frames, strict=True):
        frame.to_parquet(folder / name, index=False)
    summary_table(result.timeseries, result.exits, result.seeds).to_csv(
        folder / SUMMARY_FILE, index=False, float_format="%.6g"
    )


def _write_json(info: dict, path: Path) -> None:
    path.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")


def write_run(result: RunResult, folder: Path, command: list[str] | None = None) -> None:
    """A run folder's tables, summary.csv and run.json into `folder` (which must exist)."""
    write_tables(result, folder)
    _write_json(manifest(result, command), folder / RUN_MANIFEST)


def write_result_folder(
    result: RunResult,
    out: Path,
    draw: Callable[[RunResult, Path], None] | None = None,
    command: list[str] | None = None,
    *,
    force: bool = False,
) -> Path:
    """Write everything into a temporary sibling of `out`, then move it into place.

    `out` must be a folder the policy of `sim.runner.outputs` lets a run replace (ConfigError
    otherwise). If anything fails, `out` is left as it was; an existing `out` is replaced only
    once the new folder is complete.
    """
    with staged_folder(out, ResultKind.RUN, force=force, command=command) as tmp:
        write_run(result, tmp, command)
        if draw is not None:
            draw(result, tmp / "figures")
    return Path(out).resolve()


# ----------------------------------------------------------------------------------------------
# comparison folders
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PairedDirs:
    """A scenario run and the baseline run it is paired with, by their folder names in runs/."""

    scenario: str  # the scenario's name
    scenario_dir: str
    baseline_dir: str


def check_comparison_target(out: Path, *, force: bool = False) -> None:
    """Raise ConfigError unless a comparison may be written to `out` (`check_output_target`): a
    new folder, an empty one or an earlier comparison; a folder with other files never."""
    check_output_target(out, ResultKind.COMPARE, force=force)


def _run_dir(folder: Path, name: str) -> Path:
    """`folder/runs/<name>`, for a plain folder name only (nothing is written outside)."""
    if not plain_name(name):
        raise ConfigError(
            f"scenario '{name}'",
            "name",
            "expected a plain folder name for runs/<name>/ (no '/', not starting with '.')",
        )
    return folder / RUNS_DIR / name


def write_comparison(
    runs: Mapping[str, RunResult],
    pairs: Sequence[PairedDirs],
    folder: Path,
    command: list[str] | None = None,
) -> str:
    """Write each run (folder name -> run) under `folder/runs/`, and comparison.json; return the
    creation time recorded in it."""
    for name, result in runs.items():
        target = _run_dir(folder, name)
        target.mkdir(parents=True)
        write_run(result, target, command)
    return write_comparison_manifest(pairs, folder, command)


def copy_comparison(
    sources: Mapping[str, Path],
    pairs: Sequence[PairedDirs],
    folder: Path,
    command: list[str] | None = None,
    created: str | None = None,
) -> str:
    """Copy (hard-link where possible) the run folders in `sources` (folder name -> source
    folder) into `folder/runs/`, and write comparison.json; return its creation time."""
    for name, src in sources.items():
        target = _run_dir(folder, name)
        target.mkdir(parents=True)
        for file in COPIED_FILES:
            if (src / file).exists():
                _link_or_copy(src / file, target / file)
    return write_comparison_manifest(pairs, folder, command, created)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def write_comparison_manifest(
    pairs: Sequence[PairedDirs],
    folder: Path,
    command: list[str] | None,
    created: str | None = None,
) -> str:
    """Write comparison.json (`created` defaults to now; the first pair is the focus); return
    its creation time."""
    created = created or datetime.now(UTC).isoformat(timespec="seconds")
    info = {
        WRITTEN_BY_KEY: WRITTEN_BY,
        "kind": MANIFEST_KIND,
        "vraem_sim": sim.__version__,
        "created": created,
        "command": command,
        "focus": pairs[0].scenario,
        "pairs": [
            {
                "scenario": p.scenario,
                "scenario_dir": f"{RUNS_DIR}/{p.scenario_dir}",
                "baseline_dir": f"{RUNS_DIR}/{p.baseline_dir}",
            }
            for p in pairs
        ],
    }
    _write_json(info, folder / MANIFEST_FILE)
    return created
