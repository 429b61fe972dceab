"""Actions: ``PUT /<obj>/<ID>/<action>`` and ``PUT /<obj>?action=<name>``
(the actions each type's metadata lists)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from .._server._errors import Forbidden
from ._approvals import APPROVABLE, decide, recall
from ._call import ClassicCall, action_arg, new
from ._filters import (
    bad_request,
)
from ._forms import FORM_ACTIONS, form_action
from ._schema import OBJ_TYPES
from ._store import not_found
from ._templates import attach_template_action

# -- actions -------------------------------------------------------------------


def action(call: ClassicCall, code: str, obj_id: str, action: str) -> Any:
    declared = OBJ_TYPES[code].actions
    if action not in declared:
        # the schema table is the list of actions (GET /<obj>/metadata shows them)
        known = ", ".join(sorted(declared)) or "none"
        raise bad_request(f"unknown action {action!r} on {code}; {code} has: {known}")
    tenant = call.tenant
    store = tenant.store
    row = store.get_raw(code, obj_id)
    if row is None:
        raise not_found(code, obj_id)
    now = tenant.now()

    def edit(data: Mapping[str, Any], target: str = code, target_id: str = obj_id) -> None:
        store.edit(
            target,
            target_id,
            data,
            now=now,
            user_id=call.user_id,
            new_id=new(call),
            changes=call.changes,
        )

    name = action
    if code == "CTGY" and name in FORM_ACTIONS:
        call.savepoint(lambda: form_action(call, name, obj_id))
        return {"result": None}
    if name in ACTIONS_WITHOUT_ID.get(code, ()):
        raise bad_request(
            f"action {action!r} on {code} takes no object ID: PUT /{code.lower()}?action={action}"
        )
    if name == "move" and code in ("TASK", "OPTASK"):
        project = call.p("projectID")
        if not project:
            raise bad_request("move needs projectID=<ID of the target project>")
        call.savepoint(lambda: move(call, code, obj_id, project, None))
        return {"result": None}
    if name in ("assign", "unassign") and code in ("TASK", "OPTASK"):
        call.savepoint(lambda: assign(call, code, obj_id, row, name))
        return {"result": None}
    if name == "share":
        accessor, accessor_code = call.p("accessorID"), call.p("accessorObjCode")
        if not accessor or accessor_code not in ("USER", "TEAMOB", "GROUP", "ROLE", "COMPY"):
            raise bad_request("share needs accessorID and accessorObjCode=USER|TEAMOB|GROUP|ROLE")
        rule = {
            "accessorID": accessor,
            "accessorObjCode": accessor_code,
            "coreAction": call.p("coreAction") or "VIEW",
            "securityObjCode": code,
            "securityObjID": obj_id,
        }
        rule_id = call.savepoint(
            lambda: store.create(
                "ACSRUL",
                rule,
                now=now,
                user_id=call.user_id,
                new_id=new(call),
                changes=call.changes,
            )
        )
        return {
            "result": call.tenant.store.render(
                "ACSRUL", store.fetch_by("ACSRUL", "ID", [rule_id]), {"*": {}}
            )[0]
        }
    if name == "attachTemplate" and code == "PROJ":
        return {"result": call.savepoint(lambda: attach_template_action(call, obj_id))}
    if name == "calculateTimeline" and code == "PROJ":
        span = store.query(
            'SELECT MIN("plannedStartDate") AS s, MAX("plannedCompletionDate") AS e '
            'FROM "TASK" WHERE "projectID" = ?',
            (obj_id,),
        )[0]
        if span["s"] is not None:
            call.savepoint(
                lambda: edit(
                    {"plannedStartDate": span["s"] + "Z", "plannedCompletionDate": span["e"] + "Z"}
                )
            )
        return {"result": None}
    if name == "calculateFinance" and code == "PROJ":
        total = store.query(
            'SELECT COALESCE(SUM("hours"), 0) AS h FROM "HOUR" WHERE "projectID" = ?', (obj_id,)
        )[0]["h"]
        call.savepoint(lambda: edit({"actualCost": float(total) * 100.0}))
        return {"result": None}
    if name == "calculateDataExtension":
        return {"result": None}
    if name in ("approveApproval", "rejectApproval") and code in APPROVABLE:
        call.savepoint(lambda: decide(call, code, obj_id, approve=name == "approveApproval"))
        return {"result": None}
    if name == "recallApproval" and code in APPROVABLE:
        call.savepoint(lambda: recall(call, code, obj_id))
        return {"result": None}
    if name == "markViewed" and code == "WORKITEM":
        # API basics, "Moving Objects": PUT /workitem/<ID>/markViewed
        if row["userID"] and row["userID"] != call.user_id:
            user = tenant.user_row(call.user_id)
            if not user["isAdmin"]:
                raise Forbidden("a work item is marked viewed by its user")
        call.savepoint(lambda: edit({"isMarkedAsViewed": True, "lastViewedDate": now}))
        return {"result": None}
    raise bad_request(
        f"action {action!r} on {code} takes no object ID: PUT /{code.lower()}/{action} "
        f"or PUT /{code.lower()}?action={action}"
    )


# Actions on an object type rather than one object: ``PUT /<obj>?action=<name>``.
# The official client sends them (``execute(objCode, null, action, args)`` in
# Workfront/workfront-api src/Api.ts: "objID ... Optional, pass null or undefined
# to omit", then ``params.action = action`` on ``PUT /<objCode>``); workfront-sdk's
# ``bulk_action`` sends ``PUT /TASK?action=bulkMove`` with the arguments as a JSON body.
ACTIONS_WITHOUT_ID: dict[str, tuple[str, ...]] = {
    "TASK": ("bulkMove",),
    "USER": ("getUsersAvailableTime",),
}


def move(call: ClassicCall, code: str, obj_id: str, project: str, parent: str | None) -> None:
    """Move one task (its subtasks follow) or issue to another project."""
    store, now = call.tenant.store, call.tenant.now()

    def edit(data: Mapping[str, Any], target_id: str) -> None:
        store.edit(
            code,
            target_id,
            data,
            now=now,
            user_id=call.user_id,
            new_id=new(call),
            changes=call.changes,
        )

    edit({"projectID": project, **({"parentID": parent} if code == "TASK" else {})}, obj_id)
    if code == "TASK":
        stack = [obj_id]
        while stack:
            above = stack.pop()
            for kid in store.fetch_by("TASK", "parentID", [above]):
                edit({"projectID": project}, kid["ID"])
                stack.append(kid["ID"])


def assign(call: ClassicCall, code: str, obj_id: str, row: Mapping[str, Any], name: str) -> None:
    """assign(objID, objCode) adds an assignment; unassign(userID) removes a user's."""
    store, now = call.tenant.store, call.tenant.now()
    owner = "taskID" if code == "TASK" else "opTaskID"
    stamp: dict[str, Any] = {
        "now": now,
        "user_id": call.user_id,
        "new_id": new(call),
        "changes": call.changes,
    }
    if name == "assign":
        target, target_code = call.p("objID"), (call.p("objCode") or "").upper()
        column = {"USER": "assignedToID", "ROLE": "roleID"}.get(target_code)
        if not target or column is None:
            raise bad_request("assign needs objID=<ID> and objCode=USER or ROLE")
        if store.get_raw(target_code, target) is None:
            raise not_found(target_code, target)
        data = {owner: obj_id, "projectID": row["projectID"], column: target}
        store.create("ASSGN", data, **stamp)
        if column == "assignedToID" and not row["assignedToID"]:
            store.edit(code, obj_id, {"assignedToID": target}, **stamp)
        return
    user = call.p("userID")
    if not user:
        raise bad_request("unassign needs userID=<ID of the assigned user>")
    held = [a for a in store.fetch_by("ASSGN", owner, [obj_id]) if a["assignedToID"] == user]
    if not held and row["assignedToID"] != user:
        raise bad_request(f"user {user} is not assigned to {code} {obj_id}")
    for assignment in held:
        store.delete("ASSGN", assignment["ID"], force=True, **stamp)
    if row["assignedToID"] == user:
        left = [a["assignedToID"] for a in store.fetch_by("ASSGN", owner, [obj_id])]
        store.edit(code, obj_id, {"assignedToID": next((u for u in left if u), None)}, **stamp)


