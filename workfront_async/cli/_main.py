"""``workfront-async``: export, count, get, search, sync and the emulator from a shell.

Exit codes: 0 done, 2 usage error (bad flags, bad ``--where``), 1 API or
network failure (one line on stderr; the traceback only with ``--debug``).
Credentials are never printed.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, TextIO

import anyio
import orjson

from .._exceptions import QueryError, WorkfrontError, redact_text
from .._transport import RedactingFilter

__all__ = ["main"]

log = logging.getLogger("workfront_async.cli")

EMULATOR_NOTE = (
    "No --url or WORKFRONT_URL given: using the embedded Workfront with demo data "
    "(a local emulator, not a real tenant)."
)


class UsageError(Exception):
    """A mistake in the command line: exit code 2."""


def _fields(text: str | None) -> list[str]:
    return [f.strip() for f in text.split(",") if f.strip()] if text else []


def _where(text: str | None) -> Any:
    if not text:
        return None
    from ..query import parse_query

    try:
        return parse_query(text)
    except QueryError as exc:
        raise UsageError(f"--where: {exc}") from None


def _sort(items: Sequence[str] | None) -> list[tuple[str, str]]:
    out = []
    for item in items or ():
        if item.endswith((":asc", ":desc")):
            name, direction = item.rsplit(":", 1)
        else:
            name, direction = item, "asc"
        if not name:
            raise UsageError(f"--sort {item!r}: write FIELD or FIELD:asc / FIELD:desc")
        out.append((name, direction))
    return out


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--url",
        default=os.environ.get("WORKFRONT_URL"),
        help="tenant URL, e.g. https://acme.my.workfront.com (default: $WORKFRONT_URL; "
        "without either, the embedded Workfront with demo data)",
    )
    common.add_argument(
        "--api-key",
        default=os.environ.get("WORKFRONT_API_KEY"),
        help="API key (default: $WORKFRONT_API_KEY)",
    )
    common.add_argument("--api-version", default=None, help="API version, e.g. v21.0")
    common.add_argument(
        "--demo-scale",
        type=float,
        default=1.0,
        help="size of the embedded demo tenant (1.0 = 20,000 tasks)",
    )
    common.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress output")

    parser = argparse.ArgumentParser(
        prog="workfront-async",
        description="Concurrent exports and queries against Adobe Workfront.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def query_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("obj", help="object type: task, project, issue, user, hour, ...")
        p.add_argument("--where", help="filter in the query language, e.g. 'status == \"CUR\"'")
        p.add_argument("--fields", help="comma-separated fields, e.g. name,status,assignedTo:name")

    p = sub.add_parser("export", parents=[common], help="export objects to a file")
    query_args(p)
    p.add_argument("-o", "--output", required=True, help="output file")
    p.add_argument("--format", choices=["jsonl", "csv", "parquet"], help="default: from -o")
    p.add_argument("--limit", type=int, help="at most this many rows")
    p.add_argument("--page-size", type=int, default=2000, help="rows per page (max 2000)")
    p.add_argument("--consistency", choices=["offset", "keyset"], default="offset")
    p.add_argument("--ordered", action="store_true", help="write rows in sort order")

    p = sub.add_parser("count", parents=[common], help="count matching objects")
    query_args(p)

    p = sub.add_parser("search", parents=[common], help="print matching objects as JSON lines")
    query_args(p)
    p.add_argument("--limit", type=int, default=100, help="at most this many rows (default 100)")
    p.add_argument("--sort", action="append", help="FIELD[:asc|:desc], repeatable")

    p = sub.add_parser("get", parents=[common], help="print objects by ID as JSON")
    p.add_argument("obj")
    p.add_argument("ids", nargs="+", help="one or more IDs")
    p.add_argument("--fields")

    p = sub.add_parser("sync", parents=[common], help="incremental sync with a cursor file")
    query_args(p)
    p.add_argument("--state", required=True, help="file that keeps the cursor between runs")
    p.add_argument("-o", "--output", required=True, help="JSON Lines file to append changes to")

    p = sub.add_parser("emulator", help="the embedded Workfront")
    esub = p.add_subparsers(dest="emulator_command", required=True, metavar="ACTION")
    serve = esub.add_parser("serve", help="serve it over HTTP on loopback")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--demo-scale", type=float, default=1.0)
    serve.add_argument("--seed", type=int, default=0)
    return parser


@contextlib.asynccontextmanager
async def connect(args: argparse.Namespace, err: TextIO) -> AsyncIterator[Any]:
    """A ``Workfront`` client for the command line's connection flags."""
    from .. import Workfront

    kwargs: dict[str, Any] = {}
    if args.api_version:
        kwargs["api_version"] = args.api_version
    if args.url:
        if not args.api_key:
            raise UsageError("--url needs --api-key (or WORKFRONT_API_KEY)")
        async with Workfront(args.url, api_key=args.api_key, **kwargs) as wf:
            yield wf
        return
    from ..testing import Emulator

    if not args.quiet:
        err.write(EMULATOR_NOTE + "\n")
    emu = Emulator.with_demo_data(scale=args.demo_scale)
    async with Workfront(
        "https://demo.my.workfront.com",
        api_key=emu.api_key(),
        transport=emu.transport(),
        **kwargs,
    ) as wf:
        yield wf


