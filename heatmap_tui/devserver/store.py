"""The server's state: snapshots, RUM applications and view events, optionally kept in a JSON file.

Only snapshots and applications go to the file: view events never change through the API and
seeding recreates them with the same ids, so snapshots loaded from a file still point at them.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from heatmap_tui.core.clock import Clock
from heatmap_tui.core.models import (
    RumApplication,
    Snapshot,
    SnapshotAttributes,
    SnapshotCreateAttributes,
    SnapshotUpdateAttributes,
)
from heatmap_tui.devserver.auth import DEMO_USER, User
from heatmap_tui.devserver.clock import server_clock, to_ms
from heatmap_tui.devserver.events import ViewEvent
from heatmap_tui.devserver.payloads import application_json, snapshot_json

FILE_VERSION = 1
EVENT_RETENTION_DAYS = 90  # the demo org's option: view events searchable this long
REPLAY_RETENTION_DAYS = 30  # Datadog's default for session replays


class Store:
    def __init__(self, data_file: str | os.PathLike[str] | None = None, clock: Clock | None = None):
        self.lock = threading.RLock()
        self.snapshots: dict[str, Snapshot] = {}
        self.applications: dict[str, RumApplication] = {}
        self.events: list[ViewEvent] = []  # newest first
        self.data_file = Path(data_file) if data_file is not None else None
        self.clock = clock or server_clock()
        # The org's retention: searches reach no further back than `event_retention_days`, and
        # an event older than `replay_retention_days` no longer has its replay.
        self.event_retention_days = EVENT_RETENTION_DAYS
        self.replay_retention_days = REPLAY_RETENTION_DAYS

    # --- snapshots: reads ---------------------------------------------------

    def get_snapshot(self, snapshot_id: str) -> Snapshot | None:
        with self.lock:
            return self.snapshots.get(snapshot_id)

    def list_snapshots(
        self,
        view_name: str,
        device_type: str | None = None,
        application_id: str | None = None,
        limit: int | None = None,
    ) -> list[Snapshot]:
        """Matching snapshots, newest modified first."""
        with self.lock:
            found = [
                s
                for s in self.snapshots.values()
                if s.attributes.view_name == view_name
                and (device_type is None or s.attributes.device_type == device_type)
                and (application_id is None or s.attributes.application_id == application_id)
            ]
        found.sort(key=_newest_first)
        return found if limit is None else found[:limit]

    # --- snapshots: writes (each one saved to the file) ---------------------

    def create_snapshot(self, attrs: SnapshotCreateAttributes, user: User) -> Snapshot:
        return self.new_snapshot(user=user, **attrs.model_dump())

    def update_snapshot(self, snapshot_id: str, attrs: SnapshotUpdateAttributes) -> Snapshot | None:
        with self.lock:
            current = self.snapshots.get(snapshot_id)
            if current is None:
                return None
            changes = attrs.model_dump()
            changes["modified_at"] = self.clock()
            updated = current.model_copy(update={"attributes": current.attributes.model_copy(update=changes)})
            self.snapshots[snapshot_id] = updated
            self.save()
            return updated

    def delete_snapshot(self, snapshot_id: str) -> bool:
        with self.lock:
            if self.snapshots.pop(snapshot_id, None) is None:
                return False
            self.save()
            return True

    def add_snapshot(self, snapshot: Snapshot) -> Snapshot:
        """Put a ready-made snapshot in the store as it is (tests, seeding, loading)."""
        with self.lock:
            self.snapshots[snapshot.id] = snapshot
            self.save()
        return snapshot

    def add_snapshots(self, snapshots: Iterable[Snapshot]) -> None:
        """Many at once, saved once (seeding)."""
        with self.lock:
            self.snapshots.update((s.id, s) for s in snapshots)
            self.save()

    def new_snapshot(
        self,
        *,
        application_id: str,
        view_name: str,
        device_type: str = "desktop",
        snapshot_name: str | None = None,
        event_id: str | None = None,
        start: int = 0,
        is_device_type_selected_by_user: bool = False,
        session_id: str | None = None,
        view_id: str | None = None,
        user: User = DEMO_USER,
        created_at: datetime | None = None,
        modified_at: datetime | None = None,
        id: str | None = None,
    ) -> Snapshot:
        """Build a snapshot with server-set fields filled in, store it and return it."""
        now = self.clock()
        created = to_ms(created_at) if created_at is not None else now
        attributes = SnapshotAttributes(
            application_id=application_id,
            view_name=view_name,
            device_type=device_type,
            snapshot_name=snapshot_name or f"{view_name} {device_type}",
            event_id=event_id or str(uuid.uuid4()),
            start=start,
            is_device_type_selected_by_user=is_device_type_selected_by_user,
            session_id=session_id,
            view_id=view_id,
            created_at=created,
            modified_at=to_ms(modified_at) if modified_at is not None else created,
            created_by=user.name,
            created_by_handle=user.handle,
            created_by_user_id=user.user_id,
            org_id=user.org_id,
        )
        return self.add_snapshot(Snapshot(id=id or str(uuid.uuid4()), attributes=attributes))

    # --- applications and events -------------------------------------------

    def add_applications(self, apps: Iterable[RumApplication]) -> None:
        with self.lock:
            self.applications.update((a.id, a) for a in apps)
            self.save()

    def add_events(self, events: Iterable[ViewEvent]) -> None:
        with self.lock:
            self.events.extend(events)
            self.events.sort(key=lambda e: (-e.date, e.id))

    def clear(self) -> None:
        with self.lock:
            self.snapshots.clear()
            self.applications.clear()
            self.events.clear()
            self.save()

    # --- persistence --------------------------------------------------------

    def save(self) -> None:
        """Write the file atomically (temp file + rename), so a reader never sees half of it."""
        if self.data_file is None:
            return
        with self.lock:
            document = {
                "version": FILE_VERSION,
                "applications": [application_json(a) for a in self.applications.values()],
                "snapshots": [snapshot_json(s) for s in self.snapshots.values()],
            }
            directory = self.data_file.parent
            directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.data_file.name}.", dir=directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(document, fh, indent=1)
                os.replace(tmp, self.data_file)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

    def load(self) -> bool:
        """Read the file if there is one; False when there is nothing to load."""
        if self.data_file is None or not self.data_file.exists():
            return False
        document = json.loads(self.data_file.read_text(encoding="utf-8"))
        with self.lock:
            self.applications = {
                a.id: a for a in (RumApplication.model_validate(x) for x in document.get("applications", []))
            }
            self.snapshots = {
                s.id: s for s in (Snapshot.model_validate(x) for x in document.get("snapshots", []))
            }
        return True


def _newest_first(snapshot: Snapshot) -> tuple[float, str]:
    modified = snapshot.attributes.modified_at or snapshot.attributes.created_at
    return (-modified.timestamp() if modified else 0.0, snapshot.id)
