"""The client with the query language: ``Q`` expressions compile to the filters sent."""

from __future__ import annotations

import httpx
import pytest

from workfront_async import Q, QueryError
from workfront_async.query import compile_classic

from .helpers import KEY, Recorder, client, is_form, ok, param, params_of


async def test_search_with_q_sends_the_compiled_filters() -> None:
    # docs/api-notes.md §1 Search: field=value&field_Mod=<modifier>
    rec = Recorder(lambda r: ok([]))
    async with client(rec) as wf:
        await wf.search("task", Q.status == "CUR", fields=["name", "assignedTo:name"]).all()
    assert params_of(rec.last) == [
        *compile_classic(Q.status == "CUR"),
        ("fields", "name,assignedTo:name"),
        ("ID_Sort", "asc"),
        ("$$FIRST", "0"),
        ("$$LIMIT", "2000"),
    ]


async def test_where_clauses_are_anded_as_one_expression() -> None:
    # docs/api-notes.md §1 Search "OR": a DNF over OR:<n>: levels; AND of ORs must be distributed
    rec = Recorder(lambda r: ok([]))
    a = (Q.status == "CUR") | (Q.status == "PLN")
    b = Q.name.contains("x")
    async with client(rec) as wf:
        s = wf.search("task", a).where(b)
        assert s.filter_params() == compile_classic(a & b)
        await s.all()
    sent = params_of(rec.requests[0])
    assert sent[: len(compile_classic(a & b))] == compile_classic(a & b)


async def test_isin_with_2000_values_via_q_stays_under_the_uri_limit() -> None:
    values = [f"{i:032x}" for i in range(2000)]
    rec = Recorder(lambda r: ok([]))
    async with client(rec) as wf:
        assert await wf.search("task", Q.projectID.isin(values)).all() == []
    (req,) = rec.requests
    assert req.method == "POST"
    assert is_form(req)
    assert len(str(req.url).encode()) <= 8892
    assert [v for k, v in params_of(req) if k == "projectID"] == values
    assert param(req, "method") == "GET"


async def test_count_with_q() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json={"count": 4}))
    async with client(rec) as wf:
        assert await wf.count("task", Q.status == "CUR") == 4
        assert await wf.search("task").where(Q.status == "CUR").count() == 4
    assert params_of(rec.last) == compile_classic(Q.status == "CUR")
    assert rec.last.headers["apiKey"] == KEY


def test_unknown_where_types_are_refused() -> None:
    from workfront_async.classic._wire import where_params

    with pytest.raises(QueryError, match="Q expression"):
        where_params(42)  # type: ignore[arg-type]


def test_raw_where_is_anded_with_every_or_level() -> None:
    # docs/api-notes.md §1 Search "OR": filters inside a level are ANDed, levels ORed;
    # a raw clause ANDed to an OR query must stand in every level.
    from workfront_async import Search

    class Backend:
        async def _search_page(self, obj: str, params: object) -> object:  # pragma: no cover
            return []

        async def _count(self, obj: str, params: object) -> int:  # pragma: no cover
            return 0

    s = Search(backend=Backend(), obj="task", where=((Q.a == 1) | (Q.b == 2),))
    s = s.where({"projectID": "P"})
    assert s.filter_params() == [
        ("a", "1"),
        ("a_Mod", "eq"),
        ("OR:1:b", "2"),
        ("OR:1:b_Mod", "eq"),
        ("projectID", "P"),
        ("OR:1:projectID", "P"),
    ]
    with pytest.raises(QueryError, match="OR levels"):
        s.where({"filters": "{}"}).filter_params()
