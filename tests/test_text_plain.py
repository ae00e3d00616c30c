"""`app.text.plain`: what a user or a return wrote keeps every visible character and gives Markdown nothing to read
(the browser check is tests/test_browser_hostile_text.py)."""
from __future__ import annotations

import re

import pytest

from app.text import WORD_JOINER, plain
from hostile_returns import HOSTILE, HOSTILE_NAME

UNESCAPE = re.compile(r"\\(.)", re.S)


@pytest.mark.parametrize("text", [*HOSTILE, HOSTILE_NAME, "ftp://x.example WWW.y.example me@z.example"])
def test_plain_keeps_every_visible_character(text: str) -> None:
    assert UNESCAPE.sub(r"\1", plain(text)).replace(WORD_JOINER, "") == text


@pytest.mark.parametrize("address", ["https://evil.example", "http://evil.example/p?q=1", "www.evil.example",
                                     "someone@evil.example", "mailto:someone@evil.example", "ftp://evil.example"])
def test_no_bare_address_is_left_for_the_link_finder(address: str) -> None:
    shown = UNESCAPE.sub(r"\1", plain(f"see {address} now"))
    assert not re.search(r"[a-z]://|www\.|[\w.+-]@", shown, re.I), shown
