"""`s11 bench`: how fast the dashboard is on a synthetic set, against the targets of DESIGN §6.

On each database (the configured one, and the other back end when it can be reached) it measures:

- every read the pages make, listed in `BENCH_QUERIES` (a function of `s11data.views`, `.engagement`,
  `.actions`, … with arguments picked from the data), beside the bare SQL of the statements that call ran,
  re-executed straight on the driver's cursor: ratio = function ÷ bare SQL is the cost of ORM, Python and pandas;
- every page script in `pages/`, run as `streamlit.testing.v1.AppTest` runs it with a signed-in scope in session
  state: cold (just after `st.cache_data.clear()`) and warm (run again), with the bare SQL the cold run issued;
- a 10,000-row long-form return file for a benchmark cycle, validated (dry run) and imported (validated and
  committed) by `s11data.returns.importer.import_file`, beside a bare executemany insert of the same rows; the
  benchmark cycle is removed afterwards, so the data set stays as `s11 synth` made it;
- peak memory: the largest tracemalloc peak of one query or one import check, and the process's max RSS.

Figures are medians of `repeat` runs. Nothing here asserts a time: the table (or `--json`) says pass or fail
beside each target. This is the one module of s11data that loads Streamlit, and only to drive the pages.
"""
from __future__ import annotations

import csv
import gc
import io
import json
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import Engine, create_engine, delete, func, insert, select, text
from sqlalchemy.engine import make_url

from bench import concurrency, page_timing, synth
from bench.measure import TARGETS, PageFigure, Picked, bare_sql, captured
from bench.report import TARGETS as REPORT_TARGETS
from bench.report import ReportFigure, table_lines, time_reports
from s11data.admin import users
from s11data.returns import importer
from s11data.store import audit, db
from s11data.views import actions, agency, common, engagement, figures, filter_choices, heat_map, overview, trends
from s11data.store.errors import UserError
from s11data.store.models import (
    AuditReturn,
    Cycle,
    Invitation,
    Method,
    Organisation,
    Partnership,
    ProgressUpdate,
    Question,
    QuestionTheme,
    Rag,
    Rating,
    Recommendation,
    Role,
    Scale,
    Theme,
)
from s11data.store.scope import Scope

"""Pages opened with the busy organisation chosen in the filters (the others show the whole partnership)."""
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/s11bench"
BENCH_USER = "s11bench"
IMPORT_ROWS = 10_000
IMPORT_QUESTIONS = 20
BENCH_LABEL = "2026-27"
BENCH_TITLE = "Benchmark cycle (made and removed by s11 bench)"
BENCH_SOURCE = "s11 bench"


# --- what to measure ---------------------------------------------------------------------------------


Arguments = Callable[[Picked], dict[str, Any]]

