"""Event subscriptions: endpoints, matching and delivery (API notes §2 Event subscriptions)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from workfront_async.testing import Emulator

from .conftest import API, BASE

SUBS = "/attask/eventsubscription/api/v1/subscriptions"


class Receiver:
    """An in-process subscriber URL: records requests, answers with scripted statuses."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.statuses = list(statuses or [])

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.statuses.pop(0) if self.statuses else 200)

    def messages(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]


@pytest.fixture
def emu() -> Emulator:
    emu = Emulator.with_demo_data(seed=1, scale=0.01)
    emu.event_retry_delays = (0.0, 0.0)
    return emu


async def subscribe(c: httpx.AsyncClient, token: str, **body: Any) -> httpx.Response:
    payload = {"url": "https://hooks.example.com/wf", "authToken": "hook-secret", **body}
    return await c.post(SUBS, json=payload, headers={"SessionID": token})


async def test_subscription_endpoints(emu: Emulator) -> None:
    token = emu.issue_token()
    async with httpx.AsyncClient(transport=emu.transport(), base_url=BASE) as c:
        assert (await c.get(SUBS)).status_code == 401
        emu.add_user("plain@example.com", "pw")
        plain = emu.issue_token("plain@example.com")
        r = await subscribe(c, plain, objCode="TASK", eventType="CREATE")
        assert r.status_code == 403
        r = await subscribe(c, token, objCode="NOPE", eventType="CREATE")
        assert r.status_code == 400
        assert "NOPE" in r.json()["error"]["message"]
        r = await subscribe(
            c,
            token,
            objCode="TASK",
            eventType="CREATE",
            filters=[{"fieldName": "x", "comparison": "sorta"}],
        )
        assert r.status_code == 400
        ids = []
        for i in range(5):
            r = await subscribe(c, token, objCode="PROJ", eventType="UPDATE", objId=f"p{i}")
            assert r.status_code == 201
            ids.append(r.json()["id"])
            assert r.headers["location"] == f"{SUBS}/{ids[-1]}"
        page = await c.get(SUBS, params={"page": 2, "limit": 2}, headers={"SessionID": token})
        body = page.json()
        assert body["meta"]["total_count"] == 5
        assert body["meta"]["page_count"] == 3
        assert [s["id"] for s in body["subscriptions"]] == ids[2:4]
        too_big = await c.get(SUBS, params={"limit": 1001}, headers={"SessionID": token})
        assert too_big.status_code == 400
        one = await c.get(f"{SUBS}/{ids[0]}", headers={"SessionID": token})
        assert one.json()["objId"] == "p0"
        gone = await c.delete(f"{SUBS}/{ids[0]}", headers={"SessionID": token})
        assert gone.status_code == 200
        assert (await c.get(f"{SUBS}/{ids[0]}", headers={"SessionID": token})).status_code == 404


async def test_create_update_delete_events_are_delivered(emu: Emulator) -> None:
    receiver = Receiver()
    emu.event_transport = httpx.MockTransport(receiver)
    seen: list[dict[str, Any]] = []
    emu.on_event = seen.append
    token = emu.issue_token()
    key = emu.api_key()
    project = emu.rows("PROJ")[0]["ID"]
    async with httpx.AsyncClient(transport=emu.transport(), base_url=BASE) as c:
        subs = {}
        for kind in ("CREATE", "UPDATE", "DELETE"):
            r = await subscribe(c, token, objCode="TASK", eventType=kind)
            subs[kind] = r.json()["id"]
        r = await c.post(
            f"{API}/task", params={"apiKey": key, "name": "Hooked", "projectID": project}
        )
        task = r.json()["data"]["ID"]
        await c.put(f"{API}/task/{task}", params={"apiKey": key, "status": "INP"})
        await c.delete(f"{API}/task/{task}", params={"apiKey": key})
    await emu.drain_events()
    messages = receiver.messages()
    assert [m["eventType"] for m in messages] == ["CREATE", "UPDATE", "DELETE"]
    assert [m["subscriptionId"] for m in messages] == [
        subs["CREATE"],
        subs["UPDATE"],
        subs["DELETE"],
    ]
    create, update, delete = messages
    assert create["newState"]["name"] == "Hooked"
    assert create["oldState"] == {}
    assert update["oldState"]["status"] != "INP"
    assert update["newState"]["status"] == "INP"
    assert delete["newState"] == {}
    assert delete["oldState"]["ID"] == task
    assert set(create["eventTime"]) == {"epochSecond", "nano"}
    assert all(r.headers["authorization"] == "Bearer hook-secret" for r in receiver.requests)
    assert [str(r.url) for r in receiver.requests] == ["https://hooks.example.com/wf"] * 3
    assert seen == messages
    assert all(d.ok and d.attempt == 1 for d in emu.deliveries)


