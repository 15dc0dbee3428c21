"""Staff pulse surveys: a survey's questions, its waves, the invitations, and the anonymous responses.

Anonymous by construction: nothing stored links a response to an invitation, an email address or a
token. An invitation records only its address (until the wave closes), its organisation, its wave, the
hash of its one-use token and whether it was sent; that it was used is a row of ``survey_invitation_use``,
whose primary key makes a second use impossible. A response records its wave, its organisation, a random
id (no autoincrement, so no insertion order) and the day it was submitted (no time).
"""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy import text as sql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core import i18n
from tracker.core.db import str_enum, utcnow
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme


class QuestionKind(enum.StrEnum):
    LIKERT = "likert"
    #: 0 (not at all likely) to 10 (extremely likely); optionally scored eNPS-style.
    SCALE = "scale"
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"

    @property
    def label(self) -> str:
        return str({"likert": _l("Agree or disagree (5 points)"), "scale": _l("Scale from 0 to 10"),
                    "single": _l("One choice"), "multiple": _l("Several choices"),
                    "text": _l("Free text")}[self.value])


#: The Likert scale's five points, stored as 1–5.
LIKERT_POINTS = {1: _l("Strongly disagree"), 2: _l("Disagree"), 3: _l("Neither agree nor disagree"),
                 4: _l("Agree"), 5: _l("Strongly agree")}


def _in_welsh() -> bool:
    return i18n.current() == "cy"


class SurveyWords:
    """A survey's own words in the page's language: the Welsh where the survey has it and the page is in
    Welsh, else the English (for the model and for the respondents' plain values alike). Its class has
    ``title``, ``introduction``, ``privacy_note`` and their ``_cy`` twins."""

    @property
    def shown_title(self) -> str:
        return (_in_welsh() and self.title_cy) or self.title

    @property
    def shown_introduction(self) -> str:
        return (_in_welsh() and self.introduction_cy) or self.introduction

    @property
    def shown_privacy_note(self) -> str:
        return (_in_welsh() and self.privacy_note_cy) or self.privacy_note


class QuestionWords:
    """A question's own words in the page's language, as :class:`SurveyWords` (the model and the respondents'
    ``Asked`` alike): from ``text``, ``hint``, ``choices`` and their ``_cy`` twins."""

    @property
    def shown_text(self) -> str:
        return (_in_welsh() and self.text_cy) or self.text

    @property
    def shown_hint(self) -> str:
        return (_in_welsh() and self.hint_cy) or self.hint

    @property
    def shown_choices(self) -> list[str]:
        """The options in order: each one's Welsh where it has one and the page is in Welsh, else its English."""
        choices = list(self.choices or [])
        if not _in_welsh():
            return choices
        welsh = list(self.choices_cy or [])
        return [(welsh[index] if index < len(welsh) else "") or english for index, english in enumerate(choices)]


