"""Datadog's two error shapes, and plain-word details for request validation failures."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from pydantic import ValidationError

# The plain-string messages Datadog answers with, per status.
_MESSAGES = {
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method Not Allowed",
    429: "Rate limit exceeded",
}


class ApiError(Exception):
    """Raised by a handler to answer with an error status and body."""

    def __init__(self, status: int, errors: list[Any], headers: dict[str, str] | None = None):
        super().__init__(f"{status}: {errors}")
        self.status = status
        self.errors = errors
        self.headers = headers or {}

    @property
    def payload(self) -> dict[str, Any]:
        return {"errors": self.errors}


def status_message(status: int) -> str:
    if status in _MESSAGES:
        return _MESSAGES[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"Error {status}"


def plain_error(status: int, message: str | None = None) -> ApiError:
    """`{"errors": ["..."]}`, the plain-string shape."""
    return ApiError(status, [message or status_message(status)])


def error_object(detail: str, pointer: str | None = None) -> dict[str, Any]:
    obj: dict[str, Any] = {"status": "400", "title": "Bad Request", "detail": detail}
    if pointer:
        obj["source"] = {"pointer": pointer}
    return obj


def bad_request(*details: str) -> ApiError:
    """The JSON:API shape, one error object per problem."""
    return ApiError(400, [error_object(d) for d in details])


_JSON_TYPES = {
    "int_type": "integer",
    "int_parsing": "integer",
    "string_type": "string",
    "bool_type": "boolean",
    "bool_parsing": "boolean",
    "model_type": "object",
    "dict_type": "object",
    "list_type": "array",
    "float_type": "number",
}


def json_type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def validation_errors(exc: ValidationError, read_only: frozenset[str] = frozenset()) -> ApiError:
    """A 400 with one JSON:API error object per pydantic error, each naming its field.

    `read_only` names attributes that exist but may not be sent here (PATCH and snapshot_name),
    so the detail can say why rather than just "not allowed".
    """
    objects = []
    for err in exc.errors(include_url=False):
        loc = [str(part) for part in err["loc"]]
        field_path = ".".join(loc) or "body"
        pointer = "/" + "/".join(loc) if loc else None
        kind = err["type"]
        name = loc[-1] if loc else "body"
        if kind == "missing":
            detail = f'{field_path}: missing required attribute "{name}"'
        elif kind == "extra_forbidden" and name in read_only:
            detail = f'{field_path}: attribute "{name}" cannot be changed by an update'
        elif kind == "extra_forbidden":
            detail = f'{field_path}: unknown attribute "{name}"'
        elif kind == "literal_error" and name == "type":
            detail = f'{field_path}: got type "{err["input"]}" expected one of "snapshots"'
        elif kind in _JSON_TYPES:
            got = json_type_name(err["input"])
            detail = f"{field_path}: expected {_JSON_TYPES[kind]}, got {got}"
        elif kind == "string_too_short":
            detail = f"{field_path}: must not be empty"
        else:
            detail = f"{field_path}: {err['msg']}"
        objects.append(error_object(detail, pointer))
    return ApiError(400, objects)
