"""One survey invitation per address and organisation in a wave

So that checking a paste never asks whether another organisation invited an address (which would tell a
team member who is on another council's list).

Revision ID: b14c5d6e7f80
Revises: a03b4c5d6e7f
Create Date: 2026-12-01 14:00:00
"""
from alembic import op

revision = 'b14c5d6e7f80'
down_revision = 'a03b4c5d6e7f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_survey_invitation_wave_id_email'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_survey_invitation_wave_id_organisation_id_email'),
                                          ['wave_id', 'organisation_id', 'email'])


def downgrade():
    # An address two organisations invited to one wave keeps the lower invitation (the other cannot stay).
    op.execute("DELETE FROM survey_invitation WHERE id IN (SELECT later.id FROM survey_invitation later "
               "JOIN survey_invitation earlier ON earlier.wave_id = later.wave_id AND earlier.email = later.email "
               "AND earlier.id < later.id)")
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_survey_invitation_wave_id_organisation_id_email'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_survey_invitation_wave_id_email'), ['wave_id', 'email'])
