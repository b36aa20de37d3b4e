"""Run a sweep: plan the runs, send them in chunks to an executor, record each finished chunk,
then assemble the results. Resumable: a crash or Ctrl-C loses no finished run, and `resume`
runs only what is missing: a run counts as finished only if its saved series matches the checksum
in the ledger (`SweepStore.verify`), so the published dataset always reads back whole. The output
folder is locked for the whole sweep (`sim.runner.outputs`).
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

from sim.runner.layout import SWEEP_MANIFEST, ResultKind
from sim.runner.outputs import SHOWN_NAMES, writing
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
    rerun_damaged: int = 0  # runs run again because their saved series was missing or damaged


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
    cols += spec.metric_columns
    frame = runs[cols].sort_values("run_id", kind="stable").reset_index(drop=True)
    for name in ("run_id", "point", "replicate", "seed"):
        frame[name] = frame[name].astype("int64")
    for name in spec.parameter_names:
        dtype = design.points[name].dtype
        frame[name] = frame[name].astype(dtype if dtype.kind in "if" else object)
    for name in spec.metric_columns:
        frame[name] = frame[name].astype("float64")
    frame["status"] = frame["status"].astype(str)
    frame["error"] = frame["error"].astype(str)
    return frame


MAX_PASSES = 3  # runs whose saved series is found damaged run again, at most this often


def _fingerprint_of(manifest: Path) -> str | None:
    try:
        return json.loads(manifest.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError, AttributeError):
        return None


def _work_state(store: SweepStore) -> tuple[dict[str, Any] | None, int]:
    """The work folder's manifest (None if missing or unreadable) and how many runs its ledger
    records."""
    try:
        done = len(store.done_ids()) if store.ledger_dir.is_dir() else 0
    except Exception:  # a damaged ledger part: verify() removes it on resume
        done = 0
    try:
        return store.read_manifest(), done
    except (OSError, ValueError):
        return None, done


def _nothing_to_resume(store: SweepStore, sweep: Sweep, done: int) -> Exception:
    """Why `--resume` finds nothing to resume: what is there and what to do."""
    final = store.out / SWEEP_MANIFEST
    if not store.work.exists():
        if final.exists() and _fingerprint_of(final) == sweep.fingerprint():
            return SweepAlreadyComplete(f"nothing to resume: the sweep in {store.out} is complete")
        there = f"; {store.out} holds a different sweep" if final.exists() else ""
        return SweepStateError(
            f"nothing to resume: no unfinished sweep at {store.work}{there}; run without "
            "--resume to start"
        )
    what = "a sweep.json that cannot be read" if store.exists() else "no sweep.json"
    if not done:
        return SweepStateError(
            f"nothing to resume: the work folder {store.work} has {what} and no recorded run: "
            "the sweep stopped while starting. Run the same command without --resume to start "
            "it again (that folder is then replaced)"
        )
    return SweepStateError(
        f"cannot resume: the work folder {store.work} has {what}, so its {done} recorded runs "
        "cannot be told to belong to this sweep. Run the same command without --resume and with "
        "--force to discard them and start again"
    )


def _resumed(store: SweepStore, sweep: Sweep) -> dict[str, Any]:
    """The manifest of the unfinished sweep to resume, checked to be this sweep's."""
    manifest, done = _work_state(store)
    if manifest is None:
        raise _nothing_to_resume(store, sweep, done)
    if manifest.get("fingerprint") != sweep.fingerprint():
        raise SweepStateError(
            f"the unfinished sweep at {store.work} was started from a different sweep file, "
            "base scenario or seed; resume it with the same file, or run without --resume and "
            "with --force to discard it"
        )
    return manifest


