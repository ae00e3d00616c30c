"""Script runs take turns: at most RUNS_AT_ONCE of this server process's script runs work at once; the others wait
for a turn (waiting costs no CPU).

Streamlit runs every session's script in its own thread, and only one thread holds Python's lock at a time. Twenty
sessions opened at once all running meant the lock changing hands between twenty threads, each evicting the others'
memory from the processor's caches: on the national set, server CPU per heat-map load for a partnership not opened
before rose from 0.15–0.20 s (one session) to 0.27–0.38 s (20 at once, one process). Two at a time (one working in
Python while the other waits on the database) kept it at 0.15–0.22 s, and the 20th session's page came sooner
(p95 3.4–5.7 s against 6.6–7.4 s), measured beside other work on a 2-core machine (`s11 bench`, concurrency).

Long work (drafting a report, building its documents) steps aside (`step_aside`) so it never holds others up; it
does not take a turn again, so a draft computed inside a cached read can never wait for a turn held by a run that
waits for that read.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

RUNS_AT_ONCE = max(1, int(os.environ.get("S11_RUNS_AT_ONCE", "2") or 2))
"""Script runs of one server process working at once (env S11_RUNS_AT_ONCE; default 2)."""
_turns = threading.BoundedSemaphore(RUNS_AT_ONCE)
_mine = threading.local()


@contextmanager
def turn() -> Iterator[None]:
    """Wait for a turn, then hold it for the script run (given back however the run ends)."""
    _turns.acquire()
    _mine.held = True
    try:
        yield
    finally:
        if getattr(_mine, "held", False):
            _mine.held = False
            _turns.release()


def step_aside() -> None:
    """Give this run's turn to a waiting run before long work; the run goes on without one."""
    if getattr(_mine, "held", False):
        _mine.held = False
        _turns.release()
