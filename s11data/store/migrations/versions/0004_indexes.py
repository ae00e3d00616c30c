"""performance indexes for national scale

Measured on the national synthetic set (`s11 synth --scale national`: 1.2 M ratings, 147 k contacts, 152 k
progress updates) on SQLite, where they change the query plans:
- rating (return_id, question_id, rag, moderated_rag): every count of grades reads this index only, never the wide
  rating rows with their evidence text (grade counts across all partnerships about 2.3x faster);
- contact (invitation_id, occurred_on): the latest contact of each invitation is read from the index (4x);
- progress_update (recommendation_id, recorded_on): the latest update of each action, in order, from the index.
The last two replace the single-column indexes on their first column, which they make redundant.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22 03:00:00
"""
from alembic import op


revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index('ix_rating_return_grades', ['return_id', 'question_id', 'rag', 'moderated_rag'],
                              unique=False)
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_invitation_on', ['invitation_id', 'occurred_on'], unique=False)
        batch_op.drop_index('ix_contact_invitation_id')
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.create_index('ix_progress_update_latest', ['recommendation_id', 'recorded_on'], unique=False)
        batch_op.drop_index('ix_progress_update_recommendation_id')


def downgrade() -> None:
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.create_index('ix_progress_update_recommendation_id', ['recommendation_id'], unique=False)
        batch_op.drop_index('ix_progress_update_latest')
    with op.batch_alter_table('contact', schema=None) as batch_op:
        batch_op.create_index('ix_contact_invitation_id', ['invitation_id'], unique=False)
        batch_op.drop_index('ix_contact_invitation_on')
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_return_grades')
