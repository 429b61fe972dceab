"""OpenTelemetry traces and metrics for every call, the limiter and the tenant's budget.

The library depends on the OpenTelemetry *API* only (the ``otel`` extra), as
OpenTelemetry asks of libraries: the application installs the SDK and its
exporters, and until it does every call made here is the API's no-op.
Whether to use the API is decided once, at first use: when
``opentelemetry-api`` is not importable, or ``WORKFRONT_ASYNC_OTEL=off``,
nothing here imports it, no span or instrument is made, and each hook is one
check of a module global. The usage counts (``client.usage()``) are kept
either way: a few integer additions per HTTP request.

What is recorded (docs/observability.md has the reader's version):

- one INTERNAL span per logical operation, ``workfront <operation> <object
  type>`` (``workfront search task``, ``workfront export task``, ``workfront
  batch``, ``workfront bulk_create record``), with ``workfront.operation``,
  ``workfront.object_type`` and, for paged operations, the rows and pages
  returned. Multi-request operations are declared where they are defined
  (``traced``, ``traced_pages``, ``observed_export``); any other call gets
  its operation from its request (``describe``) at the client's one request
  method;
- one CLIENT span per HTTP attempt, after OpenTelemetry's HTTP client
  conventions (``http.request.method``, ``url.full`` with every credential
  redacted, ``server.address``, ``server.port``,
  ``http.response.status_code``, ``http.request.resend_count``,
  ``error.type``), with the wait for a limiter slot
  (``workfront.limiter.wait_time``) and the adaptive window
  (``workfront.limiter.window``). When the httpx or aiohttp instrumentation is
  active for the node in use, these spans and ``http.client.request.duration``
  are left to it (``WORKFRONT_ASYNC_OTEL_HTTP=on|off`` overrides the check);
- the metrics ``http.client.request.duration``, ``workfront.limiter.wait_time``,
  ``workfront.client.active_requests``, ``workfront.limiter.window``,
  ``workfront.client.throttled``, ``workfront.client.retries``,
  ``workfront.export.rows`` and ``workfront.export.pages``, whose attributes
  are the tenant's host, the operation and the object type (and the HTTP
  method, status and error type): never a credential, an ID or a URL.

Nothing is recorded per row: a page is one ``len``.
"""

from __future__ import annotations

import contextvars
import functools
import math
import os
import re
import sys
import threading
import time
import traceback
import weakref
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterator,
    Sized,
)
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, ParamSpec, TypeVar
from urllib.parse import urlsplit

from .exceptions import redact_text, redact_url
from .usage import UsageCounts

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.metrics import CallbackOptions, Observation
    from opentelemetry.trace import Span

    from .._nodes import HttpResponse
    from .limiter import Slots
    from .request import Call, HttpPlan

__all__ = [
    "ENV",
    "HTTP_ENV",
    "Observer",
    "describe",
    "obj_of_call",
    "obj_of_self",
    "observed_export",
    "otel",
    "traced",
    "traced_pages",
]

ENV: Final = "WORKFRONT_ASYNC_OTEL"
"""``off`` turns the OpenTelemetry support off (read once, at first use)."""
HTTP_ENV: Final = "WORKFRONT_ASYNC_OTEL_HTTP"
"""``auto`` (the default), ``on`` or ``off``: whether this library makes the
CLIENT span and the duration metric of each HTTP attempt (read when a client
is made). ``auto`` leaves them to the httpx or aiohttp instrumentation when it
is active."""
SCOPE: Final = "workfront_async"
_OFF = frozenset({"off", "0", "false", "no", "none", "disabled"})

