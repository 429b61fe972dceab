"""Request parameters of the classic API: filters, fields, ``updates=`` JSON,
ID lists that fit a URI. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

import orjson

from .._core.checks import check_field_path
from .._core.exceptions import QueryError
from ..query import Expr, compile_classic

__all__ = [
    "Where",
    "chunk_ids",
    "encode_json",
    "encode_value",
    "field_params",
    "updates_json",
    "where_params",
]

Where = Expr | Mapping[str, Any] | Sequence[tuple[str, Any]] | None
"""A filter: a ``Q`` expression, a mapping of parameter names to a value or a
list of values, or ``(name, value)`` pairs sent as given."""


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
            f"where= must not set {name}: paging is the client's job (docs/api-notes.md §1 Search "
            "Paging); use limit= for the number of rows and page_size= (at most 2000) "
            "for the rows per request"
        )


def where_params(where: Where) -> list[tuple[str, str]]:
    """Filter parameters for ``where``: ``None``, a query expression (compiled
    with ``compile_classic``), a mapping of name to value or list of values (a
    list repeats the parameter, docs/api-notes.md §1 Search "in"), or a sequence of
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
    length of the URI with an empty ``id=`` value (docs/api-notes.md §1 "Get by ID")."""
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
