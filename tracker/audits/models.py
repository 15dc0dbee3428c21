"""The case file audit: a programme's scoring templates, and an organisation's audits with their cases.

A template (stages → elements with a maximum score → checklist items) belongs to a programme and is
reused across its organisations. Starting an audit copies the template's stages, elements and items into
rows of the audit's own, so editing the template later never changes an audit (seed 002: the audit is a
baseline, a "health check" that later audits are compared with).

A case counts in the results once it has been scored: every element given a score from 0 to its maximum
or marked not applicable (``score`` ``None``). Checklist items are answered yes, no or not applicable.
"""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.db import str_enum, utcnow
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme

#: Limits people are given (the forms' hints say so).
NAME_LENGTH, TITLE_LENGTH, LABEL_LENGTH, REFERENCE_LENGTH = 200, 300, 120, 60
#: The highest maximum an element may have (the seed's largest is 10).
MAX_SCORE_LIMIT = 100


class AttributeKind(enum.StrEnum):
    """The sample's attribute lists (seed 002, "Baseline Sample")."""

    CASE_TYPE = "case_type"
    HOUSEHOLD = "household"
    OUTCOME = "outcome"
    YEAR = "year"

    @property
    def label(self) -> str:
        return str({"case_type": _l("Case type"), "household": _l("Household type"),
                    "outcome": _l("Logged outcome"), "year": _l("Year assessed")}[self.value])


class Answer(enum.StrEnum):
    YES = "yes"
    NO = "no"
    NA = "na"

    @property
    def label(self) -> str:
        return str({"yes": _l("Yes"), "no": _l("No"), "na": _l("Not applicable")}[self.value])


class FindingKind(enum.StrEnum):
    POSITIVE = "positive"
    IMPROVEMENT = "improvement"

    @property
    def label(self) -> str:
        return str({"positive": _l("Positive"), "improvement": _l("Area for improvement")}[self.value])


# --- templates -----------------------------------------------------------------------------------


class AuditTemplate(db.Model):
    """A scoring template of a programme, reusable by every audit of its organisations."""

    __tablename__ = "audit_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()
    stages: Mapped[list["TemplateStage"]] = relationship(
        back_populates="template", order_by="TemplateStage.position", cascade="all, delete-orphan")


class TemplateStage(db.Model):
    __tablename__ = "audit_template_stage"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("audit_template.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))

    template: Mapped[AuditTemplate] = relationship(back_populates="stages")
    elements: Mapped[list["TemplateElement"]] = relationship(
        back_populates="stage", order_by="TemplateElement.position", cascade="all, delete-orphan")


class TemplateElement(db.Model):
    __tablename__ = "audit_template_element"

    id: Mapped[int] = mapped_column(primary_key=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("audit_template_stage.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    max_score: Mapped[int] = mapped_column()

    stage: Mapped[TemplateStage] = relationship(back_populates="elements")
    items: Mapped[list["TemplateItem"]] = relationship(
        back_populates="element", order_by="TemplateItem.position", cascade="all, delete-orphan")


class TemplateItem(db.Model):
    """A checklist item of an element (seed 002's lowest-scoring elements are such items)."""

    __tablename__ = "audit_template_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    element_id: Mapped[int] = mapped_column(ForeignKey("audit_template_element.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(TITLE_LENGTH))

    element: Mapped[TemplateElement] = relationship(back_populates="items")


# --- audits --------------------------------------------------------------------------------------


class Audit(db.Model):
    """An audit of one organisation's case files, with its own copy of the template it started from."""

    __tablename__ = "audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    #: Where its stages came from (kept for the record; the audit never reads the template again).
    template_id: Mapped[int | None] = mapped_column(ForeignKey("audit_template.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(NAME_LENGTH))
    started_on: Mapped[date] = mapped_column()
    ended_on: Mapped[date | None] = mapped_column()
    #: Who audited the files, as written (names or posts).
    auditors: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()
    organisation: Mapped[Organisation] = relationship()
    stages: Mapped[list["AuditStage"]] = relationship(
        back_populates="audit", order_by="AuditStage.position", cascade="all, delete-orphan")


class AuditStage(db.Model):
    __tablename__ = "audit_stage"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))

    audit: Mapped[Audit] = relationship(back_populates="stages")
    elements: Mapped[list["AuditElement"]] = relationship(
        back_populates="stage", order_by="AuditElement.position", cascade="all, delete-orphan")


class AuditElement(db.Model):
    __tablename__ = "audit_element"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("audit_stage.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    max_score: Mapped[int] = mapped_column()

    stage: Mapped[AuditStage] = relationship(back_populates="elements")
    items: Mapped[list["AuditItem"]] = relationship(
        back_populates="element", order_by="AuditItem.position", cascade="all, delete-orphan")


class AuditItem(db.Model):
    __tablename__ = "audit_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[int] = mapped_column(ForeignKey("audit_element.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(TITLE_LENGTH))

    element: Mapped[AuditElement] = relationship(back_populates="items")


class AuditAttribute(db.Model):
    """One value of one of the audit's sample attribute lists ("Section 66", "Family", "Withdrawn", "18/19").

    An outcome may carry a group ("Falling out"); an outcome without one is its own group.
    """

    __tablename__ = "audit_attribute"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AttributeKind] = mapped_column(str_enum(AttributeKind))
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(LABEL_LENGTH))
    group: Mapped[str] = mapped_column(String(LABEL_LENGTH), default="", server_default="")

    @property
    def group_label(self) -> str:
        return self.group or self.label


