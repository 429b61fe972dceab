"""Every operator on every field type that accepts it (docs/api-notes.md §3 table),
against five hand-made records whose expected matches are worked out by hand
in the table below."""

from __future__ import annotations

import pytest

from workfront_async.testing.planning import PlanningBackend
from workfront_async.testing.planning._operators import ALL_OPERATORS, OPERATORS_BY_FIELD_TYPE

from ._support import FIELDS, error_of, ids, search

ALL = ["r1", "r2", "r3", "r4", "r5"]

# (field ID, operator, operand, expected record IDs). r3 has no stored values.
CASES: list[tuple[str, str, object, list[str]]] = [
    # text, long text, formula, url: case-insensitive; empty matches the negations
    ("t", "$contains", "alpha", ["r1", "r4"]),
    ("t", "$doesNotContain", "alpha", ["r2", "r3", "r5"]),
    ("t", "$is", "alpha", ["r4"]),
    ("t", "$isNot", "alpha", ["r1", "r2", "r3", "r5"]),
    ("t", "$isEmpty", None, ["r3"]),
    ("t", "$isNotEmpty", None, ["r1", "r2", "r4", "r5"]),
    ("lt", "$contains", "alpha", ["r1"]),
    ("lt", "$doesNotContain", "alpha", ["r2", "r3", "r4", "r5"]),
    ("lt", "$is", "GAMMA", ["r2"]),
    ("lt", "$isNot", "gamma", ["r1", "r3", "r4", "r5"]),
    ("lt", "$isEmpty", None, ["r3", "r4", "r5"]),
    ("lt", "$isNotEmpty", None, ["r1", "r2"]),
    ("fx", "$contains", "cmp", ["r1", "r2"]),
    ("fx", "$doesNotContain", "-1", ["r2", "r3", "r4", "r5"]),
    ("fx", "$is", "cmp-2", ["r2"]),
    ("fx", "$isNot", "cmp-2", ["r1", "r3", "r4", "r5"]),
    ("fx", "$isEmpty", None, ["r3", "r4", "r5"]),
    ("fx", "$isNotEmpty", None, ["r1", "r2"]),
    ("u", "$contains", "B.EXAMPLE", ["r2"]),
    ("u", "$doesNotContain", "b.example", ["r1", "r3", "r4", "r5"]),
    ("u", "$is", "https://a.example.com", ["r1"]),
    ("u", "$isNot", "https://a.example.com", ["r2", "r3", "r4", "r5"]),
    ("u", "$isEmpty", None, ["r3", "r4", "r5"]),
    ("u", "$isNotEmpty", None, ["r1", "r2"]),
    # number, percentage, currency
    ("n", "$is", 1, ["r1", "r5"]),
    ("n", "$isNot", 1, ["r2", "r3", "r4"]),
    ("n", "$greaterThan", 1, ["r2"]),
    ("n", "$greaterThanOrEqual", 1, ["r1", "r2", "r5"]),
    ("n", "$lessThan", 1, ["r4"]),
    ("n", "$lessThanOrEqual", 1, ["r1", "r4", "r5"]),
    ("n", "$isEmpty", None, ["r3"]),
    ("n", "$isNotEmpty", None, ["r1", "r2", "r4", "r5"]),
    ("n", "$is", 2.5, ["r2"]),
    ("p", "$is", 0, ["r2"]),
    ("p", "$isNot", 0, ["r1", "r3", "r4", "r5"]),
    ("p", "$greaterThan", 0, ["r1", "r4"]),
    ("p", "$greaterThanOrEqual", 50, ["r1", "r4"]),
    ("p", "$lessThan", 50, ["r2"]),
    ("p", "$lessThanOrEqual", 50, ["r1", "r2"]),
    ("p", "$isEmpty", None, ["r3", "r5"]),
    ("p", "$isNotEmpty", None, ["r1", "r2", "r4"]),
    ("c", "$is", 100.5, ["r1"]),
    ("c", "$isNot", 100.5, ["r2", "r3", "r4", "r5"]),
    ("c", "$greaterThan", -1, ["r1", "r2"]),
    ("c", "$greaterThanOrEqual", 100.5, ["r1"]),
    ("c", "$lessThan", 0, ["r4"]),
    ("c", "$lessThanOrEqual", 0, ["r2", "r4"]),
    ("c", "$isEmpty", None, ["r3", "r5"]),
    ("c", "$isNotEmpty", None, ["r1", "r2", "r4"]),
    # date: a calendar-day operand covers the whole UTC day
    ("d", "$is", "2024-03-31", ["r1", "r4"]),
    ("d", "$is", "2024-03-31T20:00:00.000Z", ["r1"]),
    ("d", "$is", "2024-03-31T22:00:00+02:00", ["r1"]),
    ("d", "$isNot", "2024-03-31", ["r2", "r3", "r5"]),
    ("d", "$isAfter", "2024-03-31", ["r2"]),
    ("d", "$isAfter", "2024-03-31T00:00:00Z", ["r1", "r2"]),
    ("d", "$isBefore", "2024-03-31", ["r5"]),
    ("d", "$isBefore", "2024-03-31T20:00:00.000Z", ["r4", "r5"]),
    ("d", "$isBetween", ["2024-01-01", "2024-03-31"], ["r1", "r4"]),
    ("d", "$isBetween", ["2023-12-31T23:59:59.999Z", "2024-03-31T00:00:00Z"], ["r4", "r5"]),
    ("d", "$isNotBetween", ["2024-01-01", "2024-03-31"], ["r2", "r3", "r5"]),
    ("d", "$isNotEmpty", None, ["r1", "r2", "r4", "r5"]),
    # docs/api-notes.md §3 table as corrected from Adobe's current page: dates take $isEmpty
    ("d", "$isEmpty", None, ["r3"]),
    # updated at: defaults to the creation time
    ("ua", "$is", "2024-01-02", ["r2"]),
    ("ua", "$isNot", "2024-01-02", ["r1", "r3", "r4", "r5"]),
    ("ua", "$isAfter", "2024-01-31", ["r1", "r5"]),
    ("ua", "$isBefore", "2024-01-03T10:00:00Z", ["r2"]),
    ("ua", "$isBetween", ["2024-01-02", "2024-01-03"], ["r2", "r3"]),
    ("ua", "$isNotBetween", ["2024-01-02", "2024-01-03"], ["r1", "r4", "r5"]),
    ("ua", "$isNotEmpty", None, ALL),
    ("ua", "$isEmpty", None, []),
    # created at
    ("ca", "$is", "2024-01-03", ["r3"]),
    ("ca", "$isNot", "2024-01-03", ["r1", "r2", "r4", "r5"]),
    ("ca", "$isBefore", "2024-01-02", ["r1"]),
    ("ca", "$isAfter", "2024-01-04T09:00:00Z", ["r4", "r5"]),
    ("ca", "$isBetween", ["2024-01-02", "2024-01-04"], ["r2", "r3", "r4"]),
    ("ca", "$isNotBetween", ["2024-01-02", "2024-01-04"], ["r1", "r5"]),
    # single select
    ("ss", "$is", "A", ["r1", "r5"]),
    ("ss", "$isNot", "A", ["r2", "r3", "r4"]),
    ("ss", "$isAnyOf", ["B", "C"], ["r2", "r4"]),
    ("ss", "$isNoneOf", ["B", "C"], ["r1", "r3", "r5"]),
    ("ss", "$isEmpty", None, ["r3"]),
    ("ss", "$isNotEmpty", None, ["r1", "r2", "r4", "r5"]),
    # multi select, people, reference: set comparisons
    ("ms", "$hasAnyOf", ["x"], ["r1", "r4"]),
    ("ms", "$hasAllOf", ["x", "y"], ["r1", "r4"]),
    ("ms", "$isExactly", ["y", "x"], ["r1"]),
    ("ms", "$hasNoneOf", ["x"], ["r2", "r3", "r5"]),
    ("ms", "$isEmpty", None, ["r3"]),
    ("ms", "$isNotEmpty", None, ["r1", "r2", "r4", "r5"]),
    ("pp", "$hasAnyOf", ["u2", "u3"], ["r2", "r5"]),
    ("pp", "$hasAllOf", ["u1"], ["r1", "r2"]),
    ("pp", "$isExactly", ["u1"], ["r1"]),
    ("pp", "$hasNoneOf", ["u1"], ["r3", "r4", "r5"]),
    ("pp", "$isEmpty", None, ["r3", "r4"]),
    ("pp", "$isNotEmpty", None, ["r1", "r2", "r5"]),
    ("ref", "$hasAnyOf", ["tgt2"], ["r2", "r5"]),
    ("ref", "$hasAllOf", ["tgt1", "tgt2"], ["r2"]),
    ("ref", "$isExactly", ["tgt2"], ["r5"]),
    ("ref", "$hasNoneOf", ["tgt2"], ["r1", "r3", "r4"]),
    ("ref", "$isEmpty", None, ["r3", "r4"]),
    ("ref", "$isNotEmpty", None, ["r1", "r2", "r5"]),
    # boolean: missing counts as false
    ("b", "$is", True, ["r1", "r5"]),
    ("b", "$is", False, ["r2", "r3", "r4"]),
    # created by, updated by
    ("cb", "$is", "u1", ["r1", "r3"]),
    ("cb", "$isNot", "u1", ["r2", "r4", "r5"]),
    ("cb", "$isAnyOf", ["u2", "u3"], ["r2", "r4", "r5"]),
    ("cb", "$isNoneOf", ["u2", "u3"], ["r1", "r3"]),
    ("ub", "$is", "u2", ["r1", "r2"]),
    ("ub", "$isNot", "u2", ["r3", "r4", "r5"]),
    ("ub", "$isAnyOf", ["u1"], ["r3", "r5"]),
    ("ub", "$isNoneOf", ["u1"], ["r1", "r2", "r4"]),
    ("ub", "$isEmpty", None, []),
    ("ub", "$isNotEmpty", None, ALL),
    # lookup (linked to a number field): the number operators
    ("lk", "$greaterThan", 15, ["r2"]),
    ("lk", "$lessThanOrEqual", 10, ["r1"]),
    ("lk", "$isEmpty", None, ["r3", "r4", "r5"]),
]