BENCH_QUERIES: dict[str, Arguments] = {
    # filters (every page)
    "filter_choices.filter_choices": lambda p: {},
    # overview
    "common.cycle_info": lambda p: {"cycle_id": p.cycle_id},
    "overview.returns_figures": lambda p: {"cycle_id": p.cycle_id},
    "overview.rag_distribution": lambda p: {"cycle_id": p.cycle_id},
    "overview.rag_distribution[previous cycle]": lambda p: {"cycle_id": p.previous_cycle_id},
    "common.previous_cycle": lambda p: {"cycle_id": p.cycle_id},
    "overview.theme_summary": lambda p: {"cycle_id": p.cycle_id},
    "figures.action_figures": lambda p: {"partnership_id": p.partnership_id, "today": p.today},
    "overview.to_chase": lambda p: {"cycle_id": p.cycle_id},
    # heat map
    "heat_map.heat_map_cells": lambda p: {"cycle_id": p.cycle_id},
    "heat_map.heat_map_cells[by theme]": lambda p: {"cycle_id": p.cycle_id, "by": "theme"},
    "heat_map.heat_map_cells[one theme]": lambda p: {"cycle_id": p.cycle_id, "theme_id": p.theme_id},
    "heat_map.question_summary": lambda p: {"cycle_id": p.cycle_id},
    "heat_map.organisation_counts": lambda p: {"cycle_id": p.cycle_id},
    # trends
    "trends.rag_by_cycle[themes]": lambda p: {"partnership_id": p.partnership_id, "by_theme": True},
    "trends.rag_by_cycle[organisation]": lambda p: {"organisation_id": p.organisation_id},
    "trends.partnerships_side_by_side": lambda p: {},
    "trends.ungraded_cycles": lambda p: {"partnership_id": p.partnership_id},
    # agency
    "agency.agency_profile": lambda p: {"organisation_id": p.organisation_id},
    # engagement
    "engagement.funnel": lambda p: {"partnership_id": p.partnership_id},
    "engagement.status_board": lambda p: {"partnership_id": p.partnership_id},
    "engagement.chase_list": lambda p: {"today": p.today, "partnership_id": p.partnership_id,
                                        "cycle_id": p.cycle_id},
    "engagement.contact_history": lambda p: {"partnership_id": p.partnership_id, "cycle_id": p.cycle_id},
    "engagement.invitation_options": lambda p: {"partnership_id": p.partnership_id, "cycle_id": p.cycle_id},
    # actions
    "actions.actions": lambda p: {"today": p.today, "partnership_id": p.partnership_id},
    "actions.actions[closed too]": lambda p: {"today": p.today, "partnership_id": p.partnership_id,
                                              "only_open": False},
    "actions.progress_history": lambda p: {"recommendation_id": p.recommendation_id},
    # upload and users
    "importer.uploads": lambda p: {},
    "users.list_users": lambda p: {},
    "audit.events": lambda p: {"limit": 1000},
}
"""Every read the pages make, by `module.function[variant]` in s11data, with the arguments a page passes.

They run in the scope of an admin of the first synthetic partnership (what a business manager's or executive's
pages read); the entries of `NATIONAL_QUERIES` also run for an admin of every synthetic partnership."""

NATIONAL_QUERIES: tuple[str, ...] = ("filter_choices.filter_choices", "trends.partnerships_side_by_side",
                                     "engagement.funnel", "actions.actions")
"""Reads whose cost grows with the number of partnerships a user can see; measured again for a national user
(with the partnership filter left at the page default for the per-partnership ones)."""


# --- results -----------------------------------------------------------------------------------------

@dataclass
class QueryFigure:
    name: str
    scope: str
    seconds: float | None = None
    bare_sql_seconds: float | None = None
    ratio: float | None = None
    statements: int = 0
    rows: int = 0
    peak_mb: float | None = None
    ok: bool = False
    error: str | None = None



@dataclass
class ImportFigure:
    rows: int = 0
    validate_seconds: float | None = None
    commit_seconds: float | None = None
    bare_sql_seconds: float | None = None
    ratio: float | None = None
    imported: int = 0
    peak_mb: float | None = None
    ok: bool = False
    error: str | None = None


@dataclass
class DatabaseReport:
    backend: str
    url: str
    counts: dict[str, int] = field(default_factory=dict)
    picked: dict[str, Any] = field(default_factory=dict)
    queries: list[QueryFigure] = field(default_factory=list)
    pages: list[PageFigure] = field(default_factory=list)
    import_: ImportFigure | None = None
    reports: list[ReportFigure] = field(default_factory=list)
    skipped: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        if self.skipped:
            return True
        parts = [q.ok for q in self.queries] + [p.ok for p in self.pages] + [r.ok for r in self.reports]
        return all(parts) and (self.import_ is None or self.import_.ok)

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["import"] = out.pop("import_")
        out["ok"] = self.ok
        return out


# --- measuring ---------------------------------------------------------------------------------------



def _size(result: Any) -> int:
    """Rows in a result: a frame's length, or the sum over the frames and tuples a dataclass holds."""
    if isinstance(result, pd.DataFrame):
        return len(result)
    if isinstance(result, (list, tuple, dict, set, frozenset)):
        return len(result)
    if hasattr(result, "__dataclass_fields__"):
        return sum(_size(getattr(result, name)) for name in result.__dataclass_fields__)
    return 1 if result is not None else 0


