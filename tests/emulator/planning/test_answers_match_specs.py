"""The embedded Planning API's answers validate against Adobe's OpenAPI files
(``tests/specs/planning``, patched only where they contradict themselves:
``tests/specs/planning/patches.py``), checked by openapi-core over real HTTP on
127.0.0.1: a session calls every operation of ``static/v1.json`` and
``static/v2.json``, successes and documented refusals, and every answer must
be one the file documents for that operation (status, media type, body
schema). Every operation of both files must be served (answer 2xx) and
validate."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.specs.planning.patches import OPERATIONS
from tests.specs.planning.validate import answer_errors, operation_of
from workfront_async.testing import Emulator

from ._support import make_backend

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24


class Session:
    """Sends requests to the served emulator and checks each answer."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.problems: list[str] = []
        # (METHOD, path template) -> statuses answered
        self.seen: dict[tuple[str, str], set[int]] = defaultdict(set)

    async def __call__(self, method: str, path: str, expect: int, **kwargs: Any) -> httpx.Response:
        response = await self.http.request(method, "/maestro/api" + path, **kwargs)
        await response.request.aread()
        assert response.status_code == expect, (method, path, response.text)
        found = operation_of(method, response.request.url.path)
        assert found is not None, (method, path)
        self.seen[(method, found[0])].add(response.status_code)
        self.problems += [
            f"{method} {path} -> {response.status_code}: {e}"
            for e in answer_errors(response.request, response)
        ]
        return response


@pytest.fixture
async def served() -> AsyncIterator[tuple[Emulator, str]]:
    emu = Emulator()
    emu.planning = make_backend()
    async with emu.serve() as server:
        assert server.base_url.startswith("http://127.0.0.1:")
        yield emu, server.base_url


async def _v1(go: Session) -> None:
    # static/v1.json: all ten operations, and refusals (v1 documents none: the patched
    # copy gives each the guide's error body as "default")
    await go("GET", "/v1/workspaces", 200)  # getWorkspaces
    await go("GET", "/v1/workspaces/ws1", 200)  # getWorkspace
    await go("GET", "/v1/workspaces/nope", 404)
    await go("GET", "/v1/record-types", 200, params={"workspaceId": "ws1"})  # getRecordTypes
    await go("GET", "/v1/record-types", 400)
    await go("GET", "/v1/record-types/rtI", 200)  # getRecordType
    made = await go("POST", "/v1/records", 200, json={"recordTypeId": "rtI", "data": {"n": 1}})
    record = made.json()["id"]  # createRecord
    await go("POST", "/v1/records", 400, json={"recordTypeId": "rtI", "data": []})
    await go("GET", f"/v1/records/{record}", 200, params={"attributes": "data"})  # getRecord
    await go("GET", "/v1/records/r1", 200, params={"aliased": "true"})
    await go("GET", "/v1/records/nope", 404)
    await go("PUT", f"/v1/records/{record}", 200, json={"data": {"t": "x"}})  # updateRecord
    await go("PUT", f"/v1/records/{record}", 400)
    search = {"recordTypeId": "rtI", "filters": {"$and": [{"n": {"$greaterThan": 0}}]}}
    await go("POST", "/v1/records/search", 200, json=search)  # searchRecordsPost
    await go("POST", "/v1/records/search", 200, json={**search, "groupingFieldIds": ["ss"]})
    await go("POST", "/v1/records/search", 400, json={**search, "limit": 5000})
    await go(
        "GET",
        "/v1/records/search",
        200,
        params={"recordTypeId": "rtI", "filters": '{"n": 1}', "limit": "2"},
    )  # searchRecordsGet
    await go("DELETE", f"/v1/records/{record}", 200)  # deleteRecord
    await go("DELETE", f"/v1/records/{record}", 404)


