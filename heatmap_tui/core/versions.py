"""App versions, ordered: dotted numbers compare as numbers ("2.10.0" > "2.9.1")."""

from __future__ import annotations


def version_key(text: str) -> tuple[int, tuple[int, ...], str]:
    """A sort key: dotted numbers by their numbers (after any version that does not parse);
    a version that does not parse (`2.5.0-beta`, `abc`) compares as text."""
    parts = text.strip().removeprefix("v").split(".")
    if all(p.isdigit() for p in parts):
        return (1, tuple(int(p) for p in parts), "")
    return (0, (), text)