TYPE_OF = {str(f["id"]): str(f["type"]) for f in FIELDS}


def test_the_table_covers_every_operator_of_every_field_type() -> None:
    # docs/api-notes.md §3: the field-type table
    covered = {(TYPE_OF[fid], op) for fid, op, _, _ in CASES}
    wanted = {(ftype, op) for ftype, ops in OPERATORS_BY_FIELD_TYPE.items() for op in ops}
    assert wanted - covered == set()
    assert {op for _, op in covered} == set(ALL_OPERATORS)


@pytest.mark.parametrize(("field_id", "op", "operand", "expected"), CASES)
def test_operator(
    backend: PlanningBackend, field_id: str, op: str, operand: object, expected: list[str]
) -> None:
    assert ids(backend, [{field_id: {op: operand}}]) == expected


@pytest.mark.parametrize(
    ("field_id", "op", "expected"),
    [("t", "$isEmpty", ["r3"]), ("ss", "$isNotEmpty", ["r1", "r2", "r4", "r5"])],
)
def test_short_forms(backend: PlanningBackend, field_id: str, op: str, expected: list[str]) -> None:
    # docs/api-notes.md §3: "fieldId": "$isEmpty" is the short form of {"$isEmpty": null}
    assert ids(backend, [{field_id: op}]) == expected
    assert ids(backend, [{field_id: {op: None}}]) == expected


