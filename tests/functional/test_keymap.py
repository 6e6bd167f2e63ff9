"""The keymap table is read from the bindings themselves, and the README's copy of it is current."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from heatmap_tui.ui.keymap import (
    EVERYWHERE,
    README_END,
    README_START,
    WRITE_README,
    BindingDoc,
    binding_table,
    keymap_warning,
    main,
    markdown_table,
    readme_with_table,
)

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_binding_as_declared() -> None:
    readme = README.read_text(encoding="utf-8")
    assert readme == readme_with_table(readme, binding_table()), (
        f"README.md's keymap table is out of date: run `{WRITE_README}`"
    )


def test_each_binding_id_is_declared_once() -> None:
    twice = [i for i, n in Counter(doc.id for doc in binding_table()).items() if n > 1]
    assert twice == []


def test_the_table_has_hidden_bindings_too_grouped_by_where_they_apply() -> None:
    docs = {doc.id: doc for doc in binding_table()}
    # show=False in the dialog, so never in the footer, but remappable all the same.
    assert docs["confirm_delete.left"] == BindingDoc(
        "Confirm dialog", "confirm_delete.left", "left,h", "Previous button"
    )
    assert docs["app.quit"].group == EVERYWHERE
    assert docs["browser.new"].group == "Snapshot browser"
    assert binding_table()[0].group == EVERYWHERE


def test_an_empty_keymap_is_checked_without_importing_the_screens() -> None:
    code = (
        "import json, sys\n"
        "from heatmap_tui.ui.keymap import keymap_warning\n"
        "assert keymap_warning({}) is None\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = json.loads(out.stdout)
    assert [m for m in loaded if m.startswith(("heatmap_tui.ui.dialogs", "heatmap_tui.ui.screens"))] == []


def test_the_warning_names_unknown_ids_and_keys_no_terminal_sends() -> None:
    assert keymap_warning({"app.help": "f2"}) is None
    warning = keymap_warning({"no.such_binding": "x", "app.help": "f2,\x1b"})
    assert warning is not None
    assert "'no.such_binding'" in warning and "'app.help'" in warning


def test_the_writer_replaces_only_what_is_between_the_markers(tmp_path: Path) -> None:
    docs = [BindingDoc("Somewhere", "a.b", "x", "Split | or not")]
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{README_START}\nold table\n{README_END}\n\nThe end.\n", encoding="utf-8")
    text = readme_with_table(readme.read_text(encoding="utf-8"), docs)
    assert text.startswith(f"# Title\n\n{README_START}\n\n**Somewhere**\n")
    assert "| `a.b` | `x` | Split \\| or not |\n" in text
    assert "old table" not in text and text.endswith(f"{README_END}\n\nThe end.\n")
    assert readme_with_table(text, docs) == text

    assert main(["--write-readme", str(readme)]) == 0
    assert readme.read_text(encoding="utf-8") == readme_with_table(text, binding_table())


def test_a_readme_without_markers_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["--write-readme", str(readme)])
    assert "no keymap table markers" in capsys.readouterr().err
    assert readme.read_text(encoding="utf-8") == "# Title\n"


def test_without_an_option_it_prints_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out == markdown_table(binding_table())
