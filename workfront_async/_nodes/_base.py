"""The seam between the protocol and the wire: HTTP nodes.

A node sends one HTTP request and returns its status, headers and the whole
body as bytes. Everything that is about the API (auth, retries, deadlines,
redaction, the concurrency limiter, error mapping) lives above it, in
``_core.transport.Sender``, identical for every node; a faster HTTP library is a
swap of node, not a fork of the client (elastic-transport's
``HttpxAsyncHttpNode`` / ``AiohttpHttpNode`` split).

A node raises only ``NodeTimeout`` (the library's own connect/read/pool
timeout fired), ``AnswerTooLarge`` (the decoded body passed the node's bound)
or ``NodeError`` (the connection failed or the peer broke the protocol), each
carrying the library's exception as ``__cause__`` where there is one; the
sender turns them into ``RequestTimeout`` / ``ResponseError`` /
``TransportError`` with secrets redacted.

One answer's size is bounded while it is read: both nodes stream the body
through a ``BodyReader``, which inflates ``gzip`` and ``deflate`` itself,
never producing more than the bytes still allowed, and stops at the first
byte past the bound. A 1 MB body that inflates to 1 GiB therefore costs about
the bound in memory, not the gigabyte (the HTTP libraries' own decoders
inflate a whole network read at once, up to a thousand times its size).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Final, Protocol, runtime_checkable

import attrs

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_MAX_ANSWER_BYTES",
    "AnswerTooLarge",
    "BodyReader",
    "Files",
    "HttpNode",
    "HttpResponse",
    "NodeError",
    "NodeTimeout",
    "SensitiveHeaders",
]

DEFAULT_MAX_ANSWER_BYTES: Final = 256 * 2**20
"""The default bound on one answer's decoded body: a 2000-row page of wide
rows is a few MB, so this is far above any page and far below the memory a
bomb would take."""

ACCEPT_ENCODING: Final = "gzip, deflate"
"""The content codings both nodes ask for: exactly those ``BodyReader`` inflates."""

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


class AnswerTooLarge(NodeError):
    """The answer's decoded body passed ``limit`` bytes; reading stopped there
    and the connection was dropped. ``start`` holds its first decoded bytes."""

    def __init__(self, status: int, limit: int, start: bytes = b"") -> None:
        super().__init__(f"the decoded answer passed {limit:,} bytes")
        self.status = status
        self.limit = limit
        self.start = start


class _Inflater:
    """One ``gzip`` or ``deflate`` layer, inflated at most ``room + 1`` bytes
    per call, so that a bomb never takes more than the bound."""

    __slots__ = ("_fallback", "_z", "fed")

    def __init__(self, coding: str) -> None:
        # gzip: a gzip header; deflate: the zlib format, or (as some servers
        # send it) raw deflate, tried when the first bytes are not zlib.
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16 if coding == "gzip" else zlib.MAX_WBITS)
        self._fallback = coding == "deflate"
        self.fed = False

    def inflate(self, data: bytes, room: int) -> bytes:
        """At most ``room + 1`` bytes of output: more than ``room`` means past the bound
        (what input is left then is dropped with the answer)."""
        if not data:
            return b""
        first, self.fed = not self.fed, True
        try:
            out = self._z.decompress(data, room + 1)
        except zlib.error:
            if not (first and self._fallback):
                raise
            self._fallback = False
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._z.decompress(data, room + 1)
        # Short of room + 1 bytes, zlib has taken all of ``data`` (it stops only
        # at the output limit or the end of the input); at room + 1 the caller
        # raises, and the input left in ``unconsumed_tail`` goes with the answer.
        return out

    def finish(self) -> bytes:
        """What is left; a stream cut before its end is an error (a truncated answer)."""
        rest = self._z.flush()
        if self.fed and not self._z.eof:
            raise zlib.error("the compressed stream ended before its end")
        return rest


def _joined(headers: Mapping[str, str], name: str) -> str:
    """Every value of a header, comma-joined (a header may be sent on several lines)."""
    for many in ("getall", "get_list"):  # aiohttp's multidict, httpx's Headers
        values = getattr(headers, many, None)
        if callable(values):
            return ", ".join(values(name, []) if many == "getall" else values(name))
    return headers.get(name, "")


class BodyReader:
    """Collects one answer's body as its raw bytes arrive (``feed``), inflating
    ``gzip``/``deflate`` (``Content-Encoding``, layers in any order) and
    raising ``AnswerTooLarge`` at the first decoded byte past ``limit``. An
    uncompressed body whose ``Content-Length`` already says it is too large
    is refused before a byte of it is read."""

    __slots__ = ("_chunks", "_layers", "_limit", "_size", "_status")

    def __init__(self, status: int, headers: Mapping[str, str], limit: int) -> None:
        self._status = status
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        codings = [c.strip().lower() for c in _joined(headers, "content-encoding").split(",")]
        self._layers: list[_Inflater] = []
        for coding in reversed(codings):  # the last coding applied is the first undone
            if coding in ("", "identity"):
                continue
            if coding in ("x-gzip", "gzip"):
                self._layers.append(_Inflater("gzip"))
            elif coding == "deflate":
                self._layers.append(_Inflater("deflate"))
            else:
                raise NodeError(
                    f"the answer has Content-Encoding {coding!r}, which was not asked for "
                    f"(Accept-Encoding: {ACCEPT_ENCODING})"
                )
        if not self._layers:
            length = headers.get("content-length", "")
            if length.strip().isdigit() and int(length) > limit:
                raise AnswerTooLarge(status, limit)

    def feed(self, raw: bytes) -> None:
        """Add the next raw bytes of the body."""
        data = raw
        try:
            for layer in self._layers:
                data = layer.inflate(data, self._limit - self._size)
        except zlib.error as exc:
            raise NodeError(f"the answer's compressed body is corrupt: {exc}") from exc
        self._keep(data)

    def finish(self) -> bytes:
        """The whole decoded body, once the raw body has ended."""
        try:
            for i, layer in enumerate(self._layers):
                data = layer.finish()
                for later in self._layers[i + 1 :]:
                    data = later.inflate(data, self._limit - self._size)
                self._keep(data)
        except zlib.error as exc:
            raise NodeError(f"the answer's compressed body is corrupt: {exc}") from exc
        return self._chunks[0] if len(self._chunks) == 1 else b"".join(self._chunks)

    def _keep(self, data: bytes) -> None:
        if not data:
            return
        self._size += len(data)
        if self._size > self._limit:
            first = self._chunks[0] if self._chunks else data
            self._chunks.clear()
            raise AnswerTooLarge(self._status, self._limit, first[:200])
        self._chunks.append(data)


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
        """Send one request; raise ``NodeTimeout``, ``AnswerTooLarge`` or ``NodeError``
        on failure."""
        ...

    async def aclose(self) -> None:
        """Close the connections."""
        ...
