"""``workfront-async``: export, count, get, search, sync and the emulator from a shell.

Exit codes: 0 done, 2 usage error (bad flags, bad ``--where``, unknown object
type or field), 1 API or network failure, 75 another ``sync`` holds the state
file (``EX_TEMPFAIL``: try again later), 130 interrupted (Ctrl-C), 143
terminated (SIGTERM). Every failure is one line on standard error that starts
with ``workfront-async:`` (the traceback only with ``--debug``). Standard
output carries only data; notices and progress go to standard error.
Credentials are never printed.

Built on argparse with rich-argparse (coloured help) and argcomplete (shell
completion): argparse lets the global options sit before or after the
subcommand and names the flag in every error; the two add-ons are small and
change nothing else.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

import anyio

from .._core.exceptions import QueryError, WorkfrontError, redact_text
from .._core.transport import RedactingFilter
from ._output import OUTPUT_FORMATS, default_columns, default_format, print_rows

__all__ = ["GLOBAL_OPTIONS", "GlobalOption", "build_parser", "main"]

log = logging.getLogger("workfront_async.cli")

PROG = "workfront-async"
EMULATOR_NOTE = (
    "No --url or WORKFRONT_URL given: using the embedded Workfront with demo data "
    "(a local emulator, not a real tenant)."
)
EXPORT_FORMATS = ("jsonl", "csv", "parquet")
DEMO_TASKS = 20_000  # tasks of the demo tenant at --demo-scale 1.0
_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
EXAMPLES = """\
examples:
  workfront-async export task -o tasks.jsonl
  workfront-async export task --where 'status == "INP"' --fields name,assignedTo:name -o cur.csv
  workfront-async search project --where 'name.contains("Launch")' --limit 20
  workfront-async count issue --where 'priority >= 3'
  workfront-async get task 5f2c... 5f2d... --format json
  workfront-async sync task --state task.cursor -o changes.jsonl
  workfront-async codegen task project issue --package acme_workfront -o src
  workfront-async codegen --planning rt000002 --package acme_planning -o src
  workfront-async emulator serve --port 8000 --latency 0.05
  eval "$(workfront-async completion bash)"

Without --url (or WORKFRONT_URL) every command runs against the embedded
Workfront with demo data. Docs: docs/index.md (mkdocs serve).
"""


class UsageError(Exception):
    """A mistake in the command line: exit code 2."""


class GlobalOption:
    """An option every command accepts, before or after the command name.

    Add one here (e.g. ``--redis-url`` with ``env="WORKFRONT_REDIS_URL"``) and
    it appears everywhere; ``env`` names the environment variable that gives
    its default.
    """

    def __init__(self, *flags: str, env: str | None = None, **kwargs: Any) -> None:
        self.flags = flags
        self.env = env
        self.kwargs = kwargs

    def add(self, parser: argparse.ArgumentParser, *, top: bool) -> None:
        kwargs = dict(self.kwargs)
        if top:
            if self.env is not None:
                kwargs["default"] = os.environ.get(self.env, kwargs.get("default"))
        else:
            # Only a value given after the command overrides the one before it.
            kwargs["default"] = argparse.SUPPRESS
        parser.add_argument(*self.flags, **kwargs)


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} must be greater than 0")
    return value


def _non_negative(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text} must be 0 or more")
    return value


GLOBAL_OPTIONS: list[GlobalOption] = [
    GlobalOption(
        "--url",
        env="WORKFRONT_URL",
        metavar="URL",
        help="tenant URL, e.g. https://acme.my.workfront.com (default: $WORKFRONT_URL; "
        "without either, the embedded Workfront with demo data)",
    ),
    GlobalOption(
        "--api-key", env="WORKFRONT_API_KEY", metavar="KEY", help="default: $WORKFRONT_API_KEY"
    ),
    GlobalOption("--api-version", metavar="V", help="API version, e.g. v21.0"),
    GlobalOption(
        "--demo-scale",
        type=_scale,
        default=1.0,
        metavar="X",
        help="size of the embedded demo tenant (1.0 = 20,000 tasks)",
    ),
    GlobalOption(
        "--redis-url",
        env="WORKFRONT_REDIS_URL",
        metavar="URL",
        help="share the tenant's concurrency cap with every process using this Redis "
        "(redis://host:6379/0; default: $WORKFRONT_REDIS_URL; needs the 'redis' extra)",
    ),
    GlobalOption("--debug", action="store_true", help="show tracebacks and debug logs"),
    GlobalOption("-q", "--quiet", action="store_true", help="no notices or progress"),
    GlobalOption(
        "--stats",
        action="store_true",
        help="at the end, print to standard error what the command used of the API "
        "(calls, requests, 429s, retries, time waiting for a slot, bytes)",
    ),
]
# Global options that `emulator serve` defines itself (with its own meaning).
_SERVE_OWN = {"--demo-scale"}


class _Parser(argparse.ArgumentParser):
    """Errors as one line that names the flag and how to get help (exit 2)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see {self.prog} --help)")


