"""Loading the first data: `seed_all` (the published record and the demo, in one transaction) and `prepare`
(what the app and every command run first: migrate if behind; seed the embedded default when it is empty)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine, select

from s11data.seed.demo import demo_bundle
from s11data.seed.loader import Loader, published_bundles
from s11data.store import db
from s11data.store.models import Partnership


def seed_all(engine: Engine | None = None, demo: bool = True) -> Counter[str]:
    """Load the published record (and the demo) in one transaction. Returns row counts by table."""
    bundles = published_bundles()
    if demo:
        bundles.append(demo_bundle())
    counts: Counter[str] = Counter()
    with db.write_session(engine) as session:
        loader = Loader(session)
        loader.themes()
        for bundle in bundles:
            counts.update(loader.load(bundle))
    return counts


def prepare(engine: Engine | None = None) -> None:
    """Make the database ready to serve: migrate if behind; seed the embedded default when it is empty."""
    engine = engine or db.get_engine()
    if db.current_revision(engine) != db.head_revision():
        db.init_db(engine)
    if db.is_embedded_default(engine.url.render_as_string(hide_password=False)):
        with db.read_session(engine) as session:
            empty = session.scalar(select(Partnership.id).limit(1)) is None
        if empty:
            seed_all(engine)
