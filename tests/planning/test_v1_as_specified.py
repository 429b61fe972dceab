"""The v1 client and emulator as Adobe specifies v1 (docs/api-notes.md §5; Adobe's
``static/v1.json`` and the "V1 vs V2" guide in ``src/pages/index.md`` of
``AdobeDocs/Workfront-Planning-API``)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from workfront_async import (
    BearerAuth,
    InvalidRequestError,
    NotFoundError,
    Planning,
    Q,
    QueryError,
    Retry,
    ServerToServerAuth,
)
from workfront_async.planning import field_types
from workfront_async.testing import Emulator
from workfront_async.testing.planning import PlanningBackend

from ._support import BASE, Recorder, body_of, client, ok

FIELDS = [
    {"id": "name", "name": "Name", "type": "text"},
    {"id": "budget", "name": "Budget", "type": "currency"},
    {"id": "status", "name": "Status", "type": "single select", "options": ["Open", "Done"]},
    {"id": "due", "name": "Due", "type": "date"},
    {"id": "links", "name": "Links", "type": "reference", "recordTypeId": "rtA"},
    {"id": "made", "name": "Made", "type": "created at"},
    {"id": "code", "name": "Code", "type": "formula"},
]


def _tenant() -> tuple[Emulator, PlanningBackend]:
    emu = Emulator()
    backend = PlanningBackend()
    ws = backend.add_workspace("W", id="ws1")
    backend.add_record_type(ws.id, "Things", FIELDS, id="rtA")
    emu.planning = backend
    return emu, backend


def _connect(emu: Emulator, **kw: Any) -> Planning:
    kw.setdefault("retry", Retry().without_backoff())
    return Planning(BASE, auth=BearerAuth(emu.issue_token()), transport=emu.transport(), **kw)


# --- 1. no silent data loss ---------------------------------------------------------


async def test_update_keeps_the_fields_it_is_not_given() -> None:
    # docs/api-notes.md §5: PUT /v1/records/{id} is a full replacement (the emulator's
    # PUT replaces, as Adobe documents); update() must not wipe unsent fields
    emu, backend = _tenant()
    other = backend.add_record("rtA", {"name": "other"})
    async with _connect(emu) as pl:
        made = await pl.records.create(
            "rtA",
            {"name": "Launch", "budget": 10, "due": "2026-03-15", "links": [other.id]},
        )
        updated = await pl.records.update(made["id"], {"status": "Done", "budget": None})
        assert updated["data"]["status"] == "Done"
        assert "budget" not in updated["data"]  # None clears
        assert updated["data"]["name"] == "Launch"  # kept
        assert updated["data"]["due"] == "2026-03-15"  # kept, still a date
        assert updated["data"]["links"] == [{"id": other.id, "externalId": None, "value": None}]
        again = await pl.records.get(made["id"])
        assert again["data"] == updated["data"]


async def test_replace_says_what_it_does_fields_not_sent_are_emptied() -> None:
    emu, _ = _tenant()
    async with _connect(emu) as pl:
        made = await pl.records.create("rtA", {"name": "Launch", "budget": 10})
        replaced = await pl.records.replace(made["id"], {"status": "Open"})
    assert replaced["data"].get("name") is None
    assert replaced["data"].get("budget") is None
    assert replaced["data"]["status"] == "Open"


async def test_update_is_a_get_then_a_put_of_the_merged_values() -> None:
    record = {"id": "rec1", "recordTypeId": "rt1", "data": {"a": 1, "b": [{"id": "r9"}]}}

    def handler(request: httpx.Request) -> httpx.Response:
        return ok(record)

    rec = Recorder(handler)
    async with client(rec) as pl:
        await pl.records.update("rec1", {"a": 2, "c": None})
    get, put = rec.requests
    assert (get.method, get.url.path) == ("GET", "/maestro/api/v1/records/rec1")
    assert (put.method, put.url.path) == ("PUT", "/maestro/api/v1/records/rec1")
    # static/v1.json updateRecord takes a RecordDto: {"data": {...}}
    assert body_of(put) == {"data": {"a": 2, "b": [{"id": "r9"}], "c": None}}


async def test_a_record_as_fetched_can_be_sent_back() -> None:
    # docs/api-notes.md §5: references come back as objects and are accepted back
    emu, backend = _tenant()
    target = backend.add_record("rtA", {"name": "t"})
    seeded = backend.add_record("rtA", {"name": "x", "links": [target.id], "code": "C-1"})
    async with _connect(emu) as pl:
        got = await pl.records.get(seeded.id)
        # static/v1.json RecordDto keys
        assert {"customerId", "imsOrgId", "thumbnailUrl"} <= set(got)
        assert got["data"]["links"] == [{"id": target.id, "externalId": None, "value": None}]
        back = await pl.records.replace(seeded.id, got["data"])
    assert back["data"] == got["data"]


# --- 2. $isEmpty on dates -----------------------------------------------------------------


async def test_is_empty_on_a_date_field_is_accepted_end_to_end() -> None:
    # docs/api-notes.md §3 table as Adobe's current page prints it: date, updated at take $isEmpty
    emu, backend = _tenant()
    empty = backend.add_record("rtA", {"name": "no date"})
    backend.add_record("rtA", {"name": "dated", "due": "2026-01-01"})
    async with _connect(emu, validate=True) as pl:
        found = await pl.records.search("rtA", Q.due.is_null()).all()
    assert [r["id"] for r in found] == [empty.id]


# --- 3. error bodies ------------------------------------------------------------------------


async def test_v1_error_body_maps_into_the_error_tree() -> None:
    body = {
        "type": 40001,
        "title": "Invalid Data",
        "report": {"detailedMessage": "Field name cannot be empty"},
    }

    rec = Recorder(lambda request: ok(body, 400))
    async with client(rec) as pl:
        with pytest.raises(InvalidRequestError) as info:
            await pl.records.create("rt1", {"name": ""})
    err = info.value
    assert err.error_class == "40001"
    assert err.message == "Field name cannot be empty"
    assert err.detail["title"] == "Invalid Data"
    assert "[40001]" in str(err)
    assert "Field name cannot be empty" in str(err)


async def test_v2_problem_details_map_into_the_error_tree() -> None:
    # the "V1 vs V2" guide's example, and static/v2.json V2ProblemDetail
    body = {
        "title": "Validation failed",
        "status": 400,
        "detail": "Request validation failed.",
        "errorCode": "VALIDATION_FAILED",
        "messageArguments": {},
        "requestId": "b7c3-e1",
        "errors": [{"field": "name", "message": "must not be blank"}],
    }
    rec = Recorder(lambda request: ok(body, 400))
    async with client(rec) as pl:
        with pytest.raises(InvalidRequestError) as info:
            await pl.records.create("rt1", {"name": ""})
    err = info.value
    assert err.error_class == "VALIDATION_FAILED"
    assert "Request validation failed." in err.message
    assert "name: must not be blank" in err.message
    assert "b7c3-e1" in err.message  # support asks for the request ID
    assert err.detail["requestId"] == "b7c3-e1"

    missing = {
        "title": "Not found",
        "status": 404,
        "detail": "Record type with ID 'Rt1' was not found.",
        "errorCode": "ENTITY_WITH_ATTRIBUTE_NOT_FOUND",
        "requestId": "r-2",
    }
    rec = Recorder(lambda request: ok(missing, 404))
    async with client(rec) as pl:
        with pytest.raises(NotFoundError) as nf:
            await pl.records.get("x")
    assert nf.value.error_class == "ENTITY_WITH_ATTRIBUTE_NOT_FOUND"


async def test_the_emulator_answers_v1_errors_in_the_documented_shape() -> None:
    emu, _ = _tenant()
    async with _connect(emu) as pl:
        with pytest.raises(NotFoundError) as info:
            await pl.records.get("nope")
    assert info.value.error_class == "40401"
    assert info.value.detail["title"] == "Not Found"


# --- 5. search options ----------------------------------------------------------------------


async def test_search_by_get_with_alias_groups_and_row_order() -> None:
    emu, backend = _tenant()
    a = backend.add_record("rtA", {"name": "a", "status": "Open"})
    b = backend.add_record("rtA", {"name": "b", "status": "Done"})
    c = backend.add_record("rtA", {"name": "c", "status": "Open"})
    view_id = next(v for v, d in backend.view_defs.items() if d["recordTypeId"] == "rtA")
    backend.row_order["rtA"] = [c.id, a.id, b.id]
    async with _connect(emu) as pl:
        # GET /v1/records/search (static/v1.json searchRecordsGet)
        s = pl.records.search("rtA", Q.status == "Open").via_get()
        assert [r["id"] for r in await s.all()] == [a.id, c.id]
        with pytest.raises(QueryError, match="no sorting"):
            await s.sort("name").all()
        # recordTypeAlias and ?aliased=true: data keyed by field alias
        by_alias = pl.records.search("things", by_alias=True).aliased()
        first = await by_alias.first()
        assert first is not None
        assert first["data"]["name"] == "a"
        assert "status" in first["data"]
        # rowOrderViewId: the view's manual order
        ordered = await pl.records.search("rtA").row_order(view_id).all()
        assert [r["id"] for r in ordered] == [c.id, a.id, b.id]
        # groupingFieldIds: groups [{fieldId, value, recordIds}]
        groups = await pl.records.search("rtA").group_by("status").groups()
    assert groups == [
        {"fieldId": "status", "value": "Open", "recordIds": [a.id, c.id]},
        {"fieldId": "status", "value": "Done", "recordIds": [b.id]},
    ]


async def test_search_options_on_the_wire() -> None:
    rec = Recorder(lambda request: ok({"records": [], "totalCount": 0, "groups": []}))
    async with client(rec) as pl:
        s = pl.records.search("rt1", Q.n > 1).row_order("V1").group_by("g1", "g2").aliased()
        await s.all()
        await s.via_get().all()
    post, get = rec.requests
    assert post.url.params["aliased"] == "true"
    assert body_of(post) == {
        "recordTypeId": "rt1",
        "filters": {"$and": [{"n": {"$greaterThan": 1}}]},
        "offset": 0,
        "limit": 500,
        "rowOrderViewId": "V1",
        "groupingFieldIds": ["g1", "g2"],
    }
    assert get.method == "GET"
    assert dict(get.url.params) == {
        "aliased": "true",
        "recordTypeId": "rt1",
        "filters": '{"$and":[{"n":{"$greaterThan":1}}]}',
        "offset": "0",
        "limit": "500",
        "rowOrderViewId": "V1",
        "groupingFieldIds": "g1,g2",
    }


# --- 6. field-type spellings; offset/limit as strings --------------------------------------


def test_field_types_read_v1_and_v2_spellings() -> None:
    v1 = {"fields": [{"id": "a", "type": "long-text"}, {"id": "b", "type": "single-select"},
                     {"id": "c", "type": "user"}, {"id": "d", "type": "updated-at"}]}  # fmt: skip
    v2 = [{"id": "a", "type": "PARAGRAPH"}, {"id": "b", "type": "SINGLE_SELECT"},
          {"id": "c", "type": "USER"}, {"id": "e", "type": "CHECKBOX"}]  # fmt: skip
    common = {"a": "long text", "b": "single select", "c": "user"}
    assert field_types(v1) == {**common, "d": "updated at"}
    assert field_types(v2) == {**common, "e": "boolean"}


def test_offset_and_limit_sent_as_strings_are_accepted() -> None:
    # Adobe's page sends "offset": "2001", "limit": "2000"; Jackson reads them as ints
    _, backend = _tenant()
    for i in range(3):
        backend.add_record("rtA", {"name": f"r{i}"})
    body = orjson.dumps({"recordTypeId": "rtA", "offset": "1", "limit": "1"})
    status, answer = backend.handle("POST", "/v1/records/search", [], body)
    assert status == 200
    assert isinstance(answer, dict)
    assert [r["data"]["name"] for r in answer["records"]] == ["r1"]


# --- 7. auth ---------------------------------------------------------------------------------


async def test_server_to_server_credentials_get_an_ims_token() -> None:
    calls: list[httpx.Request] = []
    tokens = iter(["ims-token-1-abcdef", "ims-token-2-abcdef"])

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if request.url.host == "ims.example.test":
            return ok({"access_token": next(tokens), "token_type": "bearer", "expires_in": 86399})
        if request.headers["authorization"] == "Bearer ims-token-1-abcdef":
            expired = {"title": "Unauthorized", "status": 401, "detail": "token expired",
                       "errorCode": "UNAUTHORIZED", "requestId": "r"}  # fmt: skip
            return ok(expired, 401)
        return ok({"workspaces": []})

    auth = ServerToServerAuth(
        "client-1",
        "s3cret-value-xyz",
        ims_org_id="ORG@AdobeOrg",
        scopes="openid,AdobeID,additional_info.projectedProductContext",
        token_url="https://ims.example.test/ims/token/v3",
    )
    rec = Recorder(handler)
    async with client(rec, auth=auth) as pl:
        assert await pl.workspaces.list() == []
    token_call = calls[0]
    form = dict(httpx.QueryParams(token_call.content.decode()))
    assert form == {
        "grant_type": "client_credentials",
        "client_id": "client-1",
        "client_secret": "s3cret-value-xyz",
        "scope": "openid,AdobeID,additional_info.projectedProductContext",
    }
    # renewed once after the 401, then sent as a bearer token with the org header
    last = calls[-1]
    assert last.headers["authorization"] == "Bearer ims-token-2-abcdef"
    assert last.headers["x-gw-ims-org-id"] == "ORG@AdobeOrg"
    assert "s3cret-value-xyz" not in repr(auth)
    assert "ims-token-2" not in repr(auth)
