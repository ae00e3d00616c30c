"""Report charts drawn in worker processes (`charts_image.draw_all`, `drawing_ahead`) are the charts drawn in
this process, even when `__main__` is a page script (as in a Streamlit run, where a `multiprocessing` child would
import and run it), and a chart that cannot be drawn is an error in words."""
from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from s11data import charts
from s11data.report import chart_worker, charts_image


def _specs(count: int) -> list[dict]:
    import pandas as pd

    return [charts.spec("rag_bars", pd.DataFrame({"label": [f"Question {n}"] * 3, "grade": ["Green", "Amber", "Red"],
                                                   "percent": [50.0 + n % 7, 30.0, 20.0 - n % 7]}), label="label")
            for n in range(count)]


def test_charts_drawn_by_workers_under_a_page_script_main_are_the_charts_drawn_here(tmp_path: Path,
                                                                                     monkeypatch) -> None:
    page = tmp_path / "page.py"
    page.write_text("raise SystemExit('a worker ran the page script')\n")
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(page)
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    specs = _specs(charts_image.DRAW_APART_FROM + 2)
    keys = [charts_image._key(s) for s in specs]
    with charts_image._cache_lock:
        for key in keys:
            charts_image._cache.pop(key, None)
    charts_image.draw_all(specs)
    for key in keys:
        assert charts_image._drawn(key) == charts_image._draw(key)


def test_a_chart_that_cannot_be_drawn_is_an_error_in_words() -> None:
    worker = chart_worker.start()
    try:
        with pytest.raises(RuntimeError, match="a chart could not be drawn"):
            chart_worker.ask(worker, '{"mark": "no such mark", "data": {"values": []}}')
        assert chart_worker.ask(worker, charts_image._key(_specs(1)[0]))[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        chart_worker.stop(worker)
    assert worker.returncode == 0
