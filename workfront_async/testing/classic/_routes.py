"""The classic REST API's routes: a table of path patterns and the handlers that
answer them, and the wing the host mounts at ``/attask/api``.

Paths: ``/attask/api/v<N>.0/``, the unversioned ``/attask/api/`` (the latest
version), ``/attask/api-internal/``, ``/attask/api-unsupported/`` and
``/attask/api/unsupported/`` all reach the same endpoints (docs/api-notes.md §1
and §4). The method is the ``method=`` parameter when there is one, else the
HTTP method. Rows are tried in order; the first whose pattern matches the path
after the prefix (and whose ``when`` holds) decides. The ``tag`` of a row says
how the caller is authenticated before its handler runs: ``session`` (any
credential, a cookie too), ``explicit`` (not a cookie) or ``write`` (not a
cookie unless the method is GET); untagged rows authenticate themselves.
"""

from __future__ import annotations

import re
from typing import Final

import attrs

from .._server._errors import ILLEGAL, MethodNotAllowed, NotFound, ServerError
from .._server._http import ANY, Reply, Request, Route, Router, first
from . import _actions, _auth, _batch, _metadata, _reads, _writes
from ._call import API_VERSIONS, LATEST, ClassicCall, data
from ._filters import bad_request
from ._named import NAMED_QUERIES, named_query
from ._schema import resolve_obj_code
from ._tenant import Tenant

__all__ = ["ROUTES", "ClassicAPI"]

# group 1: the prefix as sent; group 2: the version (None: the latest); group 3: the rest
_PREFIX = re.compile(
    r"^(/attask/api-(?:internal|unsupported)|/attask/api(?:/(?:v(\d+)\.0|unsupported|internal))?)"
    r"(/.*)?$",
    re.IGNORECASE,
)
_KEY_ACTIONS = ("generateApiKey", "getApiKey", "clearApiKey")
_METHODS = ("GET", "POST", "PUT", "DELETE")
_OBJ = r"/(?P<obj>[^/]+)"
_ID = r"/(?P<id>[^/]+)"


def _code(call: ClassicCall) -> str:
    code = resolve_obj_code(call.args["obj"])
    assert code is not None  # rows after the unknown-type row see known types only
    return code


# -- handlers: parse the path, call the code that holds the semantics -------------------


def _no_object_type(call: ClassicCall) -> Reply:
    raise NotFound("no object type in the path", error_class=ILLEGAL)


def _unknown_type(call: ClassicCall) -> Reply:
    raise bad_request(
        f"unknown object type {call.segments[0]!r}; use an ObjCode (proj, task, optask, user, "
        "...) or its long name (project, issue, ...)"
    )


def _unknown_method(call: ClassicCall) -> Reply:
    raise MethodNotAllowed(
        f"method {call.method} is not allowed on /{'/'.join(call.segments)}; "
        "use GET, POST, PUT or DELETE"
    )


def _login(call: ClassicCall) -> Reply:
    """``/login`` answers the session and sets it as a cookie: Adobe's "API basics"
    page, Login: "This sets a cookie to authenticate future requests as well as
    return a JSON response with the newly created sessionID" (a cookie that, as
    the page says under Cookie-Based Authentication, authenticates reads only)."""
    answer = _auth.login(call)
    return Reply(200, {"data": answer}, ((_auth.SET_COOKIE, _auth.session_cookie(answer)),))


def _logout(call: ClassicCall) -> Reply:
    # "The sessionID to be logged out can be specified either as a cookie, request
    # header, or request parameter" (Adobe's "API basics" page, Logout)
    for token in (call.req.headers.get("sessionid"), call.p("sessionID"), _auth.cookie(call)):
        if token:
            call.tenant.end_session(token)
    return Reply(200, {"data": {"success": True}}, ((_auth.SET_COOKIE, _auth.CLEARED_COOKIE),))


def _key_action_param(call: ClassicCall) -> Reply:
    return data(_auth.api_key_action(call, str(call.p("action"))))


def _key_action_path(call: ClassicCall) -> Reply:
    # the action named in the path without an ID: PUT /user/generateApiKey?username=...
    return data(_auth.api_key_action(call, call.args["action"]))


def _is_named(call: ClassicCall) -> bool:
    code = resolve_obj_code(call.args["obj"])
    return (code, call.args["query"].lower()) in NAMED_QUERIES


def _named(call: ClassicCall) -> Reply:
    return data(named_query(call, _code(call), call.args["query"]))


def _edit_or_action(call: ClassicCall) -> Reply:
    action = call.p("action")
    if action:
        return data(_actions.action(call, _code(call), call.args["id"], action))
    return data(_writes.edit(call, _code(call), call.args["id"]))


def _is_user(call: ClassicCall) -> bool:
    return resolve_obj_code(call.args["obj"]) == "USER"


def _type_action_in_path(call: ClassicCall) -> bool:
    # the action named in the path: PUT /task/bulkMove, as PUT /user/generateApiKey
    code = resolve_obj_code(call.args["obj"])
    return (
        call.method == "PUT"
        and code is not None
        and call.args["id"] in _actions.ACTIONS_WITHOUT_ID.get(code, ())
    )


R = Route[ClassicCall]

