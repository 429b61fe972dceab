"""``python -m workfront_async.testing serve --port N``: run the embedded Workfront."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry; returns the exit status (for ``workfront-async emulator``)."""
    parser = argparse.ArgumentParser(
        prog="python -m workfront_async.testing",
        description="Run the embedded Workfront on loopback with a real HTTP server.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the emulator over HTTP")
    serve.add_argument("--port", type=int, default=8000, help="TCP port (0 = any free port)")
    serve.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    serve.add_argument("--seed", type=int, default=0, help="seed of the demo data")
    serve.add_argument(
        "--scale", type=float, default=1.0, help="demo data scale (1.0 = 20,000 tasks)"
    )
    serve.add_argument("--empty", action="store_true", help="start without demo data")
    serve.add_argument(
        "--max-concurrency", type=int, default=10, help="concurrent requests before 429"
    )
    serve.add_argument(
        "--sandbox", action="store_true", help="no URI length limit (like a sandbox)"
    )
    serve.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every request (default 0)"
    )
    args = parser.parse_args(argv)

    from ._emulator import Emulator

    kwargs = {
        "max_concurrency": args.max_concurrency,
        "max_uri_bytes": None if args.sandbox else 8892,
        "latency": args.latency,
    }
    if args.latency < 0:
        parser.error("--latency must be >= 0")
    started = time.perf_counter()
    if args.empty:
        emulator = Emulator(seed=args.seed, **kwargs)
    else:
        if args.scale <= 0:
            parser.error("--scale must be positive")
        emulator = Emulator.with_demo_data(seed=args.seed, scale=args.scale, **kwargs)
    print(f"Built the tenant in {time.perf_counter() - started:.1f}s: {emulator!r}", flush=True)
    emulator.serve_forever(port=args.port, host=args.host)
    return 0


if __name__ == "__main__":
    sys.exit(main())
