"""The result folders this tool writes: their manifests, their files, and how to recognise them.

Three kinds: a run folder (`vraem run`, `vraem validate`), a comparison folder (`vraem compare`,
`vraem brief`) and a sweep folder (`vraem sweep`). Each has a manifest file. A manifest written
since issue 12 carries `"written_by": "vraem-sim"` and `"files"`, every file the tool put in the
folder; an older one is recognised by the keys it always had, and its folder's files by the names
the tool gives them (LAYOUTS).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fnmatch import fnmatchcase
from typing import Any

WRITTEN_BY_KEY = "written_by"
WRITTEN_BY = "vraem-sim"
FILES_KEY = "files"  # the manifest's list of the files written, relative, with "/"

RUN_MANIFEST = "run.json"
SUMMARY_FILE = "summary.csv"
RUN_TABLE_FILES = ("timeseries.parquet", "exits.parquet", "edge_flows.parquet", "events.parquet")
COPIED_FILES = (*RUN_TABLE_FILES, SUMMARY_FILE, RUN_MANIFEST)  # what a comparison keeps of a run
RUNS_DIR = "runs"
MANIFEST_FILE = "comparison.json"
MANIFEST_KIND = "vraem-compare"
SWEEP_MANIFEST = "sweep.json"
SWEEP_KIND = "vraem-sweep"


class ResultKind(StrEnum):
    """The kinds of result folder."""

    RUN = "run"
    COMPARE = "compare"
    SWEEP = "sweep"


@dataclass(frozen=True)
class Layout:
    """What a kind of result folder looks like: its manifest, the keys (and their types) every
    manifest of the kind has had, and the names of the files the tool writes into it."""

    kind: ResultKind
    label: str
    manifest: str
    keys: dict[str, type]
    patterns: tuple[str, ...]  # relative paths, one shell pattern per path segment
    kind_value: str | None = None  # the manifest's "kind", where it has one

    def is_manifest(self, info: Any) -> bool:
        """`info` (a parsed manifest) has this kind's structure."""
        if not isinstance(info, dict):
            return False
        if self.kind_value is not None and info.get("kind") != self.kind_value:
            return False
        return all(isinstance(info.get(key), typ) for key, typ in self.keys.items())

    def expects(self, relative: str) -> bool:
        """A file at `relative` (with "/") is one this tool writes into such a folder."""
        parts = relative.split("/")
        for pattern in self.patterns:
            segments = pattern.split("/")
            if len(segments) == len(parts) and all(
                fnmatchcase(p, s) for p, s in zip(parts, segments, strict=True)
            ):
                return True
        return False


FIGURES = ("figures/*.png", "figures/*.svg")  # every figure as PNG and SVG
RUN_LAYOUT = Layout(
    ResultKind.RUN,
    "a `vraem run` result",
    RUN_MANIFEST,
    {"config": dict, "replicate_seeds": list, "versions": dict},
    (*COPIED_FILES, "validation.csv", "validation.md", *FIGURES),
)
COMPARE_LAYOUT = Layout(
    ResultKind.COMPARE,
    "a `vraem compare` result",
    MANIFEST_FILE,
    {"pairs": list},
    (
        MANIFEST_FILE,
        "comparison.csv",
        "comparison.xlsx",
        "exit_shares.csv",
        "chance_events.csv",
        "conditional_effects.csv",
        "robustness.csv",
        "briefing.md",
        "briefing.pdf",
        *FIGURES,
        *(f"{RUNS_DIR}/*/{name}" for name in COPIED_FILES),
    ),
    kind_value=MANIFEST_KIND,
)
SWEEP_FILES = (
    SWEEP_MANIFEST,
    "runs.parquet",
    "points.csv",
    "sensitivity.csv",
    "discovery.json",
    "prim_trajectory.csv",
    *FIGURES,
    "timeseries/point=*/run-*.parquet",
    "ledger/runs-*.parquet",
)
SWEEP_LAYOUT = Layout(
    ResultKind.SWEEP,
    "a `vraem sweep` result",
    SWEEP_MANIFEST,
    {"fingerprint": str, "spec": dict, "runs": int, "sessions": list},
    SWEEP_FILES,
)
# a sweep's work folder also holds the temporary files of its atomic writes
SWEEP_WORK_LAYOUT = Layout(
    ResultKind.SWEEP,
    "the work folder of an unfinished `vraem sweep`",
    SWEEP_MANIFEST,
    SWEEP_LAYOUT.keys,
    (*SWEEP_FILES, ".*.tmp", "ledger/.*.tmp", "timeseries/point=*/.*.tmp"),
)
LAYOUTS = {layout.kind: layout for layout in (RUN_LAYOUT, COMPARE_LAYOUT, SWEEP_LAYOUT)}
