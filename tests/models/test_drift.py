"""`codegen --check` and ``codegen.check``: current right after generating,
stale once the tenant's metadata changes (a custom form gains a field, a
drop-down an option, the status list a value), current again once the package
is generated again. The tenant is changed through the classic API, and the
command line reaches it over HTTP on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engines._served import serve_in_thread
from workfront_async import Q, QueryError, Retry, Workfront
from workfront_async.cli import main
from workfront_async.codegen import Drift, check, generate
from workfront_async.testing import Emulator, Served

from .conftest import client, demo, generate_from, importable, unique_package


@pytest.fixture(autouse=True)
def _no_env_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORKFRONT_URL", raising=False)
    monkeypatch.delenv("WORKFRONT_API_KEY", raising=False)


@pytest.fixture
def served() -> Iterator[tuple[Emulator, Served]]:
    emu = demo()
    with serve_in_thread(emu) as served:
        yield emu, served


def over_http(emu: Emulator, served: Served) -> Workfront:
    return Workfront(served.base_url, api_key=emu.api_key(), retry=Retry().without_backoff())


async def add_custom_field(wf: Workfront, obj_code: str, name: str, **param: Any) -> str:
    """A new custom field (PARAM) on the first custom form of ``obj_code``
    objects (a CTGYPA row links the two); its ID."""
    data = {"name": name, "dataType": "TEXT", "displayType": "TEXT", **param}
    field = await wf.create("param", data)
    form = (await wf.search("ctgy", Q.catObjCode == obj_code).sort("ID").all())[0]
    await wf.create("ctgypa", {"categoryID": form["ID"], "parameterID": field["ID"]})
    return str(field["ID"])


def test_check_on_the_command_line(
    tmp_path: Path, served: tuple[Emulator, Served], capsys: pytest.CaptureFixture[str]
) -> None:
    emu, server = served
    connect = ["--url", server.base_url, "--api-key", emu.api_key()]
    name = unique_package()
    out = str(tmp_path)
    generate = ["codegen", "task", "project", "--package", name, "-o", out, "-q", *connect]
    assert main(generate) == 0
    files = {p.name: p.read_bytes() for p in (tmp_path / name).iterdir()}
    capsys.readouterr()

    command = ["codegen", "--check", "--package", name, "-o", out, *connect]
    assert main(command) == 0
    captured = capsys.readouterr()
    assert "up to date" in captured.out, captured

    async def change() -> None:
        async with over_http(emu, server) as wf:
            await add_custom_field(wf, "TASK", "Cost Center")

    asyncio.run(change())
    assert main(command) == 1
    captured = capsys.readouterr()
    assert "TASK: + DE:Cost Center: TEXT/TEXT" in captured.err, captured
    assert "PROJ:" not in captured.err  # the project's forms did not change
    assert captured.out == ""
    # --check writes nothing
    assert {p.name: p.read_bytes() for p in (tmp_path / name).iterdir()} == files

    # generated again, the package is current and has the field
    assert main(generate) == 0
    assert main(command) == 0
    with importable(tmp_path, name) as module:
        assert module.Task.__wf_names__["costCenter"] == "DE:Cost Center"
        assert "DE:Cost Center" in module.Task.__wf_fields__


def test_check_of_a_directory_without_a_package(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["codegen", "--check", "--package", "nothing_here", "-o", str(tmp_path), "-q"]
    code = main([*argv, "--demo-scale", "0.01"])
    assert code == 2
    assert "workfront.lock.json does not exist" in capsys.readouterr().err


async def generated(emu: Emulator, tmp_path: Path, objects: Any = ("task", "project")) -> Path:
    done = await generate_from(emu, unique_package(), tmp_path, objects=objects)
    return done.directory


async def drift_of(emu: Emulator, directory: Path) -> Drift:
    async with client(emu) as wf:
        return await check(wf, directory)


async def generate_from_client(wf: Workfront, out: Path) -> Path:
    return (await generate(wf, ["task", "project"], package=unique_package(), out=out)).directory


async def test_check_over_http_names_a_new_field(
    tmp_path: Path, served: tuple[Emulator, Served]
) -> None:
    emu, server = served
    async with over_http(emu, server) as wf:
        done = await generate_from_client(wf, tmp_path)
        drift = await check(wf, done)
        assert drift.ok
        assert drift.changes == ()
        assert "up to date" in str(drift)
        await add_custom_field(wf, "TASK", "Cost Center")
        await add_custom_field(wf, "PROJ", "Sponsor Grade", dataType="NMBR")
        drift = await check(wf, done)
    assert not drift.ok
    assert drift.directory == done
    assert sorted(drift.changes) == [
        "PROJ: + DE:Sponsor Grade: NMBR/TEXT",
        "TASK: + DE:Cost Center: TEXT/TEXT",
    ]
    assert "Generate it again" in str(drift)


async def test_a_new_status_is_drift(tmp_path: Path) -> None:
    emu = demo()
    directory = await generated(emu, tmp_path)
    assert (await drift_of(emu, directory)).ok
    async with client(emu) as wf:
        await wf.create(
            "cstem",
            {"enumClass": "STATUS_TASK", "value": "XYZ", "label": "Xyz", "equatesWith": "INP"},
        )
    drift = await drift_of(emu, directory)
    assert drift.changes == (
        "TASK: + status values: ['CPL', 'INP', 'JET', 'NEW', 'OGC', 'PRK', 'XYZ']",
        "TASK: - status values: ['CPL', 'INP', 'JET', 'NEW', 'OGC', 'PRK']",
    )


async def test_a_new_option_and_a_removed_field_are_drift(tmp_path: Path) -> None:
    emu = demo()
    directory = await generated(emu, tmp_path)
    async with client(emu) as wf:
        (region,) = await wf.search("param", Q.name == "Region").all()
        await wf.create("popt", {"parameterID": region["ID"], "value": "ANTARCTICA"})
        effort = (await wf.search("param", Q.name == "Effort Class").all())[0]
        for link in await wf.search("ctgypa", Q.parameterID == effort["ID"]).all():
            await wf.delete("ctgypa", link["ID"])
    drift = await drift_of(emu, directory)
    options = "['AMER', 'ANTARCTICA', 'APAC', 'EMEA', 'LATAM']"
    before = "['AMER', 'APAC', 'EMEA', 'LATAM']"
    assert sorted(drift.changes) == sorted(
        [
            f"PROJ: + DE:Region: TEXT/DROPDOWN {options}",
            f"PROJ: - DE:Region: TEXT/DROPDOWN {before}",
            f"TASK: + DE:Region: TEXT/DROPDOWN {options}",
            f"TASK: - DE:Region: TEXT/DROPDOWN {before}",
            "TASK: - DE:Effort Class: TEXT/RADIO ['L', 'M', 'S', 'XL']",
        ]
    )


async def test_a_lock_file_that_is_not_json(tmp_path: Path) -> None:
    emu = demo()
    directory = await generated(emu, tmp_path, objects=["user"])
    (directory / "workfront.lock.json").write_text("{")
    with pytest.raises(QueryError, match="not JSON"):
        await drift_of(emu, directory)
