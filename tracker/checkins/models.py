"""Check-ins, the programme's own events (the mid-way staff event) and the people's calendar feeds.

A check-in's status is a fact someone records (it was held, it was cancelled), so it is stored; that one
is overdue (still scheduled after its day) is derived from the UK date, never stored.
"""

import enum
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.core.db import str_enum, utcnow
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme

#: The longest place and video link people may give (the form's hints say so).
PLACE_LENGTH, LINK_LENGTH = 300, 500


class CheckInStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return str({"scheduled": _l("Scheduled"), "held": _l("Held"), "cancelled": _l("Cancelled")}[self.value])


class CheckInRag(enum.StrEnum):
    """The facilitator's overall judgement of a check-in. Not the results tracker's ``Rag``, which is
    progress against a target (on track, ahead, off track, grey); this one is a judgement, with a reason."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def colour(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        return str({"green": _l("Green"), "amber": _l("Amber"), "red": _l("Red")}[self.value])


class EventKind(enum.StrEnum):
    #: The mid-way staff event, at the middle of the evaluation (seed 002, "Evaluation and monitoring").
    MIDWAY = "midway"

    @property
    def label(self) -> str:
        return str({"midway": _l("Mid-way staff event")}[self.value])


class WhenWhere:
    """The day, the optional times (UK time) and where: a place, a video link, or both."""

    on: Mapped[date] = mapped_column()
    start_time: Mapped[time | None] = mapped_column()
    end_time: Mapped[time | None] = mapped_column()
    #: A room and building, an address, or "Microsoft Teams".
    place: Mapped[str] = mapped_column(String(PLACE_LENGTH), default="")
    #: An http(s) link to the video call.
    video_link: Mapped[str] = mapped_column(String(LINK_LENGTH), default="")


class CheckIn(WhenWhere, db.Model):
    """A meeting of a facilitator with one organisation's project team.

    The calendar's own check-ins carry their interval's number (1 for the first interval after the
    programme's start, …), unique per organisation, so that planning them twice makes each once; an
    extra check-in has none.
    """

    __tablename__ = "checkin"
    __table_args__ = (UniqueConstraint("programme_id", "organisation_id", "interval_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    #: A facilitator of the programme (kept if they later lose the role, so the record stays true).
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    #: The check-in interval it belongs to; ``None`` for an extra check-in.
    interval_number: Mapped[int | None] = mapped_column()
    status: Mapped[CheckInStatus] = mapped_column(str_enum(CheckInStatus), default=CheckInStatus.SCHEDULED)
    version: Mapped[int] = mapped_column(default=1)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(default=utcnow)
    #: The meeting record: the overall judgement, why, and the notes (Markdown).
    rag: Mapped[CheckInRag | None] = mapped_column(str_enum(CheckInRag))
    rag_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: When a facilitator marked it held (UTC); the agenda was frozen at that moment.
    held_dt: Mapped[datetime | None] = mapped_column()
    #: The agenda as it stood when the check-in was held (``tracker.checkins.agenda.Agenda`` as JSON); ``None``
    #: until then, when the agenda is built from the data each time the page is opened.
    agenda: Mapped[dict | None] = mapped_column(JSON)

    __mapper_args__ = {"version_id_col": version}

    programme: Mapped[Programme] = relationship()
    organisation: Mapped[Organisation] = relationship()
    facilitator: Mapped[User | None] = relationship()
    attendees: Mapped[list["CheckInAttendee"]] = relationship(
        back_populates="checkin", cascade="all, delete-orphan", order_by="CheckInAttendee.id")

    def is_overdue(self, today: date) -> bool:
        """Its day has passed and nobody has recorded that it was held or cancelled."""
        return self.status == CheckInStatus.SCHEDULED and self.on < today


class CheckInAttendee(db.Model):
    """Someone who came to a check-in: a person of the programme, or a name as typed (a guest)."""

    __tablename__ = "checkin_attendee"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkin.id", ondelete="CASCADE"), index=True)
    #: ``None`` for a free-text name (or a person whose account was later removed: the name stays).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: The name as shown: the person's name when they came, or the name typed.
    name: Mapped[str] = mapped_column(String(200), default="")

    checkin: Mapped[CheckIn] = relationship(back_populates="attendees")
    user: Mapped[User | None] = relationship()


class CheckInArising(db.Model):
    """An action arising from a check-in: the action it became, on its card, and whether that card was made
    for it (a new quick win). Kept apart from the board's tables so the board knows nothing of check-ins."""

    __tablename__ = "checkin_arising"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkin.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), unique=True)
    #: The card is a quick win made at the check-in for this action.
    is_new_card: Mapped[bool] = mapped_column(default=False)

    checkin: Mapped[CheckIn] = relationship()


class ProgrammeEvent(WhenWhere, db.Model):
    """An event of the whole programme; one of each kind, made by the calendar and moved by facilitators."""

    __tablename__ = "programme_event"
    __table_args__ = (UniqueConstraint("programme_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"))
    kind: Mapped[EventKind] = mapped_column(str_enum(EventKind))
    #: A facilitator's own title; empty shows the kind's name in the reader's language.
    title: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[int] = mapped_column(default=1)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    programme: Mapped[Programme] = relationship()

    @property
    def display_title(self) -> str:
        return self.title or self.kind.label


class CalendarFeed(db.Model):
    """A person's secret calendar address for one programme: only the token's hash is kept. Resetting it
    replaces the hash, so the old address stops working at once."""

    __tablename__ = "calendar_feed"
    __table_args__ = (UniqueConstraint("user_id", "programme_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    programme: Mapped[Programme] = relationship()


class AgendaVersion(db.Model):
    """A stamp on everything an organisation's check-in agenda shows beyond the results tracker, bumped in the
    same transaction as any change to it (``tracker.checkins.versions``). A row of its own, not a column of the
    organisation: the board locks the organisation's row for its quick-wins lane, and the bump, taken last,
    must never wait behind a lock whose holder may wait for the bumper."""

    __tablename__ = "agenda_version"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"),
                                                 primary_key=True)
    #: A random number, new at every change.
    version: Mapped[int] = mapped_column(BigInteger)
