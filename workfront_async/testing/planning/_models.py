"""The Planning API's data: workspaces, record types with typed fields, records,
the limits and the spellings of field types in v1 and v2 (docs/api-notes.md §3
and §5; Adobe's ``static/v1.json`` and ``static/v2.json``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType

import attrs

DEFAULT_SEARCH_LIMIT = 500  # docs/api-notes.md §3
MAX_SEARCH_LIMIT = 2000  # docs/api-notes.md §3
MAX_RECORDS_PER_TYPE = 25_000  # static/v2.json "Limits and Quotas"
MAX_FIELDS_PER_TYPE = 500  # static/v2.json "Limits and Quotas"
DEMO_USER_ID = "0A1B2C3D4E5F60718293A4B5@AdobeID"
DEMO_CUSTOMER_ID = "61a9cc0500002f9fdaa7a6f824f557e1"
DEMO_IMS_ORG_ID = "0A1B2C3D4E5F607182934A5B@AdobeOrg"
DEFAULT_THUMBNAIL = "/maestro/static/thumbnail/default/thumbnail-1.png"  # static/v2.json example

# docs/api-notes.md §5: the v1 pages spell field types in kebab case, the v2 spec in
# upper snake case. v2's FieldDto enum lists the types a field is created with
# (TEXT..FORMULA); the same file names CREATED_BY and UPDATED_BY as field types
# (FilterConditionDto.value) and describes lookup fields (FieldDto.lookupOptions),
# so those, and the created/updated dates, are written the same way here. v2 has
# no URL type: a v1 url field (Adobe's v1 table) reads through v2 as the TEXT
# it holds.
V1_TYPE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "text": "text",
        "long text": "long-text",
        "formula": "formula",
        "url": "url",
        "number": "number",
        "percentage": "percentage",
        "currency": "currency",
        "date": "date",
        "updated at": "updated-at",
        "created at": "created-at",
        "single select": "single-select",
        "multi select": "multi-select",
        "people": "user",
        "reference": "reference",
        "boolean": "boolean",
        "created by": "created-by",
        "updated by": "updated-by",
        "lookup": "lookup",
    }
)
V2_TYPE_NAMES: Mapping[str, str] = MappingProxyType(
    {
        **{k: k.upper().replace(" ", "_") for k in V1_TYPE_NAMES},
        "long text": "PARAGRAPH",
        "boolean": "CHECKBOX",
        "people": "USER",
        "url": "TEXT",
    }
)
DEMO_EPOCH = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)  # creation time of the demo schema

# RecordDto in static/v1.json
RECORD_ATTRIBUTES: tuple[str, ...] = (
    "recordTypeId",
    "data",
    "createdBy",
    "createdAt",
    "updatedBy",
    "updatedAt",
    "customerId",
    "imsOrgId",
    "thumbnailUrl",
    "coverImage",
    "recordExternalOptions",
)
# Read-only keys of a record (static/v1.json and v2.json RecordDto): a record
# as fetched can be sent back.
IGNORED_WRITE_KEYS = frozenset(
    {
        "id",
        "createdBy",
        "createdAt",
        "updatedBy",
        "updatedAt",
        "customerId",
        "imsOrgId",
        "thumbnailUrl",
        "coverImage",
        "recordExternalOptions",
        "recordTypeAlias",
    }
)
SEARCH_KEYS = frozenset(
    {
        "recordTypeId",
        "recordTypeAlias",
        "filters",
        "sorting",
        "offset",
        "limit",
        "rowOrderViewId",
        "groupingFieldIds",
    }
)
SYSTEM_TYPES = frozenset({"created at", "created by", "updated at", "updated by"})
COMPUTED_TYPES = frozenset({"formula", "lookup"})


def read_only(data: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(data))


@attrs.frozen
class PlanningField:
    """A field of a record type. ``options`` lists a select field's allowed
    values (empty: any string); ``linked_field_type`` is a lookup's linked type;
    ``reference_record_type_id`` restricts a reference field's targets."""

    id: str
    name: str
    type: str
    options: tuple[str, ...] = ()
    linked_field_type: str | None = None
    reference_record_type_id: str | None = None
    alias: str = ""
    description: str = ""

    @property
    def value_type(self) -> str:
        """The type whose values and operators this field takes."""
        if self.type == "lookup" and self.linked_field_type is not None:
            return self.linked_field_type
        return self.type

    def to_json(self, version: str = "v1") -> dict[str, object]:
        names = V2_TYPE_NAMES if version == "v2" else V1_TYPE_NAMES
        out: dict[str, object] = {
            "id": self.id,
            "alias": self.alias,
            "name": self.name,
            "displayName": self.name,
            "type": names[self.type],
            "description": self.description,
        }
        if version == "v2":
            del out["name"]  # FieldDto in static/v2.json has displayName only
        if self.type in ("single select", "multi select"):
            out["options"] = [{"name": o, "displayName": o} for o in self.options]
        if self.type == "lookup":
            out["linkedField"] = {"type": names.get(self.linked_field_type or "", None)}
        if self.type == "reference":
            out["referenceOptions"] = {
                "recordTypeId": self.reference_record_type_id,
                "multiple": True,
            }
        return out


