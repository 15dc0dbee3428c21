"""survey responses and answers without row ids (SQLite)

Revision ID: e0f1a2b3c4d5
Revises: d9e0f1a2b3c4
Create Date: 2026-12-02 01:30:00

On SQLite the two tables are rebuilt ``WITHOUT ROWID``: kept in the order of their random keys, with no
hidden row id counting rows in the order they were written. PostgreSQL has no such option and is left as
it is. The rows are copied unchanged (migrations run with foreign keys off: ``migrations/env.py``).
"""
from alembic import op

revision = 'e0f1a2b3c4d5'
down_revision = 'd9e0f1a2b3c4'
branch_labels = None
depends_on = None

TABLES = ('survey_response', 'survey_answer')


def _rebuild(with_rowid: bool) -> None:
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        with op.batch_alter_table(table, recreate='always', table_kwargs={'sqlite_with_rowid': with_rowid}):
            pass


def upgrade():
    _rebuild(with_rowid=False)


def downgrade():
    _rebuild(with_rowid=True)