async def test_filters_objid_and_connector(emu: Emulator) -> None:
    receiver = Receiver()
    emu.event_transport = httpx.MockTransport(receiver)
    token = emu.issue_token()
    key = emu.api_key()
    tasks = emu.rows("TASK")
    a, b = tasks[0]["ID"], tasks[1]["ID"]
    async with httpx.AsyncClient(transport=emu.transport(), base_url=BASE) as c:
        changed = await subscribe(
            c,
            token,
            objCode="TASK",
            eventType="UPDATE",
            filters=[
                {"fieldName": "status", "fieldValue": "CPL", "comparison": "eq"},
                {"fieldName": "status", "comparison": "changed"},
            ],
        )
        only_b = await subscribe(c, token, objCode="TASK", eventType="UPDATE", objId=b)
        either = await subscribe(
            c,
            token,
            objCode="TASK",
            eventType="UPDATE",
            filterConnector="OR",
            filters=[
                {"fieldName": "priority", "fieldValue": 3, "comparison": "gte"},
                {"fieldName": "name", "fieldValue": "Zed", "comparison": "contains"},
                {
                    "fieldName": "status",
                    "fieldValue": "CPL",
                    "comparison": "ne",
                    "state": "oldState",
                },
            ],
        )
        await c.put(f"{API}/task/{a}", params={"apiKey": key, "status": "CPL", "priority": "1"})
        await c.put(f"{API}/task/{a}", params={"apiKey": key, "name": "Zed task"})
        await c.put(f"{API}/task/{b}", params={"apiKey": key, "priority": "4"})
    await emu.drain_events()
    got = [(m["subscriptionId"], m["newState"]["ID"]) for m in receiver.messages()]
    ids = {
        k: r.json()["id"]
        for k, r in {"changed": changed, "only_b": only_b, "either": either}.items()
    }
    assert (ids["changed"], a) in got
    assert got.count((ids["changed"], a)) == 1  # the rename did not change status
    assert got.count((ids["only_b"], b)) == 1
    assert (ids["only_b"], a) not in got
    either_hits = [t for s, t in got if s == ids["either"]]
    # first edit: old status was not CPL -> match; rename: name contains Zed; b: priority 4
    assert either_hits == [a, a, b]


async def test_retries_then_success_and_disable_after_failures(emu: Emulator) -> None:
    # docs/api-notes.md §2: failures are retried with growing back-off; a failing URL is disabled.
    receiver = Receiver(statuses=[500, 503, 200])
    emu.event_transport = httpx.MockTransport(receiver)
    token = emu.issue_token()
    key = emu.api_key()
    project = emu.rows("PROJ")[0]["ID"]
    async with httpx.AsyncClient(transport=emu.transport(), base_url=BASE) as c:
        sub = (await subscribe(c, token, objCode="PROJ", eventType="UPDATE")).json()["id"]
        await c.put(f"{API}/proj/{project}", params={"apiKey": key, "name": "Renamed"})
        await emu.drain_events()
        assert [d.status for d in emu.deliveries] == [500, 503, 200]
        assert [d.attempt for d in emu.deliveries] == [1, 2, 3]
        receiver.statuses = [500] * 10
        await c.put(f"{API}/proj/{project}", params={"apiKey": key, "name": "Again"})
        await emu.drain_events()
        assert emu.subscriptions[sub].disabled
        shown = await c.get(f"{SUBS}/{sub}", headers={"SessionID": token})
        assert shown.json()["status"] == "DISABLED"
        count = len(receiver.requests)
        await c.put(f"{API}/proj/{project}", params={"apiKey": key, "name": "Ignored"})
        await emu.drain_events()
        assert len(receiver.requests) == count


