"""How names are compared: as people write them (case, spacing, '&' vs 'and' and punctuation folded)."""
from __future__ import annotations

import re


def normalise(name: str) -> str:
    """Case, spacing, '&' vs 'and' and punctuation folded, for matching names as people write them."""
    name = name.lower().replace("&", " and ").replace("’", "'")
    name = re.sub(r"[^a-z0-9' ]+", " ", name)
    return re.sub(r"\s+", " ", name).strip()
