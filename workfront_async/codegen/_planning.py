"""Generated packages of Workfront Planning record types (``codegen --planning``).

For each record type: ``GET /v1/record-types/<id>`` (its name and fields:
ID, name, type, the options of select fields; Adobe's ``static/v1.json``).
Each record type becomes a record class (``Campaigns``), the struct of its
``data`` (``CampaignsData``, one attribute per field, named after the
field's name and renamed to its ID) and a field namespace (``CampaignsQ``)
whose fields compile to conditions on field IDs.
"""

from __future__ import annotations

import hashlib
import pprint
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import orjson

from .._core.concurrency import task_group
from .._core.exceptions import QueryError
from ._render import attr_name, camel, literal, pascal

__all__ = [
    "RecordTypeSpec",
    "collect_planning",
    "digest",
    "record_class_name",
    "render_planning",
]

# Planning field type (dashes and spaces alike) -> (annotation, typed query field)
_TYPES: dict[str, tuple[str, str]] = {
    "text": ("str", "StrField"),
    "long text": ("str", "StrField"),
    "paragraph": ("str", "StrField"),
    "url": ("str", "StrField"),
    "email": ("str", "StrField"),
    "phone": ("str", "StrField"),
    "number": ("float", "FloatField"),
    "percentage": ("float", "FloatField"),
    "currency": ("float", "FloatField"),
    "boolean": ("bool", "BoolField"),
    "checkbox": ("bool", "BoolField"),
    "date": ("datetime", "DateTimeField"),
    "created at": ("datetime", "DateTimeField"),
    "updated at": ("datetime", "DateTimeField"),
    "reference": ("list[RecordLink]", ""),
}


def _kind(field_type: str) -> str:
    return field_type.replace("-", " ").replace("_", " ").strip().lower()


@attrs.frozen
class RecordTypeSpec:
    """One record type as the generator sees it."""

    id: str
    name: str
    fields: tuple[tuple[str, str, str, tuple[str, ...]], ...]  # (id, name, type, options)

    def entries(self) -> list[str]:
        out = []
        for fid, name, ftype, options in self.fields:
            shown = f" {list(options)}" if options else ""
            out.append(f"{fid} ({name}): {ftype}{shown}")
        return sorted(out)


def digest(specs: Mapping[str, RecordTypeSpec]) -> str:
    data = {k: attrs.asdict(v) for k, v in sorted(specs.items())}
    return hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def collect_planning(pl: Any, record_type_ids: Sequence[str]) -> dict[str, RecordTypeSpec]:
    """Read the record types (a ``Planning`` or ``PlanningV2`` client)."""
    found: dict[str, RecordTypeSpec] = {}

    async def one(type_id: str) -> None:
        rt = await pl.record_types.get(type_id)
        if not isinstance(rt.get("fields"), list):
            raise QueryError(
                f"record type {type_id!r} came without its fields: generate with a Planning "
                "(v1) client; the classes it writes work with both Planning clients"
            )
        fields = []
        for f in rt.get("fields") or ():
            options = tuple(
                sorted(
                    str(o.get("name") if isinstance(o, Mapping) else o)
                    for o in f.get("options") or ()
                )
            )
            fields.append(
                (str(f["id"]), str(f.get("name") or f["id"]), str(f.get("type") or "text"), options)
            )
        found[str(rt.get("id") or type_id)] = RecordTypeSpec(
            id=str(rt.get("id") or type_id),
            name=str(rt.get("name") or rt.get("displayName") or type_id),
            fields=tuple(sorted(fields)),
        )

    async with task_group() as tg:
        for type_id in dict.fromkeys(record_type_ids):
            tg.start_soon(one, type_id)
    return dict(sorted(found.items()))


def record_class_name(text: str) -> str:
    """``Campaigns``: a record type's name in PascalCase."""
    return pascal(text, "Record", "R")


