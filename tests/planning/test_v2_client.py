"""The v2 client (``PlanningV2``) against the embedded Workfront's v2 routes
and on mock transports (docs/api-notes.md §5; Adobe's ``static/v2.json``)."""

from __future__ import annotations

from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest

from workfront_async import (
    BearerAuth,
    BulkError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
    Planning,
    PlanningV2,
    Q,
    QueryError,
    Retry,
)
from workfront_async.planning import RecordSearch, RecordSearchV2
from workfront_async.testing import Emulator
from workfront_async.testing.planning import PlanningBackend

from ._support import BASE, TOKEN, Recorder, body_of, ok

FIELDS = [
    {"id": "name", "name": "Name", "type": "text"},
    {"id": "n", "name": "N", "type": "number"},
    {"id": "status", "name": "Status", "type": "single select", "options": ["Open", "Done"]},
    {"id": "tags", "name": "Tags", "type": "multi select", "options": ["x", "y", "z"]},
]


def _tenant(records: int = 0) -> tuple[Emulator, PlanningBackend]:
    emu = Emulator()
    backend = PlanningBackend()
    ws = backend.add_workspace("W", id="ws1")
    backend.add_record_type(ws.id, "Rows", FIELDS, id="rtA")
    for i in range(records):
        status = "Open" if i % 2 else "Done"
        backend.add_record("rtA", {"name": f"r{i:03d}", "n": i, "status": status})
    emu.planning = backend
    return emu, backend


def _v2(emu: Emulator, **kw: Any) -> PlanningV2:
    kw.setdefault("retry", Retry().without_backoff())
    return PlanningV2(BASE, auth=BearerAuth(emu.issue_token()), transport=emu.transport(), **kw)


def _mock(rec: Recorder) -> PlanningV2:
    return PlanningV2(BASE, auth=BearerAuth(TOKEN), transport=rec.transport(), validate=False)


def _v1(emu: Emulator) -> Planning:
    return Planning(
        BASE,
        auth=BearerAuth(emu.issue_token()),
        transport=emu.transport(),
        retry=Retry().without_backoff(),
    )


# --- search ----------------------------------------------------------------------------


async def test_search_pages_with_page_and_size_and_never_truncates() -> None:
    emu, _ = _tenant(records=23)
    before = emu.stats.requests
    async with _v2(emu, validate=False) as pl:
        s = pl.records.search("rtA", Q.n >= 3, sort=["-n"], page_size=5)
        got = await s.all()
        assert await s.count() == 20
        first = await s.first()
    assert [r["data"]["n"] for r in got] == list(range(22, 2, -1))
    assert first is not None
    assert first["data"]["n"] == 22
    # 4 pages of 5 (the fourth says last), then count and first
    assert emu.stats.requests - before == 4 + 1 + 1


async def test_search_body_and_query_on_the_wire() -> None:
    # static/v2.json searchRecordsPost: page/size/aliased/fieldIds in the query,
    # RecordSearchRequestDto {filter, sort, group} in the body
    page = {"records": {"content": [], "totalElements": 0, "last": True}, "groups": []}
    rec = Recorder(lambda request: ok(page))
    auth = BearerAuth(TOKEN)
    async with PlanningV2(BASE, auth=auth, transport=rec.transport(), validate=False) as pl:
        s = pl.records.search(
            "rt1", Q.status.isin(["a", "b"]) & Q.due.is_null(), sort=["name"], fields=["name", "n"]
        )
        await s.aliased().all()
    [request] = rec.requests
    assert request.url.path == "/maestro/api/v2/record-types/rt1/records/search"
    assert dict(request.url.params) == {
        "page": "0",
        "size": "100",
        "aliased": "true",
        "fieldIds": "name,n",
    }
    assert body_of(request) == {
        "filter": {
            "operator": "AND",
            "conditions": [
                {"fieldId": "status", "condition": "IS_ANY_OF", "value": ["a", "b"]},
                {"fieldId": "due", "condition": "IS_EMPTY"},
            ],
        },
        "sort": [{"fieldId": "name", "direction": "asc"}],
    }


