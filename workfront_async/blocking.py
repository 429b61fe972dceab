"""A blocking facade for code that is not async: scripts, notebooks, Airflow tasks.

``workfront_async.blocking.Workfront`` takes the same arguments and has the
same methods as :class:`workfront_async.Workfront`, raises the same errors,
and returns the same values; only ``await`` and ``async for`` are gone::

    from workfront_async.blocking import Workfront

    with Workfront("https://acme.my.workfront.com", api_key="...") as wf:
        print(wf.count("task"))
        for row in wf.search("task", fields=["name"]):   # pages lazily
            ...
        with wf.export("task") as rows:                   # concurrent export
            for row in rows:
                ...

One event loop runs in a background thread for the life of the client (an
anyio blocking portal), so the client can be used any number of times, from
any thread, and inside a notebook whose own loop is already running. Iterators
fetch one page at a time as they are consumed and stop fetching when left
early (``break``) or closed.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import weakref
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any

import anyio
from anyio.from_thread import BlockingPortal, start_blocking_portal

__all__ = ["Workfront"]


def _iterate(
    portal: BlockingPortal, owner: Any, source: Callable[[], Any], *, flat: bool
) -> Iterator[Any]:
    """Items of the async iterable ``source()``, driven by one task in the
    portal's loop and handed over one at a time: nothing more is fetched than
    the consumer asks for, plus what the source itself prefetches. ``owner``,
    when it is an async context manager (an export), is entered and left by
    that same task, as its task groups require. ``flat`` flattens pages into
    rows. Leaving early stops the task at its next hand-over."""
    send, receive = portal.call(_stream)

    async def pump() -> None:
        iterable = source()
        if hasattr(iterable, "aclose"):
            async with contextlib.aclosing(iterable) as items:
                async for item in items:
                    await send.send(item)
        else:
            async for item in iterable:
                await send.send(item)

    async def drive() -> None:
        async with send:
            try:
                if hasattr(owner, "__aenter__"):
                    async with owner:
                        await pump()
                else:
                    await pump()
            except anyio.BrokenResourceError:
                pass  # the consumer left early

    future = portal.start_task_soon(drive)
    try:
        while True:
            try:
                item = portal.call(receive.receive)
            except anyio.EndOfStream:
                break
            if flat:
                yield from item
            else:
                yield item
        future.result()  # the source's error, if it failed
    finally:
        # Closing the receiving end stops the task at its next hand-over; wait
        # for it so that the source is closed when this returns. The portal may
        # already be gone when a forgotten iterator is collected.
        with contextlib.suppress(RuntimeError):
            portal.call(receive.aclose)
            future.exception()


async def _stream() -> tuple[Any, Any]:
    return anyio.create_memory_object_stream[Any](0)


class _Blocking:
    """Wrap an object of the async API: coroutine methods become blocking calls,
    async iterables become iterators, async context managers become ``with``."""

    __slots__ = ("_live", "_portal", "_target")

    def __init__(
        self, target: Any, portal: BlockingPortal, live: weakref.WeakSet[Any] | None = None
    ) -> None:
        self._target = target
        self._portal = portal
        # Iterators still open, closed with the client so that none outlives its loop.
        self._live: weakref.WeakSet[Any] = live if live is not None else weakref.WeakSet()

    def _track(self, iterator: Iterator[Any]) -> Iterator[Any]:
        self._live.add(iterator)
        return iterator

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        attr = getattr(self._target, name)
        portal, live = self._portal, self._live
        if inspect.iscoroutinefunction(attr):

            @functools.wraps(attr)
            def call(*args: Any, **kwargs: Any) -> Any:
                return _wrap(portal.call(functools.partial(attr, *args, **kwargs)), portal, live)

            return call
        if inspect.isasyncgenfunction(attr):

            @functools.wraps(attr)
            def iterate(*args: Any, **kwargs: Any) -> Iterator[Any]:
                source = functools.partial(attr, *args, **kwargs)
                return self._track(_iterate(portal, None, source, flat=False))

            return iterate
        if callable(attr):

            @functools.wraps(attr)
            def build(*args: Any, **kwargs: Any) -> Any:
                return _wrap(attr(*args, **kwargs), portal, live)

            return build
        return _wrap(attr, portal, live)

    def __dir__(self) -> list[str]:
        return [n for n in dir(self._target) if not n.startswith("_")]

    def __iter__(self) -> Iterator[Any]:
        target = self._target
        if not hasattr(target, "__aiter__"):
            raise TypeError(f"{type(target).__name__} is not iterable")
        pages = getattr(target, "pages", None)
        if callable(pages):  # a page per hand-over is much cheaper than a row
            return self._track(_iterate(self._portal, target, pages, flat=True))
        return self._track(_iterate(self._portal, target, lambda: target, flat=False))

    def __enter__(self) -> Any:
        # An iterable's own context (an export's) is entered by the task that
        # iterates it; see _iterate.
        if hasattr(self._target, "__aenter__") and not hasattr(self._target, "__aiter__"):
            self._portal.call(self._target.__aenter__)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if hasattr(self._target, "__aexit__") and not hasattr(self._target, "__aiter__"):
            self._portal.call(self._target.__aexit__, exc_type, exc, tb)

    def __repr__(self) -> str:
        return f"blocking({self._target!r})"


def _wrap(value: Any, portal: BlockingPortal, live: weakref.WeakSet[Any]) -> Any:
    """Results of this library that need the event loop (searches, exports,
    change feeds, subscriptions, async generators) are wrapped; plain data is
    returned as is."""
    if inspect.isasyncgen(value):
        return _Blocking(value, portal, live)
    if type(value).__module__.startswith("workfront_async") and (
        hasattr(value, "__aiter__")
        or hasattr(value, "__aenter__")
        or type(value).__name__ == "Subscriptions"
    ):
        return _Blocking(value, portal, live)
    return value


async def _open(factory: Callable[[], Any]) -> Any:
    client = factory()
    await client.__aenter__()
    return client


class Workfront(_Blocking):
    """A blocking :class:`workfront_async.Workfront`: same arguments, methods,
    errors and results, without ``await``. Use it as ``with`` (or call
    :meth:`close`); ``search``, ``export``, ``changes_since`` and
    ``journal`` return objects you iterate with a plain ``for``.
    """

    __slots__ = ("_exit",)

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        from .classic._client import Workfront as AsyncWorkfront

        manager = start_blocking_portal()
        portal = manager.__enter__()
        try:
            client = portal.call(_open, functools.partial(AsyncWorkfront, base_url, **kwargs))
        except BaseException:
            manager.__exit__(None, None, None)
            raise
        super().__init__(client, portal)
        self._exit: Callable[..., Any] | None = manager.__exit__

    @property
    def client(self) -> Any:
        """The async client underneath (its methods must run in the portal's loop)."""
        return self._target

    def close(self) -> None:
        """Close the client and stop its event-loop thread (idempotent)."""
        stop, self._exit = self._exit, None
        if stop is None:
            return
        try:
            for iterator in list(self._live):
                iterator.close()
            self._portal.call(self._target.aclose)
        finally:
            # Cancel what forgotten iterators left running, then end the thread.
            with contextlib.suppress(RuntimeError):
                self._portal.call(self._portal.stop, True)
            stop(None, None, None)

    def __enter__(self) -> Workfront:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"blocking.{self._target!r}"
