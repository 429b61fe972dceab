"""Every Python example of the documentation runs: each ```python block of
every ``docs/**/*.md`` page and of README.md. Blocks with ``>>>`` prompts run
as doctests (sharing one namespace per page, like a REPL session); the others
run as scripts, each on its own, so an undefined name or a top-level
``await`` fails here."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w+-]*)[^\n]*$")


def _blocks(path: Path) -> list[tuple[int, str]]:
    """(line number, code) of each ```python block."""
    out: list[tuple[int, str]] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m is None:
            i += 1
            continue
        indent, lang, start = len(m["indent"]), m["lang"], i + 1
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i][indent:])
            i += 1
        i += 1
        if lang in ("python", "py", "pycon"):
            out.append((start, "\n".join(body) + "\n"))
    return out


def _pages() -> list[Path]:
    return [*sorted((ROOT / "docs").rglob("*.md")), ROOT / "README.md"]


EXAMPLES = [
    pytest.param(path, line, code, id=f"{path.relative_to(ROOT)}:{line}")
    for path in _pages()
    for line, code in _blocks(path)
]
SESSIONS: dict[Path, dict[str, object]] = {}


def test_the_docs_have_examples() -> None:
    pages = {p.values[0] for p in EXAMPLES}
    assert ROOT / "README.md" in pages
    assert len(pages) >= 8


@pytest.mark.parametrize(("path", "line", "code"), EXAMPLES)
def test_example_runs(
    path: Path,
    line: int,
    code: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    monkeypatch.chdir(tmp_path)  # examples may write files
    monkeypatch.delenv("WORKFRONT_URL", raising=False)
    monkeypatch.delenv("WORKFRONT_API_KEY", raising=False)
    if "WORKFRONT_REDIS_URL" in code:
        # Examples of the shared cap run against a real redis-server of their own.
        from tests.redis.conftest import RedisServer

        redis = RedisServer(tmp_path)
        redis.start()
        request.addfinalizer(redis.stop)
        monkeypatch.setenv("WORKFRONT_REDIS_URL", redis.url)
    name = f"{path.relative_to(ROOT)}:{line}"
    if re.search(r"^\s*>>> ", code, re.MULTILINE):
        globs = SESSIONS.setdefault(path, {"__name__": "__main__"})
        test = doctest.DocTestParser().get_doctest(code, globs, name, str(path), line)
        failures: list[str] = []
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        result = runner.run(test, out=failures.append, clear_globs=False)
        globs.update(test.globs)  # the DocTest ran on a copy; keep the session going
        assert result.failed == 0, "".join(failures)
        return
    tests = re.findall(r"^(?:async )?def (test_\w+)", code, re.MULTILINE)
    if tests:
        # A test file: run it with pytest, the way its reader will.
        pytester: pytest.Pytester = request.getfixturevalue("pytester")
        # The configuration the docs give, in a project without pytest-asyncio.
        pytester.makeini("[pytest]\nfilterwarnings = error\n")
        pytester.makepyfile(test_example=code)
        result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", "-p", "no:asyncio")
        result.assert_outcomes(passed=len(tests))
        return
    compiled = compile(code, name, "exec")
    exec(compiled, {"__name__": "__main__", "__file__": str(path)})
