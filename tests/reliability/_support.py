"""Shared helpers for the reliability tests: seeded emulators, clients
with zero back-off and a transport that counts what reaches the wire."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import httpx

from workfront_async import Retry, Workfront
from workfront_async.testing import Emulator

BASE = "https://acme.my.workfront.com"


def seeded(tasks: int, *, seed: int = 0, **kwargs: Any) -> Emulator:
    """An emulator with one project and ``tasks`` tasks (fast: no validation)."""
    emu = Emulator(seed=seed, **kwargs)
    project = emu.add("proj", {"name": "Reliability"})
    emu.add_many(
        "task",
        ({"name": f"task {i}", "projectID": project["ID"]} for i in range(tasks)),
        validate=False,
    )
    return emu


def client(emu: Emulator, **kwargs: Any) -> Workfront:
    """A client on the emulator with the default retry policy, back-off zeroed."""
    kwargs.setdefault("api_key", emu.api_key())
    kwargs.setdefault("retry", Retry().without_backoff())
    return Workfront(BASE, transport=emu.transport(), **kwargs)


def ids_of(rows: Iterable[dict[str, Any]]) -> list[str]:
    return [str(r["ID"]) for r in rows]


class Counting(httpx.AsyncBaseTransport):
    """Counts every request that reaches the transport; answers an empty result."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith("/count"):
            return httpx.Response(200, json={"data": {"count": 0}})
        return httpx.Response(200, json={"data": []})
