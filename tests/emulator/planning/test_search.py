"""Search: $and/$or nesting, paging, sorting, attributes and request
validation (docs/api-notes.md §3)."""

from __future__ import annotations

import orjson
import pytest

from workfront_async.testing.planning import (
    DEFAULT_SEARCH_LIMIT,
    MAX_SEARCH_LIMIT,
    PlanningBackend,
)

from ._support import call, ids, search


def test_filters_in_the_list_are_anded(backend: PlanningBackend) -> None:
    assert ids(backend, [{"t": {"$contains": "alpha"}}, {"n": {"$lessThan": 0}}]) == ["r4"]


def test_keys_and_operators_in_one_object_are_anded(backend: PlanningBackend) -> None:
    assert ids(backend, [{"t": {"$contains": "a"}, "ss": "A"}]) == ["r1", "r5"]
    assert ids(backend, [{"n": {"$greaterThan": 0, "$lessThan": 2}}]) == ["r1", "r5"]


def test_the_api_notes_or_and_shape(backend: PlanningBackend) -> None:
    # docs/api-notes.md §3: {"$or": [...]} / {"$and": [...]} combine filters to any depth
    filters = [
        {
            "$or": [
                {"$and": [{"ss": {"$is": "A"}}, {"n": {"$greaterThan": 0}}]},
                {"ms": {"$hasAllOf": ["x", "z"]}},
            ]
        }
    ]
    assert ids(backend, filters) == ["r1", "r4", "r5"]


def test_deep_nesting(backend: PlanningBackend) -> None:
    leaf: dict[str, object] = {"t": {"$contains": "alpha"}}
    for depth in range(40):
        leaf = {"$and": [leaf]} if depth % 2 else {"$or": [leaf, {"n": 999}]}
    assert ids(backend, [leaf]) == ["r1", "r4"]


def test_empty_and_or(backend: PlanningBackend) -> None:
    assert ids(backend, [{"$and": []}]) == ["r1", "r2", "r3", "r4", "r5"]
    assert ids(backend, [{"$or": []}]) == []
    assert ids(backend, []) == ["r1", "r2", "r3", "r4", "r5"]
    assert ids(backend, None) == ["r1", "r2", "r3", "r4", "r5"]


def test_a_single_filter_object_is_accepted(backend: PlanningBackend) -> None:
    assert ids(backend, {"ss": "B"}) == ["r2"]


def test_or_with_negation_inside(backend: PlanningBackend) -> None:
    filters = [{"$or": [{"pp": "$isEmpty"}, {"cb": {"$isNoneOf": ["u1", "u2"]}}]}]
    assert ids(backend, filters) == ["r3", "r4", "r5"]


# ----- sorting ------------------------------------------------------------


@pytest.mark.parametrize(
    ("sorting", "expected"),
    [
        ([{"fieldId": "n", "direction": "asc"}], ["r4", "r1", "r5", "r2", "r3"]),
        ([{"fieldId": "n", "direction": "desc"}], ["r2", "r1", "r5", "r4", "r3"]),
        ([{"fieldId": "n"}], ["r4", "r1", "r5", "r2", "r3"]),
        # text sorts case-insensitively; ties ("ALPHA" is not tied) by ID
        ([{"fieldId": "t", "direction": "asc"}], ["r4", "r1", "r2", "r5", "r3"]),
        ([{"fieldId": "d", "direction": "desc"}], ["r2", "r1", "r4", "r5", "r3"]),
        (
            [{"fieldId": "ss", "direction": "desc"}, {"fieldId": "n", "direction": "desc"}],
            ["r4", "r2", "r1", "r5", "r3"],
        ),
        (
            [{"fieldId": "ss", "direction": "asc"}, {"fieldId": "n", "direction": "desc"}],
            ["r1", "r5", "r2", "r4", "r3"],
        ),
        ([{"fieldId": "b", "direction": "desc"}], ["r1", "r5", "r2", "r3", "r4"]),
        ([{"fieldId": "ca", "direction": "DESC"}], ["r5", "r4", "r3", "r2", "r1"]),
        ([{"fieldId": "ms", "direction": "asc"}], ["r1", "r4", "r2", "r5", "r3"]),
    ],
)
def test_sorting(backend: PlanningBackend, sorting: object, expected: list[str]) -> None:
    assert ids(backend, None, sorting=sorting) == expected


def test_ties_are_broken_by_record_id_in_both_directions(backend: PlanningBackend) -> None:
    # r1 and r5 tie on n == 1: always r1 first
    asc = ids(backend, [{"n": 1}], sorting=[{"fieldId": "n", "direction": "asc"}])
    desc = ids(backend, [{"n": 1}], sorting=[{"fieldId": "n", "direction": "desc"}])
    assert asc == desc == ["r1", "r5"]