READ_MODULES = {module.__name__.rpartition(".")[2]: module
                for module in (filter_choices, common, overview, figures, heat_map, trends, agency, engagement, actions,
                               importer, audit, users)}
"""The s11data modules whose reads are measured, by the short name a figure carries (`heat_map.heat_map_cells`)."""


def function_of(name: str) -> Callable[..., Any]:
    """`heat_map.heat_map_cells[by theme]` → s11data.views.heat_map.heat_map_cells."""
    module, _, function = name.split("[")[0].rpartition(".")
    return getattr(READ_MODULES[module], function)


def time_query(engine: Engine, name: str, scope: Scope, scope_name: str, picked: Picked,
               repeat: int) -> QueryFigure:
    figure = QueryFigure(name, scope_name)
    try:
        function, arguments = function_of(name), BENCH_QUERIES[name](picked)

        def call() -> Any:
            with db.read_session(engine) as session:
                return function(session, scope, **arguments)

        with captured(engine) as statements:
            result = call()  # also the warm-up: SQL compiled and cached, pool connection open
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        figure.seconds = statistics.median(times)
        figure.statements, figure.rows = len(statements), _size(result)
        figure.bare_sql_seconds = bare_sql(engine, statements, repeat)
        figure.ratio = figure.seconds / figure.bare_sql_seconds if figure.bare_sql_seconds else None
        figure.peak_mb = _peak_mb(call)
        figure.ok = figure.seconds < TARGETS["query"]
    except Exception as exc:  # noqa: BLE001 - a failing query is a figure ("error"), not the end of the run
        figure.error = f"{type(exc).__name__}: {exc}"
    return figure


def _peak_mb(call: Callable[[], Any]) -> float:
    """Peak Python allocation of one call (run apart from the timed runs: tracemalloc slows Python down)."""
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def time_pages(engine: Engine, url: str, scope: Scope, picked: Picked, repeat: int) -> list[PageFigure]:
    """Each page's script run, cold and warm (`bench.page_timing`: the pages are Streamlit scripts)."""
    return page_timing.time_pages(engine, url, scope, picked, repeat)


def time_import(engine: Engine, picked: Picked, repeat: int, rows: int = IMPORT_ROWS) -> ImportFigure:
    """A 10,000-row long-form file for a benchmark cycle: dry run, then import; the cycle is removed after."""
    from s11data.returns.importer import import_file

    figure = ImportFigure()
    scope = Scope.system(BENCH_USER)
    try:
        remove_bench_cycle(engine)
        label, names, codes = _bench_cycle(engine, picked, rows)
        data = _return_file(picked.partnership, label, names, codes)
        figure.rows = len(names) * len(codes)
        start = time.perf_counter()
        checked = import_file(engine, scope, data, "bench-10000.csv", dry_run=True)
        figure.validate_seconds = time.perf_counter() - start
        figure.peak_mb = _peak_mb(lambda: import_file(engine, scope, data, "bench-10000.csv", dry_run=True))
        start = time.perf_counter()
        result = import_file(engine, scope, data, "bench-10000.csv")
        figure.commit_seconds = time.perf_counter() - start
        if not (checked.ok and result.ok):
            raise RuntimeError("; ".join(p.message for p in (checked.errors or result.errors)[:3]))
        figure.imported = result.imported
        figure.bare_sql_seconds = _bare_insert(engine, repeat)
        figure.ratio = figure.commit_seconds / figure.bare_sql_seconds if figure.bare_sql_seconds else None
        figure.ok = figure.commit_seconds < TARGETS["import"] and figure.imported == figure.rows
    except Exception as exc:  # noqa: BLE001 - reported as the import's figure
        figure.error = f"{type(exc).__name__}: {exc}"
    finally:
        remove_bench_cycle(engine)
    return figure


