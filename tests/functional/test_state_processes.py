"""The state file under several processes at once: locked read-modify-writes, whole files only."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from heatmap_tui.core.state import State, load_state


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "state.json"


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from heatmap_tui.core.state import Position, remember
    path, profile, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    for i in range(count):
        remember(profile, Position(application_id=profile, view_name=f"/view/{i}"), path)
    """
)


def test_concurrent_writers_never_corrupt_the_file_nor_lose_each_others_profiles(path: Path) -> None:
    """A CLI command and TUIs writing at once: each write is a locked read-modify-write of one
    profile, renamed into place; a reader meanwhile always parses a whole file."""
    count = 60
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(count)])
        for name in ("tui-1", "tui-2", "cli")
    ]
    seen = 0
    while any(w.poll() is None for w in writers):
        if path.exists():
            text = path.read_bytes()
            State.model_validate_json(text)  # never half a file
            seen += 1
    assert [w.wait() for w in writers] == [0, 0, 0]
    state = load_state(path)
    assert {name: p.view_name for name, p in state.profiles.items()} == dict.fromkeys(
        ("tui-1", "tui-2", "cli"), f"/view/{count - 1}"
    )
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.json", "state.json.lock"]
