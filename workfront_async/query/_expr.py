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
from typing import Final, NoReturn, overload

import attrs

from .._exceptions import REDACTED, SECRET_NAMES, QueryError
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

# API-NOTES §1 Limits: field depth is 4 levels from the queried object.
MAX_DEPTH: Final = 4

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


def parse_path(name: object) -> tuple[str, ...]:
    """Split ``"project:owner:name"`` into its names. ``DE:`` starts a custom
    field name that runs to the end (``"project:DE:Budget Code"``)."""
    if not isinstance(name, str):
        raise TypeError(f"field names are strings, got {name!r}")
    return _parse_path(name)


# Applications name the same few fields over and over: each name is split and
# checked once (a failure raises and is not kept).
@functools.lru_cache(maxsize=4096)
def _parse_path(name: str) -> tuple[str, ...]:
    parts: list[str] = []
    rest = name
    while rest:
        if rest.startswith("DE:"):
            parts.append(rest)
            break
        head, sep, rest = rest.partition(":")
        parts.append(head)
        if sep and not rest:
            parts.append("")
    if not parts or any(not p.strip() for p in parts):
        raise QueryError(f"field name {name!r} has an empty part")
    if any(p.startswith("$$") or "=" in p or "&" in p for p in parts):
        raise QueryError(f"field name {name!r} is not a field ('$$', '=' and '&' are reserved)")
    return tuple(parts)


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


class Expr:
    """Base class of every node. Combine with ``&``, ``|`` and ``~``."""

    __slots__ = ()

    def __and__(self, other: object) -> Expr:
        if isinstance(other, Expr):
            return and_(self, other)
        _combine_error("&", self, other)

    def __rand__(self, other: object) -> Expr:
        return and_(Hole(other), self)

    def __or__(self, other: object) -> Expr:
        if isinstance(other, Expr):
            return or_(self, other)
        _combine_error("|", self, other)

    def __ror__(self, other: object) -> Expr:
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


@attrs.frozen(repr=False, cache_hash=True)
class Condition(Expr):
    """``path`` compared by ``op`` (a classic modifier name, or ``after``,
    ``before``, ``hasany``, ``hasall``, ``hasnone``, ``isexactly``) with ``values``."""

    path: tuple[str, ...]
    op: str
    values: tuple[object, ...] = ()

    @property
    def field(self) -> Field:
        return Field(self.path)

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


@attrs.frozen(repr=False)
class And(Expr):
    """All children hold. ``And(())`` always holds (``Q.all()``)."""

    children: tuple[Expr, ...] = ()
    # How many levels of &, | and EXISTS this node holds (not part of equality);
    # and_/or_ pass it in, since recounting every child on each fold is quadratic.
    depth: int = attrs.field(kw_only=True, eq=False, repr=False)

    @depth.default
    def _depth(self) -> int:
        return _nesting(self.children)

    # The children as a set, built on first use: adding one more condition to
    # a long chain (a fold such as reduce(operator.and_, ...)) then checks for
    # a duplicate and copies the set in C, instead of rehashing every child.
    _members: frozenset[Expr] | None = attrs.field(
        default=None, kw_only=True, eq=False, repr=False, alias="members"
    )

    def __repr__(self) -> str:
        if not self.children:
            return "Q.all()"
        return " & ".join(_paren(c) for c in self.children)


@attrs.frozen(repr=False)
class Or(Expr):
    """At least one child holds. ``Or(())`` never holds (``Q.none()``)."""

    children: tuple[Expr, ...] = ()
    # How many levels of &, | and EXISTS this node holds (not part of equality);
    # and_/or_ pass it in, since recounting every child on each fold is quadratic.
    depth: int = attrs.field(kw_only=True, eq=False, repr=False)

    @depth.default
    def _depth(self) -> int:
        return _nesting(self.children)

    # The children as a set, built on first use: adding one more condition to
    # a long chain (a fold such as reduce(operator.and_, ...)) then checks for
    # a duplicate and copies the set in C, instead of rehashing every child.
    _members: frozenset[Expr] | None = attrs.field(
        default=None, kw_only=True, eq=False, repr=False, alias="members"
    )

    def __repr__(self) -> str:
        if not self.children:
            return "Q.none()"
        return " | ".join(_paren(c) for c in self.children)


@attrs.frozen(repr=False)
class Not(Expr):
    """The negation of a condition whose operator has no negated twin
    (``like``, ``startswith``, ``nee``, ``after``, ...)."""

    child: Condition

    def __repr__(self) -> str:
        return f"~({self.child!r})"


@attrs.frozen(repr=False)
class Exists(Expr):
    """Objects of type ``objcode`` linked by ``on`` (related field -> field of
    the queried object) for which ``where`` holds exist (or, ``negated``, do not)."""

    objcode: str
    on: tuple[tuple[str, str], ...]
    where: Expr | None = None
    negated: bool = False
    depth: int = attrs.field(init=False, eq=False, repr=False)

    @depth.default
    def _depth(self) -> int:
        return _nesting(() if self.where is None else (self.where,))

    def __invert__(self) -> Exists:
        return attrs.evolve(self, negated=not self.negated)

    def __repr__(self) -> str:
        where = "" if self.where is None else f", where={self.where!r}"
        text = f"Q.exists({self.objcode!r}, on={dict(self.on)!r}{where})"
        return f"~{text}" if self.negated else text


