"""Benchmark (printed, never asserted): a 10,000-row long-form return file validated and committed, on SQLite and
PostgreSQL, beside the bare SQL time of inserting the same rows (DESIGN §6: target under 2 s).

Run with `pytest tests/test_import_benchmark.py -s` to see the figures. The test checks only that the import is
right (every rating written once, a second import writes nothing).
"""
from __future__ import annotations

import csv
import io
import os
import time

from sqlalchemy import Engine, func, insert, select

from s11data.store import db
from s11data.returns.importer import import_file
from s11data.store.models import (
    AuditReturn,
    Cycle,
    Invitation,
    Method,
    Organisation,
    Partnership,
    Question,
    Rag,
    Rating,
    Scale,
)
from s11data.store.scope import Scope

ORGANISATIONS, QUESTIONS = 500, 20
GRADES = ["Green", "Amber", "Red", "Amber/Green", "3", "n/a", "", "G"]


def _setup(engine: Engine) -> list[str]:
    with db.write_session(engine) as s:
        p = Partnership(name="Benchmark Partnership", short_name="BENCH")
        s.add(p)
        s.flush()
        c = Cycle(partnership_id=p.id, label="2030-31", method=Method.SELF_ASSESSMENT, scale=Scale.RAG)
        s.add(c)
        s.flush()
        codes = [f"{chr(65 + i // 4)}{i % 4 + 1}" for i in range(QUESTIONS)]
        s.execute(insert(Question), [{"cycle_id": c.id, "code": code, "position": i} for i, code in enumerate(codes)])
        names = [f"Benchmark organisation {i:04d}" for i in range(ORGANISATIONS)]
        ids = s.scalars(insert(Organisation).returning(Organisation.id, sort_by_parameter_order=True),
                        [{"name": n} for n in names]).all()
        s.execute(insert(Invitation), [{"cycle_id": c.id, "organisation_id": i} for i in ids])
    return codes


def _file(codes: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["partnership", "cycle", "organisation", "question", "rating", "evidence", "completed_by",
                     "submitted_on"])
    for o in range(ORGANISATIONS):
        for q, code in enumerate(codes):
            writer.writerow(["BENCH", "2030-31", f"Benchmark organisation {o:04d}", code,
                             GRADES[(o + q) % len(GRADES)], f"Evidence {o}-{code}: policy reviewed, staff trained",
                             f"Lead {o}", "2031-01-15"])
    return out.getvalue().encode("utf-8-sig")


def _bare_sql(engine: Engine) -> float:
    """Insert 500 returns and 10,000 ratings with plain executemany, then roll back: the floor to compare with."""
    with db.read_session(engine) as s:
        cycle = s.scalar(select(Cycle.id).where(Cycle.label == "2030-31"))
        orgs = s.scalars(select(Organisation.id).order_by(Organisation.id)).all()
        questions = s.scalars(select(Question.id).where(Question.cycle_id == cycle)).all()
    start = time.perf_counter()
    with engine.connect() as conn:
        transaction = conn.begin()
        ids = conn.execute(insert(AuditReturn).returning(AuditReturn.id, sort_by_parameter_order=True),
                           [{"cycle_id": cycle, "organisation_id": o, "version": 9, "is_current": False,
                             "completed_by": "", "source": ""} for o in orgs]).scalars().all()
        conn.execute(insert(Rating), [{"return_id": r, "question_id": q, "raw_value": "Green", "scale": Scale.RAG,
                                       "rag": Rag.GREEN, "moderated_raw": "", "evidence": "e", "source": "",
                                       "note": ""} for r in ids for q in questions])
        transaction.rollback()
    return time.perf_counter() - start


def test_ten_thousand_rows_validated_and_committed(engine: Engine) -> None:
    data = _file(_setup(engine))
    start = time.perf_counter()
    checked = import_file(engine, Scope.system("bench"), data, "bench.csv", dry_run=True)
    validated = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    result = import_file(engine, Scope.system("bench"), data, "bench.csv")
    committed, cpu = time.perf_counter() - start, time.process_time() - cpu
    bare = _bare_sql(engine)
    assert checked.ok and result.ok and result.committed, (checked.errors[:3], result.errors[:3])
    assert result.rows == result.imported == ORGANISATIONS * QUESTIONS
    with db.read_session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Rating)) == ORGANISATIONS * QUESTIONS
    start = time.perf_counter()
    again = import_file(engine, Scope.system("bench"), data, "bench.csv")
    unchanged = time.perf_counter() - start
    assert again.ok and again.imported == 0 and not again.committed
    print(f"\n[benchmark] {engine.dialect.name}: {result.rows:,} rows ({len(data) / 1e6:.1f} MB) — "
          f"dry run {validated:.2f} s, validated + committed {committed:.2f} s (target < 2 s; this process's CPU "
          f"{cpu:.2f} s), same file again {unchanged:.2f} s; bare SQL insert of the same rows {bare:.2f} s "
          f"(import = {committed / bare:.1f}× bare SQL); load average {os.getloadavg()[0]:.1f}")
