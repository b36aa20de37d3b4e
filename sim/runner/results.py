"""Write a run's result folder atomically: build it in a temporary folder, then swap it in."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import sim
from sim.runner.batch import RunResult
from sim.runner.summary import summary_table

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


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def manifest(result: RunResult, command: list[str] | None = None) -> dict:
    """The `run.json` manifest: resolved config, seeds, versions, commit, wall time."""
    sc = result.scenario
    return {
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
    """Parquet tables, summary.csv and run.json into `folder` (which must exist)."""
    result.timeseries.to_parquet(folder / "timeseries.parquet", index=False)
    result.exits.to_parquet(folder / "exits.parquet", index=False)
    result.edge_flows.to_parquet(folder / "edge_flows.parquet", index=False)
    result.events.to_parquet(folder / "events.parquet", index=False)
    summary_table(result.timeseries, result.exits, result.seeds).to_csv(
        folder / "summary.csv", index=False, float_format="%.6g"
    )


def write_result_folder(
    result: RunResult,
    out: Path,
    draw: Callable[[RunResult, Path], None] | None = None,
    command: list[str] | None = None,
) -> Path:
    """Write everything into a temporary sibling of `out`, then move it into place.

    If anything fails, `out` is left as it was. An existing `out` is replaced only once the new
    folder is complete.
    """
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        write_tables(result, tmp)
        if draw is not None:
            draw(result, tmp / "figures")
        info = manifest(result, command)
        (tmp / "run.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        old = None
        if out.exists():
            old = out.parent / f".{out.name}.old-{tmp.name.rsplit('-', 1)[-1]}"
            out.rename(old)
        tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private (0700); give it normal rights
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
