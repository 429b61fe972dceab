"""Every operation workfront-sdk (PyPI ``workfront-sdk``) offers, against a served
embedded Workfront. Usage: python workfront_sdk_peer.py <base url> <api key>."""

from __future__ import annotations

import sys
from typing import Any

from _report import check, emit, run
from workfront.workfront import Workfront

base, _key = sys.argv[1:3]
wf = Workfront("admin", "admin", wf_domain="acme.example")
wf.url_base = base + "/attask/api/v21.0/"  # the package builds https://<domain> URLs
state: dict[str, Any] = {}


def data(response: Any) -> Any:
    check(response.status_code == 200, f"HTTP {response.status_code}: {response.text[:200]}")
    return response.json()["data"]


def login() -> object:
    wf.login()
    check(wf.sess_id, "no session")
    return "ok"


def search() -> object:
    projects = data(wf.search_objects("proj", {}, fields=["name"]))
    check(projects, "no projects")
    state["project"] = projects[0]
    tasks = data(wf.search_objects("task", {"projectID": projects[0]["ID"]}, fields=["name"]))
    check(tasks, "no tasks in the first project")
    state["task"] = tasks[0]
    return len(projects)


def count() -> object:
    out = data(wf.count_objects("task", {"projectID": state["project"]["ID"]}))
    check(out.get("count", 0) > 0, f"count {out!r}")
    return out["count"]


def get() -> object:
    got = data(wf.get_object("proj", state["project"]["ID"], fields=["name"]))
    check(got["ID"] == state["project"]["ID"], "wrong project")
    return got["name"]


def create() -> object:
    made = data(
        wf.post_object("task", {"name": "from workfront-sdk", "projectID": state["project"]["ID"]})
    )
    check(made.get("ID"), f"create {made!r}")
    state["created"] = made
    return made["ID"]


def edit() -> object:
    out = data(wf.put_object("task", state["created"]["ID"], {"name": "edited by workfront-sdk"}))
    check(out.get("name") == "edited by workfront-sdk", f"edit {out!r}")
    return out["name"]


def action() -> object:
    return data(wf.action("proj", state["project"]["ID"], "calculateTimeline", {}))


def delete() -> object:
    response = wf._delete("task/" + state["created"]["ID"])
    return data(response)


def api_key_get() -> object:
    got = wf.get_api_key()
    check(isinstance(got, str) and got, "no key")
    return "got a key"


def api_key_generate() -> object:
    got = wf.gen_api_key()
    check(isinstance(got, str) and got, "no key")
    return "generated a key"


def logout() -> object:
    wf.logout()
    return "ok"


for name, fn in [
    ("login_logout", login),
    ("search", search),
    ("count", count),
    ("get", get),
    ("create", create),
    ("edit", edit),
    ("execute_action", action),
    ("delete", delete),
    ("api_key_get", api_key_get),
    ("api_key_generate", api_key_generate),
    ("logout", logout),
]:
    run(name, fn)
emit()
