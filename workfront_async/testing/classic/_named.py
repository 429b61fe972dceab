"""Named queries on an object type: ``GET /<obj>/<query>`` (Adobe's "API basics"
page, "Using Named Queries"): the status lists of ``CSTEM`` (``_statuses`` says
how statuses are kept) and ``CUST/currentCustomer``.
"""

from __future__ import annotations

from typing import Any, Final

from ._call import ClassicCall, truthy
from ._filters import bad_request
from ._statuses import SYSTEM_STATUSES
from ._store import not_found

__all__ = ["NAMED_QUERIES", "named_query"]

_GROUP_QUERIES: Final = {
    "projectgroupstatuses": "STATUS_PROJ",
    "taskgroupstatuses": "STATUS_TASK",
    "optaskgroupstatuses": "STATUS_OPTASK",
}


def _project_statuses(call: ClassicCall) -> Any:
    # recorded namedQuery.json (docs/api-notes.md §4 "Named query")
    return [
        {
            "color": color,
            "equatesWith": value,
            "isActive": True,
            "label": label,
            "objCode": "CSTEM",
            "value": value,
        }
        for value, label, color in SYSTEM_STATUSES["STATUS_PROJ"]
    ]


def _group_statuses(call: ClassicCall, enum_class: str) -> Any:
    group_id = call.p("groupID")
    if not group_id:
        raise bad_request(
            f"this query needs groupID=<ID of a group>; CSTEM/search?enumClass={enum_class} "
            "lists the statuses without one"
        )
    store = call.tenant.store
    if store.get_raw("GROUP", group_id) is None:
        raise not_found("GROUP", group_id)
    hidden = "" if truthy(call.p("includeHidden")) else 'AND NOT "isHidden" '
    rows = store.query(
        f'SELECT * FROM "CSTEM" WHERE "enumClass" = ? AND ("groupID" IS NULL OR "groupID" = ?) '
        f'{hidden}ORDER BY "groupID" IS NOT NULL, rowid',
        (enum_class, group_id),
    )
    out = call.render("CSTEM", rows)
    for obj in out:
        if "groupID" in obj:
            obj["groupID"] = group_id  # a group inherits the system's statuses
    return out


def _current_customer(call: ClassicCall) -> Any:
    rows = call.tenant.store.fetch_by("CUST", "ID", [call.tenant.customer_id])
    return call.render("CUST", rows)


NAMED_QUERIES: Final = {
    ("CSTEM", "projectstatuses"),
    *(("CSTEM", name) for name in _GROUP_QUERIES),
    ("CUST", "currentcustomer"),
}


def named_query(call: ClassicCall, code: str, name: str) -> Any:
    query = name.lower()
    if code == "CUST":
        return _current_customer(call)
    if query == "projectstatuses":
        return _project_statuses(call)
    return _group_statuses(call, _GROUP_QUERIES[query])
