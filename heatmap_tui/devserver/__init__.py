"""A Datadog-compatible API server of our own, on loopback, for the demo, tests and benchmarks.

It speaks the endpoints of ../../shared/API.md with Datadog's paths, bodies, status codes, error
shapes and rate-limit headers: heatmap snapshots (list/create/update/delete), RUM applications,
RUM event search and aggregation, and the two key checks. Standard library HTTP only.

    from heatmap_tui.devserver import DevServer, DEMO_API_KEY, DEMO_APP_KEY
    with DevServer(seed=True) as srv:          # port 0: an ephemeral port
        httpx.get(srv.url + "/api/v2/rum/applications",
                  headers={"DD-API-KEY": DEMO_API_KEY, "DD-APPLICATION-KEY": DEMO_APP_KEY})
        srv.faults.fail_next(503, count=2)     # fault knobs, see faults.py
        srv.set_rate_limit(100, 10.0)          # a real fixed window per endpoint group

Demo credentials (valid unless `keys=` replaces them; all belong to "Demo User",
demo@shop.example, user 1000001, org 321813):

    DEMO_API_KEY      = "dec0de00000000000000000000000a91"          (32 hex chars)
    DEMO_APP_KEY      = "dec0de000000000000000000000000000000a99e"  (40 hex chars)
    DEMO_BEARER_TOKEN = "ddpat_dec0de0000000000000000000000000000"  (Authorization: Bearer ...)

Unauthenticated admin endpoints live under /__admin/: GET stats, GET/POST faults,
POST reset-faults, POST reset-stats (see admin.py).
"""

from heatmap_tui.devserver.auth import (
    DEMO_API_KEY,
    DEMO_APP_KEY,
    DEMO_BEARER_TOKEN,
    DEMO_ORG_ID,
    DEMO_USER,
    KeyRing,
    User,
)
from heatmap_tui.devserver.faults import Faults
from heatmap_tui.devserver.requestlog import RequestRecord
from heatmap_tui.devserver.server import DevServer
from heatmap_tui.devserver.store import Store

__all__ = [
    "DEMO_API_KEY",
    "DEMO_APP_KEY",
    "DEMO_BEARER_TOKEN",
    "DEMO_ORG_ID",
    "DEMO_USER",
    "DevServer",
    "Faults",
    "KeyRing",
    "RequestRecord",
    "Store",
    "User",
]
