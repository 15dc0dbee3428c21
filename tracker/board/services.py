"""Rules for the action plans: numbering, moves and positions, completion dates, stale edits, history.

Services change objects and ``flush()``; the view commits once, at the edge of the request.
"""

from dataclasses import dataclass
from datetime import UTC, date

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from tracker.accounts.models import User
from tracker.board.history import move_kind
from tracker.board.models import (
    Action,
    Card,
    CardEvent,
    CardEventKind,
    ConceptSheet,
    Kind,
    Opportunity,
    Priority,
    ProgressUpdate,
    PrototypePlan,
    RoadmapColumn,
    card_link,
)
from tracker.core import clock
from tracker.core.db import utcnow
from tracker.core.locks import lock, relock
from tracker.extensions import db
from tracker.programmes.models import Initiative, Organisation

CARD_FIELDS = ("title", "rationale", "description", "priority", "kind")
SHEET_FIELDS = {
    ConceptSheet: ("name", "how_it_works", "target_users", "value", "barriers", "success_factors",
                   "description"),
    PrototypePlan: ("concept_tested", "assumptions", "key_questions", "how_to_test", "scenarios_roles", "needs",
                    "feedback_worked", "feedback_improve", "feedback_questions", "feedback_ideas"),
}


class BoardError(ValueError):
    """A rule about cards was broken; the message is shown to the user."""


class StaleCard(Exception):
    """The card changed since the person loaded it; ``card`` holds its current state."""

    def __init__(self, card: Card):
        super().__init__(f"card {card.id} changed (now version {card.version})")
        self.card = card


@dataclass(frozen=True)
class MoveResult:
    moved: bool
    message: str


def today() -> date:
    """Today's date in the UK (``tracker.core.clock``)."""
    return clock.today()


def text(value: str | None) -> str:
    """Browsers send multi-line text with CRLF; store LF so an untouched field does not count as changed."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


def on_board(card: Card) -> bool:
    """Neither the card nor its design opportunity is archived."""
    return card.archived_dt is None and (card.opportunity is None or card.opportunity.archived_dt is None)


def log(card: Card, user: User | None, kind: CardEventKind, *, from_column: RoadmapColumn | None = None,
        to_column: RoadmapColumn | None = None, **payload) -> CardEvent:
    """Add a line to the card's history: what happened as data (``tracker.board.history`` puts it into words).

    Its time is the clock's (``tracker.core.clock``), so a test that stops the clock can script a quarter of
    history for a check-in's agenda.

    :param payload: small JSON values the words or the agenda need (ids, the text or title as it was).
    """
    event = CardEvent(card=card, user=user, at_dt=clock.now().astimezone(UTC).replace(tzinfo=None), kind=kind,
                      from_column=from_column, to_column=to_column, payload=payload)
    db.session.add(event)
    return event


def check_version(card: Card, expected_version: int | None) -> None:
    """Lock the card, read it again, and refuse a change made from an older version of it.

    The lock comes first: two saves from the same version then take turns, and the second sees the
    first one's version instead of both passing the check.

    :raises StaleCard: ``expected_version`` is not the card's current version.
    """
    relock(card)
    if expected_version is None or int(expected_version) != card.version:
        raise StaleCard(card)


def lock_lane(organisation_id: int, opportunity_id: int | None) -> None:
    """Serialise changes to one lane's positions: the lane's owner row (its design opportunity, or the
    organisation for the quick-wins lane) is locked before any position is read."""
    if opportunity_id is None:
        lock(Organisation, organisation_id)
    else:
        lock(Opportunity, opportunity_id)


def _lane_filter(organisation_id: int, opportunity_id: int | None):
    """The lane's cards that hold a place on the board (archived cards hold none)."""
    table = Card.__table__.c
    lane = table.opportunity_id.is_(None) if opportunity_id is None else table.opportunity_id == opportunity_id
    return (table.organisation_id == organisation_id) & lane & table.archived_dt.is_(None)


