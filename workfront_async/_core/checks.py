"""Pure page planning for searches: page windows and the stable sort.

docs/api-notes.md §1 Search: paging is ``$$FIRST`` (0-based) and ``$$LIMIT`` (at most
2000); without a stable sort (``ID_Sort=asc``) pages may repeat or skip rows.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Final, Literal

from .exceptions import QueryError

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_DEPTH",
    "MAX_PAGE_SIZE",
    "SortKey",
    "check_field_path",
    "check_limit",
    "check_name",
    "check_page_size",
    "normalize_sort",
    "parse_path",
    "sort_params",
]

MAX_PAGE_SIZE: Final = 2000
DEFAULT_PAGE_SIZE: Final = 2000

SortKey = tuple[str, Literal["asc", "desc"]]

# docs/api-notes.md §1 Limits: field depth is 4 levels from the queried object.
MAX_DEPTH: Final = 4


def parse_path(name: object) -> tuple[str, ...]:
    """Split ``"project:owner:name"`` into its names. ``DE:`` starts a custom
    field name that runs to the end (``"project:DE:Budget Code"``)."""
    if not isinstance(name, str):
        raise TypeError(f"field names are strings, got {name!r}")
    return _parse_path(name)


# Applications name the same few fields over and over: each name is split and
# checked once (a failure raises and is not kept).
@functools.lru_cache(maxsize=4096)
def _parse_path(name: str) -> tuple[str, ...]:
    parts: list[str] = []
    rest = name
    while rest:
        if rest.startswith("DE:"):
            parts.append(rest)
            break
        head, sep, rest = rest.partition(":")
        parts.append(head)
        if sep and not rest:
            parts.append("")
    if not parts or any(not p.strip() for p in parts):
        raise QueryError(f"field name {name!r} has an empty part")
    if any(p.startswith("$$") or "=" in p or "&" in p for p in parts):
        raise QueryError(f"field name {name!r} is not a field ('$$', '=' and '&' are reserved)")
    return tuple(parts)


def check_field_path(name: str, what: str = "field") -> str:
    """Raise ``QueryError`` before any request if ``name`` (``"project:owner:name"``,
    ``"DE:Region"``, ``"assignments:*"``) is nested deeper than Workfront reads
    (docs/api-notes.md §1 Limits: field depth, 4 levels from the queried object)."""
    if not isinstance(name, str):
        raise QueryError(f"{what} names are strings, not {name!r}")
    path = parse_path(name)
    if len(path) > MAX_DEPTH:
        raise QueryError(
            f"{what} {name!r} is {len(path)} levels deep; Workfront reads fields at most "
            f"{MAX_DEPTH} levels from the queried object: query the related object type instead"
        )
    return name


def check_name(kind: str, value: object) -> str:
    """An object type, ID or action name that is safe in a URL path segment."""
    if not isinstance(value, str) or not value or any(c in value for c in "/?#&"):
        raise QueryError(
            f"{kind} must be a non-empty string without '/', '?', '#', '&'; got {value!r}"
        )
    return value


def check_limit(limit: int | None) -> int | None:
    """A total row limit: a non-negative int, or ``None`` for no limit."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise QueryError(f"limit must be a non-negative int or None, not {limit!r}")
    return limit


def check_page_size(page_size: int, *, limit_name: str = "Workfront's maximum $$LIMIT") -> int:
    """Validate a page size (1..2000, the classic and the Planning API's maximum
    alike) or raise ``QueryError`` before any request."""
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise QueryError(f"page size must be an int, not {page_size!r}")
    if page_size > MAX_PAGE_SIZE:
        raise QueryError(
            f"page size {page_size} is greater than {limit_name} of "
            f"{MAX_PAGE_SIZE}; use page_size <= {MAX_PAGE_SIZE} (pagination fetches the rest)"
        )
    if page_size < 1:
        raise QueryError(f"page size must be at least 1, not {page_size}")
    return page_size


def normalize_sort(sort: Iterable[str | tuple[str, str]]) -> tuple[SortKey, ...]:
    """Turn ``["name", "-entryDate", ("ID", "desc")]`` into ``(field, direction)`` pairs.

    A leading ``-`` means descending.
    """
    out: list[SortKey] = []
    for item in sort:
        if isinstance(item, str):
            field, direction = (item[1:], "desc") if item.startswith("-") else (item, "asc")
        else:
            field, direction = item[0], item[1].lower()
        if not field:
            raise QueryError(f"empty sort field in {item!r}")
        check_field_path(field, "sort field")
        if direction == "asc":
            out.append((field, "asc"))
        elif direction == "desc":
            out.append((field, "desc"))
        else:
            raise QueryError(f"sort direction must be 'asc' or 'desc', not {item!r}")
    return tuple(out)


def sort_params(sort: Sequence[SortKey]) -> list[tuple[str, str]]:
    """Sort parameters that always end in a total order: ``ID`` ascending is
    appended unless ``ID`` is already a key.

    One key is ``<field>_Sort``; several are ``<field>_<n>_Sort`` numbered from 1.
    """
    keys = list(sort)
    if not any(field == "ID" for field, _ in keys):
        keys.append(("ID", "asc"))
    if len(keys) == 1:
        return [(f"{keys[0][0]}_Sort", keys[0][1])]
    return [(f"{field}_{n}_Sort", direction) for n, (field, direction) in enumerate(keys, 1)]
