"""Templates: a project made from a template, and the ``attachTemplate`` action."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ._call import ClassicCall, action_arg, new
from ._create import create_one
from ._dates import from_store
from ._filters import (
    bad_request,
)
from ._store import not_found

# -- templates -----------------------------------------------------------------


def attach_template_action(call: ClassicCall, project_id: str) -> str:
    """``PUT /proj/<ID>/attachTemplate?templateID=...`` (arguments as real PROJ metadata
    lists them: templateID, predecessorTaskID, parentTaskID, excludeTemplateTaskIDs,
    options)."""
    template_id = action_arg(call, "templateID")
    if not isinstance(template_id, str) or not template_id:
        raise bad_request("attachTemplate needs templateID=<ID of the template (TMPL)>")
    excluded = action_arg(call, "excludeTemplateTaskIDs") or []
    if isinstance(excluded, str):
        excluded = [i for i in excluded.split(",") if i]
    if not isinstance(excluded, list) or not all(isinstance(i, str) for i in excluded):
        raise bad_request("attachTemplate: excludeTemplateTaskIDs must be a list of TTSK IDs")
    parent = action_arg(call, "parentTaskID") or None
    predecessor = action_arg(call, "predecessorTaskID") or None
    for name, value in (("parentTaskID", parent), ("predecessorTaskID", predecessor)):
        if value is None:
            continue
        task = call.tenant.store.get_raw("TASK", str(value))
        if task is None:
            raise not_found("TASK", str(value))
        if task["projectID"] != project_id:
            raise bad_request(f"attachTemplate: {name} must be a task of project {project_id}")
    # options (copy options of the real action) are accepted; none changes what is copied
    attach_template(
        call,
        project_id,
        template_id,
        parent=parent,
        predecessor=predecessor,
        excluded=frozenset(excluded),
    )
    # The metadata gives the result type (string), not its value; the project's ID is
    # a plausible answer (Workfront's own is not documented).
    return project_id


def attach_template(
    call: ClassicCall,
    project_id: str,
    template_id: str,
    *,
    parent: str | None = None,
    predecessor: str | None = None,
    excluded: frozenset[str] = frozenset(),
) -> None:
    """Copy each template task (TTSK) of a template into a task of the project.

    Each task keeps the template task's name, description, duration, work, priority
    and role, points back to it (``templateTaskID``) and keeps its place in the
    outline (tasks are made parents first, in taskNumber order, after the project's
    existing tasks). It starts ``startDay`` days after the project's planned start;
    its planned completion follows from its duration. A task of the project named
    as ``parent`` receives the template's top tasks; a ``predecessor`` task becomes
    their enforced finish-start predecessor. Template tasks in ``excluded`` are left
    out with their subtasks. The project's planned completion grows to cover the
    new tasks, and a project without a template records this one.
    """
    store, now = call.tenant.store, call.tenant.now()
    if store.get_raw("TMPL", template_id) is None:
        raise not_found("TMPL", template_id)
    project = store.get_raw("PROJ", project_id)
    if project is None:
        raise not_found("PROJ", project_id)
    start = from_store(project["plannedStartDate"]) if project["plannedStartDate"] else now
    ttsks = store.query(
        'SELECT * FROM "TTSK" WHERE "templateID" = ? ORDER BY "taskNumber", rowid',
        (template_id,),
    )
    kids: dict[str | None, list[dict[str, Any]]] = {}
    known = {t["ID"] for t in ttsks}
    for ttsk in ttsks:
        above = ttsk["parentID"] if ttsk["parentID"] in known else None
        kids.setdefault(above, []).append(ttsk)
    stamp: dict[str, Any] = {
        "now": now,
        "user_id": call.user_id,
        "new_id": new(call),
        "changes": call.changes,
    }
    made: list[str] = []

    def copy(ttsk: dict[str, Any], parent_id: str | None) -> None:
        if ttsk["ID"] in excluded:
            return
        data: dict[str, Any] = {
            "name": ttsk["name"],
            "projectID": project_id,
            "parentID": parent_id,
            "templateTaskID": ttsk["ID"],
            "plannedStartDate": start + timedelta(days=ttsk["startDay"] or 0),
        }
        for field in ("description", "duration", "workRequired", "priority", "roleID"):
            if ttsk[field] is not None:
                data[field] = ttsk[field]
        task_id = create_one(call, "TASK", data)
        made.append(task_id)
        if parent_id == parent and predecessor is not None:
            store.create(
                "PRED",
                {
                    "predecessorID": predecessor,
                    "successorID": task_id,
                    "predecessorType": "fs",
                    "isEnforced": True,
                },
                **stamp,
            )
        for kid in kids.get(ttsk["ID"], []):
            copy(kid, task_id)

    for top in kids.get(None, []):
        copy(top, parent)
    changes: dict[str, Any] = {}
    if made:
        end = store.query_column(
            f'SELECT MAX("plannedCompletionDate") FROM "TASK" WHERE "ID" IN '
            f"({','.join('?' * len(made))})",
            made,
        )[0]
        if end and (project["plannedCompletionDate"] or "") < end:
            changes["plannedCompletionDate"] = from_store(end)
    if not project["templateID"]:
        changes["templateID"] = template_id
    if changes:
        store.edit("PROJ", project_id, changes, **stamp)
