"""The sending layer shared by the classic and the Planning clients.

``Sender`` holds everything that is about the API, identical whatever HTTP
library carries the bytes: the auth object, the concurrency limiter, the retry
loop with its deadline, redaction and error mapping. The API-specific parts
(how a URL is planned, how a body is decoded) come in as the pure functions of
``_wire``; the bytes go through an HTTP node (``_http``) that sends one request
and returns status, headers and body.

A slot of the limiter is held for exactly one HTTP exchange: it is taken
*before* the connection pool (sized at or above the limiter), so waiting never
becomes a pool timeout, and a request that sleeps in back-off holds none.
``Retry.deadline`` bounds the whole call from its first attempt: each attempt
runs in a cancel scope with what is left of it, body included.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Final, Protocol
from urllib.parse import urlsplit

import anyio
import anyio.lowlevel
import httpx

from .._nodes import (
    DEFAULT_MAX_ANSWER_BYTES,
    AnswerTooLarge,
    Files,
    HttpNode,
    HttpResponse,
    HttpxNode,
    NodeError,
    NodeTimeout,
    SensitiveHeaders,
)
from .auth import Auth
from .exceptions import (
    AuthenticationError,
    QueryError,
    RequestTimeout,
    ResponseError,
    TransportError,
    WorkfrontError,
    redact_text,
    redact_url,
    redacting,
)
from .limiter import Limiter, Slots
from .request import (
    FORM_CONTENT_TYPE,
    LARGE_BODY,
    Call,
    HttpPlan,
    parse_classic,
    plan_http,
    query_string,
)
from .retry import Retry
from .telemetry import Observer

__all__ = [
    "LOGGER",
    "NODE_CLASS_NAMES",
    "AutoNode",
    "aiohttp_available",
    "make_node",
    "node_class",
    "RedactingFilter",
    "Redactions",
    "ResponseParser",
    "Sender",
    "install_log_redaction",
]

# --- HTTP nodes by name ---

NODE_CLASS_NAMES: Final = {
    "httpx": "workfront_async._nodes._httpx.HttpxNode",
    "aiohttp": "workfront_async._nodes._aiohttp.AiohttpNode",
}
"""The nodes ``http=`` can name, as elastic-transport's ``NODE_CLASS_NAMES``:
the table lives here, above the nodes, so no node module knows of another."""


def node_class(name: str) -> Any:
    """The node class ``NODE_CLASS_NAMES`` names (imported on first use: the
    aiohttp node's module needs the ``[fast]`` extra)."""
    import importlib

    module, _, cls = NODE_CLASS_NAMES[name].rpartition(".")
    return getattr(importlib.import_module(module), cls)


def aiohttp_available() -> bool:
    """Whether the fast node's extra (``[fast]``: aiohttp) is installed."""
    import importlib.util

    return importlib.util.find_spec("aiohttp") is not None


class AutoNode:
    """The default node: aiohttp when it is installed and the running event
    loop is asyncio, httpx otherwise (under trio, aiohttp cannot run). The
    choice is made at the first request, in the loop that sends it."""

    def __init__(
        self,
        *,
        timeout: float | httpx.Timeout | None,
        pool_size: float,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    ) -> None:
        self._timeout = timeout
        self._pool_size = pool_size
        self._max_answer_bytes = max_answer_bytes
        self.chosen: HttpNode | None = None

    def __repr__(self) -> str:
        return f"AutoNode({self.chosen!r})"

    def _choose(self) -> HttpNode:
        import sniffio

        name = "aiohttp" if sniffio.current_async_library() == "asyncio" else "httpx"
        if name == "aiohttp" and not aiohttp_available():
            name = "httpx"
        node: HttpNode = node_class(name)(
            timeout=self._timeout,
            pool_size=self._pool_size,
            max_answer_bytes=self._max_answer_bytes,
        )
        return node

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Iterable[tuple[str, str]] = (),
        content: bytes | None = None,
        files: Files | None = None,
    ) -> HttpResponse:
        node = self.chosen
        if node is None:
            node = self.chosen = self._choose()
        return await node.send(method, url, headers=headers, content=content, files=files)

    async def aclose(self) -> None:
        if self.chosen is not None:
            await self.chosen.aclose()


