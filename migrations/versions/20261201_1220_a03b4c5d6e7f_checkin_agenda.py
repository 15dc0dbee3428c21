"""check-in agenda and meeting record

A programme's stalled-card setting (weeks, default 6); a check-in's record (overall green/amber/red with a
reason, Markdown notes, when it was held and the agenda frozen then, as JSON); its attendees (a person of the
programme or a typed name); and the actions arising from it, each an action on a card (perhaps a quick win
made for it), linked back to the check-in.

Revision ID: a03b4c5d6e7f
Revises: 9f2a3b4c5d6e
Create Date: 2026-12-01 12:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a03b4c5d6e7f'
down_revision = '9f2a3b4c5d6e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stalled_weeks', sa.Integer(), server_default='6', nullable=False))

    with op.batch_alter_table('checkin', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rag', sa.Enum('green', 'amber', 'red', name='checkinrag', native_enum=False,
                                                     length=20), nullable=True))
        batch_op.add_column(sa.Column('rag_reason', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('notes', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('held_dt', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('agenda', sa.JSON(), nullable=True))

    op.create_table(
        'checkin_attendee',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('checkin_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['checkin_id'], ['checkin.id'], name=op.f('fk_checkin_attendee_checkin_id_checkin'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_checkin_attendee_user_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_attendee')),
    )
    with op.batch_alter_table('checkin_attendee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_attendee_checkin_id'), ['checkin_id'], unique=False)

    op.create_table(
        'checkin_arising',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('checkin_id', sa.Integer(), nullable=False),
        sa.Column('card_id', sa.Integer(), nullable=False),
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('is_new_card', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_checkin_arising_action_id_action'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['card_id'], ['card.id'], name=op.f('fk_checkin_arising_card_id_card'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['checkin_id'], ['checkin.id'], name=op.f('fk_checkin_arising_checkin_id_checkin'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_arising')),
        sa.UniqueConstraint('action_id', name=op.f('uq_checkin_arising_action_id')),
    )
    with op.batch_alter_table('checkin_arising', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_arising_card_id'), ['card_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_arising_checkin_id'), ['checkin_id'], unique=False)


def downgrade():
    op.drop_table('checkin_arising')
    op.drop_table('checkin_attendee')
    with op.batch_alter_table('checkin', schema=None) as batch_op:
        for name in ('agenda', 'held_dt', 'notes', 'rag_reason', 'rag'):
            batch_op.drop_column(name)
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('stalled_weeks')
