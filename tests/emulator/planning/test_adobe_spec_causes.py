"""The embedded Planning API against Adobe's OpenAPI files (``tests/specs/planning``):
one test per cause the spec-driven fuzzer and probes found. Each names the
operation of ``static/v1.json`` or ``static/v2.json`` it checks (operationId,
method and path)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from workfront_async.testing import Emulator

from ._support import make_backend

BASE = "https://acme.my.workfront.com/maestro/api"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20


@pytest.fixture
def emu() -> Emulator:
    emulator = Emulator()
    emulator.planning = make_backend()
    return emulator


@pytest.fixture
async def http(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {emu.issue_token()}"}
    async with httpx.AsyncClient(transport=emu.transport(), base_url=BASE, headers=headers) as c:
        yield c


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The v2 problem details of an error answer (V2ProblemDetail)."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert {"title", "status", "detail", "errorCode", "requestId"} <= set(body), body
    assert body["status"] == status
    return body


def v1_error(response: httpx.Response, status: int) -> dict[str, Any]:
    """The v1 error body of the "V1 vs V2" guide: {"type": 40001, "title", "report"}."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["type"] == status * 100 + 1, body
    assert isinstance(body["report"]["detailedMessage"], str)
    return body


# -- eleven v2 operations that answered 404 ------------------------------------------------


async def test_my_permissions_on_a_resource(http: httpx.AsyncClient) -> None:
    # getMyPermissions: GET /v2/permissions/{resourceType}/{resourceId} -> PermissionDto
    for kind, ident in (("workspaces", "ws1"), ("record-types", "rtI"), ("records", "r1")):
        r = await http.get(f"/v2/permissions/{kind}/{ident}")
        assert r.status_code == 200, r.text
        assert r.json() == {"canView": True, "canEdit": True, "canDelete": True, "canAdd": True}
    view = (await http.get("/v2/record-types/rtI/views")).json()["content"][0]["id"]
    assert (await http.get(f"/v2/permissions/views/{view}")).json()["canView"] is True
    # no such resource: no permission on it
    r = await http.get("/v2/permissions/records/nope")
    assert r.json() == {"canView": False, "canEdit": False, "canDelete": False, "canAdd": False}
    # resourceType is one of workspaces, record-types, records, views (the operation's
    # parameter description); the spec documents 400 for anything else
    problem(await http.get("/v2/permissions/projects/ws1"), 400)


async def test_members_grant_update_and_revoke(http: httpx.AsyncClient) -> None:
    # getMembers: GET /v2/permissions/{resourceType}/{resourceId}/members
    # updateMembers: PATCH /v2/permissions/{resourceType}/{resourceId}/members (204)
    r = await http.get("/v2/permissions/workspaces/ws1/members")
    assert r.status_code == 200, r.text
    [owner] = r.json()
    assert owner["subjectId"] == "me"
    assert (owner["subjectType"], owner["role"]) == ("user", "manager")
    grant = {"subjectId": "grp1", "subjectType": "group", "role": "editor"}
    r = await http.patch("/v2/permissions/workspaces/ws1/members", json={"grant": [grant]})
    assert r.status_code == 204, r.text
    assert r.content == b""
    members = (await http.get("/v2/permissions/workspaces/ws1/members")).json()
    assert {(m["subjectId"], m["role"]) for m in members} == {("me", "manager"), ("grp1", "editor")}
    r = await http.patch(
        "/v2/permissions/workspaces/ws1/members",
        json={"update": [{**grant, "role": "viewer"}]},
    )
    assert r.status_code == 204
    members = (await http.get("/v2/permissions/workspaces/ws1/members")).json()
    assert ("grp1", "viewer") in {(m["subjectId"], m["role"]) for m in members}
    r = await http.patch(
        "/v2/permissions/workspaces/ws1/members",
        json={"revoke": [{"subjectId": "grp1", "subjectType": "group"}]},
    )
    assert r.status_code == 204
    assert len((await http.get("/v2/permissions/workspaces/ws1/members")).json()) == 1
    # MemberGrantDto requires role, subjectId and subjectType, from their enums
    bad_grants = (
        {"subjectId": "u", "subjectType": "user"},
        {**grant, "role": "owner"},
        {**grant, "subjectId": ""},
    )
    for bad in bad_grants:
        body = problem(
            await http.patch("/v2/permissions/workspaces/ws1/members", json={"grant": [bad]}), 400
        )
        assert body["errorCode"] == "VALIDATION_FAILED"
    # wildcard is for records only, inheritViewOnly for record types only
    problem(
        await http.patch(
            "/v2/permissions/workspaces/ws1/members", json={"wildcard": "SELECTED_USERS_ONLY"}
        ),
        400,
    )
    r = await http.patch(
        "/v2/permissions/records/r1/members", json={"wildcard": "SELECTED_USERS_ONLY"}
    )
    assert r.status_code == 204
    # managing an unknown resource: no MANAGE permission on it
    problem(await http.get("/v2/permissions/records/nope/members"), 403)


