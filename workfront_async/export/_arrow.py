"""Pages of response rows -> ``pyarrow.RecordBatch`` of an export schema.

Each column is decoded straight into an Arrow array: the raw values of the
page are handed to Arrow with the column's type, and timestamps in
Workfront's form (``2024-07-02T03:49:38:711+0000``) are parsed by Arrow's
own ISO 8601 cast after one vectorised fix of the colon before the
milliseconds. Only a column Arrow refuses falls back to the per-value Python
conversion (which also names the row and value that does not fit).
``benchmarks/arrow_memory.py`` measures this against converting row dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._core.exceptions import QueryError
from ._schema import Column, ExportSchema, convert

__all__ = ["arrow_schema", "arrow_type", "require_pyarrow", "rows_to_batch"]

# Workfront's ``...:SS:mmm`` -> ISO's ``...:SS.mmm`` (the offset stays as it is;
# Arrow reads ``+0000``, ``+00:00`` and ``Z``).
_WF_COLON = r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d):(\d)"


def require_pyarrow(extra: str = "arrow") -> Any:
    try:
        import pyarrow
    except ImportError:
        raise QueryError(f"this needs pyarrow: pip install 'workfront-async[{extra}]'") from None
    return pyarrow


def arrow_type(column: Column) -> Any:
    pa = require_pyarrow()
    base = {
        "timestamp": pa.timestamp("ms", tz="UTC"),
        "date": pa.date32(),
        "float64": pa.float64(),
        "int64": pa.int64(),
        "bool": pa.bool_(),
        "string": pa.string(),
        "json": pa.string(),
    }[column.kind]
    return pa.list_(base) if column.is_list else base


def arrow_schema(schema: ExportSchema) -> Any:
    pa = require_pyarrow()
    fields = []
    for c in schema.columns:
        meta = {b"workfront.type": c.type_name.encode()}
        if c.field_type:
            meta[b"workfront.fieldType"] = c.field_type.encode()
        fields.append(pa.field(c.name, arrow_type(c), nullable=True, metadata=meta))
    return pa.schema(fields, metadata={b"workfront.object": schema.obj.encode()})


def _raw(column: Column, rows: Sequence[Mapping[str, Any]]) -> list[Any]:
    if len(column.path) == 1:
        key = column.path[0]
        return [row.get(key) for row in rows]
    return [column.extract(row) for row in rows]


def _slow(column: Column, raw: list[Any], rows: Sequence[Mapping[str, Any]], typ: Any) -> Any:
    import pyarrow as pa

    return pa.array([convert(column, v, row) for v, row in zip(raw, rows, strict=True)], type=typ)


def _column_array(column: Column, rows: Sequence[Mapping[str, Any]]) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    typ = arrow_type(column)
    raw = _raw(column, rows)
    if column.is_list or column.kind == "json":
        return _slow(column, raw, rows, typ)
    try:
        if column.kind in ("timestamp", "date"):
            if all(v is None or (isinstance(v, str) and v) for v in raw):
                text = pa.array(raw, type=pa.string())
                if column.kind == "timestamp":
                    text = pc.replace_substring_regex(text, _WF_COLON, r"\1.\2")
                    return text.cast(typ)
                if all(v is None or len(v) == 10 for v in raw):
                    return text.cast(typ)
            return _slow(column, raw, rows, typ)
        if column.kind == "int64" and any(isinstance(v, (bool, float)) for v in raw):
            return _slow(column, raw, rows, typ)
        if column.kind == "float64" and any(isinstance(v, bool) for v in raw):
            return _slow(column, raw, rows, typ)
        return pa.array(raw, type=typ)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        # the slow path converts what it can and names the value it cannot
        return _slow(column, raw, rows, typ)


def rows_to_batch(
    schema: ExportSchema, rows: Sequence[Mapping[str, Any]], arrow: Any = None
) -> Any:
    """One ``pyarrow.RecordBatch`` of ``rows`` (response rows, nested as the
    API returns them) with the schema's columns and types."""
    pa = require_pyarrow()
    target = arrow if arrow is not None else arrow_schema(schema)
    arrays = [_column_array(c, rows) for c in schema.columns]
    return pa.RecordBatch.from_arrays(arrays, schema=target)
