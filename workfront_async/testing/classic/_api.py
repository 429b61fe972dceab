"""The classic REST API of the embedded Workfront: routing, authentication, endpoints.

Synchronous and free of network I/O: a parsed request in, a reply (status,
JSON-able body, headers) and the list of stored changes out. docs/api-notes.md §1 and §4.

Paths: ``/attask/api/v<N>.0/``, the unversioned ``/attask/api/`` (the latest
version), ``/attask/api-internal/``, ``/attask/api-unsupported/`` and
``/attask/api/unsupported/`` all reach the same endpoints.
"""

from __future__ import annotations

import email.parser
import email.policy
import functools
import math
import re
import secrets
import statistics
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import attrs
import orjson

from ._dates import from_store
from .._server._errors import MethodNotAllowed, NotFound, ServerError
from ._filters import (
    CONTROL_PARAMS,
    Ctx,
    Query,
    bad_request,
    compile_where,
    parse_query,
    resolve_column,
)
from ._pages import page_rows
from ._schema import CUSTOM_FIELD_TYPES, OBJ_TYPES, field_label, resolve_obj_code
from ._store import MAX_FIELDS, Change, FieldTree, not_found, param_kind
from ._tenant import Tenant, auth_error

__all__ = [
    "API_VERSIONS",
    "MAX_BATCH",
    "MAX_BULK",
    "MAX_LIMIT",
    "Reply",
    "Request",
    "error_body",
    "handle_classic",
    "parse_params",
]

MAX_LIMIT = 2000
DEFAULT_LIMIT = 100
MAX_BULK = 100
MAX_BATCH = 100
LATEST = 21
API_VERSIONS = tuple(range(9, LATEST + 1))
# group 1: the prefix as sent; group 2: the version (None: the latest); group 3: the rest
_PREFIX = re.compile(
    r"^(/attask/api-(?:internal|unsupported)|/attask/api(?:/(?:v(\d+)\.0|unsupported|internal))?)"
    r"(/.*)?$",
    re.IGNORECASE,
)
_WRITE_CONTROL = CONTROL_PARAMS | {"objCode"}
_NAMED = {("work", "mywork"), ("cstem", "projectstatuses")}
# Recorded namedQuery.json (docs/api-notes.md §4 "Named query"): objCode and color on each entry.
_PROJECT_STATUSES = tuple(
    {
        "color": color,
        "equatesWith": value,
        "isActive": True,
        "label": label,
        "objCode": "CSTEM",
        "value": value,
    }
    for value, label, color in (
        ("PLN", "Planning", "6B6B6B"),
        ("CUR", "Current", "3F7F1F"),
        ("ONH", "On Hold", "F1A33A"),
        ("CPL", "Complete", "0078D7"),
        ("DED", "Dead", "C60000"),
        ("REQ", "Requested", "9A5BA8"),
    )
)
_KEY_ACTIONS = ("generateApiKey", "getApiKey", "clearApiKey")
_AGGS = ("sum", "avg", "min", "max", "count", "std", "var")


@attrs.frozen
class Request:
    method: str
    path: str
    params: tuple[tuple[str, str], ...]
    headers: Mapping[str, str]  # lower-cased names
    body: bytes = b""
    content_type: str = ""
    # the server's Request-URI limit, applied to each request inside a batch too
    max_uri_bytes: int | None = None


@attrs.frozen
class Reply:
    status: int
    body: Any
    headers: tuple[tuple[str, str], ...] = ()


def error_body(exc: ServerError) -> dict[str, Any]:
    """Workfront's error body (``{"error": {"class", "message", "title", "msgKey", ...}}``)."""
    return exc.body()


