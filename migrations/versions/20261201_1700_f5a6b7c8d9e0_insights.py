"""Insights by theme

Revision ID: f5a6b7c8d9e0
Revises: e47f8192a3b4
Create Date: 2026-12-01 17:00:00
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = 'f5a6b7c8d9e0'
down_revision = 'e47f8192a3b4'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
