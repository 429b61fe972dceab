"""Each classic operation's request, built once (pure, no I/O).

``Workfront`` sends these calls one by one through ``request``; ``Batch``
puts the same calls into one ``POST /batch`` as relative URIs. Arguments are
checked here, before anything is sent, with the same words for both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from .._core.checks import check_field_path, check_name
from .._core.exceptions import QueryError, ResponseError
from .._core.request import Call
from ._wire import Where, encode_value, field_params, updates_json, where_params

__all__ = [
    "AGGREGATES",
    "action_call",
    "count_call",
    "create_call",
    "delete_call",
    "get_call",
    "metadata_call",
    "named_query_call",
    "parse_count",
    "report_call",
    "update_call",
]

AGGREGATES: Final = frozenset(
    {"sum", "avg", "min", "max", "count", "std", "var"}
    | {f"d{f}" for f in ("sum", "avg", "min", "max", "count", "std", "var")}
)
"""The ``<field>_AggFunc`` functions of a report (docs/api-notes.md §1 Report)."""


def get_call(obj: str, id: str, fields: str | Iterable[str] = ()) -> Call:
    """``GET /<obj>/<ID>``; an ID starting with ``$$`` (``$$USER``) goes in the query."""
    obj, id = check_name("obj", obj), check_name("id", id)
    params = tuple(field_params(fields))
    if id.startswith("$$"):
        return Call("GET", obj, (("id", id), *params))
    return Call("GET", f"{obj}/{id}", params)


def count_call(obj: str, where: Where = None) -> Call:
    """``GET /<obj>/count`` with the filter of ``where``."""
    return Call("GET", f"{check_name('obj', obj)}/count", tuple(where_params(where)))


def report_call(
    obj: str,
    where: Where = None,
    *,
    group_by: str | Iterable[str] = (),
    aggregates: Mapping[str, str] | None = None,
    rollup: bool = False,
) -> Call:
    """``GET /<obj>/report``: ``<field>_<n>_GroupBy`` and ``<field>_AggFunc`` parameters."""
    obj = check_name("obj", obj)
    params = where_params(where)
    groups = [group_by] if isinstance(group_by, str) else list(group_by)
    for group in groups:
        check_field_path(group, "group_by")
    params.extend((f"{g}_{n}_GroupBy", "true") for n, g in enumerate(groups, 1))
    for field, func in (aggregates or {}).items():
        if func not in AGGREGATES:
            raise QueryError(f"aggregate {func!r} for {field!r} is not one of {sorted(AGGREGATES)}")
        params.append((f"{field}_AggFunc", func))
    if rollup:
        params.append(("$$ROLLUP", "true"))
    return Call("GET", f"{obj}/report", tuple(params))


def named_query_call(
    obj: str, name: str, *, fields: str | Iterable[str] = (), params: Mapping[str, Any]
) -> Call:
    """``GET /<obj>/<query>`` (``work/myWork``), the query's parameters as given."""
    call_params = [*((k, encode_value(v)) for k, v in params.items()), *field_params(fields)]
    path = f"{check_name('obj', obj)}/{check_name('name', name)}"
    return Call("GET", path, tuple(call_params))


def parse_count(data: Any, what: str) -> int:
    """The count in a count answer: ``{"count": 3}`` (in ``data`` or bare,
    docs/api-notes.md §1 Count)."""
    if isinstance(data, Mapping) and "count" in data:
        data = data["count"]
    if isinstance(data, bool) or not isinstance(data, int):
        raise ResponseError(f"{what} did not return a count")
    return data


def metadata_call(obj: str | None = None) -> Call:
    """``GET /metadata`` (every object type) or ``GET /<obj>/metadata``."""
    return Call("GET", "metadata" if obj is None else f"{check_name('obj', obj)}/metadata")


def create_call(obj: str, data: Mapping[str, Any], *, fields: str | Iterable[str] = ()) -> Call:
    """``POST /<obj>`` with ``updates=``."""
    params = (("updates", updates_json(data, "create()")), *field_params(fields))
    return Call("POST", check_name("obj", obj), params, idempotent=False)


def update_call(
    obj: str, id: str, data: Mapping[str, Any], *, fields: str | Iterable[str] = ()
) -> Call:
    """``PUT /<obj>/<ID>`` with ``updates=``."""
    path = f"{check_name('obj', obj)}/{check_name('id', id)}"
    params = (("updates", updates_json(data, "update()")), *field_params(fields))
    return Call("PUT", path, params, idempotent=False)


def delete_call(obj: str, id: str, *, force: bool = False) -> Call:
    """``DELETE /<obj>/<ID>``; ``force=True`` removes dependents."""
    path = f"{check_name('obj', obj)}/{check_name('id', id)}"
    return Call("DELETE", path, (("force", "true"),) if force else (), idempotent=False)


def action_call(obj: str, id: str, name: str, params: Mapping[str, Any]) -> Call:
    """``PUT /<obj>/<ID>/<action>`` with the action's parameters."""
    path = f"{check_name('obj', obj)}/{check_name('id', id)}/{check_name('action', name)}"
    call_params = tuple((k, encode_value(v)) for k, v in params.items())
    return Call("PUT", path, call_params, idempotent=False)
