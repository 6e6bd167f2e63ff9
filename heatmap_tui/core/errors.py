"""The errors the core raises. Each str() is a plain sentence fit to show a person."""

from __future__ import annotations


class HeatmapError(Exception):
    """Base of every error the core raises on purpose."""


class ApiError(HeatmapError):
    """A call to the Datadog API failed. `op` is a verb phrase: "list snapshots"."""

    reason = "the request failed"
    # Set by the client: the request may have reached the server and been applied though no
    # usable answer came back (a connection lost after sending, a 5xx, an unreadable answer).
    maybe_applied: bool = False

    def __init__(
        self,
        op: str,
        site: str,
        *,
        status: int | None = None,
        messages: list[str] | None = None,
        detail: str | None = None,
    ) -> None:
        self.op = op
        self.site = site
        self.status = status
        self.messages = list(messages or [])
        self.detail = detail
        super().__init__(self._sentence())

    def _sentence(self) -> str:
        reason = self.detail or self.reason
        if self.status is not None:
            reason = f"{reason} (HTTP {self.status})"
        if self.messages:
            reason = f"{reason}: {'; '.join(self.messages)}"
        return f"Could not {self.op} on {self.site}: {reason}."


class AuthError(ApiError):
    reason = "the API key or application key was rejected, or lacks the permission"


class NotFound(ApiError):
    reason = "it does not exist (any more)"


class BadRequest(ApiError):
    reason = "the server refused the request as invalid"


class RateLimited(ApiError):
    reason = "Datadog's rate limit was reached; try again shortly"

    def __init__(self, op: str, site: str, *, retry_after: float | None = None, **kw: object) -> None:
        self.retry_after = retry_after
        super().__init__(op, site, **kw)  # type: ignore[arg-type]


class ServerError(ApiError):
    reason = "the Datadog server had an error"


class NetworkError(ApiError):
    reason = "the server could not be reached"


class UnexpectedRedirect(ApiError):
    reason = "the server answered with a redirect, which is not followed (check the API URL)"


class InvalidResponse(ApiError):
    reason = "the server's answer could not be read"


class RequestNotSent(ApiError):
    """The request could not be built or sent as it was (a key or a header HTTP cannot carry)."""

    reason = "the request could not be sent"


class InvalidId(ApiError):
    """An id that no request path can carry as it is; refused before anything is sent."""

    reason = "the id cannot be sent to the server"


class ApplicationLookupError(HeatmapError):
    """A RUM application given by name that the org's list holds not exactly once."""

    def __init__(self, name: str, site: str, sentence: str) -> None:
        self.name = name
        self.site = site
        super().__init__(sentence)


class UnknownApplication(ApplicationLookupError):
    def __init__(self, name: str, site: str) -> None:
        super().__init__(name, site, f"no RUM application is named {name!r} on {site}")


class AmbiguousApplication(ApplicationLookupError):
    def __init__(self, name: str, site: str) -> None:
        super().__init__(name, site, f"several RUM applications are named {name!r}: give the id")


def error_for_status(status: int) -> type[ApiError]:
    if status in (401, 403):
        return AuthError
    if status == 404:
        return NotFound
    if status == 429:
        return RateLimited
    if status >= 500:
        return ServerError
    if 300 <= status < 400:
        return UnexpectedRedirect
    return BadRequest