def make_node(
    http: str | HttpNode,
    *,
    transport: httpx.AsyncBaseTransport | None,
    timeout: float | httpx.Timeout | None,
    pool_size: float,
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
) -> HttpNode:
    """The node for a client's ``http=`` choice.

    ``"auto"`` (the default) is the fast aiohttp node when ``[fast]`` is
    installed and the loop is asyncio, else httpx; an injected httpx
    ``transport=`` always means httpx, so tests, respx and the in-process
    emulator keep working. ``"httpx"`` and ``"aiohttp"`` force a node; a node
    instance is used as it is (the sender still refuses an answer past
    ``max_answer_bytes``, but only once that node has read it whole)."""
    if not isinstance(http, str):
        if not isinstance(http, HttpNode):
            raise QueryError(
                f"http= takes 'auto', 'httpx', 'aiohttp' or an HTTP node "
                f"(with send() and aclose()), not {type(http).__name__}"
            )
        if transport is not None:
            raise QueryError("give either transport= (an httpx transport) or an HTTP node")
        return http
    if http == "httpx" or (http == "auto" and transport is not None):
        return HttpxNode(
            transport=transport,
            timeout=timeout,
            pool_size=pool_size,
            max_answer_bytes=max_answer_bytes,
        )
    if http == "auto":
        return AutoNode(timeout=timeout, pool_size=pool_size, max_answer_bytes=max_answer_bytes)
    if http == "aiohttp":
        if transport is not None:
            raise QueryError(
                "transport= is an httpx transport: use http='httpx' (or 'auto') with it"
            )
        if not aiohttp_available():
            raise ImportError("http='aiohttp' needs aiohttp: pip install 'workfront-async[fast]'")
        aiohttp_node = node_class("aiohttp")(
            timeout=timeout, pool_size=pool_size, max_answer_bytes=max_answer_bytes
        )
        return _AsyncioOnly(aiohttp_node)
    raise QueryError(f"http= takes 'auto', 'httpx' or 'aiohttp' (or a node), not {http!r}")


class _AsyncioOnly:
    """Wraps a node that needs asyncio: under another loop it says what to do."""

    def __init__(self, node: HttpNode) -> None:
        self.node = node

    def __repr__(self) -> str:
        return repr(self.node)

    async def send(
        self,
        method: str,
        url: str,
        *,
        headers: Iterable[tuple[str, str]] = (),
        content: bytes | None = None,
        files: Files | None = None,
    ) -> HttpResponse:
        import sniffio

        library = sniffio.current_async_library()
        if library != "asyncio":
            raise RuntimeError(
                f"http='aiohttp' runs on asyncio only, not {library}: use http='auto' or 'httpx'"
            )
        return await self.node.send(method, url, headers=headers, content=content, files=files)

    async def aclose(self) -> None:
        await self.node.aclose()


# --- logging and redaction ---

LOGGER = logging.getLogger("workfront_async")