def _formatter() -> type[argparse.HelpFormatter]:
    from rich_argparse import RawDescriptionRichHelpFormatter

    return RawDescriptionRichHelpFormatter


def _object_completer(**_: Any) -> list[str]:
    from ._names import COMMON_OBJECTS

    return sorted({*COMMON_OBJECTS.values(), *(c.lower() for c in COMMON_OBJECTS)})


class _Commands:
    """Adds subcommands that share the global options and an examples epilog."""

    def __init__(self, sub: Any, fmt: type[argparse.HelpFormatter]) -> None:
        self.sub = sub
        self.fmt = fmt

    def add(self, name: str, help: str, *examples: str) -> argparse.ArgumentParser:
        epilog = "examples:\n" + "\n".join(f"  {PROG} {e}" for e in examples) if examples else None
        p: argparse.ArgumentParser = self.sub.add_parser(
            name, help=help, description=help, epilog=epilog, formatter_class=self.fmt
        )
        group = p.add_argument_group("global options")
        for opt in GLOBAL_OPTIONS:
            opt.add(group, top=False)  # type: ignore[arg-type]
        return p


def _query_args(p: argparse.ArgumentParser) -> None:
    arg = p.add_argument("obj", metavar="OBJECT", help="object type: task, project, issue, ...")
    arg.completer = _object_completer  # type: ignore[attr-defined]
    p.add_argument("--where", help="filter in the query language, e.g. 'status == \"CUR\"'")
    p.add_argument("--fields", help="comma-separated fields, e.g. name,status,assignedTo:name")