async def test_base64_encoding_and_in_process_receiver(emu: Emulator) -> None:
    # base64Encoding: the delivered body is the base64 of the JSON message.
    import base64

    receiver = Receiver()
    emu.event_transport = httpx.MockTransport(receiver)
    token = emu.issue_token()
    async with httpx.AsyncClient(transport=emu.transport(), base_url=BASE) as c:
        r = await subscribe(c, token, objCode="OPTASK", eventType="CREATE", base64Encoding=True)
        shown = await c.get(f"{SUBS}/{r.json()['id']}", headers={"SessionID": token})
        assert shown.json()["base64Encoding"] is True
        project = emu.rows("PROJ")[0]["ID"]
        created = await c.post(
            f"{API}/issue", params={"apiKey": emu.api_key(), "name": "Leak", "projectID": project}
        )
        assert created.status_code == 200
    await emu.drain_events()
    (request,) = receiver.requests
    # Adobe's "Base 64 Encoding": newState and oldState are delivered as base64 strings
    message = json.loads(request.content)
    assert isinstance(message["newState"], str)
    assert emu.events == [message]
    message["newState"] = json.loads(base64.b64decode(message["newState"]))
    assert json.loads(base64.b64decode(message["oldState"])) == {}
    assert message["newState"]["name"] == "Leak"
    assert message["newState"]["objCode"] == "OPTASK"
    # event payload dates: 2020-05-18T17:00:28.722-0600 style (docs/api-notes.md §1 Dates)
    import re

    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", message["newState"]["entryDate"]
    )


async def test_version_2_resource_and_endpoints(emu: Emulator) -> None:
    # Adobe's event-subs-api page: create answers {"id", "version"}; PUT <id>/version
    # and PUT version change versions; downgrades to v1 are refused since 25.3
    token = emu.issue_token()
    head = {"SessionID": token}
    async with httpx.AsyncClient(transport=emu.transport(), base_url=BASE) as c:
        r = await subscribe(c, token, objCode="TASK", eventType="UPDATE")
        assert r.status_code == 201
        created = r.json()
        assert set(created) == {"id", "version"}
        assert created["version"] == "v2"
        shown = (await c.get(f"{SUBS}/{created['id']}", headers=head)).json()
        for key in ("date_created", "date_modified", "dateVersionUpdated", "customerId"):
            assert key in shown
        assert shown["subscription_url"]["successes"] == 0
        one = await c.put(f"{SUBS}/{created['id']}/version", json={"version": "v2"}, headers=head)
        assert one.json() == {"id": created["id"], "version": "v2"}
        down = await c.put(f"{SUBS}/{created['id']}/version", json={"version": "v1"}, headers=head)
        assert down.status_code == 400
        assert "downgraded" in down.json()["error"]["message"]
        missing = await c.put(f"{SUBS}/nope/version", json={"version": "v2"}, headers=head)
        assert missing.status_code == 404
        every = await c.put(
            f"{SUBS}/version",
            json={"allCustomerSubscriptions": True, "version": "v2"},
            headers=head,
        )
        assert every.json() == {"subscription_ids": [created["id"]], "version": "v2"}
        bad = await c.put(f"{SUBS}/version", json={"version": "v2"}, headers=head)
        assert bad.status_code == 400


@pytest.mark.parametrize(
    "filters",
    [
        [{"type": "group", "connector": "OR", "filters": [{"fieldName": "status"}]}],
        [{"type": "group", "filters": [{"fieldName": "a"}] * 6}],
        [{"type": "group", "connector": "XOR", "filters": [{"fieldName": "a"}] * 2}],
        [{"type": "group", "filters": [{"type": "group", "filters": []}, {"fieldName": "a"}]}],
        [{"type": "group", "filters": [{"fieldName": "a"}] * 2}] * 11,
    ],
)
async def test_bad_filter_groups_are_refused(emu: Emulator, filters: list[Any]) -> None:
    token = emu.issue_token()
    async with httpx.AsyncClient(transport=emu.transport(), base_url=BASE) as c:
        r = await subscribe(c, token, objCode="TASK", eventType="UPDATE", filters=filters)
    assert r.status_code == 400
