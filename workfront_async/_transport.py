"""The sending layer shared by the classic and the Planning clients.

``Sender`` owns the httpx client, the concurrency limiter, the retry loop, the
auth object and error mapping; the API-specific parts (how a URL is planned,
how a body is decoded) come in as the pure functions of ``_wire``.

The limiter is acquired *before* the connection pool (which is sized at or
above it), so waiting never becomes an httpx ``PoolTimeout``; a request that
sleeps in back-off holds no slot.
"""

from __future__ import annotations

import functools
import http.cookiejar
import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol
from urllib.parse import urlsplit

import anyio
import httpx

from ._auth import Auth
from ._exceptions import (
    AuthenticationError,
    QueryError,
    RequestTimeout,
    TransportError,
    WorkfrontError,
    redact_text,
    redact_url,
)
from ._retry import Retry
from ._wire import FORM_CONTENT_TYPE, Call, HttpPlan, parse_classic, plan_http, query_string

__all__ = ["LOGGER", "RedactingFilter", "ResponseParser", "Sender", "install_log_redaction"]

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


def _redact_args(exc: BaseException, secrets: Sequence[str]) -> None:
    """Redact an httpx exception's message in place: it stays the ``__cause__``
    of the error we raise, and a formatted traceback prints it (the message of
    some transports carries the request URL, ``apiKey=`` included)."""
    exc.args = tuple(redact_text(a, secrets) if isinstance(a, str) else a for a in exc.args)


def _no_cookies() -> http.cookiejar.CookieJar:
    """A cookie jar that keeps nothing. Workfront's session cookies would
    otherwise be sent back with every later request: a second, invisible
    credential (reads accept a session cookie) that outlives ``logout`` and
    that redaction does not know about."""
    policy = http.cookiejar.DefaultCookiePolicy(allowed_domains=[])
    return http.cookiejar.CookieJar(policy=policy)


def _pool_limits(limiter: anyio.CapacityLimiter) -> httpx.Limits:
    tokens = limiter.total_tokens
    if math.isinf(tokens):
        return httpx.Limits(max_connections=None, max_keepalive_connections=None)
    size = max(int(tokens), 1)
    return httpx.Limits(max_connections=size, max_keepalive_connections=size)


class Sender:
    """Sends ``Call``s under a limiter with retries, auth renewal and error mapping."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth | None,
        limiter: anyio.CapacityLimiter,
        retry: Retry,
        max_uri_bytes: int,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float | httpx.Timeout | None = 60.0,
        parse: ResponseParser = parse_classic,
        clock: Callable[[], float] | None = None,
        logger: logging.Logger = LOGGER,
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
        self.retry = retry
        self.max_uri_bytes = max_uri_bytes
        self._parse = parse
        self._clock = clock or anyio.current_time
        self._sleep: Callable[[float], Awaitable[None]] = anyio.sleep
        self._log = logger
        self._client = httpx.AsyncClient(
            transport=transport,
            limits=_pool_limits(limiter),
            timeout=timeout,
            follow_redirects=False,
            cookies=_no_cookies(),
        )

    # -- AuthContext -----------------------------------------------------------------

    def now(self) -> float:
        return self._clock()

    def _secrets(self) -> tuple[str, ...]:
        return self.auth.secrets() if self.auth is not None else ()

    async def form_request(self, url: str, form: Sequence[tuple[str, str]]) -> Any:
        """POST a form to ``url`` without auth (token endpoints), under the limiter."""
        plan = HttpPlan(
            "POST", url, (("Content-Type", FORM_CONTENT_TYPE),), query_string(form).encode()
        )
        secrets = (*self._secrets(), *(v for _, v in form))
        return await self._with_retries(
            lambda: self._send_once(plan, None, secrets, authenticate=False), idempotent=False
        )

    async def call(self, call: Call, *, authenticate: bool = True) -> Any:
        """Send ``call`` and return the decoded body (``data`` unwrapped)."""
        if not authenticate or self.auth is None:
            plan = plan_http(call, self.base_url, max_uri_bytes=self.max_uri_bytes)
            secrets = (*self._secrets(), *(v for _, v in call.params))
            return await self._with_retries(
                lambda: self._send_once(plan, call, secrets, authenticate=False),
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
            try:
                send = functools.partial(
                    self._send_once, plan, call, auth.secrets(), authenticate=True
                )
                return await self._with_retries(send, idempotent=call.idempotent)
            except AuthenticationError:
                if renewed or not await auth.refresh(self, generation):
                    raise
                renewed = True

    # -- internals -------------------------------------------------------------------

    async def _with_retries(self, send: Callable[[], Any], *, idempotent: bool) -> Any:
        started = self.now()
        attempt = 0
        while True:
            attempt += 1
            try:
                return await send()
            except WorkfrontError as exc:
                if not self.retry.is_retryable(exc, idempotent=idempotent):
                    raise
                if attempt >= self.retry.attempts:
                    exc.add_note(f"gave up after {attempt} attempt(s): the retry budget is spent")
                    raise
                delay = self.retry.delay(attempt, retry_after=getattr(exc, "retry_after", None))
                if self.now() - started + delay > self.retry.deadline:
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
                await self._sleep(delay)

    async def _send_once(
        self, plan: HttpPlan, call: Call | None, secrets: Sequence[str], *, authenticate: bool
    ) -> Any:
        files = call.files if call is not None and call.files is not None else None
        request = self._client.build_request(
            plan.method, plan.url, headers=list(plan.headers), content=plan.content, files=files
        )
        if authenticate and self.auth is not None:
            self.auth.apply(request)
        shown = redact_url(plan.url)
        async with self.limiter:
            started = self.now()
            try:
                response = await self._client.send(request)
            except httpx.TimeoutException as exc:
                _redact_args(exc, secrets)
                self._log.debug("%s %s -> timeout", plan.method, shown)
                raise RequestTimeout(
                    redact_text(f"request timed out: {type(exc).__name__}", secrets),
                    method=plan.method,
                    url=plan.url,
                ) from exc
            except httpx.HTTPError as exc:
                _redact_args(exc, secrets)
                self._log.debug("%s %s -> %s", plan.method, shown, type(exc).__name__)
                raise TransportError(
                    redact_text(f"{type(exc).__name__}: {exc}", secrets),
                    method=plan.method,
                    url=plan.url,
                ) from exc
            elapsed = self.now() - started
        self._log.debug("%s %s -> %d in %.3fs", plan.method, shown, response.status_code, elapsed)
        parse = call.parse if call is not None and call.parse is not None else self._parse
        return parse(
            response.status_code,
            response.content,
            headers=response.headers,
            method=plan.method,
            url=plan.url,
            secrets=secrets,
        )

    async def aclose(self) -> None:
        await self._client.aclose()
