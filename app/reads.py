"""Cached reads for pages: `reads.get("heat_map_cells", scope, cycle_id=…)` runs `s11data.views.queries.<name>` once per
caller's scope and arguments (results are never shared between scopes: the cache key holds `scope.cache_key`).
A dotted name reads from another s11data module: `reads.get("engagement.funnel", scope, partnership_id=…)`.

Writes elsewhere in the app call `reads.clear()` (or `st.cache_data.clear()`) after committing; READ_TTL bounds
staleness otherwise.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from s11data.views import actions, engagement, queries
from s11data.admin import cycles
from s11data.store import db
from s11data.store.scope import Scope

READ_TTL = 120
MODULES = {"queries": queries, "engagement": engagement, "actions": actions, "cycles": cycles}
"""The s11data modules pages read through here (a name without a dot is in `queries`)."""


@st.cache_data(ttl=READ_TTL, show_spinner=False, max_entries=2000)
def _run(name: str, cache_key: str, url: str, arguments: tuple[tuple[str, Any], ...], _scope: Scope) -> Any:
    module, _, function_name = name.rpartition(".")
    function = getattr(MODULES[module or "queries"], function_name)
    with db.read_session(db.get_engine(url)) as session:
        return function(session, _scope, **dict(arguments))


def get(name: str, scope: Scope, **arguments: Any) -> Any:
    """The result of `queries.<name>(session, scope, **arguments)`, cached per scope."""
    return _run(name, scope.cache_key, db.database_url(), tuple(sorted(arguments.items())), scope)


def clear() -> None:
    """Forget every cached read (after a write, so that every table and filter shows the change)."""
    from app import filters

    _run.clear()
    filters.clear()
