"""workfront_async: an asyncio client for the Adobe Workfront REST and Planning APIs."""

from __future__ import annotations

# --- client (issue 3) ---
from ._auth import ApiKeyAuth, Auth, BearerAuth, JWTAuth, OAuth2Auth, PasswordAuth, SessionAuth
from ._batch import Batch
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
from ._metadata import ApiMetadata, FieldMeta, ObjectMetadata, ReferenceMeta
from ._retry import Retry
from ._search import Search
from ._secret import Secret

# --- export and sync (issue 5) ---
from ._sync import ChangeFeed, SyncCursor
from .events import Event, EventReceiver, FilterGroup, SubscriptionFilter
from .export import Export, ExportProgress

# --- planning (issue 6) ---
from .planning import Planning

# --- query language (issue 2) ---
from .query import Q

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
    "Q",
    "QueryError",
    "RateLimitError",
    "ReferenceMeta",
    "RequestTimeout",
    "ResponseError",
    "Retry",
    "Search",
    "Secret",
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
