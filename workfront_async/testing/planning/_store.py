"""The Planning store: the one state behind the v1 and v2 endpoints, with the
operations both versions share (create, write, delete, search, render).

See ``_v1`` for the wire format and the search semantics."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType

import attrs
import orjson

from ._errors import PlanningError, bad, not_found, planning_error
from ._filters import (
    DATE_TYPES,
    DAY,
    MULTI_TYPES,
    NUMBER_TYPES,
    TEXT_TYPES,
    canonical_field_type,
    compile_filters,
    format_datetime,
    is_empty,
    parse_datetime,
    sort_key,
)
from ._models import (
    COMPUTED_TYPES,
    DEFAULT_THUMBNAIL,
    DEMO_CUSTOMER_ID,
    DEMO_IMS_ORG_ID,
    DEMO_USER_ID,
    MAX_FIELDS_PER_TYPE,
    MAX_RECORDS_PER_TYPE,
    SYSTEM_TYPES,
    V2_TYPE_NAMES,
    PlanningField,
    PlanningRecord,
    PlanningRecordType,
    PlanningWorkspace,
    make_alias,
)
from ._operators import OPERATORS_BY_FIELD_TYPE
from ._sharing import Sharing

__all__ = ["PlanningStore"]


class PlanningStore:
    """The Planning tenant of the embedded Workfront: workspaces, record types
    with typed fields, records, views, row order and change history, shared
    by the v1 and v2 handlers through the public methods below (the private
    state is the store's alone). Methods raise ``PlanningError`` for input
    the API refuses."""

    def __init__(
        self, *, clock: Callable[[], datetime] | None = None, user_id: str = DEMO_USER_ID
    ) -> None:
        self.acting_user_id = user_id
        self.customer_id = DEMO_CUSTOMER_ID
        self.ims_org_id = DEMO_IMS_ORG_ID
        self.user_names: dict[str, str] = {DEMO_USER_ID: "Demo User"}
        self.user_emails: dict[str, str] = {DEMO_USER_ID: "demo.user@example.com"}
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
        # members, inheritance, wildcard access and access requests (v2 permissions)
        self.sharing = Sharing()
        # uploaded thumbnails: record ID -> URL (v2 uploadThumbnail)
        self.thumbnails: dict[str, str] = {}
        self._ids = {
            k: itertools.count(1) for k in ("ws", "rt", "fld", "rec", "vw", "his", "thumb")
        }

    def _new_id(self, kind: str, taken: Mapping[str, object] | set[str]) -> str:
        width = 10 if kind == "rec" else 6
        while True:
            ident = f"{kind}{next(self._ids[kind]):0{width}d}"
            if ident not in taken:
                return ident

    def set_clock(self, clock: Callable[[], datetime]) -> None:
        """Where the store's time comes from (creation and update stamps)."""
        self._clock = clock

    def now(self) -> str:
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
            created_at=self.now(),
            alias=make_alias(name, (w.alias for w in self._workspaces.values())),
        )
        self._workspaces[ws.id] = ws
        self.sharing.add_owner(("workspaces", ws.id), self.acting_user_id)
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
            built.append(self.build_field(spec, taken, [f.alias for f in built]))
            taken.add(built[-1].id)
        rt = PlanningRecordType(
            id=id or self._new_id("rt", self._record_types),
            workspace_id=workspace_id,
            name=name,
            fields=tuple(built),
            created_by=self.acting_user_id,
            created_at=self.now(),
            alias=make_alias(name, (r.alias for r in self._record_types.values())),
        )
        self._record_types[rt.id] = rt
        self._by_type[rt.id] = {}
        self.row_order[rt.id] = []
        self.add_view(rt.id, {"name": "Table", "type": "table"})
        return rt

    def add_view(self, record_type_id: str, spec: Mapping[str, object]) -> dict[str, object]:
        """Create a view (static/v2.json ViewDto) of a record type and return it."""
        rt = self._record_types[record_type_id]
        now = self.now()
        view: dict[str, object] = {
            "id": self._new_id("vw", self.view_defs),
            "name": spec.get("name"),
            # static/v2.json ViewDto.type: table, timeline, calendar, list, gallery
            # (seeding may spell them in capitals, as the schema's description does)
            "type": kind.lower() if isinstance(kind := spec.get("type"), str) else kind,
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

    def build_field(
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
        except PlanningError as exc:
            raise ValueError(exc.message) from None

    # ----- the HTTP surface ------------------------------------------------

    def workspaces(self) -> list[PlanningWorkspace]:
        return list(self._workspaces.values())

    def record_types_of(self, workspace_id: str) -> list[PlanningRecordType]:
        return [rt for rt in self._record_types.values() if rt.workspace_id == workspace_id]

    def _record_type(self, record_type_id: object) -> PlanningRecordType:
        if not isinstance(record_type_id, str) or not record_type_id:
            raise bad(
                "'recordTypeId' must be a record type ID string; list them with "
                "GET /v1/record-types?workspaceId=<id>."
            )
        rt = self._record_types.get(record_type_id)
        if rt is None:
            raise not_found("Record type", record_type_id)
        return rt

    def _record_type_by_alias(self, alias: object) -> PlanningRecordType:
        if not isinstance(alias, str) or not alias:
            raise bad("'recordTypeAlias' must be a record type alias string.")
        for rt in self._record_types.values():
            if rt.alias == alias:
                return rt
        raise not_found("Record type with alias", alias)

    # ----- records -----------------------------------------------------------

    def get_record(self, record_id: str) -> PlanningRecord:
        record = self._records.get(record_id)
        if record is None:
            raise not_found("Record", record_id)
        return record

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
            raise bad(f"Record ID {ident!r} is already taken or not a string.")
        if len(self._by_type[rt.id]) >= self.max_records_per_type:
            raise planning_error(
                403,
                "RECORD_TYPE_RECORD_LIMIT_EXCEEDED",
                f"Record type {rt.id!r} already holds {self.max_records_per_type} records, "
                "the most a record type can hold.",
                {"recordTypeId": rt.id, "limit": self.max_records_per_type},
            )
        clean = self._clean_data(rt, _by_id(rt, data), allow_computed=allow_computed)
        now = self.now()
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

    def write_record(
        self, record_id: str, body: Mapping[str, object], *, replace: bool
    ) -> PlanningRecord:
        """``PUT`` (``replace``: every writable field not sent becomes empty,
        docs/api-notes.md §5) or ``PATCH`` (JSON merge patch: only the fields sent
        change, ``null`` clears one; a list field also takes
        ``[{"op": "add"|"remove", "value": [...]}]``)."""
        record = self.get_record(record_id)
        if not isinstance(body, Mapping):
            raise bad("A record update is a JSON object with a 'data' object.")
        if body.get("recordTypeId", record.record_type_id) != record.record_type_id:
            raise bad("A record cannot move to another record type; leave out 'recordTypeId'.")
        if body.get("id", record.id) != record.id:
            raise bad(f"The body's 'id' does not match the record {record.id!r} in the path.")
        rt = self._record_types[record.record_type_id]
        sent = body.get("data", {})
        if not isinstance(sent, dict):
            raise bad("'data' must be an object mapping field IDs to values.")
        changes = _by_id(rt, sent)
        # Read-only fields sent back unchanged (a fetched record) are ignored.
        changes = {
            fid: value
            for fid, value in changes.items()
            if (field := rt.field(fid)) is None
            or field.type not in SYSTEM_TYPES | COMPUTED_TYPES
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
                if (f := rt.field(k)) is not None and f.type in COMPUTED_TYPES
            }
        else:
            kept = {k: v for k, v in record.data.items() if k not in changes}
        merged = {**kept, **{k: v for k, v in clean.items() if v is not None}}
        updated = attrs.evolve(
            record, data=merged, updated_by=self.acting_user_id, updated_at=self.now()
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
                raise bad(
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
            if field.type in SYSTEM_TYPES:
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

    def delete_record(self, record_id: str) -> None:
        record = self.get_record(record_id)
        del self._records[record_id]
        del self._by_type[record.record_type_id][record_id]
        self._views.pop(record_id, None)
        self.history.pop(record_id, None)
        self.thumbnails.pop(record_id, None)
        self.sharing.forget(("records", record_id))
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
            raise bad("'data' must be an object mapping field IDs to values.")
        out: dict[str, object] = {}
        for fid, value in data.items():
            field = rt.field(fid) if isinstance(fid, str) else None
            if field is None:
                raise bad(
                    f"Record type {rt.id!r} has no field {fid!r}; its fields are: "
                    + ", ".join(f"{f.id} ({f.name})" for f in rt.fields),
                    "INVALID_FIELD_VALUE",
                    fieldId=fid,
                )
            if field.type in SYSTEM_TYPES or (field.type in COMPUTED_TYPES and not allow_computed):
                raise bad(
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

        def reject(what: str) -> PlanningError:
            return bad(
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

    def record_json(
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
        thumbnail = self.thumbnails.get(record.id, DEFAULT_THUMBNAIL)
        if version == "v2":
            out: dict[str, object] = {
                "id": record.id,
                "recordTypeId": record.record_type_id,
                "data": data,
                "createdBy": self.user_ref(record.created_by),
                "createdAt": record.created_at,
                "updatedBy": self.user_ref(record.updated_by),
                "updatedAt": record.updated_at,
                "thumbnailUrl": thumbnail,
                "coverImage": {"url": thumbnail, "position": 0},
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
            "thumbnailUrl": thumbnail,
            "coverImage": {"url": thumbnail, "position": 0},
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
                raise bad(
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
                raise bad(
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

    # ----- the interface the v1 and v2 handlers share ----------------------------------
    #
    # Lookups answer None for an unknown ID; writes replace what is stored. The
    # handlers of both API versions go through these methods and never through
    # the store's private state.

    def workspace(self, workspace_id: str) -> PlanningWorkspace | None:
        return self._workspaces.get(workspace_id)

    def put_workspace(self, workspace: PlanningWorkspace) -> None:
        """Store an edited workspace in place of the one with its ID."""
        self._workspaces[workspace.id] = workspace

    def delete_workspace(self, workspace_id: str) -> None:
        """Delete a workspace with its record types, their records and views;
        global record types of other workspaces it used are detached."""
        for rt in self.record_types_of(workspace_id):
            self.delete_record_type(rt.id)
        for rt in self.record_types():
            if workspace_id in rt.dynamic_workspace_ids + rt.linkable_workspace_ids:
                self._record_types[rt.id] = attrs.evolve(
                    rt,
                    dynamic_workspace_ids=tuple(
                        w for w in rt.dynamic_workspace_ids if w != workspace_id
                    ),
                    linkable_workspace_ids=tuple(
                        w for w in rt.linkable_workspace_ids if w != workspace_id
                    ),
                )
        del self._workspaces[workspace_id]
        self.sharing.forget(("workspaces", workspace_id))

    def record_types_in(self, workspace_id: str) -> list[PlanningRecordType]:
        """The record types a workspace shows: its own, then the global record
        types it uses (dynamic record types)."""
        return self.record_types_of(workspace_id) + [
            rt for rt in self._record_types.values() if workspace_id in rt.dynamic_workspace_ids
        ]

    def global_record_types_for(self, workspace_id: str) -> list[PlanningRecordType]:
        """Global record types a workspace may attach (not its own, not attached)."""
        return [
            rt
            for rt in self._record_types.values()
            if rt.linkable_with(workspace_id) and workspace_id not in rt.dynamic_workspace_ids
        ]

    def attach_record_type(self, workspace_id: str, record_type_id: str) -> PlanningRecordType:
        """Use a global record type in a workspace (v2 createRecordType with
        ``sourceRecordTypeId``); a record type that is not global, or not
        linkable with the workspace, is a 403."""
        rt = self._record_types.get(record_type_id)
        if rt is None:
            raise not_found("Record type", record_type_id, v2=True)
        if workspace_id in rt.dynamic_workspace_ids:
            return rt
        if not rt.linkable_with(workspace_id):
            raise planning_error(
                403,
                "RECORD_TYPE_NOT_LINKABLE",
                f"Record type {record_type_id!r} is not a global record type that workspace "
                f"{workspace_id!r} may use.",
                {"recordTypeId": record_type_id, "workspaceId": workspace_id},
            )
        rt = attrs.evolve(rt, dynamic_workspace_ids=(*rt.dynamic_workspace_ids, workspace_id))
        self._record_types[rt.id] = rt
        return rt

    def detach_record_type(self, workspace_id: str, record_type_id: str) -> None:
        """Stop using a global record type in a workspace (v2
        detachRecordTypeFromWorkspace): 403 in its primary workspace, 404 where
        it is not used. The record type and its records stay."""
        rt = self._record_types.get(record_type_id)
        if rt is None:
            raise not_found("Record type", record_type_id, v2=True)
        if rt.workspace_id == workspace_id:
            raise planning_error(
                403,
                "PRIMARY_WORKSPACE_DETACH_FORBIDDEN",
                f"Workspace {workspace_id!r} is where record type {record_type_id!r} was "
                "created; only a workspace that uses it as a dynamic record type can detach it.",
                {"recordTypeId": record_type_id, "workspaceId": workspace_id},
            )
        if workspace_id not in rt.dynamic_workspace_ids:
            raise planning_error(
                404,
                "NOT_FOUND",
                f"Workspace {workspace_id!r} does not use record type {record_type_id!r}.",
                {"recordTypeId": record_type_id, "workspaceId": workspace_id},
            )
        self._record_types[rt.id] = attrs.evolve(
            rt,
            dynamic_workspace_ids=tuple(w for w in rt.dynamic_workspace_ids if w != workspace_id),
        )

    def resource_exists(self, resource_type: str, resource_id: str) -> bool:
        """Whether a v2 permissions resource (workspaces, record-types, records,
        views) exists."""
        tables: dict[str, Mapping[str, object]] = {
            "workspaces": self._workspaces,
            "record-types": self._record_types,
            "records": self._records,
            "views": self.view_defs,
        }
        return resource_id in tables.get(resource_type, {})

    def set_thumbnail(self, record_id: str, image_format: str) -> str:
        """A new thumbnail URL for a record ("each successful upload produces a
        new URL, even for identical content")."""
        self.get_record(record_id)
        number = next(self._ids["thumb"])
        suffix = "png" if image_format == "png" else "jpg"
        url = f"/maestro/static/thumbnail/{record_id}/{number:06d}.{suffix}"
        self.thumbnails[record_id] = url
        return url

    def clear_thumbnail(self, record_id: str) -> None:
        self.get_record(record_id)
        self.thumbnails.pop(record_id, None)

    def record_type(self, record_type_id: str) -> PlanningRecordType | None:
        return self._record_types.get(record_type_id)

    def record_types(self) -> list[PlanningRecordType]:
        return list(self._record_types.values())

    def put_record_type(self, record_type: PlanningRecordType) -> None:
        """Store an edited record type (name, description, fields) in place of the old."""
        self._record_types[record_type.id] = record_type

    def delete_record_type(self, record_type_id: str) -> None:
        """Delete a record type with its records (unlinked everywhere) and views."""
        for record_id in list(self._by_type[record_type_id]):
            self.delete_record(record_id)
        for view_id in [
            k for k, v in self.view_defs.items() if v["recordTypeId"] == record_type_id
        ]:
            del self.view_defs[view_id]
            self.sharing.forget(("views", view_id))
        del self._record_types[record_type_id]
        del self._by_type[record_type_id]
        self.row_order.pop(record_type_id, None)
        self.sharing.forget(("record-types", record_type_id))

    def record_type_of_field(self, field_id: str) -> PlanningRecordType | None:
        for rt in self._record_types.values():
            if rt.field(field_id) is not None:
                return rt
        return None

    def remove_field(self, record_type: PlanningRecordType, field_id: str) -> None:
        """Take a field off a record type and its values off every record."""
        rt = attrs.evolve(
            record_type, fields=tuple(f for f in record_type.fields if f.id != field_id)
        )
        self._record_types[rt.id] = rt
        for record in list(self._by_type[rt.id].values()):
            if field_id in record.data:
                data = {k: v for k, v in record.data.items() if k != field_id}
                self._store(attrs.evolve(record, data=data))
            self._views.pop(record.id, None)

    def record(self, record_id: str) -> PlanningRecord | None:
        return self._records.get(record_id)

    def records_of(self, record_type_id: str) -> Mapping[str, PlanningRecord]:
        """The records of a record type by ID, in creation order (read only)."""
        return MappingProxyType(self._by_type[record_type_id])

    def move_records(
        self, record_type_id: str, record_ids: Sequence[str], anchor: str, *, after: bool
    ) -> None:
        """Put records in the manual row order right after (or before) ``anchor``."""
        order = [r for r in self.row_order[record_type_id] if r not in record_ids]
        at = order.index(anchor) + (1 if after else 0) if anchor in order else len(order)
        self.row_order[record_type_id] = order[:at] + list(record_ids) + order[at:]


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


def _moment(value: str | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return format_datetime(value)
    span = parse_datetime(value)
    if span is None:
        raise bad(f"{value!r} is not an ISO 8601 date-time")
    return format_datetime(datetime.fromtimestamp(span[0] / 1e6, UTC))


def _option_text(options: Iterable[str], *, many: bool) -> str:
    listed = ", ".join(repr(o) for o in options)
    return f"a list of options out of {listed}" if many else f"one of the options {listed}"
