"""The emulator's work lock serves quick work before bulk pages, each in arrival order.

The lock is the emulator's own primitive (a served emulator's cheap requests
must not queue behind ten 2000-row pages); its order is checked here with real
threads, since no request can be made to hold the lock for a chosen time.
"""

from __future__ import annotations

import threading
import time

import pytest

from workfront_async.testing._server._worklock import WorkLock


def _wait_for(predicate: object, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_quick_waiters_go_first_then_bulk_in_arrival_order() -> None:
    lock = WorkLock()
    order: list[str] = []
    release = threading.Event()

    def holder() -> None:
        with lock.hold(bulk=True):
            release.wait()

    def worker(name: str, bulk: bool) -> None:
        with lock.hold(bulk=bulk):
            order.append(name)

    first = threading.Thread(target=holder)
    first.start()
    _wait_for(lambda: lock._owner is not None)
    threads = []
    for name, bulk in (("page1", True), ("get1", False), ("page2", True), ("get2", False)):
        t = threading.Thread(target=worker, args=(name, bulk))
        t.start()
        threads.append(t)
        queued = len(threads)
        _wait_for(lambda: sum(map(len, lock._waiting)) == queued)  # noqa: B023 - read at once
    release.set()
    for t in [first, *threads]:
        t.join(5)
    assert order == ["get1", "get2", "page1", "page2"]


def test_reentrant_and_plain_with() -> None:
    lock = WorkLock()
    with lock, lock.hold(bulk=True), lock:
        assert lock._depth == 3
    assert lock._owner is None
    other = threading.Thread(target=lambda: lock.__enter__() or lock.__exit__(None, None, None))
    other.start()
    other.join(5)
    assert not other.is_alive()


def test_release_by_another_thread_is_refused() -> None:
    lock = WorkLock()
    lock.__enter__()
    errors: list[BaseException] = []

    def stranger() -> None:
        try:
            lock.__exit__(None, None, None)
        except RuntimeError as exc:
            errors.append(exc)

    t = threading.Thread(target=stranger)
    t.start()
    t.join(5)
    lock.__exit__(None, None, None)
    assert len(errors) == 1
    with pytest.raises(RuntimeError):
        lock.__exit__(None, None, None)
