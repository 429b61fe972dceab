"""The fast HTTP node, on aiohttp (extra ``[fast]``).

Why aiohttp and not httpx for bulk reads: over a real socket httpx spends
about 2 ms of CPU on a 0.83 MB page in its pure-Python HTTP/1.1 parser (h11)
and the httpcore/anyio layers around it, aiohttp about 0.4 ms in its C
parser; on two cores that is the difference between an export that keeps
ten requests in flight and one that waits on its own CPU (``docs/performance.md``).
A hand-written asyncio protocol was measured a little faster still, but
would have to re-implement TLS, chunked bodies, keep-alive and every fault
path that aiohttp already gets right; the node seam lets it replace this one
later without touching the sender.

aiohttp is asyncio-only: under trio ``auto`` selection falls back to httpx
(``_core.transport.make_node``); asking for ``http="aiohttp"`` under trio is an error
that says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from ._base import (
    ACCEPT_ENCODING,
    DEFAULT_MAX_ANSWER_BYTES,
    BodyReader,
    Files,
    HttpResponse,
    NodeError,
    NodeTimeout,
)

try:
    import aiohttp
    import yarl
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError(
        "the aiohttp HTTP node needs aiohttp: pip install 'workfront-async[fast]'"
    ) from exc

__all__ = ["AiohttpNode"]

# A page of 2000 rows is ~0.8 MB: read it in large chunks, not aiohttp's 64 KiB default.
_READ_BUFSIZE = 1 << 20


def _client_timeout(timeout: float | httpx.Timeout | None) -> aiohttp.ClientTimeout:
    """httpx's connect and read timeouts, per socket operation. aiohttp has no
    pool timeout of its own (its ``connect`` would also count the time to open
    the connection): the pool is sized at the limiter's cap, so nobody waits
    for it, and the whole call is bounded above the node by the sender's deadline."""
    if timeout is None:
        return aiohttp.ClientTimeout(total=None, connect=None, sock_connect=None, sock_read=None)
    if isinstance(timeout, httpx.Timeout):
        return aiohttp.ClientTimeout(
            total=None, connect=None, sock_connect=timeout.connect, sock_read=timeout.read
        )
    return aiohttp.ClientTimeout(total=None, connect=None, sock_connect=timeout, sock_read=timeout)


class AiohttpNode:
    """Sends each request through one ``aiohttp.ClientSession``, made lazily
    in the running event loop (a client may be built outside one).

    The body is read raw (``auto_decompress=False``) and inflated by
    ``BodyReader`` under ``max_answer_bytes``, as in the httpx node."""

    def __init__(
        self,
        *,
        timeout: float | httpx.Timeout | None = 60.0,
        pool_size: float = 10,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    ) -> None:
        self.max_answer_bytes = max_answer_bytes
        self._timeout = _client_timeout(timeout)
        # 0 is aiohttp's "unbounded"; otherwise the pool is sized at the limiter's cap.
        self._limit = 0 if pool_size == float("inf") else max(int(pool_size), 1)
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    def __repr__(self) -> str:
        return "AiohttpNode()"

    def _open(self) -> aiohttp.ClientSession:
        if self._closed:
            raise NodeError("this HTTP node is closed")
        session = self._session
        if session is None:
            connector = aiohttp.TCPConnector(limit=self._limit, limit_per_host=0)
            session = aiohttp.ClientSession(
                connector=connector,
                timeout=self._timeout,
                # Keep nothing: a session cookie would be a second, unredacted credential.
                cookie_jar=aiohttp.DummyCookieJar(),
                headers={"Accept-Encoding": ACCEPT_ENCODING},
                auto_decompress=False,
                read_bufsize=_READ_BUFSIZE,
                raise_for_status=False,
            )
            # aiohttp resends an idempotent request once by itself when a
            # connection drops; retries belong to the sender alone (one policy,
            # one count, one deadline), so that is switched off.
            if hasattr(session, "_retry_connection"):
                session._retry_connection = False
            self._session = session
        return session

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Iterable[tuple[str, str]] = (),
        content: bytes | None = None,
        files: Files | None = None,
    ) -> HttpResponse:
        session = self._open()
        data: Any = content
        # Send the same header set as the httpx node: no invented Content-Type
        # for a bare body (multipart sets its own, with the boundary).
        skip: tuple[str, ...] = ("Content-Type",)
        if files is not None:
            skip = ()
            form = aiohttp.FormData()
            for field, (filename, body, content_type) in files.items():
                form.add_field(field, body, filename=filename, content_type=content_type)
            data = form
        try:
            # encoded=True: the sender already percent-encoded the query; yarl
            # must not re-quote it (the wire must match the httpx node's).
            async with session.request(
                method,
                yarl.URL(url, encoded=True),
                headers=list(headers),
                data=data,
                allow_redirects=False,
                skip_auto_headers=skip,
            ) as response:
                reader = BodyReader(response.status, response.headers, self.max_answer_bytes)
                async for raw in response.content.iter_chunked(_READ_BUFSIZE):
                    reader.feed(raw)
                # Leaving the block early (an answer cut at the bound) drops the connection.
                return HttpResponse(response.status, response.headers, reader.finish())
        except TimeoutError as exc:  # aiohttp's connect and socket-read timeouts
            raise NodeTimeout(type(exc).__name__) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise NodeError(f"{type(exc).__name__}: {exc}") from exc

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None:
            await session.close()
