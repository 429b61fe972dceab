"""The expression tree: immutable values that the compilers translate.

    Q                    the root: ``Q.status``, ``Q["DE:Budget Code"]``
    Field                a path of 1 to 4 names; comparisons build conditions
    Expr
    ├── Condition        one field, one operator, its values
    ├── And / Or         children in a tuple; ``Q.all()`` is ``And()``, ``Q.none()`` ``Or()``
    ├── Not              a condition whose operator has no negated twin
    ├── Exists           an EXISTS / NOTEXISTS block on related objects
    └── Hole             a bare value waiting for a comparison (see below)

``~`` is pushed to the leaves when it is applied (De Morgan; negated
modifiers), ``&``/``|`` flatten, drop duplicates and fold the identities, so
two expressions that mean the same thing in these simple ways compare equal.

Python binds ``|`` and ``&`` tighter than comparisons, so
``Q.status == "CUR" | cond`` reaches us as ``Q.status == ("CUR" | cond)``.
``"CUR" | cond`` builds an ``Or`` whose first leaf is a ``Hole("CUR")``; the
comparison then fills the hole with ``Q.status == "CUR"``. Forms Python cannot
keep apart (``Q.a == 1 | Q.b == 2``) raise ``TypeError`` asking for
parentheses. An expression that still has a hole cannot be compiled.
"""

from __future__ import annotations

import functools
import keyword
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar, Final, NoReturn, TypeVar, cast, overload

from attrs.exceptions import FrozenInstanceError

from .._core.checks import MAX_DEPTH, _parse_path, parse_path
from .._core.exceptions import REDACTED, SECRET_NAMES, QueryError
from ._modifiers import CLASSIC_MODIFIERS, MULTI_VALUED, NEGATION, NO_VALUE, OPS, RANGE
from ._values import check_value

__all__ = [
    "MAX_DEPTH",
    "MAX_NESTING",
    "And",
    "Condition",
    "Exists",
    "Expr",
    "Field",
    "Hole",
    "Not",
    "Or",
    "Q",
    "and_",
    "find_hole",
    "negate",
    "or_",
    "parse_path",
    "walk",
]

# How deeply &, | and EXISTS may nest. Every pass over a tree (hashing,
# negation, the compilers) recurses once per level, so an unbounded depth
# would end in RecursionError; a chain of one operator is flattened and does
# not count, so thousands of conditions joined by & alone are fine.
MAX_NESTING: Final = 100

_BOOL_MESSAGE = (
    "a query expression has no truth value: combine conditions with & | ~ (not and/or/not), "
    "put each comparison in parentheses, e.g. (Q.a == 1) | (Q.b == 2), and write "
    "lo <= Q.x <= hi as Q.x.between(lo, hi)"
)


def _check_depth(path: tuple[str, ...]) -> tuple[str, ...]:
    if len(path) > MAX_DEPTH:
        raise QueryError(
            f"field path {':'.join(path)!r} is {len(path)} levels deep; Workfront reads fields "
            f"at most {MAX_DEPTH} levels from the queried object: query the related object "
            "type instead, or use Q.exists(...)"
        )
    return path


def _is_secret(path: tuple[str, ...]) -> bool:
    return path[-1].lower() in SECRET_NAMES


# The nodes are plain slotted classes rather than attrs classes: an
# expression is built on every search, and attrs' frozen ``__init__`` (one
# ``object.__setattr__`` per field) and uncached hashes made building five
# conditions cost several times the compile. ``Condition``, ``And``, ``Or``
# and ``Field`` each have a private twin (``_ConditionInit``, ...) with the
# same slots and the ordinary ``__setattr__``: a node is filled in as the
# twin, then switched to its real class, which refuses every later
# assignment (``FrozenInstanceError``, as attrs raised). A twin takes both
# ``object.__setattr__`` and ``object.__delattr__``: with either one left
# in Python, CPython sends every slot assignment through a Python-level
# look-up, several times slower.
#
# Equality compares the fields (``depth`` and the cached members, hash and
# compiled form are not part of it); conditions and chains compute their
# hash once, on first use. ``__reduce__`` rebuilds a node from its fields,
# so pickling and copying never carry a cached hash (string hashes differ
# between processes).

_new: Final = object.__new__


