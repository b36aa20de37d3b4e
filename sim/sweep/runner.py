"""Run a sweep: plan the runs, send them in chunks to an executor, record each finished chunk,
then assemble the results. Resumable: a crash or Ctrl-C loses no finished run, and `resume`
runs only what is missing.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.runner.layout import ResultKind
from sim.runner.outputs import writing
from sim.sweep.design import REFERENCE_POINT, Design, RunSpec, build_design, plan_runs
from sim.sweep.evaluate import Chunk, ChunkResult, run_chunk
from sim.sweep.executors import ExecutorInfo, open_executor
from sim.sweep.spec import Sweep
from sim.sweep.store import SweepStore, now

TASKS_PER_WORKER = 8  # chunks per worker when the sweep does not fix `chunk_size`
# Largest automatic chunk (runs). A model run takes about a second, so 10 runs make task overhead
# negligible while progress, ETA and what a crash loses stay fine-grained; the analytic test
# function takes microseconds, so its chunks are large.
MAX_AUTO_CHUNK = {"vraem": 10, "ishigami": 1000}
MAX_IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker (bounds memory; keeps workers busy)


class SweepStateError(Exception):
    """The output folder's state does not allow this (e.g. an unfinished sweep without --resume)."""


class SweepAlreadyComplete(Exception):
    """`resume` was asked for a sweep whose complete result is already in place."""


@dataclass
class SweepOutcome:
    """What a finished sweep left behind."""

    folder: Path
    runs: pd.DataFrame
    executed: int  # runs executed in this session
    failed: int  # failed runs in the whole sweep
    wall_time_s: float
    executor: ExecutorInfo | None


ProgressCallback = Callable[[int, int, int], None]  # (runs done, runs in total, failed)


def chunk_size_for(spec_chunk: int | None, n_todo: int, workers: int, model: str) -> int:
    """Runs per task: the sweep's `chunk_size`, else about TASKS_PER_WORKER tasks per worker."""
    if spec_chunk:
        return spec_chunk
    per_task = math.ceil(n_todo / (workers * TASKS_PER_WORKER))
    return max(1, min(MAX_AUTO_CHUNK[model], per_task))


def _base_value(base: dict[str, Any] | None, key: str) -> Any:
    """The base scenario's value at a key path (None where it leaves it to a default, e.g. an
    exit missing from `network.exit_risk_factor`)."""
    node: Any = base
    for part in key.split("."):
        if isinstance(node, list):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


def _rows(sweep: Sweep, runs: list[RunSpec], result: ChunkResult) -> pd.DataFrame:
    """Ledger rows: the run's identity and parameter values, then status, error and metrics."""
    by_id = {r.run_id: r for r in runs}
    records = []
    for row in result.rows:
        run = by_id[row["run_id"]]
        values = run.values or {k: _base_value(sweep.base, k) for k in sweep.spec.parameter_names}
        records.append(
            {
                "run_id": run.run_id,
                "point": run.point,
                "replicate": run.replicate,
                "seed": run.seed,
                **values,
                **{k: v for k, v in row.items() if k != "run_id"},
            }
        )
    return pd.DataFrame.from_records(records)


def _canonical(runs: pd.DataFrame, sweep: Sweep, design: Design) -> pd.DataFrame:
    """`runs.parquet`'s fixed column order and types, whatever the chunking was."""
    spec = sweep.spec
    cols = ["run_id", "point", "replicate", "seed", *spec.parameter_names, "status", "error"]
    cols += spec.metrics
    frame = runs[cols].sort_values("run_id", kind="stable").reset_index(drop=True)
    for name in ("run_id", "point", "replicate", "seed"):
        frame[name] = frame[name].astype("int64")
    for name in spec.parameter_names:
        dtype = design.points[name].dtype
        frame[name] = frame[name].astype(dtype if dtype.kind in "if" else object)
    for name in spec.metrics:
        frame[name] = frame[name].astype("float64")
    frame["status"] = frame["status"].astype(str)
    frame["error"] = frame["error"].astype(str)
    return frame


def _fingerprint_of(manifest: Path) -> str | None:
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError):
        return None


def _start(
    store: SweepStore, sweep: Sweep, n_runs: int, resume: bool, command: list[str] | None
) -> dict[str, Any]:
    if resume:
        if not store.exists():
            final = store.out / "sweep.json"
            if final.exists() and _fingerprint_of(final) == sweep.fingerprint():
                raise SweepAlreadyComplete(
                    f"nothing to resume: the sweep in {store.out} is complete"
                )
            raise SweepStateError(
                f"nothing to resume: no unfinished sweep at {store.work}; run without --resume "
                "to start"
            )
        manifest = store.read_manifest()
        if manifest.get("fingerprint") != sweep.fingerprint():
            raise SweepStateError(
                f"the unfinished sweep at {store.work} was started from a different sweep file, "
                "base scenario or seed; resume it with the same file, or delete that folder"
            )
        return manifest
    if store.exists() and store.done_ids():  # an empty one (e.g. no scheduler) is started again
        raise SweepStateError(
            f"an unfinished sweep is at {store.work}: finish it with --resume, or delete that "
            "folder to start again"
        )
    manifest = {
        "sweep": sweep.spec.name,
        "sweep_file": str(sweep.path),
        "fingerprint": sweep.fingerprint(),
        "spec": sweep.spec.model_dump(mode="json"),
        "base_scenario": sweep.base,
        "runs": n_runs,
        "started": now(),
        "command": command,
        "sessions": [],
    }
    store.create(manifest)
    return manifest