def _bench_cycle(engine: Engine, picked: Picked, rows: int) -> tuple[str, list[str], list[str]]:
    """A cycle of the first partnership with 20 questions and rows ÷ 20 invited (synthetic) organisations."""
    organisations = max(1, rows // IMPORT_QUESTIONS)
    with db.write_session(engine) as session:
        themes = dict(session.execute(select(Theme.name, Theme.id)).all())
        cycle = Cycle(partnership_id=picked.partnership_id, label=BENCH_LABEL, method=Method.SELF_ASSESSMENT,
                      scale=Scale.RAG, title=BENCH_TITLE, source=BENCH_SOURCE, note="benchmark; removed after")
        session.add(cycle)
        session.flush()
        statements = [s for s in synth.STATEMENTS if s[0] != "G"][:IMPORT_QUESTIONS]
        framework = synth._codes(statements, "section")
        qids = session.scalars(insert(Question).returning(Question.id, sort_by_parameter_order=True), [
            {"cycle_id": cycle.id, "section_code": section, "section_title": title, "code": code, "text": body,
             "position": n, "source": BENCH_SOURCE, "note": ""}
            for n, (code, section, title, _themes, body) in enumerate(framework, start=1)]).all()
        session.execute(insert(QuestionTheme), [{"question_id": qid, "theme_id": themes[t]}
                                               for qid, (*_, ts, _b) in zip(qids, framework) for t in ts])
        orgs = session.execute(select(Organisation.id, Organisation.name)
                               .where(Organisation.name.endswith(synth.ORG_SUFFIX))
                               .order_by(Organisation.id).limit(organisations)).all()
        if len(orgs) < organisations:  # a small set has fewer: add benchmark organisations, removed after
            session.execute(insert(Organisation), [
                {"name": f"Benchmark Organisation {n:03d}{synth.ORG_SUFFIX}", "sector": "other",
                 "source": BENCH_SOURCE, "note": "benchmark; removed after"}
                for n in range(1, organisations - len(orgs) + 1)])
            orgs += session.execute(select(Organisation.id, Organisation.name)
                                    .where(Organisation.source == BENCH_SOURCE).order_by(Organisation.id)).all()
        session.execute(insert(Invitation), [{"cycle_id": cycle.id, "organisation_id": oid, "source": BENCH_SOURCE,
                                              "note": ""} for oid, _ in orgs])
    return BENCH_LABEL, [name for _, name in orgs], [code for code, *_ in framework]


def _return_file(partnership: str, label: str, names: list[str], codes: list[str]) -> bytes:
    grades = ["Green", "Amber", "Red", "Amber/Green", "3", "n/a", "", "G", "Outstanding", "not rated"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["partnership", "cycle", "organisation", "question", "rating", "evidence", "completed_by",
                     "submitted_on"])
    for o, name in enumerate(names):
        for q, code in enumerate(codes):
            writer.writerow([partnership, label, name, code, grades[(o + q) % len(grades)],
                             f"Benchmark evidence {o}-{code}: policy reviewed and staff trained.",
                             "Safeguarding lead", "2027-01-15"])
    return out.getvalue().encode("utf-8-sig")


def _bare_insert(engine: Engine, repeat: int) -> float:
    """Insert the file's returns and ratings with plain executemany (ids given), then roll back: the floor."""
    with db.read_session(engine) as session:
        cycle_id = session.scalar(select(Cycle.id).where(Cycle.label == BENCH_LABEL, Cycle.title == BENCH_TITLE))
        orgs = session.scalars(select(Invitation.organisation_id).where(Invitation.cycle_id == cycle_id)).all()
        questions = session.scalars(select(Question.id).where(Question.cycle_id == cycle_id)).all()
        first_return = (session.scalar(select(func.max(AuditReturn.id))) or 0) + 1
        first_rating = (session.scalar(select(func.max(Rating.id))) or 0) + 1
    returns = [{"id": first_return + n, "cycle_id": cycle_id, "organisation_id": o, "version": 99,
                "is_current": False, "completed_by": "Safeguarding lead", "source": BENCH_SOURCE}
               for n, o in enumerate(orgs)]
    ratings = [{"id": first_rating + n, "return_id": r["id"], "question_id": q, "raw_value": "Green",
                "scale": Scale.RAG.value, "rag": Rag.GREEN.value, "moderated_raw": "",
                "evidence": "Benchmark evidence: policy reviewed and staff trained.", "source": "", "note": ""}
               for n, (r, q) in enumerate((r, q) for r in returns for q in questions)]
    times = []
    for _ in range(repeat):
        with engine.connect() as conn:
            transaction = conn.begin()
            start = time.perf_counter()
            conn.execute(insert(AuditReturn), returns)
            conn.execute(insert(Rating), ratings)
            times.append(time.perf_counter() - start)
            transaction.rollback()
    return statistics.median(times)


def remove_bench_cycle(engine: Engine) -> None:
    """Remove the benchmark cycle and everything the import wrote under it (if an earlier run left one)."""
    with db.write_session(engine) as session:
        cycles = select(Cycle.id).where(Cycle.label == BENCH_LABEL, Cycle.title == BENCH_TITLE)
        for stmt in (*synth.under_cycles(cycles), delete(Organisation).where(Organisation.source == BENCH_SOURCE)):
            session.execute(stmt)


# --- one database ---------------------------------------------------------------------------------------

def pick(engine: Engine) -> Picked:
    """The first synthetic partnership, its latest and previous cycles, its busiest organisation, …"""
    with db.read_session(engine) as session:
        conn = session.connection()
        ids = [pid for pid, _ in synth.synthetic_partnerships(conn)]
        if not ids:
            raise UserError("the database holds no synthetic set; run `s11 synth --scale small` first")
        pid = ids[0]
        name = session.scalar(select(Partnership.name).where(Partnership.id == pid)) or ""
        cycles = session.execute(select(Cycle.id, Cycle.label).where(Cycle.partnership_id == pid,
                                                                     Cycle.title != BENCH_TITLE)
                                 .order_by(Cycle.label.desc()).limit(2)).all()
        (cid, label), previous = cycles[0], cycles[-1]
        returns = func.count(AuditReturn.id)
        oid, org = session.execute(
            select(Organisation.id, Organisation.name).join(AuditReturn, AuditReturn.organisation_id == Organisation.id)
            .join(Cycle, Cycle.id == AuditReturn.cycle_id).where(Cycle.partnership_id == pid)
            .group_by(Organisation.id, Organisation.name).order_by(returns.desc(), Organisation.id).limit(1)).one()
        theme_id = session.scalar(
            select(QuestionTheme.theme_id).join(Question, Question.id == QuestionTheme.question_id)
            .where(Question.cycle_id == cid).group_by(QuestionTheme.theme_id)
            .order_by(func.count().desc(), QuestionTheme.theme_id).limit(1))
        recommendation_id = session.scalar(
            select(Recommendation.id).join(ProgressUpdate).where(Recommendation.cycle_id == previous[0])
            .group_by(Recommendation.id).order_by(func.count().desc(), Recommendation.id).limit(1)) or 0
    return Picked(pid, name, cid, label, previous[0], oid, org, theme_id or 0, recommendation_id, tuple(ids))


def counts(engine: Engine) -> dict[str, int]:
    tables = (Partnership, Organisation, Cycle, Question, Invitation, AuditReturn, Rating, Recommendation,
              ProgressUpdate)
    with db.read_session(engine) as session:
        return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0 for m in tables}


