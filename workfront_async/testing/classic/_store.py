"""SQLite storage of the embedded Workfront: tables, coercion, writes and rendering.

Synchronous and in-memory. One table per object type named by its ObjCode,
one column per field, plus ``_de`` holding the custom field values as JSON.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import attrs
import orjson

from .._server._errors import NotFound, ServerError
from ._dates import DateError, from_store, parse_filter_date, to_api, to_store
from ._filters import MAX_DEPTH, bad_request, split_path
from ._schema import OBJ_TYPES, ObjType, resolve_obj_code

__all__ = ["Change", "FieldTree", "Store", "derived_id", "not_found", "param_kind"]

FieldTree = dict[str, "FieldTree"]
MAX_OBJECTS = 50_000
MAX_FIELDS = 1_000_000
_CHUNK = 900
_MAX_JSON_FIELDS = 60
DEFAULT_JSON: Final = 't0."_dj"'
"""A row's default field set as the API's JSON (a stored generated column)."""
DEFAULT_JSON_INDEX: Final = "dj_"
"""Prefix of each table's index on ``(ID, _dj)``."""
"""``json_object`` takes at most 127 arguments (SQLITE_MAX_FUNCTION_ARG)."""


def _quoted(name: str) -> str:
    return '"' + name + '"'


_INDEXES = {
    "TASK": (
        "projectID",
        "parentID",
        "assignedToID",
        "status",
        "plannedCompletionDate",
        "entryDate",
        "lastUpdateDate",
        "portfolioID",
        "name",
    ),
    "OPTASK": ("projectID", "assignedToID", "status", "entryDate", "lastUpdateDate"),
    "PROJ": ("portfolioID", "programID", "ownerID", "status", "lastUpdateDate", "name"),
    "ASSGN": ("taskID", "opTaskID", "assignedToID", "projectID"),
    "HOUR": ("taskID", "opTaskID", "projectID", "ownerID", "entryDate"),
    "JRNLE": ("objID", "entryDate", "fieldName"),
    "DOCU": ("objID",),
    "DOCV": ("documentID",),
    "ACSRUL": ("securityObjID",),
    "USER": ("homeTeamID", "managerID", "username"),
    "PRGM": ("portfolioID",),
    "WORKITEM": ("userID", "objID"),
    "NOTE": ("objID", "projectID", "taskID", "opTaskID", "parentNoteID"),
    "TTSK": ("templateID", "parentID"),
    "EXPNS": ("projectID", "taskID"),
    "BSLN": ("projectID",),
}

# Collections whose members block a delete without force=true; every other
# collection is removed together with its owner.
_BLOCKING = {
    "PROJ": ("tasks", "issues", "hours"),
    "TASK": ("children", "hours"),
    "OPTASK": ("hours",),
}
_CASCADE = {
    "PROJ": (
        "tasks",
        "issues",
        "hours",
        "assignments",
        "documents",
        "accessRules",
        "expenses",
        "baselines",
        "notes",
        "objectCategories",
    ),
    "TASK": (
        "children",
        "assignments",
        "hours",
        "documents",
        "accessRules",
        "expenses",
        "notes",
        "predecessors",
        "successors",
        "objectCategories",
    ),
    "OPTASK": ("assignments", "hours", "documents", "accessRules", "notes", "objectCategories"),
    "TMPL": ("templateTasks",),
    "TTSK": ("children",),
    "NOTE": ("replies",),
    "DOCU": ("versions", "accessRules"),
    "PORT": ("accessRules",),
    "PRGM": ("accessRules",),
}


def not_found(code: str, obj_id: str) -> ServerError:
    return NotFound(
        f"{code} with ID {obj_id} does not exist or was deleted",
        status=404,
        error_class="com.attask.common.NotFoundException",
    )


# Custom fields: the type a field is defined with (``define_custom_field``) and its
# PARAM dataType and displayType. Workfront's data types: TEXT, NMBR (number), CURC
# (currency), DATE; a text field shown as checkboxes or a multi-select holds a list.
_PARAM_OF_KIND = {
    "str": ("TEXT", "TEXT"),
    "float": ("NMBR", "TEXT"),
    "date": ("DATE", "DATE"),
    "multi": ("TEXT", "CHECKBOX"),
}
_KIND_OF_DATA_TYPE = {"TEXT": "str", "NMBR": "float", "CURC": "float", "DATE": "date"}
_MULTI_DISPLAYS = ("CHECKBOX", "MULTISELECT")


def param_kind(data_type: Any, display_type: Any) -> str:
    """The custom field type (str, float, date, multi) of a PARAM's dataType and
    displayType; ValueError names the data types there are."""
    kind = _KIND_OF_DATA_TYPE.get(str(data_type or "").upper())
    if kind is None:
        known = ", ".join(_KIND_OF_DATA_TYPE)
        raise ValueError(f"PARAM.dataType {data_type!r} is not a custom field type; use {known}")
    if kind == "str" and str(display_type or "").upper() in _MULTI_DISPLAYS:
        return "multi"
    return kind


