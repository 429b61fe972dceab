"""Reads of the classic API: search, count, report, get by ID and named
queries (docs/api-notes.md §1 and §4)."""

from __future__ import annotations

import math
import statistics
from typing import Any

import orjson

from ._call import ClassicCall, all_values, ids_param, truthy
from ._filters import (
    Ctx,
    Query,
    bad_request,
    compile_where,
    parse_query,
    resolve_column,
)
from ._pages import page_rows
from ._store import MAX_FIELDS, not_found

# -- reads ---------------------------------------------------------------------


# Adobe's "API basics" page, "Considering Query Limits": 100 results by default, 2000 at most.
MAX_LIMIT = 2000
DEFAULT_LIMIT = 100
_AGGS = ("sum", "avg", "min", "max", "count", "std", "var")


def limits(call: ClassicCall) -> tuple[int, int]:
    first_raw, limit_raw = call.p("$$FIRST"), call.p("$$LIMIT")
    try:
        first = int(first_raw) if first_raw not in (None, "") else 0
        limit = int(limit_raw) if limit_raw not in (None, "") else DEFAULT_LIMIT
    except ValueError:
        raise bad_request("$$FIRST and $$LIMIT must be whole numbers") from None
    if first < 0 or limit < 0:
        raise bad_request("$$FIRST and $$LIMIT cannot be negative")
    if limit > MAX_LIMIT:
        raise bad_request(
            f"The requested limit {limit} is greater than the maximum allowed limit of {MAX_LIMIT}"
        )
    if limit == 0:
        limit = DEFAULT_LIMIT
    return first, limit


def _select(
    call: ClassicCall, code: str, *, order: bool = True
) -> tuple[str, str, list[Any], Ctx, list[str], Query]:
    """(joins, where, params, ctx, order terms) for the request's filters and sorts."""
    ctx = call.ctx(code)
    plain, extra = call.filter_params()
    query = parse_query(plain, extra)
    params: list[Any] = []
    where = compile_where(ctx, query, params)
    terms: list[str] = []
    if order:
        for path, direction in query.sorts:
            col = resolve_column(ctx, path)
            expr = f"lower({col.sql})" if direction.startswith("ci") else col.sql
            terms.append(f"{expr} {'DESC' if direction.endswith('desc') else 'ASC'}")
    return " ".join(ctx.joins), where, params, ctx, terms, query


def search(call: ClassicCall, code: str) -> Any:
    first, limit = limits(call)
    joins, where, params, _, terms, _ = _select(call, code)
    store = call.tenant.store
    tree = call.fields_tree(code)
    as_map = truthy(call.p("map"))
    row_sql = None if as_map else store.row_json_sql(code, tree)
    if row_sql is not None:
        # plain fields: SQLite writes each row's JSON, the page is one fragment
        sql, width = row_sql
        n, text = page_rows(
            store,
            code,
            f"{sql} AS j",
            joins,
            where,
            params,
            terms,
            first,
            limit,
            fetch=store.query_joined,
        )
        if n * width > MAX_FIELDS:
            raise bad_request(f"the result holds more than {MAX_FIELDS} fields; ask for fewer")
        return orjson.Fragment(b"[" + text + b"]")
    cols = ", ".join(f't0."{c}"' for c in store.columns_for(code, tree))
    rows: list[dict[str, Any]] = page_rows(
        store, code, cols, joins, where, params, terms, first, limit
    )
    out = store.render(code, rows, tree)
    if as_map:
        # keyed by ID whether or not the objects show it (CSTEM's default fields do not)
        return {row["ID"]: obj for row, obj in zip(rows, out, strict=True)}
    return out


def count(call: ClassicCall, code: str) -> Any:
    joins, where, params, _, _, _ = _select(call, code, order=False)
    rows = call.tenant.store.query(
        f'SELECT COUNT(*) AS n FROM "{code}" t0 {joins} WHERE {where}', params
    )
    return {"count": rows[0]["n"]}


def _group_key(kind: str, value: Any) -> str:
    if value is None:
        return "null"
    if kind == "date":
        from ._dates import to_api

        return to_api(value)
    if kind == "bool":
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _group_value(kind: str, value: Any) -> Any:
    """A group-by value as the API renders the field."""
    if value is None:
        return None
    if kind == "date":
        from ._dates import to_api

        return to_api(value)
    if kind == "bool":
        return bool(value)
    if kind == "int" and isinstance(value, int | float):
        return int(value)
    return value


