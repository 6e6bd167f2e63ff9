"""The shape of App.notify, for the parts of the shell that report through it without holding the App."""

from __future__ import annotations

from typing import Protocol

from textual.notifications import SeverityLevel


class Notify(Protocol):
    def __call__(
        self, message: str, *, title: str = ..., severity: SeverityLevel = ..., timeout: float | None = ...
    ) -> None: ...
