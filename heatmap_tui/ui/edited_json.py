"""A snapshot's JSON as a person edited it in their editor, read back: what PATCH would send,
checked by the edit form's own validation (forms.validate_update), what is wrong in plain words,
and which edits were ignored because the API does not let them change.

No Textual import: pure functions of the JSON written and the JSON read back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from heatmap_tui.core.models import SnapshotUpdateAttributes
from heatmap_tui.ui.forms import FormInput, validate_update

# The attributes PATCH takes (models.SnapshotUpdateAttributes); every other key is the server's.
TEXT_KEYS = ("event_id", "session_id", "view_id")
START = "start"
CHOSEN = "is_device_type_selected_by_user"
EDITABLE = frozenset({*TEXT_KEYS, START, CHOSEN})
_MISSING = object()


@dataclass(frozen=True, slots=True)
class EditedSnapshot:
    """`attributes` to send; None with no `problems` when nothing the API can change changed.
    `ignored`: the keys edited that the API does not let change (id, name, author, dates...)."""

    attributes: SnapshotUpdateAttributes | None = None
    problems: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()


def _kind(value: object) -> str:
    """What a JSON value is, in words (never the value itself: it may be any size)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


# json's messages for the usual slips, in plain words (another is shown as json words it).
PLAIN_JSON_ERRORS = {
    "Expecting value": "a value is missing or not JSON (text goes in double quotes)",
    "Extra data": "there is more after the end of the object",
    "Expecting ',' delimiter": "a comma is missing",
    "Expecting ':' delimiter": "a colon is missing after a key",
    "Expecting property name enclosed in double quotes": (
        "a key is not in double quotes, or a comma is left before a closing brace"
    ),
    "Unterminated string starting at": "a text is not closed with a double quote",
    "Invalid control character at": "a text holds a raw control character (write a newline as \\n)",
    "Invalid \\escape": "a text holds an unknown backslash escape",
}


def _json_problem(error: json.JSONDecodeError, text: str) -> str:
    lines = text.splitlines()
    line = lines[error.lineno - 1].strip() if 0 < error.lineno <= len(lines) else ""
    what = PLAIN_JSON_ERRORS.get(error.msg, error.msg)
    reads = f" (that line reads: {line[:60]}{'…' if len(line) > 60 else ''})" if line else ""
    return f"The file is not valid JSON: {what}, at line {error.lineno}, column {error.colno}{reads}."


def _form_input(attributes: dict[str, Any]) -> tuple[FormInput, list[str], set[str]]:
    """The attributes as the form's typed input, with the problems of their JSON types (and the
    keys that had one: the form's own check of those would only repeat it)."""
    problems: list[str] = []
    wrong: set[str] = set()
    texts: dict[str, str] = {}
    for key in TEXT_KEYS:
        value = attributes.get(key)
        if value is None or isinstance(value, str):
            texts[key] = value or ""
        else:
            problems.append(f"{key} must be text in quotes (or null), not {_kind(value)}.")
            wrong.add(key)
    start = attributes.get(START)
    if isinstance(start, int) and not isinstance(start, bool):
        start_text = str(start)
    elif start is None or isinstance(start, str):
        start_text = start or ""
    else:
        problems.append(f"{START} must be a whole number of milliseconds, not {_kind(start)}.")
        wrong.add(START)
        start_text = ""
    chosen = attributes.get(CHOSEN, _MISSING)
    if not isinstance(chosen, bool):
        problems.append(
            f"{CHOSEN} is missing: it must be true or false."
            if chosen is _MISSING
            else f"{CHOSEN} must be true or false, not {_kind(chosen)}."
        )
        chosen = True
    form = FormInput(
        event_id=texts.get("event_id", ""),
        start=start_text,
        session_id=texts.get("session_id", ""),
        view_id=texts.get("view_id", ""),
        is_device_type_selected_by_user=chosen,
    )
    return form, problems, wrong


def _changed_keys(before: dict[str, Any], after: dict[str, Any], skip: frozenset[str]) -> list[str]:
    keys = dict.fromkeys([*before, *after])
    return [k for k in keys if k not in skip and before.get(k, _MISSING) != after.get(k, _MISSING)]


def read_edited(written: str, edited: str) -> EditedSnapshot:
    """`written`: the snapshot's JSON as it was put in the file; `edited`: the file read back."""
    before = json.loads(written)
    if not edited.strip():
        return EditedSnapshot(problems=("The file is empty.",))
    try:
        after = json.loads(edited)
    except json.JSONDecodeError as exc:
        return EditedSnapshot(problems=(_json_problem(exc, edited),))
    if not isinstance(after, dict) or not isinstance(after.get("attributes"), dict):
        return EditedSnapshot(
            problems=('The file must hold one JSON object with an "attributes" object, as it was written.',)
        )
    old, new = before["attributes"], after["attributes"]
    ignored = _changed_keys(before, after, frozenset({"attributes"})) + _changed_keys(old, new, EDITABLE)
    form, problems, wrong = _form_input(new)
    outcome = validate_update(form)
    problems += [f"{key}: {error}" for key, error in outcome.errors.items() if key not in wrong]
    if problems or outcome.value is None:
        return EditedSnapshot(problems=tuple(problems), ignored=tuple(ignored))
    unchanged = outcome.value == validate_update(_form_input(old)[0]).value
    return EditedSnapshot(attributes=None if unchanged else outcome.value, ignored=tuple(ignored))