async def _v2_resources(go: Session) -> dict[str, str]:
    # workspaces, record types, fields and views (static/v2.json)
    await go("GET", "/v2/workspaces", 200, params={"limit": 1})  # getWorkspaces
    await go("GET", "/v2/workspaces", 400, params={"limit": 0})
    ws = (await go("POST", "/v2/workspaces", 201, json={"name": "Specs"})).json()["id"]
    await go("POST", "/v2/workspaces", 400, json={"name": " "})  # createWorkspace
    await go("GET", f"/v2/workspaces/{ws}", 200)  # getWorkspace
    await go("GET", "/v2/workspaces/nope", 404)
    await go("PUT", f"/v2/workspaces/{ws}", 200, json={"name": "Specs 2"})  # updateWorkspace
    await go("PATCH", f"/v2/workspaces/{ws}", 200, json={"description": "d"})  # patchWorkspace
    await go("PATCH", f"/v2/workspaces/{ws}", 400, json={"description": "d" * 1025})
    rt = (
        await go("POST", f"/v2/workspaces/{ws}/record-types", 201, json={"displayName": "Items"})
    ).json()["id"]  # createRecordType
    await go("POST", f"/v2/workspaces/{ws}/record-types", 400, json={"displayName": ""})
    await go("POST", "/v2/workspaces/nope/record-types", 404, json={"displayName": "X"})
    await go("GET", f"/v2/workspaces/{ws}/record-types", 200)  # getRecordTypesByWorkspace
    await go("GET", f"/v2/record-types/{rt}", 200)  # getRecordType
    await go("GET", "/v2/record-types/rtI", 200)
    await go("PUT", f"/v2/record-types/{rt}", 200, json={"displayName": "Items"})
    await go(
        "PATCH", "/v2/record-types/rtT", 200, json={"linkableWithAllWorkspaces": True}
    )  # patchRecordType
    await go("GET", f"/v2/workspaces/{ws}/global-record-types", 200)  # getGlobalRecordTypes
    await go(
        "POST",
        f"/v2/workspaces/{ws}/record-types",
        201,
        json={"displayName": "Targets", "sourceRecordTypeId": "rtT"},
    )
    await go("POST", f"/v2/workspaces/{ws}/record-types/rtT/detach", 204)  # detach...
    await go("POST", f"/v2/workspaces/{ws}/record-types/rtT/detach", 404)
    await go("POST", "/v2/workspaces/ws1/record-types/rtT/detach", 403)
    fields = f"/v2/record-types/{rt}/fields"
    number = {"displayName": "N", "type": "NUMBER"}
    field = (await go("POST", fields, 201, json=number)).json()["id"]  # createField
    await go("POST", fields, 400, json={"displayName": "U", "type": "URL"})
    await go("POST", fields, 403, json={"displayName": "N", "type": "TEXT"})
    await go("GET", f"/v2/record-types/{rt}/fields", 200)  # getFieldsByRecordType
    await go("GET", "/v2/record-types/rtI/fields", 200, params={"limit": 100})
    await go("GET", f"/v2/fields/{field}", 200)  # getField
    await go("GET", "/v2/fields/lk", 200)
    await go("PUT", f"/v2/fields/{field}", 200, json={"displayName": "Count"})  # updateField
    await go("PATCH", f"/v2/fields/{field}", 200, json={"description": "how many"})
    await go("PATCH", f"/v2/fields/{field}", 400, json={"type": "TEXT"})  # patchField
    view = (
        await go("POST", f"/v2/record-types/{rt}/views", 201, json={"name": "V", "type": "list"})
    ).json()["id"]  # createView
    await go("POST", f"/v2/record-types/{rt}/views", 400, json={"name": "V", "type": "TABLE"})
    await go("GET", f"/v2/record-types/{rt}/views", 200)  # getViewsByRecordType
    await go("GET", f"/v2/views/{view}", 200)  # getView
    await go("PUT", f"/v2/views/{view}", 200, json={"name": "W", "type": "gallery"})
    await go("PATCH", f"/v2/views/{view}", 200, json={"isHidden": True})  # patchView
    await go("DELETE", f"/v2/views/{view}", 204)  # deleteView
    await go("GET", f"/v2/views/{view}", 404)
    return {"ws": ws, "rt": rt, "field": field}


async def _v2_records(go: Session, ids: dict[str, str]) -> None:
    rt, field = ids["rt"], ids["field"]
    base = f"/v2/record-types/{rt}/records"
    one = (await go("POST", base, 201, json={"data": {field: 1}})).json()["id"]  # createRecord
    await go("POST", base, 400, json={"data": {"nope": 1}})
    await go("GET", base, 200, params={"size": 5})  # getRecordsByRecordType
    await go("GET", f"/v2/records/{one}", 200)  # getRecord
    await go("GET", "/v2/records/r1", 200)
    await go("PUT", f"/v2/records/{one}", 200, json={"data": {field: 2}})  # updateRecord
    await go("PATCH", f"/v2/records/{one}", 200, json={"data": {field: 3}})  # patchRecord
    await go("GET", f"/v2/records/{one}/history", 200)  # getHistory
    await go("GET", f"/v2/records/{one}/history", 400, params={"cursor": "not-mine"})
    await go(
        "POST",
        f"/v2/records/{one}/thumbnail",
        201,
        files={"file": ("t.png", PNG, "image/png")},
    )  # uploadThumbnail
    await go(
        "POST", f"/v2/records/{one}/thumbnail", 400, files={"file": ("t.png", b"", "image/png")}
    )
    await go("DELETE", f"/v2/records/{one}/thumbnail", 204)  # deleteThumbnail
    made = await go("POST", base + "/bulk", 201, json=[{"data": {field: i}} for i in range(3)])
    bulk = [item["id"] for item in made.json()["results"]]  # bulkCreateRecords
    await go("POST", base + "/bulk", 207, json=[{"data": {field: 1}}, {"data": {"nope": 1}}])
    await go("PUT", base + "/bulk", 200, json=[{"id": bulk[0], "data": {field: 5}}])
    await go("PATCH", base + "/bulk", 200, json=[{"id": bulk[1], "data": {field: 6}}])
    await go("PATCH", base + "/bulk", 400, json=["not a record"])
    await go(
        "POST", base + "/move", 200, json={"recordIds": [bulk[2]], "putBeforeRecordId": one}
    )  # moveRecords
    await go("POST", base + "/move", 207, json={"recordIds": ["nope"], "putAfterRecordId": one})
    search = {"filter": {"operator": "AND", "conditions": [
        {"fieldId": field, "condition": "GREATER_THAN", "value": 0}]},
        "group": [{"fieldId": field}]}  # fmt: skip
    await go("POST", base + "/search", 200, json=search, params={"size": 2})  # search (POST)
    await go("POST", base + "/search", 400, json={"filter": {"operator": "XOR"}})
    condition = f'{{"fieldId":"{field}","condition":"IS_EMPTY"}}'
    await go(
        "GET",
        base + "/search",
        200,
        params={"filter": f'{{"operator":"OR","conditions":[{condition}]}}'},
    )  # searchRecordsGet
    await go("GET", base + "/search", 400, params={"filter": '{"operator":"OR","conditions":[]}'})
    await go("DELETE", base + "/bulk", 200, json={"ids": bulk})  # bulkDeleteRecords
    await go("DELETE", base + "/bulk", 400, json={"ids": []})
    await go("DELETE", f"/v2/records/{one}", 204)  # deleteRecord
    await go("GET", f"/v2/records/{one}", 404)


