"""The request and reply of the embedded Workfront, and routing by table.

Synchronous and free of network I/O. The host (``Emulator``) turns the bytes
of an HTTP request into a ``Request``, hands it to the wing whose mount
matches its path, and writes the ``Reply`` back. Inside a wing a ``Router``
walks a table of ``Route`` rows (method + path pattern -> handler, moto's
``urls.py``) and calls the handler of the first row that matches.

Every handler has the one signature ``handler(call) -> Reply``: ``call`` is
the wing's ``Call`` (the request, the route's path arguments and whatever
the wing parsed before routing, such as the authenticated user).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar
from urllib.parse import parse_qsl, unquote

import attrs

from ._errors import MethodNotAllowed, ServerError

__all__ = [
    "ANY",
    "Call",
    "Handler",
    "Reply",
    "Request",
    "Route",
    "Router",
    "Wing",
    "first",
    "parse_params",
    "parse_request",
]

ANY = "*"  # a route's method key that answers every method


@attrs.frozen
class Request:
    """One HTTP request as the server sees it: the path percent-decoded, the
    query (and a form-encoded body) as ordered pairs, header names lower-cased.
    ``raw_path`` is the path as sent, still percent-encoded: a wing that routes
    on it decodes each path argument after the match, so an encoded ``/`` or
    ``?`` stays inside its segment (RFC 3986 2.2)."""

    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]
    body: bytes = b""
    content_type: str = ""
    # the server's Request-URI limit, applied to each request inside a batch too
    max_uri_bytes: int | None = None
    raw_path: str = ""


@attrs.frozen
class Reply:
    """One answer. ``body`` is the whole JSON document (``None``: no body and no
    content type; ``bytes``: sent as they are, as JSON). ``changes`` lists what
    the request stored, for the host to announce (the classic wing's event
    subscriptions)."""

    status: int
    body: Any
    headers: tuple[tuple[str, str], ...] = ()
    changes: tuple[Any, ...] = ()


def parse_params(query: bytes | str) -> list[tuple[str, str]]:
    text = query.decode("utf-8", "replace") if isinstance(query, bytes) else query
    return parse_qsl(text, keep_blank_values=True)


def first(params: Sequence[tuple[str, str]], name: str) -> str | None:
    """The first value of parameter ``name``, or ``None``."""
    for key, value in params:
        if key == name:
            return value
    return None


def parse_request(
    method: str,
    target: bytes,
    headers: Sequence[tuple[str, str]],
    body: bytes,
    *,
    max_uri_bytes: int | None,
) -> Request:
    """The raw request target, headers and body -> a ``Request``."""
    raw_path, _, raw_query = target.partition(b"?")
    sent_path = raw_path.decode("utf-8", "replace")
    path = unquote(sent_path)
    head = {k.lower(): v for k, v in headers}
    content_type = head.get("content-type", "").strip().lower()
    params = parse_params(raw_query)
    if content_type.startswith("application/x-www-form-urlencoded") and body:
        params += parse_params(body)
    return Request(
        method=method.upper(),
        path=path,
        params=tuple(params),
        headers=head,
        body=body,
        content_type=content_type,
        max_uri_bytes=max_uri_bytes,
        raw_path=sent_path,
    )


@attrs.define
class Call:
    """A request being answered: the ``Request``, the ``method`` the route table
    is read with (a wing may take it from a ``method=`` parameter) and the
    path ``args`` of the matched route. Wings subclass it with what their
    handlers need (the backend, the user)."""

    req: Request
    method: str
    args: dict[str, str] = attrs.field(factory=dict)


C = TypeVar("C", bound=Call)
C_contra = TypeVar("C_contra", bound=Call, contravariant=True)
Handler = Callable[[C], Reply]


class Wing(Protocol):
    """What the host mounts at a path prefix: one request in, one reply out."""

    def handle(self, request: Request) -> Reply: ...


@attrs.frozen
class Route(Generic[C]):
    """One row of a routing table: a path pattern (a regular expression matched
    against the whole path, named groups becoming ``call.args``), the handler
    of each method (``ANY`` for every method), an optional ``when`` test on
    the call, what to say when the method is not listed (``allow``, may name
    ``{path}`` arguments), and ``tag``: what the wing does before the handler
    (authentication, for the classic wing)."""

    pattern: str
    methods: Mapping[str, Handler[C]]
    allow: str = ""
    when: Callable[[C], bool] | None = None
    tag: str = ""
    flags: int = 0
    regex: re.Pattern[str] = attrs.field(init=False)

    @regex.default
    def _compile(self) -> re.Pattern[str]:
        return re.compile(self.pattern, self.flags)


@attrs.frozen
class Router(Generic[C]):
    """Routes a call through a table: the first row whose pattern matches the
    path and whose ``when`` holds decides. A row without the call's method
    answers 405 naming what it allows; no row at all answers ``missing``."""

    routes: tuple[Route[C], ...]
    # run on the matched row before its method is looked up (authentication)
    before: Callable[[Route[C], C], None] | None = None
    # the error of a path no row matches, and of a method a row does not list
    missing: Callable[[C, str], ServerError] | None = None
    not_allowed: Callable[[C, str, str, tuple[str, ...]], ServerError] | None = None
    # the wing routes the path as sent (``Request.raw_path``): each path
    # argument is percent-decoded after the match
    decode_args: bool = False

    def match(self, call: C, path: str) -> Route[C] | None:
        for route in self.routes:
            found = route.regex.fullmatch(path)
            if found is None:
                continue
            call.args = {
                k: unquote(v) if self.decode_args else v
                for k, v in found.groupdict().items()
                if v is not None
            }
            if route.when is not None and not route.when(call):
                continue
            return route
        return None

    def __call__(self, call: C, path: str) -> Reply:
        route = self.match(call, path)
        if route is None:
            if self.missing is not None:
                raise self.missing(call, path)
            raise ServerError(f"no endpoint at {path}", status=404)
        if self.before is not None:
            self.before(route, call)
        handler = route.methods.get(call.method) or route.methods.get(ANY)
        if handler is None:
            methods = tuple(route.methods)
            allowed = route.allow.format(**call.args) or " or ".join(methods)
            if self.not_allowed is not None:
                raise self.not_allowed(call, path, allowed, methods)
            raise MethodNotAllowed(f"method {call.method} is not allowed on {path}; use {allowed}")
        return handler(call)
