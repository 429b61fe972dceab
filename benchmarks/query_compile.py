"""Section 5: building and compiling a five-condition expression with one OR,
against building the same parameter list by hand.

``compile_classic`` keeps compiled forms (keyed by structure and value
types), so the figure is given both ways: the same query again (a cache hit,
what an application that runs its queries repeatedly pays) and a new value
every time (a miss: the whole compiler runs)."""

from __future__ import annotations

import time
from typing import Any

from workfront_async import Q
from workfront_async.query import compile_classic

from ._common import Sizes, spread

__all__ = ["run"]

TARGET_US = 20.0


def _expression(status: str, priority: int, word: str, owner: str, before: str) -> Any:
    return (
        (Q.status == status)
        & (Q.priority >= priority)
        & Q.name.icontains(word)
        & ((Q.assignedTo.name == owner) | (Q.plannedCompletionDate < before))
    )


def _by_hand(
    status: str, priority: int, word: str, owner: str, before: str
) -> list[tuple[str, str]]:
    """The parameters a user would write for the same filter, ``OR:1:`` level included."""
    common = [
        ("status", status),
        ("status_Mod", "eq"),
        ("priority", str(priority)),
        ("priority_Mod", "gte"),
        ("name", word),
        ("name_Mod", "cicontains"),
    ]
    params = [*common, ("assignedTo:name", owner), ("assignedTo:name_Mod", "eq")]
    params += [(f"OR:1:{k}", v) for k, v in common]
    params += [("OR:1:plannedCompletionDate", before), ("OR:1:plannedCompletionDate_Mod", "lt")]
    return params


def run(sizes: Sizes) -> dict[str, Any]:
    args = ("CUR", 2, "launch", "Ann", "2024-01-01")
    expected = _by_hand(*args)
    if compile_classic(_expression(*args)) != expected:
        raise RuntimeError("compile_classic and the hand-built list differ; fix the benchmark")
    loops = sizes.compile_loops
    build: list[float] = []
    compiled: list[float] = []
    cold: list[float] = []
    warm: list[float] = []
    hand: list[float] = []
    words = [f"w{i}" for i in range(loops)]
    prebuilt = _expression(*args)
    for rep in range(sizes.reps):
        started = time.perf_counter()
        for word in words:  # every value new: each compile misses the cache
            compile_classic(_expression("CUR", 2, f"{word}-{rep}", "Ann", "2024-01-01"))
        cold.append((time.perf_counter() - started) / loops * 1e6)
        started = time.perf_counter()
        for _ in range(loops):
            compile_classic(prebuilt)
        warm.append((time.perf_counter() - started) / loops * 1e6)
        started = time.perf_counter()
        for _ in range(loops):
            compile_classic(_expression(*args))
        compiled.append((time.perf_counter() - started) / loops * 1e6)
        started = time.perf_counter()
        for _ in range(loops):
            _expression(*args)
        build.append((time.perf_counter() - started) / loops * 1e6)
        started = time.perf_counter()
        for _ in range(loops):
            _by_hand(*args)
        hand.append((time.perf_counter() - started) / loops * 1e6)
    return {
        "expression": "(Q.status == s) & (Q.priority >= p) & Q.name.icontains(w) & "
        "((Q.assignedTo.name == o) | (Q.plannedCompletionDate < d))",
        "parameters": len(expected),
        "loops": loops,
        "build_and_compile_us": spread(compiled).as_dict(),
        "build_and_compile_cold_us": spread(cold).as_dict(),
        "compile_only_cached_us": spread(warm).as_dict(),
        "target_us": TARGET_US,
        "met": spread(compiled).median <= TARGET_US,
        "build_only_us": spread(build).as_dict(),
        "by_hand_us": spread(hand).as_dict(),
        "ratio": spread([a / b for a, b in zip(compiled, hand, strict=True)]).as_dict(),
    }
