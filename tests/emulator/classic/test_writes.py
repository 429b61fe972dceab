"""Create, copy, edit, actions, delete, bulk, upload and journal entries (API notes §1, §2)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx

from workfront_async.testing import Emulator

from .conftest import API, Api


def first(emu: Emulator, obj: str, **match: object) -> dict[str, object]:
    return next(r for r in emu.rows(obj) if all(r.get(k) == v for k, v in match.items()))


async def test_create_with_parameters_and_updates(wapi: Api, fresh: Emulator) -> None:
    # docs/api-notes.md §1 Create: POST /proj?name=... or updates= JSON; fields= honoured.
    r = await wapi.post("/proj", {"name": "New Project", "status": "CUR", "fields": "budget"})
    assert r.status_code == 200, r.text
    created = r.json()["data"]
    assert created["name"] == "New Project"
    assert created["status"] == "CUR"
    assert "budget" in created
    stored = fresh.get("PROJ", created["ID"])
    assert stored["entryDate"] == stored["lastUpdateDate"]
    assert stored["enteredByID"] == fresh.admin_id
    project = created["ID"]
    r = await wapi.post(
        "/task",
        {
            "updates": json.dumps(
                {
                    "name": "Child",
                    "projectID": project,
                    "DE:Region": "EMEA",
                    "assignments": [{"assignedToID": fresh.admin_id}],
                }
            ),
            "fields": "DE:Region,assignments:assignedToID,portfolioID",
        },
    )
    assert r.status_code == 200, r.text
    task = r.json()["data"]
    assert task["DE:Region"] == "EMEA"
    assert [a["assignedToID"] for a in task["assignments"]] == [fresh.admin_id]


async def test_create_refuses_unknown_fields_and_missing_required(wapi: Api) -> None:
    r = await wapi.post("/proj", {"name": "X", "colour": "red"})
    assert r.status_code == 422
    assert "colour" in r.json()["error"]["message"]
    r = await wapi.post("/task", {"name": "orphan"})
    assert r.status_code == 422
    assert "projectID" in r.json()["error"]["message"]
    r = await wapi.post("/task", {"updates": "{not json"})
    assert r.status_code == 400
    assert "updates" in r.json()["error"]["message"]


async def test_copy(wapi: Api, fresh: Emulator) -> None:
    # docs/api-notes.md §1 Create: POST /proj?copySourceID=<ID>&name=Copied
    source = fresh.rows("PROJ")[0]
    r = await wapi.post("/proj", {"copySourceID": source["ID"], "name": "Copied"})
    assert r.status_code == 200, r.text
    copy = fresh.get("PROJ", r.json()["data"]["ID"])
    assert copy["name"] == "Copied"
    assert copy["ID"] != source["ID"]
    assert copy["status"] == source["status"]
    assert copy["DE:Region" if "DE:Region" in source else "status"] == source.get(
        "DE:Region", source["status"]
    )
    old_tasks = [t for t in fresh.rows("TASK") if t["projectID"] == source["ID"]]
    new_tasks = [t for t in fresh.rows("TASK") if t["projectID"] == copy["ID"]]
    assert [t["name"] for t in new_tasks] == [t["name"] for t in old_tasks]
    new_ids = {t["ID"] for t in new_tasks}
    assert all(t["parentID"] in new_ids for t in new_tasks if t["parentID"])


async def test_edit_parameters_updates_journal_and_last_update(fresh: Emulator) -> None:
    # docs/api-notes.md §1 Edit and §2: lastUpdateDate changes on every edit; JRNLE records it.
    fresh.set_now(datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))
    task = first(fresh, "TASK", status="NEW")
    async with httpx.AsyncClient(transport=fresh.transport(), base_url="https://x") as c:
        api = Api(c, fresh.api_key())
        r = await api.put(f"/task/{task['ID']}", {"status": "INP"})
        assert r.status_code == 200, r.text
        assert r.json()["data"]["status"] == "INP"
        fresh.advance(60)
        r = await api.put(
            f"/task/{task['ID']}",
            {
                "updates": json.dumps(
                    {
                        "name": "Renamed",
                        "percentComplete": 55,
                        "plannedCompletionDate": "2031-03-04T05:06:07.000Z",
                        "assignedToID": fresh.admin_id,
                    }
                )
            },
        )
        assert r.status_code == 200, r.text
        stored = fresh.get("TASK", str(task["ID"]))
        assert stored["name"] == "Renamed"
        assert stored["lastUpdateDate"] == "2030-01-02T03:05:05:000+0000"
        assert stored["entryDate"] == task["entryDate"]
        changed = await api.data(
            "/JRNLE/search",
            {
                "objID": task["ID"],
                "entryDate": "2030-01-01T00:00:00Z",
                "entryDate_Mod": "gte",
                "fields": "fieldName,oldTextVal,newTextVal,oldNumberVal,newNumberVal,"
                "oldDateVal,newDateVal,objObjCode",
                "fieldName_Sort": "asc",
            },
        )
        by_field = {j["fieldName"]: j for j in changed}
        assert by_field["status"]["oldTextVal"] == "NEW"
        assert by_field["status"]["newTextVal"] == "INP"
        assert by_field["name"]["newTextVal"] == "Renamed"
        assert by_field["percentComplete"]["newNumberVal"] == 55.0
        assert by_field["status"]["objObjCode"] == "TASK"
        assert by_field["plannedCompletionDate"]["oldDateVal"] == task["plannedCompletionDate"]
        assert by_field["plannedCompletionDate"]["newDateVal"] == "2031-03-04T05:06:07:000+0000"
        assert by_field["assignedToID"]["oldTextVal"] == task["assignedToID"]
        assert by_field["assignedToID"]["newTextVal"] == fresh.admin_id
        since = await api.data(
            "/task/search",
            {"lastUpdateDate": "2030-01-02T03:05:00.000Z", "lastUpdateDate_Mod": "gte"},
        )
        assert [t["ID"] for t in since] == [task["ID"]]


async def test_edit_unknown_id_fails_and_collections_are_replaced(
    wapi: Api, fresh: Emulator
) -> None:
    # API notes §1 Edit: PUT fails for an unknown ID; an updated collection replaces the old.
    r = await wapi.put("/task/ffffffffffffffffffffffffffffffff", {"name": "x"})
    assert r.status_code == 404
    task = next(t for t in fresh.rows("TASK") if t["assignedToID"])
    users = [u["ID"] for u in fresh.rows("USER")]
    r = await wapi.put(
        f"/task/{task['ID']}",
        {
            "updates": json.dumps(
                {"assignments": [{"assignedToID": users[1]}, {"assignedToID": users[2]}]}
            )
        },
    )
    assert r.status_code == 200, r.text
    kept = [a["assignedToID"] for a in fresh.rows("ASSGN") if a["taskID"] == task["ID"]]
    assert kept == [users[1], users[2]]


async def test_delete_with_and_without_force(wapi: Api, fresh: Emulator) -> None:
    # API notes §1 Delete: force=true removes dependents; a later child delete is "not found".
    parent = next(t for t in fresh.rows("TASK") if t["parentID"] is None)
    children = [t["ID"] for t in fresh.rows("TASK") if t["parentID"] == parent["ID"]]
    assert children
    refused = await wapi.delete(f"/task/{parent['ID']}")
    assert refused.status_code == 422
    assert "force=true" in refused.json()["error"]["message"]
    done = await wapi.delete(f"/task/{parent['ID']}", {"force": "true"})
    assert done.status_code == 200
    assert done.json() == {"data": {"success": True}}
    remaining = {t["ID"] for t in fresh.rows("TASK")}
    assert parent["ID"] not in remaining
    assert not set(children) & remaining
    gone = await wapi.delete(f"/task/{children[0]}")
    assert gone.status_code == 404
    journal = [j for j in fresh.rows("JRNLE") if j["objID"] == parent["ID"]]
    assert [j["changeType"] for j in journal][-1:] == ["DELETE"]


async def test_bulk_create_edit_limit_and_atomic(wapi: Api, fresh: Emulator) -> None:
    # docs/api-notes.md §1 Bulk: updates=[...] with method=POST creates; with IDs edits; max 100.
    project = fresh.rows("PROJ")[0]["ID"]
    items = [{"name": f"Bulk {i}", "projectID": project} for i in range(3)]
    r = await wapi.put("/task", {"updates": json.dumps(items), "method": "POST"})
    assert r.status_code == 200, r.text
    created = r.json()["data"]
    assert [t["name"] for t in created] == ["Bulk 0", "Bulk 1", "Bulk 2"]
    edits = [{"ID": t["ID"], "status": "CPL"} for t in created]
    r = await wapi.put("/task", {"updates": json.dumps(edits)})
    assert r.status_code == 200, r.text
    assert {fresh.get("TASK", t["ID"])["status"] for t in created} == {"CPL"}
    too_many = [{"name": f"x{i}", "projectID": project} for i in range(101)]
    # a long updates= list goes in a form body (the URI limit is 8892 bytes)
    r = await wapi.post("/task", data={"updates": json.dumps(too_many)})
    assert r.status_code == 422
    assert "100" in r.json()["error"]["message"]
    before = len(fresh.rows("TASK"))
    broken = [{"name": "ok", "projectID": project}, {"name": "bad"}]
    r = await wapi.post("/task", {"updates": json.dumps(broken), "atomic": "true"})
    assert r.status_code == 422
    assert len(fresh.rows("TASK")) == before  # all or nothing
    r = await wapi.post("/task", {"updates": json.dumps(broken[:1] * 2), "atomic": "true"})
    assert r.json() == {"data": {"success": True}}
    assert len(fresh.rows("TASK")) == before + 2


async def test_actions_move_share_timeline(wapi: Api, fresh: Emulator) -> None:
    # docs/api-notes.md §1 Actions.
    projects = fresh.rows("PROJ")
    parent = next(t for t in fresh.rows("TASK") if t["parentID"] is None)
    target = next(p for p in projects if p["ID"] != parent["projectID"])
    r = await wapi.put(f"/task/{parent['ID']}/move", {"projectID": target["ID"]})
    assert r.status_code == 200, r.text
    moved = [
        t for t in fresh.rows("TASK") if t["ID"] == parent["ID"] or t["parentID"] == parent["ID"]
    ]
    assert {t["projectID"] for t in moved} == {target["ID"]}
    user = fresh.rows("USER")[1]["ID"]
    r = await wapi.put(
        f"/proj/{target['ID']}/share",
        {"accessorID": user, "accessorObjCode": "USER", "coreAction": "VIEW"},
    )
    assert r.status_code == 200, r.text
    rules = await wapi.data(f"/proj/{target['ID']}", {"fields": "accessRules:*"})
    assert [(a["accessorID"], a["coreAction"]) for a in rules["accessRules"]] == [(user, "VIEW")]
    r = await wapi.put(f"/proj/{target['ID']}", {"action": "calculateTimeline"})
    assert r.status_code == 200, r.text
    tasks = [t for t in fresh.rows("TASK") if t["projectID"] == target["ID"]]
    project = fresh.get("PROJ", str(target["ID"]))
    assert project["plannedStartDate"] == min(t["plannedStartDate"] for t in tasks)
    assert project["plannedCompletionDate"] == max(t["plannedCompletionDate"] for t in tasks)
    r = await wapi.put(f"/proj/{target['ID']}/noSuchAction")
    assert r.status_code == 422
    assert "noSuchAction" in r.json()["error"]["message"]
    # no approval process on the task: nothing to approve (test_approvals.py has them)
    r = await wapi.put(f"/task/{parent['ID']}/approveApproval")
    assert r.status_code == 422
    assert "not pending approval" in r.json()["error"]["message"]


async def test_upload_and_document(wapi: Api, fresh: Emulator) -> None:
    # docs/api-notes.md §1 Upload: multipart uploadedFile -> handle; then POST /document.
    r = await wapi.post("/upload", files={"uploadedFile": ("spec.txt", b"hello", "text/plain")})
    assert r.status_code == 200, r.text
    handle = r.json()["data"]["handle"]
    project = fresh.rows("PROJ")[0]["ID"]
    doc = {
        "name": "Spec",
        "handle": handle,
        "docObjCode": "PROJ",
        "objID": project,
        "currentVersion": {"version": "v1.0", "fileName": "spec.txt"},
    }
    r = await wapi.post("/document", {"updates": json.dumps(doc), "fields": "currentVersion:*"})
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["currentVersion"]["fileName"] == "spec.txt"
    assert data["currentVersion"]["fileSize"] == 5
    docs = await wapi.data(f"/proj/{project}", {"fields": "documents:name"})
    assert "Spec" in [d["name"] for d in docs["documents"]]
    r = await wapi.post("/document", {"updates": json.dumps({**doc, "handle": "nope"})})
    assert r.status_code == 422
    r = await wapi.post("/upload", {"x": "1"})
    assert r.status_code == 400


async def test_writes_need_an_explicit_session(fresh: Emulator) -> None:
    # docs/api-notes.md §1 Authentication: any write must carry the session explicitly.
    token = fresh.issue_token()
    async with httpx.AsyncClient(transport=fresh.transport(), base_url="https://x") as c:
        cookie = {"Cookie": f"sessionID={token}"}
        read = await c.get(f"{API}/proj/count", headers=cookie)
        assert read.status_code == 200
        write = await c.post(f"{API}/proj", params={"name": "x"}, headers=cookie)
        assert write.status_code == 401
        assert write.json()["error"]["class"] == "com.attask.common.AuthenticationException"
        header = await c.post(f"{API}/proj", params={"name": "x"}, headers={"SessionID": token})
        assert header.status_code == 200


async def test_access_rules_replaced_by_updates(wapi: Api, fresh: Emulator) -> None:
    # docs/api-notes.md §1 Actions: replace all rules with updates={accessRules:[...]}.
    project = fresh.rows("PROJ")[0]["ID"]
    users = [u["ID"] for u in fresh.rows("USER")]
    await wapi.put(f"/proj/{project}/share", {"accessorID": users[1], "accessorObjCode": "USER"})
    rules = [
        {"accessorID": users[2], "accessorObjCode": "USER", "coreAction": "EDIT"},
        {"accessorID": users[3], "accessorObjCode": "USER", "coreAction": "VIEW"},
    ]
    r = await wapi.put(
        f"/proj/{project}",
        {"updates": json.dumps({"accessRules": rules}), "fields": "accessRules:*"},
    )
    assert r.status_code == 200, r.text
    got = [(a["accessorID"], a["coreAction"]) for a in r.json()["data"]["accessRules"]]
    assert got == [(users[2], "EDIT"), (users[3], "VIEW")]


def test_python_seeding_api() -> None:
    emu = Emulator()
    admin = emu.get("USER", emu.admin_id)
    assert admin["isAdmin"] is True
    project = emu.add(
        "project", {"name": "Seeded", "DE:Score": 3, "plannedStartDate": "2024-01-02"}
    )
    assert project["plannedStartDate"] == "2024-01-02T00:00:00:000+0000"
    assert project["DE:Score"] == 3.0
    tasks = emu.add_many("task", [{"name": f"T{i}", "projectID": project["ID"]} for i in range(3)])
    assert [t["name"] for t in emu.rows("TASK")] == [t["name"] for t in tasks]
    loose = emu.add("task", {"name": None}, validate=False)
    assert loose["projectID"] is None
    native = emu.rows("PROJ", native=True)[0]
    assert native["plannedStartDate"] == datetime(2024, 1, 2, tzinfo=UTC)
    import pytest

    # the emulator's own server-side errors: bad seed data is a ValueError
    with pytest.raises(ValueError, match="projectID"):
        emu.add("task", {"name": "orphan"})
    with pytest.raises(ValueError, match="no PROJ"):
        emu.add("task", {"name": "x", "projectID": "missing"})
    with pytest.raises(ValueError, match="unknown object type"):
        emu.add("widget", {})
    with pytest.raises(KeyError):
        emu.get("TASK", "missing")
    with pytest.raises(ValueError, match="custom field type"):
        emu.define_custom_field("DE:X", "colour")
    with pytest.raises(ValueError, match="no user"):
        emu.issue_token("nobody")
    with pytest.raises(ValueError, match="already exists"):
        emu.add_user("admin", "x")
    assert emu.api_key() == emu.api_key()
    assert "admin" not in repr(emu)


def test_demo_data_is_deterministic_and_complete() -> None:
    a = Emulator.with_demo_data(seed=4, scale=0.01)
    b = Emulator.with_demo_data(seed=4, scale=0.01)
    c = Emulator.with_demo_data(seed=5, scale=0.01)
    for obj in ("TASK", "PROJ", "OPTASK", "ASSGN", "HOUR", "JRNLE", "DOCU"):
        assert a.rows(obj) == b.rows(obj), obj
        assert a.rows(obj), obj
    assert a.rows("TASK") != c.rows("TASK")
    tasks = a.rows("TASK")
    assert len(tasks) == 4 * 50  # scale 0.01: 4 projects of 50 tasks
    assert any(t["parentID"] for t in tasks)
    assert any("DE:Region" in t for t in tasks)
    assert a.rows("USER")[1]["username"] == "user1@example.com"


async def test_demo_users_can_log_in(raw: httpx.AsyncClient) -> None:
    # README: demo users are user<N>@example.com with password demo-password.
    r = await raw.post(
        f"{API}/login", params={"username": "user2@example.com", "password": "demo-password"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["sessionID"]
