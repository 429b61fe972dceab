"""The default HTTP node, on httpx: takes any httpx async transport."""

from __future__ import annotations

import http.cookiejar
import math
from collections.abc import Iterable

import httpx

from ._base import (
    ACCEPT_ENCODING,
    DEFAULT_MAX_ANSWER_BYTES,
    AnswerTooLarge,
    BodyReader,
    Files,
    HttpResponse,
    NodeError,
    NodeTimeout,
)

__all__ = ["HttpxNode", "pool_limits"]


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
    emulator's in-process transport, ``httpx.MockTransport``, respx).

    The body is streamed raw and inflated by ``BodyReader`` under
    ``max_answer_bytes``, not by httpx (whose decoder inflates each network
    read whole)."""

    def __init__(
        self,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout | None = 60.0,
        pool_size: float = 10,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    ) -> None:
        self.max_answer_bytes = max_answer_bytes
        self.client = httpx.AsyncClient(
            transport=transport,
            limits=pool_limits(pool_size),
            timeout=timeout,
            follow_redirects=False,
            cookies=_no_cookies(),
            headers={"Accept-Encoding": ACCEPT_ENCODING},
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
            response = await self.client.send(request, stream=True)
            try:
                if response.is_stream_consumed:
                    # An in-memory answer (``httpx.Response(content=...)`` from a
                    # mock transport or the emulator): httpx has read it already.
                    body = response.content
                    if len(body) > self.max_answer_bytes:
                        raise AnswerTooLarge(
                            response.status_code, self.max_answer_bytes, body[:200]
                        )
                else:
                    reader = BodyReader(
                        response.status_code, response.headers, self.max_answer_bytes
                    )
                    async for raw in response.aiter_raw():
                        reader.feed(raw)
                    body = reader.finish()
            finally:
                # Unread (an answer cut at the bound): the connection is dropped.
                await response.aclose()
        except httpx.TimeoutException as exc:
            raise NodeTimeout(type(exc).__name__) from exc
        except httpx.HTTPError as exc:
            raise NodeError(f"{type(exc).__name__}: {exc}") from exc
        return HttpResponse(response.status_code, response.headers, body)

    async def aclose(self) -> None:
        await self.client.aclose()