async def test_inheritance_of_a_record_type(http: httpx.AsyncClient) -> None:
    # getInheritance: GET /v2/permissions/{resourceType}/{resourceId}/inheritance
    r = await http.get("/v2/permissions/record-types/rtI/inheritance")
    assert r.status_code == 200, r.text
    assert r.json() == {"inherited": True}
    # UpdateMembersRequestDto.inheritViewOnly: "true=inherited, false=view-only"
    r = await http.patch(
        "/v2/permissions/record-types/rtI/members", json={"inheritViewOnly": False}
    )
    assert r.status_code == 204, r.text
    assert (await http.get("/v2/permissions/record-types/rtI/inheritance")).json() == {
        "inherited": False
    }
    # "Only valid for record-types"
    problem(await http.get("/v2/permissions/workspaces/ws1/inheritance"), 400)
    problem(
        await http.patch("/v2/permissions/workspaces/ws1/members", json={"inheritViewOnly": True}),
        400,
    )


async def test_access_requests(http: httpx.AsyncClient) -> None:
    # createAccessRequest: POST .../requests (201 {"id"}); getAccessRequests: GET .../requests;
    # deleteAccessRequests: DELETE .../requests {"requestIds": [...]} (204)
    path = "/v2/permissions/records/r1/requests"
    assert (await http.get(path)).json() == []
    r = await http.post(path, json={"message": "may I?"})
    assert r.status_code == 201, r.text
    made = r.json()["id"]
    # "Creates or updates an access request for the current user": one per user
    r = await http.post(path, json={"message": "please"})
    assert r.json()["id"] == made
    # the body is optional
    assert (await http.post(path)).json()["id"] == made
    [pending] = (await http.get(path)).json()
    assert pending["id"] == made
    assert set(pending["requester"]) == {"id", "name", "email"}
    # CreateAccessRequestDto.message: maxLength 2000
    problem(await http.post(path, json={"message": "x" * 2001}), 400)
    # DeleteAccessRequestsDto.requestIds: required, minItems 1
    problem(await http.request("DELETE", path, json={"requestIds": []}), 400)
    problem(await http.request("DELETE", path, json={}), 400)
    r = await http.request("DELETE", path, json={"requestIds": [made]})
    assert r.status_code == 204, r.text
    assert (await http.get(path)).json() == []


