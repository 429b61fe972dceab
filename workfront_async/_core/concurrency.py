"""Task groups that raise the error users expect, and async generators read
from blocking code.

anyio task groups wrap failures in ``ExceptionGroup``; callers of
``get_many``, bulk calls and exports should see the ``WorkfrontError`` that
happened (``except NotFoundError`` must work), not a group. ``task_group()``
re-raises the first real failure of a group, noting how many others there
were, and lets pure cancellation through untouched.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import anyio
from anyio.abc import TaskGroup
from anyio.from_thread import start_blocking_portal

__all__ = ["first_error", "iterate_blocking", "task_group"]


def _leaves(exc: BaseException) -> list[BaseException]:
    if isinstance(exc, BaseExceptionGroup):
        out: list[BaseException] = []
        for inner in exc.exceptions:
            out.extend(_leaves(inner))
        return out
    return [exc]


def first_error(group: BaseExceptionGroup[BaseException]) -> BaseException | None:
    """The exception to raise for ``group``: an interrupt first, then the
    first non-cancellation error; ``None`` when the group is only cancellations."""
    cancelled = anyio.get_cancelled_exc_class()
    leaves = _leaves(group)
    real = [e for e in leaves if not isinstance(e, cancelled)]
    for exc in real:
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            return exc
    if not real:
        return None
    first = real[0]
    if len(real) > 1:
        first.add_note(f"({len(real) - 1} other concurrent request(s) failed too)")
    return first


@contextlib.asynccontextmanager
async def task_group() -> AsyncIterator[TaskGroup]:
    """``anyio.create_task_group()`` that raises a single error instead of a group."""
    try:
        async with anyio.create_task_group() as tg:
            yield tg
    except BaseExceptionGroup as group:
        exc = first_error(group)
        if exc is None:
            raise
        raise exc from None


def iterate_blocking(produce: Callable[[], AsyncIterator[Any]], buffer: int = 2) -> Iterator[Any]:
    """Run an async generator on an event loop thread of its own and yield its
    items here, at most ``buffer`` ahead (works under a running loop too, as in
    a notebook)."""
    with start_blocking_portal() as portal:
        send, receive = anyio.create_memory_object_stream[Any](buffer)

        async def pump() -> None:
            async with send:
                gen = produce()
                async with contextlib.aclosing(gen):  # type: ignore[type-var]
                    async for item in gen:
                        await send.send(item)

        future = portal.start_task_soon(pump)
        try:
            while True:
                try:
                    item = portal.call(receive.receive)
                except anyio.EndOfStream:
                    break
                yield item
            future.result()
        finally:
            if not future.done():
                future.cancel()
            portal.call(receive.aclose)
