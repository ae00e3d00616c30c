"""Script runs take turns: at most RUNS_AT_ONCE of this server process's script runs work at once; the others wait
for a turn (waiting costs no CPU).

Streamlit runs every session's script in its own thread, and only one thread holds Python's lock at a time. Twenty
sessions opened at once all running meant the lock changing hands between twenty threads, each evicting the others'
memory from the processor's caches and the allocator mapping fresh memory for each: on the national set, server CPU
per heat-map load for a partnership not opened before (one process, quiet 2-core machine, `s11 bench` concurrency)
was 0.20 s for one session alone but 0.30 / 0.37 / 0.36 s for 5 / 20 / 50 at once. Taking turns one at a time:
0.20 / 0.15 / 0.16 s, and the last pages came sooner (p95 for 20 at once 6.5 → 2.9 s, for 50 15.7 → 7.8 s); two at
a time was between (0.22 / 0.24 / 0.23 s). The pages' reads are short, so one working at a time loses little to
their waits on the database.

Long work (drafting a report, building its documents) steps aside (`step_aside`) so it never holds others up; it
does not take a turn again, so a draft computed inside a cached read can never wait for a turn held by a run that
waits for that read.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

RUNS_AT_ONCE = max(1, int(os.environ.get("S11_RUNS_AT_ONCE", "1") or 1))
"""Script runs of one server process working at once (env S11_RUNS_AT_ONCE; default 1)."""
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
