"""Typed models: the runtime of the packages ``workfront-async codegen`` writes.

A generated package holds one row class per object (``Task``, a
:class:`Model`) and one field namespace per object (``TaskQ``, made of the
typed fields below). The client takes a row class wherever it takes an
object code: ``wf.search(Task, TaskQ.status == "CUR")`` yields ``Task``
instances, decoded straight from the answer by msgspec.

Needs the ``models`` extra (msgspec): ``pip install 'workfront-async[models]'``.
See the "Typed models" page of the docs.
"""

from __future__ import annotations

try:
    import msgspec  # noqa: F401
except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
    raise ImportError("typed models need msgspec: pip install 'workfront-async[models]'") from exc

from ._decode import check_model, one_parser, page_parser
from ._fields import (
    BoolField,
    DateField,
    DateTimeField,
    EnumField,
    Fields,
    FloatField,
    IntField,
    ListField,
    ReferenceFields,
    StrField,
    TypedField,
)
from ._model import (
    Model,
    Reference,
    model_fields,
    package_metadata,
    parse_wire_date,
    parse_wire_datetime,
    projection,
    wire_names,
)
from ._planning import (
    PlanningData,
    PlanningRecord,
    RecordLink,
    check_record_model,
    to_records,
)

__all__ = [
    "BoolField",
    "DateField",
    "DateTimeField",
    "EnumField",
    "Fields",
    "FloatField",
    "IntField",
    "ListField",
    "Model",
    "PlanningData",
    "PlanningRecord",
    "RecordLink",
    "Reference",
    "ReferenceFields",
    "StrField",
    "TypedField",
    "check_model",
    "check_record_model",
    "model_fields",
    "one_parser",
    "package_metadata",
    "page_parser",
    "parse_wire_date",
    "parse_wire_datetime",
    "projection",
    "to_records",
    "wire_names",
]
