"""``python -m benchmarks [--quick] [--out PATH]``: run every benchmark, print
the table, write the JSON result file (default ``benchmarks/results/latest.json``)."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import orjson

from . import (
    codegen,
    cpu_per_row,
    emulator_served,
    emulator_speed,
    memory,
    over_http,
    query_compile,
    single_call,
    throughput,
)
from ._common import Sizes, emulator_command, fast_command, machine, served_process

SECTIONS = (
    "throughput",
    "alternatives",
    "cpu_per_row",
    "cpu_per_row_inprocess",
    "memory",
    "query_compile",
    "single_call",
    "emulator_speed",
    "emulator_served",
    "codegen",
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


_CPU_CLIENTS = (
    ("ours", "ours (`export.pages()`, default node)"),
    ("ours_typed", "ours typed (`wf.export(Task)`, msgspec, default node)"),
    ("ours_httpx", 'ours with `http="httpx"`'),
    ("aiohttp_bare", "bare aiohttp + orjson"),
    ("raw", "raw asyncio client + orjson"),
    ("ceiling", "raw asyncio client, no decode"),
)
_TP_CLIENTS = (
    ("ours_typed", "ours typed (`wf.export(Task)`)"),
    ("ours_httpx", 'ours with `http="httpx"`'),
    ("aiohttp_bare", "bare aiohttp + orjson"),
    ("raw", "raw asyncio client + orjson (calibration)"),
    ("ceiling", "raw asyncio client, no decode (the server's ceiling)"),
)


def _stand_in_lines(tp: dict[str, Any], run: dict[str, Any]) -> list[str]:
    lat = run["latency"]
    head = (
        f"stand-in server, {run['rows']:,} rows, cap {tp['cap']}, P={tp['page_size']}, "
        f"L={lat * 1000:.0f} ms"
    )
    if lat == 0:
        return [
            f"| 1 | {head}: rows/s, ours / raw / ceiling (CPU-bound) | "
            f"{_r(run['rows_per_s'], 0)} / {_r(run['clients']['raw']['rows_per_s'], 0)} / "
            f"{_r(run['clients']['ceiling']['rows_per_s'], 0)} | |"
        ]
    lines = [
        f"| 1 | {head}: ours (default node), ratio to C x P / L = "
        f"{run['limit_rows_per_s']:,.0f} rows/s (the count + pages schedule allows "
        f"{run['schedule_bound_ratio']:.3f}) | **{_r(run['ratio'], 3)}** | "
        f">= {run['target']} {_met(run['met'])} |",
        f"| 1 | {head}: ours / raw calibration client | **{_r(run['ours_to_raw'], 3)}** | "
        f">= {run['target_to_raw']} {_met(run['met_to_raw'])} |",
    ]
    for name, label in _TP_CLIENTS:
        client = run["clients"][name]
        mark = f">= {client['target']} {_met(client['met'])}" if "target" in client else ""
        lines.append(
            f"| 1 | {head}: {label}, ratio to C x P / L | {_r(client['ratio'], 3)} | {mark} |"
        )
    lines.append(f"| 1 | {head}: ours typed / ours (rows/s) | {_r(run['typed_to_ours'], 3)} | |")
    return lines


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
        if run["server"] != "emulator":
            lines.extend(_stand_in_lines(tp, run))
            continue
        head = (
            f"export from the emulator, {run['rows']:,} rows, cap {tp['cap']}, "
            f"P={tp['page_size']}, L={lat * 1000:.0f} ms"
        )
        if lat > 0:
            lines.append(
                f"| 1 | {head}: rows/s; ratio to C x P / L = {run['limit_rows_per_s']:,.0f} "
                f"(the count + pages schedule allows {run['schedule_bound_ratio']:.2f}) | "
                f"{_r(run['rows_per_s'], 0)}; **{_r(run['ratio'])}** | (emulator-bound) |"
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
    http_cpu = s["cpu_per_row"]
    loads = _r(http_cpu["loads_us_per_row"])
    marks = {
        "ours": f"<= {http_cpu['target']} {_met(http_cpu['met'])}",
        "ours_typed": f"<= {http_cpu['typed_target']} {_met(http_cpu['typed_met'])}",
    }
    for name, label in _CPU_CLIENTS:
        c = http_cpu["clients"][name]
        lines.append(
            f"| 3 | CPU per row over real HTTP, {http_cpu['rows']:,} rows of "
            f"{http_cpu['bytes_per_row']:.0f} B: {label} ({_r(c['cpu_us_per_row'])} us) / "
            f"orjson.loads ({loads} us) | {_r(c['ratio_to_loads'])} | {marks.get(name, '')} |"
        )
    bare = _r(http_cpu["clients"]["aiohttp_bare"]["cpu_us_per_row"])
    for name, label in _CPU_CLIENTS:
        c = http_cpu["clients"][name]
        mark = (
            f"<= {http_cpu['target_to_aiohttp_bare']} {_met(http_cpu['met_to_aiohttp_bare'])}"
            if name == "ours"
            else ""
        )
        if name != "aiohttp_bare":
            lines.append(
                f"| 3 | CPU per row over real HTTP: {label} / bare aiohttp + orjson "
                f"({bare} us) | {_r(c['ratio_to_aiohttp_bare'])} | {mark} |"
            )
    cpu = s["cpu_per_row_inprocess"]
    lines.append(
        f"| 3 | extra, in-process (httpx.MockTransport replay, no socket, no HTTP parser), "
        f"{cpu['rows']:,} rows: ours (`export.pages()`) / orjson.loads "
        f"({_r(cpu['ours_us_per_row'])} vs {_r(cpu['loads_us_per_row'])} us) | "
        f"{_r(cpu['ratio'])} | |"
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
        f"| 5 | 5 conditions, one OR: build + compile_classic, same query again (us) | "
        f"{_r(qc['build_and_compile_us'], 1)} | <= {qc['target_us']:g} {_met(qc['met'])} |"
    )
    lines.append(
        f"| 5 | the same with a new value each time (compile cache misses) (us) | "
        f"{_r(qc['build_and_compile_cold_us'], 1)} | |"
    )
    lines.append(
        f"| 5 | of which: build only; compile of a built expression, cached; by hand (us) | "
        f"{_r(qc['build_only_us'], 1)}; {_r(qc['compile_only_cached_us'], 1)}; "
        f"{_r(qc['by_hand_us'], 2)} | |"
    )
    lines.append(f"| 5 | ratio compile / by hand | {_r(qc['ratio'], 0)} | |")
    sc = s["single_call"]
    sh = sc["over_http"]
    lines.append(
        f"| 6 | one get over real HTTP (loopback, server in its own process): ours / ours with "
        f'`http="httpx"` / bare httpx (us) | {_r(sh["ours_us"], 0)} / '
        f"{_r(sh['ours_httpx_us'], 0)} / {_r(sh['httpx_us'], 0)} | |"
    )
    lines.append(
        f"| 6 | ratio ours / bare httpx over HTTP (httpx node: {_r(sh['ratio_httpx_node'])}) | "
        f"**{_r(sh['ratio'])}** | <= {sh['target']} {_met(sh['met'])} |"
    )
    lines.append(
        f"| 6 | extra, in process (one `MockTransport`, no socket): ours / bare httpx (us); "
        f"ratio | {_r(sc['ours_us'], 0)} / {_r(sc['httpx_us'], 0)}; {_r(sc['ratio'])} | |"
    )
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
    es = s["emulator_served"]
    head = f"served emulator, {es['rows']:,} tasks, cap {es['cap']}, P={es['page_size']}"
    lines.append(
        f"| 8 | {head}, L={es['latency'] * 1000:.0f} ms: our export, ratio to C x P / L "
        f"(the count + pages schedule allows {es['schedule_bound']:.2f}) | "
        f"**{_r(es['export_ratio'])}** | >= {emulator_served.TARGET_RATIO} "
        f"{_met(es['met']['export'])} |"
    )
    lines.append(
        f"| 8 | {head}, L={es['latency'] * 1000:.0f} ms: what the server allows, the raw "
        f"client without decoding (ceiling) / decoding with orjson | "
        f"{_r(es['ceiling_ratio'])} / {_r(es['raw_ratio'])} | |"
    )
    for key, how in (
        ("cheap_request_ms", "an export in another process"),
        ("cheap_request_ms_load_niced", "the same export at a lower CPU priority (nice 10)"),
    ):
        lines.append(
            f"| 8 | {head}, L=0: a cheap request (get by ID) beside {how}: p50 / p95 (ms) | "
            f"{es[key]['p50']:.1f} / **{es[key]['p95']:.1f}** | "
            + (
                f"p95 < {emulator_served.TARGET_P95_MS:.0f} {_met(es['met']['cheap_request'])} |"
                if key == "cheap_request_ms"
                else "|"
            )
        )
    deep = es["deep_page_over_first"]
    lines.append(
        f"| 8 | {head}: page at $$FIRST = half the tasks over the first page: ID-ordered / "
        f"filtered and sorted by another field | {deep['by_ID']:.2f} / "
        f"{deep['filtered_sorted']:.1f} | about 1 for ID-ordered |"
    )
    cg = s["codegen"]
    lines.append(
        f"| 9 | codegen of {len(cg['objects'])} objects of the demo tenant (in-process "
        f"emulator; {cg['source_bytes']:,} B of source), s | {_r(cg['generate_s'])} | "
        f"< {cg['target_generate_s']:g} {_met(cg['met']['generate'])} |"
    )
    lines.append(
        f"| 9 | import in a fresh process: `workfront_async.models`, then the generated "
        f"package alone, s (first process, byte-compiling: "
        f"{cg['first_import']['package']:.3f}) | {_r(cg['import_library_s'], 3)}; "
        f"**{_r(cg['import_package_s'], 3)}** | "
        f"< {cg['target_import_s']:g} (package) {_met(cg['met']['import'])} |"
    )
    return "\n".join(lines)


def run(sizes: Sizes, log: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="wf-bench-models-") as models:
        return _run(sizes, log, Path(models))


def _run(sizes: Sizes, log: Any, models: Path) -> dict[str, Any]:
    from workfront_async.testing import Emulator

    started = time.perf_counter()
    sections: dict[str, Any] = {}
    # In-process sections first, alone on the machine.
    log(f"building the in-process emulator (scale {sizes.emulator_scale}) ...")
    emu = Emulator.with_demo_data(scale=sizes.emulator_scale)
    log(f"9 codegen of {len(codegen.OBJECTS)} objects, import in a fresh process ...")
    sections["codegen"] = codegen.run(sizes, emu, models)
    task = codegen.load(models, "Task")  # the row class of the typed client over HTTP
    log("5 query compile ...")
    sections["query_compile"] = query_compile.run(sizes)
    log("6 single call ...")
    sections["single_call"] = single_call.run(sizes)
    log("3 cpu per row (in-process extra) ...")
    sections["cpu_per_row_inprocess"] = cpu_per_row.run(sizes, emu)
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
        log(f"1+3 over HTTP, stand-in server, {sizes.fast_rows:,} rows, interleaved clients ...")
        stand_in = over_http.run(sizes, stand_ins, sizes.fast_rows, task)
        runs += stand_in["runs"]
        sections["cpu_per_row"] = stand_in["cpu_per_row"]
        log("6 one get over HTTP ...")
        sections["single_call"]["over_http"] = single_call.run_http(sizes, stand_ins[0].base_url)
        sections["throughput"] = {"cap": throughput.CAP, "page_size": sizes.page_size, "runs": runs}
        log("2 alternatives ...")
        alt = next(s for s in emulators if s.latency == sizes.alt_latency)
        sections["alternatives"] = throughput.run_alternatives(sizes, alt, rows)
        build = [s.build_seconds for s in emulators]
    log("8 the served emulator (its own servers) ...")
    sections["emulator_served"] = emulator_served.run(
        sizes.scale, max(sizes.latencies), sizes.http_reps, 40 if sizes.quick else 200
    )
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
    for name, key in (
        ("cpu_per_row", "profile"),
        ("cpu_per_row", "profile_typed"),
        ("cpu_per_row_inprocess", "profile"),
        ("emulator_speed", "profile_export_page"),
    ):
        print(f"\n{name} ({key}): cProfile, top by own time\n{result['sections'][name][key]}")
    print(f"\nwrote {out} in {result['seconds']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
