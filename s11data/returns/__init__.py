"""Returns in and out: reading a CSV/XLSX file (`return_file`, `spreadsheet`), checking its rows and grades
(`return_rows`, `ratings`), the one-transaction importer, the return templates and the exports (the ratings export
imports back unchanged). May import `s11data.store` only."""
