"""What `generate` writes from the demo tenant: an importable package with a
row class and a field namespace per object, a lock file that says what it
was made from, and the same bytes every time."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from types import ModuleType

import msgspec

from workfront_async.codegen import LOCK_NAME
from workfront_async.models import (
    EnumField,
    Fields,
    Model,
    Reference,
    ReferenceFields,
    StrField,
)

from .conftest import OBJECTS, Package, demo, generate_from, importable, unique_package


def test_the_package_has_a_class_and_a_namespace_per_object(
    package: Package, pkg: ModuleType
) -> None:
    assert sorted(p.name for p in package.directory.iterdir()) == [
        "__init__.py",
        "py.typed",
        LOCK_NAME,
    ]
    assert package.done.directory == package.directory
    assert package.done.classes == {
        "OPTASK": "Issue",
        "PROJ": "Project",
        "TASK": "Task",
        "USER": "User",
    }
    for name, code in [
        ("Task", "TASK"),
        ("Project", "PROJ"),
        ("Issue", "OPTASK"),
        ("User", "USER"),
    ]:
        cls = getattr(pkg, name)
        assert issubclass(cls, Model)
        assert issubclass(cls, msgspec.Struct)
        assert cls.__wf_obj__ == code
        assert name in pkg.__all__
        assert f"{name}Q" in pkg.__all__
        assert isinstance(getattr(pkg, f"{name}Q"), Fields)
    # statuses and drop-down custom fields are Literal aliases of the tenant's values
    assert pkg.TaskStatus.__args__ == ("CPL", "INP", "JET", "NEW", "OGC", "PRK")
    assert pkg.TaskRegion.__args__ == ("AMER", "APAC", "EMEA", "LATAM")
    assert pkg.Task.__wf_names__["region"] == "DE:Region"
    assert pkg.Task.__wf_fields__ == ("*", "DE:Effort Class", "DE:Region")
    assert isinstance(pkg.TaskQ.status, EnumField)
    assert isinstance(pkg.TaskQ.project.name, StrField)
    assert isinstance(pkg.TaskQ.project, pkg.ProjectFields)


def test_a_row_class_decodes_wire_names(pkg: ModuleType) -> None:
    raw = (
        b'{"ID":"a1","name":"Ship","status":"INP","priority":2,"DE:Region":"EMEA",'
        b'"plannedStartDate":"2024-07-02T03:49:38:711+0000","project":{"ID":"p1","name":"P"}}'
    )
    task = pkg.Task.decode(raw, ["*", "DE:Region", "project:name"])
    # the class itself declares its fields for type checkers: a projection holds them
    assert msgspec.json.decode(raw, type=pkg.Task).name is None
    assert (task.ID, task.name, task.status, task.priority, task.region) == (
        "a1",
        "Ship",
        "INP",
        2,
        "EMEA",
    )
    assert task.plannedStartDate_raw == "2024-07-02T03:49:38:711+0000"
    assert task.plannedStartDate.isoformat() == "2024-07-02T03:49:38.711000+00:00"
    assert isinstance(task.project, pkg.Project)
    assert task.project.name == "P"
    assert task.description is None
    # back to the wire: Workfront's names, timestamps as text, unset fields left out
    assert task.to_dict() == json.loads(raw)


def test_the_lock_file_says_what_the_package_was_made_from(package: Package) -> None:
    lock = json.loads((package.directory / LOCK_NAME).read_text())
    assert lock["package"] == package.name
    assert lock["api_version"] == "v21.0"
    assert lock["objects"] == ["OPTASK", "PROJ", "TASK", "USER"]
    assert lock["metadata_sha256"] == package.done.digest
    assert len(lock["metadata_sha256"]) == 64
    assert lock["generator"].startswith("workfront-async ")
    task = lock["fields"]["TASK"]
    assert "DE:Region: TEXT/DROPDOWN ['AMER', 'APAC', 'EMEA', 'LATAM']" in task
    assert "status values: ['CPL', 'INP', 'JET', 'NEW', 'OGC', 'PRK']" in task
    assert "project: -> PROJ" in task
    assert "plannedStartDate: dateTime" in task
    # the module says the API version it was generated from
    assert "(API v21.0)" in (package.directory / "__init__.py").read_text()


def test_generating_twice_gives_the_same_bytes(tmp_path: Path, package: Package) -> None:
    name = unique_package()
    first = asyncio.run(generate_from(demo(), name, tmp_path / "a"))
    second = asyncio.run(generate_from(demo(), name, tmp_path / "b"))
    a, b = first.directory, second.directory
    assert a != b
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for file in names:
        assert (a / file).read_bytes() == (b / file).read_bytes(), file
    assert first.digest == second.digest == package.done.digest
    # the package name is the only thing that differs from the session's package
    ours = (a / "__init__.py").read_text().replace(name, package.name)
    assert ours == (package.directory / "__init__.py").read_text()
    # generating again over the package replaces it with the same bytes
    before = {f: (a / f).read_bytes() for f in names}
    asyncio.run(generate_from(demo(), name, tmp_path / "a"))
    assert {f: (a / f).read_bytes() for f in names} == before
    assert not [p for p in a.iterdir() if p.name.endswith(".tmp")]


def test_a_subset_of_objects_references_the_rest_by_reference(tmp_path: Path) -> None:
    name = unique_package()
    done = asyncio.run(generate_from(demo(), name, tmp_path, objects=["task"]))
    assert done.classes == {"TASK": "Task"}
    with importable(tmp_path, name) as module:
        task = module.Task.decode(b'{"project":{"ID":"p","name":"P"}}', ["project"])
        assert type(task.project) is Reference
        assert isinstance(module.TaskQ.project, ReferenceFields)
        assert not hasattr(module, "Project")


def test_objects_may_be_named_by_code(tmp_path: Path) -> None:
    name = unique_package()
    by_name = asyncio.run(generate_from(demo(), name, tmp_path / "a", objects=OBJECTS))
    codes = ["TASK", "PROJ", "OPTASK", "USER"]
    by_code = asyncio.run(generate_from(demo(), name, tmp_path / "b", objects=codes))
    assert by_name.digest == by_code.digest
    assert (by_name.directory / "__init__.py").read_bytes() == (
        by_code.directory / "__init__.py"
    ).read_bytes()
