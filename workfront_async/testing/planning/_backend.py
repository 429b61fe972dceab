"""The Workfront Planning API of the embedded Workfront (docs/api-notes.md §3).

``PlanningBackend`` is pure and synchronous: the emulator app hands it the
method, the path after ``/maestro/api``, the query pairs and the body, and
sends back the ``(status, body)`` it returns. It never raises for bad input.
Authentication, limits and I/O belong to the app; the app may set
``acting_user_id`` to the caller's IMS user ID before a write.

Endpoints
---------
``GET|PUT|DELETE /v1/records/<id>``, ``POST /v1/records``,
``POST /v1/records/search``, ``GET /v1/workspaces[/<id>]``,
``GET /v1/record-types?workspaceId=<id>``, ``GET /v1/record-types/<id>``.

Shapes
------
* Record: ``{"id", "recordTypeId", "data": {fieldId: value}, "createdBy",
  "createdAt", "updatedBy", "updatedAt"}``. ``data`` holds only fields with a
  value; fields of type created at/by and updated at/by show the record's
  metadata. ``attributes=data,createdBy`` (comma-joined or repeated; ``*`` or
  ``ALL`` for all) picks the attributes; ``id`` is always returned.
* Search answer: ``{"records": [...], "groups": [], "totalCount": N,
  "offset": o, "limit": l}``. Default limit 500, maximum 2000 (more is a 400,
  not truncation); ``limit`` 0 returns only ``totalCount``.
* Workspace list: ``{"workspaces": [...]}``; record types of a workspace: a
  JSON list. Record type: ``{"id", "workspaceId", "name", "displayName",
  "primaryFieldId", "fields": [{"id", "name", "displayName", "type", ...}],
  ...}`` with the docs/api-notes.md field-type names (``"single select"``, ...),
  select ``options`` as ``[{"name", "displayName"}]``, ``linkedField: {"type"}``
  on lookups and ``referenceOptions: {"recordTypeId"}`` on references.
* Values: text types and single select/created by/updated by are strings;
  numbers are JSON numbers; dates are ISO 8601 strings, stored and returned as
  ``2024-03-31T20:00:00.000Z``; multi select, people (IMS user IDs) and
  reference (record IDs) are lists of strings; boolean is ``true``/``false``;
  a lookup holds one value of its linked field's type.
* Writes: ``POST /v1/records`` takes ``{"recordTypeId", "data"}``; ``PUT``
  takes ``{"data"}`` and updates sparsely (``null`` clears a field). The
  read-only keys ``id``, ``createdBy``, ``createdAt``, ``updatedBy``,
  ``updatedAt``, ``customerId`` and ``imsOrgId`` are ignored, so a fetched
  record can be sent back. Formula, lookup and created/updated fields cannot
  be written through the API (the seeding helpers may set formula and lookup
  values; the emulator does not compute them). ``DELETE`` answers 200 with no
  body (``None``) and removes the record from every reference field.

Search semantics
----------------
``filters`` is a list of filter objects, ANDed. A filter object is
``{"fieldId": {"$op": operand}}``, ``{"fieldId": value}`` (``$is``), the short
forms ``{"fieldId": "$isEmpty"}`` / ``"$isNotEmpty"``, or ``{"$and": [...]}`` /
``{"$or": [...]}`` to any depth. Several keys in one object, or several
operators on one field, are ANDed. An empty ``$and`` matches everything, an
empty ``$or`` nothing. An operator the field's type does not accept (the
docs/api-notes.md table) is a 400 naming the field, its type and the allowed
operators; so is an operand of the wrong shape. Evaluation:

* A value is *empty* when it is missing, ``null``, ``""`` or ``[]``. Every
  positive operator is false on an empty value; each negative operator
  (``$isNot``, ``$doesNotContain``, ``$isNotBetween``, ``$isNoneOf``,
  ``$hasNoneOf``, ``$isNotEmpty``) is the exact complement of its positive
  one, so empty values match it (like the classic API's ``ne``).
* Text comparisons (text, long text, formula, url) ignore case.
* A date operand given as a calendar day (``2024-03-31``) means that whole
  UTC day, a date-time operand that instant (naive ones are UTC). ``$is``
  matches inside it, ``$isAfter`` after its end, ``$isBefore`` before its
  start, ``$isBetween [from, to]`` from the start of ``from`` to the end of
  ``to``, inclusive.
* Single select, created by and updated by compare exact strings
  (``$isAnyOf`` takes a list). Multi select, people and reference compare
  sets: ``$hasAnyOf`` (intersects), ``$hasAllOf`` (superset), ``$isExactly``
  (same set), ``$hasNoneOf`` (disjoint).
* A missing boolean counts as ``false``. A lookup holds one value of its
  linked field's type and takes that type's operators.

``sorting`` is ``[{"fieldId", "direction": "asc" | "desc"}]``; text sorts
case-insensitively, empty values sort last in both directions, and ties are
always broken by record ID ascending, so paging is stable.
``rowOrderViewId``, ``groupingFieldIds`` and ``recordTypeAlias`` are not
supported and answer 400.

Errors
------
Adobe does not document the Planning error body. The Planning service is a
Spring service, so errors follow Spring Boot's shape, with a machine code and
details added::

    {"status": 400, "error": "Bad Request", "code": "INVALID_FILTER_OPERATOR",
     "message": "Operator $hasAnyOf is not allowed on field 'budget' of type
                 'number'; allowed operators: $is, ...",
     "path": "/maestro/api/v1/records/search",
     "details": {"fieldId": "budget", "fieldType": "number",
                 "operator": "$hasAnyOf", "allowedOperators": [...]}}

Codes: ``INVALID_JSON``, ``INVALID_REQUEST``, ``INVALID_FILTER``,
``INVALID_FILTER_OPERATOR``, ``INVALID_SORT``, ``INVALID_LIMIT``,
``INVALID_ATTRIBUTE``, ``INVALID_FIELD_VALUE``, ``UNSUPPORTED``
(400); ``NOT_FOUND`` (404); ``METHOD_NOT_ALLOWED`` (405). A client maps
``status`` to the error class, ``code`` to ``error_class``, ``message`` to the
message and ``details`` to ``detail``.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType

import attrs
import orjson

from ..._core.exceptions import APIError
from ._filters import (
    DATE_TYPES,
    DAY,
    MULTI_TYPES,
    NUMBER_TYPES,
    OPERATORS_BY_FIELD_TYPE,
    TEXT_TYPES,
    canonical_field_type,
    compile_filters,
    format_datetime,
    is_empty,
    parse_datetime,
    planning_error,
    sort_key,
)

__all__ = [
    "DEFAULT_SEARCH_LIMIT",
    "MAX_SEARCH_LIMIT",
    "PlanningBackend",
    "PlanningField",
    "PlanningRecord",
    "PlanningRecordType",
    "PlanningWorkspace",
]

DEFAULT_SEARCH_LIMIT = 500  # docs/api-notes.md §3
MAX_SEARCH_LIMIT = 2000  # docs/api-notes.md §3
MAX_RECORDS_PER_TYPE = 25_000  # static/v2.json "Limits and Quotas"
MAX_FIELDS_PER_TYPE = 500  # static/v2.json "Limits and Quotas"
DEMO_USER_ID = "0A1B2C3D4E5F60718293A4B5@AdobeID"
DEMO_CUSTOMER_ID = "61a9cc0500002f9fdaa7a6f824f557e1"
DEMO_IMS_ORG_ID = "0A1B2C3D4E5F607182934A5B@AdobeOrg"
DEFAULT_THUMBNAIL = "/maestro/static/thumbnail/default/thumbnail-1.png"  # static/v2.json example

# docs/api-notes.md §5: the v1 pages spell field types in kebab case, the v2 spec in
# upper snake case (its FieldDto enum lists TEXT..FORMULA; the system and
# lookup types are written the same way here).
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
_IGNORED_WRITE_KEYS = frozenset(
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
_SEARCH_KEYS = frozenset(
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
_SYSTEM_TYPES = frozenset({"created at", "created by", "updated at", "updated by"})
_COMPUTED_TYPES = frozenset({"formula", "lookup"})


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


@attrs.frozen
class PlanningRecordType:
    id: str
    workspace_id: str
    name: str
    fields: tuple[PlanningField, ...]
    created_by: str
    created_at: str
    alias: str = ""
    description: str = ""

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
        return {
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


def _read_only(data: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(data))


@attrs.frozen
class PlanningRecord:
    """One record. ``data`` holds the stored values (system fields excluded)."""

    id: str
    record_type_id: str
    data: Mapping[str, object] = attrs.field(converter=_read_only)
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


def _bad(message: str, code: str = "INVALID_REQUEST", **details: object) -> APIError:
    return planning_error(400, code, message, details)


def _not_found(kind: str, ident: str) -> APIError:
    return planning_error(404, "NOT_FOUND", f"{kind} {ident!r} not found.", {"id": ident})


class PlanningBackend:
    """The Planning tenant of the embedded Workfront: workspaces, record types
    with typed fields, and records. See the module docstring for the wire
    format and the search semantics."""

    def __init__(
        self, *, clock: Callable[[], datetime] | None = None, user_id: str = DEMO_USER_ID
    ) -> None:
        self.acting_user_id = user_id
        self.customer_id = DEMO_CUSTOMER_ID
        self.ims_org_id = DEMO_IMS_ORG_ID
        self.user_names: dict[str, str] = {DEMO_USER_ID: "Demo User"}
        self.max_records_per_type = MAX_RECORDS_PER_TYPE
        self.max_fields_per_type = MAX_FIELDS_PER_TYPE
        self._clock = clock or (lambda: datetime.now(UTC))
        self._workspaces: dict[str, PlanningWorkspace] = {}
        self._record_types: dict[str, PlanningRecordType] = {}
        self._records: dict[str, PlanningRecord] = {}
        self._by_type: dict[str, dict[str, PlanningRecord]] = {}
        # evaluation views of records (see _view), not Planning views
        self._views: dict[str, dict[str, object]] = {}
        # Planning views (static/v2.json ViewDto), by ID
        self.view_defs: dict[str, dict[str, object]] = {}
        # the manual row order of each record type (v2 records/move); records
        # not listed follow in creation order
        self.row_order: dict[str, list[str]] = {}
        # field change history of each record (v2 records/{id}/history)
        self.history: dict[str, list[dict[str, object]]] = {}
        self._ids = {k: itertools.count(1) for k in ("ws", "rt", "fld", "rec", "vw", "his")}
        from ._v2 import V2Routes

        self._v2 = V2Routes(self)

    @classmethod
    def with_demo_data(cls, seed: int = 0, *, records_per_type: int = 1000) -> PlanningBackend:
        """A tenant with two workspaces, three record types using every field
        type, and ``records_per_type`` records of each, the same for a seed."""
        from ._demo import populate

        backend = cls(clock=lambda: DEMO_EPOCH)
        populate(backend, seed=seed, records_per_type=records_per_type)
        backend._clock = lambda: datetime.now(UTC)
        return backend

    # ----- seeding helpers -------------------------------------------------

    def _new_id(self, kind: str, taken: Mapping[str, object] | set[str]) -> str:
        width = 10 if kind == "rec" else 6
        while True:
            ident = f"{kind}{next(self._ids[kind]):0{width}d}"
            if ident not in taken:
                return ident

    def _now(self) -> str:
        return format_datetime(self._clock())

    def add_workspace(
        self, name: str, *, id: str | None = None, description: str = ""
    ) -> PlanningWorkspace:
        """Create a workspace and return it."""
        if not isinstance(name, str) or not name:
            raise ValueError("a workspace needs a non-empty name")
        if id is not None and id in self._workspaces:
            raise ValueError(f"workspace ID {id!r} is already taken")
        ws = PlanningWorkspace(
            id=id or self._new_id("ws", self._workspaces),
            name=name,
            description=description,
            created_by=self.acting_user_id,
            created_at=self._now(),
            alias=make_alias(name, (w.alias for w in self._workspaces.values())),
        )
        self._workspaces[ws.id] = ws
        return ws

    def add_record_type(
        self,
        workspace_id: str,
        name: str,
        fields: Sequence[Mapping[str, object]] = (),
        *,
        id: str | None = None,
    ) -> PlanningRecordType:
        """Create a record type and return it.

        Each field is a mapping with ``name`` and ``type`` (an docs/api-notes.md field
        type such as ``"single select"``; ``singleSelect`` spellings work too)
        and optionally ``id``, ``options`` (select values, strings or
        ``{"name": ...}``), ``linkedField: {"type": ...}`` or
        ``linkedFieldType`` (lookup) and ``recordTypeId`` (reference target).
        """
        if workspace_id not in self._workspaces:
            raise ValueError(f"no workspace {workspace_id!r}; create it with add_workspace()")
        if not isinstance(name, str) or not name:
            raise ValueError("a record type needs a non-empty name")
        if id is not None and id in self._record_types:
            raise ValueError(f"record type ID {id!r} is already taken")
        if len(fields) > self.max_fields_per_type:
            raise ValueError(f"a record type has at most {self.max_fields_per_type} fields")
        taken: set[str] = set()
        built: list[PlanningField] = []
        for spec in fields:
            built.append(self._build_field(spec, taken, [f.alias for f in built]))
            taken.add(built[-1].id)
        rt = PlanningRecordType(
            id=id or self._new_id("rt", self._record_types),
            workspace_id=workspace_id,
            name=name,
            fields=tuple(built),
            created_by=self.acting_user_id,
            created_at=self._now(),
            alias=make_alias(name, (r.alias for r in self._record_types.values())),
        )
        self._record_types[rt.id] = rt
        self._by_type[rt.id] = {}
        self.row_order[rt.id] = []
        self.add_view(rt.id, {"name": "Table", "type": "TABLE"})
        return rt

    def add_view(self, record_type_id: str, spec: Mapping[str, object]) -> dict[str, object]:
        """Create a view (static/v2.json ViewDto) of a record type and return it."""
        rt = self._record_types[record_type_id]
        now = self._now()
        view: dict[str, object] = {
            "id": self._new_id("vw", self.view_defs),
            "name": spec.get("name"),
            "type": spec.get("type"),
            "recordTypeId": rt.id,
            "filter": list(spec.get("filter") or []),  # type: ignore[call-overload]
            "grouping": list(spec.get("grouping") or []),  # type: ignore[call-overload]
            "sorting": list(spec.get("sorting") or []),  # type: ignore[call-overload]
            "isHidden": bool(spec.get("isHidden", False)),
            "createdBy": self.acting_user_id,
            "createdAt": now,
            "updatedBy": self.acting_user_id,
            "updatedAt": now,
        }
        if spec.get("metadata") is not None:
            view["metadata"] = spec["metadata"]
        self.view_defs[str(view["id"])] = view
        return view

    def _build_field(
        self, spec: Mapping[str, object], taken: set[str], aliases: Iterable[str] = ()
    ) -> PlanningField:
        ftype = canonical_field_type(spec.get("type"))
        if ftype is None:
            raise ValueError(
                f"unknown field type {spec.get('type')!r}; use one of: "
                + ", ".join((*OPERATORS_BY_FIELD_TYPE, "lookup"))
            )
        name = spec.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError(f"field {spec!r} needs a non-empty 'name'")
        fid = spec.get("id")
        if fid is None:
            fid = self._new_id("fld", taken)
        if not isinstance(fid, str) or not fid or fid.startswith("$"):
            raise ValueError(f"field ID {fid!r} must be a string not starting with '$'")
        if fid in taken:
            raise ValueError(f"field ID {fid!r} is used twice in one record type")
        options: tuple[str, ...] = ()
        raw_options = spec.get("options", ())
        if not isinstance(raw_options, list | tuple):
            raise ValueError(f"field {name!r}: 'options' must be a list")
        for opt in raw_options:
            value = opt.get("name") if isinstance(opt, Mapping) else opt
            if not isinstance(value, str):
                raise ValueError(f"field {name!r}: option {opt!r} needs a string name")
            options += (value,)
        linked: str | None = None
        if ftype == "lookup":
            linked_spec = spec.get("linkedField")
            raw = (
                linked_spec.get("type")
                if isinstance(linked_spec, Mapping)
                else spec.get("linkedFieldType")
            )
            linked = canonical_field_type(raw)
            if linked is None or linked == "lookup":
                raise ValueError(
                    f"lookup field {name!r} needs linkedField={{'type': ...}} naming a "
                    "non-lookup field type"
                )
        ref = spec.get("recordTypeId")
        ref_options = spec.get("referenceOptions")
        if ref is None and isinstance(ref_options, Mapping):
            ref = ref_options.get("recordTypeId")
        if ref is not None and not isinstance(ref, str):
            raise ValueError(f"field {name!r}: 'recordTypeId' must be a string")
        description = spec.get("description") or ""
        return PlanningField(
            id=fid,
            name=name,
            type=ftype,
            options=options,
            linked_field_type=linked,
            reference_record_type_id=ref if ftype == "reference" else None,
            alias=make_alias(name, aliases),
            description=description if isinstance(description, str) else "",
        )

    def add_record(
        self,
        record_type_id: str,
        data: Mapping[str, object],
        *,
        id: str | None = None,
        created_by: str | None = None,
        created_at: str | datetime | None = None,
        updated_by: str | None = None,
        updated_at: str | datetime | None = None,
    ) -> PlanningRecord:
        """Create a record and return it. Unlike the API, this may set formula
        and lookup values and the record's metadata (``updated_by`` and
        ``updated_at`` default to the creator and creation time)."""
        try:
            return self._create_record(
                record_type_id,
                data,
                allow_computed=True,
                ident=id,
                created_by=created_by,
                created_at=_moment(created_at),
                updated_by=updated_by,
                updated_at=_moment(updated_at),
            )
        except APIError as exc:
            raise ValueError(exc.message) from None

    # ----- the HTTP surface ------------------------------------------------

    def handle(
        self, method: str, path: str, query: list[tuple[str, str]], body: bytes
    ) -> tuple[int, object]:
        """Answer one request. ``path`` is the part after ``/maestro/api``.
        Returns (HTTP status, JSON-able body, or ``b""`` for no body); bad
        input gives a 4xx error body in the shape of the path's API version."""
        version = _version(path)
        try:
            if version == "v2":
                return self._v2.route(method.upper(), path.split("?")[0], query, body)
            return self._route(method.upper(), path, query, body)
        except APIError as exc:
            if version == "v2":
                return exc.status, problem_body(exc)
            return exc.status, v1_error_body(exc)

    def _route(
        self, method: str, path: str, query: list[tuple[str, str]], body: bytes
    ) -> tuple[int, object]:
        parts = [p for p in path.split("?")[0].split("/") if p]
        if len(parts) < 2 or parts[0] != "v1":
            raise planning_error(404, "NOT_FOUND", f"No Planning endpoint at {path!r}.")
        resource, rest = parts[1], parts[2:]
        if resource == "records":
            if rest == ["search"]:
                _allow(method, ("GET", "POST"), path)
                if method == "GET":
                    return 200, self._search(_search_query(query), query)
                return 200, self._search(_json_object(body), query)
            if not rest:
                _allow(method, ("POST",), path)
                return 200, self._create_from_api(_json_object(body), query)
            if len(rest) == 1:
                _allow(method, ("GET", "PUT", "DELETE"), path)
                if method == "GET":
                    record = self._get_record(rest[0])
                    return 200, self._record_json(
                        record, _attributes(query), aliased=_flag(query, "aliased")
                    )
                if method == "PUT":
                    return 200, self._update_from_api(rest[0], _json_object(body), query)
                self._delete_record(rest[0])
                return 200, b""
        elif resource == "workspaces":
            if len(rest) <= 1:
                _allow(method, ("GET",), path)
                if not rest:
                    return 200, {"workspaces": [self._workspace_json(w) for w in self._ws_list()]}
                ws = self._workspaces.get(rest[0])
                if ws is None:
                    raise _not_found("Workspace", rest[0])
                return 200, self._workspace_json(ws)
        elif resource == "record-types" and len(rest) <= 1:
            _allow(method, ("GET",), path)
            if rest:
                rt = self._record_types.get(rest[0])
                if rt is None:
                    raise _not_found("Record type", rest[0])
                return 200, rt.to_json()
            ws_ids = [v for k, v in query if k == "workspaceId"]
            if not ws_ids or not ws_ids[0]:
                raise _bad(
                    "GET /v1/record-types needs the query parameter workspaceId=<workspace ID>; "
                    "list workspaces with GET /v1/workspaces."
                )
            if ws_ids[0] not in self._workspaces:
                raise _not_found("Workspace", ws_ids[0])
            return 200, [rt.to_json() for rt in self._types_of(ws_ids[0])]
        raise planning_error(404, "NOT_FOUND", f"No Planning endpoint at {path!r}.")

    # ----- workspaces and record types -------------------------------------

    def _ws_list(self) -> list[PlanningWorkspace]:
        return list(self._workspaces.values())

    def _types_of(self, workspace_id: str) -> list[PlanningRecordType]:
        return [rt for rt in self._record_types.values() if rt.workspace_id == workspace_id]

    def _workspace_json(self, ws: PlanningWorkspace) -> dict[str, object]:
        return {
            "id": ws.id,
            "alias": ws.alias,
            "name": ws.name,
            "description": ws.description,
            "createdBy": ws.created_by,
            "createdAt": ws.created_at,
            "updatedBy": ws.updated_by or ws.created_by,
            "updatedAt": ws.updated_at or ws.created_at,
            "customerId": self.customer_id,
            "imsOrgId": self.ims_org_id,
            "recordTypes": [
                {"id": rt.id, "name": rt.name, "displayName": rt.name}
                for rt in self._types_of(ws.id)
            ],
        }

    def _record_type(self, record_type_id: object) -> PlanningRecordType:
        if not isinstance(record_type_id, str) or not record_type_id:
            raise _bad(
                "'recordTypeId' must be a record type ID string; list them with "
                "GET /v1/record-types?workspaceId=<id>."
            )
        rt = self._record_types.get(record_type_id)
        if rt is None:
            raise _not_found("Record type", record_type_id)
        return rt

    def _record_type_by_alias(self, alias: object) -> PlanningRecordType:
        if not isinstance(alias, str) or not alias:
            raise _bad("'recordTypeAlias' must be a record type alias string.")
        for rt in self._record_types.values():
            if rt.alias == alias:
                return rt
        raise _not_found("Record type with alias", alias)

    # ----- records -----------------------------------------------------------

    def _get_record(self, record_id: str) -> PlanningRecord:
        record = self._records.get(record_id)
        if record is None:
            raise _not_found("Record", record_id)
        return record

    def _check_write_keys(self, body: Mapping[str, object]) -> None:
        unknown = sorted(set(body) - _IGNORED_WRITE_KEYS - {"recordTypeId", "data"})
        if unknown:
            raise _bad(
                f"Unknown record attribute(s) {', '.join(unknown)}; send "
                '{"recordTypeId": ..., "data": {fieldId: value}}.'
            )

    def _create_from_api(
        self, body: Mapping[str, object], query: list[tuple[str, str]]
    ) -> dict[str, object]:
        self._check_write_keys(body)
        data = body.get("data", {})
        if not isinstance(data, dict):
            raise _bad("'data' must be an object mapping field IDs to values.")
        record = self.create_record(body.get("recordTypeId"), data)
        return self._record_json(record, _attributes(query), aliased=_flag(query, "aliased"))

    def create_record(self, record_type_id: object, data: Mapping[str, object]) -> PlanningRecord:
        """Create a record as the API does (no computed or system values)."""
        return self._create_record(
            record_type_id,
            data,
            allow_computed=False,
            ident=None,
            created_by=None,
            created_at=None,
            updated_by=None,
            updated_at=None,
        )

    def _create_record(
        self,
        record_type_id: object,
        data: Mapping[str, object],
        *,
        allow_computed: bool,
        ident: str | None,
        created_by: str | None,
        created_at: str | None,
        updated_by: str | None,
        updated_at: str | None,
    ) -> PlanningRecord:
        rt = self._record_type(record_type_id)
        if ident is not None and (not isinstance(ident, str) or ident in self._records):
            raise _bad(f"Record ID {ident!r} is already taken or not a string.")
        if len(self._by_type[rt.id]) >= self.max_records_per_type:
            raise planning_error(
                403,
                "RECORD_TYPE_RECORD_LIMIT_EXCEEDED",
                f"Record type {rt.id!r} already holds {self.max_records_per_type} records, "
                "the most a record type can hold.",
                {"recordTypeId": rt.id, "limit": self.max_records_per_type},
            )
        clean = self._clean_data(rt, _by_id(rt, data), allow_computed=allow_computed)
        now = self._now()
        creator = created_by or self.acting_user_id
        created = created_at or now
        record = PlanningRecord(
            id=ident or self._new_id("rec", self._records),
            record_type_id=rt.id,
            data=clean,
            created_by=creator,
            created_at=created,
            updated_by=updated_by or creator,
            updated_at=updated_at or created,
        )
        self._store(record)
        self.row_order[rt.id].append(record.id)
        return record

    def _update_from_api(
        self, record_id: str, body: Mapping[str, object], query: list[tuple[str, str]]
    ) -> dict[str, object]:
        updated = self.write_record(record_id, body, replace=True)
        return self._record_json(updated, _attributes(query), aliased=_flag(query, "aliased"))

    def write_record(
        self, record_id: str, body: Mapping[str, object], *, replace: bool
    ) -> PlanningRecord:
        """``PUT`` (``replace``: every writable field not sent becomes empty,
        docs/api-notes.md §5) or ``PATCH`` (JSON merge patch: only the fields sent
        change, ``null`` clears one; a list field also takes
        ``[{"op": "add"|"remove", "value": [...]}]``)."""
        record = self._get_record(record_id)
        if not isinstance(body, Mapping):
            raise _bad("A record update is a JSON object with a 'data' object.")
        self._check_write_keys(body)
        if body.get("recordTypeId", record.record_type_id) != record.record_type_id:
            raise _bad("A record cannot move to another record type; leave out 'recordTypeId'.")
        if body.get("id", record.id) != record.id:
            raise _bad(f"The body's 'id' does not match the record {record.id!r} in the path.")
        rt = self._record_types[record.record_type_id]
        sent = body.get("data", {})
        if not isinstance(sent, dict):
            raise _bad("'data' must be an object mapping field IDs to values.")
        changes = _by_id(rt, sent)
        # Read-only fields sent back unchanged (a fetched record) are ignored.
        changes = {
            fid: value
            for fid, value in changes.items()
            if (field := rt.field(fid)) is None
            or field.type not in _SYSTEM_TYPES | _COMPUTED_TYPES
            or not _same_value(value, self._raw_value(field, record))
        }
        if not replace:
            changes = {
                fid: self._apply_ops(rt.field(fid), value, record) for fid, value in changes.items()
            }
        clean = self._clean_data(rt, changes, allow_computed=False, partial=True)
        if replace:
            kept = {
                k: v
                for k, v in record.data.items()
                if (f := rt.field(k)) is not None and f.type in _COMPUTED_TYPES
            }
        else:
            kept = {k: v for k, v in record.data.items() if k not in changes}
        merged = {**kept, **{k: v for k, v in clean.items() if v is not None}}
        updated = attrs.evolve(
            record, data=merged, updated_by=self.acting_user_id, updated_at=self._now()
        )
        self._remember_changes(rt, record, updated)
        self._store(updated)
        return updated

    def _apply_ops(
        self, field: PlanningField | None, value: object, record: PlanningRecord
    ) -> object:
        """A list field's operational update (static/v2.json ``patchRecord``)."""
        if (
            field is None
            or not isinstance(value, list)
            or not value
            or not all(isinstance(v, dict) and "op" in v for v in value)
        ):
            return value
        current = [_ref_id(v) for v in (record.data.get(field.id) or [])]  # type: ignore[attr-defined]
        for step in value:
            op, items = step.get("op"), step.get("value")
            if op not in ("add", "remove") or not isinstance(items, list):
                raise _bad(
                    f"Field {field.id!r}: an operational update is "
                    '{"op": "add"|"remove", "value": [...]}, got ' + repr(step),
                    "INVALID_FIELD_VALUE",
                    fieldId=field.id,
                )
            ids = [_ref_id(v) for v in items]
            if op == "add":
                current += [i for i in ids if i not in current]
            else:
                current = [i for i in current if i not in ids]
        return current

    def _remember_changes(
        self, rt: PlanningRecordType, before: PlanningRecord, after: PlanningRecord
    ) -> None:
        for field in rt.fields:
            if field.type in _SYSTEM_TYPES:
                continue
            old, new = before.data.get(field.id), after.data.get(field.id)
            if old == new:
                continue
            snapshot = {
                "id": field.id,
                "type": V2_TYPE_NAMES[field.type],
                "displayName": field.name,
                "description": field.description,
            }
            self.history.setdefault(after.id, []).append(
                {
                    "id": self._new_id("his", set()),
                    "recordId": after.id,
                    "createdBy": after.updated_by,
                    "createdAt": after.updated_at,
                    "fieldId": field.id,
                    "before": {"value": self._out_value(field, old), "fieldSnapshot": snapshot},
                    "after": {"value": self._out_value(field, new), "fieldSnapshot": snapshot},
                }
            )

    def _delete_record(self, record_id: str) -> None:
        record = self._get_record(record_id)
        del self._records[record_id]
        del self._by_type[record.record_type_id][record_id]
        self._views.pop(record_id, None)
        self.history.pop(record_id, None)
        order = self.row_order.get(record.record_type_id, [])
        if record_id in order:
            order.remove(record_id)
        # Remove the deleted record from every reference field that links to it.
        for rt in self._record_types.values():
            refs = [f.id for f in rt.fields if f.type == "reference"]
            if not refs:
                continue
            for other in list(self._by_type[rt.id].values()):
                changed = {
                    fid: [x for x in other.data[fid] if x != record_id]  # type: ignore[attr-defined]
                    for fid in refs
                    if isinstance(other.data.get(fid), list) and record_id in other.data[fid]  # type: ignore[operator]
                }
                if changed:
                    data = {**other.data, **changed}
                    data = {k: v for k, v in data.items() if v != []}
                    self._store(attrs.evolve(other, data=data))

    def _store(self, record: PlanningRecord) -> None:
        self._records[record.id] = record
        self._by_type[record.record_type_id][record.id] = record
        self._views.pop(record.id, None)

    def _clean_data(
        self,
        rt: PlanningRecordType,
        data: Mapping[str, object],
        *,
        allow_computed: bool,
        partial: bool = False,
    ) -> dict[str, object]:
        """Validate and normalise field values. Empty values (``None``, ``""``,
        ``[]``) are dropped, or with ``partial`` kept as ``None`` to mean "clear"."""
        if not isinstance(data, Mapping):
            raise _bad("'data' must be an object mapping field IDs to values.")
        out: dict[str, object] = {}
        for fid, value in data.items():
            field = rt.field(fid) if isinstance(fid, str) else None
            if field is None:
                raise _bad(
                    f"Record type {rt.id!r} has no field {fid!r}; its fields are: "
                    + ", ".join(f"{f.id} ({f.name})" for f in rt.fields),
                    "INVALID_FIELD_VALUE",
                    fieldId=fid,
                )
            if field.type in _SYSTEM_TYPES or (
                field.type in _COMPUTED_TYPES and not allow_computed
            ):
                raise _bad(
                    f"Field {fid!r} of type {field.type!r} is read-only.",
                    "INVALID_FIELD_VALUE",
                    fieldId=fid,
                    fieldType=field.type,
                )
            clean = None if is_empty(value) else self._clean_value(field, value)
            if clean is not None or partial:
                out[fid] = clean
        return out

    def _clean_value(self, field: PlanningField, value: object) -> object:
        vtype = field.value_type
        if field.type == "lookup" and isinstance(value, list) and vtype not in MULTI_TYPES:
            # a lookup through a reference to several records rolls up a list
            return [self._clean_value(attrs.evolve(field, type=vtype), v) for v in value]

        def reject(what: str) -> APIError:
            return _bad(
                f"Field {field.id!r} ({field.name}, type {field.type!r}) takes {what}; "
                f"got {value!r}.",
                "INVALID_FIELD_VALUE",
                fieldId=field.id,
                fieldType=field.type,
            )

        if vtype in TEXT_TYPES or vtype in ("created by", "updated by"):
            if not isinstance(value, str):
                raise reject("a string")
            return value
        if vtype in NUMBER_TYPES:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise reject("a number")
            if value != value or value in (float("inf"), float("-inf")):
                raise reject("a finite number")
            return value
        if vtype in DATE_TYPES:
            span = parse_datetime(value)
            if span is None:
                raise reject("an ISO 8601 date such as '2024-03-31T20:00:00.000Z'")
            if isinstance(value, str) and DAY.match(value):
                return value  # a date-only value stays a date (static/v2.json example)
            return format_datetime(datetime.fromtimestamp(span[0] / 1e6, UTC))
        if vtype == "boolean":
            if not isinstance(value, bool):
                raise reject("true or false")
            return value
        if vtype == "single select":
            if not isinstance(value, str) or (field.options and value not in field.options):
                raise reject(_option_text(field.options, many=False))
            return value
        if vtype in MULTI_TYPES:
            if vtype == "reference" and isinstance(value, list):
                # docs/api-notes.md §5: reference values come back as
                # [{"id", "externalId", "value"}]; sending them back is fine
                value = [_ref_id(v) for v in value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise reject("a list of strings")
            items = list(dict.fromkeys(value))
            outside = [v for v in items if field.options and v not in field.options]
            if vtype == "multi select" and outside:
                raise reject(_option_text(field.options, many=True))
            if vtype == "reference" and field.type == "reference":
                for target in items:
                    linked = self._records.get(target)
                    wanted = field.reference_record_type_id
                    if linked is None or (wanted is not None and linked.record_type_id != wanted):
                        raise reject(
                            "IDs of existing records"
                            + (f" of record type {wanted!r}" if wanted else "")
                        )
            return items
        raise reject("no value")  # pragma: no cover - every type is handled above

    # ----- reading and searching -------------------------------------------

    def user_ref(self, user_id: str | None) -> dict[str, object] | None:
        """v2's ``{id, name}`` user reference (static/v2.json UserReferenceDto)."""
        if user_id is None:
            return None
        return {"id": user_id, "name": self.user_names.get(user_id, user_id)}

    def _record_json(
        self,
        record: PlanningRecord,
        attributes: frozenset[str] | None,
        *,
        aliased: bool = False,
        version: str = "v1",
        field_ids: frozenset[str] | None = None,
    ) -> dict[str, object]:
        rt = self._record_types[record.record_type_id]
        data = self._data_json(rt, record, aliased=aliased, field_ids=field_ids)
        if version == "v2":
            out: dict[str, object] = {
                "id": record.id,
                "recordTypeId": record.record_type_id,
                "data": data,
                "createdBy": self.user_ref(record.created_by),
                "createdAt": record.created_at,
                "updatedBy": self.user_ref(record.updated_by),
                "updatedAt": record.updated_at,
                "thumbnailUrl": DEFAULT_THUMBNAIL,
                "coverImage": {"url": DEFAULT_THUMBNAIL, "position": 0},
            }
            if aliased:
                out["recordTypeAlias"] = rt.alias
            return out
        full: dict[str, object] = {
            "id": record.id,
            "recordTypeId": record.record_type_id,
            "data": data,
            "createdBy": record.created_by,
            "createdAt": record.created_at,
            "updatedBy": record.updated_by,
            "updatedAt": record.updated_at,
            "customerId": self.customer_id,
            "imsOrgId": self.ims_org_id,
            "thumbnailUrl": DEFAULT_THUMBNAIL,
            "coverImage": {"url": DEFAULT_THUMBNAIL, "position": 0},
        }
        if attributes is None:
            return full
        return {k: v for k, v in full.items() if k == "id" or k in attributes}

    def _data_json(
        self,
        rt: PlanningRecordType,
        record: PlanningRecord,
        *,
        aliased: bool = False,
        field_ids: frozenset[str] | None = None,
    ) -> dict[str, object]:
        data: dict[str, object] = {}
        for f in rt.fields:
            if field_ids is not None and f.id not in field_ids and f.alias not in field_ids:
                continue
            value = self._out_value(f, self._raw_value(f, record))
            if value is not None:
                data[f.alias if aliased else f.id] = value
        return data

    @staticmethod
    def _out_value(field: PlanningField, value: object) -> object:
        """A stored value as the API shapes it: references as
        ``[{"id", "externalId", "value"}]`` (docs/api-notes.md §5), lists copied."""
        if value is None:
            return None
        if field.type == "reference" and isinstance(value, list):
            return [{"id": v, "externalId": None, "value": None} for v in value]
        return list(value) if isinstance(value, list) else value

    @staticmethod
    def _raw_value(field: PlanningField, record: PlanningRecord) -> object:
        if field.type == "created at":
            return record.created_at
        if field.type == "created by":
            return record.created_by
        if field.type == "updated at":
            return record.updated_at
        if field.type == "updated by":
            return record.updated_by
        return record.data.get(field.id)

    def _view(self, rt: PlanningRecordType, record: PlanningRecord) -> dict[str, object]:
        """The evaluation view of a record: values by field ID, dates as
        microseconds since the epoch. Cached until the record changes."""
        view = self._views.get(record.id)
        if view is None:
            view = {}
            for f in rt.fields:
                value = self._raw_value(f, record)
                if value is not None and f.value_type in DATE_TYPES:
                    if isinstance(value, list):
                        spans = [parse_datetime(v) for v in value]
                        value = [s[0] for s in spans if s is not None]
                    else:
                        span = parse_datetime(value)
                        value = None if span is None else span[0]
                if value is not None:
                    view[f.id] = value
            self._views[record.id] = view
        return view

    def resolve_record_type(self, body: Mapping[str, object]) -> PlanningRecordType:
        """The record type a search names by ``recordTypeId`` or ``recordTypeAlias``."""
        if body.get("recordTypeId") in (None, "") and body.get("recordTypeAlias") not in (
            None,
            "",
        ):
            return self._record_type_by_alias(body.get("recordTypeAlias"))
        return self._record_type(body.get("recordTypeId"))

    def matching(
        self,
        rt: PlanningRecordType,
        filters: object,
        sorting: list[tuple[str, bool]],
        row_order_view_id: object = None,
    ) -> list[PlanningRecord]:
        """The records of ``rt`` that ``filters`` (v1 filter objects) selects,
        in order: the view's row order when ``row_order_view_id`` names one
        (else record ID), then the ``sorting`` keys on top (stable)."""
        value_types = {f.id: f.value_type for f in rt.fields}
        predicate = compile_filters(filters, value_types, rt.id)
        matches = [
            (record, view)
            for record in self._by_type[rt.id].values()
            if predicate(view := self._view(rt, record))
        ]
        matches.sort(key=lambda m: m[0].id)
        if row_order_view_id not in (None, ""):
            view_def = self.view_defs.get(str(row_order_view_id))
            if view_def is None or view_def.get("recordTypeId") != rt.id:
                raise _bad(
                    f"rowOrderViewId {row_order_view_id!r} is not a view of record type {rt.id!r}.",
                    fieldId="rowOrderViewId",
                )
            position = {rid: i for i, rid in enumerate(self.row_order.get(rt.id, []))}
            matches.sort(key=lambda m: position.get(m[0].id, len(position)))
        for field_id, descending in reversed(sorting):
            # Stable passes, last key first; empty values stay last either way.
            vtype = value_types[field_id]
            keyed = [(sort_key(vtype, m[1].get(field_id)), m) for m in matches]
            filled = [km for km in keyed if km[0][0] == 0]
            filled.sort(key=lambda km: km[0], reverse=descending)
            matches = [m for _, m in filled] + [m for k, m in keyed if k[0] != 0]
        return [record for record, _ in matches]

    def groups(
        self,
        rt: PlanningRecordType,
        records: Sequence[PlanningRecord],
        field_ids: Sequence[str],
        *,
        with_count: bool = False,
    ) -> list[dict[str, object]]:
        """``groups: [{fieldId, value, recordIds}]`` of every matching record,
        for each grouping field in turn, values in first-seen order."""
        out: list[dict[str, object]] = []
        for field_id in field_ids:
            field = rt.field(field_id) or rt.field_by_alias(field_id)
            if field is None:
                raise _bad(
                    f"Cannot group by unknown field {field_id!r}; fields: "
                    + ", ".join(f.id for f in rt.fields),
                    "INVALID_GROUPING",
                    fieldId=field_id,
                )
            buckets: dict[bytes, dict[str, object]] = {}
            for record in records:
                value = self._out_value(field, self._raw_value(field, record))
                key = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
                bucket = buckets.setdefault(
                    key, {"fieldId": field.id, "value": value, "recordIds": []}
                )
                bucket["recordIds"].append(record.id)  # type: ignore[attr-defined]
            for bucket in buckets.values():
                if with_count:
                    bucket["count"] = len(bucket["recordIds"])  # type: ignore[arg-type]
                out.append(bucket)
        return out

    def _search(
        self, body: Mapping[str, object], query: list[tuple[str, str]]
    ) -> dict[str, object]:
        unknown = sorted(set(body) - _SEARCH_KEYS)
        if unknown:
            raise _bad(
                f"Unknown search parameter(s) {', '.join(unknown)}; the body takes "
                + ", ".join(sorted(_SEARCH_KEYS))
                + ".",
            )
        attributes = _attributes(query)
        aliased = _flag(query, "aliased")
        if body.get("recordTypeAlias") in (None, ""):
            alias = next((v for k, v in query if k == "recordTypeAlias"), None)
            if alias:
                body = {**body, "recordTypeAlias": alias}
        rt = self.resolve_record_type(body)
        value_types = {f.id: f.value_type for f in rt.fields}
        sorting = _sorting(body.get("sorting"), value_types)
        offset = _int_param(body, "offset", 0)
        limit = _int_param(body, "limit", DEFAULT_SEARCH_LIMIT)
        if limit > MAX_SEARCH_LIMIT:
            raise _bad(
                f"The requested limit {limit} is greater than the maximum allowed limit of "
                f"{MAX_SEARCH_LIMIT}; page with 'offset' instead.",
                "INVALID_LIMIT",
                limit=limit,
                maxLimit=MAX_SEARCH_LIMIT,
            )
        grouping = body.get("groupingFieldIds") or []
        if not isinstance(grouping, list) or not all(isinstance(g, str) for g in grouping):
            raise _bad("'groupingFieldIds' must be a list of field IDs.", "INVALID_GROUPING")
        matches = self.matching(rt, body.get("filters"), sorting, body.get("rowOrderViewId"))
        page = matches[offset : offset + limit]
        return {
            "records": [self._record_json(r, attributes, aliased=aliased) for r in page],
            "groups": self.groups(rt, matches, grouping),
            "totalCount": len(matches),
            "offset": offset,
            "limit": limit,
        }


def _version(path: str) -> str:
    parts = [p for p in path.split("?")[0].split("/") if p]
    return parts[0] if parts else ""


def _flag(query: list[tuple[str, str]], name: str) -> bool:
    return any(k == name and v.strip().lower() == "true" for k, v in query)


def _ref_id(value: object) -> object:
    """A reference value as sent: an ID or ``{"id": ..., ...}`` as returned."""
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return value["id"]
    return value


def _same_value(sent: object, stored: object) -> bool:
    if isinstance(sent, list) and isinstance(stored, list):
        return [_ref_id(v) for v in sent] == stored
    return sent == stored


def _by_id(rt: PlanningRecordType, data: Mapping[str, object]) -> dict[str, object]:
    """``data`` keyed by field ID: keys may be field IDs or field aliases."""
    out: dict[str, object] = {}
    for key, value in data.items():
        field = rt.field(key) if isinstance(key, str) else None
        if field is None and isinstance(key, str):
            field = rt.field_by_alias(key)
        out[field.id if field is not None else key] = value
    return out


def _search_query(query: list[tuple[str, str]]) -> dict[str, object]:
    """The search of ``GET /v1/records/search`` (static/v1.json): the body's
    keys as query parameters, ``filters`` as JSON text, lists comma-joined or
    repeated."""
    body: dict[str, object] = {}
    for key in ("recordTypeId", "recordTypeAlias", "rowOrderViewId", "offset", "limit"):
        values = [v for k, v in query if k == key]
        if values:
            body[key] = values[0]
    raw = [v for k, v in query if k == "filters"]
    if raw:
        try:
            body["filters"] = orjson.loads(raw[0])
        except orjson.JSONDecodeError as exc:
            raise _bad(
                f"The 'filters' parameter is not valid JSON: {exc}.", "INVALID_FILTER"
            ) from None
    grouping = [g for k, v in query if k == "groupingFieldIds" for g in v.split(",") if g]
    if grouping:
        body["groupingFieldIds"] = grouping
    return body


def _moment(value: str | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_datetime(value)
    span = parse_datetime(value)
    if span is None:
        raise APIError(f"{value!r} is not an ISO 8601 date-time", status=400)
    return format_datetime(datetime.fromtimestamp(span[0] / 1e6, UTC))


def _option_text(options: Iterable[str], *, many: bool) -> str:
    listed = ", ".join(repr(o) for o in options)
    return f"a list of options out of {listed}" if many else f"one of the options {listed}"


def _allow(method: str, allowed: tuple[str, ...], path: str) -> None:
    if method not in allowed:
        raise planning_error(
            405,
            "METHOD_NOT_ALLOWED",
            f"{method} is not allowed on {path}; use {' or '.join(allowed)}.",
            {"allowedMethods": list(allowed)},
        )


def _json_object(body: bytes) -> dict[str, object]:
    try:
        parsed = orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError as exc:
        raise _bad(f"The request body is not valid JSON: {exc}.", "INVALID_JSON") from None
    if not isinstance(parsed, dict):
        raise _bad("The request body must be a JSON object.", "INVALID_JSON")
    return parsed


def _attributes(query: list[tuple[str, str]]) -> frozenset[str] | None:
    """The ``attributes`` query parameter: ``None`` means every attribute."""
    names = [
        name.strip()
        for key, value in query
        if key == "attributes"
        for name in value.split(",")
        if name.strip()
    ]
    if not names or any(n == "*" or n.upper() == "ALL" for n in names):
        return None
    unknown = sorted(set(names) - set(RECORD_ATTRIBUTES) - {"id"})
    if unknown:
        raise _bad(
            f"Unknown attribute(s) {', '.join(unknown)}; choose from "
            + ", ".join(RECORD_ATTRIBUTES)
            + " (comma-joined), or * for all.",
            "INVALID_ATTRIBUTE",
        )
    return frozenset(names)


def _int_param(body: Mapping[str, object], name: str, default: int) -> int:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, str) and value.strip().isdigit():
        # Adobe's page sends "offset": "2001"; Jackson reads a numeric string
        # into an int field, so the service accepts it (docs/api-notes.md §5)
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _bad(
            f"{name!r} must be a non-negative integer, got {value!r}.",
            "INVALID_LIMIT" if name == "limit" else "INVALID_REQUEST",
        )
    return value


def _sorting(sorting: object, value_types: Mapping[str, str]) -> list[tuple[str, bool]]:
    """Parse ``sorting`` into ``(fieldId, descending)`` pairs."""
    if sorting is None:
        return []
    if isinstance(sorting, dict):
        sorting = [sorting]
    if not isinstance(sorting, list):
        raise _bad(
            '\'sorting\' must be a list of {"fieldId": ..., "direction": "asc"|"desc"}.',
            "INVALID_SORT",
        )
    out: list[tuple[str, bool]] = []
    for item in sorting:
        if not isinstance(item, dict) or not isinstance(item.get("fieldId"), str):
            raise _bad(
                f'Sort entry {item!r} must be {{"fieldId": ..., "direction": "asc"|"desc"}}.',
                "INVALID_SORT",
            )
        field_id = item["fieldId"]
        if field_id not in value_types:
            raise _bad(
                f"Cannot sort on unknown field {field_id!r}; fields: "
                + ", ".join(sorted(value_types)),
                "INVALID_SORT",
                fieldId=field_id,
            )
        direction = item.get("direction", "asc")
        if not isinstance(direction, str) or direction.lower() not in ("asc", "desc"):
            raise _bad(
                f"Sort direction {direction!r} of field {field_id!r} must be 'asc' or 'desc'.",
                "INVALID_SORT",
                fieldId=field_id,
            )
        out.append((field_id, direction.lower() == "desc"))
    return out


_V1_TITLES = {
    400: "Invalid Data",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
}


def v1_error_body(exc: APIError) -> dict[str, object]:
    """A v1 error as Adobe documents it (docs/api-notes.md §5, the "V1 vs V2" guide):
    ``{"type": 40001, "title": "Invalid Data", "report": {"detailedMessage"}}``.
    ``type`` is the status times 100 plus one. The embedded Workfront adds its
    own machine code and details inside ``report`` (``errorCode``,
    ``details``); the documented keys are all a client may rely on."""
    return {
        "type": exc.status * 100 + 1,
        "title": _V1_TITLES.get(exc.status, "Error"),
        "report": {
            "detailedMessage": exc.message,
            "errorCode": exc.error_class,
            "details": exc.detail,
        },
    }


# v2 error codes (static/v2.json, the "V1 vs V2" guide) for the embedded
# Workfront's own codes; codes not listed here are sent as they are.
_V2_CODES = {
    "NOT_FOUND": "ENTITY_WITH_ATTRIBUTE_NOT_FOUND",
    "METHOD_NOT_ALLOWED": "METHOD_NOT_ALLOWED",
}
_V2_TITLES = {
    400: "Validation failed",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
}


def problem_body(exc: APIError) -> dict[str, object]:
    """A v2 error: RFC 7807 problem details as static/v2.json's
    ``V2ProblemDetail`` (``title``, ``status``, ``detail``, ``errorCode``,
    ``requestId``, ``messageArguments``, ``errors``). A 400 is
    ``VALIDATION_FAILED`` with the precise reason in ``errors[0].code``."""
    code = exc.error_class or "INTERNAL_ERROR"
    details = exc.detail if isinstance(exc.detail, Mapping) else {}
    if exc.status == 400:
        error_code = "VALIDATION_FAILED"
        errors = [{"field": str(details.get("fieldId", "")), "message": exc.message, "code": code}]
    else:
        error_code = _V2_CODES.get(code, code)
        errors = []
    return {
        "title": _V2_TITLES.get(exc.status, "Error"),
        "status": exc.status,
        "detail": exc.message,
        "errorCode": error_code,
        "messageArguments": {
            k: v if isinstance(v, str) else orjson.dumps(v).decode() for k, v in details.items()
        },
        "requestId": f"emu-{uuid.uuid4()}",
        "errors": errors,
    }