async def test_record_thumbnail_upload_and_delete(http: httpx.AsyncClient) -> None:
    # uploadThumbnail: POST /v2/records/{id}/thumbnail (multipart/form-data, file: PNG or
    # JPEG) -> 201 RecordDto; deleteThumbnail: DELETE /v2/records/{id}/thumbnail -> 204
    default = (await http.get("/v2/records/r1")).json()["thumbnailUrl"]
    r = await http.post("/v2/records/r1/thumbnail", files={"file": ("a.png", PNG, "image/png")})
    assert r.status_code == 201, r.text
    first = r.json()["thumbnailUrl"]
    assert first != default
    assert r.json()["id"] == "r1"
    # "Each successful upload produces a new URL, even for identical content."
    r = await http.post("/v2/records/r1/thumbnail", files={"file": ("a.png", PNG, "image/png")})
    second = r.json()["thumbnailUrl"]
    assert second != first
    r = await http.post("/v2/records/r1/thumbnail", files={"file": ("b.jpg", JPEG, "image/jpeg")})
    assert r.status_code == 201
    assert (await http.get("/v2/records/r1")).json()["thumbnailUrl"] == r.json()["thumbnailUrl"]
    assert (await http.get("/v1/records/r1")).json()["thumbnailUrl"] == r.json()["thumbnailUrl"]
    # the documented refusals
    empty = problem(
        await http.post("/v2/records/r1/thumbnail", files={"file": ("a.png", b"", "image/png")}),
        400,
    )
    assert empty["errors"][0]["code"] == "THUMBNAIL_EMPTY"
    fake = problem(
        await http.post(
            "/v2/records/r1/thumbnail", files={"file": ("a.png", b"not an image", "image/png")}
        ),
        400,
    )
    assert fake["errors"][0]["code"] == "THUMBNAIL_INVALID_CONTENT"
    gif = problem(
        await http.post(
            "/v2/records/r1/thumbnail", files={"file": ("a.gif", b"GIF89a....", "image/gif")}
        ),
        400,
    )
    assert gif["errors"][0]["code"] == "THUMBNAIL_INVALID_FORMAT"
    problem(await http.post("/v2/records/r1/thumbnail", json={"file": "x"}), 400)
    problem(
        await http.post("/v2/records/nope/thumbnail", files={"file": ("a.png", PNG, "image/png")}),
        404,
    )
    # delete, and again: "Idempotent - succeeds with 204 even when no thumbnail is set"
    for _ in range(2):
        r = await http.delete("/v2/records/r1/thumbnail")
        assert r.status_code == 204, r.text
    assert (await http.get("/v2/records/r1")).json()["thumbnailUrl"] == default
    problem(await http.delete("/v2/records/nope/thumbnail"), 404)


