"""Records CRUD, workspaces and record types (docs/api-notes.md §3 endpoints), the
error body and the seeding helpers."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from workfront_async.testing.planning import PlanningBackend

from ._support import call, ids


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def small(clock: FakeClock) -> PlanningBackend:
    backend = PlanningBackend(clock=clock, user_id="creator@AdobeID")
    ws = backend.add_workspace("W", id="ws")
    backend.add_record_type(
        ws.id,
        "Things",
        [
            {"id": "name", "name": "Name", "type": "text"},
            {"id": "n", "name": "N", "type": "number"},
            {"id": "when", "name": "When", "type": "date"},
            {"id": "ss", "name": "S", "type": "singleSelect", "options": [{"name": "A"}, "B"]},
            {"id": "ms", "name": "M", "type": "multi select", "options": ["x", "y"]},
            {"id": "ok", "name": "OK", "type": "boolean"},
            {"id": "others", "name": "Others", "type": "reference", "recordTypeId": "rt"},
            {"id": "fx", "name": "F", "type": "formula"},
            {"id": "lk", "name": "L", "type": "lookup", "linkedFieldType": "text"},
            {"id": "ca", "name": "Created", "type": "created at"},
            {"id": "ub", "name": "Modifier", "type": "updated by"},
        ],
        id="rt",
    )
    return backend


def test_create_get_update_delete(small: PlanningBackend, clock: FakeClock) -> None:
    status, created = call(
        small,
        "POST",
        "/v1/records",
        {"recordTypeId": "rt", "data": {"name": "one", "n": 3, "when": "2026-01-02"}},
    )
    assert status == 200
    rid = created["id"]
    # static/v1.json RecordDto; a date-only value stays a date (docs/api-notes.md §5)
    assert created == {
        "id": rid,
        "recordTypeId": "rt",
        "data": {
            "name": "one",
            "n": 3,
            "when": "2026-01-02",
            "ca": "2026-05-04T12:00:00.000Z",
            "ub": "creator@AdobeID",
        },
        "createdBy": "creator@AdobeID",
        "createdAt": "2026-05-04T12:00:00.000Z",
        "updatedBy": "creator@AdobeID",
        "updatedAt": "2026-05-04T12:00:00.000Z",
        "customerId": small.customer_id,
        "imsOrgId": small.ims_org_id,
        "thumbnailUrl": "/maestro/static/thumbnail/default/thumbnail-1.png",
        "coverImage": {"url": "/maestro/static/thumbnail/default/thumbnail-1.png", "position": 0},
    }
    assert call(small, "GET", f"/v1/records/{rid}") == (200, created)

    clock.now += timedelta(hours=1)
    small.acting_user_id = "editor@AdobeID"
    status, updated = call(
        small, "PUT", f"/v1/records/{rid}", {"data": {"n": None, "ss": "A", "name": "uno"}}
    )
    assert status == 200
    assert updated["data"]["name"] == "uno"
    assert updated["data"]["ss"] == "A"
    assert "n" not in updated["data"]  # null clears
    # docs/api-notes.md §5: v1 PUT is a full replacement, a field not sent is emptied
    assert "when" not in updated["data"]
    assert updated["updatedBy"] == updated["data"]["ub"] == "editor@AdobeID"
    assert updated["updatedAt"] == "2026-05-04T13:00:00.000Z"
    assert updated["createdAt"] == created["createdAt"]

    # a fetched record can be sent back as is
    status, again = call(small, "PUT", f"/v1/records/{rid}", updated)
    assert status == 200
    assert again["data"] == updated["data"]

    assert call(small, "DELETE", f"/v1/records/{rid}") == (200, None)  # 200, no body
    status, answer = call(small, "GET", f"/v1/records/{rid}")
    assert (status, answer["report"]["errorCode"]) == (404, "NOT_FOUND")
    status, answer = call(small, "DELETE", f"/v1/records/{rid}")
    assert status == 404


def test_get_record_attributes(small: PlanningBackend) -> None:
    record = small.add_record("rt", {"name": "x"})
    status, answer = call(small, "GET", f"/v1/records/{record.id}", query=[("attributes", "data")])
    assert status == 200
    assert set(answer) == {"id", "data"}


def test_delete_removes_the_record_from_reference_fields(small: PlanningBackend) -> None:
    a = small.add_record("rt", {"name": "a"})
    b = small.add_record("rt", {"name": "b", "others": [a.id]})
    c = small.add_record("rt", {"name": "c"})
    d = small.add_record("rt", {"name": "d", "others": [a.id, c.id]})
    assert ids(small, [{"others": {"$hasAnyOf": [a.id]}}], recordTypeId="rt") == [b.id, d.id]
    assert call(small, "DELETE", f"/v1/records/{a.id}")[0] == 200
    assert ids(small, [{"others": "$isEmpty"}], recordTypeId="rt") == [b.id, c.id]
    # docs/api-notes.md §5: reference values are [{"id", "externalId", "value"}]
    assert call(small, "GET", f"/v1/records/{d.id}")[1]["data"]["others"] == [
        {"id": c.id, "externalId": None, "value": None}
    ]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"nope": 1}, "has no field 'nope'"),
        ({"n": "3"}, "a number"),
        ({"n": True}, "a number"),
        ({"name": 5}, "a string"),
        ({"when": "soon"}, "ISO 8601"),
        ({"ss": "C"}, "one of the options 'A', 'B'"),
        ({"ms": ["x", "q"]}, "options out of 'x', 'y'"),
        ({"ms": "x"}, "a list of strings"),
        ({"ok": 1}, "true or false"),
        ({"others": ["missing"]}, "existing records"),
        ({"fx": "computed"}, "read-only"),
        ({"lk": "looked up"}, "read-only"),
        ({"ca": "2020-01-01"}, "read-only"),
        ({"ub": "someone"}, "read-only"),
    ],
)
def test_bad_record_values(small: PlanningBackend, data: dict[str, object], fragment: str) -> None:
    status, answer = call(small, "POST", "/v1/records", {"recordTypeId": "rt", "data": data})
    assert (status, answer["report"]["errorCode"]) == (400, "INVALID_FIELD_VALUE")
    assert fragment in answer["report"]["detailedMessage"]
    existing = small.add_record("rt", {"name": "kept"})
    status, answer = call(small, "PUT", f"/v1/records/{existing.id}", {"data": data})
    assert status == 400
    assert call(small, "GET", f"/v1/records/{existing.id}")[1]["data"]["name"] == "kept"


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/v1/records", {"data": {}}, 400, "INVALID_REQUEST"),
        ("POST", "/v1/records", {"recordTypeId": "zz", "data": {}}, 404, "NOT_FOUND"),
        # RecordDto.data is an object (static/v1.json createRecord)
        ("POST", "/v1/records", {"recordTypeId": "rt", "data": []}, 400, "VALIDATION_FAILED"),
        ("PUT", "/v1/records/none", {"data": {}}, 404, "NOT_FOUND"),
        # updateRecord's body is required: refused before the record is looked up
        ("PUT", "/v1/records/none", None, 400, "INVALID_JSON"),
        ("GET", "/v1/records", None, 405, "METHOD_NOT_ALLOWED"),
        ("DELETE", "/v1/records/search", None, 405, "METHOD_NOT_ALLOWED"),
        ("POST", "/v1/workspaces", {}, 405, "METHOD_NOT_ALLOWED"),
        ("DELETE", "/v1/record-types/rt", None, 405, "METHOD_NOT_ALLOWED"),
        ("GET", "/v3/records/x", None, 404, "NOT_FOUND"),
        ("GET", "/v1/things", None, 404, "NOT_FOUND"),
        ("GET", "/v1/records/a/b", None, 404, "NOT_FOUND"),
        ("GET", "/", None, 404, "NOT_FOUND"),
    ],
)
def test_request_errors(
    small: PlanningBackend, method: str, path: str, body: object, status: int, code: str
) -> None:
    got, answer = call(small, method, path, body)
    assert (got, answer["type"] // 100, answer["report"]["errorCode"]) == (status, status, code)
    assert answer["report"]["detailedMessage"]
    assert isinstance(answer["report"]["details"], dict)


def test_put_cannot_change_record_type_or_id(small: PlanningBackend) -> None:
    record = small.add_record("rt", {"name": "x"})
    status, answer = call(small, "PUT", f"/v1/records/{record.id}", {"recordTypeId": "other"})
    assert status == 400
    assert "another record type" in answer["report"]["detailedMessage"]
    status, answer = call(small, "PUT", f"/v1/records/{record.id}", {"id": "other"})
    assert status == 400


def test_error_body_shape(small: PlanningBackend) -> None:
    status, answer = call(small, "GET", "/v1/records/missing")
    assert status == 404
    # docs/api-notes.md §5 / the "V1 vs V2" guide: {type, title, report: {detailedMessage}};
    # errorCode and details inside report are the embedded Workfront's additions
    assert answer == {
        "type": 40401,
        "title": "Not Found",
        "report": {
            "detailedMessage": "Record 'missing' not found.",
            "errorCode": "NOT_FOUND",
            "details": {"id": "missing"},
        },
    }


# ----- workspaces and record types -----------------------------------------


def test_workspaces(small: PlanningBackend) -> None:
    other = small.add_workspace("Second", description="more")
    status, answer = call(small, "GET", "/v1/workspaces")
    assert status == 200
    assert [w["id"] for w in answer["workspaces"]] == ["ws", other.id]
    first = answer["workspaces"][0]
    assert first["name"] == "W"
    assert first["recordTypes"] == [{"id": "rt", "name": "Things", "displayName": "Things"}]
    assert call(small, "GET", f"/v1/workspaces/{other.id}")[1]["description"] == "more"
    status, answer = call(small, "GET", "/v1/workspaces/nope")
    assert (status, answer["report"]["errorCode"]) == (404, "NOT_FOUND")


def test_record_types(small: PlanningBackend) -> None:
    status, answer = call(small, "GET", "/v1/record-types", query=[("workspaceId", "ws")])
    assert status == 200
    [rt] = answer
    assert rt["id"] == "rt"
    assert rt["workspaceId"] == "ws"
    assert rt["primaryFieldId"] == "name"
    by_id = {f["id"]: f for f in rt["fields"]}
    # docs/api-notes.md §5: v1 spells field types in kebab case
    assert by_id["ss"] == {
        "id": "ss",
        "alias": "s",
        "description": "",
        "name": "S",
        "displayName": "S",
        "type": "single-select",
        "options": [{"name": "A", "displayName": "A"}, {"name": "B", "displayName": "B"}],
    }
    assert by_id["lk"]["linkedField"] == {"type": "text"}
    assert by_id["others"]["referenceOptions"]["recordTypeId"] == "rt"
    assert call(small, "GET", "/v1/record-types/rt") == (200, rt)
    status, answer = call(small, "GET", "/v1/record-types")
    assert (status, answer["report"]["errorCode"]) == (400, "INVALID_REQUEST")
    assert "workspaceId" in answer["report"]["detailedMessage"]
    assert call(small, "GET", "/v1/record-types", query=[("workspaceId", "zz")])[0] == 404
    assert call(small, "GET", "/v1/record-types/zz")[0] == 404
    empty = small.add_workspace("Empty")
    assert call(small, "GET", "/v1/record-types", query=[("workspaceId", empty.id)]) == (200, [])


# ----- seeding helpers --------------------------------------------------------


def test_seeding_helpers_return_the_created_objects(small: PlanningBackend) -> None:
    record = small.add_record(
        "rt", {"name": "x", "fx": "F-1", "lk": "linked"}, created_by="u9", created_at="2024-01-01"
    )
    assert record.record_type_id == "rt"
    assert record.data == {"name": "x", "fx": "F-1", "lk": "linked"}
    with pytest.raises(TypeError):
        record.data["name"] = "changed behind the backend's back"  # type: ignore[index]
    assert (record.created_by, record.created_at) == ("u9", "2024-01-01T00:00:00.000Z")
    assert (record.updated_by, record.updated_at) == ("u9", "2024-01-01T00:00:00.000Z")
    assert ids(small, [{"lk": {"$contains": "LINK"}}], recordTypeId="rt") == [record.id]


@pytest.mark.parametrize(
    ("call_it", "fragment"),
    [
        (lambda b: b.add_workspace(""), "non-empty name"),
        (lambda b: b.add_workspace("again", id="ws"), "already taken"),
        (lambda b: b.add_record_type("nope", "T"), "no workspace 'nope'"),
        (lambda b: b.add_record_type("ws", "T", id="rt"), "already taken"),
        (lambda b: b.add_record_type("ws", "T", [{"name": "a", "type": "blob"}]), "unknown field"),
        (lambda b: b.add_record_type("ws", "T", [{"type": "text"}]), "non-empty 'name'"),
        (
            lambda b: b.add_record_type("ws", "T", [{"id": "a", "name": "a", "type": "text"}] * 2),
            "used twice",
        ),
        (lambda b: b.add_record_type("ws", "T", [{"name": "l", "type": "lookup"}]), "linkedField"),
        (
            lambda b: b.add_record_type("ws", "T", [{"id": "$x", "name": "x", "type": "text"}]),
            "not starting with '$'",
        ),
        (lambda b: b.add_record("nope", {}), "not found"),
        (lambda b: b.add_record("rt", {"n": "x"}), "a number"),
        (lambda b: b.add_record("rt", {"ca": "2024-01-01"}), "read-only"),
        (lambda b: b.add_record("rt", {}, created_at="later"), "ISO 8601"),
    ],
)
def test_seeding_helpers_reject_bad_input(
    small: PlanningBackend, call_it: object, fragment: str
) -> None:
    assert callable(call_it)
    with pytest.raises(ValueError, match=re.escape(fragment)):
        call_it(small)


def test_demo_data_is_deterministic_and_searchable() -> None:
    a = PlanningBackend.with_demo_data(seed=3, records_per_type=40)
    b = PlanningBackend.with_demo_data(seed=3, records_per_type=40)
    c = PlanningBackend.with_demo_data(seed=4, records_per_type=40)
    query = {"recordTypeId": "rt000002", "limit": 2000}
    first = call(a, "POST", "/v1/records/search", query)
    assert first == call(b, "POST", "/v1/records/search", query)
    assert first != call(c, "POST", "/v1/records/search", query)
    assert first[1]["totalCount"] == 40
    assert call(a, "GET", "/v1/workspaces")[1] == call(b, "GET", "/v1/workspaces")[1]
    types = {
        f["type"]
        for ws in ("ws000001", "ws000002")
        for rt in call(a, "GET", "/v1/record-types", query=[("workspaceId", ws)])[1]
        for f in rt["fields"]
    }
    assert types == {
        "text",
        "long-text",
        "formula",
        "url",
        "number",
        "percentage",
        "currency",
        "date",
        "updated-at",
        "created-at",
        "single-select",
        "multi-select",
        "user",
        "reference",
        "boolean",
        "created-by",
        "updated-by",
        "lookup",
    }
    # references point at existing tactics
    status, answer = call(
        a,
        "POST",
        "/v1/records/search",
        {"recordTypeId": "rt000002", "filters": [{"tactics": "$isNotEmpty"}], "limit": 1},
    )
    assert status == 200
    tactic = answer["records"][0]["data"]["tactics"][0]["id"]  # docs/api-notes.md §5 shape
    assert call(a, "GET", f"/v1/records/{tactic}")[1]["recordTypeId"] == "rt000001"


def test_demo_default_size() -> None:
    backend = PlanningBackend.with_demo_data()
    for rt in ("rt000001", "rt000002", "rt000003"):
        status, answer = call(
            backend, "POST", "/v1/records/search", {"recordTypeId": rt, "limit": 0}
        )
        assert (status, answer["totalCount"]) == (200, 1000)


def test_lookup_fields_take_their_linked_types_values_and_operators() -> None:
    # docs/api-notes.md §3: lookup accepts "those of the linked field"
    backend = PlanningBackend()
    ws = backend.add_workspace("W")
    rt = backend.add_record_type(
        ws.id,
        "T",
        [
            {"id": "ld", "name": "D", "type": "lookup", "linkedField": {"type": "date"}},
            {"id": "lm", "name": "M", "type": "lookup", "linkedField": {"type": "people"}},
        ],
    )
    a = backend.add_record(rt.id, {"ld": "2024-05-01T10:00:00+02:00", "lm": ["u1", "u2"]})
    b = backend.add_record(rt.id, {"ld": "2024-06-01", "lm": ["u2"]})
    assert a.data["ld"] == "2024-05-01T08:00:00.000Z"
    assert ids(backend, [{"ld": {"$isBefore": "2024-05-02"}}], recordTypeId=rt.id) == [a.id]
    assert ids(backend, [{"lm": {"$hasAllOf": ["u2"]}}], recordTypeId=rt.id) == [a.id, b.id]
    assert ids(backend, [{"lm": {"$isExactly": ["u2"]}}], recordTypeId=rt.id) == [b.id]
    status, answer = call(
        backend,
        "POST",
        "/v1/records/search",
        {"recordTypeId": rt.id, "filters": [{"ld": {"$contains": "2024"}}]},
    )
    assert (status, answer["report"]["details"]["fieldType"]) == (400, "date")
    with pytest.raises(ValueError, match="ISO 8601"):
        backend.add_record(rt.id, {"ld": "May"})