async def _v2_permissions(go: Session) -> None:
    root = "/v2/permissions"
    await go("GET", f"{root}/workspaces/ws1", 200)  # getMyPermissions
    await go("GET", f"{root}/things/ws1", 400)
    await go("GET", f"{root}/workspaces/ws1/members", 200)  # getMembers
    await go("GET", f"{root}/records/nope/members", 403)
    grant = {"grant": [{"subjectId": "g1", "subjectType": "group", "role": "viewer"}]}
    await go("PATCH", f"{root}/workspaces/ws1/members", 204, json=grant)  # updateMembers
    await go("PATCH", f"{root}/workspaces/ws1/members", 400, json={"grant": [{}]})
    await go("GET", f"{root}/record-types/rtI/inheritance", 200)  # getInheritance
    await go("GET", f"{root}/workspaces/ws1/inheritance", 400)
    made = await go("POST", f"{root}/records/r1/requests", 201, json={"message": "hi"})
    await go("GET", f"{root}/records/r1/requests", 200)  # getAccessRequests
    await go(
        "DELETE", f"{root}/records/r1/requests", 204, json={"requestIds": [made.json()["id"]]}
    )  # deleteAccessRequests
    await go("DELETE", f"{root}/records/r1/requests", 400, json={"requestIds": []})


async def test_every_operation_is_served_and_every_answer_validates(
    served: tuple[Emulator, str],
) -> None:
    emu, base_url = served
    headers = {"Authorization": f"Bearer {emu.issue_token()}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as http:
        go = Session(http)
        await _v1(go)
        ids = await _v2_resources(go)
        await _v2_records(go, ids)
        await _v2_permissions(go)
        # 401: each version documents its body (v2: V2ProblemDetail on every operation)
        async with httpx.AsyncClient(base_url=base_url) as anonymous:
            stranger = Session(anonymous)
            await stranger("GET", "/v2/workspaces", 401)
            await stranger("GET", "/v1/workspaces", 401)
            go.problems += stranger.problems
        await go("DELETE", f"/v2/record-types/{ids['rt']}", 204)  # deleteRecordType
        await go("DELETE", f"/v2/fields/{ids['field']}", 404)  # deleteField (gone with it)
        field = (
            await go("POST", "/v2/record-types/rtI/fields", 201, json={"displayName": "Z",
                                                                      "type": "TEXT"})
        ).json()["id"]  # fmt: skip
        await go("DELETE", f"/v2/fields/{field}", 204)  # deleteField
        await go("DELETE", f"/v2/workspaces/{ids['ws']}", 204)  # deleteWorkspace
    assert go.problems == []
    every = {(m, p) for version in OPERATIONS.values() for m, p, _ in version}
    served_ok = {op for op, statuses in go.seen.items() if any(200 <= s < 300 for s in statuses)}
    assert every - served_ok == set()
    assert len(every) == 59


@pytest.mark.parametrize(
    ("path", "status", "body", "problem"),
    [
        # getView: ViewDto.type is the lower-case enum
        ("/v2/views/v1", 200, {"id": "v1", "name": "V", "type": "TABLE"}, "TABLE"),
        # getWorkspace: a 401 is V2ProblemDetail, not the classic error body
        ("/v2/workspaces/w", 401, {"error": {"class": "x", "message": "no"}}, "required"),
        # getRecord: an undocumented status
        ("/v2/records/r", 418, {}, "418"),
        # getRecordType (v1): a value of the wrong type
        ("/v1/record-types/rt", 200, {"id": "rt", "fields": {}}, "fields"),
    ],
)
def test_the_check_catches_answers_off_the_spec(
    path: str, status: int, body: dict[str, Any], problem: str
) -> None:
    request = httpx.Request("GET", f"http://127.0.0.1:8000/maestro/api{path}")
    response = httpx.Response(status, json=body, request=request)
    errors = answer_errors(request, response)
    assert any(problem in e for e in errors), errors
