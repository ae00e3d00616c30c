"""Nothing half-written: an import that fails or is killed mid-write leaves the database as it was, and two
imports at once (real processes) neither duplicate nor lose anything. SQLite and PostgreSQL."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from s11data.store import audit, db
from s11data.store.models import AuditReturn, Cycle, Organisation, Upload
from test_import import NEW_ORG, codes, csv_of, demo_rows, run, snapshot

# Each child process runs one import with a hook placed from outside (the product has no test hooks).
SLOW = """
import json, sys, time
from s11data.store import db
from s11data.returns import importer
from s11data.store.scope import Scope

real = importer._current_returns

def slow(session, keys):
    found = real(session, keys)
    time.sleep(float(sys.argv[3]))  # hold the write transaction open so the two imports overlap
    return found

importer._current_returns = slow
result = importer.import_file(db.get_engine(), Scope.system(sys.argv[2]), open(sys.argv[1], "rb").read(), "r.csv")
print(json.dumps({**result.as_json(), "committed": result.committed}))
"""

KILLED = """
import os, signal, sys
from s11data.store import audit, db
from s11data.returns import importer
from s11data.store.scope import Scope

def die(session, *args, **kwargs):  # the last step of a write: every return and rating is already sent
    session.flush()
    os.kill(os.getpid(), signal.SIGKILL)

audit.record = die
importer.import_file(db.get_engine(), Scope.system("killed"), open(sys.argv[1], "rb").read(), "r.csv")
"""


def _child(engine: Engine, script: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "S11_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    return subprocess.Popen([sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def _versions(engine: Engine) -> list[tuple[int, bool]]:
    with db.read_session(engine) as s:
        return list(s.execute(select(AuditReturn.version, AuditReturn.is_current).join(AuditReturn.organisation)
                              .join(AuditReturn.cycle).where(Organisation.name == NEW_ORG, Cycle.label == "2025-26")
                              .order_by(AuditReturn.version)).all())


def _uploads(engine: Engine) -> int:
    with db.read_session(engine) as s:
        return s.scalar(select(func.count()).select_from(Upload))


def test_an_error_mid_write_rolls_everything_back(seeded_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    before = snapshot(seeded_engine)
    monkeypatch.setattr(audit, "record", fail)
    with pytest.raises(RuntimeError):
        run(seeded_engine, csv_of(demo_rows(NEW_ORG, ["G"] * 14, engine=seeded_engine)))
    assert snapshot(seeded_engine) == before


def test_a_killed_import_leaves_the_database_as_before(seeded_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    data = csv_of(demo_rows(NEW_ORG, ["A"] * 14, engine=seeded_engine))
    path.write_bytes(data)
    before = snapshot(seeded_engine)
    child = _child(seeded_engine, KILLED, str(path))
    child.communicate(timeout=120)
    assert child.returncode == -9
    assert snapshot(seeded_engine) == before
    after = run(seeded_engine, data)  # and the database takes the next import normally
    assert after.ok and after.committed and _versions(seeded_engine) == [(1, True)]


def test_the_same_file_imported_twice_at_once_is_written_once(seeded_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(csv_of(demo_rows(NEW_ORG, ["G"] * 14, engine=seeded_engine)))
    children = [_child(seeded_engine, SLOW, str(path), f"p{i}", "1.0") for i in range(2)]
    outcomes = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    assert all(o["ok"] for o in outcomes)
    assert sorted(o["committed"] for o in outcomes) == [False, True]
    assert sorted(o["imported"] for o in outcomes) == [0, 14]
    assert _versions(seeded_engine) == [(1, True)] and _uploads(seeded_engine) == 1


def test_two_different_returns_at_once_become_two_versions(seeded_engine: Engine, tmp_path: Path) -> None:
    qs = codes(seeded_engine)
    paths = []
    for grade in ("G", "R"):
        path = tmp_path / f"{grade}.csv"
        path.write_bytes(csv_of(demo_rows(NEW_ORG, [grade] * 14, question_codes=qs)))
        paths.append(path)
    children = [_child(seeded_engine, SLOW, str(p), p.stem, "1.0") for p in paths]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1])["committed"] is True
    assert _versions(seeded_engine) == [(1, False), (2, True)] and _uploads(seeded_engine) == 2
