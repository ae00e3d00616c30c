"""Work done once per shared object: `Reused().get((frame,), extra, make)` returns what `make()` made the first
time for that very frame (and `extra`), while the frame is a shared cached read (`st.cache_resource`) that nobody
changes. The memo holds the objects themselves, so their ids cannot be reused by others while remembered; it keeps
the last `kept` entries."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class Reused:
    def __init__(self, kept: int = 256) -> None:
        self.kept = kept
        self._made: OrderedDict[tuple, tuple[tuple[Any, ...], Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, pinned: tuple[Any, ...], extra: Hashable, make: Callable[[], T]) -> T:
        key = (tuple(id(o) for o in pinned), extra)
        with self._lock:
            hit = self._made.get(key)
            if hit is not None and all(a is b for a, b in zip(hit[0], pinned)):
                self._made.move_to_end(key)
                return hit[1]
        made = make()
        with self._lock:
            self._made[key] = (pinned, made)
            while len(self._made) > self.kept:
                self._made.popitem(last=False)
        return made
