"""The Planning client on a mock Planning service: the wire format of every
call, paging, validation before any request, errors and auth (docs/api-notes.md §3)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from workfront_async import (
    ApiKeyAuth,
    Auth,
    BearerAuth,
    InvalidRequestError,
    NotFoundError,
    OAuth2Auth,
    PaginationError,
    PasswordAuth,
    PermissionDeniedError,
    Planning,
    Q,
    QueryError,
    ResponseError,
    Retry,
    ServerError,
    SessionAuth,
)
from workfront_async.planning import RecordSearch

from ._support import (
    BASE,
    TOKEN,
    FakeRecords,
    Recorder,
    body_of,
    client,
    ok,
    path_of,
    spring_error,
)

EMPTY = {"records": [], "groups": [], "totalCount": 0, "offset": 0, "limit": 500}


def empty(_: httpx.Request) -> httpx.Response:
    return ok(EMPTY)


# --- the search body -----------------------------------------------------------------


async def test_documented_and_or_example_on_the_wire() -> None:
    # docs/api-notes.md §3: a filter is {"fieldId": {"$op": value}}, combined with $and/$or
    # to any depth. The example of Adobe's "Planning API basics" (the same one
    # tests/query/test_planning.py compiles), sent as the body of a search.
    first = ("2024-03-31T20:00:00.000Z", "2024-04-01T20:00:00.000Z")
    second = ("2024-04-15T00:00:00.000Z", "2024-04-16T00:00:00.000Z")
    expr = (
        Q.launch_date.between(*first)
        | Q.launch_date.between(*first) & (Q.status == "active")
        | Q.launch_date.between(*second) & (Q.status == "planned")
    )
    rec = Recorder(empty)
    async with client(rec) as pl:
        assert await pl.records.search("rt1", expr).all() == []
    request = rec.last
    assert request.method == "POST"
    assert str(request.url) == f"{BASE}/maestro/api/v1/records/search"
    assert request.headers["content-type"] == "application/json"
    # filters: one object, the expression inside one $and (static/v1.json
    # searchRecordsPost, RecordSearchDto.filters; the "V1 vs V2" guide)
    assert body_of(request) == {
        "recordTypeId": "rt1",
        "filters": {
            "$and": [
                {
                    "$or": [
                        {
                            "launch_date": {
                                "$isBetween": [
                                    "2024-03-31T20:00:00.000Z",
                                    "2024-04-01T20:00:00.000Z",
                                ]
                            }
                        },
                        {
                            "$and": [
                                {
                                    "launch_date": {
                                        "$isBetween": [
                                            "2024-03-31T20:00:00.000Z",
                                            "2024-04-01T20:00:00.000Z",
                                        ]
                                    }
                                },
                                {"status": "active"},
                            ]
                        },
                        {
                            "$and": [
                                {
                                    "launch_date": {
                                        "$isBetween": [
                                            "2024-04-15T00:00:00.000Z",
                                            "2024-04-16T00:00:00.000Z",
                                        ]
                                    }
                                },
                                {"status": "planned"},
                            ]
                        },
                    ]
                }
            ]
        },
        "offset": 0,
        "limit": 500,
    }


async def test_sort_attributes_and_raw_filters_on_the_wire() -> None:
    rec = Recorder(empty)
    async with client(rec) as pl:
        search = pl.records.search(
            "rt1",
            Q.budget > 10,
            sort=["-budget", ("name", "asc")],
            attributes=["data", "createdBy"],
            page_size=50,
        ).where({"owners": "$isNotEmpty"})
        await search.all()
    request = rec.last
    # docs/api-notes.md §3: attributes=data,createdBy in the query string
    assert request.url.params.get_list("attributes") == ["data,createdBy"]
    assert body_of(request) == {
        "recordTypeId": "rt1",
        "filters": {"$and": [{"budget": {"$greaterThan": 10}}, {"owners": "$isNotEmpty"}]},
        "sorting": [
            {"fieldId": "budget", "direction": "desc"},
            {"fieldId": "name", "direction": "asc"},
        ],
        "offset": 0,
        "limit": 50,
    }


async def test_known_created_at_field_is_the_tie_breaker() -> None:
    rec = Recorder(empty)
    types = {"name": "text", "made": "created at"}
    async with client(rec) as pl:
        await pl.records.search("rt1", sort=["-name"], field_types=types).all()
        await pl.records.search("rt1", sort=["made"], field_types=types).all()
    first, second = rec.searches
    assert first["sorting"] == [
        {"fieldId": "name", "direction": "desc"},
        {"fieldId": "made", "direction": "asc"},
    ]
    assert second["sorting"] == [{"fieldId": "made", "direction": "asc"}]


# --- immutability ----------------------------------------------------------------------


async def test_builders_return_new_searches_and_leave_the_old_alone() -> None:
    rec = Recorder(empty)
    async with client(rec) as pl:
        base = pl.records.search("rt1")
        narrowed = base.where(Q.a == 1).sort("-b").limit(5).page_size(7).attributes("data")
        assert isinstance(narrowed, RecordSearch)
        assert narrowed is not base
        await base.all()
        await narrowed.all()
    plain, built = rec.searches
    assert plain == {"recordTypeId": "rt1", "offset": 0, "limit": 500}
    assert built == {
        "recordTypeId": "rt1",
        "filters": {"$and": [{"a": 1}]},
        "sorting": [{"fieldId": "b", "direction": "desc"}],
        "offset": 0,
        "limit": 5,
    }
    with pytest.raises(AttributeError):
        base.record_type_id = "other"  # type: ignore[misc]


# --- paging ------------------------------------------------------------------------


async def test_paging_over_thousands_of_records() -> None:
    fake = FakeRecords(4321)
    rec = Recorder(fake)
    async with client(rec) as pl:
        got = await pl.records.search("rt1").all()
    assert [r["id"] for r in got] == [r["id"] for r in fake.records]
    offsets = [(b["offset"], b["limit"]) for b in rec.searches]
    assert offsets == [(o, 500) for o in range(0, 4321, 500)]


async def test_paging_stops_when_offset_reaches_total_count() -> None:
    fake = FakeRecords(1000)
    rec = Recorder(fake)
    async with client(rec) as pl:
        pages = [len(p) async for p in pl.records.search("rt1", page_size=500).pages()]
    assert pages == [500, 500]
    assert len(rec.requests) == 2  # no empty third page is asked for


async def test_a_server_capping_limit_lower_does_not_truncate() -> None:
    # the server answers at most 300 per page; totalCount says there is more
    fake = FakeRecords(1000, max_limit=300)
    rec = Recorder(fake)
    async with client(rec) as pl:
        got = await pl.records.search("rt1", page_size=2000).all()
    assert len(got) == 1000
    assert [b["offset"] for b in rec.searches] == [0, 300, 600, 900]


async def test_limit_caps_the_total() -> None:
    fake = FakeRecords(3000)
    rec = Recorder(fake)
    async with client(rec) as pl:
        got = await pl.records.search("rt1", limit=1234, page_size=1000).all()
        first = await pl.records.search("rt1").first()
        none = await pl.records.search("rt1", limit=0).first()
    assert [r["id"] for r in got] == [r["id"] for r in fake.records[:1234]]
    assert [(b["offset"], b["limit"]) for b in rec.searches[:2]] == [(0, 1000), (1000, 234)]
    assert first == fake.records[0]
    assert rec.searches[2]["limit"] == 1
    assert none is None
    assert len(rec.searches) == 3


async def test_a_page_repeating_records_raises() -> None:
    fake = FakeRecords(100)

    def ignores_offset(request: httpx.Request) -> httpx.Response:
        body = body_of(request)
        return ok({"records": fake.records[: body["limit"]], "totalCount": 100})

    async with client(Recorder(ignores_offset)) as pl:
        with pytest.raises(PaginationError, match="repeats"):
            await pl.records.search("rt1", page_size=10).all()


async def test_an_empty_page_before_total_count_raises() -> None:
    def shrinking(request: httpx.Request) -> httpx.Response:
        offset = body_of(request)["offset"]
        records = [{"id": f"r{i}"} for i in range(offset, 10)] if offset == 0 else []
        return ok({"records": records, "totalCount": 20})

    async with client(Recorder(shrinking)) as pl:
        with pytest.raises(PaginationError, match="empty"):
            await pl.records.search("rt1", page_size=15).all()


async def test_a_page_longer_than_asked_raises() -> None:
    def too_long(request: httpx.Request) -> httpx.Response:
        return ok({"records": [{"id": f"r{i}"} for i in range(11)], "totalCount": 50})

    async with client(Recorder(too_long)) as pl:
        with pytest.raises(PaginationError, match="ignored 'limit'"):
            await pl.records.search("rt1", page_size=10).all()


async def test_a_short_page_without_total_count_ends_the_search() -> None:
    def no_total(request: httpx.Request) -> httpx.Response:
        offset = body_of(request)["offset"]
        return ok({"records": [{"id": f"r{i}"} for i in range(offset, min(offset + 10, 25))]})

    rec = Recorder(no_total)
    async with client(rec) as pl:
        got = await pl.records.search("rt1", page_size=10).all()
    assert len(got) == 25
    assert len(rec.requests) == 3


@pytest.mark.parametrize(
    "answer",
    [
        {"totalCount": 3},
        {"records": {"id": "x"}},
        {"records": [1]},
        {"records": [], "totalCount": "3"},
    ],
)
async def test_malformed_pages_raise_response_error(answer: dict[str, Any]) -> None:
    async with client(Recorder(lambda r: ok(answer))) as pl:
        with pytest.raises(ResponseError):
            await pl.records.search("rt1").all()


async def test_count_reads_total_count() -> None:
    fake = FakeRecords(777)
    rec = Recorder(fake)
    async with client(rec) as pl:
        assert await pl.records.search("rt1", Q.a == 1, limit=5).count() == 777
    assert rec.last.method == "POST"
    assert body_of(rec.last)["filters"] == {"$and": [{"a": 1}]}
    assert body_of(rec.last)["limit"] == 1


async def test_a_search_that_can_never_match_sends_nothing() -> None:
    rec = Recorder(FakeRecords(5))
    async with client(rec) as pl:
        search = pl.records.search("rt1", Q.none())
        assert await search.all() == []
        assert await search.count() == 0
        assert await search.first() is None
    assert rec.requests == []


# --- validation before any request -------------------------------------------------------


async def test_has_any_of_on_a_number_field_fails_before_any_request() -> None:
    # docs/api-notes.md §3: number fields accept is, isNot, greaterThan, ..., isEmpty, isNotEmpty
    rec = Recorder(empty)
    async with client(rec) as pl:
        with pytest.raises(QueryError) as info:
            pl.records.search("rt1", Q.budget.has_any([1, 2]), field_types={"budget": "number"})
        search = pl.records.search("rt1", field_types={"budget": "number"})
        with pytest.raises(QueryError):
            search.where(Q.budget.has_any([1]))
    message = str(info.value)
    assert "$hasAnyOf" in message
    for allowed in ("$is", "$isNot", "$greaterThan", "$lessThanOrEqual", "$isEmpty"):
        assert allowed in message
    assert rec.requests == []


RECORD_TYPE = {
    "id": "rt1",
    "workspaceId": "ws1",
    "name": "Campaigns",
    "fields": [
        {"id": "name", "name": "Name", "type": "text"},
        {"id": "budget", "name": "Budget", "type": "number"},
        {"id": "made", "name": "Created", "type": "created at"},
    ],
}


def with_record_type(request: httpx.Request) -> httpx.Response:
    if path_of(request) == "record-types/rt1":
        return ok(RECORD_TYPE)
    if path_of(request) == "record-types/rt404":
        return spring_error(404, "NOT_FOUND", "Record type 'rt404' not found.", {"id": "rt404"})
    return ok(EMPTY)


async def test_validate_fetches_the_record_type_once_and_checks_before_searching() -> None:
    rec = Recorder(with_record_type)
    async with client(rec, validate=True) as pl:
        with pytest.raises(QueryError, match=r"number field does not accept \$hasAnyOf"):
            await pl.records.search("rt1", Q.budget.has_any([1])).all()
        with pytest.raises(QueryError, match="has no field 'nope'"):
            await pl.records.search("rt1", Q.nope == 1).count()
        with pytest.raises(QueryError, match="cannot sort on 'nope'"):
            await pl.records.search("rt1", sort=["nope"]).all()
        await pl.records.search("rt1", Q.budget > 3).all()
    assert [path_of(r) for r in rec.requests] == ["record-types/rt1", "records/search"]
    assert rec.searches[0]["filters"] == {"$and": [{"budget": {"$greaterThan": 3}}]}
    # the record type's created-at field breaks ties
    assert rec.searches[0]["sorting"] == [{"fieldId": "made", "direction": "asc"}]


async def test_validate_false_sends_the_filter_to_the_server() -> None:
    def refuses(request: httpx.Request) -> httpx.Response:
        return spring_error(
            400,
            "INVALID_FILTER_OPERATOR",
            "Operator $hasAnyOf is not allowed on field 'budget' of type 'number'",
            {"fieldId": "budget", "allowedOperators": ["$is"]},
        )

    rec = Recorder(refuses)
    async with client(rec, validate=True) as pl:
        with pytest.raises(InvalidRequestError) as info:
            await pl.records.search("rt1", Q.budget.has_any([1]), validate=False).all()
    assert info.value.error_class == "INVALID_FILTER_OPERATOR"
    assert info.value.detail["allowedOperators"] == ["$is"]
    assert len(rec.requests) == 1  # a 400 is not retried


async def test_validating_an_unknown_record_type_raises_not_found() -> None:
    rec = Recorder(with_record_type)
    async with client(rec, validate=True) as pl:
        with pytest.raises(NotFoundError) as info:
            await pl.records.search("rt404").all()
    assert info.value.error_class == "NOT_FOUND"
    assert info.value.detail["id"] == "rt404"


@pytest.mark.parametrize(
    "make",
    [
        lambda pl: pl.records.search("rt1", page_size=2001),
        lambda pl: pl.records.search("rt1", page_size=0),
        lambda pl: pl.records.search("rt1", limit=-1),
        lambda pl: pl.records.search("rt1", sort=[("a", "up")]),
        lambda pl: pl.records.search("", None),
        lambda pl: pl.records.search("rt/1", None),
        lambda pl: pl.records.search("rt1", "status = 'x'"),
        lambda pl: pl.records.search("rt1", Q.project.name == "x"),
        lambda pl: pl.records.search("rt1", attributes=["data,createdBy"]),
    ],
)
async def test_bad_searches_fail_at_build_time(make: Any) -> None:
    rec = Recorder(empty)
    async with client(rec) as pl:
        with pytest.raises(QueryError):
            make(pl)
    assert rec.requests == []


# --- the other endpoints -------------------------------------------------------------


async def test_records_crud_on_the_wire() -> None:
    record = {"id": "rec1", "recordTypeId": "rt1", "data": {"name": "x"}}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(200)
        return ok(record)

    rec = Recorder(handler)
    async with client(rec) as pl:
        assert await pl.records.get("rec1", attributes=["data"]) == record
        assert await pl.records.create("rt1", {"name": "x"}) == record
        assert await pl.records.replace("rec1", {"name": None}) == record
        assert await pl.records.delete("rec1") is None
    get, create, update, delete = rec.requests
    assert (get.method, path_of(get), get.url.params["attributes"]) == (
        "GET",
        "records/rec1",
        "data",
    )
    assert (create.method, path_of(create)) == ("POST", "records")
    assert body_of(create) == {"recordTypeId": "rt1", "data": {"name": "x"}}
    assert (update.method, path_of(update)) == ("PUT", "records/rec1")
    assert body_of(update) == {"data": {"name": None}}
    assert (delete.method, path_of(delete)) == ("DELETE", "records/rec1")


async def test_workspaces_and_record_types_on_the_wire() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        path = path_of(request)
        if path == "workspaces":
            return ok({"workspaces": [{"id": "ws1"}]})
        if path == "workspaces/ws1":
            return ok({"id": "ws1"})
        if path == "record-types":
            return ok([RECORD_TYPE])
        return ok(EMPTY)

    rec = Recorder(handler)
    async with client(rec, validate=True) as pl:
        assert await pl.workspaces.list() == [{"id": "ws1"}]
        assert await pl.workspaces.get("ws1") == {"id": "ws1"}
        assert await pl.record_types.list("ws1") == [RECORD_TYPE]
        # the listed record type is remembered: validation needs no extra request
        await pl.records.search("rt1", Q.budget > 1).all()
    assert [path_of(r) for r in rec.requests] == [
        "workspaces",
        "workspaces/ws1",
        "record-types",
        "records/search",
    ]
    assert rec.requests[2].url.params["workspaceId"] == "ws1"


async def test_writes_take_mappings() -> None:
    rec = Recorder(empty)
    async with client(rec) as pl:
        with pytest.raises(QueryError, match="mapping"):
            await pl.records.create("rt1", ["name", "x"])  # type: ignore[arg-type]
        with pytest.raises(QueryError):
            await pl.records.update("a/b", {})
        with pytest.raises(QueryError, match="JSON"):
            await pl.records.create("rt1", {"x": object()})
    assert rec.requests == []


# --- retries, auth, lifecycle ---------------------------------------------------------


async def test_searches_are_retried_writes_are_not() -> None:
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] % 2:
            return spring_error(503, "UNAVAILABLE", "try again")
        return ok(EMPTY if path_of(request) == "records/search" else {"id": "rec1"})

    rec = Recorder(flaky)
    async with client(rec) as pl:
        assert await pl.records.search("rt1").all() == []
        assert len(rec.requests) == 2
        with pytest.raises(ServerError, match="try again"):
            await pl.records.create("rt1", {})
    assert len(rec.requests) == 3


async def test_bearer_token_and_org_header() -> None:
    rec = Recorder(empty)
    async with client(rec) as pl:
        await pl.records.search("rt1").all()
    assert rec.last.headers["authorization"] == f"Bearer {TOKEN}"
    assert rec.last.headers["x-gw-ims-org-id"] == "ORG@AdobeOrg"
    assert "sessionid" not in rec.last.headers


@pytest.mark.parametrize(
    ("auth", "what"),
    [
        (SessionAuth("sess-token-123456"), "classic session ID"),
        (PasswordAuth("someone", "pa55word-secret"), "/login session"),
        (ApiKeyAuth("api-key-0123456789"), "API key"),
    ],
)
def test_classic_credentials_fail_before_the_wire(auth: Auth, what: str) -> None:
    # docs/api-notes.md §5: Planning takes OAuth2/IMS bearer tokens only
    with pytest.raises(QueryError) as info:
        Planning(BASE, auth=auth)
    message = str(info.value)
    assert what in message
    assert "BearerAuth" in message
    assert "ServerToServerAuth" in message
    assert "sess-token-123456" not in message
    assert "pa55word-secret" not in message


async def test_oauth2_renews_after_a_401_and_keeps_tokens_out_of_errors() -> None:
    tokens = iter(["fresh-access-token-1", "fresh-access-token-2"])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/integrations/oauth2/api/v1/token":
            return ok({"access_token": next(tokens), "expires_in": 3600})
        if request.headers["authorization"] == "Bearer stale-access-token":
            return spring_error(401, "UNAUTHORIZED", "token expired")
        return ok(EMPTY)

    auth = OAuth2Auth(
        "client", "client-secret-xyz", access_token="stale-access-token", refresh_token="rt-123456"
    )
    rec = Recorder(handler)
    async with client(rec, auth=auth) as pl:
        assert await pl.records.search("rt1").all() == []
        assert "stale-access-token" not in repr(pl)
    paths = [r.url.path for r in rec.requests]
    assert paths == [
        "/maestro/api/v1/records/search",
        "/integrations/oauth2/api/v1/token",
        "/maestro/api/v1/records/search",
    ]
    assert rec.last.headers["authorization"] == "Bearer fresh-access-token-1"
    assert auth.access_token == "fresh-access-token-1"


async def test_errors_never_show_the_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return spring_error(403, "FORBIDDEN", f"token {TOKEN} may not read this")

    async with client(Recorder(handler)) as pl:
        with pytest.raises(PermissionDeniedError) as info:
            await pl.records.get("rec1")
    assert TOKEN not in str(info.value)
    assert TOKEN not in repr(info.value)


@pytest.mark.parametrize("auth", [ApiKeyAuth("key-123456"), PasswordAuth("u", "p")])
def test_auth_the_planning_api_does_not_take_is_refused(auth: Any) -> None:
    with pytest.raises(QueryError, match="BearerAuth"):
        Planning(BASE, auth=auth)


def test_constructor_checks() -> None:
    with pytest.raises(QueryError, match="max_concurrency"):
        Planning(BASE, auth=None, max_concurrency=0)
    with pytest.raises(QueryError, match="base_url"):
        Planning("", auth=None)
    pl = Planning(f"{BASE}/maestro/api/", auth=BearerAuth(TOKEN))
    assert pl.api_url == f"{BASE}/maestro/api/"
    assert TOKEN not in repr(pl)
    assert pl.limiter.total_tokens == 10


async def test_a_closed_client_refuses_to_work_or_reopen() -> None:
    rec = Recorder(empty)
    pl = client(rec, retry=Retry.none())
    async with pl:
        pass
    with pytest.raises(RuntimeError, match="closed"):
        await pl.records.search("rt1").all()
    with pytest.raises(RuntimeError, match="closed"):
        async with pl:
            pass
    assert rec.requests == []