async def test_search_validates_against_the_fields_of_the_record_type() -> None:
    emu, _ = _tenant(records=2)
    async with _v2(emu) as pl:
        with pytest.raises(QueryError, match="number field does not accept"):
            await pl.records.search("rtA", Q.n.contains("1")).all()
        with pytest.raises(QueryError, match="has no field 'nope'"):
            await pl.records.search("rtA", Q.nope == 1).all()


async def test_fields_aliases_groups_and_the_shared_interface() -> None:
    emu, _backend = _tenant(records=4)
    async with _v2(emu) as pl:
        s = pl.records.search("rtA", Q.status == "Open")
        rows = await s.fields("name").all()
        assert [set(r["data"]) for r in rows] == [{"name"}, {"name"}]
        aliased = await s.aliased().first()
        assert aliased is not None
        assert aliased["recordTypeAlias"] == "rows"
        assert set(aliased["data"]) == {"name", "n", "status"}  # aliases of these fields
        groups = await pl.records.search("rtA").group_by("status").groups()
        assert {g["value"]: g["count"] for g in groups} == {"Done": 2, "Open": 2}
    # the interface exports and the CLI rely on, shared by v1 and v2
    for cls in (RecordSearch, RecordSearchV2):
        for name in ("pages", "__aiter__", "all", "first", "count", "where", "sort", "limit",
                     "page_size", "aliased", "group_by", "groups"):  # fmt: skip
            assert callable(getattr(cls, name)), (cls, name)


async def test_pagination_guards() -> None:
    def too_many(request: httpx.Request) -> httpx.Response:
        size = int(request.url.params["size"])
        content = [{"id": f"r{i}"} for i in range(size + 1)]
        return ok({"records": {"content": content, "totalElements": 50, "last": False}})

    rec = Recorder(too_many)
    async with _mock(rec) as pl:
        with pytest.raises(PaginationError, match="ignored 'size'"):
            await pl.records.search("rt1", page_size=10).all()

    def short(request: httpx.Request) -> httpx.Response:
        return ok({"records": {"content": [{"id": "r1"}], "totalElements": 5, "last": True}})

    rec = Recorder(short)
    async with _mock(rec) as pl:
        with pytest.raises(PaginationError, match="totalElements is 5"):
            await pl.records.search("rt1").all()


# --- CRUD ----------------------------------------------------------------------------


async def test_crud_put_replaces_patch_merges_and_v1_and_v2_share_the_store() -> None:
    emu, _ = _tenant()
    async with _v1(emu) as v1, _v2(emu) as v2:
        made = await v1.records.create("rtA", {"name": "from v1", "n": 1, "tags": ["x"]})
        got = await v2.records.get(made["id"])
        # static/v2.json RecordDto: createdBy is {id, name}; no customerId/imsOrgId
        assert got["data"] == made["data"]
        assert set(got["createdBy"]) == {"id", "name"}
        assert "customerId" not in got
        patched = await v2.records.update(made["id"], {"status": "Done", "n": None})
        assert patched["data"] == {"name": "from v1", "tags": ["x"], "status": "Done"}
        replaced = await v2.records.replace(made["id"], {"name": "only"})
        assert replaced["data"] == {"name": "only"}
        created = await v2.records.create("rtA", {"name": "from v2"})
        assert (await v1.records.get(created["id"]))["data"] == {"name": "from v2"}
        history = await v2.records.history(made["id"])
        assert [h["fieldId"] for h in history] == ["n", "status", "name", "status", "tags"]
        assert history[1]["after"]["value"] == "Done"
        assert await v2.records.delete(created["id"]) is None
        with pytest.raises(NotFoundError) as info:
            await v2.records.get(created["id"])
    # static/v2.json V2ProblemDetail
    assert info.value.error_class == "ENTITY_WITH_ATTRIBUTE_NOT_FOUND"
    assert "request ID" in info.value.message


