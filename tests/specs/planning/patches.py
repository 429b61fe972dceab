"""Adobe's Planning OpenAPI files, loaded, and patched where they contradict
themselves.

``raw(version)`` is the file as Adobe publishes it. ``patched(version)`` is a
copy with the patches below, each fixing a place where the file says two
things at once (or says something no validator can read), and each saying
which. The emulator's behaviour is never the reason for a patch: where the
file and the service's documented behaviour part, the tests follow the
documentation and say so here.

``patched(version, fuzzing=True)`` adds the patches a schema-driven fuzzer
needs to tell a refused request from a bug: two places where Adobe's other
pages document more than the file (v1 filters as a list, v1 paging values as
numeric strings), which the emulator accepts on purpose and the client does
not send.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["HOST", "OPERATIONS", "patched", "raw"]

HERE = Path(__file__).parent
HOST = "acme.my.workfront.com"
METHODS = ("get", "put", "post", "delete", "patch")

Spec = dict[str, Any]


def raw(version: str) -> Spec:
    """The file as Adobe publishes it (``v1`` or ``v2``)."""
    return json.loads((HERE / f"{version}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def operations(spec: Spec) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(METHOD, path, operation)`` of every operation of a spec."""
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


OPERATIONS: dict[str, list[tuple[str, str, str]]] = {
    version: [(m, p, op["operationId"]) for m, p, op in operations(raw(version))]
    for version in ("v1", "v2")
}


def _walk(node: object, visit: Callable[[dict[str, Any]], None]) -> None:
    if isinstance(node, dict):
        visit(node)
        for value in node.values():
            _walk(value, visit)
    elif isinstance(node, list):
        for value in node:
            _walk(value, visit)


# --- patches for both files -----------------------------------------------------------------


def _server(spec: Spec, base_url: str) -> None:
    # The one server is "https://{customer-domain}/maestro/api" and the file never
    # defines the variable customer-domain (OpenAPI 3: every variable in a server URL
    # must be defined under servers[].variables). The tenant's URL is given instead
    # ("" gives the relative "/maestro/api": any host).
    spec["servers"] = [{"url": f"{base_url}/maestro/api"}]
    # info.version is required (OpenAPI 3.0 and 3.1); neither file has one.
    spec["info"].setdefault("version", spec["info"]["title"].rsplit(" ", 1)[-1])


# --- patches for v1.json ----------------------------------------------------------------------

V1_ERROR = {
    # The body the "V1 vs V2" guide prints for a v1 error (step 7).
    "type": "object",
    "required": ["type", "title", "report"],
    "properties": {
        "type": {"type": "integer"},
        "title": {"type": "string"},
        "report": {
            "type": "object",
            "required": ["detailedMessage"],
            "properties": {"detailedMessage": {"type": "string"}},
        },
    },
}


def _v1_any_values(spec: Spec) -> None:
    # RecordDto.data maps field IDs to {"type": "object"} and RecordGroupDto.value is
    # {"type": "object"}: a Java Object rendered as a JSON object. The values are
    # strings, numbers, booleans and lists (Adobe's own v1 examples on the Planning
    # API basics page; v2.json types the same data as "additionalProperties": {}).
    schemas = spec["components"]["schemas"]
    schemas["RecordDto"]["properties"]["data"]["additionalProperties"] = {}
    schemas["RecordGroupDto"]["properties"]["value"] = {}


def _v1_errors(spec: Spec) -> None:
    # Every v1 operation documents 200 only, though the service answers 400, 401, 404
    # and 405 (Planning API basics, "HTTP status codes"); the "V1 vs V2" guide prints
    # their body. Each operation gets it as its "default" answer.
    spec["components"]["schemas"]["V1Error"] = V1_ERROR
    for _, _, operation in operations(spec):
        operation["responses"]["default"] = {
            "description": "An error (the V1 vs V2 guide, step 7)",
            "content": {"*/*": {"schema": {"$ref": "#/components/schemas/V1Error"}}},
        }


def _v1_fuzzing(spec: Spec) -> None:
    # For the fuzzer only: Adobe's Planning API basics page sends "filters" as a list of
    # filter objects and "offset"/"limit" as numeric strings ("offset": "2001"); the file
    # types filters as an object and both numbers as int32. The emulator takes both
    # forms on purpose (docs/planning.md), so the fuzzer must not count them as
    # schema-violating data accepted.
    search = spec["components"]["schemas"]["RecordSearchDto"]["properties"]
    search["filters"] = {"type": ["object", "array"]}
    for name in ("offset", "limit"):
        search[name] = {
            "oneOf": [
                {"type": "integer", "format": "int32"},
                {"type": "string", "pattern": r"^\s*\d{1,9}\s*$"},
            ]
        }
    spec["openapi"] = "3.1.0"  # "type": [...] lists are OpenAPI 3.1


