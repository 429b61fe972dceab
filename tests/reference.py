"""A plain-Python reference evaluator: the oracle for differential tests.

Three functions answer "does this record match?":

- ``eval_expr(expr, record, related=None, wildcards=None)`` evaluates a ``Q``
  expression directly;
- ``eval_classic(params, record, related=None, wildcards=None)`` evaluates the
  (name, value) pairs of a classic search, reading them the way docs/api-notes.md §1
  documents: the unprefixed level and each ``OR:n:`` level are ORed, filters in
  a level are ANDed, ``field_Mod`` picks the modifier (default ``eq``),
  ``field_Range`` is the upper bound of ``between``, repeated ``field=`` values
  feed ``in``/``notin``, ``filters=`` JSON adds filters to the unprefixed level,
  ``EXISTS:n:`` blocks test related objects;
- ``eval_planning(filter_obj, record)`` evaluates one Planning filter object
  (docs/api-notes.md §3).

Record model: a plain ``dict``. A nested reference is a nested dict
(``{"assignedTo": {"name": "Steve"}}``); a missing key or ``None`` is NULL
(also when an intermediate reference is missing); custom fields are keys such
as ``"DE:Budget Code"``; collection fields (``allof``, ``has_any``, ...) are
lists.

``related`` maps an ObjCode to the records of that type that EXISTS blocks
look through: ``Q.exists("ASSGN", on={"taskID": "ID"}, where=w)`` holds when
some record ``r`` in ``related["ASSGN"]`` has ``r["taskID"] == record["ID"]``
(both not NULL) and ``w`` holds for ``r``. ``wildcards`` maps wildcard text
(``"$$USER.ID"``) to the value it stands for; unmapped wildcards are compared
as plain text.

Semantics chosen where Workfront's documentation is silent (the library
documents the same reading): NULL matches ``ne``, ``cine``, ``notcontains``,
``cinotcontains``, ``notin``, ``cinotin``, ``isnull``, ``isblank`` and
``hasnone``, and nothing else; ``nee`` never matches NULL; comparisons of
values of different types are false; ``like`` uses ``%`` and ``_``;
classic text values are read in the type of the record's value (numbers,
``true``/``false``, ISO dates). ``~`` of a condition means its negated
modifier; ``~after(v)`` is ``<= v`` and ``~before(v)`` is ``>= v``.
Planning ``$isEmpty`` also matches ``""`` and ``[]``.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import orjson

from workfront_async.query import And, Condition, Exists, Expr, Hole, Not, Or

__all__ = ["eval_classic", "eval_expr", "eval_planning", "get_path", "split_path"]

Record = Mapping[str, Any]
Related = Mapping[str, Sequence[Record]]

_RANGE = {"between", "notbetween"}
_NO_VALUE = {"isnull", "notnull", "isblank", "notblank"}
_MULTI = {"in", "ciin", "notin", "cinotin", "cicontainsany", "cicontainsall", "allof"}


def split_path(name: str) -> list[str]:
    """``"project:DE:Budget Code"`` -> ``["project", "DE:Budget Code"]``."""
    parts: list[str] = []
    rest = name
    while rest:
        if rest.startswith("DE:"):
            parts.append(rest)
            break
        head, _, rest = rest.partition(":")
        parts.append(head)
    return parts


def get_path(record: Record, path: Sequence[str]) -> Any:
    current: Any = record
    for part in path:
        if not isinstance(current, Mapping):
            return None
        current = current.get(part)
    return current


# --- one operator on one value ----------------------------------------------


def _is_number(x: object) -> bool:
    return isinstance(x, int | float | Decimal) and not isinstance(x, bool)


def _comparable(x: object, v: object) -> bool:
    if _is_number(x) and _is_number(v):
        return True
    return type(x) is type(v)


def _eq(x: object, v: object) -> bool:
    return x is not None and _comparable(x, v) and x == v


def _lower(x: object) -> object:
    return x.lower() if isinstance(x, str) else x


def _order(x: Any, v: Any, op: str) -> bool:
    if x is None or not _comparable(x, v):
        return False
    return bool({"lt": x < v, "lte": x <= v, "gt": x > v, "gte": x >= v}[op])


def _like(x: object, pattern: object, flags: int = 0) -> bool:
    if not isinstance(x, str) or not isinstance(pattern, str):
        return False
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, x, flags | re.DOTALL) is not None


def _text_op(x: object, v: object, test: Any, ci: bool) -> bool:
    if not isinstance(x, str) or not isinstance(v, str):
        return False
    if ci:
        x, v = x.lower(), v.lower()
    return bool(test(x, v))


def apply(op: str, x: Any, values: Sequence[Any]) -> bool:
    """Whether the record value ``x`` satisfies ``op`` with ``values``."""
    v = values[0] if values else None
    items = x if isinstance(x, list) else None
    match op:
        case "isnull":
            return x is None
        case "notnull":
            return x is not None
        case "isblank":
            return x is None or x == ""
        case "notblank":
            return not apply("isblank", x, values)
        case "eq":
            return _eq(x, v)
        case "ne":
            return not _eq(x, v)
        case "nee":
            return x is not None and not _eq(x, v)
        case "cieq":
            return _eq(_lower(x), _lower(v))
        case "cine":
            return not _eq(_lower(x), _lower(v))
        case "lt" | "lte" | "gt" | "gte":
            return _order(x, v, op)
        case "after":
            return _order(x, v, "gt")
        case "before":
            return _order(x, v, "lt")
        case "contains":
            return _text_op(x, v, lambda a, b: b in a, False)
        case "notcontains":
            return not apply("contains", x, values)
        case "cicontains":
            return _text_op(x, v, lambda a, b: b in a, True)
        case "cinotcontains":
            return not apply("cicontains", x, values)
        case "cicontainsany":
            return any(_text_op(x, w, lambda a, b: b in a, True) for w in values)
        case "cicontainsall":
            return all(_text_op(x, w, lambda a, b: b in a, True) for w in values)
        case "like":
            return _like(x, v)
        case "cilike":
            return _like(x, v, re.IGNORECASE)
        case "startswith" | "cistartswith":
            return _text_op(x, v, str.startswith, op.startswith("ci"))
        case "endswith" | "ciendswith":
            return _text_op(x, v, str.endswith, op.startswith("ci"))
        case "in":
            return any(_eq(x, w) for w in values)
        case "notin":
            return not apply("in", x, values)
        case "ciin":
            return any(_eq(_lower(x), _lower(w)) for w in values)
        case "cinotin":
            return not apply("ciin", x, values)
        case "between":
            return _order(x, values[0], "gte") and _order(x, values[1], "lte")
        case "notbetween":
            return _comparable(x, values[0]) and not apply("between", x, values)
        case "allof" | "hasall":
            return items is not None and all(any(_eq(i, w) for i in items) for w in values)
        case "hasany":
            return items is not None and any(any(_eq(i, w) for i in items) for w in values)
        case "hasnone":
            return not apply("hasany", x, values)
        case "isexactly":
            return (
                items is not None
                and all(any(_eq(i, w) for w in values) for i in items)
                and all(any(_eq(i, w) for i in items) for w in values)
            )
    raise ValueError(f"reference evaluator: unknown operator {op!r}")


# --- Q expressions -----------------------------------------------------------


def _py_value(value: object, wildcards: Mapping[str, Any]) -> Any:
    while isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, str) and value in wildcards:
        return wildcards[value]
    return value


def _linked(outer: Record, inner: Record, on: Sequence[tuple[str, str]]) -> bool:
    return all(
        _eq(get_path(inner, split_path(theirs_in_related)), get_path(outer, split_path(ours)))
        for theirs_in_related, ours in on
    )


_NOT_AS = {"after": "lte", "before": "gte"}


def eval_expr(
    expr: Expr,
    record: Record,
    related: Related | None = None,
    wildcards: Mapping[str, Any] | None = None,
) -> bool:
    """Whether ``record`` satisfies ``expr``."""
    related = related or {}
    wildcards = wildcards or {}
    if isinstance(expr, Condition):
        values = [_py_value(v, wildcards) for v in expr.values]
        return apply(expr.op, get_path(record, expr.path), values)
    if isinstance(expr, And):
        return all(eval_expr(c, record, related, wildcards) for c in expr.children)
    if isinstance(expr, Or):
        return any(eval_expr(c, record, related, wildcards) for c in expr.children)
    if isinstance(expr, Not):
        child = expr.child
        if child.op in _NOT_AS:
            values = [_py_value(v, wildcards) for v in child.values]
            return apply(_NOT_AS[child.op], get_path(record, child.path), values)
        return not eval_expr(child, record, related, wildcards)
    if isinstance(expr, Exists):
        found = any(
            _linked(record, other, expr.on)
            and (expr.where is None or eval_expr(expr.where, other, related, wildcards))
            for other in related.get(expr.objcode, ())
        )
        return found != expr.negated
    if isinstance(expr, Hole):
        raise ValueError(f"reference evaluator: incomplete expression {expr!r}")
    raise TypeError(f"reference evaluator: not an expression: {expr!r}")


# --- classic parameters ------------------------------------------------------

_OR = re.compile(r"OR:(\d+):(.*)", re.DOTALL)
_EXISTS = re.compile(r"EXISTS:(\d+):(.*)", re.DOTALL)


def _coerce(text: str, like: Any, wildcards: Mapping[str, Any]) -> Any:
    """Read classic text in the type of the record's value."""
    if text in wildcards:
        return wildcards[text]
    if isinstance(like, list):
        like = like[0] if like else None
    try:
        if isinstance(like, bool):
            return {"true": True, "false": False}.get(text, text)
        if isinstance(like, int):
            return int(text) if re.fullmatch(r"-?\d+", text) else float(text)
        if isinstance(like, float):
            return float(text)
        if isinstance(like, Decimal):
            return Decimal(text)
        if isinstance(like, dt.datetime):
            return dt.datetime.fromisoformat(text)
        if isinstance(like, dt.date):
            return dt.date.fromisoformat(text)
    except ValueError:
        return text
    return text


