"""The seam between the protocol and the wire: HTTP nodes.

A node sends one HTTP request and returns its status, headers and the whole
body as bytes. Everything that is about the API (auth, retries, deadlines,
redaction, the concurrency limiter, error mapping) lives above it, in
``_core.transport.Sender``, identical for every node; a faster HTTP library is a
swap of node, not a fork of the client (elastic-transport's
``HttpxAsyncHttpNode`` / ``AiohttpHttpNode`` split).

A node raises only ``NodeTimeout`` (the library's own connect/read/pool
timeout fired) or ``NodeError`` (the connection failed or the peer broke the
protocol), each carrying the library's exception as ``__cause__``; the sender
turns them into ``RequestTimeout`` / ``TransportError`` with secrets redacted.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Protocol, runtime_checkable

import attrs

__all__ = [
    "Files",
    "HttpNode",
    "HttpResponse",
    "NodeError",
    "NodeTimeout",
    "SensitiveHeaders",
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