def _dump(row: Any, out: TextIO) -> None:
    out.write(orjson.dumps(row, option=orjson.OPT_NON_STR_KEYS).decode() + "\n")


async def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..export import open_writer
    from ._progress import ProgressBar

    where = _where(getattr(args, "where", None))
    fields = _fields(getattr(args, "fields", None))
    async with connect(args, err) as wf:
        if args.command == "count":
            out.write(f"{await wf.count(args.obj, where)}\n")
        elif args.command == "get":
            rows = await wf.get_many(args.obj, args.ids, fields=fields)
            for row in rows:
                _dump(row, out)
            if rows.missing:
                err.write(f"workfront-async: not found: {', '.join(rows.missing)}\n")
                return 1
        elif args.command == "search":
            search = wf.search(args.obj, where, fields=fields, sort=_sort(args.sort))
            if args.limit is not None:
                search = search.limit(args.limit)
            async for row in search:
                _dump(row, out)
        elif args.command == "export":
            bar = ProgressBar(err) if not args.quiet else None
            writer = open_writer(args.output, args.format, columns=["ID", *fields])
            with writer:
                async with wf.export(
                    args.obj,
                    where,
                    fields=fields,
                    page_size=args.page_size,
                    ordered=args.ordered,
                    consistency=args.consistency,
                    limit=args.limit,
                    progress=bar,
                ) as rows:
                    async for page in rows.pages():
                        writer.write(page)
            if bar is not None:
                bar.close()
            if not args.quiet:
                err.write(f"wrote {writer.rows_written:,} rows to {args.output}\n")
        elif args.command == "sync":
            await _sync(wf, args, where, fields, err)
        else:  # pragma: no cover - argparse rejects unknown commands
            raise UsageError(f"unknown command {args.command}")
    return 0


async def _sync(
    wf: Any, args: argparse.Namespace, where: Any, fields: list[str], err: TextIO
) -> None:
    from .._sync import SyncCursor

    state = anyio.Path(args.state)
    cursor = SyncCursor.loads(await state.read_text()) if await state.exists() else None
    n = 0
    result = wf.changes_since(args.obj, cursor, fields=fields, where=where)
    try:
        async with await anyio.open_file(args.output, "ab") as fh:
            async for row in result:
                await fh.write(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE))
                n += 1
            await fh.flush()
    finally:
        # Save how far we got even when the run fails midway: the rows written
        # so far are not delivered again, the rest are still due.
        if result.cursor is not None and result.cursor != cursor:
            tmp = anyio.Path(str(state) + ".tmp")
            await tmp.write_text(result.cursor.dumps())
            await tmp.replace(state)
    if not args.quiet:
        err.write(f"{n:,} changed rows appended to {args.output}; cursor saved in {state}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    out, err = sys.stdout, sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    debug = getattr(args, "debug", False)
    secrets = [s for s in (getattr(args, "api_key", None),) if s]
    restore = _setup_logging(err, debug, secrets)
    try:
        return _dispatch(args, out, err, debug, secrets)
    finally:
        restore()


def _setup_logging(err: TextIO, debug: bool, secrets: Sequence[str]) -> Callable[[], None]:
    """Log to ``err`` through a redacting handler; undone by the returned function
    (so that calling ``main()`` in-process leaves logging as it was)."""
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    names = ["workfront_async", "httpx", "httpcore"] if debug else ["workfront_async.cli"]
    saved = []
    for name in names:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG if debug else logging.INFO)
        logger.propagate = False

    def restore() -> None:
        for logger, level, propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate

    return restore


def _dispatch(
    args: argparse.Namespace, out: TextIO, err: TextIO, debug: bool, secrets: list[str]
) -> int:
    if args.command == "emulator":
        from ..testing.__main__ import main as emulator_main

        return emulator_main(
            [
                "serve",
                "--host",
                args.host,
                "--port",
                str(args.port),
                "--scale",
                str(args.demo_scale),
                "--seed",
                str(args.seed),
            ]
        )
    try:
        return anyio.run(_run, args, out, err)
    except UsageError as exc:
        err.write(f"workfront-async: error: {redact_text(str(exc), secrets)}\n")
        return 2
    except QueryError as exc:
        err.write(f"workfront-async: error: {redact_text(str(exc), secrets)}\n")
        return 2
    except (WorkfrontError, OSError) as exc:
        if debug:
            import traceback

            text = "".join(traceback.format_exception(exc))
            err.write(redact_text(text, secrets))
        err.write(f"workfront-async: {type(exc).__name__}: {redact_text(str(exc), secrets)}\n")
        return 1
    except KeyboardInterrupt:
        err.write("workfront-async: interrupted\n")
        return 130
