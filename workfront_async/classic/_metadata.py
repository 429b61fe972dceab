"""Typed views of the API's metadata answers (docs/api-notes.md §4 "Metadata"). Pure, no I/O.

``GET /metadata`` lists the object types (``{"objects": {"PROJ": {...}}}``);
``GET /<obj>/metadata`` describes one: ``name``, ``label``, ``objCode``,
``flags``, ``fields``, ``references``, ``collections``, ``search``,
``actions``, ``queries``, ``operations``. Each view keeps the whole answer in
``raw`` and reads like it (``meta["fields"]``), so nothing Workfront sends is lost.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from .._core.exceptions import ResponseError

__all__ = ["ApiMetadata", "FieldMeta", "ObjectMetadata", "ObjectSummary", "ReferenceMeta"]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(str(v) for v in value)
    if isinstance(value, Mapping):
        return tuple(str(k) for k in value)
    return ()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class _RawMapping(Mapping[str, Any]):
    """Read access to ``raw``, the answer as Workfront sent it."""

    raw: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)


@attrs.frozen(eq=False)
class FieldMeta(_RawMapping):
    """A plain field: ``{"label", "flags", "fieldType", "enumType", ...}``."""

    name: str
    label: str | None
    field_type: str | None
    flags: tuple[str, ...]
    enum_type: str | None
    raw: Mapping[str, Any] = attrs.field(repr=False)

    @classmethod
    def from_json(cls, name: str, data: Any) -> FieldMeta:
        raw = _mapping(data)
        return cls(
            name=name,
            label=_text(raw.get("label")),
            field_type=_text(raw.get("fieldType")),
            flags=_strings(raw.get("flags")),
            enum_type=_text(raw.get("enumType")),
            raw=raw,
        )


@attrs.frozen(eq=False)
class ReferenceMeta(_RawMapping):
    """A reference or collection: ``{"label", "flags", "typeObjCode", "fieldType", "url"}``."""

    name: str
    label: str | None
    obj_code: str | None
    field_type: str | None
    flags: tuple[str, ...]
    raw: Mapping[str, Any] = attrs.field(repr=False)

    @classmethod
    def from_json(cls, name: str, data: Any) -> ReferenceMeta:
        raw = _mapping(data)
        return cls(
            name=name,
            label=_text(raw.get("label")),
            obj_code=_text(raw.get("typeObjCode")),
            field_type=_text(raw.get("fieldType")),
            flags=_strings(raw.get("flags")),
            raw=raw,
        )


@attrs.frozen(eq=False)
class ObjectMetadata(_RawMapping):
    """The answer of ``GET /<obj>/metadata``."""

    name: str | None
    label: str | None
    obj_code: str | None
    flags: tuple[str, ...]
    fields: Mapping[str, FieldMeta] = attrs.field(repr=False)
    references: Mapping[str, ReferenceMeta] = attrs.field(repr=False)
    collections: Mapping[str, ReferenceMeta] = attrs.field(repr=False)
    search: tuple[str, ...] = attrs.field(repr=False)
    actions: Mapping[str, Any] = attrs.field(repr=False)
    queries: Mapping[str, Any] = attrs.field(repr=False)
    operations: tuple[str, ...] = attrs.field(repr=False)
    raw: Mapping[str, Any] = attrs.field(repr=False)
    custom: Mapping[str, FieldMeta] = attrs.field(repr=False, factory=dict)
    """Custom fields (``DE:Name``), when the answer lists them under ``custom``."""

    @classmethod
    def from_json(cls, data: Any, *, what: str = "metadata") -> ObjectMetadata:
        if not isinstance(data, Mapping):
            raise ResponseError(f"GET {what} did not return an object")
        return cls(
            name=_text(data.get("name")),
            label=_text(data.get("label")),
            obj_code=_text(data.get("objCode")),
            flags=_strings(data.get("flags")),
            fields={k: FieldMeta.from_json(k, v) for k, v in _mapping(data.get("fields")).items()},
            references={
                k: ReferenceMeta.from_json(k, v)
                for k, v in _mapping(data.get("references")).items()
            },
            collections={
                k: ReferenceMeta.from_json(k, v)
                for k, v in _mapping(data.get("collections")).items()
            },
            search=_strings(data.get("search")),
            actions=_mapping(data.get("actions")),
            queries=_mapping(data.get("queries")),
            operations=_strings(data.get("operations")),
            raw=data,
            custom={k: FieldMeta.from_json(k, v) for k, v in _mapping(data.get("custom")).items()},
        )


@attrs.frozen(eq=False)
class ObjectSummary(_RawMapping):
    """One entry of ``GET /metadata``'s ``objects``."""

    obj_code: str
    name: str | None
    label: str | None
    raw: Mapping[str, Any] = attrs.field(repr=False)


@attrs.frozen(eq=False)
class ApiMetadata(_RawMapping):
    """The answer of ``GET /metadata``: ``objects`` keyed by object code."""

    objects: Mapping[str, ObjectSummary] = attrs.field(repr=False)
    raw: Mapping[str, Any] = attrs.field(repr=False)

    @classmethod
    def from_json(cls, data: Any) -> ApiMetadata:
        if not isinstance(data, Mapping):
            raise ResponseError("GET metadata did not return an object")
        objects = {
            str(code): ObjectSummary(
                obj_code=str(_mapping(entry).get("objCode") or code),
                name=_text(_mapping(entry).get("name")),
                label=_text(_mapping(entry).get("label")),
                raw=_mapping(entry),
            )
            for code, entry in _mapping(data.get("objects")).items()
        }
        return cls(objects=objects, raw=data)

    def __repr__(self) -> str:
        return f"ApiMetadata(objects={len(self.objects)})"
