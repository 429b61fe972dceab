"""The seam between the protocol and the wire: HTTP nodes.

A node sends one HTTP request and returns its status, headers and the whole
body as bytes. Everything that is about the API (auth, retries, deadlines,
redaction, the concurrency limiter, error mapping) lives above it, in
``_transport.Sender``, identical for every node; a faster HTTP library is a
swap of node, not a fork of the client (elastic-transport's
``HttpxAsyncHttpNode`` / ``AiohttpHttpNode`` split).

A node raises only ``NodeTimeout`` (the library's own connect/read/pool
timeout fired) or ``NodeError`` (the connection failed or the peer broke the
protocol), each carrying the library's exception as ``__cause__``; the sender
turns them into ``RequestTimeout`` / ``TransportError`` with secrets redacted.
"""

from __future__ import annotations

import http.cookiejar
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Protocol, runtime_checkable

import attrs
import httpx

__all__ = [
    "HttpNode",
    "HttpResponse",
    "AutoNode",
    "HttpxNode",
    "NodeError",
    "NodeTimeout",
    "Files",
    "SensitiveHeaders",
    "aiohttp_available",
    "make_node",
]

Files = Mapping[str, tuple[str, bytes, str]]
"""A multipart upload: field name -> (file name, content, content type)."""


class SensitiveHeaders:
    """Request headers that may carry credentials (``apiKey``, ``SessionID``,
    ``Authorization``), iterable as ``(name, value)`` pairs but never shown:
    a traceback that captures locals prints ``<N headers>``."""

    __slots__ = ("_pairs",)

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._pairs = tuple(pairs)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)

    def __add__(self, more: Iterable[tuple[str, str]]) -> SensitiveHeaders:
        return SensitiveHeaders((*self._pairs, *more))

    def __repr__(self) -> str:
        return f"<{len(self._pairs)} header(s): {', '.join(n for n, _ in self._pairs)}>"


class NodeError(Exception):
    """The request could not be completed: connection refused or reset, protocol error."""


class NodeTimeout(NodeError):
    """The HTTP library's own timeout (connect, read, write or pool) fired."""


@attrs.frozen(slots=True)
class HttpResponse:
    """What a node returns: status, headers (case-insensitive lookup) and the whole body."""

    status: int
    headers: Mapping[str, str] = attrs.field(repr=False)
    content: bytes = attrs.field(repr=lambda c: f"<{len(c)} bytes>")


@runtime_checkable
class HttpNode(Protocol):
    """Sends one HTTP request and returns the complete response."""

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Iterable[tuple[str, str]] = (),
        content: bytes | None = None,
        files: Files | None = None,
    ) -> HttpResponse:
        """Send one request; raise ``NodeTimeout`` or ``NodeError`` on failure."""
        ...

    async def aclose(self) -> None:
        """Close the connections."""
        ...


def _no_cookies() -> http.cookiejar.CookieJar:
    """A cookie jar that keeps nothing. Workfront's session cookies would
    otherwise be sent back with every later request: a second, invisible
    credential (reads accept a session cookie) that outlives ``logout`` and
    that redaction does not know about."""
    policy = http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
    return http.cookiejar.CookieJar(policy=policy)


def pool_limits(size: float) -> httpx.Limits:
    """Connection-pool limits for ``size`` concurrent requests (``inf``: unbounded)."""
    if math.isinf(size):
        return httpx.Limits(max_connections=None, max_keepalive_connections=None)
    n = max(int(size), 1)
    return httpx.Limits(max_connections=n, max_keepalive_connections=n)


class HttpxNode:
    """The default node, on httpx: takes any httpx async transport (the
    emulator's in-process transport, ``httpx.MockTransport``, respx)."""

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout | None = 60.0,
        pool_size: float = 10,
    ) -> None:
        self.client = httpx.AsyncClient(
            transport=transport,
            limits=pool_limits(pool_size),
            timeout=timeout,
            follow_redirects=False,
            cookies=_no_cookies(),
        )

    def __repr__(self) -> str:
        return "HttpxNode()"

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Iterable[tuple[str, str]] = (),
        content: bytes | None = None,
        files: Files | None = None,
    ) -> HttpResponse:
        request = self.client.build_request(
            method, url, headers=list(headers), content=content, files=files
        )
        try:
            response = await self.client.send(request)
        except httpx.TimeoutException as exc:
            raise NodeTimeout(type(exc).__name__) from exc
        except httpx.HTTPError as exc:
            raise NodeError(f"{type(exc).__name__}: {exc}") from exc
        return HttpResponse(response.status_code, response.headers, response.content)

    async def aclose(self) -> None:
        await self.client.aclose()