class Expr:
    """Base class of every node. Combine with ``&``, ``|`` and ``~``."""

    __slots__ = ()

    # How many levels of &, | and EXISTS the node holds: none for a leaf.
    depth: int = 0
    # The classic compiler's answer for this expression, kept on the node by
    # compile_classic (nodes are frozen, so it cannot go stale). Not part of
    # equality, never pickled; a hole has no slot for it and is never compiled.
    _classic: tuple[tuple[str, str], ...] | None = None

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise FrozenInstanceError()

    def __delattr__(self, name: str) -> NoReturn:
        raise FrozenInstanceError()

    def __and__(self, other: Expr) -> Expr:
        if isinstance(other, Expr):
            return and_(self, other)
        _combine_error("&", self, other)

    # Reached only with a left operand that is not an expression (``x & cond``),
    # which compiling refuses with a message (``Hole``); typed as ``Expr`` so that
    # type checkers refuse it too, e.g. a typed field compared with a value of
    # the wrong type (``TaskQ.priority == "high"``, a ``bool`` to them).
    def __rand__(self, other: Expr) -> Expr:
        return and_(Hole(other), self)

    def __or__(self, other: Expr) -> Expr:
        if isinstance(other, Expr):
            return or_(self, other)
        _combine_error("|", self, other)

    def __ror__(self, other: Expr) -> Expr:
        return or_(Hole(other), self)

    def __invert__(self) -> Expr:
        return negate(self)

    def __bool__(self) -> bool:
        raise TypeError(_BOOL_MESSAGE)


def _combine_error(op: str, left: object, right: object) -> NoReturn:
    if isinstance(right, Field):
        raise TypeError(
            f"{left!r} {op} {right!r}: a field is not a condition. Python binds {op} tighter "
            f"than comparisons, so put the comparison in parentheses: "
            f"... {op} ({right!r} == value)"
        )
    raise TypeError(f"{op} combines query expressions, got {right!r}")


def _paren(expr: Expr) -> str:
    text = repr(expr)
    if isinstance(expr, And | Or) and len(expr.children) > 1:
        return f"({text})"
    if isinstance(expr, Condition) and expr.op in _OP_SYMBOL:
        return f"({text})"
    return text


def _filled(cls: type[Any], **fields: object) -> Any:
    """A node filled field by field: the rarer nodes (``Not``, ``Exists``,
    ``Hole``) and subclasses that users derive from the node classes."""
    node = _new(cls)
    for name, value in fields.items():
        object.__setattr__(node, name, value)
    return node


class Condition(Expr):
    """``path`` compared by ``op`` (a classic modifier name, or ``after``,
    ``before``, ``hasany``, ``hasall``, ``hasnone``, ``isexactly``) with ``values``."""

    __slots__ = ("__weakref__", "_classic", "_hash", "op", "path", "values")
    __match_args__ = ("path", "op", "values")

    path: tuple[str, ...]
    op: str
    values: tuple[object, ...]
    _hash: int | None

    def __new__(cls, path: tuple[str, ...], op: str, values: tuple[object, ...] = ()) -> Condition:
        if cls is Condition:
            return _condition_node(path, op, values)
        return cast(
            Condition, _filled(cls, path=path, op=op, values=values, _hash=None, _classic=None)
        )

    @property
    def field(self) -> Field:
        return Field(self.path)

    def __eq__(self, other: object) -> bool:
        if type(other) is Condition:
            return other.path == self.path and other.op == self.op and other.values == self.values
        return False if isinstance(other, Expr) else NotImplemented

    def __hash__(self) -> int:
        found = self._hash
        if found is None:
            found = hash(("c", self.path, self.op, self.values))
            object.__setattr__(self, "_hash", found)
        return found

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.path, self.op, self.values))

    def __and__(self, other: Expr) -> Expr:
        if type(other) is Condition:  # the first & of a chain
            if other.path == self.path and other.op == self.op and other.values == self.values:
                return self  # the same condition twice (compared here: no __eq__ call)
            return _chain_node(_AndInit, And, (self, other), 1, None)
        return Expr.__and__(self, other)

    def __or__(self, other: Expr) -> Expr:
        if type(other) is Condition:
            if other.path == self.path and other.op == self.op and other.values == self.values:
                return self  # the same condition twice (compared here: no __eq__ call)
            return _chain_node(_OrInit, Or, (self, other), 1, None)
        return Expr.__or__(self, other)

    def __repr__(self) -> str:
        field = repr(Field(self.path))
        shown = [REDACTED if _is_secret(self.path) else v for v in self.values]
        args = [repr(v) if v is not REDACTED else REDACTED for v in shown]
        if self.op in _OP_SYMBOL:
            return f"{field} {_OP_SYMBOL[self.op]} {args[0]}"
        method = _METHOD.get(self.op)
        if method is None:
            return f"{field}.op({', '.join([repr(self.op), *args])})"
        if self.op in MULTI_VALUED:
            return f"{field}.{method}([{', '.join(args)}])"
        return f"{field}.{method}({', '.join(args)})"


class _ConditionInit(Condition):
    """Fills in a new ``Condition`` (see the note above ``Expr``)."""

    __slots__ = ()
    __setattr__ = object.__setattr__  # type: ignore[assignment]
    __delattr__ = object.__delattr__  # type: ignore[assignment]