# --- patches for v2.json ----------------------------------------------------------------------

DATE_TIME = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"
# FieldDto.type lists the types a field is created with; the same file names
# CREATED_BY, UPDATED_BY and APPROVED_BY as field types (FilterConditionDto.value) and
# describes lookup fields (FieldDto.lookupOptions, linkedField "for reference and
# lookup fields"). An answer may show those, and the created/updated dates.
READ_ONLY_FIELD_TYPES = ["LOOKUP", "CREATED_BY", "UPDATED_BY", "CREATED_AT", "UPDATED_AT"]


def _v2_dates(spec: Spec) -> None:
    # createdAt and updatedAt carry "pattern": "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'": a Java
    # date format, not a regular expression (as one it matches only text holding those
    # letters). The regular expression it means replaces it.
    def visit(node: dict[str, Any]) -> None:
        if node.get("pattern") == "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'":
            node["pattern"] = DATE_TIME

    _walk(spec, visit)


def _v2_filters(spec: Spec) -> None:
    # FilterNodeDto is oneOf [FilterConditionDto, FilterGroupDto], and each of those is
    # allOf [FilterNodeDto, {...}]: every schema contains itself, so no validator can
    # finish. The self-reference is dropped; each keeps its own properties and required.
    schemas = spec["components"]["schemas"]
    for name in ("FilterConditionDto", "FilterGroupDto"):
        schema = schemas[name]
        own = schema.pop("allOf")[1]
        schema.update(own)


def _v2_merge_patches(spec: Spec) -> None:
    # patchView and patchRecordType reuse ViewDto and RecordTypeDto, whose "required"
    # lists (name and type; displayName) contradict the operations: PATCH is a JSON
    # merge patch, "Only provided fields will be updated" (the V1 vs V2 guide sends
    # {"description": ...} alone). PATCH operations get copies without top-level
    # "required" (nested objects they send stay whole).
    schemas = spec["components"]["schemas"]
    for _, _, operation in (o for o in operations(spec) if o[0] == "PATCH"):
        media = operation.get("requestBody", {}).get("content", {}).get("application/json")
        ref = (media or {}).get("schema", {}).get("$ref")
        if ref is None:
            continue
        name = ref.rsplit("/", 1)[1]
        if "required" in schemas[name]:
            patch = copy.deepcopy(schemas[name])
            del patch["required"]
            schemas[f"{name}MergePatch"] = patch
            media["schema"] = {"$ref": f"#/components/schemas/{name}MergePatch"}


def _v2_blank_names(spec: Spec) -> None:
    # The descriptions say "cannot be blank" (WorkspaceBaseDto.name, RecordTypeDto and
    # RecordTypeBaseDto.displayName, ViewDto.name) while the schemas take "" (minLength
    # 0; WorkspaceBaseDto.name has the pattern but is not required, so PUT and POST
    # take a workspace without a name). The guide's error example refuses a blank name
    # ("must not be blank"). Blank names are refused; POST and PUT need a workspace name.
    schemas = spec["components"]["schemas"]
    for name, prop in (
        ("RecordTypeDto", "displayName"),
        ("RecordTypeBaseDto", "displayName"),
        ("ViewDto", "name"),
    ):
        schemas[name]["properties"][prop]["pattern"] = r"(?s)^\s*\S.*$"
    whole = copy.deepcopy(schemas["WorkspaceBaseDto"])
    whole["required"] = ["name"]
    schemas["WorkspaceWriteDto"] = whole
    for method in ("post", "put"):
        for path in ("/v2/workspaces", "/v2/workspaces/{id}"):
            operation = spec["paths"][path].get(method)
            if operation is not None:
                media = operation["requestBody"]["content"]["application/json"]
                media["schema"] = {"$ref": "#/components/schemas/WorkspaceWriteDto"}
    # createField and updateField: a field has a name and (to be created) a type; the
    # file marks neither required, while its descriptions ("Display name of the field
    # ... must be unique", the per-type quotas) presume both.
    schemas["FieldDto"]["properties"]["displayName"]["pattern"] = r"(?s)^\s*\S.*$"
    create = copy.deepcopy(schemas["FieldDto"])
    create["required"] = ["displayName", "type"]
    schemas["FieldCreateDto"] = create
    replace = copy.deepcopy(create)
    replace["required"] = ["displayName"]
    # the field's own type may be sent back unchanged (GET then PUT)
    del replace["properties"]["type"]["enum"]
    schemas["FieldReplaceDto"] = replace
    for path, method, target in (
        ("/v2/record-types/{recordTypeId}/fields", "post", "FieldCreateDto"),
        ("/v2/fields/{id}", "put", "FieldReplaceDto"),
    ):
        media = spec["paths"][path][method]["requestBody"]["content"]["application/json"]
        media["schema"] = {"$ref": f"#/components/schemas/{target}"}