def render_planning(specs: Mapping[str, RecordTypeSpec], *, generator: str, package: str) -> str:
    """The package's ``__init__.py``."""
    names: dict[str, str] = {}
    for type_id, spec in specs.items():
        name = record_class_name(spec.name)
        while name in names.values():
            name += "_"
        names[type_id] = name
    aliases: list[str] = []
    blocks: list[str] = []
    for type_id, spec in specs.items():
        cls = names[type_id]
        taken: set[str] = set()
        data_lines: list[str] = []
        q_lines: list[str] = []
        ids: dict[str, str] = {}
        meta: dict[str, str] = {}
        for fid, fname, ftype, options in spec.fields:
            attr = attr_name(camel(fname), taken)
            taken.add(attr)
            ids[attr] = fid
            meta[fid] = ftype
            kind = _kind(ftype)
            path = f"self._at({fid!r})"
            if kind in ("single select", "multi select") and options:
                alias = f"{cls}{attr[:1].upper()}{attr[1:]}"
                aliases.append(f"{alias} = {literal(options)}")
                if kind == "single select":
                    annotation, qtype = alias, f"EnumField[{alias}]"
                    qexpr = f"EnumField({path}, {options!r})"
                else:
                    annotation, qtype = f"list[{alias}]", f"ListField[{alias}]"
                    qexpr = f"ListField({path}, EnumField({path}, {options!r}))"
            else:
                annotation, qfield = _TYPES.get(kind, ("Any", ""))
                qtype, qexpr = (qfield, f"{qfield}({path})") if qfield else ("", "")
                if not qtype:
                    qtype, qexpr = "TypedField[Any]", f"TypedField({path})"
            rename = "" if attr == fid else f", name={fid!r}"
            default = "None" if not rename else f"msgspec.field(default=None{rename})"
            data_lines.append(f"    {attr}: {annotation} | None = {default}")
            q_lines.append(
                f"    @property\n    def {attr}(self) -> {qtype}:\n        return {qexpr}\n"
            )
        blocks.append(
            "\n".join(
                [
                    f"class {cls}Data(PlanningData):",
                    f'    """The fields of a {spec.name} record (``{type_id}``)."""',
                    "",
                    f"    __wf_field_ids__: ClassVar[Mapping[str, str]] = {ids!r}",
                    "",
                    *data_lines,
                    "",
                    "",
                    f"class {cls}(PlanningRecord):",
                    f'    """A record of {spec.name} (record type ``{type_id}``)."""',
                    "",
                    f"    __wf_record_type__: ClassVar[str] = {type_id!r}",
                    f"    __wf_metadata__: ClassVar[Mapping[str, str]] = {meta!r}",
                    "",
                    f"    data: {cls}Data | None = None",
                    "",
                    "",
                    f"class {cls}Fields(Fields):",
                    f'    """The typed fields of {cls}, for queries: ``{cls}Q.<field>``."""',
                    "",
                    "    __slots__ = ()",
                    "",
                    *q_lines,
                ]
            ).rstrip()
            + "\n"
        )
    exported = sorted(
        [*names.values()]
        + [f"{n}Data" for n in names.values()]
        + [f"{n}Fields" for n in names.values()]
        + [f"{n}Q" for n in names.values()]
        + [a.split(" = ")[0] for a in aliases]
    )
    lines = [
        f'"""Typed records and query fields of Workfront Planning record types ({package}).',
        "",
        f"Generated by {generator} (`workfront-async codegen --planning`) from the",
        "record types' fields; do not edit: generate it again instead, and run",
        "`workfront-async codegen --planning --check` in CI to learn when they changed.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Mapping",
        "from datetime import datetime",
        "from typing import Any, ClassVar, Final, Literal",
        "",
        "import msgspec",
        "",
        "from workfront_async.models import (",
        "    BoolField,",
        "    DateTimeField,",
        "    EnumField,",
        "    Fields,",
        "    FloatField,",
        "    ListField,",
        "    PlanningData,",
        "    PlanningRecord,",
        "    RecordLink,",
        "    StrField,",
        "    TypedField,",
        ")",
        "",
        f"__all__ = {pprint.pformat(exported, width=96, compact=True)}",
        "",
        *sorted(aliases),
        "",
    ]
    for block in blocks:
        lines += ["", block]
    lines += [""]
    lines += [f"{n}Q: Final = {n}Fields()" for n in names.values()]
    return re.sub(r"\n{4,}", "\n\n\n", "\n".join(lines) + "\n")