def derived_id(*parts: str) -> str:
    """A Workfront-shaped ID (32 hex digits) made from ``parts``: the same parts
    always give the same ID, and making one draws no random numbers."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


@attrs.frozen
class Change:
    """One stored change, for journal entries and event subscriptions."""

    kind: str  # CREATE | UPDATE | DELETE
    code: str
    obj_id: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None


_CONVERT: dict[str, Callable[[Any], Any]] = {
    "date": to_api,
    "bool": bool,
    "int": int,
    "float": float,
}
"""Stored value -> API value, by field kind; other kinds are returned as stored."""


def _float_json(value: Any) -> str | None:
    """A stored number as JSON text, as ``orjson`` writes it (SQLite's own JSON
    keeps 15 digits, which would change values such as 1/3)."""
    return None if value is None else orjson.dumps(float(value)).decode()


def _json_sql(kind: str, column: str) -> str:
    """SQL giving a stored column's value as ``json_object`` should write it: the
    same JSON value ``render`` writes through ``_CONVERT``."""
    if kind == "date":  # to_api: 2020-05-18T17:00:00.000 -> 2020-05-18T17:00:00:000+0000
        return f"substr({column}, 1, 19) || ':' || substr({column}, 21, 3) || '+0000'"
    if kind == "bool":
        return (
            f"json(CASE WHEN {column} IS NULL THEN NULL WHEN {column} THEN 'true' ELSE 'false' END)"
        )
    if kind == "int":
        return f"CAST({column} AS INTEGER)"
    if kind == "float":
        # SQLite writes a REAL with 15 significant digits: exact for most stored
        # numbers (85.0, 12.5); the others go through orjson's shortest form
        return (
            f"CASE WHEN CAST(printf('%.15g', {column}) AS REAL) = {column}"
            f" THEN CAST({column} AS REAL) ELSE json(wf_float({column})) END"
        )
    return column


def _out(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "date":
        return to_api(value)
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return value


def _plain_fields(otype: ObjType, tree: FieldTree, nested: bool) -> list[str]:
    """The stored fields an object of ``tree`` shows: the default set (``ID`` and
    ``name`` when nested) plus those asked for, or every one for ``*``."""
    if "*" in tree:
        return list(otype.fields)
    base = ("ID", "name") if nested else otype.defaults
    plain = [f for f in base if f in otype.fields]
    plain += [f for f in tree if f in otype.fields and f not in plain]
    return plain


def _row_json(code: str, plain: Sequence[str], table: str) -> tuple[str, int]:
    """``json_object`` of the stored fields ``plain`` (columns prefixed with
    ``table``) and ``objCode``: the SQL of a row as ``render`` writes it."""
    otype = OBJ_TYPES[code]
    args = [f"'{f}', {_json_sql(otype.fields[f], table + _quoted(f))}" for f in plain]
    args.append(f"'objCode', '{code}'")
    return f"json_object({', '.join(args)})", len(plain) + 1


class Store:
    """The tenant's data in an in-memory SQLite database."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA case_sensitive_like = ON")
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.create_function("wf_float", 1, _float_json, deterministic=True)
        self.custom_types: dict[str, str] = {}
        self._columns: dict[str, tuple[str, ...]] = {}
        for code, otype in OBJ_TYPES.items():
            # The ID's unique index is built like the others (after a bulk load).
            cols = ", ".join(
                f'"{name}" TEXT NOT NULL' if name == "ID" else f'"{name}"' for name in otype.fields
            )
            # _dj: the row's default field set as the API's JSON, kept by SQLite
            # on every write; pages of default fields (most of what exports read)
            # are then one stored string per row
            default_json, _ = _row_json(code, _plain_fields(otype, {}, nested=False), "")
            self.db.execute(
                f'CREATE TABLE "{code}" ({cols}, _de TEXT, '
                f"_dj TEXT GENERATED ALWAYS AS ({default_json}) STORED)"
            )
            self._columns[code] = (*otype.fields, "_de")
        self.create_indexes()

    def create_indexes(self) -> None:
        for code in OBJ_TYPES:
            self.db.execute(f'CREATE UNIQUE INDEX IF NOT EXISTS "pk_{code}" ON "{code}" ("ID")')
            # The default JSON in ID order: an export's ID-ordered page of default
            # fields is then one sequential read of this index, where through
            # pk_ it is two thousand row lookups scattered over the table (a
            # third of the time at 200,000 tasks; the index costs about the size
            # of the JSON, some 70 MB at that scale). See _pages.page_rows.
            self.db.execute(
                f'CREATE INDEX IF NOT EXISTS "{DEFAULT_JSON_INDEX}{code}" ON "{code}" ("ID", _dj)'
            )
        for code, cols in _INDEXES.items():
            for col in cols:
                self.db.execute(
                    f'CREATE INDEX IF NOT EXISTS "ix_{code}_{col}" ON "{code}" ("{col}")'
                )

    def drop_indexes(self) -> None:
        """Bulk loads run faster without indexes; ``create_indexes`` restores them."""
        for code in OBJ_TYPES:
            self.db.execute(f'DROP INDEX IF EXISTS "pk_{code}"')
            self.db.execute(f'DROP INDEX IF EXISTS "{DEFAULT_JSON_INDEX}{code}"')
        for code, cols in _INDEXES.items():
            for col in cols:
                self.db.execute(f'DROP INDEX IF EXISTS "ix_{code}_{col}"')

    # -- custom fields -------------------------------------------------------

    def define_custom_field(self, name: str, kind: str, *, now: datetime | None = None) -> None:
        """Declare ``DE:Name`` with a type: str, float, date or multi. The field is a
        custom field definition (PARAM row) named ``Name``, as in Workfront."""
        if not name.startswith("DE:"):
            name = "DE:" + name
        if kind not in _PARAM_OF_KIND:
            raise ValueError(f"custom field type must be str, float, date or multi, not {kind!r}")
        self.custom_types[name] = kind
        data_type, display_type = _PARAM_OF_KIND[kind]
        found = self._rows('SELECT * FROM "PARAM" WHERE "name" = ?', (name[3:],))
        if found:
            row = found[0]
            try:
                same = param_kind(row["dataType"], row["displayType"]) == kind
            except ValueError:
                same = False
            if not same:
                self.update_raw(
                    "PARAM", row["ID"], {"dataType": data_type, "displayType": display_type}
                )
            return
        # an ID made from the name: defining fields draws nothing from the tenant's
        # ID generator, so the IDs of demo data stay what they were for a seed
        # (a renamed field keeps its ID: the next one of its old name takes another)
        obj_id, n = derived_id("PARAM", name[3:]), 0
        while self.get_raw("PARAM", obj_id) is not None:
            n += 1
            obj_id = derived_id("PARAM", name[3:], str(n))
        self.insert_raw(
            "PARAM",
            {
                "ID": obj_id,
                "name": name[3:],
                "dataType": data_type,
                "displayType": display_type,
                "isRequired": 0,
                "lastUpdateDate": None if now is None else to_store(now),
            },
        )

    def rename_custom_field(self, old: str, new: str) -> None:
        """``DE:old`` becomes ``DE:new``: its type and every object's value move."""
        old, new = "DE:" + old, "DE:" + new
        if old == new:
            return
        kind = self.custom_types.pop(old, None)
        if kind is not None:
            self.custom_types[new] = kind
        for code, obj_id, values in self._rows_holding(old):
            values[new] = values.pop(old)
            self.update_raw(code, obj_id, {"_de": values})

    def drop_custom_field(self, name: str) -> None:
        """Forget ``DE:name`` and remove its value from every object (a deleted
        custom field takes its data with it)."""
        name = "DE:" + name
        self.custom_types.pop(name, None)
        for code, obj_id, values in self._rows_holding(name):
            del values[name]
            self.update_raw(code, obj_id, {"_de": values})

    def _rows_holding(self, name: str) -> list[tuple[str, str, dict[str, Any]]]:
        """(ObjCode, ID, custom values) of every row with a value of ``name``."""
        needle = orjson.dumps(name).decode()
        out: list[tuple[str, str, dict[str, Any]]] = []
        for code in OBJ_TYPES:
            rows = self.db.execute(
                f'SELECT "ID", _de FROM "{code}" WHERE instr(_de, ?) > 0', (needle,)
            ).fetchall()
            for obj_id, text in rows:
                values = orjson.loads(text)
                if name in values:
                    out.append((code, obj_id, values))
        return out

    def _custom_in(self, name: str, value: Any, now: datetime) -> Any:
        kind = self.custom_types.get(name)
        if kind is None:
            if isinstance(value, list):
                kind = "multi"
            elif isinstance(value, int | float) and not isinstance(value, bool):
                kind = "float"
            elif isinstance(value, datetime):
                kind = "date"
            else:
                kind = "str"
            self.define_custom_field(name, kind, now=now)
        if value is None or value == "":
            return None
        if kind == "multi":
            items = value if isinstance(value, list) else [value]
            return [str(v) for v in items]
        if kind == "float":
            try:
                return float(value)
            except (TypeError, ValueError):
                raise bad_request(f"{name}: {value!r} is not a number") from None
        if kind == "date":
            return self._date_in(name, value, now)
        return str(value)

    # -- coercion ------------------------------------------------------------

    @staticmethod
    def _date_in(name: str, value: Any, now: datetime) -> str:
        if isinstance(value, datetime):
            return to_store(value)
        try:
            return parse_filter_date(str(value), now)
        except DateError as exc:
            raise bad_request(f"{name}: {exc}") from None

    def coerce(self, otype: ObjType, name: str, value: Any, now: datetime) -> Any:
        kind = otype.fields[name]
        if value is None:
            return None
        if kind in ("str", "id"):
            if isinstance(value, dict | list):
                raise bad_request(f"{otype.code}.{name} takes text, not {type(value).__name__}")
            return str(value) if value != "" or kind == "str" else None
        if kind in ("int", "float"):
            if value == "":
                return None
            try:
                num = float(value)
            except (TypeError, ValueError):
                raise bad_request(f"{otype.code}.{name}: {value!r} is not a number") from None
            return int(num) if kind == "int" else num
        if kind == "bool":
            if isinstance(value, bool):
                return int(value)
            low = str(value).strip().lower()
            if low not in ("true", "false", "1", "0"):
                raise bad_request(f"{otype.code}.{name}: {value!r} is not true or false")
            return 1 if low in ("true", "1") else 0
        return self._date_in(f"{otype.code}.{name}", value, now)

    # -- raw access ----------------------------------------------------------

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.db.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]  # noqa: B905 - same length

    def get_raw(self, code: str, obj_id: str) -> dict[str, Any] | None:
        rows = self._rows(f'SELECT * FROM "{code}" WHERE "ID" = ?', (obj_id,))
        return rows[0] if rows else None

    def fetch_by(self, code: str, column: str, values: Iterable[Any]) -> list[dict[str, Any]]:
        keys = [v for v in dict.fromkeys(values) if v is not None]
        out: list[dict[str, Any]] = []
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            out.extend(
                self._rows(
                    f'SELECT * FROM "{code}" WHERE "{column}" IN ({marks}) ORDER BY rowid', chunk
                )
            )
        return out

    def query(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        return self._rows(sql, params)

    def query_column(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """The first column of each row."""
        return [row[0] for row in self.db.execute(sql, params)]

    def query_joined(self, sql: str, params: Sequence[Any]) -> tuple[int, bytes]:
        """How many rows ``sql`` gives and their one column's text joined by
        commas (UTF-8), in the order ``sql`` gives them: built by SQLite in one
        step, without the interpreter lock (a row at a time, a page would take
        and give back the lock two thousand times while other threads want it)."""
        n, text = self.db.execute(
            f"SELECT count(*), CAST(group_concat(j, ',') AS BLOB) FROM ({sql})", params
        ).fetchone()
        return n, text or b""

    def insert_raw(self, code: str, row: Mapping[str, Any]) -> None:
        cols = [c for c in row if c in self._columns[code]]
        marks = ",".join("?" * len(cols))
        names = ",".join(f'"{c}"' for c in cols)
        values = [orjson.dumps(row[c]).decode() if c == "_de" else row[c] for c in cols]
        try:
            self.db.execute(f'INSERT INTO "{code}" ({names}) VALUES ({marks})', values)
        except sqlite3.IntegrityError:
            raise bad_request(f"{code} with ID {row.get('ID')} already exists") from None

    def insert_many_raw(self, code: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Bulk insert rows that all carry the same keys (demo data)."""
        if not rows:
            return
        cols = [c for c in rows[0] if c in self._columns[code]]
        marks = ",".join("?" * len(cols))
        names = ",".join(f'"{c}"' for c in cols)
        de = "_de" in cols
        data = (
            [tuple(orjson.dumps(r[c]).decode() if c == "_de" else r[c] for c in cols) for r in rows]
            if de
            else [tuple(r[c] for c in cols) for r in rows]
        )
        self.db.executemany(f'INSERT INTO "{code}" ({names}) VALUES ({marks})', data)

    def update_raw(self, code: str, obj_id: str, values: Mapping[str, Any]) -> None:
        if not values:
            return
        sets = ",".join(f'"{c}" = ?' for c in values)
        params = [orjson.dumps(v).decode() if c == "_de" else v for c, v in values.items()]
        self.db.execute(f'UPDATE "{code}" SET {sets} WHERE "ID" = ?', [*params, obj_id])

    def delete_raw(self, code: str, obj_id: str) -> None:
        self.db.execute(f'DELETE FROM "{code}" WHERE "ID" = ?', (obj_id,))

    def count(self, code: str) -> int:
        return int(self.db.execute(f'SELECT COUNT(*) FROM "{code}"').fetchone()[0])

    # -- rendering -----------------------------------------------------------

    def parse_fields(self, code: str, specs: Iterable[str]) -> FieldTree:
        """``fields=a,owner:title,assignments:*`` -> a validated tree."""
        tree: FieldTree = {}
        for spec in specs:
            for item in spec.split(","):
                item = item.strip()
                if not item:
                    continue
                segments = split_path(item)
                if len(segments) - 1 > MAX_DEPTH:
                    raise bad_request(
                        f"fields: {item!r} is nested {len(segments) - 1} levels deep; "
                        f"the maximum is {MAX_DEPTH}"
                    )
                node, cur = tree, code
                for i, seg in enumerate(segments):
                    last = i == len(segments) - 1
                    if seg == "parameterValues" and segments[i + 1 :] == ["*"]:
                        # parameterValues:* is parameterValues (workfront-sdk's
                        # get_param_values asks for it): the map of every custom value
                        node.setdefault(seg, {})
                        break
                    if seg in ("*", "parameterValues", "objCode") or seg.startswith("DE:"):
                        if not last:
                            raise bad_request(f"fields: {item!r}: {seg!r} must come last")
                        node.setdefault(seg, {})
                        break
                    otype = OBJ_TYPES[cur]
                    name = otype.field_ci(seg)
                    if name is None:
                        raise bad_request(
                            f"fields: {cur} has no field {seg!r} (names are case-sensitive)"
                        )
                    if name in otype.refs:
                        cur = otype.refs[name][1]
                    elif name in otype.collections:
                        cur = otype.collections[name][0]
                    elif not last:
                        raise bad_request(f"fields: {item!r}: {name!r} is not a reference")
                    node = node.setdefault(name, {})
        return tree

    def columns_for(self, code: str, tree: FieldTree) -> list[str]:
        """The stored columns ``render`` reads for ``tree`` at the top level:
        selecting only these makes a 2000-row page much cheaper to fetch."""
        otype = OBJ_TYPES[code]
        cols = ["ID"]
        if "*" in tree:
            cols += list(otype.fields)
        else:
            cols += [f for f in otype.defaults if f in otype.fields]
            cols += [f for f in tree if f in otype.fields]
        for name in tree:
            if name in otype.refs:
                cols.append(otype.refs[name][0])
        if any(f.startswith("DE:") for f in tree) or "parameterValues" in tree:
            cols.append("_de")
        return list(dict.fromkeys(cols))

    def row_json_sql(self, code: str, tree: FieldTree) -> tuple[str, int] | None:
        """SQL rendering one top-level row of ``code`` as the API's JSON object
        (exactly what ``render`` gives), and the number of fields in it; None when
        ``tree`` asks for more than stored columns (references, collections,
        custom fields), which ``render`` handles.

        Pages of plain fields are the bulk of what exports read: rendering them in
        SQLite costs a fraction of building and encoding a dict per row.
        """
        otype = OBJ_TYPES[code]
        if any(f not in otype.fields and f not in ("*", "objCode") for f in tree):
            return None
        plain = _plain_fields(otype, tree, nested=False)
        if "*" not in tree and all(f in otype.defaults or f == "objCode" for f in tree):
            return DEFAULT_JSON, len(plain) + 1
        if len(plain) > _MAX_JSON_FIELDS:
            return None
        return _row_json(code, plain, "t0.")

    def render(
        self,
        code: str,
        rows: Sequence[dict[str, Any]],
        tree: FieldTree,
        *,
        nested: bool = False,
        budget: list[int] | None = None,
    ) -> list[dict[str, Any]]:
        """Rows -> API objects for a field tree; counts objects and fields in ``budget``."""
        budget = budget if budget is not None else [0, 0]
        otype = OBJ_TYPES[code]
        budget[0] += len(rows)
        if budget[0] > MAX_OBJECTS:
            raise bad_request(
                f"the result holds more than {MAX_OBJECTS} objects (primary and nested); "
                "ask for fewer rows ($$LIMIT) or fewer collections"
            )
        plain = _plain_fields(otype, tree, nested)
        de_names = [f for f in tree if f.startswith("DE:")]
        want_params = "parameterValues" in tree
        out: list[dict[str, Any]] = []
        # one converter per column, looked up once per page, not once per value
        convert = [(f, _CONVERT.get(otype.fields[f])) for f in plain]
        for row in rows:
            obj: dict[str, Any] = {
                f: row[f] if c is None or row[f] is None else c(row[f]) for f, c in convert
            }
            obj["objCode"] = code
            if de_names or want_params:
                values = orjson.loads(row["_de"]) if row.get("_de") else {}
                for name in de_names:
                    obj[name] = self._custom_out(name, values.get(name))
                if want_params:
                    obj["parameterValues"] = {k: self._custom_out(k, v) for k, v in values.items()}
            out.append(obj)
        for name, sub in tree.items():
            if name in otype.refs:
                id_field, target = otype.refs[name]
                targets = self.fetch_by(target, "ID", (r[id_field] for r in rows))
                rendered = self.render(target, targets, sub, nested=True, budget=budget)
                by_id = {t["ID"]: t for t in rendered}
                for row, obj in zip(rows, out, strict=True):
                    obj[name] = by_id.get(row[id_field])
            elif name in otype.collections:
                child, fk = otype.collections[name]
                kids = self.fetch_by(child, fk, (r["ID"] for r in rows))
                rendered = self.render(child, kids, sub, nested=True, budget=budget)
                groups: dict[str, list[dict[str, Any]]] = {}
                for kid, obj in zip(kids, rendered, strict=True):
                    groups.setdefault(kid[fk], []).append(obj)
                for row, obj in zip(rows, out, strict=True):
                    obj[name] = groups.get(row["ID"], [])
        budget[1] += sum(len(o) for o in out)
        if budget[1] > MAX_FIELDS:
            raise bad_request(f"the result holds more than {MAX_FIELDS} fields; ask for fewer")
        return out

    def _custom_out(self, name: str, value: Any) -> Any:
        if value is not None and self.custom_types.get(name) == "date":
            return to_api(value)
        return value

    def all_fields(self, code: str, row: dict[str, Any]) -> dict[str, Any]:
        """Every built-in field plus ``DE:`` values: the shape of event states and ``rows()``."""
        otype = OBJ_TYPES[code]
        obj = {f: _out(otype.fields[f], row[f]) for f in otype.fields}
        obj["objCode"] = code
        if row.get("_de"):
            for k, v in orjson.loads(row["_de"]).items():
                obj[k] = self._custom_out(k, v)
        return obj

    # -- writes --------------------------------------------------------------

    def split_updates(
        self, otype: ObjType, data: Mapping[str, Any], now: datetime
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[Any]]]:
        """API input -> (stored field values, custom values, collections to replace)."""
        fields: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        colls: dict[str, list[Any]] = {}
        for key, value in data.items():
            if key == "objCode":
                continue
            if key.startswith("DE:"):
                custom[key] = self._custom_in(key, value, now)
                continue
            if key == "parameterValues":
                if not isinstance(value, dict):
                    raise bad_request("parameterValues must be an object of 'DE:Name': value")
                for k, v in value.items():
                    name = k if k.startswith("DE:") else "DE:" + k
                    custom[name] = self._custom_in(name, v, now)
                continue
            name = otype.field_ci(key)
            if name is None:
                raise bad_request(
                    f"{otype.code} has no field {key!r} (field names are case-sensitive)"
                )
            if name in otype.fields:
                fields[name] = self.coerce(otype, name, value, now)
            elif name in otype.collections:
                if not isinstance(value, list):
                    raise bad_request(f"{otype.code}.{name} is a collection: send a JSON list")
                colls[name] = value
            else:
                id_field = otype.refs[name][0]
                if isinstance(value, dict) and "ID" in value:
                    fields[id_field] = self.coerce(otype, id_field, value["ID"], now)
                else:
                    raise bad_request(f"{otype.code}.{name} is a reference: set {id_field} instead")
        return fields, custom, colls

    def _check_refs(self, otype: ObjType, fields: Mapping[str, Any]) -> None:
        for id_field, target in otype.refs.values():
            value = fields.get(id_field)
            if value is not None and self.get_raw(target, value) is None:
                raise bad_request(f"{otype.code}.{id_field}: no {target} with ID {value}")

    def _derive(self, code: str, fields: dict[str, Any]) -> None:
        """Keep denormalised references consistent."""
        if code == "TASK" and fields.get("projectID"):
            proj = self.get_raw("PROJ", fields["projectID"])
            if proj is not None:
                fields["portfolioID"] = proj["portfolioID"]
        if code in ("ASSGN", "HOUR", "EXPNS") and not fields.get("projectID"):
            for key, owner in (("taskID", "TASK"), ("opTaskID", "OPTASK")):
                if fields.get(key):
                    row = self.get_raw(owner, fields[key])
                    if row is not None:
                        fields["projectID"] = row["projectID"]

    def _create_defaults(
        self, code: str, fields: dict[str, Any], now: datetime, user_id: str | None
    ) -> None:
        """Values the server computes for a new object (recorded ``create.json``,
        docs/api-notes.md §4 "Defaults on create"): planned and projected dates, the task's
        number, WBS and progress status, a note's owner and target."""
        stamp = to_store(now)
        if code in ("PROJ", "TASK"):
            start = fields.get("plannedStartDate")
            if start is None and code == "TASK" and fields.get("projectID"):
                project = self.get_raw("PROJ", fields["projectID"])
                start = project["plannedStartDate"] if project else None
            start = start or stamp
            fields["plannedStartDate"] = start
            if fields.get("plannedCompletionDate") is None:
                days = float(fields.get("duration") or 0) if code == "TASK" else 0.0
                fields["plannedCompletionDate"] = to_store(from_store(start) + timedelta(days=days))
            span = from_store(fields["plannedCompletionDate"]) - from_store(start)
            if fields.get("projectedStartDate") is None:
                fields["projectedStartDate"] = max(start, stamp)
            if fields.get("projectedCompletionDate") is None:
                fields["projectedCompletionDate"] = to_store(
                    from_store(fields["projectedStartDate"]) + span
                )
        if code == "TASK":
            if fields.get("progressStatus") is None:
                late = fields["projectedCompletionDate"] > fields["plannedCompletionDate"]
                fields["progressStatus"] = "LT" if late else "ON"
            project_id = fields.get("projectID")
            if fields.get("taskNumber") is None:
                top = self.db.execute(
                    'SELECT MAX("taskNumber") FROM "TASK" WHERE "projectID" = ?', (project_id,)
                ).fetchone()[0]
                fields["taskNumber"] = int(top or 0) + 1
            if fields.get("wbs") is None:
                parent_id = fields.get("parentID")
                siblings = self.db.execute(
                    'SELECT COUNT(*) FROM "TASK" WHERE "projectID" IS ? AND "parentID" IS ?',
                    (project_id, parent_id),
                ).fetchone()[0]
                parent = self.get_raw("TASK", parent_id) if parent_id else None
                prefix = f"{parent['wbs']}." if parent and parent["wbs"] else ""
                fields["wbs"] = f"{prefix}{siblings + 1}"
        elif code == "NOTE":
            target = resolve_obj_code(str(fields.get("noteObjCode") or ""))
            if target is None:
                raise bad_request(
                    f"NOTE.noteObjCode {fields.get('noteObjCode')!r} is not an object type; "
                    "use PROJ, TASK, OPTASK, DOCU, ..."
                )
            row = self.get_raw(target, fields["objID"])
            if row is None:
                raise bad_request(f"NOTE.objID: no {target} with ID {fields['objID']}")
            fields["noteObjCode"] = target
            link = {"PROJ": "projectID", "TASK": "taskID", "OPTASK": "opTaskID"}
            link["DOCU"] = "documentID"
            if target in link:
                fields[link[target]] = fields["objID"]
            if target in ("TASK", "OPTASK") and not fields.get("projectID"):
                fields["projectID"] = row["projectID"]
            if fields.get("ownerID") is None:
                fields["ownerID"] = user_id
            parent_id = fields.get("parentNoteID")
            parent = self.get_raw("NOTE", parent_id) if parent_id else None
            fields["isReply"] = 1 if parent_id else 0
            fields["threadID"] = (parent["threadID"] if parent else None) or fields["ID"]
        elif code == "OPTASK":
            if fields.get("ownerID") is None:
                fields["ownerID"] = user_id  # the one who enters an issue owns it
        elif code == "BSLN":
            project = self.get_raw("PROJ", fields["projectID"])
            if project is not None:
                for name in (
                    "plannedStartDate",
                    "plannedCompletionDate",
                    "projectedCompletionDate",
                    "percentComplete",
                    "budget",
                ):
                    if fields.get(name) is None:
                        fields[name] = project[name]
        elif code == "EXPNS":
            if not fields.get("projectID") and fields.get("taskID"):
                task_row = self.get_raw("TASK", fields["taskID"])
                fields["projectID"] = task_row["projectID"] if task_row else None
            if not fields.get("projectID"):
                raise bad_request("creating an EXPNS needs a projectID (or a taskID)")
            if fields.get("effectiveDate") is None:
                fields["effectiveDate"] = stamp
            if fields.get("objID") is None:
                task = fields.get("taskID")
                fields["objObjCode"] = "TASK" if task else "PROJ"
                fields["objID"] = task or fields.get("projectID")

    def create(
        self,
        code: str,
        data: Mapping[str, Any],
        *,
        now: datetime,
        user_id: str | None,
        new_id: Callable[[], str],
        changes: list[Change],
    ) -> str:
        otype = OBJ_TYPES[code]
        fields, custom, colls = self.split_updates(otype, data, now)
        for req in otype.required:
            if fields.get(req) in (None, ""):
                raise bad_request(f"creating a {code} needs a value for {req!r}")
        stamp = to_store(now)
        obj_id = fields.get("ID") or new_id()
        fields["ID"] = obj_id
        fields.setdefault("entryDate", stamp)
        fields["entryDate"] = fields["entryDate"] or stamp
        fields["lastUpdateDate"] = fields.get("lastUpdateDate") or stamp
        for who in ("enteredByID", "lastUpdatedByID"):
            if who in otype.fields and not fields.get(who) and user_id is not None:
                fields[who] = user_id
        for name, value in otype.on_create.items():
            if fields.get(name) is None:
                fields[name] = self.coerce(otype, name, value, now)
        self._create_defaults(code, fields, now, user_id)
        self._check_refs(otype, fields)
        self._derive(code, fields)
        row = {f: fields.get(f) for f in otype.fields}
        row["_de"] = {k: v for k, v in custom.items() if v is not None}
        self.insert_raw(code, row)
        for name, items in colls.items():
            self._create_children(otype, obj_id, name, items, now, user_id, new_id, changes)
        new = self.get_raw(code, obj_id)
        assert new is not None
        changes.append(Change("CREATE", code, obj_id, None, new))
        return obj_id

    def insert_unchecked(
        self, code: str, data: Mapping[str, Any], *, now: datetime, new_id: Callable[[], str]
    ) -> str:
        """Store a row as given (types coerced) without required-field or reference
        checks, derived fields or journal entries: for tests that need NULLs anywhere."""
        otype = OBJ_TYPES[code]
        fields, custom, colls = self.split_updates(otype, data, now)
        if colls:
            raise bad_request("an unchecked insert takes no collections; add the children too")
        stamp = to_store(now)
        row = {f: fields.get(f) for f in otype.fields}
        row["ID"] = fields.get("ID") or new_id()
        for stamped in ("entryDate", "lastUpdateDate"):
            if stamped in row:  # PRED has neither, CTGY no entryDate
                row[stamped] = row[stamped] or stamp
        row["_de"] = {k: v for k, v in custom.items() if v is not None}
        self.insert_raw(code, row)
        return str(row["ID"])

    def _create_children(
        self,
        otype: ObjType,
        obj_id: str,
        name: str,
        items: list[Any],
        now: datetime,
        user_id: str | None,
        new_id: Callable[[], str],
        changes: list[Change],
    ) -> None:
        child, fk = otype.collections[name]
        for item in items:
            if not isinstance(item, dict):
                raise bad_request(f"{otype.code}.{name} items must be JSON objects")
            data = {k: v for k, v in item.items() if k != "ID"}
            data[fk] = obj_id
            if child == "ACSRUL":
                data.setdefault("securityObjCode", otype.code)
            if child == "DOCU":
                data.setdefault("docObjCode", otype.code)
            self.create(child, data, now=now, user_id=user_id, new_id=new_id, changes=changes)

    def edit(
        self,
        code: str,
        obj_id: str,
        data: Mapping[str, Any],
        *,
        now: datetime,
        user_id: str | None,
        new_id: Callable[[], str],
        changes: list[Change],
    ) -> None:
        otype = OBJ_TYPES[code]
        old = self.get_raw(code, obj_id)
        if old is None:
            raise not_found(code, obj_id)
        fields, custom, colls = self.split_updates(otype, data, now)
        fields.pop("ID", None)
        fields.pop("entryDate", None)
        self._check_refs(otype, fields)
        if "projectID" in fields:
            self._derive(code, fields)
        for req in otype.required:
            if req in fields and fields[req] in (None, ""):
                raise bad_request(f"{code}.{req} cannot be emptied")
        if custom:
            values = orjson.loads(old["_de"]) if old.get("_de") else {}
            for k, v in custom.items():
                if v is None:
                    values.pop(k, None)
                else:
                    values[k] = v
            fields["_de"] = values
        fields["lastUpdateDate"] = to_store(now)
        if "lastUpdatedByID" in otype.fields and user_id is not None:
            fields["lastUpdatedByID"] = user_id
        self.update_raw(code, obj_id, fields)
        for name, items in colls.items():
            child, fk = otype.collections[name]
            for kid in self.fetch_by(child, fk, [obj_id]):
                self._delete_tree(child, kid, now, user_id, new_id, changes)
            self._create_children(otype, obj_id, name, items, now, user_id, new_id, changes)
        new = self.get_raw(code, obj_id)
        assert new is not None
        self._journal(otype, old, new, now, user_id, new_id)
        changes.append(Change("UPDATE", code, obj_id, old, new))

    def _journal(
        self,
        otype: ObjType,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        now: datetime,
        user_id: str | None,
        new_id: Callable[[], str],
    ) -> None:
        stamp = to_store(now)
        for field in otype.tracked:
            before, after = old.get(field), new.get(field)
            if before == after:
                continue
            kind = otype.fields[field]
            entry: dict[str, Any] = dict.fromkeys(OBJ_TYPES["JRNLE"].fields)
            entry.update(
                ID=new_id(),
                objObjCode=otype.code,
                objID=new["ID"],
                fieldName=field,
                changeType="EDIT",
                entryDate=stamp,
                lastUpdateDate=stamp,
                editedByID=user_id,
            )
            if kind in ("int", "float"):
                entry["oldNumberVal"], entry["newNumberVal"] = before, after
            elif kind == "date":
                entry["oldDateVal"], entry["newDateVal"] = before, after
            else:
                entry["oldTextVal"], entry["newTextVal"] = (
                    None if before is None else str(before),
                    None if after is None else str(after),
                )
            entry["_de"] = {}
            self.insert_raw("JRNLE", entry)

    def delete(
        self,
        code: str,
        obj_id: str,
        *,
        force: bool,
        now: datetime,
        user_id: str | None,
        new_id: Callable[[], str],
        changes: list[Change],
    ) -> None:
        row = self.get_raw(code, obj_id)
        if row is None:
            raise not_found(code, obj_id)
        otype = OBJ_TYPES[code]
        if not force:
            for coll in _BLOCKING.get(code, ()):
                child, fk = otype.collections[coll]
                n = self.db.execute(
                    f'SELECT COUNT(*) FROM "{child}" WHERE "{fk}" = ?', (obj_id,)
                ).fetchone()[0]
                if n:
                    raise bad_request(
                        f"{code} {obj_id} has {n} dependent object(s) in {coll!r}; "
                        "send force=true to delete them too",
                        status=422,
                    )
        self._delete_tree(code, row, now, user_id, new_id, changes)

    def _delete_tree(
        self,
        code: str,
        row: dict[str, Any],
        now: datetime,
        user_id: str | None,
        new_id: Callable[[], str],
        changes: list[Change],
    ) -> None:
        otype = OBJ_TYPES[code]
        for coll in _CASCADE.get(code, ()):
            child, fk = otype.collections[coll]
            for kid in self.fetch_by(child, fk, [row["ID"]]):
                if self.get_raw(child, kid["ID"]) is not None:
                    self._delete_tree(child, kid, now, user_id, new_id, changes)
        self.delete_raw(code, row["ID"])
        if code in ("PROJ", "TASK", "OPTASK", "PORT", "PRGM", "USER", "DOCU", "HOUR"):
            stamp = to_store(now)
            entry: dict[str, Any] = dict.fromkeys(OBJ_TYPES["JRNLE"].fields)
            entry.update(
                ID=new_id(),
                objObjCode=code,
                objID=row["ID"],
                changeType="DELETE",
                oldTextVal=row.get("name") if "name" in otype.fields else None,
                entryDate=stamp,
                lastUpdateDate=stamp,
                editedByID=user_id,
            )
            entry["_de"] = {}
            self.insert_raw("JRNLE", entry)
        changes.append(Change("DELETE", code, row["ID"], row, None))
