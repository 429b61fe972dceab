"""The Workfront Planning API clients: v1 (``Planning``) and v2 (``PlanningV2``).

>>> from workfront_async import BearerAuth, Q
>>> from workfront_async.planning import PlanningV2
>>> async def main() -> None:  # doctest: +SKIP
...     async with PlanningV2("https://acme.my.workfront.com", auth=BearerAuth("...")) as pl:
...         async for record in pl.records.search("rt1", Q.status == "Done"):
...             print(record["id"])
"""

from __future__ import annotations

from ._auth import IMS_TOKEN_URL, ServerToServerAuth
from ._bulk import MAX_BULK, BulkItem, BulkResult
from ._client import Planning, Records, RecordTypes, Workspaces
from ._search import Record, RecordSearch
from ._search_v2 import DEFAULT_PAGE_SIZE_V2, MAX_PAGE_SIZE_V2, RecordSearchV2
from ._v2 import PlanningV2
from ._wire import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, field_types, parse_planning, search_body

__all__ = [
    "BulkItem",
    "BulkResult",
    "DEFAULT_PAGE_SIZE",
    "DEFAULT_PAGE_SIZE_V2",
    "IMS_TOKEN_URL",
    "MAX_BULK",
    "MAX_PAGE_SIZE",
    "MAX_PAGE_SIZE_V2",
    "Planning",
    "PlanningV2",
    "Record",
    "RecordSearch",
    "RecordSearchV2",
    "RecordTypes",
    "Records",
    "ServerToServerAuth",
    "Workspaces",
    "field_types",
    "parse_planning",
    "search_body",
]