def _v2_field_types(spec: Spec) -> None:
    # See READ_ONLY_FIELD_TYPES: answers name fields of those types too. Answers get a
    # copy of FieldDto whose enum has them; requests keep the enum as written.
    schemas = spec["components"]["schemas"]
    read = copy.deepcopy(schemas["FieldDto"])
    read["properties"]["type"]["enum"] += READ_ONLY_FIELD_TYPES
    read["properties"]["linkedField"] = {"$ref": "#/components/schemas/FieldDtoAnswer"}
    schemas["FieldDtoAnswer"] = read
    listing = copy.deepcopy(schemas["CursorResponseFieldDto"])
    listing["properties"]["content"]["items"] = {"$ref": "#/components/schemas/FieldDtoAnswer"}
    schemas["CursorResponseFieldDtoAnswer"] = listing
    renamed = {
        "#/components/schemas/FieldDto": "#/components/schemas/FieldDtoAnswer",
        "#/components/schemas/CursorResponseFieldDto": (
            "#/components/schemas/CursorResponseFieldDtoAnswer"
        ),
    }
    for _, _, operation in operations(spec):
        for answer in operation["responses"].values():
            for media in answer.get("content", {}).values():
                ref = media.get("schema", {}).get("$ref")
                if ref in renamed:
                    media["schema"] = {"$ref": renamed[ref]}


def _v2_page_bounds(spec: Spec) -> None:
    # page and size are unbounded integers, yet the answer echoes them as int32
    # (PageRecordDto.number and .size) and pageable.offset (page * size) as int64: a
    # page or size past 2^31 - 1 cannot be answered. They get the int32 bounds.
    for _, _, operation in operations(spec):
        for parameter in operation.get("parameters", []):
            if parameter["name"] in ("page", "size") and parameter["in"] == "query":
                parameter["schema"]["format"] = "int32"
                parameter["schema"]["maximum"] = 2**31 - 1


def _v2_refusals(spec: Spec) -> None:
    # Operations whose query parameters have bounds (limit 1..100, page >= 0, size >= 1)
    # list no 400, so a value out of bounds has no answer; getHistory documents the same
    # parameters' refusal: "400 Bad Request (invalid cursor or limit)". Those operations
    # get that 400.
    for _, _, operation in operations(spec):
        bounded = any(
            "minimum" in p["schema"] or "maximum" in p["schema"]
            for p in operation.get("parameters", [])
        )
        if bounded and "400" not in operation["responses"]:
            operation["responses"]["400"] = {
                "description": "Bad Request (invalid cursor or limit; as getHistory)",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/V2ProblemDetail"}}
                },
            }


def _v2_move_and_bulk(spec: Spec) -> None:
    schemas = spec["components"]["schemas"]
    # MoveRecordsRequestDto: putAfterRecordId and putBeforeRecordId are "Mutually
    # exclusive", and the guide says "Provide exactly one"; the schema requires neither.
    schemas["MoveRecordsRequestDto"]["oneOf"] = [
        {"required": ["putAfterRecordId"]},
        {"required": ["putBeforeRecordId"]},
    ]
    # BulkDeleteRequestDto.ids has minItems 0, yet bulkDeleteRecords documents
    # "400 Bad Request (empty ids list)".
    schemas["BulkDeleteRequestDto"]["properties"]["ids"]["minItems"] = 1
    # The bulk create, update and patch bodies say "(max 100)" and the tag "Limits and
    # Quotas" says "Records per bulk request: 100"; their arrays have no maxItems.
    for _, path, operation in operations(spec):
        if path.endswith("/records/bulk") and "requestBody" in operation:
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            if schema.get("type") == "array":
                schema["maxItems"] = 100


def _v2_resource_types(spec: Spec) -> None:
    # The permissions operations take {resourceType} as any string, while their
    # parameter descriptions list its values: "Type of resource (workspaces,
    # record-types, records, views)", and for getInheritance "(must be record-types)";
    # the guide says the same. The lists become enums.
    for _, path, operation in operations(spec):
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "resourceType":
                kinds = (
                    ["record-types"]
                    if path.endswith("/inheritance")
                    else ["workspaces", "record-types", "records", "views"]
                )
                parameter["schema"]["enum"] = kinds


# --- patches for the fuzzer only ----------------------------------------------------------------


