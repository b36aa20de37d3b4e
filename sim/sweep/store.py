"""A sweep's files on disk, built so that a crash loses nothing and repeats nothing.

While a sweep runs, everything lives in a hidden work folder next to the output folder,
`.<name>.partial/`, and the sweep holds the output folder's lock (`sim.runner.outputs`):

- `sweep.json`: what is being run (the sweep's fingerprint, run count) and one entry per session;
- `timeseries/point=<p>/run-<id>.parquet`: each run's weekly series (a Hive-partitioned dataset);
- `ledger/runs-<first run id>-<token>.parquet`: the rows of one finished chunk, written atomically
  (temporary file, then rename) *after* that chunk's series, with each run's series file and its
  SHA-256 (`series_file`, `series_sha256`). A run is done exactly when its row is in the ledger
  and its series file (if it has one) is there with that checksum.

`verify` checks this at the start of each session and before the results are published: a run
whose series is missing or damaged leaves the ledger (its file is removed) and runs again. When
every run is in the ledger the results are assembled (`runs.parquet`, analysis, figures, the
final `sweep.json`), the series not in the ledger are removed, and the work folder is renamed to
the output folder, replacing any earlier one. `--resume` picks the work folder up again.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from sim.runner.layout import (
    SWEEP_KIND,
    SWEEP_LAYOUT,
    SWEEP_MANIFEST,
    SWEEP_WORK_LAYOUT,
    WRITTEN_BY,
    WRITTEN_BY_KEY,
    ResultKind,
)
from sim.runner.outputs import inspect_folder, replace_folder, stamp_manifest

SERIES_FILE = "series_file"  # ledger column: the run's series, relative to the work folder
SERIES_SHA256 = "series_sha256"  # ledger column: its checksum
LEDGER_GLOB = "runs-*.parquet"
SERIES_GLOB = "point=*/run-*.parquet"
HASH_BLOCK = 1 << 20


def _atomic_write_bytes(path: Path, write: Callable[[Path], None]) -> str:
    """Write through a temporary file renamed into place; return the SHA-256 of what was written."""
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    digest = sha256(tmp)
    os.replace(tmp, path)
    return digest


def sha256(path: Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(HASH_BLOCK):
            h.update(block)
    return h.hexdigest()


def atomic_parquet(frame: pd.DataFrame, path: Path) -> str:
    """Write a Parquet file so that it is either complete or absent; return its SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return _atomic_write_bytes(path, lambda tmp: frame.to_parquet(tmp, index=False))


