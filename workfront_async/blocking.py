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

A client that is never closed (a script or an Airflow task that fails before
``close()``) does not keep the interpreter from exiting: the loop thread is a
daemon, and the client is closed, within a few seconds at most, when it is
garbage collected or at interpreter exit, with a ``ResourceWarning`` (shown
with ``python -W always`` or ``-X dev``), as an unclosed file is.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import sys
import threading
import warnings
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

import anyio
from anyio.from_thread import BlockingPortal

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .models import Model

__all__ = ["Workfront"]

M = TypeVar("M", bound="Model")
T = TypeVar("T")


class TypedRows(Generic[T]):
    """What type checkers see of a blocking search or export of a generated row
    class (``wf.search(Task)``): rows are ``Task`` instances. At run time it is
    the same wrapper as for an object code."""

    if TYPE_CHECKING:

        def __iter__(self) -> Iterator[T]: ...

        def __enter__(self) -> TypedRows[T]: ...

        def __exit__(self, *exc: object) -> None: ...

        def pages(self) -> Iterator[list[T]]: ...

        def all(self) -> list[T]: ...

        def first(self) -> T | None: ...

        def count(self) -> int: ...

        def where(self, where: Any) -> TypedRows[T]: ...

        def fields(self, *fields: str | Iterable[str]) -> TypedRows[T]: ...

        def sort(self, *keys: str | tuple[str, str]) -> TypedRows[T]: ...

        def limit(self, limit: int | None) -> TypedRows[T]: ...

        def page_size(self, page_size: int) -> TypedRows[T]: ...

        def to_arrow(self, **kwargs: Any) -> Any: ...

        def to_pandas(self, **kwargs: Any) -> Any: ...

        def to_polars(self, **kwargs: Any) -> Any: ...

        def write(self, *args: Any, **kwargs: Any) -> Any: ...


# How long a client that was never closed gets to close (log out, close its
# connections) when it is collected or at interpreter exit; past that it is
# left to the process's end.
_FORGOTTEN_CLOSE_TIMEOUT = 5.0


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
        # already be gone when a forgotten iterator is collected; while the
        # interpreter finalizes, its loop thread no longer runs: nothing to wait for.
        if not sys.is_finalizing():
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


class _Loop:
    """The event loop of one blocking client: a blocking portal in a daemon
    thread (what ``anyio.from_thread.start_blocking_portal`` makes, without
    its context manager: left unclosed, that one's cleanup ran when the
    garbage collector finalized it at interpreter exit, and waited forever
    for a loop thread that no longer ran)."""

    __slots__ = ("closed", "live", "portal", "target", "thread")

    def __init__(self) -> None:
        started: Future[BlockingPortal] = Future()

        async def run_portal() -> None:
            async with BlockingPortal() as portal:
                started.set_result(portal)
                await portal.sleep_until_stopped()

        def run() -> None:
            try:
                anyio.run(run_portal)
            except BaseException as exc:  # pragma: no cover - the loop failed to start
                if not started.done():
                    started.set_exception(exc)

        self.thread = threading.Thread(target=run, name="workfront-blocking", daemon=True)
        self.thread.start()
        self.portal = started.result()
        self.live: weakref.WeakSet[Any] = weakref.WeakSet()
        self.target: Any = None
        self.closed = False

    def close(self) -> None:
        """Close the open iterators and the client, then end the loop thread."""
        if self.closed:
            return
        self.closed = True
        try:
            for iterator in list(self.live):
                iterator.close()
            if self.target is not None:
                self.portal.call(self.target.aclose)
        finally:
            # Cancel what forgotten iterators left running, then end the thread.
            with contextlib.suppress(RuntimeError):
                self.portal.call(self.portal.stop, True)
            self.thread.join()


def _close_forgotten(loop: _Loop, shown: str) -> None:
    """A client nobody closed, collected or still open at interpreter exit:
    close it, in a thread of its own and for a bounded time (its logout may
    wait on a server that does not answer), then warn, as an unclosed file does."""
    if loop.closed:
        return

    def close() -> None:
        with contextlib.suppress(Exception):
            loop.close()

    closer = threading.Thread(target=close, name="workfront-blocking-close", daemon=True)
    closer.start()
    if threading.current_thread() is not loop.thread:  # collected in the loop: cannot wait
        closer.join(_FORGOTTEN_CLOSE_TIMEOUT)
    warnings.warn(
        f"{shown} was never closed; it was closed when collected or at interpreter exit. "
        "Use it in a `with` block or call close()",
        ResourceWarning,
        stacklevel=1,  # no caller's line to point at: it runs from the collector or at exit
    )


class Workfront(_Blocking):
    """A blocking :class:`workfront_async.Workfront`: same arguments, methods,
    errors and results, without ``await``. Use it as ``with`` (or call
    :meth:`close`); ``search``, ``export``, ``changes_since`` and
    ``journal`` return objects you iterate with a plain ``for``.

    A client left unclosed is closed when it is garbage collected or at
    interpreter exit, with a ``ResourceWarning``; it never keeps the
    interpreter from exiting.
    """

    __slots__ = ("__weakref__", "_finalizer", "_loop")

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        from .classic._client import Workfront as AsyncWorkfront

        loop = _Loop()
        try:
            loop.target = loop.portal.call(
                _open, functools.partial(AsyncWorkfront, base_url, **kwargs)
            )
        except BaseException:
            loop.close()
            raise
        super().__init__(loop.target, loop.portal, loop.live)
        self._loop = loop
        # Runs when the client is collected, or at interpreter exit (weakref.finalize).
        self._finalizer = weakref.finalize(
            self, _close_forgotten, loop, f"blocking.{loop.target!r}"
        )

    if TYPE_CHECKING:
        # Typed views of the methods that take a generated row class; every other
        # call (and these with an object code) is typed as the async client's
        # result without ``await`` (``Any`` here).
        @overload
        def search(
            self,
            obj: type[M],
            where: Any = None,
            *,
            fields: str | Iterable[str] = (),
            sort: Iterable[str | tuple[str, str]] = (),
            limit: int | None = None,
            page_size: int = 2000,
        ) -> TypedRows[M]: ...

        @overload
        def search(self, obj: str, where: Any = None, **kwargs: Any) -> Any: ...

        def search(self, obj: Any, where: Any = None, **kwargs: Any) -> Any: ...

        @overload
        def get(self, obj: type[M], id: str, fields: str | Iterable[str] = ()) -> M: ...

        @overload
        def get(self, obj: str, id: str, fields: str | Iterable[str] = ()) -> Any: ...

        def get(self, obj: Any, id: str, fields: str | Iterable[str] = ()) -> Any: ...

        @overload
        def export(
            self,
            obj: type[M],
            where: Any = None,
            *,
            fields: str | Iterable[str] = (),
            page_size: int = 2000,
            sort: Iterable[str | tuple[str, str]] = (),
            ordered: bool = False,
            consistency: Literal["offset", "keyset"] = "offset",
            limit: int | None = None,
            progress: Callable[[Any], Any] | None = None,
        ) -> TypedRows[M]: ...

        @overload
        def export(self, obj: str, where: Any = None, **kwargs: Any) -> Any: ...

        def export(self, obj: Any, where: Any = None, **kwargs: Any) -> Any: ...

    @property
    def client(self) -> Any:
        """The async client underneath (its methods must run in the portal's loop)."""
        return self._target

    def close(self) -> None:
        """Close the client and stop its event-loop thread (idempotent)."""
        self._finalizer.detach()
        self._loop.close()

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
