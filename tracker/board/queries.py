"""Read models for the board and the printable plans, built in a fixed number of queries.

The board page costs the same number of SQL statements with 10 cards or 1,000: one for the lanes, one
for the cards (with their overdue-action count as a correlated subquery), one for all their owners and
linked initiatives.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext
from sqlalchemy import exists, func, literal, or_, select, union_all
from sqlalchemy.orm import selectinload

from tracker.accounts.models import User
from tracker.board.models import (
    Action,
    Card,
    Kind,
    Opportunity,
    Priority,
    ProgressUpdate,
    RoadmapColumn,
    card_initiative,
    card_owner,
)
from tracker.core.numbers import parse_id
from tracker.extensions import db
from tracker.programmes.models import Initiative, Membership, Organisation, Role
from tracker.results.models import card_indicator

#: The "owner" value that stands for the whole project team (``Card.team_owned``), in forms and filters.
TEAM_OWNER = "team"


@dataclass
class Filters:
    """The board's filters, from the query string."""

    owner: int | None = None
    #: Only cards the whole project team owns (``owner=team`` in the query string).
    team: bool = False
    priority: Priority | None = None
    kind: Kind | None = None
    overdue: bool = False
    q: str = ""
    #: Only cards linked to this indicator (results tracker).
    indicator: int | None = None

    @classmethod
    def from_args(cls, args) -> "Filters":
        def enum_or_none(enum_cls, value):
            try:
                return enum_cls(value) if value else None
            except ValueError:
                return None

        owner, indicator = args.get("owner", ""), args.get("indicator", "")
        return cls(owner=parse_id(owner), team=owner == TEAM_OWNER,
                   indicator=parse_id(indicator),
                   priority=enum_or_none(Priority, args.get("priority")),
                   kind=enum_or_none(Kind, args.get("kind")),
                   overdue=args.get("overdue") in ("1", "y", "on", "true"),
                   q=(args.get("q") or "").strip()[:200])

    @property
    def active(self) -> bool:
        return bool(self.owner or self.team or self.priority or self.kind or self.overdue or self.q
                    or self.indicator)

    def as_args(self) -> dict:
        args = {"owner": TEAM_OWNER if self.team else self.owner,
                "priority": self.priority and self.priority.value, "kind": self.kind and self.kind.value,
                "overdue": "1" if self.overdue else None, "q": self.q or None, "indicator": self.indicator}
        return {k: v for k, v in args.items() if v}


@dataclass(slots=True)
class BoardCard:
    """What the board shows of a card: plain values read in one query, not ORM objects (1,000 of them
    would cost more to load than to render)."""

    id: int
    opportunity_id: int | None
    code: str
    title: str
    kind: Kind
    priority: Priority
    column: RoadmapColumn
    completed_on: date | None
    version: int
    overdue: int
    owners: list[str] = field(default_factory=list)
    #: Names of the project aims or other initiatives it is linked to (the roadmap's "Linked to" notes).
    initiatives: list[str] = field(default_factory=list)


@dataclass
class Lane:
    """One swimlane: a design opportunity, or the quick-wins lane (``opportunity`` is ``None``)."""

    opportunity: Opportunity | None
    cells: dict[RoadmapColumn, list[BoardCard]] = field(default_factory=dict)

    @property
    def dom_id(self) -> str:
        return f"lane-{self.opportunity.id}" if self.opportunity else "lane-quick-wins"

    @property
    def count(self) -> int:
        return sum(len(cards) for cards in self.cells.values())


def overdue_count(today: date):
    """Correlated subquery: the card's actions that are past due and not done."""
    return (select(func.count(Action.id))
            .where(Action.card_id == Card.id, Action.is_done.is_(False), Action.due_on < today,
                   Action.archived_dt.is_(None))
            .correlate(Card).scalar_subquery())


def on_board(stmt):
    """Restrict a select over ``Card`` to the cards on the board: neither the card nor its design opportunity
    archived. Everywhere work is shown or counted goes through here, so archived work never reappears."""
    return (stmt.outerjoin(Opportunity, Opportunity.id == Card.opportunity_id)
            .where(Card.archived_dt.is_(None), Opportunity.archived_dt.is_(None)))


def filter_cards(stmt, org: Organisation, filters: Filters, today: date):
    """Restrict a select over ``Card`` to one organisation's cards on the board matching ``filters``."""
    stmt = on_board(stmt).where(Card.organisation_id == org.id)
    if filters.owner:
        stmt = stmt.where(exists().where(card_owner.c.card_id == Card.id, card_owner.c.user_id == filters.owner))
    if filters.team:
        stmt = stmt.where(Card.team_owned.is_(True))
    if filters.indicator:
        stmt = stmt.where(exists().where(card_indicator.c.card_id == Card.id,
                                         card_indicator.c.indicator_id == filters.indicator))
    if filters.priority:
        stmt = stmt.where(Card.priority == filters.priority)
    if filters.kind:
        stmt = stmt.where(Card.kind == filters.kind)
    if filters.overdue:
        stmt = stmt.where(overdue_count(today) > 0)
    if filters.q:
        escaped = filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(or_(Card.title.ilike(pattern, escape="\\"), Card.description.ilike(pattern, escape="\\"),
                              Card.rationale.ilike(pattern, escape="\\")))
    return stmt


