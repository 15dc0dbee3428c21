"""A programme, its participating organisations, memberships (roles) and initiatives."""

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.core.db import str_enum, utcnow
from tracker.extensions import db


class Role(enum.StrEnum):
    #: Sees and changes every organisation's plans; sets the programme up.
    FACILITATOR = "facilitator"
    #: Changes only their own organisation's plans.
    TEAM_MEMBER = "team_member"
    #: Reads only (their organisation's, or all when no organisation is given).
    VIEWER = "viewer"


class Programme(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The "How might we …?" aim.
    aim: Mapped[str] = mapped_column(Text, default="")
    #: Markdown list of expected outcomes.
    expected_outcomes: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date]
    evaluation_months: Mapped[int] = mapped_column(default=12)
    checkin_interval_months: Mapped[int] = mapped_column(default=3)
    survey_interval_months: Mapped[int] = mapped_column(default=3)
    #: Reporting periods for indicator figures ("0–3 months since start date", …).
    reporting_interval_months: Mapped[int] = mapped_column(default=3, server_default="3")
    #: A period's figures are due this many days after it ends …
    figures_due_days: Mapped[int] = mapped_column(default=14, server_default="14")
    #: … and are locked (only facilitators may change them) this many days after it ends.
    figures_lock_days: Mapped[int] = mapped_column(default=90, server_default="90")
    #: On track = within ± this percentage of the target (TolaData's default band).
    rag_band_percent: Mapped[int] = mapped_column(default=15, server_default="15")
    #: Staff survey results of a group smaller than this are hidden (never below 3).
    survey_min_group: Mapped[int] = mapped_column(default=5, server_default="5")
    #: A card in Concept development or Prototyping with no move, update or action for longer than this
    #: many weeks is stalled (a check-in's agenda lists it).
    stalled_weeks: Mapped[int] = mapped_column(default=6, server_default="6")
    #: Reminders go to those who have not answered a wave this many days before it closes.
    survey_reminder_days: Mapped[int] = mapped_column(default=3, server_default="3")
    #: Each interval's check-ins are planned, and their teams told, this many days before.
    checkin_notice_days: Mapped[int] = mapped_column(default=28, server_default="28")
    #: A check-in's reminder goes this many days before it.
    checkin_reminder_days: Mapped[int] = mapped_column(default=2, server_default="2")
    #: Bumped with every change the results tracker shows (``tracker.results.versions``).
    results_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    organisations: Mapped[list["Organisation"]] = relationship(
        back_populates="programme", order_by="Organisation.name", cascade="all, delete-orphan")
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="programme", cascade="all, delete-orphan")
    initiatives: Mapped[list["Initiative"]] = relationship(
        back_populates="programme", order_by="Initiative.name", cascade="all, delete-orphan")


class Organisation(db.Model):
    """A participating organisation (a council) in one programme."""

    __table_args__ = (UniqueConstraint("programme_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(200))
    #: The language of its staff surveys: "both" (invitations in Welsh and English, Welsh first; the survey
    #: opens in the browser's language), "cy" or "en" (invitations in that language only, the survey opens in it).
    language: Mapped[str] = mapped_column(String(4), default="both", server_default="both")

    programme: Mapped[Programme] = relationship(back_populates="organisations")


class Membership(db.Model):
    """A person's role in a programme. Team members always have an organisation."""

    __table_args__ = (UniqueConstraint("programme_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))

    programme: Mapped[Programme] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class Initiative(db.Model):
    """A programme-defined tag for "link to project aims / other initiatives" (e.g. "RRTPs")."""

    __table_args__ = (UniqueConstraint("programme_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))

    programme: Mapped[Programme] = relationship(back_populates="initiatives")