# Attribute names: OpenTelemetry's where one exists, ``workfront.*`` otherwise.
METHOD: Final = "http.request.method"
STATUS: Final = "http.response.status_code"
RESEND_COUNT: Final = "http.request.resend_count"
URL_FULL: Final = "url.full"
SERVER_ADDRESS: Final = "server.address"
SERVER_PORT: Final = "server.port"
ERROR_TYPE: Final = "error.type"
REQUEST_SIZE: Final = "http.request.body.size"
RESPONSE_SIZE: Final = "http.response.body.size"
OPERATION: Final = "workfront.operation"
OBJECT_TYPE: Final = "workfront.object_type"
ROWS: Final = "workfront.rows"
PAGES: Final = "workfront.pages"
WAIT: Final = "workfront.limiter.wait_time"
WINDOW: Final = "workfront.limiter.window"

# OpenTelemetry's advised buckets for http.client.request.duration; the slot
# wait starts lower (most waits are none).
DURATION_BUCKETS: Final = (
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
)  # fmt: skip
WAIT_BUCKETS: Final = (0.0, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# The instrumentations whose HTTP spans would duplicate ours, by HTTP library.
INSTRUMENTORS: Final = {
    "httpx": ("opentelemetry.instrumentation.httpx", "HTTPXClientInstrumentor"),
    "aiohttp": ("opentelemetry.instrumentation.aiohttp_client", "AioHttpClientInstrumentor"),
}
_NODE_LIBRARIES: Final = {"HttpxNode": ("httpx",), "AiohttpNode": ("aiohttp",)}

P = ParamSpec("P")
R = TypeVar("R")
S = TypeVar("S", bound=Sized)


# --- the decision, made once ------------------------------------------------------------


class _Otel:
    """The OpenTelemetry API objects this library uses: made once, when the
    API is importable and not switched off. Until the application sets a
    tracer and a meter provider, they are the API's proxies (no-ops that turn
    real when it does)."""

    def __init__(self) -> None:
        from opentelemetry import context, metrics, trace
        from opentelemetry.trace import SpanKind, Status, StatusCode

        self.context = context
        self.trace = trace
        self.client_kind = SpanKind.CLIENT
        self.internal_kind = SpanKind.INTERNAL
        self.error_status = Status(StatusCode.ERROR)
        version = _version()
        self.tracer = trace.get_tracer(SCOPE, version)
        meter = metrics.get_meter(SCOPE, version or "")
        self.duration = meter.create_histogram(
            "http.client.request.duration",
            unit="s",
            description="Duration of HTTP client requests.",
            explicit_bucket_boundaries_advisory=DURATION_BUCKETS,
        )
        self.wait_time = meter.create_histogram(
            "workfront.limiter.wait_time",
            unit="s",
            description="Time a request waited for a slot of the concurrency limiter.",
            explicit_bucket_boundaries_advisory=WAIT_BUCKETS,
        )
        self.active = meter.create_up_down_counter(
            "workfront.client.active_requests",
            unit="{request}",
            description="HTTP requests holding a slot of the concurrency limiter.",
        )
        meter.create_observable_gauge(
            "workfront.limiter.window",
            callbacks=[_observe_windows],
            unit="{request}",
            description="Requests the adaptive window lets in flight for the tenant.",
        )
        self.throttled = meter.create_counter(
            "workfront.client.throttled",
            unit="{response}",
            description="Answers of 429: the tenant's concurrent-request cap was full.",
        )
        self.retries = meter.create_counter(
            "workfront.client.retries",
            unit="{retry}",
            description="Requests sent again after a retryable failure.",
        )
        self.export_rows = meter.create_counter(
            "workfront.export.rows", unit="{row}", description="Rows an export has yielded."
        )
        self.export_pages = meter.create_counter(
            "workfront.export.pages", unit="{page}", description="Pages an export has yielded."
        )


def _version() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("workfront-async")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        return None


_UNDECIDED: Final[Any] = object()
_state: Any = _UNDECIDED
_deciding = threading.Lock()


def otel() -> _Otel | None:
    """The OpenTelemetry API objects, or ``None`` when the API is not
    installed or ``WORKFRONT_ASYNC_OTEL=off``: decided at the first call."""
    state = _state
    if state is _UNDECIDED:
        state = _decide()
    return state  # type: ignore[no-any-return]


def _decide() -> _Otel | None:
    global _state
    with _deciding:
        if _state is _UNDECIDED:
            if os.environ.get(ENV, "").strip().lower() in _OFF:
                _state = None
            else:
                try:
                    _state = _Otel()
                except ImportError:
                    _state = None
    return _state  # type: ignore[no-any-return]


# --- operations ------------------------------------------------------------------------

_OPERATION: contextvars.ContextVar[_Operation | None] = contextvars.ContextVar(
    "workfront_async_operation", default=None
)
# The retries a call has made so far, set before its next attempt and read
# (then cleared) by that attempt: ``http.request.resend_count``.
_RESENDS: contextvars.ContextVar[int] = contextvars.ContextVar("workfront_async_resends", default=0)


def error_type(exc: BaseException) -> str:
    """The ``error.type`` of an exception: its class name (low cardinality)."""
    return type(exc).__qualname__


_Tokens = tuple["contextvars.Token[Context]", "contextvars.Token[_Operation | None]"]


class _Operation:
    """One logical operation's span and counts; current (in the OpenTelemetry
    context and for this module's attempts) only while its own code runs,
    never across a ``yield`` to the caller."""

    __slots__ = ("_otel", "_tokens", "attributes", "export", "host", "pages", "rows", "span")

    def __init__(
        self, o: _Otel, name: str, object_type: str | None, *, export: bool = False
    ) -> None:
        self._otel = o
        self.attributes: dict[str, str] = {OPERATION: name}
        if object_type:
            self.attributes[OBJECT_TYPE] = object_type
        title = f"workfront {name} {object_type}" if object_type else f"workfront {name}"
        self.span: Span = o.tracer.start_span(
            title, kind=o.internal_kind, attributes=self.attributes
        )
        self.export = export
        self.host: str | None = None
        self.rows = 0
        self.pages = 0
        self._tokens: _Tokens | None = None

    def enter(self) -> _Tokens:
        o = self._otel
        return o.context.attach(o.trace.set_span_in_context(self.span)), _OPERATION.set(self)

    def leave(self, tokens: _Tokens) -> None:
        _OPERATION.reset(tokens[1])
        self._otel.context.detach(tokens[0])

    def saw(self, host: str) -> None:
        """An attempt of this operation went to ``host``."""
        if self.host is None:
            self.host = host
            self.span.set_attribute(SERVER_ADDRESS, host)

    def page(self, size: int) -> None:
        self.rows += size
        self.pages += 1
        if self.export:
            attributes = dict(self.attributes)
            if self.host is not None:
                attributes[SERVER_ADDRESS] = self.host
            self._otel.export_rows.add(size, attributes)
            self._otel.export_pages.add(1, attributes)

    def fail(self, exc: BaseException) -> None:
        if isinstance(exc, GeneratorExit):
            return  # the caller stopped early: not a failure
        _failed(self._otel, self.span, exc)

    def end(self) -> None:
        if self.pages or self.export:
            self.span.set_attribute(ROWS, self.rows)
            self.span.set_attribute(PAGES, self.pages)
        self.span.end()

    # as a context manager, for operations that do not yield
    def __enter__(self) -> _Operation:
        self._tokens = self.enter()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc is not None:
                self.fail(exc)
        finally:
            if self._tokens is not None:
                self.leave(self._tokens)
            self.end()


def _failed(o: _Otel, span: Span, exc: BaseException) -> None:
    """Mark ``span`` failed by ``exc``; its message and traceback are redacted
    again (the library's messages already are) before they become an event."""
    kind = error_type(exc)
    span.set_attribute(ERROR_TYPE, kind)
    span.set_status(o.error_status)
    if isinstance(exc, Exception) and span.is_recording():
        span.add_event(
            "exception",
            {
                "exception.type": f"{type(exc).__module__}.{kind}",
                "exception.message": redact_text(str(exc)),
                "exception.stacktrace": redact_text("".join(traceback.format_exception(exc))),
            },
        )


class _Nothing:
    """The operation context of a call inside another operation, or with
    OpenTelemetry off: nothing to do."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


_NOTHING: Final = _Nothing()


def obj_of_call(_self: object, obj: object = None, *args: object, **kwargs: object) -> object:
    """For ``traced``: the object type is the method's first argument (``obj``)."""
    return obj


def obj_of_self(self: object, *args: object, **kwargs: object) -> object:
    """For ``traced_pages``: the object type is the instance's ``obj``."""
    return getattr(self, "obj", None)


Of = str | Callable[..., object] | None


def _object_type(of: Of, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str | None:
    if of is None or isinstance(of, str):
        return of
    found = of(*args, **kwargs)
    return found if isinstance(found, str) else None


def traced(
    name: str, of: Of = None
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Make each call of an async method one operation span ``name``; ``of``
    is its object type (a string, or ``obj_of_call``). The requests it sends
    are its children and carry its attributes."""

    def decorate(fn: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(fn)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            o = otel()
            if o is None:
                return await fn(*args, **kwargs)
            with _Operation(o, name, _object_type(of, args, kwargs)):
                return await fn(*args, **kwargs)

        return wrapper

    return decorate


def traced_pages(
    name: str, of: Of = None
) -> Callable[[Callable[P, AsyncIterator[S]]], Callable[P, AsyncIterator[S]]]:
    """Make each iteration of an async generator of pages one operation span
    ``name`` counting the rows and pages it yields; ``of`` is its object type
    (a string, or ``obj_of_self``). With OpenTelemetry off the generator is
    returned as it is: nothing is added per page."""

    def decorate(fn: Callable[P, AsyncIterator[S]]) -> Callable[P, AsyncIterator[S]]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> AsyncIterator[S]:
            pages = fn(*args, **kwargs)
            o = otel()
            if o is None:
                return pages
            object_type = _object_type(of, args, kwargs)
            return _observed(lambda: _Operation(o, name, object_type), pages)

        return wrapper

    return decorate


def observed_export(
    pages: Callable[[], AsyncGenerator[S, None]], object_type: str | None
) -> Callable[[], AsyncGenerator[S, None]]:
    """An export's page factory whose every run is one ``workfront export``
    operation, counting ``workfront.export.rows`` and ``.pages`` as pages are
    handed over; ``pages`` itself when OpenTelemetry is off."""
    o = otel()
    if o is None:
        return pages

    def factory() -> AsyncGenerator[S, None]:
        return _observed(lambda: _Operation(o, "export", object_type, export=True), pages())

    return factory


async def _observed(
    start: Callable[[], _Operation], pages: AsyncIterator[S]
) -> AsyncGenerator[S, None]:
    # The operation starts with the iteration (a generator never iterated makes
    # no span) and is current only while the inner generator runs: what the
    # caller does between pages is not part of it, and a context attached
    # across a yield would leak into the caller's code.
    op = start()
    try:
        while True:
            tokens = op.enter()
            try:
                page = await anext(pages)
            except StopAsyncIteration:
                break
            finally:
                op.leave(tokens)
            op.page(len(page))
            yield page
    except BaseException as exc:
        op.fail(exc)
        raise
    finally:
        try:
            aclose = getattr(pages, "aclose", None)
            if aclose is not None:
                await aclose()
        finally:
            op.end()


# --- what a request's path says it is ----------------------------------------------------

_VERSION = re.compile(r"v\d+(?:\.\d+)?")
_CLASSIC_VERBS: Final = frozenset({"search", "count", "report", "metadata"})
_NO_OBJECT: Final = frozenset({"batch", "login", "logout", "upload", "metadata"})
_PLANNING_NOUNS: Final = {
    "records": "record",
    "record-types": "record_type",
    "workspaces": "workspace",
    "fields": "field",
    "views": "view",
}
_PLANNING_VERBS: Final = frozenset({"search", "bulk", "move", "history"})
_BULK: Final = {
    "POST": "bulk_create",
    "PUT": "bulk_replace",
    "PATCH": "bulk_update",
    "DELETE": "bulk_delete",
}
_BY_METHOD: Final = {
    # (method, addressed to one item) -> operation
    ("GET", True): "get",
    ("GET", False): "list",
    ("POST", False): "create",
    ("POST", True): "action",
    ("PUT", True): "replace",
    ("PATCH", True): "update",
    ("DELETE", True): "delete",
}


def describe(call: Call) -> tuple[str, str | None]:
    """The operation and object type of a single call, from its request:
    ``GET task/search`` is ``("search", "task")``, ``PUT task/<ID>`` is
    ``("update", "task")``, ``POST v2/record-types/<ID>/records/search`` is
    ``("search", "record")``. Never an ID: a Planning path's IDs are skipped,
    a classic path's object code is its first segment."""
    parts = [p for p in call.path.split("/") if p]
    method = call.method.upper()
    if parts and call.root is None and _VERSION.fullmatch(parts[0]):
        return _describe_planning(method, parts[1:])
    return _describe_classic(method, parts, call.params)


def _describe_classic(
    method: str, parts: list[str], params: tuple[tuple[str, str], ...]
) -> tuple[str, str | None]:
    if not parts:
        return method.lower(), None
    obj = parts[0]
    if obj in _NO_OBJECT and len(parts) == 1:
        return obj, None
    if len(parts) >= 2 and parts[1] in _CLASSIC_VERBS:
        return parts[1], obj
    names = {name for name, _ in params}
    if len(parts) >= 3 or (method == "PUT" and "action" in names):
        return "action", obj
    if method == "GET":
        return "get", obj
    if method == "DELETE":
        return "delete", obj
    if method == "POST":
        return ("copy" if "copySourceID" in names else "create"), obj
    if method == "PUT" and len(parts) == 1:  # PUT <obj>?updates=[...]: a bulk chunk
        creates = ("method", "POST") in params
        return ("bulk_create" if creates else "bulk_update"), obj
    return "update", obj


def _describe_planning(method: str, parts: list[str]) -> tuple[str, str | None]:
    noun: str | None = None
    item = False
    verb: str | None = None
    for part in parts:
        if part in _PLANNING_NOUNS:
            noun, item, verb = _PLANNING_NOUNS[part], False, None
        elif part in _PLANNING_VERBS:
            verb = part
        else:
            item = True  # an ID
    if verb == "bulk":
        return _BULK.get(method, "bulk"), noun
    if verb is not None:
        return verb, noun
    return _BY_METHOD.get((method, item), method.lower()), noun


# --- a client's observer: usage counts, attempts, retries -------------------------------

_OBSERVERS: weakref.WeakSet[Observer] = weakref.WeakSet()


def _observe_windows(options: CallbackOptions) -> Iterator[Observation]:
    """``workfront.limiter.window``: per tenant, the smallest adaptive window
    of the limiters of this process's clients."""
    from opentelemetry.metrics import Observation

    try:
        observers = list(_OBSERVERS)
    except RuntimeError:  # a client was made while a reader's thread looked: next time
        return
    smallest: dict[str, float] = {}
    for observer in observers:
        limit = observer.window()
        if limit is not None:
            smallest[observer.host] = min(limit, smallest.get(observer.host, math.inf))
    for host, limit in smallest.items():
        yield Observation(limit, {SERVER_ADDRESS: host})


def _node_libraries(node: object) -> tuple[str, ...]:
    """The HTTP libraries ``node`` may send with: one for the library's own
    nodes, both for ``http="auto"`` before its first request, none for a node
    of the caller's (which no instrumentation of ours knows)."""
    inner = getattr(node, "node", None)  # the asyncio-only wrapper
    if inner is not None:
        node = inner
    name = type(node).__name__
    if name == "AutoNode":
        chosen = getattr(node, "chosen", None)
        return tuple(INSTRUMENTORS) if chosen is None else _node_libraries(chosen)
    return _NODE_LIBRARIES.get(name, ())


def instrumented(node: object) -> bool:
    """Whether an OpenTelemetry instrumentation of ``node``'s HTTP library is
    active (imported and instrumenting): its spans would duplicate ours."""
    for library in _node_libraries(node):
        module_name, class_name = INSTRUMENTORS[library]
        module = sys.modules.get(module_name)
        if module is None:
            continue
        try:
            if getattr(module, class_name)().is_instrumented_by_opentelemetry:
                return True
        except Exception:  # an instrumentation we do not understand: ours stay on
            continue
    return False


class Observer:
    """What one client's sender reports: its usage counts always, spans and
    metrics when OpenTelemetry is on. ``operation`` wraps a call of the
    client's request method; ``attempt`` one HTTP exchange (the wait for its
    limiter slot included); ``retried`` each retry.

    Durations are the process's real time (``time.perf_counter``), whatever
    clock the sender's deadlines follow."""

    __slots__ = ("__weakref__", "_http", "_node", "_otel", "_slots", "host", "port", "usage")

    def __init__(self, base_url: str, slots: Slots, node: object) -> None:
        parts = urlsplit(base_url)
        self.host = (parts.hostname or "").lower()
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.usage = UsageCounts()
        self._slots = slots
        self._node = node
        self._otel = otel()
        self._http = os.environ.get(HTTP_ENV, "auto").strip().lower()
        if self._otel is not None and slots.window is not None:
            _OBSERVERS.add(self)

    def __repr__(self) -> str:
        return f"<Observer {self.host} {self.usage.snapshot()}>"

    def window(self) -> float | None:
        window = self._slots.window
        if window is None or math.isinf(window.limit):
            return None
        return window.limit

    def attributes(self, op: _Operation | None) -> dict[str, Any]:
        """A metric's attributes: the tenant's host, and the operation's."""
        if op is None:
            return {SERVER_ADDRESS: self.host}
        return {SERVER_ADDRESS: self.host, **op.attributes}

    def operation(self, call: Call) -> _Operation | _Nothing:
        """The operation one call of the request method is, unless it is part
        of another (a page of a search, a chunk of a bulk call)."""
        self.usage.calls += 1
        o = self._otel
        if o is None or _OPERATION.get() is not None:
            return _NOTHING
        name, object_type = describe(call)
        return _Operation(o, name, object_type)

    def attempt(self, plan: HttpPlan, slots: Slots) -> Attempt:
        """One HTTP exchange: ``async with`` takes a slot of ``slots``,
        measuring the wait for it (not for the task's own ``REQUEST_GATE``,
        taken before: an export's bound on its own requests); ``answered``
        records the answer."""
        return Attempt(self, plan, slots)

    def retried(self, exc: BaseException, attempts: int) -> None:
        """The call is sent again after ``exc``, having made ``attempts`` attempts."""
        self.usage.retries += 1
        o = self._otel
        if o is None:
            return
        _RESENDS.set(attempts)
        attributes = self.attributes(_OPERATION.get())
        attributes[ERROR_TYPE] = error_type(exc)
        o.retries.add(1, attributes)

    def http_spans(self) -> bool:
        """Whether to make the CLIENT span and duration of each attempt
        (``WORKFRONT_ASYNC_OTEL_HTTP``, read when the client is made)."""
        if self._http in ("on", "1", "true", "yes"):
            return True
        if self._http in _OFF:
            return False
        return not instrumented(self._node)


class Attempt:
    """One HTTP exchange of a call, under one slot of the limiter."""

    __slots__ = (
        "_attributes",
        "_observer",
        "_op",
        "_plan",
        "_queued",
        "_received",
        "_slot",
        "_span",
        "_started",
        "_status",
        "_token",
    )

    def __init__(self, observer: Observer, plan: HttpPlan, slots: Slots) -> None:
        self._observer = observer
        self._plan = plan
        self._slot = slots.slot(self._gated)
        self._status: int | None = None
        self._received = 0
        self._queued = self._started = 0.0
        self._span: Span | None = None
        self._token: contextvars.Token[Context] | None = None
        self._op: _Operation | None = None
        self._attributes: dict[str, Any] = {}

    def _gated(self) -> None:
        self._queued = time.perf_counter()

    async def __aenter__(self) -> Attempt:
        observer = self._observer
        self._queued = time.perf_counter()
        await self._slot.__aenter__()
        started = self._started = time.perf_counter()
        wait = started - self._queued
        usage = observer.usage
        usage.requests += 1
        usage.slot_wait += wait
        content = self._plan.content
        usage.bytes_sent += len(self._plan.url) + (len(content) if content else 0)
        o = observer._otel
        if o is not None:
            try:
                self._begin(o, wait)
            except BaseException:
                await self._slot.__aexit__(*sys.exc_info())
                raise
        return self

    def answered(self, response: HttpResponse) -> None:
        """The answer came in (whatever its status)."""
        self._status = response.status
        self._received = len(response.content)
        usage = self._observer.usage
        usage.bytes_received += self._received
        if response.status == 429:
            usage.throttled += 1

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        o = self._observer._otel
        if o is not None:
            try:
                self._finish(o, exc)
            except BaseException:
                await self._slot.__aexit__(exc_type, exc, tb)
                raise
        return await self._slot.__aexit__(exc_type, exc, tb)

    # -- OpenTelemetry --------------------------------------------------------------------

    def _begin(self, o: _Otel, wait: float) -> None:
        observer = self._observer
        op = self._op = _OPERATION.get()
        self._attributes = observer.attributes(op)
        o.wait_time.record(wait, self._attributes)
        o.active.add(1, {SERVER_ADDRESS: observer.host})
        resends = _RESENDS.get()
        if resends:
            _RESENDS.set(0)
        if op is not None:
            op.saw(observer.host)
        if not observer.http_spans():
            # the HTTP instrumentation makes the span: the wait goes on the operation's
            if wait > 0:
                o.trace.get_current_span().add_event("workfront.limiter.wait", {WAIT: wait})
            return
        plan = self._plan
        span = o.tracer.start_span(
            plan.method,
            kind=o.client_kind,
            attributes={
                METHOD: plan.method,
                SERVER_ADDRESS: observer.host,
                SERVER_PORT: observer.port,
            },
        )
        if span.is_recording():
            span.set_attribute(URL_FULL, redact_url(plan.url))
            span.set_attribute(WAIT, wait)
            window = observer.window()
            if window is not None:
                span.set_attribute(WINDOW, window)
            if resends:
                span.set_attribute(RESEND_COUNT, resends)
            if plan.content:
                span.set_attribute(REQUEST_SIZE, len(plan.content))
        self._span = span
        self._token = o.context.attach(o.trace.set_span_in_context(span))

    def _finish(self, o: _Otel, exc: BaseException | None) -> None:
        observer = self._observer
        o.active.add(-1, {SERVER_ADDRESS: observer.host})
        status = self._status
        if status == 429:
            o.throttled.add(1, self._attributes)
        span = self._span
        if span is None:
            return
        if exc is not None:
            error: str | None = error_type(exc)
        elif status is None:
            # the sender leaves the exchange without an answer or an error only
            # when the call's deadline cancelled it
            error = "RequestTimeout"
        else:
            error = str(status) if status >= 400 else None
        attributes = {
            METHOD: self._plan.method,
            SERVER_PORT: observer.port,
            **self._attributes,
        }
        if status is not None:
            attributes[STATUS] = status
        if error is not None:
            attributes[ERROR_TYPE] = error
        o.duration.record(time.perf_counter() - self._started, attributes)
        if span.is_recording():
            if status is not None:
                span.set_attribute(STATUS, status)
                span.set_attribute(RESPONSE_SIZE, self._received)
            if error is not None:
                span.set_attribute(ERROR_TYPE, error)
                span.set_status(o.error_status)
        if self._token is not None:
            o.context.detach(self._token)
        span.end()
