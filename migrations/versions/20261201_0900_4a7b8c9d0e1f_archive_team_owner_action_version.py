"""archive, team owner, action version

Revision ID: 4a7b8c9d0e1f
Revises: 3f9a1c7d2e54
Create Date: 2026-12-01 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4a7b8c9d0e1f'
down_revision = '3f9a1c7d2e54'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_owned', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('archived_dt', sa.DateTime(), nullable=True))
    with op.batch_alter_table('opportunity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_dt', sa.DateTime(), nullable=True))
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_dt', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived_dt', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.drop_column('archived_dt')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_column('version')
        batch_op.drop_column('archived_dt')
    with op.batch_alter_table('opportunity', schema=None) as batch_op:
        batch_op.drop_column('archived_dt')
    with op.batch_alter_table('card', schema=None) as batch_op:
        batch_op.drop_column('archived_dt')
        batch_op.drop_column('team_owned')
