"""Pair a baseline with scenarios under common random numbers: plan, run, save and load the runs.

A comparison folder (written by `vraem compare`, redrawn by `vraem brief`) holds

- `runs/<name>/`: each run's tables and `run.json`, as in a `vraem run` result folder;
- `comparison.json`: which baseline run each scenario run is paired with (paths relative to the
  folder), the focus scenario of the figures and the command;
- what `sim.report.briefing.write_briefing` draws from the pairs (tables, figures, briefing).

Every scenario is paired with a baseline run of the same seed, replicates and horizon, so replicate
k of both shares its seed and the paired difference isolates the intervention. Baselines are run
once per distinct (weeks, seed, replicates).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from sim.config.loader import ConfigError
from sim.config.models import Scenario
from sim.recorder import TIMESERIES_COLUMNS
from sim.report.effects import first_event_week
from sim.runner.batch import RunResult, run_scenario
from sim.runner.results import manifest, write_tables
from sim.scenarios import load_scenario

RUNS_DIR = "runs"
MANIFEST_FILE = "comparison.json"
RUN_MANIFEST = "run.json"
MANIFEST_KIND = "vraem-compare"

# the tables of a run folder and the columns the briefing reads from each
RUN_TABLES: dict[str, tuple[str, ...]] = {
    "timeseries.parquet": ("replicate", "week", *TIMESERIES_COLUMNS),
    "exits.parquet": ("replicate", "week", "exit", "group", "exported_kg", "price_hcl_usd_per_kg"),
    "edge_flows.parquet": ("replicate", "u", "v", "mode", "kg"),
    "events.parquet": ("replicate", "week", "type", "who", "outcome"),
}
COPIED_FILES = (*RUN_TABLES, "summary.csv", RUN_MANIFEST)

RunKey = tuple[int, int, int]  # (weeks, seed, replicates)


@dataclass
class Pair:
    """A scenario run and the baseline run that shares its seeds, with their folder names."""

    baseline: RunResult
    scenario: RunResult
    baseline_dir: str
    scenario_dir: str

    @property
    def name(self) -> str:
        return self.scenario.scenario.name

    @property
    def event_week(self) -> int:
        return first_event_week(self.scenario.scenario)


@dataclass
class Plan:
    """The configurations to run: every scenario and one baseline per distinct run key."""

    scenarios: list[Scenario]
    baselines: dict[RunKey, Scenario]
    baseline_dirs: dict[RunKey, str]


def run_key(scenario: Scenario) -> RunKey:
    return (scenario.weeks, scenario.seed, scenario.replicates)


def plan_comparison(
    baseline_file: Path,
    scenario_files: Sequence[Path],
    overrides: Sequence[str] = (),
) -> Plan:
    """Load the scenarios (with `overrides`), then the baseline once per (weeks, seed, replicates).

    Raises ConfigError for bad files and for scenario names that are not unique.
    """
    if not scenario_files:
        raise ConfigError("command line", "SCENARIO", "expected at least one scenario file")
    scenarios: list[Scenario] = []
    seen: dict[str, Path] = {}
    for path in scenario_files:
        sc = load_scenario(path, list(overrides))
        if sc.name in seen:
            raise ConfigError(
                path,
                "name",
                f"expected a scenario name not used by another scenario of this comparison "
                f"('{sc.name}' is also the name of {seen[sc.name]})",
            )
        seen[sc.name] = Path(path)
        scenarios.append(sc)
    baselines: dict[RunKey, Scenario] = {}
    for sc in scenarios:
        key = run_key(sc)
        if key not in baselines:
            baselines[key] = load_scenario(
                baseline_file,
                [
                    *overrides,
                    f"replicates={sc.replicates}",
                    f"weeks={sc.weeks}",
                    f"seed={sc.seed}",
                ],
            )
    base_name = next(iter(baselines.values())).name
    if base_name in seen:
        raise ConfigError(
            seen[base_name],
            "name",
            f"expected a name other than the baseline's ('{base_name}', from {baseline_file})",
        )
    dirs = {
        key: base_name if len(baselines) == 1 else f"{base_name}-{key[0]}w-seed{key[1]}-{key[2]}r"
        for key in baselines
    }
    return Plan(scenarios=scenarios, baselines=baselines, baseline_dirs=dirs)


def run_plan(
    plan: Plan,
    executor: Executor | None = None,
    on_start: Callable[[Scenario], Callable[[int, int], None] | None] | None = None,
) -> list[Pair]:
    """Run every baseline once and every scenario; pair them. `on_start(scenario)` may return a
    progress callback `(done, total)` for that run."""

    def run(sc: Scenario) -> RunResult:
        on_done = on_start(sc) if on_start else None
        return run_scenario(sc, workers=1, on_done=on_done, executor=executor)

    base_runs = {key: run(sc) for key, sc in plan.baselines.items()}
    pairs = []
    for sc in plan.scenarios:
        key = run_key(sc)
        pairs.append(Pair(base_runs[key], run(sc), plan.baseline_dirs[key], sc.name))
    return pairs


# ----------------------------------------------------------------------------------------------
# writing
# ----------------------------------------------------------------------------------------------
def check_target(out: Path) -> None:
    """Raise ConfigError unless `out` is new, an empty folder or a comparison folder: a folder
    with other files is never replaced."""
    out = Path(out)
    if not out.exists():
        return
    if not out.is_dir():
        raise ConfigError(out, "--out", "expected a folder for the comparison, found a file")
    if (out / MANIFEST_FILE).is_file() or not any(out.iterdir()):
        return
    raise ConfigError(
        out,
        "--out",
        f"expected a new folder, an empty one or a comparison folder to replace (with "
        f"{MANIFEST_FILE}); this folder holds other files, which would be lost",
    )


def save_runs(pairs: Sequence[Pair], folder: Path, command: list[str] | None = None) -> str:
    """Write each distinct run's tables and run.json under `folder/runs/`, and comparison.json;
    return the creation time recorded in it."""
    written: set[str] = set()
    for pair in pairs:
        runs = ((pair.baseline, pair.baseline_dir), (pair.scenario, pair.scenario_dir))
        for result, name in runs:
            if name in written:
                continue
            target = folder / RUNS_DIR / name
            target.mkdir(parents=True)
            write_tables(result, target)
            info = manifest(result, command)
            (target / RUN_MANIFEST).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
            written.add(name)
    return write_manifest(pairs, folder, command)


def write_manifest(
    pairs: Sequence[Pair],
    folder: Path,
    command: list[str] | None,
    created: str | None = None,
) -> str:
    """Write comparison.json (`created` defaults to now); return its creation time."""
    from sim import __version__

    created = created or datetime.now(UTC).isoformat(timespec="seconds")
    info = {
        "kind": MANIFEST_KIND,
        "vraem_sim": __version__,
        "created": created,
        "command": command,
        "focus": pairs[0].name,
        "pairs": [
            {
                "scenario": p.name,
                "scenario_dir": f"{RUNS_DIR}/{p.scenario_dir}",
                "baseline_dir": f"{RUNS_DIR}/{p.baseline_dir}",
            }
            for p in pairs
        ],
    }
    (folder / MANIFEST_FILE).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return created


def copy_runs(
    pairs: Sequence[Pair],
    sources: dict[str, Path],
    folder: Path,
    command: list[str] | None = None,
    created: str | None = None,
) -> str:
    """Copy (hard-link where possible) the run folders in `sources` (dir name -> source folder)
    into `folder/runs/`, and write comparison.json; return its creation time."""
    for name, src in sources.items():
        target = folder / RUNS_DIR / name
        target.mkdir(parents=True)
        for file in COPIED_FILES:
            if (src / file).exists():
                _link_or_copy(src / file, target / file)
    return write_manifest(pairs, folder, command, created)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


# ----------------------------------------------------------------------------------------------
# loading
# ----------------------------------------------------------------------------------------------
def folder_kind(folder: Path) -> str:
    """'compare' or 'run'; raises ConfigError for anything else."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ConfigError(folder, "", "folder not found (expected a result folder)")
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


