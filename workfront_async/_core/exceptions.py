"""The one error tree of workfront_async.

    WorkfrontError
    ├── QueryError (also ValueError)         a query or call that cannot be sent
    ├── TransportError                       the request did not get an answer
    │   └── RequestTimeout (also TimeoutError)
    ├── ResponseError                        an answer that is not usable JSON
    ├── PaginationError                      a page that made no progress
    ├── BulkError                            some items of a bulk call failed
    ├── EventError (also ValueError)         a delivered event that is not well-formed
    └── APIError                             Workfront answered with an error
        ├── InvalidRequestError   400, 422
        ├── AuthenticationError   401
        ├── PermissionDeniedError 403
        ├── NotFoundError         404
        ├── URITooLongError       414
        ├── RateLimitError        429
        └── ServerError           5xx

Every message, ``repr`` and attribute here is built from redacted URLs and
never carries an API key, session ID, password or token.
"""

from __future__ import annotations

import builtins
import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from .secret import MIN_SECRET_LENGTH, encodings, live_secrets
from .secret import REDACTED as REDACTED

__all__ = [
    "APIError",
    "AuthenticationError",
    "BulkError",
    "EventError",
    "InvalidRequestError",
    "NotFoundError",
    "PaginationError",
    "PermissionDeniedError",
    "QueryError",
    "RateLimitError",
    "RequestTimeout",
    "ResponseError",
    "ServerError",
    "TransportError",
    "URITooLongError",
    "WorkfrontError",
    "error_for_status",
    "redact_text",
    "redact_url",
    "redact_value",
    "redacting",
]

# Parameter and header names whose values are secrets. Compared lower-cased.
SECRET_NAMES = frozenset(
    {
        "apikey",
        "sessionid",
        "password",
        "oldpassword",
        "newpassword",
        "token",
        "access_token",
        "refresh_token",
        "id_token",
        "client_secret",
        "jwt_token",
        "code",
        "authtoken",
        "authorization",
        "x-api-key",
    }
)
# Where a secret value ends in text: ``&``, whitespace, a quote, ``,``, ``}``,
# ``)`` (error messages put the URL in parentheses) or one of those characters
# percent-encoded. Any other ``%`` belongs to the value: keys may contain
# ``/ + = %``, which URLs carry as ``%2F %2B %3D %25``.
_VALUE = r"(?:%(?!22|2[67cC]|29|7[dD])|[^&\s\"',})%])+"
_NAMES = "|".join(re.escape(n) for n in sorted(SECRET_NAMES, key=len, reverse=True))
_SECRET_PAIR = re.compile(
    r"(?P<name>(?:%22|%27|\"|')?(?:" + _NAMES + r")(?:%22|%27|\"|')?)"
    r"(?P<sep>\s*(?:=|:|%3A|%3D)\s*(?:%22|%27|\"|')?)(?P<value>" + _VALUE + ")",
    re.IGNORECASE,
)
# A header as httpcore logs it: ``(b'apiKey', b'...')``.
_HEADER_TUPLE = re.compile(r"(?i)(\(b?['\"](?:" + _NAMES + r")['\"],\s*b?['\"])[^'\"]*(['\"]\))")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
# Cookie headers as httpcore logs them (``(b'set-cookie', b'attask=...')``) or
# as text (``Set-Cookie: attask=...``): every cookie may be a session.
_COOKIE = re.compile(r"(?i)((?:set-)?cookie['\"]?\s*[:,]\s*b?['\"]?)[^'\"\r\n]+")
# ``scheme://user:password@host``: the userinfo of any URL in text.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#]+@")


def _strip_userinfo(parts: SplitResult) -> SplitResult:
    if "@" not in parts.netloc:
        return parts
    return parts._replace(netloc=parts.netloc.rpartition("@")[2])


def redact_url(url: object) -> str:
    """Return ``url`` as text with the userinfo (``user:password@``) removed
    and the values of secret query parameters replaced."""
    text = str(url)
    try:
        parts = _strip_userinfo(urlsplit(text))
    except ValueError:
        return redact_text(text)
    if not parts.query:
        return redact_text(urlunsplit(parts))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    cleaned = [(k, REDACTED if k.lower() in SECRET_NAMES else v) for k, v in pairs]
    return redact_text(urlunsplit(parts._replace(query=urlencode(cleaned, safe=":$[]"))))