def bench_database(url: str, scale: str, repeat: int, pages: bool = True, generate: bool = True,
                   progress: Callable[[str], None] | None = None, import_rows: int = IMPORT_ROWS,
                   reports: bool = True) -> DatabaseReport:
    """Every figure for one database (migrated, and given the synthetic set of `scale` if it has none)."""
    say = progress or (lambda _message: None)
    engine = db.get_engine(url)
    report = DatabaseReport(engine.dialect.name, db.redacted(url))
    started = time.perf_counter()
    db.init_db(engine)
    _ensure_synthetic(engine, scale, generate, say)
    picked = pick(engine)
    report.counts, report.picked = counts(engine), {k: str(v) for k, v in asdict(picked).items()
                                                    if k != "partnership_ids"}
    one = Scope.of(BENCH_USER, Role.ADMIN, [picked.partnership_id])
    everyone = Scope.of(BENCH_USER, Role.ADMIN, picked.partnership_ids)
    say(f"{report.backend}: queries")
    for name in BENCH_QUERIES:
        report.queries.append(time_query(engine, name, one, "one partnership", picked, repeat))
    for name in NATIONAL_QUERIES:
        report.queries.append(time_query(engine, name, everyone, f"{len(picked.partnership_ids)} partnerships",
                                         picked, repeat))
    if pages:
        say(f"{report.backend}: pages")
        report.pages = time_pages(engine, url, one, picked, repeat)
        for figure in time_pages(engine, url, everyone, picked, repeat):  # a national reader's first partnership
            figure.scope = f"{len(picked.partnership_ids)} partnerships"
            report.pages.append(figure)
    say(f"{report.backend}: import")
    report.import_ = time_import(engine, picked, repeat, import_rows)
    if reports:
        say(f"{report.backend}: report and roll-up")
        report.reports = time_reports(engine, picked.partnership_id, picked.cycle_id, picked.partnership_ids, repeat)
    report.seconds = time.perf_counter() - started
    return report


