"""``python -m benchmarks.telemetry``: the CPU per row of an export with
OpenTelemetry absent, switched off, on without an SDK and on with one.

The export is section 3's in-process one (``cpu_per_row``): the bodies of one
export are recorded from the emulator, then replayed through an
``httpx.MockTransport``, and the process CPU time of ``export.pages()`` over
them is divided by the rows. The library decides once per process whether to
use OpenTelemetry, so each setting runs in a child process of its own, the
settings interleaved round after round:

``absent``
    ``opentelemetry`` cannot be imported (as without the ``otel`` extra).
``off``
    ``WORKFRONT_ASYNC_OTEL=off``.
``api``
    The API installed, no SDK: every span and instrument is the API's no-op.
``sdk``
    The SDK's tracer and meter providers set, with nothing exporting: the
    cost of recording the spans and metrics themselves.
``baseline``
    With ``--baseline PATH``: ``absent`` run from another checkout (the code
    before a change), for a before/after figure in one session.

It prints the microseconds per row of each setting (median, min - max) and
the ratio of the medians to ``absent``; there is no pass mark (the figures are
this machine's). ``--quick`` is a smoke run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from ._common import spread

__all__ = ["SETTINGS", "main", "run"]

SETTINGS = ("absent", "off", "api", "sdk")
ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import json, os, pickle, sys, asyncio
setting = os.environ["BENCH_OTEL"]
if setting == "absent":
    sys.modules["opentelemetry"] = None
elif setting == "sdk":
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.trace import TracerProvider

    trace.set_tracer_provider(TracerProvider())
    metrics.set_meter_provider(MeterProvider())
from benchmarks.cpu_per_row import _timed_export
from benchmarks.inprocess import replay_transport

with open(sys.argv[1], "rb") as f:
    bodies, key, page_size, rows, reps = pickle.load(f)
replay = replay_transport(bodies)
asyncio.run(_timed_export(replay, key, page_size, pages=True))  # warm up
out = []
for _ in range(reps):
    n, cpu = asyncio.run(_timed_export(replay, key, page_size, pages=True))
    if n != rows:
        raise SystemExit(f"the replayed export returned {n} rows, expected {rows}")
    out.append(cpu / rows * 1e6)
print(json.dumps(out))
"""


def _record(scale: float, page_size: int) -> tuple[dict[str, bytes], str, int]:
    from workfront_async.testing import Emulator

    from .cpu_per_row import _export
    from .inprocess import Recorder

    emu = Emulator.with_demo_data(scale=scale)
    key = emu.api_key()
    recorder = Recorder(emu.transport())
    rows = asyncio.run(_export(recorder, key, page_size, pages=True))
    return recorder.bodies, key, rows


def _child(setting: str, data: Path, root: Path) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(root), "BENCH_OTEL": setting}
    env.pop("WORKFRONT_ASYNC_OTEL", None)
    if setting == "off":
        env["WORKFRONT_ASYNC_OTEL"] = "off"
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(data)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{setting}: {done.stderr[-2000:]}")
    values: list[float] = json.loads(done.stdout.strip().splitlines()[-1])
    return values


def run(
    *, scale: float, page_size: int, rounds: int, reps: int, baseline: Path | None = None
) -> dict[str, Any]:
    bodies, key, rows = _record(scale, page_size)
    settings: list[tuple[str, str, Path]] = [(s, s, ROOT) for s in SETTINGS]
    if baseline is not None:
        settings.append(("baseline", "absent", baseline))
    per_row: dict[str, list[float]] = {name: [] for name, _, _ in settings}
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "bodies.pickle"
        data.write_bytes(pickle.dumps((bodies, key, page_size, rows, reps)))
        for _ in range(rounds):
            for name, setting, root in settings:
                per_row[name].extend(_child(setting, data, root))
    absent = spread(per_row["absent"]).median
    return {
        "rows": rows,
        "pages": len(bodies) - 1,
        "page_size": page_size,
        "us_per_row": {k: spread(v).as_dict() for k, v in per_row.items()},
        "ratio_to_absent": {k: spread(v).median / absent for k, v in per_row.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.telemetry", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    parser.add_argument("--scale", type=float, default=2.0, help="demo tenant (1.0 = 20,000 tasks)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over the settings")
    parser.add_argument("--reps", type=int, default=5, help="exports per setting and round")
    parser.add_argument("--baseline", type=Path, help="another checkout to run as 'baseline'")
    parser.add_argument("--out", type=Path, help="write the result as JSON here")
    args = parser.parse_args(argv)
    if args.quick:
        args.scale, args.rounds, args.reps = 0.05, 1, 2
    result = run(
        scale=args.scale,
        page_size=2000,
        rounds=args.rounds,
        reps=args.reps,
        baseline=args.baseline,
    )
    print(f"export of {result['rows']:,} rows in {result['pages']} pages, CPU per row:")
    for name, s in result["us_per_row"].items():
        ratio = result["ratio_to_absent"][name]
        print(
            f"  {name:<9} {s['median']:6.3f} us ({s['min']:.3f} - {s['max']:.3f}, n={s['n']})"
            f"  x{ratio:.3f}"
        )
    if args.out is not None:
        args.out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
