"""The client lifecycle and the one request method, written once for the
classic (``Workfront``) and the Planning clients (``Planning``, ``PlanningV2``).

A client is created unopened, opened by ``async with`` and closed by
``aclose()``; a closed client refuses to reopen and refuses every request
(httpx's ``ClientState``). Each client sends through one ``Sender``; what
lies above it (batches, exports, event subscriptions, Planning resources)
sends through :meth:`ClientBase.request`, the one documented request method
(elasticsearch-py's ``perform_request``), never through the sender itself.

The mistakes of a newcomer to async code are answered here, once for every
client, with what to write instead: ``with`` (``async with``), ``for`` over a
search (``async for`` or ``.all()``), a client carried from one event loop
into another (a second ``asyncio.run``), and a client never closed (a
``ResourceWarning``, as for an unclosed file).
"""

from __future__ import annotations

import enum
import os
import warnings
from typing import TYPE_CHECKING, Any, ClassVar, Self
from urllib.parse import urlsplit

import anyio
import httpx
import sniffio

from .._nodes import DEFAULT_MAX_ANSWER_BYTES, HttpNode
from .auth import Auth
from .exceptions import QueryError, redact_url
from .limiter import Limiter
from .request import Call
from .retry import Retry
from .transport import ResponseParser, Sender, make_node
from .usage import Usage

__all__ = [
    "AsyncIterableOnly",
    "ClientBase",
    "ClientState",
    "URL_ENV",
    "check_base_url",
    "make_limiter",
    "url_from_env",
]

URL_ENV = "WORKFRONT_URL"
_BLOCKING = (
    "code without an event loop (a script, a notebook cell, an Airflow task) can use "
    "workfront_async.blocking.Workfront, which takes the same arguments"
)


class ClientState(enum.Enum):
    """Where a client is in its life: created, opened by ``async with``, closed."""

    UNOPENED = 1
    OPENED = 2
    CLOSED = 3


def make_limiter(limiter: Limiter | None, max_concurrency: int) -> Limiter:
    """The given shared limiter, or a new one of ``max_concurrency`` slots."""
    if limiter is not None:
        return limiter
    if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
        raise QueryError(f"max_concurrency must be a positive int, not {max_concurrency!r}")
    if max_concurrency < 1:
        raise QueryError(f"max_concurrency must be a positive int, not {max_concurrency!r}")
    return anyio.CapacityLimiter(max_concurrency)


def url_from_env(base_url: str | None) -> str:
    """``base_url``, or ``$WORKFRONT_URL`` when it is not given: an explicit
    argument always wins over the environment."""
    if base_url is not None:
        return base_url
    url = os.environ.get(URL_ENV, "").strip()
    if not url:
        raise QueryError(
            f"no tenant URL: pass it, e.g. Workfront('https://acme.my.workfront.com', "
            f"api_key=...), or set {URL_ENV}"
        )
    return url