def _ensure_synthetic(engine: Engine, scale: str, generate: bool, say: Callable[[str], None]) -> None:
    with engine.connect() as conn:
        existing = synth.synthetic_partnerships(conn)
    wanted = synth.SIZES[scale].partnerships
    if existing and (len(existing) != wanted or f"--scale {scale} " not in existing[0][1]):
        made_by = existing[0][1].partition("`")[2].partition("`")[0]
        raise UserError(f"{db.redacted(engine.url.render_as_string(hide_password=False))} holds another synthetic "
                        f"set ({made_by}); run `s11 synth --scale {scale} --replace` on it first")
    if not existing:
        if not generate:
            raise UserError(f"no synthetic set in {engine.url.render_as_string(hide_password=True)}; "
                            f"run `s11 synth --scale {scale}` first")
        say(f"{engine.dialect.name}: generating the {scale} synthetic set")
        synth.synthesize(engine, scale, progress=synth.progress_line() if scale != "small" else None)


# --- which databases ----------------------------------------------------------------------------------

def databases(sqlite: str | None, postgres: str | None) -> list[tuple[str, str | None, str | None]]:
    """(backend, url or None, why skipped) for SQLite and PostgreSQL: the configured database for its own
    back end; for the other, the URL given (`none` skips it), else a default (PostgreSQL only when reachable)."""
    configured = db.database_url()
    backend = make_url(configured).get_backend_name()
    sqlite_url = configured if backend == "sqlite" else (sqlite or f"sqlite:///{db.DATA_DIR / 'bench.sqlite3'}")
    if sqlite and backend != "sqlite":
        sqlite_url = sqlite
    pg_url = configured if backend == "postgresql" else (postgres or os.environ.get("S11_BENCH_POSTGRES_URL")
                                                         or DEFAULT_POSTGRES)
    out: list[tuple[str, str | None, str | None]] = []
    out.append(("sqlite", None, "skipped (--sqlite none)") if sqlite == "none" else ("sqlite", sqlite_url, None))
    if postgres == "none":
        out.append(("postgresql", None, "skipped (--postgres none)"))
    else:
        why = _reachable(pg_url)
        out.append(("postgresql", None if why else pg_url, why))
    return out


def _reachable(url: str) -> str | None:
    """None if the PostgreSQL database can be used (created if the server is up and it is missing), else why not."""
    parsed = make_url(url)
    try:
        probe = create_engine(url)
        with probe.connect():
            pass
        probe.dispose()
        return None
    except Exception:  # noqa: BLE001 - maybe only the database is missing: try creating it below
        pass
    try:
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(text("select 1 from pg_database where datname = :name"), {"name": parsed.database})
            if not exists:
                conn.exec_driver_sql(f"CREATE DATABASE {admin.dialect.identifier_preparer.quote(parsed.database)}")
        admin.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - not reachable: the report says so
        return f"skipped: PostgreSQL not reachable at {db.redacted(url)} ({type(exc).__name__})"


