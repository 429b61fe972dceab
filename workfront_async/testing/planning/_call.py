"""The Planning wing's call and the request helpers the v1 and v2 handlers share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import orjson

from .._server._http import Call, Reply
from ._errors import PlanningError, bad, planning_error
from ._store import PlanningStore

__all__ = [
    "PlanningCall",
    "answer",
    "flag",
    "json_body",
    "json_object",
    "no_endpoint",
    "not_allowed",
    "param",
]


@attrs.define
class PlanningCall(Call):
    """A Planning request being answered: the store both API versions share and
    the query pairs."""

    store: PlanningStore = attrs.field(kw_only=True)

    @property
    def query(self) -> list[tuple[str, str]]:
        return list(self.req.params)


def param(query: Sequence[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in query if k == name), None)


def flag(query: Sequence[tuple[str, str]], name: str) -> bool:
    """A ``name=true`` switch (the first value counts, case ignored)."""
    return (param(query, name) or "").strip().lower() == "true"


def json_body(body: bytes) -> Any:
    """The request body as JSON (``None`` when it is empty)."""
    try:
        return orjson.loads(body) if body.strip() else None
    except orjson.JSONDecodeError as exc:
        raise bad(f"The request body is not valid JSON: {exc}.", "INVALID_JSON") from None


def json_object(body: bytes, *, empty_is_object: bool = False) -> dict[str, Any]:
    """The request body as a JSON object; an empty body is ``{}`` where
    ``empty_is_object`` (v1's writes and searches), an error elsewhere."""
    if empty_is_object and not body.strip():
        return {}
    parsed = json_body(body)
    if not isinstance(parsed, dict):
        raise bad("The request body must be a JSON object.", "INVALID_JSON")
    return parsed


def not_allowed(details: Any) -> Any:
    """The router's 405 of one API version: ``details`` shapes the allowed methods."""

    def error(call: Call, path: str, allowed: str, methods: tuple[str, ...]) -> PlanningError:
        return planning_error(
            405,
            "METHOD_NOT_ALLOWED",
            f"{call.method} is not allowed on {call.req.path}; use {' or '.join(methods)}.",
            {"allowedMethods": details(methods)},
        )

    return error


def no_endpoint(call: Call, path: str) -> PlanningError:
    return planning_error(404, "NOT_FOUND", f"No Planning endpoint at {call.req.path!r}.")


def answer(status: int, body: object) -> Reply:
    return Reply(status, body)
