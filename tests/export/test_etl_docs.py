"""docs/etl.md: every Python example runs as written (against the embedded Workfront)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "etl.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def test_the_page_has_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_example_runs(
    index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    # a sync test: the example's own asyncio.run() starts its event loop
    code = compile(BLOCKS[index], f"docs/etl.md example {index}", "exec")
    exec(code, {"__name__": "__main__"})
    assert capsys.readouterr().out.strip()
