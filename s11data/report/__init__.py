"""The cycle's Section 11 report, drafted from the database (DESIGN §2, §3 `s11 report`).

Owns: the report's content (`draft`: which sections, tables, charts and sentences, every figure from the same
s11data reads the pages use), the narrative a business manager writes per section (`narrative`), and the
documents made from the content (`docx`, `html`, `pdf`). May import the store, the reads and the chart specs of
s11data; never Streamlit or the app.
"""
