"""The concurrency limiter seam: how the sender takes and gives back a slot.

Workfront caps concurrent requests per customer (docs/api-notes.md §1 "Limits"). A
limiter is anything that can be entered as an async context manager for one
request slot and says how many slots it has (``total_tokens``): an
``anyio.CapacityLimiter`` shared by the clients of one process, or a
``RedisLimiter`` shared across processes and hosts. ``Slots`` is what the
sender talks to: it takes a slot for each attempt and reports each answer, so
a limiter that adapts to the server can listen through an optional
``feedback(overloaded=...)`` method.

The cap is also shared with integrations nobody here controls (Fusion
scenarios, other scripts), so even a perfect limiter must yield when the
server says the tenant is busy. ``Slots`` therefore puts an adaptive window in
front of every limiter: additive increase, multiplicative decrease, as TCP's
congestion window and Netflix's concurrency-limits do. A 429 "Too many
concurrent API requests" halves the window (at most once per window of
requests: the answers to requests sent before the cut carry no news), each
other answer grows it by ``1 / window`` (so by about one slot per window of
answers), never past the limiter's own capacity and never below one.
"""

from __future__ import annotations

import contextlib
import contextvars
import math
import weakref
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

import anyio

__all__ = ["REQUEST_GATE", "AdaptiveWindow", "Limiter", "Slots", "tenant_of"]


@runtime_checkable
class Limiter(Protocol):
    """One request slot per ``async with``; ``total_tokens`` slots in all."""

    @property
    def total_tokens(self) -> float: ...

    async def __aenter__(self) -> Any: ...

    async def __aexit__(self, *exc_info: Any) -> bool | None: ...


