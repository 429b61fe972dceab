"""The benchmark suite still runs: ``python -m benchmarks --quick``
at tiny sizes. No timing assertions: only that it runs and writes a
well-formed result file with every section present."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = {
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
}
CLIENTS = {"ceiling", "raw", "aiohttp_bare", "ours", "ours_httpx", "ours_typed"}


def _is_spread(d: Any) -> bool:
    return (
        isinstance(d, dict)
        and all(
            isinstance(d.get(k), (int, float)) and math.isfinite(d[k])
            for k in ("median", "min", "max")
        )
        and d["min"] <= d["median"] <= d["max"]
        and d["n"] >= 2
    )


def test_quick_benchmark_run_writes_every_section(tmp_path: Path) -> None:
    # python-workfront and uvicorn come with the test extra. (Never import
    # python-workfront here: its bundled `six` breaks later imports under
    # filterwarnings=error; the benchmark runs it in its own process.)
    out = tmp_path / "result.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["quick"] is True
    assert set(result["sections"]) == SECTIONS
    facts = result["machine"]
    assert facts["cpu_count"] >= 1
    assert facts["python"]
    assert facts["libraries"]["httpx"]
    s = result["sections"]

    runs = s["throughput"]["runs"]
    assert next(r["latency"] for r in runs) == 0.0
    assert len(runs) >= 2
    for run in runs:
        assert _is_spread(run["rows_per_s"])
        if run["latency"] > 0:
            assert _is_spread(run["ratio"])
            assert isinstance(run["met"], bool)

    alt = s["alternatives"]
    for key in ("python_workfront", "httpx_sequential"):
        assert _is_spread(alt[key]["rows_per_s"])
        assert _is_spread(alt[key]["ours_multiple"])
    naive = alt["naive_gather"]
    assert _is_spread(naive["status_429"])
    assert "/" in naive["finished"]

    # Over real HTTP against the stand-in server, with its ceiling measured beside ours.
    stand_in = [r for r in runs if r["server"] == "stand-in"]
    assert {r["latency"] for r in stand_in} >= {0.0}
    for run in stand_in:
        assert set(run["clients"]) == CLIENTS
        assert all(_is_spread(c["rows_per_s"]) for c in run["clients"].values())
        if run["latency"] > 0:
            assert _is_spread(run["ours_to_raw"])
            assert 0 < run["schedule_bound_ratio"] <= 1
            # Throughput targets for the dict and the typed export.
            for name in ("ours", "ours_typed"):
                client = run["clients"][name]
                assert _is_spread(client["ratio"])
                assert 0 < client["target"] < 1
                assert isinstance(client["met"], bool)
            assert _is_spread(run["typed_ratio"])
            assert _is_spread(run["typed_to_ours"])
            assert isinstance(run["typed_met"], bool)
    cpu = s["cpu_per_row"]
    assert _is_spread(cpu["ratio"])
    assert set(cpu["clients"]) == CLIENTS
    for client in cpu["clients"].values():
        assert _is_spread(client["ratio_to_loads"])
        assert _is_spread(client["ratio_to_aiohttp_bare"])
    assert _is_spread(cpu["ratio_to_aiohttp_bare"])
    assert cpu["target_to_aiohttp_bare"] == 1.1
    assert isinstance(cpu["met_to_aiohttp_bare"], bool)
    assert _is_spread(cpu["typed_ratio"])
    assert cpu["typed_target"] == 1.0
    assert isinstance(cpu["typed_met"], bool)
    assert "ncalls" in cpu["profile"]
    assert "ncalls" in cpu["profile_typed"]
    # Codegen of 20 objects of the demo tenant, and the import of the package.
    codegen = s["codegen"]
    assert len(codegen["objects"]) == 20
    assert codegen["classes"] == 20
    assert _is_spread(codegen["generate_s"])
    assert _is_spread(codegen["import_library_s"])
    assert _is_spread(codegen["import_package_s"])
    assert codegen["first_import"]["package"] > 0
    assert (codegen["target_generate_s"], codegen["target_import_s"]) == (5.0, 0.5)
    assert set(codegen["met"]) == {"generate", "import"}
    assert _is_spread(s["cpu_per_row_inprocess"]["ratio"])
    assert facts["load_average"]
    memory = s["memory"]
    assert memory["rows"][0] < memory["rows"][1]
    assert all(_is_spread(p) for p in memory["peak_mb"])
    assert _is_spread(memory["ratio"])
    assert _is_spread(s["query_compile"]["ratio"])
    assert _is_spread(s["query_compile"]["build_and_compile_cold_us"])
    assert s["query_compile"]["parameters"] == 16
    assert _is_spread(s["single_call"]["ratio"])
    assert _is_spread(s["single_call"]["over_http"]["ratio"])
    emulator = s["emulator_speed"]
    assert _is_spread(emulator["filtered_page_s"])
    assert emulator["filtered_rows"] > 0
    served = s["emulator_served"]
    assert _is_spread(served["export_ratio"])
    assert 0 < served["schedule_bound"] < 1
    assert 0 < served["cheap_request_ms"]["p50"] <= served["cheap_request_ms"]["p95"]
    assert served["deep_page_over_first"]["by_ID"] > 0

    # The printed table has a row for every one of the nine measurements.
    numbers = {line.split("|")[1].strip() for line in result["table"].splitlines()[2:]}
    assert numbers == {str(i) for i in range(1, 10)}
    assert result["table"] in done.stdout
