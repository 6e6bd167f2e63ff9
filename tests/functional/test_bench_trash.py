"""Smoke test of bench/bench_trash.py at a tiny size: its keys and their types, never a timing."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # `pytest` run as a script does not put the project root there
    sys.path.insert(0, str(ROOT))

from bench import bench_trash  # noqa: E402
from bench.common import TARGETS  # noqa: E402


def test_trash_bench_reports_its_targets() -> None:
    figures = bench_trash.run(entries=40, runs=1)
    for key in ("trash_list_s", "trash_restore_one_s", "trash_screen_open_s", "trash_screen_key_ms"):
        value = figures[key]
        assert isinstance(value, float) and value > 0, (key, value)
        assert key in {t.key for t in TARGETS}
    assert figures["trash_entries"] == 40
    print("\n".join(bench_trash.summary(figures)))
