"""Pure request building and response parsing for the Planning API. No I/O.

- ``search_body`` builds the JSON body of ``POST /v1/records/search``
  (docs/api-notes.md §3): ``recordTypeId``, ``filters`` (one object, as
  static/v1.json types it and the "V1 vs V2" guide sends it:
  ``{"$and": [...]}``), ``sorting``, ``offset``, ``limit``.
- ``parse_planning`` decodes an answer and maps errors into the one error
  tree (the HTTP status picks the ``APIError`` subclass). docs/api-notes.md §5 and
  the "V1 vs V2" guide document two error bodies:

  * v1 ``{"type": 40001, "title": "Invalid Data", "report": {"detailedMessage"}}``:
    ``error_class`` is the numeric ``type`` as text, the message is
    ``detailedMessage`` (else ``title``), ``detail`` keeps ``type``,
    ``title`` and the rest of ``report``;
  * v2 problem details ``{"title", "status", "detail", "errorCode",
    "requestId", "messageArguments", "errors": [{"field", "message", "code"}]}``:
    ``error_class`` is ``errorCode``, the message is ``detail`` followed by
    each field error and the request ID (support asks for it), ``detail``
    keeps the whole body.

  Spring Boot bodies (``{"status", "error", "code", "message", "path",
  "details"}``) and classic ``{"error": {...}}`` bodies (sent by the gateway
  before a request reaches Planning) are read too. Success bodies are
  returned as they are: a Planning record has a ``data`` attribute of its
  own, so nothing is unwrapped.
- ``field_types`` reads a record type's ``fields`` into the field-type table
  that ``compile_planning(expr, field_types=...)`` checks operators against.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import orjson

from .._core.checks import MAX_PAGE_SIZE as _MAX_PAGE_SIZE
from .._core.checks import SortKey, normalize_sort
from .._core.checks import check_page_size as _check_page_size
from .._core.exceptions import QueryError, ResponseError, error_for_status, redact_text
from .._core.request import loads_page, parse_classic, parse_retry_after
from ..query import And, Condition, Expr, Not, Or, Q, compile_planning
from ..query._modifiers import FIELD_TYPE_OPS
from ..query._planning import planning_field_type

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "Filter",
    "check_page_size",
    "check_sort",
    "check_unknown_fields",
    "compile_filters",
    "field_ids",
    "field_types",
    "parse_planning",
    "search_body",
]

# docs/api-notes.md §3: default limit 500, max 2000 (the classic API's maximum too,
# which the shared page-size check enforces).
DEFAULT_PAGE_SIZE: Final = 500
MAX_PAGE_SIZE: Final = _MAX_PAGE_SIZE

Filter = Expr | Mapping[str, Any] | None
"""A search filter: a ``Q`` expression (compiled with ``compile_planning``), a
raw Planning filter object sent as given, or ``None``."""


def check_page_size(page_size: int) -> int:
    """Validate a Planning page size (1..2000) or raise ``QueryError``."""
    return _check_page_size(page_size, limit_name="the Planning API's maximum limit")


def check_sort(sort: Iterable[str | tuple[str, str]]) -> tuple[SortKey, ...]:
    """``["name", "-budget", ("startDate", "desc")]`` as ``(fieldId, direction)`` pairs."""
    if isinstance(sort, str):
        sort = [sort]
    return normalize_sort(sort)


def _field_type(field: Mapping[str, Any]) -> str | None:
    """The type whose operators a field takes (a lookup's linked type), or
    ``None`` when the type is not one docs/api-notes.md §3 lists."""
    raw = field.get("type")
    if not isinstance(raw, str):
        return None
    kind = planning_field_type(raw)
    if kind == "lookup":
        linked = field.get("linkedField")
        linked_type = linked.get("type") if isinstance(linked, Mapping) else None
        if not isinstance(linked_type, str):
            return None
        kind = planning_field_type(linked_type)
    return kind if kind in FIELD_TYPE_OPS else None


def field_types(record_type: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """The field-type table of a record type (as v1's ``record_types.get``
    returns it) or of a list of fields (v2's ``fields.list``): field ID ->
    docs/api-notes.md §3 type name, a lookup mapped to its linked field's type. Type
    names may be spelled as v1 (``single-select``) or v2 (``SINGLE_SELECT``)
    writes them. Fields of a type the table does not list are left out (not
    validated)."""
    fields = record_type if isinstance(record_type, Sequence) else record_type.get("fields")
    if not isinstance(fields, list | tuple):
        raise ResponseError("the record type has no 'fields' list to validate against")
    out: dict[str, str] = {}
    for field in fields:
        if isinstance(field, Mapping) and isinstance(field.get("id"), str):
            kind = _field_type(field)
            if kind is not None:
                out[field["id"]] = kind
    return out


def field_ids(record_type: Mapping[str, Any]) -> frozenset[str]:
    """Every field ID of a record type."""
    fields = record_type.get("fields")
    if not isinstance(fields, list):
        return frozenset()
    return frozenset(
        f["id"] for f in fields if isinstance(f, Mapping) and isinstance(f.get("id"), str)
    )


def check_unknown_fields(exprs: Sequence[Expr], known: frozenset[str], record_type_id: str) -> None:
    """Raise ``QueryError`` when a filter names a field the record type lacks."""
    for expr in exprs:
        for node in _conditions(expr):
            if node.path[0] not in known:
                raise QueryError(
                    f"{node!r}: record type {record_type_id!r} has no field {node.path[0]!r}; "
                    f"filter on one of its field IDs: {', '.join(sorted(known))}"
                )


def _conditions(expr: Expr) -> Iterator[Condition]:
    """The conditions of an and/or/not tree (EXISTS blocks are not entered:
    ``compile_planning`` refuses them with its own message)."""
    if isinstance(expr, Condition):
        yield expr
    elif isinstance(expr, And | Or):
        for child in expr.children:
            yield from _conditions(child)
    elif isinstance(expr, Not):
        yield expr.child


def compile_filters(
    where: Sequence[Expr | Mapping[str, Any]],
    types: Mapping[str, str] | None = None,
) -> list[dict[str, Any]] | None:
    """The ``filters`` list of a search body, or ``None`` when the search can
    never match (``Q.none()``). Expressions are ANDed and compiled into one
    object (operators checked against ``types``); raw objects follow as given."""
    exprs = [w for w in where if isinstance(w, Expr)]
    raw = [dict(w) for w in where if not isinstance(w, Expr)]
    out: list[dict[str, Any]] = []
    if exprs:
        combined = exprs[0]
        for e in exprs[1:]:
            combined = combined & e
        if combined == Q.none():
            return None
        compiled = compile_planning(combined, field_types=types)
        if compiled is not None:
            out.append(compiled)
    out.extend(raw)
    # docs/api-notes.md §3 documents one filter object per search: several clauses go
    # as one $and rather than as extra list items a tenant might ignore.
    if len(out) <= 1:
        return out
    parts: list[Any] = []
    for f in out:
        parts.extend(f["$and"] if set(f) == {"$and"} else [f])
    return [{"$and": parts}]


def search_body(
    record_type_id: str,
    filters: Sequence[Mapping[str, Any]],
    sorting: Sequence[SortKey],
    *,
    offset: int,
    limit: int,
) -> dict[str, Any]:
    """The JSON body of one ``POST /v1/records/search`` (docs/api-notes.md §3).

    ``filters`` go as one object: static/v1.json types ``RecordSearchDto.filters``
    as an object and the "V1 vs V2" guide sends ``{"$and": [...]}``, so the
    list is wrapped in ``$and`` (a filter that already is one ``$and`` goes as
    it is). Adobe's Planning API basics page also shows a JSON array; the
    object form is the one both the spec file and the guide allow."""
    body: dict[str, Any] = {"recordTypeId": record_type_id}
    if filters:
        parts = [dict(f) for f in filters]
        if len(parts) == 1 and set(parts[0]) == {"$and"}:
            body["filters"] = parts[0]
        else:
            body["filters"] = {"$and": parts}
    if sorting:
        body["sorting"] = [{"fieldId": f, "direction": d} for f, d in sorting]
    body["offset"] = offset
    body["limit"] = limit
    return body


def _v1_error(body: Mapping[str, Any]) -> bool:
    return isinstance(body.get("report"), Mapping) or (
        isinstance(body.get("type"), int) and isinstance(body.get("title"), str)
    )


def _problem(body: Mapping[str, Any]) -> bool:
    return isinstance(body.get("errorCode"), str) or (
        isinstance(body.get("detail"), str) and isinstance(body.get("title"), str)
    )


def _raise(
    status: int,
    code: str,
    message: str,
    detail: dict[str, Any],
    *,
    headers: Mapping[str, str] | None,
    method: str,
    url: str,
    secrets: Sequence[str],
) -> None:
    message = redact_text(message, secrets)
    cls = error_for_status(status, code, message)
    raise cls(
        message,
        status=status,
        error_class=code,
        method=method,
        url=url,
        detail=detail,
        retry_after=parse_retry_after((headers or {}).get("retry-after")),
    )


def _v1_message(body: Mapping[str, Any]) -> tuple[str, str, dict[str, Any]]:
    report = body.get("report")
    report = dict(report) if isinstance(report, Mapping) else {}
    text = report.get("detailedMessage") or body.get("title") or "the Planning API failed"
    code = body.get("type")
    detail = {k: v for k, v in report.items() if k not in ("detailedMessage", "details")}
    nested = report.get("details")
    if isinstance(nested, Mapping):
        detail.update(nested)
    detail.update({k: body[k] for k in ("type", "title") if k in body})
    return str(code if code is not None else ""), str(text), detail


def _problem_message(body: Mapping[str, Any]) -> tuple[str, str, dict[str, Any]]:
    text = str(body.get("detail") or body.get("title") or "the Planning API failed")
    errors = body.get("errors")
    if isinstance(errors, list):
        for err in errors:
            if isinstance(err, Mapping) and err.get("message"):
                field = f"{err['field']}: " if err.get("field") else ""
                if str(err["message"]) not in text:
                    text += f"; {field}{err['message']}"
    if body.get("requestId"):
        text += f" (request ID {body['requestId']})"
    return str(body.get("errorCode") or ""), text, dict(body)


def _spring_error(body: Mapping[str, Any]) -> bool:
    return isinstance(body.get("message"), str) and (
        "code" in body or "status" in body or isinstance(body.get("error"), str)
    )


def parse_planning(
    status: int,
    content: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    method: str = "",
    url: str = "",
    secrets: Sequence[str] = (),
) -> Any:
    """Decode a Planning answer and return it (or raise the right error).

    - a Spring-shaped error body raises the ``APIError`` subclass for its
      status with ``error_class=code``, the message and ``detail=details``
      (plus ``path`` and ``error`` when present);
    - a classic ``{"error": {...}}`` body, a non-JSON body or any other error
      status is handled as the classic API does (``parse_classic``);
    - an empty success body (``DELETE``) is ``None``; any other JSON is
      returned as is.
    """
    if status < 400 and not content.strip():
        return None
    try:
        body = loads_page(content) if content else None
    except orjson.JSONDecodeError:
        return parse_classic(
            status, content, headers=headers, method=method, url=url, secrets=secrets
        )
    if isinstance(body, dict) and status >= 400 and (_v1_error(body) or _problem(body)):
        code, text, info = (_v1_message if _v1_error(body) else _problem_message)(body)
        _raise(
            status,
            code,
            text,
            info,
            headers=headers,
            method=method,
            url=url,
            secrets=secrets,
        )
    if isinstance(body, dict) and status >= 400 and _spring_error(body):
        message = redact_text(str(body["message"]), secrets)
        code = str(body.get("code") or "")
        raw_details = body.get("details")
        detail: dict[str, Any] = (
            dict(raw_details)
            if isinstance(raw_details, Mapping)
            else ({} if raw_details is None else {"details": raw_details})
        )
        for key in ("path", "error"):
            if key in body and key not in detail:
                detail[key] = body[key]
        cls = error_for_status(status, code, message)
        raise cls(
            message,
            status=status,
            error_class=code,
            method=method,
            url=url,
            detail=detail,
            retry_after=parse_retry_after((headers or {}).get("retry-after")),
        )
    if status >= 400 or (isinstance(body, dict) and isinstance(body.get("error"), Mapping)):
        return parse_classic(
            status, content, headers=headers, method=method, url=url, secrets=secrets
        )
    return body
