"""The `s11` command line as DESIGN §3 fixes it, run as a user would: a real process on a real database."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys

from sqlalchemy import Engine

from s11data.store import db, lookup
from s11data.store.models import Organisation


def s11(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "S11_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "s11data", *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_init_db_then_seed_twice_gives_identical_exports(fresh_url: str) -> None:
    assert s11(fresh_url, "init-db").returncode == 0
    assert s11(fresh_url, "init-db").returncode == 0
    assert s11(fresh_url, "seed").returncode == 0
    first = {k: s11(fresh_url, "export", k).stdout for k in ("ratings", "actions", "invitations")}
    assert s11(fresh_url, "seed").returncode == 0
    second = {k: s11(fresh_url, "export", k).stdout for k in ("ratings", "actions", "invitations")}
    assert first == second
    header = {k: next(csv.reader(io.StringIO(v.lstrip("\ufeff")))) for k, v in first.items()}
    assert header["ratings"][:6] == ["partnership", "cycle", "organisation", "question", "rating", "evidence"]
    assert {"partnership", "cycle", "number", "kind", "owner", "due", "status"} <= set(header["actions"])
    assert {"partnership", "cycle", "organisation", "status"} <= set(header["invitations"])


def test_export_is_filtered_and_writes_xlsx(sqlite_seeded: Engine, tmp_path) -> None:
    url = str(sqlite_seeded.url)
    out = tmp_path / "gscp.xlsx"
    result = s11(url, "export", "ratings", "--partnership", "GSCP", "--cycle", "2021", "--out", str(out))
    assert result.returncode == 0, result.stderr
    import openpyxl

    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("partnership", "cycle")
    assert len(rows) == 49 and {r[1] for r in rows[1:]} == {"2021"}


def test_export_neutralises_formula_like_cells(sqlite_seeded: Engine) -> None:
    with db.write_session(sqlite_seeded) as session:
        session.add(Organisation(name="=HYPERLINK(\"http://x\")"))
    engine_url = str(sqlite_seeded.url)
    db.get_engine.cache_clear()
    from s11data.returns import exports
    from s11data.store.scope import Scope
    from s11data.returns.spreadsheet import to_csv_bytes
    import pandas as pd

    frame = pd.DataFrame({"partnership": ["=cmd|' /C calc'!A0", "+1", "-2", "@SUM(1)", "\tx", "plain"]})
    text = to_csv_bytes(frame).decode("utf-8-sig")
    for bad in ("=cmd", "+1", "-2", "@SUM", "\tx"):
        assert f"\n'{bad}" in text or f"\n\"'{bad}" in text
    assert "\nplain" in text
    assert s11(engine_url, "export", "invitations").returncode == 0
    assert exports.KINDS and Scope


def test_unknown_partnership_is_one_clear_line_not_a_traceback(sqlite_seeded: Engine) -> None:
    result = s11(str(sqlite_seeded.url), "export", "ratings", "--partnership", "Atlantis")
    assert result.returncode != 0
    assert "unknown partnership 'Atlantis'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_near_miss_of_a_partnership_name_is_answered_with_the_name_meant(sqlite_seeded: Engine) -> None:
    result = s11(str(sqlite_seeded.url), "export", "ratings", "--partnership",
                 "Gloucestershire Safeguarding Children Partnershp")
    assert result.returncode != 0
    assert "did you mean 'Gloucestershire Safeguarding Children Partnership'" in result.stderr  # best first


def test_a_reader_of_many_partnerships_is_not_sent_all_their_names() -> None:
    names = [f"Synthetic Partnership {n:03}" for n in range(1, 151)]
    hint = lookup._known_hint("Atlantis", names)
    assert hint == ("; yours include " + ", ".join(names[:lookup.NAMES_LISTED])
                    + f" and {150 - lookup.NAMES_LISTED} more")
    assert lookup._known_hint("Atlantis", names[:2]) == "; yours: Synthetic Partnership 001, Synthetic Partnership 002"
