"""Export writers: formats, flattening, atomicity."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from workfront_async import QueryError
from workfront_async.export import flatten_row, open_writer

ROWS = [
    {"ID": "1", "name": "a", "assignedTo": {"ID": "u1", "name": "Steve"}, "DE:Budget": 10},
    {"ID": "2", "name": 'b,"quoted"\nline', "assignedTo": None, "DE:Budget": None},
    {"ID": "3", "name": "c", "assignments": [{"ID": "x"}], "done": True},
]


def test_flatten_row_names_nested_fields_like_workfront() -> None:
    flat = flatten_row(
        {"assignedTo": {"name": "S", "role": {"name": "Dev"}}, "DE:X": 1, "tags": [1, 2]}
    )
    assert flat == {
        "assignedTo:name": "S",
        "assignedTo:role:name": "Dev",
        "DE:X": 1,
        "tags": "[1,2]",
    }


def test_jsonl_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "t.jsonl"
    with open_writer(out) as w:
        w.write(ROWS[:2])
        w.write(ROWS[2:])
    lines = out.read_text().splitlines()
    assert [json.loads(line) for line in lines] == ROWS
    assert not list(tmp_path.glob(".*partial"))


def test_csv_flattens_and_pads_late_columns(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    with open_writer(out, columns=["ID", "name"]) as w:
        w.write(ROWS[:2])
        w.write(ROWS[2:])  # brings columns the header did not have yet
    with out.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["ID"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["assignedTo:name"] == "Steve"
    assert rows[1]["name"] == 'b,"quoted"\nline'
    assert rows[0]["DE:Budget"] == "10"
    assert rows[2]["done"] == "true"
    assert json.loads(rows[2]["assignments"]) == [{"ID": "x"}]
    assert rows[0]["done"] == ""


def test_parquet_unifies_types(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "t.parquet"
    rows = [*ROWS, {"ID": "4", "DE:Budget": "ten"}]
    with open_writer(out) as w:
        w.write(rows)
    table = pq.read_table(out)
    assert table.num_rows == 4
    data = table.to_pylist()
    assert data[0]["assignedTo:name"] == "Steve"
    assert [r["DE:Budget"] for r in data] == ["10", None, None, "ten"]


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_failed_export_leaves_no_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"t.{fmt}"
    out.write_text("previous complete export")

    def export_that_fails() -> None:
        with open_writer(out) as w:
            w.write(ROWS)
            raise RuntimeError("network went away")

    with pytest.raises(RuntimeError):
        export_that_fails()
    assert out.read_text() == "previous complete export"
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]


def test_unknown_extension_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="format"):
        open_writer(tmp_path / "t.xlsx")


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QueryError, match="does not exist"):
        open_writer(tmp_path / "nope" / "t.jsonl")
