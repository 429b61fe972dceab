"""What a generated package is made from: the tenant's metadata, read once.

For each object: ``GET /<obj>/metadata`` (fields, references, collections);
the custom fields of the tenant's custom forms for that object type
(``GET /ctgy/search?catObjCode=...`` with each form's parameters and their
options: Adobe's "Custom forms" API pages); and, for objects with a status,
every status value the tenant has (``GET /cstem/search?enumClass=STATUS_...``).
The result is plain data (no URLs, nothing of the host), so that its hash
says whether the tenant changed and nothing else.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from .._core.concurrency import task_group
from .._core.exceptions import WorkfrontError
from ..query import Q

if TYPE_CHECKING:
    from ..classic._client import Workfront

__all__ = ["ObjectSpec", "TenantSpec", "collect"]

# Object types with a status enumeration (CSTEM enumClass STATUS_<code>).
_STATUS_CLASSES = {"PROJ": "STATUS_PROJ", "TASK": "STATUS_TASK", "OPTASK": "STATUS_OPTASK"}
_PARAM_FIELDS = (
    "catObjCode",
    "categoryParameters:parameter:name",
    "categoryParameters:parameter:dataType",
    "categoryParameters:parameter:displayType",
    "categoryParameters:parameter:parameterOptions:value",
)


@attrs.frozen
class ObjectSpec:
    """One object as the generator sees it."""

    code: str
    name: str
    fields: Mapping[str, str]  # name -> fieldType
    references: Mapping[str, str]  # name -> target object code
    collections: Mapping[str, str]  # name -> target object code
    custom: Mapping[str, Mapping[str, Any]]  # "DE:Name" -> {type, display, options}
    statuses: tuple[str, ...]
    # the fields a search returns when asked for none (Workfront always sends
    # them); None when the tenant had no object to tell
    defaults: tuple[str, ...] | None = None

    def as_json(self) -> dict[str, Any]:
        return attrs.asdict(self, value_serializer=lambda _i, _a, v: v)

    def entries(self) -> list[str]:
        """Every field as ``name: type``, for a readable drift report."""
        out = [f"{n}: {t}" for n, t in self.fields.items()]
        out += [f"{n}: -> {t}" for n, t in self.references.items()]
        out += [f"{n}: [{t}]" for n, t in self.collections.items()]
        for n, c in self.custom.items():
            options = f" {list(c['options'])}" if c["options"] else ""
            out.append(f"{n}: {c['type']}/{c['display']}{options}")
        if self.statuses:
            out.append(f"status values: {list(self.statuses)}")
        if self.defaults is not None:
            out.append(f"default fields: {list(self.defaults)}")
        return sorted(out)


@attrs.frozen
class TenantSpec:
    """Every object the package is generated for, by object code."""

    api_version: str
    objects: Mapping[str, ObjectSpec]

    def digest(self) -> str:
        """The metadata hash written to the lock file."""
        data = {code: spec.as_json() for code, spec in sorted(self.objects.items())}
        return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _targets(section: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, entry in sorted((section or {}).items()):
        if isinstance(entry, Mapping) and entry.get("typeObjCode"):
            out[str(name)] = str(entry["typeObjCode"]).upper()
    return out


async def _custom_fields(wf: Workfront, codes: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The custom fields of the tenant's forms, by object code."""
    forms = await wf.search("ctgy", Q.catObjCode.isin(list(codes)), fields=_PARAM_FIELDS).all()
    out: dict[str, dict[str, Any]] = {code: {} for code in codes}
    for form in forms:
        code = str(form.get("catObjCode") or "").upper()
        for link in form.get("categoryParameters") or ():
            param = (link or {}).get("parameter") or {}
            name = param.get("name")
            if not name or code not in out:
                continue
            options = [o.get("value") for o in param.get("parameterOptions") or ()]
            out[code][f"DE:{name}"] = {
                "type": str(param.get("dataType") or "TEXT").upper(),
                "display": str(param.get("displayType") or "TEXT").upper(),
                "options": sorted({str(o) for o in options if o is not None}),
            }
    return {code: dict(sorted(fields.items())) for code, fields in out.items()}


async def _statuses(wf: Workfront, code: str) -> tuple[str, ...]:
    enum_class = _STATUS_CLASSES.get(code)
    if enum_class is None:
        return ()
    rows = await wf.search("cstem", {"enumClass": enum_class}, fields=["value"]).all()
    return tuple(sorted({str(r["value"]) for r in rows if r.get("value")}))


async def _defaults(wf: Workfront, code: str) -> tuple[str, ...] | None:
    """The default field set of ``code``: the fields of one row searched for
    with no ``fields=`` (Workfront sends them with every answer)."""
    try:
        rows = await wf.search(code, limit=1, page_size=1).all()
    except WorkfrontError:
        return None
    if not rows:
        return None
    return tuple(sorted(k for k in rows[0] if k != "objCode"))


async def collect(wf: Workfront, objects: Sequence[str]) -> TenantSpec:
    """Read the metadata of ``objects`` (object codes or names: ``task``,
    ``PROJ``) from the tenant, concurrently under the client's limiter."""
    metadata: dict[str, Any] = {}
    statuses: dict[str, tuple[str, ...]] = {}
    defaults: dict[str, tuple[str, ...] | None] = {}

    async def one(obj: str) -> None:
        answer = await wf.metadata(obj)
        raw = dict(answer.raw)
        code = str(raw.get("objCode") or obj).upper()
        metadata[code] = raw
        statuses[code] = await _statuses(wf, code)
        defaults[code] = await _defaults(wf, code)

    async with task_group() as tg:
        for obj in dict.fromkeys(objects):
            tg.start_soon(one, obj)
    custom = await _custom_fields(wf, sorted(metadata))
    specs: dict[str, ObjectSpec] = {}
    for code, raw in sorted(metadata.items()):
        fields = {
            str(name): str((entry or {}).get("fieldType") or "string")
            for name, entry in sorted((raw.get("fields") or {}).items())
        }
        specs[code] = ObjectSpec(
            code=code,
            name=str(raw.get("label") or raw.get("name") or code),
            fields=fields,
            references=_targets(raw.get("references")),
            collections=_targets(raw.get("collections")),
            custom=custom.get(code, {}),
            statuses=statuses.get(code, ()) if "status" in fields else (),
            defaults=defaults.get(code),
        )
    return TenantSpec(api_version=wf.api_version, objects=specs)
