"""Authentication variants (docs/api-notes.md §1 Authentication) and secret redaction."""

from __future__ import annotations

import logging

import anyio
import httpx
import pytest

from workfront_async import (
    APIError,
    ApiKeyAuth,
    AuthenticationError,
    BearerAuth,
    JWTAuth,
    OAuth2Auth,
    PasswordAuth,
    QueryError,
    ResponseError,
    SessionAuth,
    TransportError,
    Workfront,
)

from .helpers import BASE, KEY, Recorder, client, err, is_form, ok, param, params_of, path_of

SESSION = "sess-9f8e7d6c5b4a"
PASSWORD = "hunter2-correct-horse"
SECRET = "client-secret-abcdef"


def assert_no_secret(text: str, *secrets: str) -> None:
    for s in secrets:
        assert s not in text, f"secret leaked: {text!r}"


async def test_session_id_travels_in_the_header_only() -> None:
    # docs/api-notes.md §1 Authentication: SessionID header preferred, keeps URIs clean
    rec = Recorder(lambda r: ok([] if r.url.path.endswith("search") else {"ID": "T1"}))
    async with client(rec, api_key=None, session_id=SESSION) as wf:
        await wf.get("task", "T1")
        await wf.search("task", {"ID": [f"{i:032x}" for i in range(400)]}).all()
    for req in rec.requests:
        assert req.headers["SessionID"] == SESSION
        assert_no_secret(str(req.url), SESSION)
        assert_no_secret(req.content.decode(), SESSION)


async def test_api_key_as_parameter_in_query_or_form_body() -> None:
    rec = Recorder(lambda r: ok([]))
    async with client(rec, api_key=None, auth=ApiKeyAuth(KEY, in_header=False)) as wf:
        await wf.search("task").all()
        assert param(rec.last, "apiKey") == KEY
        assert rec.last.url.params["apiKey"] == KEY
        await wf.search("task", {"ID": [f"{i:032x}" for i in range(400)]}).all()
    assert rec.last.method == "POST"
    assert_no_secret(str(rec.last.url), KEY)
    assert ("apiKey", KEY) in params_of(rec.last)


def test_only_one_credential() -> None:
    with pytest.raises(QueryError, match="only one"):
        Workfront(BASE, api_key="a", session_id="b")
    with pytest.raises(QueryError):
        ApiKeyAuth("")