def _condition_node(path: tuple[str, ...], op: str, values: tuple[object, ...]) -> Condition:
    node = _new(_ConditionInit)
    node.path = path
    node.op = op
    node.values = values
    node._hash = None
    node._classic = None
    node.__class__ = Condition  # type: ignore[assignment]  # from now on, frozen
    return node


_OP_SYMBOL: Final = {"eq": "==", "ne": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
_METHOD: Final = {
    "contains": "contains",
    "cicontains": "icontains",
    "notcontains": "not_contains",
    "in": "isin",
    "notin": "notin",
    "between": "between",
    "isnull": "is_null",
    "notnull": "not_null",
    "after": "after",
    "before": "before",
    "hasany": "has_any",
    "hasall": "has_all",
    "hasnone": "has_none",
    "isexactly": "is_exactly",
}


class _Chain(Expr):
    """What ``And`` and ``Or`` share: children in a tuple."""

    __slots__ = ("__weakref__", "_classic", "_hash", "_members", "children", "depth")
    __match_args__ = ("children",)

    children: tuple[Expr, ...]
    # How many levels of &, | and EXISTS this node holds (not part of equality);
    # and_/or_ pass it in, since recounting every child on each fold is quadratic.
    depth: int
    # The children as a set, for long chains only (see _extend).
    _members: frozenset[Expr] | None
    _hash: int | None
    _tag: ClassVar[str]

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            return self.children == other.children
        return False if isinstance(other, Expr) else NotImplemented

    def __hash__(self) -> int:
        found = self._hash
        if found is None:
            found = hash((self._tag, self.children))
            object.__setattr__(self, "_hash", found)
        return found

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.children,))


_C = TypeVar("_C", bound=_Chain)


def _new_chain(
    cls: type[_C],
    final: type[_Chain],
    init: type[_C],
    children: tuple[Expr, ...],
    depth: int | None,
    members: frozenset[Expr] | None,
) -> _C:
    checked = _nesting(children) if depth is None else depth
    if cls is final:
        return _chain_node(init, final, children, checked, members)
    fields = {"children": children, "depth": checked, "_members": members}
    node = _filled(cls, **fields, _hash=None, _classic=None)
    return cast(_C, node)


def _chain_node(
    init: type[_C],
    final: type[_Chain],
    children: tuple[Expr, ...],
    depth: int,
    members: frozenset[Expr] | None,
) -> _C:
    """A new ``final`` node, filled in as its twin ``init`` (see above)."""
    node = _new(init)
    node.children = children
    node.depth = depth
    node._members = members
    node._hash = None
    node._classic = None
    node.__class__ = final  # type: ignore[assignment]  # from now on, frozen
    return node


class And(_Chain):
    """All children hold. ``And(())`` always holds (``Q.all()``)."""

    __slots__ = ()
    _tag = "&"

    def __new__(
        cls,
        children: tuple[Expr, ...] = (),
        *,
        depth: int | None = None,
        members: frozenset[Expr] | None = None,
    ) -> And:
        return _new_chain(cls, And, _AndInit, children, depth, members)

    def __and__(self, other: Expr) -> Expr:
        # one more condition on a chain: the common step of building a query
        if (
            self.children
            and type(other) is not And
            and isinstance(other, Expr)
            and (type(other) is not Or or other.children)  # Q.none() absorbs: and_ says so
        ):
            return _extend(self, other, _AndInit, And)
        return Expr.__and__(self, other)

    def __repr__(self) -> str:
        if not self.children:
            return "Q.all()"
        return " & ".join(_paren(c) for c in self.children)


class Or(_Chain):
    """At least one child holds. ``Or(())`` never holds (``Q.none()``)."""

    __slots__ = ()
    _tag = "|"

    def __new__(
        cls,
        children: tuple[Expr, ...] = (),
        *,
        depth: int | None = None,
        members: frozenset[Expr] | None = None,
    ) -> Or:
        return _new_chain(cls, Or, _OrInit, children, depth, members)

    def __or__(self, other: Expr) -> Expr:
        if (
            self.children
            and type(other) is not Or
            and isinstance(other, Expr)
            and (type(other) is not And or other.children)  # Q.all() absorbs: or_ says so
        ):
            return _extend(self, other, _OrInit, Or)
        return Expr.__or__(self, other)

    def __repr__(self) -> str:
        if not self.children:
            return "Q.none()"
        return " | ".join(_paren(c) for c in self.children)


class _AndInit(And):
    """Fills in a new ``And`` (see the note above ``Expr``)."""

    __slots__ = ()
    __setattr__ = object.__setattr__  # type: ignore[assignment]
    __delattr__ = object.__delattr__  # type: ignore[assignment]