def _agenda_scope(card: Card) -> dict:
    """A bulk statement's execution options naming the card's organisation as the one whose check-in agenda
    it may change (``tracker.checkins.versions``)."""
    return {"agenda_scope": ("organisation", card.organisation_id)}


def _cell_count(organisation_id: int, opportunity_id: int | None, column: RoadmapColumn) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Card.__table__)
        .where(_lane_filter(organisation_id, opportunity_id), Card.__table__.c.column == column.value)
    )


def create_opportunity(org: Organisation, *, title: str, rationale: str = "", priority: Priority = Priority.MEDIUM,
                       assignee: User | None = None, is_in_progress: bool = False,
                       initiatives: list[Initiative] = ()) -> Opportunity:
    """Add a design opportunity, numbered after the organisation's last one (two added at once take turns
    on the organisation's row, so they cannot both take the same number)."""
    lock(Organisation, org.id)
    number = (db.session.scalar(select(func.max(Opportunity.number))
                                .where(Opportunity.organisation_id == org.id)) or 0) + 1
    opportunity = Opportunity(organisation=org, number=number, title=title.strip(), rationale=rationale,
                              priority=priority, assignee=assignee, is_in_progress=is_in_progress,
                              initiatives=list(initiatives))
    db.session.add(opportunity)
    db.session.flush()
    return opportunity


def update_opportunity(opportunity: Opportunity, **fields) -> None:
    for key in ("title", "rationale", "priority", "assignee", "is_in_progress", "initiatives"):
        setattr(opportunity, key, fields[key])


def create_card(org: Organisation, *, kind: Kind, title: str, user: User | None,
                opportunity: Opportunity | None = None, rationale: str = "", description: str = "",
                priority: Priority = Priority.MEDIUM, owners: list[User] = (), team_owned: bool = False,
                initiatives: list[Initiative] = (), column: RoadmapColumn = RoadmapColumn.BACKLOG) -> Card:
    """Add a card at the bottom of its lane's column, numbered after the lane's last card.

    :raises BoardError: a quick win under an opportunity, or an idea without one, or another
        organisation's opportunity.
    """
    if (kind == Kind.QUICK_WIN) != (opportunity is None):
        raise BoardError(_("Quick wins have their own lane; ideas, concepts and prototypes belong to a "
                           "design opportunity"))
    if opportunity is not None and opportunity.organisation_id != org.id:
        raise BoardError(_("Choose a design opportunity of this organisation"))
    if opportunity is not None and opportunity.archived_dt is not None:
        raise BoardError(_("Design opportunity %(n)s is archived: restore it before adding ideas to it",
                           n=opportunity.number))
    lane_id = opportunity.id if opportunity else None
    lock_lane(org.id, lane_id)
    number = (db.session.scalar(select(func.max(Card.number)).where(
        Card.organisation_id == org.id,
        Card.opportunity_id.is_(None) if lane_id is None else Card.opportunity_id == lane_id)) or 0) + 1
    card = Card(organisation=org, opportunity=opportunity, kind=kind, number=number, title=title.strip(),
                rationale=text(rationale), description=text(description), priority=priority, owners=list(owners),
                team_owned=team_owned, initiatives=list(initiatives), column=column,
                position=_cell_count(org.id, lane_id, column),
                completed_on=today() if column == RoadmapColumn.COMPLETED else None)
    db.session.add(card)
    db.session.flush()
    log(card, user, CardEventKind.CREATED, to_column=column)
    return card


