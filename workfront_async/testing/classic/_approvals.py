"""Approval processes on projects, tasks and issues, and the actions
``approveApproval``, ``rejectApproval`` and ``recallApproval``.

As Adobe's "Create an approval process for work items" page describes them
(help/quicksilver/administration-and-setup/customize-workfront/
configure-approval-milestone-processes/create-approval-processes.md), with
the objects and fields of real metadata (python-workfront's generated v40.py):

- an approval process (``ARVPRC``) is for one object type
  (``approvalObjCode``); an object names it in ``approvalProcessID``;
- each path (``ARVPTH``) starts when the object's status is set to its
  ``targetStatus``: the object's status becomes ``<status>:A`` ("pending
  approval", as the ``INP:A`` of Adobe's API basics page), ``previousStatus``
  keeps the status before, and ``currentApprovalStepID`` names the first stage;
- a stage (``ARVSTP``, in ``sequenceNumber`` order) lists approvers
  (``SPAPVR``: a user, a team, whose members may decide, or a job role, whose
  holders may); with ``approvalType`` ``ONE`` ("Only one decision is
  required") one approval moves on, with ``ALL`` every approver must approve;
  each approver's decision is an ``ARVSTS`` row (``P`` pending, ``A``
  approved, ``R`` rejected) in the object's ``approverStatuses``;
- after the last stage the status is the target status without ``:A``;
- a rejection at any stage ends the process: the status becomes the path's
  ``rejectedStatus``, or the previous status when it has none ("Previous
  Status"); if that status starts a path, the object is pending approval again;
  with ``shouldCreateIssue`` (projects and tasks) an issue "Approval Rejected
  (<name>)" is made in the project, assigned to the task's assignee or the
  project's owner;
- ``recallApproval`` withdraws a pending approval: the previous status again.

Only an approver of the current stage decides (else 403); an administrator may
decide on behalf of an approver with ``userID``. The pages do not say who may
recall; here anyone who may edit the object.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._server._errors import Forbidden
from ._call import ClassicCall, action_arg, new
from ._filters import bad_request
from ._store import not_found

__all__ = ["APPROVABLE", "PENDING", "decide", "recall", "status_changed"]

APPROVABLE = ("PROJ", "TASK", "OPTASK")
PENDING = ":A"
_LINK = {"PROJ": "projectID", "TASK": "taskID", "OPTASK": "opTaskID"}


def _base(status: Any) -> str | None:
    if status is None:
        return None
    text = str(status)
    return text[: -len(PENDING)] if text.endswith(PENDING) else text


def _edit(call: ClassicCall, code: str, obj_id: str, data: Mapping[str, Any]) -> None:
    call.tenant.store.edit(
        code,
        obj_id,
        data,
        now=call.tenant.now(),
        user_id=call.user_id,
        new_id=new(call),
        changes=call.changes,
    )


def _create(call: ClassicCall, code: str, data: Mapping[str, Any]) -> str:
    return call.tenant.store.create(
        code,
        data,
        now=call.tenant.now(),
        user_id=call.user_id,
        new_id=new(call),
        changes=call.changes,
    )


def _steps(call: ClassicCall, path_id: str) -> list[dict[str, Any]]:
    return call.tenant.store.query(
        'SELECT * FROM "ARVSTP" WHERE "approvalPathID" = ? ORDER BY "sequenceNumber", rowid',
        (path_id,),
    )


def _path_for(call: ClassicCall, process_id: str, status: str) -> dict[str, Any] | None:
    rows = call.tenant.store.query(
        'SELECT * FROM "ARVPTH" WHERE "approvalProcessID" = ? AND "targetStatus" = ? '
        "ORDER BY rowid LIMIT 1",
        (process_id, status),
    )
    return rows[0] if rows else None


def _activate(call: ClassicCall, code: str, obj_id: str, step: Mapping[str, Any]) -> None:
    """Make ``step`` the current stage: one pending decision per approver."""
    store = call.tenant.store
    for approver in store.fetch_by("SPAPVR", "approvalStepID", [step["ID"]]):
        _create(
            call,
            "ARVSTS",
            {
                "approvableObjCode": code,
                "approvableObjID": obj_id,
                "approvalStepID": step["ID"],
                "stepApproverID": approver["ID"],
                "status": "P",
                _LINK[code]: obj_id,
            },
        )
    _edit(call, code, obj_id, {"currentApprovalStepID": step["ID"]})


def _start(call: ClassicCall, code: str, obj_id: str, status: str, previous: str | None) -> bool:
    """Start the path of ``status``, if the object's process has one."""
    store = call.tenant.store
    row = store.get_raw(code, obj_id)
    if row is None or not row["approvalProcessID"]:
        return False
    path = _path_for(call, row["approvalProcessID"], status)
    if path is None:
        return False
    steps = _steps(call, path["ID"])
    if not steps:
        return False
    _edit(call, code, obj_id, {"status": status + PENDING, "previousStatus": previous})
    _activate(call, code, obj_id, steps[0])
    return True