class _OrInit(Or):
    """Fills in a new ``Or`` (see the note above ``Expr``)."""

    __slots__ = ()
    __setattr__ = object.__setattr__  # type: ignore[assignment]
    __delattr__ = object.__delattr__  # type: ignore[assignment]


class Not(Expr):
    """The negation of a condition whose operator has no negated twin
    (``like``, ``startswith``, ``nee``, ``after``, ...)."""

    __slots__ = ("__weakref__", "_classic", "child")
    __match_args__ = ("child",)

    child: Condition

    def __new__(cls, child: Condition) -> Not:
        return cast(Not, _filled(cls, child=child, _classic=None))

    def __eq__(self, other: object) -> bool:
        if type(other) is Not:
            return self.child == other.child
        return False if isinstance(other, Expr) else NotImplemented

    def __hash__(self) -> int:
        return hash(("~", self.child))

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.child,))

    def __repr__(self) -> str:
        return f"~({self.child!r})"


class Exists(Expr):
    """Objects of type ``objcode`` linked by ``on`` (related field -> field of
    the queried object) for which ``where`` holds exist (or, ``negated``, do not)."""

    __slots__ = ("__weakref__", "_classic", "depth", "negated", "objcode", "on", "where")
    __match_args__ = ("objcode", "on", "where", "negated")

    objcode: str
    on: tuple[tuple[str, str], ...]
    where: Expr | None
    negated: bool
    depth: int

    def __new__(
        cls,
        objcode: str,
        on: tuple[tuple[str, str], ...],
        where: Expr | None = None,
        negated: bool = False,
    ) -> Exists:
        depth = _nesting(() if where is None else (where,))
        fields = {"objcode": objcode, "on": on, "where": where, "negated": negated}
        node = _filled(cls, **fields, depth=depth, _classic=None)
        return cast(Exists, node)

    def _fields(self) -> tuple[object, ...]:
        return (self.objcode, self.on, self.where, self.negated)

    def __eq__(self, other: object) -> bool:
        if type(other) is Exists:
            return self._fields() == other._fields()
        return False if isinstance(other, Expr) else NotImplemented

    def __hash__(self) -> int:
        return hash(("E", *self._fields()))

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), self._fields())

    def __invert__(self) -> Exists:
        return Exists(self.objcode, self.on, self.where, not self.negated)

    def __repr__(self) -> str:
        where = "" if self.where is None else f", where={self.where!r}"
        text = f"Q.exists({self.objcode!r}, on={dict(self.on)!r}{where})"
        return f"~{text}" if self.negated else text


class Hole(Expr):
    """A bare value on the left of ``|``/``&``, waiting for the comparison
    that Python applies afterwards."""

    __slots__ = ("__weakref__", "value")
    __match_args__ = ("value",)

    value: object

    def __new__(cls, value: object) -> Hole:
        return cast(Hole, _filled(cls, value=value))

    def __eq__(self, other: object) -> bool:
        if type(other) is Hole:
            return (self.value,) == (other.value,)
        return False if isinstance(other, Expr) else NotImplemented

    def __hash__(self) -> int:
        return hash(("H", self.value))

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.value,))

    def __repr__(self) -> str:
        return f"<hole {self.value!r}>"


def _nesting(children: Iterable[object]) -> int:
    return _checked(1 + max((getattr(c, "depth", 0) for c in children), default=0))


def _checked(depth: int) -> int:
    if depth > MAX_NESTING:
        raise QueryError(
            f"the query expression nests &, | and EXISTS more than {MAX_NESTING} levels deep; "
            "build long conditions flat instead: a chain of one operator does not nest, "
            "e.g. functools.reduce(operator.and_, conditions) or a list with .isin([...])"
        )
    return depth


ALL: Final = And(())
NONE: Final = Or(())


def _is_none(item: Expr) -> bool:
    """``Q.none()`` (an empty ``Or``): cheaper than ``item == NONE``."""
    return type(item) is Or and not item.children


def _is_all(item: Expr) -> bool:
    return type(item) is And and not item.children


def and_(*items: Expr) -> Expr:
    """All of ``items``: flattened, duplicates dropped, ``Q.none()`` absorbing."""
    if len(items) == 2:
        chain, item = items
        if type(chain) is Condition and type(item) is Condition:  # the first & of a chain
            return chain if chain == item else _chain_node(_AndInit, And, items, 1, None)
        if (
            type(chain) is And
            and chain.children
            and not isinstance(item, And)
            and not _is_none(item)
        ):
            return _extend(chain, item, _AndInit, And)
    out: list[Expr] = []
    depth = 1
    for item in items:
        if isinstance(item, And):
            out.extend(item.children)
            depth = max(depth, item.depth)
        elif _is_none(item):
            return NONE
        else:
            out.append(item)
            depth = max(depth, 1 + item.depth)
    unique = tuple(dict.fromkeys(out))
    if len(unique) == 1:
        return unique[0]
    return _chain_node(_AndInit, And, unique, _checked(depth), None)


