"""The benchmark suite: every performance target of the project, measured, with pass or miss.

    make bench                                   # all of it (about 10 minutes on 2 cores)
    .venv/bin/python benchmarks/run.py --only B1 B10
    .venv/bin/python benchmarks/run.py --quick --out /tmp/results.json   # a tiny smoke version

Prints a table and writes `benchmarks/results.json` (the machine, the date, the commit and every
figure with its target and whether it passes). `--only` measures some figures again and keeps
the file's others; each figure carries the date and commit it was measured at. Ratios are
measured side by side in one process run, medians over at least 5 repeats
(benchmarks/measures.py). Timing lives here, never in a timed test; the test suite runs
`--quick` so the suite cannot rot. `--quick` figures are not comparable with the targets: the
file says so and marks none as passing or missing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import operator
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import measures
import mesa
import numpy as np
import psutil

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"


@dataclass(frozen=True)
class Target:
    """One figure: what it measures, its unit and the bound it must meet."""

    id: str
    what: str
    unit: str
    op: str  # ">=", "<=" or "<"
    bound: float

    def passes(self, value: float) -> bool:
        compare: Callable[[float, float], bool] = {
            ">=": operator.ge,
            "<=": operator.le,
            "<": operator.lt,
        }[self.op]
        return bool(compare(value, self.bound))

    @property
    def target(self) -> str:
        return f"{self.op} {self.bound:g}{'x' if self.unit == 'x' else ' ' + self.unit}"


TARGETS = [
    Target("B1", "grower step: vectorised vs one Mesa Agent per household (20,000)", "x", ">=", 50),
    Target("B2", "one run, 4x the households vs 1x (time)", "x", "<=", 1.3),
    Target("B3", "one run, 4x the trafficking organisations vs 1x (time)", "x", "<=", 2.0),
    Target("B4", "time per week, weeks 200-260 vs weeks 0-60", "x", "<=", 1.2),
    Target("B5", "sweep of 200 runs: 2 local workers vs 1 (throughput)", "x", ">=", 1.8),
    Target("B6", "the same sweep: Dask LocalCluster (2) vs 2 local workers", "x", ">=", 0.95),
    Target("B7", "the same runs: vraem sweep vs mesa.batch_run (2 processes)", "x", ">=", 1.0),
    Target("B8", "peak memory, 1,000-run sweep (series kept, streamed to disk)", "MiB", "<=", 1024),
    Target("B9", "one explorer step of the default model (with the page update)", "ms", "<=", 100),
    Target("B10", "one 260-week baseline replicate", "s", "<=", 0.4),
    Target("B11", "a 1,000-run sweep of 260-week runs on 2 cores", "s", "<", 360),
]
BY_ID = {t.id: t for t in TARGETS}


def measure(ids: list[str], sizes: measures.Sizes, log: Callable[[str], None]) -> dict[str, Any]:
    """Every figure in `ids`, measured at `sizes`; {id: {"value", "detail", "seconds"}}."""
    found: dict[str, Any] = {}
    groups: list[tuple[tuple[str, ...], Callable[[], dict[str, Any]]]] = [
        (("B1",), lambda: {"B1": measures.grower_step(sizes)}),
        (("B2",), lambda: {"B2": measures.scaled_run(sizes, "growers.households", 4)}),
        (("B3",), lambda: {"B3": measures.scaled_run(sizes, "traffickers.organisations", 4)}),
        (("B4",), lambda: {"B4": measures.week_growth(sizes)}),
        (("B5", "B6", "B7"), lambda: measures.sweep_executors(sizes)),
        (("B8", "B11"), lambda: measures.big_sweep(sizes)),
        (("B9",), lambda: {"B9": measures.explorer_step(sizes)}),
        (("B10",), lambda: {"B10": measures.one_replicate(sizes)}),
    ]
    for group, run in groups:
        if not set(group) & set(ids):
            continue
        log(f"measuring {', '.join(group)} ...")
        start = time.perf_counter()
        results = run()
        took = time.perf_counter() - start
        for key, result in results.items():
            if key in ids:
                found[key] = result | {"seconds": took}
    return found


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
    }


def commit() -> str:
    """The checked-out commit, with '+changes' when the tree differs from it."""

    def git(*args: str) -> str:
        out = subprocess.run(["git", *args], cwd=HERE, capture_output=True, text=True)
        return out.stdout.strip()

    rev = git("rev-parse", "--short", "HEAD") or "unknown"
    return rev + ("+changes" if git("status", "--porcelain", "--untracked-files=no") else "")


def report(found: dict[str, Any], quick: bool) -> list[dict[str, Any]]:
    """One row per figure: id, what, value, unit, target, passed (None with --quick)."""
    rows = []
    for t in TARGETS:
        if t.id not in found:
            continue
        value = float(found[t.id]["value"])
        rows.append(
            {
                "id": t.id,
                "what": t.what,
                "value": value,
                "unit": t.unit,
                "target": t.target,
                "passed": None if quick else t.passes(value),
                "detail": found[t.id]["detail"],
                "measured_in_s": round(found[t.id]["seconds"], 1),
            }
        )
    return rows


def shown(value: float) -> str:
    """A figure as the table shows it: whole numbers from 100, else 3 decimals below 10 (so that
    a ratio a hair under its bound, such as 1.799 against 1.8, does not read as the bound)."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.3f}"


