"""``PlanningV2``: the async client for the Workfront Planning API v2
(``/maestro/api/v2``; docs/api-notes.md §5, Adobe's ``static/v2.json``).

Same construction, auth rules, limiter and error tree as the v1 ``Planning``
client. Resources:

- ``records``: ``search()`` (a ``RecordSearchV2``), ``get``, ``create``
  (201), ``replace`` (PUT: unsent fields become empty), ``update`` (PATCH,
  merge patch: only the fields sent change), ``delete`` (204), ``history``,
  ``move``, and ``bulk_create``/``bulk_replace``/``bulk_update``/
  ``bulk_delete``: chunks of at most 100 sent concurrently under the
  client's limiter, per-item results in input order (207 partial answers
  included);
- ``workspaces``, ``record_types``, ``fields``, ``views``: ``list`` (every
  cursor page), ``get``, ``create``, ``replace`` (PUT), ``update`` (PATCH),
  ``delete``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from ..models import PlanningRecord

import anyio

from .._core.checks import check_name
from .._core.exceptions import APIError, QueryError, ResponseError
from .._core.request import Call
from .._core.telemetry import traced
from ..query import Expr
from ._bulk import MAX_BULK, BulkItem, BulkResult, chunks, read_chunk
from ._client import (
    PlanningClientBase,
    R,
    as_object,
    as_record,
    check_data,
    json_body,
    record_to_get,
    record_type_of,
)
from ._search_v2 import DEFAULT_PAGE_SIZE_V2, RecordSearchV2, TypedRecordSearchV2
from ._wire import check_sort

__all__ = ["PlanningV2"]

Record = dict[str, Any]


def _cursor_params(cursor: str | None, limit: int) -> tuple[tuple[str, str], ...]:
    params = [("limit", str(limit))]
    if cursor:
        params.append(("cursor", cursor))
    return tuple(params)


class _Resource:
    """CRUD of one v2 resource kind: ``/v2/<item>/{id}`` for one item and
    ``/v2/<parent>/{parentId}/<plural>`` (or ``/v2/<plural>``) for the list
    and for creating."""

    def __init__(
        self,
        client: PlanningV2,
        item: str,
        *,
        parent: str | None,
        plural: str,
        page_limit: int,
    ) -> None:
        self._client = client
        self._item = item
        self._parent = parent
        self._plural = plural
        self._page_limit = page_limit

    def _collection(self, parent_id: str | None) -> str:
        if self._parent is None:
            return f"v2/{self._plural}"
        what = "workspace_id" if self._parent == "workspaces" else "record_type_id"
        pid = check_name(what, parent_id)
        return f"v2/{self._parent}/{pid}/{self._plural}"

    def _path(self, ident: str) -> str:
        return f"v2/{self._item}/{check_name('id', ident)}"

    async def _list(self, parent_id: str | None) -> list[dict[str, Any]]:
        return [x async for x in self._iterate(self._collection(parent_id))]

    async def _iterate(self, path: str) -> AsyncIterator[dict[str, Any]]:
        """Every item of a cursor-paginated list (static/v2.json CursorInfo)."""
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            answer = await self._client.request(
                Call("GET", path, _cursor_params(cursor, self._page_limit))
            )
            if not isinstance(answer, Mapping) or not isinstance(answer.get("content"), list):
                raise ResponseError(f"GET {path} did not return a cursor page ('content')")
            for item in answer["content"]:
                if not isinstance(item, dict):
                    raise ResponseError(f"GET {path} returned an item that is not an object")
                yield item
            info = answer.get("cursor")
            info = info if isinstance(info, Mapping) else {}
            nxt = info.get("nextCursor")
            if not info.get("hasMore"):
                return
            if not isinstance(nxt, str) or not nxt or nxt in seen:
                raise ResponseError(
                    f"GET {path} says hasMore but gave no new nextCursor ({nxt!r}); "
                    "stopping rather than returning part of the list as the whole"
                )
            seen.add(nxt)
            cursor = nxt

    async def get(self, ident: str) -> dict[str, Any]:
        path = self._path(ident)
        return as_object(await self._client.request(Call("GET", path)), f"GET {path}")

    async def _create(self, parent_id: str | None, body: Mapping[str, Any]) -> dict[str, Any]:
        path = self._collection(parent_id)
        call = Call("POST", path, json=json_body(check_data(body, "create()")), idempotent=False)
        return as_object(await self._client.request(call), f"POST {path}")

    async def replace(self, ident: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """``PUT``: a full replacement; attributes not sent are set to null (static/v2.json)."""
        path = self._path(ident)
        call = Call("PUT", path, json=json_body(check_data(body, "replace()")), idempotent=False)
        return as_object(await self._client.request(call), f"PUT {path}")

    async def update(self, ident: str, changes: Mapping[str, Any]) -> dict[str, Any]:
        """``PATCH``: a JSON merge patch; only the attributes sent change."""
        path = self._path(ident)
        body = json_body(check_data(changes, "update()"))
        call = Call("PATCH", path, json=body, idempotent=False)
        return as_object(await self._client.request(call), f"PATCH {path}")

    async def delete(self, ident: str) -> None:
        path = self._path(ident)
        await self._client.request(Call("DELETE", path, idempotent=False))


class Workspaces(_Resource):
    """``pl.workspaces``: ``list()``, ``get``, ``create({"name": ...})``,
    ``replace``, ``update``, ``delete``."""

    def __init__(self, client: PlanningV2) -> None:
        super().__init__(client, "workspaces", parent=None, plural="workspaces", page_limit=50)

    async def list(self) -> list[dict[str, Any]]:
        """Every workspace (``GET /v2/workspaces``, all cursor pages)."""
        return await self._list(None)

    async def create(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Create a workspace (``POST /v2/workspaces``, ``WorkspaceBaseDto``)."""
        return await self._create(None, body)