@pytest.mark.parametrize(
    ("field_id", "value", "expected"),
    [("t", "ALPHA", ["r4"]), ("n", 1, ["r1", "r5"]), ("b", False, ["r2", "r3", "r4"])],
)
def test_bare_value_means_is(
    backend: PlanningBackend, field_id: str, value: object, expected: list[str]
) -> None:
    # docs/api-notes.md §3: {"fieldId": value} means $is
    assert ids(backend, [{field_id: value}]) == expected


DISALLOWED = [
    (fid, op)
    for fid, ftype in TYPE_OF.items()
    for op in ALL_OPERATORS
    if op not in OPERATORS_BY_FIELD_TYPE["number" if ftype == "lookup" else ftype]
]


@pytest.mark.parametrize(("field_id", "op"), DISALLOWED)
def test_operator_not_allowed_for_the_type(
    backend: PlanningBackend, field_id: str, op: str
) -> None:
    status, answer = search(backend, filters=[{field_id: {op: None}}])
    assert status == 400
    ftype = "number" if TYPE_OF[field_id] == "lookup" else TYPE_OF[field_id]
    allowed = OPERATORS_BY_FIELD_TYPE[ftype]
    assert answer["report"]["errorCode"] == "INVALID_FILTER_OPERATOR"
    message = answer["report"]["detailedMessage"]
    assert op in message
    assert repr(field_id) in message
    assert repr(ftype) in message
    assert all(a in message for a in allowed)
    assert answer["report"]["details"] == {
        "fieldId": field_id,
        "fieldType": ftype,
        "operator": op,
        "allowedOperators": list(allowed),
    }


