"""More of Workfront's surface that real clients use: task hand-off dates and
template tasks, custom forms (CTGY, objectCategories), ``parameterValues:*``,
projects made from templates (``templateID``, ``attachTemplate``) and logging in
with an administrator's API key.

Raw HTTP against the embedded Workfront. Sources: Adobe's "API basics" page
(``AdobeDocs/workfront.en`` help/quicksilver/wf-api/general/api-basics.md), Adobe's
API object page "Category", the real object metadata recorded in python-workfront's
generated ``workfront/versions/v40.py`` and ``unsupported.py``, docs/api-notes.md §1 and §4.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from workfront_async.testing import Emulator

from .conftest import API, Api, ok


async def new_project(wf: Api, **fields: Any) -> dict[str, Any]:
    return ok(await wf.post("/proj", {"name": "fidelity project", **fields})) or {}


async def a_template(wf: Api) -> dict[str, Any]:
    """A demo template with its template tasks (all fields)."""
    templates = ok(await wf.get("/tmpl/search", {"fields": "templateTasks:*", "ID_Sort": "asc"}))
    template: dict[str, Any] = next(t for t in templates if len(t["templateTasks"]) >= 3)
    return template


# -- task hand-off date and template task ----------------------------------------------


async def test_task_metadata_lists_handoff_date_and_template_task(wf: Api) -> None:
    # real TASK metadata (v40.py, class Task): handoffDate, templateTaskID, templateTask
    meta = ok(await wf.get("/task/metadata"))
    assert meta["fields"]["handoffDate"]["fieldType"] == "dateTime"
    assert meta["fields"]["templateTaskID"]["fieldType"] == "string"
    ref = meta["references"]["templateTask"]
    assert (ref["typeObjCode"], ref["fieldType"]) == ("TTSK", "TemplateTask")
    assert meta["references"]["category"]["typeObjCode"] == "CTGY"
    assert meta["collections"]["objectCategories"]["typeObjCode"] == "OBJCAT"


async def test_handoff_date_is_selectable_and_searchable(wf: Api) -> None:
    rows = ok(
        await wf.get(
            "/task/search",
            {"fields": "handoffDate,status", "handoffDate_Mod": "notnull", "$$LIMIT": "50"},
        )
    )
    assert rows
    for row in rows:
        # Workfront's date form (docs/api-notes.md §1 "Dates")
        assert row["handoffDate"][10] == "T"
        assert row["handoffDate"][19] == ":"
        assert row["status"] != "NEW"
    cut = rows[0]["handoffDate"]
    later = ok(
        await wf.get(
            "/task/search",
            {"fields": "handoffDate", "handoffDate": cut, "handoffDate_Mod": "gte"},
        )
    )
    assert later
    assert all(r["handoffDate"] >= cut for r in later)


async def test_template_task_reference_renders_the_template_task(wf: Api) -> None:
    rows = ok(
        await wf.get(
            "/task/search",
            {
                "templateTaskID_Mod": "notnull",
                "fields": "templateTaskID,templateTask:templateID,templateTask:name",
                "$$LIMIT": "20",
            },
        )
    )
    assert rows
    for row in rows:
        assert row["templateTask"]["ID"] == row["templateTaskID"]
        # demo phase tasks come from the template task of the same name
        assert row["templateTask"]["name"] == row["name"]
    # and the reference can be filtered on, like any reference (docs/api-notes.md §1 "Search")
    name = rows[0]["name"]
    same = ok(await wf.get("/task/search", {"templateTask:name": name, "fields": "templateTaskID"}))
    assert same
    assert all(r["templateTaskID"] for r in same)


# -- parameterValues --------------------------------------------------------------------


@pytest.mark.parametrize("spec", ["parameterValues", "parameterValues:*"])
async def test_parameter_values_with_or_without_star(wf: Api, spec: str) -> None:
    # Adobe's "API basics", Retrieving Custom Data: fields=parameterValues answers every
    # custom value; workfront-sdk's get_param_values sends fields=parameterValues:*
    project = await new_project(wf)
    ok(await wf.put(f"/proj/{project['ID']}", {"DE:Region": "EMEA"}))
    got = ok(await wf.get(f"/proj/{project['ID']}", {"fields": f"{spec},name"}))
    assert got["parameterValues"] == {"DE:Region": "EMEA"}
    assert got["name"] == "fidelity project"
    # and anywhere in the list, and on a nested object
    tasks = ok(
        await wf.get(
            "/task/search",
            {"fields": f"{spec},project:{spec},status", "projectID_Mod": "notnull", "$$LIMIT": "3"},
        )
    )
    assert tasks
    assert all(isinstance(t["project"]["parameterValues"], dict) for t in tasks)


async def test_parameter_values_star_takes_nothing_after_it(wf: Api) -> None:
    bad = await wf.get("/proj/search", {"fields": "parameterValues:*:name"})
    assert bad.status_code == 422
    assert "must come last" in bad.json()["error"]["message"]


# -- custom forms -----------------------------------------------------------------------


async def test_category_metadata_follows_adobes_category_page(wf: Api) -> None:
    meta = ok(await wf.get("/ctgy/metadata"))
    assert (meta["objCode"], meta["name"]) == ("CTGY", "Category")
    for field in ("name", "description", "catObjCode", "groupID", "extRefID", "lastUpdateDate"):
        assert field in meta["fields"], field
    assert "entryDate" not in meta["fields"]  # Adobe's page lists none
    assert meta["references"]["group"]["typeObjCode"] == "GROUP"
    index = ok(await wf.get("/metadata"))["objects"]
    assert {"CTGY", "OBJCAT"} <= set(index)
    # the long names resolve too
    assert ok(await wf.get("/category/count"))["count"] == ok(await wf.get("/ctgy/count"))["count"]


async def test_demo_forms_are_attached_to_projects_tasks_and_issues(wf: Api) -> None:
    forms = ok(await wf.get("/ctgy/search", {"fields": "catObjCode"}))
    assert {f["catObjCode"] for f in forms} >= {"PROJ", "TASK", "OPTASK"}
    for code in ("proj", "task", "optask"):
        rows = ok(
            await wf.get(
                f"/{code}/search",
                {
                    "categoryID_Mod": "notnull",
                    "fields": "categoryID,category:catObjCode,objectCategories:*",
                    "$$LIMIT": "20",
                },
            )
        )
        assert rows, code
        for row in rows:
            links = sorted(row["objectCategories"], key=lambda link: link["categoryOrder"])
            assert links[0]["categoryID"] == row["categoryID"]
            assert row["category"]["catObjCode"] == code.upper()
            assert all(link["objObjCode"] == code.upper() for link in links)


async def test_category_create_get_edit_delete(wf: Api) -> None:
    made = ok(
        await wf.post("/ctgy", {"name": "Risk review", "catObjCode": "PROJ", "description": "risk"})
    )
    assert made["objCode"] == "CTGY"
    assert made["catObjCode"] == "PROJ"
    got = ok(await wf.get(f"/ctgy/{made['ID']}", {"fields": "*"}))
    assert got["name"] == "Risk review"
    assert got["hasCalculatedFields"] is False
    found = ok(await wf.get("/ctgy/search", {"name": "Risk review"}))
    assert [f["ID"] for f in found] == [made["ID"]]
    edited = ok(await wf.put(f"/ctgy/{made['ID']}", {"description": "risk and issues"}))
    assert edited["description"] == "risk and issues"
    assert ok(await wf.delete(f"/ctgy/{made['ID']}")) == {"success": True}
    assert (await wf.get(f"/ctgy/{made['ID']}")).status_code == 404


async def test_category_needs_name_and_object_type(wf: Api) -> None:
    # Adobe's Category page: name and catObjCode are required
    missing = await wf.post("/ctgy", {"name": "No type"})
    assert missing.status_code in (400, 422)
    assert "catObjCode" in missing.json()["error"]["message"]


async def test_setting_category_id_attaches_the_form(wf: Api) -> None:
    intake = ok(await wf.post("/ctgy", {"name": "Intake A", "catObjCode": "PROJ"}))
    budget = ok(await wf.post("/ctgy", {"name": "Budget A", "catObjCode": "PROJ"}))
    project = await new_project(wf, categoryID=intake["ID"])
    fields = "categoryID,objectCategories:categoryID,objectCategories:categoryOrder,category:name"
    got = ok(await wf.get(f"/proj/{project['ID']}", {"fields": fields}))
    assert got["category"]["name"] == "Intake A"
    assert [(o["categoryID"], o["categoryOrder"]) for o in got["objectCategories"]] == [
        (intake["ID"], 0)
    ]
    # a second form set as categoryID comes first; the other one stays attached
    ok(await wf.put(f"/proj/{project['ID']}", {"categoryID": budget["ID"]}))
    got = ok(await wf.get(f"/proj/{project['ID']}", {"fields": fields}))
    order = sorted(got["objectCategories"], key=lambda o: o["categoryOrder"])
    assert [o["categoryID"] for o in order] == [budget["ID"], intake["ID"]]
    assert got["categoryID"] == budget["ID"]
    # a reference set as {"ID": ...} is the same as its ID field
    ok(
        await wf.put(
            f"/proj/{project['ID']}",
            {"updates": orjson.dumps({"category": {"ID": intake["ID"]}}).decode()},
        )
    )
    got = ok(await wf.get(f"/proj/{project['ID']}", {"fields": fields}))
    order = sorted(got["objectCategories"], key=lambda o: o["categoryOrder"])
    assert [o["categoryID"] for o in order] == [intake["ID"], budget["ID"]]
    ok(await wf.put(f"/proj/{project['ID']}", {"categoryID": budget["ID"]}))
    # the link is searchable as an object of its own
    links = ok(await wf.get("/objcat/search", {"objID": project["ID"], "fields": "objObjCode"}))
    assert {link["objObjCode"] for link in links} == {"PROJ"}
    # clearing categoryID detaches the first form; the next one becomes the category
    ok(await wf.put(f"/proj/{project['ID']}", {"updates": '{"categoryID": null}'}))
    got = ok(await wf.get(f"/proj/{project['ID']}", {"fields": fields}))
    assert [o["categoryID"] for o in got["objectCategories"]] == [intake["ID"]]
    assert got["categoryID"] == intake["ID"]


async def test_object_categories_update_replaces_the_forms(wf: Api) -> None:
    first = ok(await wf.post("/ctgy", {"name": "Task form 1", "catObjCode": "TASK"}))
    second = ok(await wf.post("/ctgy", {"name": "Task form 2", "catObjCode": "TASK"}))
    project = await new_project(wf)
    task = ok(await wf.post("/task", {"name": "with forms", "projectID": project["ID"]}))
    updates = {
        "objectCategories": [
            {"categoryID": second["ID"], "categoryOrder": 0},
            {"categoryID": first["ID"], "categoryOrder": 1},
        ]
    }
    got = ok(
        await wf.put(
            f"/task/{task['ID']}",
            {"updates": orjson.dumps(updates).decode(), "fields": "categoryID,objectCategories:*"},
        )
    )
    assert got["categoryID"] == second["ID"]
    assert sorted((o["categoryOrder"], o["categoryID"]) for o in got["objectCategories"]) == [
        (0, second["ID"]),
        (1, first["ID"]),
    ]
    assert all(o["objObjCode"] == "TASK" for o in got["objectCategories"])
    emptied = ok(
        await wf.put(
            f"/task/{task['ID']}",
            {"updates": '{"objectCategories": []}', "fields": "categoryID,objectCategories"},
        )
    )
    assert emptied["categoryID"] is None
    assert emptied["objectCategories"] == []


async def test_a_form_attaches_only_to_its_object_type(wf: Api) -> None:
    issue_form = ok(await wf.post("/ctgy", {"name": "Issue only", "catObjCode": "OPTASK"}))
    project = await new_project(wf)
    refused = await wf.put(f"/proj/{project['ID']}", {"categoryID": issue_form["ID"]})
    assert refused.status_code in (400, 422)
    assert "OPTASK" in refused.json()["error"]["message"]
    # nothing changed
    got = ok(await wf.get(f"/proj/{project['ID']}", {"fields": "categoryID,objectCategories"}))
    assert got["categoryID"] is None
    assert got["objectCategories"] == []
    unknown = await wf.put(f"/proj/{project['ID']}", {"categoryID": "0" * 32})
    assert unknown.status_code in (400, 404, 422)


# -- projects from templates ------------------------------------------------------------


def _task_shape(task: dict[str, Any]) -> tuple[Any, ...]:
    return (task["name"], task["templateTaskID"], task["duration"], task["workRequired"])


async def test_project_created_with_template_id_gets_the_templates_tasks(wf: Api) -> None:
    template = await a_template(wf)
    ttsks = sorted(template["templateTasks"], key=lambda t: t["taskNumber"])
    project = await new_project(
        wf, templateID=template["ID"], plannedStartDate="2026-03-02T09:00:00.000Z"
    )
    fields = (
        "templateID,plannedCompletionDate,tasks:templateTaskID,tasks:duration,"
        "tasks:workRequired,tasks:taskNumber,tasks:plannedStartDate,tasks:plannedCompletionDate"
    )
    got = ok(await wf.get(f"/proj/{project['ID']}", {"fields": fields}))
    assert got["templateID"] == template["ID"]
    tasks = sorted(got["tasks"], key=lambda t: t["taskNumber"])
    assert [_task_shape(t) for t in tasks] == [
        (t["name"], t["ID"], t["duration"], t["workRequired"]) for t in ttsks
    ]
    assert [t["taskNumber"] for t in tasks] == list(range(1, len(ttsks) + 1))
    # each task starts startDay days after the project's start
    for task, ttsk in zip(tasks, ttsks, strict=True):
        day = 2 + (ttsk["startDay"] or 0)
        assert task["plannedStartDate"].startswith(f"2026-03-{day:02d}T09:00:00"), task
    # the project's planned completion covers the last task
    assert got["plannedCompletionDate"] == max(t["plannedCompletionDate"] for t in tasks)


async def test_template_id_in_updates_and_in_a_bulk_create(wf: Api) -> None:
    template = await a_template(wf)
    n = len(template["templateTasks"])
    one = ok(
        await wf.post(
            "/proj",
            {
                "updates": orjson.dumps(
                    {"name": "via updates", "templateID": template["ID"]}
                ).decode()
            },
        )
    )
    assert ok(await wf.get("/task/count", {"projectID": one["ID"]}))["count"] == n
    bulk = [{"name": f"bulk {i}", "templateID": template["ID"]} for i in range(2)]
    made = ok(await wf.post("/proj", {"updates": orjson.dumps(bulk).decode()}))
    for project in made:
        assert ok(await wf.get("/task/count", {"projectID": project["ID"]}))["count"] == n


async def test_copying_a_project_does_not_attach_its_template_again(wf: Api) -> None:
    template = await a_template(wf)
    source = await new_project(wf, templateID=template["ID"])
    copy = ok(await wf.post("/proj", {"copySourceID": source["ID"], "name": "copy"}))
    counts = [
        ok(await wf.get("/task/count", {"projectID": p}))["count"]
        for p in (source["ID"], copy["ID"])
    ]
    assert counts == [len(template["templateTasks"])] * 2


async def test_attach_template_appends_the_templates_tasks(wf: Api) -> None:
    template = await a_template(wf)
    ttsks = sorted(template["templateTasks"], key=lambda t: t["taskNumber"])
    project = await new_project(wf)
    own = ok(await wf.post("/task", {"name": "own task", "projectID": project["ID"]}))
    answer = ok(
        await wf.put(f"/proj/{project['ID']}/attachTemplate", {"templateID": template["ID"]})
    )
    assert set(answer) == {"result"}
    fields = "tasks:templateTaskID,tasks:taskNumber,tasks:wbs,templateID"
    got = ok(await wf.get(f"/proj/{project['ID']}", {"fields": fields}))
    tasks = sorted(got["tasks"], key=lambda t: t["taskNumber"])
    assert tasks[0]["ID"] == own["ID"]
    assert [t["templateTaskID"] for t in tasks[1:]] == [t["ID"] for t in ttsks]
    assert [t["wbs"] for t in tasks] == [str(i) for i in range(1, len(ttsks) + 2)]
    assert got["templateID"] == template["ID"]  # the project records its template


async def test_attach_template_under_a_parent_after_a_predecessor_leaving_some_out(
    wf: Api,
) -> None:
    # the action's arguments as real PROJ metadata lists them (v40.py attach_template)
    template = await a_template(wf)
    ttsks = sorted(template["templateTasks"], key=lambda t: t["taskNumber"])
    project = await new_project(wf)
    first = ok(await wf.post("/task", {"name": "first", "projectID": project["ID"]}))
    phase = ok(await wf.post("/task", {"name": "phase", "projectID": project["ID"]}))
    left_out = ttsks[0]["ID"]
    ok(
        await wf.put(
            f"/proj/{project['ID']}",
            [
                ("action", "attachTemplate"),
                ("templateID", template["ID"]),
                ("parentTaskID", phase["ID"]),
                ("predecessorTaskID", first["ID"]),
                ("excludeTemplateTaskIDs", left_out),
            ],
        )
    )
    fields = "templateTaskID,parentID,predecessors:predecessorID,predecessors:isEnforced"
    kids = ok(await wf.get("/task/search", {"parentID": phase["ID"], "fields": fields}))
    assert sorted(k["templateTaskID"] for k in kids) == sorted(t["ID"] for t in ttsks[1:])
    for kid in kids:
        assert [(p["predecessorID"], p["isEnforced"]) for p in kid["predecessors"]] == [
            (first["ID"], True)
        ]


async def test_attach_template_refuses_bad_arguments_and_keeps_nothing(wf: Api) -> None:
    template = await a_template(wf)
    project = await new_project(wf)
    other = await new_project(wf)
    elsewhere = ok(await wf.post("/task", {"name": "elsewhere", "projectID": other["ID"]}))
    missing = await wf.put(f"/proj/{project['ID']}/attachTemplate")
    assert missing.status_code == 422
    assert "templateID" in missing.json()["error"]["message"]
    unknown = await wf.put(f"/proj/{project['ID']}/attachTemplate", {"templateID": "0" * 32})
    assert unknown.status_code == 404
    foreign = await wf.put(
        f"/proj/{project['ID']}/attachTemplate",
        {"templateID": template["ID"], "parentTaskID": elsewhere["ID"]},
    )
    assert foreign.status_code == 422
    assert "parentTaskID" in foreign.json()["error"]["message"]
    assert ok(await wf.get("/task/count", {"projectID": project["ID"]}))["count"] == 0


async def test_project_metadata_lists_attach_template(wf: Api) -> None:
    meta = ok(await wf.get("/proj/metadata"))
    action = meta["actions"]["attachTemplate"]
    assert [a["name"] for a in action["arguments"]] == [
        "templateID",
        "predecessorTaskID",
        "parentTaskID",
        "excludeTemplateTaskIDs",
        "options",
    ]
    assert action["resultType"] == "string"


# -- login with an API key --------------------------------------------------------------


async def test_admin_api_key_logs_in_as_another_user(
    tenant: Emulator, http: httpx.AsyncClient
) -> None:
    # Adobe's "API basics", Login: "If you have a designated API user who is also an
    # administrator, Workfront strongly suggests you use an API Key to log in";
    # workfrontapi-plus's make_update_as_user sends /login?username=<user>&apiKey=<key>
    tenant.add_user("kim@example.com", "kims-password", name="Kim")
    login = ok(
        await http.post(
            f"{API}/login", params={"username": "kim@example.com", "apiKey": tenant.api_key()}
        )
    )
    me = ok(await http.get(f"{API}/user/$$USER", headers={"SessionID": login["sessionID"]}))
    assert me["ID"] == login["userID"]
    assert me["name"] == "Kim"
    # writes made with that session are the user's
    project = ok(
        await http.post(
            f"{API}/proj",
            params={"name": "as Kim", "fields": "enteredByID"},
            headers={"SessionID": login["sessionID"]},
        )
    )
    assert project["enteredByID"] == login["userID"]


async def test_a_users_own_key_logs_in_only_as_that_user(
    tenant: Emulator, http: httpx.AsyncClient
) -> None:
    tenant.add_user("lee@example.com", "lees-password", name="Lee")
    lee_key = tenant.api_key("lee@example.com")
    own = ok(
        await http.post(f"{API}/login", params={"username": "lee@example.com", "apiKey": lee_key})
    )
    assert own["sessionID"]
    other = await http.post(f"{API}/login", params={"username": "admin", "apiKey": lee_key})
    assert other.status_code == 401
    message = other.json()["error"]["message"]
    assert "administrator" in message
    assert lee_key not in message


async def test_login_with_a_bad_key_or_unknown_user_fails(
    tenant: Emulator, http: httpx.AsyncClient
) -> None:
    bad = await http.post(f"{API}/login", params={"username": "admin", "apiKey": "f" * 32})
    assert bad.status_code == 401
    assert "f" * 32 not in bad.text
    nobody = await http.post(
        f"{API}/login", params={"username": "nobody@example.com", "apiKey": tenant.api_key()}
    )
    assert nobody.status_code == 401
    # a password still decides when one is sent
    wrong = await http.post(
        f"{API}/login",
        params={"username": "admin", "password": "wrong", "apiKey": tenant.api_key()},
    )
    assert wrong.status_code == 401


async def test_deleting_an_object_removes_its_form_links(wf: Api) -> None:
    form = ok(await wf.post("/ctgy", {"name": "Doomed form", "catObjCode": "TASK"}))
    project = await new_project(wf)
    task = ok(
        await wf.post(
            "/task", {"name": "doomed", "projectID": project["ID"], "categoryID": form["ID"]}
        )
    )
    assert ok(await wf.get("/objcat/count", {"objID": task["ID"]}))["count"] == 1
    ok(await wf.delete(f"/proj/{project['ID']}", {"force": "true"}))
    assert ok(await wf.get("/objcat/count", {"objID": task["ID"]}))["count"] == 0
    # the form itself stays
    assert ok(await wf.get(f"/ctgy/{form['ID']}"))["name"] == "Doomed form"


async def test_category_actions_attach_and_detach_forms(wf: Api) -> None:
    # Adobe's API page "Category", Actions: assignCategory(objID, objCode, categoryID),
    # assignCategories(objID, objCode, categoryIDs) and the unassign pair
    meta = ok(await wf.get("/ctgy/metadata"))
    assert [a["name"] for a in meta["actions"]["assignCategories"]["arguments"]] == [
        "objID",
        "objCode",
        "categoryIDs",
    ]
    one = ok(await wf.post("/ctgy", {"name": "Issue form 1", "catObjCode": "OPTASK"}))
    two = ok(await wf.post("/ctgy", {"name": "Issue form 2", "catObjCode": "OPTASK"}))
    project = await new_project(wf)
    issue = ok(await wf.post("/optask", {"name": "with forms", "projectID": project["ID"]}))
    target = {"objID": issue["ID"], "objCode": "OPTASK"}
    fields = {"fields": "categoryID,objectCategories:categoryID,objectCategories:categoryOrder"}

    async def forms() -> tuple[str | None, list[str]]:
        got = ok(await wf.get(f"/optask/{issue['ID']}", fields))
        links = sorted(got["objectCategories"], key=lambda o: o["categoryOrder"])
        return got["categoryID"], [o["categoryID"] for o in links]

    # on a form, the form in the path stands for categoryID
    ok(await wf.put(f"/ctgy/{two['ID']}/assignCategory", target))
    assert await forms() == (two["ID"], [two["ID"]])
    # on the type, several at once; a form already attached stays where it is
    ok(
        await wf.put(
            "/ctgy",
            [
                ("action", "assignCategories"),
                *target.items(),
                ("categoryIDs", f"{one['ID']},{two['ID']}"),
            ],
        )
    )
    assert await forms() == (two["ID"], [two["ID"], one["ID"]])
    ok(await wf.put("/ctgy", {"action": "unassignCategory", **target, "categoryID": two["ID"]}))
    assert await forms() == (one["ID"], [one["ID"]])
    ok(await wf.put("/ctgy", {"action": "unassignCategories", **target, "categoryIDs": one["ID"]}))
    assert await forms() == (None, [])
    # a project form does not attach to an issue; nothing is kept
    project_form = ok(await wf.post("/ctgy", {"name": "Project form", "catObjCode": "PROJ"}))
    refused = await wf.put(
        "/ctgy", {"action": "assignCategory", **target, "categoryID": project_form["ID"]}
    )
    assert refused.status_code == 422
    assert await forms() == (None, [])
    missing = await wf.put("/ctgy", {"action": "assignCategory", "objID": issue["ID"]})
    assert missing.status_code == 422
    assert "objCode" in missing.json()["error"]["message"]


def test_unchecked_rows_of_types_without_entry_date() -> None:
    # Emulator.add(validate=False) stores rows as given, for tests that need odd data;
    # CTGY has no entryDate (Adobe's page) and PRED neither stamp
    emu = Emulator()
    form = emu.add("CTGY", {"name": "No type yet"}, validate=False)
    assert form["catObjCode"] is None
    assert form["lastUpdateDate"]
    link = emu.add("PRED", {"predecessorID": "a" * 32}, validate=False)
    assert link["successorID"] is None
