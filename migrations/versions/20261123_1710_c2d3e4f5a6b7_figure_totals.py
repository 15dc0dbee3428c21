"""figure totals kept in SQL

Revision ID: c2d3e4f5a6b7
Revises: b1c2d3e4f5a6
Create Date: 2026-11-23 17:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c2d3e4f5a6b7'
down_revision = 'b1c2d3e4f5a6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'figure_total',
        sa.Column('indicator_id', sa.Integer(), nullable=False),
        sa.Column('period_number', sa.Integer(), nullable=False),
        sa.Column('value_sum', sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column('numerator_sum', sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column('denominator_sum', sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column('yes_count', sa.Integer(), nullable=False),
        sa.Column('reported', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_figure_total_indicator_id_indicator'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('indicator_id', 'period_number', name=op.f('pk_figure_total')),
    )
    # Totals of the figures already entered.
    op.execute(
        "INSERT INTO figure_total (indicator_id, period_number, value_sum, numerator_sum, denominator_sum, "
        "yes_count, reported) SELECT indicator_id, period_number, SUM(value), SUM(numerator), SUM(denominator), "
        "SUM(CASE WHEN flag THEN 1 ELSE 0 END), COUNT(id) FROM figure GROUP BY indicator_id, period_number"
    )


def downgrade():
    op.drop_table('figure_total')
