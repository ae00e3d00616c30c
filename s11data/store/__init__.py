"""The store: models, the engine and sessions (`db`), Alembic migrations, the caller's `Scope`, looking up
partnerships, cycles, organisations and themes by the names people write (`lookup`), the audit log, and the
user-facing errors. The bottom layer: imports nothing else of s11data."""