def table(rows: list[dict[str, Any]], quick: bool) -> str:
    """The rows as a plain-text table."""
    lines = [f"{'id':<4} {'value':>9} {'unit':<4} {'target':<10} {'':<6} what"]
    for r in rows:
        verdict = "quick" if quick else ("pass" if r["passed"] else "MISS")
        lines.append(
            f"{r['id']:<4} {shown(r['value']):>9} {r['unit']:<4} {r['target']:<10} {verdict:<6} "
            f"{r['what']}"
        )
    return "\n".join(lines)


def markdown(doc: dict[str, Any]) -> str:
    """A results file as the Markdown table of benchmarks/README.md."""
    m = doc["machine"]
    lines = [
        f"Measured {doc['date'][:10]} at commit {doc['commit']} on {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gib']} GiB (Python {m['python']}, numpy {m['numpy']}, Mesa {m['mesa']}); "
        f"medians over {doc['repeats']} repeats.",
        "",
        "| id | what | value | target | |",
        "|---|---|---|---|---|",
    ]
    for r in doc["figures"]:
        verdict = "quick" if r["passed"] is None else ("pass" if r["passed"] else "**miss**")
        unit = "x" if r["unit"] == "x" else f" {r['unit']}"
        lines.append(
            f"| {r['id']} | {r['what']} | {shown(r['value'])}{unit} | {r['target']} | {verdict} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tiny version (a smoke test)")
    parser.add_argument("--only", nargs="+", metavar="ID", choices=list(BY_ID), default=None)
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    parser.add_argument(
        "--markdown", action="store_true", help="print --out's results as Markdown; measure nothing"
    )
    args = parser.parse_args(argv)
    if args.markdown:
        print(markdown(json.loads(args.out.read_text(encoding="utf-8"))))
        return 0
    sizes = measures.QUICK if args.quick else measures.FULL
    ids = args.only or list(BY_ID)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    rev = commit()  # the code that runs: read before measuring, while edits may follow
    found = measure(ids, sizes, log)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    rows = [r | {"date": now, "commit": rev} for r in report(found, args.quick)]
    if args.only and args.out.exists() and not args.quick:
        # keep the other figures of the file (each with its own date and commit)
        kept = json.loads(args.out.read_text(encoding="utf-8")).get("figures", [])
        rows += [r for r in kept if r["id"] not in found]
        rows.sort(key=lambda r: list(BY_ID).index(r["id"]))
    doc = {
        "machine": machine(),
        "date": now,
        "commit": rev,
        "quick": args.quick,
        "repeats": sizes.repeats,
        "figures": rows,
    }
    partial = args.out.with_name(args.out.name + ".partial")
    partial.write_text(json.dumps(doc, indent=2, default=float) + "\n", encoding="utf-8")
    partial.replace(args.out)  # whole or not at all
    print(table(rows, args.quick))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
