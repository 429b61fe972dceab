"""Status lists (``CSTEM``) by group, ``CSTEM/search``, and the current customer.

Sources (``AdobeDocs/workfront.en``, help/quicksilver/wf-api/): ``api/api-changes-search.md``
(STATUS) and ``tips-tricks-and-troubleshooting/retrieve-currency-when-null.md``
(CURRENCY), the lines cited on each test.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from workfront_async.testing import Emulator

from .conftest import Api, ok


@pytest.fixture(scope="module")
def groups(tenant: Emulator) -> dict[str, str]:
    return {g["name"]: g["ID"] for g in tenant.rows("GROUP")}


def shown(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(r["value"], r["label"], r["color"], r["equatesWith"], r["objCode"]) for r in rows]


async def test_task_group_statuses_answer_as_the_page_shows(
    wf: Api, groups: dict[str, str]
) -> None:
    # STATUS line 47: /attask/api/<VERSION>/CSTEM/taskGroupStatuses?groupID=...; lines
    # 60-114: a group with a system-level locked status Custom_1 and its own Custom_2
    engineering = groups["Engineering"]
    rows = ok(await wf.get("/CSTEM/taskGroupStatuses", {"groupID": engineering}))
    assert shown(rows) == [
        ("NEW", "New", "1C68FF", "NEW", "CSTEM"),
        ("INP", "In Progress", "39FF39", "INP", "CSTEM"),
        ("CPL", "Complete", "FF3939", "CPL", "CSTEM"),
        ("JET", "Custom_1", "8BC34A", "NEW", "CSTEM"),
        ("OGC", "Custom_2", "8BC34A", "NEW", "CSTEM"),
    ]
    # every entry, the system's too, carries the group's ID (lines 76-111)
    assert {r["groupID"] for r in rows} == {engineering}
    assert set(rows[0]) == {"color", "equatesWith", "groupID", "label", "objCode", "value"}
    # line 58: includeHidden=true adds the group's hidden statuses
    every = ok(
        await wf.get("/CSTEM/taskGroupStatuses", {"groupID": engineering, "includeHidden": "true"})
    )
    assert [r["value"] for r in every] == ["NEW", "INP", "CPL", "JET", "OGC", "PRK"]
    # another group inherits the system's statuses only
    marketing = ok(await wf.get("/CSTEM/taskGroupStatuses", {"groupID": groups["Marketing"]}))
    assert [r["value"] for r in marketing] == ["NEW", "INP", "CPL", "JET"]


async def test_project_and_issue_group_statuses(wf: Api, groups: dict[str, str]) -> None:
    # STATUS lines 39 and 55: projectGroupStatuses and opTaskGroupStatuses with groupID
    engineering = groups["Engineering"]
    projects = ok(await wf.get("/CSTEM/projectGroupStatuses", {"groupID": engineering}))
    assert [r["value"] for r in projects] == ["PLN", "CUR", "ONH", "CPL", "DED", "REQ", "BLK"]
    issues = ok(await wf.get("/CSTEM/opTaskGroupStatuses", {"groupID": engineering}))
    assert [r["value"] for r in issues] == ["NEW", "INP", "CPL", "CLS"]
    # named queries take fields (API basics, "Using Named Queries")
    more = ok(
        await wf.get("/cstem/projectgroupstatuses", {"groupID": engineering, "fields": "enumClass"})
    )
    assert {r["enumClass"] for r in more} == {"STATUS_PROJ"}
    missing = await wf.get("/CSTEM/taskGroupStatuses")
    assert missing.status_code == 422
    assert "groupID" in missing.json()["error"]["message"]
    unknown = await wf.get("/CSTEM/taskGroupStatuses", {"groupID": "0" * 32})
    assert unknown.status_code == 404


async def test_cstem_search_reads_a_groups_own_statuses(wf: Api, groups: dict[str, str]) -> None:
    # STATUS lines 126 and 187: CSTEM/search?groupID=..&enumClass=STATUS_TASK answers, since
    # the change, only the statuses stored on the group (lines 178 and 190)
    engineering = groups["Engineering"]
    rows = ok(await wf.get("/CSTEM/search", {"groupID": engineering, "enumClass": "STATUS_TASK"}))
    assert sorted(r["value"] for r in rows) == ["OGC", "PRK"]
    assert {r["groupID"] for r in rows} == {engineering}
    assert set(rows[0]) == {"color", "equatesWith", "groupID", "label", "objCode", "value"}
    # the system's statuses are stored without a group
    system = ok(
        await wf.get("/CSTEM/search", {"groupID_Mod": "isnull", "enumClass": "STATUS_TASK"})
    )
    assert [r["value"] for r in system] == ["NEW", "INP", "CPL", "JET"]
    count = ok(await wf.get("/CSTEM/count", {"enumClass": "STATUS_PROJ"}))
    assert count == {"count": 7}


async def test_project_statuses_keep_the_recorded_shape(wf: Api) -> None:
    # recorded namedQuery.json (docs/api-notes.md §4 "Named query")
    rows = ok(await wf.get("/CSTEM/projectStatuses"))
    dead = next(r for r in rows if r["value"] == "DED")
    assert dead == {
        "color": "C60000",
        "equatesWith": "DED",
        "isActive": True,
        "label": "Dead",
        "objCode": "CSTEM",
        "value": "DED",
    }


async def test_a_projects_currency_and_the_customers(
    tenant: Emulator, http: httpx.AsyncClient
) -> None:
    key = {"apiKey": tenant.api_key()}
    projects = tenant.rows("PROJ")
    with_currency = next(p for p in projects if p["currency"])
    without = next(p for p in projects if not p["currency"])
    # CURRENCY line 9: GET /attask/api-internal/project/{{projectID}}?fields=currency
    for project, currency in ((with_currency, with_currency["currency"]), (without, None)):
        got = await http.get(
            f"/attask/api-internal/project/{project['ID']}", params={**key, "fields": "currency"}
        )
        assert got.status_code == 200, got.text
        body = got.json()["data"]
        # lines 17-22 and 33-38: ID, name, objCode and currency (null when not set)
        assert (body["objCode"], body["currency"]) == ("PROJ", currency)
        assert {"ID", "name"} <= set(body)
    # line 44: GET /attask/api-internal/CUST/currentCustomer?fields=currency
    got = await http.get(
        "/attask/api-internal/CUST/currentCustomer", params={**key, "fields": "currency"}
    )
    assert got.status_code == 200, got.text
    # lines 49-58: a list holding the customer: ID, name, objCode CUST, currency
    [customer] = got.json()["data"]
    assert customer == {
        "ID": tenant.customer_id,
        "name": "Acme",
        "objCode": "CUST",
        "currency": "USD",
    }
