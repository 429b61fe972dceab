"""The ``Emulator``: an embedded Workfront with real query semantics, limits and faults.

Every request goes through one async entry point (``_dispatch``) used by the
in-process httpx transport and by the ASGI app (served by uvicorn). The
SQLite work of a request is synchronous and runs under one lock, so a request
is atomic whichever thread or event loop sends it (one emulator may serve
several threads, each with its own loop). Served over HTTP, that work runs in a
worker thread, so the server's event loop keeps accepting and answering while
a large page is built; in-process it runs inline (cheaper, and the caller's
loop is the only one waiting). Latency injection is an async sleep outside the
lock, so slow requests overlap and the concurrency cap is real. The emulator
runs under both anyio backends (asyncio and trio).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import random
import re
import sqlite3
import sys
import threading
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, MutableMapping
from datetime import datetime
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import attrs
import httpx
import orjson
import sniffio

from ._server._faults import FAULT_MESSAGES, Faults
from ._server._http import Reply, Wing, parse_request
from ._server._redact import redact_text, redact_url
from ._server._worklock import WorkLock
from .classic._dates import from_store
from .classic._event_routes import EventsAPI
from .classic._events import PREFIX as EVENTS_PREFIX
from .classic._events import Delivery, Subscription, event_message, event_state, matches
from .classic._oauth import OAuthApp
from .classic._oauth_routes import PREFIX as OAUTH_PREFIX
from .classic._oauth_routes import OAuthAPI
from .classic._routes import ClassicAPI
from .classic._schema import OBJ_TYPES, resolve_obj_code
from .classic._store import Change
from .classic._tenant import Now, Tenant
from .planning._backend import PlanningAPI, PlanningBackend

__all__ = ["Emulator", "EmulatorStats", "Faults", "Served"]

Latency = float | tuple[float, float]
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@attrs.define
class EmulatorStats:
    """Counters; ``reset()`` zeroes them (``in_flight`` is live state and stays)."""

    received: int = 0
    requests: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    rejected_concurrency: int = 0
    rejected_uri: int = 0
    faults_injected: int = 0
    dropped: int = 0
    truncated: int = 0

    def reset(self) -> None:
        in_flight = self.in_flight
        for field in attrs.fields(EmulatorStats):
            setattr(self, field.name, 0)
        self.in_flight = in_flight
        self.max_in_flight = in_flight


@attrs.frozen
class Served:
    """A running real HTTP server: ``base_url`` is ``http://127.0.0.1:<port>``."""

    base_url: str
    host: str
    port: int

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/attask/api/v21.0"


@attrs.frozen
class _Outcome:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    drop: bool = False


_TOO_BIG = re.compile(r"too large|too many|stack overflow|too deep", re.IGNORECASE)
_API_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}:\d{3}\+0000$")


def _native(value: Any) -> Any:
    """API values -> Python values: Workfront date strings become aware datetimes."""
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_native(v) for v in value]
    if isinstance(value, str) and _API_DATE.match(value):
        return from_store(f"{value[:19]}.{value[20:23]}")
    return value


_F = TypeVar("_F", bound=Callable[..., Any])


_BULK = re.compile(rb"/(search|report|batch)(?:[/?]|$)", re.IGNORECASE)


def _is_bulk(target: bytes) -> bool:
    """Searches, reports and batches wait behind quick requests for the work lock."""
    return _BULK.search(target.partition(b"?")[0]) is not None


def _locked(method: _F) -> _F:
    """Run a method of the emulator under its work lock (atomic with requests)."""

    @functools.wraps(method)
    def wrapper(self: Emulator, *args: Any, **kwargs: Any) -> Any:
        with self._work_lock:
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _planning_class() -> Any:
    return PlanningBackend


