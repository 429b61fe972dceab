"""Shared helpers: repetition statistics, sizes, machine facts, served processes."""

from __future__ import annotations

import contextlib
import cProfile
import io
import os
import platform
import pstats
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

__all__ = [
    "ROOT",
    "ServedProcess",
    "Sizes",
    "Spread",
    "emulator_command",
    "fast_command",
    "machine",
    "profile_top",
    "served_process",
    "spread",
]


# The repository root: subprocesses run ``-m benchmarks...`` from here.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass(frozen=True)
class Sizes:
    """How big each benchmark runs: ``full`` for the published table, ``quick`` for CI."""

    quick: bool
    reps: int
    scale: float  # demo data scale of the served tenant (10 = 200,000 tasks)
    page_size: int
    latencies: tuple[float, ...]
    alt_latency: float
    memory_rows: tuple[int, int]
    memory_plateau_rows: int | None  # one extra run showing where the peak levels off
    fast_rows: int  # rows served by the near-zero-CPU stand-in server
    emulator_scale: float  # in-process tenant for sections 3 and 7
    compile_loops: int
    call_loops: int
    http_reps: int  # interleaved repetitions of the five clients over HTTP

    @classmethod
    def full(cls) -> Sizes:
        return cls(
            quick=False,
            reps=5,
            scale=10.0,
            page_size=2000,
            latencies=(0.05, 0.2),
            alt_latency=0.05,
            memory_rows=(300_000, 3_000_000),
            memory_plateau_rows=None,
            fast_rows=1_000_000,
            emulator_scale=10.0,
            compile_loops=20_000,
            call_loops=2_000,
            http_reps=3,
        )

    @classmethod
    def tiny(cls) -> Sizes:
        return cls(
            quick=True,
            reps=2,
            scale=0.1,
            page_size=500,
            latencies=(0.02,),
            alt_latency=0.02,
            memory_rows=(5_000, 20_000),
            memory_plateau_rows=None,
            fast_rows=20_000,
            emulator_scale=0.1,
            compile_loops=500,
            call_loops=50,
            http_reps=2,
        )


@dataclass(frozen=True)
class Spread:
    median: float
    min: float
    max: float
    n: int

    def as_dict(self) -> dict[str, float | int]:
        return {"median": self.median, "min": self.min, "max": self.max, "n": self.n}


def spread(values: Sequence[float]) -> Spread:
    if not values:
        raise ValueError("no measurements")
    return Spread(statistics.median(values), min(values), max(values), len(values))


def _cpu_model() -> str:
    with contextlib.suppress(OSError), open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """The facts a reader needs to compare figures between machines."""
    libraries = (
        "workfront-async",
        "httpx",
        "httpcore",
        "h11",
        "anyio",
        "orjson",
        "attrs",
        "uvicorn",
        "aiohttp",
        "python-workfront",
    )
    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        # Other work on the machine (1, 5, 15 min): the figures are medians of
        # interleaved repetitions, but a loaded machine slows every client.
        "load_average": list(os.getloadavg()),
        "libraries": {name: _version(name) for name in libraries},
    }


def profile_top(fn: Callable[[], Any], lines: int = 12) -> str:
    """cProfile ``fn()`` and return the top lines by cumulative time."""
    prof = cProfile.Profile()
    prof.enable()
    try:
        fn()
    finally:
        prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("tottime").print_stats(lines)
    text = out.getvalue()
    # Keep the table only: drop the header noise and long absolute paths.
    body = text[text.find("ncalls") :] if "ncalls" in text else text
    roots = sorted(
        {os.path.dirname(os.path.dirname(p)) for p in sys.path if p.endswith("site-packages")}
        | {p for p in sys.path if p.endswith("site-packages")}
        | {os.path.dirname(os.path.dirname(os.path.abspath(__file__)))},
        key=len,
        reverse=True,
    )
    for root in roots:
        body = body.replace(root + os.sep, "")
    return body.rstrip()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class ServedProcess:
    """An emulator served by ``python -m workfront_async.testing serve`` in a subprocess."""

    proc: subprocess.Popen[str]
    port: int
    latency: float
    base_url: str = ""
    api_key: str = ""
    build_seconds: float = 0.0

    def wait_ready(self, timeout: float = 600.0) -> None:
        """Read the server's banner until it prints the API key (it is then listening)."""
        deadline = time.monotonic() + timeout
        assert self.proc.stdout is not None
        lines: list[str] = []
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(
                    f"the served emulator exited ({self.proc.poll()}): {''.join(lines)[-2000:]}"
                )
            lines.append(line)
            if line.startswith("Built the tenant in "):
                self.build_seconds = float(line.split(" in ", 1)[1].split("s", 1)[0])
            elif line.startswith("Embedded Workfront at "):
                self.base_url = line.split(" at ", 1)[1].strip()
            elif line.startswith("API key: "):
                self.api_key = line.split(": ", 1)[1].strip()
                # Keep draining the pipe so that a chatty server never blocks on it.
                threading.Thread(target=self.proc.stdout.read, daemon=True).start()
                return
        raise RuntimeError(f"the served emulator did not start within {timeout:.0f}s")


def emulator_command(scale: float, latency: float) -> list[str]:
    """The served emulator: ``python -m workfront_async.testing serve``."""
    return [
        sys.executable,
        "-m",
        "workfront_async.testing",
        "serve",
        "--scale",
        str(scale),
        "--latency",
        str(latency),
    ]


def fast_command(rows: int, latency: float, page_size: int) -> list[str]:
    """The near-zero-CPU stand-in server of ``benchmarks.fast_server``."""
    return [
        sys.executable,
        "-m",
        "benchmarks.fast_server",
        "--rows",
        str(rows),
        "--latency",
        str(latency),
        "--page-size",
        str(page_size),
    ]


@contextlib.contextmanager
def served_process(commands: Sequence[tuple[list[str], float]]) -> Iterator[list[ServedProcess]]:
    """Start one server per ``(command, latency)`` (they build their data in
    parallel) on a free port each, wait until each listens, stop them at the end."""
    procs: list[ServedProcess] = []
    try:
        for command, latency in commands:
            port = free_port()
            proc = subprocess.Popen(
                [*command, "--port", str(port)],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                cwd=ROOT,
            )
            procs.append(ServedProcess(proc, port, latency))
        for p in procs:
            p.wait_ready()
        yield procs
    finally:
        for p in procs:
            p.proc.terminate()
        for p in procs:
            try:
                p.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.proc.kill()
                p.proc.wait()
