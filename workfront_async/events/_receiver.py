"""Receiving event subscription deliveries (API-NOTES §2).

Workfront POSTs each event to the subscriber URL with the subscription's
``authToken`` as an OAuth2 bearer token, and expects a 2xx within 5 seconds;
failures are retried with growing back-off for about 48 hours. So the
receiver checks the token, parses the message, puts it on a bounded queue
and answers ``202`` at once; the user's handler runs apart from the HTTP
exchange, and a slow handler never makes Workfront retry. When the queue is
full the receiver answers ``503`` so Workfront delivers the event again later:
nothing is dropped silently.
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
import attrs
import orjson

from .._exceptions import EventError, QueryError

__all__ = ["Event", "EventReceiver", "parse_event"]

log = logging.getLogger("workfront_async.events")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Handler = Callable[["Event"], Awaitable[Any]]

MAX_BODY = 10 * 1024 * 1024


@attrs.frozen
class Event:
    """One delivered event: ``{eventType, subscriptionId, eventTime, newState, oldState}``."""

    event_type: str
    subscription_id: str
    event_time: datetime
    new_state: Mapping[str, Any]
    old_state: Mapping[str, Any]

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
        raise EventError(f"eventType must be CREATE, UPDATE or DELETE, got {event_type!r}")
    when = data.get("eventTime") or {}
    try:
        seconds = int(when.get("epochSecond", 0))
        nano = int(when.get("nano", 0))
    except (TypeError, ValueError, AttributeError):
        raise EventError("eventTime must be {epochSecond, nano}") from None
    event_time = datetime.fromtimestamp(seconds, UTC) + timedelta(microseconds=nano // 1000)
    return Event(
        event_type=event_type,
        subscription_id=str(data.get("subscriptionId", "")),
        event_time=event_time,
        new_state=_state(data.get("newState"), "newState"),
        old_state=_state(data.get("oldState"), "oldState"),
    )


class EventReceiver:
    """An ASGI app that receives event deliveries.

    Use it in one of two ways:

    * give ``handler`` (an async function taking an :class:`Event`) and serve
      ``receiver`` with any ASGI server: the handler runs in ``workers``
      background tasks started by the server's lifespan (or by
      ``async with receiver.running():`` when the server has none);
    * or iterate ``async for event in receiver.events():`` yourself.

    ``auth_token`` is the token you gave the subscription; requests without
    it get 401. ``max_queue`` bounds memory; a full queue answers 503.
    """

    def __init__(
        self,
        auth_token: str,
        handler: Handler | None = None,
        *,
        workers: int = 4,
        max_queue: int = 10_000,
    ) -> None:
        if not auth_token:
            raise QueryError("auth_token must be the token the subscription was created with")
        self._token = auth_token.encode()
        self.handler = handler
        self.workers = workers
        self.max_queue = max_queue
        self._queue: deque[Event] = deque()
        self._wakeup: anyio.Event | None = None
        self.received = 0
        self.rejected = 0
        self.handler_errors = 0

    def __repr__(self) -> str:
        return f"EventReceiver(received={self.received}, rejected={self.rejected})"

    # -- consuming -------------------------------------------------------

    def _put(self, event: Event) -> bool:
        if len(self._queue) >= self.max_queue:
            return False
        self._queue.append(event)
        if self._wakeup is not None:
            self._wakeup.set()
        return True

    async def get(self) -> Event:
        """The next event received (waits for one)."""
        while not self._queue:
            if self._wakeup is None or self._wakeup.is_set():
                self._wakeup = anyio.Event()
            await self._wakeup.wait()
        return self._queue.popleft()

    async def events(self) -> AsyncIterator[Event]:
        """Every event received, in arrival order (runs until cancelled)."""
        while True:
            yield await self.get()

    async def _work(self) -> None:
        assert self.handler is not None
        while True:
            event = await self.get()
            try:
                await self.handler(event)
            except Exception:
                self.handler_errors += 1
                log.exception("event handler failed for %s %s", event.event_type, event.obj_id)

    async def run(self) -> None:
        """Run the handler workers until cancelled."""
        if self.handler is None:
            raise QueryError("run() needs a handler; or iterate receiver.events()")
        async with anyio.create_task_group() as tg:
            for _ in range(max(1, self.workers)):
                tg.start_soon(self._work)

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
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                await _respond(send, 413, {"error": "body too large"})
                return
            if not message.get("more_body"):
                break
        try:
            event = parse_event(bytes(body))
        except EventError as exc:
            await _respond(send, 400, {"error": str(exc)})
            return
        if not self._put(event):
            await _respond(send, 503, {"error": "receiver busy; deliver again later"})
            return
        self.received += 1
        await _respond(send, 202, {"accepted": True})

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
            tg.start_soon(self.run)
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
            tg.cancel_scope.cancel()
        await send({"type": "lifespan.shutdown.complete"})


class _Running:
    def __init__(self, receiver: EventReceiver) -> None:
        self.receiver = receiver
        self._tg: anyio.abc.TaskGroup | None = None

    async def __aenter__(self) -> EventReceiver:
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        self._tg.start_soon(self.receiver.run)
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
