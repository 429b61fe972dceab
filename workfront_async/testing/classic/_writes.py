"""Writes of the classic API: create, copy, edit, delete, bulk calls and uploads
(Adobe's "API basics" page, POST/PUT/DELETE behaviour)."""

from __future__ import annotations

import email.parser
import email.policy
import functools
from collections.abc import Mapping
from typing import Any

import orjson

from ._actions import type_action
from ._approvals import status_changed
from ._call import ClassicCall, ids_param, json_param, new, truthy
from ._create import apply_owned, create_one, split_owned
from ._filters import (
    CONTROL_PARAMS,
    bad_request,
)
from ._forms import FIELD_PARTS, delete_field_parts, sync_custom_fields, sync_forms
from ._schema import OBJ_TYPES
from ._store import not_found
from ._templates import attach_template

# -- writes --------------------------------------------------------------------


def updates_from(call: ClassicCall, code: str) -> Any:
    raw = call.p("updates")
    if raw is not None:
        return json_param("updates", raw)
    if call.req.content_type.startswith("application/json") and call.req.body.strip():
        return json_param("request body", call.req.body.decode("utf-8", "replace"), relaxed=False)
    otype = OBJ_TYPES[code]
    data: dict[str, Any] = {}
    for key, value in call.params:
        if key in _WRITE_CONTROL or key.endswith(("_Mod", "_Sort")):
            continue
        if key.startswith("DE:") or otype.field_ci(key) is not None or key == "parameterValues":
            data[key] = value
        else:
            raise bad_request(f"{code} has no field {key!r} (field names are case-sensitive)")
    return data


def create_new(call: ClassicCall, code: str, data: Any) -> str:
    """Create one object as ``POST /<obj>`` asks; a project made with a ``templateID``
    gets the template's tasks (a copy keeps its source's tasks instead)."""
    new_id = create_one(call, code, data)
    if code == "PROJ" and data.get("templateID"):
        attach_template(call, new_id, str(data["templateID"]))
    return new_id


_NOT_COPIED = frozenset(
    {
        "ID",
        "entryDate",
        "lastUpdateDate",
        "enteredByID",
        "lastUpdatedByID",
        "taskNumber",
        "wbs",
        "progressStatus",
        "projectedStartDate",
        "projectedCompletionDate",
    }
)

MAX_BULK = 100  # Adobe's "API basics" page: "Max Number of Batch Creates/Updates"
_WRITE_CONTROL = CONTROL_PARAMS | {"objCode"}

# The children a copy brings along: type -> (child type, the child's link to its owner).
_COPIED_CHILDREN = {"PROJ": ("TASK", "projectID"), "TMPL": ("TTSK", "templateID")}


def _copy_data(code: str, row: Mapping[str, Any], skip: set[str]) -> dict[str, Any]:
    otype = OBJ_TYPES[code]
    data: dict[str, Any] = {f: row[f] for f in otype.fields if f not in skip and row[f] is not None}
    for key, kind in otype.fields.items():
        if kind == "date" and key in data:
            data[key] = data[key] + "Z"
    if row.get("_de"):
        data.update(orjson.loads(row["_de"]))
    return data


def copy(call: ClassicCall, code: str, source_id: str, overrides: Mapping[str, Any]) -> str:
    store = call.tenant.store
    src = store.get_raw(code, source_id)
    if src is None:
        raise not_found(code, source_id)
    skip = set(_NOT_COPIED)
    if code == "TASK":
        skip.add("portfolioID")
    data = _copy_data(code, src, skip)
    data.update(overrides)
    new_id = create_one(call, code, data)
    if code in _COPIED_CHILDREN:
        child, link = _COPIED_CHILDREN[code]
        kids = store.query(
            f'SELECT * FROM "{child}" WHERE "{link}" = ? ORDER BY rowid', (source_id,)
        )
        mapping: dict[str, str] = {}
        for kid in kids:
            kid_skip = skip | {"portfolioID", link, "parentID"}
            if child != "TASK":
                kid_skip.discard("taskNumber")  # only tasks are numbered anew
            kid_data = _copy_data(child, kid, kid_skip)
            kid_data[link] = new_id
            if kid["parentID"]:
                kid_data["parentID"] = mapping.get(kid["parentID"])
            mapping[kid["ID"]] = create_one(call, child, kid_data)
    return new_id


def create_call(call: ClassicCall, code: str) -> Any:
    source = call.p("copySourceID")
    updates = updates_from(call, code)
    if source:
        if not isinstance(updates, dict):
            raise bad_request("a copy takes the fields to change as an object")
        new_id = call.savepoint(lambda: copy(call, code, source, updates))
        return call.render_ids(code, [new_id])[0]
    if isinstance(updates, list):
        return bulk(call, code, updates, create=True)
    new_id = call.savepoint(lambda: create_new(call, code, updates))
    return call.render_ids(code, [new_id])[0]


