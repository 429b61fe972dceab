"""``GET /metadata`` and ``GET /<obj>/metadata`` in Workfront's shape
(recorded metadata.json, docs/api-notes.md §4 "Metadata")."""

from __future__ import annotations

from typing import Any

from ._call import ClassicCall
from ._schema import CUSTOM_FIELD_TYPES, OBJ_TYPES, field_label


def _base_url(call: ClassicCall) -> str:
    host = call.req.headers.get("host", "localhost")
    local = host.split(":")[0] in ("127.0.0.1", "localhost", "::1", "[::1]")
    return f"{'http' if local else 'https'}://{host}{call.prefix}"


def _entry(
    label: str,
    field_type: str,
    *,
    flags: tuple[str, ...] = (),
    type_obj_code: str | None = None,
    enum_type: str | None = None,
    url: str | None = None,
) -> dict[str, Any]:
    """One entry of ``fields``, ``references`` or ``collections`` (recorded metadata.json)."""
    entry: dict[str, Any] = {}
    if flags:
        entry["flags"] = list(flags)
    entry.update(
        label=label,
        typeObjCode=type_obj_code,
        targetTypeObjCode=None,
        fieldType=field_type,
        enumTargetObjCode=None,
        enumType=enum_type,
        url=url,
    )
    return entry


def metadata(call: ClassicCall, code: str) -> Any:
    """``GET /<obj>/metadata`` in Workfront's shape (recorded metadata.json, API notes §4)."""
    otype = OBJ_TYPES[code]
    base = _base_url(call)
    fields = {
        name: _entry(m.label, m.field_type, flags=m.flags, enum_type=m.enum_type)
        for name, m in sorted(otype.meta.items())
    }

    def link(name: str, target: str, label: str, flags: tuple[str, ...] = ()) -> dict[str, Any]:
        return _entry(
            label,
            OBJ_TYPES[target].name,
            flags=flags,
            type_obj_code=target,
            url=f"{base}/{target.lower()}/metadata",
        )

    operations = ["add", "count", "delete", "edit", "get", "report", "search"]
    if otype.copyable:
        operations.insert(1, "copy")
    actions: dict[str, Any] = {}
    for name, (arguments, result) in sorted(otype.actions.items()):
        action: dict[str, Any] = {
            "arguments": [{"name": a, "type": t} for a, t in arguments],
            "label": name,
        }
        if result is not None:
            action["resultType"] = result
        actions[name] = action
    return {
        "name": otype.name,
        "label": otype.label,
        "objCode": code,
        "flags": list(otype.flags),
        "url": f"{base}/{code.lower()}/metadata",
        "fields": fields,
        "references": {
            name: link(name, target, field_label(name))
            for name, (_, target) in sorted(otype.refs.items())
        },
        # a collection's label is its name (recorded metadata.json: "userRoles")
        "collections": {
            name: link(name, child, name, ("NOT_GROUPABLE",))
            for name, (child, _) in sorted(otype.collections.items())
        },
        # custom fields (DE:) of the tenant with their types; kept out of ``fields``
        # so that clients that turn field names into identifiers still work
        "custom": {
            name: _entry(name[3:], CUSTOM_FIELD_TYPES[kind], flags=("CUSTOM",))
            for name, kind in sorted(call.tenant.store.custom_types.items())
        },
        "search": {},
        "actions": actions,
        "queries": {name: {"label": name} for name in otype.queries},
        "operations": operations,
    }


def metadata_index(call: ClassicCall) -> Any:
    """``GET /metadata``: every object type (docs/api-notes.md §4 "Metadata")."""
    base = _base_url(call)
    return {
        "objects": {
            code: {
                "objCode": code,
                "name": otype.name,
                "label": otype.label,
                "url": f"{base}/{code.lower()}/metadata",
            }
            for code, otype in sorted(OBJ_TYPES.items())
        }
    }
