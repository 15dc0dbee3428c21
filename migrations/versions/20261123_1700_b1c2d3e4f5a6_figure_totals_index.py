"""covering index for the results totals

Revision ID: b1c2d3e4f5a6
Revises: f527d6699483
Create Date: 2026-11-23 17:00:00

"""
from alembic import op

revision = 'b1c2d3e4f5a6'
down_revision = 'f527d6699483'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('figure', schema=None) as batch_op:
        batch_op.create_index('ix_figure_totals',
                              ['indicator_id', 'period_number', 'value', 'numerator', 'denominator', 'flag'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('figure', schema=None) as batch_op:
        batch_op.drop_index('ix_figure_totals')