def bulk(call: ClassicCall, code: str, items: list[Any], *, create: bool) -> Any:
    if len(items) > MAX_BULK:
        raise bad_request(
            f"a bulk call takes at most {MAX_BULK} objects, got {len(items)}; split it"
        )
    atomic = truthy(call.p("atomic"))

    def one(item: Any) -> str:
        if not isinstance(item, dict):
            raise bad_request("each bulk element must be a JSON object")
        if create and "ID" not in item:
            return create_new(call, code, item)
        obj_id = item.get("ID")
        if not obj_id:
            raise bad_request("each element of a bulk edit needs its ID")
        data, owned = split_owned(code, {k: v for k, v in item.items() if k != "ID"})
        old = call.tenant.store.get_raw(code, str(obj_id))
        call.tenant.store.edit(
            code,
            str(obj_id),
            data,
            now=call.tenant.now(),
            user_id=call.user_id,
            new_id=new(call),
            changes=call.changes,
        )
        sync_forms(call, code, str(obj_id), data)
        sync_custom_fields(call, code, str(obj_id), old if code == "PARAM" else None)
        apply_owned(call, code, str(obj_id), owned)
        status_changed(call, code, str(obj_id), old)
        return str(obj_id)

    if atomic:
        call.savepoint(lambda: [one(item) for item in items])
        return {"success": True}
    # Not atomic: each element commits on its own; the first failure stops the call
    # and the elements before it stay done.
    ids: list[str] = []
    for item in items:
        ids.append(call.savepoint(functools.partial(one, item)))
    return [call.render_ids(code, [i])[0] for i in ids]


def bulk_edit(call: ClassicCall, code: str) -> Any:
    action = call.p("action")
    if action:
        return type_action(call, code, action)
    updates = updates_from(call, code)
    ids = ids_param(call)
    if isinstance(updates, dict) and ids:
        # Adobe's "API basics" page, "Editing Objects": PUT /project?id=4c7...&name=New
        # Project Name is the same edit as PUT /project/4c7...?name=New Project Name
        edited = [edit(call, code, obj_id) for obj_id in ids]
        return edited[0] if len(edited) == 1 else edited
    if not isinstance(updates, list):
        raise bad_request(
            f"PUT /{call.segments[0]} without an ID takes updates=[{{...}}, ...] (a bulk edit); "
            f"to edit one object use PUT /{call.segments[0]}/<ID>",
            status=400,
        )
    return bulk(call, code, updates, create=False)


def edit(call: ClassicCall, code: str, obj_id: str) -> Any:
    updates = updates_from(call, code)
    if not isinstance(updates, dict):
        raise bad_request("updates for one object must be a JSON object")
    updates, owned = split_owned(code, updates)
    tenant = call.tenant

    def edit() -> None:
        old = tenant.store.get_raw(code, obj_id)
        tenant.store.edit(
            code,
            obj_id,
            updates,
            now=tenant.now(),
            user_id=call.user_id,
            new_id=new(call),
            changes=call.changes,
        )
        sync_forms(call, code, obj_id, updates)
        sync_custom_fields(call, code, obj_id, old if code == "PARAM" else None)
        apply_owned(call, code, obj_id, owned)
        status_changed(call, code, obj_id, old)

    call.savepoint(edit)
    return call.render_ids(code, [obj_id])[0]


def delete(call: ClassicCall, code: str, obj_id: str) -> Any:
    tenant = call.tenant
    force = truthy(call.p("force"))

    def delete() -> None:
        row = tenant.store.get_raw(code, obj_id) if code in FIELD_PARTS else None
        if row is not None:
            delete_field_parts(call, code, obj_id)
        tenant.store.delete(
            code,
            obj_id,
            force=force,
            now=tenant.now(),
            user_id=call.user_id,
            new_id=new(call),
            changes=call.changes,
        )
        if code == "PARAM" and row is not None:
            tenant.store.drop_custom_field(row["name"])

    call.savepoint(delete)
    return {"success": True}


def delete_many(call: ClassicCall, code: str) -> Any:
    ids = ids_param(call)
    if not ids:
        raise bad_request(f"DELETE /{code} needs an ID in the path or id=<ID>,<ID>", status=400)
    for obj_id in ids:
        delete(call, code, obj_id)
    return {"success": True}


# -- upload --------------------------------------------------------------------


def upload(call: ClassicCall) -> Any:
    ctype = call.req.content_type
    if not ctype.startswith("multipart/form-data"):
        raise bad_request(
            "upload needs a multipart/form-data body with a file field uploadedFile", 400
        )
    raw_ctype = call.req.headers.get("content-type", ctype)
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + raw_ctype.encode("latin-1") + b"\r\n\r\n" + call.req.body
    )
    for part in message.iter_parts():
        disposition = part.get("Content-Disposition", "")
        if 'name="uploadedFile"' in disposition:
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            handle = call.tenant.new_id()
            call.tenant.uploads[handle] = (part.get_filename() or "upload.bin", data)
            return {"handle": handle}
    raise bad_request("upload: no file field named uploadedFile in the multipart body", 400)