def status_changed(
    call: ClassicCall, code: str, obj_id: str, old: Mapping[str, Any] | None
) -> None:
    """After a write: a status that starts a path of the object's approval process
    puts the object in approval (a status sent with ``:A`` is taken as it is)."""
    if code not in APPROVABLE:
        return
    row = call.tenant.store.get_raw(code, obj_id)
    if row is None or not row["approvalProcessID"] or not row["status"]:
        return
    status = str(row["status"])
    before = old["status"] if old is not None else None
    if status == before or status.endswith(PENDING) or row["currentApprovalStepID"]:
        return
    process = call.tenant.store.get_raw("ARVPRC", row["approvalProcessID"])
    if process is None or process["approvalObjCode"] != code:
        raise bad_request(
            f"{code}.approvalProcessID must name an approval process for {code} objects"
        )
    _start(call, code, obj_id, status, _base(before))


# -- decisions ---------------------------------------------------------------------------


def _pending(call: ClassicCall, code: str, obj_id: str) -> dict[str, Any]:
    row = call.tenant.store.get_raw(code, obj_id)
    if row is None:
        raise not_found(code, obj_id)
    if not row["currentApprovalStepID"]:
        raise bad_request(
            f"{code} {obj_id} is not pending approval: attach an approval process "
            "(approvalProcessID) and set the status that starts one of its paths"
        )
    return row


def _acting_user(call: ClassicCall) -> dict[str, Any]:
    tenant = call.tenant
    me = tenant.user_row(call.user_id)
    on_behalf = action_arg(call, "userID")
    if on_behalf and on_behalf != call.user_id:
        if not me["isAdmin"]:
            raise Forbidden("only an administrator decides on behalf of another user (userID)")
        other = tenant.store.get_raw("USER", str(on_behalf))
        if other is None:
            raise not_found("USER", str(on_behalf))
        return other
    return me


def _decisions_of(
    call: ClassicCall, code: str, obj_id: str, step_id: str, user: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The pending decisions of the current stage that ``user`` may make."""
    store = call.tenant.store
    mine = []
    for status in store.query(
        'SELECT * FROM "ARVSTS" WHERE "approvableObjID" = ? AND "approvalStepID" = ? '
        "AND \"status\" = 'P' ORDER BY rowid",
        (obj_id, step_id),
    ):
        approver = store.get_raw("SPAPVR", status["stepApproverID"])
        if approver is None:
            continue
        if (
            approver["userID"] == user["ID"]
            or (approver["teamID"] and approver["teamID"] == user["homeTeamID"])
            or (approver["roleID"] and approver["roleID"] == user["roleID"])
        ):
            mine.append(status)
    return mine


def decide(call: ClassicCall, code: str, obj_id: str, approve: bool) -> None:
    row = _pending(call, code, obj_id)
    user = _acting_user(call)
    step_id = str(row["currentApprovalStepID"])
    mine = _decisions_of(call, code, obj_id, step_id, user)
    if not mine:
        raise Forbidden(
            f"{user['name']} is not an approver of the current stage of {code} {obj_id}"
        )
    store = call.tenant.store
    for status in mine:
        store.update_raw(
            "ARVSTS",
            status["ID"],
            {"status": "A" if approve else "R", "approvedByID": user["ID"]},
        )
    step = store.get_raw("ARVSTP", step_id)
    assert step is not None
    path = store.get_raw("ARVPTH", step["approvalPathID"])
    assert path is not None
    if not approve:
        _rejected(call, code, obj_id, row, path)
        return
    left = store.query(
        'SELECT COUNT(*) AS n FROM "ARVSTS" WHERE "approvableObjID" = ? AND '
        '"approvalStepID" = ? AND "status" = \'P\'',
        (obj_id, step_id),
    )[0]["n"]
    if step["approvalType"] == "ALL" and left:
        return  # the others of the stage still decide
    _close(call, obj_id, step_id)
    later = [s for s in _steps(call, path["ID"]) if s["sequenceNumber"] > step["sequenceNumber"]]
    if later:
        _activate(call, code, obj_id, later[0])
        return
    _edit(call, code, obj_id, {"status": _base(row["status"]), "currentApprovalStepID": None})


def _close(call: ClassicCall, obj_id: str, step_id: str) -> None:
    """A stage decided: its decisions no one made are no longer asked for."""
    call.tenant.store.db.execute(
        'DELETE FROM "ARVSTS" WHERE "approvableObjID" = ? AND "approvalStepID" = ? '
        "AND \"status\" = 'P'",
        (obj_id, step_id),
    )


def _rejected(
    call: ClassicCall,
    code: str,
    obj_id: str,
    row: Mapping[str, Any],
    path: Mapping[str, Any],
) -> None:
    _close(call, obj_id, str(row["currentApprovalStepID"]))
    status = path["rejectedStatus"] or row["previousStatus"]
    _edit(call, code, obj_id, {"status": status, "currentApprovalStepID": None})
    if path["shouldCreateIssue"] and code in ("PROJ", "TASK"):
        store = call.tenant.store
        project_id = obj_id if code == "PROJ" else row["projectID"]
        project = store.get_raw("PROJ", project_id)
        owner = row["assignedToID"] if code == "TASK" else None
        _create(
            call,
            "OPTASK",
            {
                "name": f"Approval Rejected ({row['name']})",
                "projectID": project_id,
                "assignedToID": owner or (project["ownerID"] if project else None),
            },
        )
    if status:
        _start(call, code, obj_id, str(status), _base(row["previousStatus"]))


def recall(call: ClassicCall, code: str, obj_id: str) -> None:
    row = _pending(call, code, obj_id)
    _close(call, obj_id, str(row["currentApprovalStepID"]))
    _edit(
        call,
        code,
        obj_id,
        {"status": row["previousStatus"] or _base(row["status"]), "currentApprovalStepID": None},
    )
