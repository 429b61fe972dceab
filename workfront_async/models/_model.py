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
from typing import Any, ClassVar

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
    "wire_names",
]


class Model(msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False):
    """A typed row of one Workfront object type (generated per tenant).

    Class attributes describe the object for the client:

    - ``__wf_obj__``: the object code (``"TASK"``);
    - ``__wf_fields__``: the ``fields=`` a search asks for when it is given none
      (``*`` and every custom field of the class);
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

    objCode: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The row as Workfront sent it: wire names, timestamps as text, unset
        fields left out (``msgspec.to_builtins``)."""
        out: dict[str, Any] = msgspec.to_builtins(self)
        return out


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
