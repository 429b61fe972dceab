"""Tracebacks that capture locals (Sentry's default, rich, ``pytest --showlocals``)
never show a credential: the sender keeps secrets in objects whose ``repr`` is
redacted (``Redactions``, ``SensitiveHeaders``, the request plan's URL)."""

from __future__ import annotations

import traceback

import httpx
import pytest

from workfront_async import Retry, TransportError, Workfront

SESSION = "S3ss10n-0f-a-l0gged-1n-user"


def _refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


async def test_no_credential_in_the_locals_of_a_failed_call() -> None:
    async with Workfront(
        "https://acme.my.workfront.com",
        session_id=SESSION,
        transport=httpx.MockTransport(_refuse),
        retry=Retry.none(),
    ) as wf:
        with pytest.raises(TransportError) as info:
            await wf.search("task", {"name": "x"}).first()
    text = "".join(
        traceback.TracebackException.from_exception(info.value, capture_locals=True).format()
    )
    assert "auth_headers" in text  # the sender's frames were captured...
    assert SESSION not in text  # ...and show no secret
