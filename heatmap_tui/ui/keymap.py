"""Every binding id of the app, its default keys and what it does: what `[keymap]` can remap.

The config's `[keymap]` table maps a binding id to the keys that replace its defaults, several
separated by commas:

    [keymap]
    "app.help" = "f1"
    "browser.new" = "ctrl+n,n"

The table is read from the `BINDINGS` the app, its screens, dialogs and widgets declare, so it
cannot drift from them. Reading it imports every UI module, so it is built only when asked for:
to check a keymap the config sets, and to write the README's table, which
`python -m heatmap_tui.ui.keymap --write-readme` rewrites between its two markers.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import re
import sys
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import NamedTuple

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode

import heatmap_tui.ui as ui
from heatmap_tui.core.safe_text import has_control

# Each group's heading, in the order the README lists them. A class not named here is headed by
# its name in words ("TrashScreen": "Trash screen") and listed after these. The help screen
# titles its groups the same way.
HEADINGS: dict[str, str] = {
    "SitePicker": "Site picker",
    "CredentialsForm": "Credentials form",
    "AppPicker": "Application picker",
    "Dialog": "Every dialog",
    "HelpScreen": "Help screen",
    "BrowserScreen": "Snapshot browser",
    "SnapshotTable": "Snapshot table",
    "SnapshotForm": "Snapshot form",
    "ReplayPicker": "Replay picker",
    "ViewPicker": "View picker",
    "SortMenu": "Sort menu",
    "ConfirmDialog": "Confirm dialog",
    "BulkDeleteProgress": "Bulk delete progress",
    "CleanupDialog": "Cleanup dialog",
    "TrashScreen": "Trash screen",
    "TrashTable": "Trash table",
    "RestoreProgress": "Restore progress",
}
EVERYWHERE = "Everywhere"  # the app's own bindings

WRITE_README = "python -m heatmap_tui.ui.keymap --write-readme"
README_START = f"<!-- keymap table: written by `{WRITE_README}` -->"
README_END = "<!-- end of the keymap table -->"


class BindingDoc(NamedTuple):
    group: str  # where it applies: "Everywhere", "Snapshot browser"
    id: str
    keys: str  # the default keys, as Textual spells them
    description: str  # the binding's tooltip (the footer shows it on hover), else its footer words


def heading(cls: type) -> str:
    """The words for where a class's bindings apply."""
    if issubclass(cls, App):
        return EVERYWHERE
    name = cls.__name__
    return HEADINGS.get(name) or re.sub(r"(?<!^)(?=[A-Z])", " ", name).capitalize()


@cache
def binding_table() -> tuple[BindingDoc, ...]:
    """Every binding with an id, shown in the footer or not, grouped by the class declaring it."""
    docs: list[BindingDoc] = []
    for module_info in pkgutil.walk_packages(ui.__path__, f"{ui.__name__}."):
        if module_info.name.endswith(".screenshots"):  # a script, not a part of the app
            continue
        module = importlib.import_module(module_info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, DOMNode) or cls.__module__ != module.__name__:
                continue
            # A class's own BINDINGS: Textual adds those of its bases, which are listed there.
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.id is not None:
                    words = binding.tooltip or binding.description
                    docs.append(BindingDoc(heading(cls), binding.id, binding.key, words))
    order = {title: index for index, title in enumerate([EVERYWHERE, *HEADINGS.values()])}
    # Stable: within a group, the order the class declares them in.
    return tuple(sorted(docs, key=lambda doc: (order.get(doc.group, len(order)), doc.group)))


@cache
def binding_ids() -> frozenset[str]:
    return frozenset(doc.id for doc in binding_table())


def unknown_binding_ids(keymap: Mapping[str, str]) -> list[str]:
    """The ids of a config keymap that no binding has (a typo, or a binding since renamed)."""
    if not keymap:  # the common case: no need to import every screen to know the ids
        return []
    ids = binding_ids()
    return sorted(binding_id for binding_id in keymap if binding_id not in ids)


def unusable_binding_ids(keymap: Mapping[str, str]) -> list[str]:
    """The ids the keymap gives keys with a control, bidi or surrogate character: no key sends
    one, and the footer and the help would write it to the terminal as it is."""
    return sorted(binding_id for binding_id, keys in keymap.items() if has_control(keys))


def usable_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """The keymap the app applies: without the entries `unusable_binding_ids` names."""
    unusable = set(unusable_binding_ids(keymap))
    return {binding_id: keys for binding_id, keys in keymap.items() if binding_id not in unusable}


def keymap_warning(keymap: Mapping[str, str]) -> str | None:
    """What is wrong with the config's keymap, in words (names in it are escaped by the caller)."""
    if not keymap:
        return None
    problems = []
    if unknown := unknown_binding_ids(keymap):
        names = ", ".join(repr(name) for name in unknown)
        problems.append(f"The [keymap] of the config names no binding {names}; it is ignored.")
    if unusable := [i for i in unusable_binding_ids(keymap) if i in binding_ids()]:
        names = ", ".join(f"{i!r} ({keymap[i]!r})" for i in unusable)
        problems.append(f"The [keymap] of the config gives keys no terminal sends to {names}; ignored.")
    if not problems:
        return None
    return " ".join(problems) + " The README lists the binding ids."


def markdown_table(docs: Sequence[BindingDoc]) -> str:
    """One table per group, under the group's heading."""
    parts: list[str] = []
    for group in dict.fromkeys(doc.group for doc in docs):
        parts += [f"**{group}**", "", "| id | default keys | what it does |", "|---|---|---|"]
        parts += [
            f"| `{doc.id}` | `{doc.keys}` | {_cell(doc.description)} |" for doc in docs if doc.group == group
        ]
        parts.append("")
    return "\n".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", r"\|")


def readme_with_table(readme: str, docs: Sequence[BindingDoc]) -> str:
    """The README's text with the table between the markers replaced by `docs`."""
    start, end = readme.find(README_START), readme.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"the README has no keymap table markers ({README_START!r} ... {README_END!r})")
    head = readme[: start + len(README_START)]
    return f"{head}\n\n{markdown_table(docs)}\n{readme[end:]}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m heatmap_tui.ui.keymap",
        description="Print the keymap table, or write it into the README between its markers.",
    )
    parser.add_argument(
        "--write-readme",
        nargs="?",
        const="README.md",
        metavar="PATH",
        type=Path,
        help="rewrite the table in this README (default: README.md of the current directory)",
    )
    args = parser.parse_args(argv)
    if args.write_readme is None:
        sys.stdout.write(markdown_table(binding_table()))
        return 0
    path: Path = args.write_readme
    old = path.read_text(encoding="utf-8")
    try:
        new = readme_with_table(old, binding_table())
    except ValueError as exc:
        parser.error(f"{path}: {exc}")
    if new != old:
        path.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
