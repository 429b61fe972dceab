"""Promise 8: secrets stay secret.

For every error path (401, 403, 404, 429, 500, a truncated body, a dropped
connection, a timeout), with every kind of credential (API key, session ID,
password login, OAuth2 tokens and client secret, a JWT, a bearer token) and
with every logger at DEBUG (the root logger, so httpx's and httpcore's own
records too), no credential appears in an exception's text, ``repr``, notes or
formatted traceback (with its chained causes), in a log record, or in the
command line's output (in-process and in a subprocess).

The server here is hostile on purpose: its error messages and bodies echo
back every credential it received (URL, headers and body), as servers and
proxies sometimes do.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterator

import anyio
import httpx
import pytest

from workfront_async import (
    ApiKeyAuth,
    Auth,
    BearerAuth,
    JWTAuth,
    OAuth2Auth,
    PasswordAuth,
    Q,
    Retry,
    SessionAuth,
    Workfront,
    WorkfrontError,
)
from workfront_async.cli import main as cli_main
from workfront_async.testing import Emulator

from ._support import BASE

API_KEY = "apikey-SECRET-0a1b2c3d4e5f"
SESSION = "session-SECRET-9f8e7d6c"
PASSWORD = "password-SECRET-hunter2"
LOGIN_SESSION = "login-session-SECRET-77aa"
CLIENT_SECRET = "client-secret-SECRET-5566"
REFRESH = "refresh-SECRET-1234abcd"
ACCESS = "access-SECRET-abcd4321"
JWT = "eyJhbGciOi.jwt-SECRET-payload.sig"
BEARER = "bearer-SECRET-ffee0011"
SECRETS = (API_KEY, SESSION, PASSWORD, LOGIN_SESSION, CLIENT_SECRET, REFRESH, ACCESS, JWT, BEARER)

AUTHS: dict[str, Callable[[], Auth]] = {
    "api_key": lambda: ApiKeyAuth(API_KEY),
    "session_id": lambda: SessionAuth(SESSION),
    "password": lambda: PasswordAuth("ann@example.com", PASSWORD),
    "oauth2": lambda: OAuth2Auth("client-id", CLIENT_SECRET, refresh_token=REFRESH),
    "jwt": lambda: JWTAuth("client-id", CLIENT_SECRET, JWT),
    "bearer": lambda: BearerAuth(BEARER, ims_org_id="ORG@AdobeOrg"),
}
FAILURES = ["401", "403", "404", "429", "500", "truncated", "dropped", "timeout"]


def _echo(request: httpx.Request) -> str:
    return (
        f"url={request.url} headers={dict(request.headers)!r} "
        f"body={request.content.decode('utf-8', 'replace')}"
    )


class HostileServer:
    """Logs in and issues tokens, then fails the API call the way it is told,
    echoing every credential it received."""

    def __init__(self, failure: str) -> None:
        self.failure = failure

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        path = request.url.path
        if path.startswith("/integrations/oauth2/"):
            return httpx.Response(
                200, json={"access_token": ACCESS, "refresh_token": REFRESH, "expires_in": 3600}
            )
        if path.endswith("/login"):
            return httpx.Response(200, json={"data": {"sessionID": LOGIN_SESSION, "userID": "U1"}})
        if path.endswith("/logout"):
            return httpx.Response(200, json={"data": {"success": True}})
        echo = _echo(request)
        if self.failure == "dropped":
            raise httpx.RemoteProtocolError(f"connection dropped: {echo}", request=request)
        if self.failure == "timeout":
            raise httpx.ReadTimeout(f"timed out: {echo}", request=request)
        if self.failure == "truncated":
            return httpx.Response(200, content=f'{{"data": [{{"echo": "{echo}'.encode())
        status = int(self.failure)
        return httpx.Response(
            status,
            headers={"Set-Cookie": f"attask={SESSION}; sessionID={LOGIN_SESSION}"},
            json={"error": {"class": "com.attask.Echo", "message": f"rejected: {echo}"}},
        )


def _texts(exc: BaseException) -> Iterator[str]:
    yield str(exc)
    yield repr(exc)
    yield "".join(traceback.format_exception(exc))
    yield from getattr(exc, "__notes__", [])
    for name in ("url", "message", "body_start", "detail", "method"):
        if hasattr(exc, name):
            yield repr(getattr(exc, name))


def assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked in {where}: {text[:500]!r}"


async def _fail_once(auth_name: str, failure: str) -> tuple[WorkfrontError, Workfront]:
    wf = Workfront(
        BASE,
        auth=AUTHS[auth_name](),
        transport=httpx.MockTransport(HostileServer(failure)),
        retry=Retry(attempts=2).without_backoff(),
    )
    call = (
        wf.get("task", "T1", fields=["name"])
        if failure == "404"
        else wf.search("task", Q.name == "x").page_size(10).all()
    )
    async with wf:
        with pytest.raises(WorkfrontError) as info:
            await call
    return info.value, wf


async def test_no_secret_in_any_error_repr_traceback_or_log_record(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: every library's records
    seen: set[str] = set()
    for auth_name in AUTHS:
        for failure in FAILURES:
            exc, wf = await _fail_once(auth_name, failure)
            seen.add(type(exc).__name__)
            for text in _texts(exc):
                assert_clean(text, f"{auth_name}/{failure} {type(exc).__name__}")
            assert_clean(repr(wf), f"repr of the client ({auth_name})")
            assert_clean(repr(wf.auth), f"repr of {auth_name}")
    assert seen >= {
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "RateLimitError",
        "ServerError",
        "ResponseError",
        "TransportError",
        "RequestTimeout",
    }
    assert caplog.records, "nothing was logged: the scan proves nothing"
    for record in caplog.records:
        assert_clean(record.getMessage(), f"log record of {record.name}")
        if record.exc_info:
            assert_clean("".join(traceback.format_exception(*record.exc_info)), "logged traceback")


async def test_no_secret_in_real_http_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    # over a real socket httpcore logs its own DEBUG records (headers included)
    caplog.set_level(logging.DEBUG)
    emu = Emulator()
    emu.add_user("ann@example.com", PASSWORD, admin=True)
    async with emu.serve() as served:
        key = emu.api_key()
        token = emu.issue_token()
        # httpx: this test reads httpcore's DEBUG records (tests/transport covers aiohttp)
        clients = [
            Workfront(served.base_url, api_key=key, retry=Retry.none(), http="httpx"),
            Workfront(served.base_url, session_id=token, retry=Retry.none(), http="httpx"),
            Workfront(
                served.base_url,
                auth=PasswordAuth("ann@example.com", PASSWORD),
                retry=Retry.none(),
                http="httpx",
            ),
            Workfront(
                served.base_url, api_key="wrong-" + API_KEY, retry=Retry.none(), http="httpx"
            ),
        ]
        session_ids: list[str] = []
        for wf in clients:
            async with wf:
                try:
                    await wf.count("task")
                    await wf.get("task", "0" * 32)
                except WorkfrontError as exc:
                    for text in _texts(exc):
                        assert_clean(text.replace(key, "").replace(token, ""), "real HTTP error")
                        assert key not in text
                        assert token not in text
                auth = wf.auth
                if isinstance(auth, PasswordAuth) and auth.session_id:
                    session_ids.append(auth.session_id)
    assert session_ids, "the password login worked"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "httpcore" in {r.name.split(".")[0] for r in caplog.records}
    for secret in (key, token, PASSWORD, *session_ids, API_KEY):
        assert secret not in logged


def test_no_secret_in_cli_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # the CLI retries connection errors with back-off: zero it, not the retries
    monkeypatch.setattr(Retry, "delay", lambda self, *args, **kwargs: 0.0)

    async def run() -> list[tuple[int, str]]:
        results = []
        emu = Emulator()
        async with emu.serve() as served:
            for argv in (
                ["count", "task", "--url", served.base_url, "--api-key", API_KEY],
                ["count", "task", "--url", served.base_url, "--api-key", API_KEY, "--debug"],
                ["search", "task", "--url", served.base_url, "--api-key", API_KEY, "--debug"],
                ["get", "task", "x", "--url", "http://127.0.0.1:9", "--api-key", API_KEY],
                [
                    "get",
                    "task",
                    "x",
                    "--url",
                    "http://127.0.0.1:9",
                    "--api-key",
                    API_KEY,
                    "--debug",
                ],
            ):
                code = await anyio.to_thread.run_sync(cli_main, argv)
                captured = capsys.readouterr()
                results.append((code, captured.out + captured.err))
        return results

    results = anyio.run(run)
    assert [code for code, _ in results] == [1, 1, 1, 1, 1]
    for _, output in results:
        assert output.strip(), "the CLI said why it failed"
        assert_clean(output, "CLI output")
    assert any("Traceback" in output for _, output in results)


async def test_no_secret_in_cli_subprocess_output() -> None:
    emu = Emulator()
    async with emu.serve() as served:
        for extra in ([], ["--debug"]):
            result = await anyio.run_process(
                [sys.executable, "-m", "workfront_async.cli", "search", "task", *extra],
                env={
                    **os.environ,
                    "WORKFRONT_URL": served.base_url,
                    "WORKFRONT_API_KEY": API_KEY,
                },
                check=False,
            )
            output = (result.stdout + result.stderr).decode()
            assert result.returncode == 1, output
            assert "AuthenticationError" in output
            assert_clean(output, "CLI subprocess output")


async def test_session_cookies_are_neither_kept_nor_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A server that sets a session cookie on every answer (Workfront does on
    # login; reads accept the cookie). The client must not send it back (it
    # would be a second, invisible credential that outlives logout) and
    # httpcore's DEBUG records of the response headers must not show it.
    import uvicorn

    cookie_seen: list[str] = []

    async def app(scope: dict[str, object], receive: object, send: object) -> None:
        assert scope["type"] == "http"
        headers = dict(scope["headers"])  # type: ignore[arg-type]
        cookie_seen.append(headers.get(b"cookie", b"").decode())
        await send(  # type: ignore[operator]
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"set-cookie", f"attask={LOGIN_SESSION}; Path=/".encode()),
                    (b"set-cookie", f"sessionID={SESSION}; Path=/".encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b'{"data": {"count": 3}}'})  # type: ignore[operator]

    caplog.set_level(logging.DEBUG)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve)
        while not server.started:  # noqa: ASYNC110 - uvicorn offers no event
            await anyio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        # httpx: the records checked below are httpcore's (tests/transport: aiohttp)
        async with Workfront(f"http://127.0.0.1:{port}", api_key=API_KEY, http="httpx") as wf:
            assert [await wf.count("task") for _ in range(3)] == [3, 3, 3]
        server.should_exit = True
    assert cookie_seen == ["", "", ""], "the client sent a session cookie back"
    records = [r for r in caplog.records if r.name.startswith("httpcore")]
    assert any("set-cookie" in r.getMessage() for r in records), "httpcore logged the headers"
    for record in caplog.records:
        assert_clean(record.getMessage(), f"log record of {record.name}")