def check_base_url(base_url: object) -> str:
    """``base_url`` if it is an http(s) URL with a host; else a ``QueryError`` that
    shows the URL as typed (without its credentials) and how to write it."""
    if not isinstance(base_url, str) or not base_url.strip():
        raise QueryError("base_url must be the tenant URL, e.g. 'https://acme.my.workfront.com'")
    shown = redact_url(base_url)
    if "://" not in base_url:
        host = shown.strip().strip("/")
        raise QueryError(
            f"base_url {shown!r} has no scheme: write it as 'https://{host}' "
            "(or http:// for a local emulator)"
        )
    try:
        parts = urlsplit(base_url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        ok = False
    if not ok:
        raise QueryError(
            f"base_url {shown!r} is not an http(s) URL with a host; write it as "
            "'https://acme.my.workfront.com'"
        )
    return base_url


def _current_loop() -> object | None:
    """The running event loop (asyncio) or run (trio), to tell loops apart."""
    try:
        library = sniffio.current_async_library()
    except sniffio.AsyncLibraryNotFoundError:
        return None
    if library == "asyncio":
        import asyncio

        return asyncio.get_running_loop()
    if library == "trio":
        import trio

        return trio.lowlevel.current_trio_token()
    return None


def _closed(loop: object) -> bool:
    is_closed = getattr(loop, "is_closed", None)
    return bool(is_closed()) if callable(is_closed) else False


class AsyncIterableOnly:
    """A mix-in for results that are iterated with ``async for``: a plain ``for``
    says what to write instead of Python's bare "object is not iterable"."""

    __slots__ = ()

    if not TYPE_CHECKING:  # type checkers keep reporting `for` as an error

        def __iter__(self):
            name = type(self).__name__
            raise TypeError(
                f"a {name} is iterated with `async for row in ...` inside an async "
                f"function, or collected with `rows = await ....all()`; {_BLOCKING}"
            )


class ClientBase:
    """What every client of this library shares: its state, its sender and ``request``."""

    _name: ClassVar[str] = "Workfront"
    _sender: Sender
    _state: ClientState
    _loop: object | None = None

    def _start(
        self,
        api_url: str,
        *,
        auth: Auth | None,
        limiter: Limiter | None,
        max_concurrency: int,
        adaptive: bool,
        retry: Retry | None,
        max_uri_bytes: int,
        transport: httpx.AsyncBaseTransport | None,
        timeout: float | httpx.Timeout | None,
        http: str | HttpNode,
        parse: ResponseParser | None = None,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    ) -> None:
        """Build the sender (the limiter, retries, the HTTP node) and start unopened."""
        if (
            isinstance(max_answer_bytes, bool)
            or not isinstance(max_answer_bytes, int)
            or max_answer_bytes < 1
        ):
            raise QueryError(
                f"max_answer_bytes must be a positive int (bytes), not {max_answer_bytes!r}"
            )
        limiter = make_limiter(limiter, max_concurrency)
        extra: dict[str, Any] = {} if parse is None else {"parse": parse}
        self._sender = Sender(
            api_url,
            auth=auth,
            limiter=limiter,
            adaptive=adaptive,
            retry=retry if retry is not None else Retry(),
            max_uri_bytes=max_uri_bytes,
            max_answer_bytes=max_answer_bytes,
            node=make_node(
                http,
                transport=transport,
                timeout=timeout,
                pool_size=limiter.total_tokens,
                max_answer_bytes=max_answer_bytes,
            ),
            **extra,
        )
        self._state = ClientState.UNOPENED

    # -- lifecycle ---------------------------------------------------------------------

    @property
    def limiter(self) -> Limiter:
        """The concurrency limiter every request of this client goes through."""
        return self._sender.limiter

    @property
    def max_uri_bytes(self) -> int:
        """The longest URI this client sends; longer requests go as a form-encoded POST."""
        return self._sender.max_uri_bytes

    @property
    def closed(self) -> bool:
        """Whether ``aclose()`` has run: a closed client sends nothing and cannot reopen."""
        return self._state is ClientState.CLOSED

    def _check_open(self) -> None:
        if self._state is ClientState.CLOSED:
            raise RuntimeError(f"this {self._name} client is closed; create a new one")
        loop = _current_loop()
        if loop is None:
            return
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            ended = "which has ended" if _closed(self._loop) else "which is still running"
            raise RuntimeError(
                f"this {self._name} client was first used in another event loop, {ended} "
                "(a second asyncio.run(), or a client made in one thread and used in "
                "another): its connections belong to that loop. Make one client per "
                f"event loop, inside the async function that uses it: "
                f"`async with {self._name}(...) as client:` in main(); {_BLOCKING}"
            )
        if self._state is ClientState.UNOPENED:
            self._state = ClientState.OPENED  # used without `async with`: now it holds connections

    async def __aenter__(self) -> Self:
        self._check_open()
        self._state = ClientState.OPENED
        return self

    if not TYPE_CHECKING:  # type checkers keep reporting `with` as an error

        def __enter__(self):
            name = self._name
            raise TypeError(
                f"{name} is an async client: write `async with {name}(...) as client:` "
                f"inside an async function (and `await` its methods); {_BLOCKING}"
            )

        def __exit__(self, *exc_info):  # pragma: no cover - __enter__ always raises
            return None

    def __del__(self) -> None:
        # Like an unclosed file: a client that held connections and was never
        # closed says so (never a client created and not used, nor one closed).
        if getattr(self, "_state", None) is ClientState.OPENED:
            url = redact_url(getattr(self, "api_url", ""))
            warnings.warn(
                f"unclosed {self._name} client for {url}: use it as "
                f"`async with {self._name}(...) as client:` or call `await client.aclose()`",
                ResourceWarning,
                stacklevel=2,
                source=self,
            )

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _before_close(self) -> None:
        """Work to do before the connections close (the classic client logs out)."""

    async def aclose(self) -> None:
        """Close the connections; a second call does nothing."""
        if self._state is ClientState.CLOSED:
            return
        self._state = ClientState.CLOSED
        try:
            await self._before_close()
        finally:
            await self._sender.aclose()

    # -- the request method ------------------------------------------------------------

    async def request(self, call: Call, *, authenticate: bool = True) -> Any:
        """Send one API call and return its decoded answer (the ``data`` of a
        classic answer, the JSON of a Planning one).

        The call goes through everything the client's own methods go through:
        the concurrency limiter, authentication (``authenticate=False`` sends
        none: logins), URI planning under ``max_uri_bytes``, the retry policy
        (only for ``call.idempotent`` calls) within its deadline, and the error
        tree. Batches, exports, event subscriptions and the Planning resources
        send through it; use it for an endpoint the client has no method for::

            from workfront_async import Call

            data = await wf.request(Call("GET", "task/search", (("status", "INP"),)))
        """
        self._check_open()
        with self._sender.observer.operation(call):
            return await self._sender.call(call, authenticate=authenticate)

    def usage(self) -> Usage:
        """What this client has used of the API so far: calls, HTTP requests,
        answers of 429, retries, time waiting for a limiter slot, bytes sent
        and received (see :class:`~workfront_async.Usage`). Kept with or
        without OpenTelemetry; docs/observability.md."""
        return self._sender.observer.usage.snapshot()
