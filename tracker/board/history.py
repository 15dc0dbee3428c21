"""A card's history: each event put into words when it is shown, and the events of many cards since a date.

Events are stored as data (``CardEvent.kind``, its columns and payload), never as sentences, so the words
here are the reader's language at the time of reading. They read exactly as the sentences the app used to
store: the migration that turned those sentences into events relies on it.
"""

from collections.abc import Iterable
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from tracker.board.models import Card, CardEvent, CardEventKind, RoadmapColumn
from tracker.core.formats import uk_date
from tracker.extensions import db
from tracker.programmes.models import Organisation

#: The card's fields by the names ``payload["fields"]`` holds, as a changed-fields event names them.
FIELD_LABELS = {"title": _l("title"), "rationale": _l("how it supports the objectives"),
                "description": _l("description"), "priority": _l("priority"), "kind": _l("kind"),
                "owners": _l("owners"), "initiatives": _l("linked initiatives")}

#: Kinds that take a card from one column to another.
MOVES = frozenset({CardEventKind.MOVED, CardEventKind.COMPLETED, CardEventKind.PUT_ON_HOLD})


def move_kind(old: RoadmapColumn, new: RoadmapColumn) -> CardEventKind:
    """The kind of a move: into Completed and into On hold are kinds of their own; within a column, a reorder."""
    if old == new:
        return CardEventKind.REORDERED
    if new == RoadmapColumn.COMPLETED:
        return CardEventKind.COMPLETED
    if new == RoadmapColumn.ON_HOLD:
        return CardEventKind.PUT_ON_HOLD
    return CardEventKind.MOVED


def _column(value: str | None) -> str:
    return RoadmapColumn(value).label if value else ""


def _day(value: str | None) -> str:
    return uk_date(date.fromisoformat(value)) if value else ""


def describe(event: CardEvent) -> str:
    """The event in words, in the reader's language (e.g. "Moved from Backlog (not started) to Prototyping").

    Names and texts come from the payload as they were when it happened (a card linked then under another
    title still reads as it was), so describing costs no query.
    """
    kind, data = event.kind, event.payload or {}
    text = data.get("text", "")
    match kind:
        case CardEventKind.CREATED if data.get("checkin_on"):
            return _("Added at the check-in of %(date)s, in %(column)s", date=_day(data["checkin_on"]),
                     column=_column(event.to_column))
        case CardEventKind.CREATED:
            return _("Created in %(column)s", column=_column(event.to_column))
        case CardEventKind.EDITED:
            return _("Changed %(fields)s",
                     fields=", ".join(str(FIELD_LABELS.get(name, name)) for name in data.get("fields", ())))
        case CardEventKind.MOVED | CardEventKind.COMPLETED | CardEventKind.PUT_ON_HOLD:
            return _("Moved from %(old)s to %(new)s", old=_column(event.from_column), new=_column(event.to_column))
        case CardEventKind.REORDERED:
            return _("Moved to position %(n)s in %(column)s", n=data.get("position", ""),
                     column=_column(event.to_column))
        case CardEventKind.ARCHIVED:
            return _("Archived")
        case CardEventKind.RESTORED:
            return _("Restored from the archive")
        case CardEventKind.ACTION_ADDED if data.get("checkin_on"):
            return _("Added action at the check-in of %(date)s: %(text)s", date=_day(data["checkin_on"]), text=text)
        case CardEventKind.ACTION_ADDED:
            return _("Added action: %(text)s", text=text)
        case CardEventKind.ACTION_EDITED:
            return _("Changed action: %(text)s", text=text)
        case CardEventKind.ACTION_DONE:
            return _("Marked action done: %(text)s", text=text)
        case CardEventKind.ACTION_REOPENED:
            return _("Marked action not done: %(text)s", text=text)
        case CardEventKind.ACTION_ARCHIVED:
            return _("Archived action: %(text)s", text=text)
        case CardEventKind.ACTION_RESTORED:
            return _("Restored action: %(text)s", text=text)
        case CardEventKind.UPDATE_ADDED:
            return _("Added a progress update")
        case CardEventKind.UPDATE_ARCHIVED:
            return _("Archived the progress update of %(date)s", date=_day(data.get("on")))
        case CardEventKind.UPDATE_RESTORED:
            return _("Restored the progress update of %(date)s", date=_day(data.get("on")))
        case CardEventKind.LINKED:
            return _("Linked to %(code)s %(title)s", code=data.get("code", ""), title=data.get("title", ""))
        case CardEventKind.UNLINKED:
            return _("Removed link to %(code)s %(title)s", code=data.get("code", ""), title=data.get("title", ""))
        case CardEventKind.SHEET_UPDATED:
            return _("Updated the concept capture sheet")
        case CardEventKind.PLAN_UPDATED:
            return _("Updated the prototyping plan")
    return event.note or ""


def events_since(scope: Organisation | Iterable[int], since: datetime, *, until: datetime | None = None,
                 kinds: Iterable[CardEventKind] | None = None, from_column: RoadmapColumn | None = None,
                 to_column: RoadmapColumn | None = None) -> list[CardEvent]:
    """The events of an organisation's cards (or of the cards with these ids) at or after ``since``, oldest first.

    One statement whatever the number of cards or events: each event comes with its card, the card's design
    opportunity (for its code) and the person, archived cards included (their archiving is news too). Filter
    by ``kinds`` and by the columns of a move: "moved from Prototyping to Completed since 1 March" is
    ``kinds=[CardEventKind.COMPLETED], from_column=RoadmapColumn.PROTOTYPING``; every change of column is
    ``kinds=MOVES``. Times are UTC, as stored (``until`` is exclusive).

    :param scope: an organisation, or card ids (an empty list finds nothing).
    """
    stmt = (select(CardEvent).join(CardEvent.card).outerjoin(Card.opportunity)
            .options(contains_eager(CardEvent.card).contains_eager(Card.opportunity), joinedload(CardEvent.user))
            .where(CardEvent.at_dt >= since))
    if isinstance(scope, Organisation):
        stmt = stmt.where(Card.organisation_id == scope.id)
    else:
        stmt = stmt.where(CardEvent.card_id.in_(list(scope)))
    if until is not None:
        stmt = stmt.where(CardEvent.at_dt < until)
    if kinds is not None:
        stmt = stmt.where(CardEvent.kind.in_(list(kinds)))
    if from_column is not None:
        stmt = stmt.where(CardEvent.from_column == from_column)
    if to_column is not None:
        stmt = stmt.where(CardEvent.to_column == to_column)
    return list(db.session.scalars(stmt.order_by(CardEvent.at_dt, CardEvent.id)).unique())

