"""The Planning API v2 of the embedded Workfront (docs/api-notes.md §5; Adobe's
``static/v2.json``), over the same storage as v1: a record created through
v1 is read through v2 and the other way round.

Endpoints
---------
Every operation of static/v2.json: ``/v2/workspaces`` (GET list, POST),
``/v2/workspaces/{id}`` (GET, PUT, PATCH, DELETE),
``/v2/workspaces/{id}/record-types`` (GET list, POST),
``/v2/workspaces/{id}/record-types/{recordTypeId}/detach`` (POST),
``/v2/workspaces/{id}/global-record-types`` (GET),
``/v2/record-types/{id}`` (GET, PUT, PATCH, DELETE),
``/v2/record-types/{id}/fields`` (GET list, POST), ``/v2/fields/{id}``,
``/v2/record-types/{id}/views`` (GET list, POST), ``/v2/views/{id}``,
``/v2/record-types/{id}/records`` (GET page, POST),
``/v2/record-types/{id}/records/search`` (GET, POST),
``/v2/record-types/{id}/records/bulk`` (POST, PUT, PATCH, DELETE),
``/v2/record-types/{id}/records/move`` (POST), ``/v2/records/{id}`` (GET,
PUT, PATCH, DELETE), ``/v2/records/{id}/history`` (GET),
``/v2/records/{id}/thumbnail`` (POST multipart, DELETE) and
``/v2/permissions/{resourceType}/{resourceId}`` (GET), with ``/members``
(GET, PATCH), ``/inheritance`` (GET) and ``/requests`` (GET, POST, DELETE).

Validation
----------
Query parameters and bodies bind before anything is looked up, as ``_dto``
describes: properties a schema does not name are ignored; the ones it names
must hold their types, enums and lengths (400 ``VALIDATION_FAILED`` listing
each property); boolean parameters take Spring's words (``true``/``false``,
``on``/``off``, ``yes``/``no``, ``1``/``0``), integer parameters are 32-bit.
A bulk item that does not bind refuses the whole request (400); items that
bind but fail (an unknown record, a bad field value) answer 207 item by item.

Global record types
-------------------
A record type becomes global when ``linkableWithAllWorkspaces`` is true or
``linkableWithWorkspaceIds`` names workspaces (``isGlobal``,
``primaryWorkspaceId``). Another workspace it may link with lists it under
``global-record-types`` and attaches it with ``POST
.../record-types {"displayName", "sourceRecordTypeId"}`` (the record type is
not created but used: ``dynamicWorkspaceIds``, and the workspace's
record-type list shows it); ``detach`` stops that use (204; 403 in its
primary workspace, 404 where it is not used). The emulator does not track
which workspace a record was created from, so detaching keeps every record.

Permissions
-----------
See ``_sharing``: members and roles per resource, a record type's
inheritance, a record's wildcard mode, access requests. ``resourceType`` is
workspaces, record-types, records or views (else 400); managing a resource
that does not exist is a 403.

Shapes
------
* Creates answer 201, deletes 204 with no body, everything else 200.
* Lists of workspaces, record types, fields, views and history entries are
  cursor pages: ``{"content": [...], "cursor": {"hasMore", "nextCursor"}}``
  (``limit`` 1..50 for workspaces and history, 1..100 otherwise, default 20).
* Records: ``createdBy``/``updatedBy`` are ``{"id", "name"}``; no
  ``customerId``/``imsOrgId``; ``?aliased=true`` keys ``data`` by field alias
  and adds ``recordTypeAlias``; ``?fieldIds=``/``?fieldAliases=`` pick fields.
* Search answers ``{"records": <Spring page>, "groups": [...]}``; the page has
  ``content``, ``totalElements``, ``totalPages``, ``number``, ``size``,
  ``numberOfElements``, ``first``, ``last``, ``empty``, ``sort`` and
  ``pageable``. ``page`` starts at 0, ``size`` defaults to 100. The body takes
  ``filter`` (a ``FilterGroupDto``), ``sort`` and ``group``
  (``[{"fieldId", "direction"}]``). A filter is evaluated exactly as the v1
  filter object it translates to (see ``_v1``).
* ``PUT`` replaces (fields not sent become empty), ``PATCH`` is a JSON merge
  patch (``null`` clears; list fields also take ``[{"op": "add"|"remove",
  "value": [...]}]``).
* Bulk: at most 100 items; answers ``RecordBulkResponseDto`` (``status``
  ``success|partial|failed``, ``total``, ``succeeded``, ``failed``,
  ``requestId``, ``errors``, ``results`` in input order with
  ``requestIndex``, ``id``, ``status``, ``error`` or ``record``) with 201
  (create) or 200 when every item succeeded and 207 otherwise.
* Move: ``{"recordIds", "putAfterRecordId" | "putBeforeRecordId"}``, all or
  nothing; ``?rowOrderViewId=`` (v1) and the record list follow the order.
* Limits (static/v2.json): 25,000 records per record type
  (``RECORD_TYPE_RECORD_LIMIT_EXCEEDED``, 403) and 500 fields
  (``FIELD_LIMIT_EXCEEDED``, 403).
* Views: ``type`` is ``table``, ``timeline``, ``calendar``, ``list`` or
  ``gallery`` (ViewDto's enum); every record type starts with a table view.
* Fields: ``type`` is spelled as FieldDto's enum (``TEXT`` .. ``FORMULA``);
  a field is created with one of those, and ``PUT``/``PATCH`` may send its
  own type back unchanged. v2 has no URL type: a v1 url field reads as TEXT.
* Thumbnails: see ``_uploads`` (PNG or JPEG, each upload a new URL).
* Errors are problem details (``problem_body`` in ``_errors``); a 401 is one
  too (``UNAUTHORIZED``), a 405 carries ``Allow``. Paths are routed before
  they are percent-decoded: an encoded ``/`` or ``?`` stays in its ID.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs
import orjson

from .._server._http import Reply, Route, Router
from ._call import (
    PlanningCall,
    flag,
    int_param,
    json_body,
    no_endpoint,
    not_allowed,
    param,
    required_body,
)
from ._dto import FIELD_TYPES_V2, V2, bind, check, field_errors, invalid, kept, known
from ._errors import PlanningError, bad, not_found, planning_error
from ._models import V2_TYPE_NAMES, PlanningRecord, PlanningRecordType, PlanningWorkspace
from ._operators import UNARY_CONDITIONS, V2_CONDITIONS, V2_TO_V1
from ._sharing import RESOURCE_TYPES, Member
from ._store import PlanningStore
from ._uploads import thumbnail_image

__all__ = ["MAX_BULK", "ROUTER", "ROUTES", "v2_filter_to_v1"]

MAX_BULK = 100  # static/v2.json: records per bulk request


def _list_param(query: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [x for k, v in query if k == name for x in v.split(",") if x]


def record_errors(item: object, path: str) -> list[dict[str, str]]:
    """Why one item of a bulk body does not bind to RecordBaseDto."""
    return field_errors(V2["RecordBaseDto"], item, path)


def _cursor_args(query: Sequence[tuple[str, str]], max_limit: int) -> tuple[int, int]:
    """``(start, limit)`` of a cursor listing: the position the ``cursor`` names
    and the ``limit`` (1..``max_limit``, default 20)."""
    limit = int_param(query, "limit", 20, 1, max_limit)
    raw = param(query, "cursor")
    if not raw:
        return 0, limit
    try:
        text = base64.urlsafe_b64decode(raw.encode("utf-8", "replace")).decode()
        if not text.startswith("o:") or not text[2:].isdigit():
            raise ValueError(text)
        return int(text[2:]), limit
    except (ValueError, UnicodeDecodeError):
        raise bad(f"The cursor {raw!r} is not one this service issued.", "INVALID_CURSOR") from None


def _cursor_page(items: Sequence[object], query: Sequence[tuple[str, str]], max_limit: int) -> Any:
    """``{"content", "cursor": {"hasMore", "nextCursor"}}`` (static/v2.json CursorInfo).
    A cursor the service did not issue is a 400 (getHistory: "invalid cursor
    or limit"), as is a limit outside 1..``max_limit``."""
    start, limit = _cursor_args(query, max_limit)
    chunk = list(items[start : start + limit])
    more = start + limit < len(items)
    cursor: dict[str, object] = {"hasMore": more}
    if more:
        cursor["nextCursor"] = base64.urlsafe_b64encode(f"o:{start + limit}".encode()).decode()
    return {"content": chunk, "cursor": cursor}


def v2_filter_to_v1(node: object, resolve: Callable[[str], str], *, root: bool = True) -> object:
    """A v2 ``FilterGroupDto``/``FilterConditionDto`` as the v1 filter object
    with the same meaning (``{"operator": "AND", "conditions": [...]}`` ->
    ``{"$and": [...]}``; ``{"fieldId", "condition": "IS_ANY_OF", "value"}`` ->
    ``{fieldId: {"$isAnyOf": value}}``). ``resolve`` maps a field ID or alias
    to the field ID. Shapes the spec does not allow raise a 400."""
    if not isinstance(node, dict):
        raise bad(f"A filter node is an object, got {node!r}.", "INVALID_FILTER")
    if "operator" in node or "conditions" in node:
        operator, conditions = node.get("operator"), node.get("conditions")
        if not isinstance(operator, str) or operator not in ("AND", "OR"):
            raise bad(
                f"A filter group's 'operator' is AND or OR, got {operator!r}.", "INVALID_FILTER"
            )
        if not isinstance(conditions, list) or not conditions:
            raise bad("A filter group needs a non-empty 'conditions' list.", "INVALID_FILTER")
        key = "$and" if operator == "AND" else "$or"
        return {key: [v2_filter_to_v1(c, resolve, root=False) for c in conditions]}
    if root:
        raise bad(
            '\'filter\' is a group: {"operator": "AND", "conditions": [...]}.', "INVALID_FILTER"
        )
    field_id, condition = node.get("fieldId"), node.get("condition")
    if not isinstance(field_id, str) or not field_id:
        raise bad(f"A filter condition needs a 'fieldId', got {node!r}.", "INVALID_FILTER")
    if not isinstance(condition, str) or condition not in V2_TO_V1:
        raise bad(
            f"Unknown condition {condition!r} on field {field_id!r}; conditions are: "
            + ", ".join(V2_CONDITIONS),
            "INVALID_FILTER",
            fieldId=field_id,
        )
    if condition in UNARY_CONDITIONS:
        if node.get("value") is not None:
            raise bad(f"{condition} takes no 'value'.", "INVALID_FILTER", fieldId=field_id)
        operand = None
    else:
        if "value" not in node:
            raise bad(f"{condition} needs a 'value'.", "INVALID_FILTER", fieldId=field_id)
        operand = node["value"]
    return {resolve(field_id): {V2_TO_V1[str(condition)]: operand}}


def _spring_page(content: list[object], total: int, page: int, size: int) -> dict[str, object]:
    """A Spring ``Page`` as static/v2.json's ``PageRecordDto``."""
    pages = -(-total // size) if size else 0
    sort = {"empty": True, "sorted": False, "unsorted": True}
    return {
        "content": content,
        "totalElements": total,
        "totalPages": pages,
        "number": page,
        "size": size,
        "numberOfElements": len(content),
        "first": page == 0,
        "last": page >= pages - 1,
        "empty": not content,
        "sort": sort,
        "pageable": {
            "offset": page * size,
            "pageNumber": page,
            "pageSize": size,
            "paged": True,
            "unpaged": False,
            "sort": sort,
        },
    }


class _Resources:
    """The v2 resources over the shared ``PlanningStore``: parsing of v2 bodies
    and the v2 shapes of what the store holds."""

    def __init__(self, backend: PlanningStore) -> None:
        self.b = backend

    # ----- helpers --------------------------------------------------------------

    def _rt(self, rt_id: str) -> PlanningRecordType:
        rt = self.b.record_type(rt_id)
        if rt is None:
            raise not_found("Record type", rt_id, v2=True)
        return rt

    def _rt_of_field(self, field_id: str) -> PlanningRecordType:
        rt = self.b.record_type_of_field(field_id)
        if rt is not None:
            return rt
        raise not_found("Field", field_id, v2=True)

    def _audit(self, when: str | None, who: str | None) -> dict[str, object]:
        return {
            "createdBy": self.b.user_ref(who),
            "createdAt": when,
            "updatedBy": self.b.user_ref(who),
            "updatedAt": when,
        }

    # ----- workspaces -------------------------------------------------------------

    def _workspace(self, ws: PlanningWorkspace) -> dict[str, object]:
        out: dict[str, object] = {
            "id": ws.id,
            "createdBy": self.b.user_ref(ws.created_by),
            "createdAt": ws.created_at,
            "updatedBy": self.b.user_ref(ws.updated_by or ws.created_by),
            "updatedAt": ws.updated_at or ws.created_at,
            "alias": ws.alias,
            "name": ws.name,
            "description": ws.description,
        }
        out.update({k: v for k, v in ws.extra.items() if k != "recordTypeSections"})
        out["recordTypeSections"] = self._sections(ws)
        return out

    def _sections(self, ws: PlanningWorkspace) -> list[dict[str, object]]:
        """The sections as last written (IDs of record types gone dropped), with
        the workspace's other record types in the first section; one section
        "Record types" holding them all when none was written."""
        shown = [rt.id for rt in self.b.record_types_in(ws.id)]
        written = ws.extra.get("recordTypeSections")
        if not isinstance(written, list) or not written:
            return [{"displayName": "Record types", "recordTypeIds": shown}]
        sections = [
            {
                "displayName": section.get("displayName"),
                "recordTypeIds": [i for i in section.get("recordTypeIds") or [] if i in shown],
            }
            for section in written
        ]
        listed = {i for section in sections for i in section["recordTypeIds"]}
        sections[0]["recordTypeIds"] += [i for i in shown if i not in listed]
        return sections

    @staticmethod
    def _check_section(ws: PlanningWorkspace, index: int) -> None:
        """A section index of the workspace (without written sections, 0 is the
        one section there is); another is a 400."""
        written = ws.extra.get("recordTypeSections")
        count = len(written) if isinstance(written, list) and written else 1
        if index >= count:
            raise bad(
                f"Workspace {ws.id!r} has {count} record type section(s); sectionIndex "
                f"{index} names none.",
                fieldId="sectionIndex",
            )

    def _add_to_section(self, ws: PlanningWorkspace, rt_id: str, index: int) -> None:
        """Put a new record type in section ``index`` of its workspace."""
        ws = self.b.workspace(ws.id) or ws
        written = ws.extra.get("recordTypeSections")
        sections = [dict(s) for s in written] if isinstance(written, list) else []
        if not sections:
            return
        for section in sections:
            ids = [i for i in section.get("recordTypeIds") or [] if i != rt_id]
            section["recordTypeIds"] = ids
        sections[index]["recordTypeIds"] = [*sections[index]["recordTypeIds"], rt_id]
        self.b.put_workspace(attrs.evolve(ws, extra={**ws.extra, "recordTypeSections": sections}))

    def _write_workspace(
        self, ws_id: str | None, body: Mapping[str, Any], full: bool
    ) -> PlanningWorkspace:
        """Create (``ws_id`` None), replace (``full``) or merge-patch a workspace
        from a bound WorkspaceBaseDto."""
        b = self.b
        name = body.get("name")
        if (full or "name" in body) and (not isinstance(name, str) or not name.strip()):
            raise invalid([{"field": "name", "message": "must not be blank", "code": "NotBlank"}])
        description = body.get("description")
        extra_keys = ("color", "icon", "ownerId", "recordTypeSections")
        if ws_id is None:
            made = b.add_workspace(str(name), description=description or "")
            extra = {k: kept("WorkspaceBaseDto", body, k) for k in extra_keys if body.get(k)}
            made = attrs.evolve(made, extra=extra)
            b.put_workspace(made)
            return made
        ws = b.workspace(ws_id)
        assert ws is not None
        changes: dict[str, Any] = {"updated_by": b.acting_user_id, "updated_at": b.now()}
        if full or "name" in body:
            changes["name"] = name
        if full or "description" in body:
            changes["description"] = description or ""
        extra = {} if full else dict(ws.extra)
        for key in extra_keys:
            if key in body:
                extra[key] = kept("WorkspaceBaseDto", body, key)
        changes["extra"] = {k: v for k, v in extra.items() if v is not None}
        ws = attrs.evolve(ws, **changes)
        b.put_workspace(ws)
        return ws

    # ----- record types ------------------------------------------------------------

    _RECORD_TYPE_EXTRA = (
        "icon",
        "color",
        "isExternal",
        "permissionSettings",
        "externalOptions",
        "authorizedToCreateDynamicRecordType",
    )

    def _record_type_json(self, rt: PlanningRecordType) -> dict[str, object]:
        out: dict[str, object] = {
            "id": rt.id,
            **self._audit(rt.created_at, rt.created_by),
            "alias": rt.alias,
            "displayName": rt.name,
            "description": rt.description,
            "primaryFieldId": rt.primary_field_id,
            "isExternal": False,
            # "On read, the resolved rule ... (defaulted to OPEN when never configured)"
            "permissionSettings": {"mode": "OPEN", "subjects": []},
            "isGlobal": rt.is_global,
            "linkableWithAllWorkspaces": rt.linkable_all,
            "linkableWithWorkspaceIds": list(rt.linkable_workspace_ids),
            "primaryWorkspaceId": rt.workspace_id,
            "dynamicWorkspaceIds": list(rt.dynamic_workspace_ids),
        }
        out.update(rt.extra)
        if out["primaryFieldId"] is None:  # a record type without fields
            del out["primaryFieldId"]
        return out

    def _create_record_type(self, ws_id: str, body: Mapping[str, Any]) -> PlanningRecordType:
        source = body.get("sourceRecordTypeId")
        if source is not None:
            # "When provided, the record type is not created but attached as a dynamic usage."
            return self.b.attach_record_type(ws_id, source)
        if len(self.b.record_types_of(ws_id)) >= 100:
            raise planning_error(
                403, "RECORD_TYPE_LIMIT_EXCEEDED", "A workspace holds at most 100 record types."
            )
        rt = self.b.add_record_type(ws_id, body["displayName"], [{"name": "Name", "type": "text"}])
        rt = self._write_record_type(rt, body, full=False)
        self.b.sharing.add_owner(("record-types", rt.id), self.b.acting_user_id)
        return rt

    def _write_record_type(
        self, rt: PlanningRecordType, body: Mapping[str, Any], full: bool
    ) -> PlanningRecordType:
        changes: dict[str, Any] = {}
        if full or "displayName" in body:
            name = body.get("displayName")
            if not isinstance(name, str) or not name.strip():
                raise invalid(
                    [{"field": "displayName", "message": "must not be blank", "code": "NotBlank"}]
                )
            changes["name"] = name
        if full or "description" in body:
            description = body.get("description")
            changes["description"] = description if isinstance(description, str) else ""
        if full or "linkableWithAllWorkspaces" in body:
            changes["linkable_all"] = bool(body.get("linkableWithAllWorkspaces"))
        if full or "linkableWithWorkspaceIds" in body:
            linked = body.get("linkableWithWorkspaceIds") or []
            unknown = [w for w in linked if self.b.workspace(w) is None]
            if unknown:
                raise bad(
                    f"No workspace {unknown[0]!r} to link record type {rt.id!r} with.",
                    fieldId="linkableWithWorkspaceIds",
                )
            changes["linkable_workspace_ids"] = tuple(dict.fromkeys(linked))
        extra = {} if full else dict(rt.extra)
        for key in self._RECORD_TYPE_EXTRA:
            if key in body:
                extra[key] = kept("RecordTypeDto", body, key)
        changes["extra"] = {k: v for k, v in extra.items() if v is not None}
        rt = attrs.evolve(rt, **changes)
        if not rt.is_global and rt.dynamic_workspace_ids:
            raise bad(
                f"Record type {rt.id!r} is used by workspaces "
                f"{', '.join(rt.dynamic_workspace_ids)}; detach it there before it stops being "
                "global.",
                fieldId="linkableWithAllWorkspaces",
            )
        self.b.put_record_type(rt)
        return rt

    def _delete_record_type(self, rt_id: str) -> None:
        self.b.delete_record_type(rt_id)

    # ----- fields --------------------------------------------------------------------

    def _field_json(self, rt: PlanningRecordType, field_id: str) -> dict[str, object]:
        field = rt.field(field_id)
        if field is None:
            raise not_found("Field", field_id, v2=True)
        return {**field.to_json("v2"), **self._audit(rt.created_at, rt.created_by)}

    def _create_field(self, rt: PlanningRecordType, body: Mapping[str, Any]) -> dict[str, object]:
        if len(rt.fields) >= self.b.max_fields_per_type:
            raise planning_error(
                403,
                "FIELD_LIMIT_EXCEEDED",
                f"Record type {rt.id!r} already has {self.b.max_fields_per_type} fields, the "
                "most a record type can have.",
                {"recordTypeId": rt.id, "limit": self.b.max_fields_per_type},
            )
        spec = self._field_spec(body)
        self._unique_name(rt, str(spec["name"]), None)
        try:
            field = self.b.build_field(
                spec, {f.id for f in rt.fields}, [f.alias for f in rt.fields]
            )
        except ValueError as exc:
            raise bad(str(exc), "INVALID_FIELD") from None
        rt = attrs.evolve(rt, fields=(*rt.fields, field))
        self.b.put_record_type(rt)
        return self._field_json(rt, field.id)

    def _field_spec(self, body: Mapping[str, Any], *, create: bool = True) -> dict[str, Any]:
        """A bound FieldDto as the store builds a field: a non-blank
        ``displayName`` and, to create one, a ``type`` of the FieldDto enum
        (upper case; v2 has no URL type)."""
        name = body.get("displayName")
        if not isinstance(name, str) or not name.strip():
            raise invalid(
                [{"field": "displayName", "message": "must not be blank", "code": "NotBlank"}]
            )
        kind = body.get("type")
        if create and kind not in FIELD_TYPES_V2:
            raise invalid(
                [
                    {
                        "field": "type",
                        "message": "must be one of " + ", ".join(FIELD_TYPES_V2),
                        "code": "NotNull" if kind is None else "InvalidValue",
                    }
                ]
            )
        return {**body, "name": name}

    def _unique_name(self, rt: PlanningRecordType, name: str, field_id: str | None) -> None:
        if any(f.name == name and f.id != field_id for f in rt.fields):
            raise planning_error(
                403,
                "FIELD_DISPLAY_NAME_NOT_UNIQUE",
                f"Record type {rt.id!r} already has a field named {name!r}.",
                {"displayName": name},
            )

    def _write_field(
        self, rt: PlanningRecordType, field_id: str, body: Mapping[str, Any], full: bool
    ) -> dict[str, object]:
        field = rt.field(field_id)
        assert field is not None
        # the field's own type may be sent back as read (a fetched field can be sent back)
        if body.get("type") is not None and body["type"] != V2_TYPE_NAMES[field.type]:
            raise bad("A field's type cannot change; create a new field.", fieldId="type")
        changes: dict[str, Any] = {}
        if full or "displayName" in body:
            spec = self._field_spec(body, create=False)
            self._unique_name(rt, spec["name"], field_id)
            changes["name"] = spec["name"]
        if full or "description" in body:
            description = body.get("description")
            changes["description"] = description if isinstance(description, str) else ""
        if field.type in ("single select", "multi select") and (full or "options" in body):
            options = body.get("options") or []
            if not isinstance(options, list):
                raise bad("'options' is a list of {name, displayName}.", fieldId="options")
            changes["options"] = tuple(
                str(o.get("name") if isinstance(o, Mapping) else o) for o in options
            )
        field = attrs.evolve(field, **changes)
        rt = attrs.evolve(rt, fields=tuple(field if f.id == field_id else f for f in rt.fields))
        self.b.put_record_type(rt)
        return self._field_json(rt, field_id)

    def _delete_field(self, rt: PlanningRecordType, field_id: str) -> None:
        self.b.remove_field(rt, field_id)

    # ----- views -----------------------------------------------------------------------

    def _view_json(self, view: Mapping[str, object]) -> dict[str, object]:
        out = dict(view)
        out["createdBy"] = self.b.user_ref(str(view["createdBy"]))
        out["updatedBy"] = self.b.user_ref(str(view["updatedBy"]))
        out.setdefault("isPublicShared", False)
        out.setdefault("isRestricted", False)
        return out

    @staticmethod
    def _check_view(spec: Mapping[str, Any], *, full: bool) -> None:
        """A bound ViewDto: ``name`` "cannot be blank", ``type`` is required
        (its enum, table..gallery, is the binder's)."""
        for key in ("name", "type"):
            if (full or key in spec) and (
                not isinstance(spec.get(key), str) or not spec[key].strip()
            ):
                raise invalid([{"field": key, "message": "must not be blank", "code": "NotBlank"}])

    def _write_view(
        self, view: dict[str, object], body: Mapping[str, Any], full: bool
    ) -> dict[str, object]:
        self._check_view(body, full=full)
        for key in ("name", "type", "filter", "grouping", "sorting", "metadata", "isHidden"):
            if key in body and body[key] is not None:
                view[key] = kept("ViewDto", body, key)
            elif full or key in body:
                # PUT replaces, and a merge patch's null clears
                if key in ("filter", "grouping", "sorting"):
                    view[key] = []
                elif key == "isHidden":
                    view[key] = False
                else:
                    view.pop(key, None)
        view["updatedBy"] = self.b.acting_user_id
        view["updatedAt"] = self.b.now()
        return view

    # ----- records -----------------------------------------------------------------------

    def _record_body(
        self, body: Mapping[str, Any], rt: PlanningRecordType, *, create: bool
    ) -> dict[str, Any]:
        """A bound RecordBaseDto as the storage takes it (properties it does not
        name are ignored; ``id`` and ``recordTypeId`` must match the record)."""
        data = body.get("data") or {}
        if create:
            if body.get("recordTypeId") not in (None, rt.id):
                raise bad("The body's 'recordTypeId' does not match the record type in the path.")
            return dict(data)
        out = {k: body[k] for k in ("id", "recordTypeId") if body.get(k) is not None}
        return {**out, "data": dict(data)}

    def _fields_param(self, query: Sequence[tuple[str, str]]) -> frozenset[str] | None:
        wanted = _list_param(query, "fieldIds") + _list_param(query, "fieldAliases")
        if not wanted or "*" in wanted:
            return None
        return frozenset(wanted)

    def _record(
        self, record: PlanningRecord, query: Sequence[tuple[str, str]]
    ) -> dict[str, object]:
        return self.b.record_json(
            record,
            None,
            aliased=flag(query, "aliased"),
            version="v2",
            field_ids=self._fields_param(query),
        )

    def _resolver(self, rt: PlanningRecordType) -> Callable[[str], str]:
        def resolve(key: str) -> str:
            field = rt.field(key) or rt.field_by_alias(key)
            return field.id if field is not None else key

        return resolve

    def _sort(self, rt: PlanningRecordType, sort: object, name: str) -> list[tuple[str, bool]]:
        if sort is None:
            return []
        if not isinstance(sort, list):
            raise bad(f'\'{name}\' is a list of {{"fieldId", "direction"}}.', "INVALID_SORT")
        resolve = self._resolver(rt)
        out: list[tuple[str, bool]] = []
        for item in sort:
            if not isinstance(item, dict) or not isinstance(item.get("fieldId"), str):
                raise bad(f"Sort entry {item!r} needs a 'fieldId'.", "INVALID_SORT")
            field = rt.field(resolve(item["fieldId"]))
            if field is None:
                raise bad(
                    f"Cannot sort on unknown field {item['fieldId']!r}.",
                    "INVALID_SORT",
                    fieldId=item["fieldId"],
                )
            direction = item.get("direction") or "asc"
            if direction not in ("asc", "desc"):
                raise bad(
                    f"Sort direction {direction!r} must be 'asc' or 'desc'.",
                    "INVALID_SORT",
                    fieldId=field.id,
                )
            out.append((field.id, direction == "desc"))
        return out

    def _search(
        self, rt: PlanningRecordType, body: Mapping[str, Any], query: Sequence[tuple[str, str]]
    ) -> dict[str, object]:
        # a bound RecordSearchRequestDto; properties it does not name are ignored
        page = int_param(query, "page", 0, 0)
        size = int_param(query, "size", 100, 1)
        resolve = self._resolver(rt)
        raw = body.get("filter")
        filters = None if raw is None else v2_filter_to_v1(raw, resolve)
        group = self._sort(rt, body.get("group"), "group")
        # grouped searches order by the grouping fields first
        sorting = group + self._sort(rt, body.get("sort"), "sort")
        matches = self.b.matching(rt, filters, sorting)
        chunk = matches[page * size : page * size + size]
        content: list[object] = [self._record(r, query) for r in chunk]
        return {
            "records": _spring_page(content, len(matches), page, size),
            "groups": self.b.groups(rt, matches, [g for g, _ in group], with_count=True),
        }

    def _list_records(self, rt: PlanningRecordType, query: Sequence[tuple[str, str]]) -> object:
        page = int_param(query, "page", 0, 0)
        size = int_param(query, "size", 20, 1)
        sorting: list[tuple[str, bool]] = []
        for spec in [v for k, v in query if k == "sort" and v.strip()] or ["createdAt,ASC"]:
            prop, _, direction = spec.partition(",")
            descending = direction.strip().lower() == "desc"
            if prop.strip() in ("", "createdAt", "updatedAt", "id"):
                continue  # applied below
            sorting += self._sort(
                rt, [{"fieldId": prop, "direction": "desc" if descending else "asc"}], "sort"
            )
        matches = self.b.matching(rt, None, sorting)
        if not sorting:
            order = {rid: i for i, rid in enumerate(self.b.row_order.get(rt.id, []))}
            matches.sort(key=lambda r: (r.created_at, order.get(r.id, 0)))
        chunk = matches[page * size : page * size + size]
        return _spring_page([self._record(r, query) for r in chunk], len(matches), page, size)

    # ----- bulk and move ----------------------------------------------------------------

    def _bulk(
        self, method: str, rt: PlanningRecordType, body: object, query: Sequence[tuple[str, str]]
    ) -> Reply:
        b = self.b
        if method == "DELETE":
            items: list[Any] = bind("BulkDeleteRequestDto", body)["ids"]
            if not items:
                # bulkDeleteRecords: "400 Bad Request (empty ids list)"
                raise invalid([{"field": "ids", "message": "must not be empty", "code": "Size"}])
        else:
            # a list of RecordBaseDto: an item that does not bind refuses the whole
            # request (Jackson binds the list before anything is written)
            if not isinstance(body, list):
                raise invalid(
                    [{"field": "", "message": "must be a JSON array", "code": "TypeMismatch"}]
                )
            errors = [e for i, item in enumerate(body) for e in record_errors(item, f"[{i}]")]
            if errors:
                raise invalid(errors)
            items = body
        if len(items) > MAX_BULK:
            raise bad(
                f"A bulk request takes at most {MAX_BULK} records; got {len(items)}. Split it.",
                "BULK_LIMIT_EXCEEDED",
                limit=MAX_BULK,
            )
        results: list[dict[str, object]] = []
        for index, item in enumerate(items):
            ident: object = (
                item if method == "DELETE" else (item.get("id") if isinstance(item, dict) else None)
            )
            try:
                record: PlanningRecord | None
                if method == "POST":
                    record = b.create_record(rt.id, self._record_body(item, rt, create=True))
                    ident = record.id
                else:
                    if not isinstance(ident, str) or not ident:
                        raise bad("Each item names the record by its 'id'.", fieldId="id")
                    current = b.record(ident)
                    if current is None or current.record_type_id != rt.id:
                        raise planning_error(
                            404,
                            "ENTITY_WITH_ATTRIBUTE_NOT_FOUND",
                            f"Record with ID {ident!r} was not found in record type {rt.id!r}.",
                            {"id": ident},
                        )
                    if method == "DELETE":
                        b.delete_record(ident)
                        record = None
                    else:
                        data = self._record_body(item, rt, create=False)
                        record = b.write_record(ident, data, replace=method == "PUT")
                result: dict[str, object] = {
                    "requestIndex": index,
                    "id": ident,
                    "status": "success",
                }
                if record is not None:
                    result["record"] = self._record(record, query)
            except PlanningError as exc:
                result = {
                    "requestIndex": index,
                    "status": "error",
                    "error": {
                        "code": exc.error_class,
                        "message": exc.message,
                        "details": exc.detail,
                    },
                }
                if isinstance(ident, str):
                    result["id"] = ident
            results.append(result)
        failed = sum(1 for r in results if r["status"] == "error")
        succeeded = len(results) - failed
        envelope = {
            "status": "success" if not failed else ("failed" if not succeeded else "partial"),
            "total": len(results),
            "succeeded": succeeded,
            "failed": failed,
            "requestId": f"emu-{uuid.uuid4()}",
            "errors": [],
            "results": results,
        }
        if failed:
            return Reply(207, envelope)
        return Reply(201 if method == "POST" else 200, envelope)

    def _move(self, rt: PlanningRecordType, body: Mapping[str, Any]) -> Reply:
        ids = body.get("recordIds")
        if not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
            raise bad("'recordIds' is a list of record IDs.", fieldId="recordIds")
        if len(ids) > MAX_BULK:
            raise bad(f"A move takes at most {MAX_BULK} records.", fieldId="recordIds")
        after, before = body.get("putAfterRecordId"), body.get("putBeforeRecordId")
        if (after is None) == (before is None):
            raise bad("Give exactly one of putAfterRecordId and putBeforeRecordId.")
        anchor = str(after if after is not None else before)
        in_type = self.b.records_of(rt.id)
        if anchor not in in_type:
            raise not_found("Record", anchor, v2=True)
        missing = [i for i in ids if i not in in_type]
        results: list[dict[str, object]] = []
        for index, ident in enumerate(ids):
            if missing:
                code, message = (
                    ("ENTITY_WITH_ATTRIBUTE_NOT_FOUND", f"Record with ID {ident!r} was not found.")
                    if ident in missing
                    else ("MOVE_ABORTED", "Not moved: another record of the move failed.")
                )
                results.append({"requestIndex": index, "id": ident, "status": "error",
                                "error": {"code": code, "message": message}})  # fmt: skip
            else:
                results.append({"requestIndex": index, "id": ident, "status": "success"})
        if not missing:
            self.b.move_records(rt.id, ids, anchor, after=after is not None)
        envelope = {
            "status": "failed" if missing else "success",
            "total": len(ids),
            "succeeded": 0 if missing else len(ids),
            "failed": len(ids) if missing else 0,
            "requestId": f"emu-{uuid.uuid4()}",
            "errors": [],
            "results": results,
        }
        return Reply(207 if missing else 200, envelope)


# -- handlers -------------------------------------------------------------------------------
#
# Each handler binds its query parameters and body first (a 400 comes before any
# lookup, as a Spring controller's arguments are bound before it runs), then
# finds what the path names.


def _res(call: PlanningCall) -> _Resources:
    return _Resources(call.store)


def _body(call: PlanningCall, schema: str) -> dict[str, Any]:
    """The required body bound to ``schema``; PATCH is a merge patch."""
    return bind(schema, required_body(call.req.body), partial=call.method == "PATCH")


def _workspace_of(call: PlanningCall, key: str = "ws") -> PlanningWorkspace:
    ws = call.store.workspace(call.args[key])
    if ws is None:
        raise not_found("Workspace", call.args[key], v2=True)
    return ws


def _list_workspaces(call: PlanningCall) -> Reply:
    items = [_res(call)._workspace(w) for w in call.store.workspaces()]
    return Reply(200, _cursor_page(items, call.query, 50))


def _create_workspace(call: PlanningCall) -> Reply:
    res = _res(call)
    body = _body(call, "WorkspaceBaseDto")
    return Reply(201, res._workspace(res._write_workspace(None, body, True)))


def _get_workspace(call: PlanningCall) -> Reply:
    return Reply(200, _res(call)._workspace(_workspace_of(call)))


def _write_workspace(call: PlanningCall) -> Reply:
    body = _body(call, "WorkspaceBaseDto")
    ws, res = _workspace_of(call), _res(call)
    full = call.method == "PUT"
    return Reply(200, res._workspace(res._write_workspace(ws.id, body, full)))


def _delete_workspace(call: PlanningCall) -> Reply:
    call.store.delete_workspace(_workspace_of(call).id)
    return Reply(204, b"")


def _list_record_types(call: PlanningCall) -> Reply:
    ws, res = _workspace_of(call), _res(call)
    items = [res._record_type_json(rt) for rt in call.store.record_types_in(ws.id)]
    return Reply(200, _cursor_page(items, call.query, 100))


def _create_record_type(call: PlanningCall) -> Reply:
    # createRecordType: ?sectionIndex= (int32, minimum 0, default 0) names the section
    # of the workspace the record type joins
    section = int_param(call.query, "sectionIndex", 0, 0)
    body = _body(call, "RecordTypeDto")
    ws, res = _workspace_of(call), _res(call)
    res._check_section(ws, section)
    rt = res._create_record_type(ws.id, body)
    res._add_to_section(ws, rt.id, section)
    return Reply(201, res._record_type_json(rt))


def _global_record_types(call: PlanningCall) -> Reply:
    # getGlobalRecordTypes: global record types the workspace may attach
    ws, res = _workspace_of(call), _res(call)
    items = [res._record_type_json(rt) for rt in call.store.global_record_types_for(ws.id)]
    return Reply(200, _cursor_page(items, call.query, 100))


def _detach_record_type(call: PlanningCall) -> Reply:
    # detachRecordTypeFromWorkspace: 204; the record type stays where it was made
    ws = _workspace_of(call)
    call.store.detach_record_type(ws.id, call.args["rt"])
    return Reply(204, b"")


def _get_record_type(call: PlanningCall) -> Reply:
    res = _res(call)
    return Reply(200, res._record_type_json(res._rt(call.args["rt"])))


def _write_record_type(call: PlanningCall) -> Reply:
    body = _body(call, "RecordTypeDto")
    res = _res(call)
    rt = res._rt(call.args["rt"])
    full = call.method == "PUT"
    return Reply(200, res._record_type_json(res._write_record_type(rt, body, full)))


def _delete_record_type(call: PlanningCall) -> Reply:
    res = _res(call)
    res._delete_record_type(res._rt(call.args["rt"]).id)
    return Reply(204, b"")


def _list_fields(call: PlanningCall) -> Reply:
    res = _res(call)
    rt = res._rt(call.args["rt"])
    return Reply(200, _cursor_page([res._field_json(rt, f.id) for f in rt.fields], call.query, 100))


def _create_field(call: PlanningCall) -> Reply:
    body = _body(call, "FieldDto")
    res = _res(call)
    return Reply(201, res._create_field(res._rt(call.args["rt"]), body))


def _get_field(call: PlanningCall) -> Reply:
    res = _res(call)
    field_id = call.args["field"]
    return Reply(200, res._field_json(res._rt_of_field(field_id), field_id))


def _write_field(call: PlanningCall) -> Reply:
    body = _body(call, "FieldDto")
    res = _res(call)
    field_id = call.args["field"]
    rt = res._rt_of_field(field_id)
    full = call.method == "PUT"
    return Reply(200, res._write_field(rt, field_id, body, full))


def _delete_field(call: PlanningCall) -> Reply:
    res = _res(call)
    field_id = call.args["field"]
    res._delete_field(res._rt_of_field(field_id), field_id)
    return Reply(204, b"")


def _list_views(call: PlanningCall) -> Reply:
    res = _res(call)
    rt = res._rt(call.args["rt"])
    views = [res._view_json(v) for v in call.store.view_defs.values() if v["recordTypeId"] == rt.id]
    return Reply(200, _cursor_page(views, call.query, 100))


def _create_view(call: PlanningCall) -> Reply:
    spec = _body(call, "ViewDto")
    res = _res(call)
    res._check_view(spec, full=True)
    rt = res._rt(call.args["rt"])
    kept_spec = known(V2["ViewDto"], spec)
    assert isinstance(kept_spec, dict)
    return Reply(201, res._view_json(call.store.add_view(rt.id, kept_spec)))


def _view_of(call: PlanningCall) -> dict[str, object]:
    view = call.store.view_defs.get(call.args["view"])
    if view is None:
        raise not_found("View", call.args["view"], v2=True)
    return view


def _get_view(call: PlanningCall) -> Reply:
    return Reply(200, _res(call)._view_json(_view_of(call)))


def _write_view(call: PlanningCall) -> Reply:
    body = _body(call, "ViewDto")
    res, view = _res(call), _view_of(call)
    full = call.method == "PUT"
    return Reply(200, res._view_json(res._write_view(view, body, full)))


def _delete_view(call: PlanningCall) -> Reply:
    _view_of(call)
    del call.store.view_defs[call.args["view"]]
    call.store.sharing.forget(("views", call.args["view"]))
    return Reply(204, b"")


def _list_records(call: PlanningCall) -> Reply:
    res = _res(call)
    flag(call.query, "aliased")
    return Reply(200, res._list_records(res._rt(call.args["rt"]), call.query))


def _create_record(call: PlanningCall) -> Reply:
    body = _body(call, "RecordBaseDto")
    res = _res(call)
    flag(call.query, "aliased")
    rt = res._rt(call.args["rt"])
    record = call.store.create_record(rt.id, res._record_body(body, rt, create=True))
    return Reply(201, res._record(record, call.query))


def _search_get(call: PlanningCall) -> Reply:
    query = call.query
    flag(query, "aliased")
    search: dict[str, Any] = {}
    raw = param(query, "filter")
    if raw and raw.strip():
        # the parameter is a string holding a FilterGroupDto as JSON: what it holds is
        # "400 Bad Request (invalid filter parameter)"
        try:
            search["filter"] = orjson.loads(raw)
            check("RecordSearchRequestDto", search, "")
        except orjson.JSONDecodeError as exc:
            raise bad(f"'filter' is not valid JSON: {exc}.", "INVALID_FILTER") from None
        except PlanningError as exc:
            raise bad(
                f"'filter' is not a filter group: {exc.message}", "INVALID_FILTER", fieldId="filter"
            ) from None
    grouping = _list_param(query, "groupingFieldIds")
    if grouping:
        search["group"] = [{"fieldId": g} for g in grouping]
    res = _res(call)
    rt = res._rt(call.args["rt"])
    return Reply(200, res._search(rt, search, query))


def _search_post(call: PlanningCall) -> Reply:
    flag(call.query, "aliased")
    body = _body(call, "RecordSearchRequestDto")
    res = _res(call)
    rt = res._rt(call.args["rt"])
    return Reply(200, res._search(rt, body, call.query))


def _bulk(call: PlanningCall) -> Reply:
    flag(call.query, "aliased")
    body = required_body(call.req.body)
    res = _res(call)
    return res._bulk(call.method, res._rt(call.args["rt"]), body, call.query)


def _move(call: PlanningCall) -> Reply:
    body = _body(call, "MoveRecordsRequestDto")
    res = _res(call)
    return res._move(res._rt(call.args["rt"]), body)


def _get_record(call: PlanningCall) -> Reply:
    flag(call.query, "aliased")
    record = call.store.get_record(call.args["id"])
    return Reply(200, _res(call)._record(record, call.query))


def _write_record(call: PlanningCall) -> Reply:
    body = _body(call, "RecordBaseDto")
    flag(call.query, "aliased")
    store, res = call.store, _res(call)
    record = store.get_record(call.args["id"])
    rt = store.record_type(record.record_type_id)
    assert rt is not None
    data = res._record_body(body, rt, create=False)
    updated = store.write_record(record.id, data, replace=call.method == "PUT")
    return Reply(200, res._record(updated, call.query))


def _delete_record(call: PlanningCall) -> Reply:
    call.store.get_record(call.args["id"])
    call.store.delete_record(call.args["id"])
    return Reply(204, b"")


def _history(call: PlanningCall) -> Reply:
    _cursor_args(call.query, 50)  # a bad limit or cursor is a 400 before the lookup
    call.store.get_record(call.args["id"])
    return Reply(200, _cursor_page(call.store.history.get(call.args["id"], []), call.query, 50))


def _upload_thumbnail(call: PlanningCall) -> Reply:
    # uploadThumbnail: multipart/form-data with a PNG or JPEG "file"; 201 RecordDto
    image_format, _ = thumbnail_image(call.req.headers.get("content-type", ""), call.req.body)
    store = call.store
    record = store.get_record(call.args["id"])
    store.set_thumbnail(record.id, image_format)
    return Reply(201, _res(call)._record(record, call.query))


def _delete_thumbnail(call: PlanningCall) -> Reply:
    # deleteThumbnail: idempotent, 204 even when no thumbnail is set
    call.store.clear_thumbnail(call.args["id"])
    return Reply(204, b"")


# -- permissions (static/v2.json /v2/permissions/{resourceType}/{resourceId}...) ----------------


def _resource(call: PlanningCall, *, manage: bool) -> tuple[str, str]:
    """The resource a permissions path names: its type must be one of
    workspaces, record-types, records, views (400). With ``manage``, the
    operation "Requires MANAGE permission": nobody has it on a resource that
    does not exist (403)."""
    kind, ident = call.args["kind"], call.args["rid"]
    if kind not in RESOURCE_TYPES:
        raise invalid(
            [
                {
                    "field": "resourceType",
                    "message": "must be one of " + ", ".join(RESOURCE_TYPES),
                    "code": "InvalidValue",
                }
            ]
        )
    if manage and not call.store.resource_exists(kind, ident):
        raise planning_error(
            403,
            "FORBIDDEN",
            f"You have no MANAGE permission on {kind} {ident!r}.",
            {"resourceType": kind, "resourceId": ident},
        )
    return kind, ident


def _my_permissions(call: PlanningCall) -> Reply:
    # getMyPermissions: PermissionDto; the emulator's caller may do anything with
    # what exists, nothing with what does not
    kind, ident = _resource(call, manage=False)
    can = call.store.resource_exists(kind, ident)
    return Reply(200, {"canView": can, "canEdit": can, "canDelete": can, "canAdd": can})


def _member_json(store: PlanningStore, member: Member) -> dict[str, object]:
    name = store.user_names.get(member.subject_id, member.subject_id)
    return {
        "subjectId": member.subject_id,
        "subjectType": member.subject_type,
        "name": name,
        "role": member.role,
    }


def _members(call: PlanningCall) -> Reply:
    # getMembers: [MemberPermissionDto]
    resource = _resource(call, manage=True)
    store = call.store
    return Reply(200, [_member_json(store, m) for m in store.sharing.members_of(resource)])


def _update_members(call: PlanningCall) -> Reply:
    # updateMembers: UpdateMembersRequestDto -> 204
    body = _body(call, "UpdateMembersRequestDto")
    resource = _resource(call, manage=True)

    def members(key: str) -> list[Member]:
        return [Member(g["subjectId"], g["subjectType"], g["role"]) for g in body.get(key) or []]

    call.store.sharing.update_members(
        resource,
        grant=members("grant"),
        update=members("update"),
        revoke=[(r["subjectId"], r["subjectType"]) for r in body.get("revoke") or []],
        inherit=body.get("inheritViewOnly"),
        wildcard=body.get("wildcard"),
    )
    return Reply(204, b"")


def _inheritance(call: PlanningCall) -> Reply:
    # getInheritance: InheritanceDto; "Only valid for record-types"
    if call.args["kind"] != "record-types":
        raise invalid(
            [{"field": "resourceType", "message": "must be record-types", "code": "InvalidValue"}]
        )
    _, ident = _resource(call, manage=True)
    return Reply(200, {"inherited": call.store.sharing.is_inherited(ident)})


def _access_requests(call: PlanningCall) -> Reply:
    # getAccessRequests: [AccessRequestDto]
    resource = _resource(call, manage=True)
    store = call.store
    return Reply(
        200,
        [
            {
                "id": r.id,
                "message": r.message,
                "requester": {
                    "id": r.requester_id,
                    "name": store.user_names.get(r.requester_id, r.requester_id),
                    "email": store.user_emails.get(r.requester_id, ""),
                },
            }
            for r in store.sharing.pending(resource)
        ],
    )


def _request_access(call: PlanningCall) -> Reply:
    # createAccessRequest: an optional CreateAccessRequestDto -> 201 {"id"}; asking for
    # access to what does not exist is refused as managing it is (403)
    raw = json_body(call.req.body)
    body = bind("CreateAccessRequestDto", {} if raw is None else raw)
    resource = _resource(call, manage=True)
    store = call.store
    made = store.sharing.request_access(resource, store.acting_user_id, body.get("message") or "")
    return Reply(201, {"id": made.id})


def _dismiss_requests(call: PlanningCall) -> Reply:
    # deleteAccessRequests: DeleteAccessRequestsDto (requestIds, at least one) -> 204
    body = _body(call, "DeleteAccessRequestsDto")
    resource = _resource(call, manage=True)
    call.store.sharing.dismiss(resource, body["requestIds"])
    return Reply(204, b"")


R = Route[PlanningCall]
Handler = Callable[[PlanningCall], Reply]
_RT = r"/v2/record-types/(?P<rt>[^/]+)"
_PERMISSIONS = r"/v2/permissions/(?P<kind>[^/]+)/(?P<rid>[^/]+)"


def _edit(get: Handler, write: Handler, delete: Handler) -> dict[str, Handler]:
    """The methods of a resource: GET, PUT (replace), PATCH (merge) and DELETE."""
    return {"GET": get, "PUT": write, "PATCH": write, "DELETE": delete}


# Paths after ``/maestro/api``, as sent (each path argument is decoded after the
# match); methods in the order a 405 names them (static/v2.json).
ROUTES: Final[tuple[R, ...]] = (
    R(r"/v2/workspaces", {"GET": _list_workspaces, "POST": _create_workspace}),
    R(
        r"/v2/workspaces/(?P<ws>[^/]+)",
        _edit(_get_workspace, _write_workspace, _delete_workspace),
    ),
    R(
        r"/v2/workspaces/(?P<ws>[^/]+)/record-types",
        {"GET": _list_record_types, "POST": _create_record_type},
    ),
    R(
        r"/v2/workspaces/(?P<ws>[^/]+)/record-types/(?P<rt>[^/]+)/detach",
        {"POST": _detach_record_type},
    ),
    R(r"/v2/workspaces/(?P<ws>[^/]+)/global-record-types", {"GET": _global_record_types}),
    R(
        _RT,
        _edit(_get_record_type, _write_record_type, _delete_record_type),
    ),
    R(_RT + "/fields", {"GET": _list_fields, "POST": _create_field}),
    R(
        r"/v2/fields/(?P<field>[^/]+)",
        _edit(_get_field, _write_field, _delete_field),
    ),
    R(_RT + "/views", {"GET": _list_views, "POST": _create_view}),
    R(
        r"/v2/views/(?P<view>[^/]+)",
        _edit(_get_view, _write_view, _delete_view),
    ),
    R(_RT + "/records", {"GET": _list_records, "POST": _create_record}),
    R(_RT + "/records/search", {"GET": _search_get, "POST": _search_post}),
    R(_RT + "/records/bulk", dict.fromkeys(("POST", "PUT", "PATCH", "DELETE"), _bulk)),
    R(_RT + "/records/move", {"POST": _move}),
    R(
        r"/v2/records/(?P<id>[^/]+)",
        _edit(_get_record, _write_record, _delete_record),
    ),
    R(r"/v2/records/(?P<id>[^/]+)/history", {"GET": _history}),
    R(
        r"/v2/records/(?P<id>[^/]+)/thumbnail",
        {"POST": _upload_thumbnail, "DELETE": _delete_thumbnail},
    ),
    R(_PERMISSIONS, {"GET": _my_permissions}),
    R(_PERMISSIONS + "/members", {"GET": _members, "PATCH": _update_members}),
    R(_PERMISSIONS + "/inheritance", {"GET": _inheritance}),
    R(
        _PERMISSIONS + "/requests",
        {"GET": _access_requests, "POST": _request_access, "DELETE": _dismiss_requests},
    ),
)
ROUTER: Final = Router(
    ROUTES, missing=no_endpoint, not_allowed=not_allowed(",".join), decode_args=True
)
