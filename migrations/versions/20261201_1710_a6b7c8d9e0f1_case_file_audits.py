"""The case file audit

A programme's scoring templates (stages, elements with a maximum score, checklist items); an organisation's
audits with their own copy of the template's stages, elements and items, the sample's attribute lists, the
cases with a score per element (null = not applicable) and checklist answers; positives and areas for
improvement, and the cards made from them; uploaded files of cases waiting for their confirmation.

Revision ID: a6b7c8d9e0f1
Revises: f5a6b7c8d9e0
Create Date: 2026-12-01 17:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = 'a6b7c8d9e0f1'
down_revision = 'f5a6b7c8d9e0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('audit_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_audit_template_programme_id_programme'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_template'))
    )
    with op.batch_alter_table('audit_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_template_programme_id'), ['programme_id'], unique=False)

    op.create_table('audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('auditors', sa.Text(), server_default='', nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_audit_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['programme_id'], ['programme.id'], name=op.f('fk_audit_programme_id_programme'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['audit_template.id'], name=op.f('fk_audit_template_id_audit_template'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit'))
    )
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_programme_id'), ['programme_id'], unique=False)

    op.create_table('audit_template_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['template_id'], ['audit_template.id'], name=op.f('fk_audit_template_stage_template_id_audit_template'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_template_stage'))
    )
    with op.batch_alter_table('audit_template_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_template_stage_template_id'), ['template_id'], unique=False)

    op.create_table('audit_attribute',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('case_type', 'household', 'outcome', 'year', name='attributekind', native_enum=False, length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('group', sa.String(length=120), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], name=op.f('fk_audit_attribute_audit_id_audit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_attribute'))
    )
    with op.batch_alter_table('audit_attribute', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_attribute_audit_id'), ['audit_id'], unique=False)

    op.create_table('audit_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('positive', 'improvement', name='findingkind', native_enum=False, length=20), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], name=op.f('fk_audit_finding_audit_id_audit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_finding'))
    )
    with op.batch_alter_table('audit_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_finding_audit_id'), ['audit_id'], unique=False)

    op.create_table('audit_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_dt', sa.DateTime(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], name=op.f('fk_audit_import_audit_id_audit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_audit_import_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_import'))
    )
    with op.batch_alter_table('audit_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_import_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_import_user_id'), ['user_id'], unique=False)

    op.create_table('audit_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], name=op.f('fk_audit_stage_audit_id_audit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_stage'))
    )
    with op.batch_alter_table('audit_stage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_stage_audit_id'), ['audit_id'], unique=False)

    op.create_table('audit_template_element',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['stage_id'], ['audit_template_stage.id'], name=op.f('fk_audit_template_element_stage_id_audit_template_stage'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_template_element'))
    )
    with op.batch_alter_table('audit_template_element', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_template_element_stage_id'), ['stage_id'], unique=False)

    op.create_table('audit_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=60), server_default='', nullable=False),
    sa.Column('case_type_id', sa.Integer(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('outcome_id', sa.Integer(), nullable=True),
    sa.Column('year_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), server_default='', nullable=False),
    sa.Column('scored_dt', sa.DateTime(), nullable=True),
    sa.Column('score', sa.Integer(), server_default='0', nullable=False),
    sa.Column('possible', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], name=op.f('fk_audit_case_audit_id_audit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_type_id'], ['audit_attribute.id'], name=op.f('fk_audit_case_case_type_id_audit_attribute'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['audit_attribute.id'], name=op.f('fk_audit_case_household_id_audit_attribute'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['outcome_id'], ['audit_attribute.id'], name=op.f('fk_audit_case_outcome_id_audit_attribute'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['year_id'], ['audit_attribute.id'], name=op.f('fk_audit_case_year_id_audit_attribute'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_case')),
    sa.UniqueConstraint('audit_id', 'number', name=op.f('uq_audit_case_audit_id_number'))
    )
    with op.batch_alter_table('audit_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_case_audit_id'), ['audit_id'], unique=False)

    op.create_table('audit_element',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('max_score', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], name=op.f('fk_audit_element_audit_id_audit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stage_id'], ['audit_stage.id'], name=op.f('fk_audit_element_stage_id_audit_stage'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_element'))
    )
    with op.batch_alter_table('audit_element', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_element_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_element_stage_id'), ['stage_id'], unique=False)

    op.create_table('audit_finding_card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['card.id'], name=op.f('fk_audit_finding_card_card_id_card'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['finding_id'], ['audit_finding.id'], name=op.f('fk_audit_finding_card_finding_id_audit_finding'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_finding_card')),
    sa.UniqueConstraint('finding_id', name=op.f('uq_audit_finding_card_finding_id'))
    )
    with op.batch_alter_table('audit_finding_card', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_finding_card_card_id'), ['card_id'], unique=False)

    op.create_table('audit_template_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['element_id'], ['audit_template_element.id'], name=op.f('fk_audit_template_item_element_id_audit_template_element'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_template_item'))
    )
    with op.batch_alter_table('audit_template_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_template_item_element_id'), ['element_id'], unique=False)

    op.create_table('audit_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('audit_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audit.id'], name=op.f('fk_audit_item_audit_id_audit'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['element_id'], ['audit_element.id'], name=op.f('fk_audit_item_element_id_audit_element'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_item'))
    )
    with op.batch_alter_table('audit_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_item_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_item_element_id'), ['element_id'], unique=False)

    op.create_table('audit_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['audit_case.id'], name=op.f('fk_audit_score_case_id_audit_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['element_id'], ['audit_element.id'], name=op.f('fk_audit_score_element_id_audit_element'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_score')),
    sa.UniqueConstraint('case_id', 'element_id', name=op.f('uq_audit_score_case_id_element_id'))
    )
    with op.batch_alter_table('audit_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_score_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_score_element_id'), ['element_id'], unique=False)

    op.create_table('audit_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Enum('yes', 'no', 'na', name='answer', native_enum=False, length=20), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['audit_case.id'], name=op.f('fk_audit_answer_case_id_audit_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['audit_item.id'], name=op.f('fk_audit_answer_item_id_audit_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_answer')),
    sa.UniqueConstraint('case_id', 'item_id', name=op.f('uq_audit_answer_case_id_item_id'))
    )
    with op.batch_alter_table('audit_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_answer_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_answer_item_id'), ['item_id'], unique=False)



def downgrade():
    with op.batch_alter_table('audit_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_answer_item_id'))
        batch_op.drop_index(batch_op.f('ix_audit_answer_case_id'))

    op.drop_table('audit_answer')
    with op.batch_alter_table('audit_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_score_element_id'))
        batch_op.drop_index(batch_op.f('ix_audit_score_case_id'))

    op.drop_table('audit_score')
    with op.batch_alter_table('audit_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_item_element_id'))
        batch_op.drop_index(batch_op.f('ix_audit_item_audit_id'))

    op.drop_table('audit_item')
    with op.batch_alter_table('audit_template_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_template_item_element_id'))

    op.drop_table('audit_template_item')
    with op.batch_alter_table('audit_finding_card', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_finding_card_card_id'))

    op.drop_table('audit_finding_card')
    with op.batch_alter_table('audit_element', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_element_stage_id'))
        batch_op.drop_index(batch_op.f('ix_audit_element_audit_id'))

    op.drop_table('audit_element')
    with op.batch_alter_table('audit_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_case_audit_id'))

    op.drop_table('audit_case')
    with op.batch_alter_table('audit_template_element', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_template_element_stage_id'))

    op.drop_table('audit_template_element')
    with op.batch_alter_table('audit_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_stage_audit_id'))

    op.drop_table('audit_stage')
    with op.batch_alter_table('audit_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_import_user_id'))
        batch_op.drop_index(batch_op.f('ix_audit_import_audit_id'))

    op.drop_table('audit_import')
    with op.batch_alter_table('audit_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_finding_audit_id'))

    op.drop_table('audit_finding')
    with op.batch_alter_table('audit_attribute', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_attribute_audit_id'))

    op.drop_table('audit_attribute')
    with op.batch_alter_table('audit_template_stage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_template_stage_template_id'))

    op.drop_table('audit_template_stage')
    with op.batch_alter_table('audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_programme_id'))
        batch_op.drop_index(batch_op.f('ix_audit_organisation_id'))

    op.drop_table('audit')
    with op.batch_alter_table('audit_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_template_programme_id'))

    op.drop_table('audit_template')
