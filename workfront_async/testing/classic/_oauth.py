"""The tenant's OAuth2 applications and what their flows grant (the endpoints are
in ``_oauth_routes``).

Sources, all in ``AdobeDocs/workfront.en``: the three pages under
help/quicksilver/wf-api/api/ ``oauth-app-code-token-flow.md`` (authorization
code and refresh), ``oauth-app-pkce-flow.md`` (PKCE, S256) and
``oauth-app-jwt-flow.md`` (a signed JWT exchanged for a token), and
``administration-and-setup/configure-integrations/create-oauth-application.md``
(the three kinds of application, at most ten of them, refresh token rotation
and expiration).

What the pages say and the emulator does:

- an application is a **Web Application** (``web``: client ID and secret,
  redirect URLs, authorization code flow), a **Single Page Web Application**
  (``spa``: client ID without a secret, PKCE) or a **Machine to Machine
  Application** (``jwt``: client ID and secret, public keys); ten at most;
- a code "is only valid for 2 minutes" (on the tenant's clock) and is good for
  one exchange; its redirect URL must be one the application lists, and the
  token request's must match the authorize request's;
- PKCE: ``code_challenge_method`` "is always S256"; the verifier is a
  URL-safe string of at least 43 characters (RFC 7636: 43 to 128) whose
  base64url SHA-256 must equal the challenge;
- the access token "is the same as sessionID": a session of the user, accepted
  wherever a session is (``SessionID`` header, ``sessionID`` parameter, bearer),
  that expires after ``expires_in`` seconds on the tenant's clock;
- refresh tokens: rotated on each use when the application says so (the
  default here), with an optional absolute and inactivity expiration;
- JWT: ``exp`` (required, in the future, after ``iat`` when there is one),
  ``iss`` (the customer ID) and ``sub`` (the ID of the user who added the
  public key) are checked, and the RS256 signature against the application's
  public keys.

Where the pages are silent the emulator follows RFC 6749 and RFC 7636: error
answers are ``{"error", "error_description"}`` (400, or 401 ``invalid_client``),
``state`` is echoed on the redirect, a client authenticates with HTTP Basic or
with ``client_id``/``client_secret`` in the body, and the token answer's
``wid`` holds the user's ID (Adobe shows the key, not what it holds).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

import attrs

from .._server._errors import ServerError
from ._jwt import JWTError, RSAPublicKey, decode, load_public_key

if TYPE_CHECKING:
    from ._tenant import Tenant

__all__ = ["KINDS", "MAX_APPS", "OAuthApp", "OAuthError", "OAuthServer"]

# Adobe's three application types (create-oauth-application.md, "Create an OAuth2 application")
KINDS: Final = ("web", "spa", "jwt")
MAX_APPS: Final = 10  # "You can have up to a total of ten OAuth2 Applications at one time."
CODE_LIFETIME: Final = 120.0  # "The code is only valid for 2 minutes."
ACCESS_TOKEN_LIFETIME: Final = 3600.0  # the PKCE page's example answer: "expires_in": 3600
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


class OAuthError(ServerError):
    """An OAuth2 error answer (RFC 6749 §5.2): ``error`` and a description."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description, status=status)
        self.error = error
        self.description = description

    def body(self) -> dict[str, Any]:
        return {"error": self.error, "error_description": self.description}


@attrs.define(repr=False)
class OAuthApp:
    """One OAuth2 application of the tenant (``client_secret`` is ``None`` for ``spa``)."""

    client_id: str
    kind: str
    name: str
    client_secret: str | None
    redirect_urls: tuple[str, ...] = ()
    public_keys: list[RSAPublicKey] = attrs.field(factory=list)
    key_owner_id: str | None = None
    rotate_refresh_token: bool = True
    refresh_token_lifetime: float | None = None
    refresh_token_idle: float | None = None

    def __repr__(self) -> str:
        return f"OAuthApp(client_id={self.client_id!r}, kind={self.kind!r}, name={self.name!r})"


@attrs.define
class _Code:
    client_id: str
    user_id: str
    redirect_uri: str | None
    challenge: str | None
    expires: datetime


@attrs.define
class _Refresh:
    client_id: str
    user_id: str
    issued: datetime
    used: datetime


