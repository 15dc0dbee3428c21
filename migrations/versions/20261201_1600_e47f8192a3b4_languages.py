"""Languages: a person's own, an organisation's for its staff surveys, and a survey's words in Welsh

Revision ID: e47f8192a3b4
Revises: d36f708192a3
Create Date: 2026-12-01 16:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'e47f8192a3b4'
down_revision = 'd36f708192a3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=2), nullable=True))
    with op.batch_alter_table('organisation') as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=4), server_default='both', nullable=False))
    with op.batch_alter_table('survey') as batch_op:
        batch_op.add_column(sa.Column('title_cy', sa.String(length=200), server_default='', nullable=False))
        batch_op.add_column(sa.Column('introduction_cy', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('privacy_note_cy', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('survey_question') as batch_op:
        batch_op.add_column(sa.Column('text_cy', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('hint_cy', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('choices_cy', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))


def downgrade():
    with op.batch_alter_table('survey_question') as batch_op:
        batch_op.drop_column('choices_cy')
        batch_op.drop_column('hint_cy')
        batch_op.drop_column('text_cy')
    with op.batch_alter_table('survey') as batch_op:
        batch_op.drop_column('privacy_note_cy')
        batch_op.drop_column('introduction_cy')
        batch_op.drop_column('title_cy')
    with op.batch_alter_table('organisation') as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('user') as batch_op:
        batch_op.drop_column('language')
