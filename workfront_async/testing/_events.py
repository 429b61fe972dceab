"""Event subscriptions of the embedded Workfront (API-NOTES §2 Event subscriptions).

The endpoints and the matching are pure; delivery (an httpx POST per matching
event, retried with back-off) runs as background asyncio tasks owned by the
``Emulator``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs

from ._schema import resolve_obj_code

__all__ = [
    "COMPARISONS",
    "Delivery",
    "Subscription",
    "matches",
    "validate_subscription",
]

COMPARISONS = frozenset(
    {"eq", "ne", "gt", "gte", "lt", "lte", "contains", "notContains", "containsOnly", "changed"}
)
MAX_PAGE = 1000


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

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "objCode": self.obj_code,
            "eventType": self.event_type,
            "url": self.url,
            "authToken": self.auth_token,
            "filters": self.filters,
            "filterConnector": self.filter_connector,
            "base64Encoding": self.base64,
        }
        if self.obj_id:
            out["objId"] = self.obj_id
        if self.disabled:
            out["status"] = "DISABLED"
        return out


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


def validate_subscription(body: Any, new_id: str) -> Subscription:
    """A subscription from a POST body; ``ValueError`` with a clear message if invalid."""
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object {objCode, eventType, url, authToken}")
    code = resolve_obj_code(str(body.get("objCode", "")))
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
        if not isinstance(item, dict) or "fieldName" not in item:
            raise ValueError("each filter needs fieldName, fieldValue and comparison")
        comparison = item.get("comparison", "eq")
        if comparison not in COMPARISONS:
            raise ValueError(f"unknown comparison {comparison!r}; use one of {sorted(COMPARISONS)}")
        if item.get("state", "newState") not in ("newState", "oldState"):
            raise ValueError("state must be newState or oldState")
    connector = str(body.get("filterConnector", "AND")).upper()
    if connector not in ("AND", "OR"):
        raise ValueError("filterConnector must be AND or OR")
    obj_id = body.get("objId")
    return Subscription(
        id=new_id,
        obj_code=code,
        event_type=event_type,
        url=url,
        auth_token=token,
        obj_id=str(obj_id) if obj_id else None,
        filters=[dict(f) for f in filters],
        filter_connector=connector,
        base64=bool(body.get("base64Encoding", False)),
    )


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


def _compare(actual: Any, expected: Any, comparison: str) -> bool:
    if comparison in ("eq", "ne"):
        a, b = _num(actual), _num(expected)
        same = a == b if a is not None and b is not None else str(actual) == str(expected)
        if actual is None or expected is None:
            same = actual is None and expected is None
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


def matches(
    sub: Subscription,
    kind: str,
    obj_code: str,
    obj_id: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
) -> bool:
    if sub.disabled or sub.obj_code != obj_code or sub.event_type != kind:
        return False
    if sub.obj_id and sub.obj_id != obj_id:
        return False
    if not sub.filters:
        return True
    results = []
    for item in sub.filters:
        field = item["fieldName"]
        comparison = item.get("comparison", "eq")
        if comparison == "changed":
            results.append(old.get(field) != new.get(field))
            continue
        state = old if item.get("state", "newState") == "oldState" else new
        results.append(_compare(state.get(field), item.get("fieldValue"), comparison))
    return any(results) if sub.filter_connector == "OR" else all(results)
