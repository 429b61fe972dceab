"""Redaction of what the emulator prints about a failed event delivery: secret
parameters, bearer tokens, cookies and the userinfo of URLs never reach its
log lines. The emulator's own helpers (it imports nothing of a client)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["REDACTED", "redact_text", "redact_url"]

REDACTED = "[REDACTED]"
# Parameter and header names whose values are secrets (compared lower-cased).
SECRET_NAMES = frozenset(
    {
        "apikey",
        "sessionid",
        "password",
        "token",
        "access_token",
        "refresh_token",
        "client_secret",
        "authorization",
        "x-api-key",
    }
)
_NAMES = "|".join(re.escape(n) for n in sorted(SECRET_NAMES, key=len, reverse=True))
_SECRET_PAIR = re.compile(
    r"(?P<name>(?:" + _NAMES + r"))(?P<sep>\s*(?:=|:|%3A|%3D)\s*[\"']?)[^&\s\"',})]+",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
_COOKIE = re.compile(r"(?i)((?:set-)?cookie['\"]?\s*[:,]\s*b?['\"]?)[^'\"\r\n]+")
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@?#]+@")


def redact_text(text: str) -> str:
    """``text`` with secret ``name=value`` pairs, bearer tokens, cookies and URL
    userinfo replaced."""
    out = _SECRET_PAIR.sub(lambda m: m.group("name") + m.group("sep") + REDACTED, text)
    out = _BEARER.sub(lambda m: m.group(1) + REDACTED, out)
    out = _COOKIE.sub(lambda m: m.group(1) + REDACTED, out)
    return _USERINFO.sub(lambda m: m.group(1), out)


def redact_url(url: str) -> str:
    """``url`` without its userinfo and with the values of secret parameters replaced."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    if "@" in parts.netloc:
        parts = parts._replace(netloc=parts.netloc.rpartition("@")[2])
    if parts.query:
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        cleaned = [(k, REDACTED if k.lower() in SECRET_NAMES else v) for k, v in pairs]
        parts = parts._replace(query=urlencode(cleaned, safe=":$[]"))
    return redact_text(urlunsplit(parts))
