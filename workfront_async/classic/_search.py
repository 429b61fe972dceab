"""``Search``: an immutable, lazily executed search over one object type.

Builder methods return new objects (``attrs.evolve``); nothing is sent until
the search is iterated, counted or collected. Iteration pages with
``$$FIRST``/``$$LIMIT`` under a sort that always ends in ``ID`` ascending,
stops only at a short page, and raises ``PaginationError`` on a page that
makes no progress (docs/api-notes.md §1 Search "Paging").
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

import attrs

from .._core.checks import (
    DEFAULT_PAGE_SIZE,
    SortKey,
    check_field_path,
    check_limit,
    check_page_size,
    normalize_sort,
    sort_params,
)
from .._core.client import AsyncIterableOnly
from .._core.dates import convert_dates
from .._core.exceptions import PaginationError, QueryError, ResponseError
from .._core.telemetry import obj_of_self, traced_pages
from ._wire import Where, where_params

__all__ = ["Row", "Search", "SearchBackend"]

_LEVEL = re.compile(r"OR:\d+:")

Row = dict[str, Any]
RowT = TypeVar("RowT")
NewT = TypeVar("NewT")


class SearchBackend(Protocol):
    """What a ``Search`` needs from the client that made it."""

    async def _search_page(
        self, obj: str, params: Sequence[tuple[str, str]], parse: Any = None
    ) -> Any: ...

    async def _count(self, obj: str, params: Sequence[tuple[str, str]]) -> int: ...


def _is_raw(where: Any) -> bool:
    return isinstance(where, (Mapping, list, tuple))


def _identity(row: Row) -> Any:
    return row


@attrs.frozen(slots=True, repr=False)
class Search(AsyncIterableOnly, Generic[RowT]):
    """A search over ``obj``; iterate it with ``async for`` to get every matching row.

    ``where`` clauses are ANDed: query expressions are combined with ``&`` and
    compiled together; raw parameters (mappings, pairs) are appended as given.
    """

    _backend: SearchBackend = attrs.field(alias="backend")
    obj: str
    _where: tuple[Any, ...] = attrs.field(default=(), alias="where")
    _fields: tuple[str, ...] = attrs.field(default=(), alias="fields")
    _sort: tuple[SortKey, ...] = attrs.field(default=(), alias="sort")
    _limit: int | None = attrs.field(default=None, alias="limit", converter=check_limit)
    _page_size: int = attrs.field(
        default=DEFAULT_PAGE_SIZE, alias="page_size", converter=check_page_size
    )
    _parse_dates: bool = attrs.field(default=False, alias="parse_dates")
    _row_factory: Callable[[Row], RowT] = attrs.field(default=_identity, alias="row_factory")
    # A generated row class (``workfront_async.models``): pages are decoded into
    # its projection for the fields asked, no dict built; rows are its instances.
    _model: Any = attrs.field(default=None, alias="model")

    # -- builders ----------------------------------------------------------------------

    def where(self, where: Where) -> Search[RowT]:
        """A new search with ``where`` ANDed to the filters."""
        if where is None:
            return self
        where_params(where)  # validate now, not at iteration time
        return attrs.evolve(self, where=(*self._where, where))

    def fields(self, *fields: str | Iterable[str]) -> Search[RowT]:
        """A new search that also returns ``fields`` (``"name"``, ``"assignedTo:name"``)."""
        flat: list[str] = []
        for f in fields:
            flat.extend([f] if isinstance(f, str) else f)
        for f in flat:
            for name in f.split(","):
                check_field_path(name.strip(), "fields=")
        return attrs.evolve(self, fields=(*self._fields, *flat))

    def sort(self, *keys: str | tuple[str, str]) -> Search[RowT]:
        """A new search sorted by ``keys`` (``"-entryDate"`` is descending); ``ID``
        ascending is always added last for stable paging."""
        return attrs.evolve(self, sort=(*self._sort, *normalize_sort(keys)))

    def limit(self, limit: int | None) -> Search[RowT]:
        """A new search that yields at most ``limit`` rows in total."""
        return attrs.evolve(self, limit=limit)

    def page_size(self, page_size: int) -> Search[RowT]:
        """A new search fetching ``page_size`` rows per request (1..2000)."""
        return attrs.evolve(self, page_size=page_size)

    def parse_dates(self, enabled: bool = True) -> Search[RowT]:
        """A new search that turns Workfront timestamps in rows into aware datetimes."""
        return attrs.evolve(self, parse_dates=enabled)

    def map(self, factory: Callable[[RowT], NewT]) -> Search[NewT]:
        """A new search whose rows are passed through ``factory`` (e.g. a dataclass)."""
        inner = self._row_factory

        def composed(row: Row) -> NewT:
            return factory(inner(row))

        return Search[NewT](
            backend=self._backend,
            obj=self.obj,
            where=self._where,
            fields=self._fields,
            sort=self._sort,
            limit=self._limit,
            page_size=self._page_size,
            parse_dates=self._parse_dates,
            row_factory=composed,
            model=self._model,
        )

    # -- planning ----------------------------------------------------------------------

    def filter_params(self) -> list[tuple[str, str]]:
        """The filter parameters (no fields, sort or paging)."""
        exprs = [w for w in self._where if not _is_raw(w)]
        raw = [w for w in self._where if _is_raw(w)]
        out: list[tuple[str, str]] = []
        if exprs:
            out.extend(where_params(functools.reduce(operator.and_, exprs)))
        # Raw parameters are ANDed with every OR level, so they are repeated
        # under each level's prefix (docs/api-notes.md §1: filters inside a level are
        # ANDed, the levels are ORed).
        levels = sorted({m.group(0) for name, _ in out if (m := _LEVEL.match(name))})
        for w in raw:
            pairs = where_params(w)
            out.extend(pairs)
            if not levels:
                continue
            for name, _ in pairs:
                if name == "filters" or _LEVEL.match(name) or name.startswith("EXISTS:"):
                    raise QueryError(
                        f"the raw parameter {name!r} cannot be ANDed with a query that has OR "
                        "levels; write that part as a Q expression too"
                    )
            for level in levels:
                out.extend((f"{level}{name}", value) for name, value in pairs)
        return out

    def params(self) -> list[tuple[str, str]]:
        """Every parameter of a page request except ``$$FIRST``/``$$LIMIT``."""
        out = self.filter_params()
        if self._fields:
            out.append(("fields", ",".join(self._fields)))
        out.extend(sort_params(self._sort))
        return out

    # -- execution ---------------------------------------------------------------------

    def _row(self, row: Any) -> RowT:
        if self._model is not None:
            return self._row_factory(row)
        if not isinstance(row, dict):
            raise ResponseError(f"a {self.obj} search returned a row that is not an object")
        return self._row_factory(convert_dates(row) if self._parse_dates else row)

    @traced_pages("search", obj_of_self)
    async def pages(self) -> AsyncIterator[list[RowT]]:
        """Yield the result page by page (lists of rows), never truncating."""
        base = self.params()
        parse = None
        if self._model is not None:
            from ..models import page_parser, projection

            parse = page_parser(projection(self._model, self._fields))
        first = 0
        remaining = self._limit
        previous_ids: set[Any] = set()
        while True:
            want = self._page_size if remaining is None else min(self._page_size, remaining)
            if want <= 0:
                return
            rows = await self._backend._search_page(
                self.obj, [*base, ("$$FIRST", str(first)), ("$$LIMIT", str(want))], parse
            )
            if not isinstance(rows, list):
                raise ResponseError(
                    f"a {self.obj} search page at $$FIRST={first} is not a list of rows"
                )
            if len(rows) > want:
                raise PaginationError(
                    f"{self.obj} search: asked for {want} rows at $$FIRST={first}, got "
                    f"{len(rows)}; the server ignored $$LIMIT, so paging cannot be trusted"
                )
            if self._model is not None:
                ids = {r.ID for r in rows} - {None}
            else:
                ids = {r.get("ID") for r in rows if isinstance(r, dict)} - {None}
            if rows and previous_ids and ids & previous_ids:
                raise PaginationError(
                    f"{self.obj} search: the page at $$FIRST={first} repeats rows of the "
                    "previous page (no progress); the result changed while paging or the "
                    "sort is not stable"
                )
            previous_ids = ids
            if rows:
                typed_as_is = self._model is not None and self._row_factory is _identity
                yield rows if typed_as_is else [self._row(r) for r in rows]
            if len(rows) < want:
                return
            first += len(rows)
            if remaining is not None:
                remaining -= len(rows)

    async def __aiter__(self) -> AsyncIterator[RowT]:
        async for page in self.pages():
            for row in page:
                yield row

    async def all(self) -> list[RowT]:
        """Every matching row (up to ``limit``) as a list."""
        return [row async for row in self]

    async def first(self) -> RowT | None:
        """The first row, or ``None`` when nothing matches."""
        async for page in self.limit(1).page_size(1).pages():
            return page[0]
        return None

    async def count(self) -> int:
        """How many rows match (``/count``; ignores ``limit``)."""
        return await self._backend._count(self.obj, self.filter_params())

    def __repr__(self) -> str:
        return (
            f"Search({self.obj!r}, params={self.params()!r}, limit={self._limit!r}, "
            f"page_size={self._page_size!r})"
        )
