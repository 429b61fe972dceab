"""workfront_async: an asyncio client for the Adobe Workfront REST and Planning APIs."""

from __future__ import annotations

from ._exceptions import (
    APIError,
    AuthenticationError,
    BulkError,
    InvalidRequestError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    QueryError,
    RateLimitError,
    RequestTimeout,
    ResponseError,
    ServerError,
    TransportError,
    URITooLongError,
    WorkfrontError,
)

# --- query language (issue 2) ---
# --- client (issue 3) ---
# --- export and sync (issue 5) ---
# --- planning (issue 6) ---

__version__ = "0.1.0.dev0"

__all__ = [
    "APIError",
    "AuthenticationError",
    "BulkError",
    "InvalidRequestError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "QueryError",
    "RateLimitError",
    "RequestTimeout",
    "ResponseError",
    "ServerError",
    "TransportError",
    "URITooLongError",
    "WorkfrontError",
    "__version__",
]