def or_(*items: Expr) -> Expr:
    """Any of ``items``: flattened, duplicates dropped, ``Q.all()`` absorbing."""
    if len(items) == 2:
        chain, item = items
        if type(chain) is Condition and type(item) is Condition:
            return chain if chain == item else _chain_node(_OrInit, Or, items, 1, None)
        if type(chain) is Or and chain.children and not isinstance(item, Or) and not _is_all(item):
            return _extend(chain, item, _OrInit, Or)
    out: list[Expr] = []
    depth = 1
    for item in items:
        if isinstance(item, Or):
            out.extend(item.children)
            depth = max(depth, item.depth)
        elif _is_all(item):
            return ALL
        else:
            out.append(item)
            depth = max(depth, 1 + item.depth)
    unique = tuple(dict.fromkeys(out))
    if len(unique) == 1:
        return unique[0]
    return _chain_node(_OrInit, Or, unique, _checked(depth), None)


# Up to this many children a duplicate is found by comparing the new item
# with each child (cheap, and no set to build); a longer chain keeps its
# children in a frozenset, handed from each chain to the next, so that a fold
# such as reduce(operator.and_, conditions) over thousands of conditions
# checks each new one in constant time and copies the set in C.
_SCAN_LIMIT: Final = 16


def _extend(chain: _C, item: Expr, init: type[_C], final: type[_Chain]) -> Expr:
    """``chain`` with ``item`` added at the end, unless it is already there."""
    children = chain.children
    members = chain._members
    if members is None and len(children) < _SCAN_LIMIT:
        if item in children:
            return chain
    else:
        if members is None:
            members = frozenset(children)
            object.__setattr__(chain, "_members", members)
        if item in members:
            return chain
        members = members | {item}
    depth = chain.depth
    if item.depth >= depth:
        depth = _checked(item.depth + 1)
    return _chain_node(init, final, (*children, item), depth, members)


