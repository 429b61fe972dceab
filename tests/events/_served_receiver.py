"""An ``EventReceiver`` served by uvicorn in a process of its own, for the
stop tests: ``python -m tests.events._served_receiver FD HANDLED OPTIONS``.

The listening socket comes as an inherited file descriptor (bound to
127.0.0.1 by the test). The handler sleeps ``delay`` seconds, as real work
would take, then appends the event's object ID to the file ``HANDLED`` with
one ``write`` per event, which reaches the file even if the process is
killed a moment later. ``OPTIONS`` is a JSON object: ``delay`` and the
receiver's keyword arguments.
"""

from __future__ import annotations

import logging
import os
import socket
import sys

import anyio
import orjson
import uvicorn

from workfront_async.events import Event, EventReceiver

TOKEN = "receiver-secret-token"


def main() -> None:
    fd, handled, options = int(sys.argv[1]), sys.argv[2], orjson.loads(sys.argv[3])
    delay = float(options.pop("delay"))
    out = os.open(handled, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    async def handler(event: Event) -> None:
        await anyio.sleep(delay)
        os.write(out, f"{event.obj_id}\n".encode())

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    receiver = EventReceiver(TOKEN, handler, **options)
    config = uvicorn.Config(
        receiver, log_level="warning", lifespan="on", http="h11", ws="none", access_log=False
    )
    uvicorn.Server(config).run(sockets=[socket.socket(fileno=fd)])


if __name__ == "__main__":
    main()
