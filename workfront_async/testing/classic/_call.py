"""The classic wing's call: one request being answered, with the helpers every
handler uses (parameters, the caller, rendering, savepoints)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import orjson

from .._server._errors import ServerError
from .._server._http import Call, Reply, Request, first
from ._filters import (
    Ctx,
    bad_request,
)
from ._relaxed import RelaxedJSONError
from ._relaxed import loads as relaxed_loads
from ._store import Change, FieldTree
from ._tenant import Tenant

# The API versions served (``/attask/api/v<N>.0/``); the unversioned prefix is the latest.
LATEST = 21
API_VERSIONS = tuple(range(9, LATEST + 1))


class Relayed(ServerError):
    """An inner batch request's error answer, passed on as it was."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        error = body.get("error") or {}
        super().__init__(str(error.get("message", "")), status=status)
        self._body = body

    def body(self) -> dict[str, Any]:
        return self._body


def data(body: Any) -> Reply:
    """A classic API answer: ``{"data": body}`` (docs/api-notes.md §4)."""
    return Reply(200, {"data": body})


def all_values(params: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in params if k == name]


def truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("true", "1", "yes")


def json_param(name: str, text: str, *, relaxed: bool = True) -> Any:
    """A JSON parameter. Strict JSON first; a parameter (not a JSON request body)
    may also be relaxed JSON as Adobe's "API basics" page writes ``updates=``
    (``{ name: 'x' }``: unquoted keys, single quotes; see ``_relaxed``)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if not relaxed:
            raise bad_request(f"{name} is not valid JSON: {exc}", status=400) from None
    try:
        return relaxed_loads(text)
    except RelaxedJSONError as exc:
        raise bad_request(
            f"{name} is not valid JSON (nor JSON as Adobe's examples write it, with "
            f"unquoted keys and single quotes): {exc}",
            status=400,
        ) from None


@attrs.define
class ClassicCall(Call):
    """A classic request being answered: the ``method`` is the ``method=``
    parameter when there is one (docs/api-notes.md §1), ``segments`` the path
    after the API prefix, ``prefix`` that prefix as sent; authentication fills
    ``user_id`` and ``explicit`` (not a cookie); writes collect ``changes``;
    ``dispatch`` answers an inner request (a batch's) through the same wing."""

    tenant: Tenant = attrs.field(kw_only=True)
    params: list[tuple[str, str]] = attrs.field(kw_only=True)
    segments: list[str] = attrs.field(kw_only=True)
    dispatch: Callable[[Request], Reply] = attrs.field(kw_only=True)
    prefix: str = attrs.field(default="/attask/api/v21.0", kw_only=True)
    user_id: str = attrs.field(default="", kw_only=True)
    explicit: bool = attrs.field(default=False, kw_only=True)
    changes: list[Change] = attrs.field(factory=list, kw_only=True)

    # -- helpers -------------------------------------------------------------

    def p(self, name: str) -> str | None:
        return first(self.params, name)

    def ctx(self, code: str) -> Ctx:
        return Ctx(
            code=code,
            alias="t0",
            custom_types=self.tenant.store.custom_types,
            resolve_user=lambda raw: self.tenant.resolve_wildcard(self.user_id, raw),
            now=self.tenant.now(),
        )

    def filter_params(self) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(query-string filters, ``filters=`` JSON filters); the latter may use any name."""
        extra: list[tuple[str, str]] = []
        raw = self.p("filters")
        if raw:
            decoded = json_param("filters", raw)
            if not isinstance(decoded, dict):
                raise bad_request('filters must be a JSON object, e.g. {"username": "x"}', 400)
            for key, value in decoded.items():
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, bool):
                        text = "true" if item else "false"
                    else:
                        text = item if isinstance(item, str) else str(item)
                    extra.append((str(key), text))
        return list(self.params), extra

    def fields_tree(self, code: str) -> FieldTree:
        return self.tenant.store.parse_fields(code, all_values(self.params, "fields"))

    def render(self, code: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.tenant.store.render(code, rows, self.fields_tree(code))

    def render_ids(self, code: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        rows = self.tenant.store.fetch_by(code, "ID", ids)
        order = {i: n for n, i in enumerate(ids)}
        rows.sort(key=lambda r: order[r["ID"]])
        return self.render(code, rows)

    def savepoint(self, work: Callable[[], Any]) -> Any:
        db = self.tenant.store.db
        name = f"sp_{secrets.token_hex(4)}"
        db.execute(f"SAVEPOINT {name}")
        mark = len(self.changes)
        # the custom field types follow the PARAM rows a failed write rolls back
        types = self.tenant.store.custom_types
        kept = dict(types)
        try:
            result = work()
        except BaseException:
            db.execute(f"ROLLBACK TO {name}")
            db.execute(f"RELEASE {name}")
            del self.changes[mark:]
            types.clear()
            types.update(kept)
            raise
        db.execute(f"RELEASE {name}")
        return result


def ids_param(call: ClassicCall) -> list[str]:
    ids: list[str] = []
    for value in all_values(call.params, "id") + all_values(call.params, "ID"):
        ids.extend(i.strip() for i in value.split(",") if i.strip())
    return [call.user_id if i in ("$$USER", "$$USER.ID") else i for i in ids]


def new(call: ClassicCall) -> Callable[[], str]:
    return call.tenant.new_id


def action_arg(call: ClassicCall, name: str) -> Any:
    """An action argument: from a JSON object body, else from the parameters.

    A list argument may come as repeated parameters (the official client's
    ``queryStringify``), as a JSON array, or comma-separated.
    """
    if call.req.content_type.startswith("application/json") and call.req.body.strip():
        body = json_param("request body", call.req.body.decode("utf-8", "replace"), relaxed=False)
        if not isinstance(body, dict):
            raise bad_request("the arguments of an action in a JSON body must be a JSON object")
        if name in body:
            return body[name]
    values = [v for k, v in call.params if k == name]
    if len(values) == 1 and values[0].lstrip().startswith("["):
        return json_param(name, values[0])
    if len(values) == 1:
        return values[0]
    return values or None