def test_without_sorting_records_come_in_id_order() -> None:
    backend = PlanningBackend()
    ws = backend.add_workspace("W")
    rt = backend.add_record_type(ws.id, "T", [{"id": "n", "name": "N", "type": "number"}])
    for rid in ("c", "a", "b"):
        backend.add_record(rt.id, {"n": 1}, id=rid)
    assert ids(backend, None, recordTypeId=rt.id) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("sorting", "fragment"),
    [
        ([{"fieldId": "nope"}], "unknown field 'nope'"),
        ([{"fieldId": "n", "direction": "up"}], "'asc' or 'desc'"),
        ([{"direction": "asc"}], "fieldId"),
    ],
)
def test_bad_sorting(backend: PlanningBackend, sorting: object, fragment: str) -> None:
    status, answer = search(backend, sorting=sorting)
    assert (status, answer["report"]["errorCode"]) == (400, "INVALID_SORT")
    assert fragment in answer["report"]["detailedMessage"]


def test_sorting_that_is_not_a_list_does_not_bind(backend: PlanningBackend) -> None:
    # RecordSearchDto.sorting is an array of RecordSorting (static/v1.json)
    status, answer = search(backend, sorting="n")
    assert (status, answer["report"]["errorCode"]) == (400, "VALIDATION_FAILED")
    assert "sorting" in answer["report"]["detailedMessage"]


# ----- paging -------------------------------------------------------------


def _numbers(count: int) -> PlanningBackend:
    backend = PlanningBackend()
    ws = backend.add_workspace("W")
    backend.add_record_type(ws.id, "T", [{"id": "n", "name": "N", "type": "number"}], id="rt")
    for i in range(count):
        backend.add_record("rt", {"n": i % 7}, id=f"rec{i:05d}")
    return backend


def test_default_limit_is_500_and_total_count_is_everything() -> None:
    # docs/api-notes.md §3: default limit 500
    backend = _numbers(1203)
    status, answer = search(backend, recordTypeId="rt")
    assert status == 200
    assert len(answer["records"]) == DEFAULT_SEARCH_LIMIT == 500
    assert answer["totalCount"] == 1203
    assert (answer["offset"], answer["limit"]) == (0, 500)


def test_max_limit_is_2000_and_more_is_an_error() -> None:
    # docs/api-notes.md §3: max 2000; above it is an error, not truncation
    backend = _numbers(2100)
    status, answer = search(backend, recordTypeId="rt", limit=2000)
    assert status == 200
    assert len(answer["records"]) == MAX_SEARCH_LIMIT == 2000
    status, answer = search(backend, recordTypeId="rt", limit=2001)
    assert (status, answer["report"]["errorCode"]) == (400, "INVALID_LIMIT")
    assert "2001" in answer["report"]["detailedMessage"]
    assert "2000" in answer["report"]["detailedMessage"]


def test_offset_paging_visits_every_match_once_in_sort_order() -> None:
    backend = _numbers(3001)
    sort = [{"fieldId": "n", "direction": "desc"}]
    seen: list[str] = []
    offset = 0
    while True:
        status, answer = search(
            backend,
            recordTypeId="rt",
            filters=[{"n": {"$isNot": 3}}],
            sorting=sort,
            offset=offset,
            limit=700,
        )
        assert status == 200
        assert answer["totalCount"] == 3001 - len(range(3, 3001, 7))
        if not answer["records"]:
            break
        seen.extend(r["id"] for r in answer["records"])
        offset += 700
    status, whole = search(
        backend,
        recordTypeId="rt",
        filters=[{"n": {"$isNot": 3}}],
        sorting=sort,
        limit=2000,
        offset=0,
    )
    expected = sorted(
        (f"rec{i:05d}" for i in range(3001) if i % 7 != 3),
        key=lambda rid: (-(int(rid[3:]) % 7), rid),
    )
    assert seen == expected
    assert len(set(seen)) == len(seen)
    assert [r["id"] for r in whole["records"]] == expected[:2000]


def test_offset_past_the_end_and_limit_zero() -> None:
    backend = _numbers(10)
    status, answer = search(backend, recordTypeId="rt", offset=50)
    assert (status, answer["records"], answer["totalCount"]) == (200, [], 10)
    status, answer = search(backend, recordTypeId="rt", limit=0)
    assert (status, answer["records"], answer["totalCount"]) == (200, [], 10)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"limit": -1}, "INVALID_LIMIT"),
        # RecordSearchDto.limit is an int32: these do not bind
        ({"limit": "ten"}, "VALIDATION_FAILED"),
        ({"limit": 1.5}, "VALIDATION_FAILED"),
        ({"limit": True}, "VALIDATION_FAILED"),
        ({"offset": 2**31}, "VALIDATION_FAILED"),
        ({"offset": -3}, "INVALID_REQUEST"),
        ({"offset": "-1"}, "INVALID_REQUEST"),
    ],
)
def test_bad_paging_values(backend: PlanningBackend, body: dict[str, object], code: str) -> None:
    status, answer = search(backend, **body)
    assert (status, answer["report"]["errorCode"]) == (400, code)


