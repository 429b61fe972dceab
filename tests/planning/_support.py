"""Helpers of the Planning client tests: a recording mock Planning service."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import orjson

from tests.classic.helpers import Recorder as ClientRecorder
from workfront_async import BearerAuth, Planning, Retry

BASE = "https://acme.my.workfront.com"
ROOT = f"{BASE}/maestro/api/v1/"
TOKEN = "ims-t0ken-0123456789abcdef"

Handler = Callable[[httpx.Request], Awaitable[httpx.Response] | httpx.Response]


def ok(body: Any, status: int = 200, **kw: Any) -> httpx.Response:
    return httpx.Response(status, content=orjson.dumps(body), **kw)


def spring_error(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> httpx.Response:
    """An error body in the shape the Planning service sends (see the module
    docstring of ``workfront_async.testing._planning``)."""
    body = {
        "status": status,
        "error": "Bad Request" if status == 400 else "Error",
        "code": code,
        "message": message,
        "path": "/maestro/api/v1/records/search",
        "details": details or {},
    }
    return ok(body, status)


def body_of(request: httpx.Request) -> Any:
    return orjson.loads(request.content)


def path_of(request: httpx.Request) -> str:
    path = request.url.path
    assert path.startswith("/maestro/api/v1/"), path
    return path[len("/maestro/api/v1/") :]


class Recorder(ClientRecorder):
    """The classic tests' recording transport, plus the Planning searches sent."""

    @property
    def searches(self) -> list[Any]:
        return [body_of(r) for r in self.requests if path_of(r) == "records/search"]


def client(recorder: Recorder, **kw: Any) -> Planning:
    kw.setdefault("auth", BearerAuth(TOKEN, ims_org_id="ORG@AdobeOrg"))
    kw.setdefault("retry", Retry().without_backoff())
    kw.setdefault("validate", False)
    return Planning(BASE, transport=recorder.transport(), **kw)


class FakeRecords:
    """A minimal Planning search service over ``n`` records ``rec00000``...,
    honouring offset/limit (records already in ID order)."""

    def __init__(self, n: int, *, max_limit: int = 2000) -> None:
        self.records = [{"id": f"rec{i:05d}", "data": {"n": i}} for i in range(n)]
        self.max_limit = max_limit

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = body_of(request)
        offset, limit = body.get("offset", 0), body.get("limit", 500)
        if limit > 2000:
            return spring_error(400, "INVALID_LIMIT", "limit too large")
        limit = min(limit, self.max_limit)
        page = self.records[offset : offset + limit]
        return ok(
            {
                "records": page,
                "groups": [],
                "totalCount": len(self.records),
                "offset": offset,
                "limit": limit,
            }
        )