class RecordTypes(_Resource):
    """``pl.record_types``: ``list(workspace_id)``, ``get``,
    ``create(workspace_id, {"displayName": ...})``, ``replace``, ``update``, ``delete``."""

    def __init__(self, client: PlanningV2) -> None:
        super().__init__(
            client, "record-types", parent="workspaces", plural="record-types", page_limit=100
        )

    async def list(self, workspace_id: str) -> list[dict[str, Any]]:
        """The record types of a workspace (``GET /v2/workspaces/{id}/record-types``)."""
        return await self._list(workspace_id)

    async def create(self, workspace_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return await self._create(workspace_id, body)


class Fields(_Resource):
    """``pl.fields``: ``list(record_type_id)``, ``get``,
    ``create(record_type_id, {"displayName", "type"})``, ``replace``, ``update``, ``delete``."""

    def __init__(self, client: PlanningV2) -> None:
        super().__init__(client, "fields", parent="record-types", plural="fields", page_limit=100)

    async def list(self, record_type_id: str) -> list[dict[str, Any]]:
        """The fields of a record type (``GET /v2/record-types/{id}/fields``)."""
        fields = await self._list(record_type_id)
        self._client._types[record_type_id] = fields
        return fields

    async def create(self, record_type_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        self._client._types.pop(record_type_id, None)
        return await self._create(record_type_id, body)


class Views(_Resource):
    """``pl.views``: ``list(record_type_id)``, ``get``,
    ``create(record_type_id, {"name", "type"})``, ``replace``, ``update``, ``delete``."""

    def __init__(self, client: PlanningV2) -> None:
        super().__init__(client, "views", parent="record-types", plural="views", page_limit=100)

    async def list(self, record_type_id: str) -> list[dict[str, Any]]:
        return await self._list(record_type_id)

    async def create(self, record_type_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        return await self._create(record_type_id, body)


class Records:
    """``pl.records``: search, CRUD, history, move and bulk operations on v2 records."""

    def __init__(self, client: PlanningV2) -> None:
        self._client = client

    @overload
    def search(
        self,
        record_type_id: type[R],
        where: Expr | None = None,
        *,
        sort: Iterable[str | tuple[str, str]] = (),
        fields: Iterable[str] = (),
        aliased: bool = False,
        limit: int | None = None,
        page_size: int = DEFAULT_PAGE_SIZE_V2,
        field_types: Mapping[str, str] | None = None,
        validate: bool | None = None,
    ) -> TypedRecordSearchV2[R]: ...

    @overload
    def search(
        self,
        record_type_id: str,
        where: Expr | None = None,
        *,
        sort: Iterable[str | tuple[str, str]] = (),
        fields: Iterable[str] = (),
        aliased: bool = False,
        limit: int | None = None,
        page_size: int = DEFAULT_PAGE_SIZE_V2,
        field_types: Mapping[str, str] | None = None,
        validate: bool | None = None,
    ) -> RecordSearchV2: ...

    def search(
        self,
        record_type_id: str | type[PlanningRecord],
        where: Expr | None = None,
        *,
        sort: Iterable[str | tuple[str, str]] = (),
        fields: Iterable[str] = (),
        aliased: bool = False,
        limit: int | None = None,
        page_size: int = DEFAULT_PAGE_SIZE_V2,
        field_types: Mapping[str, str] | None = None,
        validate: bool | None = None,
    ) -> RecordSearchV2:
        """An immutable ``RecordSearchV2``; ``async for`` yields every match.
        ``record_type_id`` may be a generated record class (``Campaigns``):
        records are then its instances.

        ``where`` is a ``Q`` expression on field IDs, compiled with
        ``compile_planning_v2``; ``sort`` takes field IDs (``"-budget"``);
        ``fields`` picks the fields returned (``?fieldIds=``); ``aliased``
        keys ``data`` by alias. ``validate`` (default: the client's) fetches
        the record type's fields once and checks the filter first.
        """
        type_id, model = record_type_of(record_type_id)
        kind = RecordSearchV2 if model is None else TypedRecordSearchV2
        s = kind(
            backend=self._client,
            record_type_id=check_name("record_type_id", type_id),
            model=model,
            field_ids=fields,
            aliased=aliased,
            limit=limit,
            page_size=page_size,
            field_types=field_types,
            validate=self._client.validate if validate is None else validate,
        )
        s = s.where(where)
        keys = check_sort(sort)
        return s.sort(*keys) if keys else s

    @overload
    async def get(self, record_id: type[R], id: str) -> R: ...

    @overload
    async def get(self, record_id: str) -> Record: ...

    async def get(self, record_id: str | type[PlanningRecord], id: str | None = None) -> Any:
        """One record (``GET /v2/records/{id}``; static/v2.json gives this
        operation no field projection: use a search with ``fields()`` for that).
        ``get(Campaigns, id)`` returns an instance of a generated record class."""
        record_id, model = record_to_get(record_id, id)
        path = f"v2/records/{check_name('record_id', record_id)}"
        record = as_object(await self._client.request(Call("GET", path)), f"GET {path}")
        return as_record(model, record)

    async def create(self, record_type_id: str, data: Mapping[str, Any]) -> Record:
        """Create a record (``POST /v2/record-types/{id}/records``, 201)."""
        path = f"v2/record-types/{check_name('record_type_id', record_type_id)}/records"
        body = json_body({"data": check_data(data, "create()")})
        return as_object(
            await self._client.request(Call("POST", path, json=body, idempotent=False)),
            f"POST {path}",
        )

    async def replace(self, record_id: str, data: Mapping[str, Any]) -> Record:
        """Replace a record's values (``PUT /v2/records/{id}``): every field not
        in ``data`` is set to null (static/v2.json)."""
        path = f"v2/records/{check_name('record_id', record_id)}"
        body = json_body({"data": check_data(data, "replace()")})
        return as_object(
            await self._client.request(Call("PUT", path, json=body, idempotent=False)),
            f"PUT {path}",
        )

    async def update(self, record_id: str, data: Mapping[str, Any]) -> Record:
        """Change some fields (``PATCH /v2/records/{id}``, a merge patch): the
        fields not in ``data`` keep their values, ``None`` clears one."""
        path = f"v2/records/{check_name('record_id', record_id)}"
        body = json_body({"data": check_data(data, "update()")})
        return as_object(
            await self._client.request(Call("PATCH", path, json=body, idempotent=False)),
            f"PATCH {path}",
        )

    async def delete(self, record_id: str) -> None:
        """Delete a record (``DELETE /v2/records/{id}``, 204)."""
        path = f"v2/records/{check_name('record_id', record_id)}"
        await self._client.request(Call("DELETE", path, idempotent=False))

    async def history(self, record_id: str) -> list[dict[str, Any]]:
        """The field change history of a record (``GET /v2/records/{id}/history``,
        every cursor page): ``[{id, recordId, createdBy, createdAt, fieldId,
        before: {value, fieldSnapshot}, after: {...}}]``."""
        resource = _Resource(self._client, "records", parent=None, plural="", page_limit=50)
        path = f"v2/records/{check_name('record_id', record_id)}/history"
        return [x async for x in resource._iterate(path)]

    async def move(
        self,
        record_type_id: str,
        record_ids: Sequence[str],
        *,
        after: str | None = None,
        before: str | None = None,
    ) -> BulkResult:
        """Place records right after or before an anchor record
        (``POST /v2/record-types/{id}/records/move``; at most 100, all or
        nothing). Raises ``BulkError`` when the move failed."""
        if (after is None) == (before is None):
            raise QueryError("move() takes exactly one of after= and before= (an anchor record ID)")
        ids = [check_name("record_id", r) for r in record_ids]
        if not ids or len(ids) > MAX_BULK:
            raise QueryError(f"move() takes 1..{MAX_BULK} record IDs, got {len(ids)}")
        body: dict[str, Any] = {"recordIds": ids}
        if after is not None:
            body["putAfterRecordId"] = check_name("after", after)
        else:
            body["putBeforeRecordId"] = check_name("before", before)
        path = f"v2/record-types/{check_name('record_type_id', record_type_id)}/records/move"
        answer = await self._client.request(
            Call("POST", path, json=json_body(body), idempotent=False)
        )
        items, errors = read_chunk(answer, 0, len(ids), method="POST", url=path)
        result = BulkResult(items=tuple(items), errors=tuple(errors))
        result.raise_for_failures(f"moving {len(ids)} records")
        return result

    # -- bulk ----------------------------------------------------------------------------

    @traced("bulk_create", "record")
    async def bulk_create(
        self, record_type_id: str, records: Sequence[Mapping[str, Any]], *, strict: bool = True
    ) -> BulkResult:
        """Create records (``POST .../records/bulk``); each item is the record's
        ``data`` (field ID -> value)."""
        items = [{"data": check_data(d, "bulk_create()")} for d in records]
        return await self._bulk("POST", record_type_id, items, strict=strict)

    @traced("bulk_replace", "record")
    async def bulk_replace(
        self, record_type_id: str, records: Sequence[Mapping[str, Any]], *, strict: bool = True
    ) -> BulkResult:
        """Replace records (``PUT .../records/bulk``): each item is
        ``{"id", "data"}``; fields not sent are set to null."""
        return await self._bulk("PUT", record_type_id, self._with_ids(records), strict=strict)

    @traced("bulk_update", "record")
    async def bulk_update(
        self, record_type_id: str, records: Sequence[Mapping[str, Any]], *, strict: bool = True
    ) -> BulkResult:
        """Merge-patch records (``PATCH .../records/bulk``): each item is
        ``{"id", "data"}``; only the fields sent change."""
        return await self._bulk("PATCH", record_type_id, self._with_ids(records), strict=strict)

    @traced("bulk_delete", "record")
    async def bulk_delete(
        self, record_type_id: str, record_ids: Sequence[str], *, strict: bool = True
    ) -> BulkResult:
        """Delete records (``DELETE .../records/bulk`` with ``{"ids": [...]}``)."""
        ids = [check_name("record_id", r) for r in record_ids]
        return await self._bulk("DELETE", record_type_id, ids, strict=strict)

    @staticmethod
    def _with_ids(records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for r in records:
            item = check_data(r, "a bulk item")
            check_name("id", item.get("id"))
            if not isinstance(item.get("data"), Mapping):
                raise QueryError(f"a bulk item is {{'id': ..., 'data': {{...}}}}, not {r!r}")
            out.append({"id": item["id"], "data": dict(item["data"])})
        return out

    async def _bulk(
        self, method: str, record_type_id: str, items: Sequence[Any], *, strict: bool
    ) -> BulkResult:
        path = f"v2/record-types/{check_name('record_type_id', record_type_id)}/records/bulk"
        parts = chunks(items)
        found: dict[int, list[BulkItem]] = {}
        errors: list[dict[str, Any]] = []

        async def send(start: int, chunk: Sequence[Any]) -> None:
            payload = {"ids": list(chunk)} if method == "DELETE" else list(chunk)
            try:
                answer = await self._client.request(
                    Call(method, path, json=json_body(payload), idempotent=False)
                )
                got, request_errors = read_chunk(answer, start, len(chunk), method=method, url=path)
            except APIError as exc:
                # the whole chunk failed: every item in it failed with that error
                got = [
                    BulkItem(
                        index=start + i,
                        id=item if isinstance(item, str) else item.get("id"),
                        error=exc,
                    )
                    for i, item in enumerate(chunk)
                ]
                request_errors = []
            found[start] = got
            errors.extend(request_errors)

        # every chunk is one request; the client's limiter caps how many run at once
        async with anyio.create_task_group() as tg:
            for start, chunk in parts:
                tg.start_soon(send, start, chunk)
        result = BulkResult(
            items=tuple(item for start, _ in parts for item in found[start]),
            errors=tuple(errors),
        )
        if strict:
            result.raise_for_failures(f"{method} {path}")
        return result


class PlanningV2(PlanningClientBase):
    """An async client for the Planning API v2 of one tenant. Use it as ``async with``.

    Takes the same arguments as ``Planning`` (v1). ``records.search()``
    returns a ``RecordSearchV2`` with the same interface as v1's
    ``RecordSearch`` (``async for``, ``pages()``, ``all()``, ``first()``,
    ``count()``), so exports and the CLI take either.
    """

    _name = "PlanningV2"

    records: Records
    workspaces: Workspaces
    record_types: RecordTypes
    fields: Fields
    views: Views

    def _add_resources(self) -> None:
        self.records = Records(self)
        self.workspaces = Workspaces(self)
        self.record_types = RecordTypes(self)
        self.fields = Fields(self)
        self.views = Views(self)

    # -- RecordSearchV2Backend ---------------------------------------------------------

    async def _search_page_v2(
        self, record_type_id: str, body: Mapping[str, Any], params: Sequence[tuple[str, str]]
    ) -> Mapping[str, Any]:
        path = f"v2/record-types/{record_type_id}/records/search"
        answer = await self.request(Call("POST", path, tuple(params), json=json_body(dict(body))))
        if not isinstance(answer, Mapping):
            raise ResponseError(f"POST {path} did not return an object")
        return answer

    async def _fields_of(self, record_type_id: str) -> Sequence[Mapping[str, Any]]:
        cached = self._types.get(record_type_id)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        return await self.fields.list(record_type_id)
