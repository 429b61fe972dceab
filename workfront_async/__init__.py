"""workfront_async: an asyncio client for the Adobe Workfront REST and Planning APIs."""

from __future__ import annotations

from typing import TYPE_CHECKING

# --- the core: auth, errors, retries, dates, secrets, the request model ---
from ._core.auth import ApiKeyAuth, Auth, BearerAuth, JWTAuth, OAuth2Auth, PasswordAuth, SessionAuth
from ._core.dates import convert_dates, format_date, parse_date
from ._core.exceptions import (
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
from ._core.request import Call
from ._core.retry import Retry
from ._core.secret import Secret
from ._core.usage import Usage

# --- the classic API: client, batches, searches, metadata, change feed and sync ---
from .classic import (
    ApiMetadata,
    Batch,
    ChangeFeed,
    FieldMeta,
    GetManyResult,
    ObjectMetadata,
    ReferenceMeta,
    Search,
    SyncBusyError,
    SyncCursor,
    SyncReport,
    Workfront,
    sync_to_file,
)

# --- events and exports ---
from .events import Event, EventReceiver, FilterGroup, SubscriptionFilter
from .export import Export, ExportProgress

# --- planning ---
from .planning import Planning, PlanningV2, ServerToServerAuth

# --- query language ---
from .query import Q

if TYPE_CHECKING:
    from ._core.redis_limiter import RedisLimiter

__version__ = "0.1.0.dev0"

__all__ = [
    "APIError",
    "ApiKeyAuth",
    "ApiMetadata",
    "Auth",
    "AuthenticationError",
    "Batch",
    "BearerAuth",
    "BulkError",
    "Call",
    "ChangeFeed",
    "Event",
    "EventError",
    "EventReceiver",
    "Export",
    "ExportProgress",
    "FieldMeta",
    "FilterGroup",
    "GetManyResult",
    "InvalidRequestError",
    "JWTAuth",
    "NotFoundError",
    "OAuth2Auth",
    "ObjectMetadata",
    "PaginationError",
    "PasswordAuth",
    "PermissionDeniedError",
    "Planning",
    "PlanningV2",
    "Q",
    "QueryError",
    "RateLimitError",
    "RedisLimiter",
    "ReferenceMeta",
    "RequestTimeout",
    "ResponseError",
    "Retry",
    "Search",
    "Secret",
    "ServerError",
    "ServerToServerAuth",
    "SessionAuth",
    "SubscriptionFilter",
    "SyncBusyError",
    "SyncCursor",
    "SyncReport",
    "TransportError",
    "URITooLongError",
    "Usage",
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
        from ._core.redis_limiter import RedisLimiter

        RedisLimiter.__module__ = __name__  # shown as workfront_async.RedisLimiter
        return RedisLimiter
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _publish() -> None:
    """Show public names under the package (``workfront_async.QueryError`` in a
    traceback or repr), not under the private module that defines them."""
    for name in __all__:
        obj = globals().get(name)  # names imported lazily (RedisLimiter) are not there yet
        if isinstance(obj, type) or (callable(obj) and hasattr(obj, "__qualname__")):
            module = getattr(obj, "__module__", "") or ""
            private = any(part.startswith("_") for part in module.split(".")[1:])
            if module.startswith(f"{__name__}.") and private:
                obj.__module__ = __name__


_publish()
