"""The export engine against an in-memory page source: every row exactly
once, bounded memory, order, limits, progress, and keyset consistency while
rows change between pages (issue: concurrent paged export)."""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Sequence
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from tests.reference import eval_expr
from workfront_async import PaginationError, Q, QueryError
from workfront_async.export import ExportProgress, export_pages, export_rows, keyset_partitions


class MemoryFetcher:
    """Answers count/page like Workfront would, from a list of rows; counts
    pages in flight and can run a mutation before each page."""

    def __init__(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self.in_flight = 0
        self.max_in_flight = 0
        self.pages = 0
        self.before_page: Any = None

    def _match(self, clauses: Sequence[Any]) -> list[dict[str, Any]]:
        return [r for r in self.rows if all(eval_expr(c, r) for c in clauses)]

    async def count(self, clauses: Sequence[Any]) -> int:
        return len(self._match(clauses))

    async def page(
        self, clauses: Sequence[Any], *, first: int, limit: int, sort: Sequence[tuple[str, str]]
    ) -> list[dict[str, Any]]:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await anyio.lowlevel.checkpoint()
            if self.before_page is not None:
                self.before_page(self)
            rows = self._match(clauses)
            for field, direction in reversed(list(sort)):
                rows.sort(
                    key=lambda r: (r.get(field) is None, r.get(field)), reverse=direction == "desc"
                )
            self.pages += 1
            await anyio.lowlevel.checkpoint()
            return [dict(r) for r in rows[first : first + limit]]
        finally:
            self.in_flight -= 1


def make_rows(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {
            "ID": uuid.UUID(int=rng.getrandbits(128)).hex,
            "status": rng.choice(["CUR", "PLN", "CPL"]),
            "n": i,
        }
        for i in range(n)
    ]


async def collect(agen: Any) -> list[dict[str, Any]]:
    return [row async for row in agen]


@pytest.mark.parametrize("consistency", ["offset", "keyset"])
@pytest.mark.parametrize("ordered", [False, True])
async def test_every_row_exactly_once(consistency: str, ordered: bool) -> None:
    fetcher = MemoryFetcher(make_rows(2345))
    rows = await collect(
        export_rows(fetcher, workers=4, page_size=100, ordered=ordered, consistency=consistency)  # type: ignore[arg-type]
    )
    ids = [r["ID"] for r in rows]
    assert sorted(ids) == sorted(r["ID"] for r in fetcher.rows)
    assert len(set(ids)) == len(ids)
    assert 1 < fetcher.max_in_flight <= 4
    if ordered:
        assert ids == sorted(ids)


async def test_where_is_applied_in_both_modes() -> None:
    fetcher = MemoryFetcher(make_rows(1000))
    where = Q.status == "CUR"
    expected = sorted(r["ID"] for r in fetcher.rows if r["status"] == "CUR")
    for consistency in ("offset", "keyset"):
        rows = await collect(
            export_rows(fetcher, where, page_size=50, consistency=consistency)  # type: ignore[arg-type]
        )
        assert sorted(r["ID"] for r in rows) == expected


async def test_limit_caps_the_total_and_progress_reports() -> None:
    fetcher = MemoryFetcher(make_rows(1000))
    seen: list[ExportProgress] = []
    rows = await collect(
        export_rows(fetcher, page_size=100, limit=250, ordered=True, progress=seen.append)
    )
    assert len(rows) == 250
    assert [r["ID"] for r in rows] == sorted(r["ID"] for r in fetcher.rows)[:250]
    with_total = [p for p in seen if p.rows_total is not None]
    assert with_total[0].rows_total == 250
    assert seen[-1].rows_done == 250
    assert all(a.rows_done <= b.rows_done for a, b in itertools.pairwise(seen))


async def test_offset_export_keeps_going_when_rows_were_added_after_the_count() -> None:
    fetcher = MemoryFetcher(make_rows(300))
    extra = make_rows(150, seed=99)
    added = False

    def add_once(f: MemoryFetcher) -> None:
        nonlocal added
        if not added:
            added = True
            f.rows.extend(extra)

    fetcher.before_page = add_once
    rows = await collect(export_rows(fetcher, page_size=100, workers=1, ordered=True))
    # Never truncated at the count: everything present at the end is there.
    assert {r["ID"] for r in rows} == {r["ID"] for r in fetcher.rows}


@pytest.mark.parametrize("ordered", [True, False], ids=["ordered", "unordered"])
async def test_memory_is_bounded_by_workers_times_page_size(ordered: bool) -> None:
    fetcher = MemoryFetcher(make_rows(5000))
    high_water = 0

    def watch(f: MemoryFetcher) -> None:
        nonlocal high_water
        high_water = max(high_water, f.in_flight)

    fetcher.before_page = watch
    agen = export_rows(fetcher, page_size=100, workers=3, ordered=ordered)
    first = await agen.__anext__()
    # The consumer is stalled; producers must not run ahead unboundedly.
    for _ in range(50):
        await anyio.lowlevel.checkpoint()
    assert fetcher.pages <= 3 + 1
    if ordered:
        assert first["ID"] == min(r["ID"] for r in fetcher.rows)
    await agen.aclose()


async def test_keyset_is_exact_under_concurrent_changes() -> None:
    rng = random.Random(7)
    rows = make_rows(3000, seed=3)
    stable = {r["ID"] for r in rows[:2000]}  # never touched by the mutator
    volatile = rows[2000:]
    fetcher = MemoryFetcher(rows)

    def mutate(f: MemoryFetcher) -> None:
        # Delete a volatile row, insert a new one, edit a stable row.
        live_volatile = [r for r in f.rows if r["ID"] not in stable]
        if live_volatile:
            f.rows.remove(rng.choice(live_volatile))
        f.rows.append({"ID": uuid.UUID(int=rng.getrandbits(128)).hex, "status": "NEW", "n": -1})
        victim = rng.choice([r for r in f.rows if r["ID"] in stable])
        victim["status"] = rng.choice(["CUR", "PLN"])

    fetcher.before_page = mutate
    assert volatile
    got = await collect(export_rows(fetcher, page_size=50, workers=5, consistency="keyset"))
    ids = [r["ID"] for r in got]
    assert len(ids) == len(set(ids)), "no row twice"
    assert stable <= set(ids), "no stable row lost"


async def test_keyset_partitions_cover_every_string() -> None:
    parts = keyset_partitions()
    assert parts[0][0] is None
    assert parts[-1][1] is None
    for (_, hi), (lo, _) in itertools.pairwise(parts):
        assert hi == lo


async def test_no_progress_page_raises() -> None:
    class Stuck(MemoryFetcher):
        async def page(
            self, clauses: Any, *, first: int, limit: int, sort: Any
        ) -> list[dict[str, Any]]:
            return [dict(r) for r in self.rows[:limit]]  # always the same page

    fetcher = Stuck(make_rows(500))
    with pytest.raises(PaginationError):
        await collect(export_rows(fetcher, page_size=100, consistency="keyset"))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"page_size": 2001},
        {"page_size": 0},
        {"limit": -1},
        {"consistency": "snapshot"},
        {"consistency": "keyset", "sort": [("name", "asc")]},
    ],
)
async def test_bad_arguments_fail_before_any_request(kwargs: dict[str, Any]) -> None:
    fetcher = MemoryFetcher(make_rows(10))
    with pytest.raises(QueryError):
        await collect(export_rows(fetcher, **kwargs))
    assert fetcher.pages == 0


async def test_pages_and_a_small_export_sends_few_requests() -> None:
    fetcher = MemoryFetcher(make_rows(150))
    pages = [p async for p in export_pages(fetcher, page_size=100, workers=10)]
    assert sorted(r["ID"] for p in pages for r in p) == sorted(r["ID"] for r in fetcher.rows)
    assert all(pages), "empty pages are left out"
    # The count goes out with workers - 1 speculative pages; no more follow.
    assert fetcher.pages == 9


async def test_limit_bounds_the_speculative_pages() -> None:
    fetcher = MemoryFetcher(make_rows(1000))
    rows = await collect(export_rows(fetcher, page_size=100, workers=10, limit=150))
    assert len(rows) == 150
    assert fetcher.pages == 2
