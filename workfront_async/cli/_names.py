"""Typo safety: unknown object types and fields fail before any row is fetched,
with a suggestion taken from the tenant's metadata (``did you mean task?``)."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from .._core.exceptions import APIError, NotFoundError

__all__ = ["NameProblem", "check_names", "field_paths", "known_fields"]

log = logging.getLogger("workfront_async.cli")

# Object types every tenant has (docs/api-notes.md §1; Adobe's API Explorer). Used to
# suggest a name when the tenant cannot list its object types.
COMMON_OBJECTS = {
    "ASSGN": "assignment",
    "CMPY": "company",
    "DOCU": "document",
    "DOCV": "documentversion",
    "EXPNS": "expense",
    "GROUP": "group",
    "HOUR": "hour",
    "JRNLE": "journalentry",
    "NOTE": "note",
    "OPTASK": "issue",
    "PORT": "portfolio",
    "PRGM": "program",
    "PROJ": "project",
    "ROLE": "role",
    "TASK": "task",
    "TEAMOB": "team",
    "TMPL": "template",
    "USER": "user",
    "WORKITEM": "workitem",
}


class NameProblem(Exception):
    """An object type or field the tenant does not know (a usage error)."""


def _suggest(name: str, known: Iterable[str]) -> str:
    """Up to three close names, the closest first; on a tie the everyday object
    types (``task`` before ``ttsk``, a template task) come first."""
    choices = {k.lower(): k for k in known}
    close = difflib.get_close_matches(name.lower(), list(choices), n=6, cutoff=0.6)
    if not close:
        return ""
    # Between equally close names, the everyday object types come first.
    common = {*(c.lower() for c in COMMON_OBJECTS), *COMMON_OBJECTS.values()}
    close.sort(key=lambda c: c not in common)
    names = [choices[c] for c in close[:3]]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    return f" (did you mean {listed}?)"


def field_paths(where: Any) -> Iterator[str]:
    """The ``:``-joined field paths a query expression filters on (not those
    inside EXISTS blocks, which belong to another object type)."""
    from ..query import And, Condition, Not, Or

    stack = [where]
    while stack:
        node = stack.pop()
        if isinstance(node, And | Or):
            stack.extend(node.children)
        elif isinstance(node, Not):
            stack.append(node.child)
        elif isinstance(node, Condition):
            yield ":".join(node.path)


def _names(meta: dict[str, Any]) -> dict[str, str | None]:
    """Field name -> the object code it leads to (None for plain fields)."""
    out: dict[str, str | None] = dict.fromkeys(meta.get("fields") or {})
    for group in ("references", "collections"):
        for name, info in (meta.get(group) or {}).items():
            target = None
            if isinstance(info, dict):
                target = info.get("objCode") or info.get("typeObjCode")
            out[name] = target if isinstance(target, str) else None
    return out


async def known_fields(wf: Any, obj: str, fields: Iterable[str]) -> list[str]:
    """Those of ``fields`` that ``obj`` has on this tenant (all of them when
    its metadata cannot be read), in order."""
    cache: dict[str, dict[str, str | None]] = {}
    out = []
    for field in fields:
        try:
            await check_names(wf, obj, [field], cache=cache)
        except NameProblem:
            continue
        out.append(field)
    return out


async def check_names(
    wf: Any,
    obj: str,
    fields: Iterable[str],
    *,
    cache: dict[str, dict[str, str | None]] | None = None,
) -> None:
    """Raise :class:`NameProblem` when ``obj`` or a field path is unknown to the
    tenant. When the tenant's metadata cannot be read at all the check is
    skipped (the query itself will then report what is wrong). ``cache`` keeps
    the metadata read between calls."""
    if cache is None:
        cache = {}

    async def meta(code: str) -> dict[str, str | None] | None:
        if code not in cache:
            try:
                cache[code] = _names(await wf.metadata(code))
            except (NotFoundError, APIError) as exc:
                if code != obj:
                    return None
                status = getattr(exc, "status", None)
                if status in (400, 404, 422) or isinstance(exc, NotFoundError):
                    known = await _object_names(wf)
                    if obj.lower() in known:
                        return None  # a known type without readable metadata: no check
                    raise NameProblem(
                        f"unknown object type {obj!r}{_suggest(obj, known)}"
                    ) from None
                log.debug("metadata of %s unavailable: %s", code, exc)
                return None
        return cache[code]

    top = await meta(obj)
    if top is None:
        return
    for path in dict.fromkeys(fields):
        names, label = top, obj
        for part in path.split(":"):
            if part in ("DE", "*") or part.startswith("parameterValues"):
                break  # custom forms are per tenant and not in the object's metadata
            if part not in names:
                if part.lower() in {n.lower() for n in names}:
                    right = next(n for n in names if n.lower() == part.lower())
                    raise NameProblem(f"{label} has no field {part!r} (did you mean {right}?)")
                raise NameProblem(f"{label} has no field {part!r}{_suggest(part, names)}")
            target = names[part]
            if target is None:
                break
            sub = await meta(target)
            if sub is None:
                break
            names, label = sub, f"{part} ({target})"


async def _object_names(wf: Any) -> list[str]:
    try:
        data = await wf.metadata()
        objects = data.get("objects") or {}
        names: list[str] = []
        for code, info in objects.items():
            names.append(str(code).lower())
            if isinstance(info, dict) and isinstance(info.get("name"), str):
                names.append(info["name"].lower())
        if names:
            return names
    except APIError as exc:
        log.debug("object list unavailable: %s", exc)
    return [*(c.lower() for c in COMMON_OBJECTS), *COMMON_OBJECTS.values()]
