"""`s11 import FILE [--dry-run] [--json] [--partnership NAME] [--cycle LABEL]` as DESIGN §3 fixes it, run as a
user would: a real process on a real database (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from test_import import DEMO, NEW_ORG, codes, csv_of, snapshot


def s11(engine: Engine, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "S11_DATABASE_URL": engine.url.render_as_string(hide_password=False)}
    return subprocess.run([sys.executable, "-m", "s11data", "import", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def outcome(result: subprocess.CompletedProcess[str]) -> dict:
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1, result.stdout + result.stderr
    data = json.loads(lines[0])
    assert list(data) == ["ok", "rows", "imported", "errors", "warnings"]
    return data


def test_dry_run_then_import_then_again(seeded_engine: Engine, tmp_path: Path) -> None:
    qs = codes(seeded_engine)
    path = tmp_path / "return.csv"
    path.write_bytes(csv_of([[NEW_ORG, q, "Green", "ok"] for q in qs],
                            header=["Organisation", "Question", "Rating", "Evidence"]))
    before = snapshot(seeded_engine)
    dry = s11(seeded_engine, str(path), "--dry-run", "--json", "--partnership", "DEMO", "--cycle", "2025-26")
    assert dry.returncode == 0, dry.stderr
    assert outcome(dry) == {"ok": True, "rows": len(qs), "imported": len(qs), "errors": [], "warnings": []}
    assert snapshot(seeded_engine) == before
    done = s11(seeded_engine, str(path), "--json", "--partnership", DEMO, "--cycle", "2025-26")
    assert done.returncode == 0 and outcome(done)["imported"] == len(qs)
    after = snapshot(seeded_engine)
    again = s11(seeded_engine, str(path), "--partnership", DEMO, "--cycle", "2025-26")
    assert again.returncode == 0 and "Nothing to change" in again.stdout and "already imported" in again.stdout
    assert snapshot(seeded_engine) == after


def test_a_refused_file_exits_non_zero_with_row_level_errors(seeded_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_of([[DEMO, "2025-26", NEW_ORG, "A1", "Purple", ""],
                             [DEMO, "2025-26", "Compass Young Carer", "A2", "G", ""]]))
    before = snapshot(seeded_engine)
    result = s11(seeded_engine, str(path), "--json")
    assert result.returncode != 0
    data = outcome(result)
    assert data["ok"] is False and data["imported"] == 0 and data["rows"] == 2
    assert [(e["row"], e["column"]) for e in data["errors"]] == [(2, "rating"), (3, "organisation")]
    assert "Compass Young Carers (illustrative)" in data["errors"][1]["message"]
    plain = s11(seeded_engine, str(path))
    assert plain.returncode != 0 and "row 2, column 'rating'" in plain.stderr and "Traceback" not in plain.stderr
    assert snapshot(seeded_engine) == before


def test_missing_and_binary_files_are_one_json_object_or_one_clear_line(seeded_engine: Engine,
                                                                       tmp_path: Path) -> None:
    missing = s11(seeded_engine, str(tmp_path / "nope.csv"), "--json")
    assert missing.returncode != 0 and "There is no file" in outcome(missing)["errors"][0]["message"]
    binary = tmp_path / "returns.csv"
    binary.write_bytes(bytes(range(256)) * 16)
    result = s11(seeded_engine, str(binary))
    assert result.returncode != 0 and "not a text file" in result.stderr and "Traceback" not in result.stderr


def test_an_unreachable_database_is_still_one_json_object(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"organisation,question,rating\nx,A1,G\n")
    env = {**os.environ, "S11_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"}
    result = subprocess.run([sys.executable, "-m", "s11data", "import", str(path), "--json"], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is False and "The import failed" in data["errors"][0]["message"]
