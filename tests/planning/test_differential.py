"""The Planning differential test: random expressions, compiled by
``compile_planning`` and sent by the client to the embedded Workfront, select
exactly the records a plain-Python evaluation of the same expression selects
(``tests/reference.py``: ``eval_expr`` on the expression, ``eval_planning`` on
the compiled filter object).

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

from workfront_async import BearerAuth, Planning, QueryError, Retry
from workfront_async.query import Expr, compile_planning
from workfront_async.testing import Emulator
from workfront_async.testing.planning import PlanningBackend

from ..query.strategies import trees
from ..reference import eval_expr, eval_planning
from .differential import FIELDS, RECORDS, TYPES, leaves

EMULATOR = Emulator()
TOKEN = EMULATOR.issue_token()


async def _search(
    record_type_id: str, expr: Expr, page_size: int
) -> tuple[list[dict[str, Any]], int]:
    pl = Planning(
        "https://acme.my.workfront.com",
        auth=BearerAuth(TOKEN),
        transport=EMULATOR.transport(),
        retry=Retry.none(),
    )
    async with pl:
        search = pl.records.search(record_type_id, expr, attributes=["data"], page_size=page_size)
        return await search.all(), await search.count()


@given(expr=trees(leaves(), max_leaves=5), records=RECORDS, page_size=st.integers(1, 4))
def test_emulator_answer_equals_plain_python_evaluation(
    expr: Expr, records: list[dict[str, Any]], page_size: int
) -> None:
    try:
        compiled = compile_planning(expr, field_types=TYPES)
    except QueryError:
        # ~ turned an operator into one the field type lacks (a boolean $isNot,
        # a negated $hasAllOf): the client refuses it, nothing to compare
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
        i for i, data in zip(ids, records, strict=True) if eval_planning(compiled, data)
    ]
    assert [r["id"] for r in found] == expected  # no sort: record ID order
    assert count == len(expected)
