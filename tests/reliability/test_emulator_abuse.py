"""Promise 7: the embedded Workfront survives abuse.

Malformed JSON in ``updates``, unknown object types, thousands of OR levels,
huge bodies, invalid methods and garbage bytes get a Workfront-shaped 4xx
(``{"error": {"class", "message"}}``, docs/api-notes.md §1 Responses), never a 500 or
a hang, and the next normal request is served. Raw httpx requests, in-process
(``emu.transport()``) and over a real socket (``emu.serve()``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx
import pytest

from workfront_async.testing import Emulator

API = "/attask/api/v21.0"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def _form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    return {"content": urlencode(pairs).encode(), "headers": FORM}


def _or_levels(key: str, levels: int, match_at: int) -> dict[str, Any]:
    """A search with ``levels`` OR levels of two filters each; only level
    ``match_at`` matches the one project."""
    pairs = [("apiKey", key), ("method", "GET"), ("fields", "name")]
    for n in range(1, levels + 1):
        name = "Abused" if n == match_at else f"x{n}"
        pairs += [(f"OR:{n}:name", name), (f"OR:{n}:name_Mod", "eq")]
        pairs += [(f"OR:{n}:status", "nope"), (f"OR:{n}:status_Mod", "ne")]
    return _form(pairs)


def abuses(emu: Emulator) -> dict[str, Callable[[], tuple[str, str, dict[str, Any]]]]:
    """Each abuse, built only when called (some bodies are megabytes)."""
    key = emu.api_key()
    huge = "x" * 5_000_000  # a str constant: shared, not copied per case
    return {
        "updates not JSON": lambda: (
            "POST",
            f"{API}/task",
            {"params": {"apiKey": key, "updates": "{no"}},
        ),
        "updates truncated": lambda: (
            "POST",
            f"{API}/task",
            {"params": {"apiKey": key, "updates": "[1,"}},
        ),
        "updates a number": lambda: (
            "POST",
            f"{API}/task",
            {"params": {"apiKey": key, "updates": "7"}},
        ),
        "updates infinity": lambda: (
            "POST",
            f"{API}/task",
            {"params": {"apiKey": key, "updates": '{"name": 1e999}'}},
        ),
        "updates wrong shape": lambda: (
            "PUT",
            f"{API}/task",
            {"params": {"apiKey": key, "updates": '{"name": {"a": [1]}}'}},
        ),
        "updates deeply nested": lambda: (
            "POST",
            f"{API}/task",
            _form([("apiKey", key), ("updates", "[" * 100_000 + "]" * 100_000)]),
        ),
        "bulk of 150": lambda: (
            "PUT",
            f"{API}/proj",
            {
                "params": {
                    "apiKey": key,
                    "method": "POST",
                    "updates": "[" + ",".join(['{"name":"x"}'] * 150) + "]",
                }
            },
        ),
        "unknown object type": lambda: (
            "GET",
            f"{API}/nosuchthing/search",
            {"params": {"apiKey": key}},
        ),
        "unknown type write": lambda: (
            "POST",
            f"{API}/ZZZ",
            {"params": {"apiKey": key, "name": "x"}},
        ),
        "dot-dot path": lambda: ("GET", f"{API}/../../../etc/passwd", {"params": {"apiKey": key}}),
        "undecodable path": lambda: ("GET", f"{API}/task/%ff%fe%00", {"params": {"apiKey": key}}),
        "unknown version": lambda: (
            "GET",
            "/attask/api/v999.0/task/search",
            {"params": {"apiKey": key}},
        ),
        "no endpoint": lambda: ("GET", "/nowhere", {}),
        "300,000 in values": lambda: (
            "POST",
            f"{API}/proj/search",
            _form(
                [("apiKey", key), ("method", "GET"), ("name_Mod", "in")]
                + [("name", f"v{i}") for i in range(300_000)]
            ),
        ),
        "huge form value": lambda: (
            "POST",
            f"{API}/task",
            _form([("apiKey", key), ("updates", '{"name": "' + huge + '", "nope": 1}')]),
        ),
        "huge raw body": lambda: (
            "POST",
            f"{API}/task",
            {"params": {"apiKey": key}, "content": huge},
        ),
        "method BREW": lambda: ("BREW", f"{API}/task/search", {"params": {"apiKey": key}}),
        "method PATCH": lambda: ("PATCH", f"{API}/task/search", {"params": {"apiKey": key}}),
        "override BREW": lambda: (
            "GET",
            f"{API}/task/search",
            {"params": {"apiKey": key, "method": "X"}},
        ),
        "garbage form body": lambda: (
            "POST",
            f"{API}/task/search",
            {"content": b"\xff\xfe\x00garbage\x80=&&==", "headers": FORM},
        ),
        "garbage JSON body": lambda: (
            "POST",
            f"{API}/task",
            {
                "params": {"apiKey": key},
                "content": b"\xff\xfe\x00\x80",
                "headers": {"content-type": "application/json"},
            },
        ),
        "broken multipart": lambda: (
            "POST",
            f"{API}/upload",
            {
                "params": {"apiKey": key},
                "content": b"--x\r\nbroken",
                "headers": {"content-type": "multipart/form-data; boundary=x"},
            },
        ),
        "$$LIMIT garbage": lambda: (
            "GET",
            f"{API}/task/search",
            {"params": {"apiKey": key, "$$LIMIT": "x"}},
        ),
        "$$LIMIT huge": lambda: (
            "GET",
            f"{API}/task/search",
            {"params": {"apiKey": key, "$$LIMIT": "9" * 40}},
        ),
        "filters not JSON": lambda: (
            "GET",
            f"{API}/task/search",
            {"params": {"apiKey": key, "filters": "{"}},
        ),
        "bad modifier": lambda: (
            "GET",
            f"{API}/task/search",
            {"params": {"apiKey": key, "name": "x", "name_Mod": "bogus"}},
        ),
        "depth 6": lambda: (
            "GET",
            f"{API}/task/search",
            {"params": {"apiKey": key, "fields": "a:b:c:d:e:f"}},
        ),
        "NUL apiKey": lambda: ("GET", f"{API}/task/search", {"params": {"apiKey": "\x00" * 1000}}),
        "subscription not JSON": lambda: (
            "POST",
            "/attask/eventsubscription/api/v1/subscriptions",
            {"headers": {"SessionID": emu.issue_token()}, "content": b"{bad"},
        ),
    }


def assert_workfront_shaped_4xx(name: str, response: httpx.Response) -> None:
    assert 400 <= response.status_code < 500, (name, response.status_code, response.text[:300])
    body = response.json()
    error = body["error"]
    assert isinstance(error, dict), (name, body)
    assert error.get("message"), (name, body)
    assert "class" in error, (name, body)


async def assert_still_serving(http: httpx.AsyncClient, emu: Emulator) -> None:
    response = await http.get(f"{API}/proj/search", params={"apiKey": emu.api_key()})
    assert response.status_code == 200
    assert [r["name"] for r in response.json()["data"]] == ["Abused"]


@pytest.fixture(scope="module")
def emu() -> Emulator:
    emulator = Emulator()
    emulator.add("proj", {"name": "Abused"})
    return emulator


@pytest.fixture
async def in_process(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=emu.transport(), base_url="https://acme.my.workfront.com"
    ) as http:
        yield http


NAMES = list(abuses(Emulator()))


@pytest.mark.parametrize("name", NAMES)
async def test_abuse_in_process_gets_a_4xx_and_the_server_keeps_serving(
    name: str, emu: Emulator, in_process: httpx.AsyncClient
) -> None:
    method, url, kwargs = abuses(emu)[name]()
    response = await in_process.request(method, url, **kwargs)
    assert_workfront_shaped_4xx(name, response)
    await assert_still_serving(in_process, emu)
    assert emu.stats.in_flight == 0


async def test_abuse_over_a_real_socket(emu: Emulator) -> None:
    cases = abuses(emu)
    async with (
        emu.serve() as served,
        httpx.AsyncClient(base_url=served.base_url, timeout=60) as http,
    ):
        for name in (
            "updates not JSON",
            "unknown object type",
            "300,000 in values",
            "huge raw body",
            "method BREW",
            "garbage form body",
            "NUL apiKey",
        ):
            method, url, kwargs = cases[name]()
            assert_workfront_shaped_4xx(name, await http.request(method, url, **kwargs))
            await assert_still_serving(http, emu)
        # garbage bytes that are not HTTP at all: the HTTP layer answers 400
        # and closes that connection; the server keeps serving the others
        for garbage in (
            b"\x00\xff\xfe garbage\r\n\r\n",
            b"GET / HTTP/9.9\r\n\r\n",
            b"\r\n" * 50,
        ):
            stream = await anyio.connect_tcp(served.host, served.port)
            async with stream:
                await stream.send(garbage)
                with anyio.fail_after(10):
                    reply = b""
                    try:
                        while b"\r\n" not in reply:
                            reply += await stream.receive()
                    except (anyio.EndOfStream, anyio.BrokenResourceError):
                        pass
            assert reply == b"" or reply.startswith(b"HTTP/1.1 4"), reply[:80]
            await assert_still_serving(http, emu)
        # a client that sends half a request and hangs up
        stream = await anyio.connect_tcp(served.host, served.port)
        async with stream:
            await stream.send(b"POST /attask/api/v21.0/task HTTP/1.1\r\nHost: x\r\n")
            await stream.send(b'Content-Length: 1000\r\n\r\n{"half":')
        await assert_still_serving(http, emu)


@pytest.mark.parametrize(
    "levels", [1_500, 4_000, pytest.param(20_000, marks=pytest.mark.soak, id="soak-20000")]
)
async def test_thousands_of_or_levels_get_the_right_answer(
    levels: int, emu: Emulator, in_process: httpx.AsyncClient
) -> None:
    # a valid query, however long: answered correctly (it used to be a 500
    # from SQLite's expression depth limit of 1000)
    response = await in_process.post(
        f"{API}/proj/search", **_or_levels(emu.api_key(), levels, match_at=levels - 7)
    )
    assert response.status_code == 200, response.text[:300]
    assert [r["name"] for r in response.json()["data"]] == ["Abused"]
    none = await in_process.post(
        f"{API}/proj/search", **_or_levels(emu.api_key(), levels, match_at=0)
    )
    assert none.json() == {"data": []}
    await assert_still_serving(in_process, emu)


@pytest.mark.soak
async def test_many_abuses_in_a_row_then_normal_service(
    emu: Emulator, in_process: httpx.AsyncClient
) -> None:
    # the fast abuses, over and over and concurrently: the server never
    # leaks an in-flight slot and keeps its answers right
    cases = abuses(emu)
    names = [n for n in cases if "300,000" not in n and "huge" not in n and "deeply" not in n]

    async def one(name: str) -> None:
        method, url, kwargs = cases[name]()
        assert_workfront_shaped_4xx(name, await in_process.request(method, url, **kwargs))

    emu.max_concurrency = 10_000
    try:
        for _ in range(20):
            async with anyio.create_task_group() as tg:
                for name in names:
                    tg.start_soon(one, name)
            await assert_still_serving(in_process, emu)
    finally:
        emu.max_concurrency = 10
    assert emu.stats.in_flight == 0
    big = "x" * 50_000_000
    response = await in_process.post(
        f"{API}/task", params={"apiKey": emu.api_key()}, content=big.encode()
    )
    assert_workfront_shaped_4xx("50 MB body", response)
    await assert_still_serving(in_process, emu)
