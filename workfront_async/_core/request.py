"""The request model shared by both APIs: pure request planning and response parsing. No I/O.

- ``Call`` describes one API call (verb, path, parameters) independent of
  authentication and transport.
- ``plan_http`` turns a call plus the auth parameters into the exact HTTP
  request, switching to ``POST`` with a form-encoded body (and ``method=``)
  when the URI would be longer than the limit (docs/api-notes.md §1 "Verbs",
  "Limits").
- ``parse_classic`` decodes a response with orjson, unwraps ``{"data": ...}``
  and turns ``{"error": ...}`` into the right ``APIError`` whatever the HTTP
  status (docs/api-notes.md §1 "Responses").
"""

from __future__ import annotations

import email.utils
import gc
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Final, TypeVar
from urllib.parse import quote, urlencode

import attrs
import orjson

from .exceptions import (
    REDACTED,
    SECRET_NAMES,
    QueryError,
    ResponseError,
    error_for_status,
    redact_text,
    redact_url,
)

__all__ = [
    "FORM_CONTENT_TYPE",
    "LARGE_BODY",
    "Call",
    "HttpPlan",
    "Params",
    "decode_page",
    "loads_page",
    "parse_classic",
    "parse_retry_after",
    "plan_http",
    "query_string",
]

FORM_CONTENT_TYPE: Final = "application/x-www-form-urlencoded"

Params = tuple[tuple[str, str], ...]


def _redacted_params(params: Params) -> Params:
    """``params`` with the values of secret names (``password``, ``apiKey``...) hidden."""
    return tuple((k, REDACTED if k.lower() in SECRET_NAMES else v) for k, v in params)


@attrs.frozen(slots=True)
class Call:
    """One API call before authentication: verb, path below the API root, parameters.

    ``idempotent`` decides whether the retry policy may repeat it;
    ``params_in_body`` forces the parameters into a form body (used for
    passwords, which must never be in a URI). ``json`` is a JSON body (Planning
    API); ``files`` a multipart upload. ``root`` replaces the sender's base URL
    for endpoints outside the API root (event subscriptions); ``parse``
    replaces the sender's response parser for this call (it receives the
    response headers, e.g. to read ``Location``).
    """

    method: str
    path: str
    params: Params = attrs.field(default=(), repr=lambda ps: repr(_redacted_params(ps)))
    idempotent: bool = True
    params_in_body: bool = False
    json: bytes | None = None
    files: Mapping[str, tuple[str, bytes, str]] | None = None
    root: str | None = None
    parse: Any = attrs.field(default=None, eq=False)


@attrs.frozen(slots=True)
class HttpPlan:
    """The exact HTTP request to send."""

    method: str
    url: str = attrs.field(repr=lambda u: repr(redact_url(u)))
    headers: tuple[tuple[str, str], ...] = attrs.field(default=(), repr=False)
    content: bytes | None = attrs.field(
        default=None, repr=lambda c: "None" if c is None else f"<{len(c)} bytes>"
    )
    overridden: bool = False  # sent as POST with ``method=`` in the body


def query_string(params: Iterable[tuple[str, str]]) -> str:
    """Form/URL-encode parameters the way httpx does (``quote_plus``)."""
    return urlencode(list(params))


def _join(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + "/" + path.lstrip("/") if path else base_url


def plan_http(
    call: Call,
    base_url: str,
    *,
    auth_params: Sequence[tuple[str, str]] = (),
    max_uri_bytes: int = 8892,
) -> HttpPlan:
    """Plan the HTTP request for ``call`` so that its URI is at most ``max_uri_bytes``.

    Parameters go in the query string; if that would make the URI too long (or
    the call asks for it), the request becomes ``POST`` with every parameter,
    the auth parameters and ``method=<original verb>`` in a form-encoded body
    (docs/api-notes.md §1 "Verbs": any verb can be sent as another with ``method=``).
    """
    url = _join(call.root or base_url, path=quote(call.path, safe="/:$@!*'()~,;=+"))
    if len(url.encode()) > max_uri_bytes:
        raise QueryError(
            f"the path of {call.method} {call.path[:80]!r}... alone is longer than the "
            f"URI limit of {max_uri_bytes} bytes"
        )
    params = [*call.params, *auth_params]
    headers: list[tuple[str, str]] = []
    if call.json is not None or call.files is not None:
        query = query_string(params)
        full = f"{url}?{query}" if query else url
        if len(full.encode()) > max_uri_bytes:
            raise QueryError(
                f"{call.method} {call.path}: query parameters make the URI "
                f"{len(full.encode())} bytes, over the limit of {max_uri_bytes}; "
                "send fewer parameters"
            )
        if call.json is not None:
            headers.append(("Content-Type", "application/json"))
        return HttpPlan(call.method, full, tuple(headers), call.json)
    query = query_string(params)
    full = f"{url}?{query}" if query else url
    if not call.params_in_body and len(full.encode()) <= max_uri_bytes:
        return HttpPlan(call.method, full)
    body_params = list(params)
    if not any(name == "method" for name, _ in body_params) and call.method != "POST":
        body_params.append(("method", call.method))
    headers.append(("Content-Type", FORM_CONTENT_TYPE))
    return HttpPlan(
        "POST", url, tuple(headers), query_string(body_params).encode(), overridden=True
    )


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - (time.time() if now is None else now))


