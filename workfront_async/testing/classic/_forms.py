"""Custom forms (CTGY) and custom fields (PARAM) with their options and the
fields each form lists; the form actions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._call import ClassicCall, action_arg, new
from ._filters import (
    bad_request,
)
from ._schema import OBJ_TYPES, resolve_obj_code
from ._store import not_found, param_kind

# -- custom forms --------------------------------------------------------------


def sync_forms(call: ClassicCall, code: str, obj_id: str, data: Mapping[str, Any]) -> None:
    """Keep an object's custom forms and its ``categoryID`` in step after a write.

    ``objectCategories`` (OBJCAT links, in categoryOrder) lists an object's custom
    forms; ``categoryID`` is the first of them. Setting ``categoryID`` attaches that
    form as the first one (the others follow it); clearing it detaches the first
    form. Replacing ``objectCategories`` makes ``categoryID`` the first form listed.
    A form attaches only to objects of its ``catObjCode``. What Workfront does with
    each combination is not documented: this is the plausible reading of the
    field pages (categoryID "ID of the Category", objectCategories a collection).
    """
    otype = OBJ_TYPES[code]
    if "objectCategories" not in otype.collections:
        return
    if not {"categoryID", "category", "objectCategories"} & set(data):
        return
    store = call.tenant.store
    stamp: dict[str, Any] = {
        "now": call.tenant.now(),
        "user_id": call.user_id,
        "new_id": new(call),
        "changes": call.changes,
    }
    links = store.query(
        'SELECT * FROM "OBJCAT" WHERE "objID" = ? ORDER BY "categoryOrder", rowid', (obj_id,)
    )
    if "objectCategories" not in data:
        wanted = store.get_raw(code, obj_id)
        assert wanted is not None
        form = wanted["categoryID"]
        if form is None:
            for link in links[:1]:
                store.delete("OBJCAT", link["ID"], force=True, **stamp)
            links = links[1:]
        else:
            held = [link for link in links if link["categoryID"] == form]
            if not held:
                store.create("OBJCAT", {"objID": obj_id, "categoryID": form}, **stamp)
                held = store.query(
                    'SELECT * FROM "OBJCAT" WHERE "objID" = ? AND "categoryID" = ?',
                    (obj_id, form),
                )
            links = held[:1] + [link for link in links if link["ID"] != held[0]["ID"]]
    for order, link in enumerate(links):
        form_row = store.get_raw("CTGY", link["categoryID"])
        if form_row is not None and form_row["catObjCode"] not in (None, code):
            raise bad_request(
                f"custom form {form_row['name']!r} ({link['categoryID']}) is for "
                f"{form_row['catObjCode']} objects and cannot be attached to a {code}"
            )
        if link["categoryOrder"] != order or link["objObjCode"] != code:
            store.update_raw("OBJCAT", link["ID"], {"categoryOrder": order, "objObjCode": code})
    first = links[0]["categoryID"] if links else None
    row = store.get_raw(code, obj_id)
    assert row is not None
    if row["categoryID"] != first:
        store.update_raw(code, obj_id, {"categoryID": first})


# The actions of a custom form (Adobe's API page "Category"): attach one form
# (categoryID) or several (categoryIDs) to an object (objID, objCode), or detach
# them. Sent on the type (PUT /ctgy?action=assignCategory&...) or on a form
# (PUT /ctgy/<ID>/assignCategory?objID=...&objCode=..., the form in the path
# standing for categoryID when it is left out).
FORM_ACTIONS = ("assignCategory", "assignCategories", "unassignCategory", "unassignCategories")


def form_action(call: ClassicCall, action: str, form_id: str | None) -> None:
    store = call.tenant.store
    obj_id = action_arg(call, "objID")
    raw_code = action_arg(call, "objCode")
    code = resolve_obj_code(raw_code) if isinstance(raw_code, str) else None
    if not isinstance(obj_id, str) or not obj_id or code is None:
        raise bad_request(f"{action} needs objID=<ID> and objCode=PROJ, TASK or OPTASK")
    if "objectCategories" not in OBJ_TYPES[code].collections:
        raise bad_request(f"{action}: custom forms attach to PROJ, TASK or OPTASK, not {code}")
    if store.get_raw(code, obj_id) is None:
        raise not_found(code, obj_id)
    several = action.endswith("Categories")
    if several:
        raw = action_arg(call, "categoryIDs")
        forms = raw.split(",") if isinstance(raw, str) else raw
    else:
        one = action_arg(call, "categoryID") or form_id
        forms = [one] if one else None
    if not isinstance(forms, list) or not forms or not all(isinstance(f, str) for f in forms):
        wanted = "categoryIDs=<ID>,<ID>..." if several else "categoryID=<ID>"
        raise bad_request(f"{action} needs {wanted} (custom forms, CTGY)")
    for form in forms:
        if store.get_raw("CTGY", form) is None:
            raise not_found("CTGY", form)
    stamp: dict[str, Any] = {
        "now": call.tenant.now(),
        "user_id": call.user_id,
        "new_id": new(call),
        "changes": call.changes,
    }
    links = store.query(
        'SELECT * FROM "OBJCAT" WHERE "objID" = ? ORDER BY "categoryOrder", rowid', (obj_id,)
    )
    held = {link["categoryID"]: link for link in links}
    if action.startswith("assign"):
        for form in dict.fromkeys(forms):
            if form not in held:
                data = {"objID": obj_id, "categoryID": form, "categoryOrder": len(links) + 1}
                store.create("OBJCAT", data, **stamp)
    else:
        for form in forms:
            if form in held:
                store.delete("OBJCAT", held[form]["ID"], force=True, **stamp)
    # renumber, check the forms' object types and set categoryID to the first form
    sync_forms(call, code, obj_id, {"objectCategories": None})


# -- custom fields and the forms that hold them -------------------------------------
#
# A custom field is a PARAM named as its values' ``DE:<name>``; its choices are POPT
# rows (``parameterOptions``) and a form lists its fields as CTGYPA rows
# (``categoryParameters``), in displayOrder (python-workfront's generated v40.py;
# workfront-sdk's WFCustomForm.get_parameters and WFParamenter.get_value_options).

# What deleting an object also deletes: (child ObjCode, its foreign key).
FIELD_PARTS = {
    "PARAM": (("POPT", "parameterID"), ("CTGYPA", "parameterID")),
    "CTGY": (("CTGYPA", "categoryID"),),
}


def sync_custom_fields(
    call: ClassicCall, code: str, obj_id: str, old: Mapping[str, Any] | None
) -> None:
    """After a write of a custom field, an option or a form's field (``old``: the row
    before an edit, None after a create): a PARAM defines (or renames) the custom
    field ``DE:<name>``; new options and form fields get the next displayOrder; a
    name is used once among fields, a value once among a field's options, a field
    once on a form."""
    store = call.tenant.store
    if code == "PARAM":
        row = store.get_raw(code, obj_id)
        assert row is not None
        name = str(row["name"])
        if name.startswith("DE:"):
            raise bad_request(f"PARAM.name is the field's name without 'DE:': send {name[3:]!r}")
        try:
            kind = param_kind(row["dataType"], row["displayType"])
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        twins = store.query_column(
            'SELECT "ID" FROM "PARAM" WHERE "name" = ? AND "ID" != ?', (name, obj_id)
        )
        if twins:
            raise bad_request(
                f"a custom field named {name!r} exists already (PARAM {twins[0]}); "
                "custom field names are unique: edit that one or choose another name"
            )
        if old is not None:
            before = param_kind(old["dataType"], old["displayType"])
            if before != kind:
                raise bad_request(
                    f"custom field {old['name']!r} holds {before} values and cannot become "
                    f"{kind} (dataType {row['dataType']}, displayType {row['displayType']}); "
                    "make a new custom field instead"
                )
            store.rename_custom_field(str(old["name"]), name)
        store.custom_types["DE:" + name] = kind
        number(call, "POPT", "parameterID", obj_id)
    elif code == "CTGY":
        number(call, "CTGYPA", "categoryID", obj_id)
    elif code in ("CTGYPA", "POPT"):
        row = store.get_raw(code, obj_id)
        assert row is not None
        parent = row["categoryID" if code == "CTGYPA" else "parameterID"]
        number(call, code, "categoryID" if code == "CTGYPA" else "parameterID", parent)


def number(call: ClassicCall, code: str, fk: str, parent: str) -> None:
    """Give the CTGYPA or POPT rows of ``parent`` without a displayOrder the next ones
    (in the order they were made); an option without a label shows its value. Refuse
    a field twice on a form or a value twice among a field's options."""
    store = call.tenant.store
    rows = store.query(f'SELECT * FROM "{code}" WHERE "{fk}" = ? ORDER BY rowid', (parent,))
    key = "parameterID" if code == "CTGYPA" else "value"
    seen: set[Any] = set()
    for row in rows:
        if row[key] in seen:
            what = (
                f"custom field {row['parameterID']} is on custom form {parent} already"
                if code == "CTGYPA"
                else f"custom field {parent} has an option {row['value']!r} already"
            )
            raise bad_request(what + "; edit the one there is")
        seen.add(row[key])
    top = max((r["displayOrder"] for r in rows if r["displayOrder"] is not None), default=-1)
    for row in rows:
        changes: dict[str, Any] = {}
        if row["displayOrder"] is None:
            top += 1
            changes["displayOrder"] = top
        if code == "POPT" and row["label"] is None:
            changes["label"] = row["value"]
        if changes:
            store.update_raw(code, row["ID"], changes)


def delete_field_parts(call: ClassicCall, code: str, obj_id: str) -> None:
    """Deleting a custom field deletes its options and takes it off every form;
    deleting a form deletes its list of fields (the fields stay)."""
    store = call.tenant.store
    stamp: dict[str, Any] = {
        "now": call.tenant.now(),
        "user_id": call.user_id,
        "new_id": new(call),
        "changes": call.changes,
    }
    for child, fk in FIELD_PARTS[code]:
        for kid in store.fetch_by(child, fk, [obj_id]):
            store.delete(child, kid["ID"], force=True, **stamp)
