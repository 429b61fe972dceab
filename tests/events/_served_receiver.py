"""An ``EventReceiver`` served by uvicorn in a process of its own, for the
stop tests: ``python -m tests.events._served_receiver FD HANDLED OPTIONS``.

The listening socket comes as an inherited file descriptor (bound to
127.0.0.1 by the test). The handler sleeps ``delay`` seconds, as real work
would take, then appends ``<object ID> <delivery ID>`` to the file
``HANDLED`` with one ``write`` per event, which reaches the file even if the
process is killed a moment later.

``OPTIONS`` is a JSON object: ``delay``; ``hold``, a number of events the
server must have answered ``202`` before any handler starts, so that a
backlog of that many is waiting (as after a burst) whatever the speed of the
machine; ``kill_after``, an object ID after whose handling the process kills
itself with ``SIGKILL`` (before the receiver can note that the handler
finished); ``fastapi``, to serve the receiver as docs/receiver.md shows it in
FastAPI (mounted at ``/hooks/``, its workers in the app's lifespan, a
``/prestop`` route that drains); and the receiver's keyword arguments.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import orjson
import uvicorn

from workfront_async.events import Event, EventReceiver

TOKEN = "receiver-secret-token"


def fastapi_app(receiver: EventReceiver) -> Any:
    from fastapi import FastAPI

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with receiver.running():
            yield

    app = FastAPI(lifespan=lifespan)
    app.mount("/hooks", receiver)

    @app.get("/prestop")
    async def prestop() -> dict[str, int]:
        return {"not_handled": await receiver.drain()}

    return app


class Gate:
    """Counts the 202 answers the app sends; open from the ``hold``-th on."""

    def __init__(self, app: Any, hold: int) -> None:
        self.app = app
        self.hold = hold
        self.answered = 0
        self.opened = anyio.Event()
        if hold <= 0:
            self.opened.set()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def counting(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] == 202:
                self.answered += 1
                if self.answered >= self.hold:
                    self.opened.set()
            await send(message)

        await self.app(scope, receive, counting)


def main() -> None:
    fd, handled, options = int(sys.argv[1]), sys.argv[2], orjson.loads(sys.argv[3])
    delay = float(options.pop("delay"))
    hold = int(options.pop("hold", 0))
    kill_after = options.pop("kill_after", None)
    use_fastapi = options.pop("fastapi", False)
    out = os.open(handled, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    async def handler(event: Event) -> None:
        await gate.opened.wait()
        await anyio.sleep(delay)
        os.write(out, f"{event.obj_id} {event.delivery_id}\n".encode())
        if event.obj_id == kill_after:
            os.kill(os.getpid(), signal.SIGKILL)

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    receiver = EventReceiver(TOKEN, handler, **options)
    gate = Gate(fastapi_app(receiver) if use_fastapi else receiver, hold)
    config = uvicorn.Config(
        gate, log_level="warning", lifespan="on", http="h11", ws="none", access_log=False
    )
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])


if __name__ == "__main__":
    main()
