"""``Retry.deadline`` bounds a whole call, body included, over a real socket.

A server that answers its headers at once and then trickles the body one byte
at a time never trips httpx's read timeout (each read gets a byte in time), so
only a bound on the whole exchange can end the call. The guard ``fail_after``
is far above the deadline: it turns a hang into a failure instead of a stuck
suite, and is not a timing assertion.
"""

from __future__ import annotations

import socketserver
import threading
import time
from collections.abc import Iterator

import anyio
import pytest

from workfront_async import RequestTimeout, Retry, Workfront

GUARD = 30.0


class _Trickle(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        body = b'{"data": [' + b" " * 100_000 + b"]}"
        try:
            self.request.recv(65536)  # the request (small enough for one read)
            self.request.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
            )
            for i in range(len(body)):
                if self.server.stopping.is_set():  # type: ignore[attr-defined]
                    return
                self.request.sendall(body[i : i + 1])
                time.sleep(0.05)
        except OSError:  # the client gave up: that is the point
            pass


@pytest.fixture
def trickling_url() -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Trickle)
    server.daemon_threads = True
    server.stopping = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.stopping.set()  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()
        thread.join()


async def test_a_trickling_body_cannot_keep_a_call_past_its_deadline(trickling_url: str) -> None:
    retry = Retry(attempts=2, deadline=1.0, backoff_base=0.0)
    async with Workfront(trickling_url, api_key="k" * 32, timeout=3, retry=retry) as wf:
        with anyio.fail_after(GUARD), pytest.raises(RequestTimeout) as info:
            await wf.count("task")
    assert "deadline" in str(info.value)
    assert wf.limiter.borrowed_tokens == 0  # type: ignore[attr-defined]


async def test_an_export_through_a_trickling_server_fails_within_its_deadline(
    trickling_url: str,
) -> None:
    retry = Retry(attempts=3, deadline=1.0, backoff_base=0.0)
    async with Workfront(trickling_url, api_key="k" * 32, timeout=3, retry=retry) as wf:

        async def drain() -> None:
            async with wf.export("task", page_size=100) as rows:
                async for _ in rows:
                    pass

        with anyio.fail_after(GUARD), pytest.raises(RequestTimeout):
            await drain()
