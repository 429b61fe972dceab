"""Section 9: generating a typed package from a tenant, and importing it.

``generate(wf, OBJECTS, ...)`` runs against the in-process demo emulator
(built once at the start of the run) for the 20 most used object codes the
demo tenant has (checked against its ``GET /metadata`` before timing): the
seconds cover reading the metadata, the custom forms and the statuses, and
rendering and writing the package. The emulator answers in-process, so the
figure is the generator's own work plus the emulator's answers, not a
network.

The import is timed in a fresh interpreter each time (``python -c``), in two
steps: ``import workfront_async.models`` (the library and msgspec), then the
generated package alone (its module body: every row class and namespace).
The first process also byte-compiles the package (``__pycache__``) and is
reported on its own; the repetitions after it are what every later import
costs.

The package generated here also gives the over-HTTP sections their row class
(``Task``, see ``benchmarks.over_http``).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from workfront_async import Workfront
from workfront_async.codegen import generate
from workfront_async.testing import Emulator

from ._common import ROOT, Sizes, spread

__all__ = ["OBJECTS", "PACKAGE", "load", "run"]

# The demo tenant's 20 most used object codes (it has no timesheets: JRNLE,
# the updates feed, takes that place).
OBJECTS = (
    "TASK",
    "PROJ",
    "OPTASK",
    "USER",
    "PORT",
    "PRGM",
    "HOUR",
    "ASSGN",
    "DOCU",
    "NOTE",
    "EXPNS",
    "GROUP",
    "ROLE",
    "CMPY",
    "TMPL",
    "TTSK",
    "BSLN",
    "CTGY",
    "PARAM",
    "JRNLE",
)
PACKAGE = "bench_models"
BASE = "https://bench.my.workfront.com"
TARGET_SECONDS = 5.0
TARGET_IMPORT_SECONDS = 0.5

_IMPORT = """
import json, time
started = time.perf_counter()
import workfront_async.models
library = time.perf_counter() - started
started = time.perf_counter()
import {package}
package = time.perf_counter() - started
print(json.dumps({{"library": library, "package": package}}))
"""


async def _generate(emu: Emulator, out: Path) -> tuple[float, int]:
    async with Workfront(BASE, api_key=emu.api_key(), transport=emu.transport()) as wf:
        known = set((await wf.metadata()).raw["objects"])
        missing = sorted(set(OBJECTS) - known)
        if missing:
            raise RuntimeError(f"the demo tenant has no {missing}; pick other object codes")
        started = time.perf_counter()
        done = await generate(wf, OBJECTS, package=PACKAGE, out=out)
        seconds = time.perf_counter() - started
    return seconds, len(done.classes)


def _import_once(out: Path) -> dict[str, float]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(out), ROOT, env.get("PYTHONPATH", "")) if p)
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT.format(package=PACKAGE)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seconds: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return seconds


def run(sizes: Sizes, emu: Emulator, out: Path) -> dict[str, Any]:
    """Generate the package ``reps`` times (into ``out/<rep>``, the last one
    into ``out`` itself, which the caller imports), then time its import."""
    generated: list[float] = []
    classes = 0
    for rep in range(sizes.reps):
        target = out if rep == sizes.reps - 1 else out / f"rep{rep}"
        seconds, classes = asyncio.run(_generate(emu, target))
        generated.append(seconds)
    first = _import_once(out)
    later = [_import_once(out) for _ in range(sizes.reps)]
    source = out / PACKAGE / "__init__.py"
    gen = spread(generated)
    package = spread([t["package"] for t in later])
    return {
        "objects": list(OBJECTS),
        "classes": classes,
        "source_bytes": source.stat().st_size,
        "generate_s": gen.as_dict(),
        "import_library_s": spread([t["library"] for t in later]).as_dict(),
        "import_package_s": package.as_dict(),
        "first_import": first,
        "target_generate_s": TARGET_SECONDS,
        "target_import_s": TARGET_IMPORT_SECONDS,
        "met": {
            "generate": gen.median < TARGET_SECONDS,
            "import": package.median < TARGET_IMPORT_SECONDS,
        },
    }


def load(out: Path, name: str) -> Any:
    """The row class ``name`` of the package generated under ``out``."""
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    import importlib

    return getattr(importlib.import_module(PACKAGE), name)