async def test_record_limit_per_record_type() -> None:
    emu, backend = _tenant(records=3)
    backend.max_records_per_type = 3  # 25,000 in the spec; lowered to test the answer
    async with _v2(emu) as pl:
        with pytest.raises(PermissionDeniedError) as info:
            await pl.records.create("rtA", {"name": "one too many"})
    assert info.value.error_class == "RECORD_TYPE_RECORD_LIMIT_EXCEEDED"


# --- bulk -----------------------------------------------------------------------------


async def test_bulk_create_in_concurrent_chunks_of_100() -> None:
    emu, backend = _tenant()
    seen: list[int] = []
    inner = emu.transport()
    in_flight = 0
    most = 0

    class Counting(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal in_flight, most
            if request.url.path.endswith("/bulk"):
                seen.append(len(request.content))
                in_flight += 1
                most = max(most, in_flight)
                await anyio.lowlevel.checkpoint()  # let the other chunks start
                try:
                    return await inner.handle_async_request(request)
                finally:
                    in_flight -= 1
            return await inner.handle_async_request(request)

    pl = PlanningV2(
        BASE, auth=BearerAuth(emu.issue_token()), transport=Counting(), max_concurrency=2
    )
    async with pl:
        result = await pl.records.bulk_create(
            "rtA", [{"name": f"b{i}", "n": i} for i in range(250)]
        )
    assert len(seen) == 3  # 100 + 100 + 50
    assert most == 2  # concurrent, and capped by the client's limiter
    assert result.ok
    assert [item.index for item in result.items] == list(range(250))
    assert [item.record["data"]["n"] for item in result.items if item.record] == list(range(250))
    assert len(backend._by_type["rtA"]) == 250


async def test_bulk_partial_failure_is_reported_per_item() -> None:
    emu, backend = _tenant(records=3)
    ids = list(backend._by_type["rtA"])
    items = [
        {"id": ids[0], "data": {"n": 100}},
        {"id": "missing", "data": {"n": 1}},
        {"id": ids[2], "data": {"n": "not a number"}},
        {"id": ids[1], "data": {"status": "Done"}},
    ]
    async with _v2(emu) as pl:
        with pytest.raises(BulkError) as info:
            await pl.records.bulk_update("rtA", items)
        result = await pl.records.bulk_update("rtA", items, strict=False)
    err = info.value
    assert sorted(err.failed) == [1, 2]
    assert sorted(err.succeeded) == [0, 3]
    assert isinstance(err.failed[1], NotFoundError)
    assert [i.ok for i in result.items] == [True, False, False, True]
    assert result.items[2].error is not None
    assert "a number" in result.items[2].error.message
    # the items that succeeded were written, merge-patch style
    assert backend._records[ids[1]].data["name"] == "r001"
    assert backend._records[ids[1]].data["status"] == "Done"


async def test_bulk_on_the_wire_and_207() -> None:
    answers = {
        "POST": (
            201,
            {
                "status": "success",
                "results": [
                    {"requestIndex": 0, "id": "r1", "status": "success", "record": {"id": "r1"}}
                ],
            },
        ),
        "DELETE": (
            207,
            {
                "status": "partial",
                "results": [
                    {"requestIndex": 0, "id": "r1", "status": "success"},
                    {
                        "requestIndex": 1,
                        "id": "r2",
                        "status": "error",
                        "error": {
                            "code": "ENTITY_WITH_ATTRIBUTE_NOT_FOUND",
                            "message": "Record with ID 'r2' was not found.",
                        },
                    },
                ],
            },
        ),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        status, body = answers[request.method]
        return ok(body, status)

    rec = Recorder(handler)
    async with PlanningV2(BASE, auth=BearerAuth(TOKEN), transport=rec.transport()) as pl:
        await pl.records.bulk_create("rt1", [{"name": "a"}])
        result = await pl.records.bulk_delete("rt1", ["r1", "r2"], strict=False)
    create, delete = rec.requests
    # static/v2.json: an array of RecordBaseDto; BulkDeleteRequestDto {"ids"}
    assert body_of(create) == [{"data": {"name": "a"}}]
    assert body_of(delete) == {"ids": ["r1", "r2"]}
    assert [i.ok for i in result.items] == [True, False]
    assert result.items[1].id == "r2"


async def test_move_changes_the_row_order_v1_reads() -> None:
    emu, backend = _tenant(records=4)
    a, b, c, d = list(backend._by_type["rtA"])
    async with _v2(emu) as v2, _v1(emu) as v1:
        views = await v2.views.list("rtA")
        await v2.records.move("rtA", [d, c], after=a)
        ordered = await v1.records.search("rtA").row_order(views[0]["id"]).all()
        with pytest.raises(BulkError):
            await v2.records.move("rtA", ["nope"], before=a)
    assert [r["id"] for r in ordered] == [a, d, c, b]


# --- management -----------------------------------------------------------------------------


async def test_workspaces_record_types_fields_and_views() -> None:
    emu, _backend = _tenant()
    async with _v2(emu) as pl:
        ws = await pl.workspaces.create({"name": "Marketing", "description": "d"})
        assert (await pl.workspaces.update(ws["id"], {"description": "new"}))["name"] == "Marketing"
        assert (await pl.workspaces.replace(ws["id"], {"name": "M2"}))["description"] == ""
        rt = await pl.record_types.create(ws["id"], {"displayName": "Campaigns"})
        assert [r["id"] for r in await pl.record_types.list(ws["id"])] == [rt["id"]]
        field = await pl.fields.create(rt["id"], {"displayName": "Budget", "type": "CURRENCY"})
        assert field["type"] == "CURRENCY"  # static/v2.json FieldDto spelling
        renamed = await pl.fields.update(field["id"], {"displayName": "Spend"})
        assert renamed["displayName"] == "Spend"
        fields = await pl.fields.list(rt["id"])
        assert [f["displayName"] for f in fields] == ["Name", "Spend"]
        rec = await pl.records.create(rt["id"], {field["id"]: 12.5})
        hits = await pl.records.search(rt["id"], Q[field["id"]] > 10).all()
        assert [h["id"] for h in hits] == [rec["id"]]
        # ViewDto.type: table, timeline, calendar, list or gallery (static/v2.json)
        view = await pl.views.create(rt["id"], {"name": "Board", "type": "gallery"})
        assert (await pl.views.get(view["id"]))["type"] == "gallery"
        await pl.views.delete(view["id"])
        await pl.fields.delete(field["id"])
        assert "Spend" not in [f["displayName"] for f in await pl.fields.list(rt["id"])]
        await pl.record_types.delete(rt["id"])
        await pl.workspaces.delete(ws["id"])
        with pytest.raises(NotFoundError):
            await pl.workspaces.get(ws["id"])
        with pytest.raises(NotFoundError):
            await pl.records.get(rec["id"])


async def test_cursor_lists_follow_every_page() -> None:
    emu, backend = _tenant()
    for i in range(60):
        backend.add_workspace(f"W{i}")
    async with _v2(emu) as pl:
        listed = await pl.workspaces.list()  # limit 50 per page (static/v2.json)
    assert len(listed) == 61


async def test_field_limit_per_record_type() -> None:
    emu, backend = _tenant()
    backend.max_fields_per_type = 4  # 500 in the spec; lowered to test the answer
    async with _v2(emu) as pl:
        with pytest.raises(PermissionDeniedError) as info:
            await pl.fields.create("rtA", {"displayName": "Fifth", "type": "TEXT"})
    assert info.value.error_class == "FIELD_LIMIT_EXCEEDED"
