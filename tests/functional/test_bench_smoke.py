"""Smoke test of the benchmarks: each one's run() at a tiny size, for its keys and their types.

No timing is asserted (the machine is shared); `make bench` is where the numbers come from.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `pytest` run as a script does not put the project root there
    sys.path.insert(0, str(ROOT))

from bench import __main__ as bench_main  # noqa: E402
from bench import (  # noqa: E402
    bench_all_views,
    bench_bulk,
    bench_bulk_cli,
    bench_filter,
    bench_filter_app,
    bench_memory,
    bench_stale,
    bench_startup,
)
from bench.common import TARGETS  # noqa: E402

RESULT_KEYS = {
    "filter_p50_ms",
    "filter_p95_ms",
    "filter_speedup_vs_datatable",
    "sort_ms",
    "first_table_ratio",
    "resume_rtt150_ratio",
    "first_table_rtt_ratio",
    "bulk_delete_ratio_vs_sdk",
    "bulk_cli_ratio_vs_sdk_threaded",
    "bulk_cli_ratio_vs_sdk_sequential",
    "rate_limited_failures",
    "rate_limited_ratio_to_floor",
    "memory_ratio",
    "all_views_ratio",
    "filter_app_p50_ms",
    "filter_app_p95_ms",
    "filter_app_settled_p95_ms",
    "sort_app_ms",
    "filter_app_speedup_vs_datatable_app",
    "trash_list_s",
    "trash_restore_one_s",
    "trash_screen_open_s",
    "trash_screen_key_ms",
}


def _positive_numbers(figures: dict[str, object], *keys: str) -> None:
    for key in keys:
        value = figures[key]
        assert isinstance(value, float | int) and not isinstance(value, bool), (key, value)
        assert value > 0, (key, value)


def test_targets_are_the_result_keys() -> None:
    assert {t.key for t in TARGETS} == RESULT_KEYS


def test_results_file_and_table(tmp_path: Path) -> None:
    results = {t.key: 1.0 for t in TARGETS} | {"rate_limited_failures": 0, "memory_ratio": None}
    results["machine"] = bench_main.machine()
    path = tmp_path / "results.json"
    bench_main.write_results(results, path)
    written = json.loads(path.read_text())
    assert set(written) == RESULT_KEYS | {"machine"}
    assert {"cores", "python", "textual", "platform"} <= set(written["machine"])
    lines = bench_main.table(written)
    assert lines[0].split() == ["metric", "value", "target", "result"]
    verdicts = {line.split()[0]: line.split()[-1] for line in lines[2:]}
    assert verdicts["rate_limited_failures"] == "pass"
    assert verdicts["memory_ratio"] == "ERROR"
    assert verdicts["bulk_cli_ratio_vs_sdk_threaded"] == "MISS"  # 1.0 is not <= 0.8
    no_target = {line.split()[0]: line.split()[2:] for line in lines[2:]}["filter_speedup_vs_datatable"]
    assert no_target == ["none"]  # a figure without a target: neither pass nor MISS


def test_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_filter, "ROWS", 200)
    monkeypatch.setattr(bench_filter, "ROUNDS", 1)
    monkeypatch.setattr(bench_filter, "TERMS", ("/ch",))
    figures = bench_filter.run()
    _positive_numbers(figures, "filter_p50_ms", "filter_p95_ms", "filter_speedup_vs_datatable", "sort_ms")


def test_filter_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_filter_app, "TERMS", ("/ca", "mo"))
    figures = bench_filter_app.run(rounds=1, snapshots=140)
    _positive_numbers(
        figures,
        "filter_app_p50_ms",
        "filter_app_p95_ms",
        "filter_app_settled_p95_ms",
        "sort_app_ms",
        "filter_app_speedup_vs_datatable_app",
        "filter_datatable_app_p50_ms",
    )
    assert figures["filter_app_keystrokes"] == 10
    print("\n".join(bench_filter_app.summary(figures)))


def test_bulk() -> None:
    figures = bench_bulk.run(n=20, latency_ms=1, rate_limited_n=6, limit=5, period=1.0, ours_runs=1)
    _positive_numbers(figures, "bulk_delete_ratio_vs_sdk", "rate_limited_ratio_to_floor", "bulk_official_s")
    assert figures["rate_limited_failures"] == 0
    assert figures["rate_limited_left"] == 0
    print("\n".join(bench_bulk.summary(figures)))


def test_bulk_cli() -> None:
    figures = bench_bulk_cli.run(sizes=(10, 20), latency_ms=1, runs=1, sequential_n=10)
    _positive_numbers(figures, "bulk_cli_ratio_vs_sdk_threaded", "bulk_cli_ratio_vs_sdk_sequential")
    _positive_numbers(figures, "bulk_cli_ratio_vs_sdk_threaded_20", "bulk_cli_20_s", "bulk_sdk_threaded_20_s")
    print("\n".join(bench_bulk_cli.summary(figures)))


def test_rate_limit_floor() -> None:
    # 250 requests at 100 per 10 s: the last one is let in at 20 s at the earliest.
    assert bench_bulk.rate_limit_floor(250, 100, 10.0, 0.03) == pytest.approx(20.03)
    assert bench_bulk.rate_limit_floor(100, 100, 10.0, 0.03) == pytest.approx(0.03)
    assert bench_bulk.rate_limit_floor(101, 100, 10.0, 0.03) == pytest.approx(10.03)


def test_all_views() -> None:
    figures = bench_all_views.run(views=3, per_view=2, latency_ms=1, runs=1)
    _positive_numbers(figures, "all_views_ratio", "all_views_concurrent_s", "all_views_sequential_s")
    print("\n".join(bench_all_views.summary(figures)))


def test_startup() -> None:
    figures = bench_startup.run(runs=1, rows=20, warm_up=False, rtt_ms=5)
    _positive_numbers(figures, "first_table_ratio", "first_table_app_s", "first_table_floor_s")
    _positive_numbers(figures, "first_table_rtt_ratio", "first_table_rtt_app_s")
    _positive_numbers(figures, "resume_rtt150_ratio", "resume_rtt150_app_s", "resume_rtt150_floor_s")
    print("\n".join(bench_startup.summary(figures)))


def test_memory() -> None:
    # At least one snapshot in each of the views the app discovers.
    snapshots = len(bench_memory._views()) * 2
    figures = bench_memory.run(runs=1, snapshots=snapshots, floor_rows=20, warm_up=False)
    _positive_numbers(figures, "memory_ratio", "memory_app_kb", "memory_floor_kb", "memory_stack_floor_kb")
    assert figures["memory_stack_floor_kb"] > figures["memory_floor_kb"]  # the stack weighs something
    print("\n".join(bench_memory.summary(figures)))


def test_stale(tmp_path: Path) -> None:
    figures = bench_stale.run(latency_ms=0, runs=1)
    _positive_numbers(figures, *bench_stale.RESULT_KEYS)
    for key in ("stale_requests", "stale_requests_one_by_one"):
        assert isinstance(figures[key], int), (key, figures[key])
    # The one-by-one peer asks at least once per stale snapshot (its frame); ours batches them.
    assert figures["stale_requests_one_by_one"] > figures["stale_snapshots"] > figures["stale_requests"]
    print("\n".join(bench_stale.summary(figures)))
    # Merged into the results file, every other key kept.
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"memory_ratio": 1.2, "machine": {"cores": 2}}))
    bench_stale.merge_results(figures, path)
    written = json.loads(path.read_text())
    assert set(written) == {"memory_ratio", "machine", *bench_stale.RESULT_KEYS}
    assert written["memory_ratio"] == 1.2
    assert written["stale_requests"] == figures["stale_requests"]