async def test_global_record_types_attach_and_detach(http: httpx.AsyncClient) -> None:
    # getGlobalRecordTypes: GET /v2/workspaces/{workspaceId}/global-record-types;
    # createRecordType with sourceRecordTypeId attaches one ("the record type is not
    # created but attached as a dynamic usage");
    # detachRecordTypeFromWorkspace:
    # POST /v2/workspaces/{workspaceId}/record-types/{recordTypeId}/detach
    ws2 = (await http.post("/v2/workspaces", json={"name": "Second"})).json()["id"]
    r = await http.get(f"/v2/workspaces/{ws2}/global-record-types")
    assert r.status_code == 200, r.text
    assert r.json() == {"content": [], "cursor": {"hasMore": False}}
    r = await http.patch("/v2/record-types/rtT", json={"linkableWithAllWorkspaces": True})
    assert r.status_code == 200, r.text
    assert r.json()["isGlobal"] is True
    assert r.json()["primaryWorkspaceId"] == "ws1"
    offered = (await http.get(f"/v2/workspaces/{ws2}/global-record-types")).json()["content"]
    assert [rt["id"] for rt in offered] == ["rtT"]
    # a workspace is not offered its own record types
    assert (await http.get("/v2/workspaces/ws1/global-record-types")).json()["content"] == []
    r = await http.post(
        f"/v2/workspaces/{ws2}/record-types",
        json={"displayName": "Targets", "sourceRecordTypeId": "rtT"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["id"] == "rtT"
    assert r.json()["dynamicWorkspaceIds"] == [ws2]
    listed = (await http.get(f"/v2/workspaces/{ws2}/record-types")).json()["content"]
    assert [rt["id"] for rt in listed] == ["rtT"]
    assert (await http.get(f"/v2/workspaces/{ws2}/global-record-types")).json()["content"] == []
    r = await http.post(f"/v2/workspaces/{ws2}/record-types/rtT/detach")
    assert r.status_code == 204, r.text
    assert (await http.get(f"/v2/workspaces/{ws2}/record-types")).json()["content"] == []
    # the global record type and its records stay in their primary workspace
    assert (await http.get("/v2/records/tgt1")).status_code == 200
    # not attached (any more) to that workspace; its primary workspace cannot detach it
    problem(await http.post(f"/v2/workspaces/{ws2}/record-types/rtT/detach"), 404)
    problem(await http.post("/v2/workspaces/ws1/record-types/rtT/detach"), 403)
    problem(await http.post("/v2/workspaces/nope/record-types/rtT/detach"), 404)
    problem(await http.get("/v2/workspaces/nope/global-record-types"), 404)
    # a record type that is not global cannot be attached
    problem(
        await http.post(
            f"/v2/workspaces/{ws2}/record-types",
            json={"displayName": "Items", "sourceRecordTypeId": "rtI"},
        ),
        403,
    )


# -- view type ----------------------------------------------------------------------------


async def test_view_type_is_the_spec_enum(http: httpx.AsyncClient) -> None:
    # createView: POST /v2/record-types/{recordTypeId}/views; ViewDto.type enum
    # ["table", "timeline", "calendar", "list", "gallery"], pattern table|timeline|...
    for kind in ("table", "timeline", "calendar", "list", "gallery"):
        r = await http.post("/v2/record-types/rtI/views", json={"name": kind, "type": kind})
        assert r.status_code == 201, r.text
        assert r.json()["type"] == kind
    problem(
        await http.post("/v2/record-types/rtI/views", json={"name": "x", "type": "kanban"}), 400
    )
    # getViewsByRecordType: the view every record type starts with is a table
    views = (await http.get("/v2/record-types/rtT/views")).json()["content"]
    assert [v["type"] for v in views] == ["table"]


# -- validation as Adobe's Spring service does it -------------------------------------------


async def test_unknown_body_properties_are_ignored(http: httpx.AsyncClient) -> None:
    # No schema of either file forbids additional properties, and Spring's Jackson
    # ignores unknown ones: searchRecordsPost (v1 and v2), createRecord, updateRecord,
    # createWorkspace
    r = await http.post(
        "/v1/records/search", json={"recordTypeId": "rtI", "colour": "red", "limit": 1}
    )
    assert r.status_code == 200, r.text
    assert len(r.json()["records"]) == 1
    r = await http.post("/v2/record-types/rtI/records/search", json={"colour": "red"})
    assert r.status_code == 200, r.text
    r = await http.post("/v1/records", json={"recordTypeId": "rtI", "data": {"n": 1}, "x": 1})
    assert r.status_code == 200, r.text
    r = await http.put("/v1/records/r3", json={"data": {"n": 1}, "x": 1})
    assert r.status_code == 200, r.text
    r = await http.patch("/v2/records/r3", json={"data": {"n": 2}, "x": 1})
    assert r.status_code == 200, r.text
    r = await http.post("/v2/record-types/rtI/records", json={"data": {}, "x": [1]})
    assert r.status_code == 201, r.text
    r = await http.post("/v2/workspaces", json={"name": "W", "shade": "blue"})
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("method", "path", "prop", "limit", "body"),
    [
        # WorkspaceBaseDto.description maxLength 1024 (createWorkspace, patchWorkspace)
        ("POST", "/v2/workspaces", "description", 1024, {"name": "W"}),
        ("PATCH", "/v2/workspaces/ws1", "description", 1024, {}),
        # RecordTypeDto.displayName maxLength 255 and description 1024
        # (createRecordType, patchRecordType)
        ("POST", "/v2/workspaces/ws1/record-types", "displayName", 255, {}),
        ("PATCH", "/v2/record-types/rtI", "description", 1024, {}),
        # FieldDto.description maxLength 512 (createField, patchField)
        ("POST", "/v2/record-types/rtI/fields", "description", 512, {"displayName": "F",
                                                                      "type": "TEXT"}),
        ("PATCH", "/v2/fields/n", "description", 512, {}),
        # ViewDto.name maxLength 255 (createView)
        ("POST", "/v2/record-types/rtI/views", "name", 255, {"type": "table"}),
    ],
)  # fmt: skip
async def test_max_length(
    http: httpx.AsyncClient, method: str, path: str, prop: str, limit: int, body: dict[str, Any]
) -> None:
    answer = problem(await http.request(method, path, json={**body, prop: "x" * (limit + 1)}), 400)
    assert answer["errorCode"] == "VALIDATION_FAILED"
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [(prop, "Size")]
    # at the limit it is taken
    r = await http.request(method, path, json={**body, prop: "x" * limit})
    assert r.status_code in (200, 201), r.text
    assert r.json()[prop] == "x" * limit


async def test_a_record_type_section_needs_its_display_name(http: httpx.AsyncClient) -> None:
    # patchWorkspace: RecordTypeSectionDto requires displayName (maxLength 256)
    for section in ({"recordTypeIds": []}, {"displayName": "s" * 257}):
        answer = problem(
            await http.patch("/v2/workspaces/ws1", json={"recordTypeSections": [section]}), 400
        )
        assert [e["field"] for e in answer["errors"]] == ["recordTypeSections[0].displayName"]
    r = await http.patch(
        "/v2/workspaces/ws1",
        json={"recordTypeSections": [{"displayName": "Mine", "recordTypeIds": ["rtT"]}]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["recordTypeSections"] == [
        {"displayName": "Mine", "recordTypeIds": ["rtT", "rtI"]}
    ]


@pytest.mark.parametrize(
    ("method", "path", "params"),
    [
        # the boolean query parameter aliased (bulkPatchRecords, getRecord v1, searchRecordsPost v2)
        ("PATCH", "/v2/record-types/rtI/records/bulk", {"aliased": "null"}),
        ("GET", "/v1/records/r1", {"aliased": "maybe"}),
        ("POST", "/v2/record-types/rtI/records/search", {"aliased": "2"}),
        # int32 limit (getWorkspaces: format int32, 1..50) and unbounded integers (page, size)
        ("GET", "/v2/workspaces", {"limit": str(2**31)}),
        ("POST", "/v2/record-types/rtI/records/search", {"page": str(2**31)}),
        ("POST", "/v2/record-types/rtI/records/search", {"size": str(2**64)}),
        ("GET", "/v2/record-types/rtI/records", {"page": str(2**70)}),
        ("GET", "/v2/record-types/rtI/records", {"size": "-1"}),
    ],
)
async def test_query_values_outside_their_schema_are_400(
    http: httpx.AsyncClient, method: str, path: str, params: dict[str, str]
) -> None:
    body: Any = [] if path.endswith("/bulk") else ({} if method != "GET" else None)
    r = await http.request(method, path, params=params, json=body)
    if path.startswith("/v1"):
        v1_error(r, 400)
    else:
        assert problem(r, 400)["errorCode"] == "VALIDATION_FAILED"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        # searchRecordsPost (v1): RecordSearchDto.offset/limit are int32
        ("POST", "/v1/records/search", {"recordTypeId": "rtI", "limit": 2**31}),
        ("POST", "/v1/records/search", {"recordTypeId": "rtI", "offset": 2**70}),
        # createWorkspace: WorkspaceBaseDto.color is a string, recordTypeSections a list
        ("POST", "/v2/workspaces", {"name": "W", "color": 5}),
        ("POST", "/v2/workspaces", {"name": "W", "recordTypeSections": {}}),
        # patchRecordType: RecordTypeDto.isExternal is a boolean, permissionSettings.mode an enum
        ("PATCH", "/v2/record-types/rtI", {"isExternal": "yes"}),
        ("PATCH", "/v2/record-types/rtI", {"permissionSettings": {"mode": "SOMETIMES"}}),
        # createView: ViewDto.isHidden is a boolean, sorting items SortDto (fieldId required)
        ("POST", "/v2/record-types/rtI/views", {"name": "v", "type": "table", "isHidden": 1}),
        ("POST", "/v2/record-types/rtI/views", {"name": "v", "type": "table", "sorting": [{}]}),
        # patchField: FieldDto.numberOptions.precision is int32
        ("PATCH", "/v2/fields/n", {"numberOptions": {"precision": "two"}}),
        # searchRecordsPost (v2): SortDto.direction enum, GroupDto.fieldId minLength 1
        (
            "POST",
            "/v2/record-types/rtI/records/search",
            {"sort": [{"fieldId": "n", "direction": "up"}]},
        ),
        ("POST", "/v2/record-types/rtI/records/search", {"group": [{"fieldId": ""}]}),
        # createRecord: RecordBaseDto.data is an object
        ("POST", "/v2/record-types/rtI/records", {"data": []}),
        # the aliased flag is not a body property; recordTypeId in a v1 body is a string
        ("POST", "/v1/records", {"recordTypeId": 7, "data": {}}),
        # moveRecords: MoveRecordsRequestDto.recordIds is required, at most 100 items
        ("POST", "/v2/record-types/rtI/records/move", {"putAfterRecordId": "r1"}),
        (
            "POST",
            "/v2/record-types/rtI/records/move",
            {"recordIds": ["r2"] * 101, "putAfterRecordId": "r1"},
        ),
        # bulkDeleteRecords: BulkDeleteRequestDto.ids maxItems 100, items strings
        ("DELETE", "/v2/record-types/rtI/records/bulk", {"ids": [1]}),
    ],
)
async def test_body_values_outside_their_schema_are_400(
    http: httpx.AsyncClient, method: str, path: str, body: Any
) -> None:
    r = await http.request(method, path, json=body)
    if path.startswith("/v1"):
        v1_error(r, 400)
    else:
        assert problem(r, 400)["errorCode"] == "VALIDATION_FAILED"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
async def test_a_bulk_item_that_is_not_an_object_is_a_request_error(
    http: httpx.AsyncClient, method: str
) -> None:
    # bulkCreateRecords / bulkUpdateRecords / bulkPatchRecords: the body is an array of
    # RecordBaseDto; an item that is not an object cannot be bound, so the whole request
    # is refused (400), before any item is written, not answered 207 item by item
    before = (await http.get("/v2/record-types/rtI/records", params={"size": 100})).json()
    items: list[Any] = [{"data": {"n": 9}}, "r1", 5]
    if method != "POST":
        items[0] = {"id": "r1", "data": {"n": 9}}
    r = await http.request(method, "/v2/record-types/rtI/records/bulk", json=items)
    assert problem(r, 400)["errorCode"] == "VALIDATION_FAILED"
    after = (await http.get("/v2/record-types/rtI/records", params={"size": 100})).json()
    assert after == before


# -- no 500s --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filter_",
    [
        {"operator": "AND", "conditions": [{"fieldId": "n", "condition": {}}]},
        {"operator": "AND", "conditions": [{"fieldId": "n", "condition": ["IS"], "value": 1}]},
        {"operator": "AND", "conditions": [{"fieldId": {}, "condition": "IS", "value": 1}]},
        {"operator": {}, "conditions": [{"fieldId": "n", "condition": "IS", "value": 1}]},
    ],
)
async def test_a_filter_node_of_the_wrong_shape_is_400(
    http: httpx.AsyncClient, filter_: dict[str, Any]
) -> None:
    # searchRecordsPost (v2): FilterConditionDto.condition is the FilterCondition enum,
    # fieldId a string, FilterGroupDto.operator the FilterOperator enum
    r = await http.post("/v2/record-types/rtI/records/search", json={"filter": filter_})
    problem(r, 400)
    r = await http.get(
        "/v2/record-types/rtI/records/search", params={"filter": orjson.dumps(filter_).decode()}
    )
    problem(r, 400)


