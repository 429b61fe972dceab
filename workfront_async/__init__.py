"""workfront_async: an asyncio client for the Adobe Workfront REST and Planning APIs."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
from ._sync_file import SyncReport, sync_to_file
from .events import Event, EventReceiver, SubscriptionFilter
from .export import Export, ExportProgress

# --- planning (issue 6) ---
from .planning import Planning, PlanningV2, ServerToServerAuth

# --- query language (issue 2) ---
from .query import Q

if TYPE_CHECKING:
    from ._redis import RedisLimiter

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
    "PlanningV2",
    "Q",
    "QueryError",
    "RateLimitError",
    "RedisLimiter",
    "RequestTimeout",
    "ResponseError",
    "Retry",
    "Search",
    "ServerError",
    "ServerToServerAuth",
    "SessionAuth",
    "SubscriptionFilter",
    "SyncCursor",
    "SyncReport",
    "TransportError",
    "URITooLongError",
    "Workfront",
    "WorkfrontError",
    "__version__",
    "convert_dates",
    "format_date",
    "parse_date",
    "sync_to_file",
]


def __getattr__(name: str) -> object:
    # The shared limiter lives in the ``redis`` extra: import it only when asked
    # for, so that ``import workfront_async`` never needs redis-py.
    if name == "RedisLimiter":
        from ._redis import RedisLimiter

        return RedisLimiter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
