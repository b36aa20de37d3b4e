"""Write a run's result folder atomically: build it in a temporary folder, then swap it in."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


FOLDER_MODE = 0o777  # before the umask, as for any new folder


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def replace_folder(new: Path, out: Path) -> None:
    """Move the complete folder `new` to `out`, replacing any earlier `out`: the old one is
    renamed aside first and removed only once `new` is in place."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
    new.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """Yield a temporary sibling of `out` to fill; on success it replaces `out` in one rename.

    On any error (or Ctrl-C) the temporary folder is removed and `out` is left as it was.
    """
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
        tmp.chmod(FOLDER_MODE & ~_umask())  # mkdtemp makes it private; give it the usual mode
        replace_folder(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


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
    with staged_folder(out) as tmp:
        write_tables(result, tmp)
        if draw is not None:
            draw(result, tmp / "figures")
        info = manifest(result, command)
        (tmp / "run.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return Path(out).resolve()
