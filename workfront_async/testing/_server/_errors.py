"""The embedded Workfront's own error types: what the server answers, not what a client raises.

A handler raises one of these; the routing layer turns it into an HTTP status and
Workfront's error body (recorded ``removeFailure.json``, docs/api-notes.md §4 "Errors"):
``{"error": {"class", "message", "title", "msgKey", "attributes", "code"}}``.
The emulator never imports a client's error tree, so it answers every client the same.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AUTH_CLASS",
    "ILLEGAL",
    "NOT_FOUND_CLASS",
    "AuthFailure",
    "BadRequest",
    "Forbidden",
    "MethodNotAllowed",
    "NotFound",
    "ServerError",
]

AUTH_CLASS = "com.attask.common.AuthenticationException"
ILLEGAL = "java.lang.IllegalArgumentException"
NOT_FOUND_CLASS = "com.attask.common.NotFoundException"


class ServerError(Exception):
    """One error answer: HTTP ``status``, Workfront's Java ``error_class`` and a ``message``."""

    status: int = 500
    default_class: str = "java.lang.RuntimeException"

    def __init__(self, message: str, *, status: int | None = None, error_class: str = "") -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.error_class = error_class or self.default_class

    def body(self) -> dict[str, Any]:
        """Workfront's JSON error body for this error."""
        return {
            "error": {
                "class": self.error_class,
                "message": self.message,
                "title": self.message,
                "msgKey": "exception.attask",
                "attributes": [""],
                "code": 0,
            }
        }


class BadRequest(ServerError, ValueError):
    """The request names something unknown or holds a value the server refuses.

    Also a ``ValueError``: ``Emulator.add`` raises it for data it cannot store.
    """

    status = 422
    default_class = ILLEGAL


class AuthFailure(ServerError):
    """No credentials, or credentials that are unknown, expired or cleared."""

    status = 401
    default_class = AUTH_CLASS


class Forbidden(ServerError):
    status = 403
    default_class = "com.attask.common.InsufficientPermissionsException"


class NotFound(ServerError):
    status = 404
    default_class = NOT_FOUND_CLASS


class MethodNotAllowed(ServerError):
    status = 405
    default_class = "java.lang.UnsupportedOperationException"
