"""Event subscriptions end to end: the client manages them on the embedded
Workfront, which delivers matching events to our receiver (docs/api-notes.md §2)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import anyio
import httpx
import pytest

from workfront_async import Q, QueryError, Workfront
from workfront_async.events import EventReceiver, SubscriptionFilter
from workfront_async.testing import Emulator

TOKEN = "receiver-token-123"


@pytest.fixture
def emu() -> Emulator:
    emu = Emulator.with_demo_data(scale=0.01)
    emu.event_retry_delays = (0.0, 0.0)
    return emu


@pytest.fixture
async def wf(emu: Emulator) -> AsyncIterator[Workfront]:
    async with Workfront(
        "https://acme.my.workfront.com", session_id=emu.issue_token(), transport=emu.transport()
    ) as client:
        yield client


async def test_create_list_get_delete(wf: Workfront) -> None:
    made = [
        await wf.subscriptions.create("TASK", kind, "https://hooks.example.com/wf", TOKEN)
        for kind in ("CREATE", "UPDATE", "DELETE")
    ]
    assert all(m["id"] for m in made)
    listed = await wf.subscriptions.list()
    assert sorted(s["id"] for s in listed) == sorted(m["id"] for m in made)
    one = await wf.subscriptions.get(made[1]["id"])
    assert one["eventType"] == "UPDATE"
    await wf.subscriptions.delete(made[1]["id"])
    assert len(await wf.subscriptions.list()) == 2


async def test_matching_events_reach_the_receiver(wf: Workfront, emu: Emulator) -> None:
    receiver = EventReceiver(TOKEN)
    emu.event_transport = httpx.ASGITransport(app=receiver)
    await wf.subscriptions.create(
        "TASK",
        "UPDATE",
        "https://hooks.example.com/wf",
        TOKEN,
        filters=[SubscriptionFilter("status", comparison="changed")],
    )
    task = (await wf.search("task", Q.status != "CPL", limit=1).all())[0]
    await wf.update("task", task["ID"], {"name": "renamed only"})  # status unchanged: no event
    await wf.update("task", task["ID"], {"status": "CPL"})
    await emu.drain_events()
    with anyio.fail_after(5):
        event = await receiver.get()
    assert event.event_type == "UPDATE"
    assert event.obj_id == task["ID"]
    assert event.old_state["status"] == task["status"]
    assert event.new_state["status"] == "CPL"
    assert receiver.received == 1


async def test_wrong_token_is_refused_by_the_receiver(wf: Workfront, emu: Emulator) -> None:
    receiver = EventReceiver(TOKEN)
    emu.event_transport = httpx.ASGITransport(app=receiver)
    await wf.subscriptions.create("TASK", "CREATE", "https://hooks.example.com/wf", "wrong-token")
    project = emu.rows("project")[0]
    await wf.create("task", {"name": "new", "projectID": project["ID"]})
    await emu.drain_events()
    assert receiver.received == 0
    assert receiver.rejected >= 1


async def test_api_key_clients_are_told_to_use_a_session(emu: Emulator) -> None:
    async with Workfront(
        "https://acme.my.workfront.com", api_key=emu.api_key(), transport=emu.transport()
    ) as wf:
        with pytest.raises(QueryError, match="SessionID"):
            await wf.subscriptions.list()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"event_type": "MOVE"},
        {"url": "ftp://x"},
        {"auth_token": ""},
    ],
)
async def test_bad_subscriptions_fail_before_the_wire(
    wf: Workfront, kwargs: dict[str, str]
) -> None:
    args = {"event_type": "CREATE", "url": "https://h/x", "auth_token": TOKEN, **kwargs}
    with pytest.raises(QueryError):
        await wf.subscriptions.create("TASK", args["event_type"], args["url"], args["auth_token"])  # type: ignore[arg-type]


def test_filter_validation() -> None:
    with pytest.raises(QueryError, match="comparison"):
        SubscriptionFilter("status", "CPL", comparison="like")  # type: ignore[arg-type]
    with pytest.raises(QueryError, match="field_value"):
        SubscriptionFilter("status")
    assert SubscriptionFilter("status", "CPL", "ne", "oldState").to_json() == {
        "fieldName": "status",
        "fieldValue": "CPL",
        "comparison": "ne",
        "state": "oldState",
    }


async def test_list_follows_the_meta_not_a_short_page() -> None:
    # docs/api-notes.md §2: the list answers page by page with meta page_count/total_count.
    # A server whose pages are shorter than asked must not cut the list short.
    import orjson

    subs = [{"id": f"s{i}"} for i in range(1500)]

    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        chunk = subs[(page - 1) * 500 : page * 500]
        meta = {"page": page, "page_count": 3, "total_count": len(subs)}
        return httpx.Response(200, content=orjson.dumps({"meta": meta, "data": chunk}))

    async with Workfront(
        "https://acme.my.workfront.com",
        session_id="s3ss10n-t0ken",
        transport=httpx.MockTransport(handler),
    ) as wf:
        got = await wf.subscriptions.list()
    assert [s["id"] for s in got] == [s["id"] for s in subs]


async def test_create_does_not_echo_the_auth_token(wf: Workfront) -> None:
    made = await wf.subscriptions.create("TASK", "CREATE", "https://hooks.example.com/x", TOKEN)
    assert TOKEN not in repr(made)
    with pytest.raises(QueryError):
        await wf.subscriptions.get("a/../b")
