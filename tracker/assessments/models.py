"""The self-assessment toolkit (seed 004, the WLGA improvement toolkits).

A programme's **toolkit** holds sections → headline questions → key questions; each key question says
where to gather evidence (documents, interviews with named posts, focus groups, observation, service-user
opinion). An **assessment** of one organisation copies the toolkit's questions when it starts, so editing
the toolkit never changes an assessment in progress or done; its team gathers **evidence records**
against the key questions (the evidence proforma) and reaches a green / amber / red **judgement** on each.
"""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.core.db import str_enum, utcnow
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme

#: The longest reference ("A1 1.1"), title, question and short texts people may give (the hints say so).
REF_LENGTH, TITLE_LENGTH, QUESTION_LENGTH, SOURCE_LENGTH = 20, 300, 1_000, 300


class EvidenceKind(enum.StrEnum):
    """Where to gather evidence (seed 004, "Where to gather evidence" and the evidence schedules)."""

    DOCUMENTS = "documents"
    INTERVIEWS = "interviews"
    FOCUS_GROUPS = "focus_groups"
    OBSERVATION = "observation"
    USER_OPINION = "user_opinion"

    @property
    def label(self) -> str:
        return str(self.lazy_label)

    @property
    def hint(self) -> str:
        return str(self.lazy_hint)

    @property
    def lazy_label(self):
        """The label, translated only when shown: for a form field defined at import time."""
        return {"documents": _l("Documents"), "interviews": _l("Interviews"),
                "focus_groups": _l("Focus groups"), "observation": _l("Observation"),
                "user_opinion": _l("Service-user opinion")}[self.value]

    @property
    def lazy_hint(self):
        """The hint, translated only when shown."""
        return {"documents": _l("Which documents to examine"),
                "interviews": _l("Interviews with which posts, for example the Housing Benefit key officer"),
                "focus_groups": _l("Focus groups of whom, for example front line staff"),
                "observation": _l("What to observe, and where"),
                "user_opinion": _l("Whose opinion, and how it is gathered")}[self.value]


class Judgement(enum.StrEnum):
    """The traffic light of a key question, with the seed's definitions ("Step 9: Reach a judgement")."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def colour(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        return str({"green": _l("Green"), "amber": _l("Amber"), "red": _l("Red")}[self.value])

    @property
    def definition(self) -> str:
        return str({
            "green": _l("The evidence in relation to this key question is largely positive, with minor areas for "
                        "improvement only"),
            "amber": _l("The evidence in relation to this key question paints a mixed picture, with some areas of "
                        "positive performance, but also some major areas for improvement"),
            "red": _l("The evidence in relation to this key question is largely negative, with significant areas "
                      "for improvement and no major areas of strength"),
        }[self.value])


class SourcesMixin:
    #: Where to gather evidence: ``{kind: what exactly}`` for the kinds that apply.
    sources: Mapped[dict] = mapped_column(JSON, default=dict)

    def source_list(self) -> list[tuple[EvidenceKind, str]]:
        """The kinds that apply, in the kinds' order, with their text."""
        given = self.sources or {}
        return [(kind, given[kind.value]) for kind in EvidenceKind if (given.get(kind.value) or "").strip()]


class Toolkit(db.Model):
    """A programme's toolkit of questions (the housing advice and homelessness toolkit, for example)."""

    __tablename__ = "assessment_toolkit"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()
    sections: Mapped[list["ToolkitSection"]] = relationship(
        back_populates="toolkit", cascade="all, delete-orphan", order_by="ToolkitSection.position")


class ToolkitSection(db.Model):
    """"A1 User focus": a heading of the toolkit."""

    __tablename__ = "assessment_toolkit_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    toolkit_id: Mapped[int] = mapped_column(ForeignKey("assessment_toolkit.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(REF_LENGTH), default="")
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    position: Mapped[int] = mapped_column(default=0)

    toolkit: Mapped[Toolkit] = relationship(back_populates="sections")
    headlines: Mapped[list["ToolkitHeadline"]] = relationship(
        back_populates="section", cascade="all, delete-orphan", order_by="ToolkitHeadline.position")


class ToolkitHeadline(db.Model):
    """"A1.1 Are our services accessible for users?": a headline question of a section."""

    __tablename__ = "assessment_toolkit_headline"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("assessment_toolkit_section.id", ondelete="CASCADE"),
                                            index=True)
    ref: Mapped[str] = mapped_column(String(REF_LENGTH), default="")
    text: Mapped[str] = mapped_column(String(QUESTION_LENGTH))
    position: Mapped[int] = mapped_column(default=0)

    section: Mapped[ToolkitSection] = relationship(back_populates="headlines")
    questions: Mapped[list["ToolkitQuestion"]] = relationship(
        back_populates="headline", cascade="all, delete-orphan", order_by="ToolkitQuestion.position")


