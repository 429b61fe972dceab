"""The client's operator tables against the emulator's.

The query language (``workfront_async.query``) and the embedded Workfront each
write their own tables from Adobe's pages, so a wrong entry on one side shows
here instead of passing every end-to-end test. Every operator the client can
compile must be one the server accepts, with the meaning its name says;
where the two legitimately differ, the difference is listed with its reason.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.reference import apply
from workfront_async.query import Condition, compile_classic
from workfront_async.query._modifiers import (
    CLASSIC_MODIFIERS,
    CLASSIC_OP,
    FIELD_TYPE_OPS,
    PLANNING_OP,
)
from workfront_async.query._planning_v2 import V2_CONDITIONS as CLIENT_V2
from workfront_async.query._planning_v2 import v2_condition_name
from workfront_async.testing import Emulator
from workfront_async.testing.classic._modifiers import MODIFIERS, MULTI_VALUE, NO_VALUE, RANGE
from workfront_async.testing.planning._operators import (
    ALL_OPERATORS,
    OPERATORS_BY_FIELD_TYPE,
    V2_CONDITIONS,
    V2_TO_V1,
)

# -- classic ---------------------------------------------------------------------------

# Modifiers one side has and the other has not, with the reason. None today.
CLASSIC_ONLY_IN_SERVER: dict[str, str] = {}
CLASSIC_ONLY_IN_CLIENT: dict[str, str] = {}


def test_every_modifier_the_client_compiles_is_one_the_server_accepts() -> None:
    compiled = set(CLASSIC_OP.values())
    assert compiled - MODIFIERS == set(CLASSIC_ONLY_IN_CLIENT)
    assert MODIFIERS - set(CLASSIC_MODIFIERS) == set(CLASSIC_ONLY_IN_SERVER)


def test_the_server_reads_value_kinds_as_the_client_sends_them() -> None:
    from workfront_async.query._modifiers import MULTI_VALUED
    from workfront_async.query._modifiers import NO_VALUE as CLIENT_NO_VALUE
    from workfront_async.query._modifiers import RANGE as CLIENT_RANGE

    assert NO_VALUE == CLIENT_NO_VALUE
    assert RANGE == CLIENT_RANGE
    # the Planning-only set operators are not classic modifiers
    assert MULTI_VALUE == MULTI_VALUED & MODIFIERS


# (field, values) for each modifier: text modifiers on a nullable text field,
# comparisons and ranges on a number.
_TEXT: dict[str, tuple[Any, ...]] = {
    "eq": ("alpha beta",),
    "ne": ("alpha beta",),
    "nee": ("alpha beta",),
    "cieq": ("ALPHA",),
    "cine": ("ALPHA",),
    "contains": ("pha",),
    "notcontains": ("pha",),
    "cicontains": ("PHA",),
    "cinotcontains": ("PHA",),
    "cicontainsany": ("ALPHA", "gam"),
    "cicontainsall": ("ALPHA", "beta"),
    "like": ("%pha%",),
    "cilike": ("%PHA%",),
    "startswith": ("al",),
    "cistartswith": ("AL",),
    "endswith": ("ta",),
    "ciendswith": ("TA",),
    "in": ("Alpha", "Gamma"),
    "ciin": ("alpha", "gamma"),
    "notin": ("Alpha", "Gamma"),
    "cinotin": ("alpha", "gamma"),
    "isnull": (),
    "notnull": (),
    "isblank": (),
    "notblank": (),
}
# allof is the modifier of multi-valued custom fields: every value is among the field's
_MULTI: dict[str, tuple[Any, ...]] = {"allof": ("x", "y")}
_NUMBER: dict[str, tuple[Any, ...]] = {
    "lt": (2,),
    "lte": (2,),
    "gt": (2,),
    "gte": (2,),
    "between": (1, 3),
    "notbetween": (1, 3),
}


@pytest.fixture(scope="module")
def tenant() -> Emulator:
    emu = Emulator(max_uri_bytes=None)
    emu.define_custom_field("Tags", "multi")
    texts = ["Alpha", "alpha beta", "Gamma", "GAMMA delta", None, "Beta"]
    tags = [["x"], ["x", "y"], ["x", "y", "z"], [], None, ["y"]]
    for n, (text, tag) in enumerate(zip(texts, tags, strict=True)):
        row = {"name": f"t{n}", "description": text, "priority": n % 5, "DE:Tags": tag}
        emu.add("TASK", row, validate=False)
    return emu


@pytest.mark.parametrize("op", sorted(set(CLASSIC_OP.values())))
async def test_each_classic_modifier_means_what_its_name_says(tenant: Emulator, op: str) -> None:
    if op in _TEXT:
        field, values = "description", _TEXT[op]
    elif op in _MULTI:
        field, values = "DE:Tags", _MULTI[op]
    else:
        field, values = "priority", _NUMBER[op]
    params = compile_classic(Condition((field,), op, values))
    params += [("fields", "description,priority,DE:Tags"), ("$$LIMIT", "2000")]
    params.append(("apiKey", tenant.api_key()))
    base = "https://acme.my.workfront.com/attask/api/v21.0"
    async with httpx.AsyncClient(transport=tenant.transport(), base_url=base) as client:
        response = await client.get("/task/search", params=params)
    assert response.status_code == 200, response.text
    got = {row["ID"] for row in response.json()["data"]}
    want = {row["ID"] for row in tenant.rows("TASK") if apply(op, row.get(field), values)}
    assert got == want, (op, params)


# -- Planning v1 -------------------------------------------------------------------------

# Field types the client names that the server spells otherwise: the client
# accepts Adobe's "user" (the page's name of a people field) as well.
FIELD_TYPE_ALIASES = {"user": "people"}


def test_every_field_type_takes_the_same_operators_on_both_sides() -> None:
    client = {FIELD_TYPE_ALIASES.get(k, k): set(v) for k, v in FIELD_TYPE_OPS.items()}
    server = {k: set(v) for k, v in OPERATORS_BY_FIELD_TYPE.items()}
    assert client == server


def test_every_planning_operator_the_client_compiles_exists_on_the_server() -> None:
    assert set(PLANNING_OP.values()) == set(ALL_OPERATORS)


# -- Planning v2 -------------------------------------------------------------------------


def test_the_v2_conditions_are_the_same_enum() -> None:
    assert tuple(CLIENT_V2) == V2_CONDITIONS


@pytest.mark.parametrize("op", sorted(set(PLANNING_OP.values())))
def test_each_v2_condition_the_client_sends_means_its_v1_operator(op: str) -> None:
    # the client names a v1 operator's v2 condition; the server reads it back as that operator
    assert V2_TO_V1[v2_condition_name(op)] == op
