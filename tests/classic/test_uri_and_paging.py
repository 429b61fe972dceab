"""URI limit (docs/api-notes.md §1 Limits: 8892-byte URIs through the CDN) and pagination
(docs/api-notes.md §1 Search "Paging": $$FIRST/$$LIMIT, max 2000, stable ID sort)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import anyio
import attrs
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workfront_async import PaginationError, QueryError, Search

from .helpers import Recorder, client, is_form, ok, param, params_of, path_of

WF_ID = "{:032x}"


def uri_bytes(request: httpx.Request) -> int:
    return len(str(request.url).encode())


async def test_get_many_of_3000_ids_splits_into_fitting_chunks() -> None:
    ids = [WF_ID.format(i * 7919) for i in range(3000)]

    def handler(request: httpx.Request) -> httpx.Response:
        asked = (param(request, "id") or "").split(",")
        return ok([{"ID": i, "name": f"n{i}"} for i in asked if not i.endswith("0")])

    rec = Recorder(handler)
    async with client(rec) as wf:
        result = await wf.get_many("task", ids, fields=["name", "project:name"])
    assert len(rec.requests) > 1
    for req in rec.requests:
        assert req.method == "GET"
        assert uri_bytes(req) <= 8892
    asked = [i for r in rec.requests for i in (param(r, "id") or "").split(",")]
    assert sorted(asked) == sorted(ids)  # every ID asked exactly once
    assert [r["ID"] for r in result.rows] == [i for i in ids if not i.endswith("0")]
    assert list(result.missing) == [i for i in ids if i.endswith("0")]


async def test_get_many_respects_a_smaller_limit() -> None:
    ids = [WF_ID.format(i) for i in range(500)]
    rec = Recorder(lambda r: ok([{"ID": i} for i in (param(r, "id") or "").split(",")]))
    async with client(rec, max_uri_bytes=1000) as wf:
        result = await wf.get_many("task", ids)
    assert len(result.rows) == 500
    assert all(uri_bytes(r) <= 1000 for r in rec.requests)
    assert len(rec.requests) >= 500 * 32 // 1000


async def test_isin_with_2000_values_is_sent_as_post_with_method_get() -> None:
    # docs/api-notes.md §1 Verbs: POST with the parameters and method=GET in a form body
    values = [WF_ID.format(i) for i in range(2000)]
    rec = Recorder(lambda r: ok([{"ID": "a"}]))
    async with client(rec) as wf:
        rows = await wf.search("task", {"projectID": values, "projectID_Mod": "in"}).all()
    assert rows == [{"ID": "a"}]
    (req,) = rec.requests
    assert req.method == "POST"
    assert is_form(req)
    assert uri_bytes(req) <= 8892
    assert path_of(req) == "task/search"
    assert req.url.query == b""
    body = params_of(req)
    assert [v for k, v in body if k == "projectID"] == values
    assert ("method", "GET") in body
    assert req.headers["apiKey"] == "k3y-s3cr3t-0123456789abcdef"


async def test_big_update_payload_goes_in_the_body() -> None:
    rec = Recorder(lambda r: ok({"ID": "T1"}))
    async with client(rec) as wf:
        await wf.update("task", "T1", {"description": "x" * 20000})
    (req,) = rec.requests
    assert (req.method, path_of(req), uri_bytes(req) <= 8892) == ("POST", "task/T1", True)
    assert param(req, "method") == "PUT"


class Pager:
    """A mock search endpoint over ``n`` rows that honours $$FIRST/$$LIMIT."""

    def __init__(self, n: int, *, ignore_first: bool = False, overfill: bool = False) -> None:
        self.rows = [{"ID": f"{i:08d}", "n": i} for i in range(n)]
        self.ignore_first = ignore_first
        self.overfill = overfill

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert param(request, "ID_Sort") == "asc" or any(
            k.startswith("ID_") and k.endswith("_Sort") for k, _ in params_of(request)
        )
        limit = int(param(request, "$$LIMIT") or 100)
        assert limit <= 2000  # docs/api-notes.md: more than 2000 is an error
        first = 0 if self.ignore_first else int(param(request, "$$FIRST") or 0)
        extra = 1 if self.overfill else 0
        return ok(self.rows[first : first + limit + extra])


@pytest.mark.parametrize(("n", "size"), [(4567, 2000), (4000, 2000), (1999, 500), (0, 2000)])
async def test_pagination_returns_every_row_exactly_once(n: int, size: int) -> None:
    rec = Recorder(Pager(n))
    async with client(rec) as wf:
        rows = await wf.search("task").page_size(size).all()
    assert [r["n"] for r in rows] == list(range(n))
    # the last page is short (or empty when n is a multiple of the page size)
    assert len(rec.requests) == n // size + 1


async def test_limit_caps_the_total() -> None:
    rec = Recorder(Pager(5000))
    async with client(rec) as wf:
        rows = await wf.search("task", limit=2500).all()
        assert [r["n"] for r in rows] == list(range(2500))
        assert [param(r, "$$LIMIT") for r in rec.requests] == ["2000", "500"]
        assert await wf.search("task").limit(0).all() == []
        assert (await wf.search("task").first()) == {"ID": "00000000", "n": 0}
        pages = [len(p) async for p in wf.search("task").page_size(1500).pages()]
        assert pages == [1500, 1500, 1500, 500]


async def test_page_size_over_2000_raises_before_any_request() -> None:
    rec = Recorder(Pager(10))
    async with client(rec) as wf:
        with pytest.raises(QueryError, match="2000"):
            wf.search("task", page_size=2001)
        with pytest.raises(QueryError, match="2000"):
            wf.search("task").page_size(5000)
    assert rec.requests == []


async def test_page_without_progress_raises() -> None:
    rec = Recorder(Pager(5000, ignore_first=True))
    async with client(rec) as wf:
        with pytest.raises(PaginationError, match="no progress"):
            await wf.search("task").all()


async def test_page_longer_than_asked_raises() -> None:
    rec = Recorder(Pager(5000, overfill=True))
    async with client(rec) as wf:
        with pytest.raises(PaginationError, match=r"\$\$LIMIT"):
            await wf.search("task").all()


async def test_search_builders_are_immutable() -> None:
    rec = Recorder(Pager(3))
    async with client(rec) as wf:
        base = wf.search("task")
        before = base.params()
        derived = [
            base.where({"status": "CUR"}),
            base.fields("name"),
            base.sort("-name"),
            base.limit(5),
            base.page_size(10),
            base.parse_dates(),
        ]
        assert base.params() == before == [("ID_Sort", "asc")]
        assert all(d is not base and isinstance(d, Search) for d in derived)
        assert derived[0].params()[0] == ("status", "CUR")
        assert derived[1].params()[0] == ("fields", "name")
        chained = base.where({"a": "1"}).where([("b", "2")]).fields("x", ["y"])
        assert chained.params() == [("a", "1"), ("b", "2"), ("fields", "x,y"), ("ID_Sort", "asc")]
        assert "Search('task'" in repr(chained)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            base.obj = "proj"  # type: ignore[misc]


async def test_rows_can_be_mapped_and_dates_parsed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return ok([{"ID": "1", "entryDate": "2020-05-18T17:00:00:000-0600", "name": "a"}])

    rec = Recorder(handler)
    async with client(rec) as wf:
        names: list[str] = await wf.search("task").map(lambda r: str(r["name"])).all()
        assert names == ["a"]
        (row,) = await wf.search("task").parse_dates().all()
        assert isinstance(row["entryDate"], datetime)
        (raw,) = await wf.search("task").all()
        assert raw["entryDate"] == "2020-05-18T17:00:00:000-0600"
    async with client(rec, parse_dates=True) as wf:
        row2 = await wf.get("task", "1")
        assert isinstance(row2["entryDate"], datetime)


async def test_concurrent_iterations_do_not_interfere() -> None:
    rec = Recorder(Pager(2500))
    async with client(rec) as wf:
        s = wf.search("task", page_size=700)
        results: list[list[Any]] = []

        async def run() -> None:
            results.append([r["n"] for r in await s.all()])

        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(run)
    assert results == [list(range(2500))] * 5


@st.composite
def paging_cases(draw: st.DrawFn) -> tuple[int, int, int | None]:
    size = draw(st.integers(1, 2000))
    n = draw(st.integers(0, min(5000, size * 20)))  # at most ~20 pages per example
    limit = draw(st.none() | st.integers(0, n + 10))
    return n, size, limit


@given(paging_cases())
def test_pagination_property(case: tuple[int, int, int | None]) -> None:
    n, size, limit = case
    rec = Recorder(Pager(n))

    async def run() -> list[int]:
        async with client(rec) as wf:
            return [r["n"] async for r in wf.search("task", page_size=size, limit=limit)]

    got = anyio.run(run)
    wanted = n if limit is None else min(n, limit)
    assert got == list(range(wanted))
    # never more requests than needed: full pages plus at most one short/empty one
    assert len(rec.requests) <= wanted // size + 1
