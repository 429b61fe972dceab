"""Promise 6: bad input is stopped before the wire.

Unknown modifiers, ``$$LIMIT``/page sizes above 2000, field paths deeper than
4 levels, atomic bulk calls above 100 items, values that cannot be encoded and
empty ``isin`` lists raise ``QueryError`` (a ``ValueError``) that says what to
write instead, and not a single request reaches the transport.

docs/api-notes.md §1 Limits: max ``$$LIMIT`` 2000, field depth 4 levels, 100 objects
per bulk call; §1 Search: the modifiers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from workfront_async import Q, QueryError, Retry, Workfront

from ._support import BASE, Counting

Case = Callable[[Workfront], Awaitable[Any]]


async def _export(wf: Workfront, **kwargs: Any) -> list[Any]:
    async with wf.export("task", **kwargs) as rows:
        return [r async for r in rows]


CASES: dict[str, tuple[Case, str]] = {
    # unknown modifiers
    "op bogus": (lambda wf: wf.search("task", Q.x.op("bogus", 1)).all(), "unknown modifier"),
    "op wrong case": (lambda wf: wf.count("task", Q.x.op("EQ", 1)), "unknown modifier"),
    # $$LIMIT above 2000
    "page_size 2001": (lambda wf: wf.search("task", page_size=2001).all(), "2000"),
    "page_size() 5000": (lambda wf: wf.search("task").page_size(5000).all(), "2000"),
    "export page_size 2001": (lambda wf: _export(wf, page_size=2001), "2000"),
    "raw $$LIMIT": (lambda wf: wf.search("task", {"$$LIMIT": 5000}).all(), "page_size="),
    "raw $$FIRST pair": (lambda wf: wf.count("task", [("$$FIRST", 10)]), "paging"),
    # deeper than 4 levels
    "filter depth 5": (lambda wf: wf.search("task", Q.a.b.c.d.e == 1).all(), "5 levels"),
    "fields depth 5": (lambda wf: wf.search("task", fields=["a:b:c:d:e"]).all(), "5 levels"),
    "fields string depth 5": (lambda wf: wf.get("task", "T1", fields="name,a:b:c:d:e"), "5 levels"),
    "sort depth 5": (lambda wf: wf.search("task", sort=["-a:b:c:d:e"]).all(), "5 levels"),
    "group_by depth 5": (lambda wf: wf.report("task", group_by="a:b:c:d:e"), "5 levels"),
    "export fields depth 5": (lambda wf: _export(wf, fields=["a:b:c:d:DE:x"]), "5 levels"),
    # atomic bulk above 100
    "atomic create 101": (
        lambda wf: wf.bulk_create("task", [{"name": str(i)} for i in range(101)], atomic=True),
        "at most 100",
    ),
    "atomic update 150": (
        lambda wf: wf.bulk_update("task", [{"ID": str(i)} for i in range(150)], atomic=True),
        "at most 100",
    ),
    # values that cannot be sent
    "object in filter": (lambda wf: wf.search("task", Q.name == object()).all(), "object"),
    "set in filter": (lambda wf: wf.count("task", Q.name == {1, 2}), "isin"),
    "nan in filter": (lambda wf: wf.count("task", Q.hours > float("nan")), "nan"),
    "naive datetime": (
        lambda wf: wf.count("task", Q.entryDate > dt.datetime(2024, 1, 1)),
        "time zone",
    ),
    "object in create": (lambda wf: wf.create("task", {"name": object()}), "JSON"),
    "set in bulk": (lambda wf: wf.bulk_create("task", [{"name": {1}}]), "JSON"),
    "object in raw where": (lambda wf: wf.search("task", {"name": object()}).all(), "JSON"),
    "object in action": (lambda wf: wf.action("task", "T1", "move", projectID=object()), "JSON"),
    "NUL in filter": (lambda wf: wf.count("task", Q.name == "a\x00b"), "NUL"),
    "NUL in create": (lambda wf: wf.create("task", {"name": "a\x00b"}), "NUL"),
    "NUL nested in update": (
        lambda wf: wf.update("task", "T1", {"DE:Notes": ["ok", "a\x00"]}),
        "NUL",
    ),
    "$$ text in filter": (lambda wf: wf.count("task", Q.name == "$$hello"), "wildcard"),
    # empty isin
    "empty isin": (lambda wf: wf.search("task", Q.status.isin([])).all(), "at least one"),
    "empty notin": (lambda wf: wf.count("task", Q.status.notin([])), "at least one"),
    "empty raw list": (lambda wf: wf.search("task", {"status": []}).all(), "empty list"),
    # other misuse
    "bulk_update without ID": (lambda wf: wf.bulk_update("task", [{"name": "x"}]), "ID"),
    "empty id": (lambda wf: wf.get_many("task", ["T1", ""]), "non-empty"),
    "negative limit": (lambda wf: wf.search("task", limit=-1).all(), "non-negative"),
    "bad aggregate": (lambda wf: wf.report("task", aggregates={"hours": "median"}), "aggregate"),
    "where string": (lambda wf: wf.search("task", "status=CUR").all(), "Q expression"),  # type: ignore[arg-type]
}


@pytest.mark.parametrize("case", list(CASES))
async def test_bad_input_raises_query_error_and_sends_nothing(case: str) -> None:
    call, hint = CASES[case]
    transport = Counting()
    async with Workfront(BASE, api_key="k", transport=transport, retry=Retry.none()) as wf:
        with pytest.raises(QueryError) as info:
            await call(wf)
    assert transport.requests == [], f"{len(transport.requests)} request(s) sent"
    assert isinstance(info.value, ValueError)
    assert hint.lower() in str(info.value).lower(), str(info.value)


async def test_the_counting_transport_does_count() -> None:
    # the control: the same client sends good input, so zero above means something
    transport = Counting()
    async with Workfront(BASE, api_key="k", transport=transport, retry=Retry.none()) as wf:
        await wf.search(
            "task", Q.status.isin(["CUR"]), fields=["a:b:c:d"], sort=["a:b:c:name"]
        ).all()
        await wf.search("task", {"status": ["CUR", "PLN"], "status_Mod": "in"}).all()
        await wf.count("task", Q.entryDate > dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    assert len(transport.requests) == 3