def update_card(card: Card, *, expected_version: int | None, user: User | None, owners: list[User],
                initiatives: list[Initiative], **fields) -> list[str]:
    """Change a card's fields; returns the names of what changed and records them in its history.

    :raises StaleCard: someone else changed the card since ``expected_version``.
    :raises BoardError: a quick win cannot become an idea (or the reverse) by editing.
    """
    check_version(card, expected_version)
    if "kind" in fields and (fields["kind"] == Kind.QUICK_WIN) != (card.kind == Kind.QUICK_WIN):
        raise BoardError(_("A quick win cannot become an idea, concept or prototype, or the other way round"))
    for name in ("rationale", "description"):
        if name in fields:
            fields[name] = text(fields[name])
    # One UPDATE of the card (one new version), not one per lazy load of its owners and initiatives.
    with db.session.no_autoflush:
        current_owners, current_initiatives = {u.id for u in card.owners}, {i.id for i in card.initiatives}
        changed = [name for name in CARD_FIELDS if name in fields and getattr(card, name) != fields[name]]
        for name in changed:
            setattr(card, name, fields[name])
        if current_owners != {u.id for u in owners} or (
                "team_owned" in fields and bool(fields["team_owned"]) != card.team_owned):
            card.owners = list(owners)
            card.team_owned = bool(fields.get("team_owned", card.team_owned))
            changed.append("owners")
        if current_initiatives != {i.id for i in initiatives}:
            card.initiatives = list(initiatives)
            changed.append("initiatives")
    if changed:
        card.updated_dt = utcnow()
        log(card, user, CardEventKind.EDITED, fields=list(changed))
        db.session.flush()
    return changed


def move_card(card: Card, *, column: RoadmapColumn, expected_version: int | None, user: User | None,
              after_id: int | None = None, position: int | None = None) -> MoveResult:
    """Move a card to ``column``, within its own lane.

    Where it goes in the column: ``after_id`` is the card it should follow (``0`` = the top); or
    ``position`` is its place counted from 1 (the form without JavaScript); neither puts it at the
    bottom. The lane is locked before its positions are read, so moves in one lane take turns; positions
    in the source and target cells are then rewritten with two set-based updates, so a move costs the
    same however many cards the column holds. Reaching Completed records today's date; leaving it
    clears the date.

    :raises StaleCard: someone else moved or changed the card since ``expected_version``.
    :raises BoardError: ``after_id`` names a card in another lane or column, or the card is archived.
    """
    lock_lane(card.organisation_id, card.opportunity_id)
    check_version(card, expected_version)
    if not on_board(card):
        raise BoardError(_("%(code)s is archived: restore it before moving it", code=card.code))
    table = Card.__table__.c
    lane = _lane_filter(card.organisation_id, card.opportunity_id)
    if after_id == card.id:
        return MoveResult(False, _("%(code)s stayed where it was", code=card.code))
    old_column, old_position = card.column, card.position
    # How many other cards the target cell holds: the card's index there is between 0 and that.
    others = _cell_count(card.organisation_id, card.opportunity_id, column) - (1 if column == old_column else 0)
    if after_id:
        row = db.session.execute(select(table.position, table.column, table.opportunity_id,
                                        table.organisation_id, table.archived_dt).where(table.id == after_id)).first()
        if (row is None or row.organisation_id != card.organisation_id or row.opportunity_id != card.opportunity_id
                or row.column != column.value or row.archived_dt is not None):
            raise BoardError(_("That place is not in this card's lane and column; reload the board and try again"))
        index = row.position + 1 - (1 if column == old_column and row.position > old_position else 0)
    elif after_id == 0:
        index = 0
    elif position is not None:
        index = min(max(int(position), 1), others + 1) - 1
    else:
        index = others
    if column == old_column and index == old_position:
        return MoveResult(False, _("%(code)s stayed where it was", code=card.code))
    # Close the gap the card leaves behind, then open one where it goes.
    scope = _agenda_scope(card)
    db.session.execute(update(Card.__table__).where(lane, table.column == old_column.value,
                                                    table.position > old_position)
                       .values(position=table.position - 1), execution_options=scope)
    db.session.execute(update(Card.__table__).where(lane, table.column == column.value, table.position >= index,
                                                    table.id != card.id)
                       .values(position=table.position + 1), execution_options=scope)
    card.column = column
    card.position = index
    if column == RoadmapColumn.COMPLETED and old_column != RoadmapColumn.COMPLETED:
        card.completed_on = today()
    elif column != RoadmapColumn.COMPLETED:
        card.completed_on = None
    card.updated_dt = utcnow()
    total = others + 1
    kind = move_kind(old_column, column)
    log(card, user, kind, from_column=old_column, to_column=column,
        **({"position": index + 1} if kind == CardEventKind.REORDERED else {}))
    db.session.flush()
    return MoveResult(True, _("%(code)s %(title)s moved to %(column)s, position %(n)s of %(total)s",
                              code=card.code, title=card.title, column=column.label, n=index + 1, total=total))


