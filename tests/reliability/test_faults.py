"""Promise 1: nothing is lost under faults.

Exports (offset and keyset, ordered or not) and paginated searches against the
embedded Workfront injecting 429/502/503/504 answers, dropped connections,
truncated bodies and latency spikes deliver every row exactly once, compared
by ID with the emulator's own data; or they fail with an error that names the
request that failed once the retry budget is spent. Never a short result.

docs/api-notes.md §1 Responses: responses can be truncated and must then raise a clear
error; §1 Limits: 429 "Too many concurrent API requests".
"""

from __future__ import annotations

from collections import Counter

import anyio
import pytest

from workfront_async import (
    APIError,
    Q,
    ResponseError,
    Retry,
    ServerError,
    TransportError,
    Workfront,
    WorkfrontError,
)
from workfront_async.testing import Faults

from ._support import client, ids_of, seeded

TRANSIENT = Faults(rate=0.05, statuses=(429, 502, 503, 504), drop_rate=0.02, truncate_rate=0.02)
SIZES = [
    pytest.param(3_000, 97, (0, 1, 2), id="fast"),
    pytest.param(40_000, 500, tuple(range(8)), id="soak", marks=pytest.mark.soak),
]


def assert_exactly_once(got: list[str], expected: list[str]) -> None:
    counts = Counter(got)
    repeated = [i for i, n in counts.items() if n > 1]
    missing = set(expected) - set(counts)
    extra = set(counts) - set(expected)
    assert not repeated, f"{len(repeated)} rows delivered more than once"
    assert not missing, f"{len(missing)} rows lost"
    assert not extra, f"{len(extra)} rows that do not exist"


@pytest.mark.parametrize(("size", "page_size", "seeds"), SIZES)
@pytest.mark.parametrize("consistency", ["offset", "keyset"])
@pytest.mark.parametrize("ordered", [False, True])
async def test_export_delivers_every_row_once_under_faults(
    size: int, page_size: int, seeds: tuple[int, ...], consistency: str, ordered: bool
) -> None:
    for seed in seeds:
        emu = seeded(size, seed=seed, latency=(0.0, 0.005))
        expected = ids_of(emu.rows("task"))
        emu.faults = TRANSIENT
        async with client(emu) as wf:
            async with wf.export(
                "task",
                page_size=page_size,
                consistency=consistency,  # type: ignore[arg-type]
                ordered=ordered,
            ) as rows:
                got = ids_of([r async for r in rows])
            assert wf.limiter.borrowed_tokens == 0
        assert_exactly_once(got, expected)
        if ordered:
            assert got == sorted(got)
        # the faults really happened, of every kind, and were retried through
        assert emu.stats.faults_injected > 0
    assert emu.stats.rejected_concurrency == 0


@pytest.mark.parametrize(("size", "page_size", "seeds"), SIZES)
async def test_paginated_search_delivers_every_row_once_under_faults(
    size: int, page_size: int, seeds: tuple[int, ...]
) -> None:
    injected = dropped = truncated = 0
    for seed in seeds:
        emu = seeded(size, seed=seed, latency=(0.0, 0.005))
        expected = ids_of(emu.rows("task"))
        emu.faults = TRANSIENT
        async with client(emu) as wf:
            got = ids_of(await wf.search("task", fields=["name"]).page_size(page_size).all())
            count = await wf.search("task").count()
        assert_exactly_once(got, expected)
        assert count == len(expected)
        injected += emu.stats.faults_injected
        dropped += emu.stats.dropped
        truncated += emu.stats.truncated
    assert injected > 0
    assert dropped > 0 or truncated > 0


async def test_filtered_export_under_faults_matches_the_emulators_rows() -> None:
    emu = seeded(3_000, seed=4, latency=(0.0, 0.005))
    expected = [r["ID"] for r in emu.rows("task") if r["name"].endswith(("1", "7"))]
    emu.faults = TRANSIENT
    where = Q.name.op("endswith", "1") | Q.name.op("endswith", "7")
    async with client(emu) as wf:
        for consistency in ("offset", "keyset"):
            async with wf.export("task", where, page_size=50, consistency=consistency) as rows:  # type: ignore[arg-type]
                assert_exactly_once(ids_of([r async for r in rows]), expected)


