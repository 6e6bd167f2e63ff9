"""`python -m bench` (`make bench`): every benchmark in one run, then a table and bench/results.json.

The machine is shared and noisy, so nothing is compared with a number measured elsewhere: each
figure is a ratio (or a latency) of two things measured side by side in this run, from medians.
A missed target is reported, not fatal: the exit status is 0 unless a benchmark could not run.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from bench.common import RESULTS_PATH, TARGETS, machine

# (name, module): each module's run() returns a dict holding its target keys, and more, and
# its summary(figures) gives the lines to print about them.
BENCHES = (
    ("filter", "bench.bench_filter"),
    ("filter_app", "bench.bench_filter_app"),
    ("startup", "bench.bench_startup"),
    ("memory", "bench.bench_memory"),
    ("bulk", "bench.bench_bulk"),
    ("bulk_cli", "bench.bench_bulk_cli"),
    ("all_views", "bench.bench_all_views"),
    ("trash", "bench.bench_trash"),
)


def _format(value: float | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) >= 1):
        return f"{value:g}"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def table(results: dict[str, Any]) -> list[str]:
    rows = [("metric", "value", "target", "result")]
    for target in TARGETS:
        value = results.get(target.key)
        met = target.met(value)
        verdict = "ERROR" if value is None else "" if met is None else "pass" if met else "MISS"
        rows.append((target.key, _format(value), target.describe(), verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def write_results(results: dict[str, Any], path: Path = RESULTS_PATH) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def main() -> int:
    info = machine()
    info["load_average_at_start"] = round(os.getloadavg()[0], 2)
    print(
        f"heatmap-tui benchmarks: {info['cores']} cores, Python {info['python']}, "
        f"Textual {info['textual']}, {info['platform']}, load {info['load_average_at_start']}",
        flush=True,
    )
    figures: dict[str, Any] = {}
    errors: dict[str, str] = {}
    started = time.perf_counter()
    for name, module_name in BENCHES:
        print(f"\n== {name} ({module_name})", flush=True)
        t0 = time.perf_counter()
        try:
            module = importlib.import_module(module_name)
            found = module.run()
        except Exception:
            errors[name] = traceback.format_exc()
            print(errors[name], file=sys.stderr, flush=True)
            continue
        figures.update(found)
        print("\n".join(module.summary(found)))
        print(f"  ({time.perf_counter() - t0:.0f} s)", flush=True)
    info["load_average_at_end"] = round(os.getloadavg()[0], 2)

    results: dict[str, Any] = {t.key: figures.get(t.key) for t in TARGETS}
    results["machine"] = info
    write_results(results)

    print(
        f"\n== results ({time.perf_counter() - started:.0f} s; written to {RESULTS_PATH.relative_to(RESULTS_PATH.parent.parent)})"
    )
    print("\n".join(table(results)))
    missed = [t.key for t in TARGETS if t.met(results[t.key]) is False]
    if missed:
        print(f"\nMISSED {len(missed)} of {len(TARGETS)} targets: {', '.join(missed)}")
    else:
        print("\nAll measured targets met.")
    if errors:
        print(f"Could not run: {', '.join(errors)} (traceback above)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
