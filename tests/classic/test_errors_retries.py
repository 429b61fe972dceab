"""Error mapping and retries over the transport (docs/api-notes.md §1 Responses, Limits)."""

from __future__ import annotations

import httpx
import pytest

from workfront_async import (
    AuthenticationError,
    InvalidRequestError,
    RateLimitError,
    RequestTimeout,
    ResponseError,
    Retry,
    ServerError,
    TransportError,
)

from .helpers import KEY, Recorder, client, err, ok


class Script:
    """Answers from a list, one per request; then the last one forever."""

    def __init__(self, *answers: httpx.Response | type[Exception]) -> None:
        self.answers = list(answers)
        self.calls = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        if isinstance(answer, type):
            raise answer("boom", request=request)  # type: ignore[call-arg]
        return answer


def record_sleeps(wf: object) -> list[float]:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    wf._sender._sleep = fake_sleep  # type: ignore[attr-defined]
    return slept


async def test_200_with_error_raises() -> None:
    # docs/api-notes.md §1 Responses: errors sometimes come with HTTP 200
    body = {"message": "bad field", "class": "java.lang.IllegalArgumentException"}
    rec = Recorder(lambda r: httpx.Response(200, json={"error": body}))
    async with client(rec) as wf:
        with pytest.raises(InvalidRequestError) as info:
            await wf.get("task", "T1")
    assert info.value.status == 200
    assert info.value.error_class == "java.lang.IllegalArgumentException"
    assert info.value.method == "GET"
    assert info.value.url.endswith("task/T1")  # the key is in a header, not the URL


async def test_truncated_json_raises_response_error_after_retries() -> None:
    script = Script(httpx.Response(200, content=b'{"data":[{"ID":"a"},'))
    rec = Recorder(script)
    async with client(rec, retry=Retry(attempts=3).without_backoff()) as wf:
        with pytest.raises(ResponseError, match=r"body starts: '\{\"data\":\["):
            await wf.search("task").all()
    assert script.calls == 3


async def test_reads_retry_on_429_502_503_504_and_connect_errors() -> None:
    script = Script(
        err(429, "Too many concurrent API requests"),
        httpx.Response(502, content=b"<html>bad gateway</html>"),
        err(503, "unavailable"),
        httpx.ConnectError,
        err(504, "gateway timeout"),
        ok({"ID": "T1"}),
    )
    rec = Recorder(script)
    async with client(rec, retry=Retry(attempts=6).without_backoff()) as wf:
        slept = record_sleeps(wf)
        assert await wf.get("task", "T1") == {"ID": "T1"}
    assert script.calls == 6
    assert slept == [0.0] * 5


async def test_attempts_are_bounded() -> None:
    script = Script(err(503, "unavailable"))
    async with client(Recorder(script), retry=Retry(attempts=4).without_backoff()) as wf:
        with pytest.raises(ServerError) as info:
            await wf.get("task", "T1")
    assert info.value.retryable
    assert script.calls == 4


async def test_non_retryable_errors_are_not_retried() -> None:
    script = Script(err(500, "NullPointerException"), ok({"ID": "T1"}))
    async with client(Recorder(script)) as wf:
        with pytest.raises(ServerError):
            await wf.get("task", "T1")
    assert script.calls == 1


async def test_writes_are_not_retried_unless_opted_in() -> None:
    script = Script(err(503, "unavailable"), ok({"ID": "T1"}))
    async with client(Recorder(script)) as wf:
        with pytest.raises(ServerError):
            await wf.create("task", {"name": "x"})
    assert script.calls == 1
    script = Script(err(503, "unavailable"), ok({"ID": "T1"}))
    async with client(Recorder(script), retry=Retry(retry_writes=True).without_backoff()) as wf:
        assert await wf.create("task", {"name": "x"}) == {"ID": "T1"}
    assert script.calls == 2


async def test_retry_after_is_honoured_and_backoff_grows() -> None:
    script = Script(
        err(429, "slow down", headers={"Retry-After": "3"}),
        err(503, "unavailable"),
        err(503, "unavailable"),
        ok({"ID": "T1"}),
    )
    retry = Retry(attempts=5, backoff_base=0.1, backoff_max=1.0, jitter=False)
    async with client(Recorder(script), retry=retry) as wf:
        slept = record_sleeps(wf)
        await wf.get("task", "T1")
    assert slept == [3.0, 0.2, 0.4]


async def test_deadline_stops_retrying() -> None:
    script = Script(err(429, "slow down", headers={"Retry-After": "100"}), ok({"ID": "T1"}))
    retry = Retry(attempts=5, deadline=10.0, jitter=False)
    async with client(Recorder(script), retry=retry) as wf:
        slept = record_sleeps(wf)
        with pytest.raises(RateLimitError) as info:
            await wf.get("task", "T1")
    assert info.value.retry_after == 100.0
    assert slept == []
    assert script.calls == 1


async def test_transport_errors_are_wrapped() -> None:
    async with client(Recorder(Script(httpx.ConnectError)), retry=Retry.none()) as wf:
        with pytest.raises(TransportError) as info:
            await wf.get("task", "T1")
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert KEY not in str(info.value)
    async with client(Recorder(Script(httpx.ReadTimeout)), retry=Retry.none()) as wf:
        with pytest.raises(RequestTimeout) as tinfo:
            await wf.get("task", "T1")
    assert isinstance(tinfo.value, TimeoutError)


async def test_api_key_401_is_not_retried() -> None:
    script = Script(err(401, "bad key", "com.attask.common.AuthenticationException"))
    async with client(Recorder(script)) as wf:
        with pytest.raises(AuthenticationError):
            await wf.get("task", "T1")
    assert script.calls == 1
