"""`export --show-schema` writes nothing, so it needs no -o; an export does."""

from __future__ import annotations

from pathlib import Path

import pytest

from workfront_async.cli import main


def test_show_schema_needs_no_output_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["export", "task", "--show-schema", "--fields", "name,plannedCompletionDate", "-q"]
    assert main([*argv, "--demo-scale", "0.01"]) == 0
    schema = capsys.readouterr().out
    assert "plannedCompletionDate" in schema
    assert "timestamp" in schema
    assert list(tmp_path.iterdir()) == []


def test_an_export_still_needs_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "task", "--demo-scale", "0.01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("workfront-async: error: ")
    assert "-o/--output" in err
    assert "--show-schema" in err