async def test_page_and_size_beyond_64_bits_are_400(http: httpx.AsyncClient) -> None:
    # searchRecordsPost / getRecordsByRecordType: page and size are integers (minimum 0, 1);
    # a number past 64 bits is refused, not an overflow inside the answer
    for params in ({"page": str(2**64)}, {"size": str(2**64)}, {"page": str(10**30)}):
        problem(await http.post("/v2/record-types/rtI/records/search", params=params, json={}), 400)
        problem(await http.get("/v2/record-types/rtI/records", params=params), 400)


# -- v1 PUT without a body ------------------------------------------------------------------


async def test_v1_put_without_a_body_is_400_and_keeps_the_record(
    http: httpx.AsyncClient,
) -> None:
    # updateRecord: PUT /v1/records/{id}, requestBody required: true
    before = (await http.get("/v1/records/r1")).json()
    v1_error(await http.put("/v1/records/r1"), 400)
    v1_error(await http.put("/v1/records/r1", content=b"  "), 400)
    assert (await http.get("/v1/records/r1")).json() == before
    # createRecord and searchRecordsPost require their bodies too
    v1_error(await http.post("/v1/records"), 400)
    v1_error(await http.post("/v1/records/search"), 400)


# -- 401 bodies -----------------------------------------------------------------------------


