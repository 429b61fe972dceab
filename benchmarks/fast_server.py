"""A stand-in Workfront that costs (almost) no CPU per page, for section 1.

``python -m benchmarks.fast_server --port N --rows R --latency L --cap C``
serves ``/attask/api/v21.0/task/count`` and ``/task/search`` with pages
encoded before it starts listening, sleeping ``L`` per request and answering
429 beyond ``C`` requests in flight (like Workfront). It exists to separate
the client from the emulator: the emulator spends ~15-20 ms of CPU per
2000-row page in its one thread, which serialises ten concurrent requests;
here a page costs well under a millisecond, so what remains is the client,
the loopback and the injected latency.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

import orjson

__all__ = ["main"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
HEADERS = [(b"content-type", b"application/json;charset=UTF-8")]


def _page(first: int, limit: int, total: int) -> bytes:
    rows = [
        {
            "ID": f"{i:032x}",
            "name": f"Task {i}",
            "percentComplete": float(i % 100),
            "plannedCompletionDate": "2024-01-23T16:21:04:394+0000",
            "plannedStartDate": "2023-12-14T16:21:04:394+0000",
            "priority": i % 4,
            "status": "CUR",
            "objCode": "TASK",
        }
        for i in range(first, min(first + limit, total))
    ]
    return orjson.dumps({"data": rows})


class App:
    def __init__(self, total: int, page_size: int, latency: float, cap: int) -> None:
        self.total = total
        self.page_size = page_size
        self.latency = latency
        self.cap = cap
        self.in_flight = 0
        self.pages = {first: _page(first, page_size, total) for first in range(0, total, page_size)}
        self.count = orjson.dumps({"data": {"count": total}})
        self.busy = orjson.dumps(
            {
                "error": {
                    "class": "com.attask.common.TooManyRequestsException",
                    "message": "Too many concurrent API requests",
                }
            }
        )

    def _body(self, path: str, query: bytes) -> tuple[int, bytes]:
        if path.endswith("/task/count"):
            return 200, self.count
        if path.endswith("/task/search"):
            params = dict(parse_qsl(query.decode("latin-1")))
            first = int(params.get("$$FIRST", "0"))
            limit = int(params.get("$$LIMIT", "100"))
            if limit == self.page_size and first in self.pages:
                return 200, self.pages[first]
            return 200, _page(first, limit, self.total)
        return 404, orjson.dumps({"error": {"message": f"no route {path}"}})

    async def __call__(
        self,
        scope: Scope,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] != "http":
            return
        if self.in_flight >= self.cap:
            status, body = 429, self.busy
        else:
            self.in_flight += 1
            try:
                if self.latency:
                    await asyncio.sleep(self.latency)
                status, body = self._body(scope["path"], scope.get("query_string", b""))
            finally:
                self.in_flight -= 1
        await send({"type": "http.response.start", "status": status, "headers": HEADERS})
        await send({"type": "http.response.body", "body": body})


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m benchmarks.fast_server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--page-size", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--cap", type=int, default=10)
    args = parser.parse_args(argv)
    app = App(args.rows, args.page_size, args.latency, args.cap)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)

    async def run() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                task.result()
                return
            await asyncio.sleep(0.01)
        print(f"Embedded Workfront at http://127.0.0.1:{args.port}", flush=True)
        print("API key: fast-server", flush=True)
        await task

    asyncio.run(run())
    return 0


if __name__ == "__main__":
    sys.exit(main())
