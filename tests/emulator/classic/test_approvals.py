"""Approval processes on projects, tasks and issues, and the approval actions.

Sources (``AdobeDocs/workfront.en``): API BASICS
(help/quicksilver/wf-api/general/api-basics.md, line 542: ``PUT
.../project/1234/approveApproval``, ``.../recallApproval``, ``.../rejectApproval``;
line 337: a pending status is written ``INP:A``) and PROCESS
(help/quicksilver/administration-and-setup/customize-workfront/
configure-approval-milestone-processes/create-approval-processes.md), the lines
cited on each test; the objects and action arguments of real metadata
(python-workfront's generated v40.py).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from workfront_async.testing import Emulator

from .conftest import API, Api, ok


@pytest.fixture
def emu() -> Emulator:
    return Emulator.with_demo_data(seed=3, scale=0.01)


@pytest.fixture
async def http(emu: Emulator) -> Any:
    async with httpx.AsyncClient(
        transport=emu.transport(), base_url="https://acme.my.workfront.com"
    ) as client:
        yield client


def as_user(http: httpx.AsyncClient, emu: Emulator, username: str | None = None) -> Api:
    return Api(http, emu.api_key(username))


async def process(admin: Api, name: str) -> dict[str, Any]:
    found = ok(
        await admin.get(
            "/arvprc/search",
            {
                "name": name,
                "fields": "approvalPaths:*,approvalPaths:approvalSteps:*,"
                "approvalPaths:approvalSteps:stepApprovers:*",
            },
        )
    )
    assert len(found) == 1
    return found[0]  # type: ignore[no-any-return]


def demo_users(emu: Emulator) -> list[dict[str, Any]]:
    return [u for u in emu.rows("USER") if u["ID"] != emu.admin_id]


async def test_the_demo_tenant_has_approval_processes(
    emu: Emulator, http: httpx.AsyncClient
) -> None:
    admin = as_user(http, emu)
    processes = ok(await admin.get("/arvprc/search", {"fields": "approvalObjCode"}))
    assert sorted(p["approvalObjCode"] for p in processes) == ["OPTASK", "PROJ", "TASK"]
    go_live = await process(admin, "Project Go-Live Approval")
    [path] = go_live["approvalPaths"]
    # PROCESS: "Start approval process when the status is set to"; stages with approvers
    assert path["targetStatus"] == "CUR"
    assert [s["approvalType"] for s in path["approvalSteps"]] == ["ONE", "ALL"]


async def test_a_project_goes_through_both_stages(emu: Emulator, http: httpx.AsyncClient) -> None:
    admin = as_user(http, emu)
    go_live = await process(admin, "Project Go-Live Approval")
    first, second = go_live["approvalPaths"][0]["approvalSteps"]
    made = ok(await admin.post("/proj", {"name": "Launch", "approvalProcessID": go_live["ID"]}))
    assert made["status"] == "PLN"
    # setting the path's status starts the process: pending approval, written <status>:A
    started = ok(
        await admin.put(
            f"/project/{made['ID']}",
            {"status": "CUR", "fields": "previousStatus,currentApprovalStepID"},
        )
    )
    assert (started["status"], started["previousStatus"]) == ("CUR:A", "PLN")
    assert started["currentApprovalStepID"] == first["ID"]
    # someone who is not an approver of the stage cannot decide
    outsider = as_user(http, emu, demo_users(emu)[5]["username"])
    refused = await outsider.put(f"/project/{made['ID']}/approveApproval")
    assert refused.status_code == 403
    # API BASICS line 542: PUT /attask/api/<v>/project/1234/approveApproval
    ok(await admin.put(f"/project/{made['ID']}/approveApproval"))
    now = emu.get("PROJ", made["ID"])
    assert (now["status"], now["currentApprovalStepID"]) == ("CUR:A", second["ID"])
    # the second stage needs every approver (PROCESS: "When this option is not
    # selected, all of the identified approvers must approve")
    one, two = (u["userID"] for u in second["stepApprovers"])
    usernames = {u["ID"]: u["username"] for u in emu.rows("USER")}
    ok(await as_user(http, emu, usernames[one]).put(f"/project/{made['ID']}/approveApproval"))
    assert emu.get("PROJ", made["ID"])["status"] == "CUR:A"
    # an administrator decides on behalf of an approver with userID (real metadata's
    # approveApproval(userID, ...))
    ok(await admin.put(f"/project/{made['ID']}", {"action": "approveApproval", "userID": two}))
    done = emu.get("PROJ", made["ID"])
    assert (done["status"], done["currentApprovalStepID"]) == ("CUR", None)
    decisions = ok(await admin.get(f"/project/{made['ID']}", {"fields": "approverStatuses:*"}))
    assert sorted(d["status"] for d in decisions["approverStatuses"]) == ["A", "A", "A"]
    assert {d["approvedByID"] for d in decisions["approverStatuses"]} == {emu.admin_id, one, two}


async def test_a_rejection_goes_back_and_files_an_issue(
    emu: Emulator, http: httpx.AsyncClient
) -> None:
    admin = as_user(http, emu)
    go_live = await process(admin, "Project Go-Live Approval")
    made = ok(await admin.post("/proj", {"name": "Risky", "approvalProcessID": go_live["ID"]}))
    ok(await admin.put(f"/project/{made['ID']}", {"status": "ONH"}))
    ok(await admin.put(f"/project/{made['ID']}", {"status": "CUR"}))
    # API BASICS line 542: PUT .../project/1234/rejectApproval; PROCESS: "Previous Status:
    # The rejected project, task, or issue reverts to the status prior to the status that
    # activates the approval process"; "Create an Issue ... Approval Rejected (<name>)"
    ok(await admin.put(f"/project/{made['ID']}/rejectApproval"))
    back = emu.get("PROJ", made["ID"])
    assert (back["status"], back["currentApprovalStepID"]) == ("ONH", None)
    issues = [i for i in emu.rows("OPTASK") if i["projectID"] == made["ID"]]
    assert [i["name"] for i in issues] == ["Approval Rejected (Risky)"]
    assert issues[0]["assignedToID"] == back["ownerID"] or back["ownerID"] is None


async def test_recall_withdraws_a_pending_approval(emu: Emulator, http: httpx.AsyncClient) -> None:
    admin = as_user(http, emu)
    go_live = await process(admin, "Project Go-Live Approval")
    made = ok(await admin.post("/proj", {"name": "Recall", "approvalProcessID": go_live["ID"]}))
    ok(await admin.put(f"/project/{made['ID']}", {"status": "CUR"}))
    # API BASICS line 542: PUT .../project/1234/recallApproval
    ok(await admin.put(f"/project/{made['ID']}/recallApproval"))
    back = emu.get("PROJ", made["ID"])
    assert (back["status"], back["currentApprovalStepID"]) == ("PLN", None)
    assert emu.rows("ARVSTS") == []
    # nothing pending any more: the actions say so
    again = await admin.put(f"/project/{made['ID']}/approveApproval")
    assert again.status_code == 422
    assert "not pending approval" in again.json()["error"]["message"]


async def test_a_job_role_approves_a_task_and_a_team_an_issue(
    emu: Emulator, http: httpx.AsyncClient
) -> None:
    admin = as_user(http, emu)
    review = await process(admin, "Task Completion Review")
    task = emu.rows("TASK")[0]
    ok(await admin.put(f"/task/{task['ID']}", {"approvalProcessID": review["ID"]}))
    ok(await admin.put(f"/task/{task['ID']}", {"status": "CPL"}))
    assert emu.get("TASK", task["ID"])["status"] == "CPL:A"
    # PROCESS: "When you assign job roles as approvers, all users associated with that job
    # role ... can make a decision"; this one rejects, and the path's rejected status is INP
    role = next(r for r in emu.rows("ROLE") if r["name"] == "Project Manager")
    holder = next(u for u in demo_users(emu) if u["roleID"] == role["ID"])
    ok(await as_user(http, emu, holder["username"]).put(f"/task/{task['ID']}/rejectApproval"))
    assert emu.get("TASK", task["ID"])["status"] == "INP"

    triage = await process(admin, "Issue Closure Approval")
    issue = next(i for i in emu.rows("OPTASK") if i["status"] != "CLS")
    ok(
        await admin.put(
            f"/issue/{issue['ID']}", {"approvalProcessID": triage["ID"], "status": "CLS"}
        )
    )
    assert emu.get("OPTASK", issue["ID"])["status"] == "CLS:A"
    # PROCESS: "When you assign a team as an approver, any user in that team can make a
    # decision on the approval"
    team = triage["approvalPaths"][0]["approvalSteps"][0]["stepApprovers"][1]["teamID"]
    member = next(u for u in demo_users(emu) if u["homeTeamID"] == team)
    ok(await as_user(http, emu, member["username"]).put(f"/optask/{issue['ID']}/approveApproval"))
    assert emu.get("OPTASK", issue["ID"])["status"] == "CLS"


async def test_a_process_for_another_kind_of_work_is_refused(
    emu: Emulator, http: httpx.AsyncClient
) -> None:
    admin = as_user(http, emu)
    review = await process(admin, "Task Completion Review")
    made = ok(await admin.post("/proj", {"name": "Wrong kind"}))
    refused = await admin.put(
        f"/project/{made['ID']}", {"approvalProcessID": review["ID"], "status": "CUR"}
    )
    assert refused.status_code == 422
    assert emu.get("PROJ", made["ID"])["status"] == "PLN"  # nothing kept


async def test_the_metadata_lists_the_actions_arguments(
    http: httpx.AsyncClient, emu: Emulator
) -> None:
    meta = (await http.get(f"{API}/proj/metadata", params={"apiKey": emu.api_key()})).json()
    arguments = [a["name"] for a in meta["data"]["actions"]["approveApproval"]["arguments"]]
    assert arguments == [
        "userID",
        "username",
        "password",
        "auditNote",
        "auditUserIDs",
        "sendNoteAsEmail",
    ]
