"""Every operation workfrontapi-plus (PyPI ``workfrontapi-plus``) offers, against a
served embedded Workfront. Usage: python workfrontapi_plus_peer.py <base url> <api key>."""

from __future__ import annotations

import io
import sys
from typing import Any

from _report import check, emit, run
from workfrontapi_plus import Api

base, key = sys.argv[1:3]
api = Api("acme", "sandbox", api_version="21.0", api_key=key)
api.api_base_url = base + "/attask/api/v21.0"  # the package builds *.workfront.com URLs
state: dict[str, Any] = {}


def search() -> object:
    projects = api.search("proj", {}, fields=["name"])
    check(isinstance(projects, list) and projects, f"search answer {projects!r}")
    state["project"] = projects[0]
    tasks = api.search("task", {"projectID": projects[0]["ID"]}, fields=["name"], get_all=True)
    check(isinstance(tasks, list) and tasks, "no tasks in the first project")
    state["task"] = tasks[0]
    return len(projects)


def get() -> object:
    got = api.get("proj", state["project"]["ID"], fields=["name"])
    check(isinstance(got, dict) and got.get("ID") == state["project"]["ID"], f"got {got!r}")
    listed = api.get_list("task", [state["task"]["ID"]], fields=["name"])
    # GET /task?id=<one ID>: whether Workfront answers a list or the object is not
    # documented; either carries the one object asked for
    rows = listed if isinstance(listed, list) else [listed]
    check(len(rows) == 1 and rows[0].get("ID") == state["task"]["ID"], f"get_list {listed!r}")
    return got["name"]


def count() -> object:
    n = api.count("task", {"projectID": state["project"]["ID"]})
    check(isinstance(n, int) and n > 0, f"count {n!r}")
    return n


def report() -> object:
    out = api.report("task", {}, "ID", "count", group_by_field="status")
    check(isinstance(out, dict) and out, f"report {out!r}")
    return len(out)


def create() -> object:
    made = api.post("task", {"name": "from workfrontapi-plus", "projectID": state["project"]["ID"]})
    check(isinstance(made, dict) and made.get("ID"), f"post answer {made!r}")
    state["created"] = made
    return made["ID"]


def edit() -> object:
    out = api.put("task", state["created"]["ID"], {"name": "edited by workfrontapi-plus"})
    check(isinstance(out, dict) and out.get("name") == "edited by workfrontapi-plus", f"{out!r}")
    return out["name"]


def bulk() -> object:
    out = api.bulk("task", [{"ID": state["created"]["ID"], "description": "bulk"}])
    check(isinstance(out, list) and len(out) == 1, f"bulk answer {out!r}")
    return len(out)


def bulk_create() -> object:
    rows = [{"name": f"bulk {i}", "projectID": state["project"]["ID"]} for i in range(3)]
    out = api.bulk_create("task", rows)
    check(isinstance(out, list) and len(out) == 3, f"bulk_create answer {out!r}")
    state["bulk_ids"] = [r["ID"] for r in out]
    return len(out)


def bulk_delete() -> object:
    out = api.bulk_delete("task", state["bulk_ids"])
    check(not isinstance(out, str), f"bulk_delete answer {out!r}")
    return out


def action() -> object:
    out = api.action("proj", "calculateTimeline", {}, obj_id=state["project"]["ID"])
    check(not isinstance(out, str), f"action answer {out!r}")
    return out


def share() -> object:
    me = api.search("user", {"username": "admin"}, fields=["ID"])
    check(isinstance(me, list), f"user search {me!r}")
    users = api.search("user", {}, fields=["ID"])
    out = api.share_obj("proj", state["project"]["ID"], users[-1]["ID"], "USER", "view")
    check(not isinstance(out, str), f"share answer {out!r}")
    return out


def upload() -> object:
    handle = api.make_document(
        io.BytesIO(b"uploaded by workfrontapi-plus"), "TASK", state["task"]["ID"]
    )
    check(isinstance(handle, str) and handle, f"handle {handle!r}")
    doc = api.post_document("peer.txt", handle, "TASK", state["task"]["ID"], 1)
    check(isinstance(doc, dict) and doc.get("ID"), f"document {doc!r}")
    return doc["ID"]


def comments() -> object:
    note = api.post(
        "note",
        {
            "noteText": "comment from workfrontapi-plus",
            "noteObjCode": "TASK",
            "objID": state["task"]["ID"],
        },
    )
    check(isinstance(note, dict) and note.get("ID"), f"note {note!r}")
    return note["ID"]


def delete() -> object:
    out = api.delete("task", state["created"]["ID"])
    check(not isinstance(out, str), f"delete answer {out!r}")
    return out


def login_logout() -> object:
    other = Api("acme", "sandbox", api_version="21.0")
    other.api_base_url = api.api_base_url
    data = other.login("admin", "admin")
    check(isinstance(data, dict) and other.session_id, f"login answer {data!r}")
    rows = other.search("proj", {}, fields=["name"])
    check(isinstance(rows, list) and rows, f"search with the session {rows!r}")
    other.logout()
    return "ok"


for name, fn in [
    ("search", search),
    ("get", get),
    ("count", count),
    ("report", report),
    ("create", create),
    ("edit", edit),
    ("edit_multiple", bulk),
    ("bulk_create", bulk_create),
    ("bulk_delete", bulk_delete),
    ("execute_action", action),
    ("share", share),
    ("upload", upload),
    ("comments", comments),
    ("delete", delete),
    ("login_logout", login_logout),
]:
    run(name, fn)
emit()