class ToolkitQuestion(SourcesMixin, db.Model):
    """A key question: what to look for, and where to gather evidence."""

    __tablename__ = "assessment_toolkit_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    headline_id: Mapped[int] = mapped_column(ForeignKey("assessment_toolkit_headline.id", ondelete="CASCADE"),
                                             index=True)
    ref: Mapped[str] = mapped_column(String(REF_LENGTH), default="")
    text: Mapped[str] = mapped_column(String(QUESTION_LENGTH))
    #: "What to look for" (Markdown).
    look_for: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)

    headline: Mapped[ToolkitHeadline] = relationship(back_populates="questions")


assessment_member = Table(
    "assessment_member", db.metadata,
    Column("assessment_id", ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Assessment(db.Model):
    """A self-assessment of one organisation against a toolkit, with its own copy of the questions."""

    __tablename__ = "assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    #: The toolkit it was copied from (kept to find the previous assessment; the questions are its own).
    toolkit_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_toolkit.id", ondelete="SET NULL"),
                                                   index=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    #: The person who organises the evidence gathering and draws it together (seed 004, step 1).
    coordinator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    starts_on: Mapped[date | None] = mapped_column()
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    programme: Mapped[Programme] = relationship()
    organisation: Mapped[Organisation] = relationship()
    toolkit: Mapped[Toolkit | None] = relationship()
    coordinator: Mapped[User | None] = relationship()
    team: Mapped[list[User]] = relationship(secondary=assessment_member, order_by=User.name)
    sections: Mapped[list["AssessmentSection"]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", order_by="AssessmentSection.position")


class AssessmentSection(db.Model):
    __tablename__ = "assessment_section"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(REF_LENGTH), default="")
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    position: Mapped[int] = mapped_column(default=0)

    assessment: Mapped[Assessment] = relationship(back_populates="sections")
    headlines: Mapped[list["AssessmentHeadline"]] = relationship(
        back_populates="section", cascade="all, delete-orphan", order_by="AssessmentHeadline.position")


class AssessmentHeadline(db.Model):
    __tablename__ = "assessment_headline"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("assessment_section.id", ondelete="CASCADE"), index=True)
    ref: Mapped[str] = mapped_column(String(REF_LENGTH), default="")
    text: Mapped[str] = mapped_column(String(QUESTION_LENGTH))
    position: Mapped[int] = mapped_column(default=0)

    section: Mapped[AssessmentSection] = relationship(back_populates="headlines")
    questions: Mapped[list["AssessmentQuestion"]] = relationship(
        back_populates="headline", cascade="all, delete-orphan", order_by="AssessmentQuestion.position")


class AssessmentQuestion(SourcesMixin, db.Model):
    """A key question as copied into the assessment, with its judgement."""

    __tablename__ = "assessment_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    headline_id: Mapped[int] = mapped_column(ForeignKey("assessment_headline.id", ondelete="CASCADE"), index=True)
    #: The toolkit's question it was copied from: a re-assessment pairs its judgements with the earlier ones.
    toolkit_question_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment_toolkit_question.id", ondelete="SET NULL"))
    ref: Mapped[str] = mapped_column(String(REF_LENGTH), default="")
    text: Mapped[str] = mapped_column(String(QUESTION_LENGTH))
    look_for: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    judgement: Mapped[Judgement | None] = mapped_column(str_enum(Judgement))
    reason: Mapped[str] = mapped_column(Text, default="")
    strengths: Mapped[str] = mapped_column(Text, default="")
    improvements: Mapped[str] = mapped_column(Text, default="")
    judged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    judged_dt: Mapped[datetime | None] = mapped_column()

    assessment: Mapped[Assessment] = relationship()
    headline: Mapped[AssessmentHeadline] = relationship(back_populates="questions")
    judged_by: Mapped[User | None] = relationship()
    evidence: Mapped[list["EvidenceRecord"]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="EvidenceRecord.id")


class EvidenceTask(db.Model):
    """A line of the evidence schedule: a task allocated to a team member, due on a day."""

    __tablename__ = "assessment_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind))
    #: "Interview the Housing Benefit key officer", "Examine the decision letters".
    description: Mapped[str] = mapped_column(String(SOURCE_LENGTH))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_question.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    due_on: Mapped[date | None] = mapped_column()
    is_done: Mapped[bool] = mapped_column(default=False)

    assessment: Mapped[Assessment] = relationship()
    question: Mapped[AssessmentQuestion | None] = relationship()
    assignee: Mapped[User | None] = relationship()


class EvidenceRecord(db.Model):
    """An evidence proforma's entry against one key question: the source, what was found, the evidence in full."""

    __tablename__ = "assessment_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("assessment_question.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(str_enum(EvidenceKind))
    #: "Interview with Jane Jones, Housing Options Manager".
    source: Mapped[str] = mapped_column(String(SOURCE_LENGTH))
    #: What was found, in a line or two.
    found: Mapped[str] = mapped_column(Text)
    #: The evidence in full (Markdown).
    evidence: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    question: Mapped[AssessmentQuestion] = relationship(back_populates="evidence")
    author: Mapped[User | None] = relationship()


class AssessmentCard(db.Model):
    """An improvement action on the action plan (a quick win or an idea) made from a key question."""

    __tablename__ = "assessment_card"
    __table_args__ = (UniqueConstraint("card_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("assessment_question.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))

    question: Mapped[AssessmentQuestion] = relationship()
