"""Typed query fields: the ``TaskQ`` namespaces of generated packages.

``TaskQ.status == "CUR"`` builds exactly the condition ``Q.status == "CUR"``
does (the same ``Condition``, compiled by the same three compilers); what
the typed field adds is checking. A field that does not exist is an
``AttributeError`` (and a mypy error); a value of the wrong type is a
``QueryError`` (and a mypy error, each operator is typed with the field's
value type); an enumerated field accepts only its values.

A namespace is a ``Fields`` subclass whose properties return the typed
fields of the object (generated code); a reference returns the namespace of
the object it points to, one level deeper (``TaskQ.project.name``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, ClassVar, Generic, TypeVar

from .._core.exceptions import QueryError
from ..query import Condition, Field

__all__ = [
    "BoolField",
    "DateField",
    "DateTimeField",
    "EnumField",
    "Fields",
    "FloatField",
    "IntField",
    "ListField",
    "ReferenceFields",
    "StrField",
    "TypedField",
]

V = TypeVar("V")
E = TypeVar("E", bound=str)


class Fields:
    """The base of a generated field namespace: the path of the reference it
    was reached through (empty at the top, ``TaskQ``)."""

    __slots__ = ("_prefix",)

    def __init__(self, prefix: tuple[str, ...] = ()) -> None:
        self._prefix = prefix

    def _at(self, name: str) -> tuple[str, ...]:
        return (*self._prefix, name)

    def __repr__(self) -> str:
        name = type(self).__name__
        return name if not self._prefix else f"{name}({'.'.join(self._prefix)})"


class TypedField(Generic[V]):
    """A field of one value type; ``field`` is the untyped ``Q`` field."""

    __slots__ = ("field",)
    accepts: ClassVar[tuple[type, ...]] = (object,)
    kind: ClassVar[str] = "value"

    def __init__(self, path: tuple[str, ...]) -> None:
        self.field = Field(path)

    def _name(self) -> str:
        return ".".join(self.field.path)

    def check(self, value: object) -> object:
        """``value`` if this field can hold it, else a ``QueryError``."""
        if isinstance(value, enum.Enum):
            value = value.value
        if isinstance(value, bool) and bool not in self.accepts:
            self._refuse(value)
        if not isinstance(value, self.accepts):
            self._refuse(value)
        return value

    def _refuse(self, value: object) -> None:
        raise QueryError(
            f"{self._name()} is a {self.kind} field; {value!r} is a "
            f"{type(value).__name__}. Compare it with a {self.kind}"
        )

    def _many(self, values: Iterable[V]) -> list[Any]:
        if isinstance(values, (str, bytes)):
            raise QueryError(f"{self._name()}: give a list of values, not one string")
        return [self.check(v) for v in values]

    def __eq__(self, other: V | None) -> Condition:  # type: ignore[override]
        if other is None:
            return self.field.is_null()
        return self.field == self.check(other)

    def __ne__(self, other: V | None) -> Condition:  # type: ignore[override]
        if other is None:
            return self.field.not_null()
        return self.field != self.check(other)

    def __hash__(self) -> int:
        return hash((type(self), self.field.path))

    def __bool__(self) -> bool:
        raise TypeError(
            f"{self!r} is a field: build a condition with it (==, .isin(...)); "
            "combine conditions with & and |, in parentheses"
        )

    def isin(self, values: Iterable[V]) -> Condition:
        """One of ``values``."""
        return self.field.isin(self._many(values))

    def notin(self, values: Iterable[V]) -> Condition:
        """None of ``values``."""
        return self.field.notin(self._many(values))

    def is_null(self) -> Condition:
        """No value."""
        return self.field.is_null()

    def not_null(self) -> Condition:
        """Any value."""
        return self.field.not_null()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._name()})"


class _Ordered(TypedField[V]):
    __slots__ = ()

    def __lt__(self, other: V) -> Condition:
        return self.field < self.check(other)

    def __le__(self, other: V) -> Condition:
        return self.field <= self.check(other)

    def __gt__(self, other: V) -> Condition:
        return self.field > self.check(other)

    def __ge__(self, other: V) -> Condition:
        return self.field >= self.check(other)

    def between(self, low: V, high: V) -> Condition:
        """``low <= field <= high``."""
        return self.field.between(self.check(low), self.check(high))


class StrField(_Ordered[str]):
    """A text field."""

    __slots__ = ()
    accepts = (str,)
    kind = "text"

    def contains(self, text: str) -> Condition:
        """Case-sensitive substring."""
        return self.field.contains(self.check(text))

    def icontains(self, text: str) -> Condition:
        """Case-insensitive substring."""
        return self.field.icontains(self.check(text))

    def not_contains(self, text: str) -> Condition:
        """No such substring."""
        return self.field.not_contains(self.check(text))


class IntField(_Ordered[int]):
    """A whole-number field."""

    __slots__ = ()
    accepts = (int,)
    kind = "whole-number"


class FloatField(_Ordered[float]):
    """A number field (ints are numbers too)."""

    __slots__ = ()
    accepts = (int, float)
    kind = "number"


class BoolField(TypedField[bool]):
    """A true/false field."""

    __slots__ = ()
    accepts = (bool,)
    kind = "true/false"


class DateTimeField(_Ordered[datetime | date | str]):
    """A timestamp field: compared with an aware ``datetime``, a ``date`` or a
    Workfront wildcard (``"$$TODAY-1w"``, ``today``)."""

    __slots__ = ()
    accepts = (datetime, date, str)
    kind = "date"

    def after(self, value: datetime | date | str) -> Condition:
        """Strictly after."""
        return self.field.after(self.check(value))

    def before(self, value: datetime | date | str) -> Condition:
        """Strictly before."""
        return self.field.before(self.check(value))


class DateField(DateTimeField):
    """A date field (no time of day)."""

    __slots__ = ()


class EnumField(TypedField[E]):
    """A field with a fixed set of values (a status, a drop-down custom field):
    its value type is a ``Literal`` of them, and other values are refused."""

    __slots__ = ("values",)
    accepts = (str,)
    kind = "text"

    def __init__(self, path: tuple[str, ...], values: Iterable[str] = ()) -> None:
        super().__init__(path)
        self.values = frozenset(values)

    def check(self, value: object) -> object:
        value = super().check(value)
        if self.values and value not in self.values:
            raise QueryError(
                f"{self._name()} is one of {', '.join(sorted(self.values))}; not {value!r}. "
                "If the tenant has a new value, generate the package again "
                "(workfront-async codegen --check says what changed)"
            )
        return value


class ListField(TypedField[V]):
    """A multi-value field (a check-box custom field): compared with one of
    its values (``contains``) or a list."""

    __slots__ = ("item",)

    def __init__(self, path: tuple[str, ...], item: TypedField[Any]) -> None:
        super().__init__(path)
        self.item = item

    def check(self, value: object) -> object:
        return self.item.check(value)

    def contains(self, value: V) -> Condition:
        """Holds ``value`` among its values."""
        return self.field.contains(self.check(value))

    def has_any(self, values: Iterable[V]) -> Condition:
        """Holds one of ``values`` at least (Planning ``$hasAnyOf``)."""
        return self.field.has_any(self._many(values))

    def has_all(self, values: Iterable[V]) -> Condition:
        """Holds every one of ``values`` (Planning ``$hasAllOf``)."""
        return self.field.has_all(self._many(values))

    def has_none(self, values: Iterable[V]) -> Condition:
        """Holds none of ``values`` (Planning ``$hasNoneOf``)."""
        return self.field.has_none(self._many(values))


class ReferenceFields(Fields):
    """The fields of a referenced object the package has no class for."""

    __slots__ = ()

    @property
    def ID(self) -> StrField:
        return StrField(self._at("ID"))

    @property
    def name(self) -> StrField:
        return StrField(self._at("name"))

    def __getitem__(self, name: str) -> TypedField[Any]:
        """Any other field, untyped: ``TaskQ.project["ownerID"]``."""
        return TypedField(self._at(name))