# The secrets of the call whose answer is being parsed (see ``redacting``).
_CALL_SECRETS: ContextVar[tuple[str, ...]] = ContextVar("call_secrets", default=())


@contextlib.contextmanager
def redacting(secrets: Iterable[str]) -> Iterator[None]:
    """Within the block, ``redact_text`` (so every error built there, its
    ``detail`` included) also redacts ``secrets``: the sender wraps the
    parsing of an answer in it with the credentials that call sent, which may
    be too short to be registered as live ``Secret``s, or may be a plain string."""
    token = _CALL_SECRETS.set(tuple(secrets))
    try:
        yield
    finally:
        _CALL_SECRETS.reset(token)


def redact_text(text: str, secrets: Sequence[str] = ()) -> str:
    """Replace, in free text: the values of ``name=value`` pairs with secret
    names (raw, percent- or form-encoded), bearer tokens, cookies, the
    userinfo of URLs, and every given, current call's (``redacting``) or live
    ``Secret`` in any encoding."""
    out = text
    # Longest first: a shorter secret inside a longer one must not cut it
    # first and leave the rest of the longer one to be read.
    every = {*secrets, *_CALL_SECRETS.get(), *live_secrets()}
    for secret in sorted(every, key=len, reverse=True):
        if secret and len(secret) >= MIN_SECRET_LENGTH:
            for form in encodings(str(secret)):
                if len(form) >= MIN_SECRET_LENGTH:
                    out = out.replace(form, REDACTED)
    out = _SECRET_PAIR.sub(lambda m: m.group("name") + m.group("sep") + REDACTED, out)
    out = _HEADER_TUPLE.sub(lambda m: m.group(1) + REDACTED + m.group(2), out)
    out = _BEARER.sub(lambda m: m.group(1) + REDACTED, out)
    out = _COOKIE.sub(lambda m: m.group(1) + REDACTED, out)
    return _USERINFO.sub(lambda m: m.group(1), out)


# Keys of decoded JSON whose values are secrets: in an error object ``code`` is
# the error's code (Planning's ``"code": "NOT_FOUND"``), not an OAuth code.
_SECRET_KEYS = SECRET_NAMES - {"code"}


def redact_value(value: Any, secrets: Sequence[str] = ()) -> Any:
    """A copy of decoded JSON (an error's ``detail``) with every string, key
    and value alike, redacted as ``redact_text`` does, and the value under a
    secret-named key (``apiKey``, ``password``...) replaced whatever it is.
    Lists and tuples become lists, mappings dicts; numbers and the like stay."""
    if isinstance(value, str):
        return redact_text(value, secrets)
    if isinstance(value, Mapping):
        out: dict[Any, Any] = {}
        for key, item in value.items():
            name = redact_text(key, secrets) if isinstance(key, str) else key
            secret = isinstance(key, str) and key.lower() in _SECRET_KEYS
            out[name] = REDACTED if secret and item is not None else redact_value(item, secrets)
        return out
    if isinstance(value, (list, tuple)):
        return [redact_value(item, secrets) for item in value]
    return value


class WorkfrontError(Exception):
    """Base class of every error raised by workfront_async."""


class QueryError(WorkfrontError, ValueError):
    """A query, filter or call that cannot be expressed or sent.

    Raised at build time, before any request goes out.
    """


class TransportError(WorkfrontError):
    """The request did not get an HTTP answer (connection refused or dropped,
    protocol error). Wraps the underlying ``httpx`` exception as ``__cause__``."""

    retryable = True

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        self.method = method
        self.url = redact_url(url) if url else ""
        where = f" ({method} {self.url})" if method else ""
        super().__init__(redact_text(message) + where)


class RequestTimeout(TransportError, builtins.TimeoutError):
    """The request (or the retry deadline) timed out."""