def negate(expr: Expr) -> Expr:
    """``~expr`` in negation normal form."""
    if isinstance(expr, Condition):
        twin = NEGATION.get(expr.op)
        return Not(expr) if twin is None else _condition_node(expr.path, twin, expr.values)
    if isinstance(expr, Not):
        return expr.child
    if isinstance(expr, And):
        return or_(*(negate(c) for c in expr.children))
    if isinstance(expr, Or):
        return and_(*(negate(c) for c in expr.children))
    if isinstance(expr, Exists):
        return ~expr
    if isinstance(expr, Hole):
        raise TypeError(
            f"~ applied to an incomplete expression {expr!r}: put the comparison in "
            "parentheses first, e.g. ~(Q.a == 1)"
        )
    raise TypeError(f"not a query expression: {expr!r}")


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of ``expr``, depth first (EXISTS ``where`` included)."""
    yield expr
    if isinstance(expr, And | Or):
        for child in expr.children:
            yield from walk(child)
    elif isinstance(expr, Not):
        yield expr.child
    elif isinstance(expr, Exists) and expr.where is not None:
        yield from walk(expr.where)


def find_hole(expr: Expr) -> Hole | None:
    return next((n for n in walk(expr) if isinstance(n, Hole)), None)


_ONE_VALUE: Final = OPS - (NO_VALUE | RANGE | MULTI_VALUED)
_PLAIN: Final = frozenset({str, int, float})


def _condition(path: tuple[str, ...], op: str, values: tuple[object, ...]) -> Condition:
    if len(values) == 1 and op in _ONE_VALUE and type(values[0]) in _PLAIN:
        # the common shape (one text or number): nothing to check but finiteness
        value = values[0]
        if type(value) is not float or value - value == 0:
            return _condition_node(path, op, values)
    if op not in OPS:
        raise QueryError(
            f"unknown modifier {op!r}; Workfront modifiers are: {' '.join(CLASSIC_MODIFIERS)}"
        )
    shown = ":".join(path)
    if op in NO_VALUE and values:
        raise QueryError(f"{op} on {shown!r} takes no value")
    if op in RANGE and len(values) != 2:
        raise QueryError(f"{op} on {shown!r} takes a lower and an upper bound")
    if op in MULTI_VALUED and not values:
        raise QueryError(
            f"{op} on {shown!r} needs at least one value (an empty list matches nothing; "
            "use Q.none() for that)"
        )
    if op in _ONE_VALUE and len(values) != 1:
        raise QueryError(f"{op} on {shown!r} takes exactly one value, got {len(values)}")
    for value in values:
        try:
            check_value(value)
        except QueryError as exc:
            if not _is_secret(path):
                raise
            raise QueryError(
                f"unsupported value for {shown!r} (value hidden): use str, bool, int, float, "
                "Decimal, datetime (with tzinfo), date or an Enum of those"
            ) from exc.__cause__
    return _condition_node(path, op, values)


def _fill(expr: Expr, field: Field, op: str) -> Expr | None:
    """``expr`` with its leftmost leaf, a hole, replaced by ``field op value``."""
    if isinstance(expr, Hole):
        return field._compare(op, expr.value)
    if isinstance(expr, And | Or) and expr.children:
        first = _fill(expr.children[0], field, op)
        if first is None:
            return None
        combine = and_ if isinstance(expr, And) else or_
        return combine(first, *expr.children[1:])
    return None


def _values(values: Iterable[object], method: str) -> tuple[object, ...]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise QueryError(f".{method}() takes a list of values, got {values!r}")
    return tuple(values)


# Fields named as attributes (``Q.status``, ``Q.project.name``) are kept in
# the ``__dict__`` of ``Q`` or of their parent field, so that Python finds
# them as plain attributes the next time instead of calling ``__getattr__``
# after a failed look-up (about a microsecond each). At most this many are
# kept in all, the bound of the field cache below; past it, names still work
# through that cache.
_MAX_KEPT: Final = 8192
_kept = 0


def _keep(named: dict[str, object], name: str, field: Field) -> Field:
    global _kept
    if _kept < _MAX_KEPT:
        _kept += 1
        named[name] = field
    return field


# The fast paths of comparisons: a text or an integer needs no check.
_TEXT_OR_INT: Final = frozenset({str, int})


class Field:
    """A field path. Attribute access and ``[...]`` go one level deeper;
    comparisons and the methods below build conditions."""

    __slots__ = ("__dict__", "__weakref__", "path")
    __match_args__ = ("path",)

    path: tuple[str, ...]

    def __new__(cls, path: tuple[str, ...]) -> Field:
        path = _check_depth(path)
        if cls is not Field:
            return cast(Field, _filled(cls, path=path))
        node = _new(_FieldInit)
        node.path = path
        node.__class__ = Field  # type: ignore[assignment]  # from now on, frozen
        return node

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise FrozenInstanceError()

    def __delattr__(self, name: str) -> NoReturn:
        raise FrozenInstanceError()

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.path,))

    def __getattr__(self, name: str) -> Field:
        if name.startswith("_"):
            raise AttributeError(name)
        field = _child_field(self.path, name)
        return _keep(self.__dict__, name, field)

    def __getitem__(self, name: str) -> Field:
        if not isinstance(name, str):
            raise TypeError(f"field names are strings, got {name!r}")
        return _child_field(self.path, name)

    def __repr__(self) -> str:
        text = "Q"
        for part in self.path:
            plain = part.isidentifier() and not keyword.iskeyword(part)
            if plain and not part.startswith("_") and not hasattr(Field, part):
                text += f".{part}"
            else:
                text += f"[{part!r}]"
        return text

    def __hash__(self) -> int:
        return hash((Field, self.path))

    def __call__(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError(
            f"{self!r} is a field, not a method: conditions are built with ==, !=, <, <=, >, >=, "
            ".contains, .icontains, .not_contains, .isin, .notin, .between, .is_null, "
            ".not_null, .after, .before, .op, .has_any, .has_all, .has_none, .is_exactly"
        )

    def __iter__(self) -> NoReturn:
        raise TypeError(f"{self!r} is a field and cannot be iterated")

    def __contains__(self, item: object) -> NoReturn:
        raise TypeError(f"use {self!r}.contains(...) instead of `in`")

    def __bool__(self) -> NoReturn:
        raise TypeError(_BOOL_MESSAGE)

    def _compare(self, op: str, other: object) -> Expr:
        if type(other) in _PLAIN:
            return _condition(self.path, op, (other,))
        if isinstance(other, Field):
            raise TypeError(
                f"{self!r} compared with {other!r}: Workfront compares a field with a value. "
                "If you wrote Q.a == 1 | Q.b == 2, Python reads it as Q.a == (1 | Q.b) == 2; "
                "put each comparison in parentheses: (Q.a == 1) | (Q.b == 2)"
            )
        if isinstance(other, Expr):
            filled = _fill(other, self, op)
            if filled is None:
                raise TypeError(
                    f"{self!r} compared with the expression {other!r}: put each comparison "
                    "in parentheses, e.g. (Q.a == 1) | (Q.b == 2)"
                )
            return filled
        if other is None:
            if op == "eq":
                return _condition(self.path, "isnull", ())
            if op == "ne":
                return _condition(self.path, "notnull", ())
            raise QueryError(f"{self!r}: None only works with == and != (is_null / not_null)")
        return _condition(self.path, op, (other,))

    # Comparisons build conditions, so a Field is not a value to compare. With
    # a plain value they give a Condition; with an expression holding a hole
    # (``Q.a == 1 | cond``) the filled expression.
    @overload  # type: ignore[override]
    def __eq__(self, other: Expr) -> Expr: ...  # type: ignore[overload-overlap]
    @overload
    def __eq__(self, other: object) -> Condition: ...
    def __eq__(self, other: object) -> Expr:
        if type(other) in _TEXT_OR_INT:
            return _condition_node(self.path, "eq", (other,))
        return self._compare("eq", other)

    @overload  # type: ignore[override]
    def __ne__(self, other: Expr) -> Expr: ...  # type: ignore[overload-overlap]
    @overload
    def __ne__(self, other: object) -> Condition: ...
    def __ne__(self, other: object) -> Expr:
        if type(other) in _TEXT_OR_INT:
            return _condition_node(self.path, "ne", (other,))
        return self._compare("ne", other)

    @overload
    def __lt__(self, other: Expr) -> Expr: ...  # type: ignore[overload-overlap]
    @overload
    def __lt__(self, other: object) -> Condition: ...
    def __lt__(self, other: object) -> Expr:
        if type(other) in _TEXT_OR_INT:
            return _condition_node(self.path, "lt", (other,))
        return self._compare("lt", other)

    @overload
    def __le__(self, other: Expr) -> Expr: ...  # type: ignore[overload-overlap]
    @overload
    def __le__(self, other: object) -> Condition: ...
    def __le__(self, other: object) -> Expr:
        if type(other) in _TEXT_OR_INT:
            return _condition_node(self.path, "lte", (other,))
        return self._compare("lte", other)

    @overload
    def __gt__(self, other: Expr) -> Expr: ...  # type: ignore[overload-overlap]
    @overload
    def __gt__(self, other: object) -> Condition: ...
    def __gt__(self, other: object) -> Expr:
        if type(other) in _TEXT_OR_INT:
            return _condition_node(self.path, "gt", (other,))
        return self._compare("gt", other)

    @overload
    def __ge__(self, other: Expr) -> Expr: ...  # type: ignore[overload-overlap]
    @overload
    def __ge__(self, other: object) -> Condition: ...
    def __ge__(self, other: object) -> Expr:
        if type(other) in _TEXT_OR_INT:
            return _condition_node(self.path, "gte", (other,))
        return self._compare("gte", other)

    def __or__(self, other: object) -> NoReturn:
        raise TypeError(
            f"{self!r} | ...: a field is not a condition. Python binds | tighter than ==, "
            "so Q.a == 1 | Q.b == 2 needs parentheses: (Q.a == 1) | (Q.b == 2)"
        )

    def __ror__(self, other: object) -> NoReturn:
        raise TypeError(
            f"{other!r} | {self!r}: a field is not a condition. Python reads "
            f"Q.a == {other!r} | {self!r} == ... as Q.a == ({other!r} | {self!r}) == ...; "
            f"put each comparison in parentheses: (Q.a == {other!r}) | ({self!r} == ...)"
        )

    def __and__(self, other: object) -> NoReturn:
        raise TypeError(
            f"{self!r} & ...: a field is not a condition. Python binds & tighter than ==, "
            "so Q.a == 1 & Q.b == 2 needs parentheses: (Q.a == 1) & (Q.b == 2)"
        )

    def __rand__(self, other: object) -> NoReturn:
        raise TypeError(
            f"{other!r} & {self!r}: a field is not a condition. Python reads "
            f"Q.a == {other!r} & {self!r} == ... as Q.a == ({other!r} & {self!r}) == ...; "
            f"put each comparison in parentheses: (Q.a == {other!r}) & ({self!r} == ...)"
        )

    def __invert__(self) -> NoReturn:
        raise TypeError(f"~{self!r}: negate a condition in parentheses, e.g. ~({self!r} == 1)")

    def contains(self, text: object) -> Condition:
        """Case-sensitive substring (``contains``)."""
        if type(text) is str:
            return _condition_node(self.path, "contains", (text,))
        return _condition(self.path, "contains", (text,))

    def icontains(self, text: object) -> Condition:
        """Case-insensitive substring (``cicontains``)."""
        if type(text) is str:
            return _condition_node(self.path, "cicontains", (text,))
        return _condition(self.path, "cicontains", (text,))

    def not_contains(self, text: object) -> Condition:
        """No such substring (``notcontains``)."""
        if type(text) is str:
            return _condition_node(self.path, "notcontains", (text,))
        return _condition(self.path, "notcontains", (text,))

    def isin(self, values: Iterable[object]) -> Condition:
        """One of ``values`` (``in``; the parameter is repeated)."""
        return _condition(self.path, "in", _values(values, "isin"))

    def notin(self, values: Iterable[object]) -> Condition:
        """None of ``values`` (``notin``)."""
        return _condition(self.path, "notin", _values(values, "notin"))

    def between(self, low: object, high: object) -> Condition:
        """``low <= field <= high`` (``between`` with ``_Range``; inclusive)."""
        return _condition(self.path, "between", (low, high))

    def is_null(self) -> Condition:
        """No value (``isnull``); ``field == None`` is the same."""
        return _condition(self.path, "isnull", ())

    def not_null(self) -> Condition:
        """Any value (``notnull``); ``field != None`` is the same."""
        return _condition(self.path, "notnull", ())

    def after(self, value: object) -> Condition:
        """Strictly after (classic ``gt``, Planning ``$isAfter``)."""
        return _condition(self.path, "after", (value,))

    def before(self, value: object) -> Condition:
        """Strictly before (classic ``lt``, Planning ``$isBefore``)."""
        return _condition(self.path, "before", (value,))

    def op(self, modifier: str, *values: object) -> Condition:
        """Any classic modifier: ``Q.name.op("cistartswith", "Plan")``."""
        if modifier not in CLASSIC_MODIFIERS:
            raise QueryError(
                f"unknown modifier {modifier!r}; Workfront modifiers are: "
                f"{' '.join(CLASSIC_MODIFIERS)}"
            )
        return _condition(self.path, modifier, values)

    def has_any(self, values: Iterable[object]) -> Condition:
        """Planning ``$hasAnyOf`` (multi-select, people, reference fields)."""
        return _condition(self.path, "hasany", _values(values, "has_any"))

    def has_all(self, values: Iterable[object]) -> Condition:
        """Planning ``$hasAllOf``."""
        return _condition(self.path, "hasall", _values(values, "has_all"))

    def has_none(self, values: Iterable[object]) -> Condition:
        """Planning ``$hasNoneOf``."""
        return _condition(self.path, "hasnone", _values(values, "has_none"))

    def is_exactly(self, values: Iterable[object]) -> Condition:
        """Planning ``$isExactly``."""
        return _condition(self.path, "isexactly", _values(values, "is_exactly"))


# Fields are frozen, so ``Q.status`` and ``Q.project.name`` can be the same
# objects each time they are named.
@functools.lru_cache(maxsize=8192)
def _child_field(path: tuple[str, ...], name: str) -> Field:
    return Field(path + _parse_path(name))


class _FieldInit(Field):
    """Fills in a new ``Field`` (see the note above ``Expr``)."""

    __slots__ = ()
    __setattr__ = object.__setattr__  # type: ignore[assignment]
    __delattr__ = object.__delattr__  # type: ignore[assignment]


class _Root:
    """The type of ``Q``: ``Q.name`` and ``Q["DE:Field"]`` are fields."""

    __slots__ = ("__dict__",)

    def __getattr__(self, name: str) -> Field:
        if name.startswith("_"):
            raise AttributeError(name)
        field = _child_field((), name)
        return _keep(self.__dict__, name, field)

    def __getitem__(self, name: str) -> Field:
        if not isinstance(name, str):
            raise TypeError(f"field names are strings, got {name!r}")
        return _child_field((), name)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise FrozenInstanceError()

    def __delattr__(self, name: str) -> NoReturn:
        raise FrozenInstanceError()

    def __reduce__(self) -> str:
        return "Q"  # the one root, found again by name

    def __repr__(self) -> str:
        return "Q"

    @staticmethod
    def all() -> Expr:
        """Always true: the identity of ``&`` (and absorbing for ``|``)."""
        return ALL

    @staticmethod
    def none() -> Expr:
        """Never true: the identity of ``|`` (and absorbing for ``&``)."""
        return NONE

    @staticmethod
    def exists(objcode: str, on: Mapping[str, str], where: Expr | None = None) -> Exists:
        """Related ``objcode`` objects exist, linked by ``on`` (their field ->
        our field), for which ``where`` holds. ``~`` gives NOTEXISTS.

        ``Q.exists("ASSGN", on={"taskID": "ID"}, where=Q.assignedToID == user())``
        """
        if not isinstance(objcode, str) or not objcode.isalnum():
            raise QueryError(f"EXISTS object code {objcode!r}: use an ObjCode such as 'ASSGN'")
        if not isinstance(on, Mapping) or not on:
            raise QueryError("EXISTS needs on={related field: our field}, e.g. on={'taskID': 'ID'}")
        pairs = tuple((str(k), str(v)) for k, v in on.items())
        for key, value in pairs:
            parse_path(key)
            parse_path(value)
        if where is not None:
            if not isinstance(where, Expr):
                raise QueryError(f"EXISTS where= takes a query expression, got {where!r}")
            hole = find_hole(where)
            if hole is not None:
                raise QueryError(f"EXISTS where= is incomplete near {hole!r}")
            if where == ALL:
                where = None
        return Exists(objcode, pairs, where)


Q: Final = _Root()
