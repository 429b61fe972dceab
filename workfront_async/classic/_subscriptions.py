"""Managing event subscriptions (docs/api-notes.md §2, "Event subscriptions"), as
Adobe's event-subs-api and event-subs-versioning pages describe them today.

``POST /attask/eventsubscription/api/v1/subscriptions`` creates one (201,
``{"id", "version"}`` and the new URI in the ``Location`` header); ``GET``
lists them page by page (``{"subscriptions": [...], "meta": {page, limit,
page_count, total_count}}``, ``limit`` up to 1000); ``GET``/``DELETE``
``/subscriptions/<id>``; ``PUT /subscriptions/<id>/version`` and
``PUT /subscriptions/version`` change versions. They need a system
administrator's session in the ``sessionID`` header.

Every subscription created since release 25.2 is Version 2: multi-select
values are always arrays (filter them with array values), and an object
created with custom form values sends one ``CREATE`` carrying them (no
follow-up ``UPDATE``). Version 1 subscriptions can be upgraded; downgrades
are refused since release 25.3.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import attrs
import orjson

from .._core.exceptions import PaginationError, QueryError, ResponseError
from .._core.request import Call, parse_classic
from .._core.secret import Secret

if TYPE_CHECKING:
    from ._client import Workfront

__all__ = ["FilterGroup", "SubscriptionFilter", "Subscriptions"]

EVENT_TYPES = ("CREATE", "UPDATE", "DELETE")
COMPARISONS = (
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "contains",
    "notContains",
    "containsOnly",
    "changed",
)
LIST_PAGE = 1000
VERSIONS = ("v1", "v2")
# Adobe's "Using filter groups": 2..5 filters per group, at most 10 groups.
MIN_GROUP_FILTERS = 2
MAX_GROUP_FILTERS = 5
MAX_GROUPS = 10

Comparison = Literal[
    "eq", "ne", "gt", "gte", "lt", "lte", "contains", "notContains", "containsOnly", "changed"
]


@attrs.frozen
class SubscriptionFilter:
    """One subscription filter: ``{fieldName, fieldValue, comparison, state}``."""

    field_name: str
    field_value: Any = None
    comparison: Comparison = "eq"
    state: Literal["newState", "oldState"] = "newState"

    def __attrs_post_init__(self) -> None:
        if self.comparison not in COMPARISONS:
            raise QueryError(
                f"unknown subscription comparison {self.comparison!r}; use one of "
                f"{', '.join(COMPARISONS)}"
            )
        if self.state not in ("newState", "oldState"):
            raise QueryError("a subscription filter's state is 'newState' or 'oldState'")
        if self.comparison != "changed" and self.field_value is None:
            raise QueryError(
                f"the {self.comparison!r} filter on {self.field_name!r} needs a field_value"
            )
        if isinstance(self.field_value, tuple):
            # multi-select values travel as JSON arrays (Version 2)
            object.__setattr__(self, "field_value", list(self.field_value))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "fieldName": self.field_name,
            "comparison": self.comparison,
            "state": self.state,
        }
        if self.field_value is not None:
            out["fieldValue"] = self.field_value
        return out


@attrs.frozen
class FilterGroup:
    """A group of 2 to 5 filters joined by its own ``connector`` (AND or OR),
    itself one filter of the subscription: ``{"type": "group", "connector",
    "filters"}``. Groups do not nest; a subscription takes at most 10."""

    filters: tuple[SubscriptionFilter, ...] = attrs.field(converter=tuple)
    connector: Literal["AND", "OR"] = "AND"

    def __attrs_post_init__(self) -> None:
        if not MIN_GROUP_FILTERS <= len(self.filters) <= MAX_GROUP_FILTERS:
            raise QueryError(
                f"a filter group holds {MIN_GROUP_FILTERS} to {MAX_GROUP_FILTERS} filters, "
                f"not {len(self.filters)}; use a plain filter for one condition"
            )
        if not all(isinstance(f, SubscriptionFilter) for f in self.filters):
            raise QueryError("a filter group holds SubscriptionFilters (groups do not nest)")
        if self.connector not in ("AND", "OR"):
            raise QueryError("a filter group's connector must be 'AND' or 'OR'")

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "group",
            "connector": self.connector,
            "filters": [f.to_json() for f in self.filters],
        }


def _hide_token(sub: Any) -> Any:
    """A subscription as shown to the caller: its ``authToken`` as a ``Secret``."""
    if isinstance(sub, dict) and isinstance(sub.get("authToken"), str):
        return {**sub, "authToken": Secret(sub["authToken"])}
    return sub


def _version(value: str) -> str:
    if value not in VERSIONS:
        raise QueryError(f"a subscription version is one of {', '.join(VERSIONS)}, not {value!r}")
    return value


def _parse_raw(
    status: int,
    content: bytes,
    *,
    headers: Mapping[str, str] | None = None,
    method: str = "",
    url: str = "",
    secrets: Sequence[str] = (),
) -> Any:
    """Like the classic parser for errors, but keep the whole body and the
    ``Location`` header (the subscription API does not wrap in ``data``)."""
    if status >= 400 or content.lstrip().startswith(b'{"error"'):
        parse_classic(status, content, headers=headers, method=method, url=url, secrets=secrets)
    try:
        body = orjson.loads(content) if content.strip() else None
    except orjson.JSONDecodeError:
        raise ResponseError(
            "the event subscription API answered with something that is not JSON",
            status=status,
            method=method,
            url=url,
            body=content[:200],
        ) from None
    return {"status": status, "location": (headers or {}).get("location"), "body": body}


def _ident(value: str) -> str:
    if not isinstance(value, str) or not value or "/" in value or "?" in value:
        raise QueryError(
            f"a subscription ID is a non-empty string without '/' or '?', not {value!r}"
        )
    return value


class Subscriptions:
    """``wf.subscriptions``: create, list, get and delete event subscriptions."""

    def __init__(self, wf: Workfront) -> None:
        from .._core.auth import ApiKeyAuth

        if isinstance(wf.auth, ApiKeyAuth):
            raise QueryError(
                "event subscriptions need a system administrator's session in the SessionID "
                "header, not an API key (Adobe's event-subs-api page): create the client with "
                "session_id=, an OAuth2/JWT auth, or call login() first"
            )
        self._wf = wf
        parts = urlsplit(wf.api_url)
        self.root = f"{parts.scheme}://{parts.netloc}/attask/eventsubscription/api/v1"

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Iterable[tuple[str, str]] = (),
        json: Any = None,
        idempotent: bool = True,
    ) -> Call:
        return Call(
            method,
            path,
            tuple(params),
            idempotent=idempotent,
            json=orjson.dumps(json) if json is not None else None,
            root=self.root,
            parse=_parse_raw,
        )

    async def create(
        self,
        obj_code: str,
        event_type: Literal["CREATE", "UPDATE", "DELETE"],
        url: str,
        auth_token: str,
        *,
        obj_id: str | None = None,
        filters: Iterable[SubscriptionFilter | FilterGroup] = (),
        filter_connector: Literal["AND", "OR"] = "AND",
        base64_encoding: bool = False,
    ) -> dict[str, Any]:
        """Create a subscription; returns it with its ``id`` and ``version``
        (without the ``authToken``, which is the caller's own secret)."""
        if event_type not in EVENT_TYPES:
            raise QueryError(f"event_type must be one of {', '.join(EVENT_TYPES)}")
        if filter_connector not in ("AND", "OR"):
            raise QueryError("filter_connector must be 'AND' or 'OR'")
        if not url.startswith(("https://", "http://")):
            raise QueryError(f"the subscription url must be an http(s) URL, got {url[:40]!r}")
        if not auth_token:
            raise QueryError("auth_token is required: Workfront sends it to your url")
        body: dict[str, Any] = {
            "objCode": obj_code,
            "eventType": event_type,
            "url": url,
            "authToken": auth_token,
        }
        if obj_id is not None:
            body["objId"] = obj_id
        given = list(filters)
        for f in given:
            if not isinstance(f, (SubscriptionFilter, FilterGroup)):
                raise QueryError(
                    f"filters= takes SubscriptionFilter and FilterGroup, not {type(f).__name__}"
                )
        groups = sum(isinstance(f, FilterGroup) for f in given)
        if groups > MAX_GROUPS:
            raise QueryError(f"a subscription takes at most {MAX_GROUPS} filter groups")
        flist = [f.to_json() for f in given]
        if flist:
            body["filters"] = flist
            body["filterConnector"] = filter_connector
        if base64_encoding:
            body["base64Encoding"] = True
        result = await self._wf.request(
            self._call("POST", "subscriptions", json=body, idempotent=False)
        )
        created = result["body"] if isinstance(result["body"], dict) else {}
        sub_id = created.get("id")
        location = result.get("location")
        if not sub_id and location:
            sub_id = location.rstrip("/").rsplit("/", 1)[-1]
        if not sub_id:
            raise ResponseError(
                "the subscription was created but the answer carried no ID (no Location header)",
                status=result["status"],
            )
        # The authToken is the caller's own secret: it is not echoed back.
        result_body = {**body, **created, "id": sub_id}
        result_body.pop("authToken", None)
        return result_body

    async def list(self) -> list[dict[str, Any]]:
        """Every subscription, across all pages."""
        return [s async for s in self.iter()]

    async def iter(self) -> AsyncIterator[dict[str, Any]]:
        page = 1
        seen = 0
        while True:
            result = await self._wf.request(
                self._call(
                    "GET", "subscriptions", params=[("page", str(page)), ("limit", str(LIST_PAGE))]
                )
            )
            body = result["body"]
            meta: dict[str, Any]
            if isinstance(body, list):
                rows, meta = body, {}
            elif isinstance(body, dict):
                # Adobe's page shows "subscriptions"; older answers used "data"
                rows = body.get("subscriptions", body.get("data")) or []
                meta = body.get("meta") or {}
            else:
                raise ResponseError("the subscription list is neither a list nor an object")
            for row in rows:
                yield _hide_token(row)
            seen += len(rows)
            page_count = meta.get("page_count", meta.get("pageCount"))
            total = meta.get("total_count", meta.get("totalCount"))
            if page_count is not None or total is not None:
                # The meta says how much there is: follow it, never a short page.
                if (page_count is not None and page >= int(page_count)) or (
                    total is not None and seen >= int(total)
                ):
                    return
                if not rows:
                    raise PaginationError(
                        f"subscription list page {page} was empty with {seen} of "
                        f"{total if total is not None else '?'} subscriptions seen"
                    )
            elif len(rows) < LIST_PAGE:
                return
            page += 1

    async def get(self, subscription_id: str) -> dict[str, Any]:
        """One subscription: ``id``, ``version``, ``objCode``, ``eventType``, ``url``,
        ``filters``, ``subscription_url`` (delivery counts)... Its ``authToken``
        comes back as a ``Secret``."""
        path = f"subscriptions/{_ident(subscription_id)}"
        result = await self._wf.request(self._call("GET", path))
        body = result["body"]
        if not isinstance(body, dict):
            raise ResponseError("a subscription came back that is not an object")
        shown: dict[str, Any] = _hide_token(body)
        return shown

    async def set_version(self, subscription_id: str, version: str = "v2") -> dict[str, Any]:
        """Change one subscription's version (``PUT /subscriptions/<id>/version``);
        returns ``{"id", "version"}``. Workfront refuses downgrades to ``v1``."""
        result = await self._wf.request(
            self._call(
                "PUT",
                f"subscriptions/{_ident(subscription_id)}/version",
                json={"version": _version(version)},
                idempotent=True,  # setting a version twice leaves it set
            )
        )
        body = result["body"]
        if not isinstance(body, dict):
            raise ResponseError("the version change answered with something that is not an object")
        return body

    async def set_versions(
        self,
        subscription_ids: Iterable[str] | None = None,
        version: str = "v2",
        *,
        all_subscriptions: bool = False,
    ) -> builtins.list[str]:
        """Change the version of several subscriptions, or of every subscription of
        the customer with ``all_subscriptions=True`` (``PUT /subscriptions/version``);
        returns the IDs changed."""
        body: dict[str, Any] = {"version": _version(version)}
        if all_subscriptions:
            if subscription_ids is not None:
                raise QueryError("give subscription_ids or all_subscriptions=True, not both")
            body["allCustomerSubscriptions"] = True
        else:
            ids = [_ident(i) for i in subscription_ids or ()]
            if not ids:
                raise QueryError("give subscription_ids (at least one) or all_subscriptions=True")
            body["subscriptionIds"] = ids
        result = await self._wf.request(
            self._call("PUT", "subscriptions/version", json=body, idempotent=True)
        )
        answer = result["body"]
        changed = answer.get("subscription_ids") if isinstance(answer, dict) else None
        if not isinstance(changed, list):
            raise ResponseError("the version change answered without subscription_ids")
        return [str(i) for i in changed]

    async def delete(self, subscription_id: str) -> None:
        # A write: retried only with Retry(retry_writes=True), like every other.
        await self._wf.request(
            self._call("DELETE", f"subscriptions/{_ident(subscription_id)}", idempotent=False)
        )
