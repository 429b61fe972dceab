"""The engines benchmark still runs (``python -m benchmarks.engines --quick``)
and reads every row: no timing is asserted, only that each engine read what one
process read, and three tenants three times that."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, worker_env

pytestmark = pytest.mark.engines


def test_the_engines_benchmark_runs_and_reads_every_row(tmp_path: Path) -> None:
    out = tmp_path / "engines.json"
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.engines", "--quick", "--out", str(out)],
        cwd=ROOT,
        env={**worker_env(), "SPARK_LOCAL_IP": "127.0.0.1"},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(out.read_text())
    rows = result["rows"]
    assert rows["one_process"] > 0
    for engine in ("spark", "dask"):
        assert rows[engine] == rows["one_process"]
        assert rows[f"{engine}_three_tenants"] == 3 * rows["one_process"]
        for key in ("rows_per_s", "vs_one_process", "three_tenants_vs_one"):
            spread = result[engine][key]
            assert spread["min"] <= spread["median"] <= spread["max"]
    assert "| spark |" in result["table"]
