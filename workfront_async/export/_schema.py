"""Export schemas: the column types of an export, derived from Workfront's metadata.

``GET /<obj>/metadata`` says what every field is (docs/api-notes.md §4 "Metadata"):
``{"data": {"objCode", "fields": {name: {"fieldType": ...}}, "references":
{name: {"typeObjCode": ...}}, "collections": {...}}}``. From it and a
``fields=`` list this module builds an :class:`ExportSchema`: one typed
column per requested value, fixed before the first row is fetched, so every
file of an export has the same columns whatever the data.

Column names are the requested field paths with ``.`` between the parts
(``assignedTo:name`` -> ``assignedTo.name``), the separator pandas'
``json_normalize`` uses, so that one flat table reads the same in every
format. A bare reference (``assignedTo``) becomes ``assignedTo.ID`` and
``assignedTo.name``; a value reached through a collection
(``assignments:assignedToID``) becomes a list column.

The mapping from Workfront's field types:

=============  ========================================
``dateTime``   timestamp, UTC, milliseconds
``date``       date
``double``     float64
``int``        int64
``boolean``    bool
``string``     string (enum-backed strings too)
``string[]``   list of strings
``map``        JSON text
=============  ========================================

Pure code: no I/O. :func:`schema_for` (in ``_metadata``) fetches the metadata.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, Literal

import attrs
import orjson

from .._core.dates import parse_date
from .._core.exceptions import QueryError, ResponseError

__all__ = [
    "KINDS",
    "Column",
    "ExportSchema",
    "build_schema",
    "column_kind",
    "split_field",
]

Kind = Literal["timestamp", "date", "float64", "int64", "bool", "string", "json"]
KINDS: tuple[Kind, ...] = ("timestamp", "date", "float64", "int64", "bool", "string", "json")

# Workfront's fieldType -> (kind, is a list). The second table is the reduced
# shape the embedded Workfront answered with before it spoke Workfront's own
# (``id``/``str``/``float``/``date`` meaning a timestamp, ``multi``).
_FIELD_TYPES: dict[str, tuple[Kind, bool]] = {
    "dateTime": ("timestamp", False),
    "date": ("date", False),
    "double": ("float64", False),
    "float": ("float64", False),
    "currency": ("float64", False),
    "int": ("int64", False),
    "long": ("int64", False),
    "boolean": ("bool", False),
    "string": ("string", False),
    "map": ("json", False),
    "string[]": ("string", True),
}
_REDUCED_TYPES: dict[str, tuple[Kind, bool]] = {
    "id": ("string", False),
    "str": ("string", False),
    "float": ("float64", False),
    "int": ("int64", False),
    "bool": ("bool", False),
    "date": ("timestamp", False),
    "multi": ("string", True),
}


def split_field(path: str) -> list[str]:
    """``project:DE:Region`` -> ``["project", "DE:Region"]`` (a custom field
    name may itself hold colons)."""
    parts = path.split(":")
    out: list[str] = []
    for i, part in enumerate(parts):
        if part == "DE" and i < len(parts) - 1:
            out.append("DE:" + ":".join(parts[i + 1 :]))
            return out
        out.append(part)
    return out


def _is_reduced(meta: Mapping[str, Any]) -> bool:
    fields = meta.get("fields")
    if not isinstance(fields, Mapping):
        return False
    return any(
        isinstance(spec, Mapping) and spec.get("fieldType") in ("id", "str", "bool", "multi")
        for spec in fields.values()
    )


def column_kind(field_type: str, *, reduced: bool = False) -> tuple[Kind, bool] | None:
    """The column kind (and whether it is a list) for a metadata ``fieldType``;
    None when unknown."""
    table = _REDUCED_TYPES if reduced else _FIELD_TYPES
    return table.get(field_type)


def _parse_kind(text: str) -> tuple[Kind, bool]:
    """``"timestamp"``, ``"list<string>"``, or a Workfront ``fieldType``."""
    low = text.strip()
    is_list = False
    if low.startswith("list<") and low.endswith(">"):
        low, is_list = low[5:-1].strip(), True
    aliases: dict[str, Kind] = {
        "float": "float64",
        "double": "float64",
        "int": "int64",
        "integer": "int64",
        "boolean": "bool",
        "str": "string",
        "dateTime": "timestamp",
        "datetime": "timestamp",
    }
    kind = aliases.get(low, low)
    if kind in KINDS:
        return kind, is_list
    mapped = _FIELD_TYPES.get(low)
    if mapped is not None:
        return mapped[0], is_list or mapped[1]
    raise QueryError(
        f"unknown column type {text!r}; use one of {', '.join(KINDS)} (or list<...> of one)"
    )


@attrs.frozen
class Column:
    """One column: its name, where its value sits in a row (``path``, keys of
    nested objects), its kind, whether each value is a list, and where the
    type came from (``metadata``, ``override`` or ``default`` for a custom
    field the metadata does not describe)."""

    name: str
    path: tuple[str, ...]
    kind: Kind
    is_list: bool = False
    source: str = "metadata"
    field_type: str | None = None

    @property
    def type_name(self) -> str:
        return f"list<{self.kind}>" if self.is_list else self.kind

    def arrow_type(self) -> Any:
        from ._arrow import arrow_type

        return arrow_type(self)

    def extract(self, row: Mapping[str, Any]) -> Any:
        """The raw value of this column in a response row (a list when the
        path crosses a collection), or None."""
        value: Any = row
        for i, key in enumerate(self.path):
            if isinstance(value, list):
                rest = Column(self.name, self.path[i:], self.kind, self.is_list)
                out: list[Any] = []
                for item in value:
                    if isinstance(item, Mapping):
                        got = rest.extract(item)
                        if isinstance(got, list):
                            out.extend(got)
                        elif got is not None:
                            out.append(got)
                return out
            if not isinstance(value, Mapping):
                return None
            value = value.get(key)
            if value is None:
                return None
        return value


@attrs.frozen
class ExportSchema:
    """The typed columns of one export, fixed before the first row.

    ``fields`` are the field paths to request; ``str(schema)`` prints the
    columns with their types (``workfront-async export --show-schema``).
    """

    obj: str
    columns: tuple[Column, ...]
    fields: tuple[str, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def timestamp_columns(self) -> list[str]:
        """Names of the timestamp and date columns (for ``pd.read_csv(parse_dates=...)``)."""
        return [c.name for c in self.columns if c.kind in ("timestamp", "date") and not c.is_list]

    def arrow(self) -> Any:
        """The ``pyarrow.Schema`` (needs the ``arrow`` extra)."""
        from ._arrow import arrow_schema

        return arrow_schema(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "object": self.obj,
            "fields": list(self.fields),
            "columns": [
                {
                    "name": c.name,
                    "type": c.type_name,
                    "source": c.source,
                    "fieldType": c.field_type,
                }
                for c in self.columns
            ],
        }

    def __str__(self) -> str:
        width = max([len(c.name) for c in self.columns] + [6])
        kinds = max([len(c.type_name) for c in self.columns] + [4])
        lines = [f"{self.obj}: {len(self.columns)} columns"]
        lines.append(f"  {'column':<{width}}  {'type':<{kinds}}  from")
        for c in self.columns:
            origin = c.source if c.field_type is None else f"{c.source} ({c.field_type})"
            lines.append(f"  {c.name:<{width}}  {c.type_name:<{kinds}}  {origin}")
        return "\n".join(lines)

    # -- typed values for the row writers ------------------------------------------

    def typed_row(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """A flat row of Python values of the schema's types (datetimes in UTC,
        dates, floats, ints, bools, strings, lists, JSON text), one key per
        column whether or not the row had it."""
        out: dict[str, Any] = {}
        for c in self.columns:
            out[c.name] = convert(c, c.extract(row), row)
        return out


def _row_id(row: Mapping[str, Any] | None) -> str:
    oid = row.get("ID") if isinstance(row, Mapping) else None
    return f" of {oid}" if isinstance(oid, str) else ""


def _bad(column: Column, value: Any, row: Mapping[str, Any] | None, why: str = "") -> ResponseError:
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    return ResponseError(
        f"column {column.name!r}{_row_id(row)}: {shown} is not a {column.kind}{why}; "
        f"pass types={{{column.name!r}: 'string'}} to keep it as text"
    )


def _one(column: Column, value: Any, row: Mapping[str, Any] | None) -> Any:
    if value is None:
        return None
    kind = column.kind
    try:
        if kind == "string":
            if isinstance(value, str):
                return value
            if isinstance(value, (Mapping, list)):
                return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
            if isinstance(value, bool):
                return "true" if value else "false"
            if isinstance(value, datetime):
                return value.isoformat()
            return str(value)
        if kind == "timestamp":
            if isinstance(value, str):
                if not value:
                    return None
                value = parse_date(value)
            if isinstance(value, datetime):
                if value.tzinfo is None:
                    raise _bad(column, value, row, " with a time zone")
                return value.astimezone(UTC)
            raise _bad(column, value, row)
        if kind == "date":
            if isinstance(value, datetime):
                return value.date()
            if isinstance(value, date):
                return value
            if isinstance(value, str):
                if not value:
                    return None
                if len(value) > 10:
                    # a timestamp in a date column: its calendar day as written
                    return parse_date(value).date()
                return date.fromisoformat(value)
            raise _bad(column, value, row)
        if kind == "float64":
            if isinstance(value, bool):
                raise _bad(column, value, row)
            if isinstance(value, (int, float)):
                return float(value)
            if isinstance(value, str):
                return float(value) if value.strip() else None
            raise _bad(column, value, row)
        if kind == "int64":
            if isinstance(value, bool):
                raise _bad(column, value, row)
            if isinstance(value, int):
                return value
            if isinstance(value, float) and value.is_integer():
                return int(value)
            if isinstance(value, str):
                return int(value) if value.strip() else None
            raise _bad(column, value, row)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise _bad(column, value, row)
        # json
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()
    except ValueError as exc:
        if isinstance(exc, ResponseError):
            raise
        raise _bad(column, value, row) from None


def convert(column: Column, value: Any, row: Mapping[str, Any] | None = None) -> Any:
    """``value`` (as found in a response row) converted to the column's type."""
    if column.is_list:
        if value is None:
            return None
        items = value if isinstance(value, list) else [value]
        return [_one(column, v, row) for v in items]
    if isinstance(value, list) and column.kind != "json":
        if column.kind == "string":
            return _one(column, value, row)
        raise _bad(column, value, row, " (got a list)")
    return _one(column, value, row)