def atomic_json(data: dict[str, Any], path: Path) -> None:
    """Write a JSON file so that it is either complete or absent."""
    text = json.dumps(data, indent=2, default=str) + "\n"
    _atomic_write_bytes(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def now() -> str:
    """UTC time stamp for the manifest."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def series_name(point: int, run_id: int) -> str:
    """A run's series file, relative to the sweep folder."""
    return f"timeseries/point={point}/run-{run_id:06d}.parquet"


@dataclass
class Verified:
    """What `SweepStore.verify` found: runs whose series was missing or damaged (now out of the
    ledger), and ledger parts that could not be read (removed; their runs run again)."""

    damaged: dict[int, str] = field(default_factory=dict)  # run id -> what was wrong
    unreadable: list[str] = field(default_factory=list)


class SweepStore:
    """The work folder of one sweep and the output folder it becomes."""

    def __init__(self, out: Path) -> None:
        self.out = Path(out).resolve()
        self.work = self.out.parent / f".{self.out.name}.partial"

    # --- state -------------------------------------------------------------------------
    @property
    def manifest_path(self) -> Path:
        return self.work / SWEEP_MANIFEST

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
        """The work folder's manifest; ValueError if it is not a sweep's manifest."""
        info = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        if not SWEEP_LAYOUT.is_manifest(info):
            raise ValueError("not the manifest of a sweep")
        return info

    def write_manifest(self, data: dict[str, Any]) -> None:
        atomic_json(data, self.manifest_path)

    def strangers(self) -> list[str]:
        """Files in the work folder that a sweep does not write (they would stop a discard)."""
        return inspect_folder(self.work, SWEEP_WORK_LAYOUT).strangers if self.work.exists() else []

    def create(self, manifest: dict[str, Any]) -> None:
        """Start a fresh work folder. An earlier one is removed, only if it holds nothing but a
        sweep's files (the caller checks `strangers` first and holds the lock)."""
        if self.work.exists():
            if self.strangers():
                raise FileExistsError(f"{self.work} holds files a sweep does not write")
            shutil.rmtree(self.work)
        self.ledger_dir.mkdir(parents=True)
        self.write_manifest({WRITTEN_BY_KEY: WRITTEN_BY, "kind": SWEEP_KIND, **manifest})

    # --- runs ---------------------------------------------------------------------------
    def _parts(self) -> list[Path]:
        return sorted(self.ledger_dir.glob(LEDGER_GLOB))

    def done_ids(self) -> set[int]:
        """Run ids whose rows are in the ledger."""
        ids: set[int] = set()
        for part in self._parts():
            ids.update(pd.read_parquet(part, columns=["run_id"])["run_id"].tolist())
        return ids

    def record_chunk(self, rows: pd.DataFrame, series: dict[int, tuple[int, pd.DataFrame]]) -> None:
        """Store a finished chunk: its series first, then (atomically) its ledger rows with each
        series file and its checksum."""
        files = dict.fromkeys(rows["run_id"].tolist(), "")
        digests = dict.fromkeys(files, "")
        for run_id, (point, frame) in series.items():
            files[run_id] = series_name(point, run_id)
            digests[run_id] = atomic_parquet(frame.assign(run_id=run_id), self.work / files[run_id])
        rows = rows.assign(
            **{
                SERIES_FILE: rows["run_id"].map(files),
                SERIES_SHA256: rows["run_id"].map(digests),
            }
        )
        first = int(rows["run_id"].min())
        token = secrets.token_hex(4)  # a run recorded again never overwrites another chunk's part
        atomic_parquet(rows, self.ledger_dir / f"runs-{first:06d}-{token}.parquet")

    def ledger(self) -> pd.DataFrame:
        """Every recorded run, in run-id order."""
        parts = [pd.read_parquet(p) for p in self._parts()]
        if not parts:
            return pd.DataFrame()
        frame = pd.concat(parts, ignore_index=True)
        return frame.sort_values("run_id", kind="stable").reset_index(drop=True)

    # --- verification -------------------------------------------------------------------
    def _series_problem(self, row: pd.Series, expects_series: bool) -> str | None:
        """What is wrong with a ledger row's series file, or None."""
        rel = row.get(SERIES_FILE)
        if not isinstance(rel, str):  # a row of an older ledger: no checksum recorded
            if not expects_series or row["status"] != "ok":
                return None
            rel = series_name(int(row["point"]), int(row["run_id"]))
            return None if _readable(self.work / rel) else f"{rel} missing or unreadable"
        if not rel:
            return None
        path = self.work / rel
        if not path.is_file():
            return f"{rel} missing"
        if sha256(path) != row[SERIES_SHA256]:
            return f"{rel} does not match its checksum"
        return None

    def verify(self, expects_series: bool) -> Verified:
        """Check every ledger row's series file; take runs whose file is missing or damaged out
        of the ledger (and remove the file), remove unreadable ledger parts and leftover
        temporary files. Afterwards, a run in the ledger has its series whole."""
        found = Verified()
        for tmp in self.work.rglob(".*.tmp"):
            tmp.unlink(missing_ok=True)
        for part in self._parts():
            try:
                rows = pd.read_parquet(part)
            except Exception:  # pyarrow raises several types for damaged files
                found.unreadable.append(part.name)
                part.unlink()
                continue
            bad = {}
            for _, row in rows.iterrows():
                if problem := self._series_problem(row, expects_series):
                    bad[int(row["run_id"])] = problem
            if not bad:
                continue
            found.damaged.update(bad)
            keep = rows[~rows["run_id"].isin(list(bad))]
            if keep.empty:
                part.unlink()
            else:
                atomic_parquet(keep, part)
            for run_id in bad:
                self._remove_series(run_id)
        return found

    def _remove_series(self, run_id: int) -> None:
        for path in self.timeseries_dir.glob(f"point=*/run-{run_id:06d}.parquet"):
            path.unlink()

    def prune_series(self, ledger: pd.DataFrame, expects_series: bool) -> None:
        """Remove series files that no ledger row names (written before a kill, or of a run that
        failed when it ran again), so that the dataset holds exactly the recorded runs."""
        keep: set[str] = set()
        for _, row in ledger.iterrows():
            rel = row.get(SERIES_FILE)
            if isinstance(rel, str):
                keep.add(rel)
            elif expects_series and row["status"] == "ok":
                keep.add(series_name(int(row["point"]), int(row["run_id"])))
        for path in self.timeseries_dir.glob(SERIES_GLOB):
            if path.relative_to(self.work).as_posix() not in keep:
                path.unlink()
        for folder in self.timeseries_dir.glob("point=*"):
            if not any(folder.iterdir()):
                folder.rmdir()

    # --- completion ---------------------------------------------------------------------
    def finish(self, *, force: bool = False) -> Path:
        """Move the completed work folder into place (replacing an earlier result the policy of
        `sim.runner.outputs` allows); the caller holds the output folder's lock."""
        stamp_manifest(self.work, SWEEP_LAYOUT)
        replace_folder(self.work, self.out, ResultKind.SWEEP, force=force)
        shutil.rmtree(self.out / "ledger", ignore_errors=True)  # runs.parquet holds its rows
        return self.out


def _readable(path: Path) -> bool:
    """A Parquet file that can be read (for series recorded without a checksum)."""
    try:
        return path.is_file() and len(pd.read_parquet(path)) > 0
    except Exception:  # pyarrow raises several types for damaged files
        return False
