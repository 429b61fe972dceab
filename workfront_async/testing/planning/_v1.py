"""The Planning API v1 of the embedded Workfront (docs/api-notes.md §3): its
routes as a table and the handlers that answer them over the shared
``PlanningStore``.

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
  takes ``{"data"}`` and replaces: every writable field not sent becomes
  empty. Both bodies are required (static/v1.json ``requestBody.required``):
  a write without one is a 400 and changes nothing. Bodies bind as
  ``_dto`` describes (properties the schema does not name are ignored; the
  ones it names must hold their types). The keys ``id``, ``createdBy``,
  ``createdAt``, ``updatedBy``, ``updatedAt``, ``customerId`` and
  ``imsOrgId`` are not written, so a fetched record can be sent back.
  Formula, lookup and created/updated fields cannot be written through the
  API (the seeding helpers may set formula and lookup values; the emulator
  does not compute them). ``DELETE`` answers 200 with no
  body (``None``) and removes the record from every reference field.

Search semantics
----------------
``filters`` is one filter object (static/v1.json, the "V1 vs V2" guide) or a
list of filter objects, ANDed (Adobe's Planning API basics page); both are
taken. A filter object is
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
``rowOrderViewId`` orders by a view's manual row order, ``groupingFieldIds``
adds ``groups``, ``recordTypeAlias`` names the record type by alias.

Errors
------
v1's error body, as the "V1 vs V2" guide prints it (v1.json documents none),
with the emulator's machine code and details inside ``report``::

    {"type": 40001, "title": "Invalid Data",
     "report": {"detailedMessage": "Operator $hasAnyOf is not allowed on field
                'budget' of type 'number'; allowed operators: $is, ...",
                "errorCode": "INVALID_FILTER_OPERATOR",
                "details": {"fieldId": "budget", "fieldType": "number", ...}}}

``type`` is the status times 100 plus one. Codes: ``VALIDATION_FAILED`` (a
body or parameter that does not bind, with ``details.errors`` naming each
property), ``INVALID_JSON``, ``INVALID_REQUEST``, ``INVALID_FILTER``,
``INVALID_FILTER_OPERATOR``, ``INVALID_SORT``, ``INVALID_LIMIT``,
``INVALID_ATTRIBUTE``, ``INVALID_FIELD_VALUE``, ``INVALID_GROUPING`` (400);
``UNAUTHORIZED`` (401); ``NOT_FOUND`` (404); ``METHOD_NOT_ALLOWED`` (405,
with ``Allow``). Paths are routed before they are percent-decoded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import orjson

from .._server._http import Reply, Route, Router
from ._call import (
    PlanningCall,
    answer,
    flag,
    int_param,
    no_endpoint,
    not_allowed,
    required_body,
)
from ._dto import INT32, bind
from ._errors import bad, not_found
from ._models import (
    DEFAULT_SEARCH_LIMIT,
    MAX_SEARCH_LIMIT,
    RECORD_ATTRIBUTES,
    PlanningWorkspace,
)
from ._store import PlanningStore

__all__ = ["ROUTES", "ROUTER"]


# -- handlers ---------------------------------------------------------------------------


def _search_get(call: PlanningCall) -> Reply:
    aliased = flag(call.query, "aliased")
    return answer(200, _search(call.store, _search_query(call.query), call.query, aliased))


def _search_post(call: PlanningCall) -> Reply:
    # searchRecordsPost: the body (RecordSearchDto) is required
    aliased = flag(call.query, "aliased")
    body = bind("RecordSearchDto", required_body(call.req.body), version="v1")
    return answer(200, _search(call.store, body, call.query, aliased))


def _create(call: PlanningCall) -> Reply:
    # createRecord: a required RecordDto body; properties it does not name are ignored
    store, query = call.store, call.query
    aliased = flag(query, "aliased")
    attributes = _attributes(query)
    body = bind("RecordDto", required_body(call.req.body), version="v1")
    record = store.create_record(body.get("recordTypeId"), body.get("data") or {})
    return answer(200, store.record_json(record, attributes, aliased=aliased))


def _get(call: PlanningCall) -> Reply:
    query = call.query
    aliased = flag(query, "aliased")
    attributes = _attributes(query)
    record = call.store.get_record(call.args["id"])
    return answer(200, call.store.record_json(record, attributes, aliased=aliased))


def _replace(call: PlanningCall) -> Reply:
    # updateRecord: a required RecordDto body, bound before the record is looked up
    # (a PUT without a body is a 400 and leaves the record as it was)
    store, query = call.store, call.query
    aliased = flag(query, "aliased")
    attributes = _attributes(query)
    body = bind("RecordDto", required_body(call.req.body), version="v1")
    updated = store.write_record(call.args["id"], body, replace=True)
    return answer(200, store.record_json(updated, attributes, aliased=aliased))


def _delete(call: PlanningCall) -> Reply:
    call.store.delete_record(call.args["id"])
    return answer(200, b"")


def _workspaces(call: PlanningCall) -> Reply:
    store = call.store
    return answer(200, {"workspaces": [_workspace_json(store, w) for w in store.workspaces()]})


def _workspace(call: PlanningCall) -> Reply:
    ws = call.store.workspace(call.args["id"])
    if ws is None:
        raise not_found("Workspace", call.args["id"])
    return answer(200, _workspace_json(call.store, ws))


def _record_types(call: PlanningCall) -> Reply:
    ws_ids = [v for k, v in call.query if k == "workspaceId"]
    if not ws_ids or not ws_ids[0]:
        raise bad(
            "GET /v1/record-types needs the query parameter workspaceId=<workspace ID>; "
            "list workspaces with GET /v1/workspaces."
        )
    if call.store.workspace(ws_ids[0]) is None:
        raise not_found("Workspace", ws_ids[0])
    return answer(200, [rt.to_json() for rt in call.store.record_types_of(ws_ids[0])])


def _record_type(call: PlanningCall) -> Reply:
    rt = call.store.record_type(call.args["id"])
    if rt is None:
        raise not_found("Record type", call.args["id"])
    return answer(200, rt.to_json())


R = Route[PlanningCall]
_ID = r"/(?P<id>[^/]+)"

# Paths after ``/maestro/api``; methods in the order a 405 names them.
ROUTES: Final[tuple[R, ...]] = (
    R(r"/v1/records/search", {"GET": _search_get, "POST": _search_post}),
    R(r"/v1/records", {"POST": _create}),
    R(r"/v1/records" + _ID, {"GET": _get, "PUT": _replace, "DELETE": _delete}),
    R(r"/v1/workspaces", {"GET": _workspaces}),
    R(r"/v1/workspaces" + _ID, {"GET": _workspace}),
    R(r"/v1/record-types", {"GET": _record_types}),
    R(r"/v1/record-types" + _ID, {"GET": _record_type}),
)
ROUTER: Final = Router(ROUTES, missing=no_endpoint, not_allowed=not_allowed(list), decode_args=True)


# -- shapes and request parsing -----------------------------------------------------------


def _workspace_json(store: PlanningStore, ws: PlanningWorkspace) -> dict[str, object]:
    return {
        "id": ws.id,
        "alias": ws.alias,
        "name": ws.name,
        "description": ws.description,
        "createdBy": ws.created_by,
        "createdAt": ws.created_at,
        "updatedBy": ws.updated_by or ws.created_by,
        "updatedAt": ws.updated_at or ws.created_at,
        "customerId": store.customer_id,
        "imsOrgId": store.ims_org_id,
        "recordTypes": [
            {"id": rt.id, "name": rt.name, "displayName": rt.name}
            for rt in store.record_types_of(ws.id)
        ],
    }


def _search(
    store: PlanningStore, body: Mapping[str, object], query: list[tuple[str, str]], aliased: bool
) -> dict[str, object]:
    attributes = _attributes(query)
    if body.get("recordTypeAlias") in (None, ""):
        alias = next((v for k, v in query if k == "recordTypeAlias"), None)
        if alias:
            body = {**body, "recordTypeAlias": alias}
    rt = store.resolve_record_type(body)
    value_types = {f.id: f.value_type for f in rt.fields}
    sorting = _sorting(body.get("sorting"), value_types)
    offset = _int_param(body, "offset", 0)
    limit = _int_param(body, "limit", DEFAULT_SEARCH_LIMIT)
    if limit > MAX_SEARCH_LIMIT:
        raise bad(
            f"The requested limit {limit} is greater than the maximum allowed limit of "
            f"{MAX_SEARCH_LIMIT}; page with 'offset' instead.",
            "INVALID_LIMIT",
            limit=limit,
            maxLimit=MAX_SEARCH_LIMIT,
        )
    grouping = body.get("groupingFieldIds") or []
    if not isinstance(grouping, list) or not all(isinstance(g, str) for g in grouping):
        raise bad("'groupingFieldIds' must be a list of field IDs.", "INVALID_GROUPING")
    matches = store.matching(rt, body.get("filters"), sorting, body.get("rowOrderViewId"))
    page = matches[offset : offset + limit]
    return {
        "records": [store.record_json(r, attributes, aliased=aliased) for r in page],
        "groups": store.groups(rt, matches, grouping),
        "totalCount": len(matches),
        "offset": offset,
        "limit": limit,
    }


def _search_query(query: list[tuple[str, str]]) -> dict[str, object]:
    """The search of ``GET /v1/records/search`` (static/v1.json): the body's
    keys as query parameters, ``filters`` as JSON text, lists comma-joined or
    repeated."""
    body: dict[str, object] = {}
    for key in ("recordTypeId", "recordTypeAlias", "rowOrderViewId"):
        values = [v for k, v in query if k == key]
        if values:
            body[key] = values[0]
    # offset and limit: int32 query parameters (default 0 and 500); a negative one is
    # refused as in the body (_int_param)
    body["offset"] = int_param(query, "offset", 0, INT32[0])
    body["limit"] = int_param(query, "limit", DEFAULT_SEARCH_LIMIT, INT32[0])
    raw = [v for k, v in query if k == "filters" and v.strip()]
    if raw:
        try:
            body["filters"] = orjson.loads(raw[0])
        except orjson.JSONDecodeError as exc:
            raise bad(
                f"The 'filters' parameter is not valid JSON: {exc}.", "INVALID_FILTER"
            ) from None
    grouping = [g for k, v in query if k == "groupingFieldIds" for g in v.split(",") if g]
    if grouping:
        body["groupingFieldIds"] = grouping
    return body


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
        raise bad(
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
        raise bad(
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
        raise bad(
            '\'sorting\' must be a list of {"fieldId": ..., "direction": "asc"|"desc"}.',
            "INVALID_SORT",
        )
    out: list[tuple[str, bool]] = []
    for item in sorting:
        if not isinstance(item, dict) or not isinstance(item.get("fieldId"), str):
            raise bad(
                f'Sort entry {item!r} must be {{"fieldId": ..., "direction": "asc"|"desc"}}.',
                "INVALID_SORT",
            )
        field_id = item["fieldId"]
        if field_id not in value_types:
            raise bad(
                f"Cannot sort on unknown field {field_id!r}; fields: "
                + ", ".join(sorted(value_types)),
                "INVALID_SORT",
                fieldId=field_id,
            )
        direction = item.get("direction", "asc")
        if not isinstance(direction, str) or direction.lower() not in ("asc", "desc"):
            raise bad(
                f"Sort direction {direction!r} of field {field_id!r} must be 'asc' or 'desc'.",
                "INVALID_SORT",
                fieldId=field_id,
            )
        out.append((field_id, direction.lower() == "desc"))
    return out
