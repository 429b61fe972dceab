"""The embedded Planning API v2 answers in the shapes of Adobe's
``static/v2.json`` (docs/api-notes.md §5), over the same storage as v1."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from workfront_async.testing.planning import PlanningBackend

from ._support import call, make_backend


@pytest.fixture
def backend() -> PlanningBackend:
    return make_backend()


def test_a_record_created_through_v1_reads_through_v2(backend: PlanningBackend) -> None:
    status, made = call(backend, "POST", "/v1/records", {"recordTypeId": "rtI", "data": {"t": "x"}})
    assert status == 200  # v1 create answers 200
    status, got = call(backend, "GET", f"/v2/records/{made['id']}")
    assert status == 200
    # RecordDto: createdBy {id, name}; customerId/imsOrgId no longer returned
    assert got["data"]["t"] == "x"
    assert set(got["createdBy"]) == {"id", "name"}
    assert "customerId" not in got
    assert "imsOrgId" not in got


def test_create_201_delete_204_without_a_body(backend: PlanningBackend) -> None:
    status, made = call(backend, "POST", "/v2/record-types/rtI/records", {"data": {"n": 4}})
    assert status == 201
    raw = backend.handle("DELETE", f"/v2/records/{made['id']}", [], b"")
    assert raw == (204, b"")


def test_search_answers_a_spring_page(backend: PlanningBackend) -> None:
    body = {
        "filter": {"operator": "OR", "conditions": [
            {"fieldId": "n", "condition": "GREATER_THAN", "value": 1},
            {"fieldId": "t", "condition": "IS_EMPTY"},
        ]},
        "sort": [{"fieldId": "n", "direction": "desc"}],
    }  # fmt: skip
    status, answer = call(
        backend, "POST", "/v2/record-types/rtI/records/search", body, [("page", "0"), ("size", "2")]
    )
    assert status == 200
    page = answer["records"]
    # PageRecordDto
    assert set(page) >= {"content", "totalElements", "totalPages", "number", "size", "first",
                         "last", "numberOfElements", "empty", "pageable", "sort"}  # fmt: skip
    # the same selection as the v1 filter object the group spells out
    v1 = {"$or": [{"n": {"$greaterThan": 1}}, {"t": {"$isEmpty": None}}]}
    status, same = call(
        backend,
        "POST",
        "/v1/records/search",
        {
            "recordTypeId": "rtI",
            "filters": [v1],
            "sorting": [{"fieldId": "n", "direction": "desc"}],
        },
    )
    expected = [r["id"] for r in same["records"]]
    assert len(expected) >= 2
    assert page["totalElements"] == len(expected)
    assert (page["totalPages"], page["number"], page["size"]) == (-(-len(expected) // 2), 0, 2)
    assert (page["first"], page["last"]) == (True, len(expected) <= 2)
    assert [r["id"] for r in page["content"]] == expected[:2]
    assert answer["groups"] == []
    # the same filter through GET, as JSON in ?filter=
    query = [("filter", orjson.dumps(body["filter"]).decode()), ("page", "1"), ("size", "2")]
    status, second = call(backend, "GET", "/v2/record-types/rtI/records/search", None, query)
    assert status == 200
    assert [r["id"] for r in second["records"]["content"]] == expected[2:4]
    assert second["records"]["totalElements"] == len(expected)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        # RecordSearchRequestDto.filter is a FilterGroupDto: operator and conditions
        # required, at least one condition, FilterOperator and FilterCondition enums
        ({"filter": {"fieldId": "n", "condition": "IS", "value": 1}}, "filter.conditions"),
        ({"filter": {"operator": "AND", "conditions": []}}, "filter.conditions"),
        ({"filter": {"operator": "XOR", "conditions": [{}]}}, "filter.operator"),
        (
            {"filter": {"operator": "AND", "conditions": [{"fieldId": "n", "condition": "LIKE"}]}},
            "filter.conditions[0].condition",
        ),
        (
            {"filter": {"operator": "AND", "conditions": [{"fieldId": "n", "condition": "IS"}]}},
            "'value'",
        ),
        (
            {
                "filter": {
                    "operator": "AND",
                    "conditions": [{"fieldId": "n", "condition": "CONTAINS", "value": "1"}],
                }
            },
            "not allowed",
        ),
    ],
)
def test_bad_searches_are_problem_details(
    backend: PlanningBackend, body: dict[str, Any], fragment: str
) -> None:
    status, answer = call(backend, "POST", "/v2/record-types/rtI/records/search", body)
    assert status == 400
    # V2ProblemDetail: required title, status, detail, errorCode, requestId
    assert {"title", "status", "detail", "errorCode", "requestId"} <= set(answer)
    assert answer["errorCode"] == "VALIDATION_FAILED"
    assert fragment in answer["detail"]
    assert all(set(e) == {"field", "message", "code"} for e in answer["errors"])


def test_bulk_answers_201_200_and_207(backend: PlanningBackend) -> None:
    status, answer = call(
        backend,
        "POST",
        "/v2/record-types/rtI/records/bulk",
        [{"data": {"n": 1}}, {"data": {"n": 2}}],
    )
    assert status == 201
    assert (answer["status"], answer["total"], answer["succeeded"], answer["failed"]) == (
        "success", 2, 2, 0,
    )  # fmt: skip
    ids = [r["id"] for r in answer["results"]]
    patches = [{"id": i, "data": {"t": "p"}} for i in ids]
    status, answer = call(backend, "PATCH", "/v2/record-types/rtI/records/bulk", patches)
    assert status == 200
    status, answer = call(
        backend, "DELETE", "/v2/record-types/rtI/records/bulk", {"ids": [ids[0], "nope"]}
    )
    assert status == 207
    assert answer["status"] == "partial"
    assert [r["status"] for r in answer["results"]] == ["success", "error"]
    assert answer["results"][1]["error"]["code"] == "ENTITY_WITH_ATTRIBUTE_NOT_FOUND"
    status, answer = call(
        backend, "POST", "/v2/record-types/rtI/records/bulk", [{"data": {}}] * 101
    )
    assert status == 400
    assert "at most 100" in answer["detail"]


def test_put_replaces_and_patch_merges_with_list_operations(backend: PlanningBackend) -> None:
    status, _ = call(
        backend,
        "PATCH",
        "/v2/records/r1",
        {"data": {"ms": [{"op": "add", "value": ["z"]}, {"op": "remove", "value": ["x"]}]}},
    )
    assert status == 200
    record = call(backend, "GET", "/v2/records/r1")[1]
    assert record["data"]["ms"] == ["y", "z"]
    assert record["data"]["t"] == "Alpha launch"  # untouched
    status, replaced = call(backend, "PUT", "/v2/records/r1", {"data": {"t": "only"}})
    assert status == 200
    assert replaced["data"]["t"] == "only"
    assert "ms" not in replaced["data"]  # set to null (static/v2.json updateRecord)
    assert replaced["data"]["fx"] == "CMP-1"  # computed fields are not the caller's to clear


def test_cursor_pages_and_bad_cursors(backend: PlanningBackend) -> None:
    for i in range(3):
        backend.add_workspace(f"extra {i}")
    status, first = call(backend, "GET", "/v2/workspaces", None, [("limit", "2")])
    assert status == 200
    assert first["cursor"]["hasMore"] is True
    cursor = first["cursor"]["nextCursor"]
    status, rest = call(
        backend, "GET", "/v2/workspaces", None, [("limit", "2"), ("cursor", cursor)]
    )
    assert [w["id"] for w in first["content"] + rest["content"]] == list(backend._workspaces)
    assert rest["cursor"] == {"hasMore": False}
    assert call(backend, "GET", "/v2/workspaces", None, [("limit", "51")])[0] == 400
    assert call(backend, "GET", "/v2/workspaces", None, [("cursor", "???")])[0] == 400


def test_a_lookup_that_rolls_up_several_records_is_a_list() -> None:
    # docs/api-notes.md §5 / the issue: lookups are lists where they roll up several
    # records; a positive operator matches when any of the values does (the
    # embedded Workfront's documented choice: Adobe does not say)
    backend = PlanningBackend()
    ws = backend.add_workspace("W")
    fields = [
        {"id": "name", "name": "Name", "type": "text"},
        {"id": "costs", "name": "Costs", "type": "lookup", "linkedField": {"type": "currency"}},
    ]
    rt = backend.add_record_type(ws.id, "Rolls", fields)
    many = backend.add_record(rt.id, {"name": "many", "costs": [5, 50]})
    one = backend.add_record(rt.id, {"name": "one", "costs": 7})
    backend.add_record(rt.id, {"name": "none"})
    status, got = call(backend, "GET", f"/v1/records/{many.id}")
    assert (status, got["data"]["costs"]) == (200, [5, 50])
    status, found = call(
        backend,
        "POST",
        "/v1/records/search",
        {"recordTypeId": rt.id, "filters": [{"costs": {"$greaterThan": 6}}]},
    )
    assert [r["id"] for r in found["records"]] == [many.id, one.id]
    body = {"filter": {"operator": "AND", "conditions": [
        {"fieldId": "costs", "condition": "LESS_THAN", "value": 6}]}}  # fmt: skip
    status, page = call(backend, "POST", f"/v2/record-types/{rt.id}/records/search", body)
    assert [r["id"] for r in page["records"]["content"]] == [many.id]
