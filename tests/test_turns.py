"""Script runs take turns (app.turns): no more than RUNS_AT_ONCE work at once, a turn is given back however the run
ends, and long work steps aside for a waiting run."""
from __future__ import annotations

import threading

import pytest

from app import turns

WAIT = 30  # seconds: only ever reached when the behaviour is broken


def _run_holding(release: threading.Event, inside: threading.Event, *, step_aside: bool = False) -> threading.Thread:
    def body() -> None:
        with turns.turn():
            inside.set()
            if step_aside:
                turns.step_aside()
            release.wait(WAIT)
    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread


def _fill_turns(step_aside: bool = False) -> tuple[threading.Event, list[threading.Thread]]:
    release, threads = threading.Event(), []
    for _ in range(turns.RUNS_AT_ONCE):
        inside = threading.Event()
        threads.append(_run_holding(release, inside, step_aside=step_aside))
        assert inside.wait(WAIT)
    return release, threads


def test_a_run_waits_while_every_turn_is_taken_and_goes_when_one_is_given_back() -> None:
    release, threads = _fill_turns()
    late, done = threading.Event(), threading.Event()
    threads.append(_run_holding(done, late))
    assert not late.wait(0.2), "a run started while every turn was taken"
    release.set()
    assert late.wait(WAIT), "a run never got the turn given back"
    done.set()
    for thread in threads:
        thread.join(WAIT)


def test_long_work_steps_aside_so_a_waiting_run_goes_on() -> None:
    release, threads = _fill_turns(step_aside=True)
    late = threading.Event()
    threads.append(_run_holding(release, late))
    assert late.wait(WAIT), "a run waited for turns held by long work that had stepped aside"
    release.set()
    for thread in threads:
        thread.join(WAIT)


def test_a_run_that_fails_gives_its_turn_back() -> None:
    for _ in range(turns.RUNS_AT_ONCE + 1):
        with pytest.raises(RuntimeError):
            with turns.turn():
                raise RuntimeError("the page failed")
    got, done = threading.Event(), threading.Event()
    thread = _run_holding(done, got)
    assert got.wait(WAIT), "a failed run kept its turn"
    done.set()
    thread.join(WAIT)
