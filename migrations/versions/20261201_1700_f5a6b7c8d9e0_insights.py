"""Insights by theme

Revision ID: f5a6b7c8d9e0
Revises: e47f8192a3b4
Create Date: 2026-12-01 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'f5a6b7c8d9e0'
down_revision = 'e47f8192a3b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'insight_theme',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_insight_theme_organisation_id_organisation'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_insight_theme')),
        sa.UniqueConstraint('organisation_id', 'name', name=op.f('uq_insight_theme_organisation_id_name')),
    )
    with op.batch_alter_table('insight_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insight_theme_organisation_id'), ['organisation_id'], unique=False)
    op.create_table(
        'insight',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('theme_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('source', sa.Enum('data_analysis', 'interviews', 'workshop', 'audit', 'good_practice',
                                    name='insightsource', native_enum=False, length=20), nullable=False),
        sa.Column('evidence', sa.Text(), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.Column('updated_dt', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('archived_dt', sa.DateTime(), nullable=True),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_insight_created_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_insight_organisation_id_organisation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['theme_id'], ['insight_theme.id'], name=op.f('fk_insight_theme_id_insight_theme'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_insight_updated_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_insight')),
    )
    with op.batch_alter_table('insight', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insight_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_insight_theme_id'), ['theme_id'], unique=False)
    op.create_table(
        'insight_card',
        sa.Column('insight_id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['card_id'], ['card.id'], name=op.f('fk_insight_card_card_id_card'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['insight_id'], ['insight.id'], name=op.f('fk_insight_card_insight_id_insight'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('insight_id', 'card_id', name=op.f('pk_insight_card')),
    )
    with op.batch_alter_table('insight_card', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insight_card_card_id'), ['card_id'], unique=False)
    op.create_table(
        'insight_opportunity',
        sa.Column('insight_id', sa.Integer(), nullable=False),
        sa.Column('opportunity_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['insight_id'], ['insight.id'],
                                name=op.f('fk_insight_opportunity_insight_id_insight'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['opportunity_id'], ['opportunity.id'],
                                name=op.f('fk_insight_opportunity_opportunity_id_opportunity'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('insight_id', 'opportunity_id', name=op.f('pk_insight_opportunity')),
    )
    with op.batch_alter_table('insight_opportunity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insight_opportunity_opportunity_id'), ['opportunity_id'], unique=False)


def downgrade():
    op.drop_table('insight_opportunity')
    op.drop_table('insight_card')
    op.drop_table('insight')
    op.drop_table('insight_theme')
