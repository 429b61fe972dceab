"""Helpers for the in-process benchmarks: recording and replaying transports."""

from __future__ import annotations

import httpx

__all__ = ["Recorder", "replay_transport"]


class Recorder(httpx.AsyncBaseTransport):
    """Pass requests to ``inner`` and keep every response body by request URL."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.bodies: dict[str, bytes] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        if request.method != "GET":
            raise RuntimeError("the recorder keys bodies by URL: GET requests only")
        self.bodies[str(request.url)] = body
        return httpx.Response(response.status_code, headers=response.headers, content=body)


def replay_transport(bodies: dict[str, bytes]) -> httpx.MockTransport:
    """A transport answering each recorded URL with its pre-encoded body."""
    headers = {"content-type": "application/json;charset=UTF-8"}

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, content=bodies[str(request.url)])

    return httpx.MockTransport(handler)
