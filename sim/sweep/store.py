"""A sweep's files on disk, built so that a crash loses nothing and repeats nothing.

While a sweep runs, everything lives in a hidden work folder next to the output folder,
`.<name>.partial/`:

- `sweep.json`: what is being run (the sweep's fingerprint, run count) and one entry per session;
- `ledger/runs-<first run id>.parquet`: the rows of one finished chunk, written atomically
  (temporary file, then rename) *after* that chunk's time series, so a run is done exactly when
  its row is in the ledger;
- `timeseries/point=<p>/run-<id>.parquet`: each run's weekly series (a Hive-partitioned dataset).

When every run is in the ledger the results are assembled (`runs.parquet`, analysis, figures,
the final `sweep.json`) and the work folder is renamed to the output folder, replacing an
earlier result (never anything else: `sim.runner.outputs`). The sweep holds the output folder's
lock all along. `--resume` picks the work folder up again and runs only what is not in the ledger.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.runner.layout import SWEEP_KIND, SWEEP_LAYOUT, WRITTEN_BY, WRITTEN_BY_KEY, ResultKind
from sim.runner.outputs import replace_folder, stamp_manifest


def _atomic_write_bytes(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)


def atomic_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a Parquet file so that it is either complete or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write_bytes(path, lambda tmp: frame.to_parquet(tmp, index=False))


def atomic_json(data: dict[str, Any], path: Path) -> None:
    """Write a JSON file so that it is either complete or absent."""
    text = json.dumps(data, indent=2, default=str) + "\n"
    _atomic_write_bytes(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def now() -> str:
    """UTC time stamp for the manifest."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class SweepStore:
    """The work folder of one sweep and the output folder it becomes."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out).resolve()
        self.work = self.out.parent / f".{self.out.name}.partial"

    # --- state -------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.work / "sweep.json"

    @property
    def ledger_dir(self) -> Path:
        return self.work / "ledger"

    @property
    def timeseries_dir(self) -> Path:
        return self.work / "timeseries"

    def exists(self) -> bool:
        """An interrupted sweep is waiting here."""
        return self.manifest_path.exists()

    def read_manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def write_manifest(self, data: dict[str, Any]) -> None:
        atomic_json(data, self.manifest_path)

    def create(self, manifest: dict[str, Any]) -> None:
        """Start a fresh work folder (any stale one is removed)."""
        if self.work.exists():
            shutil.rmtree(self.work)
        self.ledger_dir.mkdir(parents=True)
        self.write_manifest({WRITTEN_BY_KEY: WRITTEN_BY, "kind": SWEEP_KIND, **manifest})

    # --- runs ---------------------------------------------------------------------------
    def done_ids(self) -> set[int]:
        """Run ids whose rows are in the ledger."""
        ids: set[int] = set()
        for part in sorted(self.ledger_dir.glob("runs-*.parquet")):
            ids.update(pd.read_parquet(part, columns=["run_id"])["run_id"].tolist())
        return ids

    def record_chunk(self, rows: pd.DataFrame, series: dict[int, tuple[int, pd.DataFrame]]) -> None:
        """Store a finished chunk: its series first, then (atomically) its ledger rows."""
        for run_id, (point, frame) in series.items():
            atomic_parquet(
                frame.assign(run_id=run_id),
                self.timeseries_dir / f"point={point}" / f"run-{run_id:06d}.parquet",
            )
        first = int(rows["run_id"].min())
        atomic_parquet(rows, self.ledger_dir / f"runs-{first:06d}.parquet")

    def ledger(self) -> pd.DataFrame:
        """Every recorded run, in run-id order."""
        parts = [pd.read_parquet(p) for p in sorted(self.ledger_dir.glob("runs-*.parquet"))]
        if not parts:
            return pd.DataFrame()
        frame = pd.concat(parts, ignore_index=True)
        return frame.sort_values("run_id", kind="stable").reset_index(drop=True)

    # --- completion ---------------------------------------------------------------------
    def finish(self, *, force: bool = False) -> Path:
        """Move the completed work folder into place (replacing an earlier result the policy of
        `sim.runner.outputs` allows); the caller holds the output folder's lock."""
        stamp_manifest(self.work, SWEEP_LAYOUT)
        replace_folder(self.work, self.out, ResultKind.SWEEP, force=force)
        shutil.rmtree(self.out / "ledger", ignore_errors=True)  # runs.parquet holds its rows
        return self.out
