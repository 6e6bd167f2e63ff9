"""Export snapshots to a JSON file in the API's own shape, and import such a file into an app.

The file is exactly what the list endpoint answers, `{"data": [Snapshot, ...]}`, so it pipes into
jq and reads back with nothing but the API's models. Import also accepts a single
`{"data": Snapshot}` (a create/update answer) and a bare list of snapshots.

Import is idempotent: a snapshot whose (view, device, event id, name) already exists in the target
application is skipped, so importing the same file twice creates nothing the second time.
Importing into another site or profile is just a SnapshotService bound to that one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from heatmap_tui.core.errors import ApiError, HeatmapError
from heatmap_tui.core.fileio import FileError, write_atomic
from heatmap_tui.core.models import Snapshot, create_attributes_from
from heatmap_tui.core.safe_text import has_control
from heatmap_tui.core.snapshots import SnapshotPage, SnapshotService
from heatmap_tui.core.view_registry import RegistryError, Source, record_pairs

DEFAULT_IMPORT_CONCURRENCY = 8

# What makes two snapshots "the same" for import: one app, one view and device, one frame, one name.
IdentityKey = tuple[str, str, str, str, str]


class TransferError(HeatmapError):
    """An export or import file that cannot be written or read; str() names the file."""


def snapshot_json(snapshot: Snapshot) -> dict[str, Any]:
    """One snapshot as the API writes it (unset optional attributes left out)."""
    return snapshot.model_dump(mode="json", exclude_none=True)


def snapshots_document(snapshots: Sequence[Snapshot]) -> dict[str, Any]:
    return {"data": [snapshot_json(s) for s in snapshots]}


def json_text(value: Any, *, indent: int | None = 2, ensure_ascii: bool = False) -> str:
    """JSON that is safe to print: the same value, with nothing in it that acts on a terminal.

    json.dumps escapes the C0 controls but writes C1 controls, bidi overrides, line separators
    and lone surrogates (which no encoder accepts) as they are; when a string holds one of those,
    the whole document is written with `\\uXXXX` escapes for everything that is not ASCII.
    """
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)
    if not ensure_ascii and has_control(text.replace("\n", "")):  # the newlines are the indent's
        text = json.dumps(value, indent=indent, ensure_ascii=True)
    return text


def dumps_snapshots(snapshots: Sequence[Snapshot]) -> str:
    return json_text(snapshots_document(snapshots)) + "\n"


def export_snapshots(snapshots: Sequence[Snapshot], path: Path) -> int:
    """Write atomically (readers see the old file or the whole new one); returns the count."""
    try:
        write_atomic(Path(path), dumps_snapshots(snapshots))
    except FileError as exc:
        raise TransferError(str(exc)) from None
    return len(snapshots)


def parse_snapshots(text: str, source: str = "the input") -> list[Snapshot]:
    """`{"data": [..]}`, `{"data": {..}}` or `[..]`; raises TransferError in plain words."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TransferError(f"{source} is not JSON ({exc.msg}, line {exc.lineno})") from None
    except ValueError as exc:  # a number too long to convert, say
        raise TransferError(f"{source} is not JSON ({exc})") from None
    items: Any = document.get("data") if isinstance(document, dict) else document
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise TransferError(
            f'{source} is not a snapshot export: expected {{"data": [...]}}, {{"data": {{...}}}} or a list'
        )
    snapshots = []
    for index, item in enumerate(items):
        try:
            snapshots.append(Snapshot.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "the item"
            raise TransferError(
                f"{source}: snapshot #{index + 1} is not valid ({where}: {first['msg']})"
            ) from None
    return snapshots


def read_snapshots(path: Path) -> list[Snapshot]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TransferError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise TransferError(f"{path}: cannot be read ({reason})") from None
    return parse_snapshots(text, str(path))


def identity(snapshot: Snapshot, application_id: str | None = None) -> IdentityKey:
    a = snapshot.attributes
    return (application_id or a.application_id, a.view_name, a.device_type, a.event_id, a.snapshot_name)


@dataclass(slots=True)
class ImportReport:
    created: list[tuple[Snapshot, Snapshot]] = field(default_factory=list)  # (from the file, new)
    skipped: list[tuple[Snapshot, str]] = field(default_factory=list)  # (from the file, why)
    failed: list[tuple[Snapshot, ApiError]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def id_map(self) -> dict[str, str]:
        """Old id (in the file) -> new id (at the target)."""
        return {old.id: new.id for old, new in self.created}

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return f"{len(self.created)} created, {len(self.skipped)} skipped, {len(self.failed)} failed"


ImportProgress = Callable[[Snapshot, str], None]  # (snapshot from the file, "created"|"skipped"|"failed")


async def import_snapshots(
    service: SnapshotService,
    snapshots: Sequence[Snapshot],
    *,
    application_id: str | None = None,
    allow_duplicates: bool = False,
    concurrency: int = DEFAULT_IMPORT_CONCURRENCY,
    on_progress: ImportProgress | None = None,
    profile: str | None = None,
) -> ImportReport:
    """Create `snapshots` through `service`, in `application_id` (default: each one's own app).

    Unless `allow_duplicates`, the target's snapshots of each view are listed first and a snapshot
    already there (same view, device, event id and name) is skipped; so is a second copy within
    the file. A view that cannot be listed fails its snapshots rather than risk duplicates.
    With `profile`, the views of the snapshots created are kept in its local view registry.
    """
    report = ImportReport()
    outcome: list[tuple[str, Any]] = [("", None)] * len(snapshots)
    existing: dict[IdentityKey, str] = {}
    unlistable: dict[tuple[str, str], ApiError] = {}
    if not allow_duplicates:
        views = {(application_id or s.application_id, s.view_name) for s in snapshots}
        existing, unlistable = await _existing(service, views, concurrency, report)

    gate = asyncio.Semaphore(concurrency)

    async def one(index: int, snapshot: Snapshot) -> None:
        target_app = application_id or snapshot.application_id
        key = identity(snapshot, target_app)
        if not allow_duplicates:
            if (target_app, snapshot.view_name) in unlistable:
                outcome[index] = ("failed", unlistable[(target_app, snapshot.view_name)])
                return _tell(on_progress, snapshot, "failed")
            if key in existing:
                found = existing[key]
                why = "already in this import" if found == "" else f"already at the target as {found}"
                outcome[index] = ("skipped", why)
                return _tell(on_progress, snapshot, "skipped")
            existing[key] = ""  # reserved: a second copy in the file is skipped
        async with gate:
            try:
                created = await service.create(create_attributes_from(snapshot, application_id=target_app))
            except ApiError as exc:
                outcome[index] = ("failed", exc)
                existing.pop(key, None)
                return _tell(on_progress, snapshot, "failed")
        outcome[index] = ("created", created)
        _tell(on_progress, snapshot, "created")

    await asyncio.gather(*(one(i, s) for i, s in enumerate(snapshots)))
    for snapshot, (kind, value) in zip(snapshots, outcome, strict=True):
        if kind == "created":
            report.created.append((snapshot, value))
        elif kind == "skipped":
            report.skipped.append((snapshot, value))
        else:
            report.failed.append((snapshot, value))
    if profile is not None:  # the views now holding them are kept in the local view registry
        with contextlib.suppress(RegistryError):
            record_pairs(profile, ((n.application_id, n.view_name) for _, n in report.created), Source.IMPORT)
    return report


async def _existing(
    service: SnapshotService, views: set[tuple[str, str]], concurrency: int, report: ImportReport
) -> tuple[dict[IdentityKey, str], dict[tuple[str, str], ApiError]]:
    gate = asyncio.Semaphore(concurrency)

    async def one(app_id: str, view: str) -> tuple[tuple[str, str], SnapshotPage | ApiError]:
        async with gate:
            try:
                return (app_id, view), await service.list(view, application_id=app_id)
            except ApiError as exc:
                return (app_id, view), exc

    existing: dict[IdentityKey, str] = {}
    unlistable: dict[tuple[str, str], ApiError] = {}
    for (app_id, view), page in await asyncio.gather(*(one(a, v) for a, v in sorted(views))):
        if isinstance(page, ApiError):
            unlistable[(app_id, view)] = page
            continue
        if page.may_be_truncated:
            report.warnings.append(
                f"the target has {len(page.items)} or more snapshots of {view}: only those were "
                "checked for duplicates"
            )
        for item in page.items:
            existing.setdefault(identity(item), item.id)
    return existing, unlistable


def _tell(on_progress: ImportProgress | None, snapshot: Snapshot, what: str) -> None:
    if on_progress is not None:
        on_progress(snapshot, what)
