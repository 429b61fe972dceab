"""Sessions: tests, lint, typing, bench and soak (`nox -s NAME`); plain `nox` runs what CI runs."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typing"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"


def _python() -> str | None:
    # Use whatever interpreter runs nox; CI machines carry one Python.
    return None


@nox.session(python=_python())
def tests(session: nox.Session) -> None:
    """The test suite (fast: the soak tests are left to ``nox -s soak``)."""
    session.install("-e", ".[test]")
    session.run("pytest", "-m", "not soak", *session.posargs)


@nox.session(python=_python())
def soak(session: nox.Session) -> None:
    """Long fault-injection and load tests."""
    session.install("-e", ".[test]")
    session.run("pytest", "-m", "soak", *session.posargs, env={"HYPOTHESIS_PROFILE": "soak"})


@nox.session(python=_python())
def lint(session: nox.Session) -> None:
    session.install("ruff>=0.6")
    session.run("ruff", "check", "workfront_async", "tests", "benchmarks", "noxfile.py")
    session.run("ruff", "format", "--check", "workfront_async", "tests", "benchmarks", "noxfile.py")


@nox.session(python=_python())
def typing(session: nox.Session) -> None:
    session.install("-e", ".[test]", "mypy>=1.11")
    session.run("mypy", "--strict", "workfront_async")


@nox.session(python=_python())
def bench(session: nox.Session) -> None:
    """Benchmarks: ``nox -s bench -- --quick`` for a tiny smoke run."""
    session.install("-e", ".[test,fast]", "python-workfront")
    session.run("python", "-m", "benchmarks", *session.posargs)
