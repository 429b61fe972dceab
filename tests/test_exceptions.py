"""The error tree: mapping and redaction (docs/api-notes.md section 1, "Responses")."""

from __future__ import annotations

import pytest

from workfront_async import (
    APIError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from workfront_async._core.exceptions import error_for_status, redact_text, redact_url


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, InvalidRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (422, InvalidRequestError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_status_mapping(status: int, cls: type[APIError]) -> None:
    assert error_for_status(status) is cls


def test_error_with_http_200_maps_by_class() -> None:
    # docs/api-notes.md: errors sometimes come with HTTP 200.
    assert error_for_status(200, "com.attask.common.AuthenticationException") is AuthenticationError
    assert error_for_status(200, "java.lang.IllegalArgumentException") is InvalidRequestError
    assert error_for_status(200, "", "Too many concurrent API requests") is RateLimitError


def test_retryable_flags() -> None:
    assert RateLimitError("x", status=429).retryable
    assert ServerError("x", status=503).retryable
    assert not ServerError("x", status=500).retryable
    assert not InvalidRequestError("x", status=400).retryable


def test_redact_url_hides_secret_parameters() -> None:
    url = "https://acme.my.workfront.com/attask/api/v21.0/proj/search?apiKey=SEKRET123&name=x&sessionID=abcd1234"
    out = redact_url(url)
    assert "SEKRET123" not in out
    assert "abcd1234" not in out
    assert "name=x" in out


def test_redact_text_hides_pairs_bearer_and_literals() -> None:
    text = 'apiKey=SEKRET1 password: hunter22 {"sessionID": "zzzz9999"} Bearer eyJabc.def'
    out = redact_text(text, secrets=["literal-secret"])
    for secret in ("SEKRET1", "hunter22", "zzzz9999", "eyJabc.def"):
        assert secret not in out
    assert "literal-secret" not in redact_text("x literal-secret y", secrets=["literal-secret"])


def test_api_error_message_and_repr_are_redacted() -> None:
    err = AuthenticationError(
        "bad key apiKey=SEKRET1",
        status=401,
        error_class="com.attask.common.AuthenticationException",
        method="GET",
        url="https://h/attask/api/v21.0/proj/search?apiKey=SEKRET1",
    )
    assert "SEKRET1" not in str(err)
    assert "SEKRET1" not in repr(err)
    assert err.status == 401
    assert err.error_class.endswith("AuthenticationException")


def test_a_busy_sync_is_a_query_error_exported_at_the_top() -> None:
    from workfront_async import QueryError, SyncBusyError, WorkfrontError
    from workfront_async.classic import SyncBusyError as FromTheWing

    assert SyncBusyError is FromTheWing
    assert issubclass(SyncBusyError, QueryError)
    assert issubclass(SyncBusyError, WorkfrontError)
