"""A report chart's Vega-Lite spec (the app's own Altair spec) drawn as a PNG without a browser (vl-convert).

The app's specs fit the width of the page they sit on ("container"); a document has no container, so the spec is
given a fixed width first, and a spec of a fixed width grows to hold its legend and labels instead of cutting them.
"""
from __future__ import annotations

import copy
import io
import json
import struct
from functools import lru_cache
from typing import Any

import vl_convert
from PIL import Image

WIDTH_PX = 640
"""A container-wide chart's width in CSS pixels: a text column of A4 with 2 cm margins is about 640 px."""
SCALE = 2
"""PNG pixels per CSS pixel: sharp in print and when zoomed."""
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
    """The chart as PNG bytes at SCALE× its CSS size."""
    return _png(json.dumps(static_spec(spec), sort_keys=True, default=str))


CACHED_CHARTS = 512
"""Distinct charts kept drawn: a 15-partnership roll-up has about 100, and its DOCX and PDF draw the same ones, so
each is drawn once (a chart's PNG is some tens of kB)."""


@lru_cache(maxsize=CACHED_CHARTS)
def _png(spec_json: str) -> bytes:
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
