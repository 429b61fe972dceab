"""Every operation python-workfront (PyPI ``python-workfront``) offers, against a
served embedded Workfront. Usage: python python_workfront_peer.py <base url> <api key>."""

from __future__ import annotations

import sys
from typing import Any

from _report import check, emit, run
from workfront import Session
from workfront.versions import unsupported as api

base, key = sys.argv[1:3]
template = base + "/attask/api/{api_version}"
session = Session("acme", api_key=key, url_template=template)
state: dict[str, Any] = {}


def search() -> object:
    projects = session.search(api.Project, fields=["name", "status"])
    check(projects, "no projects")
    state["project"] = projects[0]
    tasks = session.search(api.Task, project_id=projects[0].id, fields=["name"])
    check(tasks, "no tasks in the first project")
    state["task"] = tasks[0]
    return len(projects)


def get() -> object:
    loaded = session.load(api.Project, state["project"].id, fields=["status"])
    check(loaded.id == state["project"].id, "wrong project")
    many = session.load(api.Task, [state["task"].id])
    check(len(many) == 1, "load by ids")
    return loaded.name


def create() -> object:
    task = api.Task(session, name="from python-workfront", project_id=state["project"].id)
    task.save()
    check(task.id, "no ID after save")
    state["created"] = task
    return task.id


def edit() -> object:
    task = state["created"]
    task.name = "edited by python-workfront"
    task.save()
    again = session.load(api.Task, task.id)
    check(again.name == "edited by python-workfront", f"name is {again.name!r}")
    return again.name


def count() -> object:
    data = session.get("/task/count", {"projectID": state["project"].id})
    check(isinstance(data, dict) and data.get("count", 0) > 0, f"count answer {data!r}")
    return data["count"]


def report() -> object:
    data = session.get("/task/report", {"status_1_GroupBy": "true", "ID_AggFunc": "count"})
    check(isinstance(data, dict) and data, f"report answer {data!r}")
    return len(data)


def metadata() -> object:
    data = session.get("/proj/metadata")
    check("fields" in data, "no fields in metadata")
    return data.get("objCode")


def named_query() -> object:
    data = session.get("/CSTEM/projectStatuses")
    check(isinstance(data, list) and data, f"named query answer {data!r}")
    return len(data)


def action() -> object:
    project = session.load(api.Project, state["project"].id)
    return project.calculate_timeline()


def move() -> object:
    return state["created"].move(project_id=state["project"].id)


def comments() -> object:
    state["task"].add_comment("comment from python-workfront")
    notes = session.search(api.Note, obj_id=state["task"].id, fields=["note_text"])
    check(any(n.note_text == "comment from python-workfront" for n in notes), "no comment")
    return len(notes)


def delete() -> object:
    task_id = state["created"].id
    state["created"].delete()
    try:
        session.load(api.Task, task_id)
    except Exception:
        return "deleted"
    raise AssertionError("the deleted task is still there")


def login_logout() -> object:
    other = Session("acme", url_template=template)
    other.login("admin", "admin")
    check(other.session_id and other.user_id, "no session")
    check(other.search(api.Project), "no rows with the session")
    other.logout()
    return "ok"


def api_key_get() -> object:
    other = Session("acme", url_template=template)
    got = other.get_api_key("admin", "admin")
    check(isinstance(got, str) and got, "no key")
    return "got a key"


for name, fn in [
    ("search", search),
    ("get", get),
    ("create", create),
    ("edit", edit),
    ("count", count),
    ("report", report),
    ("metadata_object", metadata),
    ("named_query", named_query),
    ("execute_action", action),
    ("execute_move", move),
    ("comments", comments),
    ("delete", delete),
    ("login_logout", login_logout),
    ("api_key_get", api_key_get),
]:
    run(name, fn)
emit()