def login_server(expire_after: int = 0) -> tuple[Recorder, dict[str, int]]:
    state = {"logins": 0, "calls": 0, "logouts": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        path = path_of(request)
        if path == "login":
            state["logins"] += 1
            assert request.method == "POST"
            assert is_form(request)
            assert param(request, "password") == PASSWORD
            return ok({"sessionID": f"{SESSION}-{state['logins']}", "userID": "U1"})
        if path == "logout":
            state["logouts"] += 1
            return ok({"success": True})
        state["calls"] += 1
        expected = f"{SESSION}-{state['logins']}"
        if request.headers.get("SessionID") != expected or (
            expire_after and state["calls"] == expire_after
        ):
            return err(401, "session expired", "com.attask.common.AuthenticationException")
        return ok({"ID": "T1"})

    return Recorder(handler), state


async def test_login_and_logout() -> None:
    # docs/api-notes.md §1: POST /login?username=&password= returns {sessionID, userID}; GET /logout
    rec, state = login_server()
    async with client(rec, api_key=None) as wf:
        info = await wf.login("me@acme.com", PASSWORD)
        assert info["userID"] == "U1"
        assert_no_secret(repr(info), SESSION)
        assert await wf.get("task", "T1") == {"ID": "T1"}
        await wf.logout()
        assert wf.auth is None
    assert state == {"logins": 1, "calls": 1, "logouts": 1}
    login = rec.requests[0]
    assert_no_secret(str(login.url), PASSWORD)  # the password is in the body, never the URI


async def test_password_auth_logs_in_again_once_after_401_and_out_on_close() -> None:
    rec, state = login_server(expire_after=2)
    async with client(rec, api_key=None, auth=PasswordAuth("me", PASSWORD)) as wf:
        for _ in range(3):
            assert await wf.get("task", "T1") == {"ID": "T1"}
    assert state["logins"] == 2
    assert state["logouts"] == 1


async def test_api_key_management_keeps_password_out_of_the_uri() -> None:
    # API notes §1: PUT /user?action=generateApiKey|getApiKey|clearApiKey&username=&password=
    rec = Recorder(lambda r: ok({"result": "NEWKEY123456"}))
    async with client(rec, api_key=None) as wf:
        assert await wf.generate_api_key("me", PASSWORD) == "NEWKEY123456"
        assert await wf.get_api_key("me", PASSWORD) == "NEWKEY123456"
        await wf.clear_api_key("me", PASSWORD)
    actions = [param(r, "action") for r in rec.requests]
    assert actions == ["generateApiKey", "getApiKey", "clearApiKey"]
    for req in rec.requests:
        assert (req.method, path_of(req), param(req, "method")) == ("POST", "user", "PUT")
        assert_no_secret(str(req.url), PASSWORD)


class TokenServer:
    """Token endpoint + API that accepts only the newest access token."""

    def __init__(self, expires_in: int = 3600) -> None:
        self.issued = 0
        self.expires_in = expires_in
        self.revoked_first = False
        self.token_requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/integrations/oauth2/"):
            self.token_requests.append(request)
            self.issued += 1
            return httpx.Response(
                200,
                json={
                    "access_token": f"tok-{self.issued}-xyzxyz",
                    "refresh_token": f"ref-{self.issued}-xyzxyz",
                    "expires_in": self.expires_in,
                },
            )
        if request.headers.get("SessionID") != f"tok-{self.issued}-xyzxyz":
            return err(401, "expired", "com.attask.common.AuthenticationException")
        return ok({"ID": "T1"})


async def test_oauth2_renews_before_expiry() -> None:
    server = TokenServer(expires_in=600)
    auth = OAuth2Auth("cid", SECRET, refresh_token="ref-0-xyzxyz")
    async with client(Recorder(server), api_key=None, auth=auth) as wf:
        now = [1000.0]
        wf._sender._clock = lambda: now[0]
        await wf.get("task", "T1")
        assert server.issued == 1
        now[0] += 500  # still valid
        await wf.get("task", "T1")
        assert server.issued == 1
        now[0] += 60  # within the renewal margin (60 s) of expiry
        await wf.get("task", "T1")
        assert server.issued == 2
    first = server.token_requests[0]
    assert first.url.path == "/integrations/oauth2/api/v1/token"
    form = dict(params_of(first))
    assert form == {
        "grant_type": "refresh_token",
        "client_id": "cid",
        "client_secret": SECRET,
        "refresh_token": "ref-0-xyzxyz",
    }
    assert_no_secret(str(first.url), SECRET)
    assert dict(params_of(server.token_requests[1]))["refresh_token"] == "ref-1-xyzxyz"


async def test_concurrent_401s_renew_once() -> None:
    server = TokenServer()
    auth = OAuth2Auth("cid", SECRET, refresh_token="r-xyzxyz", access_token="stale-token")
    async with (
        client(Recorder(server), api_key=None, auth=auth) as wf,
        anyio.create_task_group() as tg,
    ):
        for i in range(50):
            tg.start_soon(wf.get, "task", f"T{i}")
    assert server.issued == 1


async def test_token_renewal_happens_once_per_401() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/integrations/"):
            return httpx.Response(200, json={"access_token": "t-xyzxyz", "expires_in": 3600})
        return err(401, "still no", "com.attask.common.AuthenticationException")

    rec = Recorder(handler)
    auth = OAuth2Auth("cid", SECRET, refresh_token="r-xyzxyz")
    async with client(rec, api_key=None, auth=auth) as wf:
        with pytest.raises(AuthenticationError):
            await wf.get("task", "T1")
    api_calls = [r for r in rec.requests if not r.url.path.startswith("/integrations/")]
    assert len(api_calls) == 2  # the call, one renewal, one retry


async def test_jwt_exchange() -> None:
    # docs/api-notes.md §1: server-to-server JWT at /integrations/oauth2/api/v1/jwt/exchange
    server = TokenServer()
    auth = JWTAuth("cid", SECRET, lambda: "signed.jwt.value")
    async with client(Recorder(server), api_key=None, auth=auth) as wf:
        await wf.get("task", "T1")
    (exchange,) = server.token_requests
    assert exchange.url.path == "/integrations/oauth2/api/v1/jwt/exchange"
    assert dict(params_of(exchange)) == {
        "client_id": "cid",
        "client_secret": SECRET,
        "jwt_token": "signed.jwt.value",
    }


async def test_token_endpoint_without_token_is_an_error() -> None:
    rec = Recorder(lambda r: httpx.Response(200, json={"nope": 1}))
    async with client(rec, api_key=None, auth=JWTAuth("c", SECRET, "jwt-xyz")) as wf:
        with pytest.raises(ResponseError, match="access_token"):
            await wf.get("task", "T1")


async def test_bearer_auth_headers() -> None:
    # docs/api-notes.md §1: Adobe IMS tokens as Authorization: Bearer (+ x-gw-ims-org-id)
    rec = Recorder(lambda r: ok({"ID": "T1"}))
    async with client(rec, api_key=None, auth=BearerAuth("ims-token-xyz", "ORG@AdobeOrg")) as wf:
        await wf.get("task", "T1")
    assert rec.last.headers["Authorization"] == "Bearer ims-token-xyz"
    assert rec.last.headers["x-gw-ims-org-id"] == "ORG@AdobeOrg"


def test_reprs_hide_secrets() -> None:
    objs: list[object] = [
        ApiKeyAuth(KEY),
        SessionAuth(SESSION),
        PasswordAuth("me", PASSWORD),
        OAuth2Auth("cid", SECRET, refresh_token="ref-secret-1", access_token="acc-secret-1"),
        JWTAuth("cid", SECRET, "jwt-secret-value"),
        BearerAuth("bearer-secret-1"),
    ]
    clients = [Workfront(BASE, api_key=KEY), Workfront(BASE, session_id=SESSION)]
    for wf in clients:
        anyio.run(wf.aclose)
    objs.extend(clients)
    for obj in objs:
        assert_no_secret(
            repr(obj),
            KEY,
            SESSION,
            PASSWORD,
            SECRET,
            "ref-secret-1",
            "acc-secret-1",
            "jwt-secret-value",
            "bearer-secret-1",
        )


async def test_secrets_never_in_errors_or_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="workfront_async")

    def handler(request: httpx.Request) -> httpx.Response:
        if path_of(request) == "task/boom":
            raise httpx.ConnectError(f"failed for {request.url}", request=request)
        # a server that echoes the credential it got in its error message
        sent = request.headers.get("SessionID") or param(request, "apiKey")
        return err(400, f"bad request: credential {sent} is not allowed here")

    rec = Recorder(handler)
    errors: list[BaseException] = []
    for kw in ({"api_key": KEY}, {"api_key": None, "session_id": SESSION}):
        async with client(rec, **kw) as wf:
            for coro in (
                wf.get("task", "T1"),
                wf.get("task", "boom"),
                wf.search("task", {"ID": [f"{i:032x}" for i in range(400)]}).all(),
            ):
                with pytest.raises((APIError, TransportError)) as info:
                    await coro
                errors.append(info.value)
    assert len(errors) == 6
    for e in errors:
        assert_no_secret(str(e), KEY, SESSION)
        assert_no_secret(repr(e), KEY, SESSION)
    logged = [r.getMessage() for r in caplog.records]
    assert any("GET" in m and "task/T1" in m and "400" in m for m in logged)
    for message in logged:
        assert_no_secret(message, KEY, SESSION)


async def test_oauth2_exchanges_an_authorization_code_once() -> None:
    # API notes §1: authorization code at /integrations/oauth2/authorize, tokens at .../token
    server = TokenServer()
    auth = OAuth2Auth("cid", SECRET, code="auth-code-123", redirect_uri="https://app/cb")
    async with client(Recorder(server), api_key=None, auth=auth) as wf:
        await wf.get("task", "T1")
        server.issued += 1  # the server revokes the token: the next call gets a 401
        await wf.get("task", "T1")
    first, second = (dict(params_of(r)) for r in server.token_requests)
    assert first == {
        "grant_type": "authorization_code",
        "code": "auth-code-123",
        "client_id": "cid",
        "client_secret": SECRET,
        "redirect_uri": "https://app/cb",
    }
    assert second["grant_type"] == "refresh_token"
    assert second["refresh_token"] == "ref-1-xyzxyz"
    assert_no_secret(repr(auth), "auth-code-123", "ref-1-xyzxyz", SECRET)
    with pytest.raises(QueryError, match="authorization code"):
        OAuth2Auth("cid", SECRET)
