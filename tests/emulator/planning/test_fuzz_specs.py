"""A schema-driven fuzzer (schemathesis) over the served emulator's Planning API,
driven by Adobe's OpenAPI files (``tests/specs/planning``, patched where they
contradict themselves and where a fuzzer needs it: ``patches.py``).

For every operation of ``static/v1.json`` and ``static/v2.json`` it sends the
file's examples and generated requests, schema-valid ("positive") and
schema-violating ("negative"), over real HTTP to the emulator on 127.0.0.1,
with real IDs of the demo tenant or generated ones. Each answer must:

* not be a 5xx (no crash);
* have a status, media type, headers and body the file documents;
* refuse every schema-violating request (4xx);
* take every schema-valid request, unless the refusal is about the data
  rather than its shape: an unknown field, sort key or cursor, a filter the
  field's type does not take, a record type the body and the path disagree
  on. Those carry the emulator's own codes (``SEMANTIC_CODES``); a refusal
  naming a schema rule (``TypeMismatch``, ``NotNull``, ``Size``, ...) on
  schema-valid data is a finding.

And every path answers a method it does not have with 405 and ``Allow``.

Bounded for the default suite (``EXAMPLES`` per operation and mode, about a
minute here); ``PLANNING_FUZZ_EXAMPLES=200 pytest tests/emulator/planning/test_fuzz_specs.py``
(or ``nox -s fuzz``) digs deeper.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.specs.planning.patches import OPERATIONS, patched, raw
from workfront_async.testing import Emulator
from workfront_async.testing.planning import PlanningBackend

METHODS = ("get", "put", "post", "patch", "delete")
UNDECLARED = ("PATCH", "PUT", "DELETE", "POST", "GET")
EXAMPLES = int(os.environ.get("PLANNING_FUZZ_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Refusals of schema-valid requests that are about the data, not its shape (the
# emulator's machine codes; a 400's v2 errors[].code or v1 report.errorCode)
SEMANTIC_CODES = frozenset(
    {
        "INVALID_FIELD_VALUE",  # a data key that names no field, a value the field refuses
        "INVALID_FIELD",  # a field option the store cannot hold
        "INVALID_CURSOR",  # a cursor the service did not issue (getHistory: "invalid cursor")
        "INVALID_SORT",  # a sort key that names no field
        "INVALID_FILTER",  # a filter on no field, or one the field's type does not take
        "INVALID_FILTER_OPERATOR",
        "INVALID_GROUPING",  # a grouping field that does not exist
        "INVALID_ATTRIBUTE",  # v1 ?attributes= naming no attribute
        "INVALID_LIMIT",  # v1 limit above 2000 (Adobe's page; v1.json has no maximum)
        "INVALID_REQUEST",  # ids that disagree, a move without its anchor, a negative offset
        "THUMBNAIL_EMPTY",
        "THUMBNAIL_INVALID_FORMAT",
        "THUMBNAIL_INVALID_CONTENT",
    }
)


@contextlib.contextmanager
def served_in_a_thread(emu: Emulator) -> Iterator[str]:
    """The emulator served on 127.0.0.1 by uvicorn in a thread of its own (the
    fuzzer's HTTP calls block)."""
    ready = threading.Event()
    box: dict[str, Any] = {}

    def run() -> None:
        async def main() -> None:
            box["loop"], box["stop"] = asyncio.get_running_loop(), asyncio.Event()
            async with emu.serve() as server:
                box["url"] = server.base_url
                ready.set()
                await box["stop"].wait()

        asyncio.run(main())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(30), "the emulator did not start"
    try:
        yield box["url"]
    finally:
        box["loop"].call_soon_threadsafe(box["stop"].set)
        thread.join(30)


def _tenant() -> PlanningBackend:
    return PlanningBackend.with_demo_data(seed=0, records_per_type=40)


def _real_ids(backend: PlanningBackend) -> dict[str, list[str]]:
    """Path parameters by name -> IDs that exist in the demo tenant."""
    records = [r for rt in backend.record_types() for r in list(backend.records_of(rt.id))[:8]]
    return {
        "workspaceId": [w.id for w in backend.workspaces()],
        "recordTypeId": [rt.id for rt in backend.record_types()],
        "views": list(backend.view_defs),
        "fields": [f.id for rt in backend.record_types() for f in rt.fields][:12],
        "records": records,
        "workspaces": [w.id for w in backend.workspaces()],
        "record-types": [rt.id for rt in backend.record_types()],
    }


def _fixed_ids(path: str, ids: dict[str, list[str]]) -> list[dict[str, str]]:
    """A few sets of real path parameters for an operation's path (none: generated)."""
    names = re.findall(r"\{([^}]+)\}", path)
    if not names or "resourceType" in names:
        return []
    pools = []
    for name in names:
        if name == "id":
            kind = path.split("/")[2]  # /v2/records/{id} -> records
            pools.append(ids.get(kind, ids["records"]))
        else:
            pools.append(ids.get(name, []))
    if not all(pools):
        return []
    return [
        {name: pool[i % len(pool)] for name, pool in zip(names, pools, strict=True)}
        for i in range(3)
    ]


def _codes(response: requests.Response) -> set[str]:
    """The machine codes of a 400 answer (v2 problem details or v1's body)."""
    try:
        body = response.json()
    except ValueError:
        return {"not JSON"}
    if isinstance(body.get("report"), dict):  # v1
        report = body["report"]
        listed = (report.get("details") or {}).get("errors") or []
        return {e["code"] for e in listed} or {str(report.get("errorCode"))}
    return {e.get("code") for e in body.get("errors") or []} or {str(body.get("errorCode"))}


class Fuzzer:
    def __init__(self, base_url: str, token: str, ids: dict[str, list[str]]) -> None:
        self.base_url = base_url
        self.api_url = base_url + "/maestro/api"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.ids = ids
        self.findings: dict[tuple[str, str], str] = {}
        self.cases = 0
        self.unsatisfiable = 0

    def note(self, label: str, what: str, detail: str) -> None:
        self.findings.setdefault((label, what), detail[:600])

    def check(self, case: Any, mode: GenerationMode) -> None:
        self.cases += 1
        label = case.operation.label
        try:
            response = case.call(base_url=self.api_url, session=self.session, timeout=30)
        except requests.RequestException as exc:
            self.note(label, "no answer", repr(exc))
            return
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                self.note(label, failure.title, f"{failure.message} <- {case.as_curl_command()}")
        if (
            mode == GenerationMode.POSITIVE
            and response.status_code == 400
            and not _codes(response) <= SEMANTIC_CODES
        ):
            self.note(
                label,
                "schema-valid request refused for its shape",
                f"{sorted(_codes(response))} {response.text[:300]} <- {case.as_curl_command()}",
            )

    def run(self, version: str) -> None:
        schema = schemathesis.openapi.from_dict(
            patched(version, base_url=self.base_url, fuzzing=True)
        )
        for result in schema.get_all_operations():
            operation = result.ok()
            modes = [GenerationMode.POSITIVE]
            if operation.query or operation.body:
                # a lone string path parameter cannot be made schema-violating
                modes.append(GenerationMode.NEGATIVE)
            for mode in modes:
                strategies = [
                    operation.as_strategy(generation_mode=mode, path_parameters=fixed)
                    for fixed in _fixed_ids(operation.path, self.ids)
                ]
                strategies.append(operation.as_strategy(generation_mode=mode))
                if mode == GenerationMode.POSITIVE:
                    strategies = [*schema.get_strategies_from_examples(operation), *strategies]
                self._drive(st.one_of(strategies), mode)

    def _drive(self, strategy: st.SearchStrategy[Any], mode: GenerationMode) -> None:
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def probe(case: Any) -> None:
            self.check(case, mode)

        try:
            probe()
        except Unsatisfiable:
            # nothing in the operation can be made schema-violating (a lone string
            # path parameter): no negative cases to send
            self.unsatisfiable += 1

    def methods_not_allowed(self) -> None:
        """Each path answers a method it lacks with 405 and Allow (RFC 9110 15.5.6)."""
        for version in ("v1", "v2"):
            for path, item in raw(version)["paths"].items():
                declared = {m.upper() for m in item if m in METHODS}
                other = next(m for m in (*UNDECLARED, "TRACE") if m not in declared)
                url = self.base_url + "/maestro/api" + re.sub(r"\{[^}]+\}", "x", path)
                if "{resourceType}" in path:
                    url = url.replace("/permissions/x/", "/permissions/records/")
                response = self.session.request(other, url)
                allow = {m.strip() for m in response.headers.get("allow", "").split(",") if m}
                if response.status_code != 405 or allow != declared:
                    self.note(
                        f"{other} {path}",
                        "405 with Allow",
                        f"{response.status_code} Allow={sorted(allow)} wanted {sorted(declared)}",
                    )


def test_the_fuzzer_finds_nothing() -> None:
    emu = Emulator()
    emu.max_concurrency = 100
    backend = _tenant()
    emu.planning = backend
    started = time.monotonic()
    with served_in_a_thread(emu) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        fuzzer = Fuzzer(base_url, emu.issue_token(), _real_ids(backend))
        for version in ("v1", "v2"):
            fuzzer.run(version)
        fuzzer.methods_not_allowed()
    elapsed = time.monotonic() - started
    operations = sum(len(ops) for ops in OPERATIONS.values())
    report = "\n".join(f"{op}: {what}: {detail}" for (op, what), detail in fuzzer.findings.items())
    found = len(fuzzer.findings)
    assert not fuzzer.findings, f"{found} findings in {fuzzer.cases} cases:\n{report}"
    assert operations == 59
    assert fuzzer.cases >= operations * min(EXAMPLES, 5)
    # the bound the default suite keeps to (a few minutes at most)
    assert elapsed < 600, elapsed
