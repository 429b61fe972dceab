"""Event subscriptions as Workfront runs them today: Version 2 (Adobe's
event-subs-api and event-subs-versioning pages under help/quicksilver/wf-api/)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest

from workfront_async import QueryError, Secret, Workfront
from workfront_async.events import FilterGroup, SubscriptionFilter
from workfront_async.testing import Emulator
from workfront_async.testing.classic._events import Subscription

TOKEN = "receiver-token-v2-123"
HOOK = "https://hooks.example.com/v2"


class Receiver:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.messages.append(orjson.loads(request.content))
        return httpx.Response(200)


@pytest.fixture
def emu() -> Emulator:
    emu = Emulator.with_demo_data(scale=0.01)
    emu.event_retry_delays = (0.0,)
    emu.define_custom_field("Channels", "multi")
    return emu


@pytest.fixture
async def wf(emu: Emulator) -> AsyncIterator[Workfront]:
    async with Workfront(
        "https://acme.my.workfront.com", session_id=emu.issue_token(), transport=emu.transport()
    ) as client:
        yield client


@pytest.fixture
def receiver(emu: Emulator) -> Receiver:
    got = Receiver()
    emu.event_transport = httpx.MockTransport(got)
    return got


async def test_new_subscriptions_are_version_2(wf: Workfront) -> None:
    made = await wf.subscriptions.create("PROJ", "UPDATE", HOOK, TOKEN)
    assert made["version"] == "v2"
    shown = await wf.subscriptions.get(made["id"])
    assert shown["version"] == "v2"
    for key in ("date_created", "date_modified", "customerId", "subscription_url"):
        assert key in shown, key
    assert isinstance(shown["authToken"], Secret)
    assert shown["authToken"].reveal() == TOKEN
    assert TOKEN not in repr(shown)
    (listed,) = await wf.subscriptions.list()
    assert listed["id"] == made["id"]
    assert TOKEN not in repr(listed)


async def test_delivered_messages_carry_their_versions(
    wf: Workfront, emu: Emulator, receiver: Receiver
) -> None:
    await wf.subscriptions.create("PROJ", "UPDATE", HOOK, TOKEN)
    project = emu.rows("PROJ")[0]
    await wf.update("proj", project["ID"], {"name": "renamed for v2"})
    await emu.drain_events()
    (message,) = receiver.messages
    assert message["eventVersion"] == "v2"
    assert message["subscriptionVersion"] == "v2"
    assert message["newState"]["name"] == "renamed for v2"
    assert "parameterValues" in message["newState"]


async def test_multi_select_values_are_always_arrays_and_filter_as_arrays(
    wf: Workfront, emu: Emulator, receiver: Receiver
) -> None:
    project = emu.rows("PROJ")[0]
    as_array = await wf.subscriptions.create(
        "PROJ",
        "UPDATE",
        HOOK,
        TOKEN,
        filters=[
            SubscriptionFilter("parameterValues", {"DE:Channels": ["web"]}, comparison="eq"),
        ],
    )
    as_string = await wf.subscriptions.create(
        "PROJ",
        "UPDATE",
        HOOK,
        TOKEN,
        filters=[SubscriptionFilter("parameterValues", {"DE:Channels": "web"}, comparison="eq")],
    )
    await wf.update("proj", project["ID"], {"DE:Channels": ["web"]})
    await emu.drain_events()
    (message,) = receiver.messages  # the string filter (a Version 1 habit) matches nothing
    assert message["subscriptionId"] == as_array["id"]
    assert message["newState"]["parameterValues"]["DE:Channels"] == ["web"]
    assert as_string["id"] not in {m["subscriptionId"] for m in receiver.messages}


async def test_a_create_carries_the_custom_values_with_no_follow_up_update(
    wf: Workfront, emu: Emulator, receiver: Receiver
) -> None:
    await wf.subscriptions.create("PROJ", "CREATE", HOOK, TOKEN)
    await wf.subscriptions.create("PROJ", "UPDATE", HOOK, TOKEN)
    await wf.create("proj", {"name": "with form", "DE:Channels": ["web", "print"]})
    await emu.drain_events()
    assert [m["eventType"] for m in receiver.messages] == ["CREATE"]
    values = receiver.messages[0]["newState"]["parameterValues"]
    assert values["DE:Channels"] == ["web", "print"]


async def test_filter_groups_and_connectors(
    wf: Workfront, emu: Emulator, receiver: Receiver
) -> None:
    # Adobe's "Using filter groups": percentComplete < 100 AND (status = CUR OR priority = 1)
    tasks = [t for t in emu.rows("TASK") if (t.get("percentComplete") or 0) < 100][:3]
    a, b, c = (t["ID"] for t in tasks)
    made = await wf.subscriptions.create(
        "TASK",
        "UPDATE",
        HOOK,
        TOKEN,
        filters=[
            SubscriptionFilter("percentComplete", 100, comparison="lt"),
            FilterGroup(
                [SubscriptionFilter("status", "CUR"), SubscriptionFilter("priority", 1)],
                connector="OR",
            ),
        ],
    )
    await wf.update("task", a, {"status": "CUR", "priority": 3})
    await wf.update("task", b, {"status": "NEW", "priority": 1})
    await wf.update("task", c, {"status": "NEW", "priority": 3})
    await emu.drain_events()
    assert [m["newState"]["ID"] for m in receiver.messages] == [a, b]
    shown = await wf.subscriptions.get(made["id"])
    assert shown["filters"][1]["type"] == "group"


def test_filter_groups_are_checked_before_the_wire() -> None:
    one = SubscriptionFilter("status", "CUR")
    with pytest.raises(QueryError, match="2 to 5"):
        FilterGroup([one])
    with pytest.raises(QueryError, match="2 to 5"):
        FilterGroup([one] * 6)
    with pytest.raises(QueryError, match="connector"):
        FilterGroup([one, one], connector="XOR")  # type: ignore[arg-type]
    assert FilterGroup([one, one], connector="OR").to_json() == {
        "type": "group",
        "connector": "OR",
        "filters": [one.to_json(), one.to_json()],
    }


async def test_too_many_groups_are_refused(wf: Workfront) -> None:
    one = SubscriptionFilter("status", "CUR")
    groups = [FilterGroup([one, one]) for _ in range(11)]
    with pytest.raises(QueryError, match="at most 10"):
        await wf.subscriptions.create("TASK", "UPDATE", HOOK, TOKEN, filters=groups)


async def test_version_1_subscriptions_upgrade_and_never_downgrade(
    wf: Workfront, emu: Emulator, receiver: Receiver
) -> None:
    # Subscriptions made before release 25.2 are Version 1: a one-value multi-select
    # arrives as a plain string. Upgrading makes it an array.
    old = Subscription(
        id="legacy-1",
        obj_code="PROJ",
        event_type="UPDATE",
        url=HOOK,
        auth_token=TOKEN,
        version="v1",
    )
    emu.subscriptions[old.id] = old
    project = emu.rows("PROJ")[0]
    await wf.update("proj", project["ID"], {"DE:Channels": ["web"]})
    await emu.drain_events()
    assert receiver.messages[-1]["subscriptionVersion"] == "v1"
    assert receiver.messages[-1]["newState"]["parameterValues"]["DE:Channels"] == "web"

    assert await wf.subscriptions.set_version("legacy-1", "v2") == {
        "id": "legacy-1",
        "version": "v2",
    }
    shown = await wf.subscriptions.get("legacy-1")
    assert shown["version"] == "v2"
    assert shown["dateVersionUpdated"]
    await wf.update("proj", project["ID"], {"DE:Channels": ["print"]})
    await emu.drain_events()
    assert receiver.messages[-1]["newState"]["parameterValues"]["DE:Channels"] == ["print"]

    from workfront_async import InvalidRequestError

    with pytest.raises(InvalidRequestError, match="downgraded"):
        await wf.subscriptions.set_version("legacy-1", "v1")
    with pytest.raises(QueryError):
        await wf.subscriptions.set_version("legacy-1", "v3")


async def test_changing_versions_in_bulk(wf: Workfront, emu: Emulator) -> None:
    for i in range(3):
        emu.subscriptions[f"old-{i}"] = Subscription(
            id=f"old-{i}",
            obj_code="TASK",
            event_type="CREATE",
            url=HOOK,
            auth_token=TOKEN,
            version="v1",
        )
    assert await wf.subscriptions.set_versions(["old-0", "old-1"]) == ["old-0", "old-1"]
    assert [s["version"] for s in await wf.subscriptions.list()] == ["v2", "v2", "v1"]
    changed = await wf.subscriptions.set_versions(all_subscriptions=True)
    assert sorted(changed) == ["old-0", "old-1", "old-2"]
    assert {s["version"] for s in await wf.subscriptions.list()} == {"v2"}
    with pytest.raises(QueryError):
        await wf.subscriptions.set_versions([])
    from workfront_async import InvalidRequestError

    with pytest.raises(InvalidRequestError, match="unknown"):
        await wf.subscriptions.set_versions(["nope"])


async def test_base64_states_are_decoded_by_the_receiver_parser(
    wf: Workfront, emu: Emulator, receiver: Receiver
) -> None:
    from workfront_async.events import parse_event

    await wf.subscriptions.create("PROJ", "UPDATE", HOOK, TOKEN, base64_encoding=True)
    project = emu.rows("PROJ")[0]
    await wf.update("proj", project["ID"], {"name": "encoded"})
    await emu.drain_events()
    (message,) = receiver.messages
    assert orjson.loads(base64.b64decode(message["newState"]))["name"] == "encoded"
    event = parse_event(orjson.dumps(message))
    assert event.new_state["name"] == "encoded"
    assert event.old_state["ID"] == project["ID"]


async def test_version_wire_format() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path.endswith("/subscriptions/version"):
            body = {"subscription_ids": ["a", "b"], "version": "v2"}
        else:
            body = {"id": "a", "version": "v2"}
        return httpx.Response(200, content=orjson.dumps(body))

    async with Workfront(
        "https://acme.my.workfront.com",
        session_id="s3ss10n-t0ken",
        transport=httpx.MockTransport(handler),
    ) as wf:
        await wf.subscriptions.set_version("a")
        await wf.subscriptions.set_versions(["a", "b"])
        await wf.subscriptions.set_versions(all_subscriptions=True)
    prefix = "/attask/eventsubscription/api/v1/subscriptions"
    assert [(r.method, r.url.path) for r in seen] == [
        ("PUT", f"{prefix}/a/version"),
        ("PUT", f"{prefix}/version"),
        ("PUT", f"{prefix}/version"),
    ]
    assert [orjson.loads(r.content) for r in seen] == [
        {"version": "v2"},
        {"version": "v2", "subscriptionIds": ["a", "b"]},
        {"version": "v2", "allCustomerSubscriptions": True},
    ]
    assert all(r.headers["sessionid"] == "s3ss10n-t0ken" for r in seen)
