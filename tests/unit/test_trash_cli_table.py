"""`trash list` prints 20,000 rows through its own table writer (commands/trash.py table_text):
whatever the cells hold, it prints exactly what output.print_table, the CLI's one table, prints."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from heatmap_tui.commands import common
from heatmap_tui.commands.output import print_table
from heatmap_tui.commands.trash import table_text

CELLS = st.sampled_from(
    [
        "",
        " ",
        "a",
        "b  ",
        "  c",
        "/home",
        "日本語",
        "é",
        "a\x1b]52;c;x\x07b",
        "tab\tz",
        "x\ny",
        "\xa0",
        "n\u3000",
    ]
)
ANY_CELL = CELLS | st.text(max_size=8)


def printed(headers: tuple[str, ...], rows: list[list[str]]) -> str:
    out, real = io.StringIO(), common.sys.stdout
    common.sys.stdout = out
    try:
        print_table(headers, rows)
    finally:
        common.sys.stdout = real
    return out.getvalue()


@settings(max_examples=300, deadline=None)
@given(data=st.data(), width=st.integers(1, 4), height=st.integers(0, 6))
def test_table_text_prints_what_print_table_prints(data: st.DataObject, width: int, height: int) -> None:
    headers = tuple(f"H{i}" for i in range(width))
    rows = [data.draw(st.lists(ANY_CELL, min_size=width, max_size=width)) for _ in range(height)]
    columns = [[row[i] for row in rows] for i in range(width)]
    assert common.terminal_lines(table_text(headers, columns)) == printed(headers, rows)
