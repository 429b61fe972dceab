"""`workfront-async codegen` against the embedded Workfront: it writes the
package, says what it wrote unless -q, and refuses a bad package name."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workfront_async.cli import main

from .conftest import importable, unique_package

SMALL = ["--demo-scale", "0.01"]


@pytest.fixture(autouse=True)
def _no_env_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKFRONT_URL", raising=False)
    monkeypatch.delenv("WORKFRONT_API_KEY", raising=False)


def test_codegen_writes_the_package(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = unique_package()
    out = tmp_path / "src"
    assert main(["codegen", "task", "--package", name, "-o", str(out), "-q", *SMALL]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "wrote" not in captured.err
    directory = out / name
    assert sorted(p.name for p in directory.iterdir()) == [
        "__init__.py",
        "py.typed",
        "workfront.lock.json",
    ]
    lock = json.loads((directory / "workfront.lock.json").read_text())
    assert lock["objects"] == ["TASK"]
    assert lock["package"] == name
    with importable(out, name) as module:
        assert module.Task.__wf_obj__ == "TASK"
        assert module.TaskQ.status.values == {"CPL", "INP", "JET", "NEW", "OGC", "PRK"}
        assert not hasattr(module, "Project")
    # --check agrees right away
    assert main(["codegen", "--check", "--package", name, "-o", str(out), *SMALL]) == 0


def test_codegen_says_what_it_wrote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    name = unique_package()
    argv = ["codegen", "issue", "PROJ", "--package", f"acme.{name}", "-o", str(tmp_path)]
    assert main([*argv, *SMALL]) == 0
    err = capsys.readouterr().err
    assert f"wrote {tmp_path / 'acme' / name}" in err
    assert "Issue (OPTASK), Project (PROJ)" in err
    # a dotted name is a package inside a package
    assert (tmp_path / "acme" / name / "__init__.py").is_file()


@pytest.mark.parametrize(
    "package", ["1acme", "acme-wf", "acme wf", "acme.", ".acme", "acme..wf", ""]
)
def test_a_bad_package_name_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], package: str
) -> None:
    code = main(["codegen", "task", "--package", package, "-o", str(tmp_path), "-q", *SMALL])
    assert code == 2
    err = capsys.readouterr().err
    assert "--package must be a Python package name" in err
    assert list(tmp_path.iterdir()) == []


def test_codegen_without_objects_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["codegen", "--package", "acme_wf", "-o", str(tmp_path), *SMALL]) == 2
    assert "name the objects to generate" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_codegen_of_an_unknown_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["codegen", "tsak", "--package", "acme_wf", "-o", str(tmp_path), "-q", *SMALL])
    assert code == 1
    err = capsys.readouterr().err
    assert "unknown object type 'tsak'" in err
    assert not (tmp_path / "acme_wf").exists()