def type_action(call: ClassicCall, code: str, action: str) -> Any:
    if code == "CTGY" and action in FORM_ACTIONS:
        call.savepoint(lambda: form_action(call, action, None))
        return {"result": None}
    known = ACTIONS_WITHOUT_ID.get(code, ())
    if code == "USER" and action == "getUsersAvailableTime":
        return users_available_time(call)
    if action not in known:
        if action in OBJ_TYPES[code].actions:
            raise bad_request(
                f"action {action!r} needs an object ID: PUT /{code.lower()}/<ID>/{action}"
            )
        listed = ", ".join(known) or "none"
        raise bad_request(
            f"unknown action {action!r} on {code}; actions without an object ID: {listed}"
        )
    # bulkMove(taskIDs, projectID[, parentID]): move every task into the project
    raw_ids = action_arg(call, "taskIDs")
    ids = raw_ids.split(",") if isinstance(raw_ids, str) else raw_ids
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise bad_request("bulkMove needs taskIDs: a list of task IDs")
    project = action_arg(call, "projectID")
    if not isinstance(project, str) or not project:
        raise bad_request("bulkMove needs projectID=<ID of the target project>")
    parent = action_arg(call, "parentID") or None
    store = call.tenant.store
    if store.get_raw("PROJ", project) is None:
        raise not_found("PROJ", project)
    if parent is not None:
        above = store.get_raw("TASK", parent)
        if above is None:
            raise not_found("TASK", parent)
        if above["projectID"] != project:
            raise bad_request("bulkMove: parentID must be a task of the target project")
    for task_id in ids:
        if store.get_raw("TASK", task_id) is None:
            raise not_found("TASK", task_id)

    def move_all() -> None:
        for task_id in ids:
            move(call, "TASK", task_id, project, parent)

    call.savepoint(move_all)
    return {"result": None}


