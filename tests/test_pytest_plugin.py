"""The pytest plugin, run the way a user's test suite runs it (pytester)."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = """
import httpx
import pytest

from workfront_async import NotFoundError


async def test_empty_by_default(workfront_client, workfront_emulator):
    assert await workfront_client.count("task") == 0
    project = await workfront_client.create("project", {"name": "Launch"})
    task = await workfront_client.create("task", {"name": "Plan", "projectID": project["ID"]})
    assert [r["ID"] for r in workfront_emulator.rows("task")] == [task["ID"]]
    with pytest.raises(NotFoundError):
        await workfront_client.get("task", "0" * 32)


@pytest.mark.workfront(demo=True, scale=0.01)
async def test_demo_data(workfront_client, workfront_emulator):
    assert await workfront_client.count("task") == len(workfront_emulator.rows("task")) > 0


@pytest.mark.workfront(demo=True, scale=0.01)
def test_served_over_http_to_synchronous_code(workfront_server):
    answer = httpx.get(
        f"{workfront_server.api_url}/project/count",
        params={"apiKey": workfront_server.api_key},
    )
    assert answer.status_code == 200
    assert answer.json()["data"]["count"] == len(workfront_server.emulator.rows("project"))


async def test_each_test_gets_a_fresh_tenant(workfront_client):
    assert await workfront_client.count("project") == 0


@pytest.mark.workfront(True)
def test_marker_with_a_positional_argument(workfront_emulator):
    pass


@pytest.mark.workfront(scale=0.5)
def test_scale_without_demo(workfront_emulator):
    pass
"""


def test_fixtures_and_marker_in_a_users_test_suite(pytester: pytest.Pytester) -> None:
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
        "filterwarnings = error\n"
    )
    pytester.makepyfile(test_integration=USER_TESTS)
    result = pytester.runpytest_inprocess("--strict-markers", "-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=4, errors=2)
    result.stdout.fnmatch_lines(["*takes keywords only*", "*needs demo=True*"])