@attrs.frozen(repr=False)
class Hole(Expr):
    """A bare value on the left of ``|``/``&``, waiting for the comparison
    that Python applies afterwards."""

    value: object

    def __repr__(self) -> str:
        return f"<hole {self.value!r}>"


def _nesting(children: Iterable[Expr]) -> int:
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
            return chain if chain == item else And(items, depth=1)
        extend = isinstance(chain, And) and chain.children and not isinstance(item, And)
        if extend and not _is_none(item):
            return _extend(chain, item)  # type: ignore[arg-type]
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
            depth = max(depth, 1 + getattr(item, "depth", 0))
    unique = tuple(dict.fromkeys(out))
    return unique[0] if len(unique) == 1 else And(unique, depth=_checked(depth))


def or_(*items: Expr) -> Expr:
    """Any of ``items``: flattened, duplicates dropped, ``Q.all()`` absorbing."""
    if len(items) == 2:
        chain, item = items
        if type(chain) is Condition and type(item) is Condition:
            return chain if chain == item else Or(items, depth=1)
        extend = isinstance(chain, Or) and chain.children and not isinstance(item, Or)
        if extend and not _is_all(item):
            return _extend(chain, item)  # type: ignore[arg-type]
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
            depth = max(depth, 1 + getattr(item, "depth", 0))
    unique = tuple(dict.fromkeys(out))
    return unique[0] if len(unique) == 1 else Or(unique, depth=_checked(depth))


def _extend(chain: And | Or, item: Expr) -> Expr:
    members = chain._members
    if members is None:
        members = frozenset(chain.children)
        object.__setattr__(chain, "_members", members)
    if item in members:
        return chain
    depth = _checked(max(chain.depth, 1 + getattr(item, "depth", 0)))
    return type(chain)((*chain.children, item), depth=depth, members=members | {item})


def negate(expr: Expr) -> Expr:
    """``~expr`` in negation normal form."""
    if isinstance(expr, Condition):
        twin = NEGATION.get(expr.op)
        return Not(expr) if twin is None else attrs.evolve(expr, op=twin)
    if isinstance(expr, Not):
        return expr.child
    if isinstance(expr, And):
        return or_(*(negate(c) for c in expr.children))
    if isinstance(expr, Or):
        return and_(*(negate(c) for c in expr.children))
    if isinstance(expr, Exists):
        return attrs.evolve(expr, negated=not expr.negated)
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
            return Condition(path, op, values)
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
    return Condition(path, op, values)


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


@attrs.frozen(eq=False, repr=False)
class Field:
    """A field path. Attribute access and ``[...]`` go one level deeper;
    comparisons and the methods below build conditions."""

    path: tuple[str, ...] = attrs.field(converter=_check_depth)

    def __getattr__(self, name: str) -> Field:
        if name.startswith("_"):
            raise AttributeError(name)
        return _child_field(self.path, name)

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
        return self._compare("eq", other)

    @overload  # type: ignore[override]
    def __ne__(self, other: Expr) -> Expr: ...  # type: ignore[overload-overlap]
    @overload
    def __ne__(self, other: object) -> Condition: ...
    def __ne__(self, other: object) -> Expr:
        return self._compare("ne", other)

    @overload
    def __lt__(self, other: Expr) -> Expr: ...  # type: ignore[overload-overlap]
    @overload
    def __lt__(self, other: object) -> Condition: ...
    def __lt__(self, other: object) -> Expr:
        return self._compare("lt", other)

    @overload
    def __le__(self, other: Expr) -> Expr: ...  # type: ignore[overload-overlap]
    @overload
    def __le__(self, other: object) -> Condition: ...
    def __le__(self, other: object) -> Expr:
        return self._compare("lte", other)

    @overload
    def __gt__(self, other: Expr) -> Expr: ...  # type: ignore[overload-overlap]
    @overload
    def __gt__(self, other: object) -> Condition: ...
    def __gt__(self, other: object) -> Expr:
        return self._compare("gt", other)

    @overload
    def __ge__(self, other: Expr) -> Expr: ...  # type: ignore[overload-overlap]
    @overload
    def __ge__(self, other: object) -> Condition: ...
    def __ge__(self, other: object) -> Expr:
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
        return _condition(self.path, "contains", (text,))

    def icontains(self, text: object) -> Condition:
        """Case-insensitive substring (``cicontains``)."""
        return _condition(self.path, "cicontains", (text,))

    def not_contains(self, text: object) -> Condition:
        """No such substring (``notcontains``)."""
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


class _Root:
    """The type of ``Q``: ``Q.name`` and ``Q["DE:Field"]`` are fields."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Field:
        if name.startswith("_"):
            raise AttributeError(name)
        return _child_field((), name)

    def __getitem__(self, name: str) -> Field:
        if not isinstance(name, str):
            raise TypeError(f"field names are strings, got {name!r}")
        return _child_field((), name)

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