def _show_args(p: argparse.ArgumentParser, terminal: str) -> None:
    p.add_argument(
        "--format",
        choices=OUTPUT_FORMATS,
        help=f"output format (default: {terminal.split(':')[0]} on a terminal, jsonl "
        f"otherwise; {terminal})",
    )


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__

    fmt = _formatter()
    parser = _Parser(
        prog=PROG,
        description="Concurrent exports and queries against Adobe Workfront.",
        epilog=EXAMPLES,
        formatter_class=fmt,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    for opt in GLOBAL_OPTIONS:
        opt.add(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands = _Commands(sub, fmt)
    for add_command in (
        _export_command,
        _count_command,
        _search_command,
        _get_command,
        _sync_command,
        _codegen_command,
    ):
        add_command(commands)
    _emulator_command(sub, fmt)
    _completion_command(commands)
    return parser


def _codegen_command(commands: _Commands) -> None:
    p = commands.add(
        "codegen",
        "generate a typed package (row classes, query fields) from the tenant's metadata",
        "codegen task project issue --package acme_workfront -o src",
        "codegen --check --package acme_workfront -o src",
    )
    arg = p.add_argument(
        "objects",
        metavar="OBJECT",
        nargs="*",
        help="object types: task, project, issue, ... (with --check: the lock file's)",
    )
    arg.completer = _object_completer  # type: ignore[attr-defined]
    p.add_argument("--package", required=True, help="the package's name, e.g. acme_workfront")
    p.add_argument("-o", "--output", default=".", help="directory the package goes in (default: .)")
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 if the tenant's metadata changed since the package "
        "was generated (for CI)",
    )
    p.add_argument(
        "--planning",
        action="store_true",
        help="OBJECT names are Workfront Planning record type IDs: generate (or check) "
        "their record classes (needs --planning-token or $WORKFRONT_PLANNING_TOKEN with --url)",
    )
    p.add_argument("--planning-version", choices=["1", "2"], default="1", help=argparse.SUPPRESS)
    p.add_argument(
        "--planning-token",
        default=os.environ.get("WORKFRONT_PLANNING_TOKEN"),
        metavar="TOKEN",
        help="an Adobe IMS access token for Planning (default: $WORKFRONT_PLANNING_TOKEN)",
    )


async def _codegen(wf: Any, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..codegen import check, generate, generate_planning

    directory = Path(args.output, *args.package.split("."))
    if args.check:
        drift = await check(wf, directory)
        (out if drift.ok else err).write(f"{drift}\n")
        return 0 if drift.ok else 1
    if not args.objects:
        raise UsageError("name the objects to generate, e.g. codegen task project --package ...")
    make = generate_planning if args.planning else generate
    done = await make(wf, args.objects, package=args.package, out=args.output)
    classes = ", ".join(f"{name} ({code})" for code, name in sorted(done.classes.items()))
    if not args.quiet:
        err.write(f"{PROG}: wrote {done.directory}: {classes} in {done.seconds:.2f} s\n")
    return 0


def _export_command(commands: _Commands) -> None:
    p = commands.add(
        "export",
        "export objects to a file (or - for standard output)",
        "export task -o tasks.jsonl",
        "export task --where 'status == \"INP\"' --fields name,assignedTo:name -o inp.csv",
        "export project --consistency keyset -o projects.parquet",
        "export task -o - | gzip > tasks.jsonl.gz",
    )
    _query_args(p)
    p.add_argument(
        "-o", "--output", help="output file, or - for standard output (not with --show-schema)"
    )
    p.add_argument(
        "--format", choices=EXPORT_FORMATS, help="default: from the -o extension (- : jsonl)"
    )
    p.add_argument("--limit", type=int, help="at most this many rows")
    p.add_argument("--page-size", type=int, default=2000, help="rows per page (max 2000)")
    p.add_argument("--consistency", choices=["offset", "keyset"], default="offset")
    p.add_argument("--ordered", action="store_true", help="write rows in sort order")
    p.add_argument(
        "--dates",
        choices=["iso", "workfront"],
        default="iso",
        help="dates in JSON Lines and CSV: ISO 8601 in UTC (default) or Workfront's own text",
    )
    p.add_argument(
        "--show-schema",
        action="store_true",
        help="print the columns and their types (from the tenant's metadata) and stop",
    )
    p.add_argument(
        "--planning",
        metavar="RECORD_TYPE_ID",
        help="export the records of a Workfront Planning record type instead "
        "(OBJECT is then ignored; needs --planning-token or $WORKFRONT_PLANNING_TOKEN "
        "with --url)",
    )
    p.add_argument(
        "--planning-version",
        choices=["1", "2"],
        default="2",
        help="the Planning API version to read records with (default 2)",
    )
    p.add_argument(
        "--planning-token",
        default=os.environ.get("WORKFRONT_PLANNING_TOKEN"),
        metavar="TOKEN",
        help="an Adobe IMS access token for Planning (default: $WORKFRONT_PLANNING_TOKEN)",
    )


def _count_command(commands: _Commands) -> None:
    p = commands.add(
        "count",
        "count matching objects",
        'count task --where \'status == "INP" and assignedTo.name.contains("Ann")\'',
    )
    _query_args(p)


def _search_command(commands: _Commands) -> None:
    p = commands.add(
        "search",
        "print matching objects (one per line on a terminal)",
        "search task --fields name,status --sort plannedCompletionDate:desc --limit 20",
        "search task --limit 3 --format card",
        "search project --where 'name.icontains(\"launch\")' --format csv > launch.csv",
    )
    _query_args(p)
    p.add_argument(
        "--limit", type=int, default=100, help="at most this many rows (default 100; 0 = all)"
    )
    p.add_argument("--sort", action="append", help="FIELD[:asc|:desc], repeatable")
    _show_args(p, "table: one row per line; card: every field of each row")


def _get_command(commands: _Commands) -> None:
    p = commands.add("get", "print objects by ID", "get task 5f2c... 5f2d... --format json")
    arg = p.add_argument("obj", metavar="OBJECT", help="object type")
    arg.completer = _object_completer  # type: ignore[attr-defined]
    p.add_argument("ids", nargs="+", metavar="ID", help="one or more IDs")
    p.add_argument("--fields", help="comma-separated fields")
    _show_args(p, "card: every field of each object; table: one per line")


def _sync_command(commands: _Commands) -> None:
    p = commands.add(
        "sync",
        "incremental sync with a cursor file",
        "sync task --fields name,status --state task.cursor -o changes.jsonl",
    )
    _query_args(p)
    p.add_argument("--state", required=True, help="file that keeps the cursor between runs")
    p.add_argument("-o", "--output", required=True, help="JSON Lines file to append changes to")


def _emulator_command(sub: Any, fmt: type[argparse.HelpFormatter]) -> None:
    p = sub.add_parser(
        "emulator", help="the embedded Workfront", description="The embedded Workfront."
    )
    esub = p.add_subparsers(dest="emulator_command", required=True, metavar="ACTION")
    serve = esub.add_parser(
        "serve",
        help="serve it over HTTP on loopback",
        description="Serve the embedded Workfront over HTTP (needs the 'serve' extra).",
        formatter_class=fmt,
    )
    for opt in GLOBAL_OPTIONS:
        if opt.flags[0] not in _SERVE_OWN:
            opt.add(serve, top=False)
    add_serve_options(serve)


def _completion_command(commands: _Commands) -> None:
    p = commands.add(
        "completion",
        "print the shell completion script",
        "completion bash > ~/.local/share/bash-completion/completions/workfront-async",
        "completion zsh > ~/.zfunc/_workfront-async  # with fpath+=~/.zfunc in ~/.zshrc",
    )
    p.add_argument("shell", choices=["bash", "zsh", "fish", "tcsh"], help="your shell")


def add_serve_options(p: argparse.ArgumentParser) -> None:
    """The options of ``emulator serve`` (also ``python -m workfront_async.testing serve``)."""
    p.add_argument("--port", type=int, default=8000, help="TCP port (0 = any free port)")
    p.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    p.add_argument("--seed", type=int, default=0, help="seed of the demo data")
    p.add_argument(
        "--scale",
        "--demo-scale",
        dest="demo_scale",
        type=_scale,
        default=argparse.SUPPRESS,
        metavar="X",
        help="demo data scale (1.0 = 20,000 tasks)",
    )
    p.add_argument("--empty", action="store_true", help="start without demo data")
    p.add_argument("--max-concurrency", type=int, default=10, help="concurrent requests before 429")
    p.add_argument("--sandbox", action="store_true", help="no URI length limit (like a sandbox)")
    p.add_argument(
        "--latency",
        type=_non_negative,
        default=0.0,
        metavar="SECONDS",
        help="seconds added to every request (default 0)",
    )


# -- helpers ---------------------------------------------------------------------------


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
    except (RecursionError, MemoryError):
        raise UsageError("--where: the query is nested too deeply to parse; simplify it") from None


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


def _check_url(url: str) -> None:
    import httpx

    try:
        parsed = httpx.URL(url)
        ok = parsed.scheme in ("http", "https") and bool(parsed.host)
    except (ValueError, httpx.InvalidURL, TypeError):
        ok = False
    if not ok:
        raise UsageError(
            f"--url {redact_text(url)!r} is not a valid URL; write it as "
            "https://<tenant>.my.workfront.com"
        )


def _export_format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    if args.output == "-":
        return "jsonl"
    fmt = _SUFFIXES.get(Path(args.output).suffix.lower())
    if fmt is None:
        raise UsageError(
            f"-o {args.output}: cannot tell the format from the file name; "
            f"pass --format {'|'.join(EXPORT_FORMATS)} or use a .jsonl, .csv or .parquet name"
        )
    return fmt


def _prints_usage(
    make: Callable[[argparse.Namespace, TextIO], contextlib.AbstractAsyncContextManager[Any]],
) -> Callable[[argparse.Namespace, TextIO], contextlib.AbstractAsyncContextManager[Any]]:
    """With ``--stats``, the client's ``usage()`` goes to standard error once it
    is closed, whether the command succeeded or not."""

    @contextlib.asynccontextmanager
    async def wrapper(args: argparse.Namespace, err: TextIO) -> AsyncIterator[Any]:
        client = None
        try:
            async with make(args, err) as client:
                yield client
        finally:
            if client is not None and getattr(args, "stats", False):
                err.write(f"{PROG}: usage: {client.usage()}\n")

    return wrapper


@_prints_usage
@contextlib.asynccontextmanager
async def connect(args: argparse.Namespace, err: TextIO) -> AsyncIterator[Any]:
    """A ``Workfront`` client for the command line's connection flags; with
    ``--redis-url`` (or ``WORKFRONT_REDIS_URL``) it shares the tenant's cap
    through Redis with every other process of the tenant."""
    async with contextlib.AsyncExitStack() as stack:
        yield await stack.enter_async_context(_connect(args, err, stack))


@contextlib.asynccontextmanager
async def _connect(
    args: argparse.Namespace, err: TextIO, stack: contextlib.AsyncExitStack
) -> AsyncIterator[Any]:
    from .. import Workfront

    kwargs: dict[str, Any] = {}
    if args.api_version:
        kwargs["api_version"] = args.api_version
    if args.url:
        _check_url(args.url)
    base_url = args.url or "https://demo.my.workfront.com"
    if args.redis_url:
        try:
            from .._core.redis_limiter import limiter_from_env

            limiter = limiter_from_env(args.redis_url, base_url=base_url)
        except ImportError as exc:
            raise UsageError(f"--redis-url: {exc}") from None
        except QueryError as exc:
            raise UsageError(f"--redis-url: {exc}") from None
        if limiter is not None:
            stack.push_async_callback(limiter.aclose)
            kwargs["limiter"] = limiter
    if args.url:
        if not args.api_key:
            raise UsageError("--url needs --api-key (or WORKFRONT_API_KEY)")
        async with Workfront(args.url, api_key=args.api_key, **kwargs) as wf:
            yield wf
        return
    from ..testing import Emulator

    if not args.quiet:
        err.write(EMULATOR_NOTE + "\n")
        err.flush()
    with _building(args, err):
        emu = Emulator.with_demo_data(scale=args.demo_scale)
    async with Workfront(
        base_url, api_key=emu.api_key(), transport=emu.transport(), **kwargs
    ) as wf:
        yield wf


@contextlib.contextmanager
def _building(args: argparse.Namespace, err: TextIO) -> Iterator[None]:
    """A spinner on a terminal while the demo tenant is built (about a second
    at the default scale); nothing with -q or when standard error is not a
    terminal (the notice before it says what is happening)."""
    from ._output import is_terminal

    if args.quiet or not is_terminal(err):
        yield
        return
    from rich.console import Console
    from rich.live import Live
    from rich.spinner import Spinner

    tasks = round(DEMO_TASKS * args.demo_scale)
    spinner = Spinner("dots", text=f"Building the demo tenant ({tasks:,} tasks)…")
    # Live draws once on entry, however quick the build, then animates.
    with Live(spinner, console=Console(file=err), transient=True, refresh_per_second=12.5):
        yield


async def _check(wf: Any, obj: str, *field_lists: Sequence[str]) -> None:
    from ._names import NameProblem, check_names

    names = [f for fields in field_lists for f in fields]
    try:
        await check_names(wf, obj, names)
    except NameProblem as exc:
        raise UsageError(str(exc)) from None


# -- commands --------------------------------------------------------------------------


async def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    where = _where(getattr(args, "where", None))
    fields = _fields(getattr(args, "fields", None))
    if args.command == "export":
        if args.show_schema:
            args.output = args.output or "-"  # nothing is written
        elif not args.output:
            raise UsageError(
                "the following arguments are required: -o/--output (a file, or - for "
                "standard output; --show-schema needs none)"
            )
        fmt = _export_format(args)
        if args.output == "-" and fmt == "parquet":
            raise UsageError("-o -: Parquet needs a file; use --format jsonl or csv for a stream")
        if args.planning:
            return await _planning_export(args, fmt, out, err)
    if args.command == "codegen":
        from ..codegen import check_package_name

        check_package_name(args.package)
        if args.planning:
            async with _planning_client(args, err) as planning:
                return await _codegen(planning, args, out, err)
    async with connect(args, err) as wf:
        if args.command == "codegen":
            return await _codegen(wf, args, out, err)
        from ._names import field_paths

        where_fields = list(field_paths(where)) if where is not None else []
        sort = _sort(getattr(args, "sort", None))
        await _check(wf, args.obj, fields, where_fields, [s for s, _ in sort])
        if args.command == "count":
            out.write(f"{await wf.count(args.obj, where)}\n")
        elif args.command == "get":
            rows = await wf.get_many(args.obj, args.ids, fields=fields)
            fmt = args.format or default_format(out, card=True)
            print_rows(list(rows), fmt, out, fields, err=None if args.quiet else err)
            if rows.missing:
                err.write(f"{PROG}: not found: {', '.join(rows.missing)}\n")
                return 1
        elif args.command == "search":
            await _search(wf, args, where, fields, sort, out, err)
        elif args.command == "export" and args.show_schema:
            from ..export import schema_for

            out.write(f"{await schema_for(wf, args.obj, fields)}\n")
        elif args.command == "export":
            await _export(wf, args, fmt, where, fields, out, err)
        elif args.command == "sync":
            await _sync(wf, args, where, fields, err)
        else:  # pragma: no cover - argparse rejects unknown commands
            raise UsageError(f"unknown command {args.command}")
    return 0


async def _search(
    wf: Any,
    args: argparse.Namespace,
    where: Any,
    fields: list[str],
    sort: list[tuple[str, str]],
    out: TextIO,
    err: TextIO,
) -> None:
    if args.limit is not None and args.limit < 0:
        raise UsageError("--limit must be 0 (all rows) or more")
    limit = args.limit or None
    fmt = args.format or default_format(out)
    if fmt == "table" and not fields:
        # a compact column set per object type, those fields the tenant has
        from ._names import known_fields

        compact = await known_fields(wf, args.obj, default_columns(args.obj))
        fields = ["ID", *compact] if compact else []
    search = wf.search(args.obj, where, fields=fields, sort=sort)
    if limit is not None:
        # One row more than asked tells whether the limit cut the result.
        search = search.limit(limit + 1)
    rows = [row async for row in search]
    cut = limit is not None and len(rows) > limit
    if cut:
        rows = rows[:limit]
    print_rows(rows, fmt, out, fields, err=None if args.quiet else err)
    if cut and not args.quiet:
        err.write(
            f"{PROG}: showing the first {limit:,} rows; more match "
            f"(raise --limit, --limit 0 for all, or use export)\n"
        )


async def _export(
    wf: Any,
    args: argparse.Namespace,
    fmt: str,
    where: Any,
    fields: list[str],
    out: TextIO,
    err: TextIO,
) -> None:
    """Typed columns from the tenant's metadata, in every format (see docs/etl.md)."""
    from ._progress import ProgressBar

    to_stdout = args.output == "-"
    bar = ProgressBar(err) if not args.quiet else None
    with bar if bar is not None else contextlib.nullcontext():
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
            if to_stdout:
                out.flush()
                n = await rows.write(_binary(out), fmt, dates=args.dates)
            else:
                n = await rows.write(args.output, fmt, dates=args.dates)
    if not args.quiet:
        where_to = "standard output" if to_stdout else args.output
        err.write(f"wrote {n:,} rows to {where_to}\n")


async def _sync(
    wf: Any, args: argparse.Namespace, where: Any, fields: list[str], err: TextIO
) -> None:
    """Append the rows changed since the saved cursor to ``args.output``, exactly
    once across crashes (see :func:`workfront_async.sync_to_file`)."""
    from ..classic._sync_file import SyncBusyError, sync_to_file

    try:
        report = await sync_to_file(
            wf, args.obj, output=args.output, state=args.state, where=where, fields=fields
        )
    except SyncBusyError as exc:
        raise _SyncBusy(str(exc)) from None
    if not args.quiet:
        err.write(f"{report}\n")


@_prints_usage
@contextlib.asynccontextmanager
async def _planning_client(args: argparse.Namespace, err: TextIO) -> AsyncIterator[Any]:
    """A Planning client: the tenant's (``--url`` and an IMS token) or the embedded one."""
    from .._core.auth import BearerAuth
    from ..planning import Planning, PlanningV2

    client = PlanningV2 if args.planning_version == "2" else Planning

    if args.url:
        _check_url(args.url)
        if not args.planning_token:
            raise UsageError(
                "--planning with --url needs an Adobe IMS access token: --planning-token "
                "or WORKFRONT_PLANNING_TOKEN (Planning takes no API key)"
            )
        async with client(args.url, auth=BearerAuth(args.planning_token)) as planning:
            yield planning
        return
    from ..testing import Emulator

    if not args.quiet:
        err.write(EMULATOR_NOTE + "\n")
        err.flush()
    with _building(args, err):
        emu = Emulator.with_demo_data(scale=args.demo_scale)
    async with client(
        "https://demo.my.workfront.com",
        auth=BearerAuth(emu.issue_token()),
        transport=emu.transport(),
    ) as planning:
        yield planning


async def _planning_export(args: argparse.Namespace, fmt: str, out: TextIO, err: TextIO) -> int:
    from ..export import planning_export

    async with _planning_client(args, err) as planning:
        export = planning_export(planning, args.planning)
        if args.show_schema:
            out.write(f"{await export.schema()}\n")
            return 0
        if args.output == "-":
            out.flush()
            n = await export.write(_binary(out), fmt, dates=args.dates)  # type: ignore[arg-type]
        else:
            n = await export.write(args.output, fmt, dates=args.dates)  # type: ignore[arg-type]
    if not args.quiet:
        where_to = "standard output" if args.output == "-" else args.output
        err.write(f"wrote {n:,} records to {where_to}\n")
    return 0


def _binary(out: TextIO) -> Any:
    """The binary stream under ``out`` (standard output), for the typed writers."""
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        raise UsageError("-o - needs a binary standard output")
    return buffer


def _serve(args: argparse.Namespace, out: TextIO) -> int:
    import time

    from ..testing import Emulator

    kwargs: dict[str, Any] = {
        "max_concurrency": args.max_concurrency,
        "max_uri_bytes": None if args.sandbox else 8892,
        "latency": args.latency,
    }
    started = time.perf_counter()
    if args.empty:
        emulator = Emulator(seed=args.seed, **kwargs)
    else:
        emulator = Emulator.with_demo_data(seed=args.seed, scale=args.demo_scale, **kwargs)
    if not args.quiet:
        out.write(f"Built the tenant in {time.perf_counter() - started:.1f}s: {emulator!r}\n")
        out.flush()
    emulator.serve_forever(port=args.port, host=args.host)
    return 0


def _completion(shell: str, out: TextIO) -> int:
    from argcomplete.shell_integration import shellcode

    out.write(shellcode([PROG], shell=shell))
    return 0


# -- entry point -----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    out, err = sys.stdout, sys.stderr
    parser = build_parser()
    if argv is None:
        import argcomplete

        argcomplete.autocomplete(parser)
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        err.write(f"{PROG}: error: {redact_text(str(exc))}\n")
        return 2
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0)
    debug = args.debug
    secrets = [s for s in (getattr(args, "api_key", None),) if s]
    restore = _setup_logging(err, debug, secrets, quiet=bool(getattr(args, "quiet", False)))
    try:
        return _dispatch(args, out, err, debug, secrets)
    finally:
        restore()


def _setup_logging(
    err: TextIO, debug: bool, secrets: Sequence[str], *, quiet: bool = False
) -> Callable[[], None]:
    """Log to ``err`` through a redacting handler; undone by the returned function
    (so that calling ``main()`` in-process leaves logging as it was). Without
    ``--debug``, each retry of the transport is still one line (not with ``-q``)."""
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secrets))
    names = ["workfront_async", "httpx", "httpcore"] if debug else ["workfront_async.cli"]
    saved = []
    added: list[tuple[logging.Logger, logging.Handler]] = []
    for name in names:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        logger.addHandler(handler)
        added.append((logger, handler))
        logger.setLevel(logging.DEBUG if debug else logging.INFO)
        logger.propagate = False
    if not debug and not quiet:
        retries = logging.StreamHandler(err)
        retries.setFormatter(logging.Formatter("%(message)s"))
        retries.addFilter(_RetryLine())
        retries.addFilter(RedactingFilter(secrets))
        transport = logging.getLogger("workfront_async")
        saved.append((transport, transport.level, transport.propagate))
        transport.addHandler(retries)
        added.append((transport, retries))
        # The transport logs its retries at DEBUG; everything else it logs
        # at that level is dropped by the filter.
        transport.setLevel(logging.DEBUG)

    def restore() -> None:
        for logger, extra in added:
            logger.removeHandler(extra)
        for logger, level, propagate in saved:
            logger.setLevel(level)
            logger.propagate = propagate

    return restore


