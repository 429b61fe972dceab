"""Pure request planning and response parsing for the classic API. No I/O.

- ``Call`` describes one API call (verb, path, parameters) independent of
  authentication and transport.
- ``plan_http`` turns a call plus the auth parameters into the exact HTTP
  request, switching to ``POST`` with a form-encoded body (and ``method=``)
  when the URI would be longer than the limit (API-NOTES §1 "Verbs",
  "Limits").
- ``parse_classic`` decodes a response with orjson, unwraps ``{"data": ...}``
  and turns ``{"error": ...}`` into the right ``APIError`` whatever the HTTP
  status (API-NOTES §1 "Responses").
"""

from __future__ import annotations

import email.utils
import gc
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final
from urllib.parse import quote, urlencode

import attrs
import orjson

from ._exceptions import (
    REDACTED,
    SECRET_NAMES,
    QueryError,
    ResponseError,
    error_for_status,
    redact_text,
    redact_url,
)
from ._paging import check_field_path
from .query import Expr, compile_classic

__all__ = [
    "FORM_CONTENT_TYPE",
    "Call",
    "HttpPlan",
    "Params",
    "Where",
    "chunk_ids",
    "encode_json",
    "encode_value",
    "field_params",
    "parse_classic",
    "parse_retry_after",
    "plan_http",
    "query_string",
    "updates_json",
    "where_params",
]

FORM_CONTENT_TYPE: Final = "application/x-www-form-urlencoded"

Params = tuple[tuple[str, str], ...]

Where = Expr | Mapping[str, Any] | Sequence[tuple[str, Any]] | None
"""A filter: a ``Q`` expression, a mapping of parameter names to a value or a
list of values, or ``(name, value)`` pairs sent as given."""


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


def field_params(fields: str | Iterable[str]) -> list[tuple[str, str]]:
    """The ``fields=`` parameter for ``fields`` (a string or names), each path
    checked before anything is sent."""
    names = [fields] if isinstance(fields, str) else list(fields)
    for spec in names:
        for name in str(spec).split(","):
            check_field_path(name.strip(), "fields=")
    return [("fields", ",".join(names))] if names else []


def updates_json(data: object, what: str) -> str:
    """The JSON of an ``updates=`` parameter; ``data`` must be a mapping."""
    if not isinstance(data, Mapping):
        raise QueryError(
            f"{what} takes a mapping of field names to values, not {type(data).__name__}"
        )
    return encode_json(dict(data))


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
    (API-NOTES §1 "Verbs": any verb can be sent as another with ``method=``).
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


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def encode_json(value: Any) -> str:
    """JSON text for an ``updates=``/``options=`` parameter (orjson; datetimes as ISO 8601).

    Text with a NUL character is refused: Workfront does not document how it
    stores one, and a value that comes back cut or changed would break the
    promise that a record written with a value is found by that value.
    """
    try:
        text = orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError as exc:
        raise QueryError(f"cannot encode {type(value).__name__} value as JSON: {exc}") from exc
    if "\\u0000" in text and _has_nul(value):
        raise QueryError(
            "a value contains a NUL character (\\x00), which the client refuses; remove it"
        )
    return text


def encode_value(value: Any) -> str:
    """A parameter value as text: strings as-is, booleans ``true``/``false``,
    numbers with ``str``, anything else as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return encode_json(value)


def _check_raw_name(name: str) -> None:
    if name.upper() in ("$$FIRST", "$$LIMIT"):
        raise QueryError(
            f"where= must not set {name}: paging is the client's job (API-NOTES §1 Search "
            "Paging); use limit= for the number of rows and page_size= (at most 2000) "
            "for the rows per request"
        )


def where_params(where: Where) -> list[tuple[str, str]]:
    """Filter parameters for ``where``: ``None``, a query expression (compiled
    with ``compile_classic``), a mapping of name to value or list of values (a
    list repeats the parameter, API-NOTES §1 Search "in"), or a sequence of
    ``(name, value)`` pairs sent as given."""
    if where is None:
        return []
    if isinstance(where, Mapping):
        out: list[tuple[str, str]] = []
        for name, value in where.items():
            if not isinstance(name, str):
                raise QueryError(f"filter parameter names must be strings, not {name!r}")
            _check_raw_name(name)
            if isinstance(value, (list, tuple)):
                if not value:
                    # no parameter at all would drop the filter and match everything
                    raise QueryError(
                        f"where={{{name!r}: []}}: an empty list of values matches nothing "
                        "and would be sent as no filter at all; skip the search instead"
                    )
                out.extend((name, encode_value(v)) for v in value)
            else:
                out.append((name, encode_value(value)))
        return out
    if isinstance(where, (list, tuple)):
        pairs: list[tuple[str, str]] = []
        for item in where:
            if not (isinstance(item, tuple | list) and len(item) == 2 and isinstance(item[0], str)):
                raise QueryError(
                    f"where= as a sequence must hold (name, value) pairs; got {item!r}. "
                    "Use a Q expression, a mapping or a list of pairs."
                )
            _check_raw_name(item[0])
            pairs.append((item[0], encode_value(item[1])))
        return pairs
    if isinstance(where, (str, bytes)):
        raise QueryError(
            f"where= does not take a string ({where!r}); use a Q expression "
            "(Q.status == 'CUR'), a mapping ({'status': 'CUR'}) or (name, value) pairs"
        )
    if not isinstance(where, Expr):
        raise QueryError(
            f"where= takes a Q expression, a mapping or (name, value) pairs, not "
            f"{type(where).__name__}"
        )
    return [(str(n), str(v)) for n, v in compile_classic(where)]


def chunk_ids(
    ids: Sequence[str], *, fixed_bytes: int, max_uri_bytes: int, max_per_chunk: int = 2000
) -> list[list[str]]:
    """Split IDs into ``id=a,b,c`` lists whose URI fits: ``fixed_bytes`` is the
    length of the URI with an empty ``id=`` value (API-NOTES §1 "Get by ID")."""
    budget = max_uri_bytes - fixed_bytes
    chunks: list[list[str]] = []
    current: list[str] = []
    used = 0
    sep = len(quote(",", safe=""))
    for id_ in ids:
        size = len(urlencode([("", id_)])) - 1
        extra = size + (sep if current else 0)
        if size > budget:
            raise QueryError(f"the ID {id_[:40]!r}... does not fit in a URI of {max_uri_bytes}")
        if current and (used + extra > budget or len(current) >= max_per_chunk):
            chunks.append(current)
            current, used, extra = [], 0, size
        current.append(id_)
        used += extra
    if current:
        chunks.append(current)
    return chunks


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


def loads_page(content: bytes) -> Any:
    """``orjson.loads``, with the cyclic garbage collector paused for a large body.

    A 2000-row page allocates thousands of dicts and lists; each few hundred
    allocations start a collection that walks the young objects (and, now and
    then, every live one, such as the pages an export holds in its window),
    and none can free anything: decoded JSON holds no cycles. Pausing it for
    the decode cut an export's CPU per row by a fifth to a quarter over real
    HTTP (2000-row pages of ~420 bytes); a collector already disabled stays so.
    """
    if len(content) < LARGE_BODY or not gc.isenabled():
        return orjson.loads(content)
    gc.disable()
    try:
        return orjson.loads(content)
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
