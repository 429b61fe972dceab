"""The event subscription endpoints (docs/api-notes.md §2; Adobe's "Event
subscription API" page): a table of routes below
``/attask/eventsubscription/api/v1/subscriptions`` and the wing the host mounts
there.

``POST`` creates (201, ``{"id", "version"}``, ``Location``); ``GET`` lists
(``{"subscriptions", "meta"}``) or shows one; ``DELETE`` removes one;
``PUT <id>/version`` and ``PUT version`` change versions. Only a system
administrator, authenticated by a ``SessionID`` header (or a bearer token),
manages subscriptions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Protocol

import attrs
import orjson

from .._server._errors import ILLEGAL, NOT_FOUND_CLASS, Forbidden, ServerError
from .._server._http import Call, Reply, Request, Route, Router
from ._events import (
    MAX_PAGE,
    PREFIX,
    VERSIONS,
    Delivery,
    Subscription,
    legacy_json,
    set_version,
    validate_subscription,
)
from ._tenant import Tenant, auth_error

__all__ = ["EventsAPI", "ROUTES"]


class _Plain(ServerError):
    """An error of this API: ``{"error": {"class", "message"}}`` and nothing more."""

    def body(self) -> dict[str, Any]:
        return {"error": {"class": self.error_class, "message": self.message}}


def _bad(message: str) -> ServerError:
    return _Plain(message, status=400, error_class=ILLEGAL)


class Host(Protocol):
    """Where the subscriptions and the record of deliveries live (the ``Emulator``)."""

    tenant: Tenant
    subscriptions: dict[str, Subscription]
    deliveries: list[Delivery]


@attrs.define
class EventsCall(Call):
    host: Host = attrs.field(kw_only=True)

    @property
    def subs(self) -> dict[str, Subscription]:
        return self.host.subscriptions

    def now(self) -> datetime:
        return self.host.tenant.now()

    def load(self) -> Any:
        return orjson.loads(self.req.body or b"null")

    def shown(self, sub: Subscription) -> dict[str, Any]:
        done = [d for d in self.host.deliveries if d.subscription_id == sub.id]
        return sub.to_json(sum(d.ok for d in done), sum(not d.ok for d in done))


def _version_of(payload: Any) -> str:
    version = payload.get("version") if isinstance(payload, dict) else None
    if version not in VERSIONS:
        raise ValueError(f"version must be one of {', '.join(VERSIONS)}, not {version!r}")
    if version == "v1":
        raise ValueError(
            "subscriptions can no longer be downgraded to Version 1 (since release 25.3)"
        )
    return str(version)


# -- handlers ---------------------------------------------------------------------------


def _create(call: EventsCall) -> Reply:
    tenant = call.host.tenant
    try:
        sub = validate_subscription(
            call.load(), tenant.new_id(), now=call.now(), customer_id=tenant.customer_id
        )
    except (orjson.JSONDecodeError, ValueError) as exc:
        raise _bad(str(exc)) from None
    call.subs[sub.id] = sub
    return Reply(201, {"id": sub.id, "version": sub.version}, (("location", f"{PREFIX}/{sub.id}"),))


def _list(call: EventsCall) -> Reply:
    params = dict(call.req.params)
    try:
        page = int(params.get("page", "1"))
        limit = int(params.get("limit", "100"))
    except ValueError:
        raise _bad("page and limit must be whole numbers") from None
    if limit < 1 or limit > MAX_PAGE or page < 1:
        raise _bad(f"limit must be 1..{MAX_PAGE} and page >= 1")
    every = list(call.subs.values())
    chunk = every[(page - 1) * limit : page * limit]
    meta = {
        "page": page,
        "limit": limit,
        "page_count": max(1, -(-len(every) // limit)),
        "total_count": len(every),
    }
    return Reply(200, {"subscriptions": [call.shown(s) for s in chunk], "meta": meta})


def _legacy_list(call: EventsCall) -> Reply:
    """The deprecated list: every subscription of the customer, as a JSON array."""
    return Reply(200, [legacy_json(s) for s in call.subs.values()])


def _set_all_versions(call: EventsCall) -> Reply:
    try:
        payload = call.load()
        version = _version_of(payload)
    except (orjson.JSONDecodeError, ValueError) as exc:
        raise _bad(str(exc)) from None
    subs = call.subs
    if payload.get("allCustomerSubscriptions") is True:
        ids = list(subs)
    else:
        ids = payload.get("subscriptionIds")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise _bad("give subscriptionIds (a list of IDs) or allCustomerSubscriptions: true")
        unknown = [i for i in ids if i not in subs]
        if unknown:
            raise _bad(f"unknown subscription ids: {', '.join(unknown)}")
    for sub_id in ids:
        set_version(subs[sub_id], version, call.now())
    return Reply(200, {"subscription_ids": ids, "version": version})


def _set_version(call: EventsCall) -> Reply:
    found = call.subs.get(call.args["id"])
    if found is None:
        raise _not_found(call.args["id"])
    try:
        version = _version_of(call.load())
    except (orjson.JSONDecodeError, ValueError) as exc:
        raise _bad(str(exc)) from None
    set_version(found, version, call.now())
    return Reply(200, {"id": found.id, "version": found.version})


def _show(call: EventsCall) -> Reply:
    return Reply(200, call.shown(call.subs[call.args["id"]]))


def _delete(call: EventsCall) -> Reply:
    del call.subs[call.args["id"]]
    return Reply(200, None)


def _not_found(what: str) -> ServerError:
    return _Plain(f"no subscription with id {what}", status=404, error_class=NOT_FOUND_CLASS)


R = Route[EventsCall]

# Paths below the prefix, without the leading slash.
ROUTES: Final[tuple[R, ...]] = (
    R(r"", {"POST": _create, "GET": _list}, allow="GET or POST"),
    R(r"version", {"PUT": _set_all_versions}, allow="PUT"),
    R(r"list", {"GET": _legacy_list}, allow="GET"),
    R(r"(?P<id>[^/]+)/version", {"PUT": _set_version}, allow="PUT"),
    R(
        r"(?P<id>[^/]+)",
        {"GET": _show, "DELETE": _delete},
        allow="GET or DELETE",
        when=lambda c: c.args["id"] in c.subs,
    ),
)


def _not_allowed(call: EventsCall, path: str, allowed: str, _: tuple[str, ...]) -> ServerError:
    return _Plain(
        f"method {call.method} is not allowed here; use {allowed}",
        status=405,
        error_class="java.lang.UnsupportedOperationException",
    )


_ROUTER: Final = Router(
    ROUTES, missing=lambda call, path: _not_found(path), not_allowed=_not_allowed
)


@attrs.frozen
class EventsAPI:
    """The event subscription API: what the host mounts at the subscriptions prefix."""

    host: Host

    def handle(self, request: Request) -> Reply:
        tenant = self.host.tenant
        head = request.headers
        token = head.get("sessionid", "").strip()
        bearer = head.get("authorization", "")
        if not token and bearer.lower().startswith("bearer "):
            token = bearer[7:].strip()
        user_id = tenant.user_for_session(token) if token else None
        try:
            if user_id is None:
                raise auth_error("event subscriptions need a SessionID header of an admin")
            if not tenant.user_row(user_id)["isAdmin"]:
                raise Forbidden("only system administrators manage event subscriptions")
            call = EventsCall(req=request, method=request.method, host=self.host)
            return _ROUTER(call, request.path[len(PREFIX) :].strip("/"))
        except ServerError as exc:
            return Reply(exc.status, exc.body())
