"""DevServer: the handle that tests, benchmarks, `serve` and `demo` hold."""

from __future__ import annotations

import os
import threading
from datetime import datetime
from types import TracebackType
from typing import Self

from heatmap_tui.core.sites import is_loopback_host
from heatmap_tui.devserver.auth import KeyRing
from heatmap_tui.devserver.clock import server_clock, to_ms
from heatmap_tui.devserver.faults import Faults
from heatmap_tui.devserver.httpserver import DevHTTPServer
from heatmap_tui.devserver.pipeline import DevApp
from heatmap_tui.devserver.requestlog import RequestRecord
from heatmap_tui.devserver.seed import seed_store
from heatmap_tui.devserver.store import EVENT_RETENTION_DAYS, REPLAY_RETENTION_DAYS, Store


class DevServer:
    """A Datadog-compatible API server on loopback, in a background thread.

    Searches are clipped to the org's event retention (90 days here) and replays end after
    `replay_retention_days`.

    With `data_file`, state is loaded from that file when it exists (instead of seeding the
    snapshots and applications) and written back after every change.
    """

    def __init__(
        self,
        seed: bool = True,
        port: int = 0,
        host: str = "127.0.0.1",
        latency_ms: float = 0,
        rate_limit: tuple[int, float] | None = None,
        data_file: str | os.PathLike[str] | None = None,
        now: datetime | None = None,
        keys: KeyRing | None = None,
        event_retention_days: int = EVENT_RETENTION_DAYS,
        replay_retention_days: int = REPLAY_RETENTION_DAYS,
    ) -> None:
        if not is_loopback_host(host):
            raise ValueError(f"the dev server only listens on loopback, not on {host!r}")
        self.host = host
        self._port = port
        self.clock = server_clock(now)
        # What the seed data is dated from: exactly `now` when given, so seeding is reproducible.
        self.seed_now = to_ms(now) if now is not None else self.clock()
        self.store = Store(data_file, self.clock)
        self.store.event_retention_days = event_retention_days
        self.store.replay_retention_days = replay_retention_days
        loaded = self.store.load()
        if seed:
            if loaded:  # the file holds the snapshots; only the (never saved) events are seeded
                fresh = Store(clock=self.clock)
                seed_store(fresh, self.seed_now)
                self.store.add_events(fresh.events)
            else:
                seed_store(self.store, self.seed_now)
        self.app = DevApp(self.store, keys or KeyRing.demo(), self.clock, rate_limit)
        self.app.faults.latency_ms = latency_ms
        self._httpd: DevHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------

    def start(self) -> Self:
        if self._httpd is not None:
            return self
        self.app.faults.set_stopping(False)
        self._httpd = DevHTTPServer((self.host, self._port), self.app)
        self._port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.01},  # how soon stop() is noticed,
            name=f"devserver:{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, end open connections and hanging requests, close the socket."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self.app.faults.set_stopping(True)
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- where it listens ---------------------------------------------------

    @property
    def port(self) -> int:
        return self._port

    @property
    def url(self) -> str:
        """The base URL; still the same after stop() (a test may want to find nobody there)."""
        if self._port == 0:
            raise RuntimeError("the dev server is not started")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._port}"

    # --- knobs and records ----------------------------------------------------

    @property
    def faults(self) -> Faults:
        return self.app.faults

    @property
    def keys(self) -> KeyRing:
        return self.app.keys

    def set_rate_limit(self, limit: int | None, period_seconds: float = 10.0) -> None:
        """Enforce `limit` requests per `period_seconds` per endpoint group; None turns it off."""
        self.app.limits.configure(None if limit is None else (limit, period_seconds))

    @property
    def requests(self) -> list[RequestRecord]:
        return self.app.log.records

    def count(
        self,
        method: str | None = None,
        path_prefix: str | None = None,
        *,
        status: int | None = None,
        fault: str | None = None,
    ) -> int:
        """How many API requests (admin ones aside) matched; see RequestLog.count."""
        return self.app.log.count(method, path_prefix, status=status, fault=fault)

    def reset_stats(self) -> None:
        self.app.log.reset()
