"""The Planning differential test: random filter objects over random
records give the same answer from the embedded Workfront as from the plain
evaluator written below (docs/api-notes.md §3 semantics, as documented in
``workfront_async.testing._planning``)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from workfront_async.testing.planning import PlanningBackend

# One field of every type; the lookup is linked to a number field.
FIELDS = {
    "t": "text",
    "lt": "long text",
    "fx": "formula",
    "u": "url",
    "n": "number",
    "p": "percentage",
    "c": "currency",
    "d": "date",
    "ua": "updated at",
    "ca": "created at",
    "ss": "single select",
    "ms": "multi select",
    "pp": "people",
    "ref": "reference",
    "b": "boolean",
    "cb": "created by",
    "ub": "updated by",
    "lk": "lookup",
}
KIND = {
    "text": "text", "long text": "text", "formula": "text", "url": "text",
    "number": "number", "percentage": "number", "currency": "number", "lookup": "number",
    "date": "date", "updated at": "date", "created at": "date",
    "single select": "choice", "created by": "choice", "updated by": "choice",
    "multi select": "set", "people": "set", "reference": "set",
    "boolean": "boolean",
}  # fmt: skip
# docs/api-notes.md §3: the field-type table, written out again on purpose.
OPS = {
    "text": ["$contains", "$doesNotContain", "$is", "$isNot", "$isEmpty", "$isNotEmpty"],
    "number": ["$is", "$isNot", "$greaterThan", "$greaterThanOrEqual", "$lessThan",
               "$lessThanOrEqual", "$isEmpty", "$isNotEmpty"],
    "date": ["$is", "$isNot", "$isAfter", "$isBefore", "$isBetween", "$isNotBetween",
             "$isEmpty", "$isNotEmpty"],
    "created at": ["$is", "$isNot", "$isAfter", "$isBefore", "$isBetween", "$isNotBetween"],
    "single select": ["$is", "$isNot", "$isAnyOf", "$isNoneOf", "$isEmpty", "$isNotEmpty"],
    "set": ["$hasAnyOf", "$hasAllOf", "$isExactly", "$hasNoneOf", "$isEmpty", "$isNotEmpty"],
    "boolean": ["$is"],
    "created by": ["$is", "$isNot", "$isAnyOf", "$isNoneOf"],
    "updated by": ["$is", "$isNot", "$isAnyOf", "$isNoneOf", "$isEmpty", "$isNotEmpty"],
}  # fmt: skip


def ops_of(field_id: str) -> list[str]:
    ftype = FIELDS[field_id]
    if ftype in OPS:
        return OPS[ftype]
    return OPS[KIND[ftype]]


TEXTS = ["Alpha", "alpha beta", "BETA", "Gamma ray", "straße", "STRASSE", "a", ""]
TEXT_OPERANDS = ["alpha", "BETA", "a", "ss", "", "gamma ray", "Straße", "z"]
NUMBERS = [-2, 0, 1, 1.5, 3, 100]
NUMBER_OPERANDS = [-2, 0, 1, 1.5, 2, 3]
DATES = [
    "2024-03-30T23:59:59.999Z",
    "2024-03-31T00:00:00.000Z",
    "2024-03-31T12:30:00.000Z",
    "2024-04-01T00:00:00.000Z",
    "2024-04-02T08:00:00.000Z",
]
DATE_OPERANDS = [
    "2024-03-30",
    "2024-03-31",
    "2024-04-01",
    "2024-03-31T12:30:00.000Z",
    "2024-03-31T14:30:00+02:00",
    "2024-03-31T00:00:00Z",
]
CHOICES = {"ss": ["A", "B", "C"], "cb": ["u1", "u2", "u3"], "ub": ["u1", "u2", "u3"]}
SETS = {"ms": ["x", "y", "z"], "pp": ["u1", "u2", "u3"], "ref": ["tgt1", "tgt2", "tgt3"]}


def values_for(field_id: str) -> st.SearchStrategy[Any]:
    kind = KIND[FIELDS[field_id]]
    if kind == "text":
        return st.sampled_from([*TEXTS, None])
    if kind == "number":
        return st.sampled_from([*NUMBERS, None])
    if kind == "date":
        return st.sampled_from(DATES if field_id in ("ca", "ua") else [*DATES, None])
    if kind == "choice":
        return st.sampled_from(CHOICES[field_id] + ([] if field_id != "ss" else [None]))
    if kind == "set":
        return st.lists(st.sampled_from(SETS[field_id]), max_size=3, unique=True)
    return st.sampled_from([True, False, None])


record_strategy = st.fixed_dictionaries({fid: values_for(fid) for fid in FIELDS})


def operand_for(field_id: str, op: str) -> st.SearchStrategy[Any]:
    kind = KIND[FIELDS[field_id]]
    if op in ("$isEmpty", "$isNotEmpty"):
        return st.none()
    if kind == "text":
        return st.sampled_from(TEXT_OPERANDS)
    if kind == "number":
        return st.sampled_from(NUMBER_OPERANDS)
    if kind == "date":
        if op in ("$isBetween", "$isNotBetween"):
            return st.lists(st.sampled_from(DATE_OPERANDS), min_size=2, max_size=2)
        return st.sampled_from(DATE_OPERANDS)
    if kind == "choice":
        pool = [*CHOICES[field_id], "u4" if field_id != "ss" else "D"]
        if op in ("$isAnyOf", "$isNoneOf"):
            return st.lists(st.sampled_from(pool), max_size=3, unique=True)
        return st.sampled_from(pool)
    if kind == "set":
        return st.lists(st.sampled_from([*SETS[field_id], "w"]), max_size=3, unique=True)
    return st.booleans()


@st.composite
def leaf(draw: st.DrawFn) -> dict[str, Any]:
    field_id = draw(st.sampled_from(sorted(FIELDS)))
    op = draw(st.sampled_from(ops_of(field_id)))
    operand = draw(operand_for(field_id, op))
    style = draw(st.integers(0, 2))
    if op in ("$isEmpty", "$isNotEmpty") and style == 1:
        return {field_id: op}  # docs/api-notes.md §3 short form
    if op == "$is" and style == 2:
        return {field_id: operand}  # docs/api-notes.md §3: a bare value means $is
    return {field_id: {op: operand}}


filter_strategy = st.recursive(
    leaf(),
    lambda children: st.one_of(
        st.fixed_dictionaries({"$and": st.lists(children, max_size=3)}),
        st.fixed_dictionaries({"$or": st.lists(children, max_size=3)}),
    ),
    max_leaves=8,
)


# ----- the plain evaluator ---------------------------------------------------


def empty(value: object) -> bool:
    return value is None or value == "" or value == []


def moment(text: str) -> datetime:
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def is_day(text: str) -> bool:
    return len(text) == 10


def date_is(value: datetime, operand: str) -> bool:
    if is_day(operand):
        return moment(operand) <= value < moment(operand) + timedelta(days=1)
    return value == moment(operand)


def date_after(value: datetime, operand: str) -> bool:
    if is_day(operand):
        return value >= moment(operand) + timedelta(days=1)
    return value > moment(operand)


def date_before(value: datetime, operand: str) -> bool:
    return value < moment(operand)


def date_between(value: datetime, operand: list[str]) -> bool:
    # inclusive: neither before the start of the first nor after the end of the second
    return not date_before(value, operand[0]) and not date_after(value, operand[1])


def matches_leaf(record: dict[str, Any], field_id: str, op: str, operand: Any) -> bool:
    value = record[field_id]
    kind = KIND[FIELDS[field_id]]
    if kind == "boolean":
        return bool(value) is operand
    if op == "$isEmpty":
        return empty(value)
    if op == "$isNotEmpty":
        return not empty(value)
    negations = {
        "$isNot": "$is",
        "$doesNotContain": "$contains",
        "$isNotBetween": "$isBetween",
        "$isNoneOf": "$isAnyOf",
        "$hasNoneOf": "$hasAnyOf",
    }
    if op in negations:
        return not matches_leaf(record, field_id, negations[op], operand)
    if empty(value):
        return False
    if kind == "text":
        if op == "$contains":
            return bool(operand.casefold() in value.casefold())
        return bool(operand.casefold() == value.casefold())
    if kind == "number":
        return bool(
            {
                "$is": value == operand,
                "$greaterThan": value > operand,
                "$greaterThanOrEqual": value >= operand,
                "$lessThan": value < operand,
                "$lessThanOrEqual": value <= operand,
            }[op]
        )
    if kind == "date":
        when = moment(value)
        if op == "$isBetween":
            return date_between(when, operand)
        return {"$is": date_is, "$isAfter": date_after, "$isBefore": date_before}[op](when, operand)
    if kind == "choice":
        return bool(value in operand if op == "$isAnyOf" else value == operand)
    have, want = set(value), set(operand)
    return {
        "$hasAnyOf": bool(have & want),
        "$hasAllOf": want <= have,
        "$isExactly": have == want,
    }[op]


def matches(record: dict[str, Any], node: dict[str, Any]) -> bool:
    for key, value in node.items():
        if key == "$and":
            ok = all(matches(record, child) for child in value)
        elif key == "$or":
            ok = any(matches(record, child) for child in value)
        elif isinstance(value, dict):
            ok = all(matches_leaf(record, key, op, arg) for op, arg in value.items())
        elif value in ("$isEmpty", "$isNotEmpty"):
            ok = matches_leaf(record, key, value, None)
        else:
            ok = matches_leaf(record, key, "$is", value)
        if not ok:
            return False
    return True


def compare(
    sorting: list[tuple[str, bool]], a: tuple[str, dict[str, Any]], b: tuple[str, dict[str, Any]]
) -> int:
    for field_id, descending in sorting:
        x, y = a[1][field_id], b[1][field_id]
        kind = KIND[FIELDS[field_id]]
        if kind == "boolean":
            x, y = bool(x), bool(y)
        elif empty(x) or empty(y):
            if empty(x) and empty(y):
                continue
            return 1 if empty(x) else -1  # empty values last, either direction
        if kind == "text":
            x, y = x.casefold(), y.casefold()
        elif kind == "date":
            x, y = moment(x), moment(y)
        elif kind == "set":
            x, y = list(x), list(y)
        if x != y:
            smaller = -1 if x < y else 1
            return -smaller if descending else smaller
    return -1 if a[0] < b[0] else 1


# ----- the test -------------------------------------------------------------


def build(records: list[dict[str, Any]]) -> PlanningBackend:
    backend = PlanningBackend()
    ws = backend.add_workspace("W", id="ws")
    backend.add_record_type(ws.id, "Targets", [{"id": "nm", "name": "N", "type": "text"}], id="rtT")
    for target in SETS["ref"]:
        backend.add_record("rtT", {}, id=target)
    specs: list[dict[str, object]] = [
        {"id": fid, "name": fid, "type": ftype} for fid, ftype in FIELDS.items()
    ]
    for spec in specs:
        if spec["type"] == "lookup":
            spec["linkedField"] = {"type": "number"}
    backend.add_record_type(ws.id, "Items", specs, id="rt")
    for i, record in enumerate(records):
        system = ("ca", "cb", "ua", "ub")
        data = {k: v for k, v in record.items() if k not in system}
        backend.add_record(
            "rt",
            data,
            id=f"r{i:03d}",
            created_at=record["ca"],
            created_by=record["cb"],
            updated_at=record["ua"],
            updated_by=record["ub"],
        )
    return backend


def run_search(backend: PlanningBackend, body: dict[str, Any]) -> list[str]:
    status, answer = backend.handle("POST", "/v1/records/search", [], orjson.dumps(body))
    assert status == 200, answer
    assert isinstance(answer, dict)
    assert answer["totalCount"] == len(answer["records"])
    return [r["id"] for r in answer["records"]]


def expected_ids(records: list[dict[str, Any]], filters: list[dict[str, Any]]) -> list[str]:
    return [
        f"r{i:03d}"
        for i, record in enumerate(records)
        if all(matches(record, node) for node in filters)
    ]


records_strategy = st.lists(record_strategy, min_size=6, max_size=30)


@given(records=records_strategy, node=leaf())
def test_each_operator_agrees_with_the_plain_evaluator(
    records: list[dict[str, Any]], node: dict[str, Any]
) -> None:
    backend = build(records)
    got = run_search(backend, {"recordTypeId": "rt", "filters": [node], "limit": 2000})
    assert got == expected_ids(records, [node])


@given(records=records_strategy, filters=st.lists(filter_strategy, max_size=3))
def test_emulator_agrees_with_the_plain_evaluator(
    records: list[dict[str, Any]], filters: list[dict[str, Any]]
) -> None:
    backend = build(records)
    got = run_search(backend, {"recordTypeId": "rt", "filters": filters, "limit": 2000})
    assert got == expected_ids(records, filters)


@given(
    records=records_strategy,
    sorting=st.lists(
        st.tuples(st.sampled_from(sorted(FIELDS)), st.booleans()), min_size=1, max_size=3
    ),
)
def test_sorting_agrees_with_the_plain_comparison(
    records: list[dict[str, Any]], sorting: list[tuple[str, bool]]
) -> None:
    backend = build(records)
    body = {
        "recordTypeId": "rt",
        "sorting": [{"fieldId": f, "direction": "desc" if d else "asc"} for f, d in sorting],
        "limit": 2000,
    }
    pairs: list[tuple[str, dict[str, Any]]] = [(f"r{i:03d}", r) for i, r in enumerate(records)]
    expected = sorted(pairs, key=functools.cmp_to_key(functools.partial(compare, sorting)))
    assert run_search(backend, body) == [rid for rid, _ in expected]