# A working day of the emulator's users: Monday to Friday, 8 hours (480 minutes).
_DAY_MINUTES = 480.0
_MAX_DAYS = 366


def users_available_time(call: ClassicCall) -> Any:
    """``PUT /user/getUsersAvailableTime`` (Adobe's "Users available time API" page,
    help/quicksilver/wf-api/api/api-user-available-time.md): for each user of
    ``userIDs``, one number of minutes per day from ``fromDate`` to ``toDate``:
    ``PAVL`` (available for scheduling, without non-working days or time off) and
    ``AVL`` (actually available). The emulator's users all work Monday to Friday,
    480 minutes a day, and take no time off, so the two lists are the same."""
    raw_ids = action_arg(call, "userIDs")
    ids = raw_ids.split(",") if isinstance(raw_ids, str) else raw_ids
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise bad_request("getUsersAvailableTime needs userIDs: a list of user IDs")
    days = []
    for name in ("fromDate", "toDate"):
        value = action_arg(call, name)
        if not isinstance(value, str) or not value:
            raise bad_request(f"getUsersAvailableTime needs {name}, e.g. 2022-07-10T00:00:00")
        try:
            days.append(date.fromisoformat(value[:10]))
        except ValueError:
            raise bad_request(f"{name}: {value!r} is not a date (2022-07-10T00:00:00)") from None
    start, end = days
    count = (end - start).days + 1
    if count < 1 or count > _MAX_DAYS:
        raise bad_request(f"toDate must be from fromDate to {_MAX_DAYS} days after it")
    store = call.tenant.store
    for user_id in ids:
        if store.get_raw("USER", user_id) is None:
            raise not_found("USER", user_id)
    minutes = [
        _DAY_MINUTES if (start + timedelta(days=n)).weekday() < 5 else 0.0 for n in range(count)
    ]
    return {
        "result": {
            "PAVL": {user_id: list(minutes) for user_id in ids},
            "AVL": {user_id: list(minutes) for user_id in ids},
        }
    }
