"""Bounded (issue 13): the worst files within the upload limit are answered — refused with the reason, or read —
without holding them whole; the size limit is said the same way by the CLI and the reader. Timings and peak memory
are measured by `python tests/worst_files.py`, not asserted here."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

import worst_files
from s11data.returns.return_file import MAX_FILE_BYTES, FileRefused, read_table, too_large
from s11data.returns.workbook import MAX_SHARED_STRINGS
from test_import_cli import outcome, s11


def _refusal(data: bytes, name: str) -> str:
    with pytest.raises(FileRefused) as caught:
        read_table(data, name)
    return str(caught.value)


def test_a_workbook_with_too_many_shared_strings_is_refused_before_they_are_held() -> None:
    data = worst_files.many_shared_strings(MAX_SHARED_STRINGS + 6)
    assert len(data) <= MAX_FILE_BYTES
    assert f"more than {MAX_SHARED_STRINGS:,} different texts" in _refusal(data, "r.xlsx")


def test_a_million_row_workbook_is_refused_for_its_rows() -> None:
    assert "more than 50,000 rows" in _refusal(worst_files.million_rows(), "r.xlsx")


def test_a_million_styled_empty_rows_are_skipped_and_the_answers_read() -> None:
    table = read_table(worst_files.styled_empty_rows(), "r.xlsx")
    assert [n for n, _ in table.rows] == list(range(2, 16)) and not table.problems


def test_a_cell_as_large_as_the_file_is_one_row_level_problem() -> None:
    table = read_table(worst_files.huge_cell_csv(), "r.csv")
    assert [(p.row, p.column) for p in table.problems] == [(2, "evidence")]
    assert table.rows[0][1][5] == ""  # not held


def test_the_cli_and_the_reader_say_the_size_limit_the_same_way(seeded_engine: Engine, tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"organisation,question,rating\n" + b"x" * (MAX_FILE_BYTES + 5 * 2**20))
    said = too_large(big.stat().st_size).problems[0].message
    assert said == "The file is 25.0 MB; the limit is 20 MB"
    assert outcome(s11(seeded_engine, str(big), "--json"))["errors"][0]["message"].startswith(said)
    assert _refusal(big.read_bytes(), "big.csv").startswith(said)
