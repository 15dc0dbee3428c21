"""Stalled cards: work in Concept development or Prototyping that nobody has touched for weeks.

"Touched" is a move (or the card's creation or restoring), a progress update, or an action added or done,
as the card's history records them; edits to the wording or the sheets do not count, because they do not
show the work going on.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, func, select

from tracker.board.models import Card, CardEvent, CardEventKind, Opportunity, RoadmapColumn
from tracker.core.clock import UK
from tracker.extensions import db

#: The columns in which a card can stall (Backlog is not started, On hold is stopped on purpose).
STALLING_COLUMNS = (RoadmapColumn.CONCEPT, RoadmapColumn.PROTOTYPING)

#: What shows that work goes on.
ACTIVITY = (CardEventKind.CREATED, CardEventKind.MOVED, CardEventKind.COMPLETED, CardEventKind.PUT_ON_HOLD,
            CardEventKind.RESTORED, CardEventKind.UPDATE_ADDED, CardEventKind.ACTION_ADDED,
            CardEventKind.ACTION_DONE)


@dataclass(frozen=True)
class StalledCard:
    organisation_id: int
    card_id: int
    code: str
    title: str
    column: str
    #: The last move, update or action (UTC), or when the card was made.
    last_activity_dt: datetime


def start_of_uk_day(day: date) -> datetime:
    """The UTC moment (naive, as stored) at which a UK day begins."""
    return datetime.combine(day, time(0), tzinfo=UK).astimezone(UTC).replace(tzinfo=None)


def stalled_cards(organisation_ids: Iterable[int], today: date, weeks: int) -> dict[int, list[StalledCard]]:
    """The stalled cards of each organisation, longest stalled first, in one statement.

    A card is stalled when its last activity fell on a UK day more than ``weeks`` weeks before ``today``
    (6 weeks on Wednesday 13 May: last touched on Tuesday 31 March or before). Archived cards, and cards
    under an archived design opportunity, are off the board and never stalled.

    :return: organisation id → its stalled cards (organisations with none are absent).
    """
    ids = list(organisation_ids)
    if not ids:
        return {}
    cutoff = start_of_uk_day(today - timedelta(weeks=weeks))
    last = func.coalesce(func.max(CardEvent.at_dt), Card.created_dt)
    stmt = (select(Card.organisation_id, Card.id, Card.number, Opportunity.number, Card.title, Card.column, last)
            .outerjoin(Opportunity, Card.opportunity_id == Opportunity.id)
            .outerjoin(CardEvent, and_(CardEvent.card_id == Card.id, CardEvent.kind.in_(ACTIVITY)))
            .where(Card.organisation_id.in_(ids), Card.column.in_(STALLING_COLUMNS), Card.archived_dt.is_(None),
                   Opportunity.archived_dt.is_(None))
            .group_by(Card.organisation_id, Card.id, Card.number, Opportunity.number, Card.title, Card.column,
                      Card.created_dt)
            .having(last < cutoff)
            .order_by(Card.organisation_id, last, Card.id))
    found: dict[int, list[StalledCard]] = defaultdict(list)
    for org_id, card_id, number, lane, title, column, at in db.session.execute(stmt):
        code = str(number) if lane is None else f"{lane}.{number}"
        found[org_id].append(StalledCard(org_id, card_id, code, title, RoadmapColumn(column).value, at))
    return dict(found)