class _RetryLine(logging.Filter):
    """Passes only the transport's retry records, rewritten as one line:
    ``workfront-async: retrying in 2.0 s: connection refused (attempt 1 of 5)``.

    The record is emitted while the transport handles the failure, so the
    exception being handled is the reason for the retry.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "workfront_async" or not str(record.msg).startswith("retrying after"):
            return False
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) != 4:
            return False
        name, attempt, attempts, delay = args
        exc = sys.exception()
        reason = _reason(exc) if exc is not None else str(name)
        record.msg = (
            f"{PROG}: retrying in {float(delay):.1f} s: {reason} (attempt {attempt} of {attempts})"  # type: ignore[arg-type]
        )
        record.args = ()
        return True


def _reason(exc: BaseException) -> str:
    """A few words for why a request failed: connection refused, timed out, HTTP 503."""
    import socket

    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, ConnectionRefusedError):
            return "connection refused"
        if isinstance(e, ConnectionResetError):
            return "connection reset"
        if isinstance(e, socket.gaierror):
            return "host not found"
        if isinstance(e, TimeoutError):
            return "timed out"
        todo += [e.__cause__, e.__context__, getattr(e, "os_error", None)]
    status = getattr(exc, "status", None)
    if isinstance(status, int):
        return f"HTTP {status} ({type(exc).__name__})"
    return type(exc).__name__


class _Terminated(Exception):
    """SIGTERM arrived; the run was cancelled and cleaned up."""


class _SyncBusy(Exception):
    """Another ``sync`` holds the state file: exit 75, sysexits' ``EX_TEMPFAIL``
    (BSD ``lockf`` uses it for a held lock), so a scheduler can tell "try again
    later" from a failure (1) and from a wrong command line (2)."""


