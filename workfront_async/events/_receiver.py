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
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import anyio.abc
import attrs
import orjson

from .._core.exceptions import EventError, QueryError

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
    )


def _version(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)) or len(str(value)) > 20:
        raise EventError(f"{name} must be a short version string, got {_short(value)}")
    return str(value)


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
    ) -> None:
        if not auth_token:
            raise QueryError("auth_token must be the token the subscription was created with")
        if max_body < 1 or max_queue_bytes < max_body:
            raise QueryError(
                f"max_queue_bytes ({max_queue_bytes}) must be at least max_body ({max_body}), "
                "and max_body at least 1"
            )
        self._token = auth_token.encode()
        self.handler = handler
        self.workers = workers
        self.max_queue = max_queue
        self.max_queue_bytes = max_queue_bytes
        self.max_body = max_body
        self._queue: deque[tuple[Event, int]] = deque()
        self._wakeup: anyio.Event | None = None
        self.queued_bytes = 0  # bodies of the queued events, and of those being read
        self._workers = 0  # worker tasks running (lifespan or running())
        self._drainers = 0  # requests running the handler after answering
        self.received = 0
        self.rejected = 0
        self.busy = 0
        self.handled = 0
        self.handler_errors = 0

    def __repr__(self) -> str:
        return (
            f"EventReceiver(received={self.received}, handled={self.handled}, "
            f"rejected={self.rejected}, busy={self.busy})"
        )

    # -- consuming -------------------------------------------------------

    def _put(self, event: Event, size: int) -> bool:
        if len(self._queue) >= self.max_queue:
            return False
        self._queue.append((event, size))
        self.queued_bytes += size
        if self._wakeup is not None:
            self._wakeup.set()
        return True

    def _pop(self) -> Event:
        event, size = self._queue.popleft()
        self.queued_bytes -= size
        return event

    async def get(self) -> Event:
        """The next event received (waits for one)."""
        while not self._queue:
            if self._wakeup is None or self._wakeup.is_set():
                self._wakeup = anyio.Event()
            await self._wakeup.wait()
        return self._pop()

    async def events(self) -> AsyncIterator[Event]:
        """Every event received, in arrival order (runs until cancelled)."""
        while True:
            yield await self.get()

    async def _handle(self, event: Event) -> None:
        assert self.handler is not None
        try:
            await self.handler(event)
        except Exception:
            self.handler_errors += 1
            log.exception("event handler failed for %s %s", event.event_type, event.obj_id)
        else:
            self.handled += 1

    async def _work(self) -> None:
        while True:
            await self._handle(await self.get())

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        """Run the handler workers until cancelled."""
        if self.handler is None:
            raise QueryError("run() needs a handler; or iterate receiver.events()")
        self._workers += 1
        try:
            async with anyio.create_task_group() as tg:
                for _ in range(max(1, self.workers)):
                    tg.start_soon(self._work)
                task_status.started()
        finally:
            self._workers -= 1

    async def _drain(self) -> None:
        # No workers (no lifespan reached us): this request, already answered,
        # runs the handler on the queue until it is empty.
        self._drainers += 1
        try:
            while self._queue and not self._workers:
                await self._handle(self._pop())
        finally:
            self._drainers -= 1

    def running(self) -> _Running:
        """``async with receiver.running():`` runs the handler workers for the block."""
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
        announced = _content_length(scope)
        if announced is not None and announced > self.max_body:
            self.rejected += 1
            await _respond(send, 413, {"error": f"body above {self.max_body} bytes"})
            return
        if len(self._queue) >= self.max_queue or (
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
        try:
            event = parse_event(bytes(body))
        except EventError as exc:
            self.rejected += 1
            await _respond(send, 400, {"error": str(exc)})
            return
        except Exception as exc:  # any other malformation is still the sender's fault
            self.rejected += 1
            await _respond(send, 400, {"error": f"malformed event ({type(exc).__name__})"})
            return
        if not self._put(event, len(body)):
            await self._busy(send)
            return
        del body
        self.received += 1
        await _respond(send, 202, {"accepted": True})
        if self.handler is not None and not self._workers and self._drainers < self.workers:
            await self._drain()

    async def _busy(self, send: Send) -> None:
        self.busy += 1
        await _respond(send, 503, {"error": "receiver busy; deliver again later"})

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
        if self.handler is None:
            await send({"type": "lifespan.startup.complete"})
            message = await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        async with anyio.create_task_group() as tg:
            await tg.start(self.run)
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
            tg.cancel_scope.cancel()
        await send({"type": "lifespan.shutdown.complete"})


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
        await self._tg.start(self.receiver.run)
        return self.receiver

    async def __aexit__(self, *exc: object) -> bool | None:
        assert self._tg is not None
        self._tg.cancel_scope.cancel()
        return await self._tg.__aexit__(*exc)  # type: ignore[arg-type]


async def _respond(send: Send, status: int, body: Mapping[str, Any]) -> None:
    payload = orjson.dumps(body)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
