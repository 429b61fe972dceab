"""Every Python example of docs/planning.md runs (against the embedded Workfront)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[2] / "docs" / "planning.md"
BLOCKS = re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example_runs(index: int, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(BLOCKS[index], f"docs/planning.md[{index}]", "exec"), {"__name__": "doc_example"})
    out = capsys.readouterr().out
    assert out.strip()
    assert "my-client-secret" not in out  # the auth example prints a redacted repr
