"""The browser's views: those typed or remembered, those discovered with their counts, those the
local view registry knows (core/view_registry.py), and which of them came back cut short at the
page limit. No Textual here: the screen shows what this holds.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from heatmap_tui.core.rum_models import ViewCount
from heatmap_tui.core.view_registry import Coverage


class ViewCatalog:
    """The views known to one browser, in the order the view filter, the picker and all-views
    mode offer them: the discovered ones busiest first, then any other (typed, or remembered)."""

    def __init__(self, views: Iterable[str] = (), discovered: Sequence[ViewCount] | None = None) -> None:
        self._views = list(dict.fromkeys(v for v in views if v))  # no view yet: none known
        # The app's busiest views with their counts; None: not asked yet, or the asking failed.
        self.discovered: list[ViewCount] | None = None
        # The views of the last load whose list came back full: cut at the page limit, perhaps.
        self.cut: tuple[str, ...] = ()
        if discovered is not None:
            self.found(discovered)

    @property
    def views(self) -> list[str]:
        return list(self._views)

    @property
    def counts(self) -> dict[str, int]:
        return {v.name: v.count for v in self.discovered or []}

    def add(self, name: str) -> bool:
        """Know `name` too (after the others); whether it was new."""
        if name in self._views:
            return False
        self._views.append(name)
        return True

    def known(self, names: Iterable[str]) -> bool:
        """Know these too (the registry's, after the others); whether any was new."""
        new = [name for name in names if name and name not in self._views]
        self._views += dict.fromkeys(new)
        return bool(new)

    def coverage(self) -> Coverage:
        """How many views all-views mode covers, and from where: discovered in traffic, or
        known locally (typed, remembered, or from the registry)."""
        return Coverage.of([v.name for v in self.discovered or []], self._views)

    @property
    def local_only(self) -> bool:
        """Discovery answered with no traffic, yet views are known locally."""
        return self.discovered == [] and bool(self._views)

    def found(self, discovered: Sequence[ViewCount]) -> None:
        """Discovery answered: its views come first, busiest first; the others stay after them."""
        self.discovered = list(discovered)
        self._views = list(dict.fromkeys([*(v.name for v in discovered), *self._views]))

    def listed(self, listed: Iterable[str], full: Collection[str]) -> None:
        """A load listed these views; those in `full` came back as long as the page limit."""
        self.cut = tuple(v for v in listed if v in full)
