"""An index of card events by card, kind and time, so a card's last activity is read from the index

Revision ID: d36f708192a3
Revises: c25e6f708192
Create Date: 2026-12-01 14:40:00
"""
from alembic import op

revision = 'd36f708192a3'
down_revision = 'c25e6f708192'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_card_event_card_id_kind_at_dt', 'card_event', ['card_id', 'kind', 'at_dt'], unique=False)


def downgrade():
    op.drop_index('ix_card_event_card_id_kind_at_dt', table_name='card_event')
