"""A real ``mypy --strict`` run over code that uses the generated package: a
file that must pass, and one that must fail with the expected errors on the
expected lines (each marked ``# E: <what mypy says>``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

import workfront_async

from .conftest import Package

ROOT = Path(workfront_async.__file__).resolve().parents[1]
Run = Callable[[str, str], tuple[int, str, Path]]

GOOD = """
from __future__ import annotations

from datetime import datetime
from typing import Any, assert_type

from {pkg} import Project, Task, TaskQ, TaskStatus, User

from workfront_async import Workfront
from workfront_async.export import TypedExport
from workfront_async.query import Condition, Expr


async def use(wf: Workfront) -> None:
    inp = TaskQ.status == "INP"
    assert_type(inp, Condition)
    where: Expr = ((inp & (TaskQ.priority >= 2)) | TaskQ.region.isin(["EMEA", "APAC"])) & (
        TaskQ.project.name.contains("x") | (TaskQ.plannedStartDate < datetime(2024, 1, 1))
    )
    tasks = await wf.search(Task, where, limit=3).all()
    assert_type(tasks, list[Task])
    task = await wf.get(Task, tasks[0].ID or "", ["name", "project:name"])
    assert_type(task, Task)
    assert_type(task.name, str | None)
    assert_type(task.status, TaskStatus | None)
    assert_type(task.priority, int | None)
    assert_type(task.plannedStartDate, datetime | None)
    assert_type(task.plannedStartDate_raw, str | None)
    assert_type(task.project, Project | None)
    if task.project is not None and task.assignedTo is not None:
        owner: User = task.assignedTo
        print(task.project.name, owner.name)
    if task.status == "INP" and task.region in ("EMEA", None):
        print(task.region)
    export = wf.export(Task, TaskQ.status.isin(["INP", "NEW"]), consistency="keyset")
    assert_type(export, TypedExport[Task])
    async with export as rows:
        async for row in rows:
            assert_type(row, Task)
    async for page in wf.export(Task).pages():
        assert_type(page, list[Task])
    plain = await wf.search("task", TaskQ.status != "CPL").all()
    assert_type(plain, list[dict[str, Any]])
"""

BAD = """
from __future__ import annotations

from {pkg} import Task, TaskQ

from workfront_async import Workfront


async def use(wf: Workfront) -> None:
    print(TaskQ.stauts == "INP")  # E: "TaskFields" has no attribute "stauts"; maybe "status"?
    await wf.search(Task, TaskQ.priority == "high").all()  # E: No overload variant of "search"
    await wf.search(Task, TaskQ.status.isin(["XYZ"])).all()  # E: "Literal['XYZ']"; expected
    both = (TaskQ.priority == "high") & (TaskQ.status == "INP")  # E: "__and__" of "bool"
    await wf.search(Task, both).all()
    task = await wf.get(Task, "x")
    print(task.nmae)  # E: "Task" has no attribute "nmae"
    await wf.search(Task, TaskQ.status == "XYZ").all()  # E: No overload variant of "search"
    print(TaskQ.plannedStartDate >= 3)  # E: Unsupported operand types for >= ("DateTimeField"
    TaskQ.name.contains(3)  # E: "contains" of "StrField" has incompatible type "int"
    n: int = task.name  # E: (expression has type "str | None", variable has type "int")
    task.priority = "high"  # E: (expression has type "str", variable has type "int | None")
    print(TaskQ.project.nmae)  # E: "ProjectFields" has no attribute "nmae"
    print(n)
"""


@pytest.fixture(scope="module")
def mypy_run(package: Package, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Run ``mypy --strict`` on a file made from a source (``{pkg}``: the
    package's name); its exit code, its output and the file."""
    work = tmp_path_factory.mktemp("mypy")
    env = {
        **os.environ,
        # the generated package, and this checkout's workfront_async (not an installed one)
        "MYPYPATH": os.pathsep.join([str(package.root), str(ROOT)]),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }

    def run(name: str, source: str) -> tuple[int, str, Path]:
        path = work / name
        path.write_text(textwrap.dedent(source).format(pkg=package.name).lstrip())
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "mypy",
                "--strict",
                "--config-file",
                str(ROOT / "pyproject.toml"),
                "--cache-dir",
                str(work / ".mypy_cache"),
                "--show-error-codes",
                "--no-color-output",
                "--no-error-summary",
                name,
            ],
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        return result.returncode, result.stdout + result.stderr, path

    return run


def test_typed_usage_passes_mypy_strict(mypy_run: Run) -> None:
    code, output, _ = mypy_run("good_usage.py", GOOD)
    assert code == 0, output
    assert "error" not in output


def test_mistakes_are_mypy_errors_on_their_lines(mypy_run: Run) -> None:
    code, output, path = mypy_run("bad_usage.py", BAD)
    assert code == 1, output
    expected: dict[int, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if "  # E: " in line:
            expected[number] = line.split("  # E: ", 1)[1]
    assert len(expected) == 11
    found: dict[int, list[str]] = {}
    for match in re.finditer(r"^bad_usage\.py:(\d+): error: (.*)$", output, re.MULTILINE):
        found.setdefault(int(match[1]), []).append(match[2])
    assert sorted(found) == sorted(expected), output
    for number, said in expected.items():
        assert any(said in message for message in found[number]), (number, said, output)
    assert not re.search(r"^(?!bad_usage\.py)\S+\.py:\d+: error", output, re.MULTILINE), output
