"""The Planning wing's call and the request helpers the v1 and v2 handlers share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import orjson

from .._server._http import Call, Reply
from ._dto import INT32, invalid
from ._errors import PlanningError, bad, planning_error
from ._store import PlanningStore

__all__ = [
    "PlanningCall",
    "answer",
    "flag",
    "int_param",
    "json_body",
    "json_object",
    "no_endpoint",
    "not_allowed",
    "param",
    "required_body",
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


# Spring's StringToBooleanConverter: these words (any case), and an empty value
# for "not given"; anything else does not convert (400)
_TRUE = frozenset({"true", "on", "yes", "1"})
_FALSE = frozenset({"false", "off", "no", "0"})


def flag(query: Sequence[tuple[str, str]], name: str) -> bool:
    """A boolean query parameter (static/v1.json and v2.json ``aliased``) as
    Spring converts it: true/on/yes/1 or false/off/no/0, case ignored, empty
    or absent for false; any other value is a 400."""
    raw = param(query, name)
    if raw is None or not raw.strip():
        return False
    word = raw.strip().lower()
    if word in _TRUE | _FALSE:
        return word in _TRUE
    raise invalid([{"field": name, "message": f"{raw!r} is not a boolean", "code": "TypeMismatch"}])


def int_param(
    query: Sequence[tuple[str, str]],
    name: str,
    default: int,
    lo: int,
    hi: int | None = None,
) -> int:
    """An integer query parameter as Spring binds an ``int`` (at most 2^31-1)
    checked against the operation's ``minimum`` and ``maximum``; a value that
    is not a whole number, or is out of range, is a 400."""
    raw = param(query, name)
    if raw is None or not raw.strip():
        return default
    text = raw.strip()
    if not text.lstrip("-").isdigit() or len(text) > 12:
        raise invalid(
            [{"field": name, "message": f"{raw!r} is not a 32-bit integer", "code": "TypeMismatch"}]
        )
    value = int(text)
    top = INT32[1] if hi is None else hi
    if not lo <= value <= top:
        raise invalid(
            [{"field": name, "message": f"must be between {lo} and {top}", "code": "Max"}]
        )
    return value


def json_body(body: bytes) -> Any:
    """The request body as JSON (``None`` when it is empty)."""
    try:
        return orjson.loads(body) if body.strip() else None
    except orjson.JSONDecodeError as exc:
        raise bad(f"The request body is not valid JSON: {exc}.", "INVALID_JSON") from None


def required_body(body: bytes) -> Any:
    """The JSON body of an operation whose ``requestBody`` is ``required``:
    a missing or empty body is a 400 (Spring: "Required request body is
    missing"), before the operation looks anything up."""
    if not body.strip():
        raise bad("Required request body is missing.", "INVALID_JSON")
    return json_body(body)


def json_object(body: bytes) -> dict[str, Any]:
    """The required request body as a JSON object."""
    parsed = required_body(body)
    if not isinstance(parsed, dict):
        raise bad("The request body must be a JSON object.", "INVALID_JSON")
    return parsed


def not_allowed(details: Any) -> Any:
    """The router's 405 of one API version: ``details`` shapes the allowed
    methods in the body; the ``Allow`` header lists them (RFC 9110 15.5.6)."""

    def error(call: Call, path: str, allowed: str, methods: tuple[str, ...]) -> PlanningError:
        return planning_error(
            405,
            "METHOD_NOT_ALLOWED",
            f"{call.method} is not allowed on {call.req.path}; use {' or '.join(methods)}.",
            {"allowedMethods": details(methods)},
            headers=(("Allow", ", ".join(methods)),),
        )

    return error


def no_endpoint(call: Call, path: str) -> PlanningError:
    return planning_error(404, "NOT_FOUND", f"No Planning endpoint at {call.req.path!r}.")


def answer(status: int, body: object) -> Reply:
    return Reply(status, body)
