"""wf.batch(): several calls in one POST /batch (docs/api-notes.md §4 "Batch"), and
wf.metadata() typed (docs/api-notes.md §4 "Metadata"), on a recording mock transport."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import anyio
import anyio.lowlevel
import httpx
import orjson
import pytest

from workfront_async import (
    ApiMetadata,
    Batch,
    BulkError,
    InvalidRequestError,
    NotFoundError,
    ObjectMetadata,
    PaginationError,
    Q,
    QueryError,
    ResponseError,
)

from .helpers import KEY, Recorder, client, is_form, ok, params_of, path_of


def form(request: httpx.Request) -> list[tuple[str, str]]:
    assert is_form(request)
    return parse_qsl(request.content.decode(), keep_blank_values=True)


def uris(request: httpx.Request) -> list[str]:
    return [v for k, v in form(request) if k == "uri"]


def split(uri: str) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(uri)
    return parts.path, parse_qsl(parts.query, keep_blank_values=True)


def batch_answer(*items: Any) -> httpx.Response:
    return httpx.Response(200, content=orjson.dumps({"data": list(items)}))


async def test_wire_format_matches_the_official_client() -> None:
    # docs/api-notes.md §4: POST /batch, form body atomic=false&concurrent=false&uri=<r1>&uri=<r2>,
    # each uri a relative request with its own query string
    rec = Recorder(
        lambda r: batch_answer({"data": [{"ID": "T1", "name": "a"}]}, {"data": {"count": 7}})
    )
    async with client(rec) as wf:
        b = wf.batch()
        first = b.search("task", Q.status == "INP", fields="name", limit=10)
        second = b.count("task", {"status": "INP"})
        assert (first, second) == (0, 1)
        rows, count = await b.send()
    assert rows == [{"ID": "T1", "name": "a"}]
    assert count == 7
    (req,) = rec.requests
    assert req.method == "POST"
    assert path_of(req) == "batch"
    assert req.url.query == b""
    assert form(req)[:2] == [("atomic", "false"), ("concurrent", "false")]
    search_uri, count_uri = uris(req)
    assert split(search_uri) == (
        "task/search",
        [
            ("status", "INP"),
            ("status_Mod", "eq"),
            ("fields", "name"),
            ("ID_Sort", "asc"),
            ("$$FIRST", "0"),
            ("$$LIMIT", "10"),
        ],
    )
    assert split(count_uri) == ("task/count", [("status", "INP")])
    assert req.headers["apiKey"] == KEY  # the credential is on the outer request only
    assert all(KEY not in u for u in uris(req))


async def test_writes_ride_with_method_and_results_come_back_in_order() -> None:
    answers = [
        {"data": {"ID": "N1", "name": "new"}},
        {"data": {"ID": "T2", "name": "renamed"}},
        {"data": {}},
        {"data": {"result": "ok"}},
        {"data": {"ID": "T9", "name": "x"}},
    ]
    rec = Recorder(lambda r: batch_answer(*answers))
    async with client(rec) as wf:
        b = wf.batch(concurrent=True)
        b.create("task", {"name": "new", "projectID": "P1"}, fields=["name"])
        b.update("task", "T2", {"name": "renamed"})
        b.delete("task", "T3", force=True)
        b.action("proj", "P1", "calculateTimeline")
        b.get("task", "T9", fields="name")
        results = await b.send()
    assert results == [
        {"ID": "N1", "name": "new"},
        {"ID": "T2", "name": "renamed"},
        None,
        {"result": "ok"},
        {"ID": "T9", "name": "x"},
    ]
    req = rec.last
    assert ("concurrent", "true") in form(req)
    sent = [split(u) for u in uris(req)]
    assert sent[0] == (
        "task",
        [
            ("method", "POST"),
            ("updates", '{"name":"new","projectID":"P1"}'),
            ("fields", "name"),
        ],
    )
    assert sent[1] == ("task/T2", [("method", "PUT"), ("updates", '{"name":"renamed"}')])
    assert sent[2] == ("task/T3", [("method", "DELETE"), ("force", "true")])
    assert sent[3] == ("proj/P1/calculateTimeline", [("method", "PUT")])
    assert sent[4] == ("task/T9", [("fields", "name")])


async def test_failed_items_raise_typed_errors_by_position() -> None:
    rec = Recorder(
        lambda r: batch_answer(
            {"data": {"count": 1}},
            {"error": {"class": "com.attask.common.NoSuchObjectException", "message": "gone"}},
            {"error": {"class": "java.lang.IllegalArgumentException", "message": "bad field"}},
        )
    )
    async with client(rec) as wf:
        b = wf.batch()
        b.count("task")
        b.get("task", "T404")
        b.update("task", "T1", {"nope": 1})
        with pytest.raises(BulkError) as info:
            await b.send()
        assert info.value.succeeded == {0: 1}
        assert isinstance(info.value.failed[1], NotFoundError)
        assert isinstance(info.value.failed[2], InvalidRequestError)
        assert "bad field" in str(info.value.failed[2])
        results = await b.send(return_exceptions=True)
    assert results[0] == 1
    assert isinstance(results[1], NotFoundError)
    assert isinstance(results[2], InvalidRequestError)


async def test_atomic_batch_answers_success_only() -> None:
    # docs/api-notes.md §4: atomic answers {"data": {"success": true}} or an error
    rec = Recorder(lambda r: ok({"success": True}))
    async with client(rec) as wf:
        b = wf.batch(atomic=True)
        b.create("task", {"name": "a", "projectID": "P1"})
        b.create("task", {"name": "b", "projectID": "P1"})
        assert await b.send() == []
    assert form(rec.last)[:2] == [("atomic", "true"), ("concurrent", "false")]
    rec2 = Recorder(lambda r: ok({"success": False}))
    async with client(rec2) as wf:
        b = wf.batch(atomic=True)
        b.delete("task", "T1")
        with pytest.raises(ResponseError, match="success"):
            await b.send()


async def test_empty_batch_sends_nothing() -> None:
    rec = Recorder(lambda r: ok([]))
    async with client(rec) as wf:
        assert await wf.batch().send() == []
        assert await wf.batch(atomic=True).send() == []
    assert rec.requests == []


async def test_large_batches_are_split_or_refused_before_the_wire() -> None:
    seen: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        count = len(uris(request))
        seen.append(count)
        return batch_answer(*({"data": {"count": i}} for i in range(count)))

    rec = Recorder(handler)
    async with client(rec) as wf:
        b = wf.batch()
        for _ in range(250):
            b.count("task")
        results = await b.send()
        assert len(results) == 250
        assert seen == [100, 100, 50]

        atomic = wf.batch(atomic=True)
        for i in range(101):
            atomic.delete("task", f"T{i}")
        with pytest.raises(QueryError, match="at most 100"):
            await atomic.send()

        with pytest.raises(QueryError, match="send it as its own call"):
            wf.batch().search("task", {"ID": [f"{i:032x}" for i in range(400)]}, limit=5)
    assert len(rec.requests) == 3


async def test_a_batch_takes_one_slot_of_the_limiter() -> None:
    inside = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal inside, peak
        inside += 1
        peak = max(peak, inside)
        await anyio.lowlevel.checkpoint()
        inside -= 1
        return batch_answer(*({"data": {"count": 0}} for _ in uris(request)))

    rec = Recorder(handler)
    async with client(rec, max_concurrency=1) as wf:
        b = wf.batch()
        for _ in range(20):
            b.count("task")
        assert wf.limiter.borrowed_tokens == 0
        await b.send()
    assert len(rec.requests) == 1
    assert peak == 1


async def test_a_full_search_page_without_limit_is_not_passed_off_as_everything() -> None:
    page = [{"ID": f"{i:032x}"} for i in range(2000)]
    rec = Recorder(lambda r: batch_answer({"data": page}, {"data": page[:5]}))
    async with client(rec) as wf:
        b = wf.batch()
        b.search("task")
        b.search("task", limit=5)
        full, five = await b.send(return_exceptions=True)
    assert isinstance(full, PaginationError)
    assert five == page[:5]  # asked for the first five: that is the whole answer
    with pytest.raises(QueryError):
        wf.batch().search("task", limit=2001)


async def test_wrong_answers_raise() -> None:
    rec = Recorder(lambda r: batch_answer({"data": {"count": 1}}))
    async with client(rec) as wf:
        b = wf.batch()
        b.count("task")
        b.count("proj")
        with pytest.raises(ResponseError, match="2 items answered with 1"):
            await b.send()


def test_batch_builder_rejects_bad_input() -> None:
    from workfront_async import Workfront

    wf = Workfront("https://acme.my.workfront.com", api_key=KEY)
    with pytest.raises(QueryError, match="cannot be concurrent"):
        wf.batch(atomic=True, concurrent=True)
    b = wf.batch()
    assert isinstance(b, Batch)
    with pytest.raises(QueryError):
        b.create("task", ["not", "a", "mapping"])  # type: ignore[arg-type]
    with pytest.raises(QueryError):
        b.get("task", "a/b")
    assert len(b) == 0


# -- metadata ------------------------------------------------------------------------

ROLE_METADATA = {
    # the shape of the recorded fixtures/metadata.json (docs/api-notes.md §4 "Metadata")
    "name": "Role",
    "label": "Job Role",
    "objCode": "ROLE",
    "flags": ["REPORTABLE"],
    "url": "https://x/attask/api/v6.0/role/metadata",
    "fields": {
        "billingPerHour": {
            "label": "Billing Per Hour",
            "flags": ["CURRENCY"],
            "fieldType": "double",
            "typeObjCode": None,
            "enumType": None,
            "url": None,
        }
    },
    "references": {
        "customer": {
            "label": "Customer",
            "flags": ["NOT_GROUPABLE"],
            "typeObjCode": "CUST",
            "fieldType": "Customer",
            "url": "https://x/cust/metadata",
        }
    },
    "collections": {
        "userRoles": {"label": "User Roles", "flags": [], "typeObjCode": "USRROL"},
    },
    "search": ["name", "billingPerHour"],
    "actions": {"calculateSomething": {"label": "Calc"}},
    "queries": {"search": {}, "count": {}},
    "operations": ["GET", "EDIT"],
    "custom": {
        "DE:Budget Code": {"label": "Budget Code", "fieldType": "string", "flags": ["CUSTOM"]}
    },
}


async def test_object_metadata_is_typed_and_keeps_the_raw_answer() -> None:
    rec = Recorder(lambda r: ok(ROLE_METADATA))
    async with client(rec) as wf:
        meta = await wf.metadata("role")
    assert path_of(rec.last) == "role/metadata"
    assert params_of(rec.last) == []
    assert isinstance(meta, ObjectMetadata)
    assert (meta.name, meta.label, meta.obj_code, meta.flags) == (
        "Role",
        "Job Role",
        "ROLE",
        ("REPORTABLE",),
    )
    field = meta.fields["billingPerHour"]
    assert (field.label, field.field_type, field.flags) == (
        "Billing Per Hour",
        "double",
        ("CURRENCY",),
    )
    assert meta.references["customer"].obj_code == "CUST"
    assert meta.collections["userRoles"].obj_code == "USRROL"
    assert meta.search == ("name", "billingPerHour")
    assert set(meta.actions) == {"calculateSomething"}
    assert set(meta.queries) == {"search", "count"}
    assert meta.operations == ("GET", "EDIT")
    assert meta.custom["DE:Budget Code"].field_type == "string"
    assert meta.raw == ROLE_METADATA
    assert meta["url"] == ROLE_METADATA["url"]
    assert dict(meta) == ROLE_METADATA


async def test_api_metadata_lists_the_object_types() -> None:
    answer = {"objects": {"PROJ": {"objCode": "PROJ", "name": "Project", "label": "Project"}}}
    rec = Recorder(lambda r: ok(answer))
    async with client(rec) as wf:
        meta = await wf.metadata()
    assert path_of(rec.last) == "metadata"
    assert isinstance(meta, ApiMetadata)
    assert meta.objects["PROJ"].label == "Project"
    assert meta.raw == answer


async def test_metadata_in_a_batch_is_typed() -> None:
    rec = Recorder(lambda r: batch_answer({"data": ROLE_METADATA}, {"data": {"objects": {}}}))
    async with client(rec) as wf:
        b = wf.batch()
        b.metadata("role")
        b.metadata()
        role, api = await b.send()
    assert isinstance(role, ObjectMetadata)
    assert role.obj_code == "ROLE"
    assert isinstance(api, ApiMetadata)
    assert api.objects == {}
    assert [split(u)[0] for u in uris(rec.last)] == ["role/metadata", "metadata"]


async def test_metadata_that_is_not_an_object_raises() -> None:
    rec = Recorder(lambda r: ok([1, 2]))
    async with client(rec) as wf:
        with pytest.raises(ResponseError):
            await wf.metadata("task")
