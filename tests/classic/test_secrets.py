"""Credentials never show: not in log lines (whatever characters a key holds),
printed URLs, error messages, reprs, or the locals a traceback captures."""

from __future__ import annotations

import copy
import logging
import pickle
import traceback
from urllib.parse import quote, quote_plus, urlencode

import httpx
import pytest

from workfront_async import (
    APIError,
    ApiKeyAuth,
    AuthenticationError,
    PasswordAuth,
    Retry,
    TransportError,
    Workfront,
)
from workfront_async._core.exceptions import redact_text, redact_url
from workfront_async._core.secret import Secret

from .helpers import BASE, KEY, Recorder, client, err, ok

# Keys with the characters that broke the old pattern (``/ + = %``), one of
# them starting with an encoded character. Values made up for these tests only.
ODD_KEYS = ("ab/cd+ef=gh%ij-0123456789", "%2Fstarts-encoded-98765", "/lead+slash=x%y-4242")


def forms(value: str) -> set[str]:
    """Every way a value can appear in a URL or a form body."""
    return {
        value,
        quote(value, safe=""),
        quote(value),
        quote_plus(value),
        urlencode([("k", value)])[2:],
        str(httpx.QueryParams({"k": value}))[2:],
    }


def assert_hidden(text: str, value: str) -> None:
    for form in forms(value):
        assert form not in text, f"{form!r} leaked in {text!r}"


@pytest.mark.parametrize("key", ODD_KEYS)
@pytest.mark.parametrize("encode", [str, lambda v: quote(v, safe=""), quote_plus, quote])
def test_the_pattern_redacts_the_whole_value_in_every_encoding(key: str, encode: object) -> None:
    # No Secret holds these keys: only the name=value pattern can hide them, as in
    # httpx's own log line ('HTTP Request: GET ...?apiKey=... "HTTP/1.1 200 OK"').
    value = encode(key)  # type: ignore[operator]
    line = (
        f'HTTP Request: GET {BASE}/attask/api/v21.0/task/search?apiKey={value}&x=1 "HTTP/1.1 200"'
    )
    cleaned = redact_text(line)
    assert "apiKey=[REDACTED]&x=1" in cleaned
    assert_hidden(cleaned, key)
    at_end = redact_text(f"HTTP 401: bad key (GET {BASE}/task/count?apiKey={value})")
    assert at_end.endswith("apiKey=[REDACTED])")
    assert_hidden(at_end, key)


def test_redaction_keeps_the_closing_parenthesis_of_error_messages() -> None:
    exc = AuthenticationError(
        "The apiKey is invalid",
        status=401,
        method="GET",
        url=f"{BASE}/attask/api/v21.0/task/count?apiKey=abcdef123456",
    )
    assert str(exc).endswith("task/count?apiKey=[REDACTED])")
    assert redact_text(str(exc)) == str(exc)  # redacting twice changes nothing