class _Relayed(ServerError):
    """An inner batch request's error answer, passed on as it was."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        error = body.get("error") or {}
        super().__init__(str(error.get("message", "")), status=status)
        self._body = body

    def body(self) -> dict[str, Any]:
        return self._body


def parse_params(query: bytes | str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    text = query.decode("utf-8", "replace") if isinstance(query, bytes) else query
    return parse_qsl(text, keep_blank_values=True)


def _first(params: Sequence[tuple[str, str]], name: str) -> str | None:
    for key, value in params:
        if key == name:
            return value
    return None


def _all(params: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in params if k == name]


def _truthy(value: str | None) -> bool:
    return value is not None and value.strip().lower() in ("true", "1", "yes")


def _json_param(name: str, text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise bad_request(f"{name} is not valid JSON: {exc}", status=400) from None


@attrs.define
class _Call:
    tenant: Tenant
    req: Request
    params: list[tuple[str, str]]
    method: str
    segments: list[str]
    prefix: str = "/attask/api/v21.0"
    user_id: str = ""
    explicit: bool = False
    changes: list[Change] = attrs.field(factory=list)

    # -- helpers -------------------------------------------------------------

    def p(self, name: str) -> str | None:
        return _first(self.params, name)

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
            decoded = _json_param("filters", raw)
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
        return self.tenant.store.parse_fields(code, _all(self.params, "fields"))

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


# -- authentication ------------------------------------------------------------


def _authenticate(call: _Call) -> None:
    tenant, req = call.tenant, call.req
    header = req.headers.get("sessionid")
    bearer = req.headers.get("authorization", "")
    param_session = call.p("sessionID")
    # the official JS client sends the key only as an ``apiKey`` header (docs/api-notes.md §4)
    api_key = call.p("apiKey") or req.headers.get("apikey", "").strip() or None
    if header:
        user = tenant.user_for_session(header.strip())
        if user is None:
            raise auth_error("The SessionID header holds an unknown or expired session")
        call.user_id, call.explicit = user, True
        return
    if bearer.lower().startswith("bearer "):
        user = tenant.user_for_session(bearer[7:].strip())
        if user is None:
            raise auth_error("The bearer token is unknown or expired")
        call.user_id, call.explicit = user, True
        return
    if param_session:
        user = tenant.user_for_session(param_session)
        if user is None:
            raise auth_error("The sessionID parameter holds an unknown or expired session")
        call.user_id, call.explicit = user, True
        return
    if api_key:
        user = tenant.user_for_key(api_key)
        if user is None:
            raise auth_error("The apiKey is invalid or was cleared")
        call.user_id, call.explicit = user, True
        return
    cookie = req.headers.get("cookie", "")
    for part in cookie.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() in ("sessionid", "attask") and value:
            user = tenant.user_for_session(value)
            if user is not None:
                call.user_id, call.explicit = user, False
                return
    raise auth_error(
        "You are not currently logged in: send an apiKey header or parameter, a SessionID "
        "header or a sessionID parameter"
    )


def _require_explicit(call: _Call) -> None:
    if not call.explicit:
        raise auth_error(
            "Writes need the session sent explicitly (SessionID header, sessionID parameter, "
            "apiKey header or parameter); a cookie is not enough"
        )


# -- entry point ---------------------------------------------------------------


def handle_classic(tenant: Tenant, req: Request) -> tuple[Reply, list[Change]]:
    """Answer one classic API request (path starting ``/attask/api``)."""
    match = _PREFIX.match(req.path)
    if not match:
        return _error(
            NotFound(
                f"unknown API path {req.path!r}: use /attask/api/v<N>.0/<objCode>/..., "
                "/attask/api/<objCode>/... (the latest version) or /attask/api-internal/..."
            )
        ), []
    version = match.group(2)
    if version is not None and int(version) not in API_VERSIONS:
        return _error(
            NotFound(
                f"API version v{version}.0 is not supported; use v{API_VERSIONS[0]}.0 to "
                f"v{LATEST}.0, or leave the version out for the latest"
            )
        ), []
    rest = match.group(3) or "/"
    params = list(req.params)
    method = (_first(params, "method") or req.method).upper()
    segments = [s for s in rest.split("/") if s]
    call = _Call(
        tenant=tenant,
        req=req,
        params=params,
        method=method,
        segments=segments,
        prefix=match.group(1),
    )
    try:
        body = _route(call)
    except ServerError as exc:
        # changes that were committed before the failure (a non-atomic bulk) still count
        return _error(exc), call.changes
    return Reply(200, body), call.changes


def _error(exc: ServerError) -> Reply:
    return Reply(exc.status or 500, error_body(exc))


def _method_error(call: _Call, allowed: str) -> ServerError:
    return MethodNotAllowed(
        f"method {call.method} is not allowed on /{'/'.join(call.segments)}; use {allowed}"
    )


def _route(call: _Call) -> Any:
    seg = call.segments
    if not seg:
        raise NotFound(
            "no object type in the path", error_class="java.lang.IllegalArgumentException"
        )
    head = seg[0].lower()
    if head == "login" and len(seg) == 1:
        return _login(call)
    if head == "metadata" and len(seg) == 1:
        _authenticate(call)
        return _metadata_index(call)
    if head == "batch" and len(seg) == 1:
        _authenticate(call)
        return _batch(call)
    if head == "upload" and len(seg) == 1:
        _authenticate(call)
        _require_explicit(call)
        return _upload(call)
    if head == "logout" and len(seg) == 1:
        _authenticate(call)
        for token in (call.req.headers.get("sessionid"), call.p("sessionID")):
            if token:
                call.tenant.end_session(token)
        return {"success": True}
    code = resolve_obj_code(seg[0])
    if code == "USER" and len(seg) == 1:
        action = call.p("action")
        if action in _KEY_ACTIONS:
            return _api_key_action(call, action)
    if code == "USER" and len(seg) == 2 and seg[1] in _KEY_ACTIONS:
        # the action named in the path without an ID: PUT /user/generateApiKey?username=...
        return _api_key_action(call, seg[1])
    if len(seg) == 2 and (head, seg[1].lower()) in _NAMED:
        _authenticate(call)
        return _named(call, head)
    if code is None:
        raise bad_request(
            f"unknown object type {seg[0]!r}; use an ObjCode (proj, task, optask, user, ...) "
            "or its long name (project, issue, ...)"
        )
    _authenticate(call)
    method = call.method
    if method not in ("GET", "POST", "PUT", "DELETE"):
        raise _method_error(call, "GET, POST, PUT or DELETE")
    if len(seg) == 2 and seg[1] in ("search", "count", "report", "metadata"):
        if method != "GET":
            raise _method_error(call, "GET (or method=GET)")
        if seg[1] == "search":
            return _search(call, code)
        if seg[1] == "count":
            return _count(call, code)
        if seg[1] == "report":
            return _report(call, code)
        return _metadata(call, code)
    if method != "GET":
        _require_explicit(call)
    if len(seg) == 1:
        if method == "GET":
            return _get_many(call, code)
        if method == "POST":
            return _create_call(call, code)
        if method == "PUT":
            return _bulk_edit(call, code)
        return _delete_many(call, code)
    obj_id = seg[1]
    if len(seg) == 2 and method == "PUT" and obj_id in _ACTIONS_WITHOUT_ID.get(code, ()):
        # the action named in the path: PUT /task/bulkMove, as PUT /user/generateApiKey
        return _type_action(call, code, obj_id)
    if len(seg) == 2:
        if method == "GET":
            return _get_one(call, code, obj_id)
        if method == "PUT":
            action = call.p("action")
            if action:
                return _action(call, code, obj_id, action)
            return _edit(call, code, obj_id)
        if method == "DELETE":
            return _delete(call, code, obj_id)
        raise _method_error(call, f"POST /{seg[0]} to create, PUT /{seg[0]}/<ID> to edit")
    if len(seg) == 3:
        if method in ("PUT", "POST"):
            return _action(call, code, obj_id, seg[2])
        raise _method_error(call, "PUT for actions")
    raise NotFound(
        f"unknown path /{'/'.join(seg)}", error_class="java.lang.IllegalArgumentException"
    )


# -- login and keys ------------------------------------------------------------


def _login(call: _Call) -> Any:
    api_key = call.p("apiKey") or call.req.headers.get("apikey", "").strip() or None
    if call.p("password") is None and api_key is not None:
        user_id = _login_with_key(call, api_key)
    else:
        user_id = call.tenant.check_password(call.p("username"), call.p("password"))
    token = call.tenant.issue_token(call.tenant.user_row(user_id)["username"])
    # recorded login.json (docs/api-notes.md §4 "Login")
    return {
        "userID": user_id,
        "sessionID": token,
        "versionInformation": {
            "currentAPI": f"v{LATEST}.0",
            "buildNumber": "emulator",
            "apiVersions": {f"v{v}.0": f"/attask/api/v{v}.0/" for v in API_VERSIONS},
            "lastUpdated": "2026/01/01 00:00:00",
            "release": f"R{LATEST}",
            "version": f"{LATEST}.0",
        },
        "locale": "en_US",
        "timeZone": "UTC",
        "timeZoneName": "Coordinated Universal Time",
        "iso3Country": "USA",
        "iso3Language": "eng",
        "currency": {
            "useNegativeSign": False,
            "fractionDigits": 2,
            "symbol": "$",
            "ID": "USD",
            "groupingSeparator": ",",
            "decimalSeparator": ".",
        },
    }


def _login_with_key(call: _Call, api_key: str) -> str:
    """``/login?username=<user>&apiKey=<key>``: a session for ``username`` opened with
    an API key instead of a password.

    Adobe's "API basics" page (Login section): "If you have a designated API user who
    is also an administrator, Workfront strongly suggests you use an API Key to log
    in"; workfrontapi-plus's ``login(username)`` and ``make_update_as_user`` are
    written to send this to act on behalf of another user. The pages do not say what a
    non-administrator's key may do; here it opens a session for its own user only.
    Without ``username`` the session is the key owner's.
    """
    tenant = call.tenant
    owner = tenant.user_for_key(api_key)
    if owner is None:
        raise auth_error("The apiKey is invalid or was cleared")
    username = call.p("username")
    if not username:
        return owner
    row = tenant.user_by_username(username)
    if row is None:
        raise auth_error("Invalid username or apiKey")
    if row["ID"] != owner and not tenant.user_row(owner)["isAdmin"]:
        raise auth_error(
            "Only an administrator's apiKey can log in as another user; log in with "
            "this user's password or apiKey instead"
        )
    if not row["isActive"]:
        raise auth_error("This user is not active")
    return str(row["ID"])


def _api_key_action(call: _Call, action: str) -> Any:
    username, password = call.p("username"), call.p("password")
    if username is None:
        _authenticate(call)
        user_id = call.user_id
    else:
        user_id = call.tenant.check_password(username, password)
    if action == "getApiKey":
        return {"result": call.tenant.api_key(user_id)}
    if action == "generateApiKey":
        return {"result": call.tenant.generate_api_key(user_id)}
    call.tenant.clear_api_key(user_id)
    return {"result": True}


# -- reads ---------------------------------------------------------------------


def _limits(call: _Call) -> tuple[int, int]:
    first_raw, limit_raw = call.p("$$FIRST"), call.p("$$LIMIT")
    try:
        first = int(first_raw) if first_raw not in (None, "") else 0
        limit = int(limit_raw) if limit_raw not in (None, "") else DEFAULT_LIMIT
    except ValueError:
        raise bad_request("$$FIRST and $$LIMIT must be whole numbers") from None
    if first < 0 or limit < 0:
        raise bad_request("$$FIRST and $$LIMIT cannot be negative")
    if limit > MAX_LIMIT:
        raise bad_request(
            f"The requested limit {limit} is greater than the maximum allowed limit of {MAX_LIMIT}"
        )
    if limit == 0:
        limit = DEFAULT_LIMIT
    return first, limit


def _select(
    call: _Call, code: str, *, order: bool = True
) -> tuple[str, str, list[Any], Ctx, list[str], Query]:
    """(joins, where, params, ctx, order terms) for the request's filters and sorts."""
    ctx = call.ctx(code)
    plain, extra = call.filter_params()
    query = parse_query(plain, extra)
    params: list[Any] = []
    where = compile_where(ctx, query, params)
    terms: list[str] = []
    if order:
        for path, direction in query.sorts:
            col = resolve_column(ctx, path)
            expr = f"lower({col.sql})" if direction.startswith("ci") else col.sql
            terms.append(f"{expr} {'DESC' if direction.endswith('desc') else 'ASC'}")
    return " ".join(ctx.joins), where, params, ctx, terms, query


