"""Pure Planning wire code: search bodies, field-type tables, error bodies (API notes §3)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

import workfront_async.planning as planning
from workfront_async import (
    APIError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    Q,
    QueryError,
    RateLimitError,
    ResponseError,
    ServerError,
)
from workfront_async.planning import field_types, parse_planning, search_body
from workfront_async.planning._wire import check_page_size, compile_filters


def test_public_names_are_sorted_and_import() -> None:
    assert planning.__all__ == sorted(planning.__all__, key=str)
    for name in planning.__all__:
        assert getattr(planning, name) is not None, name
    import workfront_async

    assert workfront_async.Planning is planning.Planning


def test_search_body_shape() -> None:
    # docs/api-notes.md §3 Search body: recordTypeId, filters, sorting, offset, limit;
    # filters is one object (static/v1.json RecordSearchDto.filters, searchRecordsPost;
    # the "V1 vs V2" guide sends {"$and": [...]})
    body = search_body("rt1", [{"status": "Done"}], [("budget", "desc")], offset=1000, limit=500)
    assert body == {
        "recordTypeId": "rt1",
        "filters": {"$and": [{"status": "Done"}]},
        "sorting": [{"fieldId": "budget", "direction": "desc"}],
        "offset": 1000,
        "limit": 500,
    }
    assert search_body("rt1", [], [], offset=0, limit=1) == {
        "recordTypeId": "rt1",
        "offset": 0,
        "limit": 1,
    }
    # one $and goes as it is, not wrapped again
    both = {"$and": [{"a": 1}, {"b": 2}]}
    assert search_body("rt1", [both], [], offset=0, limit=1)["filters"] == both
    # an $or, or several filters, go inside one $and
    either = {"$or": [{"a": 1}, {"b": 2}]}
    assert search_body("rt1", [either], [], offset=0, limit=1)["filters"] == {"$and": [either]}
    assert search_body("rt1", [{"a": 1}, {"b": 2}], [], offset=0, limit=1)["filters"] == {
        "$and": [{"a": 1}, {"b": 2}]
    }


def test_filters_and_expressions_and_keep_raw_objects() -> None:
    got = compile_filters([Q.a == 1, {"b": {"$isEmpty": None}}, Q.c > 2])
    # docs/api-notes.md §3 shows one filter object: several clauses travel as one $and.
    assert got == [{"$and": [{"a": 1}, {"c": {"$greaterThan": 2}}, {"b": {"$isEmpty": None}}]}]
    assert compile_filters([Q.a == 1]) == [{"a": 1}]
    assert compile_filters([]) == []
    assert compile_filters([Q.all()]) == []
    assert compile_filters([Q.none()]) is None  # never matches: nothing is sent


@pytest.mark.parametrize("size", [1, 500, 2000])
def test_page_sizes_up_to_2000(size: int) -> None:
    assert check_page_size(size) == size


@pytest.mark.parametrize("size", [0, -1, 2001, True, 1.5])
def test_page_size_outside_1_to_2000_is_refused(size: Any) -> None:
    with pytest.raises(QueryError):
        check_page_size(size)


def test_page_size_error_says_what_to_do() -> None:
    with pytest.raises(QueryError, match="2000"):
        check_page_size(2001)


RECORD_TYPE = {
    "id": "rt2",
    "fields": [
        {"id": "name", "type": "text"},
        {"id": "budget", "type": "currency"},
        {"id": "status", "type": "single select", "options": [{"name": "Done"}]},
        {"id": "tags", "type": "multiSelect"},  # camelCase spelling
        {"id": "cost", "type": "lookup", "linkedField": {"type": "number"}},
        {"id": "odd", "type": "lookup"},  # lookup without a linked type: not validated
        {"id": "mystery", "type": "hologram"},  # unknown type: not validated
        {"id": "created", "type": "CREATED_AT"},
    ],
}


def test_field_types_of_a_record_type() -> None:
    assert field_types(RECORD_TYPE) == {
        "name": "text",
        "budget": "currency",
        "status": "single select",
        "tags": "multi select",
        "cost": "number",
        "created": "created at",
    }
    with pytest.raises(ResponseError, match="fields"):
        field_types({"id": "rt9"})


def test_field_types_feed_compile_planning() -> None:
    types = field_types(RECORD_TYPE)
    with pytest.raises(QueryError, match=r"\$hasAnyOf") as info:
        compile_filters([Q.cost.has_any(["1"])], types)
    assert "$greaterThan" in str(info.value)  # lists the allowed operators
    assert compile_filters([Q.tags.has_any(["x"]) & (Q.cost > 3)], types) is not None


# --- responses ---------------------------------------------------------------------


def _parse(status: int, body: Any, **kw: Any) -> Any:
    content = body if isinstance(body, bytes) else orjson.dumps(body)
    return parse_planning(status, content, method="POST", url="https://x/maestro/api/v1/r", **kw)


def test_success_bodies_are_not_unwrapped() -> None:
    record = {"id": "rec1", "recordTypeId": "rt1", "data": {"name": "x"}}
    assert _parse(200, record) == record  # a record's own "data" stays
    assert _parse(200, [{"id": "rt1"}]) == [{"id": "rt1"}]
    assert _parse(200, b"") is None  # DELETE answers 200 with no body


SPRING = {
    "status": 400,
    "error": "Bad Request",
    "code": "INVALID_FILTER_OPERATOR",
    "message": "Operator $hasAnyOf is not allowed on field 'budget' of type 'number'",
    "path": "/maestro/api/v1/records/search",
    "details": {"fieldId": "budget", "allowedOperators": ["$is", "$isNot"]},
}


def test_spring_error_body_maps_into_the_error_tree() -> None:
    with pytest.raises(InvalidRequestError) as info:
        _parse(400, SPRING)
    err = info.value
    assert err.status == 400
    assert err.error_class == "INVALID_FILTER_OPERATOR"
    assert err.message.startswith("Operator $hasAnyOf")
    assert err.detail["allowedOperators"] == ["$is", "$isNot"]
    assert err.detail["fieldId"] == "budget"
    assert err.detail["path"] == "/maestro/api/v1/records/search"
    assert err.method == "POST"


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, AuthenticationError),
        (404, NotFoundError),
        (422, InvalidRequestError),
        (429, RateLimitError),
        (503, ServerError),
        (405, APIError),
    ],
)
def test_status_picks_the_class(status: int, cls: type[APIError]) -> None:
    with pytest.raises(cls) as info:
        _parse(status, {**SPRING, "status": status, "code": "X"})
    assert type(info.value) is cls
    assert info.value.error_class == "X"


def test_retry_after_is_kept() -> None:
    content = orjson.dumps({**SPRING, "status": 429})
    with pytest.raises(RateLimitError) as info:
        parse_planning(429, content, headers={"retry-after": "7"})
    assert info.value.retry_after == 7.0
    assert info.value.retryable


def test_classic_shaped_and_non_json_errors() -> None:
    # the gateway answers before Planning does, in the classic shape
    classic = {"error": {"class": "com.attask.common.AuthenticationException", "message": "no"}}
    with pytest.raises(AuthenticationError) as info:
        _parse(401, classic)
    assert info.value.error_class == "com.attask.common.AuthenticationException"
    with pytest.raises(ServerError, match="non-JSON"):
        _parse(502, b"<html>bad gateway</html>")
    with pytest.raises(ResponseError, match="not valid JSON"):
        _parse(200, b'{"records": [')


def test_details_that_are_not_an_object_are_kept() -> None:
    with pytest.raises(InvalidRequestError) as info:
        _parse(400, {**SPRING, "details": ["a", "b"]})
    assert info.value.detail["details"] == ["a", "b"]


def test_secrets_are_scrubbed_from_messages() -> None:
    body = {**SPRING, "message": "bad token tok-SECRET-123456 given"}
    with pytest.raises(InvalidRequestError) as info:
        _parse(400, body, secrets=("tok-SECRET-123456",))
    assert "tok-SECRET-123456" not in str(info.value)
    assert "tok-SECRET-123456" not in repr(info.value)
