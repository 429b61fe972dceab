"""The source of a generated package, written from a :class:`TenantSpec`.

One module holds every row class and every field namespace, so that the
references between them (a task's project, a project's tasks) resolve in
one place. The code is plain and deterministic: the same metadata always
gives the same text (the lock file's hash depends on nothing else).
"""

from __future__ import annotations

import keyword
import pprint
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from ._collect import ObjectSpec, TenantSpec

__all__ = ["attr_name", "camel", "class_name", "literal", "pascal", "render_module"]

# Workfront fieldType -> (annotation, typed query field)
_TYPES: dict[str, tuple[str, str]] = {
    "string": ("str", "StrField"),
    "int": ("int", "IntField"),
    "long": ("int", "IntField"),
    "double": ("float", "FloatField"),
    "float": ("float", "FloatField"),
    "currency": ("float", "FloatField"),
    "boolean": ("bool", "BoolField"),
    "dateTime": ("datetime", "DateTimeField"),
    "date": ("date", "DateField"),
    "map": ("dict[str, Any]", ""),
    "string[]": ("list[str]", ""),
}
# Custom field dataType -> base type
_CUSTOM: dict[str, str] = {"TEXT": "string", "NMBR": "double", "CURC": "double", "DATE": "dateTime"}
_MULTI = ("CHECKBOX", "MULTISELECT")
_CHOICE = ("DROPDOWN", "RADIO", "CHECKBOX", "MULTISELECT")
# the methods and class attributes of the generated classes' bases
_RESERVED = {"to_dict", "of", "decode"}
_WORD = re.compile(r"[A-Za-z0-9]+")


def pascal(text: str, fallback: str, prefix: str) -> str:
    """``text`` in PascalCase (``fallback`` when it has no word), ``prefix``
    first when it would start with a digit."""
    name = "".join(w[:1].upper() + w[1:] for w in _WORD.findall(text) or [fallback])
    return name if name[0].isalpha() else f"{prefix}{name}"


def camel(text: str, prefix: str = "") -> str:
    """``Budget Code`` -> ``budgetCode`` (``prefix="de"``: ``deBudgetCode``)."""
    words: list[str] = _WORD.findall(text) or ["field"]
    if prefix:
        words = [prefix, *words]
    return words[0].lower() + "".join(w[:1].upper() + w[1:] for w in words[1:])


def attr_name(name: str, taken: Collection[str] = ()) -> str:
    """``name`` as a Python attribute: not a keyword, not a base's name, not
    one in ``taken`` (an ``_`` is added until it is free)."""
    text = re.sub(r"\W", "_", name)
    if not text or text[0].isdigit():
        text = f"f_{text}"
    while keyword.iskeyword(text) or text in _RESERVED or text in taken:
        text += "_"
    return text


def literal(values: Iterable[str]) -> str:
    """The ``Literal[...]`` of ``values``."""
    return "Literal[" + ", ".join(repr(v) for v in values) + "]"


def class_name(spec: ObjectSpec) -> str:
    """``Task``, ``Project``, ``Issue``: the object's name in PascalCase."""
    return pascal(spec.name, spec.code.title(), "Obj")


def _custom_attr(wire: str, taken: set[str]) -> str:
    name = attr_name(camel(wire[3:]))
    if name in taken:
        name = attr_name(camel(wire[3:], prefix="de"), taken)
    return name


