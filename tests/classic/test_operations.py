"""Wire format of every classic-API operation: method, path, parameters, body.

Each test cites the docs/api-notes.md section that fixes the format.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from workfront_async import (
    BulkError,
    InvalidRequestError,
    NotFoundError,
    QueryError,
    Retry,
    Workfront,
)

from .helpers import API, BASE, KEY, Recorder, client, err, ok, param, params_of, path_of


def echo(request: httpx.Request) -> httpx.Response:
    return ok({"ID": "X1", "name": "n"})


async def test_get_by_id_uses_the_object_uri() -> None:
    # docs/api-notes.md §1 Object URIs: /<objCode>/<ID>; fields=a,b
    rec = Recorder(echo)
    async with client(rec) as wf:
        row = await wf.get("task", "T1", fields=["name", "assignedTo:name"])
    assert row == {"ID": "X1", "name": "n"}
    req = rec.last
    assert req.method == "GET"
    assert path_of(req) == "task/T1"
    assert params_of(req) == [("fields", "name,assignedTo:name")]
    assert req.headers["apiKey"] == KEY  # docs/api-notes.md §4 "API key as a header"


async def test_get_wildcard_id_goes_in_the_query() -> None:
    # docs/api-notes.md §1: IDs that start with $$ go in the query, not the path
    rec = Recorder(lambda r: ok([{"ID": "U1"}]))
    async with client(rec) as wf:
        row = await wf.get("user", "$$USER")
    assert row == {"ID": "U1"}
    assert path_of(rec.last) == "user"
    assert param(rec.last, "id") == "$$USER"


async def test_get_many_keeps_input_order_and_reports_missing() -> None:
    # docs/api-notes.md §1: several: GET /proj?id=a,b
    def handler(request: httpx.Request) -> httpx.Response:
        ids = (param(request, "id") or "").split(",")
        return ok([{"ID": i} for i in reversed(ids) if i != "gone"])

    rec = Recorder(handler)
    async with client(rec) as wf:
        result = await wf.get_many("proj", ["b", "gone", "a", "b"], fields="name")
    assert [r["ID"] for r in result] == ["b", "a", "b"]
    assert result.missing == ("gone",)
    assert len(rec.requests) == 1
    assert path_of(rec.last) == "proj"
    assert param(rec.last, "id") == "b,gone,a"
    assert param(rec.last, "fields") == "name"


async def test_search_wire_format() -> None:
    # docs/api-notes.md §1 Search: GET /<obj>/search, in repeats the parameter, $$FIRST/$$LIMIT,
    # ID_Sort appended for stable paging
    rec = Recorder(lambda r: ok([{"ID": "1"}]))
    async with client(rec) as wf:
        rows = await wf.search(
            "task",
            {"status": ["CUR", "PLN"], "status_Mod": "in"},
            fields=["name"],
            sort=["-entryDate"],
        ).all()
    assert rows == [{"ID": "1"}]
    req = rec.last
    assert req.method == "GET"
    assert path_of(req) == "task/search"
    assert params_of(req) == [
        ("status", "CUR"),
        ("status", "PLN"),
        ("status_Mod", "in"),
        ("fields", "name"),
        ("entryDate_1_Sort", "desc"),
        ("ID_2_Sort", "asc"),
        ("$$FIRST", "0"),
        ("$$LIMIT", "2000"),
    ]


async def test_search_accepts_pairs() -> None:
    rec = Recorder(lambda r: ok([]))
    async with client(rec) as wf:
        assert await wf.search("task", [("name", "x"), ("name_Mod", "cicontains")]).all() == []
    assert params_of(rec.last)[:3] == [
        ("name", "x"),
        ("name_Mod", "cicontains"),
        ("ID_Sort", "asc"),
    ]


@pytest.mark.parametrize("body", [{"data": {"count": 7}}, {"count": 7}])
async def test_count_accepts_both_shapes(body: dict[str, Any]) -> None:
    # docs/api-notes.md §1 Count: {"data": {"count": 3}} (some docs show a bare {"count": 3})
    rec = Recorder(lambda r: httpx.Response(200, content=orjson.dumps(body)))
    async with client(rec) as wf:
        assert await wf.count("proj", {"status": "CUR"}) == 7
        assert await wf.search("proj", {"status": "CUR"}).limit(3).count() == 7
    assert path_of(rec.last) == "proj/count"
    assert params_of(rec.last) == [("status", "CUR")]


async def test_report_wire_format() -> None:
    # docs/api-notes.md §1 Report: <field>_<n>_GroupBy=true, <field>_AggFunc=sum, $$ROLLUP=true
    rec = Recorder(lambda r: ok({"First project": {"sum_hours": 15}}))
    async with client(rec) as wf:
        out = await wf.report(
            "hour", group_by=["project:name"], aggregates={"hours": "sum"}, rollup=True
        )
    assert out == {"First project": {"sum_hours": 15}}
    assert path_of(rec.last) == "hour/report"
    assert params_of(rec.last) == [
        ("project:name_1_GroupBy", "true"),
        ("hours_AggFunc", "sum"),
        ("$$ROLLUP", "true"),
    ]


async def test_report_rejects_unknown_aggregate_before_sending() -> None:
    rec = Recorder(echo)
    async with client(rec) as wf:
        with pytest.raises(QueryError, match="median"):
            await wf.report("hour", aggregates={"hours": "median"})
    assert rec.requests == []


async def test_named_query_and_metadata() -> None:
    # docs/api-notes.md §1 Named queries: GET /work/myWork
    rec = Recorder(lambda r: ok({"objects": {}} if "metadata" in r.url.path else [{"ID": "W"}]))
    async with client(rec) as wf:
        assert await wf.named_query("work", "myWork", fields=["name"]) == [{"ID": "W"}]
        assert path_of(rec.last) == "work/myWork"
        assert param(rec.last, "fields") == "name"
        await wf.metadata()
        assert path_of(rec.last) == "metadata"
        await wf.metadata("task")
        assert path_of(rec.last) == "task/metadata"


async def test_create_sends_updates_json() -> None:
    # docs/api-notes.md §1 Create: POST /proj with JSON in updates=; fields= honoured
    rec = Recorder(lambda r: ok({"ID": "P1", "name": "New"}))
    async with client(rec) as wf:
        row = await wf.create("proj", {"name": "New", "plannedHours": 3}, fields=["status"])
    assert row["ID"] == "P1"
    req = rec.last
    assert req.method == "POST"
    assert path_of(req) == "proj"
    assert orjson.loads(param(req, "updates") or "") == {"name": "New", "plannedHours": 3}
    assert param(req, "fields") == "status"


async def test_copy_wire_format() -> None:
    # docs/api-notes.md §1 Create: POST /proj?copySourceID=<ID>&... (options as options=[...])
    rec = Recorder(lambda r: ok({"ID": "P2"}))
    async with client(rec) as wf:
        await wf.copy("proj", "P1", {"name": "Copied"}, options=["clearFinancials"])
    req = rec.last
    assert (req.method, path_of(req)) == ("POST", "proj")
    assert param(req, "copySourceID") == "P1"
    assert orjson.loads(param(req, "updates") or "") == {"name": "Copied"}
    assert orjson.loads(param(req, "options") or "") == ["clearFinancials"]


async def test_update_and_delete() -> None:
    # docs/api-notes.md §1 Edit: PUT /proj/<ID>?updates={...}; Delete: DELETE /task/<ID>?force=true
    rec = Recorder(lambda r: ok({"ID": "T1"} if r.method == "PUT" else {"success": True}))
    async with client(rec) as wf:
        await wf.update("task", "T1", {"name": "Renamed"})
        put = rec.last
        await wf.delete("task", "T1", force=True)
        delete = rec.last
        await wf.delete("task", "T2")
    assert (put.method, path_of(put)) == ("PUT", "task/T1")
    assert orjson.loads(param(put, "updates") or "") == {"name": "Renamed"}
    assert (delete.method, path_of(delete)) == ("DELETE", "task/T1")
    assert param(delete, "force") == "true"
    assert param(rec.last, "force") is None


async def test_bulk_create_chunks_of_100_in_input_order() -> None:
    # docs/api-notes.md §1 Bulk: PUT /proj?updates=[...]&method=POST, at most 100 per call
    def handler(request: httpx.Request) -> httpx.Response:
        items = orjson.loads(param(request, "updates") or "")
        return ok([{"ID": f"ID-{it['name']}", **it} for it in items])

    rec = Recorder(handler)
    async with client(rec) as wf:
        created = await wf.bulk_create("task", [{"name": str(i)} for i in range(250)])
    assert [c["name"] for c in created] == [str(i) for i in range(250)]
    assert sorted(len(orjson.loads(param(r, "updates") or "")) for r in rec.requests) == [
        50,
        100,
        100,
    ]
    for req in rec.requests:
        assert param(req, "method") == "POST"
        assert path_of(req) == "task"
        # sent as PUT, or as POST with the parameters in the body when the URI is long
        assert req.method == "PUT" or (req.method == "POST" and params_of(req))


async def test_bulk_update_requires_ids_and_sends_put() -> None:
    rec = Recorder(lambda r: ok(orjson.loads(param(r, "updates") or "")))
    async with client(rec) as wf:
        with pytest.raises(QueryError, match="item 1 has no 'ID'"):
            await wf.bulk_update("task", [{"ID": "a"}, {"name": "x"}])
        assert rec.requests == []
        out = await wf.bulk_update("task", [{"ID": "a", "name": "x"}], atomic=False)
    assert out == [{"ID": "a", "name": "x"}]
    assert rec.last.method == "PUT"
    assert param(rec.last, "method") is None


async def test_atomic_bulk_over_100_raises_before_sending() -> None:
    # docs/api-notes.md §1 Bulk: atomic=true is all-or-nothing for one call only
    rec = Recorder(lambda r: ok({"success": True}))
    async with client(rec) as wf:
        with pytest.raises(QueryError, match="atomic"):
            await wf.bulk_create("task", [{"name": str(i)} for i in range(101)], atomic=True)
        assert rec.requests == []
        assert await wf.bulk_create("task", [{"name": "a"}], atomic=True) == []
    assert param(rec.last, "atomic") == "true"


async def test_bulk_partial_failure_reports_items() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        items = orjson.loads(param(request, "updates") or "")
        if any(it["name"] == "150" for it in items):
            return err(422, "bad name", "java.lang.IllegalArgumentException")
        return ok(items)

    rec = Recorder(handler)
    async with client(rec) as wf:
        with pytest.raises(BulkError) as info:
            await wf.bulk_create("task", [{"name": str(i)} for i in range(250)])
    assert sorted(info.value.failed) == list(range(100, 200))
    assert sorted(info.value.succeeded) == [*range(100), *range(200, 250)]
    assert isinstance(info.value.failed[150], InvalidRequestError)


async def test_bulk_delete_counts_not_found_as_done() -> None:
    # docs/api-notes.md §1 Delete: a child deleted by a cascade later fails with "not found"
    def handler(request: httpx.Request) -> httpx.Response:
        id_ = path_of(request).split("/")[1]
        if id_ == "child":
            return err(404, "not found", "NotFoundException")
        if id_ == "locked":
            return err(403, "no", "com.attask.common.SecurityException")
        return ok({"success": True})

    rec = Recorder(handler)
    async with client(rec) as wf:
        await wf.bulk_delete("task", ["parent", "child"], force=True)
        assert {path_of(r) for r in rec.requests} == {"task/parent", "task/child"}
        assert all(r.method == "DELETE" and param(r, "force") == "true" for r in rec.requests)
        with pytest.raises(BulkError) as info:
            await wf.bulk_delete("task", ["a", "locked", "child"])
    assert list(info.value.failed) == [1]
    assert sorted(info.value.succeeded) == [0, 2]


async def test_actions_move_and_share() -> None:
    # docs/api-notes.md §1 Actions: PUT /task/<ID>/move?projectID=...;
    # PUT /proj/<ID>/share?accessorID=&accessorObjCode=USER&coreAction=VIEW
    rec = Recorder(lambda r: ok({"result": "ok"}))
    async with client(rec) as wf:
        await wf.action("proj", "P1", "calculateTimeline")
        assert (rec.last.method, path_of(rec.last)) == ("PUT", "proj/P1/calculateTimeline")
        await wf.move("T1", "P9")
        assert (rec.last.method, path_of(rec.last)) == ("PUT", "task/T1/move")
        assert param(rec.last, "projectID") == "P9"
        await wf.share("proj", "P1", "U1", "USER", core_action="EDIT")
        assert path_of(rec.last) == "proj/P1/share"
        assert params_of(rec.last)[:3] == [
            ("accessorID", "U1"),
            ("accessorObjCode", "USER"),
            ("coreAction", "EDIT"),
        ]


async def _chunks() -> AsyncIterator[bytes]:
    yield b"hello "
    yield b"world"


@pytest.mark.parametrize("content", [b"hello world", io.BytesIO(b"hello world"), "stream"])
async def test_upload_multipart_and_attach(content: Any) -> None:
    # docs/api-notes.md §1 Upload: POST /upload multipart, field uploadedFile -> {"handle": ...};
    # then POST /document?updates={name, handle, docObjCode, objID, currentVersion}
    def handler(request: httpx.Request) -> httpx.Response:
        if path_of(request) == "upload":
            return ok({"handle": "H123"})
        return ok({"ID": "D1"})

    rec = Recorder(handler)
    async with client(rec) as wf:
        doc = await wf.upload_document(
            "a.txt", _chunks() if content == "stream" else content, "TASK", "T1"
        )
    assert doc == {"ID": "D1"}
    upload, document = rec.requests
    assert (upload.method, path_of(upload)) == ("POST", "upload")
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b'name="uploadedFile"; filename="a.txt"' in upload.content
    assert b"hello world" in upload.content
    assert (document.method, path_of(document)) == ("POST", "document")
    assert orjson.loads(param(document, "updates") or "") == {
        "name": "a.txt",
        "handle": "H123",
        "docObjCode": "TASK",
        "objID": "T1",
        "currentVersion": {"version": "v1.0", "fileName": "a.txt"},
    }


async def test_bad_names_are_refused_before_sending() -> None:
    rec = Recorder(echo)
    async with client(rec) as wf:
        for bad in ("", "task/1", "a?b"):
            with pytest.raises(QueryError):
                await wf.get("task", bad)
        with pytest.raises(QueryError, match="where="):
            wf.search("task", "status=CUR")  # type: ignore[arg-type]
    assert rec.requests == []


async def test_base_url_forms() -> None:
    for base in (BASE, BASE + "/", BASE + "/attask/api/v15.0", BASE + "/attask/api/v15.0/"):
        wf = Workfront(base, api_key=KEY, transport=Recorder(echo).transport())
        assert wf.api_url == API
        await wf.aclose()
    wf = Workfront("https://proxy.local/wf/", api_version="v20.0", retry=Retry.none())
    assert wf.api_url == "https://proxy.local/wf/attask/api/v20.0/"
    await wf.aclose()


async def test_closed_client_refuses_reuse() -> None:
    rec = Recorder(echo)
    wf = client(rec)
    async with wf:
        await wf.get("task", "T1")
    with pytest.raises(RuntimeError, match="closed"):
        await wf.get("task", "T1")
    with pytest.raises(RuntimeError, match="closed"):
        async with wf:
            pass


async def test_get_not_found_maps_to_error() -> None:
    rec = Recorder(lambda r: err(404, "no such task", "NotFoundException"))
    async with client(rec) as wf:
        with pytest.raises(NotFoundError):
            await wf.get("task", "nope")


async def test_get_many_falls_back_to_an_id_search_when_a_list_is_refused() -> None:
    # a list with an unknown ID can be refused as a whole (404): the chunk is asked again
    # as GET /<obj>/search?ID=a&ID=b&ID_Mod=in (API notes §1 Search: in repeats the parameter)
    known = {"a", "c"}

    def handler(request: httpx.Request) -> httpx.Response:
        if path_of(request) == "task/search":
            asked = [v for k, v in params_of(request) if k == "ID"]
            return ok([{"ID": i} for i in asked if i in known])
        ids = (param(request, "id") or "").split(",")
        if set(ids) - known:
            return err(404, "TASK with ID b does not exist", "NotFoundException")
        return ok([{"ID": i} for i in ids])

    rec = Recorder(handler)
    async with client(rec) as wf:
        result = await wf.get_many("task", ["c", "b", "a"], fields=["name"])
    assert [r["ID"] for r in result] == ["c", "a"]
    assert result.missing == ("b",)
    search = rec.last
    assert path_of(search) == "task/search"
    assert param(search, "ID_Mod") == "in"
    assert param(search, "fields") == "name"


class AsyncFile:
    """A file-like object with an async ``read`` (like anyio's ``AsyncFile``)."""

    async def read(self) -> bytes:
        return b"async file body"


async def test_upload_accepts_async_files_and_refuses_text() -> None:
    rec = Recorder(lambda r: ok({"handle": "H9"}))
    async with client(rec) as wf:
        assert await wf.upload("f.bin", AsyncFile()) == "H9"  # type: ignore[arg-type]
        assert b"async file body" in rec.last.content
        with pytest.raises(QueryError, match="binary mode"):
            await wf.upload("f.txt", io.StringIO("text"))  # type: ignore[arg-type]
        with pytest.raises(QueryError, match="bytes, a binary file"):
            await wf.upload("f.txt", 42)  # type: ignore[arg-type]
    assert len(rec.requests) == 1


def test_bad_constructor_arguments_say_what_to_do() -> None:
    with pytest.raises(QueryError, match=r"https://acme\.my\.workfront\.com"):
        Workfront("acme.my.workfront.com", api_key=KEY)
    with pytest.raises(QueryError, match="max_concurrency"):
        Workfront(BASE, api_key=KEY, max_concurrency=0)
    with pytest.raises(QueryError, match="api_version"):
        Workfront(BASE, api_key=KEY, api_version="21")
