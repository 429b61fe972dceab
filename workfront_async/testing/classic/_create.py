"""Creating one object (documents with their first version included) and
keeping its custom forms and fields in step."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._call import ClassicCall, new
from ._filters import (
    bad_request,
)
from ._forms import sync_custom_fields, sync_forms
from ._schema import resolve_obj_code


def create_one(call: ClassicCall, code: str, data: Mapping[str, Any]) -> str:
    tenant = call.tenant
    if not isinstance(data, Mapping):
        raise bad_request(f"each object to create must be a JSON object, not {type(data).__name__}")
    data = dict(data)
    if code == "DOCU":
        return create_document(call, data)
    new_id = tenant.store.create(
        code, data, now=tenant.now(), user_id=call.user_id, new_id=new(call), changes=call.changes
    )
    sync_forms(call, code, new_id, data)
    sync_custom_fields(call, code, new_id, None)
    return new_id


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
