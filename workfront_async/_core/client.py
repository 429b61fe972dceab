"""The client lifecycle and the one request method, written once for the
classic (``Workfront``) and the Planning clients (``Planning``, ``PlanningV2``).

A client is created unopened, opened by ``async with`` and closed by
``aclose()``; a closed client refuses to reopen and refuses every request
(httpx's ``ClientState``). Each client sends through one ``Sender``; what
lies above it (batches, exports, event subscriptions, Planning resources)
sends through :meth:`ClientBase.request`, the one documented request method
(elasticsearch-py's ``perform_request``), never through the sender itself.
"""

from __future__ import annotations

import enum
from typing import Any, ClassVar, Self

import anyio
import httpx

from .._nodes import HttpNode
from .auth import Auth
from .exceptions import QueryError
from .limiter import Limiter
from .request import Call
from .retry import Retry
from .transport import ResponseParser, Sender, make_node
from .usage import Usage

__all__ = ["ClientBase", "ClientState", "make_limiter"]


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


class ClientBase:
    """What every client of this library shares: its state, its sender and ``request``."""

    _name: ClassVar[str] = "Workfront"
    _sender: Sender
    _state: ClientState

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
    ) -> None:
        """Build the sender (the limiter, retries, the HTTP node) and start unopened."""
        limiter = make_limiter(limiter, max_concurrency)
        extra: dict[str, Any] = {} if parse is None else {"parse": parse}
        self._sender = Sender(
            api_url,
            auth=auth,
            limiter=limiter,
            adaptive=adaptive,
            retry=retry if retry is not None else Retry(),
            max_uri_bytes=max_uri_bytes,
            node=make_node(
                http, transport=transport, timeout=timeout, pool_size=limiter.total_tokens
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

    async def __aenter__(self) -> Self:
        self._check_open()
        self._state = ClientState.OPENED
        return self

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
