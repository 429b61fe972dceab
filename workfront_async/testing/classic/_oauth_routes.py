"""The OAuth2 endpoints below ``/integrations/oauth2`` (the semantics are in
``_oauth``): a table of routes and the wing the host mounts there.

``GET /integrations/oauth2/authorize`` stands for the page a user sees: a user
who is logged in (a session cookie, as a browser holds it after ``/login``, a
``SessionID`` header or a bearer token) or who gives ``username`` and
``password`` (the emulator's stand-in for the login form) consents at once,
and the answer is a 302 to the redirect URL with ``code``, ``domain`` and
``lane`` (Adobe's oauth-app-code-token-flow page, "Set up Authorization Code
Flow"), and ``state`` when one was sent. ``POST /integrations/oauth2/api/v1/token``
takes a JSON or form body, the client authenticated by HTTP Basic or in the
body; ``POST /integrations/oauth2/api/v1/jwt/exchange`` a form. The PKCE page
names the same endpoints ``/authorize`` and ``/token`` of the server.
"""

from __future__ import annotations

import base64
import binascii
from typing import Final
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import attrs
import orjson

from .._server._errors import ServerError
from .._server._http import Call, Reply, Request, Route, Router
from ._auth import session_cookies
from ._oauth import OAuthError
from ._tenant import Tenant

__all__ = ["PREFIX", "ROUTES", "OAuthAPI"]

PREFIX = "/integrations/oauth2"
_NO_STORE = (("cache-control", "no-store"), ("pragma", "no-cache"))


@attrs.define
class OAuthCall(Call):
    tenant: Tenant = attrs.field(kw_only=True)

    def form(self) -> dict[str, str]:
        """The parameters: the query and a form body, or a JSON object body."""
        out = dict(reversed(self.req.params))  # the first of a name wins
        if self.req.content_type.startswith("application/json") and self.req.body.strip():
            try:
                body = orjson.loads(self.req.body)
            except orjson.JSONDecodeError:
                raise OAuthError("invalid_request", "the body is not valid JSON") from None
            if not isinstance(body, dict):
                raise OAuthError("invalid_request", "the JSON body must be an object")
            out.update({str(k): str(v) for k, v in body.items() if v is not None})
        return out

    def basic(self) -> tuple[str, str] | None:
        """HTTP Basic client credentials (RFC 6749 §2.3.1: each part form-encoded)."""
        header = self.req.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return None
        try:
            raw = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "malformed Basic credentials", status=401) from None
        client_id, sep, secret = raw.partition(":")
        if not sep:
            raise OAuthError("invalid_client", "malformed Basic credentials", status=401)
        return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


def _user(call: OAuthCall, form: dict[str, str]) -> str:
    """Who consents: a logged-in user (cookie, SessionID header, bearer) or the
    username and password of the login form."""
    tenant, head = call.tenant, call.req.headers
    bearer = head.get("authorization", "")
    candidates = [head.get("sessionid", "").strip(), *session_cookies(head)]
    if bearer.lower().startswith("bearer "):
        candidates.append(bearer[7:].strip())
    for token in candidates:
        user = tenant.user_for_session(token) if token else None
        if user is not None:
            return user
    if form.get("username") is not None:
        try:
            return tenant.check_password(form.get("username"), form.get("password"))
        except ServerError:
            raise OAuthError("access_denied", "wrong username or password", status=401) from None
    raise OAuthError(
        "login_required",
        "log in first (GET /attask/api/v21.0/login?username=..&password=.. sets the session "
        "cookie a browser would hold) or send username and password",
        status=401,
    )


def _domain_and_lane(call: OAuthCall) -> tuple[str, str]:
    """``myorganization.my.workfront.com``: domain ``myorganization``, lane ``my``."""
    host = call.req.headers.get("host", "").split(":")[0]
    parts = host.split(".")
    if len(parts) >= 4 and parts[-2:] == ["workfront", "com"]:
        return parts[0], parts[1]
    return host or "localhost", "my"


def _authorize(call: OAuthCall) -> Reply:
    form = call.form()
    user = _user(call, form)
    code, target = call.tenant.oauth.authorize(
        user,
        client_id=form.get("client_id"),
        redirect_uri=form.get("redirect_uri"),
        response_type=form.get("response_type"),
        code_challenge=form.get("code_challenge"),
        code_challenge_method=form.get("code_challenge_method"),
    )
    domain, lane = _domain_and_lane(call)
    extra = [("code", code), ("domain", domain), ("lane", lane)]
    if form.get("state") is not None:
        extra.append(("state", form["state"]))
    parts = urlsplit(target)
    query = "&".join(q for q in (parts.query, urlencode(extra)) if q)
    location = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    return Reply(302, None, (("location", location), *_NO_STORE))


def _token(call: OAuthCall) -> Reply:
    answer = call.tenant.oauth.token(call.form(), call.basic())
    return Reply(200, answer, _NO_STORE)


def _jwt_exchange(call: OAuthCall) -> Reply:
    answer = call.tenant.oauth.jwt_exchange(call.form())
    return Reply(200, answer, _NO_STORE)


R = Route[OAuthCall]

# Paths below the prefix, without the leading slash.
ROUTES: Final[tuple[R, ...]] = (
    R(r"authorize", {"GET": _authorize, "POST": _authorize}, allow="GET"),
    R(r"(?:api/v1/)?token", {"POST": _token}, allow="POST"),
    R(r"api/v1/jwt/exchange", {"POST": _jwt_exchange}, allow="POST"),
)


def _missing(call: OAuthCall, path: str) -> ServerError:
    return OAuthError("not_found", f"no OAuth2 endpoint at {PREFIX}/{path}", status=404)


def _not_allowed(call: OAuthCall, path: str, allowed: str, _: tuple[str, ...]) -> ServerError:
    return OAuthError("invalid_request", f"use {allowed} on {PREFIX}/{path}", status=405)


_ROUTER: Final = Router(ROUTES, missing=_missing, not_allowed=_not_allowed)


@attrs.frozen
class OAuthAPI:
    """The OAuth2 endpoints of one tenant: what the host mounts at ``/integrations/oauth2``."""

    tenant: Tenant

    def handle(self, request: Request) -> Reply:
        call = OAuthCall(req=request, method=request.method, tenant=self.tenant)
        try:
            return _ROUTER(call, request.path[len(PREFIX) :].strip("/"))
        except OAuthError as exc:
            headers: tuple[tuple[str, str], ...] = _NO_STORE
            if exc.status == 401 and call.req.headers.get("authorization", "").lower().startswith(
                "basic "
            ):
                headers = (("www-authenticate", 'Basic realm="workfront"'), *_NO_STORE)
            return Reply(exc.status, exc.body(), headers)
