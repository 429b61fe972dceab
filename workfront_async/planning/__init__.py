"""The Workfront Planning API client: records, record types and workspaces.

>>> from workfront_async import BearerAuth, Q
>>> from workfront_async.planning import Planning
>>> async def main() -> None:  # doctest: +SKIP
...     async with Planning("https://acme.my.workfront.com", auth=BearerAuth("...")) as pl:
...         async for record in pl.records.search("rt1", Q.status == "Done"):
...             print(record["id"])
"""

from __future__ import annotations

from ._client import Planning, Records, RecordTypes, Workspaces
from ._search import Record, RecordSearch
from ._wire import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, field_types, parse_planning, search_body

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Planning",
    "Record",
    "RecordSearch",
    "RecordTypes",
    "Records",
    "Workspaces",
    "field_types",
    "parse_planning",
    "search_body",
]