async def _export_or_error(wf: Workfront, consistency: str) -> list[str] | ServerError:
    try:
        async with wf.export("task", page_size=50, consistency=consistency) as rows:  # type: ignore[arg-type]
            return ids_of([r async for r in rows])
    except ServerError as exc:
        return exc


@pytest.mark.parametrize("consistency", ["offset", "keyset"])
async def test_non_retryable_500_is_an_error_never_a_short_result(consistency: str) -> None:
    # Workfront uses 500 for real failures (a NullPointerException, ...): reads
    # are not retried on it. Under 5% faults that include 500, an export ends
    # in one of two ways only: every row once, or an error naming the request.
    outcomes = Counter[str]()
    for seed in range(8):
        emu = seeded(2_000, seed=seed, latency=(0.0, 0.002))
        expected = ids_of(emu.rows("task"))
        emu.faults = Faults(rate=0.05, statuses=(429, 500, 503), drop_rate=0.01)
        async with client(emu) as wf:
            result = await _export_or_error(wf, consistency)
            assert wf.limiter.borrowed_tokens == 0
        if isinstance(result, ServerError):
            assert result.status == 500
            assert result.method == "GET"
            assert "/task/" in result.url
            outcomes["error"] += 1
        else:
            assert_exactly_once(result, expected)
            outcomes["complete"] += 1
    assert sum(outcomes.values()) == 8
    assert outcomes["error"] > 0, "no 500 hit an export: the test proves nothing"


@pytest.mark.parametrize(
    ("faults", "error"),
    [
        (Faults(rate=1.0, statuses=(503,)), ServerError),
        (Faults(rate=1.0, statuses=(429,)), APIError),
        (Faults(drop_rate=1.0), TransportError),
        (Faults(truncate_rate=1.0), ResponseError),
    ],
    ids=["503", "429", "dropped", "truncated"],
)
async def test_spent_retry_budget_names_what_failed(
    faults: Faults, error: type[WorkfrontError]
) -> None:
    emu = seeded(300)
    emu.faults = faults
    async with client(emu) as wf:
        with pytest.raises(error) as info:
            await wf.search("task").page_size(100).all()
    exc = info.value
    text = str(exc)
    assert "GET" in text
    assert "task/search" in text
    assert emu.api_key() not in text
    # the default policy: five attempts, then the error with a note saying so
    assert emu.stats.received == Retry().attempts
    assert any("gave up after 5 attempt(s)" in note for note in getattr(exc, "__notes__", []))


@pytest.mark.parametrize("consistency", ["offset", "keyset"])
async def test_export_midway_failure_raises_instead_of_ending_short(consistency: str) -> None:
    emu = seeded(3_000, latency=(0.0, 0.002))
    expected = ids_of(emu.rows("task"))
    got: list[str] = []

    async def consume(wf: Workfront) -> None:
        async with wf.export("task", page_size=100, consistency=consistency) as rows:  # type: ignore[arg-type]
            async for row in rows:
                got.append(row["ID"])
                if len(got) == 300:
                    # from now on every request fails: the export cannot finish
                    emu.faults = Faults(rate=1.0, statuses=(503,))

    async with client(emu, retry=Retry(attempts=2).without_backoff()) as wf:
        with pytest.raises(WorkfrontError) as info:
            await consume(wf)
        assert wf.limiter.borrowed_tokens == 0
    assert "task/search" in str(info.value)
    assert len(got) < len(expected)
    assert len(got) == len(set(got))
    # after the outage an export completes exactly
    emu.faults = Faults()
    async with (
        client(emu) as wf,
        wf.export("task", page_size=100, consistency=consistency) as rows,  # type: ignore[arg-type]
    ):
        assert_exactly_once(ids_of([r async for r in rows]), expected)


async def test_served_emulator_faults_over_real_http() -> None:
    # the same promise over a real socket: dropped connections are broken
    # HTTP/1.1 responses, not in-process exceptions
    emu = seeded(2_000, seed=3, latency=(0.0, 0.003))
    expected = ids_of(emu.rows("task"))
    async with emu.serve() as served:
        emu.faults = TRANSIENT
        async with Workfront(
            served.base_url, api_key=emu.api_key(), retry=Retry().without_backoff()
        ) as wf:
            with anyio.fail_after(60):
                async with wf.export("task", page_size=100, consistency="keyset") as rows:
                    got = ids_of([r async for r in rows])
    assert_exactly_once(got, expected)
    assert emu.stats.faults_injected > 0
