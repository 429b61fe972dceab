"""The documentation site as a reader gets it: built with ``mkdocs build
--strict`` (as ``nox -s docs`` does), then the rendered HTML of the API
reference checked: constructor signatures, examples as fenced code (never a
nested blockquote), members in reading order, no base class a user cannot
import, code blocks that keep clear of the copy button."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

import workfront_async

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("mkdocstrings_handlers.python", reason="the docs extra")
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return out


def _page(site: Path, name: str) -> str:
    return (site / name / "index.html").read_text(encoding="utf-8")


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def _object(html: str, ident: str) -> str:
    """The HTML of one documented object, up to the next object of its level."""
    start = html.index(f'id="{ident}"')
    level = html[html.rindex("<h", 0, start) + 2]
    end = html.find(f"<h{level} ", start + 1)
    return html[start : end if end != -1 else len(html)]


def _signature(html: str, ident: str) -> str:
    part = _object(html, ident)
    m = re.search(r'class="[^"]*doc-signature[^"]*"[^>]*>(.*?)</pre>', part, re.DOTALL)
    assert m is not None, f"no signature for {ident}"
    return " ".join(_text(m.group(1)).split())


REFERENCE = ["reference", "reference/query", "reference/export", "reference/planning",
             "reference/testing", "reference/blocking", "reference/events"]  # fmt: skip


@pytest.mark.parametrize(
    ("page", "ident", "starts", "params"),
    [
        (
            "reference",
            "workfront_async.Workfront",
            "Workfront(",
            ["base_url", "api_key", "transport"],
        ),
        ("reference", "workfront_async.Planning", "Planning(", ["base_url", "auth"]),
        ("reference", "workfront_async.EventReceiver", "EventReceiver(", ["workers"]),
        ("reference", "workfront_async.Workfront.search", "search(", ["where", "fields", "sort"]),
    ],
)
def test_classes_show_their_constructor_signature(
    site: Path, page: str, ident: str, starts: str, params: list[str]
) -> None:
    signature = _signature(_page(site, page), ident)
    assert signature.startswith(starts), signature
    for param in params:
        assert f"{param}:" in signature or f"{param}=" in signature, signature


def test_docstring_examples_are_fenced_code(site: Path) -> None:
    for page in REFERENCE:
        html = _page(site, page)
        assert "<blockquote" not in html, page  # `>>>` read as Markdown quotes
        assert not re.search(r"::\s*</p>", html), page  # a reST `::` left in the text
    # a doctest session, a reST literal block, a module's example
    date = _object(_page(site, "reference"), "workfront_async.parse_date")
    assert re.search(r'<pre>.*<span class="gp">&gt;&gt;&gt; </span>.*parse_date', date, re.S)
    request = _object(_page(site, "reference"), "workfront_async.Workfront.request")
    assert '<div class="language-python highlight"><pre>' in request
    assert "wf.request(Call(" in _text(request)
    planning = _page(site, "reference/planning")
    assert re.search(r'<span class="gp">&gt;&gt;&gt; </span>.*PlanningV2', planning, re.S)
    assert "doctest: +SKIP" not in planning
    blocking = _page(site, "reference/blocking")
    assert '<div class="language-python highlight"><pre>' in blocking


def test_the_package_page_is_in_reading_order_and_complete(site: Path) -> None:
    html = _page(site, "reference")
    position = {m.group(1): m.start() for m in re.finditer(r'id="workfront_async\.(\w+)"', html)}
    missing = [n for n in workfront_async.__all__ if n not in position and n != "__version__"]
    assert missing == []
    order = ["Workfront", "Search", "Export", "Q", "Planning", "ApiKeyAuth", "parse_date"]
    assert sorted(order, key=position.__getitem__) == order
    # the errors come last, their root first
    errors = [n for n in position if n.endswith("Error") or n == "RequestTimeout"]
    assert min(position[e] for e in errors) > max(position[n] for n in order)
    assert min(errors, key=position.__getitem__) == "WorkfrontError"


def test_no_base_class_a_user_cannot_import(site: Path) -> None:
    for page in REFERENCE:
        text = _text(_page(site, page))
        for private in ("ClientBase", "PlanningClientBase", "AsyncIterableOnly", "_Blocking"):
            assert private not in text, (page, private)
    html = _page(site, "reference")
    # what a private base gives is documented on the client itself
    for member in ("request", "aclose", "closed", "limiter"):
        assert f'id="workfront_async.Workfront.{member}"' in html
    # and public bases still show
    assert "Bases: APIError" in " ".join(
        _text(_object(html, "workfront_async.NotFoundError")).split()
    )


def test_code_blocks_keep_clear_of_the_copy_button(site: Path) -> None:
    cli = _page(site, "cli")
    assert "stylesheets/extra.css" in cli
    assert '<div class="language-console highlight">' in cli
    css = (site / "stylesheets" / "extra.css").read_text()
    rules = dict(re.findall(r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))
    clear = next(v for k, v in rules.items() if k.strip() == ".md-typeset pre > code")
    assert "padding-right" in clear
    wrap = next(v for k, v in rules.items() if ".language-console pre > code" in k)
    assert "pre-wrap" in wrap
    home = _text(_page(site, "."))
    assert "mkdocs serve" in home
    assert "search" in home.lower()
