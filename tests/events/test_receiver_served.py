"""The receiver mounted in a real FastAPI app behind a real uvicorn server on
127.0.0.1: the main app gets the lifespan, the mounted receiver does not,
and the handler still runs (docs/api-notes.md §2, event subscriptions)."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import orjson
import pytest
import uvicorn
from fastapi import FastAPI

from workfront_async.events import Event, EventReceiver

TOKEN = "receiver-secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MESSAGE = {
    "eventType": "CREATE",
    "subscriptionId": "sub-1",
    "eventTime": {"epochSecond": 1700000000, "nano": 0},
    "newState": {"ID": "t9", "objCode": "TASK"},
}


@asynccontextmanager
async def served(app: Any, **options: Any) -> AsyncIterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on", http="h11", ws="none", **options
    )
    server = uvicorn.Server(config)
    with sock:
        async with anyio.create_task_group() as tg:
            tg.start_soon(server.serve, [sock])
            while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
                await anyio.sleep(0.01)
            try:
                yield f"http://127.0.0.1:{port}"
            finally:
                server.should_exit = True


async def test_mounted_in_fastapi_behind_uvicorn_the_handler_runs() -> None:
    handled: list[Event] = []
    done = anyio.Event()

    async def handler(event: Event) -> None:
        handled.append(event)
        if len(handled) == 3:
            done.set()

    receiver = EventReceiver(TOKEN, handler, workers=2)
    app = FastAPI()
    app.mount("/hooks", receiver)
    async with served(app) as url, httpx.AsyncClient(base_url=url) as client:
        for _ in range(3):
            r = await client.post("/hooks/", content=orjson.dumps(MESSAGE), headers=AUTH)
            assert r.status_code == 202
        with anyio.fail_after(10):
            await done.wait()
        # The subscription URL needs the trailing slash: Starlette redirects
        # /hooks to /hooks/, and Workfront does not follow redirects.
        r = await client.post("/hooks", content=orjson.dumps(MESSAGE), headers=AUTH)
        assert r.status_code == 307
        unauthorised = await client.post("/hooks/", content=orjson.dumps(MESSAGE))
        assert unauthorised.status_code == 401
    assert [e.obj_id for e in handled] == ["t9"] * 3
    assert (receiver.received, receiver.handled) == (3, 3)


async def test_mounted_the_servers_graceful_timeout_logs_what_it_cut_off(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Mounted with no lifespan, the requests that answered run the handler;
    # uvicorn cancels them when its --timeout-graceful-shutdown ends, and the
    # receiver says how many acknowledged events that cost.
    release = anyio.Event()  # never set: the handler is stuck

    async def stuck(event: Event) -> None:
        await release.wait()

    receiver = EventReceiver(TOKEN, stuck, workers=2)
    app = FastAPI()
    app.mount("/hooks", receiver)
    with caplog.at_level(logging.WARNING):
        async with (
            served(app, timeout_graceful_shutdown=0.1) as url,
            httpx.AsyncClient(base_url=url) as client,
        ):
            for _ in range(5):
                r = await client.post("/hooks/", content=orjson.dumps(MESSAGE), headers=AUTH)
                assert r.status_code == 202
    [record] = [r for r in caplog.records if r.name == "workfront_async.events"]
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith(
        "stopped with 5 acknowledged events not handled (3 waiting, 2 interrupted in the handler)"
    )