def _search(call: _Call, code: str) -> Any:
    first, limit = _limits(call)
    joins, where, params, _, terms, _ = _select(call, code)
    store = call.tenant.store
    tree = call.fields_tree(code)
    as_map = _truthy(call.p("map"))
    row_sql = None if as_map else store.row_json_sql(code, tree)
    if row_sql is not None:
        # plain fields: SQLite writes each row's JSON, the page is one fragment
        sql, width = row_sql
        n, text = page_rows(
            store,
            code,
            f"{sql} AS j",
            joins,
            where,
            params,
            terms,
            first,
            limit,
            fetch=store.query_joined,
        )
        if n * width > MAX_FIELDS:
            raise bad_request(f"the result holds more than {MAX_FIELDS} fields; ask for fewer")
        return orjson.Fragment(b"[" + text + b"]")
    cols = ", ".join(f't0."{c}"' for c in store.columns_for(code, tree))
    rows: list[dict[str, Any]] = page_rows(
        store, code, cols, joins, where, params, terms, first, limit
    )
    out = store.render(code, rows, tree)
    if as_map:
        return {obj["ID"]: obj for obj in out}
    return out


def _count(call: _Call, code: str) -> Any:
    joins, where, params, _, _, _ = _select(call, code, order=False)
    rows = call.tenant.store.query(
        f'SELECT COUNT(*) AS n FROM "{code}" t0 {joins} WHERE {where}', params
    )
    return {"count": rows[0]["n"]}


def _group_key(kind: str, value: Any) -> str:
    if value is None:
        return "null"
    if kind == "date":
        from ._dates import to_api

        return to_api(value)
    if kind == "bool":
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _group_value(kind: str, value: Any) -> Any:
    """A group-by value as the API renders the field."""
    if value is None:
        return None
    if kind == "date":
        from ._dates import to_api

        return to_api(value)
    if kind == "bool":
        return bool(value)
    if kind == "int" and isinstance(value, int | float):
        return int(value)
    return value


def _aggregate(func: str, values: list[Any]) -> Any:
    distinct = func.startswith("d") and func[1:] in _AGGS
    base = func[1:] if distinct else func
    present = [v for v in values if v is not None]
    if distinct:
        present = list(dict.fromkeys(present))
    if base == "count":
        return len(present)
    nums = [float(v) for v in present if isinstance(v, int | float)]
    if base in ("min", "max"):
        if not present:
            return None
        return min(present) if base == "min" else max(present)
    if base == "sum":
        return sum(nums)
    if base == "avg":
        return sum(nums) / len(nums) if nums else None
    if len(nums) < 2:
        return 0.0 if nums else None
    var = statistics.variance(nums)
    return math.sqrt(var) if base == "std" else var


