"""Requests the real third-party Workfront clients send, answered as Workfront does.

Each test sends, over raw HTTP, the exact request shape a peer client sends
(read from the peer's own source) and checks the emulator's answer against
the primary sources: the official client ``Workfront/workfront-api``
(``src/Api.ts``), Adobe's ``api-basics.md`` and docs/api-notes.md §4.
"""

from __future__ import annotations

import json

from workfront_async.testing import Emulator

from .conftest import Api


def _two_tasks_and_another_project(emu: Emulator) -> tuple[list[str], str]:
    tasks = [r for r in emu.rows("TASK") if not r.get("parentID")]
    source = tasks[0]["projectID"]
    moving = [t["ID"] for t in tasks if t["projectID"] == source][:2]
    target = next(p["ID"] for p in emu.rows("PROJ") if p["ID"] != source)
    assert len(moving) == 2
    return moving, target


async def test_bulk_move_without_an_id_takes_a_json_body(wapi: Api, fresh: Emulator) -> None:
    # workfront-sdk 0.25 workfront/workfront.py `bulk_action`: PUT /TASK?action=bulkMove
    # with the arguments as a JSON body (`self._put(url, js=param_dict)`), called by
    # objects/project.py `move_into` with {"projectID": ..., "taskIDs": [...]}.
    moving, target = _two_tasks_and_another_project(fresh)
    r = await wapi.put(
        "/TASK",
        {"action": "bulkMove"},
        content=json.dumps({"projectID": target, "taskIDs": moving}),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"data": {"result": None}}
    for task_id in moving:
        assert fresh.get("TASK", task_id)["projectID"] == target
        for kid in fresh.rows("TASK"):
            if kid.get("parentID") == task_id:
                assert kid["projectID"] == target  # subtasks follow, as with `move`


async def test_bulk_move_as_the_official_client_sends_it(wapi: Api, fresh: Emulator) -> None:
    # Workfront/workfront-api src/Api.ts `execute(objCode, objID, action, actionArgs)`:
    # "objID ... Optional, pass null or undefined to omit"; without it the client sends
    # POST /<objCode> with method=PUT&action=<action> and the arguments, a list as
    # repeated parameters (`queryStringify`).
    moving, target = _two_tasks_and_another_project(fresh)
    params = [("method", "PUT"), ("action", "bulkMove"), ("projectID", target)]
    params += [("taskIDs", task_id) for task_id in moving]
    r = await wapi.post("/task", params)
    assert r.status_code == 200, r.text
    assert all(fresh.get("TASK", t)["projectID"] == target for t in moving)


async def test_bulk_move_named_in_the_path(wapi: Api, fresh: Emulator) -> None:
    # docs/api-notes.md §4 "Actions without an ID": the action may be named in the path
    # instead of action= (PUT /user/generateApiKey); a JSON array parameter works too.
    moving, target = _two_tasks_and_another_project(fresh)
    r = await wapi.put("/task/bulkMove", {"projectID": target, "taskIDs": json.dumps(moving)})
    assert r.status_code == 200, r.text
    assert all(fresh.get("TASK", t)["projectID"] == target for t in moving)


async def test_bulk_move_is_all_or_nothing_and_says_what_is_wrong(
    wapi: Api, fresh: Emulator
) -> None:
    moving, target = _two_tasks_and_another_project(fresh)
    before = {t: fresh.get("TASK", t)["projectID"] for t in moving}
    r = await wapi.put(
        "/task", {"action": "bulkMove", "projectID": target, "taskIDs": f"{moving[0]},nope"}
    )
    assert r.status_code == 404, r.text
    assert "nope" in r.json()["error"]["message"]
    assert {t: fresh.get("TASK", t)["projectID"] for t in moving} == before
    r = await wapi.put("/task", {"action": "bulkMove", "taskIDs": moving[0]})
    assert r.status_code == 422  # the IllegalArgumentException status used throughout
    assert "projectID" in r.json()["error"]["message"]
    # an action that needs one object, sent without an ID, names the path to use
    r = await wapi.put("/task", {"action": "move", "projectID": target})
    assert r.status_code == 422  # the IllegalArgumentException status used throughout
    assert "PUT /task/<ID>/move" in r.json()["error"]["message"]
    # and an ID-less action sent on one object says it takes none
    r = await wapi.put(f"/task/{moving[0]}/bulkMove", {"projectID": target})
    assert r.status_code == 422  # the IllegalArgumentException status used throughout
    assert "takes no object ID" in r.json()["error"]["message"]


