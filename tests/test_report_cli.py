"""`s11 report` as DESIGN §3 fixes it, run as a user would: exit 0 and the file written, exit 2 with one line when
refused (unknown partnership or cycle, out of the user's scope)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from s11data.store import db
from s11data.admin import users
from s11data.store.scope import Scope


def s11(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "S11_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "s11data", "report", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def test_report_is_written_named_after_partnership_and_cycle(sqlite_seeded: Engine, tmp_path: Path) -> None:
    url = str(sqlite_seeded.url)
    done = s11(url, "--partnership", "Gloucestershire Safeguarding Children Partnership", "--cycle", "2021",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = tmp_path / "GSCP-2021-section-11-report.docx"
    assert written.is_file() and str(written) in done.stdout
    import docx

    document = docx.Document(str(written))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert {"Gloucester City Council", "Stroud District Council", "QiiP Subgroup; Districts Subgroup"} <= cells

    out = tmp_path / "nsscp.html"
    done = s11(url, "--partnership", "North Somerset", "--cycle", "2023/24", "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert "Published figures" in html and "Appendix One" in html


def test_refusals_exit_2_with_one_line(sqlite_seeded: Engine, tmp_path: Path, monkeypatch, capsys) -> None:
    """In-process (the same `main` the console script runs): four refusals would cost four interpreter starts."""
    from s11data.cli import main

    with db.write_session(sqlite_seeded) as session:
        users.add_user(session, Scope.system(), "nsscp.exec", "executive", ["North Somerset Children's Partnership"],
                       "Correct-Horse-Battery-9", name="Nina Exec")
    monkeypatch.setenv("S11_DATABASE_URL", str(sqlite_seeded.url))
    monkeypatch.chdir(tmp_path)
    for args, says in (
            (["--partnership", "Nowhere", "--cycle", "2021"], "unknown partnership 'Nowhere'"),
            (["--partnership", "GSCP", "--cycle", "1999"], "unknown cycle '1999'"),
            (["--partnership", "GSCP", "--cycle", "2021", "--user", "nsscp.exec"], "unknown partnership 'GSCP'"),
            (["--partnership", "GSCP", "--cycle", "2021", "--user", "nobody"], "no active user 'nobody'")):
        code = main(["report", *args])
        err = capsys.readouterr().err
        assert code == 2, (args, err)
        assert err.count("\n") == 1 and says in err and err.startswith("s11 report: ")
    assert not list(tmp_path.iterdir())