class RedactingFilter(logging.Filter):
    """Rewrites log records so that secret query parameters (``apiKey=``,
    ``sessionID=``...) and bearer tokens never reach a handler. Installed on
    the ``httpx`` and ``httpcore`` loggers, which log request URLs at DEBUG."""

    def __init__(self, secrets: Sequence[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is left to logging's own handling
            return True
        cleaned = redact_text(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_REDACTOR = RedactingFilter()


class _ShownURL:
    """A URL for a log line, redacted only when a line is written: most calls
    log nothing, and redacting every URL cost more than the rest of the call's
    bookkeeping."""

    __slots__ = ("url",)

    def __init__(self, url: str) -> None:
        self.url = url

    def __str__(self) -> str:
        return redact_url(self.url)

    def __repr__(self) -> str:
        return repr(str(self))


# A filter on a logger does not see its children's records: httpcore logs
# through ``httpcore.http11`` (response headers, Set-Cookie included) and others.
_HTTP_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


def install_log_redaction() -> None:
    """Make sure the HTTP libraries' loggers redact secrets (idempotent)."""
    for name in _HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACTOR not in logger.filters:
            logger.addFilter(_REDACTOR)


class ResponseParser(Protocol):
    """Decodes a response body, raising the right error (see ``_wire.parse_classic``)."""

    def __call__(
        self,
        status: int,
        content: bytes,
        *,
        headers: Mapping[str, str] | None = ...,
        method: str = ...,
        url: str = ...,
        secrets: Sequence[str] = ...,
    ) -> Any: ...


def _redact_args(exc: BaseException | None, secrets: Iterable[str]) -> None:
    """Redact an exception's message in place, and its causes': they stay the
    ``__cause__`` of the error we raise, and a formatted traceback prints them
    (the message of some transports carries the request URL)."""
    values = tuple(secrets)
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        exc.args = tuple(redact_text(a, values) if isinstance(a, str) else a for a in exc.args)
        exc = exc.__cause__ or exc.__context__


class Redactions:
    """The literal secrets of one call, kept out of ``repr``.

    A traceback that captures locals (Sentry, rich, ``pytest --showlocals``)
    shows this object's ``repr``, never the values."""

    __slots__ = ("_values",)

    def __init__(self, values: Iterable[str] = ()) -> None:
        self._values = tuple(v for v in values if v)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"<{len(self._values)} redacted secret(s)>"

    __str__ = __repr__

    def __add__(self, more: Iterable[str]) -> Redactions:
        return Redactions((*self._values, *more))


def _too_large(exc: AnswerTooLarge, plan: HttpPlan, secrets: Redactions) -> ResponseError:
    """The error for an answer cut at ``max_answer_bytes``: not retried (the
    same request would bring the same answer), and it says how to raise the bound."""
    limit = exc.limit
    size = f"{limit / 2**20:g} MiB" if limit >= 2**20 else f"{limit:,} bytes"
    error = ResponseError(
        f"the answer is larger than max_answer_bytes={limit} ({size}) once decoded; reading "
        "stopped there and none of it was kept. If answers this large are expected, raise "
        "the bound: "
        "Workfront(..., max_answer_bytes=...) (Planning and PlanningV2 take it too); "
        "otherwise ask for less per request (a smaller page_size, fewer fields)",
        status=exc.status,
        method=plan.method,
        url=plan.url,
        body=redact_text(exc.start.decode("utf-8", "replace"), tuple(secrets)).encode(),
    )
    error.retryable = False
    return error


class _Budget:
    """The time left for one call: its ``Retry.deadline`` counts from the first
    attempt (the wait for the first limiter slot is local queueing, not the call)."""

    __slots__ = ("deadline", "started")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.started: float | None = None

    def remaining(self, now: float) -> float:
        if self.started is None:
            self.started = now
        return self.deadline - (now - self.started)

    def elapsed(self, now: float) -> float:
        return 0.0 if self.started is None else now - self.started


class Sender:
    """Sends ``Call``s under a limiter with retries, deadlines, auth renewal and
    error mapping, through one HTTP node (``make_node`` picks it)."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth | None,
        limiter: Limiter,
        retry: Retry,
        max_uri_bytes: int,
        node: HttpNode,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
        parse: ResponseParser = parse_classic,
        clock: Callable[[], float] | None = None,
        logger: logging.Logger = LOGGER,
        adaptive: bool = True,
    ) -> None:
        install_log_redaction()
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise QueryError(
                f"base_url must be an http(s) URL such as 'https://acme.my.workfront.com', "
                f"not {redact_url(base_url)!r}"
            )
        self.base_url = base_url.rstrip("/") + "/"
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.auth = auth
        self.limiter = limiter
        self._slots = Slots(limiter, adaptive=adaptive, tenant=base_url)
        self.retry = retry
        self.max_uri_bytes = max_uri_bytes
        self.max_answer_bytes = max_answer_bytes
        self._parse = parse
        self._clock = clock or anyio.current_time
        self._sleep: Callable[[float], Awaitable[None]] = anyio.sleep
        self._log = logger
        self.node = node
        self.observer = Observer(base_url, self._slots, node)

    # -- AuthContext -----------------------------------------------------------------

    def now(self) -> float:
        return self._clock()

    def _secrets(self) -> Redactions:
        return Redactions(self.auth.secrets() if self.auth is not None else ())

    async def form_request(self, url: str, form: Sequence[tuple[str, str]]) -> Any:
        """POST a form to ``url`` without auth (token endpoints), under the limiter."""
        plan = HttpPlan(
            "POST", url, (("Content-Type", FORM_CONTENT_TYPE),), query_string(form).encode()
        )
        secrets = self._secrets() + (v for _, v in form)
        budget = _Budget(self.retry.deadline)
        return await self._with_retries(
            lambda: self._send_once(plan, None, secrets, budget, auth_headers=SensitiveHeaders()),
            budget,
            idempotent=False,
        )

    async def call(self, call: Call, *, authenticate: bool = True) -> Any:
        """Send ``call`` and return the decoded body (``data`` unwrapped)."""
        budget = _Budget(self.retry.deadline)
        if not authenticate or self.auth is None:
            plan = plan_http(call, self.base_url, max_uri_bytes=self.max_uri_bytes)
            secrets = self._secrets() + (v for _, v in call.params)
            return await self._with_retries(
                lambda: self._send_once(
                    plan, call, secrets, budget, auth_headers=SensitiveHeaders()
                ),
                budget,
                idempotent=call.idempotent,
            )
        auth = self.auth
        renewed = False
        while True:
            await auth.prepare(self)
            generation = auth.generation
            plan = plan_http(
                call, self.base_url, auth_params=auth.params(), max_uri_bytes=self.max_uri_bytes
            )
            send = functools.partial(
                self._send_once,
                plan,
                call,
                Redactions(auth.secrets()),
                budget,
                auth_headers=SensitiveHeaders(auth.headers()),
            )
            try:
                return await self._with_retries(send, budget, idempotent=call.idempotent)
            except AuthenticationError:
                if renewed or not await auth.refresh(self, generation):
                    raise
                renewed = True

    # -- internals -------------------------------------------------------------------

    async def _with_retries(
        self, send: Callable[[], Any], budget: _Budget, *, idempotent: bool
    ) -> Any:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await send()
            except WorkfrontError as exc:
                # An answer refused as a whole (past max_answer_bytes) says it
                # is not retryable: the same request would bring it again.
                refused = isinstance(exc, ResponseError) and not exc.retryable
                if refused or not self.retry.is_retryable(exc, idempotent=idempotent):
                    raise
                if attempt >= self.retry.attempts:
                    exc.add_note(f"gave up after {attempt} attempt(s): the retry budget is spent")
                    raise
                delay = self.retry.delay(attempt, retry_after=getattr(exc, "retry_after", None))
                if budget.elapsed(self.now()) + delay >= self.retry.deadline:
                    exc.add_note(
                        f"gave up after {attempt} attempt(s): the next retry would pass the "
                        f"{self.retry.deadline:g}s deadline"
                    )
                    raise
                self._log.debug(
                    "retrying after %s (attempt %d of %d) in %.2fs",
                    type(exc).__name__,
                    attempt,
                    self.retry.attempts,
                    delay,
                )
                self.observer.retried(exc, attempt)
                await self._sleep(delay)

    async def _send_once(
        self,
        plan: HttpPlan,
        call: Call | None,
        secrets: Redactions,
        budget: _Budget,
        *,
        auth_headers: SensitiveHeaders,
    ) -> Any:
        files = call.files if call is not None and call.files is not None else None
        headers = auth_headers + plan.headers
        shown = _ShownURL(plan.url)
        async with self.observer.attempt(plan, self._slots) as seen:
            started = self.now()
            left = budget.remaining(started)
            if left <= 0:
                raise RequestTimeout(
                    f"the {self.retry.deadline:g}s deadline passed before this attempt",
                    method=plan.method,
                    url=plan.url,
                )
            # One cancel scope bounds the whole exchange, body included: a server
            # that trickles its answer cannot keep a call past its deadline.
            with anyio.move_on_after(left) as scope:
                try:
                    response = await self.node.send(
                        plan.method, plan.url, headers=headers, content=plan.content, files=files
                    )
                    if len(response.content) > self.max_answer_bytes:  # a node of the caller's
                        raise AnswerTooLarge(
                            response.status, self.max_answer_bytes, response.content[:200]
                        )
                except AnswerTooLarge as exc:
                    self._log.debug("%s %s -> answer too large", plan.method, shown)
                    raise _too_large(exc, plan, secrets) from None
                except NodeTimeout as exc:
                    _redact_args(exc, secrets)
                    self._log.debug("%s %s -> timeout", plan.method, shown)
                    raise RequestTimeout(
                        redact_text(f"request timed out: {exc}", tuple(secrets)),
                        method=plan.method,
                        url=plan.url,
                    ) from exc.__cause__ or exc
                except NodeError as exc:
                    _redact_args(exc, secrets)
                    self._log.debug("%s %s -> %s", plan.method, shown, type(exc.__cause__).__name__)
                    raise TransportError(
                        redact_text(str(exc), tuple(secrets)), method=plan.method, url=plan.url
                    ) from exc.__cause__ or exc
                else:
                    seen.answered(response)
            elapsed = self.now() - started
        if scope.cancelled_caught:
            self._log.debug("%s %s -> deadline", plan.method, shown)
            raise RequestTimeout(
                f"no complete answer within the {self.retry.deadline:g}s deadline "
                f"(this attempt had {left:.3g}s left)",
                method=plan.method,
                url=plan.url,
            )
        self._slots.record(overloaded=response.status == 429)
        self._log.debug("%s %s -> %d in %.3fs", plan.method, shown, response.status, elapsed)
        if len(response.content) >= LARGE_BODY:
            # Before decoding a large body (milliseconds of CPU), let a request
            # waiting for the slot just given back go out: the cap's time is
            # what bounds an export, the decoding can wait. Not a cancellation
            # point: the answer is in, it is returned.
            await anyio.lowlevel.cancel_shielded_checkpoint()
        parse = call.parse if call is not None and call.parse is not None else self._parse
        try:
            # Errors built while parsing redact this call's own credentials as
            # well (a short key, a password just sent), everywhere: in ``detail`` too.
            with redacting(secrets):
                return parse(
                    response.status,
                    response.content,
                    headers=response.headers,
                    method=plan.method,
                    url=plan.url,
                    secrets=tuple(secrets),
                )
        except WorkfrontError as exc:
            # The parser's frames hold the raw answer in their locals, with
            # whatever credential the server echoed: a traceback that captures
            # locals (Sentry, rich) would show it. The error starts here instead.
            raise exc.with_traceback(None)  # noqa: B904 - the same error, re-raised

    async def aclose(self) -> None:
        await self.node.aclose()