async def test_task_metadata_lists_bulk_move(api: Api) -> None:
    # GET /task/metadata lists every action with its arguments (docs/api-notes.md §4 "Metadata")
    meta = await api.data("/task/metadata")
    assert "bulkMove" in meta["actions"]


async def test_assign_and_unassign_a_user(wapi: Api, fresh: Emulator) -> None:
    # workfront-sdk 0.25 workfront/objects/task.py `assign_to_user`: PUT /TASK/<ID>?
    # action=assign&objID=<user>&objCode=USER; `unassign_from_user`: action=unassign&
    # userID=<user>. Real TASK metadata lists both with these arguments
    # (python-workfront's generated workfront/versions/v40.py, Task.assign/unassign).
    task = next(t for t in fresh.rows("TASK") if not t.get("assignedToID"))
    user = fresh.rows("USER")[-1]["ID"]
    r = await wapi.put(
        f"/TASK/{task['ID']}", {"action": "assign", "objID": user, "objCode": "USER"}
    )
    assert r.status_code == 200, r.text
    assignments = await wapi.data(f"/task/{task['ID']}", {"fields": "assignments:assignedToID"})
    assert [a["assignedToID"] for a in assignments["assignments"]] == [user]
    assert fresh.get("TASK", task["ID"])["assignedToID"] == user
    r = await wapi.put(f"/TASK/{task['ID']}", {"action": "unassign", "userID": user})
    assert r.status_code == 200, r.text
    assignments = await wapi.data(f"/task/{task['ID']}", {"fields": "assignments"})
    assert assignments["assignments"] == []
    assert fresh.get("TASK", task["ID"])["assignedToID"] is None
    # unassigning someone who is not assigned, or assigning to an unknown kind, says why
    r = await wapi.put(f"/TASK/{task['ID']}", {"action": "unassign", "userID": user})
    assert r.status_code == 422
    assert "not assigned" in r.json()["error"]["message"]
    r = await wapi.put(f"/TASK/{task['ID']}/assign", {"objID": user, "objCode": "PROJ"})
    assert r.status_code == 422
    assert "objCode=USER or ROLE" in r.json()["error"]["message"]


async def test_task_dependencies_read_and_replaced_through_the_task(
    wapi: Api, fresh: Emulator
) -> None:
    # workfront-sdk 0.25 workfront/objects/task.py `add_predecessor`: reads
    # fields=predecessors:* then PUT /TASK/<ID>?updates={"predecessors": [<the rows read,
    # with their ID and objCode>, {"predecessorID", "predecessorType", "isEnforced"}]};
    # `get_predecessors` reads predecessors:predecessor:ID. TASK's predecessors and
    # successors collections and PRED's fields are Workfront's own (v4.0 metadata,
    # recorded in python-workfront's workfront/versions/v40.py).
    tasks = fresh.rows("TASK")
    parents = {t.get("parentID") for t in tasks}
    project = tasks[0]["projectID"]
    leaves = [t["ID"] for t in tasks if t["projectID"] == project and t["ID"] not in parents]
    first, second, later = leaves[:3]
    for before in (first, second):
        current = await wapi.data(f"/TASK/{later}", {"fields": "predecessors:*"})
        rows = [*current["predecessors"], {"predecessorID": before, "isEnforced": True}]
        r = await wapi.put(f"/TASK/{later}", {"updates": json.dumps({"predecessors": rows})})
        assert r.status_code == 200, r.text
    read = await wapi.data(f"/TASK/{later}", {"fields": "predecessors:predecessor:ID"})
    assert [p["predecessor"]["ID"] for p in read["predecessors"]] == [first, second]
    after = await wapi.data(f"/TASK/{first}", {"fields": "successors:*"})
    assert [(s["successorID"], s["predecessorType"]) for s in after["successors"]] == [
        (later, "fs")
    ]
    # deleting a task takes its dependencies with it
    r = await wapi.delete(f"/TASK/{first}", {"force": "true"})
    assert r.status_code == 200, r.text
    read = await wapi.data(f"/TASK/{later}", {"fields": "predecessors:predecessorID"})
    assert [p["predecessorID"] for p in read["predecessors"]] == [second]
