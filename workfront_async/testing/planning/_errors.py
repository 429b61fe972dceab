"""The Planning API's server-side errors and the two error bodies it answers.

A handler or the store raises ``PlanningError``; the wing turns it into the
body of the path's API version: v1's documented ``{"type", "title",
"report"}`` or v2's RFC 7807 problem details (static/v2.json
``V2ProblemDetail``). The emulator's own type, never a client's.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import orjson

from .._server._errors import ServerError

__all__ = ["PlanningError", "bad", "not_found", "planning_error", "problem_body", "v1_error_body"]


class PlanningError(ServerError):
    """One Planning error answer: HTTP ``status``, the machine ``code`` (kept as
    ``error_class``), a message and ``detail`` (field, operator, limits ...)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: Mapping[str, object] | None = None,
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message, status=status, error_class=code)
        self.detail: dict[str, object] = dict(details or {})
        self.headers = headers


def planning_error(
    status: int,
    code: str,
    message: str,
    details: Mapping[str, object] | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> PlanningError:
    """The error that the wing turns into an error body of the path's version
    (``headers`` go with it: ``Allow`` on a 405, ``WWW-Authenticate`` on a 401)."""
    return PlanningError(status, code, message, details, headers)


def bad(message: str, code: str = "INVALID_REQUEST", **details: object) -> PlanningError:
    """A 400 with a machine code and details."""
    return planning_error(400, code, message, details)


def not_found(kind: str, ident: str, *, v2: bool = False) -> PlanningError:
    """A 404 for an unknown ID, worded as the version words it."""
    message = f"{kind} with ID {ident!r} was not found." if v2 else f"{kind} {ident!r} not found."
    return planning_error(404, "NOT_FOUND", message, {"id": ident})


_V1_TITLES = {
    400: "Invalid Data",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
}


def v1_error_body(exc: PlanningError) -> dict[str, object]:
    """A v1 error as Adobe documents it (docs/api-notes.md §5, the "V1 vs V2" guide):
    ``{"type": 40001, "title": "Invalid Data", "report": {"detailedMessage"}}``.
    ``type`` is the status times 100 plus one. The embedded Workfront adds its
    own machine code and details inside ``report`` (``errorCode``,
    ``details``); the documented keys are all a client may rely on."""
    return {
        "type": exc.status * 100 + 1,
        "title": _V1_TITLES.get(exc.status, "Error"),
        "report": {
            "detailedMessage": exc.message,
            "errorCode": exc.error_class,
            "details": exc.detail,
        },
    }


# v2 error codes (static/v2.json, the "V1 vs V2" guide) for the embedded
# Workfront's own codes; codes not listed here are sent as they are.
_V2_CODES = {
    "NOT_FOUND": "ENTITY_WITH_ATTRIBUTE_NOT_FOUND",
    "METHOD_NOT_ALLOWED": "METHOD_NOT_ALLOWED",
    "UNAUTHORIZED": "UNAUTHORIZED",
    "FORBIDDEN": "FORBIDDEN",
}
_V2_TITLES = {
    400: "Validation failed",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Payload too large",
}


def problem_body(exc: PlanningError) -> dict[str, object]:
    """A v2 error: RFC 7807 problem details as static/v2.json's
    ``V2ProblemDetail`` (``title``, ``status``, ``detail``, ``errorCode``,
    ``requestId``, ``messageArguments``, ``errors``). A 400 is
    ``VALIDATION_FAILED`` with the precise reason in ``errors[0].code``, or
    one entry per property that did not bind (``_dto``)."""
    code = exc.error_class or "INTERNAL_ERROR"
    details = exc.detail
    listed = details.get("errors")
    if exc.status == 400:
        error_code = "VALIDATION_FAILED"
        if isinstance(listed, list) and listed and code == "VALIDATION_FAILED":
            errors = [dict(e) for e in listed]
        else:
            errors = [
                {"field": str(details.get("fieldId", "")), "message": exc.message, "code": code}
            ]
    else:
        error_code = _V2_CODES.get(code, code)
        errors = []
    return {
        "title": _V2_TITLES.get(exc.status, "Error"),
        "status": exc.status,
        "detail": exc.message,
        "errorCode": error_code,
        "messageArguments": {
            k: v if isinstance(v, str) else orjson.dumps(v).decode()
            for k, v in details.items()
            if k != "errors"
        },
        "requestId": f"emu-{uuid.uuid4()}",
        "errors": errors,
    }
