"""Every API request the server answered (or dropped), for tests and the admin stats."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any, NamedTuple


class RequestRecord(NamedTuple):
    method: str
    path: str  # without the query string
    status: int | None  # None: the connection was dropped before anything was handled
    fault: str | None  # the fault that shaped the answer, if any
    # The request-target exactly as it arrived (percent-escapes and query kept): what tests
    # compare when they check how a client encodes ids into paths.
    target: str = ""


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def record(self, method: str, path: str, status: int | None, fault: str | None, target: str = "") -> None:
        with self._lock:
            self._records.append(RequestRecord(method, path, status, fault, target or path))

    @property
    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def count(
        self,
        method: str | None = None,
        path_prefix: str | None = None,
        *,
        status: int | None = None,
        fault: str | None = None,
    ) -> int:
        return sum(
            1
            for r in self.records
            if (method is None or r.method == method.upper())
            and (path_prefix is None or r.path.startswith(path_prefix))
            and (status is None or r.status == status)
            and (fault is None or r.fault == fault)
        )

    def reset(self) -> None:
        with self._lock:
            self._records.clear()

    def stats(self) -> dict[str, Any]:
        records = self.records
        return {
            "total": len(records),
            "by_request": dict(Counter(f"{r.method} {r.path}" for r in records)),
            "by_status": dict(Counter(str(r.status) for r in records)),
            "by_fault": dict(Counter(r.fault for r in records if r.fault)),
        }