def load_comparison(folder: Path) -> tuple[list[Pair], dict[str, Path], str | None]:
    """The pairs of a comparison folder, the source folder of each run (dir name -> path) and
    the creation time of the comparison."""
    folder = Path(folder)
    path = folder / MANIFEST_FILE
    info = _read_json(path)
    if info.get("kind") != MANIFEST_KIND or not isinstance(info.get("pairs"), list):
        raise ConfigError(path, "pairs", "expected the manifest of a `vraem compare` folder")
    runs: dict[str, RunResult] = {}
    sources: dict[str, Path] = {}
    pairs = []
    for i, entry in enumerate(info["pairs"]):
        try:
            scen_rel, base_rel = entry["scenario_dir"], entry["baseline_dir"]
        except (KeyError, TypeError):
            raise ConfigError(
                path, f"pairs.{i}", "expected scenario_dir and baseline_dir"
            ) from None
        for rel in (scen_rel, base_rel):
            name = Path(rel).name
            if name not in runs:
                runs[name] = load_run(folder / rel)
                sources[name] = folder / rel
        base, scen = runs[Path(base_rel).name], runs[Path(scen_rel).name]
        check_pairing(base, scen, folder / base_rel, folder / scen_rel)
        pairs.append(Pair(base, scen, Path(base_rel).name, Path(scen_rel).name))
    if not pairs:
        raise ConfigError(path, "pairs", "expected at least one scenario paired with a baseline")
    created = info.get("created")
    return pairs, sources, created if isinstance(created, str) else None


