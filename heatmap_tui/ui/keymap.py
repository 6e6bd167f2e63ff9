"""Every binding id of the app, its default keys and what it does: what `[keymap]` can remap.

The config's `[keymap]` table maps a binding id to the keys that replace its defaults, several
separated by commas:

    [keymap]
    "app.help" = "f1"
    "browser.new" = "ctrl+n,n"

`BINDING_TABLE` is the reference the README lists; a test checks it against the bindings the
screens actually declare, so it cannot drift from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from heatmap_tui.core.safe_text import has_control


class BindingDoc(NamedTuple):
    id: str
    keys: str  # the default keys, as Textual spells them
    description: str


BINDING_TABLE: tuple[BindingDoc, ...] = (
    # Everywhere
    BindingDoc("app.help", "question_mark,f1", "Show the keys of the current screen"),
    BindingDoc("app.command_palette", "ctrl+p", "Open the command palette"),
    BindingDoc("app.quit", "ctrl+q", "Quit"),
    # Site picker
    BindingDoc("sites.choose", "enter", "Use the highlighted site"),
    BindingDoc("sites.down", "j", "Next site"),
    BindingDoc("sites.up", "k", "Previous site"),
    BindingDoc("sites.custom", "c", "Type a custom API URL"),
    BindingDoc("sites.profile", "p", "Type the profile name (a new name creates a profile)"),
    BindingDoc("sites.back", "escape", "Back"),
    # Credentials form
    BindingDoc("credentials.save", "ctrl+s", "Check the keys and save them"),
    BindingDoc("credentials.cancel", "escape", "Cancel"),
    # Application picker
    BindingDoc("apps.open", "enter", "Open the highlighted application (or the typed id)"),
    BindingDoc("apps.filter", "slash", "Type to filter the applications"),
    BindingDoc("apps.down", "down", "Next application"),
    BindingDoc("apps.up", "up", "Previous application"),
    BindingDoc("apps.vim_down", "j", "Next application (in the list)"),
    BindingDoc("apps.vim_up", "k", "Previous application (in the list)"),
    BindingDoc("apps.refresh", "ctrl+r", "Load the applications again"),
    BindingDoc("apps.keys", "ctrl+o", "Enter other keys for this profile"),
    BindingDoc("apps.back", "escape", "Clear the filter, else back to the sites"),
    # Help
    BindingDoc("help.close", "escape,q,question_mark", "Close the help"),
    # Snapshot browser
    BindingDoc("browser.new", "n", "New snapshot"),
    BindingDoc("browser.edit", "e", "Edit the snapshot"),
    BindingDoc("browser.delete", "d", "Delete the snapshot (or the marked ones)"),
    BindingDoc("browser.mark", "space", "Mark for bulk delete"),
    BindingDoc("browser.mark_all", "A,ctrl+a", "Mark all shown"),
    BindingDoc("browser.search", "slash", "Live text filter"),
    BindingDoc("browser.pick_view", "v", "Pick a view"),
    BindingDoc("browser.device", "t", "Next device type"),
    BindingDoc("browser.all_views", "a", "All known views / one view"),
    BindingDoc("browser.sort", "s", "Sort menu"),
    *(BindingDoc(f"browser.sort_{n}", str(n), f"Sort by column {n}") for n in range(1, 8)),
    BindingDoc("browser.json", "J", "Detail / JSON view"),
    BindingDoc("browser.refresh", "r", "Refresh"),
    BindingDoc("browser.copy_id", "y", "Copy the snapshot id"),
    BindingDoc("browser.open_web", "o", "Open in the Datadog web app"),
    BindingDoc("browser.back", "escape", "Back / clear"),
    BindingDoc("browser.undo", "u", "Undo the last delete (restore it from the trash)"),
    BindingDoc("browser.trash", "T", "Open the trash"),
    BindingDoc("browser.cleanup", "c", "Clean up stale snapshots"),
    BindingDoc("snapshot_table.cursor_up", "up,k", "Up"),
    BindingDoc("snapshot_table.cursor_down", "down,j", "Down"),
    BindingDoc("snapshot_table.page_up", "pageup", "Page up"),
    BindingDoc("snapshot_table.page_down", "pagedown", "Page down"),
    BindingDoc("snapshot_table.first", "home,g", "First row"),
    BindingDoc("snapshot_table.last", "end,G", "Last row"),
    BindingDoc("snapshot_table.select", "enter", "Detail / JSON view"),
    # Dialogs of the browser
    BindingDoc("snapshot_form.save", "ctrl+s", "Save the snapshot"),
    BindingDoc("snapshot_form.cancel", "escape", "Cancel"),
    BindingDoc("snapshot_form.pick_replay", "ctrl+r", "Pick the frame from a replay view"),
    BindingDoc("confirm_delete.cancel", "escape", "Cancel"),
    BindingDoc("confirm_delete.left", "left,h", "Previous button"),
    BindingDoc("confirm_delete.right", "right,l", "Next button"),
    BindingDoc("bulk_progress.close", "escape", "Stop / close"),
    BindingDoc("restore_progress.close", "escape", "Close"),
    BindingDoc("cleanup.cancel", "escape", "Cancel"),
    # Trash
    BindingDoc("trash.mark", "space", "Mark for restore or purge"),
    BindingDoc("trash.restore", "r", "Restore the entry (or the marked ones) into this connection"),
    BindingDoc("trash.purge", "p", "Purge the entry (or the marked ones) for good"),
    BindingDoc("trash.purge_old", "P", "Purge what was deleted more than 30 days ago"),
    BindingDoc("trash.down", "j", "Down"),
    BindingDoc("trash.up", "k", "Up"),
    BindingDoc("trash.back", "escape", "Back to the browser"),
    BindingDoc("view_picker.cancel", "escape", "Cancel"),
    BindingDoc("view_picker.down", "down", "Next view"),
    BindingDoc("view_picker.up", "up", "Previous view"),
    BindingDoc("sort_menu.cancel", "escape", "Cancel"),
    BindingDoc("sort_menu.down", "j", "Down"),
    BindingDoc("sort_menu.up", "k", "Up"),
    BindingDoc("replay_picker.cancel", "escape", "Cancel"),
    BindingDoc("replay_picker.more", "m", "Load more replay views"),
    BindingDoc("replay_picker.reload", "r", "Reload"),
    BindingDoc("replay_picker.down", "j", "Down"),
    BindingDoc("replay_picker.up", "k", "Up"),
)

BINDING_IDS: frozenset[str] = frozenset(doc.id for doc in BINDING_TABLE)


def unknown_binding_ids(keymap: Mapping[str, str]) -> list[str]:
    """The ids of a config keymap that no binding has (a typo, or a binding since renamed)."""
    return sorted(binding_id for binding_id in keymap if binding_id not in BINDING_IDS)


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
    problems = []
    if unknown := unknown_binding_ids(keymap):
        names = ", ".join(repr(name) for name in unknown)
        problems.append(f"The [keymap] of the config names no binding {names}; it is ignored.")
    if unusable := [i for i in unusable_binding_ids(keymap) if i in BINDING_IDS]:
        names = ", ".join(f"{i!r} ({keymap[i]!r})" for i in unusable)
        problems.append(f"The [keymap] of the config gives keys no terminal sends to {names}; ignored.")
    if not problems:
        return None
    return " ".join(problems) + " The README lists the binding ids."