def run_sweep(
    sweep: Sweep,
    out: Path,
    *,
    force: bool = False,
    command: list[str] | None = None,
    **options: Any,
) -> SweepOutcome:
    """Run (or finish) a sweep into `out` (see `_run_sweep` for the options).

    `out` must be a folder the policy of `sim.runner.outputs` lets a sweep write (ConfigError
    otherwise); it is locked for the whole sweep (ConfigError naming the holder if another
    process writes it)."""
    with writing(out, ResultKind.SWEEP, force=force, command=command) as target:
        return _run_sweep(sweep, target, force=force, command=command, **options)


def _run_sweep(
    sweep: Sweep,
    out: Path,
    *,
    executor: str = "local",
    workers: int = 1,
    scheduler: str | None = None,
    resume: bool = False,
    force: bool = False,
    on_progress: ProgressCallback | None = None,
    on_executor: Callable[[ExecutorInfo], None] | None = None,
    command: list[str] | None = None,
    finalize: Callable[[Sweep, Design, pd.DataFrame, Path], dict[str, Any]] | None = None,
) -> SweepOutcome:
    """Run (or finish) a sweep into `out`; `finalize` writes analysis and figures into the work
    folder before it is moved into place and returns what the manifest should say about them."""
    start = time.perf_counter()
    spec = sweep.spec
    design = build_design(spec)
    runs = plan_runs(spec, design)
    store = SweepStore(out)
    manifest = _start(store, sweep, len(runs), resume, command)
    done = store.done_ids()
    todo = [r for r in runs if r.run_id not in done]
    failed_before = int((store.ledger()["status"] != "ok").sum()) if done else 0
    session = {"started": now(), "executor": executor, "runs_before": len(done), "executed": 0}
    manifest["sessions"].append(session)
    store.write_manifest(manifest)
    if on_progress:
        on_progress(len(done), len(runs), failed_before)
    info: ExecutorInfo | None = None
    if todo:
        with open_executor(executor, workers, scheduler, on_executor) as (pool, info):
            size = chunk_size_for(spec.chunk_size, len(todo), info.workers, spec.model)
            chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
            _execute(
                sweep, store, pool, chunks, info, manifest, session, failed_before, on_progress
            )
    manifest["sessions"][-1].update(session, finished=now())
    runs_frame = _canonical(store.ledger(), sweep, design)
    runs_frame.to_parquet(store.work / "runs.parquet", index=False)
    if finalize is not None:
        manifest["outputs"] = finalize(sweep, design, runs_frame, store.work)
    failed = int((runs_frame["status"] != "ok").sum())
    manifest.update(
        finished=now(),
        failed_runs=failed,
        design_points=len(design.points),
        reference_point=REFERENCE_POINT if spec.has_reference else None,
    )
    store.write_manifest(manifest)
    folder = store.finish(force=force)
    return SweepOutcome(
        folder=folder,
        runs=runs_frame,
        executed=session["executed"],
        failed=failed,
        wall_time_s=time.perf_counter() - start,
        executor=info,
    )


def _execute(
    sweep: Sweep,
    store: SweepStore,
    pool,
    chunks: list[list[RunSpec]],
    info: ExecutorInfo,
    manifest: dict[str, Any],
    session: dict[str, Any],
    failed_before: int,
    on_progress: ProgressCallback | None,
) -> None:
    """Submit chunks (a bounded number at a time) and record each as it finishes."""
    spec = sweep.spec
    total = manifest["runs"]
    done = session["runs_before"]
    failed = 0
    pending: dict[Future, list[RunSpec]] = {}
    queue = list(chunks)
    limit = max(1, info.workers * MAX_IN_FLIGHT_PER_WORKER)

    def submit_more() -> None:
        while queue and len(pending) < limit:
            runs = queue.pop(0)
            chunk = Chunk(
                model=spec.model,
                base=sweep.base,
                runs=tuple(runs),
                metrics=tuple(spec.metrics),
                years=spec.years,
                keep_timeseries=spec.timeseries and spec.model == "vraem",
            )
            pending[pool.submit(run_chunk, chunk)] = runs

    try:
        submit_more()
        while pending:
            finished, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in finished:
                runs = pending.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # the task itself died (e.g. a killed worker)
                    error = f"{type(exc).__name__}: {exc}"[:500]
                    result = ChunkResult(
                        rows=[
                            {"run_id": r.run_id, "status": "failed", "error": error}
                            | dict.fromkeys(spec.metrics, float("nan"))
                            for r in runs
                        ]
                    )
                rows = _rows(sweep, runs, result)
                point_of = {r.run_id: r.point for r in runs}
                series = {rid: (point_of[rid], f) for rid, f in result.timeseries.items()}
                store.record_chunk(rows, series)
                failed += int((rows["status"] != "ok").sum())
                done += len(runs)
                session["executed"] += len(runs)
                store.write_manifest(manifest)
                if on_progress:
                    on_progress(done, total, failed_before + failed)
            submit_more()
    finally:
        for future in pending:
            future.cancel()
