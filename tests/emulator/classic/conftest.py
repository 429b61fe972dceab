"""Fixtures for the HTTP-level tests of the embedded Workfront.

The tests send raw requests with httpx (not through the package's client).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from workfront_async.testing import Emulator

BASE = "https://acme.my.workfront.com"
API = "/attask/api/v21.0"


class Api:
    """A thin raw-HTTP helper: every call returns the httpx response."""

    def __init__(self, client: httpx.AsyncClient, key: str) -> None:
        self.client = client
        self.key = key

    async def get(self, path: str, params: Any = None, **kw: Any) -> httpx.Response:
        return await self.client.get(API + path, params=_with_key(params, self.key), **kw)

    async def post(self, path: str, params: Any = None, **kw: Any) -> httpx.Response:
        return await self.client.post(API + path, params=_with_key(params, self.key), **kw)

    async def put(self, path: str, params: Any = None, **kw: Any) -> httpx.Response:
        return await self.client.put(API + path, params=_with_key(params, self.key), **kw)

    async def delete(self, path: str, params: Any = None, **kw: Any) -> httpx.Response:
        return await self.client.delete(API + path, params=_with_key(params, self.key), **kw)

    async def data(self, path: str, params: Any = None) -> Any:
        response = await self.get(path, params)
        assert response.status_code == 200, response.text
        return response.json()["data"]


def _with_key(params: Any, key: str) -> list[tuple[str, str]]:
    items: list[tuple[str, str]]
    if params is None:
        items = []
    elif isinstance(params, dict):
        items = [(k, str(v)) for k, v in params.items()]
    else:
        items = [(k, str(v)) for k, v in params]
    if key:
        items.append(("apiKey", key))
    return items


@pytest.fixture(scope="module")
def demo() -> Emulator:
    """A read-only demo tenant shared by a module's tests (do not write to it)."""
    return Emulator.with_demo_data(seed=7, scale=0.02, max_uri_bytes=None)


@pytest.fixture
def fresh() -> Emulator:
    """A small demo tenant per test, for writes."""
    return Emulator.with_demo_data(seed=3, scale=0.01)


async def _client(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=emu.transport(), base_url=BASE) as client:
        yield client


@pytest.fixture
async def api(demo: Emulator) -> AsyncIterator[Api]:
    async for client in _client(demo):
        yield Api(client, demo.api_key())


@pytest.fixture
async def wapi(fresh: Emulator) -> AsyncIterator[Api]:
    async for client in _client(fresh):
        yield Api(client, fresh.api_key())


@pytest.fixture
async def raw(fresh: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """An unauthenticated client on the fresh tenant."""
    async for client in _client(fresh):
        yield client


# -- a writable tenant per module, for tests that make the objects they write --


@pytest.fixture(scope="module")
def tenant() -> Emulator:
    """One small demo tenant for the module; each test makes the objects it writes."""
    return Emulator.with_demo_data(seed=5, scale=0.01)


@pytest.fixture
async def http(tenant: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=tenant.transport(), base_url=BASE) as client:
        yield client


@pytest.fixture
def wf(http: httpx.AsyncClient, tenant: Emulator) -> Api:
    return Api(http, tenant.api_key())


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    return response.json()["data"]
