"""Cards on the roadmap, the design opportunities they sit under, and everything a card carries."""

import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.core.db import str_enum, utcnow
from tracker.extensions import db
from tracker.programmes.models import Initiative, Organisation


class RoadmapColumn(enum.StrEnum):
    """The roadmap's columns, in board order."""

    BACKLOG = "backlog"
    CONCEPT = "concept"
    PROTOTYPING = "prototyping"
    ON_HOLD = "on_hold"
    COMPLETED = "completed"

    @property
    def label(self) -> str:
        return str(COLUMN_LABELS[self])


COLUMN_LABELS = {
    RoadmapColumn.BACKLOG: _l("Backlog (not started)"),
    RoadmapColumn.CONCEPT: _l("Concept development"),
    RoadmapColumn.PROTOTYPING: _l("Prototyping"),
    RoadmapColumn.ON_HOLD: _l("On hold"),
    RoadmapColumn.COMPLETED: _l("Completed"),
}


class Priority(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        return str({"low": _l("Low"), "medium": _l("Medium"), "high": _l("High")}[self.value])


class Kind(enum.StrEnum):
    """What a card is. Quick wins sit in their own lane; the rest under a design opportunity."""

    QUICK_WIN = "quick_win"
    IDEA = "idea"
    CONCEPT = "concept"
    PROTOTYPE = "prototype"

    @property
    def label(self) -> str:
        return str({"quick_win": _l("Quick win"), "idea": _l("Idea"), "concept": _l("Concept"),
                    "prototype": _l("Prototype")}[self.value])


opportunity_initiative = Table(
    "opportunity_initiative", db.metadata,
    Column("opportunity_id", ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True),
    Column("initiative_id", ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True),
)
card_initiative = Table(
    "card_initiative", db.metadata,
    Column("card_id", ForeignKey("card.id", ondelete="CASCADE"), primary_key=True),
    Column("initiative_id", ForeignKey("initiative.id", ondelete="CASCADE"), primary_key=True),
)
card_owner = Table(
    "card_owner", db.metadata,
    Column("card_id", ForeignKey("card.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True),
)
#: Related cards; each link is stored in both directions so either card lists the other.
card_link = Table(
    "card_link", db.metadata,
    Column("card_id", ForeignKey("card.id", ondelete="CASCADE"), primary_key=True),
    Column("other_id", ForeignKey("card.id", ondelete="CASCADE"), primary_key=True),
)


class Opportunity(db.Model):
    """A design opportunity ("How might we …?"): a swimlane on the roadmap, numbered 1, 2 …"""

    __table_args__ = (UniqueConstraint("organisation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    #: "How does this change support the objectives?"
    rationale: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[Priority] = mapped_column(str_enum(Priority), default=Priority.MEDIUM)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    is_in_progress: Mapped[bool] = mapped_column(default=False)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the opportunity is archived: its lane leaves the board and the plans until restored.
    archived_dt: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    assignee: Mapped[User | None] = relationship()
    initiatives: Mapped[list[Initiative]] = relationship(secondary=opportunity_initiative,
                                                         order_by=Initiative.name)
    cards: Mapped[list["Card"]] = relationship(back_populates="opportunity", order_by="Card.number")


class Card(db.Model):
    """A quick win, idea, concept or prototype on the roadmap board.

    ``position`` orders cards within one (lane, column) cell; a move rewrites it in one transaction.
    ``version`` guards against silent overwrites: every change to the card bumps it, and a change
    made from an older version is refused.
    """

    __table_args__ = (
        UniqueConstraint("organisation_id", "opportunity_id", "number"),
        Index("ix_card_cell", "organisation_id", "opportunity_id", "column", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    #: The design opportunity (swimlane); ``None`` for the quick-wins lane.
    opportunity_id: Mapped[int | None] = mapped_column(ForeignKey("opportunity.id", ondelete="CASCADE"))
    kind: Mapped[Kind] = mapped_column(str_enum(Kind))
    #: Quick wins 1, 2 …; ideas under opportunity 1 are 1, 2 … shown as 1.1, 1.2 …
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    #: "How does this change support the objectives?"
    rationale: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[Priority] = mapped_column(str_enum(Priority), default=Priority.MEDIUM)
    column: Mapped[RoadmapColumn] = mapped_column(str_enum(RoadmapColumn), default=RoadmapColumn.BACKLOG)
    position: Mapped[int] = mapped_column(default=0)
    #: Set when the card reaches Completed; cleared when it leaves.
    completed_on: Mapped[date | None]
    #: Owned by the whole project team (the seed's owner "Team"), besides any named owners.
    team_owned: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Set when the card is archived: it leaves the board (and holds no position) until restored.
    archived_dt: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation] = relationship()
    opportunity: Mapped[Opportunity | None] = relationship(back_populates="cards")
    owners: Mapped[list[User]] = relationship(secondary=card_owner, order_by=User.name)
    initiatives: Mapped[list[Initiative]] = relationship(secondary=card_initiative, order_by=Initiative.name)
    related: Mapped[list["Card"]] = relationship(
        secondary=card_link, primaryjoin="Card.id == card_link.c.card_id",
        secondaryjoin="Card.id == card_link.c.other_id", order_by="Card.id")
    actions: Mapped[list["Action"]] = relationship(back_populates="card", cascade="all, delete-orphan",
                                                   order_by="Action.id")
    updates: Mapped[list["ProgressUpdate"]] = relationship(
        back_populates="card", cascade="all, delete-orphan",
        order_by="(ProgressUpdate.on.desc(), ProgressUpdate.id.desc())")
    events: Mapped[list["CardEvent"]] = relationship(back_populates="card", cascade="all, delete-orphan",
                                                     order_by="CardEvent.id.desc()")
    concept_sheet: Mapped["ConceptSheet | None"] = relationship(cascade="all, delete-orphan")
    prototype_plan: Mapped["PrototypePlan | None"] = relationship(cascade="all, delete-orphan")

    @property
    def code(self) -> str:
        """The number people use: ``3`` for a quick win, ``1.2`` for an idea under opportunity 1."""
        if self.opportunity is None:
            return str(self.number)
        return f"{self.opportunity.number}.{self.number}"


class Action(db.Model):
    """Something to do for a card: text, owner, due date, done."""

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    due_on: Mapped[date | None]
    is_done: Mapped[bool] = mapped_column(default=False)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    archived_dt: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    card: Mapped[Card] = relationship(back_populates="actions")
    owner: Mapped[User | None] = relationship()

    def is_overdue(self, today: date) -> bool:
        return not self.is_done and self.due_on is not None and self.due_on < today


class ProgressUpdate(db.Model):
    """A dated progress note (Markdown)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), index=True)
    on: Mapped[date]
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    archived_dt: Mapped[datetime | None]

    card: Mapped[Card] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()


class CardEventKind(enum.StrEnum):
    """What happened to a card. A card's history is stored as data and put into words only when it is shown
    (``tracker.board.history.describe``), so each reader reads it in their own language and the agenda of a
    check-in can ask for moves and completions."""

    CREATED = "created"
    EDITED = "edited"
    #: To another column other than Completed or On hold (those two have kinds of their own).
    MOVED = "moved"
    #: To another place in the same column (from and to are that column; ``position`` counts from 1).
    REORDERED = "reordered"
    COMPLETED = "completed"
    PUT_ON_HOLD = "put_on_hold"
    ARCHIVED = "archived"
    RESTORED = "restored"
    ACTION_ADDED = "action_added"
    ACTION_EDITED = "action_edited"
    ACTION_DONE = "action_done"
    ACTION_REOPENED = "action_reopened"
    ACTION_ARCHIVED = "action_archived"
    ACTION_RESTORED = "action_restored"
    UPDATE_ADDED = "update_added"
    UPDATE_ARCHIVED = "update_archived"
    UPDATE_RESTORED = "update_restored"
    LINKED = "linked"
    UNLINKED = "unlinked"
    SHEET_UPDATED = "sheet_updated"
    PLAN_UPDATED = "plan_updated"
    #: An old sentence the migration to structured events could not read: shown as stored, from ``note``.
    NOTE = "note"


class CardEvent(db.Model):
    """One line of a card's history: who did what, when, as a kind, the columns of a move and a small payload.

    ``payload`` holds what the words need and the agenda may link to: the changed field names
    (``fields``), an action's ``action_id`` and ``text`` (the text before the change, for an edit), a progress
    update's ``update_id`` and day (``on``, ISO), the other card's ``card_id``, ``code`` and ``title`` as they
    were then, a move within a column's ``position``. Archiving records the column the card left
    (``from_column``) and restoring the one it returns to (``to_column``).

    The stored ``summary`` sentence is gone: the migration parses every sentence the app wrote into these
    fields, and keeps a parse only if the words it puts back are the words it read. A row that fails that
    check keeps its text in ``note`` (kind ``note``, shown as stored): rows written by hand or by other tools
    cannot be ruled out, and their text is all they have. New rows never set ``note``. The column is not
    called ``summary`` any more because ``summary`` now means the words in the reader's language.
    """

    __table_args__ = (
        Index("ix_card_event_card_id_at_dt", "card_id", "at_dt"),
        #: "Which cards were completed (or moved from Prototyping to Completed) since 1 March".
        Index("ix_card_event_kind_at_dt", "kind", "at_dt"),
        #: A card's last activity of some kinds (stalled cards) read from the index alone.
        Index("ix_card_event_card_id_kind_at_dt", "card_id", "kind", "at_dt"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at_dt: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[CardEventKind] = mapped_column(str_enum(CardEventKind))
    from_column: Mapped[RoadmapColumn | None] = mapped_column(str_enum(RoadmapColumn))
    to_column: Mapped[RoadmapColumn | None] = mapped_column(str_enum(RoadmapColumn))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The stored sentence of an old row of kind ``note``; ``None`` for every other row.
    note: Mapped[str | None] = mapped_column(Text)

    card: Mapped[Card] = relationship(back_populates="events")
    user: Mapped[User | None] = relationship()

    @property
    def summary(self) -> str:
        """The event in words, in the reader's language."""
        from tracker.board.history import describe

        return describe(self)


class ConceptSheet(db.Model):
    """The concept capture sheet, in the seed's order of questions."""

    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(Text, default="")
    how_it_works: Mapped[str] = mapped_column(Text, default="")
    target_users: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[str] = mapped_column(Text, default="")
    barriers: Mapped[str] = mapped_column(Text, default="")
    success_factors: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")


class PrototypePlan(db.Model):
    """The prototyping plan and its feedback capture grid."""

    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"), primary_key=True)
    concept_tested: Mapped[str] = mapped_column(Text, default="")
    assumptions: Mapped[str] = mapped_column(Text, default="")
    key_questions: Mapped[str] = mapped_column(Text, default="")
    how_to_test: Mapped[str] = mapped_column(Text, default="")
    scenarios_roles: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    #: Feedback capture grid: what worked, what could be improved, questions, ideas.
    feedback_worked: Mapped[str] = mapped_column(Text, default="")
    feedback_improve: Mapped[str] = mapped_column(Text, default="")
    feedback_questions: Mapped[str] = mapped_column(Text, default="")
    feedback_ideas: Mapped[str] = mapped_column(Text, default="")
