"""The README's export section: every Python example compiles."""

from __future__ import annotations

import ast
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_export_section_examples_compile() -> None:
    text = README.read_text()
    start = text.index("<!-- section:export -->")
    end = text.index("<!-- section:", start + 10)
    blocks = re.findall(r"```python\n(.*?)```", text[start:end], re.S)
    assert len(blocks) >= 3
    for block in blocks:
        compile(block, "README.md", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
