"""The classic Workfront API (``/attask/api/<version>``): the client, batches,
searches, metadata views, the change feed and sync to a file.

Every name here is also exported by ``workfront_async`` itself."""

from ._batch import Batch
from ._changes import ChangeFeed, SyncCursor
from ._client import GetManyResult, Workfront
from ._metadata import ApiMetadata, FieldMeta, ObjectMetadata, ReferenceMeta
from ._search import Search
from ._sync_file import SyncReport, sync_to_file

__all__ = [
    "ApiMetadata",
    "Batch",
    "ChangeFeed",
    "FieldMeta",
    "GetManyResult",
    "ObjectMetadata",
    "ReferenceMeta",
    "Search",
    "SyncCursor",
    "SyncReport",
    "Workfront",
    "sync_to_file",
]