async def test_401_answers_in_the_shape_of_each_version(emu: Emulator) -> None:
    async with httpx.AsyncClient(transport=emu.transport(), base_url=BASE) as anonymous:
        # every v2 operation documents 401 as V2ProblemDetail (getWorkspaces ...)
        r = await anonymous.get("/v2/workspaces")
        body = problem(r, 401)
        assert body["errorCode"] == "UNAUTHORIZED"
        assert r.headers["www-authenticate"].startswith("Bearer")
        r = await anonymous.get("/v2/workspaces", headers={"Authorization": "Bearer nope"})
        assert problem(r, 401)["errorCode"] == "UNAUTHORIZED"
        # v1 answers its own error body (the "V1 vs V2" guide, step 7)
        r = await anonymous.get("/v1/workspaces")
        assert v1_error(r, 401)["title"] == "Unauthorized"
        assert "error" not in r.json()


# -- field type URL -------------------------------------------------------------------------


async def test_v2_has_no_url_field_type(http: httpx.AsyncClient) -> None:
    # FieldDto.type enum: TEXT, PARAGRAPH, NUMBER, PERCENTAGE, CURRENCY, DATE, SINGLE_SELECT,
    # MULTI_SELECT, CHECKBOX, REFERENCE, USER, FORMULA - no URL (createField)
    body = {"displayName": "Site", "type": "URL"}
    problem(await http.post("/v2/record-types/rtI/fields", json=body), 400)
    # a v1 url field (static/v1.json spells types freely; Adobe's v1 table has url) reads
    # through v2 as the text it holds (getField)
    r = await http.get("/v2/fields/u")
    assert r.status_code == 200
    assert r.json()["type"] == "TEXT"
    assert (await http.get("/v1/record-types/rtI")).json()["fields"][3]["type"] == "url"
    listed = await http.get("/v2/record-types/rtI/fields", params={"limit": 100})
    assert "URL" not in [f["type"] for f in listed.json()["content"]]


