"""The README's emulator examples run as written."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"


async def test_readme_emulator_section_examples() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- section:emulator -->")
    end = text.index("<!-- section:", start + 1)
    section = text[start:end]
    assert "## Testing your integration with the embedded Workfront" in section
    blocks = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    assert len(blocks) >= 2
    body = textwrap.indent("\n".join(blocks) + "\nreturn locals()\n", "    ")
    namespace: dict[str, Any] = {}
    exec(f"async def example():\n{body}", namespace)
    found = await namespace["example"]()
    assert found["r"].status_code == 200
    assert found["r"].json()["data"]
    assert found["served"].base_url.startswith("http://127.0.0.1:")