@attrs.frozen
class PlanningWorkspace:
    id: str
    name: str
    description: str
    created_by: str
    created_at: str
    alias: str = ""
    updated_by: str | None = None
    updated_at: str | None = None
    # what the v2 API takes and shows as it was given (WorkspaceBaseDto: color,
    # icon, ownerId, recordTypeSections)
    extra: Mapping[str, object] = attrs.field(factory=dict, converter=read_only)


@attrs.frozen
class PlanningRecordType:
    """A record type. ``workspace_id`` is its (primary) workspace; a global
    record type (static/v2.json RecordTypeDto ``isGlobal``) may be linked with
    every workspace or with ``linkable_workspace_ids`` and is used, as a
    dynamic record type, by ``dynamic_workspace_ids``."""

    id: str
    workspace_id: str
    name: str
    fields: tuple[PlanningField, ...]
    created_by: str
    created_at: str
    alias: str = ""
    description: str = ""
    linkable_all: bool = False
    linkable_workspace_ids: tuple[str, ...] = ()
    dynamic_workspace_ids: tuple[str, ...] = ()
    # what the v2 API takes and shows as it was given (RecordTypeDto)
    extra: Mapping[str, object] = attrs.field(factory=dict, converter=read_only)

    @property
    def is_global(self) -> bool:
        return self.linkable_all or bool(self.linkable_workspace_ids)

    def linkable_with(self, workspace_id: str) -> bool:
        return workspace_id != self.workspace_id and (
            self.linkable_all or workspace_id in self.linkable_workspace_ids
        )

    def field(self, field_id: str) -> PlanningField | None:
        for f in self.fields:
            if f.id == field_id:
                return f
        return None

    def field_by_alias(self, alias: str) -> PlanningField | None:
        for f in self.fields:
            if f.alias == alias:
                return f
        return None

    @property
    def primary_field_id(self) -> str | None:
        primary = next((f.id for f in self.fields if f.type == "text"), None)
        if primary is None and self.fields:
            primary = self.fields[0].id
        return primary

    def to_json(self) -> dict[str, object]:
        """The v1 shape (RecordTypeDto in static/v1.json: fields included)."""
        out: dict[str, object] = {
            "id": self.id,
            "workspaceId": self.workspace_id,
            "alias": self.alias,
            "name": self.name,
            "displayName": self.name,
            "description": self.description,
            "primaryFieldId": self.primary_field_id,
            "fields": [f.to_json() for f in self.fields],
            "createdBy": self.created_by,
            "createdAt": self.created_at,
            "updatedBy": self.created_by,
            "updatedAt": self.created_at,
            "customerId": DEMO_CUSTOMER_ID,
            "imsOrgId": DEMO_IMS_ORG_ID,
        }
        if out["primaryFieldId"] is None:  # a record type without fields
            del out["primaryFieldId"]
        return out


@attrs.frozen
class PlanningRecord:
    """One record. ``data`` holds the stored values (system fields excluded)."""

    id: str
    record_type_id: str
    data: Mapping[str, object] = attrs.field(converter=read_only)
    created_by: str
    created_at: str
    updated_by: str | None
    updated_at: str | None


def make_alias(name: str, taken: Iterable[str] = ()) -> str:
    """An alias for a display name: lower case, words joined by ``_``
    (``"Launch date"`` -> ``"launch_date"``), made unique among ``taken``."""
    base = "_".join("".join(c if c.isalnum() else " " for c in name.lower()).split()) or "field"
    used = set(taken)
    alias, n = base, 2
    while alias in used:
        alias, n = f"{base}_{n}", n + 1
    return alias