def _eval_level(
    pairs: Sequence[tuple[str, str]],
    record: Record,
    related: Related,
    wildcards: Mapping[str, Any],
) -> bool:
    blocks: dict[str, list[tuple[str, str]]] = {}
    filters: dict[str, dict[str, Any]] = {}
    for name, value in pairs:
        block = _EXISTS.fullmatch(name)
        if block:
            blocks.setdefault(block.group(1), []).append((block.group(2), value))
            continue
        for suffix, key in (("_Mod", "mod"), ("_Range", "range")):
            if name.endswith(suffix):
                slot = filters.setdefault(name[: -len(suffix)], {"values": []})
                if key in slot:
                    raise ValueError(f"reference evaluator: {name} given twice in one level")
                slot[key] = value
                break
        else:
            filters.setdefault(name, {"values": []})["values"].append(value)
    for name, spec in filters.items():
        mod = spec.get("mod", "eq")
        texts: list[str] = list(spec["values"])
        if mod in _RANGE:
            if len(texts) != 1 or "range" not in spec:
                raise ValueError(f"reference evaluator: {name} {mod} needs a value and _Range")
            texts.append(spec["range"])
        elif mod in _NO_VALUE:
            texts = []
        elif mod not in _MULTI and len(texts) != 1:
            raise ValueError(f"reference evaluator: {name} has {len(texts)} values for {mod}")
        x = get_path(record, split_path(name))
        if not apply(mod, x, [_coerce(t, x, wildcards) for t in texts]):
            return False
    for items in blocks.values():
        fields = dict(items)
        objcode = fields["$$OBJCODE"]
        negated = fields.get("$$EXISTSMOD") == "NOTEXISTS"
        links = [(k, v[len("FIELD:") :]) for k, v in items if v.startswith("FIELD:")]
        where = [
            (k, v)
            for k, v in items
            if not v.startswith("FIELD:") and k not in ("$$OBJCODE", "$$EXISTSMOD")
        ]
        found = any(
            _linked(record, other, links) and _eval_level(where, other, related, wildcards)
            for other in related.get(objcode, ())
        )
        if found == negated:
            return False
    return True


