"""Shared helpers for the client tests: a recording mock Workfront."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

import httpx
import orjson

from workfront_async import Retry, Workfront

BASE = "https://acme.my.workfront.com"
API = f"{BASE}/attask/api/v21.0/"
KEY = "k3y-s3cr3t-0123456789abcdef"

Handler = Callable[[httpx.Request], Awaitable[httpx.Response] | httpx.Response]


def ok(data: Any, status: int = 200, **kw: Any) -> httpx.Response:
    return httpx.Response(status, content=orjson.dumps({"data": data}), **kw)


def err(status: int, message: str, cls: str = "", **kw: Any) -> httpx.Response:
    body: dict[str, Any] = {"message": message}
    if cls:
        body["class"] = cls
    return httpx.Response(status, content=orjson.dumps({"error": body}), **kw)


def is_form(request: httpx.Request) -> bool:
    content_type: str = request.headers.get("content-type", "")
    return content_type.startswith("application/x-www-form-urlencoded")


def params_of(request: httpx.Request) -> list[tuple[str, str]]:
    """Every parameter, from the query string or the form body."""
    query = parse_qsl(request.url.query.decode(), keep_blank_values=True)
    if is_form(request):
        return query + parse_qsl(request.content.decode(), keep_blank_values=True)
    return query


def param(request: httpx.Request, name: str) -> str | None:
    values = [v for k, v in params_of(request) if k == name]
    return values[0] if values else None


def path_of(request: httpx.Request) -> str:
    """The path below the API root."""
    path = request.url.path
    prefix = "/attask/api/v21.0/"
    assert path.startswith(prefix), path
    return path[len(prefix) :]


class Recorder:
    """An httpx.MockTransport that records requests and answers with ``handler``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    async def _handle(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        result = self.handler(request)
        if isinstance(result, httpx.Response):
            return result
        return await result

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def client(recorder: Recorder, **kw: Any) -> Workfront:
    kw.setdefault("api_key", KEY)
    kw.setdefault("retry", Retry().without_backoff())
    return Workfront(BASE, transport=recorder.transport(), **kw)
