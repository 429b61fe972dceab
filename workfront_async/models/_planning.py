"""Row classes of Workfront Planning records (``codegen --planning``).

A Planning record is ``{"id", "recordTypeId", "data": {<field ID>: value},
"createdAt", "updatedAt", ...}`` in both API versions. A generated record
class (``Campaigns``, a :class:`PlanningRecord`) holds ``data`` as its own
struct (``CampaignsData``), whose attributes are the fields' names in
camelCase, each renamed to its field ID: ``record.data.startDate``.

The Planning clients decode pages into dicts (their answers carry paging
fields around the records); a typed search converts each page's records into
the class with ``msgspec.convert``, which validates every value on the way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

import msgspec

from .._core.exceptions import ResponseError

__all__ = ["PlanningData", "PlanningRecord", "RecordLink", "check_record_model", "to_records"]


class PlanningData(msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True):
    """The ``data`` of a record: one attribute per field of the record type."""

    __wf_field_ids__: ClassVar[Mapping[str, str]] = {}


class RecordLink(msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True):
    """One record a reference field points to."""

    id: str | None = None
    externalId: str | None = None
    value: Any = None


class PlanningRecord(
    msgspec.Struct, kw_only=True, omit_defaults=True, repr_omit_defaults=True, gc=False
):
    """A typed record of one Planning record type (generated per tenant).

    ``__wf_record_type__`` is the record type's ID; ``__wf_metadata__`` its
    fields as the class was generated from them (ID -> type)."""

    __wf_record_type__: ClassVar[str] = ""
    __wf_metadata__: ClassVar[Mapping[str, str]] = {}

    id: str | None = None
    recordTypeId: str | None = None
    createdAt: datetime | None = None
    updatedAt: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """The record with field IDs as keys, as Planning sends it."""
        out: dict[str, Any] = msgspec.to_builtins(self)
        return out


def check_record_model(model: object) -> type[PlanningRecord]:
    """``model`` if it is a generated record class, else a clear ``TypeError``."""
    if isinstance(model, type) and issubclass(model, PlanningRecord) and model.__wf_record_type__:
        return model
    raise TypeError(
        f"{model!r} is not a record class of a generated package; pass a record type ID "
        "or a class that `workfront-async codegen --planning` wrote"
    )


def to_records(model: type[PlanningRecord], records: Sequence[Mapping[str, Any]]) -> list[Any]:
    """``records`` (decoded JSON) as instances of ``model``; a value the class
    does not allow is a ``ResponseError`` that says what to do."""
    try:
        return msgspec.convert(records, list[model], strict=False)  # type: ignore[valid-type]
    except msgspec.ValidationError as exc:
        error = ResponseError(
            f"a record does not fit {model.__name__}: {exc}. The record type may have "
            "changed since the package was generated: `workfront-async codegen --planning "
            "--check` says what changed, and generating the package again fixes it"
        )
        error.retryable = False
        raise error from None
