"""The embedded Workfront answers as Workfront does, for any client.

Raw HTTP (httpx against ``Emulator.transport()``), compared with the official JS
client's recorded real answers (``Workfront/workfront-api`` ``fixtures/*.json``) and
docs/api-notes.md §4: key sets and value types, not the recorded values.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from workfront_async.testing import Emulator

from .conftest import BASE

V21 = "/attask/api/v21.0"

# Recorded create.json: the default field set of a new task (docs/api-notes.md §4).
CREATE_JSON_KEYS = {
    "ID",
    "name",
    "objCode",
    "percentComplete",
    "plannedCompletionDate",
    "plannedStartDate",
    "priority",
    "progressStatus",
    "projectedCompletionDate",
    "projectedStartDate",
    "status",
    "taskNumber",
    "wbs",
}
# Recorded get.json: the default field set of a project (docs/api-notes.md §4).
GET_JSON_PROJECT_KEYS = {
    "ID",
    "name",
    "objCode",
    "percentComplete",
    "plannedCompletionDate",
    "plannedStartDate",
    "priority",
    "projectedCompletionDate",
    "status",
}
# Recorded metadata.json: the keys of an object type's metadata and of a field entry.
METADATA_KEYS = {
    "name",
    "label",
    "objCode",
    "flags",
    "url",
    "fields",
    "references",
    "collections",
    "search",
    "actions",
    "queries",
    "operations",
}
FIELD_ENTRY_KEYS = {
    "label",
    "typeObjCode",
    "targetTypeObjCode",
    "fieldType",
    "enumTargetObjCode",
    "enumType",
    "url",
}


@pytest.fixture(scope="module")
def shared() -> Emulator:
    """One tenant for the module (building one takes seconds); every test here
    compares with the state it reads at its start, so the writes of one test do
    not disturb another."""
    return Emulator.with_demo_data(seed=3, scale=0.01)


@pytest.fixture
def fresh(shared: Emulator) -> Emulator:
    return shared


@pytest.fixture
async def client(fresh: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """The fresh tenant, with the API key sent as the official JS client sends it."""
    headers = {"apiKey": fresh.api_key()}
    async with httpx.AsyncClient(transport=fresh.transport(), base_url=BASE, headers=headers) as c:
        yield c


async def data(client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()["data"]


# -- paths and the apiKey header ----------------------------------------------------


@pytest.mark.parametrize(
    "prefix",
    [
        "/attask/api-internal",  # the JS client's default
        "/attask/api-unsupported",
        "/attask/api/unsupported",
        "/attask/api",  # no version: the latest
    ],
)
async def test_every_api_path_answers_like_the_versioned_one(
    client: httpx.AsyncClient, prefix: str
) -> None:
    # docs/api-notes.md §4 "Paths"
    params = {"status": "INP", "fields": "projectID", "$$LIMIT": "7"}
    want = await data(client, f"{V21}/task/search", **params)
    assert want
    assert await data(client, f"{prefix}/task/search", **params) == want
    count = await data(client, f"{prefix}/task/count", status="INP")
    assert count == await data(client, f"{V21}/task/count", status="INP")


async def test_unknown_paths_and_versions_stay_errors(client: httpx.AsyncClient) -> None:
    old = await client.get("/attask/api/v3.0/task/search")
    assert old.status_code == 404
    assert "not supported" in old.json()["error"]["message"]
    other = await client.get("/attask/api-nonsense/task/search")
    assert other.status_code == 404


async def test_api_key_header_any_case(fresh: Emulator) -> None:
    # docs/api-notes.md §4 "API key as a header": the JS client sends only `apiKey: <key>`.
    async with httpx.AsyncClient(transport=fresh.transport(), base_url=BASE) as raw:
        for name in ("apiKey", "APIKEY", "apikey"):
            ok = await raw.get(f"{V21}/proj/count", headers={name: fresh.api_key()})
            assert ok.status_code == 200, name
        created = await raw.post(
            "/attask/api-internal/proj",
            headers={"apiKey": fresh.api_key()},
            json={"name": "Made with the header"},
        )
        assert created.status_code == 200, created.text
        wrong = await raw.get(f"{V21}/proj/count", headers={"apiKey": "not-a-key"})
        assert wrong.status_code == 401
        assert wrong.json()["error"]["class"] == "com.attask.common.AuthenticationException"
        assert "not-a-key" not in wrong.text
        none = await raw.get(f"{V21}/proj/count")
        assert none.status_code == 401
        assert "apiKey header" in none.json()["error"]["message"]


# -- batch ---------------------------------------------------------------------------


async def test_batch_not_atomic_answers_each_request_in_order(
    client: httpx.AsyncClient, fresh: Emulator
) -> None:
    # docs/api-notes.md §4 "Batch"; recorded batch.json: {"data": [{"data": ...}, {"data": ...}]}
    uris = [
        "task/search?status=INP&fields=name&$$LIMIT=5",
        "task/count?status=INP",
        "/proj/metadata?method=GET",
        "task?method=POST&updates=" + '{"name": "Batched", "projectID": "%s"}',
    ]
    project_id = fresh.rows("PROJ")[0]["ID"]
    uris[3] = uris[3] % project_id
    response = await client.post(
        "/attask/api-internal/batch",
        data={"atomic": "false", "concurrent": "false", "uri": uris},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"data"}
    slots = body["data"]
    assert [set(slot) for slot in slots] == [{"data"}] * 4
    alone = await data(client, f"{V21}/task/search", status="INP", fields="name", **{"$$LIMIT": 5})
    assert slots[0]["data"] == alone
    assert slots[1]["data"] == await data(client, f"{V21}/task/count", status="INP")
    assert slots[2]["data"]["objCode"] == "PROJ"
    created = slots[3]["data"]
    assert created["name"] == "Batched"
    assert fresh.get("TASK", created["ID"])["projectID"] == project_id


async def test_batch_not_atomic_puts_a_failure_in_its_slot(
    client: httpx.AsyncClient, fresh: Emulator
) -> None:
    before = fresh.tenant.store.count("PROJ")
    response = await client.post(
        f"{V21}/batch",
        data={
            "uri": [
                'proj?method=POST&updates={"name": "First"}',
                "task/search?$$LIMIT=5000",  # over the limit, as if sent alone
                "widget/search",
                'proj?method=POST&updates={"name": "Third"}',
            ]
        },
    )
    assert response.status_code == 200, response.text
    slots = response.json()["data"]
    assert set(slots[0]) == {"data"}
    assert set(slots[1]) == {"error"}
    assert "maximum allowed limit" in slots[1]["error"]["message"]
    assert {"class", "message", "title", "msgKey"} <= set(slots[1]["error"])
    assert set(slots[2]) == {"error"}
    assert set(slots[3]) == {"data"}
    assert fresh.tenant.store.count("PROJ") == before + 2


async def test_batch_atomic_is_all_or_nothing(client: httpx.AsyncClient, fresh: Emulator) -> None:
    # docs/api-notes.md §4 "Batch": atomic answers {"success": true} or an error, nothing kept
    before = fresh.tenant.store.count("PROJ")
    ok = await client.post(
        f"{V21}/batch",
        data={
            "atomic": "true",
            "uri": [
                'proj?method=POST&updates={"name": "A"}',
                'proj?method=POST&updates={"name": "B"}',
            ],
        },
    )
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"data": {"success": True}}
    assert fresh.tenant.store.count("PROJ") == before + 2
    failed = await client.post(
        f"{V21}/batch",
        data={
            "atomic": "true",
            "uri": [
                'proj?method=POST&updates={"name": "C"}',
                'task?method=POST&updates={"name": "no project"}',
            ],
        },
    )
    assert failed.status_code == 422
    assert "projectID" in failed.json()["error"]["message"]
    assert fresh.tenant.store.count("PROJ") == before + 2
    assert "C" not in {p["name"] for p in fresh.rows("PROJ")}


@pytest.fixture
def short_uris(fresh: Emulator) -> Iterator[Emulator]:
    fresh.max_uri_bytes = 300
    yield fresh
    fresh.max_uri_bytes = 8892


async def test_batch_limits_and_auth(short_uris: Emulator) -> None:
    fresh = short_uris
    async with httpx.AsyncClient(transport=fresh.transport(), base_url=BASE) as raw:
        nobody = await raw.post(f"{V21}/batch", data={"uri": "task/count"})
        assert nobody.status_code == 401
        key = {"apiKey": fresh.api_key()}
        empty = await raw.post(f"{V21}/batch", headers=key, data={"atomic": "false"})
        assert empty.status_code == 400
        long_uri = "task/search?name=" + "x" * 400
        slots = await raw.post(
            f"{V21}/batch", headers=key, data={"uri": [long_uri, "batch?uri=task/count"]}
        )
        assert slots.status_code == 200, slots.text
        first, nested = slots.json()["data"]
        assert first["error"]["class"] == "com.attask.common.URITooLongException"
        assert "cannot hold another batch" in nested["error"]["message"]
        # the batch's credentials stand for its requests, as a form parameter too
        by_param = await raw.post(f"{V21}/batch", data={"uri": "task/count", **key})
        assert by_param.json()["data"][0]["data"]["count"] == fresh.tenant.store.count("TASK")


# -- metadata ------------------------------------------------------------------------


async def test_metadata_index_lists_every_object_type(client: httpx.AsyncClient) -> None:
    # docs/api-notes.md §4 "Metadata": GET /metadata -> {"objects": {"PROJ": {...}, ...}}
    objects = (await data(client, "/attask/api-internal/metadata"))["objects"]
    assert {"PROJ", "TASK", "NOTE", "TMPL", "TTSK", "CMPY", "EXPNS", "BSLN"} <= set(objects)
    assert objects["OPTASK"]["objCode"] == "OPTASK"
    for code, entry in objects.items():
        detail = await data(client, f"{V21}/{code.lower()}/metadata")
        assert detail["objCode"] == code
        assert detail["name"] == entry["name"]


async def test_object_metadata_has_workfronts_shape(fresh: Emulator) -> None:
    # recorded metadata.json (GET /role/metadata on /attask/api-internal/)
    async with httpx.AsyncClient(
        transport=fresh.transport(), base_url="http://localhost:8080"
    ) as c:
        role = (
            await c.get("/attask/api-internal/role/metadata", headers={"apiKey": fresh.api_key()})
        ).json()["data"]
    assert METADATA_KEYS <= set(role)
    assert (role["name"], role["label"], role["objCode"]) == ("Role", "Job Role", "ROLE")
    assert role["flags"] == ["REPORTABLE"]
    assert role["url"] == "http://localhost:8080/attask/api-internal/role/metadata"
    assert role["search"] == {}
    assert set(role["fields"]["ID"]) == FIELD_ENTRY_KEYS
    assert role["fields"]["ID"]["fieldType"] == "string"
    billing = role["fields"]["billingPerHour"]
    assert set(billing) == FIELD_ENTRY_KEYS | {"flags"}
    assert (billing["label"], billing["fieldType"], billing["flags"]) == (
        "Billing Per Hour",
        "double",
        ["CURRENCY"],
    )
    assert role["fields"]["entryDate"]["fieldType"] == "dateTime"
    assert {"add", "count", "delete", "edit", "get", "report", "search"} <= set(role["operations"])


async def test_task_metadata_types_references_and_custom_fields(
    client: httpx.AsyncClient, fresh: Emulator
) -> None:
    task = await data(client, f"{V21}/task/metadata")
    fields = task["fields"]
    assert (task["name"], task["objCode"]) == ("Task", "TASK")
    want_types = {
        "name": "string",
        "taskNumber": "int",
        "percentComplete": "double",
        "plannedCompletionDate": "dateTime",
        "projectID": "string",
        "wbs": "string",
    }
    assert {name: fields[name]["fieldType"] for name in want_types} == want_types
    assert fields["status"]["enumType"] == "com.attask.common.constants.TaskStatusEnum"
    project = task["references"]["project"]
    assert (project["typeObjCode"], project["fieldType"], project["label"]) == (
        "PROJ",
        "Project",
        "Project",
    )
    assert project["url"].endswith("/attask/api/v21.0/proj/metadata")
    assignments = task["collections"]["assignments"]
    assert (assignments["typeObjCode"], assignments["fieldType"], assignments["label"]) == (
        "ASSGN",
        "Assignment",
        "assignments",
    )
    assert task["actions"]["move"]["arguments"] == [{"name": "projectID", "type": "string"}]
    assert "copy" in task["operations"]
    # every stored field is described, with a Workfront field type
    stored = set(fresh.rows("TASK")[0]) - {"objCode"}
    builtin = {name for name in stored if not name.startswith("DE:")}
    assert builtin == set(fields)
    vocabulary = {"string", "int", "double", "dateTime", "date", "boolean", "map", "string[]"}
    assert {f["fieldType"] for f in fields.values()} <= vocabulary
    custom = task["custom"]
    assert custom["DE:Region"]["fieldType"] == "string"
    assert custom["DE:Risk Score"]["fieldType"] == "double"
    assert custom["DE:Go Live"]["fieldType"] == "dateTime"
    assert custom["DE:Tags"]["fieldType"] == "string[]"
    fresh.define_custom_field("DE:Cost Centre", "float")
    again = await data(client, f"{V21}/task/metadata")
    assert again["custom"]["DE:Cost Centre"]["fieldType"] == "double"


# -- reports -------------------------------------------------------------------------


async def test_report_buckets_repeat_their_group_by_value(
    client: httpx.AsyncClient, fresh: Emulator
) -> None:
    # recorded report.json: {"INP": {"dcount_ID": 22, "status": "INP"}, ...}
    report = await data(client, f"{V21}/task/report", status_GroupBy="true", ID_AggFunc="dcount")
    tasks = fresh.rows("TASK")
    want = {
        status: {"dcount_ID": sum(t["status"] == status for t in tasks), "status": status}
        for status in {t["status"] for t in tasks}
    }
    assert report == want


# -- defaults on create, copies and edits --------------------------------------------


async def test_task_create_answers_the_recorded_default_fields(
    client: httpx.AsyncClient, fresh: Emulator
) -> None:
    # recorded create.json (docs/api-notes.md §4 "Defaults on create")
    project = fresh.rows("PROJ")[0]
    numbers = [t["taskNumber"] for t in fresh.rows("TASK") if t["projectID"] == project["ID"]]
    tops = [t for t in fresh.rows("TASK") if t["projectID"] == project["ID"] and not t["parentID"]]
    response = await client.post(f"{V21}/task", json={"name": "test", "projectID": project["ID"]})
    assert response.status_code == 200, response.text
    task = response.json()["data"]
    assert set(task) == CREATE_JSON_KEYS
    assert (task["status"], task["priority"], task["percentComplete"]) == ("NEW", 0, 0)
    assert task["taskNumber"] == max(numbers) + 1
    assert task["wbs"] == str(len(tops) + 1)
    assert task["plannedStartDate"] == project["plannedStartDate"]
    assert task["progressStatus"] in ("ON", "LT")
    assert isinstance(task["projectedCompletionDate"], str)
    child = (
        await client.post(
            f"{V21}/task",
            json={"name": "child", "projectID": project["ID"], "parentID": task["ID"]},
        )
    ).json()["data"]
    assert child["wbs"] == f"{task['wbs']}.1"
    edited = (await client.put(f"{V21}/task/{task['ID']}", json={"name": "renamed"})).json()
    assert set(edited["data"]) == CREATE_JSON_KEYS
    copied = await client.post(
        f"{V21}/task", params={"copySourceID": task["ID"]}, json={"name": "copy"}
    )
    assert set(copied.json()["data"]) == CREATE_JSON_KEYS


async def test_project_create_answers_the_recorded_default_fields(
    client: httpx.AsyncClient,
) -> None:
    # recorded get.json: a project's default field set includes projectedCompletionDate
    project = (await client.post(f"{V21}/proj", json={"name": "New one"})).json()["data"]
    assert set(project) == GET_JSON_PROJECT_KEYS
    assert (project["status"], project["priority"], project["percentComplete"]) == ("PLN", 0, 0)
    assert project["projectedCompletionDate"] is not None
    copied = await client.post(
        f"{V21}/proj", params={"copySourceID": project["ID"]}, json={"name": "Copied"}
    )
    assert set(copied.json()["data"]) == GET_JSON_PROJECT_KEYS


# -- the object types real integrations touch ----------------------------------------


def _new_object(code: str, emu: Emulator) -> dict[str, Any]:
    project = emu.rows("PROJ")[0]
    task = next(t for t in emu.rows("TASK") if t["projectID"] == project["ID"])
    template = emu.rows("TMPL")[0]
    return {
        "NOTE": {"noteText": "Looks good", "noteObjCode": "TASK", "objID": task["ID"]},
        "TMPL": {"name": "Launch template", "description": "for launches"},
        "TTSK": {"name": "Kick-off", "templateID": template["ID"], "duration": 2},
        "CMPY": {"name": "Umbrella"},
        "EXPNS": {"projectID": project["ID"], "plannedAmount": 120.5, "description": "Taxi"},
        "BSLN": {"name": "Baseline 2", "projectID": project["ID"]},
    }[code]


@pytest.mark.parametrize("code", ["NOTE", "TMPL", "TTSK", "CMPY", "EXPNS", "BSLN"])
async def test_more_object_types_have_the_full_life_cycle(
    client: httpx.AsyncClient, fresh: Emulator, code: str
) -> None:
    path = f"{V21}/{code.lower()}"
    stored = fresh.rows(code)
    assert stored, f"the demo data has no {code}"
    first = await data(client, f"{path}/search", **{"$$LIMIT": 3})
    assert [row["ID"] for row in first] == [row["ID"] for row in stored[:3]]
    assert (await data(client, f"{path}/count"))["count"] == len(stored)
    one = await data(client, f"{path}/{stored[0]['ID']}", fields="*")
    assert one["objCode"] == code
    created = await client.post(path, json=_new_object(code, fresh))
    assert created.status_code == 200, created.text
    new = created.json()["data"]
    assert new["objCode"] == code
    edit_field = "noteText" if code == "NOTE" else "description" if code == "EXPNS" else "name"
    edited = await client.put(f"{path}/{new['ID']}", json={edit_field: "changed"})
    assert edited.status_code == 200, edited.text
    assert fresh.get(code, new["ID"])[edit_field] == "changed"
    meta = await data(client, f"{path}/metadata")
    assert meta["objCode"] == code
    assert edit_field in meta["fields"]
    removed = await client.delete(f"{path}/{new['ID']}")
    assert removed.json() == {"data": {"success": True}}
    assert (await client.get(f"{path}/{new['ID']}")).status_code == 404


async def test_note_is_a_comment_on_its_object(client: httpx.AsyncClient, fresh: Emulator) -> None:
    task = fresh.rows("TASK")[3]
    note = (
        await client.post(
            f"{V21}/note",
            json={"noteText": "First!", "noteObjCode": "task", "objID": task["ID"]},
        )
    ).json()["data"]
    assert note["noteObjCode"] == "TASK"
    assert note["ownerID"] == fresh.admin_id
    stored = fresh.get("NOTE", note["ID"])
    assert (stored["taskID"], stored["projectID"]) == (task["ID"], task["projectID"])
    on_task = await data(client, f"{V21}/note/search", objID=task["ID"], fields="noteText")
    assert "First!" in [n["noteText"] for n in on_task]
    bad = await client.post(
        f"{V21}/note", json={"noteText": "x", "noteObjCode": "TASK", "objID": "missing"}
    )
    assert bad.status_code == 422
    assert "no TASK" in bad.json()["error"]["message"]


# -- small shapes --------------------------------------------------------------------


async def test_project_statuses_carry_obj_code_and_color(client: httpx.AsyncClient) -> None:
    # recorded namedQuery.json
    statuses = await data(client, f"{V21}/CSTEM/projectStatuses")
    dead = next(s for s in statuses if s["value"] == "DED")
    assert {"color", "equatesWith", "label", "objCode", "value"} <= set(dead)
    assert (dead["objCode"], dead["color"], dead["label"]) == ("CSTEM", "C60000", "Dead")


async def test_login_answers_version_information(fresh: Emulator) -> None:
    # recorded login.json
    fresh.add_user("jane@example.com", "pw")
    async with httpx.AsyncClient(transport=fresh.transport(), base_url=BASE) as raw:
        response = await raw.post(
            "/attask/api-internal/login", data={"username": "jane@example.com", "password": "pw"}
        )
    body = response.json()["data"]
    assert {"userID", "sessionID", "versionInformation", "locale", "timeZone", "currency"} <= set(
        body
    )
    info = body["versionInformation"]
    assert {"currentAPI", "apiVersions", "buildNumber", "release", "version", "lastUpdated"} <= set(
        info
    )
    assert info["currentAPI"] == "v21.0"
    assert info["apiVersions"]["v21.0"] == "/attask/api/v21.0/"


async def test_key_actions_named_in_the_path(fresh: Emulator) -> None:
    # docs/api-notes.md §4 "Actions without an ID": PUT /user/generateApiKey?username=&password=
    fresh.add_user("kim@example.com", "secret")
    async with httpx.AsyncClient(transport=fresh.transport(), base_url=BASE) as raw:
        creds = {"username": "kim@example.com", "password": "secret"}
        made = await raw.put(f"{V21}/user/generateApiKey", params=creds)
        assert made.status_code == 200, made.text
        key = made.json()["data"]["result"]
        got = await raw.put(f"{V21}/user/getApiKey", params=creds)
        assert got.json()["data"]["result"] == key
        assert (await raw.get(f"{V21}/task/count", headers={"apiKey": key})).status_code == 200
        cleared = await raw.put(f"{V21}/user/clearApiKey", params=creds)
        assert cleared.json()["data"]["result"] is True
        assert (await raw.get(f"{V21}/task/count", headers={"apiKey": key})).status_code == 401
        wrong = await raw.put(f"{V21}/user/getApiKey", params={**creds, "password": "no"})
        assert wrong.status_code == 401


async def test_copies_bring_their_children_and_are_numbered_anew(
    client: httpx.AsyncClient, fresh: Emulator
) -> None:
    template = fresh.rows("TMPL")[0]
    steps = [t for t in fresh.rows("TTSK") if t["templateID"] == template["ID"]]
    copied = await client.post(
        f"{V21}/tmpl", params={"copySourceID": template["ID"]}, json={"name": "Copy"}
    )
    assert copied.status_code == 200, copied.text
    new_id = copied.json()["data"]["ID"]
    new_steps = [t for t in fresh.rows("TTSK") if t["templateID"] == new_id]
    assert [(t["name"], t["taskNumber"]) for t in new_steps] == [
        (t["name"], t["taskNumber"]) for t in steps
    ]
    task = fresh.rows("TASK")[0]
    numbers = [t["taskNumber"] for t in fresh.rows("TASK") if t["projectID"] == task["projectID"]]
    twin = await client.post(f"{V21}/task", params={"copySourceID": task["ID"]}, json={})
    assert twin.json()["data"]["taskNumber"] == max(numbers) + 1


async def test_actions_are_the_ones_metadata_lists(
    client: httpx.AsyncClient, fresh: Emulator
) -> None:
    task = fresh.rows("TASK")[0]
    listed = set((await data(client, f"{V21}/task/metadata"))["actions"])
    assert {"move", "share", "approveApproval"} <= listed
    refused = await client.put(f"{V21}/task/{task['ID']}/markViewed")
    assert refused.status_code == 422
    message = refused.json()["error"]["message"]
    assert all(name in message for name in listed)
    # a listed action with nothing to act on is refused with the reason (approvals:
    # tests/emulator/classic/test_approvals.py)
    idle = await client.put(f"{V21}/task/{task['ID']}/approveApproval")
    assert idle.status_code == 422, idle.text
    assert "not pending approval" in idle.json()["error"]["message"]
