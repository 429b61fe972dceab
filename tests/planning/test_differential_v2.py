"""The Planning v2 differential test: random expressions, compiled by
``compile_planning_v2`` and sent by ``PlanningV2`` to the embedded
Workfront's v2 search, select exactly the records a plain-Python evaluation of
the same expression selects (``tests/reference.py``: ``eval_expr`` on the
expression, ``eval_planning`` on the v1 object the v2 group spells out). One
tree, three dialects: the v1 test does the same for ``compile_planning``.

The generated values keep clear of the places where the Planning semantics
(docs/api-notes.md §3, as the embedded Workfront documents them) and the reference
evaluator's classic reading differ on purpose: text is lower-case (Planning
text comparisons ignore case), empty strings and lists are not generated
(Planning counts them as empty), booleans are always set (a missing boolean
is false in Planning), and date fields are left to the emulator's own oracle
test (a calendar-day operand covers the whole day there).
"""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import assume, given
from hypothesis import strategies as st

from workfront_async import BearerAuth, PlanningV2, QueryError, Retry
from workfront_async.query import Expr, compile_planning_v2
from workfront_async.testing import Emulator
from workfront_async.testing.planning import PlanningBackend

from ..query.strategies import trees
from ..reference import eval_expr, eval_planning
from .differential import FIELDS, RECORDS, TYPES, leaves

EMULATOR = Emulator()
TOKEN = EMULATOR.issue_token()


def _as_v1(node: dict[str, Any]) -> dict[str, Any]:
    """The v1 filter object a v2 group spells out (static/v2.json names:
    ``IS_ANY_OF`` is ``$isAnyOf``), for ``eval_planning``."""
    if "operator" in node:
        return {
            "$and" if node["operator"] == "AND" else "$or": [_as_v1(c) for c in node["conditions"]]
        }
    words = node["condition"].lower().split("_")
    return {
        node["fieldId"]: {"$" + words[0] + "".join(w.title() for w in words[1:]): node.get("value")}
    }


async def _search(
    record_type_id: str, expr: Expr, page_size: int
) -> tuple[list[dict[str, Any]], int]:
    pl = PlanningV2(
        "https://acme.my.workfront.com",
        auth=BearerAuth(TOKEN),
        transport=EMULATOR.transport(),
        retry=Retry.none(),
        validate=False,
    )
    async with pl:
        search = pl.records.search(record_type_id, expr, fields=["name"], page_size=page_size)
        return await search.all(), await search.count()


@given(expr=trees(leaves(), max_leaves=5), records=RECORDS, page_size=st.integers(1, 4))
def test_emulator_v2_answer_equals_plain_python_evaluation(
    expr: Expr, records: list[dict[str, Any]], page_size: int
) -> None:
    try:
        compiled = compile_planning_v2(expr, field_types=TYPES)
    except QueryError:
        # ~ turned an operator into one the field type lacks: refused, nothing to compare
        assume(False)
        raise
    backend = PlanningBackend()
    ws = backend.add_workspace("Differential")
    rt = backend.add_record_type(ws.id, "Rows", FIELDS)
    ids = []
    for data in records:
        ids.append(backend.add_record(rt.id, {k: v for k, v in data.items() if v is not None}).id)
    EMULATOR.planning = backend

    found, count = asyncio.run(_search(rt.id, expr, page_size))

    expected = [i for i, data in zip(ids, records, strict=True) if eval_expr(expr, data)]
    assert compiled is not None
    assert expected == [
        i for i, data in zip(ids, records, strict=True) if eval_planning(_as_v1(compiled), data)
    ]
    assert [r["id"] for r in found] == expected  # no sort: record ID order
    assert count == len(expected)
