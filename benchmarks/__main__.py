"""``python -m benchmarks [--quick] [--out PATH]``: run every benchmark, print
the table, write the JSON result file (default ``benchmarks/results/latest.json``)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import orjson

from . import cpu_per_row, emulator_speed, memory, query_compile, single_call, throughput
from ._common import Sizes, emulator_command, fast_command, machine, served_process

SECTIONS = (
    "throughput",
    "alternatives",
    "cpu_per_row",
    "memory",
    "query_compile",
    "single_call",
    "emulator_speed",
)
DEFAULT_OUT = Path(__file__).parent / "results" / "latest.json"


def _r(d: dict[str, Any], digits: int = 2, scale: float = 1.0) -> str:
    f = f"{{:,.{digits}f}}"
    return (
        f"{f.format(d['median'] * scale)} "
        f"({f.format(d['min'] * scale)} - {f.format(d['max'] * scale)})"
    )


def _met(flag: bool) -> str:
    return "met" if flag else "**missed**"


def table(result: dict[str, Any]) -> str:
    """The Markdown table of a result: median (min - max) of the repetitions."""
    s = result["sections"]
    lines = [
        "| # | measurement | median (min - max) | target |",
        "|---|---|---|---|",
    ]
    tp = s["throughput"]
    for run in tp["runs"]:
        lat = run["latency"]
        where = "emulator" if run["server"] == "emulator" else "stand-in server"
        head = (
            f"export from the {where}, {run['rows']:,} rows, cap {tp['cap']}, "
            f"P={tp['page_size']}, L={lat * 1000:.0f} ms"
        )
        if lat > 0:
            lines.append(
                f"| 1 | {head}: rows/s; ratio to C x P / L = {run['limit_rows_per_s']:,.0f} "
                f"(the count + pages schedule allows {run['schedule_bound_ratio']:.2f}) | "
                f"{_r(run['rows_per_s'], 0)}; **{_r(run['ratio'])}** | >= 0.95 "
                f"{_met(run['met'])} |"
            )
        else:
            lines.append(
                f"| 1 | {head}: rows/s (no latency: CPU-bound) | {_r(run['rows_per_s'], 0)} | |"
            )
    alt = s["alternatives"]
    head = f"L={alt['latency'] * 1000:.0f} ms, {alt['rows']:,} rows"
    lines.append(f"| 2 | ours, {head}: rows/s | {_r(alt['ours_rows_per_s'], 0)} | |")
    for key, name in (
        ("python_workfront", "python-workfront (sync, page after page)"),
        ("httpx_sequential", "sequential httpx loop"),
    ):
        lines.append(
            f"| 2 | {name}: rows/s; ours as a multiple | {_r(alt[key]['rows_per_s'], 0)}; "
            f"**x{_r(alt[key]['ours_multiple'], 1)}** | |"
        )
    ng = alt["naive_gather"]
    multiple = ng["ours_multiple"]
    lines.append(
        f"| 2 | naive asyncio.gather of {ng['pages']} pages, no cap: 429s; pages ok; finished | "
        f"{_r(ng['status_429'], 0)}; {_r(ng['ok_pages'], 0)}; {ng['finished']}"
        f"{'; ours x' + _r(multiple, 1) if multiple else ' (no complete export)'} | |"
    )
    cpu = s["cpu_per_row"]
    lines.append(
        f"| 3 | CPU per row at zero latency, {cpu['rows']:,} rows: ours (`export.pages()`) / "
        f"orjson.loads ({_r(cpu['ours_us_per_row'])} vs {_r(cpu['loads_us_per_row'])} us) | "
        f"{_r(cpu['ratio'])} | <= {cpu['target']} {_met(cpu['met'])} |"
    )
    lines.append(
        f"| 3 | same, one row at a time (`async for row in export`, "
        f"{_r(cpu['ours_rowwise_us_per_row'])} us) / orjson.loads | {_r(cpu['ratio_rowwise'])} | |"
    )
    lines.append(
        f"| 3 | same, against orjson.loads keeping the last 10 decoded pages alive, as the "
        f"export's window does ({_r(cpu['loads_windowed_us_per_row'])} us) | "
        f"{_r(cpu['ratio_to_loads_windowed'])} | |"
    )
    lines.append(
        f"| 3 | same, against orjson.loads + a plain loop over the rows "
        f"({_r(cpu['loads_and_loop_us_per_row'])} us) | {_r(cpu['ratio_to_loads_and_loop'])} | |"
    )
    mem = s["memory"]
    small, large = mem["rows"]
    lines.append(
        f"| 4 | peak RSS, JSON Lines export: {small:,} rows / {large:,} rows (MB) | "
        f"{_r(mem['peak_mb'][0], 1)} / {_r(mem['peak_mb'][1], 1)} | |"
    )
    lines.append(
        f"| 4 | peak RSS ratio {large:,} / {small:,} rows | {_r(mem['ratio'])} | "
        f"<= {mem['target']} {_met(mem['met'])} |"
    )
    if mem["plateau"]:
        lines.append(
            f"| 4 | peak RSS at {mem['plateau']['rows']:,} rows (one run: where it levels off) "
            f"| {mem['plateau']['peak_mb']:.1f} MB | |"
        )
    qc = s["query_compile"]
    lines.append(
        f"| 5 | 5 conditions, one OR: build + compile_classic / by hand (us) | "
        f"{_r(qc['build_and_compile_us'], 1)} / {_r(qc['by_hand_us'], 2)} | |"
    )
    lines.append(f"| 5 | ratio compile / by hand | {_r(qc['ratio'], 0)} | |")
    sc = s["single_call"]
    lines.append(
        f"| 6 | one get: ours / bare httpx (us) | {_r(sc['ours_us'], 0)} / "
        f"{_r(sc['httpx_us'], 0)} | |"
    )
    lines.append(f"| 6 | ratio ours / bare httpx | {_r(sc['ratio'])} | |")
    em = s["emulator_speed"]
    lines.append(
        f"| 7 | emulator: filtered, sorted page ({em['filtered_rows']:,} rows of "
        f"{em['tasks']:,} tasks), ms; ratio to 1 s | {_r(em['filtered_page_s'], 1, 1000)}; "
        f"{_r(em['ratio_to_1s'], 3)} | < 1 s {_met(em['met'])} |"
    )
    lines.append(
        f"| 7 | emulator: the export's ID-sorted page of {em['export_page_rows']:,} rows at "
        f"$$FIRST={em['export_page_first']:,}, ms | {_r(em['export_page_s'], 1, 1000)} | |"
    )
    return "\n".join(lines)


def run(sizes: Sizes, log: Any) -> dict[str, Any]:
    from workfront_async.testing import Emulator

    started = time.perf_counter()
    sections: dict[str, Any] = {}
    # In-process sections first, alone on the machine.
    log(f"building the in-process emulator (scale {sizes.emulator_scale}) ...")
    emu = Emulator.with_demo_data(scale=sizes.emulator_scale)
    log("5 query compile ...")
    sections["query_compile"] = query_compile.run(sizes)
    log("6 single call ...")
    sections["single_call"] = single_call.run(sizes)
    log("3 cpu per row ...")
    sections["cpu_per_row"] = cpu_per_row.run(sizes, emu)
    log("7 emulator speed ...")
    sections["emulator_speed"] = emulator_speed.run(sizes, emu)
    del emu
    log("4 memory ...")
    sections["memory"] = memory.run(sizes)

    latencies = (0.0, *sizes.latencies)
    commands = [(emulator_command(sizes.scale, lat), lat) for lat in latencies]
    commands += [(fast_command(sizes.fast_rows, lat, sizes.page_size), lat) for lat in latencies]
    log(f"starting {len(commands)} servers (emulator scale {sizes.scale}) ...")
    with served_process(commands) as servers:
        emulators, stand_ins = servers[: len(latencies)], servers[len(latencies) :]
        log(f"servers ready ({[s.build_seconds for s in emulators]} s to build the tenants)")
        first = emulators[0]
        count_url = f"{first.base_url}/attask/api/v21.0/task/count"
        rows = httpx.get(count_url, params={"apiKey": first.api_key}).json()["data"]["count"]
        log(f"1 throughput over HTTP, {rows:,} rows ...")
        runs = throughput.run_limit(sizes, emulators, rows, "emulator")
        log(f"1 throughput over HTTP, stand-in server, {sizes.fast_rows:,} rows ...")
        runs += throughput.run_limit(sizes, stand_ins, sizes.fast_rows, "stand-in")
        sections["throughput"] = {"cap": throughput.CAP, "page_size": sizes.page_size, "runs": runs}
        log("2 alternatives ...")
        alt = next(s for s in emulators if s.latency == sizes.alt_latency)
        sections["alternatives"] = throughput.run_alternatives(sizes, alt, rows)
        build = [s.build_seconds for s in emulators]
    return {
        "quick": sizes.quick,
        "machine": machine(),
        "served_build_seconds": build,
        "seconds": time.perf_counter() - started,
        "sections": {name: sections[name] for name in SECTIONS},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run, seconds)")
    parser.add_argument(
        "--out", type=Path, default=None, help=f"result file (default {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    sizes = Sizes.tiny() if args.quick else Sizes.full()
    out: Path = args.out or DEFAULT_OUT

    def log(msg: str) -> None:
        print(f"[bench] {msg}", file=sys.stderr, flush=True)

    result = run(sizes, log)
    result["command"] = "python -m benchmarks" + (" --quick" if args.quick else "")
    result["table"] = table(result)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n")
    print(result["table"])
    for name in ("cpu_per_row", "emulator_speed"):
        section = result["sections"][name]
        key = "profile" if "profile" in section else "profile_export_page"
        print(f"\n{name}: cProfile, top by own time\n{section[key]}")
    print(f"\nwrote {out} in {result['seconds']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
