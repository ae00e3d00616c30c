"""Writing tables to CSV and XLSX so that no cell can run as a formula (CSV injection)."""
from __future__ import annotations

import io

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> object:
    """Text that a spreadsheet would read as a formula gets a leading apostrophe; everything else is kept."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore_cell(value: str) -> str:
    """Undo `neutralise_cell` when a file we exported is imported back."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell (and header) formula-safe."""
    safe = frame.copy()
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise_cell)
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads accents right), CRLF-free, formula-safe."""
    return neutralise(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    """An XLSX workbook with every cell written as a value, formula-safe."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralise(frame).to_excel(writer, index=False, sheet_name=sheet[:31])
    return buffer.getvalue()


def to_bytes(frame: pd.DataFrame, fmt: str, sheet: str = "data") -> bytes:
    if fmt == "xlsx":
        return to_xlsx_bytes(frame, sheet)
    if fmt == "csv":
        return to_csv_bytes(frame)
    raise ValueError(f"unknown format {fmt!r}; use csv or xlsx")
