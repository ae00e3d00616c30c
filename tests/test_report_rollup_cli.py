"""`s11 report` with several `--partnership`: the regional roll-up of their cycles of one year, written as DOCX;
refused with one line (exit 2) for a partnership outside the user's scope or one with no cycle that year."""
from __future__ import annotations

from pathlib import Path

import docx
import pytest
from sqlalchemy import Engine

from s11data.store import db
from s11data.admin import users
from s11data.cli import main
from s11data.store.scope import Scope

GSCP = "Gloucestershire Safeguarding Children Partnership"
NSCP = "North Somerset Children's Partnership"


def test_several_partnerships_make_one_regional_report(sqlite_seeded: Engine, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("S11_DATABASE_URL", str(sqlite_seeded.url))
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--partnership", "GSCP", "--partnership", "North Somerset", "--cycle", "2021"]) == 0
    written = tmp_path / "regional-2021-section-11-report.docx"
    assert str(written) in capsys.readouterr().out
    document = docx.Document(str(written))
    chapters = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert f"{GSCP} · 2021" in chapters and f"{NSCP} · 2021-22" in chapters
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert {"GSCP 2021", "Gloucester City Council"} <= cells  # the side-by-side table and GSCP's own Table 1


def test_roll_up_refusals_exit_2_with_one_line(sqlite_seeded: Engine, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    with db.write_session(sqlite_seeded) as session:
        users.add_user(session, Scope.system(), "nsscp.exec", "executive", [NSCP], "Correct-Horse-Battery-9")
    monkeypatch.setenv("S11_DATABASE_URL", str(sqlite_seeded.url))
    monkeypatch.chdir(tmp_path)
    for args, says in (
            (["--partnership", "GSCP", "--partnership", "NSSCP", "--cycle", "2021", "--user", "nsscp.exec"],
             "unknown partnership 'GSCP'"),
            (["--partnership", "GSCP", "--partnership", "North Somerset", "--cycle", "2023"],
             f"{GSCP} has no cycle starting in 2023")):
        assert main(["report", *args]) == 2, args
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and says in err, err
    assert not list(tmp_path.iterdir())
