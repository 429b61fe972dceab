"""The Planning client end to end against the embedded Workfront (its Planning
backend served under ``/maestro/api``): demo workspaces, record types with
typed fields, searches, paging, validation, writes and errors."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from workfront_async import (
    AuthenticationError,
    BearerAuth,
    InvalidRequestError,
    NotFoundError,
    Planning,
    Q,
    QueryError,
    Retry,
)
from workfront_async.planning import field_types
from workfront_async.testing import Emulator
from workfront_async.testing.planning import PlanningBackend

from ..reference import eval_expr

BASE = "https://acme.my.workfront.com"
CAMPAIGNS = "rt000002"


def connect(emu: Emulator, **kw: Any) -> Planning:
    kw.setdefault("retry", Retry().without_backoff())
    return Planning(BASE, auth=BearerAuth(emu.issue_token()), transport=emu.transport(), **kw)


@pytest.fixture(scope="module")
def demo() -> Emulator:
    return Emulator.with_demo_data(scale=0.01)


async def test_workspaces_and_record_types(demo: Emulator) -> None:
    async with connect(demo) as pl:
        workspaces = await pl.workspaces.list()
        assert [w["name"] for w in workspaces] == ["Marketing plan", "Product launches"]
        assert (await pl.workspaces.get("ws000001"))["name"] == "Marketing plan"
        types = await pl.record_types.list("ws000001")
        assert [t["id"] for t in types] == ["rt000001", CAMPAIGNS]
        campaigns = await pl.record_types.get(CAMPAIGNS)
    table = field_types(campaigns)
    assert table["budget"] == "currency"
    assert table["channels"] == "multi select"
    assert table["tacticCost"] == "currency"  # a lookup takes its linked field's type
    assert table["createdAt"] == "created at"


async def test_search_matches_a_plain_python_evaluation(demo: Emulator) -> None:
    expr = (Q.status.isin(["Done", "Planned"]) & (Q.budget > 100_000)) | Q.channels.has_any(
        ["Email"]
    ) & (Q.priority <= 2)
    async with connect(demo) as pl:
        everything = await pl.records.search(CAMPAIGNS, attributes=["data"]).all()
        found = await pl.records.search(CAMPAIGNS, expr, attributes=["data"]).all()
        count = await pl.records.search(CAMPAIGNS, expr).count()
    assert len(everything) == 1000
    expected = [r["id"] for r in everything if eval_expr(expr, r["data"])]
    assert 0 < len(expected) < 1000
    assert sorted(r["id"] for r in found) == sorted(expected)
    assert count == len(expected)
    assert all(set(r) == {"id", "data"} for r in found)


async def test_sorted_search_orders_and_breaks_ties(demo: Emulator) -> None:
    async with connect(demo) as pl:
        rows = await pl.records.search(CAMPAIGNS, sort=["-priority"], page_size=300).all()
        first = await pl.records.search(CAMPAIGNS, sort=["-priority"]).first()
    assert len(rows) == 1000
    assert first == rows[0]
    keys = [r["data"].get("priority") for r in rows]
    filled = [k for k in keys if k is not None]
    assert filled == sorted(filled, reverse=True)
    assert keys[len(filled) :] == [None] * (len(keys) - len(filled))  # empty values last
    # equal priorities: creation time ascending (the client's tie-breaker), then ID
    for a, b in itertools.pairwise(rows):
        if a["data"].get("priority") == b["data"].get("priority"):
            assert (a["createdAt"], a["id"]) < (b["createdAt"], b["id"])


async def test_paging_over_thousands_of_records() -> None:
    emu = Emulator()
    backend = PlanningBackend()
    ws = backend.add_workspace("Big")
    rt = backend.add_record_type(ws.id, "Rows", [{"id": "n", "name": "N", "type": "number"}])
    for n in range(4321):
        backend.add_record(rt.id, {"n": n % 97})
    emu.planning = backend
    async with connect(emu, validate=False) as pl:
        before = emu.stats.requests
        rows = await pl.records.search(rt.id).all()
        assert emu.stats.requests - before == 9  # ceil(4321 / 500) pages of the default size
        by_n = await pl.records.search(rt.id, sort=["n"], page_size=2000).all()
        big = await pl.records.search(rt.id, Q.n >= 90, page_size=100).count()
    ids = [r["id"] for r in rows]
    assert len(ids) == 4321 == len(set(ids))
    assert ids == sorted(ids)  # no sort given: the service orders by record ID
    assert sorted(r["id"] for r in by_n) == sorted(ids)
    ns = [r["data"]["n"] for r in by_n]
    assert ns == sorted(ns)
    assert big == sum(1 for n in range(4321) if n % 97 >= 90)


async def test_validation_against_the_fetched_record_type(demo: Emulator) -> None:
    async with connect(demo) as pl:
        before = demo.stats.requests
        with pytest.raises(QueryError) as info:
            await pl.records.search(CAMPAIGNS, Q.budget.has_any([1])).all()
        assert demo.stats.requests - before == 1  # the record type, no search
        assert "$greaterThan" in str(info.value)
        with pytest.raises(QueryError, match="has no field 'nope'"):
            await pl.records.search(CAMPAIGNS, Q.nope == 1).all()
        assert demo.stats.requests - before == 1  # fetched once per client
        # without validation the service refuses it, and its detail is kept
        with pytest.raises(InvalidRequestError) as refused:
            await pl.records.search(CAMPAIGNS, Q.budget.has_any([1]), validate=False).all()
    err = refused.value
    assert err.status == 400
    # docs/api-notes.md §5: v1 errors are {type: 40001, title, report: {detailedMessage}}
    assert err.error_class == "40001"
    assert err.detail["errorCode"] == "INVALID_FILTER_OPERATOR"  # the emulator's addition
    assert "[40001]" in str(err)
    assert "$greaterThan" in str(err)
    assert err.detail["fieldType"] == "currency"
    assert "$greaterThan" in err.detail["allowedOperators"]


async def test_records_crud() -> None:
    emu = Emulator.with_demo_data(scale=0.01)
    async with connect(emu) as pl:
        made = await pl.records.create(CAMPAIGNS, {"name": "Client test", "priority": 5})
        rid = made["id"]
        assert made["data"]["name"] == "Client test"
        got = await pl.records.get(rid, attributes=["data"])
        assert set(got) == {"id", "data"}
        updated = await pl.records.update(rid, {"priority": None, "status": "Done"})
        assert "priority" not in updated["data"]
        assert updated["data"]["status"] == "Done"
        found = await pl.records.search(CAMPAIGNS, Q.name == "client test").all()
        assert [r["id"] for r in found] == [rid]  # text comparisons ignore case
        assert await pl.records.delete(rid) is None
        with pytest.raises(NotFoundError) as info:
            await pl.records.get(rid)
        assert info.value.error_class == "40401"
        with pytest.raises(InvalidRequestError) as bad:
            await pl.records.create(CAMPAIGNS, {"priority": "high"})
        assert bad.value.error_class == "40001"
        assert bad.value.detail["fieldId"] == "priority"


async def test_a_wrong_token_is_an_authentication_error() -> None:
    emu = Emulator()
    pl = Planning(BASE, auth=BearerAuth("not-a-valid-token"), transport=emu.transport())
    async with pl:
        with pytest.raises(AuthenticationError) as info:
            await pl.workspaces.list()
    assert "not-a-valid-token" not in str(info.value)
