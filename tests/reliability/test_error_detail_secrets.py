"""An error's ``detail`` is redacted like its message, on every HTTP node.

A server (or a proxy in front of it) may echo the credential it received in
the error object: in ``title``, in ``attributes``, nested in lists and
objects. The message, ``str``, ``repr`` and traceback were already clean;
``APIError.detail`` kept the key as it came. Now every string in ``detail``
(keys too) is redacted, and the value under a secret-named key is replaced.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator

import pytest

from workfront_async import (
    APIError,
    ApiKeyAuth,
    BearerAuth,
    Call,
    PlanningV2,
    ResponseError,
    Retry,
    Workfront,
    WorkfrontError,
)

from ._loopback import Loopback, serve

REDACTED = "[REDACTED]"  # what a redacted value reads as

NODES = ["httpx", "aiohttp"]
# A long key (every live credential is scrubbed everywhere) and a short one
# (only the call that sent it knows to scrub it).
KEYS = {"long": "echoed-api-key-0123456789abcdef", "short": "k3y9z"}

ECHOING_ERROR = {
    "error": {
        "class": "com.attask.common.AuthenticationException",
        "message": "invalid key",
        "title": "Invalid apiKey $ECHO",
        "msgKey": "exception.authentication",
        "attributes": ["$ECHO", {"given": "the key $ECHO was refused", "apiKey": "$ECHO"}],
        "$ECHO": {"nested": [["deeper $ECHO"]], "count": 3},
        "code": 4001,
    }
}


@pytest.fixture
def server() -> Iterator[Loopback]:
    yield from serve()


@pytest.fixture(params=NODES)
def node(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize("status", [401, 400, 200])
@pytest.mark.parametrize("in_header", [True, False], ids=["header", "parameter"])
@pytest.mark.parametrize("kind", ["long", "short"])
async def test_an_echoed_key_is_not_kept_in_the_error_detail(
    server: Loopback, node: str, status: int, in_header: bool, kind: str
) -> None:
    # No local holds the key: the traceback below captures this frame's locals too.
    server.answer("/task/ID1", ECHOING_ERROR, status=status)
    auth = ApiKeyAuth(KEYS[kind], in_header=in_header)
    async with Workfront(server.url, auth=auth, http=node, retry=Retry.none()) as wf:
        with pytest.raises(APIError) as caught:
            await wf.get("task", "ID1")
    assert server.hits["/task/ID1"] == 1
    error = caught.value
    detail = error.detail
    # The server did echo it, and only the key was taken out.
    assert detail["title"] == f"Invalid apiKey {REDACTED}"
    assert detail["attributes"] == [
        REDACTED,
        {"given": f"the key {REDACTED} was refused", "apiKey": REDACTED},
    ]
    assert detail[REDACTED] == {"nested": [[f"deeper {REDACTED}"]], "count": 3}
    assert detail["msgKey"] == "exception.authentication"
    assert detail["code"] == 4001  # an error's code is not an OAuth code
    for text in [repr(detail), *_shown(error)]:
        assert KEYS[kind] not in text


def _shown(error: BaseException) -> list[str]:
    return [
        str(error),
        repr(error),
        "".join(traceback.format_exception(error)),
        "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format()),
    ]


@pytest.mark.parametrize("status", [200, 500])
async def test_an_echoed_key_in_a_body_that_is_not_json_stays_out_of_tracebacks(
    server: Loopback, node: str, status: int
) -> None:
    # The parser's frames held the whole raw answer in their locals.
    server.answer("/task/ID1", b"<html>proxy error: your apiKey was $ECHO</html>", status=status)
    auth = ApiKeyAuth(KEYS["long"])
    async with Workfront(server.url, auth=auth, http=node, retry=Retry.none()) as wf:
        with pytest.raises((ResponseError, APIError)) as caught:
            await wf.get("task", "ID1")
    assert "proxy error" in str(caught.value)  # the body's start is shown...
    for text in _shown(caught.value):
        assert KEYS["long"] not in text  # ...without the key


async def test_an_echoed_bearer_token_is_not_kept_in_a_planning_error(
    server: Loopback, node: str
) -> None:
    spring = {
        "timestamp": "2025-01-01T00:00:00Z",
        "status": 400,
        "error": "Bad Request",
        "message": "the token $ECHO is not valid here",
        "code": "INVALID_TOKEN",
        "details": {"token": "$ECHO", "seen": ["$ECHO"]},
        "path": "/v1/workspaces",
    }
    server.answer("/v1/workspaces", spring, status=400)
    auth = BearerAuth("echoed-bearer-token-fedcba9876543210", ims_org_id="ORG@AdobeOrg")
    async with PlanningV2(server.url, auth=auth, http=node, retry=Retry.none()) as pl:
        with pytest.raises(WorkfrontError) as caught:
            await pl.request(Call("GET", "v1/workspaces"))
    error = caught.value
    assert isinstance(error, APIError)
    assert error.detail["token"] == REDACTED
    assert error.detail["seen"] == [REDACTED]
    assert error.error_class == "INVALID_TOKEN"
    for text in [repr(error.detail), *_shown(error)]:
        assert "echoed-bearer-token-fedcba9876543210" not in text
