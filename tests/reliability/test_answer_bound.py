"""One answer cannot take all memory: ``max_answer_bytes`` bounds an answer's
decoded size while it is read, on every HTTP node.

A gzip body of about 100 KB that inflates to 100 MiB of valid JSON used to be
inflated whole (and joined, and parsed: ``count()`` peaked at 2-3 GB of RSS
with a 1 GiB bomb, and succeeded). Now reading stops at the first byte past
the bound, with a ``ResponseError`` that names the bound and how to raise it;
what the process allocated stays near the bound, not near the inflated size.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Iterable, Iterator

import orjson
import pytest

from workfront_async import (
    BearerAuth,
    Call,
    Planning,
    PlanningV2,
    QueryError,
    ResponseError,
    Retry,
    TransportError,
    Workfront,
)
from workfront_async._nodes import HttpResponse  # what an HTTP node of one's own returns

from ._loopback import Loopback, bomb, gzipped, serve

NODES = ["httpx", "aiohttp"]
KEY = "answer-bound-key-" + "k" * 20
MiB = 2**20
BOUND = 1 * MiB
INFLATED = 100 * MiB


@pytest.fixture(scope="module")
def bomb_body() -> bytes:
    return bomb(INFLATED)


@pytest.fixture
def server() -> Iterator[Loopback]:
    yield from serve()


@pytest.fixture(params=NODES)
def node(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def client(server: Loopback, node: str, **kwargs: object) -> Workfront:
    kwargs.setdefault("retry", Retry().without_backoff())
    return Workfront(server.url, api_key=KEY, http=node, **kwargs)  # type: ignore[arg-type]


async def test_a_gzip_bomb_stops_at_the_bound_without_inflating_it(
    server: Loopback, node: str, bomb_body: bytes
) -> None:
    assert len(bomb_body) < INFLATED // 500  # ~100 KB on the wire
    server.answer("/task/count", bomb_body, headers={"Content-Encoding": "gzip"})
    server.answer("/task/ID1", {"data": {"ID": "ID1", "objCode": "TASK"}})
    async with client(server, node, max_answer_bytes=BOUND) as wf:
        await wf.get("task", "ID1")  # the node and its pool are set up before measuring
        tracemalloc.start()
        try:
            base, _ = tracemalloc.get_traced_memory()
            with pytest.raises(ResponseError) as caught:
                await wf.count("task")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        # The connection that carried the bomb was dropped; the client goes on.
        assert (await wf.get("task", "ID1"))["ID"] == "ID1"
    error = caught.value
    assert "max_answer_bytes=1048576 (1 MiB)" in str(error)
    assert "Workfront(..., max_answer_bytes=...)" in str(error)
    assert error.status == 200
    assert error.retryable is False
    assert server.hits["/task/count"] == 1  # the same request would bring the same bomb
    # Allocated while reading: about the bound, far from the 100 MiB inflated.
    assert peak - base < 8 * BOUND, f"{(peak - base) / MiB:.1f} MiB allocated"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_an_uncompressed_answer_past_the_bound_is_refused(
    server: Loopback, node: str, chunked: bool
) -> None:
    big = {"data": [{"ID": f"{i:032x}", "name": "x" * 200} for i in range(2000)]}
    server.answer("/task/search", big, chunked=chunked)
    async with client(server, node, max_answer_bytes=100_000) as wf:
        with pytest.raises(ResponseError, match=r"max_answer_bytes=100000 \(100,000 bytes\)"):
            await wf.search("task").page_size(2000).all()
        assert server.hits["/task/search"] == 1
    async with client(server, node, max_answer_bytes=1_000_000) as wf:
        assert len(await wf.search("task").page_size(2000).limit(2000).all()) == 2000


@pytest.mark.parametrize(
    ("coding", "wbits"),
    [("gzip", 31), ("x-gzip", 31), ("deflate", 15), ("deflate", -15)],
    ids=["gzip", "x-gzip", "deflate-zlib", "deflate-raw"],
)
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_compressed_answers_under_the_bound_decode_alike_on_every_node(
    server: Loopback, node: str, coding: str, wbits: int, chunked: bool
) -> None:
    rows = [{"ID": f"{i:032x}", "name": f"Task {i} é"} for i in range(500)]
    plain = b'{"data": %s}' % orjson.dumps(rows)
    body = gzipped(plain, wbits=wbits)
    server.answer("/task/search", body, headers={"Content-Encoding": coding}, chunked=chunked)
    # A bound of exactly the decoded size lets it through; one byte less does not.
    async with client(server, node, max_answer_bytes=len(plain)) as wf:
        assert await wf.search("task").page_size(500).limit(500).all() == rows
    async with client(server, node, max_answer_bytes=len(plain) - 1) as wf:
        with pytest.raises(ResponseError, match="max_answer_bytes"):
            await wf.search("task").page_size(500).limit(500).all()
    asked = {k.lower(): v for k, v in server.seen[0][1]}
    assert asked["accept-encoding"] == "gzip, deflate"  # exactly what the client inflates


@pytest.mark.parametrize("fault", ["truncated", "corrupt"])
async def test_a_broken_compressed_answer_is_a_transport_error(
    server: Loopback, node: str, fault: str
) -> None:
    body = gzipped(b'{"data": {"count": 3}}')
    body = body[:-6] if fault == "truncated" else body[:12] + b"\xff" * 8 + body[20:]
    server.answer("/task/count", body, headers={"Content-Encoding": "gzip"})
    async with client(server, node, retry=Retry(attempts=2).without_backoff()) as wf:
        with pytest.raises(TransportError, match="compressed"):
            await wf.count("task")
    assert server.hits["/task/count"] == 2  # a damaged answer is worth one more try


async def test_an_encoding_that_was_not_asked_for_is_refused(server: Loopback, node: str) -> None:
    server.answer("/task/count", b"\x0b\x02\x80{}\x03", headers={"Content-Encoding": "br"})
    async with client(server, node, retry=Retry.none()) as wf:
        with pytest.raises(TransportError, match="Content-Encoding 'br'"):
            await wf.count("task")


@pytest.mark.parametrize("cls", [Planning, PlanningV2])
async def test_the_planning_clients_take_the_bound(
    server: Loopback, node: str, bomb_body: bytes, cls: type[Planning]
) -> None:
    server.answer("/v1/workspaces", bomb_body, headers={"Content-Encoding": "gzip"})
    auth = BearerAuth("planning-bearer-" + "t" * 20, ims_org_id="ORG@AdobeOrg")
    async with cls(server.url, auth=auth, http=node, max_answer_bytes=BOUND) as pl:
        with pytest.raises(ResponseError, match="max_answer_bytes=1048576"):
            await pl.request(Call("GET", "v1/workspaces"))


class _WholeBodyNode:
    """A node of the caller's own that reads every answer whole."""

    def __init__(self, size: int) -> None:
        self.size = size

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Iterable[tuple[str, str]] = (),
        content: bytes | None = None,
        files: object = None,
    ) -> HttpResponse:
        return HttpResponse(200, {}, b'{"data": {"count": 1, "pad": "' + b"a" * self.size + b'"}}')

    async def aclose(self) -> None:
        pass


async def test_a_node_of_the_callers_own_is_held_to_the_bound_too() -> None:
    node = _WholeBodyNode(BOUND)
    async with Workfront(
        "http://127.0.0.1:9", api_key=KEY, http=node, max_answer_bytes=BOUND
    ) as wf:
        with pytest.raises(ResponseError, match="max_answer_bytes=1048576"):
            await wf.count("task")
    node.size = 10
    async with Workfront(
        "http://127.0.0.1:9", api_key=KEY, http=node, max_answer_bytes=BOUND
    ) as wf:
        assert await wf.count("task") == 1


@pytest.mark.parametrize("bad", [0, -1, 1.5, "1000", True, None])
def test_the_bound_must_be_a_positive_int(bad: object) -> None:
    with pytest.raises(QueryError, match="max_answer_bytes must be a positive int"):
        Workfront("http://127.0.0.1:9", api_key=KEY, max_answer_bytes=bad)  # type: ignore[arg-type]
    with pytest.raises(QueryError, match="max_answer_bytes must be a positive int"):
        Planning("http://127.0.0.1:9", auth=None, max_answer_bytes=bad)  # type: ignore[arg-type]
