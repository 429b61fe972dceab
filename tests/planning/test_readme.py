"""The README's Planning section: its example runs against the embedded Workfront."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def planning_blocks() -> list[str]:
    text = README.read_text()
    start = text.index("<!-- section:planning -->")
    end = text.index("<!-- section:", start + 1)
    return re.findall(r"```python\n(.*?)```", text[start:end], re.S)


def test_the_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = planning_blocks()
    assert len(blocks) == 1
    exec(compile(blocks[0], "README.md", "exec"), {"__name__": "readme_example"})
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(" campaigns")
    assert int(out[0].split()[0]) > 5
    assert len(out) == 6  # the count and the first five records