def _nullable(spec: Spec) -> None:
    # For the fuzzer only: the files come from Java DTOs whose properties are
    # references (String, Boolean, Integer ...), and Spring binds a JSON null into
    # them as an absent value (merge patches use null to clear a field: "Setting a
    # field value to JSON null ... explicitly clears that field"); springdoc writes no
    # "nullable". A property that is not required may be null (OpenAPI 3.1 spelling).
    def visit(node: dict[str, Any]) -> None:
        props = node.get("properties")
        if not isinstance(props, dict):
            return
        required = set(node.get("required", []))
        for name, prop in props.items():
            if name in required or not isinstance(prop, dict):
                continue
            kind = prop.get("type")
            if isinstance(kind, str):
                prop["type"] = [kind, "null"]
            elif "$ref" in prop:
                props[name] = {"anyOf": [{"$ref": prop["$ref"]}, {"type": "null"}]}

    _walk(spec["components"], visit)
    for _, _, operation in operations(spec):
        _walk(operation.get("requestBody", {}), visit)
    spec["openapi"] = "3.1.0"


def _read_only_anything(spec: Spec) -> None:
    # For the fuzzer only: a readOnly property "SHOULD NOT be sent" in a request
    # (OpenAPI 3.1 4.8.24.1) and Spring ignores it there whatever it holds (Jackson's
    # READ_ONLY access); a fuzzer that mutates one into a wrong type expects a refusal
    # the service does not give. readOnly properties take any value here; answers are
    # still checked against the unpatched types by test_answers_match_specs.py.
    def visit(node: dict[str, Any]) -> None:
        props = node.get("properties")
        if isinstance(props, dict):
            for name, prop in list(props.items()):
                if isinstance(prop, dict) and prop.get("readOnly"):
                    props[name] = {"readOnly": True}

    _walk(spec["components"], visit)


def _query_text(spec: Spec) -> None:
    # For the fuzzer only: in a query string every value is text. A parameter that is a
    # list of strings (fieldIds, groupingFieldIds, scopeWorkspaceIds ...) cannot be
    # given a "wrong type": "false" is a string the list may hold. Such parameters are
    # read as text. A boolean parameter also takes the empty value: Spring uses the
    # default for it ("The default value to use as a fallback when the request
    # parameter is not provided or has an empty value", @RequestParam.defaultValue;
    # without one, an empty Boolean is null).
    for _, _, operation in operations(spec):
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query":
                continue
            schema = parameter["schema"]
            if schema.get("type") == "array" and schema.get("items", {}).get("type") == "string":
                parameter["schema"] = {"type": "string"}
                parameter.pop("example", None)
            elif schema.get("type") == "boolean":
                parameter["schema"] = {"anyOf": [schema, {"type": "string", "enum": [""]}]}


def _integer_bounds(spec: Spec) -> None:
    # For the fuzzer only: "format": "int32" / "int64" say how large an integer may be,
    # but a generator that ignores formats sends 2^53 as a valid int32. The bounds the
    # formats mean are spelled out.
    bounds = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}

    def visit(node: dict[str, Any]) -> None:
        if node.get("format") in bounds and "integer" in node.get("type", ()):
            low, high = bounds[node["format"]]
            node.setdefault("minimum", low)
            node.setdefault("maximum", high)

    _walk(spec, visit)


def _field_recursion(spec: Spec) -> None:
    # For the fuzzer only: FieldDto holds FieldDto three ways (linkedField,
    # referenceOptions.backField, lookupOptions.sourceField). That is valid JSON
    # Schema, but the data generator fails on it (a KeyError and a recursion error
    # inside hypothesis); the nested field is cut to one level (a FieldDto without
    # those three properties).
    schemas = spec["components"]["schemas"]
    leaf = copy.deepcopy(schemas["FieldDto"])
    for name in ("linkedField", "referenceOptions", "lookupOptions"):
        leaf["properties"].pop(name, None)
    schemas["FieldDtoLeaf"] = leaf

    def visit(node: dict[str, Any]) -> None:
        props = node.get("properties")
        if isinstance(props, dict):
            for name in ("linkedField", "backField", "sourceField"):
                if name in props:
                    props[name] = {"$ref": "#/components/schemas/FieldDtoLeaf"}

    for name, schema in schemas.items():
        if name != "FieldDtoLeaf":
            _walk(schema, visit)


def patched(version: str, *, base_url: str = f"https://{HOST}", fuzzing: bool = False) -> Spec:
    """A copy of Adobe's file with the patches above (see the module docstring)."""
    spec = raw(version)
    _server(spec, base_url)
    if version == "v1":
        _v1_any_values(spec)
        _v1_errors(spec)
        if fuzzing:
            _v1_fuzzing(spec)
    else:
        _v2_dates(spec)
        _v2_filters(spec)
        _v2_blank_names(spec)
        _v2_merge_patches(spec)
        _v2_field_types(spec)
        _v2_page_bounds(spec)
        _v2_refusals(spec)
        _v2_move_and_bulk(spec)
        _v2_resource_types(spec)
        if fuzzing:
            _field_recursion(spec)
    if fuzzing:
        _query_text(spec)
        _read_only_anything(spec)
        _integer_bounds(spec)
        _nullable(spec)
    return spec
