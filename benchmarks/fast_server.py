"""A lean stand-in Workfront in its own process, for the over-HTTP sections.

``python -m benchmarks.fast_server --port N --rows R --latency L --cap C [--lazy]``
serves ``/attask/api/v21.0/task/count``, ``/task/search`` and ``/task/<ID>``
(one row, for the single-call section; object codes in any case, as
Workfront takes them: a typed export asks for ``TASK``) from a bare
``asyncio.Protocol`` (no framework, no pure-Python HTTP parser): HTTP/1.1
keep-alive, ``Content-Length`` bodies, each answer held ``L`` seconds by a
timer (not a sleeping task), 429 beyond ``C`` requests in flight (like
Workfront, docs/api-notes.md §1 "Limits"). Pages are encoded before it listens, so a
page costs a dictionary look-up and one ``writelines``; ``--lazy`` encodes on
request instead (for the memory section's millions of rows, where the server
must not hold every page).

Rows are ~420 bytes with nested references (``project``, ``assignedTo``), the
shape of a real task export with ``fields=project:name,assignedTo:name``.
The statuses are task statuses of the demo tenant (``NEW``, ``INP``, ``CPL``,
``PRK``, each three letters like Workfront's), so that the typed client
(``wf.export(Task)``, whose decoder checks enumerated values against the
generated ``TaskStatus``) accepts every row.
The server's own ceiling is measured in every run by a client that reads
bodies without decoding them (``benchmarks.calibration``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from urllib.parse import parse_qsl

import orjson

__all__ = ["ROW_BYTES", "main", "page", "row"]

ROW_BYTES = 420


def row(i: int) -> dict[str, object]:
    """Task ``i`` as a Workfront search returns it with two references expanded."""
    project = i // 500
    user = i % 97
    return {
        "ID": f"{i:032x}",
        "objCode": "TASK",
        "name": f"Task {i} - launch kit",
        "status": ("NEW", "INP", "CPL", "PRK")[i % 4],
        "priority": i % 4,
        "percentComplete": float(i % 100),
        "plannedStartDate": "2023-12-14T16:21:04:394+0000",
        "plannedCompletionDate": "2024-01-23T16:21:04:394+0000",
        "project": {"ID": f"{project:032x}", "name": f"Project {project}", "objCode": "PROJ"},
        "assignedTo": {
            "ID": f"{user:032x}",
            "name": f"User {user}",
            "objCode": "USER",
        },
    }


def page(first: int, limit: int, total: int) -> bytes:
    return orjson.dumps({"data": [row(i) for i in range(first, min(first + limit, total))]})


_BUSY = orjson.dumps(
    {
        "error": {
            "class": "com.attask.common.TooManyRequestsException",
            "message": "Too many concurrent API requests",
        }
    }
)


def _head(status: int, length: int) -> bytes:
    reason = {200: b"OK", 404: b"Not Found", 429: b"Too Many Requests"}[status]
    return (
        b"HTTP/1.1 %d %s\r\nContent-Type: application/json;charset=UTF-8\r\n"
        b"Content-Length: %d\r\n\r\n" % (status, reason, length)
    )


class State:
    def __init__(self, total: int, page_size: int, latency: float, cap: int, lazy: bool) -> None:
        self.total = total
        self.page_size = page_size
        self.latency = latency
        self.cap = cap
        self.in_flight = 0
        self.pages: dict[int, bytes] = (
            {}
            if lazy
            else {first: page(first, page_size, total) for first in range(0, total, page_size)}
        )
        self.count = orjson.dumps({"data": {"count": total}})
        self.one = row(0)

    def answer(self, target: bytes) -> tuple[int, bytes]:
        path, _, query = target.partition(b"?")
        route = path.lower()  # object codes in any case, like Workfront (TASK, task)
        if route.endswith(b"/task/count"):
            return 200, self.count
        if route.endswith(b"/task/search"):
            params = dict(parse_qsl(query.decode("latin-1")))
            first = int(params.get("$$FIRST", "0"))
            limit = int(params.get("$$LIMIT", "100"))
            body = self.pages.get(first) if limit == self.page_size else None
            return 200, body if body is not None else page(first, limit, self.total)
        head, _, obj_id = path.rpartition(b"/")
        if head.lower().endswith(b"/task"):  # one task, with the ID asked for
            return 200, orjson.dumps({"data": {**self.one, "ID": obj_id.decode("latin-1")}})
        return 404, orjson.dumps({"error": {"message": f"no route {path!r}"}})


class Http(asyncio.Protocol):
    """One connection: requests without bodies, answered in order."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.queue: list[tuple[int, bytes] | None] = []  # answers in request order

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            target = head.split(b" ", 2)[1]
            self._request(target)

    def _request(self, target: bytes) -> None:
        state = self.state
        slot = len(self.queue)
        self.queue.append(None)
        if state.in_flight >= state.cap:
            self._ready(slot, 429, _BUSY, counted=False)
            return
        state.in_flight += 1
        status, body = state.answer(target)
        if state.latency:
            asyncio.get_running_loop().call_later(state.latency, self._ready, slot, status, body)
        else:
            self._ready(slot, status, body)

    def _ready(self, slot: int, status: int, body: bytes, counted: bool = True) -> None:
        if counted:
            self.state.in_flight -= 1
        self.queue[slot] = (status, body)
        while self.queue and self.queue[0] is not None:
            done = self.queue.pop(0)
            assert done is not None
            if self.transport is not None:
                self.transport.writelines((_head(done[0], len(done[1])), done[1]))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fast_server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--page-size", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--cap", type=int, default=10)
    parser.add_argument("--lazy", action="store_true", help="encode pages on request")
    args = parser.parse_args(argv)
    state = State(args.rows, args.page_size, args.latency, args.cap, args.lazy)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: Http(state), "127.0.0.1", args.port, backlog=256)
        print(f"Embedded Workfront at http://127.0.0.1:{args.port}", flush=True)
        print("API key: fast-server", flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
