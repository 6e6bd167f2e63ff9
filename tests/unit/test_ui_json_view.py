"""The detail pane's JSON view: the API's JSON, with nothing in it that acts on the terminal."""

from __future__ import annotations

import json

from heatmap_tui.core.safe_text import has_control
from heatmap_tui.ui.widgets.detail_pane import json_text, snapshot_json
from tests.apps.table_app import make_snapshot

HOSTILE = "DEL \x7f C1 \x9b31m RTL \u202egnp.exe ESC \x1b]52;c;eA==\x07 NL \n lone \ud800 [/] Café"


def test_the_json_view_escapes_what_json_dumps_leaves_raw_and_stays_the_same_json() -> None:
    snapshot = make_snapshot(1, snapshot_name=HOSTILE, view_name="/v\u2028x", created_by="\u2066A\u2069")
    text = snapshot_json(snapshot)
    lines = text.split("\n")
    assert not any(has_control(line) for line in lines), [line for line in lines if has_control(line)]
    assert "\\u007f" in text and "\\u009b" in text and "\\u202e" in text and "\\ud800" in text
    assert "Café" in text and "[/]" in text  # readable text stays as it is
    parsed = json.loads(text)
    assert parsed["attributes"]["snapshot_name"] == HOSTILE
    assert parsed["attributes"]["view_name"] == "/v\u2028x"
    # What the pane shows is that text, highlighted: never parsed as JSON (or markup) again.
    shown = json_text(snapshot)
    assert shown.plain == text
    assert shown.spans  # highlighted
