"""The pytest plugin in a project that has just installed the package: async
tests that use its fixtures run with no configuration and no async test
runner, and still run exactly once when the project has pytest-asyncio (in
either mode) or anyio's plugin."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = """
import pytest

from workfront_async import Q


async def test_creates_a_task(workfront_client, workfront_emulator):
    project = await workfront_client.create("project", {"name": "Launch"})
    await workfront_client.create("task", {"name": "Plan", "projectID": project["ID"]})
    assert [t["name"] for t in workfront_emulator.rows("task")] == ["Plan"]


@pytest.mark.workfront(demo=True, scale=0.01)
async def test_counts_work_in_progress(workfront_client, workfront_emulator):
    expected = sum(1 for t in workfront_emulator.rows("task") if t["status"] == "INP")
    assert await workfront_client.count("task", Q.status == "INP") == expected


@pytest.fixture
def project_name(workfront_emulator):
    return workfront_emulator.add("project", {"name": "Through a fixture"})["name"]


async def test_a_fixture_of_the_project_uses_the_plugin(project_name, workfront_client):
    assert (await workfront_client.search("project").first())["name"] == project_name
"""
# The configuration docs/testing.md gives (an unclosed client fails its test).
INI = "[pytest]\nfilterwarnings = error\n"


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_integration=USER_TESTS)
    return pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", "-v", *args)


def test_no_async_runner_installed(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    result = _run(pytester, "-p", "no:asyncio")  # as if pytest-asyncio were not installed
    result.assert_outcomes(passed=3)


def test_pytest_asyncio_installed_but_not_configured(pytester: pytest.Pytester) -> None:
    # pytest-asyncio's strict mode takes only the tests it marks; unconfigured,
    # it complains about its own loop scope setting, which is not ours to fix
    pytester.makeini(
        "[pytest]\nfilterwarnings =\n    error\n"
        "    ignore:The configuration option:pytest.PytestDeprecationWarning\n"
    )
    result = _run(pytester)
    result.assert_outcomes(passed=3)


def test_pytest_asyncio_in_auto_mode_runs_each_test_once(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI + "asyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    result = _run(pytester)
    result.assert_outcomes(passed=3)


def test_anyio_marked_tests_stay_with_anyio(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makeconftest(
        "import pytest\n\n@pytest.fixture\ndef anyio_backend():\n    return 'trio'\n"
    )
    pytester.makepyfile(
        test_trio="""
import pytest
import sniffio

pytestmark = pytest.mark.anyio


async def test_runs_under_trio(workfront_client):
    assert sniffio.current_async_library() == "trio"
    assert await workfront_client.count("task") == 0
"""
    )
    result = pytester.runpytest_inprocess(
        "-q", "-p", "no:cacheprovider", "-p", "no:asyncio", "test_trio.py"
    )
    result.assert_outcomes(passed=1)


def test_async_tests_that_do_not_use_the_plugin_are_left_alone(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(test_other="async def test_unrelated():\n    pass\n")
    result = pytester.runpytest_inprocess("-q", "-p", "no:cacheprovider", "-p", "no:asyncio")
    # pytest's own answer for an async test nobody runs: not ours to change
    assert result.ret != 0
