"""Sessions: tests, lint, typing, docs, bench, soak, fuzz, engines (`nox -s NAME`); `nox`
runs the default ones, and CI runs `nox -s engines` after them."""

from __future__ import annotations

import os

import nox

nox.options.sessions = ["tests", "lint", "typing", "docs"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"


def _python() -> str | None:
    # Use whatever interpreter runs nox; CI machines carry one Python.
    return None


@nox.session(python=_python())
def tests(session: nox.Session) -> None:
    """The test suite (fast: the soak tests are left to ``nox -s soak``, Spark and
    Dask to ``nox -s engines``)."""
    session.install("-e", ".[test]")
    session.run("pytest", "-m", "not soak and not peers and not engines", *session.posargs)


@nox.session(python=_python())
def engines(session: nox.Session) -> None:
    """Spark (a local session: needs a Java runtime) and Dask (a LocalCluster of
    worker processes) reading the served emulator, sharing the cap through a real
    redis-server; and the engine recipes of docs/engines.md, run as the page says."""
    session.install("-e", ".[test,spark,dask]")
    session.run("pytest", "-m", "engines", "tests/engines", *session.posargs)


@nox.session(python=_python())
def soak(session: nox.Session) -> None:
    """Long fault-injection and load tests."""
    session.install("-e", ".[test]")
    session.run("pytest", "-m", "soak", *session.posargs, env={"HYPOTHESIS_PROFILE": "soak"})


# The public API as it stood before the package was laid out as wings over a core;
# move it forward when a release makes a break on purpose.
API_BASELINE = "902dd66"


@nox.session(python=_python())
def lint(session: nox.Session) -> None:
    """ruff; the layout's import contracts (import-linter, in pyproject.toml); no
    public API break against ``API_BASELINE`` (griffe, by public name)."""
    session.install("-e", ".", "ruff>=0.6", "import-linter>=2.1", "griffe>=1.5")
    paths = ("workfront_async", "tests", "benchmarks", "tools", "noxfile.py")
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)
    session.run("lint-imports")
    session.run("python", "tools/api_breaks.py", API_BASELINE)


@nox.session(python=_python())
def typing(session: nox.Session) -> None:
    session.install("-e", ".[test]", "mypy>=1.11")
    session.run("mypy", "--strict", "workfront_async")


@nox.session(python=_python())
def fuzz(session: nox.Session) -> None:
    """The Planning spec fuzzer (schemathesis over Adobe's static/v1.json and v2.json,
    against the served emulator) with many more cases than the default run's bounded one."""
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        "tests/emulator/planning/test_fuzz_specs.py",
        *session.posargs,
        env={"PLANNING_FUZZ_EXAMPLES": os.environ.get("PLANNING_FUZZ_EXAMPLES", "200")},
    )


@nox.session(python=_python())
def bench(session: nox.Session) -> None:
    """Benchmarks: ``nox -s bench -- --quick`` for a tiny smoke run."""
    session.install("-e", ".[test,fast]", "python-workfront")
    session.run("python", "-m", "benchmarks", *session.posargs)


@nox.session(python=_python())
def peers(session: nox.Session) -> None:
    """Real peer clients against the served emulator (needs npm; not in the default run)."""
    session.install("-e", ".[test]", "requests")
    # One directory per peer: python-workfront and workfront-sdk both install a
    # top-level ``workfront`` package. --no-deps: workfront-sdk pins requests<=2.26.
    # absolute: the peers run in subprocesses with other working directories
    peers_dir = os.path.abspath(session.create_tmp()) + "/python-peers"
    for package in ("python-workfront", "workfrontapi-plus", "workfront-sdk"):
        session.run(
            "python",
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--upgrade",
            "--target",
            f"{peers_dir}/{package}",
            package,
        )
    node_dir = os.path.abspath(session.create_tmp()) + "/node"
    session.run(
        "npm",
        "install",
        "--silent",
        "--no-audit",
        "--no-fund",
        "--prefix",
        node_dir,
        "workfront-api@6",
        external=True,
    )
    session.run(
        "pytest",
        "-m",
        "peers",
        "tests/peers",
        *session.posargs,
        env={"NODE_PATH": node_dir + "/node_modules", "WORKFRONT_PEERS_DIR": peers_dir},
    )


@nox.session(python=_python())
def docs(session: nox.Session) -> None:
    """Build the documentation site with warnings as errors (``mkdocs build --strict``),
    then check the rendered API reference (skipped by ``tests``, which has no MkDocs)."""
    session.install("-e", ".[docs,test]")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site", *session.posargs)
    session.run("pytest", "-q", "-p", "no:cacheprovider", "tests/docs/test_reference_site.py")
