"""programme results version

Revision ID: 3f9a1c7d2e54
Revises: 236a31c9537f
Create Date: 2026-11-26 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f9a1c7d2e54'
down_revision = '236a31c9537f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('results_version')
