"""``python -m benchmarks.telemetry`` still runs (tiny sizes; no timing
assertions: only that every setting is measured and the export is whole)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_telemetry_benchmark_measures_every_setting(tmp_path: Path) -> None:
    out = tmp_path / "telemetry.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.telemetry", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["rows"] == 1000
    assert set(result["us_per_row"]) == {"absent", "off", "api", "sdk"}
    for spread in result["us_per_row"].values():
        assert spread["n"] == 2
        assert 0 < spread["min"] <= spread["median"] <= spread["max"]
        assert math.isfinite(spread["max"])
    assert result["ratio_to_absent"]["absent"] == 1.0
    assert "CPU per row" in done.stdout
