"""The classic Workfront API (``/attask/api/<version>``): the client, batches,
searches, metadata views, the change feed, sync to a file and event
subscriptions (``/attask/eventsubscription/api/v1``).

Every name here is also exported by ``workfront_async`` itself."""

from ._batch import Batch
from ._changes import ChangeFeed, SyncCursor
from ._client import GetManyResult, Workfront
from ._metadata import ApiMetadata, FieldMeta, ObjectMetadata, ReferenceMeta
from ._search import Search
from ._subscriptions import FilterGroup, SubscriptionFilter, Subscriptions
from ._sync_file import SyncBusyError, SyncReport, sync_to_file

__all__ = [
    "ApiMetadata",
    "Batch",
    "ChangeFeed",
    "FieldMeta",
    "FilterGroup",
    "GetManyResult",
    "ObjectMetadata",
    "ReferenceMeta",
    "Search",
    "SubscriptionFilter",
    "Subscriptions",
    "SyncBusyError",
    "SyncCursor",
    "SyncReport",
    "Workfront",
    "sync_to_file",
]