ROUTES: Final[tuple[R, ...]] = (
    R(r"/", {ANY: _no_object_type}),
    R(r"/login", {ANY: _login}, flags=re.I),
    R(r"/metadata", {ANY: lambda c: data(_metadata.metadata_index(c))}, tag="session", flags=re.I),
    R(r"/batch", {ANY: lambda c: data(_batch.batch(c))}, tag="session", flags=re.I),
    R(r"/upload", {ANY: lambda c: data(_writes.upload(c))}, tag="explicit", flags=re.I),
    R(r"/logout", {ANY: _logout}, tag="session", flags=re.I),
    R(_OBJ, {ANY: _key_action_param}, when=lambda c: _is_user(c) and c.p("action") in _KEY_ACTIONS),
    R(
        _OBJ + r"/(?P<action>generateApiKey|getApiKey|clearApiKey)",
        {ANY: _key_action_path},
        when=_is_user,
    ),
    R(r"/work/mywork", {ANY: lambda c: data(_reads.my_work(c))}, tag="session", flags=re.I),
    R(
        r"/(?P<obj>[^/]+)(?:/.*)?",
        {ANY: _unknown_type},
        when=lambda c: resolve_obj_code(c.args["obj"]) is None,
    ),
    R(
        r"/[^/]+(?:/.*)?",
        {ANY: _unknown_method},
        tag="session",
        when=lambda c: c.method not in _METHODS,
    ),
    R(_OBJ + r"/(?P<query>[^/]+)", {"GET": _named}, tag="session", when=_is_named),
    R(
        _OBJ + "/search",
        {"GET": lambda c: data(_reads.search(c, _code(c)))},
        allow="GET (or method=GET)",
        tag="session",
    ),
    R(
        _OBJ + "/count",
        {"GET": lambda c: data(_reads.count(c, _code(c)))},
        allow="GET (or method=GET)",
        tag="session",
    ),
    R(
        _OBJ + "/report",
        {"GET": lambda c: data(_reads.report(c, _code(c)))},
        allow="GET (or method=GET)",
        tag="session",
    ),
    R(
        _OBJ + "/metadata",
        {"GET": lambda c: data(_metadata.metadata(c, _code(c)))},
        allow="GET (or method=GET)",
        tag="session",
    ),
    R(
        _OBJ,
        {
            "GET": lambda c: data(_reads.get_many(c, _code(c))),
            "POST": lambda c: data(_writes.create_call(c, _code(c))),
            "PUT": lambda c: data(_writes.bulk_edit(c, _code(c))),
            "DELETE": lambda c: data(_writes.delete_many(c, _code(c))),
        },
        tag="write",
    ),
    R(
        _OBJ + _ID,
        {"PUT": lambda c: data(_actions.type_action(c, _code(c), c.args["id"]))},
        when=_type_action_in_path,
        tag="write",
    ),
    R(
        _OBJ + _ID,
        {
            "GET": lambda c: data(_reads.get_one(c, _code(c), c.args["id"])),
            "PUT": _edit_or_action,
            "DELETE": lambda c: data(_writes.delete(c, _code(c), c.args["id"])),
        },
        allow="POST /{obj} to create, PUT /{obj}/<ID> to edit",
        tag="write",
    ),
    R(
        _OBJ + _ID + r"/(?P<action>[^/]+)",
        {
            m: lambda c: data(_actions.action(c, _code(c), c.args["id"], c.args["action"]))
            for m in ("PUT", "POST")
        },
        allow="PUT for actions",
        tag="write",
    ),
)


def _before(route: R, call: ClassicCall) -> None:
    """Authenticate as the row's tag asks (Adobe's "API basics" page: a cookie
    authenticates reads only)."""
    if not route.tag:
        return
    _auth.authenticate(call)
    if route.tag == "explicit" or (route.tag == "write" and call.method != "GET"):
        _auth.require_explicit(call)


def _missing(call: ClassicCall, path: str) -> ServerError:
    return NotFound(f"unknown path {path}", error_class=ILLEGAL)


_ROUTER: Final = Router(ROUTES, before=_before, missing=_missing)


@attrs.frozen
class ClassicAPI:
    """The classic REST API over one tenant: what the host mounts at ``/attask/api``."""

    tenant: Tenant

    def handle(self, request: Request) -> Reply:
        match = _PREFIX.match(request.path)
        if not match:
            return _error(
                NotFound(
                    f"unknown API path {request.path!r}: use /attask/api/v<N>.0/<objCode>/..., "
                    "/attask/api/<objCode>/... (the latest version) or /attask/api-internal/..."
                )
            )
        version = match.group(2)
        if version is not None and int(version) not in API_VERSIONS:
            return _error(
                NotFound(
                    f"API version v{version}.0 is not supported; use v{API_VERSIONS[0]}.0 to "
                    f"v{LATEST}.0, or leave the version out for the latest"
                )
            )
        params = list(request.params)
        segments = [s for s in (match.group(3) or "/").split("/") if s]
        call = ClassicCall(
            req=request,
            # "method=put &updates=..." (API basics, "Creating an Access Rule"): the
            # verb without the spaces around it
            method=(first(params, "method") or request.method).strip().upper(),
            tenant=self.tenant,
            params=params,
            segments=segments,
            dispatch=self.handle,
            prefix=match.group(1),
        )
        try:
            reply = _ROUTER(call, "/" + "/".join(segments))
        except ServerError as exc:
            # changes committed before the failure (a non-atomic bulk) still count
            return attrs.evolve(_error(exc), changes=tuple(call.changes))
        return attrs.evolve(reply, changes=tuple(call.changes))


def _error(exc: ServerError) -> Reply:
    return Reply(exc.status or 500, exc.body())