# --- the whole run --------------------------------------------------------------------------------------

def _freeze_heap_as_the_app_does(pages: bool) -> None:
    """The app freezes its start-up heap (`gc.freeze()` in app/shell.py) so full garbage collections skip the
    libraries' objects; measure under the same conditions: load what the app loads, then freeze."""
    if pages:
        from app import shell  # noqa: F401 - loaded for what it loads

    gc.freeze()


def run(scale: str = "small", repeat: int = 5, sqlite: str | None = None, postgres: str | None = None,
        pages: bool = True, progress: Callable[[str], None] | None = None,
        import_rows: int = IMPORT_ROWS, documents: bool = True, levels: Sequence[int] = concurrency.LEVELS,
        processes: Sequence[int] = (1, 2)) -> dict[str, Any]:
    """Benchmark every database (and the report's documents), then the app servers' capacity on the first one
    measured (`levels` empty: not); returns the report as one JSON-ready dict."""
    if scale not in synth.SIZES:
        raise UserError(f"unknown scale '{scale}'; use one of: {', '.join(synth.SIZES)}")
    started = time.perf_counter()
    _freeze_heap_as_the_app_does(pages)
    reports = []
    targets = databases(sqlite, postgres)
    for backend, url, why in targets:
        if url is None:
            reports.append(DatabaseReport(backend, "", skipped=why))
            continue
        try:
            reports.append(bench_database(url, scale, repeat, pages=pages, progress=progress,
                                          import_rows=import_rows, reports=documents))
        except UserError as exc:  # e.g. another synthetic set there: say so, measure the other database
            reports.append(DatabaseReport(backend, db.redacted(url), skipped=f"skipped: {exc}"))
    measured = [r for r in reports if not r.skipped]
    served = next((url for (_, url, _), r in zip(targets, reports) if url and not r.skipped),
                  None)
    capacity = (concurrency.run(served, levels=levels, process_counts=processes,
                                say=progress or (lambda _: None)) if served and levels and pages else None)
    return {
        "scale": scale,
        "repeat": repeat,
        "targets_seconds": {**TARGETS, **REPORT_TARGETS},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average": [round(x, 2) for x in os.getloadavg()]},
        "databases": [r.as_json() for r in reports],
        "memory": {"max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                   "tracemalloc_peak_mb": _largest_peak(measured)},
        "concurrency": capacity.as_json() if capacity else None,
        "seconds": round(time.perf_counter() - started, 1),
        "ok": bool(measured) and all(r.ok for r in measured) and (capacity is None or capacity.ok),
    }


def _largest_peak(reports: list[DatabaseReport]) -> dict[str, Any]:
    peaks = [(q.peak_mb or 0.0, f"{r.backend} {q.name} ({q.scope})") for r in reports for q in r.queries]
    peaks += [(r.import_.peak_mb or 0.0, f"{r.backend} import check") for r in reports if r.import_]
    if not peaks:
        return {"mb": None, "of": None}
    mb, of = max(peaks)
    return {"mb": round(mb, 1), "of": of}


# --- the readable table ---------------------------------------------------------------------------------

def _s(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}×"


def _verdict(ok: bool, error: str | None) -> str:
    return f"ERROR {error}" if error else ("pass" if ok else "FAIL")


def table(report: dict[str, Any]) -> str:
    """The report as a plain-text table, each figure beside its target."""
    t = report["targets_seconds"]
    lines = [f"s11 bench · scale {report['scale']} · median of {report['repeat']} · {report['machine']['cpus']} CPUs"
             f" · load average {report['machine']['load_average'][0]}"]
    for d in report["databases"]:
        lines.append("")
        if d["skipped"]:
            lines.append(f"{d['backend']}: {d['skipped']}")
            continue
        c = d["counts"]
        lines.append(f"{d['backend']} · {d['url']} · {c.get('partnership', 0):,} partnerships · "
                     f"{c.get('organisation', 0):,} organisations · {c.get('rating', 0):,} ratings · "
                     f"{c.get('recommendation', 0):,} actions")
        lines.append(f"  picked: {d['picked'].get('partnership')} {d['picked'].get('cycle')}, "
                     f"organisation {d['picked'].get('organisation')}")
        lines.append(f"  {'query (target < %.2f s)' % t['query']:<58}{'scope':<18}{'s':>8}{'bare SQL':>10}"
                     f"{'ratio':>8}{'stmts':>7}{'rows':>8}  result")
        for q in d["queries"]:
            lines.append(f"  {q['name']:<58}{q['scope']:<18}{_s(q['seconds']):>8}{_s(q['bare_sql_seconds']):>10}"
                         f"{_x(q['ratio']):>8}{q['statements']:>7}{q['rows']:>8}  {_verdict(q['ok'], q['error'])}")
        if d["pages"]:
            lines.append(f"  {'page (target cold < %.2f s, warm < %.2f s)' % (t['page_cold'], t['page_warm']):<58}"
                         f"{'scope':<18}{'cold':>8}{'warm':>8}{'bare SQL':>10}{'cold÷SQL':>10}{'stmts':>7}{'warm':>6}"
                         "  result")
            for p in d["pages"]:
                lines.append(f"  {p['page']:<58}{p.get('scope', ''):<18}{_s(p['cold_seconds']):>8}"
                             f"{_s(p['warm_seconds']):>8}"
                             f"{_s(p['bare_sql_seconds']):>10}{_x(p['cold_ratio']):>10}{p['statements']:>7}"
                             f"{p['warm_statements']:>6}  "
                             f"{_verdict(p['ok'], p['error'])}")
        i = d["import"]
        if i:
            title = f"import of {i['rows']:,} rows (target < {t['import']:.2f} s)"
            lines.append(f"  {title:<58}{'check':>8}{'import':>8}{'bare SQL':>10}{'ratio':>8}")
            lines.append(f"  {'validated (dry run); validated and committed':<58}{_s(i['validate_seconds']):>8}"
                         f"{_s(i['commit_seconds']):>8}{_s(i['bare_sql_seconds']):>10}{_x(i['ratio']):>8}  "
                         f"{_verdict(i['ok'], i['error'])}")
        if d["reports"]:
            lines += table_lines(d["reports"])
        lines.append(f"  {d['backend']}: {'all within targets' if d['ok'] else 'SOME FIGURES MISS THEIR TARGET'}"
                     f" ({d['seconds']:.0f} s)")
    m = report["memory"]
    lines += ["", f"memory: largest tracemalloc peak {m['tracemalloc_peak_mb']['mb']} MB "
                  f"({m['tracemalloc_peak_mb']['of']}); max RSS of this process {m['max_rss_mb']} MB",
              *_concurrency_lines(report.get("concurrency")),
              f"overall: {'PASS' if report['ok'] else 'FAIL'} in {report['seconds']} s"]
    return "\n".join(lines)


def _concurrency_lines(figures: dict[str, Any] | None) -> list[str]:
    if figures is None:
        return ["", "concurrency: not measured (--concurrency none, or --no-pages)"]
    report = concurrency.Report(**{**figures, "levels": [concurrency.Level(**f) for f in figures["levels"]]})
    return ["", f"concurrency · new sessions loading the {report.page} page at once, real streamlit servers "
                "(server CPU from /proc)", concurrency.table(report)]


def main(args: Any) -> int:
    """The `s11 bench` command: 0 when it ran (whatever the figures), the report on standard output."""
    say = (lambda message: print(f"bench: {message}", file=sys.stderr, flush=True))
    report = run(args.scale, args.repeat, args.sqlite, args.postgres, pages=not args.no_pages, progress=say,
                 import_rows=args.import_rows, documents=not getattr(args, "no_report", False),
                 levels=args.concurrency, processes=args.processes)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print(table(report))
    return 0
