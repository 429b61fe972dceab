"""The README's query-language examples run and print what they show."""

from __future__ import annotations

import doctest
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_query_section_examples() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- section:query -->")
    end = text.index("<!-- section:", start + 1)
    section = text[start:end]
    assert "## The query language" in section
    test = doctest.DocTestParser().get_doctest(section, {}, "README query", str(README), 0)
    assert len(test.examples) >= 15
    runner = doctest.DocTestRunner(
        optionflags=doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL, verbose=False
    )
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
