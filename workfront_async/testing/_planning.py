"""The Workfront Planning API of the embedded Workfront (API-NOTES §3).

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
  ...}`` with the API-NOTES field-type names (``"single select"``, ...),
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
API-NOTES table) is a 400 naming the field, its type and the allowed
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
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from http import HTTPStatus
from types import MappingProxyType

import attrs
import orjson

from .._exceptions import APIError
from ._planning_filters import (
    DATE_TYPES,
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

DEFAULT_SEARCH_LIMIT = 500  # API-NOTES §3
MAX_SEARCH_LIMIT = 2000  # API-NOTES §3
DEMO_USER_ID = "0A1B2C3D4E5F60718293A4B5@AdobeID"
DEMO_EPOCH = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)  # creation time of the demo schema

RECORD_ATTRIBUTES: tuple[str, ...] = (
    "recordTypeId",
    "data",
    "createdBy",
    "createdAt",
    "updatedBy",
    "updatedAt",
)
_IGNORED_WRITE_KEYS = frozenset(
    {"id", "createdBy", "createdAt", "updatedBy", "updatedAt", "customerId", "imsOrgId"}
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

    @property
    def value_type(self) -> str:
        """The type whose values and operators this field takes."""
        if self.type == "lookup" and self.linked_field_type is not None:
            return self.linked_field_type
        return self.type

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "name": self.name,
            "displayName": self.name,
            "type": self.type,
        }
        if self.type in ("single select", "multi select"):
            out["options"] = [{"name": o, "displayName": o} for o in self.options]
        if self.type == "lookup":
            out["linkedField"] = {"type": self.linked_field_type}
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


@attrs.frozen
class PlanningRecordType:
    id: str
    workspace_id: str
    name: str
    fields: tuple[PlanningField, ...]
    created_by: str
    created_at: str

    def field(self, field_id: str) -> PlanningField | None:
        for f in self.fields:
            if f.id == field_id:
                return f
        return None

    def to_json(self) -> dict[str, object]:
        primary = next((f.id for f in self.fields if f.type == "text"), None)
        if primary is None and self.fields:
            primary = self.fields[0].id
        return {
            "id": self.id,
            "workspaceId": self.workspace_id,
            "name": self.name,
            "displayName": self.name,
            "primaryFieldId": primary,
            "fields": [f.to_json() for f in self.fields],
            "createdBy": self.created_by,
            "createdAt": self.created_at,
            "updatedBy": self.created_by,
            "updatedAt": self.created_at,
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
        self._clock = clock or (lambda: datetime.now(UTC))
        self._workspaces: dict[str, PlanningWorkspace] = {}
        self._record_types: dict[str, PlanningRecordType] = {}
        self._records: dict[str, PlanningRecord] = {}
        self._by_type: dict[str, dict[str, PlanningRecord]] = {}
        self._views: dict[str, dict[str, object]] = {}
        self._ids = {k: itertools.count(1) for k in ("ws", "rt", "fld", "rec")}

    @classmethod
    def with_demo_data(cls, seed: int = 0, *, records_per_type: int = 1000) -> PlanningBackend:
        """A tenant with two workspaces, three record types using every field
        type, and ``records_per_type`` records of each, the same for a seed."""
        from ._planning_demo import populate

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

        Each field is a mapping with ``name`` and ``type`` (an API-NOTES field
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
        taken: set[str] = set()
        built: list[PlanningField] = []
        for spec in fields:
            built.append(self._build_field(spec, taken))
            taken.add(built[-1].id)
        rt = PlanningRecordType(
            id=id or self._new_id("rt", self._record_types),
            workspace_id=workspace_id,
            name=name,
            fields=tuple(built),
            created_by=self.acting_user_id,
            created_at=self._now(),
        )
        self._record_types[rt.id] = rt
        self._by_type[rt.id] = {}
        return rt

    def _build_field(self, spec: Mapping[str, object], taken: set[str]) -> PlanningField:
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
        if ref is not None and not isinstance(ref, str):
            raise ValueError(f"field {name!r}: 'recordTypeId' must be a string")
        return PlanningField(
            id=fid,
            name=name,
            type=ftype,
            options=options,
            linked_field_type=linked,
            reference_record_type_id=ref if ftype == "reference" else None,
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
        Returns (HTTP status, JSON-able body); bad input gives a 4xx error body."""
        try:
            return self._route(method.upper(), path, query, body)
        except APIError as exc:
            return exc.status, _error_body(exc, path)

    def _route(
        self, method: str, path: str, query: list[tuple[str, str]], body: bytes
    ) -> tuple[int, object]:
        parts = [p for p in path.split("?")[0].split("/") if p]
        if len(parts) < 2 or parts[0] != "v1":
            raise planning_error(404, "NOT_FOUND", f"No Planning endpoint at {path!r}.")
        resource, rest = parts[1], parts[2:]
        if resource == "records":
            if rest == ["search"]:
                _allow(method, ("POST",), path)
                return 200, self._search(_json_object(body), query)
            if not rest:
                _allow(method, ("POST",), path)
                return 200, self._create_from_api(_json_object(body), query)
            if len(rest) == 1:
                _allow(method, ("GET", "PUT", "DELETE"), path)
                if method == "GET":
                    record = self._get_record(rest[0])
                    return 200, self._record_json(record, _attributes(query))
                if method == "PUT":
                    return 200, self._update_from_api(rest[0], _json_object(body), query)
                self._delete_record(rest[0])
                return 200, None
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
            "name": ws.name,
            "description": ws.description,
            "createdBy": ws.created_by,
            "createdAt": ws.created_at,
            "updatedBy": ws.created_by,
            "updatedAt": ws.created_at,
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
        record = self._create_record(
            body.get("recordTypeId"),
            data,
            allow_computed=False,
            ident=None,
            created_by=None,
            created_at=None,
            updated_by=None,
            updated_at=None,
        )
        return self._record_json(record, _attributes(query))

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
        clean = self._clean_data(rt, data, allow_computed=allow_computed)
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
        return record

    def _update_from_api(
        self, record_id: str, body: Mapping[str, object], query: list[tuple[str, str]]
    ) -> dict[str, object]:
        record = self._get_record(record_id)
        self._check_write_keys(body)
        if body.get("recordTypeId", record.record_type_id) != record.record_type_id:
            raise _bad("A record cannot move to another record type; leave out 'recordTypeId'.")
        if body.get("id", record.id) != record.id:
            raise _bad(f"The body's 'id' does not match the record {record.id!r} in the path.")
        changes = body.get("data", {})
        if not isinstance(changes, dict):
            raise _bad("'data' must be an object mapping field IDs to values.")
        rt = self._record_types[record.record_type_id]
        # Read-only fields sent back unchanged (a fetched record) are ignored.
        changes = {
            fid: value
            for fid, value in changes.items()
            if (field := rt.field(fid)) is None
            or field.type not in _SYSTEM_TYPES | _COMPUTED_TYPES
            or value != self._raw_value(field, record)
        }
        clean = self._clean_data(rt, changes, allow_computed=False, partial=True)
        merged = {k: v for k, v in record.data.items() if k not in changes}
        merged.update({k: v for k, v in clean.items() if v is not None})
        updated = attrs.evolve(
            record, data=merged, updated_by=self.acting_user_id, updated_at=self._now()
        )
        self._store(updated)
        return self._record_json(updated, _attributes(query))

    def _delete_record(self, record_id: str) -> None:
        record = self._get_record(record_id)
        del self._records[record_id]
        del self._by_type[record.record_type_id][record_id]
        self._views.pop(record_id, None)
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

    def _record_json(
        self, record: PlanningRecord, attributes: frozenset[str] | None
    ) -> dict[str, object]:
        rt = self._record_types[record.record_type_id]
        full: dict[str, object] = {
            "id": record.id,
            "recordTypeId": record.record_type_id,
            "data": self._data_json(rt, record),
            "createdBy": record.created_by,
            "createdAt": record.created_at,
            "updatedBy": record.updated_by,
            "updatedAt": record.updated_at,
        }
        if attributes is None:
            return full
        return {k: v for k, v in full.items() if k == "id" or k in attributes}

    def _data_json(self, rt: PlanningRecordType, record: PlanningRecord) -> dict[str, object]:
        data: dict[str, object] = {}
        for f in rt.fields:
            value = self._raw_value(f, record)
            if value is not None:
                data[f.id] = list(value) if isinstance(value, list) else value
        return data

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
                    span = parse_datetime(value)
                    value = None if span is None else span[0]
                if value is not None:
                    view[f.id] = value
            self._views[record.id] = view
        return view

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
        for key in ("rowOrderViewId", "groupingFieldIds", "recordTypeAlias"):
            if body.get(key) not in (None, [], ""):
                raise _bad(
                    f"{key!r} is not supported by the embedded Workfront; leave it out.",
                    "UNSUPPORTED",
                )
        attributes = _attributes(query)
        rt = self._record_type(body.get("recordTypeId"))
        value_types = {f.id: f.value_type for f in rt.fields}
        predicate = compile_filters(body.get("filters"), value_types, rt.id)
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
        matches = [
            (record, view)
            for record in self._by_type[rt.id].values()
            if predicate(view := self._view(rt, record))
        ]
        matches.sort(key=lambda m: m[0].id)
        for field_id, descending in reversed(sorting):
            # Stable passes, last key first; empty values stay last either way.
            vtype = value_types[field_id]
            keyed = [(sort_key(vtype, m[1].get(field_id)), m) for m in matches]
            filled = [km for km in keyed if km[0][0] == 0]
            filled.sort(key=lambda km: km[0], reverse=descending)
            matches = [m for _, m in filled] + [m for k, m in keyed if k[0] != 0]
        page = matches[offset : offset + limit]
        return {
            "records": [self._record_json(record, attributes) for record, _ in page],
            "groups": [],
            "totalCount": len(matches),
            "offset": offset,
            "limit": limit,
        }


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


def _error_body(exc: APIError, path: str) -> dict[str, object]:
    try:
        phrase = HTTPStatus(exc.status).phrase
    except ValueError:  # pragma: no cover - only known statuses are raised
        phrase = "Error"
    return {
        "status": exc.status,
        "error": phrase,
        "code": exc.error_class,
        "message": exc.message,
        "path": "/maestro/api" + path,
        "details": exc.detail,
    }