class _Object:
    """The lines of one row class and its namespace."""

    def __init__(self, spec: ObjectSpec, names: Mapping[str, str]) -> None:
        self.spec = spec
        self.names = names  # object code -> class name, for the generated ones
        self.cls = names[spec.code]
        self.fields: list[str] = []
        self.props: list[str] = []
        self.q: list[str] = []
        self.renamed: dict[str, str] = {}
        self.aliases: list[str] = []
        # attribute -> (wire name, type, row class of a reference, a collection)
        self.schema: dict[str, tuple[str, str, str | None, bool]] = {}

    def _value(
        self, attr: str, wire: str, ftype: str, options: tuple[str, ...] = (), multi: bool = False
    ) -> None:
        annotation, qfield = _TYPES.get(ftype, ("Any", ""))
        path = f"self._at({wire!r})"
        if options:
            alias = f"{self.cls}{attr[:1].upper()}{attr[1:]}"
            self.aliases.append(f"{alias} = {literal(options)}")
            annotation = alias
            qtype, qexpr = f"EnumField[{alias}]", f"EnumField({path}, {options!r})"
        else:
            qtype, qexpr = qfield, f"{qfield}({path})"
        if multi:
            annotation = f"list[{annotation}]"
            qtype = f"ListField[{alias if options else 'str'}]"
            qexpr = f"ListField({path}, {qexpr})"
        rename = "" if attr == wire else f", name={wire!r}"
        if annotation in ("datetime", "date"):
            raw = f"{attr}_raw"
            parse = "parse_wire_datetime" if annotation == "datetime" else "parse_wire_date"
            self.fields.append(
                f"    {raw}: str | None = msgspec.field(default=None, name={wire!r})"
            )
            self.renamed[raw] = wire
            self.schema[raw] = (wire, "str", None, False)
            self.props.append(
                f"    @property\n    def {attr}(self) -> {annotation} | None:\n"
                f'        """``{wire}``, parsed from ``{raw}``."""\n'
                f"        return {parse}(self.{raw}, self, {attr!r})\n"
            )
        else:
            default = "None" if not rename else f"msgspec.field(default=None{rename})"
            self.fields.append(f"    {attr}: {annotation} | None = {default}")
            self.schema[attr] = (wire, annotation, None, False)
            if rename:
                self.renamed[attr] = wire
        if qtype:
            self.q.append(
                f"    @property\n    def {attr}(self) -> {qtype}:\n        return {qexpr}\n"
            )

    def build(self) -> None:
        spec = self.spec
        taken: set[str] = set()
        for wire, ftype in spec.fields.items():
            attr = attr_name(wire)
            taken.add(attr)
            options = spec.statuses if wire == "status" else ()
            self._value(attr, wire, ftype, options)
        for wire, target in spec.references.items():
            attr = attr_name(wire)
            taken.add(attr)
            known = target in self.names
            cls = self.names.get(target, "Reference")
            rename = "" if attr == wire else f", name={wire!r}"
            default = "None" if not rename else f"msgspec.field(default=None{rename})"
            self.fields.append(f"    {attr}: {cls} | None = {default}")
            self.schema[attr] = (wire, cls, cls, False)
            if rename:
                self.renamed[attr] = wire
            q = f"{cls}Fields" if known else "ReferenceFields"
            self.q.append(
                f"    @property\n    def {attr}(self) -> {q}:\n"
                f"        return {q}(self._at({wire!r}))\n"
            )
        for wire, target in spec.collections.items():
            attr = attr_name(wire)
            taken.add(attr)
            cls = self.names.get(target, "Reference")
            rename = "" if attr == wire else f", name={wire!r}"
            default = "None" if not rename else f"msgspec.field(default=None{rename})"
            self.fields.append(f"    {attr}: list[{cls}] | None = {default}")
            self.schema[attr] = (wire, f"list[{cls}]", cls, True)
            if rename:
                self.renamed[attr] = wire
        for wire, custom in spec.custom.items():
            attr = _custom_attr(wire, taken)
            taken.add(attr)
            ftype = _CUSTOM.get(custom["type"], "string")
            options = tuple(custom["options"]) if custom["display"] in _CHOICE else ()
            self._value(attr, wire, ftype, options, multi=custom["display"] in _MULTI)

    def source(self) -> str:
        spec = self.spec
        defaults = ("*", *spec.custom)
        doc = (
            f'    """{spec.name} (``{spec.code}``): {len(spec.fields)} fields, '
            f"{len(spec.references)} references, {len(spec.collections)} collections, "
            f'{len(spec.custom)} custom fields."""'
        )
        head = [
            f"class {self.cls}(Model):",
            doc,
            "",
            f"    __wf_obj__: ClassVar[str] = {spec.code!r}",
            f"    __wf_fields__: ClassVar[tuple[str, ...]] = {defaults!r}",
            f"    __wf_names__: ClassVar[Mapping[str, str]] = {self.renamed!r}",
            f"    __wf_metadata__: ClassVar[Mapping[str, Any]] = _METADATA[{spec.code!r}]",
            f"    __wf_defaults__: ClassVar[tuple[str, ...] | None] = {spec.defaults!r}",
            "    __wf_schema__: ClassVar[Mapping[str, tuple[str, str, str | None, bool]]] = "
            + pprint.pformat(self.schema, width=92, sort_dicts=False).replace("\n", "\n    "),
            "",
            "    # The fields, for type checkers; rows are projections of the class",
            "    # holding the fields a call asked for (see workfront_async.models).",
            "    if TYPE_CHECKING:",
        ]
        body = "\n".join(head + ["    " + f for f in self.fields])
        if self.props:
            body += "\n\n" + "\n".join(self.props)
        q = [
            f"class {self.cls}Fields(Fields):",
            f'    """The typed fields of {self.cls}, for queries: ``{self.cls}Q.<field>``."""',
            "",
            "    __slots__ = ()",
            "",
            *self.q,
        ]
        return body.rstrip() + "\n\n\n" + "\n".join(q).rstrip() + "\n"


