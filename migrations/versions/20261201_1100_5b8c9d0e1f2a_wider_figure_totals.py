"""wider figure totals

Revision ID: 5b8c9d0e1f2a
Revises: 4a7b8c9d0e1f
Create Date: 2026-12-01 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5b8c9d0e1f2a'
down_revision = '4a7b8c9d0e1f'
branch_labels = None
depends_on = None

COLUMNS = ('value_sum', 'numerator_sum', 'denominator_sum')


def upgrade():
    with op.batch_alter_table('figure_total', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.alter_column(name, existing_type=sa.Numeric(18, 4), type_=sa.Numeric(28, 4),
                                  existing_nullable=True)


def downgrade():
    with op.batch_alter_table('figure_total', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.alter_column(name, existing_type=sa.Numeric(28, 4), type_=sa.Numeric(18, 4),
                                  existing_nullable=True)