# ----- attributes -----------------------------------------------------------


def test_attributes_pick_returned_attributes(backend: PlanningBackend) -> None:
    # docs/api-notes.md §3: attributes=data,createdBy in the query string
    body = {"recordTypeId": "rtI", "filters": [{"ss": "B"}]}
    status, answer = call(
        backend, "POST", "/v1/records/search", body, [("attributes", "data,createdBy")]
    )
    assert status == 200
    [record] = answer["records"]
    assert set(record) == {"id", "data", "createdBy"}
    assert record["createdBy"] == "u2"
    status, answer = call(
        backend,
        "POST",
        "/v1/records/search",
        body,
        [("attributes", "createdAt"), ("attributes", "updatedBy")],
    )
    assert set(answer["records"][0]) == {"id", "createdAt", "updatedBy"}


@pytest.mark.parametrize("value", ["*", "ALL", ""])
def test_all_attributes(backend: PlanningBackend, value: str) -> None:
    status, answer = call(
        backend, "POST", "/v1/records/search", {"recordTypeId": "rtI"}, [("attributes", value)]
    )
    assert status == 200
    assert set(answer["records"][0]) == {
        "id",
        "recordTypeId",
        "data",
        "createdBy",
        "createdAt",
        "updatedBy",
        "updatedAt",
        # static/v1.json RecordDto
        "customerId",
        "imsOrgId",
        "thumbnailUrl",
        "coverImage",
    }


def test_unknown_attribute(backend: PlanningBackend) -> None:
    status, answer = call(
        backend, "POST", "/v1/records/search", {"recordTypeId": "rtI"}, [("attributes", "dta")]
    )
    assert (status, answer["report"]["errorCode"]) == (400, "INVALID_ATTRIBUTE")
    assert "dta" in answer["report"]["detailedMessage"]
    assert "createdBy" in answer["report"]["detailedMessage"]


# ----- request validation --------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "code", "fragment"),
    [
        ({"recordTypeId": "nope"}, 404, "NOT_FOUND", "'nope'"),
        ({}, 400, "INVALID_REQUEST", "recordTypeId"),
        # RecordSearchDto: recordTypeId is a string, groupingFieldIds a list of strings
        ({"recordTypeId": 5}, 400, "VALIDATION_FAILED", "recordTypeId"),
        ({"recordTypeId": "rtI", "filters": 5}, 400, "VALIDATION_FAILED", "filters"),
        ({"recordTypeId": "rtI", "groupingFieldIds": ["zz"]}, 400, "INVALID_GROUPING", "'zz'"),
        ({"recordTypeId": "rtI", "groupingFieldIds": "ss"}, 400, "VALIDATION_FAILED", "grouping"),
        ({"recordTypeId": "rtI", "rowOrderViewId": "v1"}, 400, "INVALID_REQUEST", "'v1'"),
        ({"recordTypeAlias": "no_such"}, 404, "NOT_FOUND", "'no_such'"),
    ],
)
def test_bad_search_bodies(
    backend: PlanningBackend, body: dict[str, object], status: int, code: str, fragment: str
) -> None:
    got_status, answer = call(backend, "POST", "/v1/records/search", body)
    assert (got_status, answer["type"] // 100, answer["report"]["errorCode"]) == (
        status,
        status,
        code,
    )
    assert fragment in answer["report"]["detailedMessage"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"{", "INVALID_JSON"),
        (b"\xff", "INVALID_JSON"),
        (b"", "INVALID_JSON"),  # searchRecordsPost: the body is required
        # JSON, but not the RecordSearchDto object
        (b"[1, 2]", "VALIDATION_FAILED"),
        (b'"text"', "VALIDATION_FAILED"),
    ],
)
def test_a_body_that_is_not_a_json_object(backend: PlanningBackend, raw: bytes, code: str) -> None:
    status, answer = backend.handle("POST", "/v1/records/search", [], raw)
    assert (status, answer["report"]["errorCode"]) == (400, code)  # type: ignore[index]


def test_search_answer_shape(backend: PlanningBackend) -> None:
    status, answer = search(backend, filters=[{"n": 1}], limit=1)
    assert status == 200
    assert set(answer) == {"records", "groups", "totalCount", "offset", "limit"}
    assert answer["totalCount"] == 2
    assert orjson.loads(orjson.dumps(answer)) == answer
