"""The README's client section: every example compiles, the offline one runs."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def client_blocks() -> list[str]:
    text = README.read_text()
    start = text.index("<!-- section:client -->")
    end = text.index("<!-- section:", start + 1)
    return re.findall(r"```python\n(.*?)```", text[start:end], re.S)


def test_examples_compile_and_the_offline_one_runs() -> None:
    blocks = client_blocks()
    assert len(blocks) >= 2
    for block in blocks:
        compile(block, "README.md", "exec")
    offline = [b for b in blocks if "MockTransport" in b]
    assert offline
    namespace: dict[str, object] = {"__name__": "readme_example"}
    exec(compile(offline[0], "README.md", "exec"), namespace)