def test_the_has_any_of_on_number_example(backend: PlanningBackend) -> None:
    # $hasAnyOf on a number field is refused with the allowed operators
    status, answer = search(backend, filters=[{"n": {"$hasAnyOf": [1]}}])
    assert error_of(answer)[:2] == (400, "INVALID_FILTER_OPERATOR")
    assert status == 400
    assert "$greaterThanOrEqual" in answer["report"]["detailedMessage"]


@pytest.mark.parametrize(
    ("filters", "fragment"),
    [
        ([{"n": {"$greaterThan": "3"}}], "a number"),
        ([{"n": {"$is": True}}], "a number"),
        ([{"t": {"$contains": 3}}], "a string"),
        ([{"d": {"$isAfter": "yesterday"}}], "ISO 8601"),
        ([{"d": {"$isBetween": ["2024-01-01"]}}], "two ISO 8601 dates"),
        ([{"d": {"$isBetween": ["2024-01-01", 5]}}], "ISO 8601"),
        ([{"ms": {"$hasAnyOf": "x"}}], "a list of strings"),
        ([{"ss": {"$isAnyOf": ["A", 1]}}], "a list of strings"),
        ([{"cb": {"$is": ["u1"]}}], "a string"),
        ([{"b": {"$is": "true"}}], "true or false"),
        ([{"t": {"$isEmpty": "yes"}}], "null"),
        ([{"t": {"$like": "x"}}], "Unknown operator"),
        ([{"nope": {"$is": 1}}], "Unknown field 'nope'"),
        ([{"$not": [{"t": "x"}]}], "Unknown logical operator"),
        ([{"$or": {"t": "x"}}], "takes a list"),
        ([{"t": {}}], "empty operator object"),
        (["t"], "must be an object"),
    ],
)
def test_bad_filters_are_400_with_a_clear_message(
    backend: PlanningBackend, filters: object, fragment: str
) -> None:
    status, answer = search(backend, filters=filters)
    assert status == 400
    assert answer["report"]["errorCode"] == "INVALID_FILTER"
    assert fragment in answer["report"]["detailedMessage"]


@pytest.mark.parametrize("filters", ["t", 5, True])
def test_filters_that_are_neither_object_nor_list_are_400(
    backend: PlanningBackend, filters: object
) -> None:
    # RecordSearchDto.filters is a JsonNode typed as an object (static/v1.json); Adobe's
    # page sends a list, which the emulator takes too; anything else does not bind
    status, answer = search(backend, filters=filters)
    assert (status, answer["report"]["errorCode"]) == (400, "VALIDATION_FAILED")
    assert "filters" in answer["report"]["detailedMessage"]