# -- paths and methods -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        # getRecord: GET /v2/records/{id} with an ID holding an encoded "/": not getHistory
        "/v2/records/r1%2Fhistory",
        # an encoded "?" is part of the ID, not the start of a query
        "/v2/records/r1%3Ffoo=1",
        "/v1/records/r1%2F",
        # getWorkspace with an ID that spells another endpoint after decoding
        "/v2/workspaces/ws1%2Frecord-types",
    ],
)
async def test_ids_are_decoded_after_routing(http: httpx.AsyncClient, path: str) -> None:
    r = await http.get(path)
    assert r.status_code == 404, r.text
    if path.startswith("/v2"):
        assert problem(r, 404)["errorCode"] == "ENTITY_WITH_ATTRIBUTE_NOT_FOUND"


async def test_an_encoded_id_reaches_its_record(emu: Emulator, http: httpx.AsyncClient) -> None:
    # getRecord: the decoded path segment is the ID
    emu.planning.add_record("rtT", {"nm": "odd"}, id="a/b?c")
    r = await http.get("/v2/records/a%2Fb%3Fc")
    assert r.status_code == 200, r.text
    assert r.json()["id"] == "a/b?c"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/v2/workspaces/ws1", {"GET", "PUT", "PATCH", "DELETE"}),  # getWorkspace & co.
        ("GET", "/v2/record-types/rtI/records/move", {"POST"}),  # moveRecords
        ("TRACE", "/v2/records/r1/history", {"GET"}),  # getHistory
        ("PATCH", "/v1/records/r1", {"GET", "PUT", "DELETE"}),  # getRecord, updateRecord ...
        ("DELETE", "/v1/records/search", {"GET", "POST"}),  # searchRecordsGet/Post
    ],
)
async def test_405_names_the_allowed_methods(
    http: httpx.AsyncClient, method: str, path: str, allow: set[str]
) -> None:
    # RFC 9110 15.5.6: a 405 answer carries Allow with the target's methods
    r = await http.request(method, path)
    assert r.status_code == 405, r.text
    assert {m.strip() for m in r.headers["allow"].split(",")} == allow


# -- found by the spec fuzzer (test_fuzz_specs.py) -------------------------------------------


async def test_a_record_type_without_fields_has_no_null_primary_field(
    http: httpx.AsyncClient,
) -> None:
    # getRecordType: RecordTypeDto.primaryFieldId is a string, never null
    made = (await http.post("/v2/workspaces/ws1/record-types", json={"displayName": "Bare"})).json()
    for field in (await http.get(f"/v2/record-types/{made['id']}/fields")).json()["content"]:
        assert (await http.delete(f"/v2/fields/{field['id']}")).status_code == 204
    answer = (await http.get(f"/v2/record-types/{made['id']}")).json()
    assert "primaryFieldId" not in answer
    assert "primaryFieldId" not in (await http.get(f"/v1/record-types/{made['id']}")).json()


