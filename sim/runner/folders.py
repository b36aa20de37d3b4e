"""Read result folders back: a run folder as a RunResult, a comparison folder as its runs and pairs.

The folders are those written by `sim.runner.results`. Anything missing or damaged raises a
ConfigError naming the file (and the key or columns) and what was expected.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from sim.config.loader import ConfigError
from sim.config.models import Scenario
from sim.runner.batch import RunResult
from sim.runner.results import (
    MANIFEST_FILE,
    MANIFEST_KIND,
    RUN_MANIFEST,
    RUN_TABLES,
    PairedDirs,
)


def folder_kind(folder: Path) -> str:
    """'compare' or 'run'; raises ConfigError for anything else."""
    folder = Path(folder)
    if not folder.is_dir():
        aside = sorted(p.name for p in folder.parent.glob(f".{folder.name}.old-*") if p.is_dir())
        hint = (
            f"; an earlier result of it is in {aside[0]}, set aside by a write that was stopped: "
            f"the next command writing into {folder.parent} puts it back"
            if aside
            else ""
        )
        raise ConfigError(folder, "", f"folder not found (expected a result folder){hint}")
    if (folder / MANIFEST_FILE).is_file():
        return "compare"
    if (folder / RUN_MANIFEST).is_file():
        return "run"
    raise ConfigError(
        folder,
        "",
        f"expected a result folder of `vraem compare` (with {MANIFEST_FILE}) or of `vraem run` "
        f"(with {RUN_MANIFEST}); neither file is there",
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, "", "file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(path, "", f"could not be read as JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigError(path, "", "expected a JSON object at the top level")
    return data


def _read_table(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    if not path.is_file():
        raise ConfigError(path, "", "file not found (expected the tables of a `vraem run` folder)")
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise ConfigError(path, "", f"could not be read as a Parquet table ({exc})") from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigError(path, ", ".join(missing), "expected these columns in the table")
    return df


def load_run(folder: Path) -> RunResult:
    """A run folder (of `vraem run` or under a comparison's runs/) as a RunResult."""
    folder = Path(folder)
    info_path = folder / RUN_MANIFEST
    info = _read_json(info_path)
    try:
        scenario = Scenario.model_validate(info["config"])
    except KeyError:
        raise ConfigError(info_path, "config", "expected the resolved scenario config") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        key = "config." + ".".join(str(p) for p in first["loc"])
        raise ConfigError(info_path, key, f"expected a valid scenario: {first['msg']}") from None
    seeds = info.get("replicate_seeds")
    if not isinstance(seeds, list) or not all(isinstance(s, int) for s in seeds):
        raise ConfigError(info_path, "replicate_seeds", "expected a list of integer seeds")
    tables = {name: _read_table(folder / name, cols) for name, cols in RUN_TABLES.items()}
    ts = tables["timeseries.parquet"]
    if ts["replicate"].nunique() != len(seeds) or int(ts["week"].max()) + 1 != scenario.weeks:
        raise ConfigError(
            folder / "timeseries.parquet",
            "",
            f"expected {len(seeds)} replicates x {scenario.weeks} weeks as in {info_path}",
        )
    return RunResult(
        scenario=scenario,
        seeds=[int(s) for s in seeds],
        timeseries=ts,
        exits=tables["exits.parquet"],
        edge_flows=tables["edge_flows.parquet"],
        events=tables["events.parquet"],
        wall_time_s=float(info.get("wall_time_s", 0.0)),
        workers=int(info.get("workers", 1)),
    )


@dataclass
class SavedComparison:
    """What a comparison folder holds: its pairs (by folder name), each distinct run, the
    folder each run was read from, and the creation time of the comparison."""

    pairs: list[PairedDirs]
    runs: dict[str, RunResult]
    sources: dict[str, Path]
    created: str | None


def load_comparison(folder: Path) -> SavedComparison:
    """The pairs and runs of a comparison folder (its comparison.json and runs/)."""
    folder = Path(folder)
    path = folder / MANIFEST_FILE
    info = _read_json(path)
    if info.get("kind") != MANIFEST_KIND or not isinstance(info.get("pairs"), list):
        raise ConfigError(path, "pairs", "expected the manifest of a `vraem compare` folder")
    saved = SavedComparison(pairs=[], runs={}, sources={}, created=None)
    for i, entry in enumerate(info["pairs"]):
        try:
            scen_rel, base_rel = entry["scenario_dir"], entry["baseline_dir"]
        except (KeyError, TypeError):
            raise ConfigError(
                path, f"pairs.{i}", "expected scenario_dir and baseline_dir"
            ) from None
        for rel in (scen_rel, base_rel):
            name = Path(rel).name
            if name not in saved.runs:
                saved.runs[name] = load_run(folder / rel)
                saved.sources[name] = folder / rel
        scen_dir, base_dir = Path(scen_rel).name, Path(base_rel).name
        scenario = saved.runs[scen_dir].scenario.name
        saved.pairs.append(PairedDirs(scenario, scen_dir, base_dir))
    if not saved.pairs:
        raise ConfigError(path, "pairs", "expected at least one scenario paired with a baseline")
    created = info.get("created")
    saved.created = created if isinstance(created, str) else None
    return saved