def pair_run_folders(folders: Sequence[Path]) -> tuple[list[Pair], dict[str, Path]]:
    """Pair `vraem run` folders: the first is the baseline, each other one a scenario.

    Their seeds, replicates and horizon must match (common random numbers).
    """
    if len(folders) < 2:
        raise ConfigError(
            folders[0] if folders else "command line",
            "",
            "expected a `vraem compare` folder, or two or more `vraem run` folders "
            "(the baseline first)",
        )
    base_dir = Path(folders[0])
    base = load_run(base_dir)
    names = {base.scenario.name: base_dir}
    sources = {base.scenario.name: base_dir}
    pairs = []
    for folder in folders[1:]:
        if folder_kind(folder) != "run":
            raise ConfigError(folder, "", "expected a `vraem run` folder, not a comparison folder")
        scen = load_run(folder)
        if scen.scenario.name in names:
            raise ConfigError(
                Path(folder) / RUN_MANIFEST,
                "config.name",
                f"expected a scenario name not used by another folder "
                f"('{scen.scenario.name}' is also in {names[scen.scenario.name]})",
            )
        check_pairing(base, scen, base_dir, Path(folder))
        names[scen.scenario.name] = Path(folder)
        sources[scen.scenario.name] = Path(folder)
        pairs.append(Pair(base, scen, base.scenario.name, scen.scenario.name))
    return pairs, sources


def check_pairing(base: RunResult, scen: RunResult, base_dir: Path, scen_dir: Path) -> None:
    """Raise ConfigError unless the two runs share seeds and horizon (common random numbers)."""
    b, s = base.scenario, scen.scenario
    if base.seeds != scen.seeds or b.weeks != s.weeks:
        raise ConfigError(
            scen_dir / RUN_MANIFEST,
            "replicate_seeds",
            f"expected the same replicate seeds and weeks as the baseline {base_dir / RUN_MANIFEST}"
            f" (common random numbers): the baseline has seed {b.seed}, {b.replicates} "
            f"replicates, {b.weeks} weeks; this run has seed {s.seed}, {s.replicates} replicates, "
            f"{s.weeks} weeks. Rerun one with matching --seed, --replicates and --weeks",
        )