class _KeepOpen(httpx.AsyncBaseTransport):
    """Lends a caller's transport to a short-lived client without closing it."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._inner.handle_async_request(request)


class _Transport(httpx.AsyncBaseTransport):
    def __init__(self, emulator: Emulator) -> None:
        self._emulator = emulator

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        out = await self._emulator._dispatch(
            request.method, request.url.raw_path, list(request.headers.items()), body, offload=False
        )
        if out.drop:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        return httpx.Response(out.status, headers=list(out.headers), content=out.body)


class Emulator:
    """An embedded Workfront tenant. See the README section "Testing your
    integration with the embedded Workfront".

    Knobs (change them at any time): ``max_concurrency``, ``max_uri_bytes``
    (``None`` = sandbox, no limit), ``latency`` (seconds, or a ``(low, high)``
    range drawn per request), ``faults`` (a ``Faults``). Counters: ``stats``.
    """

    def __init__(
        self,
        *,
        max_concurrency: int = 10,
        max_uri_bytes: int | None = 8892,
        latency: Latency = 0.0,
        faults: Faults | None = None,
        seed: int = 0,
        now: Now = None,
    ) -> None:
        self.max_concurrency = max_concurrency
        self.max_uri_bytes = max_uri_bytes
        self.latency: Latency = latency
        self.faults: Faults = faults or Faults()
        self.seed = seed
        self.stats = EmulatorStats()
        self.tenant = Tenant(seed=seed, now=now)
        self._rng = random.Random(f"faults-{seed}")
        self._latency_rng = random.Random(f"latency-{seed}")
        planning = _planning_class()
        self.planning: Any = planning() if planning is not None else None
        # The wings, each mounted at its path prefixes (tried in order).
        self._mounts: tuple[tuple[re.Pattern[str], Wing], ...] = (
            (re.compile(r"/attask/api[/-]"), ClassicAPI(self.tenant)),
            (re.compile(re.escape(EVENTS_PREFIX) + "(?:/|$)"), EventsAPI(self)),
            (re.compile(re.escape(OAUTH_PREFIX) + "(?:/|$)"), OAuthAPI(self.tenant)),
            (
                re.compile(r"/maestro/api/"),
                PlanningAPI(lambda: self.planning, self.tenant.user_for_session),
            ),
        )
        # event subscriptions
        self.subscriptions: dict[str, Subscription] = {}
        self.event_transport: httpx.AsyncBaseTransport | None = None
        self.event_retry_delays: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 16.0)
        self.events: list[dict[str, Any]] = []
        self.deliveries: list[Delivery] = []
        self.on_event: Callable[[dict[str, Any]], Any] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._pending_deliveries = 0  # background deliveries under trio
        self._deliveries_idle: anyio.Event | None = None
        self.base_url: str | None = None
        # One lock for the SQLite work and the tenant's state (quick requests
        # before bulk pages), one for the counters: an emulator may be shared by
        # threads that each run their own event loop.
        self._work_lock = WorkLock()
        self._stats_lock = threading.Lock()

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{code}={self.tenant.store.count(code)}" for code in ("PROJ", "TASK", "OPTASK", "USER")
        )
        return f"<Emulator {counts} max_concurrency={self.max_concurrency}>"

    # -- construction --------------------------------------------------------

    @classmethod
    def with_demo_data(cls, seed: int = 0, scale: float = 1.0, **kwargs: Any) -> Emulator:
        """A tenant with deterministic demo data: at scale 1.0 at least 20,000 tasks."""
        from .classic._demo import populate

        emulator = cls(seed=seed, **kwargs)
        populate(emulator.tenant, seed=seed, scale=scale)
        planning = _planning_class()
        if planning is not None and hasattr(planning, "with_demo_data"):
            emulator.planning = planning.with_demo_data(seed)
        return emulator

    # -- data and credentials -----------------------------------------------

    def _code(self, obj: str) -> str:
        code = resolve_obj_code(obj)
        if code is None:
            raise ValueError(f"unknown object type {obj!r}; known: {sorted(OBJ_TYPES)}")
        return code

    @_locked
    def add(self, obj: str, data: Mapping[str, Any], *, validate: bool = True) -> dict[str, Any]:
        """Store one object (fields as the API takes them) and return it with all fields.

        ``validate=False`` skips required fields and reference checks (NULLs anywhere).
        Seeding sends no events and writes no journal entries.
        """
        return self.add_many(obj, [data], validate=validate)[0]

    @_locked
    def add_many(
        self, obj: str, rows: Iterable[Mapping[str, Any]], *, validate: bool = True
    ) -> list[dict[str, Any]]:
        """Store several objects; see ``add``."""
        code = self._code(obj)
        tenant = self.tenant
        changes: list[Change] = []
        if not validate:
            ids = [
                tenant.store.insert_unchecked(code, row, now=tenant.now(), new_id=tenant.new_id)
                for row in rows
            ]
            return [self.get(code, i) for i in ids]
        ids = [
            tenant.store.create(
                code,
                row,
                now=tenant.now(),
                user_id=tenant.admin_id,
                new_id=tenant.new_id,
                changes=changes,
            )
            for row in rows
        ]
        return [self.get(code, i) for i in ids]

    @_locked
    def get(self, obj: str, obj_id: str) -> dict[str, Any]:
        """One object with every field and its ``DE:`` values, as plain dicts."""
        code = self._code(obj)
        row = self.tenant.store.get_raw(code, obj_id)
        if row is None:
            raise KeyError(f"no {code} with ID {obj_id}")
        return self.tenant.store.all_fields(code, row)

    @_locked
    def rows(self, obj: str, *, native: bool = False) -> list[dict[str, Any]]:
        """Every stored object of a type (all fields, ``DE:`` values) in insertion order.

        Made for plain-Python evaluation of queries in tests. ``native=True``
        turns dates into aware ``datetime`` objects.
        """
        code = self._code(obj)
        store = self.tenant.store
        raw = store.query(f'SELECT * FROM "{code}" ORDER BY rowid', ())
        out = [store.all_fields(code, r) for r in raw]
        return [_native(r) for r in out] if native else out

    @_locked
    def rows_nested(self, obj: str, fields: str, *, native: bool = False) -> list[dict[str, Any]]:
        """Every object of a type rendered as the API renders ``fields=`` (nested dicts),
        in insertion order (the emulator's default order)."""
        code = self._code(obj)
        store = self.tenant.store
        tree = store.parse_fields(code, [fields])
        raw = store.query(f'SELECT * FROM "{code}" ORDER BY rowid', ())
        out = store.render(code, raw, tree, budget=[-(10**12), -(10**12)])
        return [_native(r) for r in out] if native else out

    @_locked
    def define_custom_field(self, name: str, kind: str = "str") -> None:
        """Declare a custom field ``DE:Name`` (kind: str, float, date or multi): a
        PARAM named ``Name``, as ``GET /param/search?name=Name`` shows it."""
        self.tenant.store.define_custom_field(name, kind, now=self.tenant.now())

    @_locked
    def api_key(self, username: str | None = None) -> str:
        """The API key of a user (default: the system administrator)."""
        if username is None:
            return self.tenant.api_key()
        row = self.tenant.user_by_username(username)
        if row is None:
            raise ValueError(f"no user named {username!r}")
        return self.tenant.api_key(row["ID"])

    @_locked
    def add_user(
        self,
        username: str,
        password: str,
        *,
        name: str | None = None,
        admin: bool = False,
        **fields: Any,
    ) -> dict[str, Any]:
        return self.tenant.add_user(username, password, name=name, admin=admin, **fields)

    @_locked
    def issue_token(self, username: str | None = None) -> str:
        """A session token, valid as ``SessionID`` header, ``sessionID`` parameter and bearer."""
        return self.tenant.issue_token(username)

    @_locked
    def add_oauth_app(
        self,
        kind: str = "web",
        *,
        name: str | None = None,
        redirect_urls: Iterable[str] = (),
        public_key: str | bytes | None = None,
        key_owner: str | None = None,
        rotate_refresh_token: bool = True,
        refresh_token_lifetime: float | None = None,
        refresh_token_idle: float | None = None,
    ) -> OAuthApp:
        """Register an OAuth2 application, as an administrator does under Setup >
        System > OAuth2 Applications (at most ten). ``kind``: ``web`` (authorization
        code flow: client ID and secret), ``spa`` (PKCE: no secret) or ``jwt``
        (machine to machine: ``public_key`` in PEM, a certificate or a public key,
        added by ``key_owner``, default the administrator). Its ``client_id`` and
        ``client_secret`` go to the client; ``/integrations/oauth2/...`` serves it.
        """
        owner = None
        if key_owner is not None:
            row = self.tenant.user_by_username(key_owner)
            if row is None:
                raise ValueError(f"no user named {key_owner!r}")
            owner = str(row["ID"])
        return self.tenant.oauth.add_app(
            kind,
            name=name,
            redirect_urls=tuple(redirect_urls),
            public_key=public_key,
            key_owner_id=owner,
            rotate_refresh_token=rotate_refresh_token,
            refresh_token_lifetime=refresh_token_lifetime,
            refresh_token_idle=refresh_token_idle,
        )

    @_locked
    def oauth_code(
        self,
        client_id: str,
        *,
        username: str | None = None,
        redirect_uri: str | None = None,
        code_challenge: str | None = None,
    ) -> str:
        """The authorization code a user's consent yields (what the redirect of
        ``GET /integrations/oauth2/authorize`` carries), without the browser round
        trip: valid for two minutes of the emulator's clock, for one exchange."""
        user_id = self.tenant.admin_id
        if username is not None:
            row = self.tenant.user_by_username(username)
            if row is None:
                raise ValueError(f"no user named {username!r}")
            user_id = str(row["ID"])
        code, _ = self.tenant.oauth.authorize(
            user_id,
            client_id=client_id,
            redirect_uri=redirect_uri,
            response_type="code",
            code_challenge=code_challenge,
            code_challenge_method="S256" if code_challenge is not None else None,
        )
        return code

    @property
    def oauth_token_lifetime(self) -> float:
        """Seconds an OAuth2 access token lives (``expires_in``; default 3600)."""
        return self.tenant.oauth.access_token_lifetime

    @oauth_token_lifetime.setter
    def oauth_token_lifetime(self, seconds: float) -> None:
        self.tenant.oauth.access_token_lifetime = float(seconds)

    @property
    def customer_id(self) -> str:
        """The tenant's customer ID (``$$CUSTOMER.ID``; a JWT's ``iss``)."""
        return self.tenant.customer_id

    @property
    @_locked
    def admin_id(self) -> str:
        return self.tenant.admin_id

    # -- clock ---------------------------------------------------------------

    def clock(self) -> datetime:
        """The tenant's current time (UTC)."""
        return self.tenant.now()

    @_locked
    def set_now(self, now: Now) -> None:
        """Fix the clock (a datetime), follow a callable, or ``None`` for real time."""
        self.tenant.set_now(now)

    @_locked
    def advance(self, seconds: float) -> None:
        """Move the clock forward; fixes it if it was following real time."""
        self.tenant.advance(seconds)

    # -- HTTP ----------------------------------------------------------------

    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport that serves this emulator in-process (any host name)."""
        return _Transport(self)

    @property
    def app(self) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
        """The ASGI application."""
        return self._asgi

    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = bool(message.get("more_body", False))
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        query = scope.get("query_string", b"")
        target = raw_path + (b"?" + query if query else b"")
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        out = await self._dispatch(scope["method"], target, headers, b"".join(chunks), offload=True)
        if out.drop:
            # Promise a body and close without it: the client sees a broken connection.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-length", b"1024"),
                        (b"content-type", b"application/json"),
                    ],
                }
            )
            return
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in out.headers]
        if out.status not in (204, 304) and not any(
            k.lower() == "content-length" for k, _ in out.headers
        ):
            # the whole body is known: a length spares the server the chunked
            # coding and the client its parsing
            headers.append((b"content-length", b"%d" % len(out.body)))
        await send({"type": "http.response.start", "status": out.status, "headers": headers})
        await send({"type": "http.response.body", "body": out.body})

    @contextlib.asynccontextmanager
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[Served]:
        """Run a real HTTP server (uvicorn) for the duration of the ``async with``.

        Under asyncio the server runs in the caller's event loop; under any other
        backend (trio) it runs in a thread of its own with an asyncio loop."""
        try:
            import uvicorn
        except ImportError:  # pragma: no cover - uvicorn is in the serve/test extras
            raise RuntimeError(
                "serving needs uvicorn: pip install 'workfront-async[serve]'"
            ) from None
        config = uvicorn.Config(
            self.app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="off",
            access_log=False,
            interface="asgi3",
        )
        server = uvicorn.Server(config)
        if sniffio.current_async_library() == "asyncio":
            task = asyncio.create_task(server.serve())
            done: Callable[[], bool] = task.done
        else:
            failure: list[BaseException] = []

            def run() -> None:
                try:
                    asyncio.run(server.serve())
                except BaseException as exc:  # reported to the waiting caller below
                    failure.append(exc)

            thread = threading.Thread(target=run, name="workfront-emulator-server", daemon=True)
            thread.start()
            done = lambda: not thread.is_alive()  # noqa: E731
        while not server.started:
            if done():
                if sniffio.current_async_library() == "asyncio":
                    task.result()
                elif failure:
                    raise failure[0]
                raise RuntimeError(f"the emulator's server did not start on {host}:{port}")
            await anyio.sleep(0.01)
        bound = server.servers[0].sockets[0].getsockname()[1]
        served = Served(base_url=f"http://{host}:{bound}", host=host, port=int(bound))
        self.base_url = served.base_url
        try:
            yield served
        finally:
            server.should_exit = True
            if sniffio.current_async_library() == "asyncio":
                await task
            else:
                await anyio.to_thread.run_sync(thread.join)
            self.base_url = None

    def serve_forever(self, port: int = 8000, host: str = "127.0.0.1") -> None:
        """Serve until interrupted, printing the base URL and the administrator's API key."""

        async def run() -> None:
            async with self.serve(host=host, port=port) as served:
                print(f"Embedded Workfront at {served.base_url}", flush=True)
                print(f"API URL: {served.api_url}", flush=True)
                print(f"API key: {self.api_key()}", flush=True)
                print("Press Ctrl+C to stop.", flush=True)
                await anyio.Event().wait()

        with contextlib.suppress(KeyboardInterrupt):
            anyio.run(run)

    # -- the request pipeline -----------------------------------------------

    def _draw_latency(self) -> float:
        latency = self.latency
        if isinstance(latency, tuple):
            low, high = latency
            return self._latency_rng.uniform(low, high)
        return float(latency)

    @staticmethod
    def _json(status: int, body: Any, headers: tuple[tuple[str, str], ...] = ()) -> _Outcome:
        data = body if isinstance(body, bytes) else orjson.dumps(body)
        return _Outcome(
            status, (("content-type", "application/json;charset=UTF-8"), *headers), data
        )

    def _admit(self, target: bytes) -> _Outcome | None:
        """Count the request and take a concurrency slot, or say why not (atomically)."""
        stats = self.stats
        with self._stats_lock:
            stats.received += 1
            limit = self.max_uri_bytes
            if limit is not None and len(target) > limit:
                stats.rejected_uri += 1
                return self._too_long(len(target), limit)
            if stats.in_flight >= self.max_concurrency:
                stats.rejected_concurrency += 1
                return self._json(
                    429,
                    {
                        "error": {
                            "class": "com.attask.common.TooManyRequestsException",
                            "message": "Too many concurrent API requests",
                        }
                    },
                )
            stats.in_flight += 1
            stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
            stats.requests += 1
        return None

    def _count(self, counter: str) -> None:
        with self._stats_lock:
            setattr(self.stats, counter, getattr(self.stats, counter) + 1)

    def _too_long(self, size: int, limit: int) -> _Outcome:
        return self._json(
            414,
            {
                "error": {
                    "class": "com.attask.common.URITooLongException",
                    "message": f"Request-URI Too Long: {size} bytes, the limit is "
                    f"{limit}; send the parameters in a form-encoded POST body with method=GET",
                }
            },
        )

    async def _dispatch(
        self,
        method: str,
        target: bytes,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        offload: bool,
    ) -> _Outcome:
        refused = self._admit(target)
        if refused is not None:
            return refused
        try:
            with self._stats_lock:
                delay = self._draw_latency()
                faults = self.faults
                fault = faults.rate and self._rng.random() < faults.rate
                status = self._rng.choice(faults.statuses) if fault else 0
                drop = not fault and faults.drop_rate and self._rng.random() < faults.drop_rate
            if delay > 0:
                await anyio.sleep(delay)
            if fault:
                self._count("faults_injected")
                cls, message = FAULT_MESSAGES.get(
                    status, ("java.lang.RuntimeException", f"HTTP {status} (injected fault)")
                )
                return self._json(status, {"error": {"class": cls, "message": message}})
            if drop:
                self._count("faults_injected")
                self._count("dropped")
                return _Outcome(0, (), b"", drop=True)
            try:
                bulk = _is_bulk(target)
                inline = offload and method == "GET" and not bulk
                if inline and self._work_lock.try_hold():
                    # a quick read and a free lock: answered on the event loop,
                    # without two thread hand-overs that cost more than the work
                    # (writes, whose size the request decides, stay off the loop)
                    try:
                        out, changes = self._handle_locked(method, target, headers, body)
                    finally:
                        self._work_lock.release()
                elif offload:
                    out, changes = await anyio.to_thread.run_sync(
                        self._handle, method, target, headers, body, bulk
                    )
                else:
                    out, changes = self._handle(method, target, headers, body, bulk)
                if changes:
                    self._emit(changes)
            except Exception as exc:  # a bug or an unforeseen input: answer like a server
                if isinstance(exc, sqlite3.OperationalError) and _TOO_BIG.search(str(exc)):
                    # a query past SQLite's limits (thousands of filters): a client error
                    return self._json(
                        422,
                        {
                            "error": {
                                "class": "java.lang.IllegalArgumentException",
                                "message": "the query is too large to run (too many filters "
                                "or values); split it into several searches",
                            }
                        },
                    )
                traceback.print_exc(file=sys.stderr)
                return self._json(
                    500,
                    {
                        "error": {
                            "class": "java.lang.RuntimeException",
                            "message": f"internal error in the emulator: {type(exc).__name__}",
                        }
                    },
                )
            with self._stats_lock:
                truncate = faults.truncate_rate and self._rng.random() < faults.truncate_rate
            if truncate:
                self._count("faults_injected")
                self._count("truncated")
                cut = out.body[: max(1, min(len(out.body) // 2, 4096))]
                if cut == out.body:
                    cut = out.body[:-1] if len(out.body) > 1 else b"{"
                return _Outcome(out.status, out.headers, cut)
            return out
        finally:
            with self._stats_lock:
                self.stats.in_flight -= 1

    def _handle(
        self,
        method: str,
        target: bytes,
        headers: list[tuple[str, str]],
        body: bytes,
        bulk: bool,
    ) -> tuple[_Outcome, list[Change]]:
        """The synchronous work of one request, atomic under the work lock (taken
        as ``bulk`` work or quick): the answer and the stored changes (whose
        events the caller emits)."""
        with self._work_lock.hold(bulk=bulk):
            return self._handle_locked(method, target, headers, body)

    def _handle_locked(
        self, method: str, target: bytes, headers: list[tuple[str, str]], body: bytes
    ) -> tuple[_Outcome, list[Change]]:
        request = parse_request(method, target, headers, body, max_uri_bytes=self.max_uri_bytes)
        for mount, wing in self._mounts:
            if mount.match(request.path):
                reply = wing.handle(request)
                return self._reply(reply), [c for c in reply.changes if isinstance(c, Change)]
        return (
            self._json(
                404,
                {
                    "error": {
                        "class": "com.attask.common.NotFoundException",
                        "message": f"no endpoint at {request.path}; the classic API lives under "
                        "/attask/api/v<N>.0/",
                    }
                },
            ),
            [],
        )

    def _reply(self, reply: Reply) -> _Outcome:
        if reply.body is None:
            return _Outcome(reply.status, reply.headers, b"")
        return self._json(reply.status, reply.body, reply.headers)

    def _state(self, code: str, row: Mapping[str, Any] | None) -> dict[str, Any]:
        return event_state(self.tenant, code, row)

    def _emit(self, changes: list[Change]) -> None:
        if not self.subscriptions and self.on_event is None:
            return
        now = self.tenant.now()
        epoch = now.timestamp()
        event_time = {"epochSecond": int(epoch), "nano": now.microsecond * 1000}
        for change in changes:
            old = self._state(change.code, change.old)
            new = self._state(change.code, change.new)
            for sub in list(self.subscriptions.values()):
                if not matches(sub, change.kind, change.code, change.obj_id, old, new):
                    continue
                message = event_message(sub, change.kind, event_time, old, new)
                self.events.append(message)
                self._start_delivery(sub, message)

    def _start_delivery(self, sub: Subscription, message: dict[str, Any]) -> None:
        """Deliver in the background of the running event loop, whichever backend."""
        if sniffio.current_async_library() == "asyncio":
            task = asyncio.get_running_loop().create_task(self._deliver(sub, message))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            return
        import trio

        self._pending_deliveries += 1

        async def deliver() -> None:
            try:
                await self._deliver(sub, message)
            except Exception:  # a system task must not take the caller's run down
                traceback.print_exc(file=sys.stderr)
            finally:
                self._pending_deliveries -= 1
                if not self._pending_deliveries and self._deliveries_idle is not None:
                    self._deliveries_idle.set()

        trio.lowlevel.spawn_system_task(deliver)

    async def _deliver(self, sub: Subscription, message: dict[str, Any]) -> None:
        callback = self.on_event
        if callback is not None:
            result = callback(message)
            if inspect.isawaitable(result):
                await result
        payload = orjson.dumps(message)  # base64Encoding encodes the states, not the body
        token = sub.auth_token
        auth = token if token.lower().startswith("bearer ") else f"Bearer {token}"
        headers = {"Authorization": auth, "Content-Type": "application/json"}
        transport = _KeepOpen(self.event_transport) if self.event_transport else None
        delays = (*self.event_retry_delays, None)
        async with httpx.AsyncClient(transport=transport, timeout=5.0) as client:
            for attempt, delay in enumerate(delays, start=1):
                try:
                    response = await client.post(sub.url, content=payload, headers=headers)
                    status, error = response.status_code, ""
                except httpx.HTTPError as exc:
                    status, error = 0, redact_text(f"{type(exc).__name__}: {exc}")
                self.deliveries.append(Delivery(sub.id, sub.url, attempt, status, message, error))
                if 200 <= status < 300:
                    return
                if delay is None:
                    break
                await anyio.sleep(delay)
        sub.disabled = True
        print(
            f"workfront_async emulator: event delivery to {redact_url(sub.url)} failed "
            f"{len(delays)} times; "
            "subscription disabled",
            file=sys.stderr,
        )

    async def drain_events(self) -> None:
        """Wait until every pending event delivery (with its retries) has finished."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        while self._pending_deliveries:
            self._deliveries_idle = anyio.Event()
            await self._deliveries_idle.wait()
