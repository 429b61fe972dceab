"""The same behaviour over every HTTP node, against a real loopback server.

Auth, retries, deadlines, redaction, the limiter and error mapping live in the
sender, above the node: these tests check that each node (httpx, aiohttp)
puts the same bytes on the wire and turns every fault into the same error.
docs/api-notes.md §1 "Limits" (the concurrent-request cap, 429), §1 "Responses"
(a truncated body must raise a clear error).
"""

from __future__ import annotations

import contextlib
import logging
import math
import traceback
from collections.abc import Iterator

import anyio
import pytest

from workfront_async import Q, RequestTimeout, Retry, TransportError, Workfront

from ._server import ScriptedServer, serve

NODES = ["httpx", "aiohttp"]
KEY = "s3cr3t-" + "k" * 25
GUARD = 30.0  # turns a hang into a failure; not a timing assertion


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    yield from serve()


@pytest.fixture(params=NODES)
def node(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def client(server: ScriptedServer, node: str, **kwargs: object) -> Workfront:
    kwargs.setdefault("retry", Retry().without_backoff())
    return Workfront(server.url, api_key=KEY, http=node, **kwargs)  # type: ignore[arg-type]


def _chosen(wf: Workfront) -> str:
    return type(wf._sender.node).__name__ + repr(wf._sender.node)


# -- wire format -----------------------------------------------------------------------


async def test_both_nodes_put_the_same_request_on_the_wire(server: ScriptedServer) -> None:
    # docs/api-notes.md §1 "Search": filters and wildcards travel in the query string.
    odd = "a b&c=d+é/%25?#"
    targets = {}
    bodies = {}
    for node in NODES:
        async with client(server, node) as wf:
            await wf.search("task", Q.name == odd).limit(5).all()
            await wf.upload("report.txt", b"\x00binary\xff")
        search, upload = server.requests[-2:]
        targets[node] = search.target
        bodies[node] = upload
        assert search.method == "GET"
        assert ("name", odd) in search.params
        assert search.header("apiKey") == KEY or ("apiKey", KEY) in search.params
        assert search.header("cookie") is None
        assert upload.method == "POST"
        content_type = upload.header("content-type") or ""
        assert content_type.startswith("multipart/form-data; boundary=")
        assert b'name="uploadedFile"' in upload.body
        assert b'filename="report.txt"' in upload.body
        assert b"\x00binary\xff" in upload.body
    assert targets["httpx"] == targets["aiohttp"]


async def test_keep_alive_reuses_connections(server: ScriptedServer, node: str) -> None:
    async with client(server, node, max_concurrency=1) as wf:
        for i in range(20):
            await wf.get("task", f"ID{i}")
    assert server.connections == 1


async def test_auto_picks_aiohttp_on_asyncio_and_httpx_with_a_transport(
    server: ScriptedServer,
) -> None:
    import httpx

    async with Workfront(server.url, api_key=KEY) as wf:
        await wf.get("task", "ID1")
        assert "AiohttpNode" in _chosen(wf)
    transport = httpx.AsyncHTTPTransport()
    async with Workfront(server.url, api_key=KEY, transport=transport) as wf:
        await wf.get("task", "ID1")
        assert type(wf._sender.node).__name__ == "HttpxNode"


async def test_chunked_bodies_are_read_whole_on_a_kept_connection(
    server: ScriptedServer, node: str
) -> None:
    async with client(server, node, max_concurrency=1) as wf:
        for i in range(3):
            row = await wf.get("chunked", f"ID{i}")
            assert row["ID"] == f"ID{i}"
            assert row["pad"] == "x" * 5000
    assert server.connections == 1


# -- faults ----------------------------------------------------------------------------


@pytest.mark.parametrize("script", ["reset", "truncated", "unavailable", "busy"])
async def test_a_transient_fault_is_retried_once(
    server: ScriptedServer, node: str, script: str
) -> None:
    async with client(server, node) as wf:
        row = await wf.get(script, "ID7")
    assert row == {"ID": "ID7", "objCode": script}
    assert server.hits[script] == 2
    assert wf.limiter.borrowed_tokens == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("script", ["resetalways", "truncatedalways"])
async def test_a_lasting_fault_is_a_transport_error(
    server: ScriptedServer, node: str, script: str
) -> None:
    async with client(server, node, retry=Retry(attempts=2).without_backoff()) as wf:
        with pytest.raises(TransportError) as info:
            await wf.get(script, "ID7")
    assert server.hits[script] == 2
    assert info.value.method == "GET"
    assert wf.limiter.borrowed_tokens == 0  # type: ignore[attr-defined]


async def test_a_refused_connection_is_a_transport_error_without_the_key(node: str) -> None:
    with anyio.fail_after(GUARD):
        async with Workfront(
            "http://127.0.0.1:9",
            api_key=KEY,
            http=node,
            retry=Retry(attempts=1),
        ) as wf:
            with pytest.raises(TransportError) as info:
                await wf.search("task", Q.name == "x").all()
    text = "".join(traceback.format_exception(info.value)) + repr(info.value)
    assert KEY not in text


# -- redaction -------------------------------------------------------------------------


async def test_no_secret_in_errors_or_debug_logs(
    server: ScriptedServer, node: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with client(server, node, retry=Retry(attempts=2).without_backoff()) as wf:
        with pytest.raises(TransportError) as info:
            await wf.get("truncatedalways", "ID1")
        await wf.get("task", "ID1")
    chain = "".join(traceback.format_exception(info.value))
    assert "truncatedalways" in chain  # the URL is shown, redacted
    assert KEY not in chain
    assert KEY not in repr(info.value)
    for record in caplog.records:
        assert KEY not in record.getMessage()


async def test_session_cookies_are_never_sent_back(server: ScriptedServer, node: str) -> None:
    # A cookie would be a second credential that redaction does not know about.
    async with client(server, node) as wf:
        for i in range(3):
            await wf.get("cookie", f"ID{i}")
    sent = [r.header("cookie") for r in server.requests]
    assert sent == [None, None, None]


# -- cancellation and the cap ----------------------------------------------------------


async def test_cancelling_a_hung_call_leaves_no_slot_or_stuck_connection(
    server: ScriptedServer, node: str
) -> None:
    async with client(server, node, max_concurrency=1) as wf:
        with anyio.fail_after(GUARD):
            async with anyio.create_task_group() as tg:
                tg.start_soon(wf.get, "hang", "ID1")
                while server.hits.get("hang", 0) == 0:  # noqa: ASYNC110 - a thread's counter
                    await anyio.sleep(0.005)
                tg.cancel_scope.cancel()
            assert wf.limiter.borrowed_tokens == 0  # type: ignore[attr-defined]
            # One slot, pool of one: a connection left checked out would block this.
            assert await wf.get("task", "ID2") == {"ID": "ID2", "objCode": "task"}


async def test_an_export_never_passes_the_cap(server: ScriptedServer, node: str) -> None:
    server.rows = 3_000
    server.cap = 4
    wf = client(server, node, max_concurrency=4)
    async with wf, wf.export("task", page_size=100) as rows:
        ids = [row["ID"] async for row in rows]
    assert len(ids) == len(set(ids)) == 3_000
    assert 1 < server.max_in_flight <= 4


async def test_an_export_keeps_its_requests_to_its_workers(
    server: ScriptedServer, node: str
) -> None:
    # An export runs a couple of page loops beyond its workers, waiting for a
    # slot so that the next request goes out before an answer is decoded. Under
    # a limiter without a cap its workers (10) still bound its requests in
    # flight, and a stalled consumer stops it after a bounded number of pages.
    server.rows = 6_000
    server.search_seconds = 0.05  # every request overlaps all the others
    unbounded = anyio.CapacityLimiter(math.inf)
    async with client(server, node, limiter=unbounded) as wf:
        async with wf.export("task", page_size=100) as rows:
            ids = [row["ID"] async for row in rows]
        assert len(ids) == len(set(ids)) == 6_000
        assert 5 <= server.max_in_flight <= 10

        server.requests.clear()
        async with wf.export("task", page_size=100) as stalled:
            pages = stalled.pages()
            await anext(pages)
            for _ in range(200):  # the consumer does not come back
                await anyio.sleep(0.001)
            searches = [r for r in server.requests if r.path.endswith("/search")]
            assert len(searches) <= 10 + 2 + 1  # workers, loops on standby, the one taken


# -- the deadline ----------------------------------------------------------------------


async def test_a_trickling_body_cannot_keep_a_call_past_its_deadline(
    server: ScriptedServer, node: str
) -> None:
    retry = Retry(attempts=2, deadline=1.0, backoff_base=0.0)
    async with client(server, node, timeout=3, retry=retry) as wf:
        with anyio.fail_after(GUARD), pytest.raises(RequestTimeout) as info:
            await wf.get("trickle", "ID1")
    assert "deadline" in str(info.value)
    assert wf.limiter.borrowed_tokens == 0  # type: ignore[attr-defined]


def test_aiohttp_under_trio_is_refused_with_advice(server: ScriptedServer) -> None:
    import trio

    async def main() -> str:
        async with client(server, "aiohttp") as wf:
            with pytest.raises(RuntimeError, match="asyncio only"):
                await wf.get("task", "ID1")
        async with client(server, "auto") as wf:
            await wf.get("task", "ID1")
            return _chosen(wf)

    assert "HttpxNode" in trio.run(main)


# -- choosing the node -----------------------------------------------------------------


@pytest.mark.parametrize("bad", ["requests", 42])
def test_a_bad_http_choice_is_a_clear_error(bad: object) -> None:
    from workfront_async import BearerAuth, Planning, QueryError

    with pytest.raises(QueryError, match="http= takes 'auto', 'httpx'"):
        Workfront("https://acme.my.workfront.com", api_key=KEY, http=bad)  # type: ignore[arg-type]
    with pytest.raises(QueryError, match="http= takes 'auto', 'httpx'"):
        Planning(
            "https://acme.my.workfront.com",
            auth=BearerAuth("t" * 20, ims_org_id="org@AdobeOrg"),
            http=bad,  # type: ignore[arg-type]
        )


def test_an_httpx_transport_with_the_aiohttp_node_is_refused() -> None:
    import httpx

    from workfront_async import QueryError

    with pytest.raises(QueryError, match="httpx transport"):
        Workfront(
            "https://acme.my.workfront.com",
            api_key=KEY,
            http="aiohttp",
            transport=httpx.AsyncHTTPTransport(),
        )


async def test_a_node_instance_carries_every_request(server: ScriptedServer) -> None:
    from workfront_async._nodes import HttpResponse, HttpxNode

    class Counting:
        def __init__(self) -> None:
            self.inner = HttpxNode()
            self.sent = 0

        async def send(self, method: str, url: str, **kwargs: object) -> HttpResponse:
            self.sent += 1
            return await self.inner.send(method, url, **kwargs)  # type: ignore[arg-type]

        async def aclose(self) -> None:
            await self.inner.aclose()

    node = Counting()
    async with Workfront(server.url, api_key=KEY, http=node) as wf:  # type: ignore[arg-type]
        await wf.get("task", "ID1")
        await wf.count("task")
    assert node.sent == 2


async def test_planning_takes_the_same_choice(server: ScriptedServer, node: str) -> None:
    from workfront_async import BearerAuth, Planning

    planning = Planning(server.url, auth=BearerAuth("t" * 20, ims_org_id="org@AdobeOrg"), http=node)
    async with planning:
        with contextlib.suppress(Exception):  # the scripted server is no Planning API
            await planning.workspaces.get("WS1")
    request = server.requests[-1]
    assert request.header("authorization") == "Bearer " + "t" * 20