def _aggregate(func: str, values: list[Any]) -> Any:
    distinct = func.startswith("d") and func[1:] in _AGGS
    base = func[1:] if distinct else func
    present = [v for v in values if v is not None]
    if distinct:
        present = list(dict.fromkeys(present))
    if base == "count":
        return len(present)
    nums = [float(v) for v in present if isinstance(v, int | float)]
    if base in ("min", "max"):
        if not present:
            return None
        return min(present) if base == "min" else max(present)
    if base == "sum":
        return sum(nums)
    if base == "avg":
        return sum(nums) / len(nums) if nums else None
    if len(nums) < 2:
        return 0.0 if nums else None
    var = statistics.variance(nums)
    return math.sqrt(var) if base == "std" else var


def report(call: ClassicCall, code: str) -> Any:
    joins, where, params, ctx, _, query = _select(call, code, order=False)
    if not query.aggs and not query.group_by:
        raise bad_request("a report needs <field>_AggFunc=<func> and/or <field>_GroupBy=true")
    groups = [resolve_column(ctx, path) for path in query.group_by]
    aggs = []
    for path, func in query.aggs:
        func_l = func.lower()
        base = func_l[1:] if func_l.startswith("d") and func_l[1:] in _AGGS else func_l
        if base not in _AGGS:
            raise bad_request(
                f"unknown aggregate {func!r} for {path}; use sum avg min max count std var "
                "or a distinct variant (dsum, dcount, ...)"
            )
        aggs.append((path, func_l, resolve_column(ctx, path)))
    joins = " ".join(ctx.joins)
    cols = [g.sql for g in groups] + [a[2].sql for a in aggs] or ["1"]
    select = ", ".join(f"{c} AS c{i}" for i, c in enumerate(cols))
    rows = call.tenant.store.db.execute(
        f'SELECT {select} FROM "{code}" t0 {joins} WHERE {where}', params
    ).fetchall()
    n = len(groups)

    def summarise(members: list[tuple[Any, ...]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for i, (path, func, _) in enumerate(aggs):
            out[f"{func}_{path}"] = _aggregate(func, [m[n + i] for m in members])
        if not aggs:
            out["count"] = len(members)
        return out

    def build(members: list[tuple[Any, ...]], depth: int) -> dict[str, Any]:
        if depth == n:
            out = summarise(members)
            # each bucket repeats every group-by value under the field's name
            # (recorded report.json, docs/api-notes.md §4 "Report buckets")
            for i, path in enumerate(query.group_by):
                out[path] = _group_value(groups[i].type, members[0][i])
            return out
        buckets: dict[str, list[tuple[Any, ...]]] = {}
        for m in members:
            buckets.setdefault(_group_key(groups[depth].type, m[depth]), []).append(m)
        return {key: build(bucket, depth + 1) for key, bucket in buckets.items()}

    result = build(rows, 0)
    if truthy(call.p("$$ROLLUP")) and n:
        result["$$ROLLUP"] = summarise(rows)
    return result


def get_many(call: ClassicCall, code: str) -> Any:
    ids = ids_param(call)
    if not ids:
        raise bad_request(
            f"GET /{call.segments[0]} needs id=<ID>[,<ID>...]; use /{call.segments[0]}/search "
            "to search",
            status=400,
        )
    found = call.tenant.store.fetch_by(code, "ID", ids)
    known = {r["ID"] for r in found}
    for obj_id in ids:
        if obj_id not in known:
            raise not_found(code, obj_id)
    out = call.render_ids(code, list(dict.fromkeys(ids)))
    if len(ids) == 1 and "," not in "".join(all_values(call.params, "id")):
        return out[0]
    return out


def get_one(call: ClassicCall, code: str, obj_id: str) -> Any:
    if obj_id in ("$$USER", "$$USER.ID") and code == "USER":
        obj_id = call.user_id
    row = call.tenant.store.get_raw(code, obj_id)
    if row is None:
        raise not_found(code, obj_id)
    return call.render(code, [row])[0]


def my_work(call: ClassicCall) -> Any:
    """``work/myWork``: the open tasks and issues assigned to the caller."""
    out: list[dict[str, Any]] = []
    user = call.user_id
    for code in ("TASK", "OPTASK"):
        fk = "taskID" if code == "TASK" else "opTaskID"
        rows = call.tenant.store.query(
            f'SELECT * FROM "{code}" t WHERE (t."status" IS NULL OR t."status" NOT IN '
            "('CPL', 'CLS', 'DED')) AND (t.\"assignedToID\" = ? OR EXISTS (SELECT 1 FROM "
            f'"ASSGN" a WHERE a."{fk}" = t."ID" AND a."assignedToID" = ?)) ORDER BY t.rowid',
            (user, user),
        )
        out.extend(call.render(code, rows))
    return out
