"""`--where` mistakes people bring from SQL, shells and other query languages
get a corrected query to copy, not only a column number."""

from __future__ import annotations

import pytest

from workfront_async import QueryError
from workfront_async.cli import main
from workfront_async.query import parse_query


@pytest.mark.parametrize(
    ("text", "fixed", "why"),
    [
        ("status = INP", 'status == "INP"', "=="),
        ('status = "INP"', 'status == "INP"', "=="),
        ("status == INP", 'status == "INP"', "quote"),
        ("status in [CUR, PLN]", 'status in ["CUR", "PLN"]', "quote"),
        ('status == "INP" && priority > 2', 'status == "INP" and priority > 2', "and"),
        ('status == "INP" || priority > 2', 'status == "INP" or priority > 2', "or"),
        ('status == "INP" AND NOT priority > 2', 'status == "INP" and not priority > 2', "lower"),
        ('status == "INP" OR priority > 2', 'status == "INP" or priority > 2', "lower"),
        ('status <> "CPL"', 'status != "CPL"', "!="),
        ('name like "%launch%"', 'name.contains("launch")', "contains"),
        ('assignedTo.name like "Ann%"', 'assignedTo.name.op("like", "Ann%")', "like"),
        ('name ilike "%launch%"', 'name.icontains("launch")', "icontains"),
        ("isComplete == true", "isComplete == True", "True"),
        ("assignedTo.name = null", "assignedTo.name is None", "is None"),
    ],
)
def test_a_likely_intent_is_suggested(text: str, fixed: str, why: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(text)
    message = str(info.value)
    assert f"did you mean: {fixed}" in message
    hint = message.split("did you mean:", 1)[1]
    assert why in hint
    parse_query(fixed)  # the suggestion itself is a valid query


@pytest.mark.parametrize("text", ['status == "CUR" |', "status ==", "(((", 'name.frobnicate("x")'])
def test_no_suggestion_when_no_fix_parses(text: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(text)
    assert "did you mean" not in str(info.value)


def test_the_cli_shows_the_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["count", "task", "--where", "status = INP", "--demo-scale", "0.01"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("workfront-async: error: --where: syntax error")
    assert "\n  status = INP\n" in err  # what was typed, with a caret under the column
    assert 'did you mean: status == "INP"' in err