class AuditCase(db.Model):
    """A case file in the sample: its attributes, notes, and (once scored) a score per element."""

    __tablename__ = "audit_case"
    __table_args__ = (UniqueConstraint("audit_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    #: 1, 2, 3 … in the order cases were added: the order "Save and next case" follows.
    number: Mapped[int] = mapped_column()
    #: The case's reference in the case-management system (no personal details).
    reference: Mapped[str] = mapped_column(String(REFERENCE_LENGTH), default="", server_default="")
    case_type_id: Mapped[int | None] = mapped_column(ForeignKey("audit_attribute.id", ondelete="SET NULL"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("audit_attribute.id", ondelete="SET NULL"))
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("audit_attribute.id", ondelete="SET NULL"))
    year_id: Mapped[int | None] = mapped_column(ForeignKey("audit_attribute.id", ondelete="SET NULL"))
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: When it was last scored (UTC); ``None`` until then, and the case is left out of the results.
    scored_dt: Mapped[datetime | None] = mapped_column()
    #: Kept up to date on every save, so the cases list shows each case's % without reading its scores.
    score: Mapped[int] = mapped_column(default=0, server_default="0")
    possible: Mapped[int] = mapped_column(default=0, server_default="0")

    audit: Mapped[Audit] = relationship()


class AuditScore(db.Model):
    """A case's score for one element; ``score`` ``None`` is not applicable."""

    __tablename__ = "audit_score"
    __table_args__ = (UniqueConstraint("case_id", "element_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("audit_case.id", ondelete="CASCADE"), index=True)
    element_id: Mapped[int] = mapped_column(ForeignKey("audit_element.id", ondelete="CASCADE"), index=True)
    score: Mapped[int | None] = mapped_column()


class AuditAnswer(db.Model):
    """A case's answer to one checklist item (an item left unanswered has no row)."""

    __tablename__ = "audit_answer"
    __table_args__ = (UniqueConstraint("case_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("audit_case.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("audit_item.id", ondelete="CASCADE"), index=True)
    answer: Mapped[Answer] = mapped_column(str_enum(Answer))


class AuditFinding(db.Model):
    """A free-text positive or area for improvement of an audit (seed 002: "Quantitative and Qualitative
    positives", "areas of improvement")."""

    __tablename__ = "audit_finding"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FindingKind] = mapped_column(str_enum(FindingKind))
    text: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    audit: Mapped[Audit] = relationship()


class AuditFindingCard(db.Model):
    """A card on the organisation's board made from an area for improvement (one card per finding)."""

    __tablename__ = "audit_finding_card"

    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("audit_finding.id", ondelete="CASCADE"), unique=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)


class AuditImport(db.Model):
    """The parsed rows of an uploaded file of cases, kept between the preview and the confirmation. Only the
    person who uploaded it may confirm it; it is deleted once imported."""

    __tablename__ = "audit_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audit.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    filename: Mapped[str] = mapped_column(String(255), default="")
    #: ``[{"row": 2, "reference": …, "case_type": …, …, "scores": {"<element position>": "2"}}, …]``
    rows: Mapped[list] = mapped_column(JSON)

    audit: Mapped[Audit] = relationship()
