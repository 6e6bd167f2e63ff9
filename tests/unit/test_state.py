"""The state file: where the app left off, apart from the config; atomic, locked, forgiving."""

from __future__ import annotations

from pathlib import Path

import pytest

from heatmap_tui.core.state import (
    Position,
    State,
    editing_state,
    load_state,
    remember,
    state_path,
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "state.json"


def test_the_state_file_lives_in_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEATMAP_TUI_DATA", str(tmp_path / "elsewhere"))
    assert state_path() == tmp_path / "elsewhere" / "state.json"


def test_remember_and_forget_keep_the_other_profiles(path: Path) -> None:
    remember("work", Position(site="EU1", application_id="a", view_name="/cart"), path)
    remember("lab", Position(application_id="b", device_type="mobile"), path)
    assert load_state(path).profiles["work"].view_name == "/cart"
    remember("work", None, path)
    assert list(load_state(path).profiles) == ["lab"]


@pytest.mark.parametrize("junk", [b"", b"{not json", b'{"profiles": 3}', b"\xff\xfe"])
def test_a_broken_state_file_is_an_empty_state_and_replaced_at_the_next_write(
    path: Path, junk: bytes
) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(junk)
    assert load_state(path) == State()
    remember("work", Position(application_id="a"), path)
    assert load_state(path).profiles["work"].application_id == "a"


def test_a_name_no_file_can_hold_writes_nothing(path: Path) -> None:
    remember("work", Position(view_name="/ok"), path)
    before = path.read_bytes()
    with pytest.raises(UnicodeEncodeError):
        remember("work", Position(view_name="/lone \ud800"), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.json", "state.json.lock"]


def test_editing_state_writes_nothing_when_nothing_changed(path: Path) -> None:
    with editing_state(path) as state:
        assert state == State()
    assert not path.exists()


def test_the_sort_is_remembered_and_a_file_from_before_it_reads_as_unsorted(path: Path) -> None:
    remember("work", Position(application_id="a", sort_column="modified", sort_reverse=True), path)
    left_off = load_state(path).profiles["work"]
    assert (left_off.sort_column, left_off.sort_reverse) == ("modified", True)
    path.write_text('{"version": 1, "profiles": {"old": {"application_id": "a", "view_name": "/cart"}}}')
    old = load_state(path).profiles["old"]
    assert (old.view_name, old.sort_column, old.sort_reverse) == ("/cart", None, False)
