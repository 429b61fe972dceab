"""Pure planning and parsing: _wire, _paging, _dates, _retry (no I/O)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone
from urllib.parse import parse_qsl

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from workfront_async import (
    APIError,
    AuthenticationError,
    InvalidRequestError,
    NotFoundError,
    QueryError,
    RateLimitError,
    ResponseError,
    Retry,
    ServerError,
    TransportError,
    format_date,
    parse_date,
)
from workfront_async._core.checks import check_page_size, normalize_sort, sort_params
from workfront_async._core.request import Call, parse_classic, parse_retry_after, plan_http
from workfront_async.classic._wire import chunk_ids, where_params

API = "https://acme.my.workfront.com/attask/api/v21.0/"

# -- plan_http -------------------------------------------------------------------------


def test_short_call_stays_get_with_api_key_in_query() -> None:
    # docs/api-notes.md §1 Authentication: apiKey= request parameter
    plan = plan_http(
        Call("GET", "task/search", (("name", "a b"),)), API, auth_params=[("apiKey", "K")]
    )
    assert plan.method == "GET"
    assert plan.url == API + "task/search?name=a+b&apiKey=K"
    assert plan.content is None
    assert not plan.overridden


def test_long_call_becomes_post_with_method_in_form_body() -> None:
    # docs/api-notes.md §1 Verbs: POST with form body carrying all parameters plus method=GET
    params = tuple(("ID", f"{i:032x}") for i in range(400))
    plan = plan_http(Call("GET", "task/search", params), API, auth_params=[("apiKey", "K")])
    assert plan.method == "POST"
    assert plan.overridden
    assert plan.url == API + "task/search"
    assert ("Content-Type", "application/x-www-form-urlencoded") in plan.headers
    body = parse_qsl((plan.content or b"").decode())
    assert body == [*params, ("apiKey", "K"), ("method", "GET")]


def test_long_put_keeps_its_verb_in_method() -> None:
    plan = plan_http(Call("PUT", "task/T1", (("updates", "x" * 9000),)), API)
    assert plan.method == "POST"
    assert ("method", "PUT") in parse_qsl((plan.content or b"").decode())


def test_existing_method_parameter_is_not_duplicated() -> None:
    # bulk create is PUT ...&method=POST (docs/api-notes.md §1 Bulk)
    plan = plan_http(Call("PUT", "task", (("updates", "y" * 9000), ("method", "POST"))), API)
    body = parse_qsl((plan.content or b"").decode())
    assert [v for k, v in body if k == "method"] == ["POST"]


def test_params_in_body_forces_form() -> None:
    plan = plan_http(
        Call("POST", "login", (("username", "u"), ("password", "p")), params_in_body=True), API
    )
    assert plan.url == API + "login"
    assert "password" not in plan.url
    assert parse_qsl((plan.content or b"").decode()) == [("username", "u"), ("password", "p")]


def test_json_call_too_long_is_a_query_error() -> None:
    with pytest.raises(QueryError, match="URI"):
        plan_http(Call("POST", "x", (("a", "b" * 9000),), json=b"{}"), API)


@given(st.lists(st.text(min_size=1, max_size=40), max_size=300), st.integers(300, 9000))
def test_planned_uri_never_exceeds_limit(values: list[str], limit: int) -> None:
    plan = plan_http(
        Call("GET", "task/search", tuple(("v", x) for x in values)), API, max_uri_bytes=limit
    )
    assert len(plan.url.encode()) <= limit


# -- where_params ----------------------------------------------------------------------


def test_where_mapping_repeats_lists() -> None:
    # docs/api-notes.md §1 Search: in/notin repeat the parameter
    assert where_params({"status": ["CUR", "PLN"], "status_Mod": "in", "done": True}) == [
        ("status", "CUR"),
        ("status", "PLN"),
        ("status_Mod", "in"),
        ("done", "true"),
    ]


def test_where_rejects_strings_and_bad_pairs() -> None:
    with pytest.raises(QueryError, match="Q expression"):
        where_params("status=CUR")  # type: ignore[arg-type]
    with pytest.raises(QueryError, match="pairs"):
        where_params([("a", "b", "c")])  # type: ignore[list-item]
    assert where_params(None) == []


# -- chunk_ids -------------------------------------------------------------------------


@given(
    st.lists(st.text(alphabet="0123456789abcdef", min_size=1, max_size=32), max_size=500),
    st.integers(200, 3000),
)
def test_chunk_ids_fit_and_cover(ids: list[str], budget: int) -> None:
    fixed = 100
    chunks = chunk_ids(ids, fixed_bytes=fixed, max_uri_bytes=fixed + budget)
    assert [i for c in chunks for i in c] == ids
    from urllib.parse import urlencode

    for c in chunks:
        assert len(urlencode([("id", ",".join(c))])) - 3 <= budget


# -- parse_classic ---------------------------------------------------------------------


def test_data_is_unwrapped_and_bare_bodies_returned() -> None:
    assert parse_classic(200, b'{"data": [1, 2]}') == [1, 2]
    assert parse_classic(200, b'{"count": 3}') == {"count": 3}


@pytest.mark.parametrize(
    ("status", "cls", "expected"),
    [
        (400, "java.lang.IllegalArgumentException", InvalidRequestError),
        (401, "com.attask.common.AuthenticationException", AuthenticationError),
        (404, "", NotFoundError),
        (422, "", InvalidRequestError),
        (429, "", RateLimitError),
        (500, "", ServerError),
        (503, "", ServerError),
        # docs/api-notes.md §1 Responses: errors sometimes come with HTTP 200
        (200, "com.attask.common.AuthenticationException", AuthenticationError),
        (200, "java.lang.IllegalArgumentException", InvalidRequestError),
        (200, "", APIError),
    ],
)
def test_error_body_raises_whatever_the_status(
    status: int, cls: str, expected: type[APIError]
) -> None:
    body = orjson.dumps({"error": {"message": "boom", "class": cls, "title": "t"}})
    with pytest.raises(expected) as info:
        parse_classic(status, body, method="GET", url=API + "task/search?apiKey=SECRET")
    e = info.value
    assert type(e) is expected
    assert (e.status, e.error_class, e.message, e.method) == (status, cls, "boom", "GET")
    assert "SECRET" not in e.url
    assert "SECRET" not in str(e)
    assert e.retryable == (status in (429, 503))


def test_error_as_bare_string() -> None:
    with pytest.raises(APIError, match="something broke"):
        parse_classic(200, b'{"error": "something broke"}')


def test_truncated_json_is_a_clear_error() -> None:
    # docs/api-notes.md §1 Responses: responses can be truncated ({"data":[)
    with pytest.raises(ResponseError) as info:
        parse_classic(200, b'{"data":[{"ID":"a"', method="GET", url=API + "task/search")
    assert "not valid JSON" in str(info.value)
    assert '{"data":[{"ID":"a"' in str(info.value)
    assert info.value.body_start.startswith('{"data":[')


def test_non_json_error_status_maps_by_status() -> None:
    with pytest.raises(ServerError) as info:
        parse_classic(502, b"<html>Bad gateway</html>")
    assert info.value.retryable
    assert "Bad gateway" in str(info.value)


def test_retry_after_is_parsed() -> None:
    headers = {"retry-after": "7"}
    with pytest.raises(RateLimitError) as info:
        parse_classic(
            429, b'{"error": {"message": "Too many concurrent API requests"}}', headers=headers
        )
    assert info.value.retry_after == 7.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_secrets_in_error_messages_are_scrubbed() -> None:
    body = orjson.dumps({"error": {"message": "invalid key ab12cd34ef56 for you"}})
    with pytest.raises(APIError) as info:
        parse_classic(401, body, secrets=["ab12cd34ef56"])
    assert "ab12cd34ef56" not in str(info.value)
    assert "ab12cd34ef56" not in repr(info.value)


# -- paging ----------------------------------------------------------------------------


def test_page_size_over_2000_is_a_query_error() -> None:
    # docs/api-notes.md §1 Limits: max $$LIMIT 2000; more is an error, not truncation
    with pytest.raises(QueryError, match="2000"):
        check_page_size(2001)
    with pytest.raises(QueryError):
        check_page_size(0)


def test_sort_always_ends_with_id() -> None:
    # docs/api-notes.md §1 Search: without a stable sort pages may repeat or skip rows
    assert sort_params(()) == [("ID_Sort", "asc")]
    assert sort_params(normalize_sort(["name"])) == [("name_1_Sort", "asc"), ("ID_2_Sort", "asc")]
    assert sort_params(normalize_sort(["-ID"])) == [("ID_Sort", "desc")]
    assert sort_params(normalize_sort([("a", "DESC"), "ID", "b"])) == [
        ("a_1_Sort", "desc"),
        ("ID_2_Sort", "asc"),
        ("b_3_Sort", "asc"),
    ]
    with pytest.raises(QueryError):
        normalize_sort([("a", "sideways")])


# -- dates -----------------------------------------------------------------------------


def test_parse_workfront_dates() -> None:
    # docs/api-notes.md §1 Dates
    d = parse_date("2020-05-18T17:00:00:000-0600")
    assert d == datetime(2020, 5, 18, 17, tzinfo=timezone(timedelta(hours=-6)))
    assert parse_date("2020-05-18T17:00:28.722-0600").microsecond == 722000
    assert parse_date("2020-05-13T18:18:37.255Z") == datetime(2020, 5, 13, 18, 18, 37, 255000, UTC)
    for bad in ("2020-05-18", "2020-05-18T17:00:00", "yesterday", "2020-05-18T17:00:00+9900"):
        with pytest.raises(ValueError, match="Workfront timestamp"):
            parse_date(bad)


def test_format_date() -> None:
    d = datetime(2020, 5, 18, 17, 0, 0, 5000, timezone(timedelta(hours=-6)))
    assert format_date(d) == "2020-05-18T17:00:00:005-0600"
    assert format_date(date(2020, 1, 2)) == "2020-01-02"
    with pytest.raises(ValueError, match="naive"):
        format_date(datetime(2020, 1, 1))


@given(
    st.datetimes(
        min_value=datetime(1971, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=-6)), timezone(timedelta(hours=5, minutes=30))]
        ),
    )
)
def test_format_parse_round_trip(d: datetime) -> None:
    d = d.replace(microsecond=d.microsecond // 1000 * 1000)
    assert parse_date(format_date(d)) == d


# -- retry policy ----------------------------------------------------------------------


def test_retry_delays_are_capped_and_jittered() -> None:
    r = Retry(backoff_base=1.0, backoff_max=5.0, jitter=False)
    assert [r.delay(n) for n in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    rng = random.Random(1)
    jittered = Retry(backoff_base=1.0, backoff_max=5.0).delay(3, rng=rng)
    assert 2.0 <= jittered <= 4.0
    assert r.delay(1, retry_after=9.0) == 9.0  # Retry-After honoured when longer
    assert r.without_backoff().delay(3, retry_after=9.0) == 0.0


def test_what_is_retryable() -> None:
    r = Retry()
    e429 = RateLimitError("x", status=429)
    e500 = ServerError("x", status=500)
    e503 = ServerError("x", status=503)
    conn = TransportError("connect failed")
    assert r.is_retryable(e429, idempotent=True)
    assert r.is_retryable(e503, idempotent=True)
    assert r.is_retryable(conn, idempotent=True)
    assert not r.is_retryable(e500, idempotent=True)
    assert not r.is_retryable(NotFoundError("x", status=404), idempotent=True)
    assert not r.is_retryable(e503, idempotent=False)
    assert Retry(retry_writes=True).is_retryable(e503, idempotent=False)
    # a truncated answer may come whole next time; one that says the same
    # request brings it again (too large, not fitting a row class) may not
    truncated = ResponseError("not valid JSON")
    assert r.is_retryable(truncated, idempotent=True)
    again = ResponseError("does not fit Task")
    again.retryable = False
    assert not r.is_retryable(again, idempotent=True)
    with pytest.raises(QueryError):
        Retry(attempts=0)
