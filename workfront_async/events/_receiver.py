"""Receiving event subscription deliveries (docs/api-notes.md §2).

Workfront POSTs each event to the subscriber URL with the subscription's
``authToken`` as an OAuth2 bearer token, and expects a 2xx within 5 seconds;
failures are retried with growing back-off for about 48 hours. So the
receiver checks the token, parses the message, puts it on a bounded queue
and answers ``202`` at once; the user's handler runs apart from the HTTP
exchange, and a slow handler never makes Workfront retry. When the queue is
full (in events or in bytes) the receiver answers ``503`` so Workfront
delivers the event again later: nothing is dropped silently. A body larger
than ``max_body`` gets ``413``; a malformed one ``400`` (never ``500``, which
Workfront would retry for 48 hours).

The handler runs in workers that an ASGI server's lifespan starts (or
``async with receiver.running():``). Where no lifespan reaches the receiver
(mounted in FastAPI/Starlette, which pass lifespan events to the main app
only), the request that queued an event goes on, after answering, to run the
handler on the queue, with at most ``workers`` such requests at a time: the
handler runs with no extra call in every setting.

Stopping loses nothing that was acknowledged, within a grace period: at the
lifespan's shutdown (or the end of ``running()``) the receiver answers
``503`` with ``Retry-After`` to new deliveries and lets the workers finish
the queue, for at most ``grace_period`` seconds; whatever is still not
handled then is logged with its count. With ``queue_file`` the queue lives
in an SQLite file as well: an event is committed to disk before its ``202``
and removed once its handler has finished, and the next start runs what a
stop (``SIGKILL`` included) left there: at least once, never lost.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import math
import os
import uuid
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import anyio.abc
import attrs
import orjson

from .._core.exceptions import EventError, QueryError
from ._queue_file import QueueFile

__all__ = ["Event", "EventReceiver", "parse_event"]

log = logging.getLogger("workfront_async.events")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Handler = Callable[["Event"], Awaitable[Any]]
TaskStatus = anyio.abc.TaskStatus

MAX_BODY = 10 * 1024 * 1024
MAX_QUEUE_BYTES = 64 * 1024 * 1024
# Seconds a stop waits for the acknowledged events to be handled: inside
# `docker stop`'s 10 s before SIGKILL, with room for the server's own wait.
GRACE_PERIOD = 8.0

# datetime's range, in seconds since the epoch (years 1 to 9999).
_MIN_EPOCH = -62_135_596_800
_MAX_EPOCH = 253_402_300_799


@attrs.frozen
class Event:
    """One delivered event: ``{eventType, subscriptionId, eventTime, newState, oldState}``,
    with ``eventVersion`` and ``subscriptionVersion`` when Workfront sends them
    (Version 2 subscriptions; Adobe's ``event-subs-versioning.md``)."""

    event_type: str
    subscription_id: str
    event_time: datetime
    new_state: Mapping[str, Any]
    old_state: Mapping[str, Any]
    event_version: str | None = None
    subscription_version: str | None = None
    #: The receiver's ID for this delivery (Workfront's messages carry none;
    #: ``parse_event`` leaves it ``None``). With a ``queue_file`` an event that
    #: runs again after a restart carries the same ID, so a handler can tell a
    #: repeat from a new event. Not part of equality: two deliveries of the
    #: same message are equal events.
    delivery_id: str | None = attrs.field(default=None, eq=False)

    @property
    def obj_code(self) -> str | None:
        state = self.new_state or self.old_state
        code = state.get("objCode")
        return str(code) if code is not None else None

    @property
    def obj_id(self) -> str | None:
        state = self.new_state or self.old_state
        oid = state.get("ID")
        return str(oid) if oid is not None else None

    def changed(self, field: str) -> bool:
        """Whether ``field`` differs between the old and the new state."""
        return self.old_state.get(field) != self.new_state.get(field)


def _state(value: Any, name: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if isinstance(value, str):
        # base64Encoding=true subscriptions send the states base64-encoded.
        try:
            value = orjson.loads(base64.b64decode(value, validate=True))
        except (binascii.Error, orjson.JSONDecodeError, ValueError):
            raise EventError(f"{name} is neither an object nor base64-encoded JSON") from None
    if not isinstance(value, Mapping):
        raise EventError(f"{name} must be an object")
    return value


def _event_time(when: Any) -> datetime:
    if when is None:
        when = {}
    if not isinstance(when, Mapping):
        raise EventError("eventTime must be {epochSecond, nano}")
    seconds = _whole(when.get("epochSecond", 0), "eventTime.epochSecond")
    nano = _whole(when.get("nano", 0), "eventTime.nano")
    if not _MIN_EPOCH <= seconds <= _MAX_EPOCH:
        raise EventError(f"eventTime.epochSecond {seconds} is outside the years 1 to 9999")
    if not 0 <= nano < 1_000_000_000:
        raise EventError(f"eventTime.nano {nano} must be from 0 to 999999999")
    try:
        return datetime.fromtimestamp(seconds, UTC) + timedelta(microseconds=nano // 1000)
    except (OverflowError, OSError, ValueError):
        # The last second of 9999 plus the nanoseconds, or a platform limit.
        raise EventError(f"eventTime.epochSecond {seconds} is not a representable time") from None


def _whole(value: Any, name: str) -> int:
    """``value`` as a whole number: an int, an integral float or a numeric string."""
    if isinstance(value, bool):
        raise EventError(f"{name} must be a number, got {value!r}")
    if isinstance(value, float):
        if not value.is_integer() or abs(value) > 2**63:
            raise EventError(f"{name} must be a whole number of reasonable size")
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and 0 < len(value) <= 20:
        try:
            return int(value)
        except ValueError:
            pass
    raise EventError(f"{name} must be a whole number, got {_short(value)}")


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, (Mapping, list)) else type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def parse_event(body: bytes | Mapping[str, Any]) -> Event:
    """Parse a delivered message into an :class:`Event`."""
    return _parse(body, None)


def _parse(body: bytes | Mapping[str, Any], delivery_id: str | None) -> Event:
    try:
        data = orjson.loads(body) if isinstance(body, (bytes, bytearray)) else body
    except orjson.JSONDecodeError as exc:
        raise EventError(f"body is not JSON: {exc}") from None
    if not isinstance(data, Mapping):
        raise EventError("body must be a JSON object")
    event_type = data.get("eventType")
    if event_type not in ("CREATE", "UPDATE", "DELETE"):
        raise EventError(f"eventType must be CREATE, UPDATE or DELETE, got {_short(event_type)}")
    subscription_id = data.get("subscriptionId", "")
    if not isinstance(subscription_id, (str, int)) or isinstance(subscription_id, bool):
        raise EventError("subscriptionId must be a string")
    event_time = _event_time(data.get("eventTime"))
    return Event(
        event_type=event_type,
        subscription_id=str(subscription_id)[:200],
        event_time=event_time,
        new_state=_state(data.get("newState"), "newState"),
        old_state=_state(data.get("oldState"), "oldState"),
        event_version=_version(data.get("eventVersion"), "eventVersion"),
        subscription_version=_version(data.get("subscriptionVersion"), "subscriptionVersion"),
        delivery_id=delivery_id,
    )


def _version(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)) or len(str(value)) > 20:
        raise EventError(f"{name} must be a short version string, got {_short(value)}")
    return str(value)


# (event, body size, key in the queue file or None) of one queued event.
_Item = tuple[Event, int, int | None]


class EventReceiver:
    """An ASGI app that receives event deliveries.

    Use it in one of two ways:

    * give ``handler`` (an async function taking an :class:`Event`) and serve
      ``receiver`` with any ASGI server: the handler runs in ``workers``
      background tasks started by the server's lifespan (or by
      ``async with receiver.running():`` when the server has none);
    * or iterate ``async for event in receiver.events():`` yourself.

    Mounted in FastAPI or Starlette (which send lifespan events to the main
    app only), the handler still runs: see the module docs.

    ``auth_token`` is the token you gave the subscription; requests without
    it get 401. Memory is bounded: at most ``max_queue`` events and
    ``max_queue_bytes`` bytes of bodies wait in the queue (and are being
    read); beyond either the receiver answers 503. A body above ``max_body``
    bytes gets 413.

    A stop (the lifespan's shutdown, the end of ``running()``) first drains:
    new deliveries get 503 with ``Retry-After``, and the workers go on for
    up to ``grace_period`` seconds (8 by default) until every acknowledged
    event is handled; what is left then is logged with its count. With
    ``queue_file`` (a path; needs ``handler``), every event is committed to
    that SQLite file before its ``202`` and removed once its handler has
    finished; the next start runs whatever is still there, so acknowledged
    events survive ``SIGKILL``, at least once (see :attr:`Event.delivery_id`).
    """

    def __init__(
        self,
        auth_token: str,
        handler: Handler | None = None,
        *,
        workers: int = 4,
        max_queue: int = 10_000,
        max_queue_bytes: int = MAX_QUEUE_BYTES,
        max_body: int = MAX_BODY,
        grace_period: float = GRACE_PERIOD,
        queue_file: str | os.PathLike[str] | None = None,
    ) -> None:
        if not auth_token:
            raise QueryError("auth_token must be the token the subscription was created with")
        if max_body < 1 or max_queue_bytes < max_body:
            raise QueryError(
                f"max_queue_bytes ({max_queue_bytes}) must be at least max_body ({max_body}), "
                "and max_body at least 1"
            )
        if not grace_period >= 0:  # also refuses NaN
            raise QueryError(f"grace_period must be a number of seconds >= 0, got {grace_period}")
        if queue_file is not None and handler is None:
            raise QueryError(
                "queue_file needs a handler: an event leaves the file when its handler finishes"
            )
        self._token = auth_token.encode()
        self.handler = handler
        self.workers = workers
        self.max_queue = max_queue
        self.max_queue_bytes = max_queue_bytes
        self.max_body = max_body
        self.grace_period = grace_period
        self.queue_file = os.fspath(queue_file) if queue_file is not None else None
        self._queue: deque[_Item] = deque()
        self._wakeup: anyio.Event | None = None
        self.queued_bytes = 0  # bodies of the queued events, and of those being read or stored
        self._workers = 0  # worker tasks running (lifespan or running())
        self._drainers = 0  # requests running the handler after answering
        self._active = 0  # handlers running
        self._storing = 0  # deliveries being committed to the queue file
        self._interrupted = 0  # handlers cancelled by a stop, not yet reported
        self._draining = False
        self._idle: anyio.Event | None = None  # set when draining and nothing is left
        self._journal: _Journal | None = None
        self._opening: anyio.Lock | None = None
        self.received = 0
        self.rejected = 0
        self.busy = 0
        self.handled = 0
        self.handler_errors = 0
        self.replayed = 0

    def __repr__(self) -> str:
        return (
            f"EventReceiver(received={self.received}, handled={self.handled}, "
            f"rejected={self.rejected}, busy={self.busy})"
        )

    @property
    def draining(self) -> bool:
        """Whether a stop has begun: deliveries get 503 until the next start."""
        return self._draining

    # -- consuming -------------------------------------------------------

    def _put(self, event: Event, size: int, key: int | None) -> None:
        self._queue.append((event, size, key))
        self.queued_bytes += size
        if self._wakeup is not None:
            self._wakeup.set()

    def _pop(self) -> _Item:
        item = self._queue.popleft()
        self.queued_bytes -= item[1]
        return item

    async def get(self) -> Event:
        """The next event received (waits for one)."""
        while not self._queue:
            if self._wakeup is None or self._wakeup.is_set():
                self._wakeup = anyio.Event()
            await self._wakeup.wait()
        event = self._pop()[0]
        self._check_idle()
        return event

    async def events(self) -> AsyncIterator[Event]:
        """Every event received, in arrival order (runs until cancelled)."""
        while True:
            yield await self.get()

    async def _handle(self, item: _Item) -> None:
        assert self.handler is not None
        event, _, key = item
        self._active += 1
        finished = False
        try:
            try:
                await self.handler(event)
            except Exception:
                self.handler_errors += 1
                log.exception("event handler failed for %s %s", event.event_type, event.obj_id)
            else:
                self.handled += 1
            finished = True
            # A handler that raised is done with the event too: it is not
            # stored for ever to fail again at every start.
            if key is not None and self._journal is not None:
                await self._journal.remove(key)
        except anyio.get_cancelled_exc_class():
            if not finished:
                self._interrupted += 1
            raise
        except Exception:
            # The event was handled; it stays in the file and runs again at
            # the next start (at least once).
            log.exception("could not remove a handled event from the queue_file")
        finally:
            self._active -= 1
            self._check_idle()

    async def _work(self) -> None:
        while True:
            while not self._queue:
                if self._wakeup is None or self._wakeup.is_set():
                    self._wakeup = anyio.Event()
                await self._wakeup.wait()
            await self._handle(self._pop())

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Run the handler workers until cancelled.

        With a ``queue_file``, opens it first and queues the events it holds.
        Cancelled, the workers stop at once: what is left is logged with its
        count (with a ``queue_file`` it stays there for the next start). For
        a graceful stop, ``await drain()`` before cancelling, as the lifespan
        and ``running()`` do.
        """
        if self.handler is None:
            raise QueryError("run() needs a handler; or iterate receiver.events()")
        self._draining = False
        self._idle = None
        if self.queue_file is not None:
            await self._open_journal()
        self._workers += 1
        try:
            async with anyio.create_task_group() as tg:
                for _ in range(max(1, self.workers)):
                    tg.start_soon(self._work)
                task_status.started()
        finally:
            self._workers -= 1
            if not self._workers:
                with anyio.CancelScope(shield=True):
                    await self._stopped()

    async def drain(self) -> int:
        """Stop taking deliveries and finish the acknowledged ones.

        From this call on every delivery gets 503 with ``Retry-After``, so
        Workfront delivers it again later (to the next process). Waits, for
        at most ``grace_period`` seconds, until every acknowledged event has
        been handled; returns how many are still not handled (0 when all
        are). The lifespan's shutdown and the end of ``running()`` call it
        before stopping the workers; the next start takes deliveries again.
        """
        self._draining = True
        if self._idle is None:
            self._idle = anyio.Event()
        self._check_idle()
        with anyio.move_on_after(self.grace_period):
            await self._idle.wait()
        return self._unhandled()

    def _unhandled(self) -> int:
        return len(self._queue) + self._active + self._storing

    def _check_idle(self) -> None:
        if self._idle is not None and not self._unhandled():
            self._idle.set()

    async def _stopped(self) -> None:
        # The workers (or the last request running the handler) are gone.
        waiting, interrupted = len(self._queue), self._interrupted
        self._interrupted = 0
        journal, self._journal = self._journal, None
        if waiting or interrupted:
            if journal is not None:
                log.warning(
                    "stopped with %d acknowledged events not handled (%d waiting, "
                    "%d interrupted in the handler); they stay in the queue_file %s and run "
                    "at the next start",
                    waiting + interrupted,
                    waiting,
                    interrupted,
                    journal.path,
                )
            else:
                log.error(
                    "stopped with %d acknowledged events not handled (%d waiting, "
                    "%d interrupted in the handler): they are lost, as Workfront does not "
                    "deliver an acknowledged event again (grace_period is %g s; a queue_file "
                    "would keep them)",
                    waiting + interrupted,
                    waiting,
                    interrupted,
                    self.grace_period,
                )
        if journal is not None:
            # The stored events run at the next start, from the file.
            while self._queue:
                self._pop()
            await journal.close()

    async def _open_journal(self) -> None:
        assert self.queue_file is not None
        if self._opening is None:
            self._opening = anyio.Lock()
        async with self._opening:
            if self._journal is not None:
                return
            file = await anyio.to_thread.run_sync(QueueFile, self.queue_file)
            try:
                stored = await anyio.to_thread.run_sync(file.pending)
            except BaseException:
                file.close()
                raise
            self._journal = _Journal(file)
            unreadable: list[int] = []
            for key, delivery_id, body in stored:
                try:
                    event = _parse(body, delivery_id)
                except Exception:
                    log.error("removing an unreadable event %s from the queue_file", delivery_id)
                    unreadable.append(key)
                    continue
                self._put(event, len(body), key)
                self.replayed += 1
            if stored:
                log.info("queued %d events stored before the last stop", len(stored))
            for key in unreadable:
                await self._journal.remove(key)

    async def _drain(self) -> None:
        # No workers (no lifespan reached us): this request, already answered,
        # runs the handler on the queue until it is empty.
        self._drainers += 1
        try:
            while self._queue and not self._workers:
                await self._handle(self._pop())
        except anyio.get_cancelled_exc_class():
            # The server cancels requests still running when its own graceful
            # timeout ends: the last one out says what is left.
            if self._drainers == 1 and not self._workers:
                with anyio.CancelScope(shield=True):
                    await self._stopped()
            raise
        finally:
            self._drainers -= 1

    def running(self) -> _Running:
        """``async with receiver.running():`` runs the handler workers for the
        block; leaving it normally drains first (see :meth:`drain`)."""
        return _Running(self)

    # -- ASGI ------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope.get("method") != "POST":
            await _respond(send, 405, {"error": "use POST"})
            return
        if not self._authorized(scope):
            self.rejected += 1
            await _respond(send, 401, {"error": "invalid or missing bearer token"})
            return
        if self._draining:
            await self._unavailable(send)
            return
        if self.queue_file is not None and self._journal is None:
            # Mounted with no lifespan: the first delivery opens the file.
            try:
                await self._open_journal()
            except Exception:
                log.exception("cannot open the queue_file; answering 503")
                await self._busy(send)
                return
        announced = _content_length(scope)
        if announced is not None and announced > self.max_body:
            self.rejected += 1
            await _respond(send, 413, {"error": f"body above {self.max_body} bytes"})
            return
        if len(self._queue) + self._storing >= self.max_queue or (
            self.queued_bytes + (announced or 0) > self.max_queue_bytes
        ):
            await self._busy(send)
            return
        # The body counts against the byte bound while it is read, so that
        # many large deliveries at once cannot grow memory past it either.
        reading = 0
        try:
            body = bytearray()
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                body += chunk
                reading += len(chunk)
                self.queued_bytes += len(chunk)
                if len(body) > self.max_body:
                    self.rejected += 1
                    if message.get("more_body"):
                        await _discard(receive, 4 * self.max_body)
                    await _respond(send, 413, {"error": f"body above {self.max_body} bytes"})
                    return
                if self.queued_bytes > self.max_queue_bytes:
                    await self._busy(send)
                    return
                if not message.get("more_body"):
                    break
        finally:
            self.queued_bytes -= reading
        delivery_id = uuid.uuid4().hex
        try:
            event = _parse(bytes(body), delivery_id)
        except EventError as exc:
            self.rejected += 1
            await _respond(send, 400, {"error": str(exc)})
            return
        except Exception as exc:  # any other malformation is still the sender's fault
            self.rejected += 1
            await _respond(send, 400, {"error": f"malformed event ({type(exc).__name__})"})
            return
        if self._draining:
            await self._unavailable(send)
            return
        if len(self._queue) + self._storing >= self.max_queue:
            await self._busy(send)
            return
        size = len(body)
        key = None
        journal = self._journal
        if journal is not None:
            # On disk before the 202; the bytes and the queue slot are held
            # meanwhile. A stop waits for these writes.
            self._storing += 1
            self.queued_bytes += size
            try:
                key = await journal.add(delivery_id, bytes(body))
            except Exception:
                self._storing -= 1
                self.queued_bytes -= size
                self._check_idle()
                log.exception("cannot store an event in the queue_file; answering 503")
                await self._busy(send)
                return
            except BaseException:
                self._storing -= 1
                self.queued_bytes -= size
                self._check_idle()
                raise
            self._storing -= 1
            self.queued_bytes -= size
        del body
        # Committed (or in memory only): from here the event is acknowledged,
        # even if a stop began meanwhile. Only if the stop has closed the file
        # already does it wait there, for the next start, rather than here.
        if journal is self._journal:
            self._put(event, size, key)
        self.received += 1
        await _respond(send, 202, {"accepted": True})
        if self.handler is not None and not self._workers and self._drainers < self.workers:
            await self._drain()

    async def _busy(self, send: Send) -> None:
        self.busy += 1
        await _respond(send, 503, {"error": "receiver busy; deliver again later"})

    async def _unavailable(self, send: Send) -> None:
        # A stop is under way: Workfront delivers the event again later, and
        # `connection: close` sends the next attempt through a new connection
        # (to another process behind a load balancer).
        self.busy += 1
        retry = str(max(1, math.ceil(self.grace_period))).encode()
        await _respond(
            send,
            503,
            {"error": "receiver stopping; deliver again later"},
            [(b"retry-after", retry), (b"connection", b"close")],
        )

    def _authorized(self, scope: Scope) -> bool:
        for name, value in scope.get("headers", ()):
            if name.lower() == b"authorization":
                token = value[7:].strip() if value[:7].lower() == b"bearer " else value.strip()
                return hmac.compare_digest(token, self._token)
        return False

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        message = await receive()
        if message["type"] != "lifespan.startup":  # pragma: no cover - ASGI servers start first
            return
        async with anyio.create_task_group() as tg:
            if self.handler is not None:
                try:
                    await tg.start(self.run)
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
            else:
                self._draining = False
                self._idle = None
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
            await self.drain()
            tg.cancel_scope.cancel()
        if self.handler is None:
            await self._stopped()
        await send({"type": "lifespan.shutdown.complete"})


class _Journal:
    """The queue file seen from the event loop: one transaction at a time,
    in a worker thread, each carrying every addition and removal asked for
    while the one before was being written (a group commit: one ``fsync``
    for many events)."""

    def __init__(self, file: QueueFile) -> None:
        self.file = file
        self.path = file.path
        self._next = _Batch()
        self._running: anyio.Event | None = None

    async def add(self, delivery_id: str, body: bytes) -> int:
        batch = self._next
        index = len(batch.add)
        batch.add.append((delivery_id, body))
        await self._commit(batch)
        return batch.keys[index]

    async def remove(self, key: int) -> None:
        batch = self._next
        batch.remove.append(key)
        await self._commit(batch)

    async def _commit(self, batch: _Batch) -> None:
        while not batch.done.is_set():
            if self._running is not None:
                await self._running.wait()
                continue
            current, self._next = self._next, _Batch()
            self._running = current.done
            try:
                current.keys = await anyio.to_thread.run_sync(
                    self.file.apply, current.add, current.remove
                )
            except Exception as exc:
                current.error = exc
            finally:
                self._running = None
                current.done.set()
        if batch.error is not None:
            raise batch.error

    async def close(self) -> None:
        while self._running is not None:
            await self._running.wait()
        await anyio.to_thread.run_sync(self.file.close)


@attrs.define
class _Batch:
    add: list[tuple[str, bytes]] = attrs.field(factory=list)
    remove: list[int] = attrs.field(factory=list)
    keys: list[int] = attrs.field(factory=list)
    error: Exception | None = None
    done: anyio.Event = attrs.field(factory=anyio.Event)


async def _discard(receive: Receive, limit: int) -> None:
    """Read and drop the rest of a refused body (up to ``limit`` bytes), so
    that the sender sees the answer rather than a connection cut mid-send."""
    dropped = 0
    while dropped <= limit:
        message = await receive()
        dropped += len(message.get("body", b""))
        if message["type"] != "http.request" or not message.get("more_body"):
            return


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-length":
            try:
                return max(0, int(value))
            except ValueError:
                return None
    return None


class _Running:
    def __init__(self, receiver: EventReceiver) -> None:
        self.receiver = receiver
        self._tg: anyio.abc.TaskGroup | None = None

    async def __aenter__(self) -> EventReceiver:
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        try:
            await self._tg.start(self.receiver.run)
        except BaseException:
            # The workers did not start (no handler, a queue_file that cannot
            # open): leave the task group, then raise the error as it is.
            await self._tg.__aexit__(None, None, None)
            raise
        return self.receiver

    async def __aexit__(self, *exc: Any) -> bool | None:
        assert self._tg is not None
        try:
            if exc[0] is None:
                await self.receiver.drain()
        finally:
            self._tg.cancel_scope.cancel()
            suppressed = await self._tg.__aexit__(*exc)
        return suppressed


async def _respond(
    send: Send,
    status: int,
    body: Mapping[str, Any],
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    payload = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                *(headers or ()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
