"""The self-assessment toolkit

Revision ID: b7c8d9e0f1a2
Revises: a6b7c8d9e0f1
Create Date: 2026-12-01 17:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'b7c8d9e0f1a2'
down_revision = 'a6b7c8d9e0f1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('assessment_toolkit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_assessment_toolkit_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_toolkit'))
    )
    op.create_index(op.f('ix_assessment_toolkit_programme_id'), 'assessment_toolkit', ['programme_id'], unique=False)
    op.create_table('assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('toolkit_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('coordinator_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['coordinator_id'], ['user.id'], name=op.f('fk_assessment_coordinator_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_assessment_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_assessment_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['toolkit_id'], ['assessment_toolkit.id'], name=op.f('fk_assessment_toolkit_id_assessment_toolkit'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment'))
    )
    op.create_index(op.f('ix_assessment_organisation_id'), 'assessment', ['organisation_id'], unique=False)
    op.create_index(op.f('ix_assessment_toolkit_id'), 'assessment', ['toolkit_id'], unique=False)
    op.create_table('assessment_toolkit_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('toolkit_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['toolkit_id'], ['assessment_toolkit.id'], name=op.f('fk_assessment_toolkit_section_toolkit_id_assessment_toolkit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_toolkit_section'))
    )
    op.create_index(op.f('ix_assessment_toolkit_section_toolkit_id'), 'assessment_toolkit_section', ['toolkit_id'], unique=False)
    op.create_table('assessment_member',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_assessment_member_assessment_id_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_assessment_member_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assessment_id', 'user_id', name=op.f('pk_assessment_member'))
    )
    op.create_index(op.f('ix_assessment_member_user_id'), 'assessment_member', ['user_id'], unique=False)
    op.create_table('assessment_section',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_assessment_section_assessment_id_assessment'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_section'))
    )
    op.create_index(op.f('ix_assessment_section_assessment_id'), 'assessment_section', ['assessment_id'], unique=False)
    op.create_table('assessment_toolkit_headline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('text', sa.String(length=1000), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['section_id'], ['assessment_toolkit_section.id'], name=op.f('fk_assessment_toolkit_headline_section_id_assessment_toolkit_section'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_toolkit_headline'))
    )
    op.create_index(op.f('ix_assessment_toolkit_headline_section_id'), 'assessment_toolkit_headline', ['section_id'], unique=False)
    op.create_table('assessment_headline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('text', sa.String(length=1000), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['section_id'], ['assessment_section.id'], name=op.f('fk_assessment_headline_section_id_assessment_section'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_headline'))
    )
    op.create_index(op.f('ix_assessment_headline_section_id'), 'assessment_headline', ['section_id'], unique=False)
    op.create_table('assessment_toolkit_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('headline_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('text', sa.String(length=1000), nullable=False),
    sa.Column('look_for', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['headline_id'], ['assessment_toolkit_headline.id'], name=op.f('fk_assessment_toolkit_question_headline_id_assessment_toolkit_headline'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_toolkit_question'))
    )
    op.create_index(op.f('ix_assessment_toolkit_question_headline_id'), 'assessment_toolkit_question', ['headline_id'], unique=False)
    op.create_table('assessment_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('headline_id', sa.Integer(), nullable=False),
    sa.Column('toolkit_question_id', sa.Integer(), nullable=True),
    sa.Column('ref', sa.String(length=20), nullable=False),
    sa.Column('text', sa.String(length=1000), nullable=False),
    sa.Column('look_for', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('judgement', sa.Enum('green', 'amber', 'red', name='judgement', native_enum=False, length=20), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('strengths', sa.Text(), nullable=False),
    sa.Column('improvements', sa.Text(), nullable=False),
    sa.Column('judged_by_id', sa.Integer(), nullable=True),
    sa.Column('judged_dt', sa.DateTime(), nullable=True),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_assessment_question_assessment_id_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['headline_id'], ['assessment_headline.id'], name=op.f('fk_assessment_question_headline_id_assessment_headline'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['judged_by_id'], ['user.id'], name=op.f('fk_assessment_question_judged_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['toolkit_question_id'], ['assessment_toolkit_question.id'], name=op.f('fk_assessment_question_toolkit_question_id_assessment_toolkit_question'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_question'))
    )
    op.create_index(op.f('ix_assessment_question_assessment_id'), 'assessment_question', ['assessment_id'], unique=False)
    op.create_index(op.f('ix_assessment_question_headline_id'), 'assessment_question', ['headline_id'], unique=False)
    op.create_table('assessment_card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['card.id'], name=op.f('fk_assessment_card_card_id_card'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['assessment_question.id'], name=op.f('fk_assessment_card_question_id_assessment_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_card')),
    sa.UniqueConstraint('card_id', name=op.f('uq_assessment_card_card_id'))
    )
    op.create_index(op.f('ix_assessment_card_question_id'), 'assessment_card', ['question_id'], unique=False)
    op.create_table('assessment_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('documents', 'interviews', 'focus_groups', 'observation', 'user_opinion', name='evidencekind', native_enum=False, length=20), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('found', sa.Text(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_assessment_evidence_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['assessment_question.id'], name=op.f('fk_assessment_evidence_question_id_assessment_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_evidence'))
    )
    op.create_index(op.f('ix_assessment_evidence_question_id'), 'assessment_evidence', ['question_id'], unique=False)
    op.create_table('assessment_task',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('documents', 'interviews', 'focus_groups', 'observation', 'user_opinion', name='evidencekind', native_enum=False, length=20), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('is_done', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessment.id'], name=op.f('fk_assessment_task_assessment_id_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_assessment_task_assignee_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['assessment_question.id'], name=op.f('fk_assessment_task_question_id_assessment_question'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_task'))
    )
    op.create_index(op.f('ix_assessment_task_assessment_id'), 'assessment_task', ['assessment_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_assessment_task_assessment_id'), table_name='assessment_task')
    op.drop_table('assessment_task')
    op.drop_index(op.f('ix_assessment_evidence_question_id'), table_name='assessment_evidence')
    op.drop_table('assessment_evidence')
    op.drop_index(op.f('ix_assessment_card_question_id'), table_name='assessment_card')
    op.drop_table('assessment_card')
    op.drop_index(op.f('ix_assessment_question_headline_id'), table_name='assessment_question')
    op.drop_index(op.f('ix_assessment_question_assessment_id'), table_name='assessment_question')
    op.drop_table('assessment_question')
    op.drop_index(op.f('ix_assessment_toolkit_question_headline_id'), table_name='assessment_toolkit_question')
    op.drop_table('assessment_toolkit_question')
    op.drop_index(op.f('ix_assessment_headline_section_id'), table_name='assessment_headline')
    op.drop_table('assessment_headline')
    op.drop_index(op.f('ix_assessment_toolkit_headline_section_id'), table_name='assessment_toolkit_headline')
    op.drop_table('assessment_toolkit_headline')
    op.drop_index(op.f('ix_assessment_section_assessment_id'), table_name='assessment_section')
    op.drop_table('assessment_section')
    op.drop_index(op.f('ix_assessment_member_user_id'), table_name='assessment_member')
    op.drop_table('assessment_member')
    op.drop_index(op.f('ix_assessment_toolkit_section_toolkit_id'), table_name='assessment_toolkit_section')
    op.drop_table('assessment_toolkit_section')
    op.drop_index(op.f('ix_assessment_toolkit_id'), table_name='assessment')
    op.drop_index(op.f('ix_assessment_organisation_id'), table_name='assessment')
    op.drop_table('assessment')
    op.drop_index(op.f('ix_assessment_toolkit_programme_id'), table_name='assessment_toolkit')
    op.drop_table('assessment_toolkit')
