"""Creating one object (documents with their first version included) and
keeping its custom forms and fields in step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._approvals import status_changed
from ._call import ClassicCall, new
from ._filters import (
    bad_request,
)
from ._forms import sync_custom_fields, sync_forms
from ._schema import OBJ_TYPES, resolve_obj_code


def create_one(call: ClassicCall, code: str, data: Mapping[str, Any]) -> str:
    tenant = call.tenant
    if not isinstance(data, Mapping):
        raise bad_request(f"each object to create must be a JSON object, not {type(data).__name__}")
    data, owned = split_owned(code, dict(data))
    if code == "DOCU":
        return create_document(call, data)
    new_id = tenant.store.create(
        code, data, now=tenant.now(), user_id=call.user_id, new_id=new(call), changes=call.changes
    )
    sync_forms(call, code, new_id, data)
    sync_custom_fields(call, code, new_id, None)
    apply_owned(call, code, new_id, owned)
    status_changed(call, code, new_id, None)
    return new_id


# Privately owned objects an object holds by reference: set as a nested object, they
# replace the one held ("updates to a collection or nested object completely replace
# the existing" ones, API basics, "Making Nested Updates"; its queueDef example).
OWNED: dict[str, dict[str, tuple[str, str]]] = {"PROJ": {"queueDef": ("QUED", "projectID")}}


def split_owned(code: str, data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the other updates, the owned objects given as nested objects without an ID)."""
    owned = {
        name: value
        for name, value in data.items()
        if name in OWNED.get(code, {}) and isinstance(value, dict) and "ID" not in value
    }
    return {k: v for k, v in data.items() if k not in owned}, owned


def apply_owned(call: ClassicCall, code: str, obj_id: str, owned: Mapping[str, Any]) -> None:
    store, now = call.tenant.store, call.tenant.now()
    stamp: dict[str, Any] = {
        "now": now,
        "user_id": call.user_id,
        "new_id": new(call),
        "changes": call.changes,
    }
    for name, value in owned.items():
        target, link = OWNED[code][name]
        id_field = OBJ_TYPES[code].refs[name][0]
        row = store.get_raw(code, obj_id)
        held = row[id_field] if row is not None else None
        made = store.create(target, {**value, link: obj_id}, **stamp)
        store.edit(code, obj_id, {id_field: made}, **stamp)
        if held:
            store.delete(target, held, force=True, **stamp)


def create_document(call: ClassicCall, data: dict[str, Any]) -> str:
    tenant = call.tenant
    handle = data.pop("handle", None)
    version = data.pop("currentVersion", None) or {}
    if not isinstance(version, dict):
        raise bad_request("currentVersion must be an object {version, fileName}")
    upload = None
    if handle is not None:
        upload = tenant.uploads.get(str(handle))
        if upload is None:
            raise bad_request(f"unknown upload handle {handle!r}: POST the file to /upload first")
    doc_code = data.get("docObjCode")
    obj_id = data.get("objID")
    if doc_code and obj_id:
        target = resolve_obj_code(str(doc_code))
        if target is None or tenant.store.get_raw(target, str(obj_id)) is None:
            raise bad_request(f"document target {doc_code} {obj_id} does not exist")
        data["docObjCode"] = target
    data.setdefault("ownerID", call.user_id)
    now = tenant.now()
    doc_id = tenant.store.create(
        "DOCU", data, now=now, user_id=call.user_id, new_id=new(call), changes=call.changes
    )
    if upload is not None or version:
        file_name = version.get("fileName") or (upload[0] if upload else None)
        version_id = tenant.store.create(
            "DOCV",
            {
                "documentID": doc_id,
                "version": str(version.get("version", "1")),
                "fileName": file_name,
                "fileSize": len(upload[1]) if upload else None,
                "handle": handle,
            },
            now=now,
            user_id=call.user_id,
            new_id=new(call),
            changes=call.changes,
        )
        tenant.store.update_raw("DOCU", doc_id, {"currentVersionID": version_id})
    return doc_id


# Fields the server sets anew on a copy (numbers, WBS and projections are recomputed).
