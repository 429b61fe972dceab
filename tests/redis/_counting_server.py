"""A real HTTP server on 127.0.0.1 that counts the requests it is answering.

It stands for Workfront's side of the cap: a request is in flight from the
moment its head has arrived until its answer is written, whoever sent it.
Every request is answered ``{"data": {"count": 1}}`` (what ``wf.count(...)``
reads) after ``delay`` seconds, over keep-alive HTTP/1.1 connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

_BODY = b'{"data": {"count": 1}}'
_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    b"Content-Length: " + str(len(_BODY)).encode() + b"\r\n\r\n" + _BODY
)


class CountingServer:
    """``in_flight`` now, ``max_in_flight`` since the last ``reset()``, ``answered``
    in all; ``peaks`` lists (seconds since start, in flight) at each new maximum,
    ``marks`` (seconds since start, label) what the test noted with ``mark``."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.in_flight = 0
        self.max_in_flight = 0
        self.answered = 0
        self.peaks: list[tuple[float, int]] = []
        self.marks: list[tuple[float, str]] = []
        self.port = 0
        self._started = time.monotonic()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tenant(self) -> str:
        """What the client names the tenant of ``base_url``: its host and port."""
        return f"127.0.0.1:{self.port}"

    def _elapsed(self) -> float:
        return round(time.monotonic() - self._started, 3)

    def mark(self, label: str) -> None:
        self.marks.append((self._elapsed(), label))

    def reset(self) -> None:
        self.max_in_flight = self.in_flight
        self.peaks = []

    @contextlib.asynccontextmanager
    async def serve(self) -> AsyncIterator[CountingServer]:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        self._started = time.monotonic()
        try:
            yield self
        finally:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            await self._server.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if length:
                    await reader.readexactly(length)
                self.in_flight += 1
                if self.in_flight > self.max_in_flight:
                    self.max_in_flight = self.in_flight
                    self.peaks.append((self._elapsed(), self.in_flight))
                try:
                    await asyncio.sleep(self.delay)
                finally:
                    self.in_flight -= 1
                writer.write(_ANSWER)
                await writer.drain()
                self.answered += 1
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass  # the client went away
        finally:
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