@pytest.mark.parametrize("key", ODD_KEYS)
async def test_httpx_log_lines_never_show_a_key_sent_as_parameter(
    key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rec = Recorder(lambda r: ok({"count": 0} if r.url.path.endswith("count") else []))
    auth = ApiKeyAuth(key, in_header=False)
    async with Workfront(BASE, auth=auth, transport=rec.transport()) as wf:
        await wf.search("task").all()
        await wf.count("task")
    assert any(r.name == "httpx" for r in caplog.records)
    assert key in [v for k, v in rec.last.url.params.multi_items() if k == "apiKey"]
    assert_hidden("\n".join(r.getMessage() for r in caplog.records), key)


async def test_the_api_key_travels_in_a_header_by_default() -> None:
    # docs/api-notes.md §4 "API key as a header": the official client sends `apiKey: <key>`
    rec = Recorder(lambda r: ok([] if r.url.path.endswith("search") else {"ID": "T1"}))
    async with client(rec) as wf:
        await wf.search("task", {"ID": [f"{i:032x}" for i in range(400)]}).all()
        await wf.get("task", "T1")
        await wf.create("task", {"name": "x"})
    assert [r.method for r in rec.requests] == ["POST", "GET", "POST"]  # long search overridden
    for request in rec.requests:
        assert request.headers["apiKey"] == KEY
        assert_hidden(str(request.url), KEY)
        assert_hidden(request.content.decode(), KEY)


async def test_the_parameter_form_stays_available() -> None:
    rec = Recorder(lambda r: ok([]))
    async with Workfront(
        BASE, auth=ApiKeyAuth(KEY, in_header=False), transport=rec.transport()
    ) as wf:
        await wf.search("task").all()
    assert rec.last.url.params["apiKey"] == KEY
    assert "apikey" not in rec.last.headers
    assert repr(ApiKeyAuth(KEY, in_header=False)) == "ApiKeyAuth(key=<redacted>, in_header=False)"


async def test_a_password_in_the_base_url_never_shows() -> None:
    password = "pa55-w0rd-in-url"

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot connect to {request.url}", request=request)

    base = f"https://admin:{password}@acme.my.workfront.com"
    wf = Workfront(base, api_key=KEY, transport=httpx.MockTransport(refuse), retry=Retry.none())
    assert password not in repr(wf)
    async with wf:
        with pytest.raises(TransportError) as info:
            await wf.count("task")
    for text in (str(info.value), repr(info.value), info.value.url, str(info.value.__cause__)):
        assert password not in text
        assert "admin:" not in text
    assert "acme.my.workfront.com" in info.value.url


def test_redact_url_strips_userinfo() -> None:
    assert redact_url("https://u:p4ss@h.example/x?apiKey=k&a=1") == (
        "https://h.example/x?apiKey=[REDACTED]&a=1"
    )
    assert redact_url("https://user@h.example/") == "https://h.example/"
    assert "s3cret" not in redact_text("failed: https://u:s3cret@h.example/x (GET)")


def shown_locals(exc: BaseException) -> str:
    """The traceback as Sentry, rich or ``pytest --showlocals`` would show it,
    from the library's first frame on (the test's own frame holds the test's values)."""
    assert exc.__traceback__ is not None
    tb = traceback.TracebackException(
        type(exc), exc, exc.__traceback__.tb_next, capture_locals=True
    )
    return "".join(tb.format())


async def test_traceback_locals_never_show_the_api_key() -> None:
    rec = Recorder(lambda r: err(401, "bad key", "com.attask.common.AuthenticationException"))
    async with client(rec) as wf:
        with pytest.raises(AuthenticationError) as info:
            await wf.get("task", "T1")
    text = shown_locals(info.value)
    assert "auth = ApiKeyAuth(key=<redacted>)" in text  # the locals were captured
    assert_hidden(text, KEY)


async def test_traceback_locals_never_show_a_password() -> None:
    password = "correct-horse-battery-9"
    rec = Recorder(lambda r: err(401, "bad login", "com.attask.common.AuthenticationException"))
    async with client(rec, api_key=None) as wf:
        with pytest.raises(APIError) as info:
            await wf.login("me@acme.com", password)
        with pytest.raises(APIError) as info2:
            await wf.get_api_key("me@acme.com", password)
    for exc in (info.value, info2.value):
        text = shown_locals(exc)
        assert "params_in_body=True" in text  # the Call was among the locals
        # the password the caller passed in is its own local; every other frame is ours
        frames_only = text.replace(f"password = '{password}'", "")
        assert_hidden(frames_only, password)


def test_secret_is_opaque() -> None:
    secret = Secret("tok-123456789")
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret:>20}"):
        assert "tok-123456789" not in text
    assert secret.reveal() == "tok-123456789"
    assert repr(secret.reveal()) == "'[REDACTED]'"  # what a traceback local would show
    assert secret == Secret("tok-123456789")
    assert secret != Secret("tok-other")
    assert secret != "tok-123456789"  # a Secret never equals a plain string
    assert copy.deepcopy(secret) is secret
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(TypeError):
        pickle.dumps(secret.reveal())
    with pytest.raises(TypeError):
        Secret(123)  # type: ignore[arg-type]


def test_auth_objects_keep_credentials_as_secrets() -> None:
    auth = ApiKeyAuth(KEY)
    assert isinstance(auth.key, Secret)
    password = PasswordAuth("me", "pw-123456789")
    assert isinstance(password.password, Secret)
    assert password.secrets() == ("pw-123456789",)  # the transport still gets plain text


def test_live_secrets_are_scrubbed_from_any_text_in_any_encoding() -> None:
    # a value the name=value pattern cannot see: no name, and a ')' inside
    value = "tok)en with spaces/and+plus"
    secret = Secret(value)
    for form in forms(value):
        assert_hidden(redact_text(f"something said {form} here"), value)
    short = Secret("admin")  # too short to scrub everywhere: ordinary words stay
    assert redact_text("only system administrators") == "only system administrators"
    del secret, short
