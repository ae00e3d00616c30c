"""`s11 init-db` and `s11 seed`."""
from __future__ import annotations

import argparse

from s11data.store import db


def register(commands: argparse._SubParsersAction) -> None:
    init = commands.add_parser("init-db", help="create or migrate the schema (idempotent)")
    init.set_defaults(run=_init_db)
    seed = commands.add_parser("seed", help="load seed/ (published record + illustrative demo); idempotent")
    seed.add_argument("--no-demo", action="store_true", help="load only the published record")
    seed.set_defaults(run=_seed)


def _init_db(args: argparse.Namespace) -> int:
    engine = db.get_engine()
    revision = db.init_db(engine)
    print(f"schema at revision {revision} in {db.redacted(db.database_url())}")
    return 0


def _seed(args: argparse.Namespace) -> int:
    from s11data.seed.load import seed_all

    engine = db.get_engine()
    db.init_db(engine)
    counts = seed_all(engine, demo=not args.no_demo)
    print("seeded " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    return 0