def _metadata(spec: ObjectSpec) -> dict[str, Any]:
    """The class's schema in the shape of Workfront's metadata (for exports)."""
    custom_types = {"string": "string", "double": "double", "dateTime": "dateTime"}
    return {
        "objCode": spec.code,
        "fields": {n: {"fieldType": t} for n, t in spec.fields.items()},
        "references": {n: {"typeObjCode": t} for n, t in spec.references.items()},
        "collections": {n: {"typeObjCode": t} for n, t in spec.collections.items()},
        "custom": {
            n: {
                "fieldType": (
                    "string[]"
                    if c["display"] in _MULTI
                    else custom_types[_CUSTOM.get(c["type"], "string")]
                )
            }
            for n, c in spec.custom.items()
        },
    }


def render_module(tenant: TenantSpec, *, generator: str, package: str) -> str:
    """The package's ``__init__.py``."""
    specs = [tenant.objects[c] for c in sorted(tenant.objects)]
    names: dict[str, str] = {}
    for spec in specs:
        name = class_name(spec)
        while name in names.values() or name in ("Reference", "Model", "Fields"):
            name += "_"
        names[spec.code] = name
    objects = [_Object(spec, names) for spec in specs]
    for obj in objects:
        obj.build()
    exported = sorted(
        list(names.values())
        + [f"{n}Q" for n in names.values()]
        + [f"{n}Fields" for n in names.values()]
        + [a.split(" = ")[0] for obj in objects for a in obj.aliases]
    )
    meta = {spec.code: _metadata(spec) for spec in specs}
    lines = [
        f'"""Typed rows and query fields of a Workfront tenant ({package}).',
        "",
        f"Generated by {generator} (`workfront-async codegen`) from the tenant's metadata",
        f"(API {tenant.api_version}); do not edit: generate it again instead, and run",
        "`workfront-async codegen --check` in CI to learn when the tenant changed.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Mapping",
        "from datetime import date, datetime",
        "from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal",
        "",
        "import msgspec",
        "",
        "from workfront_async.models import (",
        *(
            f"    {n},"
            for n in (
                "BoolField",
                "DateField",
                "DateTimeField",
                "EnumField",
                "Fields",
                "FloatField",
                "IntField",
                "ListField",
                "Model",
                "Reference",
                "ReferenceFields",
                "StrField",
                "parse_wire_date",
                "parse_wire_datetime",
            )
        ),
        ")",
        "",
        f"__all__ = {pprint.pformat(exported, width=96, compact=True)}",
        "",
        "_METADATA: Final[Mapping[str, Mapping[str, Any]]] = "
        + pprint.pformat(meta, width=96, sort_dicts=False),
        "",
        *sorted(a for obj in objects for a in obj.aliases),
        "",
    ]
    for obj in objects:
        lines += ["", obj.source()]
    lines += [""]
    lines += [f"{n}Q: Final = {n}Fields()" for n in names.values()]
    text = "\n".join(lines) + "\n"
    return re.sub(r"\n{4,}", "\n\n\n", text)
