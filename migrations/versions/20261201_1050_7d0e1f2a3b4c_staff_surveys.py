"""staff surveys

Revision ID: 7d0e1f2a3b4c
Revises: 5b8c9d0e1f2a
Create Date: 2026-12-01 13:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d0e1f2a3b4c'
down_revision = '5b8c9d0e1f2a'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('survey_min_group', sa.Integer(), server_default='5', nullable=False))

    op.create_table(
        'survey',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('programme_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('introduction', sa.Text(), nullable=False),
        sa.Column('privacy_note', sa.Text(), nullable=False),
        sa.Column('open_days', sa.Integer(), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_survey_programme_id_programme'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey')),
    )
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_programme_id'), ['programme_id'], unique=False)

    op.create_table(
        'survey_question',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('likert', 'scale', 'single', 'multiple', 'text', name='questionkind',
                                  native_enum=False, length=20), nullable=False),
        sa.Column('text', sa.String(length=500), nullable=False),
        sa.Column('hint', sa.String(length=500), nullable=False),
        sa.Column('required', sa.Boolean(), nullable=False),
        sa.Column('choices', sa.JSON(), nullable=False),
        sa.Column('nps', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('retired_dt', sa.DateTime(), nullable=True),
        sa.Column('indicator_id', sa.Integer(), nullable=True),
        sa.Column('indicator_values', sa.JSON(), nullable=False),
        sa.Column('created_dt', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'],
                                name=op.f('fk_survey_question_indicator_id_indicator'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_question_survey_id_survey'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question')),
    )
    with op.batch_alter_table('survey_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_question_survey_id'), ['survey_id'], unique=False)

    op.create_table(
        'survey_wave',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('survey_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('opens_on', sa.Date(), nullable=False),
        sa.Column('closes_on', sa.Date(), nullable=False),
        sa.Column('addresses_deleted_dt', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['survey_id'], ['survey.id'], name=op.f('fk_survey_wave_survey_id_survey'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_wave')),
        sa.UniqueConstraint('survey_id', 'number', name=op.f('uq_survey_wave_survey_id_number')),
    )
    with op.batch_alter_table('survey_wave', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_wave_survey_id'), ['survey_id'], unique=False)

    op.create_table(
        'survey_wave_organisation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('wave_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('shared_token_hash', sa.String(length=64), nullable=True),
        sa.Column('held_back', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_survey_wave_organisation_organisation_id_organisation'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['wave_id'], ['survey_wave.id'],
                                name=op.f('fk_survey_wave_organisation_wave_id_survey_wave'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_wave_organisation')),
        sa.UniqueConstraint('shared_token_hash', name=op.f('uq_survey_wave_organisation_shared_token_hash')),
        sa.UniqueConstraint('wave_id', 'organisation_id',
                            name=op.f('uq_survey_wave_organisation_wave_id_organisation_id')),
    )
    with op.batch_alter_table('survey_wave_organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_wave_organisation_wave_id'), ['wave_id'], unique=False)

    op.create_table(
        'survey_invitation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('wave_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=True),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('sent', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_survey_invitation_organisation_id_organisation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['wave_id'], ['survey_wave.id'], name=op.f('fk_survey_invitation_wave_id_survey_wave'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitation')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_survey_invitation_token_hash')),
        sa.UniqueConstraint('wave_id', 'email', name=op.f('uq_survey_invitation_wave_id_email')),
    )
    with op.batch_alter_table('survey_invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_invitation_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_invitation_wave_id'), ['wave_id'], unique=False)

    op.create_table(
        'survey_invitation_use',
        sa.Column('invitation_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(['invitation_id'], ['survey_invitation.id'],
                                name=op.f('fk_survey_invitation_use_invitation_id_survey_invitation'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('invitation_id', name=op.f('pk_survey_invitation_use')),
    )

    op.create_table(
        'survey_response',
        sa.Column('id', sa.String(length=32), nullable=False),
        sa.Column('wave_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('submitted_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'],
                                name=op.f('fk_survey_response_organisation_id_organisation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['wave_id'], ['survey_wave.id'], name=op.f('fk_survey_response_wave_id_survey_wave'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_response')),
    )
    with op.batch_alter_table('survey_response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_response_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_response_wave_id'), ['wave_id'], unique=False)

    op.create_table(
        'survey_answer',
        sa.Column('response_id', sa.String(length=32), nullable=False),
        sa.Column('question_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('item', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('value', sa.Integer(), nullable=True),
        sa.Column('text', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'],
                                name=op.f('fk_survey_answer_question_id_survey_question'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['response_id'], ['survey_response.id'],
                                name=op.f('fk_survey_answer_response_id_survey_response'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('response_id', 'question_id', 'item', name=op.f('pk_survey_answer')),
    )
    with op.batch_alter_table('survey_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answer_question_id'), ['question_id'], unique=False)


def downgrade():
    for name in ('survey_answer', 'survey_response', 'survey_invitation_use', 'survey_invitation',
                 'survey_wave_organisation', 'survey_wave', 'survey_question', 'survey'):
        op.drop_table(name)
    with op.batch_alter_table('programme', schema=None) as batch_op:
        batch_op.drop_column('survey_min_group')
