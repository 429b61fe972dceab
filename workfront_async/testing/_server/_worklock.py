"""The emulator's work lock: one request's SQLite work at a time, quick work first.

A served emulator under an export has up to ten 2000-row pages waiting for the
lock. A cheap request (a get by ID, a write, a count) that queued behind all of
them would wait for every page; real Workfront answers it in milliseconds
while exports run. So waiters are served in two classes, each in arrival
order: quick work before bulk work (searches, reports, batches). A cheap
request then waits for at most the one page being built.

Reentrant (a public method called while the same thread holds the lock passes
straight through), and usable as a plain ``with lock:`` (quick).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

__all__ = ["WorkLock"]


class WorkLock:
    """A reentrant lock whose waiters go quick first, then bulk, each FIFO."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._owner: int | None = None
        self._depth = 0
        self._waiting: tuple[deque[object], deque[object]] = (deque(), deque())

    @contextmanager
    def hold(self, *, bulk: bool = False) -> Iterator[None]:
        self._acquire(bulk)
        try:
            yield
        finally:
            self._release()

    def try_hold(self) -> bool:
        """Take the lock now if it is free and no quick work waits for it (then
        ``release()``): quick work goes before waiting bulk work anyway. False,
        without waiting, otherwise."""
        with self._cond:
            if self._owner is not None or self._waiting[0]:
                return False
            self._owner = threading.get_ident()
            self._depth = 1
            return True

    def release(self) -> None:
        self._release()

    def __enter__(self) -> None:
        self._acquire(False)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._release()

    def _acquire(self, bulk: bool) -> None:
        me = threading.get_ident()
        with self._cond:
            if self._owner == me:
                self._depth += 1
                return
            ticket = object()
            queue = self._waiting[bulk]
            queue.append(ticket)
            try:
                while self._owner is not None or self._next() is not ticket:
                    self._cond.wait()
            except BaseException:
                queue.remove(ticket)
                self._cond.notify_all()
                raise
            queue.popleft()
            self._owner = me
            self._depth = 1

    def _next(self) -> object | None:
        quick, bulk = self._waiting
        if quick:
            return quick[0]
        return bulk[0] if bulk else None

    def _release(self) -> None:
        with self._cond:
            if self._owner != threading.get_ident():
                raise RuntimeError("the work lock is released by a thread that does not hold it")
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._cond.notify_all()