async def test_integral_numbers_bind_to_integers(http: httpx.AsyncClient) -> None:
    # patchField: FieldDto.numberOptions.precision is an int32; JSON Schema counts 2.0
    # as an integer, and 2.5 or 2^40 are refused
    r = await http.patch("/v2/fields/n", json={"numberOptions": {"precision": 2.0}})
    assert r.status_code == 200, r.text
    for bad in (2.5, 2**40):
        problem(await http.patch("/v2/fields/n", json={"numberOptions": {"precision": bad}}), 400)


async def test_arrays_hold_no_nulls_and_unique_items_stay_unique(http: httpx.AsyncClient) -> None:
    # createWorkspace: RecordTypeSectionDto.recordTypeIds items are strings;
    # createView: ViewMetadataDto.dynamicFieldMetadata.dynamicFieldIds has uniqueItems
    sections = [{"displayName": "S", "recordTypeIds": [None]}]
    r = await http.post("/v2/workspaces", json={"name": "W", "recordTypeSections": sections})
    assert problem(r, 400)["errors"][0]["field"] == "recordTypeSections[0].recordTypeIds[0]"
    metadata = {"dynamicFieldMetadata": {"dynamicFieldIds": ["a", "a"]}}
    r = await http.post(
        "/v2/record-types/rtI/views", json={"name": "V", "type": "list", "metadata": metadata}
    )
    assert problem(r, 400)["errors"][0]["code"] == "UniqueItems"


async def test_properties_no_schema_names_are_not_stored(http: httpx.AsyncClient) -> None:
    # createView: ViewMetadataDto names what a view keeps; the rest is ignored, so it
    # is not answered either (the answer validates against ViewDto)
    metadata = {"showThumbnail": True, "shade": {"x": 1}}
    r = await http.post(
        "/v2/record-types/rtI/views", json={"name": "V", "type": "list", "metadata": metadata}
    )
    assert r.status_code == 201, r.text
    assert r.json()["metadata"] == {"showThumbnail": True}


async def test_section_index_places_a_new_record_type(http: httpx.AsyncClient) -> None:
    # createRecordType: ?sectionIndex= (int32, minimum 0): "Zero-based index of the
    # section to add the record type to"
    sections = [{"displayName": "A", "recordTypeIds": []}, {"displayName": "B"}]
    ws = (
        await http.post("/v2/workspaces", json={"name": "W", "recordTypeSections": sections})
    ).json()
    r = await http.post(
        f"/v2/workspaces/{ws['id']}/record-types",
        params={"sectionIndex": 1},
        json={"displayName": "T"},
    )
    assert r.status_code == 201, r.text
    shown = (await http.get(f"/v2/workspaces/{ws['id']}")).json()["recordTypeSections"]
    assert shown == [
        {"displayName": "A", "recordTypeIds": []},
        {"displayName": "B", "recordTypeIds": [r.json()["id"]]},
    ]
    for index in ("2", "-1", "x"):
        r = await http.post(
            f"/v2/workspaces/{ws['id']}/record-types",
            params={"sectionIndex": index},
            json={"displayName": "U"},
        )
        problem(r, 400)
    # refused before anything was made
    listed = (await http.get(f"/v2/workspaces/{ws['id']}/record-types")).json()["content"]
    assert [rt["displayName"] for rt in listed] == ["T"]


async def test_refusals_about_the_data_carry_the_data_codes(http: httpx.AsyncClient) -> None:
    # searchRecordsGet: "400 Bad Request (invalid filter parameter)": filter is a string
    # holding JSON, so a string that is not a filter group is a filter error
    for text in ("5", '{"operator": "AND"}', "[1]"):
        r = await http.get("/v2/record-types/rtI/records/search", params={"filter": text})
        assert problem(r, 400)["errors"][0]["code"] == "INVALID_FILTER"
    # searchRecordsGet (v1): offset is an int32; a negative one is refused as the body's is
    r = await http.get("/v1/records/search", params={"recordTypeId": "rtI", "offset": "-1"})
    assert v1_error(r, 400)["report"]["errorCode"] == "INVALID_REQUEST"
    # uploadThumbnail: the request body is optional in the file; without one there is
    # no image (THUMBNAIL_EMPTY)
    r = await http.post("/v2/records/r1/thumbnail")
    assert problem(r, 400)["errors"][0]["code"] == "THUMBNAIL_EMPTY"
