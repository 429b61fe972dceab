"""Each operation of each real peer client against the served embedded Workfront.

Run with ``nox -s peers``: it installs the official JS client (npm
``workfront-api``) and the Python packages python-workfront, workfrontapi-plus
and workfront-sdk. Each peer runs once, in its own process (python-workfront
vendors an old ``six`` that breaks later imports under ``filterwarnings =
error``), against a fresh emulator; every operation it offers is one test.

workfrontapi-plus's ``make_update_as_user`` is not run: its ``login(username)``
is meant to send the API key instead of a password, but it decides with
``path is not '/login'`` and, on CPython 3.11, the two strings are the same object,
so the key is never sent and no server can accept the login. The emulator's side
(``/login?username=&apiKey=``) is tested in
tests/emulator/classic/test_forms_templates_and_key_login.py.

workfrontutil is not run: it installs, but cannot be imported (it needs
``pyodbc``, imports ``pandas.io.json.json_normalize``, which pandas 2 removed,
and builds ``https://<name>.<env>.workfront.com`` URLs it reads from a config
file, so it cannot be pointed at another server).
"""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from .conftest import HERE, run_peer, serve

pytestmark = pytest.mark.peers

PEERS: dict[str, tuple[str, ...]] = {
    "workfront-api": (
        "search",
        "search_default_path",
        "get",
        "count",
        "report",
        "create",
        "edit",
        "edit_multiple",
        "copy",
        "execute_action",
        "execute_move",
        "named_query",
        "metadata_all",
        "metadata_object",
        "batch",
        "batch_atomic",
        "upload",
        "comments",
        "delete",
        "login_logout",
        "api_key_get",
        "api_key_clear",
    ),
    "python-workfront": (
        "search",
        "get",
        "create",
        "edit",
        "count",
        "report",
        "metadata_object",
        "named_query",
        "execute_action",
        "execute_move",
        "comments",
        "delete",
        "login_logout",
        "api_key_get",
    ),
    "workfrontapi-plus": (
        "search",
        "get",
        "count",
        "report",
        "create",
        "edit",
        "edit_multiple",
        "bulk_create",
        "bulk_delete",
        "execute_action",
        "share",
        "upload",
        "comments",
        "delete",
        "login_logout",
    ),
    "workfront-sdk": (
        "login_logout",
        "search",
        "count",
        "get",
        "create",
        "edit",
        "execute_action",
        "delete",
        "api_key_get",
        "api_key_generate",
        "create_from_template",
        "task_template",
        "attach_template",
        "handoff_date",
        "param_values",
        "custom_forms",
        "get_custom_forms",
        "custom_form_fields",
        "field_options",
        "logout",
    ),
}

SCRIPTS = {
    "python-workfront": "python_workfront_peer.py",
    "workfrontapi-plus": "workfrontapi_plus_peer.py",
    "workfront-sdk": "workfront_sdk_peer.py",
}

_REPORTS: dict[str, dict[str, dict[str, object]]] = {}


def _command(peer: str) -> tuple[list[str], dict[str, str]]:
    if peer == "workfront-api":
        node = shutil.which("node")
        if node is None or not os.environ.get("NODE_PATH"):
            pytest.fail("Node and NODE_PATH with workfront-api are needed: run `nox -s peers`")
        return [node, str(HERE / "js" / "official.js")], {}
    root = os.environ.get("WORKFRONT_PEERS_DIR")
    if not root or not os.path.isdir(os.path.join(root, peer)):
        pytest.fail(f"{peer} is not installed for the peers session: run `nox -s peers`")
    # each peer in its own directory: python-workfront and workfront-sdk are both `workfront`
    path = os.pathsep.join([os.path.join(root, peer), str(HERE / "py")])
    return [sys.executable, str(HERE / "py" / SCRIPTS[peer])], {
        "PYTHONPATH": path,
        "PYTHONWARNINGS": "ignore",
    }


def report_of(peer: str) -> dict[str, dict[str, object]]:
    """The peer's report, from one run against a fresh emulator (peers clear keys)."""
    if peer not in _REPORTS:
        command, env = _command(peer)
        with serve() as served:
            _REPORTS[peer] = run_peer(command, served, env=env)
    return _REPORTS[peer]


@pytest.mark.parametrize(("peer", "operation"), [(p, op) for p, ops in PEERS.items() for op in ops])
def test_peer_operation(peer: str, operation: str) -> None:
    report = report_of(peer)
    assert "__harness__" not in report, report.get("__harness__")
    assert operation in report, f"{peer} did not report {operation}: {sorted(report)}"
    result = report[operation]
    assert result["ok"], f"{peer} {operation}: {result['detail']}"
