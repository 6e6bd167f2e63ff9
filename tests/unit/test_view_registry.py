"""The local view registry: recorded, forgotten, written atomically, shared by processes."""

from __future__ import annotations

import json
import multiprocessing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from heatmap_tui.core.view_registry import (
    Coverage,
    Source,
    entries,
    forget,
    known_views,
    record,
    registry_path,
)

APP = "app-1"


def test_record_keeps_sources_and_last_traffic_and_lists_seen_first() -> None:
    seen = datetime(2026, 1, 5, tzinfo=UTC)
    assert record("p", APP, ["/typed", "/b"], Source.TYPED) == ["/typed", "/b"]
    assert record("p", APP, ["/home", "/b"], Source.TRAFFIC, seen_at=seen) == ["/home"]
    record("p", APP, ["/cart"], Source.TRAFFIC, seen_at=seen + timedelta(days=1))
    known = entries("p", APP)
    assert known["/b"].sources == ["typed", "traffic"] and known["/b"].last_traffic == seen
    assert known["/typed"].last_traffic is None and known["/typed"].recorded_at is not None
    # The most recently seen first, then the never seen by name.
    assert known_views("p", APP) == ["/cart", "/b", "/home", "/typed"]
    assert known_views("other", APP) == [] and known_views("p", "app-2") == []


def test_forget_drops_only_the_names_given_and_empty_entries() -> None:
    record("p", APP, ["/a", "/b"], Source.ADDED)
    assert forget("p", APP, ["/a", "/nope"]) == ["/a"]
    assert known_views("p", APP) == ["/b"]
    forget("p", APP, ["/b"])
    assert json.loads(registry_path().read_text())["profiles"] == {}


def test_names_no_file_can_hold_are_not_kept() -> None:
    assert record("p", APP, ["/ok", "bad\udc80", "  "], Source.TRAFFIC) == ["/ok"]
    assert known_views("p", APP) == ["/ok"]


def test_written_atomically_and_a_broken_file_is_replaced() -> None:
    path = registry_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{not json")
    assert known_views("p", APP) == []
    record("p", APP, ["/x"], Source.IMPORT)
    assert json.loads(path.read_text())["profiles"]["p"][APP]["/x"]["sources"] == ["import"]
    leftovers = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_coverage_says_how_many_and_from_where() -> None:
    covered = Coverage.of(["/a", "/b"], ["/b", "/c"]) + Coverage.of(["/z"], ["/y"])
    assert covered.views == ["/a", "/b", "/z", "/c", "/y"]
    assert covered.describe() == "5 views: 3 from traffic, 2 known locally"
    assert covered.json() == {"views": 5, "from_traffic": 3, "known_locally": 2}


def _writer(path: str, worker: int, count: int) -> None:
    for i in range(count):
        record("p", APP, [f"/w{worker}/{i}"], Source.TYPED, path=Path(path))


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "views.json"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(path), w, 25)) for w in range(2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(60)
        assert process.exitcode == 0
    known = set(known_views("p", APP, path=path))
    assert known == {f"/w{w}/{i}" for w in range(2) for i in range(25)}
