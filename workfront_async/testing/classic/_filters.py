"""Classic query parameters -> SQL, for the embedded Workfront.

Pure: takes request parameters and the schema, returns SQL text with bound
parameters. Semantics follow docs/api-notes.md §1 Search:

* a filter is ``field=value`` plus ``field_Mod`` (default ``eq``) and ``field_Range``;
* ``OR:<n>:`` levels: filters inside a level are ANDed; the unprefixed filters and
  every level are ORed together (a disjunction of conjunctions);
* ``EXISTS:<n>:`` groups with ``$$OBJCODE``, ``FIELD:<name>`` links and
  ``$$EXISTSMOD=NOTEXISTS`` (``NOTEXISTS:<n>:`` is read too);
* nested references (``project:owner:name``, at most 4 hops), collections
  (``assignments:assignedToID``: any element matches), custom fields ``DE:Name``;
* negated modifiers (``ne``, ``cine``, ``notcontains``, ``cinotcontains``, ``notin``,
  ``cinotin``) also match NULL; ``nee`` and ``notbetween`` do not; text modifiers
  (``contains``, ``like``, ...) never match a non-text field, their negations always do.
  This is the reading of ``tests/reference.py``.

The modifiers and what each means are the table in ``_modifiers`` (from Adobe's pages).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from .._server._errors import ILLEGAL, BadRequest, ServerError
from ._dates import DateError, parse_filter_date
from ._modifiers import MODIFIERS, NO_VALUE, TEXT_NEGATED, TEXT_ONLY
from ._schema import OBJ_TYPES, ObjType, resolve_obj_code

__all__ = [
    "CONTROL_PARAMS",
    "MAX_DEPTH",
    "MODIFIERS",
    "Col",
    "Ctx",
    "Query",
    "bad_request",
    "compile_where",
    "parse_query",
    "resolve_column",
    "split_path",
]

MAX_DEPTH = 4

# Parameters that are never filters.
CONTROL_PARAMS = frozenset(
    {
        "fields",
        "map",
        "$$FIRST",
        "$$LIMIT",
        "method",
        "filters",
        "$$ROLLUP",
        "apiKey",
        "sessionID",
        "username",
        "password",
        "id",
        "updates",
        "action",
        "force",
        "atomic",
        "copySourceID",
        "options",
        "jsonp",
        "callback",
    }
)

_SORT = re.compile(r"^(?P<path>.+?)(?:_(?P<n>\d+))?_Sort$")
_GROUP = re.compile(r"^(?P<path>.+?)(?:_(?P<n>\d+))?_GroupBy$")
_AGG = re.compile(r"^(?P<path>.+?)_AggFunc$")
_OR = re.compile(r"^OR:(\d+):(.+)$")
_EXISTS = re.compile(r"^(NOT)?EXISTS:(\d+):(.+)$")


def bad_request(message: str, status: int = 422) -> ServerError:
    return BadRequest(message, status=status, error_class=ILLEGAL)


@attrs.define
class Spec:
    values: list[str] = attrs.field(factory=list)
    mod: str | None = None
    range: str | None = None


@attrs.define
class ExistsGroup:
    negated: bool
    obj_code: str | None = None
    specs: dict[str, Spec] = attrs.field(factory=dict)


@attrs.define
class Query:
    levels: dict[int, dict[str, Spec]] = attrs.field(factory=dict)
    exists: dict[tuple[int, int], ExistsGroup] = attrs.field(factory=dict)
    sorts: list[tuple[str, str]] = attrs.field(factory=list)
    group_by: list[str] = attrs.field(factory=list)
    aggs: list[tuple[str, str]] = attrs.field(factory=list)


def _spec_for(
    store: dict[str, Spec], key: str
) -> tuple[Spec, str]:  # (spec, attribute: value|mod|range)
    if key.endswith("_Mod"):
        name, part = key[:-4], "mod"
    elif key.endswith("_Range"):
        name, part = key[:-6], "range"
    else:
        name, part = key, "value"
    spec = store.setdefault(name, Spec())
    return spec, part


def parse_query(params: Sequence[tuple[str, str]], extra: Sequence[tuple[str, str]] = ()) -> Query:
    """Group raw parameters into filters, sorts, group-bys and aggregates.

    ``extra`` holds the ``filters=`` JSON pairs: they may use names that are
    otherwise consumed by authentication (``username``, ...).
    """
    query = Query()
    sorts: list[tuple[int, int, str, str]] = []
    groups: list[tuple[int, int, str]] = []
    tagged = [(k, v, False) for k, v in params] + [(k, v, True) for k, v in extra]
    for index, (key, value, from_json) in enumerate(tagged):
        if key in CONTROL_PARAMS and not from_json:
            continue
        if m := _SORT.match(key):
            rank = int(m["n"]) if m["n"] else 0
            direction = value.strip().lower() or "asc"
            if direction not in ("asc", "desc", "ciasc", "cidesc"):
                raise bad_request(f"sort direction for {key} must be asc or desc, not {value!r}")
            sorts.append((rank, index, m["path"], direction))
            continue
        if m := _GROUP.match(key):
            if value.strip().lower() in ("true", "1", ""):
                groups.append((int(m["n"]) if m["n"] else 0, index, m["path"]))
            continue
        if m := _AGG.match(key):
            query.aggs.append((m["path"], value.strip()))
            continue
        level = 0
        rest = key
        if m := _OR.match(key):
            level = int(m[1])
            rest = m[2]
        if m := _EXISTS.match(rest):
            group = query.exists.setdefault(
                (level, int(m[2]) * 2 + (1 if m[1] else 0)), ExistsGroup(negated=bool(m[1]))
            )
            inner = m[3]
            if inner == "$$EXISTSMOD":
                group.negated = value.strip().upper() == "NOTEXISTS"
                continue
            if inner == "$$OBJCODE":
                code = resolve_obj_code(value)
                if code is None:
                    raise bad_request(f"EXISTS: unknown object type {value!r} in {key}")
                group.obj_code = code
                continue
            spec, part = _spec_for(group.specs, inner)
        else:
            spec, part = _spec_for(query.levels.setdefault(level, {}), rest)
        if part == "value":
            spec.values.append(value)
        elif part == "mod":
            spec.mod = value.strip().lower()
        else:
            spec.range = value
    query.sorts = [(path, d) for _, _, path, d in sorted(sorts)]
    query.group_by = [path for _, _, path in sorted(groups)]
    for (level, _), group in query.exists.items():
        if group.obj_code is None:
            raise bad_request(f"EXISTS group in level {level} needs EXISTS:<n>:$$OBJCODE=<objCode>")
    return query


def split_path(path: str) -> list[str]:
    """``project:DE:Region`` -> ``["project", "DE:Region"]``."""
    parts = path.split(":")
    out: list[str] = []
    for i, part in enumerate(parts):
        if part == "DE" and i < len(parts) - 1:
            out.append("DE:" + ":".join(parts[i + 1 :]))
            return out
        out.append(part)
    return out


@attrs.frozen
class Col:
    sql: str
    type: str  # schema type, or "multi" for multi-valued custom fields
    alias: str
    de_name: str | None = None


@attrs.define
class Ctx:
    """One SELECT under construction: the main alias and its LEFT JOINs."""

    code: str
    alias: str
    custom_types: Mapping[str, str]
    resolve_user: Callable[[str], list[str]]
    now: datetime
    counter: list[int] = attrs.field(factory=lambda: [0])
    joins: list[str] = attrs.field(factory=list)
    join_map: dict[tuple[str, ...], tuple[str, str]] = attrs.field(factory=dict)
    outer: Ctx | None = None

    def new_alias(self) -> str:
        self.counter[0] += 1
        return f"t{self.counter[0]}"

    def sub(self, code: str) -> Ctx:
        return Ctx(
            code=code,
            alias=self.new_alias(),
            custom_types=self.custom_types,
            resolve_user=self.resolve_user,
            now=self.now,
            counter=self.counter,
            outer=self,
        )


def _otype(code: str) -> ObjType:
    return OBJ_TYPES[code]


def _unknown(code: str, name: str) -> ServerError:
    return bad_request(
        f"{code} has no field {name!r} (field names are case-sensitive; nested references "
        "use 'ref:field', custom fields 'DE:Name')"
    )


def resolve_column(ctx: Ctx, path: str) -> Col:
    """A SQL expression for a (possibly nested) field; collections are refused here."""
    segments = split_path(path)
    if len(segments) - 1 > MAX_DEPTH:
        raise bad_request(
            f"{path!r} is nested {len(segments) - 1} levels deep; the maximum is {MAX_DEPTH}"
        )
    code, alias = ctx.code, ctx.alias
    for depth, seg in enumerate(segments[:-1]):
        otype = _otype(code)
        name = otype.field_ci(seg)
        if name is None or name not in otype.refs:
            if name in otype.collections:
                raise bad_request(f"{path!r}: collection {name!r} cannot be used here")
            raise _unknown(code, seg)
        key = (alias, *segments[: depth + 1])
        if key in ctx.join_map:
            alias, code = ctx.join_map[key]
            continue
        id_field, target = otype.refs[name]
        new = ctx.new_alias()
        ctx.joins.append(f'LEFT JOIN "{target}" {new} ON {new}."ID" = {alias}."{id_field}"')
        ctx.join_map[key] = (new, target)
        alias, code = new, target
    return _final_column(ctx, code, alias, segments[-1], path)


def _final_column(ctx: Ctx, code: str, alias: str, seg: str, path: str) -> Col:
    if seg.startswith("DE:"):
        ctype = ctx.custom_types.get(seg, "str")
        return Col(f"json_extract({alias}._de, '$.\"{_q(seg)}\"')", ctype, alias, seg)
    otype = _otype(code)
    name = otype.field_ci(seg)
    if name is None or name not in otype.fields:
        if name is not None:
            raise bad_request(
                f"{path!r} names a reference or collection; filter on one of its fields "
                f"instead, e.g. '{path}:ID' or '{path}:name'"
            )
        raise _unknown(code, seg)
    return Col(f'{alias}."{name}"', otype.fields[name], alias)


def _q(text: str) -> str:
    return text.replace("'", "''").replace('"', '\\"')


class _Raw:
    """A value that is SQL (``FIELD:x`` in EXISTS), not a bound parameter."""

    __slots__ = ("sql",)

    def __init__(self, sql: str) -> None:
        self.sql = sql


def _coerce(ctx: Ctx, col: Col, raw: str, field: str) -> list[Any]:
    """One filter value -> bound values (``$$USER.roleIDs`` may give several)."""
    if raw.startswith("FIELD:") and ctx.outer is not None:
        outer_col = resolve_column(ctx.outer, raw[6:])
        return [_Raw(outer_col.sql)]
    texts = [raw]
    if raw.startswith(("$$USER", "$$CUSTOMER")):
        texts = ctx.resolve_user(raw)
    out: list[Any] = []
    for text in texts:
        kind = col.type
        if kind in ("int", "float"):
            try:
                num = float(text)
            except ValueError:
                raise bad_request(f"{field}: {text!r} is not a number") from None
            out.append(int(num) if kind == "int" and num.is_integer() else num)
        elif kind == "bool":
            low = text.strip().lower()
            if low not in ("true", "false", "1", "0"):
                raise bad_request(f"{field}: {text!r} is not true or false")
            out.append(1 if low in ("true", "1") else 0)
        elif kind == "date":
            try:
                out.append(parse_filter_date(text, ctx.now))
            except DateError as exc:
                raise bad_request(f"{field}: {exc}") from None
        else:
            out.append(text)
    return out


def _ph(value: Any, params: list[Any]) -> str:
    if isinstance(value, _Raw):
        return value.sql
    params.append(value)
    return "?"


def _placeholders(values: Iterable[Any], params: list[Any], ci: bool = False) -> str:
    parts = []
    for value in values:
        ph = _ph(value, params)
        parts.append(f"lower({ph})" if ci else ph)
    return ", ".join(parts)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _modifier_sql(
    col: Col, mod: str, values: list[Any], rng: Any, params: list[Any], field: str
) -> str:
    x = col.sql
    is_text = col.type in ("str", "id", "multi")
    ci = mod.startswith("ci") and is_text
    xl = f"lower({x})" if ci else x

    def one() -> str:
        if not values:
            raise bad_request(f"{field}: modifier {mod!r} needs a value")
        ph = _ph(values[0], params)
        return f"lower({ph})" if ci else ph

    if not is_text and mod in TEXT_ONLY:
        # Text modifiers never match a number, date or boolean; their negations always do.
        return "1" if mod in TEXT_NEGATED else "0"
    if col.type == "multi" and mod in ("eq", "in", "ciin", "ne", "notin", "cinotin", "allof"):
        return _multi_sql(col, mod, values, params)
    if mod in ("eq", "cieq"):
        if len(values) > 1:
            return f"{xl} IN ({_placeholders(values, params, ci)})"
        return f"{xl} = {one()}"
    if mod == "nee":
        return f"{x} <> {one()}"
    if mod in ("ne", "cine"):
        if len(values) > 1:
            return f"({x} IS NULL OR {xl} NOT IN ({_placeholders(values, params, ci)}))"
        return f"({x} IS NULL OR {xl} <> {one()})"
    if mod in ("lt", "lte", "gt", "gte"):
        op = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}[mod]
        return f"{x} {op} {one()}"
    if mod in ("contains", "cicontains"):
        return f"instr({xl}, {one()}) > 0"
    if mod in ("notcontains", "cinotcontains"):
        return f"({x} IS NULL OR instr({xl}, {one()}) = 0)"
    if mod in ("cicontainsany", "cicontainsall"):
        if not values:
            raise bad_request(f"{field}: modifier {mod!r} needs a value")
        joiner = " OR " if mod == "cicontainsany" else " AND "
        terms = [f"instr(lower({x}), lower({_ph(v, params)})) > 0" for v in values]
        return "(" + joiner.join(terms) + ")"
    if mod in ("like", "cilike"):
        return f"{xl} LIKE {one()}"
    if mod in ("startswith", "cistartswith", "endswith", "ciendswith"):
        if not values:
            raise bad_request(f"{field}: modifier {mod!r} needs a value")
        value = values[0]
        if isinstance(value, _Raw):
            raise bad_request(f"{field}: {mod} cannot take FIELD: values")
        pattern = _like_escape(str(value))
        pattern = pattern + "%" if "starts" in mod else "%" + pattern
        params.append(pattern.lower() if ci else pattern)
        return f"{xl} LIKE ? ESCAPE '\\'"
    if mod in ("in", "ciin"):
        if not values:
            return "0"
        return f"{xl} IN ({_placeholders(values, params, ci)})"
    if mod in ("notin", "cinotin"):
        if not values:
            return "1"
        return f"({x} IS NULL OR {xl} NOT IN ({_placeholders(values, params, ci)}))"
    if mod in ("between", "notbetween"):
        if rng is None:
            raise bad_request(f"{field}: {mod} needs {field}_Range=<upper bound>")
        low = one()
        high = _ph(rng, params)
        if mod == "between":
            return f"({x} >= {low} AND {x} <= {high})"
        return f"({x} < {low} OR {x} > {high})"
    if mod == "isnull":
        return f"{x} IS NULL"
    if mod == "notnull":
        return f"{x} IS NOT NULL"
    if mod == "isblank":
        return f"({x} IS NULL OR {x} = '')"
    if mod == "notblank":
        return f"({x} IS NOT NULL AND {x} <> '')"
    if mod == "allof":
        # On a single-valued field every value must equal it.
        if not values:
            raise bad_request(f"{field}: modifier 'allof' needs a value")
        return "(" + " AND ".join(f"{x} = {_ph(v, params)}" for v in values) + ")"
    raise bad_request(f"unknown modifier {mod!r} for {field}; use one of {sorted(MODIFIERS)}")


def _multi_sql(col: Col, mod: str, values: list[Any], params: list[Any]) -> str:
    path = f"'$.\"{_q(col.de_name or '')}\"'"
    each = f"json_each({col.alias}._de, {path})"
    distinct = list(dict.fromkeys(values))
    if mod == "allof":
        phs = _placeholders(distinct, params)
        return (
            f"(SELECT COUNT(DISTINCT value) FROM {each} WHERE value IN ({phs})) = {len(distinct)}"
        )
    ci = mod.startswith("ci")
    value_expr = "lower(value)" if ci else "value"
    phs = _placeholders(distinct, params, ci)
    exists = f"EXISTS (SELECT 1 FROM {each} WHERE {value_expr} IN ({phs}))"
    if mod in ("ne", "notin", "cinotin"):
        return f"NOT {exists}"
    return exists


def _predicate(ctx: Ctx, field: str, spec: Spec, params: list[Any]) -> str:
    """SQL for one filter; a collection in the path becomes an EXISTS subquery."""
    mod = (spec.mod or ("in" if len(spec.values) > 1 else "eq")).lower()
    if mod not in MODIFIERS:
        raise bad_request(f"unknown modifier {mod!r} for {field}; use one of {sorted(MODIFIERS)}")
    segments = split_path(field)
    if len(segments) - 1 > MAX_DEPTH:
        raise bad_request(
            f"{field!r} is nested {len(segments) - 1} levels deep; the maximum is {MAX_DEPTH}"
        )
    code = ctx.code
    for i, seg in enumerate(segments[:-1]):
        otype = _otype(code)
        name = otype.field_ci(seg)
        if name is not None and name in otype.collections:
            child_code, fk = otype.collections[name]
            prefix = ":".join(segments[:i])
            if prefix:
                owner_col = resolve_column(ctx, prefix + ":ID")
                owner = owner_col.sql
            else:
                owner = f'{ctx.alias}."ID"'
            sub = ctx.sub(child_code)
            sub.outer = ctx.outer
            inner_params: list[Any] = []
            inner = _predicate(sub, ":".join(segments[i + 1 :]), spec, inner_params)
            joins = " ".join(sub.joins)
            params.extend(inner_params)
            return (
                f'EXISTS (SELECT 1 FROM "{child_code}" {sub.alias} {joins} '
                f'WHERE {sub.alias}."{fk}" = {owner} AND {inner})'
            )
        if name is None or name not in otype.refs:
            raise _unknown(code, seg)
        code = otype.refs[name][1]
    col = resolve_column(ctx, field)
    values: list[Any] = []
    if mod not in NO_VALUE:
        for raw in spec.values:
            values.extend(_coerce(ctx, col, raw, field))
    rng = None
    if spec.range is not None and mod in ("between", "notbetween"):
        coerced = _coerce(ctx, col, spec.range, field + "_Range")
        rng = coerced[0] if coerced else None
    if not spec.values and mod not in NO_VALUE:
        raise bad_request(f"{field}_Mod={mod} was given without a value for {field}")
    return _modifier_sql(col, mod, values, rng, params, field)


def _conjunction(ctx: Ctx, specs: Mapping[str, Spec], params: list[Any]) -> list[str]:
    return [_predicate(ctx, field, spec, params) for field, spec in specs.items()]


def _exists_sql(ctx: Ctx, group: ExistsGroup, params: list[Any]) -> str:
    assert group.obj_code is not None
    sub = ctx.sub(group.obj_code)
    inner_params: list[Any] = []
    terms = _conjunction(sub, group.specs, inner_params)
    where = " AND ".join(terms) or "1"
    joins = " ".join(sub.joins)
    params.extend(inner_params)
    sql = f'EXISTS (SELECT 1 FROM "{group.obj_code}" {sub.alias} {joins} WHERE {where})'
    return f"NOT {sql}" if group.negated else sql


def compile_where(ctx: Ctx, query: Query, params: list[Any]) -> str:
    """The WHERE clause (without the keyword) for a parsed query; ``1`` for none."""
    level_numbers = sorted(set(query.levels) | {lvl for lvl, _ in query.exists})
    disjuncts: list[str] = []
    for level in level_numbers:
        terms = _conjunction(ctx, query.levels.get(level, {}), params)
        for (lvl, _), group in sorted(query.exists.items()):
            if lvl == level:
                terms.append(_exists_sql(ctx, group, params))
        if terms:
            disjuncts.append("(" + " AND ".join(terms) + ")")
    if not disjuncts:
        return "1"
    return _any_of(disjuncts)


def _any_of(disjuncts: list[str]) -> str:
    """``a OR b OR ...`` as a balanced tree: SQLite refuses expressions nested
    more than 1000 deep, and a flat chain of thousands of OR levels is that deep."""
    if len(disjuncts) <= 8:
        return " OR ".join(disjuncts)
    middle = len(disjuncts) // 2
    return f"({_any_of(disjuncts[:middle])}) OR ({_any_of(disjuncts[middle:])})"
