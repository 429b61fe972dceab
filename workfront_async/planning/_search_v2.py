"""``RecordSearchV2``: an immutable, lazily executed v2 record search.

``POST /v2/record-types/{id}/records/search?page=&size=&aliased=&fieldIds=``
with ``{"filter": <group>, "sort": [...], "group": [...]}`` (docs/api-notes.md §5,
static/v2.json ``RecordSearchRequestDto``). The answer is a Spring page
(``records.content``, ``totalElements``, ``last``...). Iteration asks for page
0, 1, 2... of one ``size`` until the page says ``last`` and every one of
``totalElements`` records was seen: it never presents one page as the whole
result, and raises ``PaginationError`` when a page holds more than ``size``
records, repeats a record, or ends early.

The interface is the v1 ``RecordSearch``'s: builders (``where``, ``sort``,
``limit``, ``page_size``) return new objects; ``async for``, ``pages()``,
``all()``, ``first()``, ``count()``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Generic, Protocol, TypeVar

import attrs

from .._core.checks import SortKey, check_limit
from .._core.client import AsyncIterableOnly
from .._core.exceptions import PaginationError, QueryError, ResponseError
from .._core.telemetry import traced_pages
from ..query import Expr, Q
from ..query._planning_v2 import compile_planning_v2
from ._search import _check_where, _types
from ._wire import check_sort, check_unknown_fields, field_types

__all__ = [
    "DEFAULT_PAGE_SIZE_V2",
    "MAX_PAGE_SIZE_V2",
    "RecordSearchV2",
    "RecordSearchV2Backend",
    "TypedRecordSearchV2",
]

M = TypeVar("M")

DEFAULT_PAGE_SIZE_V2: Final = 100  # static/v2.json: size defaults to 100
# static/v2.json sets no maximum; v1's documented 2000 is the bound kept here
MAX_PAGE_SIZE_V2: Final = 2000

Record = dict[str, Any]


class RecordSearchV2Backend(Protocol):
    async def _search_page_v2(
        self, record_type_id: str, body: Mapping[str, Any], params: Sequence[tuple[str, str]]
    ) -> Mapping[str, Any]: ...

    async def _fields_of(self, record_type_id: str) -> Sequence[Mapping[str, Any]]: ...


def _page_size(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE_V2:
        raise QueryError(f"page_size must be an int in 1..{MAX_PAGE_SIZE_V2}, not {value!r}")
    return value


def _names(value: Iterable[str]) -> tuple[str, ...]:
    names = [value] if isinstance(value, str) else list(value)
    for n in names:
        if not isinstance(n, str) or not n or "," in n:
            raise QueryError(f"field IDs are non-empty strings without ',', not {n!r}")
    return tuple(names)


@attrs.frozen(slots=True, repr=False)
class RecordSearchV2(AsyncIterableOnly):
    """A v2 search over the records of one record type; ``async for`` yields every match."""

    _backend: RecordSearchV2Backend = attrs.field(alias="backend")
    record_type_id: str
    _where: tuple[Expr, ...] = attrs.field(default=(), alias="where")
    _sort: tuple[SortKey, ...] = attrs.field(default=(), alias="sort")
    _field_ids: tuple[str, ...] = attrs.field(default=(), alias="field_ids", converter=_names)
    _aliased: bool = attrs.field(default=False, alias="aliased")
    _grouping: tuple[str, ...] = attrs.field(default=(), alias="grouping")
    _limit: int | None = attrs.field(default=None, alias="limit", converter=check_limit)
    _page_size: int = attrs.field(
        default=DEFAULT_PAGE_SIZE_V2, alias="page_size", converter=_page_size
    )
    _field_types: tuple[tuple[str, str], ...] | None = attrs.field(
        default=None, alias="field_types", converter=_types
    )
    _validate: bool = attrs.field(default=False, alias="validate")
    # A generated record class (``workfront_async.models``): pages are converted into it.
    _model: Any = attrs.field(default=None, alias="model")

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.record_type_id, str) or not self.record_type_id:
            raise QueryError(
                f"record_type_id must be a non-empty string, not {self.record_type_id!r}"
            )
        types = dict(self._field_types) if self._field_types is not None else None
        self._filter(types)

    # -- builders ----------------------------------------------------------------------

    def where(self, where: Expr | None) -> RecordSearchV2:
        """A new search with ``where`` (a ``Q`` expression) ANDed to the filter."""
        if where is None:
            return self
        checked = _check_where(where)
        if not isinstance(checked, Expr):
            raise QueryError(
                "v2 searches take Q expressions; a raw v1 filter object has no v2 meaning"
            )
        return attrs.evolve(self, where=(*self._where, checked))

    def sort(self, *keys: str | tuple[str, str]) -> RecordSearchV2:
        """A new search sorted by field IDs (``"-budget"`` is descending)."""
        return attrs.evolve(self, sort=(*self._sort, *check_sort(keys)))

    def limit(self, limit: int | None) -> RecordSearchV2:
        return attrs.evolve(self, limit=limit)

    def page_size(self, page_size: int) -> RecordSearchV2:
        return attrs.evolve(self, page_size=page_size)

    def fields(self, *field_ids: str) -> RecordSearchV2:
        """A new search returning only these fields in ``data`` (``?fieldIds=``)."""
        return attrs.evolve(self, field_ids=(*self._field_ids, *field_ids))

    def aliased(self, aliased: bool = True) -> RecordSearchV2:
        """A new search whose ``data`` is keyed by field alias (``?aliased=true``)."""
        return attrs.evolve(self, aliased=bool(aliased))

    def group_by(self, *field_ids: str) -> RecordSearchV2:
        """A new search grouped by these fields (body ``group``); see ``groups()``."""
        return attrs.evolve(self, grouping=(*self._grouping, *_names(field_ids)))

    # -- planning ----------------------------------------------------------------------

    def _filter(self, types: Mapping[str, str] | None) -> dict[str, Any] | bool | None:
        """The ``filter`` group; ``None`` for none; ``False`` when nothing can match."""
        if not self._where:
            return None
        combined = self._where[0]
        for e in self._where[1:]:
            combined = combined & e
        if combined == Q.none():
            return False
        return compile_planning_v2(combined, field_types=types)

    async def _plan(self) -> tuple[dict[str, Any] | bool | None, tuple[SortKey, ...]]:
        types: dict[str, str] | None = None
        if self._field_types is not None:
            types = dict(self._field_types)
        elif self._validate:
            fields = await self._backend._fields_of(self.record_type_id)
            known = frozenset(
                f["id"] for f in fields if isinstance(f, Mapping) and isinstance(f.get("id"), str)
            )
            check_unknown_fields(list(self._where), known, self.record_type_id)
            for field, _ in self._sort:
                if field not in known:
                    raise QueryError(
                        f"cannot sort on {field!r}: record type {self.record_type_id!r} has no "
                        f"such field; its field IDs: {', '.join(sorted(known))}"
                    )
            types = field_types(list(fields))
        return self._filter(types), self._sort

    def _body(self, filt: dict[str, Any] | None, sorting: Sequence[SortKey]) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if filt is not None:
            body["filter"] = filt
        if sorting:
            body["sort"] = [{"fieldId": f, "direction": d} for f, d in sorting]
        if self._grouping:
            body["group"] = [{"fieldId": f} for f in self._grouping]
        return body

    def _params(self, page: int, size: int) -> list[tuple[str, str]]:
        params = [("page", str(page)), ("size", str(size))]
        if self._aliased:
            params.append(("aliased", "true"))
        if self._field_ids:
            params.append(("fieldIds", ",".join(self._field_ids)))
        return params

    # -- execution ---------------------------------------------------------------------

    def _read(self, answer: Any, page: int) -> tuple[list[Record], int, bool]:
        where = f"the {self.record_type_id} v2 search page {page}"
        records = answer.get("records") if isinstance(answer, Mapping) else None
        if not isinstance(records, Mapping) or not isinstance(records.get("content"), list):
            raise ResponseError(f"{where} has no 'records.content' list (a Spring page)")
        content = records["content"]
        if not all(isinstance(r, dict) for r in content):
            raise ResponseError(f"{where} holds a record that is not an object")
        total = records.get("totalElements")
        if isinstance(total, bool) or not isinstance(total, int) or total < 0:
            raise ResponseError(f"{where} has no integer 'totalElements': {total!r}")
        last = records.get("last")
        if not isinstance(last, bool):
            raise ResponseError(f"{where} has no boolean 'last': {last!r}")
        return content, total, last

    @traced_pages("search", "record")
    async def pages(self) -> AsyncIterator[list[Record]]:
        """Yield the result page by page, never truncating."""
        filt, sorting = await self._plan()
        if filt is False:
            return
        body = self._body(filt if isinstance(filt, dict) else None, sorting)
        size = self._page_size if self._limit is None else min(self._page_size, self._limit)
        if size <= 0:
            return
        seen: set[object] = set()
        yielded = 0
        page = 0
        while True:
            answer = await self._backend._search_page_v2(
                self.record_type_id, body, self._params(page, size)
            )
            records, total, last = self._read(answer, page)
            if len(records) > size:
                raise PaginationError(
                    f"{self.record_type_id} v2 search: asked for {size} records on page {page}, "
                    f"got {len(records)}; the server ignored 'size', so paging cannot be trusted"
                )
            ids = [r.get("id") for r in records]
            repeated = [i for i in ids if i is not None and i in seen]
            if repeated:
                raise PaginationError(
                    f"{self.record_type_id} v2 search: page {page} repeats record "
                    f"{repeated[0]!r} of an earlier page; the records changed while paging "
                    "or the sort is not stable"
                )
            seen.update(i for i in ids if i is not None)
            if self._limit is not None:
                records = records[: self._limit - yielded]
            if records:
                if self._model is None:
                    yield records
                else:
                    from ._search import _typed

                    yield _typed(self, records)
            yielded += len(records)
            if self._limit is not None and yielded >= self._limit:
                return
            if last or (page + 1) * size >= total:
                if yielded < min(total, self._limit if self._limit is not None else total):
                    raise PaginationError(
                        f"{self.record_type_id} v2 search: the last page ended after "
                        f"{yielded} records but totalElements is {total}; the records "
                        "changed while paging"
                    )
                return
            if not records:
                raise PaginationError(
                    f"{self.record_type_id} v2 search: page {page} is empty but the page "
                    f"is not the last of {total} records"
                )
            page += 1

    async def __aiter__(self) -> AsyncIterator[Record]:
        async for page in self.pages():
            for record in page:
                yield record

    async def all(self) -> list[Record]:
        return [record async for record in self]

    async def first(self) -> Record | None:
        if self._limit == 0:
            return None
        async for page in self.limit(1).page_size(1).pages():
            return page[0]
        return None

    async def count(self) -> int:
        """How many records match (``totalElements``; ignores ``limit``)."""
        filt, _ = await self._plan()
        if filt is False:
            return 0
        body = self._body(filt if isinstance(filt, dict) else None, ())
        answer = await self._backend._search_page_v2(self.record_type_id, body, self._params(0, 1))
        return self._read(answer, 0)[1]

    async def groups(self) -> list[dict[str, Any]]:
        """The answer's ``groups`` (``[{fieldId, value, recordIds, count}]``)."""
        if not self._grouping:
            raise QueryError("groups() needs group_by(field_id, ...) first")
        filt, _ = await self._plan()
        if filt is False:
            return []
        body = self._body(filt if isinstance(filt, dict) else None, ())
        answer = await self._backend._search_page_v2(self.record_type_id, body, self._params(0, 1))
        groups = answer.get("groups")
        if not isinstance(groups, list):
            raise ResponseError(f"the {self.record_type_id} v2 search answered without 'groups'")
        return groups

    def __repr__(self) -> str:
        where = ", ".join(repr(w) for w in self._where)
        return (
            f"RecordSearchV2({self.record_type_id!r}, where=[{where}], sort={self._sort!r}, "
            f"limit={self._limit!r}, page_size={self._page_size!r})"
        )


@attrs.frozen(slots=True, repr=False)
class TypedRecordSearchV2(RecordSearchV2, Generic[M]):
    """The v2 search of ``pl.records.search(Campaigns, ...)`` with a generated
    record class: the same search, whose records are ``Campaigns`` instances."""

    if TYPE_CHECKING:

        def where(self, where: Expr | None) -> TypedRecordSearchV2[M]: ...
        def sort(self, *keys: str | tuple[str, str]) -> TypedRecordSearchV2[M]: ...
        def limit(self, limit: int | None) -> TypedRecordSearchV2[M]: ...
        def page_size(self, page_size: int) -> TypedRecordSearchV2[M]: ...
        def fields(self, *field_ids: str) -> TypedRecordSearchV2[M]: ...
        def pages(self) -> AsyncIterator[list[M]]: ...  # type: ignore[override]
        def __aiter__(self) -> AsyncIterator[M]: ...  # type: ignore[override]
        async def all(self) -> list[M]: ...  # type: ignore[override]
        async def first(self) -> M | None: ...  # type: ignore[override]
