"""Every shell example of the documentation runs: each ```console block of
README.md and ``docs/**/*.md``, in bash, against one demo tenant of the
embedded Workfront served on loopback (``WORKFRONT_URL`` and
``WORKFRONT_API_KEY`` point at it, as they would at a real tenant).

A block is one of two kinds:

- plain lines (``#`` comments and ``\\`` continuations allowed): each command
  must succeed;
- ``$ command`` prompts followed by its output: the command's standard output
  and error, together, must be exactly that output.

A block that cannot run here (it installs packages, needs a real tenant,
serves until stopped) is marked by an HTML comment on the line before it:
``<!-- not run: why -->``. The files a block leaves behind must be ignored by
git, so that following the quick start in a checkout leaves it clean.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from workfront_async.testing import Emulator

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```(?P<lang>[\w+-]*)\s*$")
NOT_RUN = re.compile(r"^<!--\s*not run:\s*(?P<why>.+?)\s*-->$")
UNSAFE = re.compile(r"(^|[;&|(]\s*)((pip3?|nox|uv|npm)\b|export\s+WORKFRONT_)", re.MULTILINE)


class Block(NamedTuple):
    path: Path
    line: int
    text: str
    not_run: str | None


def _blocks(path: Path) -> Iterator[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m is None or m["lang"] != "console":
            if m is not None:  # skip over other fenced blocks
                i += 1
                while i < len(lines) and lines[i].strip() != "```":
                    i += 1
            i += 1
            continue
        before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        mark = NOT_RUN.match(before.strip())
        start = i + 1
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i].strip() != "```":
            body.append(lines[i])
            i += 1
        i += 1
        yield Block(path, start, "\n".join(body), mark["why"] if mark else None)


def _pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


BLOCKS = [b for page in _pages() for b in _blocks(page)]


def _commands(text: str) -> list[tuple[str, list[str] | None]]:
    """(command, expected output or None) for each command of a block."""
    lines = text.splitlines()
    if any(line.startswith("$ ") for line in lines):
        out: list[tuple[str, list[str] | None]] = []
        for line in lines:
            if line.startswith("$ "):
                out.append((line[2:], []))
            else:
                expected = out[-1][1]
                assert expected is not None
                expected.append(line)
        return out
    commands: list[tuple[str, list[str] | None]] = []
    pending = ""
    for line in lines:
        pending += line + "\n"
        if not line.rstrip().endswith("\\"):
            if pending.strip():
                commands.append((pending, None))
            pending = ""
    return commands


@pytest.fixture(scope="module")
def tenant() -> Iterator[tuple[str, str]]:
    """One demo tenant for every block, served over HTTP on loopback."""
    from anyio.from_thread import start_blocking_portal

    emu = Emulator.with_demo_data(scale=0.02)  # 400 tasks
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(emu.serve()) as served,
    ):
        yield served.base_url, emu.api_key()


@pytest.fixture(scope="module")
def shell_env(tenant: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """What a reader's shell has: ``workfront-async`` on PATH (this checkout's),
    and the tenant in the environment."""
    bin_dir = tmp_path_factory.mktemp("bin")
    script = bin_dir / "workfront-async"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m workfront_async.cli "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKFRONT_")}
    for name in ("COLUMNS", "LINES"):
        env.pop(name, None)
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["WORKFRONT_URL"], env["WORKFRONT_API_KEY"] = tenant
    return env


def test_the_docs_have_console_examples() -> None:
    runnable = {b.path for b in BLOCKS if b.not_run is None}
    assert ROOT / "README.md" in runnable
    assert ROOT / "docs" / "cli.md" in runnable
    assert len([b for b in BLOCKS if b.not_run is None]) >= 8


@pytest.mark.parametrize(
    "block", BLOCKS, ids=[f"{b.path.relative_to(ROOT)}:{b.line}" for b in BLOCKS]
)
def test_console_example(block: Block, shell_env: dict[str, str], tmp_path: Path) -> None:
    if block.not_run is not None:
        assert len(block.not_run) > 10, "say why the block is not run"
        pytest.skip(f"not run: {block.not_run}")
    bash = shutil.which("bash")
    assert bash is not None
    commands = _commands(block.text)
    for command, _ in commands:
        # Never install, rebuild the suite or leave loopback from a test: such
        # a block says why it is not run instead.
        assert not UNSAFE.search(command), f"mark the block <!-- not run: why -->: {command}"
        for host in re.findall(r"https?://([^/\s:'\"]+)", command):
            assert host in ("127.0.0.1", "localhost", "[::1]"), f"not loopback: {command}"
    for command, expected in commands:
        result = subprocess.run(
            [bash, "-o", "pipefail", "-c", command],
            cwd=tmp_path,
            env=shell_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=300,
            check=False,
        )
        if expected is None:
            assert result.returncode == 0, f"{command}\n{result.stdout}"
        else:
            shown = [line.rstrip() for line in result.stdout.splitlines()]
            assert shown == [line.rstrip() for line in expected], command
        assert shell_env["WORKFRONT_API_KEY"] not in result.stdout
    left = sorted(p.name for p in tmp_path.iterdir())
    if left and (ROOT / ".git").exists():
        # run in a checkout, what a block leaves behind must not show as untracked
        check = subprocess.run(
            ["git", "-C", str(ROOT), "check-ignore", "--no-index", *left],
            capture_output=True,
            text=True,
            check=False,
        )
        ignored = set(check.stdout.split())
        assert [name for name in left if name not in ignored] == [], ".gitignore"
