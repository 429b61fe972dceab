"""``workfront-async codegen``: a typed package generated from a tenant's metadata.

>>> await generate(wf, ["task", "project"], package="acme_wf", out="src")  # doctest: +SKIP

writes ``src/acme_wf/__init__.py`` (row classes ``Task``, ``Project``,
field namespaces ``TaskQ``, ``ProjectQ``), ``py.typed`` and
``workfront.lock.json`` (the API version, the metadata's hash, the
generator's version and what each object had). :func:`check` reads the lock
file, reads the tenant's metadata again and reports every difference: the
package is stale when a custom form gained a field, a status was added, ...

The row classes need the ``models`` extra (msgspec) where they are imported.
See the "Typed models" page of the docs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import attrs
import orjson

from .._core.exceptions import QueryError
from ._collect import ObjectSpec, TenantSpec, collect
from ._planning import (
    RecordTypeSpec,
    collect_planning,
    digest,
    record_class_name,
    render_planning,
)
from ._render import class_name, render_module

if TYPE_CHECKING:
    from ..classic._client import Workfront

__all__ = [
    "Drift",
    "Generated",
    "LOCK_NAME",
    "check",
    "check_package_name",
    "collect",
    "generate",
    "generate_planning",
    "render",
]

LOCK_NAME = "workfront.lock.json"
_PACKAGE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


def _generator() -> str:
    from .. import __version__

    return f"workfront-async {__version__}"


@attrs.frozen
class Generated:
    """What :func:`generate` wrote."""

    directory: Path
    classes: dict[str, str]  # object code -> class name
    digest: str
    seconds: float


@attrs.frozen
class Drift:
    """What :func:`check` found: empty ``changes`` means the package is current."""

    directory: Path
    changes: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.changes

    def __str__(self) -> str:
        if self.ok:
            return f"{self.directory}: up to date with the tenant"
        lines = "\n".join(f"  {c}" for c in self.changes)
        return (
            f"{self.directory}: the tenant's metadata changed since the package was "
            f"generated:\n{lines}\nGenerate it again (workfront-async codegen ...)."
        )


def _lock(tenant: TenantSpec, package: str) -> dict[str, Any]:
    return {
        "generator": _generator(),
        "package": package,
        "planning": False,
        "api_version": tenant.api_version,
        "objects": sorted(tenant.objects),
        "metadata_sha256": tenant.digest(),
        "fields": {code: spec.entries() for code, spec in sorted(tenant.objects.items())},
    }


def render(tenant: TenantSpec, package: str) -> dict[str, bytes]:
    """The files of the package (relative path -> content)."""
    source = render_module(tenant, generator=_generator(), package=package)
    lock = orjson.dumps(_lock(tenant, package), option=orjson.OPT_INDENT_2) + b"\n"
    return {"__init__.py": source.encode(), "py.typed": b"", LOCK_NAME: lock}


def check_package_name(package: str) -> str:
    """``package`` if it is a Python package name, else a ``QueryError``."""
    if not isinstance(package, str) or not _PACKAGE.match(package):
        raise QueryError(
            f"--package must be a Python package name such as 'acme_workfront', not {package!r}"
        )
    return package


async def generate(
    wf: Workfront, objects: Sequence[str], *, package: str, out: str | Path = "."
) -> Generated:
    """Read the metadata of ``objects`` and write the package ``package`` under
    ``out`` (``out/<package path>/``). Files are replaced whole (written beside,
    then renamed), so that an interrupted run leaves the previous package."""
    check_package_name(package)
    if not objects:
        raise QueryError("name at least one object to generate, e.g. task project issue")
    started = time.perf_counter()
    tenant = await collect(wf, objects)
    directory = Path(out, *package.split("."))
    await anyio.to_thread.run_sync(_write, directory, render(tenant, package))
    classes = {code: class_name(spec) for code, spec in tenant.objects.items()}
    return Generated(directory, classes, tenant.digest(), time.perf_counter() - started)


def _planning_lock(specs: dict[str, RecordTypeSpec], package: str) -> dict[str, Any]:
    return {
        "generator": _generator(),
        "package": package,
        "planning": True,
        "objects": sorted(specs),
        "metadata_sha256": digest(specs),
        "fields": {type_id: spec.entries() for type_id, spec in sorted(specs.items())},
    }


async def generate_planning(
    planning: Any, record_type_ids: Sequence[str], *, package: str, out: str | Path = "."
) -> Generated:
    """Read the record types ``record_type_ids`` with a ``Planning`` or
    ``PlanningV2`` client and write the package ``package`` of their record
    classes under ``out``, with its lock file."""
    check_package_name(package)
    if not record_type_ids:
        raise QueryError("name at least one record type ID to generate")
    started = time.perf_counter()
    specs = await collect_planning(planning, record_type_ids)
    source = render_planning(specs, generator=_generator(), package=package)
    lock = orjson.dumps(_planning_lock(specs, package), option=orjson.OPT_INDENT_2) + b"\n"
    directory = Path(out, *package.split("."))
    files = {"__init__.py": source.encode(), "py.typed": b"", LOCK_NAME: lock}
    await anyio.to_thread.run_sync(_write, directory, files)
    classes = {type_id: record_class_name(spec.name) for type_id, spec in specs.items()}
    return Generated(directory, classes, digest(specs), time.perf_counter() - started)


def _write(directory: Path, files: dict[str, bytes]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        target = directory / name
        temporary = target.with_name(f".{name}.tmp")
        temporary.write_bytes(content)
        temporary.replace(target)


def _changes(
    lock: Mapping[str, Any], digest_now: str, found: Mapping[str, ObjectSpec | RecordTypeSpec]
) -> list[str]:
    """What changed since the lock file: each object's fields added (+) and gone (-)."""
    if lock.get("metadata_sha256") == digest_now:
        return []
    out: list[str] = []
    for code in lock["objects"]:
        spec = found.get(code)
        if spec is None:
            out.append(f"{code}: no longer in the tenant's metadata")
            continue
        old, now = lock.get("fields", {}).get(code, []), spec.entries()
        out += [f"{code}: + {e}" for e in now if e not in old]
        out += [f"{code}: - {e}" for e in old if e not in now]
    return out or ["the metadata's hash differs (the lock file was edited?)"]


