"""Section 5: compiling a five-condition expression with one OR, against
building the same parameter list by hand."""

from __future__ import annotations

import time
from typing import Any

from workfront_async import Q
from workfront_async.query import compile_classic

from ._common import Sizes, spread

__all__ = ["run"]


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
    hand: list[float] = []
    for _ in range(sizes.reps):
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
        "build_only_us": spread(build).as_dict(),
        "by_hand_us": spread(hand).as_dict(),
        "ratio": spread([a / b for a, b in zip(compiled, hand, strict=True)]).as_dict(),
    }