class Survey(SurveyWords, db.Model):
    """A programme's staff survey, run in waves (one each survey interval from the programme's start)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Shown on the survey's first page (Markdown).
    introduction: Mapped[str] = mapped_column(Text, default="")
    #: What is and is not stored, shown to respondents before the first question (Markdown).
    privacy_note: Mapped[str] = mapped_column(Text, default="")
    #: The same three in Welsh (optional; respondents reading in Welsh see the English where one is blank).
    title_cy: Mapped[str] = mapped_column(String(200), default="", server_default="")
    introduction_cy: Mapped[str] = mapped_column(Text, default="", server_default="")
    privacy_note_cy: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: How many days a new wave stays open (a facilitator can move each wave's dates).
    open_days: Mapped[int] = mapped_column(default=14)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    #: Bumped by any change to its questions, in the same transaction (``tracker.surveys.question_versions``).
    questions_version: Mapped[int] = mapped_column(default=0, server_default="0")

    programme: Mapped[Programme] = relationship()
    questions: Mapped[list["Question"]] = relationship(back_populates="survey", order_by="Question.position",
                                                       cascade="all, delete-orphan")
    waves: Mapped[list["Wave"]] = relationship(back_populates="survey", order_by="Wave.number",
                                               cascade="all, delete-orphan")


class Question(QuestionWords, db.Model):
    """A question of a survey. One that already has answers is retired, never deleted, so that earlier
    waves keep their results."""

    __tablename__ = "survey_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    #: Order in the survey, 0, 1, 2 …
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[QuestionKind] = mapped_column(str_enum(QuestionKind))
    text: Mapped[str] = mapped_column(String(500))
    hint: Mapped[str] = mapped_column(String(500), default="")
    required: Mapped[bool] = mapped_column(default=True)
    #: The options of a single or multiple choice question, in order; answers store their index.
    choices: Mapped[list] = mapped_column(JSON, default=list)
    #: The question's words in Welsh (optional): shown to respondents reading in Welsh. The options in Welsh
    #: are in the same order as ``choices`` (answers store the index, so both languages' answers count as one).
    text_cy: Mapped[str] = mapped_column(String(500), default="", server_default="")
    hint_cy: Mapped[str] = mapped_column(String(500), default="", server_default="")
    choices_cy: Mapped[list] = mapped_column(JSON, default=list, server_default=sql("'[]'"))
    #: For a 0–10 question: also score it eNPS-style (% 9–10 minus % 0–6).
    nps: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Set when the question is removed after it had answers.
    retired_dt: Mapped[datetime | None]
    #: The results tracker's indicator this question can feed, and the answer values that count as
    #: "yes" (e.g. Likert 4 and 5: "% of staff who agree").
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id", ondelete="SET NULL"))
    indicator_values: Mapped[list] = mapped_column(JSON, default=list)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    survey: Mapped[Survey] = relationship(back_populates="questions")


class Wave(db.Model):
    """One run of a survey, open from ``opens_on`` to ``closes_on`` (both included, UK dates). Its state
    (scheduled, open, closed) is derived from the dates, never stored."""

    __tablename__ = "survey_wave"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    #: Wave 1, 2 … in the order of the survey intervals.
    number: Mapped[int]
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    #: When the invitations' email addresses were deleted, after the wave closed (the counts stay).
    addresses_deleted_dt: Mapped[datetime | None]

    survey: Mapped[Survey] = relationship(back_populates="waves")


class WaveOrganisation(db.Model):
    """How one organisation takes part in a wave: by one-use invitations (the default) or by a shared
    link, whose token is stored hashed like every secret."""

    __tablename__ = "survey_wave_organisation"
    __table_args__ = (UniqueConstraint("wave_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    #: Set when the organisation uses a shared link: its results then say responses are not limited to
    #: one per person.
    shared_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: A facilitator held the organisation back: its invitations are not sent automatically.
    held_back: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    wave: Mapped[Wave] = relationship()
    organisation: Mapped[Organisation] = relationship()


class Invitation(db.Model):
    """One staff member's one-use link to a wave. Nothing here, or anywhere, says which response is theirs."""

    __tablename__ = "survey_invitation"
    #: One link per address and organisation: whether another organisation invited an address is never
    #: asked, so nobody learns who is on another council's list.
    __table_args__ = (UniqueConstraint("wave_id", "organisation_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    #: Deleted (set to null) when the wave closes.
    email: Mapped[str | None] = mapped_column(String(320))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The invitation email was written to the outbox.
    sent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class InvitationUse(db.Model):
    """That an invitation was used: its primary key is the invitation, so a link answers once, whatever
    the number of submissions at the same moment. It holds nothing else: no time, no response."""

    __tablename__ = "survey_invitation_use"

    invitation_id: Mapped[int] = mapped_column(ForeignKey("survey_invitation.id", ondelete="CASCADE"),
                                               primary_key=True, autoincrement=False)


class Response(db.Model):
    """One anonymous response: its wave, its organisation, a random id and the day only.

    On SQLite the response and answer tables are ``WITHOUT ROWID``: kept in the order of their random keys,
    with no hidden row id that would count the rows in the order they were written (whatever wrote them).
    A submission also writes fewer pages so (its answers sit together under their response's key)."""

    __tablename__ = "survey_response"
    __table_args__ = {"sqlite_with_rowid": False}

    #: 32 random hex characters (``uuid4``): no autoincrement, so the ids say nothing about order.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    submitted_on: Mapped[date]

    answers: Mapped[list["Answer"]] = relationship(cascade="all, delete-orphan")


class Answer(db.Model):
    """One answer of a response: ``value`` is the Likert point (1–5), the 0–10 score or the chosen option's
    index; a multiple choice question has one row per option chosen (``item`` = the index); free text is in
    ``text``."""

    __tablename__ = "survey_answer"
    __table_args__ = {"sqlite_with_rowid": False}  # see Response

    response_id: Mapped[str] = mapped_column(ForeignKey("survey_response.id", ondelete="CASCADE"),
                                             primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_question.id", ondelete="CASCADE"),
                                             primary_key=True, autoincrement=False, index=True)
    item: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, default=0)
    value: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