async def check(wf: Any, directory: str | Path) -> Drift:
    """Compare the package in ``directory`` (its lock file) with the tenant's
    metadata now: ``wf`` is a ``Workfront`` client for a package of classic
    objects, a ``Planning``/``PlanningV2`` client for one of record types.
    ``Drift.ok`` is false when anything changed."""
    directory = Path(directory)
    lock_path = directory / LOCK_NAME
    try:
        lock = orjson.loads(await anyio.Path(lock_path).read_bytes())
    except FileNotFoundError:
        raise QueryError(
            f"{lock_path} does not exist: give the directory of a generated package "
            "(the one holding __init__.py and workfront.lock.json)"
        ) from None
    except orjson.JSONDecodeError:
        raise QueryError(f"{lock_path} is not JSON: generate the package again") from None
    if lock.get("planning"):
        if not hasattr(wf, "record_types"):
            raise QueryError(
                f"{directory} was generated from Planning record types: check it with a "
                "Planning client (codegen --planning --check)"
            )
        found = await collect_planning(wf, lock["objects"])
        return Drift(directory, tuple(_changes(lock, digest(found), found)))
    if hasattr(wf, "record_types"):
        raise QueryError(
            f"{directory} was generated from classic objects: check it with a Workfront "
            "client (codegen --check, without --planning)"
        )
    tenant = await collect(wf, lock["objects"])
    changes: list[str] = []
    if lock.get("api_version") != tenant.api_version:
        changes.append(f"API version: {lock.get('api_version')} -> {tenant.api_version}")
    changes += _changes(lock, tenant.digest(), tenant.objects)
    return Drift(directory, tuple(changes))
