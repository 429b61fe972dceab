"""The event receiver (docs/api-notes.md §2, event subscriptions): the authToken is
checked, messages parse into typed events, the answer is immediate."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import anyio
import httpx
import orjson
import pytest

from workfront_async import EventError
from workfront_async.events import Event, EventReceiver, parse_event

TOKEN = "receiver-secret-token"
MESSAGE = {
    "eventType": "UPDATE",
    "subscriptionId": "sub-1",
    "eventTime": {"epochSecond": 1700000000, "nano": 722000000},
    "newState": {"ID": "t1", "objCode": "TASK", "status": "CUR"},
    "oldState": {"ID": "t1", "objCode": "TASK", "status": "NEW"},
}


def client_for(receiver: EventReceiver) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver), base_url="http://r")


def test_parse_event_reads_the_documented_shape() -> None:
    event = parse_event(orjson.dumps(MESSAGE))
    assert event.event_type == "UPDATE"
    assert event.subscription_id == "sub-1"
    assert event.event_time == datetime(2023, 11, 14, 22, 13, 20, 722000, tzinfo=UTC)
    assert event.obj_code == "TASK"
    assert event.obj_id == "t1"
    assert event.changed("status")
    assert not event.changed("ID")


def test_parse_event_decodes_base64_states() -> None:
    msg = dict(MESSAGE, newState=base64.b64encode(orjson.dumps({"ID": "x"})).decode())
    assert parse_event(msg).new_state == {"ID": "x"}


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        orjson.dumps(dict(MESSAGE, eventType="MOVE")),
        orjson.dumps(dict(MESSAGE, newState=5)),
    ],
)
def test_parse_event_rejects_malformed(body: bytes) -> None:
    with pytest.raises(EventError):
        parse_event(body)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "wrong"}],
)
async def test_bad_token_is_refused(headers: dict[str, str]) -> None:
    receiver = EventReceiver(TOKEN)
    async with client_for(receiver) as client:
        r = await client.post("/", content=orjson.dumps(MESSAGE), headers=headers)
    assert r.status_code == 401
    assert receiver.received == 0
    assert TOKEN not in r.text


async def test_good_event_is_delivered_to_the_stream() -> None:
    receiver = EventReceiver(TOKEN)
    async with client_for(receiver) as client:
        r = await client.post(
            "/", content=orjson.dumps(MESSAGE), headers={"Authorization": f"Bearer {TOKEN}"}
        )
    assert r.status_code == 202
    with anyio.fail_after(5):
        async for event in receiver.events():
            assert event.obj_id == "t1"
            break


async def test_slow_handler_does_not_delay_the_response() -> None:
    release = anyio.Event()
    all_handled = anyio.Event()
    handled: list[Event] = []

    async def slow_handler(event: Event) -> None:
        await release.wait()  # blocks until the test says so
        handled.append(event)
        if len(handled) == 3:
            all_handled.set()

    receiver = EventReceiver(TOKEN, slow_handler, workers=1)
    async with receiver.running(), client_for(receiver) as client:
        with anyio.fail_after(5):
            for _ in range(3):
                r = await client.post(
                    "/", content=orjson.dumps(MESSAGE), headers={"Authorization": f"Bearer {TOKEN}"}
                )
                assert r.status_code == 202
        # All three were answered while the handler was still blocked.
        assert handled == []
        release.set()
        with anyio.fail_after(5):
            await all_handled.wait()
    assert receiver.received == 3


async def test_full_queue_answers_503_so_workfront_retries() -> None:
    receiver = EventReceiver(TOKEN, max_queue=1)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with client_for(receiver) as client:
        first = await client.post("/", content=orjson.dumps(MESSAGE), headers=headers)
        second = await client.post("/", content=orjson.dumps(MESSAGE), headers=headers)
    assert (first.status_code, second.status_code) == (202, 503)


async def test_malformed_body_is_400() -> None:
    receiver = EventReceiver(TOKEN)
    async with client_for(receiver) as client:
        r = await client.post("/", content=b"{", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 400
