"""partnership members: the organisations of each partnership, kept by the database itself

`partnership_member` (partnership_id, organisation_id) holds every organisation invited to, or returning in, a cycle
of the partnership. The shared filters read it instead of deduplicating every invitation and return in scope
(a national reader: 123,000 rows → 8,000). Triggers on `invitation` and `audit_return` keep it in step whoever
writes (the importer, the seed, `s11 synth`'s COPY, the Cycles page, a DBA): a row is added with the first link
and removed with the last. PostgreSQL uses statement-level triggers with transition tables, so a bulk COPY adds
its members in one statement.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 06:00:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

LINKS = ("invitation", "audit_return")
MEMBERS_OF = """
    SELECT DISTINCT c.partnership_id, x.organisation_id
    FROM (SELECT cycle_id, organisation_id FROM invitation
          UNION ALL SELECT cycle_id, organisation_id FROM audit_return) x
    JOIN cycle c ON c.id = x.cycle_id"""
STILL_LINKED = """
    EXISTS (SELECT 1 FROM invitation i JOIN cycle c ON c.id = i.cycle_id
            WHERE i.organisation_id = partnership_member.organisation_id
              AND c.partnership_id = partnership_member.partnership_id)
    OR EXISTS (SELECT 1 FROM audit_return r JOIN cycle c ON c.id = r.cycle_id
               WHERE r.organisation_id = partnership_member.organisation_id
                 AND c.partnership_id = partnership_member.partnership_id)"""


def upgrade() -> None:
    op.create_table('partnership_member',
                    sa.Column('partnership_id', sa.Integer(), nullable=False),
                    sa.Column('organisation_id', sa.Integer(), nullable=False),
                    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ondelete='CASCADE'),
                    sa.ForeignKeyConstraint(['partnership_id'], ['partnership.id'], ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('partnership_id', 'organisation_id'))
    op.create_index('ix_partnership_member_organisation_id', 'partnership_member', ['organisation_id'])
    op.execute(f"INSERT INTO partnership_member (partnership_id, organisation_id) {MEMBERS_OF}")
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    for table in LINKS:
        add = ("INSERT OR IGNORE INTO partnership_member (partnership_id, organisation_id) "
               "SELECT partnership_id, NEW.organisation_id FROM cycle WHERE id = NEW.cycle_id;")
        drop = ("DELETE FROM partnership_member WHERE organisation_id = OLD.organisation_id "
                "AND partnership_id = (SELECT partnership_id FROM cycle WHERE id = OLD.cycle_id) "
                f"AND NOT ({STILL_LINKED});")
        op.execute(f"CREATE TRIGGER {table}_member_added AFTER INSERT ON {table} BEGIN {add} END")
        op.execute(f"CREATE TRIGGER {table}_member_removed AFTER DELETE ON {table} BEGIN {drop} END")
        op.execute(f"CREATE TRIGGER {table}_member_moved AFTER UPDATE OF cycle_id, organisation_id ON {table} "
                   f"BEGIN {drop} {add} END")


def _postgresql_triggers() -> None:
    op.execute("""
        CREATE FUNCTION partnership_member_added() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO partnership_member (partnership_id, organisation_id)
            SELECT DISTINCT c.partnership_id, n.organisation_id FROM new_rows n JOIN cycle c ON c.id = n.cycle_id
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$""")
    op.execute(f"""
        CREATE FUNCTION partnership_member_removed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM partnership_member
            WHERE (partnership_id, organisation_id) IN (
                SELECT c.partnership_id, o.organisation_id FROM old_rows o JOIN cycle c ON c.id = o.cycle_id)
              AND NOT ({STILL_LINKED});
            RETURN NULL;
        END $$""")
    for table in LINKS:
        op.execute(f"CREATE TRIGGER {table}_member_added AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
                   "FOR EACH STATEMENT EXECUTE FUNCTION partnership_member_added()")
        op.execute(f"CREATE TRIGGER {table}_member_removed AFTER DELETE ON {table} REFERENCING OLD TABLE AS "
                   "old_rows FOR EACH STATEMENT EXECUTE FUNCTION partnership_member_removed()")
        op.execute(f"CREATE TRIGGER {table}_member_moved_out AFTER UPDATE ON {table} REFERENCING OLD TABLE AS "
                   "old_rows FOR EACH STATEMENT EXECUTE FUNCTION partnership_member_removed()")
        op.execute(f"CREATE TRIGGER {table}_member_moved_in AFTER UPDATE ON {table} REFERENCING NEW TABLE AS "
                   "new_rows FOR EACH STATEMENT EXECUTE FUNCTION partnership_member_added()")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in LINKS:
        for trigger in ("member_added", "member_removed", "member_moved", "member_moved_out", "member_moved_in"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{trigger}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS partnership_member_added()")
        op.execute("DROP FUNCTION IF EXISTS partnership_member_removed()")
    op.drop_index('ix_partnership_member_organisation_id', table_name='partnership_member')
    op.drop_table('partnership_member')
