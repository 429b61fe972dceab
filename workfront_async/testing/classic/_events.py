"""Event subscriptions of the embedded Workfront (docs/api-notes.md §2 Event subscriptions).

The subscription resource and the matching are pure (the endpoints are in
``_event_routes``); delivery (an httpx POST per matching
event, retried with back-off) runs as background asyncio tasks owned by the
``Emulator``.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs
import orjson

from ._dates import to_event
from ._schema import OBJ_TYPES, resolve_obj_code

if TYPE_CHECKING:
    from ._tenant import Tenant

Headers = tuple[tuple[str, str], ...]

__all__ = [
    "COMPARISONS",
    "Delivery",
    "Subscription",
    "event_message",
    "event_state",
    "set_version",
    "matches",
    "validate_subscription",
]

COMPARISONS = frozenset(
    {"eq", "ne", "gt", "gte", "lt", "lte", "contains", "notContains", "containsOnly", "changed"}
)
MAX_PAGE = 1000
# Adobe's "Using filter groups": a group holds 2..5 filters, a subscription at most 10 groups.
MIN_GROUP_FILTERS = 2
MAX_GROUP_FILTERS = 5
MAX_GROUPS = 10
# New subscriptions are Version 2 since release 25.2; downgrading to Version 1
# is refused since 25.3 (Adobe's event-subs-versioning page).
VERSIONS = ("v1", "v2")
CURRENT_VERSION = "v2"
PREFIX = "/attask/eventsubscription/api/v1/subscriptions"
# The objCodes of Adobe's "Objects supported by event subscriptions" table
# (event-subs-api.md, "Forming the subscription resource") that the classic API's
# object types do not name: subscriptions to them are kept, and fire when the
# emulator stores such an object (it stores none of these: Planning records and
# record types live in the Planning wing, which announces no changes).
OTHER_OBJ_CODES = frozenset(
    {
        "approval",
        "approval_stage",
        "approval_stage_participant",
        "PTLTAB",
        "FIELD",
        "PRFAPL",
        "RECORD",
        "RECORD_TYPE",
        "PTLSEC",
        "STAFFP",
        "SPVAL",
        "STAFFR",
        "SPAVAL",
        "SAVSET",
        "SRPVAL",
        "TSHET",
        "WORKSPACE",
    }
)


def _stamp(now: datetime) -> str:
    """Dates in the subscription resource: ``2024-04-11T17:10:10.305981`` (UTC, no zone)."""
    return now.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


@attrs.define
class Subscription:
    id: str
    obj_code: str
    event_type: str
    url: str
    auth_token: str = attrs.field(repr=False)
    obj_id: str | None = None
    filters: list[dict[str, Any]] = attrs.field(factory=list)
    filter_connector: str = "AND"
    base64: bool = False
    disabled: bool = False
    version: str = CURRENT_VERSION
    customer_id: str = ""
    date_created: str = ""
    date_modified: str = ""
    date_version_updated: str | None = None

    def to_json(self, successes: int = 0, failures: int = 0) -> dict[str, Any]:
        """The resource as ``GET /subscriptions/<id>`` shows it (Adobe's
        event-subs-api page, Version 2 fields included)."""
        out: dict[str, Any] = {
            "id": self.id,
            "date_created": self.date_created,
            "date_modified": self.date_modified,
            "version": self.version,
            "dateVersionUpdated": self.date_version_updated,
            "customerId": self.customer_id,
            "objId": self.obj_id,
            "objCode": self.obj_code,
            "url": self.url,
            "eventType": self.event_type,
            "authToken": self.auth_token,
            "filters": self.filters,
            "filterConnector": self.filter_connector,
            "base64Encoding": self.base64,
            "subscription_url": {
                "url": self.url,
                "date_created": self.date_created,
                "successes": successes,
                "failures": failures,
                "disabled_at": self.date_modified if self.disabled else None,
                "frozen_at": None,
            },
        }
        if self.disabled:
            out["status"] = "DISABLED"
        return out


def legacy_json(sub: Subscription) -> dict[str, Any]:
    """One entry of the deprecated ``GET .../subscriptions/list`` (event-subs-api.md,
    "Deprecated Method for Querying All Event Subscriptions"): snake_case keys, the
    token masked to its last four characters ("****oken"), fully when it has eight
    or fewer (the page's note on authToken)."""
    token = sub.auth_token
    return {
        "id": sub.id,
        "customer_id": sub.customer_id,
        "obj_id": sub.obj_id,
        "obj_code": sub.obj_code,
        "url": sub.url,
        "event_type": sub.event_type,
        "auth_token": "****" + token[-4:] if len(token) > 8 else "*" * len(token),
    }


@attrs.frozen
class Delivery:
    """One delivery attempt: ``status`` is the HTTP status, or 0 with ``error`` set."""

    subscription_id: str
    url: str
    attempt: int
    status: int
    message: Mapping[str, Any]
    error: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _validate_filter(item: Any, *, in_group: bool) -> None:
    if not isinstance(item, dict):
        raise ValueError("each filter is an object {fieldName, fieldValue, comparison, state}")
    if item.get("type") == "group":
        if in_group:
            raise ValueError("filter groups cannot be nested in filter groups")
        inner = item.get("filters")
        if not isinstance(inner, list) or not (
            MIN_GROUP_FILTERS <= len(inner) <= MAX_GROUP_FILTERS
        ):
            raise ValueError(
                f"a filter group holds {MIN_GROUP_FILTERS} to {MAX_GROUP_FILTERS} filters"
            )
        if str(item.get("connector", "AND")).upper() not in ("AND", "OR"):
            raise ValueError("a filter group's connector must be AND or OR")
        for sub in inner:
            _validate_filter(sub, in_group=True)
        return
    if "fieldName" not in item:
        raise ValueError("each filter needs fieldName, fieldValue and comparison")
    comparison = item.get("comparison", "eq")
    if comparison not in COMPARISONS:
        raise ValueError(f"unknown comparison {comparison!r}; use one of {sorted(COMPARISONS)}")
    if item.get("state", "newState") not in ("newState", "oldState"):
        raise ValueError("state must be newState or oldState")


def validate_subscription(
    body: Any, new_id: str, *, now: datetime | None = None, customer_id: str = ""
) -> Subscription:
    """A subscription from a POST body; ``ValueError`` with a clear message if invalid."""
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object {objCode, eventType, url, authToken}")
    raw_code = str(body.get("objCode", ""))
    code = resolve_obj_code(raw_code) or (raw_code if raw_code in OTHER_OBJ_CODES else None)
    if code is None:
        raise ValueError(f"unknown objCode {body.get('objCode')!r}")
    event_type = str(body.get("eventType", "")).upper()
    if event_type not in ("CREATE", "UPDATE", "DELETE"):
        raise ValueError("eventType must be CREATE, UPDATE or DELETE")
    url = body.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError("url must be an http(s) URL")
    token = body.get("authToken")
    if not isinstance(token, str) or not token:
        raise ValueError("authToken is required")
    filters = body.get("filters") or []
    if not isinstance(filters, list):
        raise ValueError("filters must be a list")
    for item in filters:
        _validate_filter(item, in_group=False)
    groups = sum(1 for f in filters if f.get("type") == "group")
    if groups > MAX_GROUPS:
        raise ValueError(f"a subscription takes at most {MAX_GROUPS} filter groups, not {groups}")
    connector = str(body.get("filterConnector", "AND")).upper()
    if connector not in ("AND", "OR"):
        raise ValueError("filterConnector must be AND or OR")
    obj_id = body.get("objId")
    stamp = _stamp(now or datetime.now(UTC))
    return Subscription(
        id=new_id,
        obj_code=code,
        event_type=event_type,
        url=url,
        auth_token=token,
        obj_id=str(obj_id) if obj_id else None,
        filters=[dict(f) for f in filters],
        filter_connector=connector,
        base64=str(body.get("base64Encoding", False)).lower() == "true",
        customer_id=customer_id,
        date_created=stamp,
        date_modified=stamp,
    )


def set_version(sub: Subscription, version: str, now: datetime) -> None:
    if sub.version != version:
        sub.version = version
        sub.date_version_updated = _stamp(now)
        sub.date_modified = sub.date_version_updated


# -- the delivered message ----------------------------------------------------------


def event_state(tenant: Tenant, code: str, row: Mapping[str, Any] | None) -> dict[str, Any]:
    """An object's state in an event message: every field (dates in the event form),
    its ``DE:`` values, and what the payload examples of Adobe's "Event subscription
    API" page (help/quicksilver/wf-api/general/event-subs-api.md, "Examples of Event
    Payloads") show beside them: ``customerID`` and ``accessorIDs`` (a project's
    ``currency`` is one of its fields).

    ``accessorIDs`` lists the users who may see the object: its owner (``ownerID``,
    else who entered it), then the users it is shared with (access rules naming a
    user). The page's examples show the owner alone; whom else real Workfront lists
    is not documented.
    """
    if row is None:
        return {}
    store = tenant.store
    state = store.all_fields(code, dict(row))
    otype = OBJ_TYPES[code]
    for name, kind in otype.fields.items():
        if kind == "date" and row.get(name):
            state[name] = to_event(row[name])
    accessors: list[str] = []
    for field in ("ownerID", "enteredByID", "userID"):
        if field in otype.fields and row.get(field):
            accessors.append(str(row[field]))
            break
    if "accessRules" in otype.collections:
        for rule in store.query(
            'SELECT "accessorID" FROM "ACSRUL" WHERE "securityObjID" = ? AND '
            "\"accessorObjCode\" = 'USER' ORDER BY rowid",
            (row["ID"],),
        ):
            if rule["accessorID"] and rule["accessorID"] not in accessors:
                accessors.append(str(rule["accessorID"]))
    state["accessorIDs"] = accessors
    state["customerID"] = tenant.customer_id
    return state


def versioned_state(version: str, state: Mapping[str, Any]) -> dict[str, Any]:
    """An object's state as a subscription of ``version`` sees it.

    Custom field values travel in ``parameterValues`` (``{"DE:Name": value}``).
    Version 2 sends a multi-select value as an array whatever its length;
    Version 1 sent a one-value multi-select as a plain string.
    """
    if not state:
        return {}
    out: dict[str, Any] = {}
    custom: dict[str, Any] = {}
    for key, value in state.items():
        if key.startswith("DE:"):
            custom[key] = value
        else:
            out[key] = value
    if version == "v1":
        custom = {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in custom.items()}
    out["parameterValues"] = custom
    return out


def event_message(
    sub: Subscription,
    kind: str,
    event_time: Mapping[str, int],
    old: Mapping[str, Any],
    new: Mapping[str, Any],
) -> dict[str, Any]:
    """The message delivered for one change: ``eventType``, ``subscriptionId``,
    ``eventTime``, ``eventVersion``, ``subscriptionVersion``, ``newState``,
    ``oldState`` (the states base64-encoded JSON when ``base64Encoding`` is on)."""
    new_state: Any = versioned_state(sub.version, new)
    old_state: Any = versioned_state(sub.version, old)
    if sub.base64:
        new_state = base64.b64encode(orjson.dumps(new_state)).decode()
        old_state = base64.b64encode(orjson.dumps(old_state)).decode()
    return {
        "eventType": kind,
        "subscriptionId": sub.id,
        "eventTime": dict(event_time),
        "eventVersion": sub.version,
        "subscriptionVersion": sub.version,
        "newState": new_state,
        "oldState": old_state,
    }


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _subset(actual: Any, expected: Mapping[str, Any]) -> bool:
    """Nested filters: every key of ``expected`` is in ``actual`` with an equal value."""
    if not isinstance(actual, Mapping):
        return False
    for key, want in expected.items():
        if key not in actual:
            return False
        have = actual[key]
        if isinstance(want, Mapping):
            if not _subset(have, want):
                return False
        elif not _equal(have, want):
            return False
    return True


def _equal(actual: Any, expected: Any) -> bool:
    if isinstance(expected, Mapping):
        return _subset(actual, expected)
    if isinstance(expected, list) or isinstance(actual, list):
        return isinstance(actual, list) and isinstance(expected, list) and actual == expected
    if actual is None or expected is None:
        return actual is None and expected is None
    a, b = _num(actual), _num(expected)
    return a == b if a is not None and b is not None else str(actual) == str(expected)


def _compare(actual: Any, expected: Any, comparison: str) -> bool:
    if comparison in ("eq", "ne"):
        same = _equal(actual, expected)
        return same if comparison == "eq" else not same
    if comparison in ("gt", "gte", "lt", "lte"):
        if actual is None or expected is None:
            return False
        a, b = _num(actual), _num(expected)
        left: Any = a if a is not None and b is not None else str(actual)
        right: Any = b if a is not None and b is not None else str(expected)
        outcomes: dict[str, bool] = {
            "gt": left > right,
            "gte": left >= right,
            "lt": left < right,
            "lte": left <= right,
        }
        return outcomes[comparison]
    if comparison in ("contains", "notContains"):
        if isinstance(actual, list):
            found = expected in actual or str(expected) in [str(a) for a in actual]
        else:
            found = actual is not None and str(expected) in str(actual)
        return found if comparison == "contains" else not found
    # containsOnly
    wanted = expected if isinstance(expected, list) else [expected]
    have = actual if isinstance(actual, list) else [actual]
    return {str(v) for v in have} == {str(v) for v in wanted}


def _check(item: Mapping[str, Any], old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    if item.get("type") == "group":
        results = [_check(f, old, new) for f in item.get("filters", [])]
        return any(results) if str(item.get("connector", "AND")).upper() == "OR" else all(results)
    field = item["fieldName"]
    comparison = item.get("comparison", "eq")
    if comparison == "changed":
        return old.get(field) != new.get(field)
    state = old if item.get("state", "newState") == "oldState" else new
    return _compare(state.get(field), item.get("fieldValue"), comparison)


def matches(
    sub: Subscription,
    kind: str,
    obj_code: str,
    obj_id: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
) -> bool:
    """Whether a change is delivered to ``sub``. Filters see the states as the
    subscription's version delivers them (``versioned_state``)."""
    if sub.disabled or sub.obj_code != obj_code or sub.event_type != kind:
        return False
    if sub.obj_id and sub.obj_id != obj_id:
        return False
    if not sub.filters:
        return True
    old_v, new_v = versioned_state(sub.version, old), versioned_state(sub.version, new)
    results = [_check(item, old_v, new_v) for item in sub.filters]
    return any(results) if sub.filter_connector == "OR" else all(results)
