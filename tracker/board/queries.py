"""Read models for the board and the printable plans, built in a fixed number of queries.

The board page costs the same number of SQL statements with 10 cards or 1,000: one for the lanes, one
for the cards (with their overdue-action count as a correlated subquery), one for all their owners.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import selectinload

from tracker.accounts.models import User
from tracker.board.models import Action, Card, Kind, Opportunity, Priority, RoadmapColumn, card_owner
from tracker.extensions import db
from tracker.programmes.models import Membership, Organisation, Role
from tracker.results.models import card_indicator


@dataclass
class Filters:
    """The board's filters, from the query string."""

    owner: int | None = None
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
        return cls(owner=int(owner) if owner.isdigit() else None,
                   indicator=int(indicator) if indicator.isdigit() else None,
                   priority=enum_or_none(Priority, args.get("priority")),
                   kind=enum_or_none(Kind, args.get("kind")),
                   overdue=args.get("overdue") in ("1", "y", "on", "true"),
                   q=(args.get("q") or "").strip()[:200])

    @property
    def active(self) -> bool:
        return bool(self.owner or self.priority or self.kind or self.overdue or self.q or self.indicator)

    def as_args(self) -> dict:
        args = {"owner": self.owner, "priority": self.priority and self.priority.value,
                "kind": self.kind and self.kind.value, "overdue": "1" if self.overdue else None,
                "q": self.q or None, "indicator": self.indicator}
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
            .where(Action.card_id == Card.id, Action.is_done.is_(False), Action.due_on < today)
            .correlate(Card).scalar_subquery())


def filter_cards(stmt, org: Organisation, filters: Filters, today: date):
    """Restrict a select over ``Card`` to one organisation's cards matching ``filters``."""
    stmt = stmt.where(Card.organisation_id == org.id)
    if filters.owner:
        stmt = stmt.where(exists().where(card_owner.c.card_id == Card.id, card_owner.c.user_id == filters.owner))
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
    return list(db.session.scalars(select(Opportunity).where(Opportunity.organisation_id == org.id)
                                   .order_by(Opportunity.number)))


def board_lanes(org: Organisation, filters: Filters, today: date, only_lane: int | None | bool = False) -> list[Lane]:
    """The lanes of the board, each with its cards by column, in three queries whatever the card count:
    the lanes, the cards (with their overdue-action count), and all their owners' names.

    ``only_lane`` limits it to one lane (an opportunity id, or ``None`` for quick wins), for the lane
    fragment a move returns.
    """
    opps = opportunities(org)
    cards = filter_cards(select(Card.id, Card.opportunity_id, Card.number, Card.title, Card.kind, Card.priority,
                                Card.column, Card.completed_on, Card.version, overdue_count(today)),
                         org, filters, today).order_by(Card.opportunity_id, Card.column, Card.position)
    if only_lane is not False:
        lane_filter = Card.opportunity_id.is_(None) if only_lane is None else Card.opportunity_id == only_lane
        cards = cards.where(lane_filter)
        opps = [o for o in opps if o.id == only_lane]
    lanes = {None: Lane(None, {c: [] for c in RoadmapColumn})} if only_lane in (False, None) else {}
    for opp in opps:
        lanes[opp.id] = Lane(opp, {c: [] for c in RoadmapColumn})
    numbers = {opp.id: opp.number for opp in opps}
    by_id: dict[int, BoardCard] = {}
    for row in db.session.execute(cards):
        code = f"{numbers[row[1]]}.{row[2]}" if row[1] is not None else str(row[2])
        card = BoardCard(row[0], row[1], code, row[3], row[4], row[5], row[6], row[7], row[8], row[9])
        lanes[row[1]].cells[card.column].append(card)
        by_id[card.id] = card
    if by_id:
        # Owners of the same cards, by a subquery on the organisation rather than a list of 1,000 ids.
        owned = (select(card_owner.c.card_id, User.name).join(User, User.id == card_owner.c.user_id)
                 .join(Card, Card.id == card_owner.c.card_id).where(Card.organisation_id == org.id)
                 .order_by(User.name))
        for card_id, name in db.session.execute(owned):
            if card_id in by_id:
                by_id[card_id].owners.append(name)
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
        select(Card).where(Card.organisation_id == org.id, Card.opportunity_id.is_(None))
        .options(selectinload(Card.owners), selectinload(Card.actions), selectinload(Card.updates),
                 selectinload(Card.related).selectinload(Card.opportunity))
        .order_by(Card.number)))


def opportunities_with_ideas(org: Organisation) -> list[Opportunity]:
    """Design opportunities with their ideas, concepts and prototypes (printable plan)."""
    return list(db.session.scalars(
        select(Opportunity).where(Opportunity.organisation_id == org.id)
        .options(selectinload(Opportunity.assignee), selectinload(Opportunity.initiatives),
                 selectinload(Opportunity.cards).selectinload(Card.concept_sheet),
                 selectinload(Opportunity.cards).selectinload(Card.prototype_plan))
        .order_by(Opportunity.number)))
