"""Planning records through the typed writers, Arrow and data frames.

A record (``{"id", "recordTypeId", "data": {fieldId: value}}``) becomes one
row: ``id`` and one column per field of the record type, named by the
field's name (its ID when two fields share a name), typed from the field's
type (docs/api-notes.md §3 "field types"):

=======================================================  ==================
text, long text, formula, url, single select,            string
created by, updated by
number, percentage, currency                             float64
date, created at, updated at                             timestamp (UTC)
boolean                                                  bool
multi select, people, reference                          list<string>
lookup                                                   list of the linked
                                                         field's type
=======================================================  ==================

The records come from a :class:`RecordSource`: the v1 ``Planning`` client's
record search (:class:`PlanningV1Source`), the v2 ``PlanningV2`` client's
(:class:`PlanningV2Source`), or anything else offering the same two calls.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from typing import Any, Protocol

from .._core.exceptions import QueryError, ResponseError
from ..query._planning import planning_field_type
from ._schema import Column, ExportSchema, Kind
from ._sinks import TypedSinks

__all__ = [
    "PlanningExport",
    "PlanningV1Source",
    "PlanningV2Source",
    "RecordSource",
    "planning_export",
    "planning_schema",
]

_KINDS: dict[str, tuple[Kind, bool]] = {
    "text": ("string", False),
    "long text": ("string", False),
    "formula": ("string", False),
    "url": ("string", False),
    "single select": ("string", False),
    "created by": ("string", False),
    "updated by": ("string", False),
    "number": ("float64", False),
    "percentage": ("float64", False),
    "currency": ("float64", False),
    "date": ("timestamp", False),
    "created at": ("timestamp", False),
    "updated at": ("timestamp", False),
    "boolean": ("bool", False),
    "multi select": ("string", True),
    "people": ("string", True),
    "user": ("string", True),
    "reference": ("string", True),
}


class RecordSource(Protocol):
    """What a Planning export needs from a client: a record type with its
    ``fields`` (each ``{"id", "name", "type"}``; a lookup also says its linked
    field's type) and the records of a type, page by page."""

    async def record_type(self, record_type_id: str) -> Mapping[str, Any]: ...

    def record_pages(
        self, record_type_id: str, *, page_size: int
    ) -> AsyncIterator[Sequence[Mapping[str, Any]]]: ...


class PlanningV1Source:
    """A :class:`RecordSource` over the v1 ``Planning`` client
    (``record_types.get`` and ``records.search(...).pages()``)."""

    def __init__(self, planning: Any) -> None:
        self.planning = planning

    async def record_type(self, record_type_id: str) -> Mapping[str, Any]:
        answer = await self.planning.record_types.get(record_type_id)
        if not isinstance(answer, Mapping):
            raise ResponseError(f"record type {record_type_id} is not an object")
        return answer

    def record_pages(
        self, record_type_id: str, *, page_size: int
    ) -> AsyncIterator[Sequence[Mapping[str, Any]]]:
        search = self.planning.records.search(record_type_id, page_size=page_size)
        pages: AsyncIterator[Sequence[Mapping[str, Any]]] = search.pages()
        return pages


class PlanningV2Source:
    """A :class:`RecordSource` over ``PlanningV2``: the record type with its
    fields from ``GET /v2/record-types/{id}/fields`` (a v2 record type carries
    no ``fields``; a field's name is its ``displayName``), and the records
    from the v2 search, page by page."""

    def __init__(self, planning: Any) -> None:
        self.planning = planning

    async def record_type(self, record_type_id: str) -> Mapping[str, Any]:
        answer = await self.planning.record_types.get(record_type_id)
        if not isinstance(answer, Mapping):
            raise ResponseError(f"record type {record_type_id} is not an object")
        fields = await self.planning.fields.list(record_type_id)
        return {
            **answer,
            "id": answer.get("id", record_type_id),
            "fields": [
                {**f, "name": f.get("displayName") or f.get("name") or f.get("id")}
                for f in fields
                if isinstance(f, Mapping)
            ],
        }

    def record_pages(
        self, record_type_id: str, *, page_size: int
    ) -> AsyncIterator[Sequence[Mapping[str, Any]]]:
        search = self.planning.records.search(record_type_id, page_size=page_size)
        pages: AsyncIterator[Sequence[Mapping[str, Any]]] = search.pages()
        return pages


def _reference_ids(page: Sequence[Mapping[str, Any]], fields: Sequence[str]) -> list[Any]:
    """Reference values come as ``[{"id", "externalId", "value"}]`` (docs/api-notes.md §5):
    a reference column holds the linked records' IDs."""
    out: list[Any] = []
    for record in page:
        data = record.get("data")
        if not isinstance(data, Mapping) or not any(f in data for f in fields):
            out.append(record)
            continue
        data = dict(data)
        for f in fields:
            value = data.get(f)
            if isinstance(value, list):
                data[f] = [
                    v.get("id") if isinstance(v, Mapping) and "id" in v else v for v in value
                ]
        out.append({**record, "data": data})
    return out


def _lookup_kind(field: Mapping[str, Any]) -> tuple[Kind, bool]:
    """A lookup holds the linked field's values, one per linked record."""
    from ..planning import field_types

    linked = field_types({"fields": [field]}).get(str(field.get("id")))
    return _KINDS.get(linked or "", ("string", False))[0], True


def planning_schema(
    record_type: Mapping[str, Any], *, types: Mapping[str, str] | None = None
) -> ExportSchema:
    """The typed columns of a record type's records (see the module docstring).
    ``types`` overrides columns by name, as in :func:`build_schema`."""
    from ._schema import _parse_kind

    fields = record_type.get("fields")
    if not isinstance(fields, list):
        raise ResponseError(
            f"the record type {record_type.get('id')!r} has no 'fields' list; cannot type it"
        )
    names: dict[str, int] = {}
    for f in fields:
        if isinstance(f, Mapping):
            name = str(f.get("name") or f.get("id"))
            names[name] = names.get(name, 0) + 1
    columns = [Column("id", ("id",), "string", False, "record", "id")]
    for f in fields:
        if not isinstance(f, Mapping) or not isinstance(f.get("id"), str):
            continue
        fid = f["id"]
        name = str(f.get("name") or fid)
        if names[name] > 1 or name == "id":
            name = f"{name} ({fid})"
        # v1 spells types "multi-select", v2 "MULTI_SELECT" (docs/api-notes.md §5)
        ftype = planning_field_type(str(f.get("type", "")))
        if ftype == "lookup":
            kind, is_list = _lookup_kind(f)
        else:
            kind, is_list = _KINDS.get(ftype, ("string", False))
        columns.append(Column(name, ("data", fid), kind, is_list, "record type", ftype or None))
    overrides = dict(types or {})
    out = []
    for col in columns:
        if col.name in overrides:
            kind, is_list = _parse_kind(overrides.pop(col.name))
            col = Column(col.name, col.path, kind, is_list, "override", col.field_type)
        out.append(col)
    if overrides:
        raise QueryError(
            f"types= names columns the record type does not have: {', '.join(sorted(overrides))}"
        )
    rt_id = str(record_type.get("id", "records"))
    return ExportSchema(rt_id, tuple(out), tuple(c.path[-1] for c in out))


class PlanningExport(TypedSinks):
    """The records of one record type, typed: ``schema()``,
    ``arrow_batches()``, ``to_arrow()``, ``to_pandas()``, ``to_polars()`` and
    ``write(path)``, the same sinks as a classic export's (:class:`TypedSinks`)."""

    def __init__(
        self,
        source: RecordSource,
        record_type_id: str,
        *,
        page_size: int = 500,
        types: Mapping[str, str] | None = None,
    ) -> None:
        self.source = source
        self.record_type_id = record_type_id
        self.page_size = page_size
        self.types = types
        self._schema: ExportSchema | None = None

    async def schema(self) -> ExportSchema:
        if self._schema is None:
            record_type = await self.source.record_type(self.record_type_id)
            self._schema = planning_schema(record_type, types=self.types)
        return self._schema

    async def pages(self) -> AsyncGenerator[Sequence[Mapping[str, Any]], None]:
        """The records page by page, references as lists of record IDs."""
        schema = await self.schema()
        references = [
            c.path[-1] for c in schema.columns if c.field_type == "reference" and len(c.path) == 2
        ]
        pages = self.source.record_pages(self.record_type_id, page_size=self.page_size)
        async with contextlib.aclosing(pages):  # type: ignore[type-var]
            async for page in pages:
                yield _reference_ids(page, references) if references else page

    async def _typed_pages(
        self, schema: ExportSchema | None, types: Mapping[str, str] | None
    ) -> tuple[ExportSchema, AsyncGenerator[Any, None]]:
        if schema is None:
            if types is not None:
                record_type = await self.source.record_type(self.record_type_id)
                schema = planning_schema(record_type, types={**(self.types or {}), **types})
            else:
                schema = await self.schema()
        return schema, self.pages()


def planning_export(
    planning: Any,
    record_type_id: str,
    *,
    page_size: int = 500,
    types: Mapping[str, str] | None = None,
) -> PlanningExport:
    """A typed export of a record type's records. ``planning`` is a v1
    ``Planning`` client, a ``PlanningV2`` client or any :class:`RecordSource`."""
    from ..planning import PlanningV2

    source: RecordSource
    if hasattr(planning, "record_pages") and hasattr(planning, "record_type"):
        source = planning
    elif isinstance(planning, PlanningV2):
        source = PlanningV2Source(planning)
    else:
        source = PlanningV1Source(planning)
    return PlanningExport(source, record_type_id, page_size=page_size, types=types)