def add_action(card: Card, *, text: str, owner: User | None, due_on: date | None, user: User | None) -> Action:
    action = Action(card=card, text=text.strip(), owner=owner, due_on=due_on)
    db.session.add(action)
    db.session.flush()  # the action's id, for its history
    log(card, user, CardEventKind.ACTION_ADDED, action_id=action.id, text=action.text)
    db.session.flush()
    return action


class StaleAction(Exception):
    """The action changed since the person loaded it; ``action`` holds its current state."""

    def __init__(self, action: Action):
        super().__init__(f"action {action.id} changed (now version {action.version})")
        self.action = action


def update_action(action: Action, *, expected_version: int | None, text: str, owner: User | None,
                  due_on: date | None, user: User | None) -> bool:
    """Change an action's text, owner or due date; returns whether anything changed.

    :raises StaleAction: someone else changed the action since ``expected_version``.
    """
    relock(action)
    if expected_version is None or int(expected_version) != action.version:
        raise StaleAction(action)
    new = {"text": text.strip(), "owner_id": owner.id if owner else None, "due_on": due_on}
    if all(getattr(action, name) == value for name, value in new.items()):
        return False
    old_text = action.text
    for name, value in new.items():
        setattr(action, name, value)
    log(action.card, user, CardEventKind.ACTION_EDITED, action_id=action.id, text=old_text)
    db.session.flush()
    return True


def set_action_done(action: Action, *, done: bool, user: User | None) -> None:
    relock(action)
    if action.is_done == done:
        return
    action.is_done = done
    log(action.card, user, CardEventKind.ACTION_DONE if done else CardEventKind.ACTION_REOPENED, action_id=action.id,
        text=action.text)
    db.session.flush()


def add_progress_update(card: Card, *, on: date, body: str, user: User | None) -> ProgressUpdate:
    """Record a dated progress update (Markdown)."""
    if on > today():
        raise BoardError(_("The date of a progress update cannot be in the future"))
    entry = ProgressUpdate(card=card, on=on, body=body, author=user)
    db.session.add(entry)
    db.session.flush()  # the update's id, for its history
    log(card, user, CardEventKind.UPDATE_ADDED, update_id=entry.id, on=on.isoformat())
    db.session.flush()
    return entry


def link_cards(card: Card, other: Card, *, user: User | None) -> None:
    """Relate two cards of the same organisation (stored in both directions).

    :raises BoardError: the same card, or a card of another organisation.
    """
    if other.id == card.id:
        raise BoardError(_("A card cannot be related to itself"))
    if other.organisation_id != card.organisation_id:
        raise BoardError(_("Choose a card of this organisation"))
    if not on_board(other):
        raise BoardError(_("%(code)s is archived: restore it before linking to it", code=other.code))
    if other in card.related:
        return
    db.session.execute(card_link.insert(), [{"card_id": card.id, "other_id": other.id},
                                            {"card_id": other.id, "other_id": card.id}])
    db.session.expire(card, ["related"])
    db.session.expire(other, ["related"])
    log(card, user, CardEventKind.LINKED, card_id=other.id, code=other.code, title=other.title)
    log(other, user, CardEventKind.LINKED, card_id=card.id, code=card.code, title=card.title)
    db.session.flush()