def opportunities(org: Organisation) -> list[Opportunity]:
    """The organisation's design opportunities that are not archived: the board's lanes."""
    return list(db.session.scalars(select(Opportunity).where(Opportunity.organisation_id == org.id,
                                                             Opportunity.archived_dt.is_(None))
                                   .order_by(Opportunity.number)))


def archived(org: Organisation) -> tuple[list[Card], list[Opportunity]]:
    """The organisation's archived cards and design opportunities, most recently archived first."""
    cards = db.session.scalars(select(Card).where(Card.organisation_id == org.id, Card.archived_dt.is_not(None))
                               .options(selectinload(Card.opportunity)).order_by(Card.archived_dt.desc()))
    opps = db.session.scalars(select(Opportunity).where(Opportunity.organisation_id == org.id,
                                                        Opportunity.archived_dt.is_not(None))
                              .order_by(Opportunity.archived_dt.desc()))
    return list(cards), list(opps)


def board_lanes(org: Organisation, filters: Filters, today: date, only_lane: int | None | bool = False) -> list[Lane]:
    """The lanes of the board, each with its cards by column, in three queries whatever the card count:
    the lanes, the cards (with their overdue-action count), and all their owners' and initiatives' names.

    ``only_lane`` limits it to one lane (an opportunity id, or ``None`` for quick wins), for the lane
    fragment a move returns.
    """
    opps = opportunities(org)
    cards = filter_cards(select(Card.id, Card.opportunity_id, Card.number, Card.title, Card.kind, Card.priority,
                                Card.column, Card.completed_on, Card.version, overdue_count(today), Card.team_owned),
                         org, filters, today).order_by(Card.opportunity_id, Card.column, Card.position)
    if only_lane is not False:
        lane_filter = Card.opportunity_id.is_(None) if only_lane is None else Card.opportunity_id == only_lane
        cards = cards.where(lane_filter)
        opps = [o for o in opps if o.id == only_lane]
    lanes = {None: Lane(None, {c: [] for c in RoadmapColumn})} if only_lane in (False, None) else {}
    for opp in opps:
        lanes[opp.id] = Lane(opp, {c: [] for c in RoadmapColumn})
    numbers = {opp.id: opp.number for opp in opps}
    team = gettext("The project team")
    by_id: dict[int, BoardCard] = {}
    for row in db.session.execute(cards):
        code = f"{numbers[row[1]]}.{row[2]}" if row[1] is not None else str(row[2])
        card = BoardCard(row[0], row[1], code, row[3], row[4], row[5], row[6], row[7], row[8], row[9],
                         [team] if row[10] else [])
        lanes[row[1]].cells[card.column].append(card)
        by_id[card.id] = card
    if by_id:
        # Owners and linked initiatives of the same cards in one statement, by a subquery on the organisation
        # rather than a list of 1,000 ids; each in name order.
        owned = (select(card_owner.c.card_id.label("card_id"), literal(0).label("what"), User.name.label("name"))
                 .join(User, User.id == card_owner.c.user_id)
                 .join(Card, Card.id == card_owner.c.card_id)
                 .where(Card.organisation_id == org.id, Card.archived_dt.is_(None)))
        linked = (select(card_initiative.c.card_id, literal(1), Initiative.name)
                  .join(Initiative, Initiative.id == card_initiative.c.initiative_id)
                  .join(Card, Card.id == card_initiative.c.card_id)
                  .where(Card.organisation_id == org.id, Card.archived_dt.is_(None)))
        for card_id, what, name in db.session.execute(union_all(owned, linked).order_by("what", "name")):
            if card_id in by_id:
                (by_id[card_id].initiatives if what else by_id[card_id].owners).append(name)
    return list(lanes.values())


def owner_choices(org: Organisation) -> list[User]:
    """People who can own this organisation's work: its team members and the facilitators."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.programme_id == org.programme_id,
               or_(Membership.role == Role.FACILITATOR,
                   (Membership.role == Role.TEAM_MEMBER) & (Membership.organisation_id == org.id)))
        .order_by(User.name)))


def quick_wins(org: Organisation) -> list[Card]:
    """The quick wins log, with owners and actions (printable plan)."""
    return list(db.session.scalars(
        select(Card).where(Card.organisation_id == org.id, Card.opportunity_id.is_(None), Card.archived_dt.is_(None))
        .options(selectinload(Card.owners), selectinload(Card.actions.and_(Action.archived_dt.is_(None))),
                 selectinload(Card.updates.and_(ProgressUpdate.archived_dt.is_(None))),
                 selectinload(Card.related.and_(Card.archived_dt.is_(None))).selectinload(Card.opportunity))
        .order_by(Card.number)))


def opportunities_with_ideas(org: Organisation) -> list[Opportunity]:
    """Design opportunities with their ideas, concepts and prototypes (printable plan)."""
    return list(db.session.scalars(
        select(Opportunity).where(Opportunity.organisation_id == org.id, Opportunity.archived_dt.is_(None))
        .options(selectinload(Opportunity.assignee), selectinload(Opportunity.initiatives),
                 selectinload(Opportunity.cards.and_(Card.archived_dt.is_(None))).selectinload(Card.concept_sheet),
                 selectinload(Opportunity.cards.and_(Card.archived_dt.is_(None))).selectinload(Card.prototype_plan))
        .order_by(Opportunity.number)))
