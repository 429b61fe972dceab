"""The event receiver against hostile and surprising deliveries, under asyncio
and trio: malformed events get 4xx (never 500, which Workfront retries for 48
hours), memory is bounded in bytes (413 per delivery, 503 beyond the queue),
and the handler runs when the receiver is mounted in FastAPI/Starlette, which
give mounted apps no lifespan (docs/api-notes.md §2, event subscriptions)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import httpx
import orjson
import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workfront_async import EventError, QueryError
from workfront_async.events import Event, EventReceiver, parse_event

TOKEN = "receiver-secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MESSAGE: dict[str, Any] = {
    "eventType": "UPDATE",
    "subscriptionId": "sub-1",
    "eventTime": {"epochSecond": 1700000000, "nano": 722000000},
    "newState": {"ID": "t1", "objCode": "TASK", "status": "CUR"},
    "oldState": {"ID": "t1", "objCode": "TASK", "status": "NEW"},
}


@pytest.fixture(params=["asyncio", "trio"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run(backend: str, scenario: Callable[[], Awaitable[None]]) -> None:
    anyio.run(scenario, backend=backend)


def client_for(app: Any, base: str = "http://r") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base)


BAD_TIMES = [
    {"epochSecond": 10**20, "nano": 0},
    {"epochSecond": -(10**15), "nano": 0},
    {"epochSecond": 1e300, "nano": 0},
    {"epochSecond": 1700000000, "nano": 10**30},
    {"epochSecond": 1700000000, "nano": -1},
    {"epochSecond": 1.5, "nano": 0},
    {"epochSecond": True},
    {"epochSecond": "1" * 5000},
    {"epochSecond": [1]},
    {"epochSecond": 253402300800, "nano": 0},
    "yesterday",
    [1700000000, 0],
]


def dumps(value: Any) -> bytes:
    # The standard library writes integers of any size, as a hostile sender may.
    return json.dumps(value).encode()


def bad_time_body(time: Any) -> bytes:
    return dumps(dict(MESSAGE, eventTime=time))


@pytest.mark.parametrize("time", BAD_TIMES, ids=[str(i) for i in range(len(BAD_TIMES))])
def test_out_of_range_event_times_are_event_errors(time: Any) -> None:
    with pytest.raises(EventError, match="eventTime"):
        parse_event(bad_time_body(time))


def test_out_of_range_event_times_get_400_not_500(backend: str) -> None:
    async def scenario() -> None:
        receiver = EventReceiver(TOKEN)
        async with client_for(receiver) as client:
            for time in BAD_TIMES:
                r = await client.post("/", content=bad_time_body(time), headers=AUTH)
                assert r.status_code == 400, (time, r.text)
                assert "eventTime" in r.json()["error"]
            ok = await client.post("/", content=orjson.dumps(MESSAGE), headers=AUTH)
            assert ok.status_code == 202
        assert receiver.received == 1

    run(backend, scenario)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
FIELDS = st.sampled_from(["eventType", "subscriptionId", "eventTime", "newState", "oldState"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.dictionaries(FIELDS, JSON, max_size=5),
    time=st.dictionaries(st.sampled_from(["epochSecond", "nano"]), JSON, max_size=2),
    big=st.integers(min_value=-(10**40), max_value=10**40),
)
def test_any_malformed_event_is_an_event_error(
    changes: dict[str, Any], time: dict[str, Any], big: int
) -> None:
    for message in (
        dict(MESSAGE, **changes),
        dict(MESSAGE, eventTime=time),
        dict(MESSAGE, eventTime={"epochSecond": big, "nano": big}),
    ):
        try:
            event = parse_event(dumps(message))
        except EventError:
            continue
        assert event.event_type in ("CREATE", "UPDATE", "DELETE")
        assert event.event_time.tzinfo is not None


@settings(max_examples=60, deadline=None)
@given(body=st.binary(max_size=300) | JSON.map(dumps))
def test_any_body_gets_202_or_400(body: bytes) -> None:
    async def scenario() -> int:
        receiver = EventReceiver(TOKEN)
        async with client_for(receiver) as client:
            return (await client.post("/", content=body, headers=AUTH)).status_code

    assert anyio.run(scenario) in (202, 400)


# -- memory: bounded in bytes --------------------------------------------


def big_event(size: int) -> bytes:
    return orjson.dumps(dict(MESSAGE, newState={"ID": "t1", "description": "x" * size}))


def test_the_queue_is_bounded_in_bytes(backend: str) -> None:
    async def scenario() -> None:
        receiver = EventReceiver(
            TOKEN, max_queue_bytes=2_000_000, max_body=1_000_000, max_queue=10_000
        )
        body = big_event(300_000)
        async with client_for(receiver) as client:
            codes = [
                (await client.post("/", content=body, headers=AUTH)).status_code for _ in range(40)
            ]
            # Nobody consumes: six bodies fit in 2 MB, the rest are told to come back.
            assert codes == [202] * 6 + [503] * 34
            assert receiver.queued_bytes == 6 * len(body)
            assert receiver.busy == 34
            # Consuming frees room for the next delivery.
            await receiver.get()
            again = await client.post("/", content=body, headers=AUTH)
            assert again.status_code == 202
            assert receiver.queued_bytes == 6 * len(body)

    run(backend, scenario)


async def chunks(body: bytes, size: int) -> AsyncIterator[bytes]:
    for i in range(0, len(body), size):
        yield body[i : i + size]


def test_a_body_above_max_body_gets_413(backend: str) -> None:
    async def scenario() -> None:
        receiver = EventReceiver(TOKEN, max_body=100_000)
        body = big_event(200_000)
        async with client_for(receiver) as client:
            announced = await client.post("/", content=body, headers=AUTH)
            assert announced.status_code == 413
            # Streamed without a Content-Length, it is cut off while read.
            streamed = await client.post("/", content=chunks(body, 16_384), headers=AUTH)
            assert streamed.status_code == 413
            fits = await client.post("/", content=big_event(50_000), headers=AUTH)
            assert fits.status_code == 202
        assert receiver.queued_bytes == len(big_event(50_000))
        assert receiver.received == 1

    run(backend, scenario)


def test_bounds_must_be_consistent() -> None:
    with pytest.raises(QueryError, match="max_queue_bytes"):
        EventReceiver(TOKEN, max_body=10, max_queue_bytes=5)


# -- mounted in FastAPI / Starlette --------------------------------------


def counting_handler() -> tuple[list[Event], anyio.Event, Callable[[Event], Awaitable[None]]]:
    seen: list[Event] = []
    done = anyio.Event()

    async def handler(event: Event) -> None:
        seen.append(event)
        done.set()

    return seen, done, handler


def test_mounted_in_fastapi_the_handler_runs(backend: str) -> None:
    async def scenario() -> None:
        seen, done, handler = counting_handler()
        receiver = EventReceiver(TOKEN, handler)
        app = FastAPI()
        app.mount("/hooks", receiver)
        async with client_for(app) as client:
            r = await client.post("/hooks/", content=orjson.dumps(MESSAGE), headers=AUTH)
            assert r.status_code == 202
            with anyio.fail_after(5):
                await done.wait()
            # Without the slash, Starlette redirects: a subscription URL must end in "/".
            redirect = await client.post("/hooks", content=orjson.dumps(MESSAGE), headers=AUTH)
            assert redirect.status_code == 307
        assert [e.obj_id for e in seen] == ["t1"]
        assert (receiver.received, receiver.handled) == (1, 1)

    run(backend, scenario)


def test_added_as_a_route_the_exact_path_works(backend: str) -> None:
    async def scenario() -> None:
        _seen, done, handler = counting_handler()
        receiver = EventReceiver(TOKEN, handler)
        app = FastAPI()
        app.add_route("/hooks/workfront", receiver, methods=["POST"])
        async with client_for(app) as client:
            r = await client.post("/hooks/workfront", content=orjson.dumps(MESSAGE), headers=AUTH)
            assert r.status_code == 202
            with anyio.fail_after(5):
                await done.wait()
        assert receiver.handled == 1

    run(backend, scenario)


def test_handler_errors_are_counted_and_the_next_event_still_runs(backend: str) -> None:
    async def scenario() -> None:
        calls: list[str] = []

        async def handler(event: Event) -> None:
            calls.append(event.event_type)
            if event.event_type == "CREATE":
                raise RuntimeError("handler bug")

        receiver = EventReceiver(TOKEN, handler)
        async with client_for(receiver) as client:
            for kind in ("CREATE", "UPDATE"):
                body = orjson.dumps(dict(MESSAGE, eventType=kind))
                assert (await client.post("/", content=body, headers=AUTH)).status_code == 202
        assert calls == ["CREATE", "UPDATE"]
        assert (receiver.handled, receiver.handler_errors) == (1, 1)

    run(backend, scenario)
