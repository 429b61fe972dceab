"""The concurrency limiter seam: how the sender takes and gives back a slot.

Workfront caps concurrent requests per customer (API-NOTES §1 "Limits"). A
limiter is anything that can be entered as an async context manager for one
request slot and says how many slots it has (``total_tokens``): an
``anyio.CapacityLimiter`` shared by the clients of one process, or a limiter
shared across processes. ``Slots`` is what the sender talks to: it takes a
slot for each attempt and reports each answer, so a limiter that adapts to
the server (fewer slots after "Too many concurrent API requests") can listen
through an optional ``feedback(overloaded=...)`` method.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any, Protocol, runtime_checkable

__all__ = ["Limiter", "Slots"]


@runtime_checkable
class Limiter(Protocol):
    """One request slot per ``async with``; ``total_tokens`` slots in all."""

    @property
    def total_tokens(self) -> float: ...

    async def __aenter__(self) -> Any: ...

    async def __aexit__(self, *exc_info: Any) -> bool | None: ...


class Slots:
    """The sender's view of its limiter."""

    __slots__ = ("_feedback", "limiter")

    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter
        self._feedback = getattr(limiter, "feedback", None)

    @property
    def capacity(self) -> float:
        """How many requests may be in flight (``inf`` when unbounded)."""
        return float(self.limiter.total_tokens)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one slot for the duration of one HTTP exchange."""
        async with self.limiter:
            yield

    def record(self, *, overloaded: bool) -> None:
        """Tell the limiter how the server answered (``overloaded``: a 429)."""
        if self._feedback is not None:
            self._feedback(overloaded=overloaded)
