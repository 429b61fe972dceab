"""``handle()`` never raises for bad input: any body, path or query gives a
JSON-able answer with a status, and every error carries the documented body."""

from __future__ import annotations

from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from ._support import FIELDS, make_backend

BACKEND = make_backend()  # read-only use below: only searches and failing writes

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "A", "x", "2024-03-31", "$isEmpty", "$is", "$and", "t", "n"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["$and", "$or", "$is", "$isBetween", "$hasAnyOf", "$contains", "$nope", "zz"]
                + [str(f["id"]) for f in FIELDS]
            ),
            children,
            max_size=3,
        )
    ),
    max_leaves=12,
)

search_bodies = st.fixed_dictionaries(
    {},
    optional={
        "recordTypeId": st.sampled_from(["rtI", "rtT", "nope"]) | json_values,
        "filters": json_values,
        "sorting": json_values
        | st.lists(
            st.fixed_dictionaries(
                {"fieldId": st.sampled_from([str(f["id"]) for f in FIELDS])},
                optional={"direction": st.sampled_from(["asc", "desc", "up"])},
            ),
            max_size=3,
        ),
        "offset": json_values,
        "limit": json_values,
    },
)


def _check(status: int, answer: object, path: str = "/v1") -> None:
    if answer == b"":
        assert status in (200, 204)  # a delete: no body
        return
    orjson.dumps(answer)
    assert status in (200, 201, 207, 400, 403, 404, 405)
    if status >= 400:
        assert isinstance(answer, dict)
        if path.startswith("/v2"):
            # docs/api-notes.md §5: v2 problem details (static/v2.json V2ProblemDetail)
            assert {"title", "status", "detail", "errorCode", "requestId"} <= set(answer)
            assert answer["status"] == status
            assert answer["detail"]
        else:
            # docs/api-notes.md §5: the v1 error body
            assert set(answer) == {"type", "title", "report"}
            assert answer["type"] // 100 == status
            assert answer["report"]["detailedMessage"]


@given(body=search_bodies)
def test_any_search_body(body: dict[str, Any]) -> None:
    status, answer = BACKEND.handle("POST", "/v1/records/search", [], orjson.dumps(body))
    _check(status, answer)


@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "get"]),
    path=st.lists(
        st.sampled_from(["v1", "v2", "records", "search", "workspaces", "record-types", "r1", "x"]),
        max_size=4,
    ).map(lambda parts: "/" + "/".join(parts)),
    query=st.lists(
        st.tuples(st.sampled_from(["attributes", "workspaceId", "x"]), st.text(max_size=8)),
        max_size=3,
    ),
    body=st.binary(max_size=20) | json_values.map(orjson.dumps),
)
def test_any_request(method: str, path: str, query: list[tuple[str, str]], body: bytes) -> None:
    backend = make_backend()  # writes may succeed here
    status, answer = backend.handle(method, path, query, body)
    _check(status, answer, path)


@given(data=st.dictionaries(st.sampled_from([str(f["id"]) for f in FIELDS]), json_values))
def test_any_record_data(data: dict[str, Any]) -> None:
    backend = make_backend()
    body = orjson.dumps({"recordTypeId": "rtI", "data": data})
    status, answer = backend.handle("POST", "/v1/records", [], body)
    _check(status, answer)
    status, answer = backend.handle("PUT", "/v1/records/r1", [], body)
    _check(status, answer)