def tenant_of(base_url: str) -> str:
    """The tenant a base URL belongs to: its host (and port), lower-cased,
    without credentials; ``https://ACME.my.workfront.com/attask/api/v21.0``
    gives ``acme.my.workfront.com``."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    return f"{host}:{parts.port}" if parts.port is not None else host


class AdaptiveWindow:
    """How many requests may be in flight now, below a ceiling: AIMD on 429s.

    ``limit`` is the window (a float; ``floor(limit)`` slots are usable);
    ``decreases`` counts the cuts. ``epoch`` changes at each cut: a request
    records the epoch it started in, and only an overloaded answer to a request
    started in the current epoch cuts again (once per window, like TCP).
    """

    __slots__ = ("_gate", "ceiling", "decrease", "decreases", "epoch", "in_flight", "limit")

    def __init__(self, ceiling: float, *, decrease: float = 0.5) -> None:
        if not 0 < decrease < 1:
            raise ValueError(f"decrease must be between 0 and 1, not {decrease!r}")
        self.ceiling = float(ceiling)
        self.limit = self.ceiling
        self.decrease = decrease
        self.decreases = 0
        self.epoch = 0
        self.in_flight = 0
        self._gate = anyio.CapacityLimiter(self._tokens())

    def _tokens(self) -> float:
        return math.inf if math.isinf(self.limit) else max(1, int(self.limit))

    async def acquire(self, token: object) -> int:
        """Wait for a slot of the window (FIFO); returns the epoch to report back."""
        try:
            self._gate.acquire_on_behalf_of_nowait(token)  # see _take
        except anyio.WouldBlock:
            await self._gate.acquire_on_behalf_of(token)
        self.in_flight += 1
        return self.epoch

    def release(self, token: object) -> None:
        self.in_flight -= 1
        self._gate.release_on_behalf_of(token)

    def answered(self, *, overloaded: bool, epoch: int | None) -> None:
        """Adjust the window after one answer to a request started in ``epoch``."""
        if overloaded:
            if epoch is not None and epoch != self.epoch:
                return  # sent before the last cut: the cut already accounts for it
            # an unbounded window is cut from what was in flight (this answer included)
            used = self.in_flight + 1.0 if math.isinf(self.limit) else self.limit
            self.limit = max(1.0, used * self.decrease)
            self.epoch += 1
            self.decreases += 1
        elif self.limit < self.ceiling:
            self.limit = min(self.ceiling, self.limit + 1.0 / max(self.limit, 1.0))
        else:
            return
        tokens = self._tokens()
        if tokens != self._gate.total_tokens:
            self._gate.total_tokens = tokens


# One window per limiter object, so clients sharing a limiter share its window.
_WINDOWS: weakref.WeakKeyDictionary[Any, AdaptiveWindow] = weakref.WeakKeyDictionary()
# A caller's own bound on its requests in flight, taken before the client's
# slot by every request of a task that set it: an export runs a couple of page
# loops more than its workers, and this keeps its requests to ``workers``.
REQUEST_GATE: contextvars.ContextVar[anyio.CapacityLimiter | None] = contextvars.ContextVar(
    "REQUEST_GATE", default=None
)

# The epoch of the current task's last slot, read back by ``Slots.record``.
_EPOCH: contextvars.ContextVar[int | None] = contextvars.ContextVar("_EPOCH", default=None)


def _window_for(limiter: Limiter) -> AdaptiveWindow:
    try:
        window = _WINDOWS.get(limiter)
        if window is None:
            window = _WINDOWS[limiter] = AdaptiveWindow(float(limiter.total_tokens))
        return window
    except TypeError:  # not weak-referenceable: a window of its own per client
        return AdaptiveWindow(float(limiter.total_tokens))


class Slots:
    """The sender's view of its limiter.

    With ``adaptive`` (the default) every slot also passes the limiter's
    ``AdaptiveWindow``, which 429 answers shrink and other answers regrow;
    ``adaptive=False`` uses the limiter's capacity as it is. ``tenant`` (the
    client's base URL) is given to a limiter that wants to know which tenant it
    guards (``bind_tenant``), such as a ``RedisLimiter`` created without a name.
    """

    __slots__ = ("_feedback", "limiter", "window")

    def __init__(
        self, limiter: Limiter, *, adaptive: bool = True, tenant: str | None = None
    ) -> None:
        self.limiter = limiter
        self._feedback = getattr(limiter, "feedback", None)
        bind = getattr(limiter, "bind_tenant", None)
        if tenant is not None and bind is not None:
            bind(tenant_of(tenant))
        self.window = _window_for(limiter) if adaptive else None

    @property
    def capacity(self) -> float:
        """How many requests may be in flight (``inf`` when unbounded)."""
        return float(self.limiter.total_tokens)

    @contextlib.asynccontextmanager
    async def slot(self, gated: Callable[[], object] | None = None) -> AsyncIterator[None]:
        """Hold one slot for the duration of one HTTP exchange (and one of the
        task's ``REQUEST_GATE``, when it set one, taken first: ``gated`` is
        called once that one is held, when the wait for the slot itself begins)."""
        gate = REQUEST_GATE.get()
        if gate is None:
            async with self._slot():
                yield
            return
        async with _take(gate):
            if gated is not None:
                gated()
            async with self._slot():
                yield

    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        window = self.window
        if window is None:
            async with _take(self.limiter):
                yield
            return
        token = object()
        # the window first: waiting there holds nothing of a shared limiter
        epoch = await window.acquire(token)
        _EPOCH.set(epoch)
        try:
            async with _take(self.limiter):
                yield
        finally:
            window.release(token)

    def record(self, *, overloaded: bool) -> None:
        """Tell the window and the limiter how the server answered
        (``overloaded``: a 429 "Too many concurrent API requests")."""
        if self.window is not None:
            self.window.answered(overloaded=overloaded, epoch=_EPOCH.get())
        if self._feedback is not None:
            self._feedback(overloaded=overloaded)


@contextlib.asynccontextmanager
async def _take(limiter: Limiter) -> AsyncIterator[None]:
    """One slot of ``limiter``; a free slot of an ``anyio.CapacityLimiter`` is
    taken at once. Its ``acquire`` passes through the event loop's queue even
    when a slot is free, and there, during an export, the decoding of pages
    that have just arrived (several ms each) runs first: each request of an
    export went out some tens of ms late, a fifth of the cap's time at 200 ms
    answers. The wait stays FIFO (a waiter ahead makes ``acquire_nowait``
    refuse) and cancellation still reaches the request at its first wait."""
    if not isinstance(limiter, anyio.CapacityLimiter):
        async with limiter:
            yield
        return
    try:
        limiter.acquire_nowait()
    except anyio.WouldBlock:
        await limiter.acquire()
    try:
        yield
    finally:
        limiter.release()
