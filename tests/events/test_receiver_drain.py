"""Stopping the receiver, in process and under asyncio and trio: a stop
drains (503 with ``Retry-After`` meanwhile), the grace period bounds it and
what is left is logged with its count, and a ``queue_file`` keeps the
acknowledged events for the next start, at least once and with the same
delivery ID. The same promises with a real uvicorn process and real signals
are in ``test_receiver_stop.py``."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import orjson
import pytest
from fastapi import FastAPI

from workfront_async import QueryError
from workfront_async.events import Event, EventReceiver, parse_event

TOKEN = "receiver-secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def message(i: int) -> bytes:
    return orjson.dumps(
        {
            "eventType": "UPDATE",
            "subscriptionId": "sub-1",
            "eventTime": {"epochSecond": 1700000000, "nano": 0},
            "newState": {"ID": f"e{i}", "objCode": "TASK"},
        }
    )


@pytest.fixture(params=["asyncio", "trio"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run(backend: str, scenario: Callable[[], Awaitable[None]]) -> None:
    anyio.run(scenario, backend=backend)


def client_for(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r")


class Gated:
    """A handler that records each event once ``release`` is set."""

    def __init__(self) -> None:
        self.release = anyio.Event()
        self.seen: list[Event] = []

    async def __call__(self, event: Event) -> None:
        await self.release.wait()
        self.seen.append(event)

    def ids(self) -> list[str | None]:
        return [e.obj_id for e in self.seen]


def test_a_drain_answers_503_finishes_the_queue_and_a_start_reopens(backend: str) -> None:
    async def scenario() -> None:
        handler = Gated()
        receiver = EventReceiver(TOKEN, handler, workers=2)
        async with client_for(receiver) as client, receiver.running():
            for i in range(5):
                assert (await client.post("/", content=message(i), headers=AUTH)).status_code == 202
            async with anyio.create_task_group() as tg:
                left: list[int] = []

                async def drain() -> None:
                    left.append(await receiver.drain())

                tg.start_soon(drain)
                await anyio.wait_all_tasks_blocked()
                assert receiver.draining
                refused = await client.post("/", content=message(5), headers=AUTH)
                assert refused.status_code == 503
                assert refused.headers["retry-after"] == "8"  # the grace period, rounded up
                assert refused.headers["connection"] == "close"
                assert "stopping" in refused.json()["error"]
                handler.release.set()
            assert left == [0]
            assert sorted(handler.ids()) == [f"e{i}" for i in range(5)]
        async with client_for(receiver) as client, receiver.running():
            assert not receiver.draining
            assert (await client.post("/", content=message(6), headers=AUTH)).status_code == 202
        assert handler.ids()[-1] == "e6"

    run(backend, scenario)


def test_leaving_running_drains_first(backend: str) -> None:
    async def scenario() -> None:
        handler = Gated()
        receiver = EventReceiver(TOKEN, handler, workers=2)
        left = anyio.Event()

        async def serve(client: httpx.AsyncClient) -> None:
            async with receiver.running():
                for i in range(5):
                    r = await client.post("/", content=message(i), headers=AUTH)
                    assert r.status_code == 202
            left.set()

        async with client_for(receiver) as client, anyio.create_task_group() as tg:
            tg.start_soon(serve, client)
            await anyio.wait_all_tasks_blocked()
            # 2 events in the handlers, 3 waiting: the block waits for them.
            assert receiver.draining
            assert not left.is_set()
            handler.release.set()
        assert sorted(handler.ids()) == [f"e{i}" for i in range(5)]

    run(backend, scenario)


def test_the_grace_period_running_out_logs_the_count_lost(
    backend: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        handler = Gated()  # never released
        receiver = EventReceiver(TOKEN, handler, workers=2, grace_period=0)
        async with client_for(receiver) as client:
            async with receiver.running():
                for i in range(7):
                    r = await client.post("/", content=message(i), headers=AUTH)
                    assert r.status_code == 202
                await anyio.wait_all_tasks_blocked()
                assert await receiver.drain() == 7
            assert (await client.post("/", content=message(8), headers=AUTH)).status_code == 503

    with caplog.at_level(logging.WARNING, logger="workfront_async.events"):
        run(backend, scenario)
    [record] = [r for r in caplog.records if "stopped with" in r.getMessage()]
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith(
        "stopped with 7 acknowledged events not handled (5 waiting, 2 interrupted in the handler)"
    )
    assert "lost" in record.getMessage()
    assert TOKEN not in caplog.text


def test_a_queue_file_keeps_what_a_stop_left_for_the_next_start(
    backend: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    queue = tmp_path / "events.sqlite3"

    async def scenario() -> None:
        first = Gated()  # never released: the stop interrupts it
        receiver = EventReceiver(TOKEN, first, workers=1, grace_period=0, queue_file=queue)
        async with client_for(receiver) as client, receiver.running():
            for i in range(4):
                assert (await client.post("/", content=message(i), headers=AUTH)).status_code == 202
            await anyio.wait_all_tasks_blocked()
        assert first.seen == []
        second = Gated()
        second.release.set()
        again = EventReceiver(TOKEN, second, workers=1, queue_file=queue)
        async with again.running():
            assert again.replayed == 4
        assert second.ids() == ["e0", "e1", "e2", "e3"]  # in arrival order
        assert all(e.delivery_id for e in second.seen)
        assert len({e.delivery_id for e in second.seen}) == 4
        third = EventReceiver(TOKEN, second, queue_file=queue)
        async with third.running():
            assert third.replayed == 0  # handled events left the file

    with caplog.at_level(logging.WARNING, logger="workfront_async.events"):
        run(backend, scenario)
    [record] = [r for r in caplog.records if "stopped with" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert "4 acknowledged events not handled" in record.getMessage()
    assert "run at the next start" in record.getMessage()


def test_a_failing_handler_is_done_with_its_event(backend: str, tmp_path: Path) -> None:
    queue = tmp_path / "events.sqlite3"

    async def scenario() -> None:
        async def failing(event: Event) -> None:
            raise RuntimeError("boom")

        receiver = EventReceiver(TOKEN, failing, queue_file=queue)
        async with client_for(receiver) as client, receiver.running():
            assert (await client.post("/", content=message(1), headers=AUTH)).status_code == 202
        assert receiver.handler_errors == 1
        again = EventReceiver(TOKEN, failing, queue_file=queue)
        async with again.running():
            assert again.replayed == 0

    run(backend, scenario)


async def test_mounted_without_a_lifespan_the_first_delivery_replays_the_file(
    tmp_path: Path,
) -> None:
    queue = tmp_path / "events.sqlite3"
    stuck = Gated()
    receiver = EventReceiver(TOKEN, stuck, grace_period=0, queue_file=queue)
    async with client_for(receiver) as client, receiver.running():
        assert (await client.post("/", content=message(1), headers=AUTH)).status_code == 202
        await anyio.wait_all_tasks_blocked()
    handled: list[str | None] = []

    async def handler(event: Event) -> None:
        handled.append(event.obj_id)

    app = FastAPI()
    app.mount("/hooks", EventReceiver(TOKEN, handler, queue_file=queue))
    async with client_for(app) as client:
        r = await client.post("/hooks/", content=message(2), headers=AUTH)
    assert r.status_code == 202
    assert handled == ["e1", "e2"]


async def test_a_queue_file_serves_one_receiver_at_a_time(tmp_path: Path) -> None:
    queue = tmp_path / "events.sqlite3"

    async def handler(event: Event) -> None:
        pass

    async with EventReceiver(TOKEN, handler, queue_file=queue).running():
        with pytest.raises(QueryError, match="in use by another process"):
            async with EventReceiver(TOKEN, handler, queue_file=queue).running():
                pass
    async with EventReceiver(TOKEN, handler, queue_file=queue).running():
        pass  # free again


async def test_a_lifespan_whose_queue_file_cannot_open_fails_the_startup(tmp_path: Path) -> None:
    async def handler(event: Event) -> None:
        pass

    receiver = EventReceiver(TOKEN, handler, queue_file=tmp_path / "missing" / "events.sqlite3")
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await receiver({"type": "lifespan"}, receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.failed"]
    assert "events.sqlite3" in sent[0]["message"]


def test_stop_options_are_checked(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="grace_period"):
        EventReceiver(TOKEN, grace_period=-1)
    with pytest.raises(QueryError, match="grace_period"):
        EventReceiver(TOKEN, grace_period=float("nan"))
    with pytest.raises(QueryError, match="needs a handler"):
        EventReceiver(TOKEN, queue_file=tmp_path / "events.sqlite3")


async def test_a_delivery_id_tells_deliveries_apart_but_not_events() -> None:
    receiver = EventReceiver(TOKEN)
    async with client_for(receiver) as client:
        for _ in range(2):
            assert (await client.post("/", content=message(1), headers=AUTH)).status_code == 202
    first, second = await receiver.get(), await receiver.get()
    assert first.delivery_id is not None
    assert second.delivery_id is not None
    assert first.delivery_id != second.delivery_id
    assert first == second == parse_event(message(1))
    assert parse_event(message(1)).delivery_id is None
