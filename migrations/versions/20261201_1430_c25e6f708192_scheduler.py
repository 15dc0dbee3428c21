"""The programme's clock: job claims, job runs, the scheduler's lease, and the settings and choices the jobs read

Revision ID: c25e6f708192
Revises: b14c5d6e7f80
Create Date: 2026-12-01 14:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'c25e6f708192'
down_revision = 'b14c5d6e7f80'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job_claim',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=50), nullable=False),
        sa.Column('subject', sa.String(length=120), nullable=False),
        sa.Column('due', sa.String(length=40), nullable=False),
        sa.Column('claimed_dt', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_claim')),
        sa.UniqueConstraint('job', 'subject', 'due', name=op.f('uq_job_claim_job_subject_due')),
    )
    op.create_table(
        'job_run',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('job', sa.String(length=50), nullable=False),
        sa.Column('moment_dt', sa.DateTime(), nullable=False),
        sa.Column('started_dt', sa.DateTime(), nullable=False),
        sa.Column('finished_dt', sa.DateTime(), nullable=True),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('error', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
    )
    op.create_index(op.f('ix_job_run_job'), 'job_run', ['job'], unique=False)
    op.create_table(
        'scheduler_lease',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('holder', sa.String(length=120), nullable=False),
        sa.Column('heartbeat_dt', sa.DateTime(), nullable=False),
        sa.Column('expires_dt', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_lease')),
    )
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('survey_reminder_days', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('checkin_notice_days', sa.Integer(), server_default='28', nullable=False))
        batch_op.add_column(sa.Column('checkin_reminder_days', sa.Integer(), server_default='2', nullable=False))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_digest', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('email_notices', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('email_notices')
        batch_op.drop_column('email_digest')
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('checkin_reminder_days')
        batch_op.drop_column('checkin_notice_days')
        batch_op.drop_column('survey_reminder_days')
    op.drop_table('scheduler_lease')
    op.drop_index(op.f('ix_job_run_job'), table_name='job_run')
    op.drop_table('job_run')
    op.drop_table('job_claim')
