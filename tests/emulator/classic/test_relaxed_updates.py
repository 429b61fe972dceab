"""``updates=`` as Adobe's "API basics" page writes it: relaxed JSON (keys
without quotes, strings in single quotes), beside strict JSON.

Source: Adobe, *API basics* (``AdobeDocs/workfront.en``
help/quicksilver/wf-api/general/api-basics.md), the lines cited on each test.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workfront_async.testing.classic._relaxed import MAX_DEPTH, RelaxedJSONError, loads

from .conftest import Api, ok


async def a_project(wf: Api) -> dict[str, Any]:
    return ok(await wf.post("/proj", {"name": "relaxed json"}))  # type: ignore[no-any-return]


async def test_updates_with_unquoted_keys_as_api_basics_writes_them(wf: Api) -> None:
    # api-basics.md line 519, "Specifying JSON Edits":
    # PUT .../project/4c7...?updates= { name: "New Project Name", status: "CUR", ... }
    project = await a_project(wf)
    updates = '\n{\n     name: "New Project Name", \n     status: "CUR"\n}'
    edited = ok(await wf.put(f"/project/{project['ID']}", {"updates": updates}))
    assert (edited["name"], edited["status"]) == ("New Project Name", "CUR")


async def test_updates_with_single_quotes_share_a_project(wf: Api, tenant: Any) -> None:
    # api-basics.md line 477, "Creating an Access Rule": GET .../project/<ID>?method=put
    # &updates={ accessRules: [ {accessorID: 'abc123', accessorObjCode: 'USER',
    # coreAction: 'VIEW'} ] }
    project = await a_project(wf)
    user = tenant.rows("USER")[1]["ID"]
    updates = (
        "{ accessRules: [ {accessorID: '" + user + "', accessorObjCode: 'USER', "
        "coreAction: 'VIEW'} ] }"
    )
    response = await wf.get(f"/project/{project['ID']}", {"method": "put", "updates": updates})
    ok(response)
    # api-basics.md line 479: GET .../project/<ID>?fields=accessRules:*
    rules = ok(await wf.get(f"/project/{project['ID']}", {"fields": "accessRules:*"}))
    assert [
        (r["accessorID"], r["accessorObjCode"], r["coreAction"]) for r in rules["accessRules"]
    ] == [(user, "USER", "VIEW")]


async def test_updates_without_spaces_as_the_sharing_example_writes_them(
    wf: Api, tenant: Any
) -> None:
    # api-basics.md line 551: ...?method=PUT&updates={accessRules:[{accessorID:'123abc...',
    # accessorObjCode:'TEAMOB',coreAction:'VIEW'}]}
    project = await a_project(wf)
    team = tenant.rows("TEAMOB")[0]["ID"]
    updates = (
        "{accessRules:[{accessorID:'" + team + "',accessorObjCode:'TEAMOB',coreAction:'VIEW'}]}"
    )
    ok(await wf.put(f"/project/{project['ID']}", {"method": "PUT", "updates": updates}))
    rules = ok(await wf.get(f"/project/{project['ID']}", {"fields": "accessRules:*"}))
    assert [r["accessorObjCode"] for r in rules["accessRules"]] == ["TEAMOB"]


async def test_strict_json_updates_keep_working(wf: Api) -> None:
    # api-basics.md line 562: a bulk create with strict JSON updates=[{"name":...},...]
    made = ok(
        await wf.put(
            "/proj",
            {
                "updates": '[{"name":"Test_Project_1"},{"name":"Test_Project_2"}]',
                "method": "POST",
            },
        )
    )
    assert [p["name"] for p in made] == ["Test_Project_1", "Test_Project_2"]


async def test_text_that_is_neither_is_a_400_naming_the_place(wf: Api) -> None:
    project = await a_project(wf)
    response = await wf.put(f"/project/{project['ID']}", {"updates": "{ name: New Name }"})
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert "'New' is not a value" in message
    assert "line 1 column 9" in message


async def test_a_json_request_body_stays_strict(wf: Api) -> None:
    # the body's Content-Type promises JSON: relaxed JSON is for parameters only
    project = await a_project(wf)
    response = await wf.put(
        f"/project/{project['ID']}",
        content=b"{ name: 'x' }",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400


# -- the parser on its own --------------------------------------------------------------


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_every_strict_json_text_reads_the_same(value: Any) -> None:
    text = json.dumps(value)
    assert loads(text) == json.loads(text)


@given(json_values)
def test_single_quotes_and_trailing_commas_read_the_same(value: Any) -> None:
    def relaxed(v: Any) -> str:
        if isinstance(v, str):
            return "'" + json.dumps(v)[1:-1].replace("'", "\\'") + "'"
        if isinstance(v, list):
            return "[" + "".join(relaxed(x) + ", " for x in v) + "]"
        if isinstance(v, dict):
            return "{" + "".join(f"{relaxed(k)}: {relaxed(x)}," for k, x in v.items()) + "}"
        return json.dumps(v)

    assert loads(relaxed(value)) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("{ name: 'x', $id_2: 1 }", {"name": "x", "$id_2": 1}),
        (
            "{a: +1, b: .5, c: 5., d: 0x1F, e: -2e3}",
            {"a": 1, "b": 0.5, "c": 5.0, "d": 31, "e": -2000.0},
        ),
        ("// a comment\n{a: /* inline */ 'it\\'s'}", {"a": "it's"}),
        ("'\\x41\\u0042\\v\\0'", "AB\v\0"),
        ("'one \\\ntwo'", "one two"),
        ("[1, 2,]", [1, 2]),
    ],
)
def test_json5_forms(text: str, value: Any) -> None:
    result = loads(text)
    assert result == value
    if isinstance(value, float):
        assert math.isclose(result, value)


@pytest.mark.parametrize(
    "text",
    [
        "{a: NaN}",
        "{a: Infinity}",
        "{a: 'open}",
        "{a: 1 b: 2}",
        "[1,,2]",
        "{a: 01}",
        "{1a: 1}",
        "{a: 'line\nend'}",
        "{a: 1} trailing",
        "/* never closed",
        "",
    ],
)
def test_what_it_refuses(text: str) -> None:
    with pytest.raises(RelaxedJSONError):
        loads(text)


def test_nesting_is_bounded() -> None:
    assert loads("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    with pytest.raises(RelaxedJSONError, match="nested"):
        loads("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    with pytest.raises(RelaxedJSONError, match="nested"):
        loads("[" * 100_000)
