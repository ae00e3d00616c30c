"""A report chart's Vega-Lite spec (the app's own Altair spec) drawn as a PNG without a browser (vl-convert).

The app's specs fit the width of the page they sit on ("container"); a document has no container, so the spec is
given a fixed width first, and a spec of a fixed width grows to hold its legend and labels instead of cutting them.
"""
from __future__ import annotations

import copy
import io
import json
import os
import struct
import subprocess
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import vl_convert
from PIL import Image

from s11data.report import chart_worker

WIDTH_PX = 640
"""A container-wide chart's width in CSS pixels: a text column of A4 with 2 cm margins is about 640 px."""
SCALE = 1.5
"""PNG pixels per CSS pixel: a text-wide chart 960 px across, about 144 per inch on the page (sharp on screen and in
print); at 2 the raster took half of each chart's 0.17 s of CPU."""
PRINT_CONFIG: dict[str, Any] = {
    "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#111111", "titleColor": "#111111"},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#111111", "labelLimit": 400},
    "title": {"fontSize": 14, "color": "#111111", "anchor": "start"},
    "header": {"labelFontSize": 12, "titleFontSize": 12},
    "text": {"fontSize": 12},
}
"""Type sizes readable in print (about 9 pt at the page's scale) for a spec that sets none; a spec's own config
(the app's charts set theirs) wins."""


def static_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec sized for a page: a container width becomes WIDTH_PX (the chart fits it); any other spec pads
    around its plot so legends and axis labels are whole."""
    out = copy.deepcopy(spec)
    if out.get("width") == "container":
        out["width"] = WIDTH_PX
        out["autosize"] = {"type": "fit-x", "contains": "padding"}
    else:
        out["autosize"] = {"type": "pad"}
    out.pop("params", None)
    return out


def png(spec: dict[str, Any]) -> bytes:
    """The chart as PNG bytes at SCALE× its CSS size (drawn once; see `draw_all`)."""
    key = _key(spec)
    image = _drawn(key)
    if image is None:
        image = _remember(key, _draw(key))
    return image


CACHED_CHARTS = 512
"""Distinct charts kept drawn: a 15-partnership roll-up has about 100, and its DOCX and PDF draw the same ones, so
each is drawn once (a chart's PNG is some tens of kB)."""
DRAW_APART_FROM = 12
"""Charts not yet drawn from which `draw_all` spreads them over one worker process per core: vl-convert draws
one chart at a time in about 0.14 s of CPU, and a worker takes about 0.2 s to start."""
_cache: OrderedDict[str, bytes] = OrderedDict()
_cache_lock = threading.Lock()


def draw_all(specs: Iterable[dict[str, Any]]) -> None:
    """Draw every chart of a document before it is laid out: many at once in worker processes (one per core),
    so a roll-up's hundred charts take half the time on two cores; a few in this process."""
    todo = [key for key in dict.fromkeys(_key(spec) for spec in specs) if _drawn(key) is None]
    if len(todo) < DRAW_APART_FROM or (os.cpu_count() or 1) < 2:
        for key in todo:
            _remember(key, _draw(key))
        return
    with _drawing_ahead() as draw:
        for key in todo:
            draw(key)


@contextmanager
def drawing_ahead() -> Iterator[Callable[[Iterable[dict[str, Any]]], None]]:
    """Charts drawn in worker processes (`chart_worker`, one per core) while the caller goes on: the callable
    given hands them specs as they are made; on leaving, every chart handed over is drawn and kept. A
    15-partnership roll-up's hundred charts are mostly drawn by the time its draft is done."""
    with _drawing_ahead() as draw:
        def hand_over(specs: Iterable[dict[str, Any]]) -> None:
            for spec in specs:
                draw(_key(spec))
        yield hand_over


@contextmanager
def _drawing_ahead() -> Iterator[Callable[[str], None]]:
    """`drawing_ahead` by chart key (a spec as `_key` writes it)."""
    pending: dict[str, Future[bytes]] = {}
    mine = threading.local()
    workers: list[subprocess.Popen[bytes]] = []
    started = threading.Lock()

    def drawn_by_worker(key: str) -> bytes:
        worker = getattr(mine, "worker", None)
        if worker is None:
            worker = mine.worker = chart_worker.start()
            with started:
                workers.append(worker)
        return chart_worker.ask(worker, key)

    def hand_over(key: str) -> None:
        if key not in pending and _drawn(key) is None:
            pending[key] = threads.submit(drawn_by_worker, key)

    try:
        with ThreadPoolExecutor(os.cpu_count() or 1, thread_name_prefix="chart") as threads:
            yield hand_over
            for key, future in pending.items():
                _remember(key, future.result())
    finally:
        for worker in workers:
            chart_worker.stop(worker)


def _key(spec: dict[str, Any]) -> str:
    return json.dumps(static_spec(spec), sort_keys=True, default=str)


def _drawn(key: str) -> bytes | None:
    with _cache_lock:
        image = _cache.get(key)
        if image is not None:
            _cache.move_to_end(key)
        return image


def _remember(key: str, image: bytes) -> bytes:
    with _cache_lock:
        _cache[key] = image
        while len(_cache) > CACHED_CHARTS:
            _cache.popitem(last=False)
    return image


def _draw(spec_json: str) -> bytes:
    """One chart drawn (in this process or a worker's)."""
    return opaque(vl_convert.vegalite_to_png(json.loads(spec_json), scale=SCALE, config=PRINT_CONFIG))


def opaque(image: bytes) -> bytes:
    """A PNG whose every pixel is opaque (the charts' white background) without its alpha channel: a PDF would
    otherwise carry the image twice over (its colours and a mask of nothing), re-encoded on every render."""
    with Image.open(io.BytesIO(image)) as picture:
        if picture.mode != "RGBA" or picture.getchannel("A").getextrema() != (255, 255):
            return image
        out = io.BytesIO()
        picture.convert("RGB").save(out, format="PNG")
        return out.getvalue()


def css_size(image: bytes) -> tuple[float, float]:
    """(width, height) of a PNG made by `png`, in CSS pixels (96 per inch)."""
    if image[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", image[16:24])
    return width / SCALE, height / SCALE


if __name__ == "__main__":  # a worker of `drawing_ahead` (see chart_worker)
    chart_worker.serve(_draw)
