"""Small things Adobe's pages name that the emulator lacked: an issue's owner, an
assignment's percentage, a project's help desk queue, work items, the users'
available time and an edit with the ID as a parameter.

Sources (``AdobeDocs/workfront.en``, help/quicksilver/wf-api/): API BASICS
(``general/api-basics.md``) and AVAILABLE (``api/api-user-available-time.md``),
the lines cited on each test.
"""

from __future__ import annotations

from typing import Any

import httpx

from workfront_async.testing import Emulator

from .conftest import Api, ok


async def a_project(wf: Api) -> dict[str, Any]:
    return ok(await wf.post("/project", {"name": "gap project"}))  # type: ignore[no-any-return]


async def test_issues_have_an_owner(wf: Api, tenant: Emulator) -> None:
    # API BASICS line 356: /attask/api/<v>/issue/search?fields=owner
    issues = ok(await wf.get("/issue/search", {"fields": "owner"}))
    assert issues
    assert all(set(i["owner"]) == {"ID", "name", "objCode"} for i in issues if i["owner"])
    assert any(i["owner"] for i in issues)
    # line 357: fields=owner:title,owner:phoneNumber; lines 358: the owner's name, ID, title
    # and phone number
    rows = ok(await wf.get("/issue/search", {"fields": "owner:title,owner:phoneNumber"}))
    owned = next(r for r in rows if r["owner"])
    assert {"ID", "name", "title", "phoneNumber", "objCode"} == set(owned["owner"])
    # a new issue is owned by whoever enters it
    project = tenant.rows("PROJ")[0]["ID"]
    made = ok(
        await wf.post("/issue", {"name": "new issue", "projectID": project, "fields": "ownerID"})
    )
    assert made["ownerID"] == tenant.admin_id


async def test_nested_assignments_with_a_percentage(wf: Api, tenant: Emulator) -> None:
    # API BASICS line 524, "Making Nested Updates" (the page leaves a quote open after
    # the first ID; this is the request it means): assignments: [{assignedToID,
    # assignmentPercent: 50.0}, {roleID}], which replace the task's assignments
    task = ok(await wf.post("/task", {"name": "nested", "projectID": tenant.rows("PROJ")[0]["ID"]}))
    user, role = tenant.rows("USER")[1]["ID"], tenant.rows("ROLE")[0]["ID"]
    updates = (
        '{\n    assignments: [\n        {\n            assignedToID: "' + user + '",\n'
        '            assignmentPercent: 50.0\n        },{\n            roleID: "'
        + role
        + '"\n        }\n    ]\n}'
    )
    ok(await wf.put(f"/task/{task['ID']}", {"updates": updates}))
    got = ok(await wf.get(f"/task/{task['ID']}", {"fields": "assignments:*"}))
    shown = [(a["assignedToID"], a["roleID"], a["assignmentPercent"]) for a in got["assignments"]]
    assert shown == [(user, None, 50.0), (None, role, None)]


async def test_a_project_becomes_a_public_queue(wf: Api) -> None:
    # API BASICS line 531: PUT .../project/4c7...?updates= { queueDef: { isPublic: 1 } }
    # "makes a project a public help desk queue. Note that the existing queue properties
    # are replaced."
    project = await a_project(wf)
    ok(
        await wf.put(
            f"/project/{project['ID']}",
            {"updates": "{ queueDef: { isPublic: 1, addOpTaskStyle: 'ALL' } }"},
        )
    )
    first = ok(await wf.get(f"/project/{project['ID']}", {"fields": "queueDef:*"}))["queueDef"]
    assert (first["isPublic"], first["addOpTaskStyle"], first["projectID"]) == (
        1,
        "ALL",
        project["ID"],
    )
    ok(await wf.put(f"/project/{project['ID']}", {"updates": "{ queueDef: { isPublic: 0 } }"}))
    second = ok(await wf.get(f"/project/{project['ID']}", {"fields": "queueDef:*"}))["queueDef"]
    assert (second["isPublic"], second["addOpTaskStyle"]) == (0, None)  # replaced, not merged
    assert ok(await wf.get("/qued/count", {"projectID": project["ID"]})) == {"count": 1}


async def test_work_items_are_marked_viewed(http: httpx.AsyncClient, tenant: Emulator) -> None:
    # API BASICS line 542: PUT /attask/api/<v>/workitem/1234/markViewed
    items = [w for w in tenant.rows("WORKITEM") if not w["isMarkedAsViewed"]]
    assert items, "the demo tenant has work items"
    item = items[0]
    owner = next(u for u in tenant.rows("USER") if u["ID"] == item["userID"])
    mine = Api(http, tenant.api_key(owner["username"]))
    ok(await mine.put(f"/workitem/{item['ID']}/markViewed"))
    seen = tenant.get("WORKITEM", item["ID"])
    assert seen["isMarkedAsViewed"] is True
    assert seen["lastViewedDate"] is not None
    # someone else's work item is not theirs to mark
    other = next(w for w in items if w["userID"] not in (item["userID"], tenant.admin_id))
    refused = await mine.put(f"/workitem/{other['ID']}/markViewed")
    assert refused.status_code == 403
    # a work item names its task or issue
    shown = ok(await mine.get(f"/workitem/{item['ID']}", {"fields": "task:name,opTask:name"}))
    assert (shown["task"] or shown["opTask"])["name"] == item["referenceObjectName"]


async def test_users_available_time(wf: Api, tenant: Emulator) -> None:
    # AVAILABLE lines 3 and 9: PUT /attask/api/v15.0/user/getUsersAvailableTime; lines 13-17:
    # userIDs (an array), fromDate and toDate as the page writes them
    user = tenant.rows("USER")[1]["ID"]
    got = await wf.client.put(
        "/attask/api/v15.0/user/getUsersAvailableTime",
        params={
            "apiKey": wf.key,
            "userIDs": f'["{user}"]',
            "fromDate": "2022-07-10T00:00:00",
            "toDate": "2022-07-20T23:59:59",
        },
    )
    assert got.status_code == 200, got.text
    result = got.json()["data"]["result"]
    # lines 22-57: PAVL and AVL, one number per day for each user; a Sunday first
    assert result["PAVL"][user] == [
        0.0,
        480.0,
        480.0,
        480.0,
        480.0,
        480.0,
        0.0,
        0.0,
        480.0,
        480.0,
        480.0,
    ]
    assert result["AVL"][user] == result["PAVL"][user]  # no time off in the emulator
    missing = await wf.put("/user/getUsersAvailableTime", {"fromDate": "2022-07-10"})
    assert missing.status_code == 422
    assert "userIDs" in missing.json()["error"]["message"]


async def test_an_edit_with_the_id_as_a_parameter(wf: Api) -> None:
    # API BASICS line 514: PUT .../project?id=4c7...&name=New Project Name is the same edit
    # as PUT .../project/4c7...?name=New Project Name
    project = await a_project(wf)
    edited = ok(await wf.put("/project", {"id": project["ID"], "name": "New Project Name"}))
    assert (edited["ID"], edited["name"]) == (project["ID"], "New Project Name")
    other = await a_project(wf)
    both = ok(await wf.put("/project", {"id": f"{project['ID']},{other['ID']}", "priority": "3"}))
    assert [p["priority"] for p in both] == [3, 3]