def eval_classic(
    params: Sequence[tuple[str, str]],
    record: Record,
    related: Related | None = None,
    wildcards: Mapping[str, Any] | None = None,
) -> bool:
    """Whether ``record`` matches the classic search ``params``."""
    levels: dict[str, list[tuple[str, str]]] = {}
    for name, value in params:
        if name == "filters":
            for key, item in orjson.loads(value).items():
                for text in item if isinstance(item, list) else [item]:
                    levels.setdefault("", []).append((key, text))
            continue
        level = _OR.fullmatch(name)
        if level:
            levels.setdefault(level.group(1), []).append((level.group(2), value))
        else:
            levels.setdefault("", []).append((name, value))
    if not levels:
        return True
    return any(
        _eval_level(pairs, record, related or {}, wildcards or {}) for pairs in levels.values()
    )


# --- Planning filter objects -------------------------------------------------

_PLANNING = {
    "$is": "eq",
    "$isNot": "ne",
    "$contains": "contains",
    "$doesNotContain": "notcontains",
    "$greaterThan": "gt",
    "$greaterThanOrEqual": "gte",
    "$lessThan": "lt",
    "$lessThanOrEqual": "lte",
    "$isAfter": "after",
    "$isBefore": "before",
    "$isBetween": "between",
    "$isNotBetween": "notbetween",
    "$isAnyOf": "in",
    "$isNoneOf": "notin",
    "$hasAnyOf": "hasany",
    "$hasAllOf": "hasall",
    "$hasNoneOf": "hasnone",
    "$isExactly": "isexactly",
}


def _planning_op(op: str, x: Any, value: Any) -> bool:
    if op == "$isEmpty":
        return x is None or x == "" or x == []
    if op == "$isNotEmpty":
        return not _planning_op("$isEmpty", x, value)
    values = value if isinstance(value, list) else [value]
    return apply(_PLANNING[op], x, values)


def eval_planning(filter_obj: Mapping[str, Any], record: Record) -> bool:
    """Whether ``record`` matches one Planning filter object."""
    results: list[bool] = []
    for key, cond in filter_obj.items():
        if key == "$and":
            results.append(all(eval_planning(c, record) for c in cond))
        elif key == "$or":
            results.append(any(eval_planning(c, record) for c in cond))
        elif isinstance(cond, Mapping):
            x = record.get(key)
            results.append(all(_planning_op(op, x, v) for op, v in cond.items()))
        elif cond in ("$isEmpty", "$isNotEmpty"):
            results.append(_planning_op(cond, record.get(key), None))
        else:
            results.append(_planning_op("$is", record.get(key), cond))
    return all(results)
