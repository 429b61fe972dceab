"""The request bodies of the Planning API as the service binds them: the
emulator's own transcription of the request schemas in Adobe's
``static/v1.json`` and ``static/v2.json`` (``components.schemas``), and the
binding rules of a Spring service reading them with Jackson and Bean
Validation.

Rules (Spring Boot's defaults where Adobe is silent):

* Properties no schema names are ignored (Jackson's ``FAIL_ON_UNKNOWN_PROPERTIES``
  is off in Spring Boot); so are ``readOnly`` properties, whatever they hold
  (``@JsonProperty(access = READ_ONLY)``).
* ``null`` is an absent value, except where a property is ``required``; an
  array holds no ``null`` items.
* Every other property must hold its schema's type: strings, booleans,
  integers (``int32`` unless marked ``int64``), arrays, objects, enum values
  (case as written). ``maxLength``, ``minLength``, ``maxItems``, ``minItems``
  and ``required`` hold (Bean Validation's ``@Size``, ``@NotNull``).
* A refusal is a 400 naming each offending property by its path
  (``recordTypeSections[0].displayName``) with Spring's constraint name as its
  code (``NotNull``, ``Size``, ``NotBlank``, ``TypeMismatch``,
  ``InvalidValue``, ``Max``, ``UniqueItems``).
* What the service keeps of a body, and so answers with, is what the schema
  names (``known``): unknown properties are not stored.
* A merge patch (``PATCH``) skips the top-level ``required`` list: it sends
  only what changes; a nested object it sends is checked whole.

Two deliberate departures, both documented for clients: v1's ``filters`` takes
an object or an array (Adobe documents both forms), and v1's ``offset`` and
``limit`` take numeric strings (Adobe's page sends ``"offset": "2001"``;
docs/api-notes.md §5).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs

from ._errors import PlanningError, planning_error
from ._operators import V2_CONDITIONS

__all__ = [
    "FIELD_TYPES_V2",
    "INT32",
    "INT64",
    "V1",
    "V2",
    "VIEW_TYPES",
    "Shape",
    "bind",
    "check",
    "field_errors",
    "invalid",
    "kept",
    "known",
]

INT32: Final = (-(2**31), 2**31 - 1)
INT64: Final = (-(2**63), 2**63 - 1)

FieldError = dict[str, str]


@attrs.frozen
class Shape:
    """One schema: ``kind`` is string, integer, number, boolean, array, object,
    map (an object with typed values), any, filter (v2's FilterNodeDto) or ref
    (a named shape, for the recursive ``FieldDto``)."""

    kind: str
    enum: tuple[str, ...] = ()
    max_length: int | None = None
    min_length: int | None = None
    blank: bool = True
    bounds: tuple[int, int] = INT32
    numeric_strings: bool = False
    items: Shape | None = None
    max_items: int | None = None
    min_items: int | None = None
    props: Mapping[str, Shape] = attrs.field(factory=dict)
    required: tuple[str, ...] = ()
    read_only: frozenset[str] = frozenset()
    name: str = ""
    also: tuple[str, ...] = ()  # a second type the property takes (v1 filters: array)
    unique: bool = False  # uniqueItems


def string(
    *, max: int | None = None, min: int | None = None, enum: Sequence[str] = (), blank: bool = True
) -> Shape:
    return Shape("string", enum=tuple(enum), max_length=max, min_length=min, blank=blank)


def integer(*, bounds: tuple[int, int] = INT32, numeric_strings: bool = False) -> Shape:
    return Shape("integer", bounds=bounds, numeric_strings=numeric_strings)


BOOLEAN: Final = Shape("boolean")
NUMBER: Final = Shape("number")
ANY: Final = Shape("any")
STRING: Final = string()


def array(
    items: Shape, *, max: int | None = None, min: int | None = None, unique: bool = False
) -> Shape:
    return Shape("array", items=items, max_items=max, min_items=min, unique=unique)


def obj(
    props: Mapping[str, Shape], *, required: Sequence[str] = (), read_only: Sequence[str] = ()
) -> Shape:
    return Shape("object", props=props, required=tuple(required), read_only=frozenset(read_only))


def map_of(values: Shape) -> Shape:
    return Shape("map", items=values)


def ref(name: str) -> Shape:
    return Shape("ref", name=name)


# -- static/v2.json -------------------------------------------------------------------------

_AUDIT = ("id", "createdBy", "createdAt", "updatedBy", "updatedAt")
_SUBJECTS = ("user", "group", "team", "role", "company")
_CURRENCIES = [
    "AED",
    "AFN",
    "ALL",
    "AMD",
    "AON",
    "ARS",
    "AUD",
    "AZN",
    "BAM",
    "BBD",
    "BDT",
    "BGL",
    "BHD",
    "BIF",
    "BND",
    "BOB",
    "BRL",
    "BSD",
    "BTN",
    "BWP",
    "BYN",
    "BZD",
    "CAD",
    "CDF",
    "CHF",
    "CLP",
    "CNY",
    "COP",
    "CRC",
    "CUP",
    "CVE",
    "DJF",
    "DKK",
    "DOP",
    "DZD",
    "EGP",
    "ERN",
    "ETB",
    "EUR",
    "FJD",
    "GBP",
    "GEL",
    "GHC",
    "GMD",
    "GNF",
    "GTQ",
    "GYD",
    "HNL",
    "HRK",
    "HTG",
    "HUF",
    "IDR",
    "ILS",
    "INR",
    "IQD",
    "IRR",
    "ISK",
    "JMD",
    "JOD",
    "JPY",
    "KES",
    "KGS",
    "KHR",
    "KMF",
    "KPW",
    "KRW",
    "KWD",
    "KZT",
    "LAK",
    "LBP",
    "LKR",
    "LRD",
    "LSL",
    "LYD",
    "MAD",
    "MDL",
    "MGA",
    "MKD",
    "MMK",
    "MNT",
    "MRU",
    "MUR",
    "MVR",
    "MWK",
    "MXN",
    "MYR",
    "MZM",
    "NAD",
    "NGN",
    "NIO",
    "NOK",
    "NPR",
    "NZD",
    "OMR",
    "PAB",
    "PEN",
    "PGK",
    "PHP",
    "PKR",
    "PLN",
    "PYG",
    "QAR",
    "RON",
    "RSD",
    "RUB",
    "RWF",
    "SAR",
    "SBD",
    "SCR",
    "SDG",
    "SEK",
    "SGD",
    "SLL",
    "SOS",
    "SRD",
    "SSP",
    "STN",
    "SYP",
    "SZL",
    "THB",
    "TJS",
    "TMT",
    "TND",
    "TOP",
    "TRY",
    "TTD",
    "TZS",
    "UAH",
    "UGS",
    "USD",
    "UYU",
    "UZS",
    "VEF",
    "VND",
    "VUV",
    "WST",
    "XAF",
    "XCD",
    "XOF",
    "YER",
    "ZAR",
    "ZMK",
    "ZWD",
]
# FieldDto.type: the types a field can be created with
FIELD_TYPES_V2: Final = (
    "TEXT",
    "PARAGRAPH",
    "NUMBER",
    "PERCENTAGE",
    "CURRENCY",
    "DATE",
    "SINGLE_SELECT",
    "MULTI_SELECT",
    "CHECKBOX",
    "REFERENCE",
    "USER",
    "FORMULA",
)
VIEW_TYPES: Final = ("table", "timeline", "calendar", "list", "gallery")

_SORT = obj(
    {"fieldId": string(min=1), "direction": string(enum=("asc", "desc"))}, required=("fieldId",)
)
_NUMBER_OPTIONS = obj(
    {
        "precision": integer(),
        "allowNegatives": BOOLEAN,
        "currency": string(enum=_CURRENCIES),
        "visualizationType": string(enum=("TEXT", "PROGRESS_BAR", "PROGRESS_CIRCLE")),
    }
)
_DATE_FORMATS = ("locale", "standard", "friendly", "european", "iso", "short", "medium", "long")
_DATE_OPTIONS = obj(
    {"dateFormat": string(enum=_DATE_FORMATS), "timeFormat": string(enum=("h12", "h24"))}
)
_COLUMN = obj(
    {
        "width": integer(),
        "fieldId": STRING,
        "visibility": BOOLEAN,
        "aggregationFunction": string(enum=("SUM", "AVG", "MIN", "MAX")),
    }
)

V2: Final[Mapping[str, Shape]] = {
    "WorkspaceBaseDto": obj(
        {
            "name": string(max=256, blank=False),
            "description": string(max=1024),
            "color": STRING,
            "icon": STRING,
            "ownerId": STRING,
            "recordTypeSections": array(
                obj(
                    {"displayName": string(max=256), "recordTypeIds": array(STRING)},
                    required=("displayName",),
                )
            ),
        },
        read_only=(*_AUDIT, "alias"),
    ),
    "RecordTypeDto": obj(
        {
            "displayName": string(max=255, blank=False),
            "description": string(max=1024),
            "primaryFieldId": STRING,
            "icon": STRING,
            "color": STRING,
            "isExternal": BOOLEAN,
            "sourceRecordTypeId": STRING,
            "permissionSettings": obj(
                {
                    "mode": string(enum=("OPEN", "RESTRICTED")),
                    "subjects": array(
                        obj(
                            {
                                "id": string(min=1),
                                "type": string(enum=("USER", "GROUP", "TEAM", "ROLE", "COMPANY")),
                            },
                            required=("id", "type"),
                            read_only=("displayName",),
                        )
                    ),
                },
                required=("mode",),
            ),
            "externalOptions": obj(
                {
                    "connection": string(enum=("WORKFRONT", "BRAND", "AEM", "INTAKE")),
                    "object": string(
                        enum=(
                            "PROJECT",
                            "PORTFOLIO",
                            "PROGRAM",
                            "COMPANY",
                            "GROUP",
                            "TEMPLATE",
                            "ASSET",
                            "BRAND",
                            "ORIGINAL_REQUEST",
                        )
                    ),
                    "fields": map_of(STRING),
                }
            ),
            "linkableWithAllWorkspaces": BOOLEAN,
            "linkableWithWorkspaceIds": array(STRING),
            "authorizedToCreateDynamicRecordType": array(
                obj(
                    {
                        "type": string(
                            enum=(
                                "maestro/workspace",
                                "maestro/public_workspace",
                                "maestro/recordtype",
                                "maestro/record",
                                "redrock/user",
                                "redrock/group",
                                "redrock/cmpy",
                                "redrock/cust",
                                "redrock/teamob",
                                "redrock/role",
                                "ims/user",
                                "member",
                                "groupmember",
                                "maestro/view",
                                "maestro/dynamic_recordtype",
                                "maestro/field",
                            )
                        ),
                        "id": STRING,
                    }
                )
            ),
        },
        required=("displayName",),
        read_only=(
            *_AUDIT,
            "alias",
            "globalRecordTypeWorkspaceFieldId",
            "isGlobal",
            "primaryWorkspaceId",
            "dynamicWorkspaceIds",
        ),
    ),
    "FieldDto": obj(
        {
            "displayName": string(max=256),
            # checked by the handler: a field's own type may be sent back unchanged
            "type": STRING,
            "description": string(max=512),
            "linkedField": ref("FieldDto"),
            "options": array(
                obj({"name": ANY, "displayName": STRING, "color": STRING, "groupId": STRING})
            ),
            "defaultOptions": array(STRING),
            "dateOptions": _DATE_OPTIONS,
            "numberOptions": _NUMBER_OPTIONS,
            "referenceOptions": obj(
                {
                    "multiple": BOOLEAN,
                    "showThumbnail": BOOLEAN,
                    "showTitle": BOOLEAN,
                    "showColor": BOOLEAN,
                    "recordTypeId": STRING,
                    "isExternal": BOOLEAN,
                    "createBackReference": BOOLEAN,
                    "backField": ref("FieldDto"),
                    "externalOptions": obj(
                        {
                            "connectionName": STRING,
                            "objectName": STRING,
                            "connectionOptions": map_of(STRING),
                        }
                    ),
                    "filters": map_of(ANY),
                    "lookupFields": array(obj({"fieldId": STRING, "rollup": STRING})),
                    "scopeWorkspaceIds": array(STRING),
                    "globalRecordTypeWorkspaceFieldId": STRING,
                }
            ),
            "lookupOptions": obj(
                {"referenceFieldId": STRING, "rollup": STRING, "sourceField": ref("FieldDto")}
            ),
            "formulaOptions": obj(
                {
                    "formula": STRING,
                    "returnType": string(
                        enum=(
                            "DATE",
                            "DATETIME",
                            "NUMBER",
                            "PERCENTAGE",
                            "CURRENCY",
                            "TEXT",
                            "TEXT_ARRAY",
                        )
                    ),
                    "numberOptions": _NUMBER_OPTIONS,
                    "dateOptions": obj(
                        {
                            "dateFormat": string(enum=_DATE_FORMATS),
                            "timeFormat": string(enum=("h12", "h24")),
                            "useSameTimezoneForAllCollaborators": BOOLEAN,
                            "timezoneId": STRING,
                        }
                    ),
                }
            ),
            "userOptions": obj({"multipleUsersAllowed": BOOLEAN}),
            "defaultUsers": array(STRING),
            "attachmentOptions": obj({"showThumbnail": BOOLEAN, "showTitle": BOOLEAN}),
            "hasError": BOOLEAN,
            "isHtmlNative": BOOLEAN,
            "metadata": obj({"originType": STRING, "extendedRollup": STRING}),
        },
        read_only=(*_AUDIT, "alias"),
    ),
    "ViewDto": obj(
        {
            "name": string(max=255, blank=False),
            "type": string(min=1, enum=VIEW_TYPES),
            "recordTypeId": STRING,
            "filter": array(Shape("filter")),
            "grouping": array(_SORT),
            "sorting": array(_SORT),
            "metadata": obj(
                {
                    "type": STRING,
                    "showThumbnail": BOOLEAN,
                    "showRecordColoring": BOOLEAN,
                    "columnMetadata": array(_COLUMN),
                    "newColumnMetadata": array(_COLUMN),
                    "rowOrder": array(STRING),
                    "startDateKey": STRING,
                    "endDateKey": STRING,
                    "timelineScale": string(enum=("YEAR", "QUARTER", "MONTH", "WEEK")),
                    "cardFieldIds": array(STRING),
                    "coloring": obj(
                        {
                            "record": obj(
                                {
                                    "selected": string(
                                        enum=(
                                            "RECORD_TYPE",
                                            "RECORD",
                                            "FIELD",
                                            "GROUP",
                                            "FILTER",
                                            "NONE",
                                        )
                                    ),
                                    "fieldId": STRING,
                                    "highlightFullRow": BOOLEAN,
                                    "filterColoringRules": array(
                                        obj(
                                            {
                                                "id": STRING,
                                                "color": STRING,
                                                "appliedFilters": array(ANY),
                                            }
                                        )
                                    ),
                                }
                            ),
                            "group": obj({"selected": string(enum=("DEFAULT", "FIELD"))}),
                        }
                    ),
                    "rowHeight": string(enum=("SHORT", "COMPACT", "MEDIUM", "TALL", "FIT_CONTENT")),
                    "truncateRecordContent": BOOLEAN,
                    "timelineLayout": string(enum=("stacked", "swimlane")),
                    "dynamicFieldMetadata": obj(
                        {
                            "scopeWorkspaceId": STRING,
                            "dynamicFieldIds": array(STRING, unique=True),
                        }
                    ),
                }
            ),
            "isHidden": BOOLEAN,
        },
        required=("name", "type"),
        read_only=(*_AUDIT, "isPublicShared", "isRestricted"),
    ),
    # RecordBaseDto: ``id`` is readOnly in the file, yet bulk updates name each
    # record by it ("Each must include an id"): the handlers read it themselves.
    "RecordBaseDto": obj(
        {"recordTypeId": STRING, "data": map_of(ANY)},
        read_only=(*_AUDIT, "thumbnailUrl", "coverImage"),
    ),
    "RecordSearchRequestDto": obj(
        {
            "recordTypeId": STRING,
            "recordTypeAlias": STRING,
            "filter": ref("FilterGroupDto"),
            "sort": array(_SORT),
            "group": array(_SORT),
            "scopeWorkspaceIds": array(STRING),
            "globalRecordTypeWorkspaceFieldId": STRING,
        }
    ),
    "MoveRecordsRequestDto": obj(
        {
            "recordIds": array(string(min=1), max=100),
            "putAfterRecordId": STRING,
            "putBeforeRecordId": STRING,
        },
        required=("recordIds",),
    ),
    "BulkDeleteRequestDto": obj({"ids": array(STRING, max=100)}, required=("ids",)),
    "CreateAccessRequestDto": obj({"message": string(max=2000)}),
    "DeleteAccessRequestsDto": obj({"requestIds": array(STRING, min=1)}, required=("requestIds",)),
    "UpdateMembersRequestDto": obj(
        {
            "grant": array(ref("MemberGrantDto")),
            "update": array(ref("MemberGrantDto")),
            "revoke": array(
                obj(
                    {"subjectId": string(min=1), "subjectType": string(enum=_SUBJECTS)},
                    required=("subjectId", "subjectType"),
                )
            ),
            "inheritViewOnly": BOOLEAN,
            "wildcard": string(enum=("SELECTED_USERS_ONLY", "EVERYONE_IN_WORKSPACE")),
        }
    ),
    "MemberGrantDto": obj(
        {
            "subjectId": string(min=1),
            "subjectType": string(enum=_SUBJECTS),
            "role": string(enum=("viewer", "editor", "manager")),
        },
        required=("role", "subjectId", "subjectType"),
    ),
    "FilterGroupDto": obj(
        {"operator": string(enum=("AND", "OR")), "conditions": array(Shape("filter"), min=1)},
        required=("conditions", "operator"),
    ),
}

# -- static/v1.json -------------------------------------------------------------------------

V1: Final[Mapping[str, Shape]] = {
    "RecordDto": obj(
        {
            **dict.fromkeys((*_AUDIT, "customerId", "imsOrgId", "recordTypeId"), STRING),
            "data": map_of(ANY),
            "recordExternalOptions": obj(
                {
                    "connection": string(enum=("WORKFRONT", "AEM")),
                    "object": string(
                        enum=("PROJECT", "PORTFOLIO", "PROGRAM", "COMPANY", "GROUP", "ASSET")
                    ),
                    "externalId": STRING,
                    "connectionOptions": map_of(ANY),
                    "link": STRING,
                }
            ),
        },
        read_only=("thumbnailUrl", "coverImage"),
    ),
    "RecordSearchDto": obj(
        {
            "recordTypeId": STRING,
            "recordTypeAlias": STRING,
            # JsonNode: one filter object, or the list Adobe's page sends
            "filters": attrs.evolve(ANY, kind="object", also=("array",)),
            "groupingFieldIds": array(STRING),
            "sorting": array(obj({"fieldId": STRING, "direction": STRING})),
            "offset": integer(numeric_strings=True),
            "limit": integer(numeric_strings=True),
            "rowOrderViewId": STRING,
        }
    ),
}

_TYPES: Final[Mapping[str, Callable[[object], bool]]] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "map": lambda v: isinstance(v, dict),
}
_JSON_TYPES: Final = {"map": "object", "filter": "object"}
_DIGITS = re.compile(r"^\s*-?\d+\s*$")
_FILTER_CONDITIONS: Final = V2_CONDITIONS
_FILTER_CONDITION = obj(
    {
        "fieldId": string(min=1),
        "condition": string(enum=_FILTER_CONDITIONS),
        "value": ANY,
        "matchExternalId": BOOLEAN,
    },
    required=("condition", "fieldId"),
)


def _error(path: str, code: str, message: str) -> FieldError:
    return {"field": path, "message": message, "code": code}


def field_errors(
    shape: Shape, value: object, path: str = "", *, table: Mapping[str, Shape] = V2
) -> list[FieldError]:
    """What is wrong with ``value`` bound to ``shape`` (empty: it binds)."""
    if shape.kind == "ref":
        return field_errors(table[shape.name], value, path, table=table)
    if value is None:
        # a property's null is its absence; an array item's null is not a value
        if path.endswith("]") and shape.kind != "any":
            return [_error(path, "NotNull", "must not be null")]
        return []
    if shape.kind == "any":
        return []
    if shape.kind == "filter":
        # FilterNodeDto: a group when it names an operator or conditions, else a condition
        node = (
            table["FilterGroupDto"]
            if isinstance(value, dict) and ("operator" in value or "conditions" in value)
            else _FILTER_CONDITION
        )
        return field_errors(node, value, path, table=table)
    if shape.kind == "integer" and shape.numeric_strings and isinstance(value, str):
        if not _DIGITS.match(value):
            return [_error(path, "TypeMismatch", f"{value!r} is not a whole number")]
        value = int(value)
    if shape.kind == "integer" and isinstance(value, float) and value.is_integer():
        # JSON Schema counts 2.0 as an integer (and Jackson binds it into an int)
        value = int(value)
    if not _TYPES[shape.kind](value) and not any(_TYPES[k](value) for k in shape.also):
        wanted = _JSON_TYPES.get(shape.kind, shape.kind)
        return [_error(path, "TypeMismatch", f"must be a JSON {wanted}, got {_json_type(value)}")]
    if shape.kind == "string":
        return _string_errors(shape, str(value), path)
    if shape.kind == "integer" and isinstance(value, int):
        lo, hi = shape.bounds
        if not lo <= value <= hi:
            return [_error(path, "Max", f"must be between {lo} and {hi}")]
        return []
    if shape.kind == "array" and isinstance(value, list):
        errors: list[FieldError] = []
        if shape.max_items is not None and len(value) > shape.max_items:
            errors.append(_error(path, "Size", f"holds at most {shape.max_items} items"))
        if shape.min_items is not None and len(value) < shape.min_items:
            errors.append(_error(path, "Size", f"holds at least {shape.min_items} items"))
        if shape.unique and len({repr(v) for v in value}) < len(value):
            errors.append(_error(path, "UniqueItems", "holds an item twice"))
        assert shape.items is not None
        for i, item in enumerate(value):
            errors += field_errors(shape.items, item, f"{path}[{i}]", table=table)
        return errors
    if shape.kind == "map" and isinstance(value, dict):
        assert shape.items is not None
        return [
            e
            for key, item in value.items()
            for e in field_errors(shape.items, item, _join(path, key), table=table)
        ]
    if shape.kind == "object" and isinstance(value, dict):
        return _object_errors(shape, value, path, table=table, partial=False)
    return []


def _object_errors(
    shape: Shape,
    value: Mapping[str, object],
    path: str,
    *,
    table: Mapping[str, Shape],
    partial: bool,
) -> list[FieldError]:
    errors: list[FieldError] = []
    if not partial:
        errors += [
            _error(_join(path, name), "NotNull", "must not be null")
            for name in shape.required
            if value.get(name) is None
        ]
    for name, sub in shape.props.items():
        if name in value and name not in shape.read_only:
            errors += field_errors(sub, value[name], _join(path, name), table=table)
    return errors


def _string_errors(shape: Shape, value: str, path: str) -> list[FieldError]:
    if shape.enum and value not in shape.enum:
        return [_error(path, "InvalidValue", f"must be one of {', '.join(shape.enum)}")]
    if shape.max_length is not None and len(value) > shape.max_length:
        low = shape.min_length or 0
        return [_error(path, "Size", f"size must be between {low} and {shape.max_length}")]
    if shape.min_length is not None and len(value) < shape.min_length:
        return [_error(path, "Size", f"size must be at least {shape.min_length}")]
    if not shape.blank and not value.strip():
        return [_error(path, "NotBlank", "must not be blank")]
    return []


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def invalid(
    errors: Sequence[FieldError], message: str = "Request validation failed."
) -> PlanningError:
    """The 400 of a request that does not bind: each field error is listed
    (v2 problem details ``errors``; v1 ``report.details.errors``)."""
    first = errors[0]
    detail = f"{message} {first['field'] or 'body'}: {first['message']}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    return planning_error(
        400, "VALIDATION_FAILED", detail, {"fieldId": first["field"], "errors": list(errors)}
    )


def bind(name: str, value: object, *, partial: bool = False, version: str = "v2") -> dict[str, Any]:
    """``value`` as the schema ``name`` binds it (the same object), or a 400.
    ``partial``: a merge patch (no top-level ``required``)."""
    table = V1 if version == "v1" else V2
    shape = table[name]
    if not isinstance(value, dict):
        raise invalid(
            [_error("", "TypeMismatch", f"the body must be a JSON object, got {_json_type(value)}")]
        )
    errors = _object_errors(shape, value, "", table=table, partial=partial)
    if errors:
        raise invalid(errors)
    return value


def known(shape: Shape, value: object, *, table: Mapping[str, Shape] = V2) -> object:
    """``value`` (bound to ``shape``) with only what the schema names: what the
    service keeps of it, and so answers with (Jackson drops the rest)."""
    if shape.kind == "ref":
        return known(table[shape.name], value, table=table)
    if shape.kind == "object" and isinstance(value, dict):
        return {
            k: known(sub, value[k], table=table)
            for k, sub in shape.props.items()
            if k in value and k not in shape.read_only and value[k] is not None
        }
    if shape.kind == "array" and isinstance(value, list) and shape.items is not None:
        items = shape.items
        return [known(items, v, table=table) for v in value]
    if shape.kind == "map" and isinstance(value, dict) and shape.items is not None:
        values = shape.items
        return {k: known(values, v, table=table) for k, v in value.items()}
    if shape.kind == "filter" and isinstance(value, dict):
        node = (
            table["FilterGroupDto"]
            if "operator" in value or "conditions" in value
            else _FILTER_CONDITION
        )
        return known(node, value, table=table)
    return value


def kept(name: str, body: Mapping[str, Any], prop: str) -> object:
    """What the service keeps of property ``prop`` of a bound ``name`` body."""
    shape = V2[name].props[prop]
    return known(shape, body.get(prop))


def check(name: str, value: object, path: str, *, version: str = "v2") -> None:
    """Raise the 400 of ``value`` not binding to the schema ``name`` at ``path``."""
    table = V1 if version == "v1" else V2
    errors = field_errors(table[name], value, path, table=table)
    if errors:
        raise invalid(errors)
