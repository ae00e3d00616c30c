"""The synthetic data set (`s11 synth`) and the benchmark (`s11 bench`), at small scale on SQLite and PostgreSQL.

The generator must give the same content for the same seed, realistic shapes (shared organisations, changing
frameworks, a rating per question of every return), refuse to mix two sets, leave real data alone, and label
everything it makes as synthetic. The benchmark is only checked to run and to print the JSON it promises: its
times are figures for people to read (DESIGN §6), never asserted.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from sqlalchemy import Engine, func, select

from s11data.store import db
from s11data.returns import exports
from bench import synth
from s11data.store.errors import UserError
from s11data.store.models import (
    STABLE_THEMES,
    AuditReturn,
    Cycle,
    Invitation,
    Method,
    Organisation,
    Partnership,
    Question,
    QuestionTheme,
    Rating,
    Recommendation,
    Theme,
)
from s11data.store.scope import Scope


def content(engine: Engine) -> dict[str, str]:
    """Everything a user could read: the three exports, the frameworks with their themes, the organisations."""
    with db.read_session(engine) as session:
        out = {kind: exports.export(session, Scope.system(), kind).to_csv(index=False) for kind in exports.KINDS}
        out["questions"] = repr(session.execute(
            select(Partnership.name, Cycle.label, Cycle.method, Cycle.scale, Question.code, Question.text,
                   func.count(QuestionTheme.theme_id))
            .join(Cycle, Cycle.partnership_id == Partnership.id).join(Question, Question.cycle_id == Cycle.id)
            .outerjoin(QuestionTheme, QuestionTheme.question_id == Question.id)
            .group_by(Partnership.name, Cycle.label, Cycle.method, Cycle.scale, Question.code, Question.text)
            .order_by(Partnership.name, Cycle.label, Question.code)).all())
        out["organisations"] = repr(session.execute(
            select(Organisation.name, Organisation.sector).order_by(Organisation.name)).all())
    return out


def backend(engine: Engine) -> str:
    return "sqlite" if engine.dialect.name == "sqlite" else "postgres"


def test_same_seed_same_content_and_another_seed_differs(engine: Engine, templates) -> None:  # type: ignore[no-untyped-def]
    other = db.get_engine(templates.clone(backend(engine), seeded=False))
    first = synth.synthesize(engine, "small", seed=5)
    second = synth.synthesize(other, "small", seed=5)
    assert first.counts == second.counts
    assert content(engine) == content(other)
    synth.synthesize(other, "small", seed=6, replace=True)
    assert content(engine)["ratings"] != content(other)["ratings"]
    other.dispose()


def test_small_scale_has_the_expected_shape(engine: Engine) -> None:
    result = synth.synthesize(engine, "small", seed=1)
    size = synth.SIZES["small"]
    assert result.counts["partnership"] == size.partnerships == 3
    assert result.counts["cycle"] == size.partnerships * size.cycles
    assert 40 <= result.counts["organisation"] <= 50
    assert 1_800 <= result.counts["rating"] <= 4_500
    assert result.counts["recommendation"] == size.partnerships * size.cycles * (size.recommendations
                                                                                  + size.commitments)
    with db.read_session(engine) as s:
        per_cycle = s.execute(select(Question.cycle_id, func.count()).group_by(Question.cycle_id)).all()
        assert all(18 <= n <= 24 for _, n in per_cycle)
        themes = set(s.scalars(select(Theme.name).join(QuestionTheme, QuestionTheme.theme_id == Theme.id)))
        assert themes <= set(STABLE_THEMES) and len(themes) >= 8
        untagged = s.scalar(select(func.count()).select_from(Question).where(
            Question.id.not_in(select(QuestionTheme.question_id))))
        assert untagged == 0
        # every current return answers every question of its cycle, once
        answered = s.execute(
            select(AuditReturn.id, AuditReturn.cycle_id, func.count(Rating.id)).join(Rating)
            .where(AuditReturn.is_current.is_(True)).group_by(AuditReturn.id, AuditReturn.cycle_id)).all()
        questions = dict(per_cycle)
        assert answered and all(n == questions[cid] for _, cid, n in answered)
        # organisations shared between partnerships, as police forces and hospitals are
        partnerships_of = Counter(oid for oid, _ in s.execute(
            select(Invitation.organisation_id, Cycle.partnership_id).join(Cycle).distinct()))
        assert sum(1 for n in partnerships_of.values() if n > 1) >= 5
        # the panel moderates; a self-assessment has no moderated grades
        moderated = s.execute(select(Cycle.method, func.count(Rating.moderated_rag)).select_from(Rating)
                              .join(AuditReturn).join(Cycle).group_by(Cycle.method)).all()
        assert all(n == 0 for method, n in moderated if method == Method.SELF_ASSESSMENT)
        # frameworks change between cycles of one partnership
        codes = [frozenset(s.scalars(select(Question.text).where(Question.cycle_id == c.id)))
                 for c in s.scalars(select(Cycle).where(Cycle.partnership_id == 1).order_by(Cycle.label))]
        assert len(set(codes)) > 1
        # actions of every status, some overdue by now
        statuses = set(s.scalars(select(Recommendation.status).distinct()))
        assert len(statuses) >= 4


def test_everything_is_labelled_synthetic(engine: Engine) -> None:
    synth.synthesize(engine, "small", seed=3)
    with db.read_session(engine) as s:
        partnerships = s.scalars(select(Partnership)).all()
        assert partnerships and all(p.illustrative and p.region == "Synthetic" and
                                    p.name.startswith("Synthetic Partnership ") and
                                    p.source.startswith("synthetic, not real data") for p in partnerships)
        names = s.scalars(select(Organisation.name)).all()
        assert all(name.endswith("(synthetic)") for name in names)
        assert all(c.title.startswith("Synthetic") for c in s.scalars(select(Cycle)))


def test_twice_is_a_no_op_another_set_is_refused_and_real_data_is_untouched(seeded_engine: Engine) -> None:
    with db.read_session(seeded_engine) as s:
        real = {kind: exports.export(s, Scope.system(), kind).to_csv(index=False) for kind in exports.KINDS}
    first = synth.synthesize(seeded_engine, "small", seed=1)
    again = synth.synthesize(seeded_engine, "small", seed=1)
    assert again.already_there and not again.counts
    with db.read_session(seeded_engine) as s:
        assert s.scalar(select(func.count()).select_from(Rating).join(AuditReturn).join(Cycle).join(Partnership)
                        .where(Partnership.illustrative.is_(True), Partnership.region == "Synthetic")) \
            == first.counts["rating"]
    with pytest.raises(UserError, match="--replace"):
        synth.synthesize(seeded_engine, "small", seed=2)
    replaced = synth.synthesize(seeded_engine, "small", seed=2, replace=True)
    assert replaced.removed["rating"] == first.counts["rating"]
    removed = synth.remove(seeded_engine)
    assert removed["partnership"] == 3 and removed["organisation"] == replaced.counts["organisation"]
    with db.read_session(seeded_engine) as s:
        assert s.scalar(select(func.count()).select_from(Partnership).where(Partnership.region == "Synthetic")) == 0
        after = {kind: exports.export(s, Scope.system(), kind).to_csv(index=False) for kind in exports.KINDS}
    assert after == real


def s11(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "S11_DATABASE_URL": url, "S11_BENCH_POSTGRES_URL": ""}
    return subprocess.run([sys.executable, "-m", "bench", *args], capture_output=True, text=True, env=env,
                          timeout=600)


def test_synth_then_bench_prints_one_json_object(engine: Engine) -> None:
    """`s11 synth` then `s11 bench --json` on the configured database only (pages on SQLite only, to stay fast)."""
    url = engine.url.render_as_string(hide_password=False)
    made = s11(url, "synth", "--scale", "small")
    assert made.returncode == 0, made.stderr
    assert "generated synthetic set (small, seed 1)" in made.stdout
    again = s11(url, "synth", "--scale", "small")
    assert again.returncode == 0 and "nothing changed" in again.stdout
    # Pages, the report and a small concurrency level on SQLite; PostgreSQL only for its queries and import (the
    # page scripts, documents and servers are the same code whichever database; tests/test_bench_concurrency.py
    # and the report tests cover them on both).
    other = (["--postgres", "none", "--concurrency", "1,2", "--processes", "1"] if backend(engine) == "sqlite"
             else ["--sqlite", "none", "--no-pages", "--no-report", "--concurrency", "none"])
    engine.dispose()
    ran = s11(url, "bench", "--scale", "small", "--json", "--repeat", "1", "--import-rows", "1000", *other)
    assert ran.returncode == 0, ran.stderr[-2000:]
    report = json.loads(ran.stdout)
    assert {"scale", "targets_seconds", "machine", "databases", "memory", "ok"} <= set(report)
    assert set(report["targets_seconds"]) == {"query", "page_warm", "page_cold", "import", "report", "rollup"}
    measured = [d for d in report["databases"] if not d["skipped"]]
    assert [d["backend"] for d in measured] == [engine.dialect.name]
    (d,) = measured
    assert {q["name"].split("[")[0] for q in d["queries"]} >= {"filter_choices.filter_choices", "heat_map.heat_map_cells",
                                                               "engagement.funnel", "actions.actions"}
    for q in d["queries"]:
        assert q["error"] is None, q
        assert q["seconds"] is not None and q["bare_sql_seconds"] is not None and "ratio" in q
    if backend(engine) == "sqlite":
        assert {p["page"] for p in d["pages"]} >= {"overview", "heat_map", "trends", "agency"}
        assert {p["scope"] for p in d["pages"]} == {"one partnership", "3 partnerships"}  # and a reader of all
        for p in d["pages"]:
            assert p["error"] is None, p
            assert p["cold_seconds"] is not None and p["warm_seconds"] is not None and "cold_ratio" in p
    assert d["import"]["error"] is None and d["import"]["rows"] == 1_000
    assert d["import"]["imported"] == 1_000 and d["import"]["ratio"] is not None
    assert report["memory"]["max_rss_mb"] > 0
    if backend(engine) == "sqlite":
        assert {level["sessions"] for level in report["concurrency"]["levels"]} == {1, 2}
    with db.read_session(engine) as s:  # the benchmark cycle is gone: the set is as `s11 synth` made it
        assert s.scalar(select(func.count()).select_from(Cycle).where(Cycle.title.contains("Benchmark"))) == 0
