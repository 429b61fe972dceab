"""``Model``: the base of the row classes ``workfront-async codegen`` writes.

A row class is a ``msgspec.Struct`` whose attributes are the object's fields
under their Workfront names (custom fields under readable names, each
renamed to its ``DE:`` name), every one optional with ``None`` for a value
Workfront did not send. Answers are decoded straight into it by msgspec: no
dict is built first, and the instances are not tracked by the cyclic garbage
collector (``gc=False``: a decoded row holds no cycles).

Timestamps stay the text Workfront sent in ``<name>_raw`` and are parsed
when read through the attribute of the field's own name (a property):
parsing every timestamp of a page while decoding it costs more than the
decoding itself (Workfront's ``2023-12-14T16:21:04:394+0000`` is not RFC 3339
and needs Python code), and most exports never read most dates.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self

import msgspec

from .._core.dates import parse_date
from .._core.exceptions import QueryError, ResponseError

__all__ = [
    "Model",
    "Reference",
    "model_fields",
    "package_metadata",
    "parse_wire_date",
    "parse_wire_datetime",
    "projection",
    "wire_names",
]


class Model(msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False):
    """A typed row of one Workfront object type (generated per tenant).

    A generated class (``Task``) declares its fields for type checkers only;
    the rows the client makes are instances of a *projection* of it: a
    subclass holding exactly the fields the call asked for (``isinstance(row,
    Task)`` holds), so that decoding a page costs what its values cost, not
    what the object's hundreds of fields would. A field the call did not ask
    for reads as ``None``, like a field Workfront sent as null. Build a row
    yourself with ``Task.of(name=..., status=...)``.

    Class attributes describe the object for the client:

    - ``__wf_obj__``: the object code (``"TASK"``);
    - ``__wf_fields__``: the ``fields=`` a search asks for when it is given none
      (``*`` and every custom field of the class);
    - ``__wf_schema__``: attribute -> (wire name, type, the row class a
      reference or collection holds, whether it is a collection);
    - ``__wf_defaults__``: the wire names of the fields Workfront sends with
      every answer (its default field set, read when the class was
      generated; ``None``: every plain field), held by every projection;
    - ``__wf_metadata__``: the object's metadata as the class was generated from
      it (``fields``, ``references``, ``collections``, ``custom``), the schema of
      typed exports to Arrow, Parquet and data frames;
    - ``__wf_names__``: attribute name -> wire name, for every attribute whose
      name differs (custom fields, timestamps).
    """

    __wf_obj__: ClassVar[str] = ""
    __wf_fields__: ClassVar[tuple[str, ...]] = ()
    __wf_metadata__: ClassVar[Mapping[str, Any]] = {}
    __wf_names__: ClassVar[Mapping[str, str]] = {}
    __wf_schema__: ClassVar[Mapping[str, tuple[str, str, str | None, bool]]] = {}
    __wf_defaults__: ClassVar[tuple[str, ...] | None] = None
    __wf_spec__: ClassVar[Any] = None  # a projection's fields (see ``projection``)

    objCode: str | None = None

    if not TYPE_CHECKING:  # type checkers see the generated class's fields instead

        def __getattr__(self, name: str) -> Any:
            # Reached only for attributes the projection does not hold.
            if name in type(self).__wf_schema__:
                return None
            raise AttributeError(f"{type(self).__name__!r} has no attribute {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        base = _base(type(self))
        names = [n for n in self.__struct_fields__ if n != "objCode"]
        values = [self.__getattribute__(n) for n in names]
        return (_restore, (base, type(self).__wf_spec__, self.objCode, *values))

    @classmethod
    def of(cls, **values: Any) -> Self:
        """A row holding ``values`` (attribute names), e.g. for tests:
        ``Task.of(name="Write docs", status="NEW")``."""
        unknown = sorted(set(values) - set(cls.__wf_schema__) - {"objCode"})
        if unknown:
            raise TypeError(f"{cls.__name__} has no field {', '.join(unknown)}")
        spec = frozenset((name, "*") for name in values if name != "objCode")
        return projection(_base(cls), spec)(**values)  # type: ignore[return-value]

    @classmethod
    def decode(cls, data: bytes | str, fields: Sequence[str] = ()) -> Self:
        """One row from JSON you hold (a stored answer, an event's payload),
        with ``fields`` as a call would ask for them (default: the class's
        own). ``msgspec.json.decode(data, type=Task)`` would hold no field:
        ``Task`` itself declares its fields for type checkers only."""
        made = projection(_base(cls), list(fields) or list(cls.__wf_fields__))
        return msgspec.json.decode(data, type=made)  # type: ignore[return-value]

    def to_dict(self) -> dict[str, Any]:
        """The row as Workfront sent it: wire names, timestamps as text, unset
        fields left out (``msgspec.to_builtins``)."""
        out: dict[str, Any] = msgspec.to_builtins(self)
        return out


def _base(cls: type[Model]) -> type[Model]:
    """The generated class a projection was made from (or ``cls`` itself)."""
    found: type[Model] | None = cls.__dict__.get("__wf_base__")
    return found if found is not None else cls


def _restore(base: type[Model], spec: Any, obj_code: str | None, *values: Any) -> Model:
    cls = projection(base, spec)
    names = [n for n in cls.__struct_fields__ if n != "objCode"]
    return cls(objCode=obj_code, **dict(zip(names, values, strict=True)))


# (class, spec) -> projection class; a handful per class in any program.
_PROJECTIONS: dict[tuple[type[Model], Any], type[Model]] = {}


def _type_of(base: type[Model], source: str) -> Any:
    # the generated module's own annotation text, read in its namespace
    return eval(source, vars(sys.modules[base.__module__]))


def _spec_of(
    base: type[Model], paths: Sequence[str], *, top: bool = True
) -> frozenset[tuple[str, Any]]:
    """The projection spec of a ``fields=`` list: attribute -> nested spec
    (``"*"``: the attribute alone, or every plain field of a reference). A row
    holds its default field set too; a nested reference only what was asked."""
    schema = base.__wf_schema__
    by_wire = {wire: attr for attr, (wire, _t, _r, _m) in schema.items()}
    nested: dict[str, list[str]] = {}
    defaults = base.__wf_defaults__
    plain = [w for w, _t, target, _m in schema.values() if target is None]
    for wire in (plain if defaults is None else defaults) if top else ():
        if wire in by_wire:
            nested.setdefault(by_wire[wire], [])
    for path in paths:
        if path == "*":
            for attr, (_w, _t, target, _m) in schema.items():
                if target is None:
                    nested.setdefault(attr, [])
            continue
        if path.startswith("DE:"):
            head, rest = path, ""
        else:
            head, _, rest = path.partition(":")
        named = by_wire.get(head)
        if named is None:
            continue
        sub = nested.setdefault(named, [])
        if rest:
            sub.append(rest)
    if "ID" in schema:
        nested.setdefault("ID", [])
    out: list[tuple[str, Any]] = []
    for attr, sub in nested.items():
        target = schema[attr][2]
        if target is None or target == "Reference":
            out.append((attr, "*"))
        else:
            target_cls = _type_of(base, target)
            out.append((attr, _spec_of(target_cls, sub or ["*"], top=False)))
    return frozenset(out)


def projection(base: type[Model], spec: Any) -> type[Model]:
    """The subclass of ``base`` holding the fields of ``spec`` (a ``fields=``
    list, or a spec made from one); made once per class and spec."""
    if not isinstance(spec, frozenset):
        spec = _spec_of(base, list(spec))
    key = (base, spec)
    found = _PROJECTIONS.get(key)
    if found is not None:
        return found
    schema = base.__wf_schema__
    wanted = dict(spec)
    fields: list[tuple[str, Any, Any]] = []
    for attr in schema:  # the class's own order, whatever the spec's
        sub = wanted.get(attr)
        if sub is None:
            continue
        wire, source, target, many = schema[attr]
        if target is not None and target != "Reference" and sub != "*":
            value: Any = projection(_type_of(base, target), sub)
            kind: Any = list[value] if many else value
        else:
            kind = _type_of(base, source)
        default = msgspec.field(default=None, name=wire) if wire != attr else None
        fields.append((attr, kind | None, default))
    made: type[Model] = msgspec.defstruct(  # type: ignore[assignment]
        base.__name__,
        fields,
        bases=(base,),
        module=base.__module__,
        namespace={"__wf_base__": base, "__wf_spec__": spec, "__qualname__": base.__qualname__},
        kw_only=True,
        omit_defaults=True,
        repr_omit_defaults=True,
        gc=False,
    )
    _PROJECTIONS[key] = made
    return made


def parse_wire_datetime(text: str | None, owner: Model, name: str) -> datetime | None:
    """The timestamp ``text`` of ``owner.<name>`` as an aware datetime."""
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError:
        raise ResponseError(
            f"{type(owner).__name__}.{name} is not a Workfront timestamp: {text!r}; "
            f"the text is in {name}_raw"
        ) from None


def parse_wire_date(text: str | None, owner: Model, name: str) -> date | None:
    """The date ``text`` (``2024-01-31``, or a timestamp) of ``owner.<name>``."""
    if text is None:
        return None
    if len(text) == 10:
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    moment = parse_wire_datetime(text, owner, name)
    return None if moment is None else moment.date()


def wire_names(model: type[Model]) -> frozenset[str]:
    """Every name ``model`` has on the wire: fields, references, collections,
    custom fields."""
    meta = model.__wf_metadata__
    names = {"objCode"}
    for part in ("fields", "references", "collections", "custom"):
        names.update(meta.get(part) or ())
    return frozenset(names)


def model_fields(model: type[Model], fields: Sequence[str]) -> list[str]:
    """The ``fields=`` of a typed call: ``model``'s own when none are given;
    otherwise ``fields``, each of which must start at a field of ``model``
    (a ``QueryError`` naming the closest ones if not)."""
    if not fields:
        return list(model.__wf_fields__)
    known = wire_names(model)
    by_attr = {attr: wire for attr, wire in model.__wf_names__.items() if wire.startswith("DE:")}
    out: list[str] = []
    for spec in fields:
        for path in spec.split(","):
            path = path.strip()
            # A custom field's wire name holds a colon of its own (DE:Region).
            head = path if path.startswith("DE:") else path.split(":", 1)[0]
            if head in by_attr:  # a custom field given by its attribute name
                path = by_attr[head] + path[len(head) :]
                head = by_attr[head]
            if head not in known and head != "*" and not head.startswith("DE:"):
                close = difflib.get_close_matches(head, sorted(known | set(by_attr)), n=3)
                hint = f"; did you mean {' or '.join(close)}?" if close else ""
                raise QueryError(f"{model.__name__} has no field {head!r}{hint}")
            out.append(path)
    return out


def package_metadata(model: type[Model]) -> dict[str, Mapping[str, Any]]:
    """The metadata of every row class of ``model``'s package, by object code."""
    module = sys.modules.get(model.__module__)
    found = {model.__wf_obj__: model.__wf_metadata__}
    for value in vars(module).values() if module is not None else ():
        if isinstance(value, type) and issubclass(value, Model) and value.__wf_obj__:
            found.setdefault(value.__wf_obj__, value.__wf_metadata__)
    return found


class Reference(Model):
    """A reference to an object the package has no class for: its ``ID``,
    ``name`` and ``objCode``."""

    ID: str | None = None
    name: str | None = None
