"""Field types, filter evaluation and sort keys of the embedded Planning API.

Pure code: no I/O, no clock. The evaluation rules are documented for users
in the ``_v1`` module docstring.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

from ._errors import PlanningError, planning_error
from ._operators import ALL_OPERATORS, NEGATION, OPERATORS_BY_FIELD_TYPE

__all__ = [
    "ALL_OPERATORS",
    "DAY",
    "FIELD_TYPES",
    "OPERATORS_BY_FIELD_TYPE",
    "Predicate",
    "canonical_field_type",
    "compile_filters",
    "format_datetime",
    "is_empty",
    "parse_datetime",
    "sort_key",
]

# docs/api-notes.md §3: the field-type table.
FIELD_TYPES: tuple[str, ...] = (
    "text",
    "long text",
    "formula",
    "url",
    "number",
    "percentage",
    "currency",
    "date",
    "updated at",
    "created at",
    "single select",
    "multi select",
    "people",
    "reference",
    "boolean",
    "created by",
    "updated by",
    "lookup",
)

TEXT_TYPES = frozenset({"text", "long text", "formula", "url"})
NUMBER_TYPES = frozenset({"number", "percentage", "currency"})
DATE_TYPES = frozenset({"date", "updated at", "created at"})
MULTI_TYPES = frozenset({"multi select", "people", "reference"})
CHOICE_TYPES = frozenset({"single select", "created by", "updated by"})

# Spellings accepted when seeding, normalised by dropping case, spaces, "_" and "-".
_TYPE_ALIASES: Mapping[str, str] = {
    **{t.replace(" ", ""): t for t in FIELD_TYPES},
    "paragraph": "long text",
    "longtext": "long text",
    "singleselect": "single select",
    "multiselect": "multi select",
    "checkbox": "boolean",
    "user": "people",
    "users": "people",
    "createdat": "created at",
    "createdby": "created by",
    "updatedat": "updated at",
    "lastmodifiedat": "updated at",
    "updatedby": "updated by",
    "lastmodifiedby": "updated by",
}

_SHORT_FORMS = frozenset({"$isEmpty", "$isNotEmpty"})
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DAY = _DAY  # a calendar day, ``2024-03-31``: a date-only value or operand
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_DAY_US = 86_400_000_000

# A compiled filter: takes a record's evaluation view (field ID -> value, with
# dates as microseconds since the epoch) and answers whether it matches.
Predicate = Callable[[Mapping[str, object]], bool]


def _bad_filter(message: str, **details: object) -> PlanningError:
    return planning_error(400, "INVALID_FILTER", message, details)


def canonical_field_type(name: object) -> str | None:
    """The docs/api-notes.md spelling of a field type, or ``None`` if unknown."""
    if not isinstance(name, str):
        return None
    key = re.sub(r"[\s_\-]", "", name).lower()
    return _TYPE_ALIASES.get(key)


def is_empty(value: object) -> bool:
    return value is None or value == "" or value == []


def parse_datetime(text: object) -> tuple[int, int] | None:
    """Parse an ISO 8601 date or date-time into ``[start, end)`` microseconds
    since the epoch (UTC). A calendar day covers the whole day; an instant
    covers one microsecond. Naive date-times are taken as UTC. ``None`` when
    ``text`` is not ISO 8601."""
    if not isinstance(text, str) or not text or not text[:4].isdigit():
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    start = (parsed - _EPOCH) // _MICROSECOND
    return (start, start + (_DAY_US if _DAY.match(text) else 1))


def format_datetime(moment: datetime) -> str:
    """``2024-03-31T20:00:00.000Z``: the Planning API's date format (docs/api-notes.md §3)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _as_float(value: object) -> float | None:
    """``value`` as a float when it is a finite JSON number (not a boolean)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _expect(ok: bool, field_id: str, op: str, what: str, operand: object) -> None:
    if not ok:
        raise _bad_filter(
            f"Operator {op} on field {field_id!r} expects {what}, got {operand!r}.",
            fieldId=field_id,
            operator=op,
        )


def _strings(field_id: str, op: str, operand: object) -> frozenset[str]:
    if isinstance(operand, list) and all(isinstance(x, str) for x in operand):
        return frozenset(x for x in operand if isinstance(x, str))
    _expect(False, field_id, op, "a list of strings", operand)
    raise AssertionError  # pragma: no cover - _expect raised


def _string(field_id: str, op: str, operand: object) -> str:
    if isinstance(operand, str):
        return operand
    _expect(False, field_id, op, "a string", operand)
    raise AssertionError  # pragma: no cover - _expect raised


def _date_operand(field_id: str, op: str, operand: object) -> tuple[int, int]:
    span = parse_datetime(operand)
    _expect(
        span is not None,
        field_id,
        op,
        "an ISO 8601 date or date-time such as '2024-03-31' or '2024-03-31T20:00:00.000Z'",
        operand,
    )
    assert span is not None
    return span


def _positive(value_type: str, field_id: str, op: str, operand: object) -> Callable[[object], bool]:
    """The test of a positive operator on a non-empty value."""
    if value_type in TEXT_TYPES:
        needle = _string(field_id, op, operand).casefold()
        if op == "$contains":
            return lambda v: isinstance(v, str) and needle in v.casefold()
        return lambda v: isinstance(v, str) and v.casefold() == needle
    if value_type in NUMBER_TYPES:
        number = _as_float(operand)
        _expect(number is not None, field_id, op, "a number", operand)
        num = float(number or 0.0)
        compare: dict[str, Callable[[float], bool]] = {
            "$is": lambda v: v == num,
            "$greaterThan": lambda v: v > num,
            "$greaterThanOrEqual": lambda v: v >= num,
            "$lessThan": lambda v: v < num,
            "$lessThanOrEqual": lambda v: v <= num,
        }
        test = compare[op]
        return lambda v: (f := _as_float(v)) is not None and test(f)
    if value_type in DATE_TYPES:
        if op == "$isBetween":
            _expect(
                isinstance(operand, list) and len(operand) == 2,
                field_id,
                op,
                "a list of two ISO 8601 dates [from, to]",
                operand,
            )
            assert isinstance(operand, list)
            lo = _date_operand(field_id, op, operand[0])[0]
            hi = _date_operand(field_id, op, operand[1])[1]
            return lambda v: isinstance(v, int) and lo <= v < hi
        start, end = _date_operand(field_id, op, operand)
        if op == "$isAfter":
            return lambda v: isinstance(v, int) and v >= end
        if op == "$isBefore":
            return lambda v: isinstance(v, int) and v < start
        return lambda v: isinstance(v, int) and start <= v < end
    if value_type in CHOICE_TYPES:
        if op == "$isAnyOf":
            choices = _strings(field_id, op, operand)
            return lambda v: v in choices
        wanted_one = _string(field_id, op, operand)
        return lambda v: v == wanted_one
    if value_type in MULTI_TYPES:
        wanted = _strings(field_id, op, operand)
        if op == "$hasAnyOf":
            return lambda v: isinstance(v, list) and not wanted.isdisjoint(v)
        if op == "$hasAllOf":
            return lambda v: isinstance(v, list) and wanted.issubset(v)
        return lambda v: isinstance(v, list) and frozenset(v) == wanted
    raise AssertionError(f"no evaluator for {value_type} {op}")  # pragma: no cover


def _field_predicate(field_id: str, value_type: str, op: str, operand: object) -> Predicate:
    if value_type == "boolean":
        _expect(isinstance(operand, bool), field_id, op, "true or false", operand)
        return lambda d: bool(d.get(field_id)) is operand
    base = NEGATION.get(op, op)
    if base == "$isEmpty":
        _expect(operand is None or operand is True, field_id, op, "null", operand)
        test_empty: Predicate = lambda d: is_empty(d.get(field_id))  # noqa: E731
        if op == "$isEmpty":
            return test_empty
        return lambda d: not test_empty(d)
    test = _positive(value_type, field_id, base, operand)
    rolls_up = value_type not in MULTI_TYPES

    def positive(d: Mapping[str, object]) -> bool:
        value = d.get(field_id)
        if is_empty(value):
            return False
        if rolls_up and isinstance(value, list):
            # a lookup that rolls up several linked records: any of them
            return any(not is_empty(v) and test(v) for v in value)
        return test(value)

    if base == op:
        return positive
    return lambda d: not positive(d)


def _all(preds: Sequence[Predicate]) -> Predicate:
    if len(preds) == 1:
        return preds[0]
    items = tuple(preds)  # empty: matches everything
    return lambda d: all(p(d) for p in items)


def _any(preds: Sequence[Predicate]) -> Predicate:
    items = tuple(preds)
    return lambda d: any(p(d) for p in items)


def compile_filters(
    filters: object,
    field_types: Mapping[str, str],
    record_type: str = "",
) -> Predicate:
    """Compile a search body's ``filters`` (a list of filter objects, ANDed; a
    single object or ``null`` is accepted too) into a predicate.

    ``field_types`` maps each field ID to the type whose operators it takes
    (a lookup field's linked type already resolved). Bad filters raise a 400
    ``PlanningError`` naming the problem.
    """
    if filters is None:
        return lambda d: True
    if isinstance(filters, dict):
        filters = [filters]
    if not isinstance(filters, list):
        raise _bad_filter(
            f"'filters' must be a list of filter objects, got {type(filters).__name__}."
        )
    return _all([_compile_node(f, field_types, record_type) for f in filters])


def _compile_node(node: object, field_types: Mapping[str, str], record_type: str) -> Predicate:
    if not isinstance(node, dict):
        raise _bad_filter(
            f'A filter must be an object such as {{"fieldId": {{"$is": value}}}}, got {node!r}.'
        )
    parts: list[Predicate] = []
    for key, value in node.items():
        if key in ("$and", "$or"):
            if not isinstance(value, list):
                raise _bad_filter(f"{key} takes a list of filter objects, got {value!r}.")
            children = [_compile_node(child, field_types, record_type) for child in value]
            # An empty $and matches every record, an empty $or none.
            parts.append(_all(children) if key == "$and" else _any(children))
        elif key.startswith("$"):
            raise _bad_filter(
                f"Unknown logical operator {key!r}: use $and or $or, and put comparison "
                f'operators inside a field: {{"fieldId": {{"$is": value}}}}.',
                operator=key,
            )
        else:
            parts.extend(_compile_field(key, value, field_types, record_type))
    return _all(parts) if parts else (lambda d: True)


def _compile_field(
    field_id: str, value: object, field_types: Mapping[str, str], record_type: str
) -> list[Predicate]:
    value_type = field_types.get(field_id)
    if value_type is None:
        known = ", ".join(sorted(field_types)[:50])
        where = f" of record type {record_type!r}" if record_type else ""
        raise _bad_filter(
            f"Unknown field {field_id!r}{where}; filter on one of its field IDs: {known}.",
            fieldId=field_id,
        )
    if isinstance(value, str) and value in _SHORT_FORMS:
        ops: list[tuple[str, object]] = [(value, None)]
    elif isinstance(value, dict):
        if not value:
            raise _bad_filter(
                f'Field {field_id!r} has an empty operator object; write {{"$is": value}} '
                "or another operator.",
                fieldId=field_id,
            )
        ops = list(value.items())
    else:
        ops = [("$is", value)]
    allowed = OPERATORS_BY_FIELD_TYPE[value_type]
    preds: list[Predicate] = []
    for op, operand in ops:
        if op not in ALL_OPERATORS:
            raise _bad_filter(
                f"Unknown operator {op!r} on field {field_id!r}; operators are: "
                + ", ".join(ALL_OPERATORS),
                fieldId=field_id,
                operator=op,
            )
        if op not in allowed:
            raise planning_error(
                400,
                "INVALID_FILTER_OPERATOR",
                f"Operator {op} is not allowed on field {field_id!r} of type "
                f"{value_type!r}; allowed operators: {', '.join(allowed)}.",
                {
                    "fieldId": field_id,
                    "fieldType": value_type,
                    "operator": op,
                    "allowedOperators": list(allowed),
                },
            )
        preds.append(_field_predicate(field_id, value_type, op, operand))
    return preds


def sort_key(value_type: str, value: object) -> tuple[int, object]:
    """Ascending sort key of one value; ``(1, 0)`` marks an empty value."""
    if value_type == "boolean":
        return (0, bool(value))
    if is_empty(value):
        return (1, 0)
    if value_type in TEXT_TYPES and isinstance(value, str):
        return (0, value.casefold())
    if value_type in NUMBER_TYPES and _as_float(value) is not None:
        return (0, _as_float(value))
    if value_type in MULTI_TYPES and isinstance(value, list):
        return (0, tuple(str(v) for v in value))
    if isinstance(value, int | str):
        return (0, value)
    return (0, str(value))  # pragma: no cover - values are validated on write
