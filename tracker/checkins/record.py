"""A check-in's meeting record: holding it (which freezes its agenda), who came, the notes, the overall
green/amber/red with its reason, and the actions arising, each an action on one of the organisation's cards.

Services flush; the caller commits.
"""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from tracker.accounts.models import User
from tracker.board import services as board
from tracker.board.models import Action, Card, CardEvent, CardEventKind, Kind
from tracker.checkins import agenda as agenda_rules
from tracker.checkins import calendar
from tracker.checkins.models import CheckIn, CheckInArising, CheckInAttendee, CheckInRag, CheckInStatus
from tracker.core.db import utcnow
from tracker.core.locks import relock
from tracker.extensions import db


def _fresh(checkin: CheckIn, expected_version: int | None) -> None:
    relock(checkin)
    if expected_version is None or int(expected_version) != checkin.version:
        raise calendar.Stale(checkin)


def hold(checkin: CheckIn, *, expected_version: int | None, today: date | None = None) -> bool:
    """Record that the check-in was held; its agenda is frozen in the same flush (see :func:`_freeze_on_hold`).

    :raises calendar.Stale: someone changed the check-in since ``expected_version``.
    :raises calendar.CheckInError: its day has not come yet.
    """
    return calendar.set_status(checkin, expected_version=expected_version, status=CheckInStatus.HELD, today=today)


@event.listens_for(Session, "before_flush")
def _freeze_on_hold(session: Session, _context, _instances) -> None:
    """Whatever records a check-in as held (this module, the status page) keeps the agenda as it stands, in the
    same transaction; a check-in set back to scheduled or cancelled lets go of it, so its agenda is live again."""
    for obj in list(session.dirty):
        if not isinstance(obj, CheckIn):
            continue
        history = inspect(obj).attrs.status.history
        if not history.added:
            continue
        if obj.status == CheckInStatus.HELD and obj.agenda is None:
            with session.no_autoflush:
                agenda_rules.freeze(obj)
        elif obj.status != CheckInStatus.HELD:
            obj.agenda, obj.held_dt = None, None


def save_record(checkin: CheckIn, *, expected_version: int | None, attendees: list[User], other_names: list[str],
                notes: str, rag: CheckInRag | None, rag_reason: str) -> None:
    """Save who came, the notes and the overall judgement (always a new version, so a second save from the
    same page is refused).

    :raises calendar.Stale: someone changed the check-in since ``expected_version``.
    """
    _fresh(checkin, expected_version)
    checkin.attendees.clear()
    db.session.flush()
    for person in attendees:
        checkin.attendees.append(CheckInAttendee(user_id=person.id, name=person.name))
    for name in other_names:
        checkin.attendees.append(CheckInAttendee(user_id=None, name=name))
    checkin.notes = board.text(notes).strip()
    checkin.rag = rag
    checkin.rag_reason = board.text(rag_reason).strip() if rag else ""
    checkin.updated_dt = utcnow()
    db.session.flush()


def _mark(card: Card, kind: CardEventKind, checkin: CheckIn, action_id: int | None = None) -> None:
    """Say in the card's history that this happened at the check-in ("Added at the check-in of 12 March
    2027"): the check-in's id and day go into the payload of the event the board just wrote."""
    db.session.flush()
    events = db.session.scalars(select(CardEvent).where(CardEvent.card_id == card.id, CardEvent.kind == kind)
                                .order_by(CardEvent.id.desc()).limit(10))
    for found in events:
        if action_id is None or (found.payload or {}).get("action_id") == action_id:
            found.payload = {**(found.payload or {}), "checkin_id": checkin.id, "checkin_on": checkin.on.isoformat()}
            return


def add_arising(checkin: CheckIn, *, text: str, card: Card | None, owner: User | None, due_on: date | None,
                user: User | None) -> Action:
    """An action arising from the check-in: on ``card``, or (``None``) on a new quick win in the organisation's
    Backlog titled with the action and owned by its owner. Linked back to the check-in.

    :raises calendar.CheckInError: a card of another organisation, or one off the board.
    """
    text = " ".join((text or "").split())
    if not text:
        raise calendar.CheckInError(_("Enter the action"), "text")
    new_card = card is None
    if card is not None and (card.organisation_id != checkin.organisation_id or not board.on_board(card)):
        raise calendar.CheckInError(_("Choose a card of this organisation’s board"), "card")
    if card is None:
        card = board.create_card(checkin.organisation, kind=Kind.QUICK_WIN, title=text[:300], user=user,
                                 owners=[owner] if owner else [])
        _mark(card, CardEventKind.CREATED, checkin)
    action = board.add_action(card, text=text, owner=owner, due_on=due_on, user=user)
    _mark(card, CardEventKind.ACTION_ADDED, checkin, action.id)
    db.session.add(CheckInArising(checkin_id=checkin.id, card_id=card.id, action_id=action.id, is_new_card=new_card))
    db.session.flush()
    return action
