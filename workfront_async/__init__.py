"""workfront_async: an asyncio client for the Adobe Workfront REST and Planning APIs."""

from __future__ import annotations

# --- client (issue 3) ---
from ._auth import ApiKeyAuth, Auth, BearerAuth, JWTAuth, OAuth2Auth, PasswordAuth, SessionAuth
from ._client import GetManyResult, Workfront
from ._dates import convert_dates, format_date, parse_date
from ._exceptions import (
    APIError,
    AuthenticationError,
    BulkError,
    EventError,
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
from ._retry import Retry
from ._search import Search

# --- export and sync (issue 5) ---
from ._sync import ChangeFeed, SyncCursor
from .events import Event, EventReceiver, SubscriptionFilter
from .export import Export, ExportProgress

# --- planning (issue 6) ---
from .planning import Planning

# --- query language (issue 2) ---
from .query import Q

__version__ = "0.1.0.dev0"

__all__ = [
    "APIError",
    "ApiKeyAuth",
    "Auth",
    "AuthenticationError",
    "BearerAuth",
    "BulkError",
    "ChangeFeed",
    "Event",
    "EventError",
    "EventReceiver",
    "Export",
    "ExportProgress",
    "GetManyResult",
    "InvalidRequestError",
    "JWTAuth",
    "NotFoundError",
    "OAuth2Auth",
    "PaginationError",
    "PasswordAuth",
    "PermissionDeniedError",
    "Planning",
    "Q",
    "QueryError",
    "RateLimitError",
    "RequestTimeout",
    "ResponseError",
    "Retry",
    "Search",
    "ServerError",
    "SessionAuth",
    "SubscriptionFilter",
    "SyncCursor",
    "TransportError",
    "URITooLongError",
    "Workfront",
    "WorkfrontError",
    "__version__",
    "convert_dates",
    "format_date",
    "parse_date",
]


def _publish() -> None:
    """Show public names under the package (``workfront_async.QueryError`` in a
    traceback or repr), not under the private module that defines them."""
    for name in __all__:
        obj = globals()[name]
        if isinstance(obj, type) or (callable(obj) and hasattr(obj, "__qualname__")):
            module = getattr(obj, "__module__", "") or ""
            private = any(part.startswith("_") for part in module.split(".")[1:])
            if module.startswith(f"{__name__}.") and private:
                obj.__module__ = __name__


_publish()
