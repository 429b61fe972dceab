"""The client over real sockets on 127.0.0.1 (uvicorn), with httpx's own pool.

The limiter is acquired before the connection pool, which is sized at least as
large, so hundreds of concurrent calls wait at the limiter, never in the pool:
no ``PoolTimeout`` even with a near-zero pool timeout.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import orjson
import uvicorn

from workfront_async import Retry, Workfront

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class CountingApp:
    """An ASGI Workfront stand-in that records the peak of concurrent requests."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0
        self.total = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "http"
        self.now += 1
        self.total += 1
        self.peak = max(self.peak, self.now)
        try:
            await anyio.lowlevel.checkpoint()  # let other requests pile up on the server
            body = orjson.dumps({"data": {"ID": scope["path"].rsplit("/", 1)[-1]}})
        finally:
            self.now -= 1
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


@contextlib.asynccontextmanager
async def serve() -> AsyncIterator[tuple[CountingApp, str]]:
    app = CountingApp()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", ws="none", http="h11", access_log=False
    )
    srv = uvicorn.Server(config)
    async with anyio.create_task_group() as tg:
        tg.start_soon(srv.serve, [sock])
        while not srv.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
            await anyio.sleep(0.01)
        try:
            yield app, f"http://127.0.0.1:{port}"
        finally:
            srv.should_exit = True
    sock.close()


async def test_no_pool_timeout_and_no_more_than_the_cap() -> None:
    timeout = httpx.Timeout(10.0, pool=0.0001)
    async with (
        serve() as (app, url),
        Workfront(
            url, api_key="loopback-key", max_concurrency=4, timeout=timeout, retry=Retry.none()
        ) as wf,
    ):
        got: list[str] = []

        async def one(i: int) -> None:
            got.append((await wf.get("task", f"T{i}"))["ID"])

        async with anyio.create_task_group() as tg:
            for i in range(60):
                tg.start_soon(one, i)
    assert sorted(got) == sorted(f"T{i}" for i in range(60))
    assert app.total == 60
    assert app.peak <= 4
