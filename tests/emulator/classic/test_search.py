"""Search, count, report, get and named queries on the embedded Workfront (docs/api-notes.md §1).

Expected rows come from a plain-Python evaluation (``tests/reference.py``) over
the emulator's own rows, so nothing here is a hard-coded answer.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.reference import eval_classic
from workfront_async.testing import Emulator

from .conftest import Api

TASK_FIELDS = (
    "*,DE:Region,DE:Effort Class,assignedTo:name,parent:name,portfolio:name,"
    "project:name,project:owner:name"
)
NOW = datetime(2024, 6, 15, 12, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo() -> Emulator:
    return Emulator.with_demo_data(seed=7, scale=0.02, max_uri_bytes=None, now=NOW)


@pytest.fixture(scope="module")
def tasks(demo: Emulator) -> list[dict[str, Any]]:
    return demo.rows_nested("TASK", TASK_FIELDS, native=True)


def expected_ids(
    params: list[tuple[str, str]], records: list[dict[str, Any]], **kw: Any
) -> list[str]:
    return [r["ID"] for r in records if eval_classic(params, r, **kw)]


async def search_ids(api: Api, obj: str, params: list[tuple[str, str]]) -> list[str]:
    data = await api.data(f"/{obj}/search", [*params, ("$$LIMIT", "2000")])
    return [row["ID"] for row in data]


def first_user(demo: Emulator, name_part: str) -> dict[str, Any]:
    return next(u for u in demo.rows("USER") if name_part in (u["name"] or ""))


# docs/api-notes.md §1 Search: every modifier, with _Mod (default eq) and _Range.
CASES: list[list[tuple[str, str]]] = [
    [("status", "INP")],
    [("status", "CPL"), ("status_Mod", "ne")],
    [("status", "CPL"), ("status_Mod", "nee")],
    [("status", "INP"), ("status", "NEW"), ("status_Mod", "in")],
    [("status", "INP"), ("status", "NEW"), ("status_Mod", "notin")],
    [("status", "inp"), ("status", "new"), ("status_Mod", "ciin")],
    [("status", "inp"), ("status_Mod", "cinotin")],
    [("name", "final task"), ("name_Mod", "cieq")],
    [("name", "final task"), ("name_Mod", "cine")],
    [("name", "Plan"), ("name_Mod", "contains")],
    [("name", "plan"), ("name_Mod", "contains")],
    [("name", "plan"), ("name_Mod", "cicontains")],
    [("name", "Plan"), ("name_Mod", "notcontains")],
    [("name", "plan"), ("name_Mod", "cinotcontains")],
    [("name", "draft"), ("name", "test"), ("name_Mod", "cicontainsany")],
    [("name", "draft"), ("name", "report"), ("name_Mod", "cicontainsall")],
    [("name", "Draft%"), ("name_Mod", "like")],
    [("name", "draft%"), ("name_Mod", "like")],
    [("name", "draft%"), ("name_Mod", "cilike")],
    [("name", "Test"), ("name_Mod", "startswith")],
    [("name", "test"), ("name_Mod", "cistartswith")],
    [("name", "(Planning)"), ("name_Mod", "endswith")],
    [("name", "(planning)"), ("name_Mod", "ciendswith")],
    [("priority", "2"), ("priority_Mod", "lt")],
    [("priority", "2"), ("priority_Mod", "lte")],
    [("priority", "2"), ("priority_Mod", "gt")],
    [("priority", "2"), ("priority_Mod", "gte")],
    [("priority", "1"), ("priority_Range", "3"), ("priority_Mod", "between")],
    [("priority", "1"), ("priority_Range", "3"), ("priority_Mod", "notbetween")],
    [("percentComplete", "50.5"), ("percentComplete_Mod", "gte")],
    [("description", ""), ("description_Mod", "isnull")],
    [("description", ""), ("description_Mod", "notnull")],
    [("description", ""), ("description_Mod", "isblank")],
    [("description", ""), ("description_Mod", "notblank")],
    [
        ("plannedCompletionDate", "2023-06-01T00:00:00.000Z"),
        ("plannedCompletionDate_Range", "2023-09-01T00:00:00.000Z"),
        ("plannedCompletionDate_Mod", "between"),
    ],
    [("entryDate", "2024-01-01T00:00:00Z"), ("entryDate_Mod", "gte")],
    # nested references, up to several levels
    [("assignedTo:name", "steve"), ("assignedTo:name_Mod", "cicontains")],
    [("assignedTo:name", "steve"), ("assignedTo:name_Mod", "cinotcontains")],
    [("project:owner:name", "Steve"), ("project:owner:name_Mod", "contains")],
    [("parent:name", "Final Task")],
    [("portfolio:name", "FixedAssets"), ("portfolio:name_Mod", "ne")],
    # custom fields
    [("DE:Region", "EMEA")],
    [("DE:Region", "EMEA"), ("DE:Region_Mod", "ne")],
    [("DE:Region", "EMEA"), ("DE:Region_Mod", "nee")],
    [("DE:Effort Class", "S"), ("DE:Effort Class", "XL"), ("DE:Effort Class_Mod", "in")],
    [("DE:Region", ""), ("DE:Region_Mod", "isnull")],
    # OR levels
    [("status", "CPL"), ("OR:1:priority", "4"), ("OR:1:status", "NEW")],
    [("OR:1:name", "Build"), ("OR:2:name", "Test"), ("OR:2:priority", "0")],
    # filters= JSON (docs/api-notes.md §1: names consumed by authentication go there)
    [("filters", json.dumps({"status": "INP", "name": "Final Task"}))],
]


@pytest.mark.parametrize("params", CASES, ids=lambda p: "&".join(f"{k}={v}" for k, v in p))
async def test_search_matches_plain_python(
    api: Api, tasks: list[dict[str, Any]], params: list[tuple[str, str]]
) -> None:
    want = expected_ids(params, tasks)
    got = await search_ids(api, "task", params)
    assert got == want
    # the count endpoint agrees (docs/api-notes.md §1 Count)
    count = await api.data("/task/count", params)
    assert count == {"count": len(want)}


async def test_cases_are_not_trivial(tasks: list[dict[str, Any]]) -> None:
    # Each modifier case must select something and not everything for most cases, or
    # the comparisons above would prove little.
    sizes = [len(expected_ids(p, tasks)) for p in CASES]
    assert sum(1 for s in sizes if 0 < s < len(tasks)) >= len(CASES) - 8


async def test_documented_or_example(api: Api, tasks: list[dict[str, Any]]) -> None:
    # docs/api-notes.md §1 OR: the documented example, verbatim.
    query = (
        "name=Planning&name_Mod=contains&OR:1:portfolio:name=FixedAssets"
        "&OR:1:portfolio:name_Mod=eq&OR:1:assignedTo:name=Steve"
        "&OR:1:assignedTo:name_Mod=cicontains&OR:2:parent:name=Final Task"
        "&OR:2:parent:name_Mod=eq"
    )
    params = [tuple(p.split("=", 1)) for p in query.split("&")]
    want = expected_ids(params, tasks)  # type: ignore[arg-type]
    # every branch of the disjunction contributes rows in the demo data
    assert any("Planning" in r["name"] for r in tasks if r["ID"] in want)
    assert any(
        (r.get("parent") or {}).get("name") == "Final Task" for r in tasks if r["ID"] in want
    )
    assert any(
        "steve" in ((r.get("assignedTo") or {}).get("name") or "").lower()
        and (r.get("portfolio") or {}).get("name") == "FixedAssets"
        for r in tasks
    )
    assert await search_ids(api, "task", params) == want  # type: ignore[arg-type]


async def test_comma_joined_in_values_match_nothing(api: Api) -> None:
    # docs/api-notes.md §1: comma-joined values silently match nothing on string fields.
    assert await search_ids(api, "task", [("status", "INP,NEW"), ("status_Mod", "in")]) == []


async def test_ne_matches_null_but_nee_does_not(api: Api, tasks: list[dict[str, Any]]) -> None:
    # docs/api-notes.md §1: `ne` also matches NULL; `nee` does not.
    someone = next(r["assignedToID"] for r in tasks if r["assignedToID"])
    ne = await search_ids(api, "task", [("assignedToID", someone), ("assignedToID_Mod", "ne")])
    nee = await search_ids(api, "task", [("assignedToID", someone), ("assignedToID_Mod", "nee")])
    nulls = [r["ID"] for r in tasks if r["assignedToID"] is None]
    assert nulls
    assert set(nulls) <= set(ne)
    assert not set(nulls) & set(nee)
    assert set(ne) - set(nee) == set(nulls)


async def test_exists_and_notexists(api: Api, demo: Emulator, tasks: list[dict[str, Any]]) -> None:
    # docs/api-notes.md §1 EXISTS: filter by related objects of another type.
    assignments = demo.rows("ASSGN")
    user = next(a["assignedToID"] for a in assignments if a["taskID"])
    params = [
        ("EXISTS:1:$$OBJCODE", "ASSGN"),
        ("EXISTS:1:taskID", "FIELD:ID"),
        ("EXISTS:1:assignedToID", user),
    ]
    want = expected_ids(params, tasks, related={"ASSGN": assignments})
    assert want
    assert await search_ids(api, "task", params) == want
    negated = [*params, ("EXISTS:1:$$EXISTSMOD", "NOTEXISTS")]
    want_not = expected_ids(negated, tasks, related={"ASSGN": assignments})
    assert await search_ids(api, "task", negated) == want_not
    assert set(want) | set(want_not) == {r["ID"] for r in tasks}


async def test_user_wildcard(demo: Emulator, tasks: list[dict[str, Any]]) -> None:
    # docs/api-notes.md §1 wildcards: $$USER.ID is the calling user.
    import httpx

    user = first_user(demo, "Steve")
    key = demo.api_key(user["username"])
    async with httpx.AsyncClient(transport=demo.transport(), base_url="https://x") as client:
        api = Api(client, key)
        params = [("assignedToID", "$$USER.ID")]
        want = expected_ids(params, tasks, wildcards={"$$USER.ID": user["ID"]})
        assert want
        assert await search_ids(api, "task", params) == want
        exists = [
            ("EXISTS:1:$$OBJCODE", "ASSGN"),
            ("EXISTS:1:taskID", "FIELD:ID"),
            ("EXISTS:1:assignedToID", "$$USER.ID"),
        ]
        assignments = demo.rows("ASSGN")
        want = expected_ids(
            exists, tasks, related={"ASSGN": assignments}, wildcards={"$$USER.ID": user["ID"]}
        )
        assert await search_ids(api, "task", exists) == want
        mine = await api.data("/user/search", [("homeTeamID", "$$USER.homeTeamID")])
        team = {u["ID"] for u in demo.rows("USER") if u["homeTeamID"] == user["homeTeamID"]}
        assert {u["ID"] for u in mine} == team


def _between(tasks: list[dict[str, Any]], low: datetime, high: datetime) -> list[str]:
    return [r["ID"] for r in tasks if low <= r["plannedCompletionDate"] <= high]


async def test_today_wildcards(api: Api, tasks: list[dict[str, Any]]) -> None:
    # docs/api-notes.md §1 wildcards: $$TODAY with offsets and b/e; the emulator's clock is fixed.
    today = NOW.replace(hour=0, minute=0, second=0, microsecond=0)
    demo_tasks = [dict(r, plannedCompletionDate=r["plannedCompletionDate"]) for r in tasks]
    got = await search_ids(
        api,
        "task",
        [
            ("plannedCompletionDate", "$$TODAY-400d"),
            ("plannedCompletionDate_Range", "$$TODAY"),
            ("plannedCompletionDate_Mod", "between"),
        ],
    )
    want = _between(demo_tasks, today - timedelta(days=400), today)
    assert want
    assert got == want
    month_start = today.replace(day=1)
    got = await search_ids(
        api,
        "task",
        [("plannedCompletionDate", "$$TODAYbm-13m"), ("plannedCompletionDate_Mod", "lt")],
    )
    cutoff = month_start.replace(year=2023, month=5)
    assert got == [r["ID"] for r in demo_tasks if r["plannedCompletionDate"] < cutoff]
    # $$TODAYe+1w: the end of next week (weeks start on Sunday)
    end_next_week = datetime(2024, 6, 22, 23, 59, 59, 999000, tzinfo=UTC)
    got = await search_ids(
        api, "task", [("plannedCompletionDate", "$$TODAYe+1w"), ("plannedCompletionDate_Mod", "gt")]
    )
    assert got == [r["ID"] for r in demo_tasks if r["plannedCompletionDate"] > end_next_week]
    now_hits = await api.data("/task/count", [("entryDate", "$$NOW"), ("entryDate_Mod", "lte")])
    assert now_hits["count"] == sum(1 for r in demo_tasks if r["entryDate"] <= NOW)


async def test_collection_filters_match_any_member(
    api: Api, demo: Emulator, tasks: list[dict[str, Any]]
) -> None:
    user = next(a["assignedToID"] for a in demo.rows("ASSGN") if a["taskID"])
    got = await search_ids(api, "task", [("assignments:assignedToID", user)])
    want = sorted(
        {a["taskID"] for a in demo.rows("ASSGN") if a["assignedToID"] == user and a["taskID"]},
        key=[r["ID"] for r in tasks].index,
    )
    assert got == want


async def test_multi_select_custom_field(api: Api, demo: Emulator) -> None:
    projects = demo.rows("PROJ")
    got = await search_ids(api, "proj", [("DE:Tags", "urgent"), ("DE:Tags_Mod", "in")])
    assert got == [p["ID"] for p in projects if "urgent" in (p.get("DE:Tags") or [])]
    got = await search_ids(
        api, "proj", [("DE:Tags", "urgent"), ("DE:Tags", "q1"), ("DE:Tags_Mod", "allof")]
    )
    assert got == [p["ID"] for p in projects if {"urgent", "q1"} <= set(p.get("DE:Tags") or [])]


# -- sorting and paging -----------------------------------------------------------


async def test_multi_key_sort(api: Api, tasks: list[dict[str, Any]]) -> None:
    # docs/api-notes.md §1 Sort: field_1_Sort, field_2_Sort for several keys.
    data = await api.data(
        "/task/search",
        [("priority_1_Sort", "desc"), ("name_2_Sort", "asc"), ("$$LIMIT", "2000")],
    )
    want = sorted(tasks, key=lambda r: (-r["priority"], r["name"]))
    assert [r["ID"] for r in data] == [r["ID"] for r in want]


async def test_sort_on_nested_field(api: Api, tasks: list[dict[str, Any]]) -> None:
    data = await api.data("/task/search", [("project:name_Sort", "desc"), ("$$LIMIT", "2000")])
    # ties keep the stored order, as Python's stable sort does
    want = sorted(tasks, key=lambda r: r["project"]["name"], reverse=True)
    assert [r["ID"] for r in data] == [r["ID"] for r in want]


async def test_paging_default_limit_and_pages(api: Api, tasks: list[dict[str, Any]]) -> None:
    # docs/api-notes.md §1 Limits: default $$LIMIT is 100; $$FIRST is a 0-based offset.
    first = await api.data("/task/search", [("ID_Sort", "asc")])
    assert len(first) == 100
    pages = []
    for offset in range(0, len(tasks), 150):
        pages += await api.data(
            "/task/search", [("ID_Sort", "asc"), ("$$FIRST", str(offset)), ("$$LIMIT", "150")]
        )
    assert [r["ID"] for r in pages] == sorted(r["ID"] for r in tasks)
    assert [r["ID"] for r in first] == [r["ID"] for r in pages[:100]]


async def test_limit_above_2000_is_an_error(api: Api) -> None:
    # docs/api-notes.md §1 Limits: more than 2000 is an error, not truncation.
    response = await api.get("/task/search", {"$$LIMIT": "2001"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["class"] == "java.lang.IllegalArgumentException"
    assert error["message"] == (
        "The requested limit 2001 is greater than the maximum allowed limit of 2000"
    )


# -- fields ----------------------------------------------------------------------


async def test_fields_nested_collections_and_star(api: Api, demo: Emulator) -> None:
    # docs/api-notes.md §1: fields=a,b,owner:title,assignments:*,DE:...,parameterValues.
    task = next(
        r for r in demo.rows("TASK") if r["assignedToID"] and r.get("DE:Region") and r["parentID"]
    )
    data = await api.data(
        f"/task/{task['ID']}",
        {
            "fields": "workRequired,assignedTo:title,project:owner:name,assignments:*,"
            "DE:Region,parameterValues,parent"
        },
    )
    assert data["workRequired"] == task["workRequired"]
    assert data["status"] == task["status"]  # default fields stay
    user = demo.get("USER", task["assignedToID"])
    assert data["assignedTo"] == {
        "ID": user["ID"],
        "name": user["name"],
        "objCode": "USER",
        "title": user["title"],
    }
    project = demo.get("PROJ", task["projectID"])
    owner = demo.get("USER", project["ownerID"])
    assert data["project"]["owner"] == {"ID": owner["ID"], "name": owner["name"], "objCode": "USER"}
    assigns = [a for a in demo.rows("ASSGN") if a["taskID"] == task["ID"]]
    assert data["assignments"] == assigns
    assert data["DE:Region"] == task["DE:Region"]
    assert data["parameterValues"] == {k: v for k, v in task.items() if k.startswith("DE:")}
    parent = demo.get("TASK", task["parentID"])
    assert data["parent"] == {"ID": parent["ID"], "name": parent["name"], "objCode": "TASK"}


async def test_star_returns_every_field(api: Api, demo: Emulator) -> None:
    project = demo.rows("PROJ")[0]
    data = await api.data(f"/proj/{project['ID']}", {"fields": "*"})
    assert data == {k: v for k, v in project.items() if not k.startswith("DE:")}


async def test_depth_limit(api: Api) -> None:
    # docs/api-notes.md §1 Limits: field depth 4 levels from the queried object.
    ok = await api.get(
        "/task/search", {"fields": "project:owner:homeTeam:owner:name", "$$LIMIT": "1"}
    )
    assert ok.status_code == 200, ok.text
    deep = await api.get(
        "/task/search", {"fields": "project:owner:homeTeam:owner:homeTeam:name", "$$LIMIT": "1"}
    )
    assert deep.status_code == 422
    assert "maximum is 4" in deep.json()["error"]["message"]
    deep_filter = await api.get("/task/search", {"project:owner:homeTeam:owner:homeTeam:name": "x"})
    assert deep_filter.status_code == 422


async def test_object_limit(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    # docs/api-notes.md §1 Limits: 50,000 objects per result (primary + nested), lowered here.
    from workfront_async.testing.classic import _store

    monkeypatch.setattr(_store, "MAX_OBJECTS", 150)
    small = await api.get("/task/search", {"$$LIMIT": "100"})
    assert small.status_code == 200
    big = await api.get("/task/search", {"$$LIMIT": "100", "fields": "assignments:*,hours:*"})
    assert big.status_code == 422
    assert "more than 150 objects" in big.json()["error"]["message"]


async def test_map_true(api: Api) -> None:
    # docs/api-notes.md §1: map=true makes data an object keyed by ID.
    listed = await api.data("/task/search", {"$$LIMIT": "5"})
    mapped = await api.data("/task/search", {"$$LIMIT": "5", "map": "true"})
    assert mapped == {row["ID"]: row for row in listed}


async def test_dates_in_workfront_format(api: Api) -> None:
    # docs/api-notes.md §1 Dates: 2020-05-18T17:00:00:000-0600 (colon before the milliseconds).
    import re

    row = (await api.data("/task/search", {"$$LIMIT": "1", "fields": "entryDate"}))[0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d:\d{3}\+0000", row["entryDate"])


# -- get, count, report, named queries ---------------------------------------------


async def test_get_by_id_and_id_lists(api: Api, demo: Emulator) -> None:
    # docs/api-notes.md §1: GET /proj/<ID>; several: ?id=a,b or repeated id=.
    projects = demo.rows("PROJ")
    a, b = projects[0]["ID"], projects[3]["ID"]
    one = await api.data(f"/PROJECT/{a}")
    assert one["ID"] == a
    assert one["objCode"] == "PROJ"
    both = await api.data("/proj", {"id": f"{b},{a}"})
    assert [r["ID"] for r in both] == [b, a]
    repeated = await api.data("/proj", [("id", a), ("id", b)])
    assert [r["ID"] for r in repeated] == [a, b]
    missing = await api.get("/proj/0123456789abcdef0123456789abcdef")
    assert missing.status_code == 404
    assert "0123456789abcdef0123456789abcdef" in missing.json()["error"]["message"]
    me = await api.data("/user", {"id": "$$USER"})
    assert me["ID"] == demo.admin_id


async def test_object_codes_short_long_and_any_case(api: Api) -> None:
    # docs/api-notes.md §1 Object URIs: short or long name, case-insensitive.
    counts = [
        (await api.data(f"/{name}/count"))["count"]
        for name in ("optask", "OPTASK", "issue", "Issue")
    ]
    assert len(set(counts)) == 1
    assert counts[0] > 0


async def test_unknown_object_type_and_field(api: Api) -> None:
    bad_type = await api.get("/nosuchthing/search")
    assert bad_type.status_code == 422
    assert "nosuchthing" in bad_type.json()["error"]["message"]
    bad_field = await api.get("/task/search", {"nosuchfield": "x"})
    assert bad_field.status_code == 422
    assert bad_field.json()["error"]["class"] == "java.lang.IllegalArgumentException"
    assert "nosuchfield" in bad_field.json()["error"]["message"]
    bad_mod = await api.get("/task/search", {"name": "x", "name_Mod": "sounds_like"})
    assert bad_mod.status_code == 422
    assert "sounds_like" in bad_mod.json()["error"]["message"]
    bad_fields = await api.get("/task/search", {"fields": "nosuchfield"})
    assert bad_fields.status_code == 422


async def test_report_group_by_and_rollup(api: Api, demo: Emulator) -> None:
    # docs/api-notes.md §1 Report: groups keyed by value, $$ROLLUP adds a total; each bucket
    # repeats its group-by value (docs/api-notes.md §4 "Report buckets", recorded report.json).
    data = await api.data(
        "/hour/report",
        {
            "project:name_1_GroupBy": "true",
            "hours_AggFunc": "sum",
            "ID_AggFunc": "count",
            "$$ROLLUP": "true",
        },
    )
    hours = demo.rows("HOUR")
    names = {p["ID"]: p["name"] for p in demo.rows("PROJ")}
    want: dict[str, dict[str, Any]] = {}
    for h in hours:
        name = names[h["projectID"]]
        group = want.setdefault(name, {"sum_hours": 0.0, "count_ID": 0, "project:name": name})
        group["sum_hours"] += h["hours"]
        group["count_ID"] += 1
    rollup = data.pop("$$ROLLUP")
    assert data == want  # half-hours: the sums are exact
    assert rollup["sum_hours"] == pytest.approx(sum(h["hours"] for h in hours))
    assert rollup["count_ID"] == len(hours)


async def test_report_distinct_and_two_levels(api: Api, demo: Emulator) -> None:
    data = await api.data(
        "/task/report",
        {
            "status_1_GroupBy": "true",
            "priority_2_GroupBy": "true",
            "assignedToID_AggFunc": "dcount",
        },
    )
    tasks = demo.rows("TASK")
    for status, by_priority in data.items():
        for priority, agg in by_priority.items():
            members = [t for t in tasks if t["status"] == status and str(t["priority"]) == priority]
            assert agg == {
                "dcount_assignedToID": len({t["assignedToID"] for t in members} - {None}),
                "status": status,
                "priority": int(priority),
            }
    bad = await api.get("/task/report", {"status_GroupBy": "true", "priority_AggFunc": "median"})
    assert bad.status_code == 422


async def test_named_queries(demo: Emulator) -> None:
    # docs/api-notes.md §1 Named queries: GET /work/myWork, GET /CSTEM/projectStatuses.
    import httpx

    user = first_user(demo, "Steve")
    async with httpx.AsyncClient(transport=demo.transport(), base_url="https://x") as client:
        api = Api(client, demo.api_key(user["username"]))
        work = await api.data("/work/myWork")
        assignments = demo.rows("ASSGN")
        want = set()
        for code, fk in (("TASK", "taskID"), ("OPTASK", "opTaskID")):
            assigned = {a[fk] for a in assignments if a["assignedToID"] == user["ID"]}
            want |= {
                (code, r["ID"])
                for r in demo.rows(code)
                if r["status"] not in ("CPL", "CLS", "DED")
                and (r["assignedToID"] == user["ID"] or r["ID"] in assigned)
            }
        assert want
        assert {(w["objCode"], w["ID"]) for w in work} == want
        statuses = await api.data("/CSTEM/projectStatuses")
        assert {"CUR", "PLN", "CPL"} <= {s["value"] for s in statuses}
