"""s11data: the Section 11 domain — everything but the screen. It never imports Streamlit, `app` or `bench`.

Where a change belongs (each subpackage may import only those listed after it):

- `cli/`      the `s11` command line (init-db, seed, import, export, users, cycle); imports anything below.
- `seed/`     the published record (seed/published/) and the illustrative demo partnership, loaded into a database.
- `report/`   the Section 11 report (on its own branch): built from views/ and charts.
- `charts`    the pure-Altair chart specs (heat map, RAG bars, trends …), shared by the app and the report.
- `views/`    the reads behind each page (overview, heat map, trends, engagement, actions, agency, filter choices)
              and the engagement and action records kept from those pages.
- `admin/`    users and sign-in key, cycles and invitation lists.
- `returns/`  return files in and out: reading CSV/XLSX, checking rows and grades, the importer, templates, exports.
- `store/`    the database: models, engine and sessions, Alembic migrations, the caller's Scope, name look-ups,
              the audit log and the user-facing error types. Imports nothing else of s11data.
"""