async def _run_until_signalled(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run the command; SIGTERM cancels it the way Ctrl-C does, so partial files
    are removed and the progress bar is finished before exiting with 143."""
    if threading.current_thread() is not threading.main_thread():
        return await _run(args, out, err)
    terminated = False
    code = 0
    failure: BaseException | None = None

    async def watch(*, task_status: Any = anyio.TASK_STATUS_IGNORED) -> None:
        nonlocal terminated
        with anyio.open_signal_receiver(signal.SIGTERM) as signals:
            task_status.started()
            async for _ in signals:
                terminated = True
                tg.cancel_scope.cancel()
                return

    async with anyio.create_task_group() as tg:
        await tg.start(watch)
        try:
            code = await _run(args, out, err)
        except Exception as exc:
            # Re-raised outside the task group so that it is not wrapped in a group.
            failure = exc
        tg.cancel_scope.cancel()
    if terminated:
        raise _Terminated
    if failure is not None:
        raise failure
    return code


def _dispatch(
    args: argparse.Namespace, out: TextIO, err: TextIO, debug: bool, secrets: list[str]
) -> int:
    def fail(code: int, message: str, exc: BaseException | None = None) -> int:
        if debug and exc is not None:
            import traceback

            err.write(redact_text("".join(traceback.format_exception(exc)), secrets))
        err.write(f"{PROG}: {redact_text(message, secrets)}\n")
        return code

    try:
        if args.command == "completion":
            return _completion(args.shell, out)
        if args.command == "emulator":
            return _serve(args, out)
        return anyio.run(_run_until_signalled, args, out, err)
    except BrokenPipeError:
        # The reader went away (`| head -1`): that is not an error. Point
        # standard output at /dev/null so that the final flush stays quiet.
        _silence(out)
        return 0
    except _SyncBusy as exc:
        return fail(75, f"busy: {exc}", exc)
    except (UsageError, QueryError) as exc:
        return fail(2, f"error: {exc}", exc)
    except (RecursionError, MemoryError) as exc:
        return fail(2, "error: the input is too large or nested too deeply", exc)
    except _Terminated:
        return fail(143, "terminated")
    except KeyboardInterrupt:
        return fail(130, "interrupted")
    except (WorkfrontError, OSError) as exc:
        # the transport's notes say why it stopped retrying
        notes = "; ".join(getattr(exc, "__notes__", ()))
        return fail(1, f"{type(exc).__name__}: {exc}" + (f"; {notes}" if notes else ""), exc)
    except ImportError as exc:
        return fail(1, f"error: {exc}", exc)
    except Exception as exc:
        message = f"unexpected {type(exc).__name__}: {exc} (run with --debug for details)"
        return fail(1, message, exc)


def _silence(out: TextIO) -> None:
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