def aiohttp_available() -> bool:
    """Whether the fast node's extra (``[fast]``: aiohttp) is installed."""
    import importlib.util

    return importlib.util.find_spec("aiohttp") is not None


class AutoNode:
    """The default node: aiohttp when it is installed and the running event
    loop is asyncio, httpx otherwise (under trio, aiohttp cannot run). The
    choice is made at the first request, in the loop that sends it."""

    def __init__(self, *, timeout: float | httpx.Timeout | None, pool_size: float) -> None:
        self._timeout = timeout
        self._pool_size = pool_size
        self.chosen: HttpNode | None = None

    def __repr__(self) -> str:
        return f"AutoNode({self.chosen!r})"

    def _choose(self) -> HttpNode:
        import sniffio

        if sniffio.current_async_library() == "asyncio" and aiohttp_available():
            from ._aiohttp import AiohttpNode

            return AiohttpNode(timeout=self._timeout, pool_size=self._pool_size)
        return HttpxNode(timeout=self._timeout, pool_size=self._pool_size)

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Iterable[tuple[str, str]] = (),
        content: bytes | None = None,
        files: Files | None = None,
    ) -> HttpResponse:
        node = self.chosen
        if node is None:
            node = self.chosen = self._choose()
        return await node.send(method, url, headers=headers, content=content, files=files)

    async def aclose(self) -> None:
        if self.chosen is not None:
            await self.chosen.aclose()


def make_node(
    http: str | HttpNode,
    *,
    transport: httpx.AsyncBaseTransport | None,
    timeout: float | httpx.Timeout | None,
    pool_size: float,
) -> HttpNode:
    """The node for a client's ``http=`` choice.

    ``"auto"`` (the default) is the fast aiohttp node when ``[fast]`` is
    installed and the loop is asyncio, else httpx; an injected httpx
    ``transport=`` always means httpx, so tests, respx and the in-process
    emulator keep working. ``"httpx"`` and ``"aiohttp"`` force a node; a node
    instance is used as it is."""
    from ._exceptions import QueryError

    if not isinstance(http, str):
        if not isinstance(http, HttpNode):
            raise QueryError(
                f"http= takes 'auto', 'httpx', 'aiohttp' or an HTTP node "
                f"(with send() and aclose()), not {type(http).__name__}"
            )
        if transport is not None:
            raise QueryError("give either transport= (an httpx transport) or an HTTP node")
        return http
    if http == "httpx" or (http == "auto" and transport is not None):
        return HttpxNode(transport=transport, timeout=timeout, pool_size=pool_size)
    if http == "auto":
        return AutoNode(timeout=timeout, pool_size=pool_size)
    if http == "aiohttp":
        if transport is not None:
            raise QueryError(
                "transport= is an httpx transport: use http='httpx' (or 'auto') with it"
            )
        if not aiohttp_available():
            raise ImportError("http='aiohttp' needs aiohttp: pip install 'workfront-async[fast]'")
        from ._aiohttp import AiohttpNode

        return _AsyncioOnly(AiohttpNode(timeout=timeout, pool_size=pool_size))
    raise QueryError(f"http= takes 'auto', 'httpx' or 'aiohttp' (or a node), not {http!r}")


class _AsyncioOnly:
    """Wraps a node that needs asyncio: under another loop it says what to do."""

    def __init__(self, node: HttpNode) -> None:
        self.node = node

    def __repr__(self) -> str:
        return repr(self.node)

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Iterable[tuple[str, str]] = (),
        content: bytes | None = None,
        files: Files | None = None,
    ) -> HttpResponse:
        import sniffio

        library = sniffio.current_async_library()
        if library != "asyncio":
            raise RuntimeError(
                f"http='aiohttp' runs on asyncio only, not {library}: use http='auto' or 'httpx'"
            )
        return await self.node.send(method, url, headers=headers, content=content, files=files)

    async def aclose(self) -> None:
        await self.node.aclose()