class ResponseError(WorkfrontError):
    """Workfront answered with something that is not the JSON it promises,
    for example a truncated body."""

    retryable = True

    def __init__(
        self, message: str, *, status: int = 0, method: str = "", url: str = "", body: bytes = b""
    ) -> None:
        self.status = status
        self.method = method
        self.url = redact_url(url) if url else ""
        self.body_start = redact_text(body[:200].decode("utf-8", "replace"))
        where = f" ({method} {self.url}, HTTP {status})" if method else ""
        super().__init__(f"{redact_text(message)}{where}; body starts: {self.body_start!r}")


class PaginationError(WorkfrontError):
    """A page came back that made no progress; continuing would loop or lose rows."""


class BulkError(WorkfrontError):
    """Some items of a non-atomic bulk call failed.

    ``succeeded`` holds the results of the items that went through, keyed by
    their position in the input; ``failed`` the error of each failed item (or
    chunk), keyed the same way.
    """

    def __init__(
        self, message: str, *, succeeded: Mapping[int, Any], failed: Mapping[int, BaseException]
    ) -> None:
        self.succeeded = dict(succeeded)
        self.failed = dict(failed)
        super().__init__(f"{message}: {len(self.failed)} failed, {len(self.succeeded)} succeeded")


class EventError(WorkfrontError, ValueError):
    """A delivered event subscription message that is not well-formed."""


class APIError(WorkfrontError):
    """Workfront answered with an error (``{"error": ...}``), whatever the HTTP status.

    Attributes: ``status`` (HTTP status), ``error_class`` (Workfront's Java
    class name, may be empty), ``message``, ``method``, ``url`` (redacted),
    ``retryable`` and ``detail`` (the rest of the error object, redacted like
    the message: a server that echoes a credential in ``title`` or
    ``attributes`` does not put it in the error).
    """

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int,
        error_class: str = "",
        method: str = "",
        url: str = "",
        detail: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.status = status
        self.error_class = error_class
        self.message = redact_text(message)
        self.method = method
        self.url = redact_url(url) if url else ""
        self.detail: dict[str, Any] = redact_value(dict(detail or {}))
        self.retry_after = retry_after
        cls = f" [{error_class}]" if error_class else ""
        where = f" ({method} {self.url})" if method else ""
        super().__init__(f"HTTP {status}{cls}: {self.message}{where}")

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status}, error_class={self.error_class!r}, "
            f"message={self.message!r}, method={self.method!r}, url={self.url!r})"
        )


class InvalidRequestError(APIError):
    """400 or 422: Workfront refused the request as invalid."""


class AuthenticationError(APIError):
    """401: missing, wrong or expired credentials."""


class PermissionDeniedError(APIError):
    """403: the user may not do this."""


class NotFoundError(APIError):
    """404: no such object, type or endpoint."""


class URITooLongError(APIError):
    """414: the URI was longer than the CDN allows."""


class RateLimitError(APIError):
    """429: too many concurrent API requests for this tenant."""

    retryable = True


class ServerError(APIError):
    """5xx: Workfront failed. 502, 503 and 504 are retryable."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retryable = self.status in (502, 503, 504)


_BY_STATUS: dict[int, type[APIError]] = {
    400: InvalidRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    414: URITooLongError,
    422: InvalidRequestError,
    429: RateLimitError,
}

_BY_CLASS_HINT: tuple[tuple[str, type[APIError]], ...] = (
    ("AuthenticationException", AuthenticationError),
    ("SessionExpired", AuthenticationError),
    ("InsufficientPermission", PermissionDeniedError),
    ("SecurityException", PermissionDeniedError),
    ("NotFound", NotFoundError),
    ("NoSuchObject", NotFoundError),
    ("IllegalArgument", InvalidRequestError),
    ("Validation", InvalidRequestError),
    ("Violation", InvalidRequestError),
)


def error_for_status(status: int, error_class: str = "", message: str = "") -> type[APIError]:
    """Pick the ``APIError`` subclass for an HTTP status (and, for errors sent
    with HTTP 200, Workfront's error class or message)."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    hint = f"{error_class} {message}"
    for needle, cls in _BY_CLASS_HINT:
        if needle.lower() in hint.lower():
            return cls
    if "too many concurrent" in message.lower():
        return RateLimitError
    return APIError
