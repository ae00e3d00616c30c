"""Typed cached reads for pages: `reads.heat_map_cells(scope, cycle_id=…)` runs
`s11data.views.heat_map.heat_map_cells(session, scope, cycle_id=…)` once per caller's scope, database and arguments.
Each read below is `cached(<s11data function>)`: an editor follows it to the query, a type checker checks its
arguments (the function's own, minus the session). Results are never shared between scopes: `cache_key` (the one
place a read's key is formed) holds `scope.cache_key`.

The key also holds the database's data version (`db.data_version`, bumped by every write's own transaction), read
once at the start of each script run (`note_data_version`, called by app.shell): a write through any app server
(replica), the CLI or an import is shown by every server on its next run. Writes here also call `reads.clear()`;
READ_TTL and CHOICES_TTL only bound memory now.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, TypeVar

import streamlit as st
from sqlalchemy.orm import Session

from s11data.admin import cycles as _cycles
from s11data.store import db
from s11data.store.errors import UserError
from s11data.store.scope import Scope, ScopeError
from s11data.views import actions as _actions
from s11data.views import citations as _citations
from s11data.views import figures as _figures
from s11data.views import agency as _agency
from s11data.views import common as _common
from s11data.views import engagement as _engagement
from s11data.views import filter_choices as _filter_choices
from s11data.views import heat_map as _heat_map
from s11data.views import overview as _overview
from s11data.views import ratings_map as _ratings_map
from s11data.views import trends as _trends

P = ParamSpec("P")
R = TypeVar("R")
READ_TTL = 120
CHOICES_TTL = 300


DATA_VERSION = "s11_data_version"


def note_data_version() -> None:
    """Read the database's data version for this script run (one primary-key read)."""
    st.session_state[DATA_VERSION] = db.data_version(db.get_engine(db.database_url()))


def cache_key(scope: Scope) -> tuple[str, ...]:
    """What every cached read is keyed by besides its arguments: the caller's scope, the database and its data
    version as this run read it."""
    version = st.session_state.get(DATA_VERSION)
    if version is None:  # a run that did not pass through the shell (a page run alone, a benchmark)
        note_data_version()
        version = st.session_state[DATA_VERSION]
    return scope.cache_key, db.database_url(), str(version)


def _read(function: Callable[..., Any], args: tuple, kwargs: tuple, scope: Scope) -> Any:
    with db.read_session(db.get_engine(db.database_url())) as session:
        return function(session, scope, *args, **dict(kwargs))


def _cache(decorator: Callable[[Callable[..., Any]], Callable[..., Any]]) -> Callable[..., Any]:
    """One cache of reads: `name` and `key` (scope, URL, data version) and the arguments key it; the function and
    the scope itself (underscored) do not."""
    def run(name: str, key: tuple[str, ...], args: tuple, kwargs: tuple, _function: Callable[..., Any],
            _scope: Scope) -> Any:
        return _read(_function, args, kwargs, _scope)

    return decorator(run)


_copied = _cache(st.cache_data(ttl=READ_TTL, show_spinner=False, max_entries=2000))
_shared = _cache(st.cache_resource(ttl=CHOICES_TTL, max_entries=1000, show_spinner=False))


def cached(function: Callable[Concatenate[Session, Scope, P], R], *,
           shared: bool = False) -> Callable[Concatenate[Scope, P], R]:
    """`function(session, scope, …)` as a cached `read(scope, …)`. `shared=True` keeps one object per key
    (st.cache_resource) instead of a copy per call: only for immutable results, such as the filter choices."""
    name = f"{function.__module__}.{function.__qualname__}"
    cache = _shared if shared else _copied

    @functools.wraps(function)
    def read(scope: Scope, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return cache(name, cache_key(scope), args, tuple(sorted(kwargs.items())), function, scope)

    return read


def clear() -> None:
    """Forget every cached read (after a write, so that every table and filter shows the change)."""
    _copied.clear()
    _shared.clear()


# --- the filters ----------------------------------------------------------------------------------------
filter_choices = cached(_filter_choices.filter_choices, shared=True)
cycle_sections = cached(_filter_choices.cycle_sections)

# --- cycles (every page heading) --------------------------------------------------------------------------
cycle_info = cached(_common.cycle_info)
previous_cycle = cached(_common.previous_cycle)

# --- overview -----------------------------------------------------------------------------------------
returns_figures = cached(_overview.returns_figures)
to_chase = cached(_overview.to_chase)
rag_distribution = cached(_overview.rag_distribution)
theme_summary = cached(_overview.theme_summary)
not_answered = cached(_common.not_answered)
action_figures = cached(_figures.action_figures)
headline = cached(_figures.headline)

# --- every table: report file ids → citations --------------------------------------------------------------
report_names = cached(_citations.report_names, shared=True)

# --- heat map -------------------------------------------------------------------------------------------
heat_map_cells = cached(_heat_map.heat_map_cells)
question_summary = cached(_heat_map.question_summary)
organisation_counts = cached(_heat_map.organisation_counts)
published_aggregates = cached(_heat_map.published_aggregates)
ratings_map = cached(_ratings_map.ratings_map, shared=True)  # the page reads it, never changes it

# --- trends ---------------------------------------------------------------------------------------------
rag_by_cycle = cached(_trends.rag_by_cycle)
partnerships_side_by_side = cached(_trends.partnerships_side_by_side)
ungraded_cycles = cached(_trends.ungraded_cycles)

# --- agency ---------------------------------------------------------------------------------------------
agency_profile = cached(_agency.agency_profile)

# --- engagement -----------------------------------------------------------------------------------------
funnel = cached(_engagement.funnel)
status_board = cached(_engagement.status_board)
chase_list = cached(_engagement.chase_list)
contact_history = cached(_engagement.contact_history)
invitation_options = cached(_engagement.invitation_options)

# --- actions --------------------------------------------------------------------------------------------
actions = cached(_actions.actions)
progress_history = cached(_actions.progress_history)
question_options = cached(_actions.question_options)

# --- cycles & invitations -------------------------------------------------------------------------------
cycles = cached(_cycles.cycles)
framework = cached(_cycles.framework)
framework_sources = cached(_cycles.framework_sources)
invitations = cached(_cycles.invitations)
not_yet_invited = cached(_cycles.not_yet_invited)


@contextmanager
def refused_stops() -> Iterator[None]:
    """Reads whose refusal ends the page: a `UserError` or `ScopeError` (unknown or out-of-scope cycle,
    organisation …) is shown as its message and the page stops, the same on every page."""
    try:
        yield
    except (UserError, ScopeError) as exc:
        st.error(str(exc))
        st.stop()