# -- building a schema from metadata ------------------------------------------------


def _section(meta: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = meta.get(name)
    return value if isinstance(value, Mapping) else {}


def _lookup(pool: Mapping[str, Any], name: str) -> tuple[str, Any] | None:
    if name in pool:
        return name, pool[name]
    low = name.lower()
    for key, spec in pool.items():
        if key.lower() == low:
            return key, spec
    return None


def _target(spec: Any) -> str | None:
    if not isinstance(spec, Mapping):
        return None
    code = spec.get("typeObjCode") or spec.get("objCode")
    return code.upper() if isinstance(code, str) else None


def _custom_fields(meta: Mapping[str, Any]) -> Mapping[str, Any]:
    """Custom fields, wherever the metadata lists them: among ``fields`` (with
    their ``DE:`` names) or in a ``customFields``/``custom`` section."""
    for name in ("customFields", "custom"):
        section = meta.get(name)
        if isinstance(section, Mapping):
            return {(k if k.startswith("DE:") else f"DE:{k}"): v for k, v in section.items()}
    return {}


def _field_kind(spec: Any, reduced: bool, where: str) -> tuple[Kind, bool, str | None]:
    field_type = spec.get("fieldType") if isinstance(spec, Mapping) else None
    if not isinstance(field_type, str):
        return "string", False, None
    mapped = column_kind(field_type, reduced=reduced) or column_kind(field_type)
    if mapped is None:
        # an unknown scalar type keeps its text rather than guessing
        return "string", False, field_type
    return mapped[0], mapped[1], field_type


MetadataLookup = Mapping[str, Mapping[str, Any]]


def build_schema(
    obj: str,
    fields: Sequence[str],
    metadata: MetadataLookup,
    *,
    types: Mapping[str, str] | None = None,
) -> ExportSchema:
    """Build the schema of exporting ``fields`` of ``obj``.

    ``metadata`` maps object codes (upper case) to their ``GET
    /<obj>/metadata`` data; it must hold every object a field path crosses
    (:func:`needed_objects` says which). ``types`` overrides column types by
    column name or field path (``{"DE:Score": "float64", "assignedTo.name":
    "string"}``). An empty ``fields`` means ``ID`` and every scalar field of
    the object. A field the metadata does not know is an error, except custom
    fields (``DE:``), which default to text.
    """
    code = obj.upper()
    overrides = dict(types or {})
    for text in overrides.values():
        _parse_kind(text)  # fail on a bad type name before anything else
    wanted = list(dict.fromkeys(fields))
    root = metadata.get(code)
    if root is None:
        raise QueryError(f"no metadata for {code}; is {obj!r} a Workfront object code?")
    if not wanted or wanted == ["*"]:
        wanted = ["ID", *[f for f in _section(root, "fields") if f != "ID"]]
    elif "ID" not in wanted:
        wanted = ["ID", *wanted]
    columns: list[Column] = []
    for field in wanted:
        if field == "*":
            for name in _section(root, "fields"):
                if all(c.name != name for c in columns):
                    columns.extend(_resolve(code, name, metadata))
            continue
        for col in _resolve(code, field, metadata):
            if all(c.name != col.name for c in columns):
                columns.append(col)
    out: list[Column] = []
    used: set[str] = set()
    for col in columns:
        field_path = ":".join(col.path)
        wanted_type = overrides.get(col.name, overrides.get(field_path))
        if wanted_type is not None:
            used.update(k for k in (col.name, field_path) if k in overrides)
            kind, is_list = _parse_kind(wanted_type)
            col = attrs.evolve(col, kind=kind, is_list=is_list or col.is_list, source="override")
        out.append(col)
    unused = set(overrides) - used
    if unused:
        raise QueryError(
            f"types= names columns that the export does not have: {', '.join(sorted(unused))}; "
            f"the columns are {', '.join(c.name for c in out)}"
        )
    return ExportSchema(code, tuple(out), tuple(dict.fromkeys(wanted)))


def needed_objects(obj: str, fields: Iterable[str], metadata: MetadataLookup) -> set[str]:
    """The object codes whose metadata is still missing to resolve ``fields``."""
    missing: set[str] = set()
    code = obj.upper()
    if code not in metadata:
        return {code}
    for field in fields:
        current = code
        parts = split_field(field)
        for part in parts[:-1]:
            meta = metadata.get(current)
            if meta is None:
                missing.add(current)
                break
            found = _lookup(_section(meta, "references"), part) or _lookup(
                _section(meta, "collections"), part
            )
            target = _target(found[1]) if found else None
            if target is None:
                break
            current = target
        else:
            meta = metadata.get(current)
            if meta is None:
                missing.add(current)
            else:
                # a bare reference also needs its target (for .name)
                found = _lookup(_section(meta, "references"), parts[-1]) or _lookup(
                    _section(meta, "collections"), parts[-1]
                )
                target = _target(found[1]) if found else None
                if target is not None and target not in metadata:
                    missing.add(target)
    return missing


def _resolve(code: str, field: str, metadata: MetadataLookup) -> list[Column]:
    parts = split_field(field)
    current = code
    path: list[str] = []
    is_list = False
    for i, part in enumerate(parts):
        meta = metadata.get(current, {})
        reduced = _is_reduced(meta)
        last = i == len(parts) - 1
        fields = _section(meta, "fields")
        refs = _section(meta, "references")
        colls = _section(meta, "collections")
        found = _lookup(fields, part)
        if found is None and part.startswith("DE:"):
            found = _lookup(_custom_fields(meta), part)
        if found is not None:
            name, spec = found
            if not last:
                raise QueryError(
                    f"{field!r}: {name!r} is a plain field of {current}, not a reference; "
                    "only references and collections have fields after ':'"
                )
            kind, listy, field_type = _field_kind(spec, reduced, field)
            return [
                Column(
                    ".".join([*path, name]),
                    (*path, name),
                    kind,
                    is_list or listy,
                    "metadata",
                    field_type,
                )
            ]
        ref = _lookup(refs, part)
        coll = _lookup(colls, part) if ref is None else None
        if ref is None and coll is None:
            if part.startswith("DE:"):
                if not last:
                    raise QueryError(f"{field!r}: a custom field has no fields of its own")
                # a custom field the metadata does not describe: keep its text
                name = ".".join([*path, part])
                return [Column(name, (*path, part), "string", is_list, "default")]
            known = sorted({*fields, *refs, *colls})
            hint = ", ".join(k for k in known if k.lower().startswith(part[:3].lower()))[:200]
            raise QueryError(
                f"{field!r}: {current} has no field, reference or collection {part!r}"
                + (f" (similar: {hint})" if hint else "")
                + "; check the spelling against GET /"
                + current.lower()
                + "/metadata"
            )
        name, spec = ref if ref is not None else coll  # type: ignore[misc]
        path.append(name)
        is_list = is_list or coll is not None
        target = _target(spec)
        if target is None:
            raise ResponseError(f"the metadata of {current} does not say what {name!r} points to")
        current = target
        if last:
            # A bare reference or collection: its ID and (if it has one) name.
            target_meta = metadata.get(current, {})
            target_fields = _section(target_meta, "fields")
            cols = [Column(".".join([*path, "ID"]), (*path, "ID"), "string", is_list, "metadata")]
            if "name" in target_fields:
                kind, listy, field_type = _field_kind(
                    target_fields["name"], _is_reduced(target_meta), field
                )
                cols.append(
                    Column(
                        ".".join([*path, "name"]),
                        (*path, "name"),
                        kind,
                        is_list or listy,
                        "metadata",
                        field_type,
                    )
                )
            return cols
    raise QueryError(f"empty field path {field!r}")  # pragma: no cover - split never empty