def unlink_cards(card: Card, other: Card, *, user: User | None) -> None:
    db.session.execute(card_link.delete().where(
        ((card_link.c.card_id == card.id) & (card_link.c.other_id == other.id))
        | ((card_link.c.card_id == other.id) & (card_link.c.other_id == card.id))))
    db.session.expire(card, ["related"])
    db.session.expire(other, ["related"])
    log(card, user, CardEventKind.UNLINKED, card_id=other.id, code=other.code, title=other.title)
    db.session.flush()


def save_sheet(card: Card, sheet_class, *, expected_version: int | None, user: User | None, **values) -> None:
    """Save the concept capture sheet or the prototyping plan; it counts as a change to the card.

    :raises StaleCard: someone else changed the card since ``expected_version``.
    """
    check_version(card, expected_version)
    attribute = "concept_sheet" if sheet_class is ConceptSheet else "prototype_plan"
    sheet = getattr(card, attribute)
    if sheet is None:
        sheet = sheet_class(card_id=card.id)
        setattr(card, attribute, sheet)
    for name in SHEET_FIELDS[sheet_class]:
        setattr(sheet, name, text(values.get(name)))
    card.updated_dt = utcnow()  # bumps the card's version too
    log(card, user, CardEventKind.SHEET_UPDATED if sheet_class is ConceptSheet else CardEventKind.PLAN_UPDATED)
    db.session.flush()


# --- archiving ------------------------------------------------------------------------------------
# Nothing a person wrote is deleted: archived cards, opportunities, actions and progress updates leave
# the board and the plans, stay readable under "Archived", and can be restored.


def archive_card(card: Card, *, expected_version: int | None, user: User | None) -> None:
    """Take a card off the board; the cards below it in its column move up.

    :raises StaleCard: someone else changed the card since ``expected_version``.
    """
    lock_lane(card.organisation_id, card.opportunity_id)
    check_version(card, expected_version)
    if card.archived_dt is not None:
        return
    table = Card.__table__.c
    db.session.execute(update(Card.__table__).where(
        _lane_filter(card.organisation_id, card.opportunity_id), table.column == card.column.value,
        table.position > card.position, table.id != card.id).values(position=table.position - 1),
        execution_options=_agenda_scope(card))
    card.archived_dt = utcnow()
    card.updated_dt = card.archived_dt
    log(card, user, CardEventKind.ARCHIVED, from_column=card.column)
    db.session.flush()


def restore_card(card: Card, *, user: User | None) -> None:
    """Put an archived card back on the board, at the bottom of its column."""
    lock_lane(card.organisation_id, card.opportunity_id)
    relock(card)
    if card.archived_dt is None:
        return
    card.position = _cell_count(card.organisation_id, card.opportunity_id, card.column)
    card.archived_dt = None
    card.updated_dt = utcnow()
    log(card, user, CardEventKind.RESTORED, to_column=card.column)
    db.session.flush()


def archive_opportunity(opportunity: Opportunity) -> None:
    """Take a design opportunity's lane (and its cards) off the board and the plans."""
    relock(opportunity)
    if opportunity.archived_dt is None:
        opportunity.archived_dt = utcnow()
        db.session.flush()


def restore_opportunity(opportunity: Opportunity) -> None:
    relock(opportunity)
    if opportunity.archived_dt is not None:
        opportunity.archived_dt = None
        db.session.flush()


def set_archived(item: Action | ProgressUpdate, *, archived: bool, user: User | None) -> None:
    """Archive an action or a progress update, or restore it; the card's history says which."""
    relock(item)
    if (item.archived_dt is not None) == archived:
        return
    item.archived_dt = utcnow() if archived else None
    if isinstance(item, Action):
        log(item.card, user, CardEventKind.ACTION_ARCHIVED if archived else CardEventKind.ACTION_RESTORED,
            action_id=item.id, text=item.text)
    else:
        log(item.card, user, CardEventKind.UPDATE_ARCHIVED if archived else CardEventKind.UPDATE_RESTORED,
            update_id=item.id, on=item.on.isoformat())
    db.session.flush()
