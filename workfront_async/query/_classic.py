"""The classic compiler: an expression becomes the (name, value) pairs of a
Workfront search (docs/api-notes.md §1 Search, OR, EXISTS, ``filters=`` JSON).

The expression (already in negation normal form) is distributed into a
disjunction of conjunctions (DNF). Duplicate literals and levels are dropped
and a level that contains another level is absorbed. The first level is sent
unprefixed, the others as ``OR:1:``, ``OR:2:``, ... Inside a level each field
appears once: ``x >= a`` and ``x <= b`` merge into ``between``; any other
repeat is an error.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Final

import orjson

from .._core.exceptions import QueryError
from ._expr import And, Condition, Exists, Expr, Not, Or, find_hole, or_
from ._modifiers import CLASSIC_OP, MULTI_VALUED, NO_VALUE, PLANNING_ONLY, RANGE, is_swallowed
from ._values import classic_text

__all__ = ["MAX_LEVELS", "compile_classic", "dnf", "to_query_string"]

# A query with more OR levels than this is refused (it would not fit in a URI
# anyway: docs/api-notes.md §1 Limits, 8892 bytes through the CDN).
MAX_LEVELS: Final = 64
# Bound on intermediate products while distributing, before absorption.
_MAX_WORK: Final = 1024
# How many compiled queries are kept (an application runs a handful of query
# shapes with a few values each; the oldest entry goes first).
_CACHE_SIZE: Final = 1024

Leaf = Condition | Exists
Conjunction = tuple[Leaf, ...]

# The wildcards Workfront reads in a filter value (docs/api-notes.md §1 Search
# "Wildcards"): ``$$TODAY``/``$$NOW`` with b/e and offsets, ``$$USER[.field]``,
# ``$$CUSTOMER[.field]``.
_WILDCARD: Final = re.compile(
    r"\$\$(?:(?:TODAY|NOW)(?:[be][hdwmqy]?)?(?:[+-]\d+[hdwmqy])?"
    r"|(?:USER|CUSTOMER)(?:\.\w+)?)"
)


def _value_text(cond: Condition, value: object) -> str:
    """``classic_text`` plus the two values Workfront cannot take literally."""
    text = classic_text(value)
    if "\x00" in text:
        raise QueryError(
            f"{cond!r}: the value contains a NUL character (\\x00), which the client "
            "refuses: Workfront does not document how it stores or matches one; remove it"
        )
    if text.startswith("$$") and not _WILDCARD.fullmatch(text):
        raise QueryError(
            f"{cond!r}: Workfront reads a value that starts with '$$' as a wildcard "
            f"and {text[:40]!r} is not one ($$TODAY, $$NOW, $$USER.<field>, "
            "$$CUSTOMER.<field>); the API has no escape for literal text that starts "
            "with '$$': search with .contains() on the rest of the text and check the "
            "rows yourself"
        )
    return text


def _short(expr: Expr) -> str:
    text = repr(expr)
    return text if len(text) <= 300 else text[:297] + "..."


def _simplify(levels: list[Conjunction]) -> list[Conjunction]:
    """Drop duplicate levels and levels that contain another level."""
    sets = [frozenset(c) for c in levels]
    keep: list[Conjunction] = []
    for i, (level, items) in enumerate(zip(levels, sets, strict=True)):
        absorbed = any(
            (other < items) or (other == items and j < i) for j, other in enumerate(sets) if j != i
        )
        if not absorbed:
            keep.append(level)
    return keep


def _classic_negation(node: Not) -> Expr:
    child = node.child
    if child.op == "after":
        return Condition(child.path, "lte", child.values)
    if child.op == "before":
        return Condition(child.path, "gte", child.values)
    if child.op == "nee":
        # not (set and different) == unset or equal
        return or_(Condition(child.path, "isnull"), Condition(child.path, "eq", child.values))
    raise QueryError(
        f"{node!r}: Workfront has no modifier for the negation of {child.op!r}; "
        "rewrite the condition without ~"
    )


def dnf(expr: Expr) -> list[Conjunction]:
    """``expr`` as a list of conjunctions (levels). ``[()]`` is always true,
    ``[]`` never true."""
    if isinstance(expr, Condition | Exists):
        return [(expr,)]
    if isinstance(expr, Not):
        return dnf(_classic_negation(expr))
    if isinstance(expr, Or):
        levels = _simplify([c for child in expr.children for c in dnf(child)])
    elif isinstance(expr, And):
        levels = [()]
        # Children of one level each (the usual long chain of conditions) are
        # gathered and added to every level at once: adding them one by one
        # re-checks the growing levels each time, quadratic in the chain.
        single: list[Leaf] = []
        for child in expr.children:
            part = dnf(child)
            if len(part) == 1:
                single.extend(part[0])
                continue
            if single:
                levels = _with(levels, tuple(single))
                single = []
            if len(levels) * len(part) > _MAX_WORK:
                _too_big(expr, len(levels) * len(part))
            levels = _simplify([tuple(dict.fromkeys(a + b)) for a in levels for b in part])
        if single:
            levels = _with(levels, tuple(single))
    else:
        raise QueryError(f"{expr!r} is not a complete condition")
    if len(levels) > MAX_LEVELS:
        _too_big(expr, len(levels))
    return levels


def _with(levels: list[Conjunction], items: Conjunction) -> list[Conjunction]:
    return _simplify([tuple(dict.fromkeys(a + items)) for a in levels])


def _too_big(expr: Expr, count: int) -> None:
    raise QueryError(
        f"the query needs {count} OR levels (more than {MAX_LEVELS}) because of "
        f"{_short(expr)}; simplify it, use .isin([...]) for alternatives on one field, "
        "or split it into several searches"
    )


def _field_name(cond: Condition) -> str:
    return ":".join(cond.path)


def _modifier(cond: Condition) -> str:
    if cond.op in PLANNING_ONLY:
        raise QueryError(
            f"{cond!r}: {cond.op} exists only in the Planning API; in classic searches use "
            ".isin([...]) or .op('allof', ...)"
        )
    return CLASSIC_OP[cond.op]


def _merge(first: Condition, second: Condition) -> Condition:
    ops = {first.op, second.op}
    if ops == {"gte", "lte"}:
        low = first if first.op == "gte" else second
        high = second if low is first else first
        return Condition(first.path, "between", (low.values[0], high.values[0]))
    name = _field_name(first)
    raise QueryError(
        f"field {name!r} appears twice in one OR level ({first!r} and {second!r}); "
        "Workfront allows one filter per field and level: combine them into one condition "
        f"such as Q[{name!r}].isin([...]) or Q[{name!r}].between(low, high)"
    )


def _filter_pairs(name: str, cond: Condition) -> list[tuple[str, str]]:
    mod = _modifier(cond)
    texts = [_value_text(cond, v) for v in cond.values]
    if mod in NO_VALUE:
        return [(f"{name}_Mod", mod)]
    if mod in RANGE:
        return [(name, texts[0]), (f"{name}_Range", texts[1]), (f"{name}_Mod", mod)]
    return [(name, t) for t in texts] + [(f"{name}_Mod", mod)]


def _json_filter(name: str, cond: Condition, into: dict[str, object]) -> None:
    mod = _modifier(cond)
    texts = [_value_text(cond, v) for v in cond.values]
    if mod in RANGE:
        into[name] = texts[0]
        into[f"{name}_Range"] = texts[1]
    elif mod in MULTI_VALUED:
        into[name] = texts
    elif mod not in NO_VALUE:
        into[name] = texts[0]
    if mod != "eq":
        into[f"{name}_Mod"] = mod


def _level(
    level: Conjunction, prefix: str, numbers: Iterator[int], *, top: bool, block: bool = False
) -> list[tuple[str, str]]:
    """The parameters of one level. ``top``: the unprefixed level, which may
    carry ``filters=`` JSON; ``block``: the filters of an EXISTS block, whose
    prefixed names authentication does not consume."""
    slots: dict[tuple[str, ...], Condition] = {}
    order: list[Exists | tuple[str, ...]] = []
    for literal in level:
        if isinstance(literal, Exists):
            order.append(literal)
        elif literal.path in slots:
            slots[literal.path] = _merge(slots[literal.path], literal)
        else:
            slots[literal.path] = literal
            order.append(literal.path)
    params: list[tuple[str, str]] = []
    swallowed: dict[str, object] = {}
    for item in order:
        if isinstance(item, Exists):
            params.extend(_exists(item, prefix, numbers))
            continue
        cond = slots[item]
        name = _field_name(cond)
        if not block and len(cond.path) == 1 and is_swallowed(name):
            if not top:
                raise QueryError(
                    f"{cond!r}: Workfront consumes the parameter {name!r} before filtering, so "
                    "it can only be filtered through filters= JSON, which applies to the "
                    "unprefixed level only, not to an OR level; make this condition hold "
                    "for the whole query or run one search per alternative"
                )
            _json_filter(name, cond, swallowed)
        else:
            params.extend(_filter_pairs(prefix + name, cond))
    if swallowed:
        params.append(("filters", orjson.dumps(swallowed).decode()))
    return params


def _exists(node: Exists, prefix: str, numbers: Iterator[int]) -> list[tuple[str, str]]:
    head = f"{prefix}EXISTS:{next(numbers)}:"
    params = [(f"{head}$$OBJCODE", node.objcode)]
    if node.negated:
        params.append((f"{head}$$EXISTSMOD", "NOTEXISTS"))
    params.extend((f"{head}{ours}", f"FIELD:{theirs}") for ours, theirs in node.on)
    if node.where is None:
        return params
    levels = dnf(node.where)
    if not levels:
        raise QueryError(f"EXISTS where={_short(node.where)} can never match")
    if len(levels) != 1:
        raise QueryError(
            f"EXISTS where={_short(node.where)} must be a conjunction (conditions joined "
            "with &): Workfront has no OR inside an EXISTS block; use several "
            "Q.exists(...) joined with | instead"
        )
    for literal in levels[0]:
        if isinstance(literal, Exists):
            raise QueryError(f"EXISTS inside EXISTS ({literal!r}) is not supported by Workfront")
        for value in literal.values:
            if classic_text(value).startswith("FIELD:"):
                raise QueryError(
                    f"{literal!r}: a value starting with 'FIELD:' inside EXISTS would be read "
                    "as a link; use on={...} for links"
                )
    return params + _level(levels[0], head, numbers, top=False, block=True)


_Key = tuple[object, ...]
_compiled: dict[_Key, tuple[tuple[str, str], ...]] = {}


def _strict_key(expr: Expr) -> _Key:
    """A cache key that tells apart what ``==`` confuses: ``1``, ``1.0`` and
    ``True`` are equal and hash alike in Python but compile to different text,
    so each value's type is part of the key. Raises ``TypeError`` for an
    unhashable value (that expression is compiled without the cache)."""
    if isinstance(expr, Condition):
        values = expr.values
        if len(values) == 1:
            return (expr.path, expr.op, values[0], type(values[0]))
        return (expr.path, expr.op, values, tuple(map(type, values)))
    if isinstance(expr, And):
        return ("&", *map(_strict_key, expr.children))
    if isinstance(expr, Or):
        return ("|", *map(_strict_key, expr.children))
    if isinstance(expr, Not):
        return ("~", _strict_key(expr.child))
    if isinstance(expr, Exists):
        where = None if expr.where is None else _strict_key(expr.where)
        return ("E", expr.objcode, expr.on, where, expr.negated)
    raise TypeError(type(expr).__name__)  # a hole or foreign node: no cache


def compile_classic(expr: Expr | None) -> list[tuple[str, str]]:
    """The (name, value) pairs of a classic search for ``expr``, not URL-encoded.

    ``None`` and ``Q.all()`` give ``[]`` (no filter). An expression that can
    never match (``Q.none()``) raises ``QueryError``: there is nothing to ask.

    Expressions are frozen, so a compiled form is kept: on the expression
    itself (compiling it again costs an attribute read) and in a bounded table
    keyed by the expression's structure and its values' types (an equal
    expression built again costs a key walk and a dict look-up).
    """
    if expr is None:
        return []
    if not isinstance(expr, Expr):
        raise QueryError(f"compile_classic() takes a query expression, got {expr!r}")
    known = expr._classic
    if known is not None:
        return list(known)
    if type(expr) is And and not expr.children:  # Q.all()
        return []
    try:
        key = _strict_key(expr)
        cached = _compiled.get(key)
    except TypeError:  # an unhashable value
        return _compile(expr)
    if cached is None:
        cached = tuple(_compile(expr))
        if len(_compiled) >= _CACHE_SIZE:
            del _compiled[next(iter(_compiled))]
        _compiled[key] = cached
    # the node's own slot (see Expr._classic); nodes refuse ordinary assignment
    object.__setattr__(expr, "_classic", cached)
    return list(cached)


def _compile(expr: Expr) -> list[tuple[str, str]]:
    hole = find_hole(expr)
    if hole is not None:
        raise QueryError(
            f"incomplete expression {_short(expr)}: the value {hole.value!r} has no field; "
            "compare a field with it, e.g. Q.status == 'CUR' | ..."
        )
    levels = dnf(expr)
    if not levels:
        raise QueryError(f"{_short(expr)} can never match; skip the search instead of sending it")
    if any(not level for level in levels):
        return []
    numbers = itertools.count(1)
    params: list[tuple[str, str]] = []
    for index, level in enumerate(levels):
        prefix = f"OR:{index}:" if index else ""
        params.extend(_level(level, prefix, numbers, top=not index))
    return params


def to_query_string(params: list[tuple[str, str]]) -> str:
    """``name=value&...`` for reading (not URL-encoded)."""
    return "&".join(f"{name}={value}" for name, value in params)