def s256(verifier: str) -> str:
    """The S256 code challenge of a verifier (RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _same(given: str | None, wanted: str | None) -> bool:
    return given is not None and wanted is not None and hmac.compare_digest(given, wanted)


class OAuthServer:
    """The tenant's OAuth2 applications, outstanding codes and refresh tokens."""

    def __init__(self, tenant: Tenant) -> None:
        self._tenant = tenant
        self.apps: dict[str, OAuthApp] = {}
        self._codes: dict[str, _Code] = {}
        self._refresh: dict[str, _Refresh] = {}
        self.access_token_lifetime: float = ACCESS_TOKEN_LIFETIME

    # -- applications ----------------------------------------------------------------

    def add_app(
        self,
        kind: str = "web",
        *,
        name: str | None = None,
        redirect_urls: Sequence[str] = (),
        public_key: str | bytes | None = None,
        key_owner_id: str | None = None,
        rotate_refresh_token: bool = True,
        refresh_token_lifetime: float | None = None,
        refresh_token_idle: float | None = None,
    ) -> OAuthApp:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if len(self.apps) >= MAX_APPS:
            raise ValueError(f"a tenant has at most {MAX_APPS} OAuth2 applications")
        if kind in ("web", "spa") and not redirect_urls:
            raise ValueError(f"a {kind} application needs at least one redirect URL")
        keys = []
        if kind == "jwt":
            if public_key is None:
                raise ValueError("a jwt application needs a public_key (PEM)")
            try:
                keys.append(load_public_key(public_key))
            except JWTError as exc:
                raise ValueError(str(exc)) from None
        tenant = self._tenant
        app = OAuthApp(
            client_id=secrets.token_hex(16),
            kind=kind,
            name=name or f"{kind} application {len(self.apps) + 1}",
            client_secret=None if kind == "spa" else secrets.token_urlsafe(32),
            redirect_urls=tuple(redirect_urls),
            public_keys=keys,
            key_owner_id=(key_owner_id or tenant.admin_id) if kind == "jwt" else None,
            rotate_refresh_token=rotate_refresh_token,
            refresh_token_lifetime=refresh_token_lifetime,
            refresh_token_idle=refresh_token_idle,
        )
        self.apps[app.client_id] = app
        return app

    def _app(self, client_id: str | None) -> OAuthApp:
        app = self.apps.get(client_id or "")
        if app is None:
            raise OAuthError("invalid_client", "unknown client_id", status=401)
        return app

    # -- authorize ---------------------------------------------------------------------

    def authorize(
        self,
        user_id: str,
        *,
        client_id: str | None,
        redirect_uri: str | None,
        response_type: str | None = "code",
        code_challenge: str | None = None,
        code_challenge_method: str | None = None,
    ) -> tuple[str, str]:
        """The user consents: (a new code, the redirect URL it goes to)."""
        app = self.apps.get(client_id or "")
        if app is None:
            raise OAuthError("invalid_request", "unknown client_id")
        if app.kind == "jwt":
            raise OAuthError(
                "unauthorized_client", "a machine to machine application exchanges a JWT instead"
            )
        if redirect_uri is None and len(app.redirect_urls) == 1:
            target = app.redirect_urls[0]
        elif redirect_uri in app.redirect_urls:
            target = str(redirect_uri)
        else:
            raise OAuthError(
                "invalid_request", "redirect_uri must be one of the application's redirect URLs"
            )
        if response_type != "code":
            raise OAuthError("unsupported_response_type", "response_type must be code")
        if code_challenge is not None or app.kind == "spa":
            if code_challenge_method != "S256":
                raise OAuthError(
                    "invalid_request", "PKCE needs code_challenge_method=S256 and a code_challenge"
                )
            if not code_challenge or not re.fullmatch(r"[A-Za-z0-9\-_]{43}", code_challenge):
                raise OAuthError(
                    "invalid_request",
                    "code_challenge must be the base64url SHA-256 of the verifier (43 characters)",
                )
        code = secrets.token_urlsafe(24)
        self._codes[code] = _Code(
            client_id=app.client_id,
            user_id=user_id,
            redirect_uri=redirect_uri,
            challenge=code_challenge,
            expires=self._tenant.now() + timedelta(seconds=CODE_LIFETIME),
        )
        return code, target

    # -- token ---------------------------------------------------------------------------

    def _client(self, form: Mapping[str, str], basic: tuple[str, str] | None) -> OAuthApp:
        """The calling application: HTTP Basic, else client_id (and client_secret)."""
        client_id, secret = basic if basic is not None else (form.get("client_id"), None)
        if basic is None:
            secret = form.get("client_secret")
        app = self._app(client_id)
        if app.client_secret is None:
            if secret:
                raise OAuthError(
                    "invalid_client", "this application has no client secret", status=401
                )
            return app
        if not _same(secret, app.client_secret):
            raise OAuthError("invalid_client", "wrong or missing client_secret", status=401)
        return app

    def token(self, form: Mapping[str, str], basic: tuple[str, str] | None) -> dict[str, Any]:
        grant = form.get("grant_type")
        if grant not in ("authorization_code", "refresh_token"):
            raise OAuthError(
                "unsupported_grant_type", "grant_type must be authorization_code or refresh_token"
            )
        app = self._client(form, basic)
        if app.kind == "jwt":
            raise OAuthError(
                "unauthorized_client",
                "a machine to machine application exchanges a JWT at /api/v1/jwt/exchange",
            )
        if grant == "authorization_code":
            return self._code_grant(app, form)
        return self._refresh_grant(app, form)

    def _code_grant(self, app: OAuthApp, form: Mapping[str, str]) -> dict[str, Any]:
        code = self._codes.pop(form.get("code") or "", None)  # one exchange per code
        if code is None or code.client_id != app.client_id:
            raise OAuthError("invalid_grant", "unknown or already used authorization code")
        if self._tenant.now() >= code.expires:
            raise OAuthError("invalid_grant", "the authorization code expired (2 minutes)")
        if code.redirect_uri is not None and form.get("redirect_uri") != code.redirect_uri:
            raise OAuthError(
                "invalid_grant", "redirect_uri must match the one of the authorize request"
            )
        if code.challenge is not None:
            verifier = form.get("code_verifier") or ""
            if not _VERIFIER.fullmatch(verifier):
                raise OAuthError(
                    "invalid_request",
                    "code_verifier must be 43 to 128 URL-safe characters ([A-Za-z0-9-._~])",
                )
            if not _same(s256(verifier), code.challenge):
                raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
        self._check_user(code.user_id)
        now = self._tenant.now()
        refresh = secrets.token_urlsafe(32)
        self._refresh[refresh] = _Refresh(app.client_id, code.user_id, now, now)
        return self._answer(app, code.user_id, refresh)

    def _refresh_grant(self, app: OAuthApp, form: Mapping[str, str]) -> dict[str, Any]:
        token = form.get("refresh_token") or ""
        held = self._refresh.get(token)
        if held is None or held.client_id != app.client_id:
            raise OAuthError("invalid_grant", "unknown, revoked or already rotated refresh token")
        now = self._tenant.now()
        lifetime, idle = app.refresh_token_lifetime, app.refresh_token_idle
        if (lifetime is not None and now >= held.issued + timedelta(seconds=lifetime)) or (
            idle is not None and now >= held.used + timedelta(seconds=idle)
        ):
            del self._refresh[token]
            raise OAuthError("invalid_grant", "the refresh token expired: authorize again")
        self._check_user(held.user_id)
        if app.rotate_refresh_token:
            del self._refresh[token]
            token = secrets.token_urlsafe(32)
            self._refresh[token] = _Refresh(app.client_id, held.user_id, held.issued, now)
        else:
            held.used = now
        return self._answer(app, held.user_id, token)

    def revoke_refresh_tokens(self, user_id: str | None = None) -> int:
        """Forget refresh tokens (a user's, or all): how many."""
        gone = [t for t, r in self._refresh.items() if user_id is None or r.user_id == user_id]
        for token in gone:
            del self._refresh[token]
        return len(gone)

    def _check_user(self, user_id: str) -> None:
        row = self._tenant.store.get_raw("USER", user_id)
        if row is None or not row["isActive"]:
            raise OAuthError("invalid_grant", "the user is no longer active")

    def _answer(self, app: OAuthApp, user_id: str, refresh: str | None) -> dict[str, Any]:
        lifetime = self.access_token_lifetime
        access = self._tenant.open_session(user_id, lifetime=lifetime)
        if app.kind == "spa":
            # the PKCE page's answer ("token_type": "Bearer"), with the refresh token its
            # "Request a refresh token" step sends back
            out: dict[str, Any] = {
                "access_token": access,
                "expires_in": int(lifetime),
                "token_type": "Bearer",
            }
            if refresh is not None:
                out["refresh_token"] = refresh
            return out
        # the authorization code page's answer: the access token "is the same as sessionID"
        out = {"token_type": "sessionID", "access_token": access}
        if refresh is not None:
            out["refresh_token"] = refresh
        out["expires_in"] = int(lifetime)
        out["wid"] = user_id
        return out

    # -- JWT ---------------------------------------------------------------------------

    def jwt_exchange(self, form: Mapping[str, str]) -> dict[str, Any]:
        app = self._client(form, None)
        if app.kind != "jwt":
            raise OAuthError(
                "unauthorized_client", "only a machine to machine application exchanges a JWT"
            )
        raw = form.get("jwt_token")
        if not raw:
            raise OAuthError("invalid_request", "jwt_token is required")
        try:
            _, claims = decode(raw, app.public_keys)
        except JWTError as exc:
            raise OAuthError("invalid_grant", str(exc)) from None
        now = self._tenant.now().timestamp()
        exp, iat = claims.get("exp"), claims.get("iat")
        if not isinstance(exp, int | float) or isinstance(exp, bool):
            raise OAuthError("invalid_grant", "the JWT needs exp (seconds since 1970)")
        if exp <= now:
            raise OAuthError("invalid_grant", "the JWT expired (exp is in the past)")
        if iat is not None and (not isinstance(iat, int | float) or exp <= iat):
            raise OAuthError("invalid_grant", "the JWT's exp must be later than its iat")
        if claims.get("iss") != self._tenant.customer_id:
            raise OAuthError("invalid_grant", "the JWT's iss must be the customer ID")
        if claims.get("sub") != app.key_owner_id:
            raise OAuthError(
                "invalid_grant", "the JWT's sub must be the ID of the user who added the public key"
            )
        assert app.key_owner_id is not None
        self._check_user(app.key_owner_id)
        return self._answer(app, app.key_owner_id, None)