def _start(
    store: SweepStore,
    sweep: Sweep,
    n_runs: int,
    *,
    resume: bool,
    force: bool,
    command: list[str] | None,
) -> dict[str, Any]:
    """The manifest of the sweep: the unfinished one (`resume`) or a new one in a fresh work
    folder. An unfinished sweep with recorded runs is discarded only with `force`."""
    if resume:
        return _resumed(store, sweep)
    if store.work.exists():
        if strangers := store.strangers():
            shown = ", ".join(strangers[:SHOWN_NAMES])
            raise SweepStateError(
                f"{store.work} holds files a sweep does not write ({shown}); it is never "
                "removed: move them away, or choose another --out"
            )
        manifest, done = _work_state(store)
        if done and not force:  # one with no recorded run (e.g. no scheduler) starts again
            if manifest is not None:
                hint = "finish it with --resume, or run with --force to discard it"
            else:
                hint = "its sweep.json cannot be read, so it cannot be resumed: run with --force "
                hint += "to discard it"
            raise SweepStateError(
                f"an unfinished sweep is at {store.work} ({done} of its runs done): {hint} and "
                "start again"
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
    return store.read_manifest()


@dataclass
class Session:
    """Where this session's runs execute and whom it tells about progress."""

    executor: str
    workers: int
    scheduler: str | None
    on_progress: ProgressCallback | None
    on_executor: Callable[[ExecutorInfo], None] | None


def run_sweep(
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
    folder before it is moved into place and returns what the manifest should say about them.

    `out` must be a folder the policy of `sim.runner.outputs` lets a sweep write (ConfigError
    otherwise); it is locked for the whole sweep (ConfigError naming the holder if another
    process writes it)."""
    with writing(out, ResultKind.SWEEP, force=force, command=command) as target:
        return _run_locked(
            sweep,
            SweepStore(target),
            Session(executor, workers, scheduler, on_progress, on_executor),
            resume=resume,
            force=force,
            command=command,
            finalize=finalize,
        )


def _run_locked(
    sweep: Sweep,
    store: SweepStore,
    where: Session,
    *,
    resume: bool,
    force: bool,
    command: list[str] | None,
    finalize: Callable[[Sweep, Design, pd.DataFrame, Path], dict[str, Any]] | None,
) -> SweepOutcome:
    """`run_sweep` once the output folder is locked and checked."""
    start = time.perf_counter()
    spec = sweep.spec
    design = build_design(spec)
    runs = plan_runs(spec, design)
    manifest = _start(store, sweep, len(runs), resume=resume, force=force, command=command)
    session = {"started": now(), "executor": where.executor, "executed": 0, "rerun_damaged": 0}
    manifest["sessions"].append(session)
    info = _execute_until_verified(sweep, store, runs, manifest, session, where)
    manifest["sessions"][-1].update(session, finished=now())
    ledger = store.ledger()
    _check_every_run_once(ledger, len(runs), store)
    store.prune_series(ledger, _expects_series(spec))
    runs_frame = _canonical(ledger, sweep, design)
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
        rerun_damaged=session["rerun_damaged"],
    )


def _expects_series(spec) -> bool:
    return bool(spec.timeseries and spec.model == "vraem")


def _execute_until_verified(
    sweep: Sweep,
    store: SweepStore,
    runs: list[RunSpec],
    manifest: dict[str, Any],
    session: dict[str, Any],
    where: Session,
) -> ExecutorInfo | None:
    """Run what the verified ledger lacks, then verify again (a series damaged meanwhile runs
    again), at most MAX_PASSES times; returns the executor's description (None if nothing ran)."""
    info: ExecutorInfo | None = None
    for attempt in range(MAX_PASSES + 1):
        found = store.verify(_expects_series(sweep.spec))
        session["rerun_damaged"] += len(found.damaged)
        done = store.done_ids()
        todo = [r for r in runs if r.run_id not in done]
        if attempt == 0:
            session["runs_before"] = len(done)
        if found.damaged or found.unreadable:
            session.setdefault("damaged", []).extend(
                [*found.damaged.values(), *(f"ledger/{p} unreadable" for p in found.unreadable)]
            )
        store.write_manifest(manifest)
        failed_before = int((store.ledger()["status"] != "ok").sum()) if done else 0
        if where.on_progress:
            where.on_progress(len(done), len(runs), failed_before)
        if not todo:
            return info
        if attempt == MAX_PASSES:
            break
        with open_executor(where.executor, where.workers, where.scheduler, where.on_executor) as (
            pool,
            info,
        ):
            size = chunk_size_for(sweep.spec.chunk_size, len(todo), info.workers, sweep.spec.model)
            chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
            _execute(sweep, store, pool, chunks, info, manifest, session, failed_before, where)
    raise SweepStateError(
        f"the series of some runs in {store.work} were damaged again after running them "
        f"{MAX_PASSES} times: {session.get('damaged', [])[-SHOWN_NAMES:]}; check the disk"
    )


def _check_every_run_once(ledger: pd.DataFrame, n_runs: int, store: SweepStore) -> None:
    ids = ledger["run_id"].tolist() if len(ledger) else []
    if sorted(ids) != list(range(n_runs)):
        raise SweepStateError(
            f"the ledger in {store.work} does not hold every run exactly once "
            f"({len(ids)} rows, {len(set(ids))} distinct runs of {n_runs}); run with --force to "
            "start again"
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
    where: Session,
) -> None:
    """Submit chunks (a bounded number at a time) and record each as it finishes."""
    spec = sweep.spec
    total = manifest["runs"]
    done = total - sum(len(c) for c in chunks)
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
                weeks=spec.weeks,
                effects=spec.effects,
                effect_ratio=spec.effect_ratio,
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
                            | dict.fromkeys(spec.metric_columns, float("nan"))
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
                if where.on_progress:
                    where.on_progress(done, total, failed_before + failed)
            submit_more()
    finally:
        for future in pending:
            future.cancel()
