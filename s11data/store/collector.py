"""Python's cyclic collector held back while a burst of objects is made (a document's layout, a national reader's
filter choices): at its default (a pass every 700 allocations) it promotes the burst's short-lived objects to the
oldest generation and then pays full collections of the whole heap for them."""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

COLLECT_EVERY = 50_000
"""Allocations between the cyclic collector's youngest passes while a burst is made (Python's default: 700).
WeasyPrint and python-docx make millions of short-lived objects; at the default, the collector took 12 % of a
15-partnership roll-up's PDF (43.8 → 38.5 s of CPU with it off; with this setting the same, and peak memory as
with the default)."""
_bursts = 0
_bursts_lock = threading.Lock()
_usual_threshold = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """The collector's youngest threshold at COLLECT_EVERY while any burst is being made in this process (app
    sessions run in threads; the last one to finish puts the usual threshold back)."""
    global _bursts, _usual_threshold
    with _bursts_lock:
        if _bursts == 0:
            _usual_threshold = gc.get_threshold()
            gc.set_threshold(COLLECT_EVERY, *_usual_threshold[1:])
        _bursts += 1
    try:
        yield
    finally:
        with _bursts_lock:
            _bursts -= 1
            if _bursts == 0:
                gc.set_threshold(*_usual_threshold)
