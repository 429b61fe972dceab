"""``RecordSearch``: an immutable, lazily executed search over one record type.

Builder methods return new objects (``attrs.evolve``); nothing is sent until
the search is iterated, counted or collected. Iteration pages with
``offset``/``limit`` (docs/api-notes.md §3: default 500, at most 2000), never
truncates, and raises ``PaginationError`` when a page makes no progress or
repeats a record.

The sort. docs/api-notes.md §3 asks for a sort for stable paging. The body always
carries the caller's keys, then, when the record type's fields are known
(fetched with ``validate=True`` or given as ``field_types=``), its
``created at`` field ascending (creation time never changes, so edits during
paging do not move records between pages). The last tie-break is the record
ID, which the Planning service applies to equal keys (the embedded Workfront
documents and does the same); a sort on ``id`` itself cannot be sent, the
API sorts by fields only. Whatever the server does, a record seen twice while
paging raises ``PaginationError`` instead of being yielded again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

import attrs

from .._core.checks import SortKey, check_limit
from .._core.client import AsyncIterableOnly
from .._core.exceptions import PaginationError, QueryError, ResponseError
from .._core.telemetry import traced_pages
from ..query import Expr
from ._wire import (
    DEFAULT_PAGE_SIZE,
    Filter,
    check_page_size,
    check_sort,
    check_unknown_fields,
    compile_filters,
    field_ids,
    field_types,
    search_body,
)

__all__ = ["Record", "RecordSearch", "RecordSearchBackend", "TypedRecordSearch"]

M = TypeVar("M")

Record = dict[str, Any]


class RecordSearchBackend(Protocol):
    """What a ``RecordSearch`` needs from the client that made it."""

    async def _search_page(
        self,
        body: Mapping[str, Any],
        attributes: Sequence[str],
        *,
        aliased: bool = False,
        method: str = "POST",
    ) -> Mapping[str, Any]: ...

    async def _record_type(self, record_type_id: str) -> Mapping[str, Any]: ...


def _check_where(where: object) -> Expr | Mapping[str, Any]:
    if isinstance(where, Expr):
        return where
    if isinstance(where, Mapping):
        if not all(isinstance(k, str) for k in where):
            raise QueryError(f"a raw Planning filter object has string keys; got {where!r}")
        return where
    raise QueryError(
        f"where= takes a Q expression (Q.status == 'Done') or a Planning filter object "
        f"({{'status': {{'$is': 'Done'}}}}), not {type(where).__name__}"
    )


def _types(value: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> Any:
    if value is None:
        return None
    items = value.items() if isinstance(value, Mapping) else value
    out = tuple(sorted((str(k), str(v)) for k, v in items))
    return out


def _attributes(value: str | Iterable[str]) -> tuple[str, ...]:
    names = [value] if isinstance(value, str) else list(value)
    for name in names:
        if not isinstance(name, str) or not name or "," in name:
            raise QueryError(f"attribute names are non-empty strings without ',', not {name!r}")
    return tuple(names)


def _typed(search: Any, records: list[Record]) -> list[Any]:
    if search._aliased:
        raise QueryError(
            "a typed search reads data by field ID: drop aliased() (the record class names "
            "the fields already)"
        )
    from ..models import to_records

    return to_records(search._model, records)


@attrs.frozen(slots=True, repr=False)
class RecordSearch(AsyncIterableOnly):
    """A search over the records of one record type; ``async for`` yields every match.

    ``where`` clauses are ANDed: expressions are combined with ``&`` and
    compiled together with ``compile_planning``; raw filter objects are sent
    as given. With ``field_types`` (field ID -> Planning field type) each
    operator is checked when the clause is added; with ``validate=True`` the
    record type is fetched once per client and the filter checked against its
    fields before the search is sent.
    """

    _backend: RecordSearchBackend = attrs.field(alias="backend")
    record_type_id: str
    _where: tuple[Expr | Mapping[str, Any], ...] = attrs.field(default=(), alias="where")
    _sort: tuple[SortKey, ...] = attrs.field(default=(), alias="sort")
    _attributes: tuple[str, ...] = attrs.field(
        default=(), alias="attributes", converter=_attributes
    )
    _limit: int | None = attrs.field(default=None, alias="limit", converter=check_limit)
    _page_size: int = attrs.field(
        default=DEFAULT_PAGE_SIZE, alias="page_size", converter=check_page_size
    )
    _field_types: tuple[tuple[str, str], ...] | None = attrs.field(
        default=None, alias="field_types", converter=_types
    )
    _validate: bool = attrs.field(default=False, alias="validate")
    _by_alias: bool = attrs.field(default=False, alias="by_alias")
    _aliased: bool = attrs.field(default=False, alias="aliased")
    _row_order_view_id: str | None = attrs.field(default=None, alias="row_order_view_id")
    _grouping: tuple[str, ...] = attrs.field(default=(), alias="grouping")
    _method: str = attrs.field(default="POST", alias="method")
    # A generated record class (``workfront_async.models``): pages are converted into it.
    _model: Any = attrs.field(default=None, alias="model")

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.record_type_id, str) or not self.record_type_id:
            raise QueryError(
                f"record_type_id must be a non-empty string, not {self.record_type_id!r}"
            )
        # compile now so that a filter that cannot be sent fails where it is built
        types = dict(self._field_types) if self._field_types is not None else None
        compile_filters(self._where, types)

    # -- builders ----------------------------------------------------------------------

    def where(self, where: Filter) -> RecordSearch:
        """A new search with ``where`` ANDed to the filters (checked now against
        the given ``field_types``)."""
        if where is None:
            return self
        return attrs.evolve(self, where=(*self._where, _check_where(where)))

    def sort(self, *keys: str | tuple[str, str]) -> RecordSearch:
        """A new search sorted by field IDs (``"-budget"`` is descending)."""
        return attrs.evolve(self, sort=(*self._sort, *check_sort(keys)))

    def limit(self, limit: int | None) -> RecordSearch:
        """A new search that yields at most ``limit`` records in total."""
        return attrs.evolve(self, limit=limit)

    def page_size(self, page_size: int) -> RecordSearch:
        """A new search fetching ``page_size`` records per request (1..2000)."""
        return attrs.evolve(self, page_size=page_size)

    def attributes(self, *names: str) -> RecordSearch:
        """A new search returning only these record attributes (``"data"``,
        ``"createdBy"``...; ``id`` always comes back)."""
        return attrs.evolve(self, attributes=(*self._attributes, *names))

    def aliased(self, aliased: bool = True) -> RecordSearch:
        """A new search whose records key ``data`` by field alias
        (``?aliased=true``, docs/api-notes.md §5) instead of field ID."""
        return attrs.evolve(self, aliased=bool(aliased))

    def row_order(self, view_id: str | None) -> RecordSearch:
        """A new search in the manual row order of a view (``rowOrderViewId``);
        ``sort()`` keys still apply on top of it."""
        if view_id is not None and (not isinstance(view_id, str) or not view_id):
            raise QueryError(f"row_order() takes a view ID, not {view_id!r}")
        return attrs.evolve(self, row_order_view_id=view_id)

    def group_by(self, *field_ids: str) -> RecordSearch:
        """A new search that asks for ``groups`` by these fields
        (``groupingFieldIds``); read them with ``groups()``."""
        for f in field_ids:
            if not isinstance(f, str) or not f or "," in f:
                raise QueryError(f"group_by() takes field IDs, not {f!r}")
        return attrs.evolve(self, grouping=(*self._grouping, *field_ids))

    def via_get(self) -> RecordSearch:
        """A new search sent as ``GET /v1/records/search`` (static/v1.json;
        external-lookup fields use it) with the filter as JSON in the query
        string. GET takes no ``sorting``: a sorted search raises
        ``QueryError`` when it runs."""
        return attrs.evolve(self, method="GET")

    # -- planning ----------------------------------------------------------------------

    async def _plan(self) -> tuple[list[dict[str, Any]] | None, tuple[SortKey, ...]]:
        """The ``filters`` (``None``: can never match) and the ``sorting`` to send."""
        types: dict[str, str] | None = None
        if self._method == "GET" and self._sort:
            raise QueryError(
                "GET /v1/records/search takes no sorting (static/v1.json); drop via_get() "
                "or the sort"
            )
        if self._field_types is not None:
            types = dict(self._field_types)
        elif self._validate and not self._by_alias:
            record_type = await self._backend._record_type(self.record_type_id)
            known = field_ids(record_type)
            check_unknown_fields(
                [w for w in self._where if isinstance(w, Expr)], known, self.record_type_id
            )
            for field, _ in self._sort:
                if field not in known:
                    raise QueryError(
                        f"cannot sort on {field!r}: record type {self.record_type_id!r} has no "
                        f"such field; its field IDs: {', '.join(sorted(known))}"
                    )
            types = field_types(record_type)
        filters = compile_filters(self._where, types)
        sorting = self._sort
        if types is not None and self._method == "POST" and self._row_order_view_id is None:
            sorted_on = {f for f, _ in sorting}
            created = sorted(f for f, t in types.items() if t == "created at")
            if created and not sorted_on & set(created):
                sorting = (*sorting, (created[0], "asc"))
        return filters, sorting

    # -- execution ---------------------------------------------------------------------

    def _page(self, answer: Any, offset: int) -> tuple[list[Record], int | None]:
        where = f"the {self.record_type_id} search page at offset {offset}"
        if not isinstance(answer, Mapping) or not isinstance(answer.get("records"), list):
            raise ResponseError(f"{where} has no 'records' list")
        records = answer["records"]
        if not all(isinstance(r, dict) for r in records):
            raise ResponseError(f"{where} holds a record that is not an object")
        total = answer.get("totalCount")
        if total is not None and (isinstance(total, bool) or not isinstance(total, int)):
            raise ResponseError(f"{where} has a totalCount that is not an integer: {total!r}")
        return records, total

    @traced_pages("search", "record")
    async def pages(self) -> AsyncIterator[list[Record]]:
        """Yield the result page by page (lists of records), never truncating."""
        filters, sorting = await self._plan()
        if filters is None:
            return
        offset = 0
        remaining = self._limit
        seen: set[object] = set()
        while True:
            want = self._page_size if remaining is None else min(self._page_size, remaining)
            if want <= 0:
                return
            body = self._body(filters, sorting, offset=offset, limit=want)
            answer = await self._fetch(body)
            records, total = self._page(answer, offset)
            if len(records) > want:
                raise PaginationError(
                    f"{self.record_type_id} search: asked for {want} records at offset "
                    f"{offset}, got {len(records)}; the server ignored 'limit', so paging "
                    "cannot be trusted"
                )
            ids = [r.get("id") for r in records]
            repeated = [i for i in ids if i is not None and i in seen]
            if repeated:
                raise PaginationError(
                    f"{self.record_type_id} search: the page at offset {offset} repeats "
                    f"record {repeated[0]!r} of an earlier page (no progress); the records "
                    "changed while paging or the sort is not stable"
                )
            seen.update(i for i in ids if i is not None)
            if records:
                yield records if self._model is None else _typed(self, records)
            offset += len(records)
            if remaining is not None:
                remaining -= len(records)
            if total is not None and offset >= total:
                return
            if len(records) < want:
                if total is None:
                    return
                if not records:
                    raise PaginationError(
                        f"{self.record_type_id} search: the page at offset {offset} is empty "
                        f"but totalCount is {total}; the records changed while paging"
                    )

    async def __aiter__(self) -> AsyncIterator[Record]:
        async for page in self.pages():
            for record in page:
                yield record

    async def all(self) -> list[Record]:
        """Every matching record (up to ``limit``) as a list."""
        return [record async for record in self]

    async def first(self) -> Record | None:
        """The first record, or ``None`` when nothing matches."""
        if self._limit == 0:
            return None
        async for page in self.limit(1).page_size(1).pages():
            return page[0]
        return None

    async def count(self) -> int:
        """How many records match, from the answer's ``totalCount`` (ignores ``limit``)."""
        filters, _ = await self._plan()
        if filters is None:
            return 0
        body = self._body(filters, (), offset=0, limit=1)
        answer = await self._fetch(body)
        _, total = self._page(answer, 0)
        if total is None:
            raise ResponseError(f"the {self.record_type_id} search answered without totalCount")
        return total

    async def groups(self) -> list[dict[str, Any]]:
        """The ``groups`` of the answer (``[{fieldId, value, recordIds}]``,
        docs/api-notes.md §5) for the ``group_by()`` fields, from one request."""
        if not self._grouping:
            raise QueryError("groups() needs group_by(field_id, ...) first")
        filters, _ = await self._plan()
        if filters is None:
            return []
        answer = await self._fetch(self._body(filters, (), offset=0, limit=1))
        groups = answer.get("groups")
        if not isinstance(groups, list):
            raise ResponseError(f"the {self.record_type_id} search answered without 'groups'")
        return groups

    def _body(
        self, filters: list[dict[str, Any]], sorting: Sequence[SortKey], *, offset: int, limit: int
    ) -> dict[str, Any]:
        body = search_body(self.record_type_id, filters, sorting, offset=offset, limit=limit)
        if self._by_alias:
            body = {"recordTypeAlias": body.pop("recordTypeId"), **body}
        if self._row_order_view_id is not None:
            body["rowOrderViewId"] = self._row_order_view_id
        if self._grouping:
            body["groupingFieldIds"] = list(self._grouping)
        return body

    async def _fetch(self, body: Mapping[str, Any]) -> Mapping[str, Any]:
        return await self._backend._search_page(
            body, self._attributes, aliased=self._aliased, method=self._method
        )

    def __repr__(self) -> str:
        where = ", ".join(repr(w) for w in self._where)
        return (
            f"RecordSearch({self.record_type_id!r}, where=[{where}], sort={self._sort!r}, "
            f"attributes={self._attributes!r}, limit={self._limit!r}, "
            f"page_size={self._page_size!r})"
        )


@attrs.frozen(slots=True, repr=False)
class TypedRecordSearch(RecordSearch, Generic[M]):
    """The search of ``pl.records.search(Campaigns, ...)`` with a generated
    record class: the same search, whose records are ``Campaigns`` instances."""

    if TYPE_CHECKING:

        def where(self, where: Filter) -> TypedRecordSearch[M]: ...
        def sort(self, *keys: str | tuple[str, str]) -> TypedRecordSearch[M]: ...
        def limit(self, limit: int | None) -> TypedRecordSearch[M]: ...
        def page_size(self, page_size: int) -> TypedRecordSearch[M]: ...
        def attributes(self, *names: str) -> TypedRecordSearch[M]: ...
        def row_order(self, view_id: str | None) -> TypedRecordSearch[M]: ...
        def via_get(self) -> TypedRecordSearch[M]: ...
        def pages(self) -> AsyncIterator[list[M]]: ...  # type: ignore[override]
        def __aiter__(self) -> AsyncIterator[M]: ...  # type: ignore[override]
        async def all(self) -> list[M]: ...  # type: ignore[override]
        async def first(self) -> M | None: ...  # type: ignore[override]
