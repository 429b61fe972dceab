"""Authentication objects, shared by the classic and the Planning clients.

An auth object contributes headers (``apiKey``, ``SessionID``,
``Authorization``) or request parameters to every outgoing request, can renew
its credentials before they expire (``prepare``) and once after a 401
(``refresh``). Credentials are kept as ``Secret``s: no ``repr``, ``str`` or
traceback local shows them. docs/api-notes.md §1 "Authentication", §4 "API key as a
header".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import anyio
import attrs
import httpx

from .exceptions import AuthenticationError, QueryError, ResponseError
from .request import Call, Params
from .secret import Secret, masked

__all__ = [
    "ApiKeyAuth",
    "Auth",
    "AuthContext",
    "BearerAuth",
    "JWTAuth",
    "OAuth2Auth",
    "PasswordAuth",
    "SessionAuth",
]

OAUTH2_TOKEN_PATH = "/integrations/oauth2/api/v1/token"
JWT_EXCHANGE_PATH = "/integrations/oauth2/api/v1/jwt/exchange"


class AuthContext(Protocol):
    """What an auth object may ask of the transport that uses it."""

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` of the API."""
        ...

    def now(self) -> float:
        """The current time in seconds (monotonic)."""
        ...

    async def form_request(self, url: str, form: Sequence[tuple[str, str]]) -> Any:
        """POST a form to an absolute URL without authentication; return the decoded body."""
        ...

    async def call(self, call: Call, *, authenticate: bool = True) -> Any:
        """Send an API call (optionally without applying this auth)."""
        ...


class Auth:
    """Base class of the auth objects. Subclasses override what they need."""

    generation: int = 0
    """Bumped each time the credential changes; lets concurrent 401s renew once."""

    def params(self) -> Params:
        """Request parameters to add (sent in the form body when the call is overridden)."""
        return ()

    def headers(self) -> tuple[tuple[str, str], ...]:
        """Headers to add to every request."""
        return ()

    def secrets(self) -> tuple[str, ...]:
        """Literal secret values to scrub from any text that could be shown."""
        return ()

    def apply(self, request: httpx.Request) -> None:
        """Put this credential's headers on an outgoing request. (Parameters such as
        ``apiKey`` are added when the request is planned, because where they go,
        query string or form body, depends on the URI length.)"""
        for name, value in self.headers():
            request.headers[name] = value

    async def prepare(self, ctx: AuthContext) -> None:
        """Make sure the credential is usable (log in, renew before expiry)."""

    async def refresh(self, ctx: AuthContext, generation: int) -> bool:
        """After a 401 with credential ``generation``: renew, return whether to retry."""
        return False

    async def close(self, ctx: AuthContext) -> None:
        """Release the credential (log out) when the client closes."""


def _secret(value: str | Secret) -> Secret:
    return Secret(value)


def _opt_secret(value: str | Secret | None) -> Secret | None:
    return None if value is None else Secret(value)


def _reveal(secret: Secret | None) -> str | None:
    """The value as a ``str`` whose ``repr`` is redacted, or ``None``."""
    return secret.reveal() if secret else None