def _error_parts(error: Any) -> tuple[str, str, dict[str, Any]]:
    if isinstance(error, Mapping):
        message = error.get("message") or error.get("title") or error.get("msgKey") or ""
        error_class = error.get("class") or ""
        detail = {k: v for k, v in error.items() if k not in ("message", "class")}
        return str(message), str(error_class), detail
    return str(error), "", {}


LARGE_BODY: Final = 64 * 1024
T = TypeVar("T")


def loads_page(content: bytes) -> Any:
    """``orjson.loads`` of a page (see :func:`decode_page`)."""
    return decode_page(orjson.loads, content)


def decode_page(decode: Callable[[bytes], T], content: bytes) -> T:
    """``decode(content)``, with the cyclic garbage collector paused for a large body.

    A 2000-row page allocates thousands of dicts and lists; each few hundred
    allocations start a collection that walks the young objects (and, now and
    then, every live one, such as the pages an export holds in its window),
    and none can free anything: decoded JSON holds no cycles. Pausing it for
    the decode cut an export's CPU per row by a fifth to a quarter over real
    HTTP (2000-row pages of ~420 bytes); a collector already disabled stays so.
    """
    if len(content) < LARGE_BODY or not gc.isenabled():
        return decode(content)
    gc.disable()
    try:
        return decode(content)
    finally:
        gc.enable()


def parse_classic(
    status: int,
    content: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    method: str = "",
    url: str = "",
    secrets: Sequence[str] = (),
) -> Any:
    """Decode a classic-API response and return its ``data`` (or raise).

    - ``{"error": ...}`` raises the ``APIError`` subclass for the status (or,
      for an error sent with HTTP 200, for Workfront's error class), whatever
      the status;
    - a body that is not JSON raises ``ResponseError`` showing the start of
      the body (an ``APIError`` if the status itself is an error);
    - ``{"data": ...}`` returns the data; any other JSON (``{"count": 3}``,
      ``{"handle": ...}``) is returned as is.
    """
    headers = headers or {}
    retry_after = parse_retry_after(headers.get("retry-after"))
    try:
        body = loads_page(content) if content else None
    except orjson.JSONDecodeError:
        start = redact_text(content[:200].decode("utf-8", "replace"), secrets)
        if status >= 400:
            cls = error_for_status(status)
            raise cls(
                f"non-JSON error body: {start!r}",
                status=status,
                method=method,
                url=url,
                retry_after=retry_after,
            ) from None
        raise ResponseError(
            "response is not valid JSON (truncated or not JSON)",
            status=status,
            method=method,
            url=url,
            body=redact_text(content[:200].decode("utf-8", "replace"), secrets).encode(),
        ) from None
    if isinstance(body, dict) and "error" in body:
        message, error_class, detail = _error_parts(body["error"])
        cls = error_for_status(status, error_class, message)
        raise cls(
            redact_text(message, secrets),
            status=status,
            error_class=error_class,
            method=method,
            url=url,
            detail=detail,
            retry_after=retry_after,
        )
    if status >= 400:
        cls = error_for_status(status)
        text = redact_text(content[:200].decode("utf-8", "replace"), secrets)
        raise cls(
            f"unexpected error body: {text}",
            status=status,
            method=method,
            url=url,
            retry_after=retry_after,
        )
    if body is None:
        raise ResponseError("empty response body", status=status, method=method, url=url)
    if isinstance(body, dict) and "data" in body:
        return body["data"]
    return body
