"""Page timing for `s11 bench`: each page's script through the app's entry point under AppTest, cold and warm.

Here in bench/ (which may import both app and s11data), so `s11data` never imports Streamlit; `bench.benchmark.time_pages`
calls it.
"""
from __future__ import annotations

import os
import statistics
import time
from typing import Any

from sqlalchemy import Engine

from s11data.store import db
from bench.measure import TARGETS, PageFigure, Picked, bare_sql, captured
from s11data.store.scope import Scope

PAGES_DIR = db.PROJECT_DIR / "pages"
MAIN_SCRIPT = db.PROJECT_DIR / "app" / "main.py"
ORG_PAGES = ("agency", "trends")


def time_pages(engine: Engine, url: str, scope: Scope, picked: Picked, repeat: int) -> list[PageFigure]:
    """Each page through the app's entry point (`app/main.py`: shell, shared filters, navigation) under AppTest:
    a first visit, then cold runs (`st.cache_data` cleared first) and warm runs (the same page again). Scripts
    are compiled once and kept, as the server keeps them (AppTest alone would recompile them on every run).

    The agency and trends pages are opened with the busy organisation chosen (`?org=`), the others without.
    The sign-in gate is stood in for by one that admits `scope`, so that benchmarking adds no user account
    (a real one would end demo mode on the embedded database); the gate's own cost is two indexed look-ups.
    """
    import streamlit as st  # only here: the pages are Streamlit scripts
    from streamlit import config, logger
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import AppTest, app_test
    from streamlit.testing.v1 import local_script_runner as local_runner

    saved_level, saved_details = config.get_option("logger.level"), config.get_option("client.showErrorDetails")
    config.set_option("logger.level", "critical")  # bare-mode warnings; page errors are reported below,
    config.set_option("client.showErrorDetails", "full")  # in full (to this operator, never to a user)
    logger.set_log_level("critical")

    from app import auth
    from app.session import set_scope

    def gate(pages: Any = None) -> Scope:
        set_scope(scope)
        return scope

    saved = os.environ.get("S11_DATABASE_URL"), auth.require_user, app_test.ScriptCache, local_runner.ScriptCache
    os.environ["S11_DATABASE_URL"] = url
    auth.require_user = gate
    shared = ScriptCache()  # compile each script once, as a server does (AppTest recompiles on every run)
    app_test.ScriptCache = local_runner.ScriptCache = lambda: shared  # type: ignore[assignment]
    figures = {}
    try:
        names = sorted(path.stem for path in PAGES_DIR.glob("*.py"))
        for with_org in (False, True):
            group = [n for n in names if (n in ORG_PAGES) == with_org]
            figures.update(_time_page_group(AppTest, st, engine, group, picked if with_org else None, repeat))
    finally:
        if saved[0] is None:
            os.environ.pop("S11_DATABASE_URL", None)
        else:
            os.environ["S11_DATABASE_URL"] = saved[0]
        auth.require_user, app_test.ScriptCache, local_runner.ScriptCache = saved[1:]
        config.set_option("logger.level", saved_level)
        config.set_option("client.showErrorDetails", saved_details)
        logger.set_log_level(saved_level)
    return [figures[name] for name in sorted(figures)]


def _time_page_group(AppTest: Any, st: Any, engine: Engine, pages: list[str], picked: Picked | None,
                     repeat: int) -> dict[str, PageFigure]:
    """Pages visited in turn in one session (as a user clicks through them), with the same filters."""
    figures = {page: PageFigure(page) for page in pages}
    if not pages:
        return figures
    try:
        at = AppTest.from_file(str(MAIN_SCRIPT), default_timeout=300)
        if picked is not None:
            at.query_params["org"] = picked.organisation
        at.run()
        _raise_page_errors(at)
    except Exception as exc:  # noqa: BLE001 - the entry point itself failed: every page says so
        for figure in figures.values():
            figure.error = f"app/main.py: {type(exc).__name__}: {exc}"
        return figures
    for page in pages:
        _time_page(at, st, engine, figures[page], repeat)
    return figures


def _time_page(at: Any, st: Any, engine: Engine, figure: PageFigure, repeat: int) -> None:
    try:
        at.switch_page(f"../pages/{figure.page}.py")
        at.run()
        _raise_page_errors(at)
        cold, warm, statements = [], [], []
        for _ in range(repeat):
            st.cache_data.clear()
            with captured(engine) as run_statements:
                start = time.perf_counter()
                at.run()
                cold.append(time.perf_counter() - start)
            statements = run_statements
        for _ in range(repeat):
            with captured(engine) as warm_statements:
                start = time.perf_counter()
                at.run()
                warm.append(time.perf_counter() - start)
        _raise_page_errors(at)
        figure.warm_statements = len(warm_statements)
        figure.cold_seconds, figure.warm_seconds = statistics.median(cold), statistics.median(warm)
        figure.statements = len(statements)
        figure.bare_sql_seconds = bare_sql(engine, statements, repeat)
        if figure.bare_sql_seconds:
            figure.cold_ratio = figure.cold_seconds / figure.bare_sql_seconds
            figure.warm_ratio = figure.warm_seconds / figure.bare_sql_seconds
        figure.ok = figure.cold_seconds < TARGETS["page_cold"] and figure.warm_seconds < TARGETS["page_warm"]
    except Exception as exc:  # noqa: BLE001 - reported beside the page
        figure.error = f"{type(exc).__name__}: {exc}"


def _raise_page_errors(at: Any) -> None:
    problems = [" ".join([e.message, *e.stack_trace[-1:]]) for e in at.exception] + [e.value for e in at.error]
    if problems:
        raise RuntimeError(str(problems[0]).splitlines()[0][:300])


# --- the import benchmark -------------------------------------------------------------------------------