@attrs.define(repr=False)
class ApiKeyAuth(Auth):
    """An API key, sent in the ``apiKey`` request header as the official client
    sends it (docs/api-notes.md §4 "API key as a header"), so it is never in a URL, a
    proxy log or an HTTP library's log line.

    ``in_header=False`` sends it as the ``apiKey`` request parameter instead
    (in the form body when the call is sent as POST with ``method=``), for
    gateways that only pass the parameter on.
    """

    key: Secret = attrs.field(converter=_secret)
    in_header: bool = attrs.field(default=True, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not self.key:
            raise QueryError("ApiKeyAuth needs a non-empty API key")

    def params(self) -> Params:
        return () if self.in_header else (("apiKey", self.key.reveal()),)

    def headers(self) -> tuple[tuple[str, str], ...]:
        return (("apiKey", self.key.reveal()),) if self.in_header else ()

    def secrets(self) -> tuple[str, ...]:
        return (self.key.reveal(),)

    def __repr__(self) -> str:
        where = "" if self.in_header else ", in_header=False"
        return f"ApiKeyAuth(key=<redacted>{where})"


@attrs.define(repr=False)
class SessionAuth(Auth):
    """A session ID (or OAuth2 access token) sent in the ``SessionID`` header."""

    _session: Secret = attrs.field(converter=_secret, alias="session_id")

    def __attrs_post_init__(self) -> None:
        if not self._session:
            raise QueryError("SessionAuth needs a non-empty session ID")

    @property
    def session_id(self) -> str:
        return self._session.reveal()

    def headers(self) -> tuple[tuple[str, str], ...]:
        return (("SessionID", self._session.reveal()),)

    def secrets(self) -> tuple[str, ...]:
        return (self._session.reveal(),)

    def __repr__(self) -> str:
        return "SessionAuth(session_id=<redacted>)"


@attrs.define(repr=False)
class BearerAuth(Auth):
    """An Adobe IMS token sent as ``Authorization: Bearer`` (+ ``x-gw-ims-org-id``)."""

    token: Secret = attrs.field(converter=_secret)
    ims_org_id: str | None = None

    def headers(self) -> tuple[tuple[str, str], ...]:
        out = [("Authorization", masked(f"Bearer {self.token.reveal()}"))]
        if self.ims_org_id:
            out.append(("x-gw-ims-org-id", self.ims_org_id))
        return tuple(out)

    def secrets(self) -> tuple[str, ...]:
        return (self.token.reveal(),)

    def __repr__(self) -> str:
        return f"BearerAuth(token=<redacted>, ims_org_id={self.ims_org_id!r})"


def _jwt_or_callable(value: str | Secret | Callable[[], str]) -> Secret | Callable[[], str]:
    return value if callable(value) and not isinstance(value, Secret) else Secret(value)


def _lock(obj: Any) -> anyio.Lock:
    lock: anyio.Lock | None = getattr(obj, "_lock", None)
    if lock is None:
        lock = anyio.Lock()
        obj._lock = lock
    return lock


@attrs.define(repr=False)
class PasswordAuth(Auth):
    """Username and password: logs in (``POST /login``, credentials in the form
    body) on first use and again after a 401, logs out when the client closes.
    Deprecated by Workfront and unavailable on the Adobe Business Platform."""

    username: str
    password: Secret = attrs.field(converter=_secret)
    _session: Secret | None = attrs.field(default=None, init=False)
    user_id: str | None = attrs.field(default=None, init=False)
    generation: int = attrs.field(default=0, init=False)
    _lock: anyio.Lock | None = attrs.field(default=None, init=False)

    @property
    def session_id(self) -> str | None:
        """The current session ID (a ``str`` whose ``repr`` is redacted), or ``None``."""
        return _reveal(self._session)

    def headers(self) -> tuple[tuple[str, str], ...]:
        return (("SessionID", self._session.reveal()),) if self._session else ()

    def secrets(self) -> tuple[str, ...]:
        return tuple(s.reveal() for s in (self.password, self._session) if s)

    async def _login(self, ctx: AuthContext) -> None:
        data = await ctx.call(
            Call(
                "POST",
                "login",
                (("username", self.username), ("password", self.password.reveal())),
                idempotent=False,
                params_in_body=True,
            ),
            authenticate=False,
        )
        session = data.get("sessionID") if isinstance(data, Mapping) else None
        if not session:
            raise AuthenticationError("login answered without a sessionID", status=200)
        self._session = Secret(str(session))
        self.user_id = str(data.get("userID") or "") or None
        self.generation += 1

    async def prepare(self, ctx: AuthContext) -> None:
        if self._session is None:
            async with _lock(self):
                if self._session is None:
                    await self._login(ctx)

    async def refresh(self, ctx: AuthContext, generation: int) -> bool:
        async with _lock(self):
            if generation == self.generation:
                await self._login(ctx)
        return True

    async def close(self, ctx: AuthContext) -> None:
        if self._session is not None:
            try:
                await ctx.call(Call("GET", "logout"))
            finally:
                self._session = None

    def __repr__(self) -> str:
        return f"PasswordAuth(username={self.username!r}, password=<redacted>)"


@attrs.define(repr=False)
class _TokenAuth(Auth):
    """Shared logic of OAuth2 and JWT: an access token that expires."""

    _access: Secret | None = attrs.field(
        default=None, kw_only=True, converter=_opt_secret, alias="access_token"
    )
    expires_at: float | None = attrs.field(default=None, kw_only=True)
    renew_margin: float = attrs.field(default=60.0, kw_only=True)
    as_bearer: bool = attrs.field(default=False, kw_only=True)
    generation: int = attrs.field(default=0, init=False)
    _lock: anyio.Lock | None = attrs.field(default=None, init=False)

    @property
    def access_token(self) -> str | None:
        """The current access token (a ``str`` whose ``repr`` is redacted), or ``None``."""
        return _reveal(self._access)

    def headers(self) -> tuple[tuple[str, str], ...]:
        if not self._access:
            return ()
        if self.as_bearer:
            return (("Authorization", masked(f"Bearer {self._access.reveal()}")),)
        return (("SessionID", self._access.reveal()),)

    def _token_secrets(self) -> tuple[str, ...]:
        return tuple(s.reveal() for s in (self._access,) if s)

    def _expired(self, ctx: AuthContext) -> bool:
        if not self._access:
            return True
        return self.expires_at is not None and ctx.now() >= self.expires_at - self.renew_margin

    async def _fetch(self, ctx: AuthContext) -> Mapping[str, Any]:
        raise NotImplementedError

    async def _renew(self, ctx: AuthContext) -> None:
        data = await self._fetch(ctx)
        token = data.get("access_token") if isinstance(data, Mapping) else None
        if not token:
            raise ResponseError("the token endpoint answered without an access_token")
        self._access = Secret(str(token))
        expires_in = data.get("expires_in")
        self.expires_at = ctx.now() + float(expires_in) if expires_in is not None else None
        self._took(data)
        self.generation += 1

    def _took(self, data: Mapping[str, Any]) -> None:
        """Keep whatever else the token answer carried (a new refresh token)."""

    async def prepare(self, ctx: AuthContext) -> None:
        if self._expired(ctx):
            async with _lock(self):
                if self._expired(ctx):
                    await self._renew(ctx)

    async def refresh(self, ctx: AuthContext, generation: int) -> bool:
        async with _lock(self):
            if generation == self.generation:
                await self._renew(ctx)
        return True


@attrs.define(repr=False)
class OAuth2Auth(_TokenAuth):
    """OAuth2 authorization-code tokens: the access token travels in the
    ``SessionID`` header and is renewed with the refresh token before it
    expires and once after a 401 (docs/api-notes.md §1 "Authentication").

    Give the tokens you hold (``access_token``, ``refresh_token``), or the
    authorization ``code`` (with ``redirect_uri``) from
    ``/integrations/oauth2/authorize``: it is exchanged for tokens on first use.
    """

    client_id: str = attrs.field(kw_only=False)
    client_secret: Secret = attrs.field(kw_only=False, converter=_secret)
    _refresh: Secret | None = attrs.field(
        default=None, kw_only=True, converter=_opt_secret, alias="refresh_token"
    )
    code: Secret | None = attrs.field(default=None, kw_only=True, converter=_opt_secret)
    redirect_uri: str | None = attrs.field(default=None, kw_only=True)
    token_url: str | None = attrs.field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not (self._access or self._refresh or self.code):
            raise QueryError(
                "OAuth2Auth needs an access_token, a refresh_token or an authorization code"
            )

    @property
    def refresh_token(self) -> str | None:
        """The current refresh token (a ``str`` whose ``repr`` is redacted), or ``None``."""
        return _reveal(self._refresh)

    def secrets(self) -> tuple[str, ...]:
        extra = tuple(s.reveal() for s in (self._refresh, self.code) if s)
        return (*self._token_secrets(), self.client_secret.reveal(), *extra)

    async def _fetch(self, ctx: AuthContext) -> Mapping[str, Any]:
        url = self.token_url or ctx.origin + OAUTH2_TOKEN_PATH
        form = [("client_id", self.client_id), ("client_secret", self.client_secret.reveal())]
        if self.code:
            form = [("grant_type", "authorization_code"), ("code", self.code.reveal()), *form]
            if self.redirect_uri:
                form.append(("redirect_uri", self.redirect_uri))
            self.code = None  # a code is good for one exchange only
        elif self._refresh:
            form = [
                ("grant_type", "refresh_token"),
                *form,
                ("refresh_token", self._refresh.reveal()),
            ]
        else:
            raise AuthenticationError(
                "the OAuth2 access token expired and there is no refresh_token to renew it",
                status=401,
            )
        result: Mapping[str, Any] = await ctx.form_request(url, form)
        return result

    def _took(self, data: Mapping[str, Any]) -> None:
        if data.get("refresh_token"):
            self._refresh = Secret(str(data["refresh_token"]))

    def __repr__(self) -> str:
        return (
            f"OAuth2Auth(client_id={self.client_id!r}, client_secret=<redacted>, tokens=<redacted>)"
        )


@attrs.define(repr=False)
class JWTAuth(_TokenAuth):
    """Server-to-server: exchanges a signed JWT for an access token at
    ``/integrations/oauth2/api/v1/jwt/exchange`` and repeats the exchange
    before expiry and once after a 401. ``jwt_token`` may be a callable that
    returns a freshly signed JWT."""

    client_id: str = attrs.field(kw_only=False)
    client_secret: Secret = attrs.field(kw_only=False, converter=_secret)
    jwt_token: Secret | Callable[[], str] = attrs.field(kw_only=False, converter=_jwt_or_callable)
    exchange_url: str | None = attrs.field(default=None, kw_only=True)

    def _jwt(self) -> str:
        if isinstance(self.jwt_token, Secret):
            return self.jwt_token.reveal()
        return masked(self.jwt_token())

    def secrets(self) -> tuple[str, ...]:
        jwt = (self.jwt_token.reveal(),) if isinstance(self.jwt_token, Secret) else ()
        return (*self._token_secrets(), self.client_secret.reveal(), *jwt)

    async def _fetch(self, ctx: AuthContext) -> Mapping[str, Any]:
        url = self.exchange_url or ctx.origin + JWT_EXCHANGE_PATH
        result: Mapping[str, Any] = await ctx.form_request(
            url,
            [
                ("client_id", self.client_id),
                ("client_secret", self.client_secret.reveal()),
                ("jwt_token", self._jwt()),
            ],
        )
        return result

    def __repr__(self) -> str:
        return f"JWTAuth(client_id={self.client_id!r}, client_secret=<redacted>, jwt=<redacted>)"
