"""An opaque holder for credentials.

``Secret`` keeps an API key, password or token out of everything that shows a
value: ``repr``, ``str``, f-strings, logging, and the locals a traceback
captures (Sentry, rich, ``pytest --showlocals``, ``traceback`` with
``capture_locals=True``). The value comes out only through ``reveal()``.

Every live ``Secret`` is also registered, so that ``redact_text`` (error
messages, the HTTP libraries' log lines) scrubs it in any encoding even when
the text does not look like ``name=value``.
"""

from __future__ import annotations

import hmac
import re
import threading
import weakref
from collections.abc import Iterator
from typing import Any, NoReturn
from urllib.parse import quote, quote_plus

__all__ = ["REDACTED", "Secret", "encodings", "live_secrets", "masked"]

REDACTED = "[REDACTED]"

# Shorter values would redact ordinary words ("a", "id"); such values are not
# credentials anyway.
MIN_SECRET_LENGTH = 4
# Every live Secret is scrubbed from all text the library shows, so a short one
# ("admin") would also cut ordinary words; those are still scrubbed wherever the
# transport knows they were sent.
MIN_REGISTERED_LENGTH = 8


class _Masked(str):
    """A ``str`` whose ``repr`` is redacted.

    The transport and the request planner need plain strings (they encode
    and compare them); a ``_Masked`` still is one, but a tuple of them, a
    ``Call`` holding one or a traceback's locals show ``'[REDACTED]'``.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(REDACTED)

    def __reduce__(self) -> NoReturn:
        raise TypeError("a secret value cannot be pickled")


def masked(value: str) -> str:
    """``value`` as a string whose ``repr`` is redacted (see ``_Masked``)."""
    return value if isinstance(value, _Masked) else _Masked(value)


_HEX = re.compile(r"%[0-9A-F]{2}")
_LOCK = threading.Lock()
_LIVE: weakref.WeakSet[Secret] = weakref.WeakSet()


class Secret:
    """A credential that never shows itself. ``reveal()`` returns the value.

    Two secrets compare equal when their values do (in constant time); a
    secret never equals a plain string, so ``secret == "..."`` cannot be
    written by mistake where ``secret.reveal() == "..."`` was meant.
    """

    __slots__ = ("__weakref__", "_value")

    def __init__(self, value: str | Secret) -> None:
        if isinstance(value, Secret):
            value = value.reveal()
        if not isinstance(value, str):
            raise TypeError(f"a Secret holds a str, not {type(value).__name__}")
        self._value = masked(value)
        if len(value) >= MIN_REGISTERED_LENGTH:
            with _LOCK:
                _LIVE.add(self)

    def reveal(self) -> str:
        """The secret value (as a ``str`` whose ``repr`` stays redacted)."""
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __len__(self) -> int:
        return len(self._value)

    def __repr__(self) -> str:
        return f"Secret({REDACTED!r})"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return format(REDACTED, spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, len(self._value)))

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled; store the credential elsewhere")

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self


def live_secrets() -> tuple[str, ...]:
    """The values of every ``Secret`` alive in this process."""
    with _LOCK:
        return tuple(s.reveal() for s in list(_LIVE))


def encodings(value: str) -> Iterator[str]:
    """``value`` as it can appear in text: raw, percent-encoded (``quote`` with
    and without ``/`` kept, ``quote_plus``), in upper- and lower-case hex, and
    JSON-escaped. Longest first, so a longer form is replaced before a part of it."""
    forms = {
        value,
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        quote_plus(value, safe="/"),
        value.replace("\\", "\\\\").replace('"', '\\"'),
    }
    lowered = set()
    for form in forms:
        if "%" in form:
            lowered.add(_lower_hex(form))
    forms |= lowered
    yield from sorted((f for f in forms if f), key=len, reverse=True)


def _lower_hex(text: str) -> str:
    return _HEX.sub(lambda m: m.group(0).lower(), text)