def _report(call: _Call, code: str) -> Any:
    joins, where, params, ctx, _, query = _select(call, code, order=False)
    if not query.aggs and not query.group_by:
        raise bad_request("a report needs <field>_AggFunc=<func> and/or <field>_GroupBy=true")
    groups = [resolve_column(ctx, path) for path in query.group_by]
    aggs = []
    for path, func in query.aggs:
        func_l = func.lower()
        base = func_l[1:] if func_l.startswith("d") and func_l[1:] in _AGGS else func_l
        if base not in _AGGS:
            raise bad_request(
                f"unknown aggregate {func!r} for {path}; use sum avg min max count std var "
                "or a distinct variant (dsum, dcount, ...)"
            )
        aggs.append((path, func_l, resolve_column(ctx, path)))
    joins = " ".join(ctx.joins)
    cols = [g.sql for g in groups] + [a[2].sql for a in aggs] or ["1"]
    select = ", ".join(f"{c} AS c{i}" for i, c in enumerate(cols))
    rows = call.tenant.store.db.execute(
        f'SELECT {select} FROM "{code}" t0 {joins} WHERE {where}', params
    ).fetchall()
    n = len(groups)

    def summarise(members: list[tuple[Any, ...]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for i, (path, func, _) in enumerate(aggs):
            out[f"{func}_{path}"] = _aggregate(func, [m[n + i] for m in members])
        if not aggs:
            out["count"] = len(members)
        return out

    def build(members: list[tuple[Any, ...]], depth: int) -> dict[str, Any]:
        if depth == n:
            out = summarise(members)
            # each bucket repeats every group-by value under the field's name
            # (recorded report.json, docs/api-notes.md §4 "Report buckets")
            for i, path in enumerate(query.group_by):
                out[path] = _group_value(groups[i].type, members[0][i])
            return out
        buckets: dict[str, list[tuple[Any, ...]]] = {}
        for m in members:
            buckets.setdefault(_group_key(groups[depth].type, m[depth]), []).append(m)
        return {key: build(bucket, depth + 1) for key, bucket in buckets.items()}

    result = build(rows, 0)
    if _truthy(call.p("$$ROLLUP")) and n:
        result["$$ROLLUP"] = summarise(rows)
    return result


def _base_url(call: _Call) -> str:
    host = call.req.headers.get("host", "localhost")
    local = host.split(":")[0] in ("127.0.0.1", "localhost", "::1", "[::1]")
    return f"{'http' if local else 'https'}://{host}{call.prefix}"


def _entry(
    label: str,
    field_type: str,
    *,
    flags: tuple[str, ...] = (),
    type_obj_code: str | None = None,
    enum_type: str | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """One entry of ``fields``, ``references`` or ``collections`` (recorded metadata.json)."""
    entry: dict[str, Any] = {}
    if flags:
        entry["flags"] = list(flags)
    entry.update(
        label=label,
        typeObjCode=type_obj_code,
        targetTypeObjCode=None,
        fieldType=field_type,
        enumTargetObjCode=None,
        enumType=enum_type,
        url=url,
    )
    return entry


def _metadata(call: _Call, code: str) -> Any:
    """``GET /<obj>/metadata`` in Workfront's shape (recorded metadata.json, API notes §4)."""
    otype = OBJ_TYPES[code]
    base = _base_url(call)
    fields = {
        name: _entry(m.label, m.field_type, flags=m.flags, enum_type=m.enum_type)
        for name, m in sorted(otype.meta.items())
    }

    def link(name: str, target: str, label: str, flags: tuple[str, ...] = ()) -> dict[str, Any]:
        return _entry(
            label,
            OBJ_TYPES[target].name,
            flags=flags,
            type_obj_code=target,
            url=f"{base}/{target.lower()}/metadata",
        )

    operations = ["add", "count", "delete", "edit", "get", "report", "search"]
    if otype.copyable:
        operations.insert(1, "copy")
    actions: dict[str, Any] = {}
    for name, (arguments, result) in sorted(otype.actions.items()):
        action: dict[str, Any] = {
            "arguments": [{"name": a, "type": t} for a, t in arguments],
            "label": name,
        }
        if result is not None:
            action["resultType"] = result
        actions[name] = action
    return {
        "name": otype.name,
        "label": otype.label,
        "objCode": code,
        "flags": list(otype.flags),
        "url": f"{base}/{code.lower()}/metadata",
        "fields": fields,
        "references": {
            name: link(name, target, field_label(name))
            for name, (_, target) in sorted(otype.refs.items())
        },
        # a collection's label is its name (recorded metadata.json: "userRoles")
        "collections": {
            name: link(name, child, name, ("NOT_GROUPABLE",))
            for name, (child, _) in sorted(otype.collections.items())
        },
        # custom fields (DE:) of the tenant with their types; kept out of ``fields``
        # so that clients that turn field names into identifiers still work
        "custom": {
            name: _entry(name[3:], CUSTOM_FIELD_TYPES[kind], flags=("CUSTOM",))
            for name, kind in sorted(call.tenant.store.custom_types.items())
        },
        "search": {},
        "actions": actions,
        "queries": {name: {"label": name} for name in otype.queries},
        "operations": operations,
    }


def _metadata_index(call: _Call) -> Any:
    """``GET /metadata``: every object type (docs/api-notes.md §4 "Metadata")."""
    base = _base_url(call)
    return {
        "objects": {
            code: {
                "objCode": code,
                "name": otype.name,
                "label": otype.label,
                "url": f"{base}/{code.lower()}/metadata",
            }
            for code, otype in sorted(OBJ_TYPES.items())
        }
    }


# -- batch ---------------------------------------------------------------------


def _batch(call: _Call) -> Any:
    """``POST /batch`` with repeated ``uri=`` (docs/api-notes.md §4 "Batch", recorded batch.json).

    Each ``uri`` is a relative request (``task/search?status=INP``, ``task?method=POST&
    updates=...``) run as if sent alone with the batch's credentials, in order
    (``concurrent=true`` is accepted and runs them in order too). Not atomic: the
    answer lists ``{"data": <answer>}`` per request, or ``{"error": {...}}`` for a
    request that failed (the others still run). Atomic: all of them or none;
    ``{"success": true}``, or the first failure's error with nothing kept.
    """
    uris = _all(call.params, "uri")
    if not uris:
        raise bad_request(
            "batch needs at least one uri=<relative request>, e.g. uri=task/search?status=INP",
            status=400,
        )
    if len(uris) > MAX_BATCH:
        raise bad_request(
            f"a batch takes at most {MAX_BATCH} requests, got {len(uris)}; split it", status=400
        )
    atomic = _truthy(call.p("atomic"))
    inner = [_inner_request(call, uri) for uri in uris]

    def run(req: Request | ServerError) -> tuple[int, Any]:
        if isinstance(req, ServerError):
            return req.status, error_body(req)
        reply, changes = handle_classic(call.tenant, req)
        call.changes.extend(changes)
        return reply.status, reply.body

    if atomic:

        def all_or_nothing() -> None:
            for req in inner:
                status, body = run(req)
                if status >= 400:
                    raise _Relayed(status, body)

        call.savepoint(all_or_nothing)
        return {"success": True}
    out: list[dict[str, Any]] = []
    for req in inner:
        status, body = run(req)
        out.append(body if status >= 400 else {"data": body})
    return out


def _inner_request(call: _Call, uri: str) -> Request | ServerError:
    """One ``uri=`` of a batch -> the request it stands for, or the error it gets."""
    from urllib.parse import unquote

    limit = call.req.max_uri_bytes
    if limit is not None and len(uri.encode("utf-8")) > limit:
        return ServerError(
            f"Request-URI Too Long: {len(uri.encode('utf-8'))} bytes, the limit is {limit}",
            status=414,
            error_class="com.attask.common.URITooLongException",
        )
    raw_path, _, query = uri.strip().partition("?")
    path = unquote(raw_path).strip("/")
    if not path:
        return bad_request(f"batch uri {uri[:80]!r} names no object type", status=400)
    if path.split("/")[0].lower() == "batch":
        return bad_request("a batch cannot hold another batch", status=400)
    params = parse_params(query)
    names = {k for k, _ in params}
    # the batch's own credentials stand for each request in it
    for name in ("apiKey", "sessionID"):
        value = call.p(name)
        if value is not None and name not in names:
            params.append((name, value))
    headers = {
        k: v for k, v in call.req.headers.items() if k not in ("content-type", "content-length")
    }
    return Request(
        method=(_first(params, "method") or "GET").upper(),
        path=f"{call.prefix}/{path}",
        params=tuple(params),
        headers=headers,
        max_uri_bytes=limit,
    )


def _ids_param(call: _Call) -> list[str]:
    ids: list[str] = []
    for value in _all(call.params, "id") + _all(call.params, "ID"):
        ids.extend(i.strip() for i in value.split(",") if i.strip())
    return [call.user_id if i in ("$$USER", "$$USER.ID") else i for i in ids]


def _get_many(call: _Call, code: str) -> Any:
    ids = _ids_param(call)
    if not ids:
        raise bad_request(
            f"GET /{call.segments[0]} needs id=<ID>[,<ID>...]; use /{call.segments[0]}/search "
            "to search",
            status=400,
        )
    found = call.tenant.store.fetch_by(code, "ID", ids)
    known = {r["ID"] for r in found}
    for obj_id in ids:
        if obj_id not in known:
            raise not_found(code, obj_id)
    out = call.render_ids(code, list(dict.fromkeys(ids)))
    if len(ids) == 1 and "," not in "".join(_all(call.params, "id")):
        return out[0]
    return out


def _get_one(call: _Call, code: str, obj_id: str) -> Any:
    if obj_id in ("$$USER", "$$USER.ID") and code == "USER":
        obj_id = call.user_id
    row = call.tenant.store.get_raw(code, obj_id)
    if row is None:
        raise not_found(code, obj_id)
    return call.render(code, [row])[0]


def _named(call: _Call, head: str) -> Any:
    if head == "cstem":
        return list(_PROJECT_STATUSES)
    out: list[dict[str, Any]] = []
    user = call.user_id
    for code in ("TASK", "OPTASK"):
        fk = "taskID" if code == "TASK" else "opTaskID"
        rows = call.tenant.store.query(
            f'SELECT * FROM "{code}" t WHERE (t."status" IS NULL OR t."status" NOT IN '
            "('CPL', 'CLS', 'DED')) AND (t.\"assignedToID\" = ? OR EXISTS (SELECT 1 FROM "
            f'"ASSGN" a WHERE a."{fk}" = t."ID" AND a."assignedToID" = ?)) ORDER BY t.rowid',
            (user, user),
        )
        out.extend(call.render(code, rows))
    return out


# -- writes --------------------------------------------------------------------


def _updates_from(call: _Call, code: str) -> Any:
    raw = call.p("updates")
    if raw is not None:
        return _json_param("updates", raw)
    if call.req.content_type.startswith("application/json") and call.req.body.strip():
        return _json_param("request body", call.req.body.decode("utf-8", "replace"))
    otype = OBJ_TYPES[code]
    data: dict[str, Any] = {}
    for key, value in call.params:
        if key in _WRITE_CONTROL or key.endswith(("_Mod", "_Sort")):
            continue
        if key.startswith("DE:") or otype.field_ci(key) is not None or key == "parameterValues":
            data[key] = value
        else:
            raise bad_request(f"{code} has no field {key!r} (field names are case-sensitive)")
    return data


def _new(call: _Call) -> Callable[[], str]:
    return call.tenant.new_id


def _create_one(call: _Call, code: str, data: Mapping[str, Any]) -> str:
    tenant = call.tenant
    if not isinstance(data, Mapping):
        raise bad_request(f"each object to create must be a JSON object, not {type(data).__name__}")
    data = dict(data)
    if code == "DOCU":
        return _create_document(call, data)
    new_id = tenant.store.create(
        code, data, now=tenant.now(), user_id=call.user_id, new_id=_new(call), changes=call.changes
    )
    _sync_forms(call, code, new_id, data)
    _sync_custom_fields(call, code, new_id, None)
    return new_id


def _create_new(call: _Call, code: str, data: Any) -> str:
    """Create one object as ``POST /<obj>`` asks; a project made with a ``templateID``
    gets the template's tasks (a copy keeps its source's tasks instead)."""
    new_id = _create_one(call, code, data)
    if code == "PROJ" and data.get("templateID"):
        _attach_template(call, new_id, str(data["templateID"]))
    return new_id


def _create_document(call: _Call, data: dict[str, Any]) -> str:
    tenant = call.tenant
    handle = data.pop("handle", None)
    version = data.pop("currentVersion", None) or {}
    if not isinstance(version, dict):
        raise bad_request("currentVersion must be an object {version, fileName}")
    upload = None
    if handle is not None:
        upload = tenant.uploads.get(str(handle))
        if upload is None:
            raise bad_request(f"unknown upload handle {handle!r}: POST the file to /upload first")
    doc_code = data.get("docObjCode")
    obj_id = data.get("objID")
    if doc_code and obj_id:
        target = resolve_obj_code(str(doc_code))
        if target is None or tenant.store.get_raw(target, str(obj_id)) is None:
            raise bad_request(f"document target {doc_code} {obj_id} does not exist")
        data["docObjCode"] = target
    data.setdefault("ownerID", call.user_id)
    now = tenant.now()
    doc_id = tenant.store.create(
        "DOCU", data, now=now, user_id=call.user_id, new_id=_new(call), changes=call.changes
    )
    if upload is not None or version:
        file_name = version.get("fileName") or (upload[0] if upload else None)
        version_id = tenant.store.create(
            "DOCV",
            {
                "documentID": doc_id,
                "version": str(version.get("version", "1")),
                "fileName": file_name,
                "fileSize": len(upload[1]) if upload else None,
                "handle": handle,
            },
            now=now,
            user_id=call.user_id,
            new_id=_new(call),
            changes=call.changes,
        )
        tenant.store.update_raw("DOCU", doc_id, {"currentVersionID": version_id})
    return doc_id


# Fields the server sets anew on a copy (numbers, WBS and projections are recomputed).
_NOT_COPIED = frozenset(
    {
        "ID",
        "entryDate",
        "lastUpdateDate",
        "enteredByID",
        "lastUpdatedByID",
        "taskNumber",
        "wbs",
        "progressStatus",
        "projectedStartDate",
        "projectedCompletionDate",
    }
)
# The children a copy brings along: type -> (child type, the child's link to its owner).
_COPIED_CHILDREN = {"PROJ": ("TASK", "projectID"), "TMPL": ("TTSK", "templateID")}


def _copy_data(code: str, row: Mapping[str, Any], skip: set[str]) -> dict[str, Any]:
    otype = OBJ_TYPES[code]
    data: dict[str, Any] = {f: row[f] for f in otype.fields if f not in skip and row[f] is not None}
    for key, kind in otype.fields.items():
        if kind == "date" and key in data:
            data[key] = data[key] + "Z"
    if row.get("_de"):
        data.update(orjson.loads(row["_de"]))
    return data


def _copy(call: _Call, code: str, source_id: str, overrides: Mapping[str, Any]) -> str:
    store = call.tenant.store
    src = store.get_raw(code, source_id)
    if src is None:
        raise not_found(code, source_id)
    skip = set(_NOT_COPIED)
    if code == "TASK":
        skip.add("portfolioID")
    data = _copy_data(code, src, skip)
    data.update(overrides)
    new_id = _create_one(call, code, data)
    if code in _COPIED_CHILDREN:
        child, link = _COPIED_CHILDREN[code]
        kids = store.query(
            f'SELECT * FROM "{child}" WHERE "{link}" = ? ORDER BY rowid', (source_id,)
        )
        mapping: dict[str, str] = {}
        for kid in kids:
            kid_skip = skip | {"portfolioID", link, "parentID"}
            if child != "TASK":
                kid_skip.discard("taskNumber")  # only tasks are numbered anew
            kid_data = _copy_data(child, kid, kid_skip)
            kid_data[link] = new_id
            if kid["parentID"]:
                kid_data["parentID"] = mapping.get(kid["parentID"])
            mapping[kid["ID"]] = _create_one(call, child, kid_data)
    return new_id


def _create_call(call: _Call, code: str) -> Any:
    source = call.p("copySourceID")
    updates = _updates_from(call, code)
    if source:
        if not isinstance(updates, dict):
            raise bad_request("a copy takes the fields to change as an object")
        new_id = call.savepoint(lambda: _copy(call, code, source, updates))
        return call.render_ids(code, [new_id])[0]
    if isinstance(updates, list):
        return _bulk(call, code, updates, create=True)
    new_id = call.savepoint(lambda: _create_new(call, code, updates))
    return call.render_ids(code, [new_id])[0]


def _bulk(call: _Call, code: str, items: list[Any], *, create: bool) -> Any:
    if len(items) > MAX_BULK:
        raise bad_request(
            f"a bulk call takes at most {MAX_BULK} objects, got {len(items)}; split it"
        )
    atomic = _truthy(call.p("atomic"))

    def one(item: Any) -> str:
        if not isinstance(item, dict):
            raise bad_request("each bulk element must be a JSON object")
        if create and "ID" not in item:
            return _create_new(call, code, item)
        obj_id = item.get("ID")
        if not obj_id:
            raise bad_request("each element of a bulk edit needs its ID")
        data = {k: v for k, v in item.items() if k != "ID"}
        old = call.tenant.store.get_raw(code, str(obj_id)) if code == "PARAM" else None
        call.tenant.store.edit(
            code,
            str(obj_id),
            data,
            now=call.tenant.now(),
            user_id=call.user_id,
            new_id=_new(call),
            changes=call.changes,
        )
        _sync_forms(call, code, str(obj_id), data)
        _sync_custom_fields(call, code, str(obj_id), old)
        return str(obj_id)

    if atomic:
        call.savepoint(lambda: [one(item) for item in items])
        return {"success": True}
    # Not atomic: each element commits on its own; the first failure stops the call
    # and the elements before it stay done.
    ids: list[str] = []
    for item in items:
        ids.append(call.savepoint(functools.partial(one, item)))
    return [call.render_ids(code, [i])[0] for i in ids]


def _bulk_edit(call: _Call, code: str) -> Any:
    action = call.p("action")
    if action:
        return _type_action(call, code, action)
    updates = _updates_from(call, code)
    if not isinstance(updates, list):
        raise bad_request(
            f"PUT /{call.segments[0]} without an ID takes updates=[{{...}}, ...] (a bulk edit); "
            f"to edit one object use PUT /{call.segments[0]}/<ID>",
            status=400,
        )
    return _bulk(call, code, updates, create=False)


def _edit(call: _Call, code: str, obj_id: str) -> Any:
    updates = _updates_from(call, code)
    if not isinstance(updates, dict):
        raise bad_request("updates for one object must be a JSON object")
    tenant = call.tenant

    def edit() -> None:
        old = tenant.store.get_raw(code, obj_id) if code == "PARAM" else None
        tenant.store.edit(
            code,
            obj_id,
            updates,
            now=tenant.now(),
            user_id=call.user_id,
            new_id=_new(call),
            changes=call.changes,
        )
        _sync_forms(call, code, obj_id, updates)
        _sync_custom_fields(call, code, obj_id, old)

    call.savepoint(edit)
    return call.render_ids(code, [obj_id])[0]


def _delete(call: _Call, code: str, obj_id: str) -> Any:
    tenant = call.tenant
    force = _truthy(call.p("force"))

    def delete() -> None:
        row = tenant.store.get_raw(code, obj_id) if code in _FIELD_PARTS else None
        if row is not None:
            _delete_field_parts(call, code, obj_id)
        tenant.store.delete(
            code,
            obj_id,
            force=force,
            now=tenant.now(),
            user_id=call.user_id,
            new_id=_new(call),
            changes=call.changes,
        )
        if code == "PARAM" and row is not None:
            tenant.store.drop_custom_field(row["name"])

    call.savepoint(delete)
    return {"success": True}


def _delete_many(call: _Call, code: str) -> Any:
    ids = _ids_param(call)
    if not ids:
        raise bad_request(f"DELETE /{code} needs an ID in the path or id=<ID>,<ID>", status=400)
    for obj_id in ids:
        _delete(call, code, obj_id)
    return {"success": True}


# -- actions -------------------------------------------------------------------


def _action(call: _Call, code: str, obj_id: str, action: str) -> Any:
    declared = OBJ_TYPES[code].actions
    if action not in declared:
        # the schema table is the list of actions (GET /<obj>/metadata shows them)
        known = ", ".join(sorted(declared)) or "none"
        raise bad_request(f"unknown action {action!r} on {code}; {code} has: {known}")
    tenant = call.tenant
    store = tenant.store
    row = store.get_raw(code, obj_id)
    if row is None:
        raise not_found(code, obj_id)
    now = tenant.now()

    def edit(data: Mapping[str, Any], target: str = code, target_id: str = obj_id) -> None:
        store.edit(
            target,
            target_id,
            data,
            now=now,
            user_id=call.user_id,
            new_id=_new(call),
            changes=call.changes,
        )

    name = action
    if code == "CTGY" and name in _FORM_ACTIONS:
        call.savepoint(lambda: _form_action(call, name, obj_id))
        return {"result": None}
    if name in _ACTIONS_WITHOUT_ID.get(code, ()):
        raise bad_request(
            f"action {action!r} on {code} takes no object ID: PUT /{code.lower()}?action={action}"
        )
    if name == "move" and code in ("TASK", "OPTASK"):
        project = call.p("projectID")
        if not project:
            raise bad_request("move needs projectID=<ID of the target project>")
        call.savepoint(lambda: _move(call, code, obj_id, project, None))
        return {"result": None}
    if name in ("assign", "unassign") and code in ("TASK", "OPTASK"):
        call.savepoint(lambda: _assign(call, code, obj_id, row, name))
        return {"result": None}
    if name == "share":
        accessor, accessor_code = call.p("accessorID"), call.p("accessorObjCode")
        if not accessor or accessor_code not in ("USER", "TEAMOB", "GROUP", "ROLE", "COMPY"):
            raise bad_request("share needs accessorID and accessorObjCode=USER|TEAMOB|GROUP|ROLE")
        rule = {
            "accessorID": accessor,
            "accessorObjCode": accessor_code,
            "coreAction": call.p("coreAction") or "VIEW",
            "securityObjCode": code,
            "securityObjID": obj_id,
        }
        rule_id = call.savepoint(
            lambda: store.create(
                "ACSRUL",
                rule,
                now=now,
                user_id=call.user_id,
                new_id=_new(call),
                changes=call.changes,
            )
        )
        return {
            "result": call.tenant.store.render(
                "ACSRUL", store.fetch_by("ACSRUL", "ID", [rule_id]), {"*": {}}
            )[0]
        }
    if name == "attachTemplate" and code == "PROJ":
        return {"result": call.savepoint(lambda: _attach_template_action(call, obj_id))}
    if name == "calculateTimeline" and code == "PROJ":
        span = store.query(
            'SELECT MIN("plannedStartDate") AS s, MAX("plannedCompletionDate") AS e '
            'FROM "TASK" WHERE "projectID" = ?',
            (obj_id,),
        )[0]
        if span["s"] is not None:
            call.savepoint(
                lambda: edit(
                    {"plannedStartDate": span["s"] + "Z", "plannedCompletionDate": span["e"] + "Z"}
                )
            )
        return {"result": None}
    if name == "calculateFinance" and code == "PROJ":
        total = store.query(
            'SELECT COALESCE(SUM("hours"), 0) AS h FROM "HOUR" WHERE "projectID" = ?', (obj_id,)
        )[0]["h"]
        call.savepoint(lambda: edit({"actualCost": float(total) * 100.0}))
        return {"result": None}
    if name == "calculateDataExtension":
        return {"result": None}
    if name in ("approveApproval", "rejectApproval", "recallApproval") and code in (
        "PROJ",
        "TASK",
        "OPTASK",
        "DOCU",
    ):
        if "approvalStatus" not in OBJ_TYPES[code].fields:
            raise bad_request(f"{code} objects have no approval process in this tenant")
        status = {"approveApproval": "A", "rejectApproval": "R", "recallApproval": "N"}[name]
        call.savepoint(lambda: edit({"approvalStatus": status}))
        return {"result": None}
    if name == "markViewed" and code == "WORKITEM":
        call.savepoint(lambda: edit({"isMarkedAsViewed": True, "lastViewedDate": now}))
        return {"result": None}
    raise bad_request(
        f"action {action!r} on {code} takes no object ID: PUT /{code.lower()}/{action} "
        f"or PUT /{code.lower()}?action={action}"
    )


# Actions on an object type rather than one object: ``PUT /<obj>?action=<name>``.
# The official client sends them (``execute(objCode, null, action, args)`` in
# Workfront/workfront-api src/Api.ts: "objID ... Optional, pass null or undefined
# to omit", then ``params.action = action`` on ``PUT /<objCode>``); workfront-sdk's
# ``bulk_action`` sends ``PUT /TASK?action=bulkMove`` with the arguments as a JSON body.
_ACTIONS_WITHOUT_ID: dict[str, tuple[str, ...]] = {"TASK": ("bulkMove",)}


def _move(call: _Call, code: str, obj_id: str, project: str, parent: str | None) -> None:
    """Move one task (its subtasks follow) or issue to another project."""
    store, now = call.tenant.store, call.tenant.now()

    def edit(data: Mapping[str, Any], target_id: str) -> None:
        store.edit(
            code,
            target_id,
            data,
            now=now,
            user_id=call.user_id,
            new_id=_new(call),
            changes=call.changes,
        )

    edit({"projectID": project, **({"parentID": parent} if code == "TASK" else {})}, obj_id)
    if code == "TASK":
        stack = [obj_id]
        while stack:
            above = stack.pop()
            for kid in store.fetch_by("TASK", "parentID", [above]):
                edit({"projectID": project}, kid["ID"])
                stack.append(kid["ID"])


def _assign(call: _Call, code: str, obj_id: str, row: Mapping[str, Any], name: str) -> None:
    """assign(objID, objCode) adds an assignment; unassign(userID) removes a user's."""
    store, now = call.tenant.store, call.tenant.now()
    owner = "taskID" if code == "TASK" else "opTaskID"
    stamp: dict[str, Any] = {
        "now": now,
        "user_id": call.user_id,
        "new_id": _new(call),
        "changes": call.changes,
    }
    if name == "assign":
        target, target_code = call.p("objID"), (call.p("objCode") or "").upper()
        column = {"USER": "assignedToID", "ROLE": "roleID"}.get(target_code)
        if not target or column is None:
            raise bad_request("assign needs objID=<ID> and objCode=USER or ROLE")
        if store.get_raw(target_code, target) is None:
            raise not_found(target_code, target)
        data = {owner: obj_id, "projectID": row["projectID"], column: target}
        store.create("ASSGN", data, **stamp)
        if column == "assignedToID" and not row["assignedToID"]:
            store.edit(code, obj_id, {"assignedToID": target}, **stamp)
        return
    user = call.p("userID")
    if not user:
        raise bad_request("unassign needs userID=<ID of the assigned user>")
    held = [a for a in store.fetch_by("ASSGN", owner, [obj_id]) if a["assignedToID"] == user]
    if not held and row["assignedToID"] != user:
        raise bad_request(f"user {user} is not assigned to {code} {obj_id}")
    for assignment in held:
        store.delete("ASSGN", assignment["ID"], force=True, **stamp)
    if row["assignedToID"] == user:
        left = [a["assignedToID"] for a in store.fetch_by("ASSGN", owner, [obj_id])]
        store.edit(code, obj_id, {"assignedToID": next((u for u in left if u), None)}, **stamp)


def _action_arg(call: _Call, name: str) -> Any:
    """An action argument: from a JSON object body, else from the parameters.

    A list argument may come as repeated parameters (the official client's
    ``queryStringify``), as a JSON array, or comma-separated.
    """
    if call.req.content_type.startswith("application/json") and call.req.body.strip():
        body = _json_param("request body", call.req.body.decode("utf-8", "replace"))
        if not isinstance(body, dict):
            raise bad_request("the arguments of an action in a JSON body must be a JSON object")
        if name in body:
            return body[name]
    values = [v for k, v in call.params if k == name]
    if len(values) == 1 and values[0].lstrip().startswith("["):
        return _json_param(name, values[0])
    if len(values) == 1:
        return values[0]
    return values or None


def _type_action(call: _Call, code: str, action: str) -> Any:
    if code == "CTGY" and action in _FORM_ACTIONS:
        call.savepoint(lambda: _form_action(call, action, None))
        return {"result": None}
    known = _ACTIONS_WITHOUT_ID.get(code, ())
    if action not in known:
        if action in OBJ_TYPES[code].actions:
            raise bad_request(
                f"action {action!r} needs an object ID: PUT /{code.lower()}/<ID>/{action}"
            )
        listed = ", ".join(known) or "none"
        raise bad_request(
            f"unknown action {action!r} on {code}; actions without an object ID: {listed}"
        )
    # bulkMove(taskIDs, projectID[, parentID]): move every task into the project
    raw_ids = _action_arg(call, "taskIDs")
    ids = raw_ids.split(",") if isinstance(raw_ids, str) else raw_ids
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
        raise bad_request("bulkMove needs taskIDs: a list of task IDs")
    project = _action_arg(call, "projectID")
    if not isinstance(project, str) or not project:
        raise bad_request("bulkMove needs projectID=<ID of the target project>")
    parent = _action_arg(call, "parentID") or None
    store = call.tenant.store
    if store.get_raw("PROJ", project) is None:
        raise not_found("PROJ", project)
    if parent is not None:
        above = store.get_raw("TASK", parent)
        if above is None:
            raise not_found("TASK", parent)
        if above["projectID"] != project:
            raise bad_request("bulkMove: parentID must be a task of the target project")
    for task_id in ids:
        if store.get_raw("TASK", task_id) is None:
            raise not_found("TASK", task_id)

    def move_all() -> None:
        for task_id in ids:
            _move(call, "TASK", task_id, project, parent)

    call.savepoint(move_all)
    return {"result": None}


# -- templates -----------------------------------------------------------------


def _attach_template_action(call: _Call, project_id: str) -> str:
    """``PUT /proj/<ID>/attachTemplate?templateID=...`` (arguments as real PROJ metadata
    lists them: templateID, predecessorTaskID, parentTaskID, excludeTemplateTaskIDs,
    options)."""
    template_id = _action_arg(call, "templateID")
    if not isinstance(template_id, str) or not template_id:
        raise bad_request("attachTemplate needs templateID=<ID of the template (TMPL)>")
    excluded = _action_arg(call, "excludeTemplateTaskIDs") or []
    if isinstance(excluded, str):
        excluded = [i for i in excluded.split(",") if i]
    if not isinstance(excluded, list) or not all(isinstance(i, str) for i in excluded):
        raise bad_request("attachTemplate: excludeTemplateTaskIDs must be a list of TTSK IDs")
    parent = _action_arg(call, "parentTaskID") or None
    predecessor = _action_arg(call, "predecessorTaskID") or None
    for name, value in (("parentTaskID", parent), ("predecessorTaskID", predecessor)):
        if value is None:
            continue
        task = call.tenant.store.get_raw("TASK", str(value))
        if task is None:
            raise not_found("TASK", str(value))
        if task["projectID"] != project_id:
            raise bad_request(f"attachTemplate: {name} must be a task of project {project_id}")
    # options (copy options of the real action) are accepted; none changes what is copied
    _attach_template(
        call,
        project_id,
        template_id,
        parent=parent,
        predecessor=predecessor,
        excluded=frozenset(excluded),
    )
    # The metadata gives the result type (string), not its value; the project's ID is
    # a plausible answer (Workfront's own is not documented).
    return project_id


def _attach_template(
    call: _Call,
    project_id: str,
    template_id: str,
    *,
    parent: str | None = None,
    predecessor: str | None = None,
    excluded: frozenset[str] = frozenset(),
) -> None:
    """Copy each template task (TTSK) of a template into a task of the project.

    Each task keeps the template task's name, description, duration, work, priority
    and role, points back to it (``templateTaskID``) and keeps its place in the
    outline (tasks are made parents first, in taskNumber order, after the project's
    existing tasks). It starts ``startDay`` days after the project's planned start;
    its planned completion follows from its duration. A task of the project named
    as ``parent`` receives the template's top tasks; a ``predecessor`` task becomes
    their enforced finish-start predecessor. Template tasks in ``excluded`` are left
    out with their subtasks. The project's planned completion grows to cover the
    new tasks, and a project without a template records this one.
    """
    store, now = call.tenant.store, call.tenant.now()
    if store.get_raw("TMPL", template_id) is None:
        raise not_found("TMPL", template_id)
    project = store.get_raw("PROJ", project_id)
    if project is None:
        raise not_found("PROJ", project_id)
    start = from_store(project["plannedStartDate"]) if project["plannedStartDate"] else now
    ttsks = store.query(
        'SELECT * FROM "TTSK" WHERE "templateID" = ? ORDER BY "taskNumber", rowid',
        (template_id,),
    )
    kids: dict[str | None, list[dict[str, Any]]] = {}
    known = {t["ID"] for t in ttsks}
    for ttsk in ttsks:
        above = ttsk["parentID"] if ttsk["parentID"] in known else None
        kids.setdefault(above, []).append(ttsk)
    stamp: dict[str, Any] = {
        "now": now,
        "user_id": call.user_id,
        "new_id": _new(call),
        "changes": call.changes,
    }
    made: list[str] = []

    def copy(ttsk: dict[str, Any], parent_id: str | None) -> None:
        if ttsk["ID"] in excluded:
            return
        data: dict[str, Any] = {
            "name": ttsk["name"],
            "projectID": project_id,
            "parentID": parent_id,
            "templateTaskID": ttsk["ID"],
            "plannedStartDate": start + timedelta(days=ttsk["startDay"] or 0),
        }
        for field in ("description", "duration", "workRequired", "priority", "roleID"):
            if ttsk[field] is not None:
                data[field] = ttsk[field]
        task_id = _create_one(call, "TASK", data)
        made.append(task_id)
        if parent_id == parent and predecessor is not None:
            store.create(
                "PRED",
                {
                    "predecessorID": predecessor,
                    "successorID": task_id,
                    "predecessorType": "fs",
                    "isEnforced": True,
                },
                **stamp,
            )
        for kid in kids.get(ttsk["ID"], []):
            copy(kid, task_id)

    for top in kids.get(None, []):
        copy(top, parent)
    changes: dict[str, Any] = {}
    if made:
        end = store.query_column(
            f'SELECT MAX("plannedCompletionDate") FROM "TASK" WHERE "ID" IN '
            f"({','.join('?' * len(made))})",
            made,
        )[0]
        if end and (project["plannedCompletionDate"] or "") < end:
            changes["plannedCompletionDate"] = from_store(end)
    if not project["templateID"]:
        changes["templateID"] = template_id
    if changes:
        store.edit("PROJ", project_id, changes, **stamp)


# -- custom forms --------------------------------------------------------------


def _sync_forms(call: _Call, code: str, obj_id: str, data: Mapping[str, Any]) -> None:
    """Keep an object's custom forms and its ``categoryID`` in step after a write.

    ``objectCategories`` (OBJCAT links, in categoryOrder) lists an object's custom
    forms; ``categoryID`` is the first of them. Setting ``categoryID`` attaches that
    form as the first one (the others follow it); clearing it detaches the first
    form. Replacing ``objectCategories`` makes ``categoryID`` the first form listed.
    A form attaches only to objects of its ``catObjCode``. What Workfront does with
    each combination is not documented: this is the plausible reading of the
    field pages (categoryID "ID of the Category", objectCategories a collection).
    """
    otype = OBJ_TYPES[code]
    if "objectCategories" not in otype.collections:
        return
    if not {"categoryID", "category", "objectCategories"} & set(data):
        return
    store = call.tenant.store
    stamp: dict[str, Any] = {
        "now": call.tenant.now(),
        "user_id": call.user_id,
        "new_id": _new(call),
        "changes": call.changes,
    }
    links = store.query(
        'SELECT * FROM "OBJCAT" WHERE "objID" = ? ORDER BY "categoryOrder", rowid', (obj_id,)
    )
    if "objectCategories" not in data:
        wanted = store.get_raw(code, obj_id)
        assert wanted is not None
        form = wanted["categoryID"]
        if form is None:
            for link in links[:1]:
                store.delete("OBJCAT", link["ID"], force=True, **stamp)
            links = links[1:]
        else:
            held = [link for link in links if link["categoryID"] == form]
            if not held:
                store.create("OBJCAT", {"objID": obj_id, "categoryID": form}, **stamp)
                held = store.query(
                    'SELECT * FROM "OBJCAT" WHERE "objID" = ? AND "categoryID" = ?',
                    (obj_id, form),
                )
            links = held[:1] + [link for link in links if link["ID"] != held[0]["ID"]]
    for order, link in enumerate(links):
        form_row = store.get_raw("CTGY", link["categoryID"])
        if form_row is not None and form_row["catObjCode"] not in (None, code):
            raise bad_request(
                f"custom form {form_row['name']!r} ({link['categoryID']}) is for "
                f"{form_row['catObjCode']} objects and cannot be attached to a {code}"
            )
        if link["categoryOrder"] != order or link["objObjCode"] != code:
            store.update_raw("OBJCAT", link["ID"], {"categoryOrder": order, "objObjCode": code})
    first = links[0]["categoryID"] if links else None
    row = store.get_raw(code, obj_id)
    assert row is not None
    if row["categoryID"] != first:
        store.update_raw(code, obj_id, {"categoryID": first})


# The actions of a custom form (Adobe's API page "Category"): attach one form
# (categoryID) or several (categoryIDs) to an object (objID, objCode), or detach
# them. Sent on the type (PUT /ctgy?action=assignCategory&...) or on a form
# (PUT /ctgy/<ID>/assignCategory?objID=...&objCode=..., the form in the path
# standing for categoryID when it is left out).
_FORM_ACTIONS = ("assignCategory", "assignCategories", "unassignCategory", "unassignCategories")


def _form_action(call: _Call, action: str, form_id: str | None) -> None:
    store = call.tenant.store
    obj_id = _action_arg(call, "objID")
    raw_code = _action_arg(call, "objCode")
    code = resolve_obj_code(raw_code) if isinstance(raw_code, str) else None
    if not isinstance(obj_id, str) or not obj_id or code is None:
        raise bad_request(f"{action} needs objID=<ID> and objCode=PROJ, TASK or OPTASK")
    if "objectCategories" not in OBJ_TYPES[code].collections:
        raise bad_request(f"{action}: custom forms attach to PROJ, TASK or OPTASK, not {code}")
    if store.get_raw(code, obj_id) is None:
        raise not_found(code, obj_id)
    several = action.endswith("Categories")
    if several:
        raw = _action_arg(call, "categoryIDs")
        forms = raw.split(",") if isinstance(raw, str) else raw
    else:
        one = _action_arg(call, "categoryID") or form_id
        forms = [one] if one else None
    if not isinstance(forms, list) or not forms or not all(isinstance(f, str) for f in forms):
        wanted = "categoryIDs=<ID>,<ID>..." if several else "categoryID=<ID>"
        raise bad_request(f"{action} needs {wanted} (custom forms, CTGY)")
    for form in forms:
        if store.get_raw("CTGY", form) is None:
            raise not_found("CTGY", form)
    stamp: dict[str, Any] = {
        "now": call.tenant.now(),
        "user_id": call.user_id,
        "new_id": _new(call),
        "changes": call.changes,
    }
    links = store.query(
        'SELECT * FROM "OBJCAT" WHERE "objID" = ? ORDER BY "categoryOrder", rowid', (obj_id,)
    )
    held = {link["categoryID"]: link for link in links}
    if action.startswith("assign"):
        for form in dict.fromkeys(forms):
            if form not in held:
                data = {"objID": obj_id, "categoryID": form, "categoryOrder": len(links) + 1}
                store.create("OBJCAT", data, **stamp)
    else:
        for form in forms:
            if form in held:
                store.delete("OBJCAT", held[form]["ID"], force=True, **stamp)
    # renumber, check the forms' object types and set categoryID to the first form
    _sync_forms(call, code, obj_id, {"objectCategories": None})


# -- custom fields and the forms that hold them -------------------------------------
#
# A custom field is a PARAM named as its values' ``DE:<name>``; its choices are POPT
# rows (``parameterOptions``) and a form lists its fields as CTGYPA rows
# (``categoryParameters``), in displayOrder (python-workfront's generated v40.py;
# workfront-sdk's WFCustomForm.get_parameters and WFParamenter.get_value_options).

# What deleting an object also deletes: (child ObjCode, its foreign key).
_FIELD_PARTS = {
    "PARAM": (("POPT", "parameterID"), ("CTGYPA", "parameterID")),
    "CTGY": (("CTGYPA", "categoryID"),),
}


def _sync_custom_fields(call: _Call, code: str, obj_id: str, old: Mapping[str, Any] | None) -> None:
    """After a write of a custom field, an option or a form's field (``old``: the row
    before an edit, None after a create): a PARAM defines (or renames) the custom
    field ``DE:<name>``; new options and form fields get the next displayOrder; a
    name is used once among fields, a value once among a field's options, a field
    once on a form."""
    store = call.tenant.store
    if code == "PARAM":
        row = store.get_raw(code, obj_id)
        assert row is not None
        name = str(row["name"])
        if name.startswith("DE:"):
            raise bad_request(f"PARAM.name is the field's name without 'DE:': send {name[3:]!r}")
        try:
            kind = param_kind(row["dataType"], row["displayType"])
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        twins = store.query_column(
            'SELECT "ID" FROM "PARAM" WHERE "name" = ? AND "ID" != ?', (name, obj_id)
        )
        if twins:
            raise bad_request(
                f"a custom field named {name!r} exists already (PARAM {twins[0]}); "
                "custom field names are unique: edit that one or choose another name"
            )
        if old is not None:
            before = param_kind(old["dataType"], old["displayType"])
            if before != kind:
                raise bad_request(
                    f"custom field {old['name']!r} holds {before} values and cannot become "
                    f"{kind} (dataType {row['dataType']}, displayType {row['displayType']}); "
                    "make a new custom field instead"
                )
            store.rename_custom_field(str(old["name"]), name)
        store.custom_types["DE:" + name] = kind
        _number(call, "POPT", "parameterID", obj_id)
    elif code == "CTGY":
        _number(call, "CTGYPA", "categoryID", obj_id)
    elif code in ("CTGYPA", "POPT"):
        row = store.get_raw(code, obj_id)
        assert row is not None
        parent = row["categoryID" if code == "CTGYPA" else "parameterID"]
        _number(call, code, "categoryID" if code == "CTGYPA" else "parameterID", parent)


def _number(call: _Call, code: str, fk: str, parent: str) -> None:
    """Give the CTGYPA or POPT rows of ``parent`` without a displayOrder the next ones
    (in the order they were made); an option without a label shows its value. Refuse
    a field twice on a form or a value twice among a field's options."""
    store = call.tenant.store
    rows = store.query(f'SELECT * FROM "{code}" WHERE "{fk}" = ? ORDER BY rowid', (parent,))
    key = "parameterID" if code == "CTGYPA" else "value"
    seen: set[Any] = set()
    for row in rows:
        if row[key] in seen:
            what = (
                f"custom field {row['parameterID']} is on custom form {parent} already"
                if code == "CTGYPA"
                else f"custom field {parent} has an option {row['value']!r} already"
            )
            raise bad_request(what + "; edit the one there is")
        seen.add(row[key])
    top = max((r["displayOrder"] for r in rows if r["displayOrder"] is not None), default=-1)
    for row in rows:
        changes: dict[str, Any] = {}
        if row["displayOrder"] is None:
            top += 1
            changes["displayOrder"] = top
        if code == "POPT" and row["label"] is None:
            changes["label"] = row["value"]
        if changes:
            store.update_raw(code, row["ID"], changes)


def _delete_field_parts(call: _Call, code: str, obj_id: str) -> None:
    """Deleting a custom field deletes its options and takes it off every form;
    deleting a form deletes its list of fields (the fields stay)."""
    store = call.tenant.store
    stamp: dict[str, Any] = {
        "now": call.tenant.now(),
        "user_id": call.user_id,
        "new_id": _new(call),
        "changes": call.changes,
    }
    for child, fk in _FIELD_PARTS[code]:
        for kid in store.fetch_by(child, fk, [obj_id]):
            store.delete(child, kid["ID"], force=True, **stamp)


# -- upload --------------------------------------------------------------------


def _upload(call: _Call) -> Any:
    ctype = call.req.content_type
    if not ctype.startswith("multipart/form-data"):
        raise bad_request(
            "upload needs a multipart/form-data body with a file field uploadedFile", 400
        )
    raw_ctype = call.req.headers.get("content-type", ctype)
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + raw_ctype.encode("latin-1") + b"\r\n\r\n" + call.req.body
    )
    for part in message.iter_parts():
        disposition = part.get("Content-Disposition", "")
        if 'name="uploadedFile"' in disposition:
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            handle = call.tenant.new_id()
            call.tenant.uploads[handle] = (part.get_filename() or "upload.bin", data)
            return {"handle": handle}
    raise bad_request("upload: no file field named uploadedFile in the multipart body", 400)
