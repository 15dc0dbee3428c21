"""Rules for the action plans: numbering, moves and positions, completion dates, stale edits, history.

Services change objects and ``flush()``; the view commits once, at the edge of the request.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from tracker.accounts.models import User
from tracker.board.models import (
    Action,
    Card,
    CardEvent,
    ConceptSheet,
    Kind,
    Opportunity,
    Priority,
    ProgressUpdate,
    PrototypePlan,
    RoadmapColumn,
    card_link,
)
from tracker.core.db import utcnow
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
    """Today's date in UTC (kept in one place so tests can reason about it)."""
    return utcnow().date()


def text(value: str | None) -> str:
    """Browsers send multi-line text with CRLF; store LF so an untouched field does not count as changed."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


def log(card: Card, user: User | None, summary: str) -> None:
    db.session.add(CardEvent(card=card, user=user, summary=summary))


def check_version(card: Card, expected_version: int | None) -> None:
    """Refuse a change made from an older version of the card.

    :raises StaleCard: ``expected_version`` is not the card's current version.
    """
    if expected_version is None or int(expected_version) != card.version:
        raise StaleCard(card)


def _lane_filter(organisation_id: int, opportunity_id: int | None):
    table = Card.__table__.c
    lane = table.opportunity_id.is_(None) if opportunity_id is None else table.opportunity_id == opportunity_id
    return (table.organisation_id == organisation_id) & lane


def _cell_count(organisation_id: int, opportunity_id: int | None, column: RoadmapColumn) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Card.__table__)
        .where(_lane_filter(organisation_id, opportunity_id), Card.__table__.c.column == column.value)
    )


def create_opportunity(org: Organisation, *, title: str, rationale: str = "", priority: Priority = Priority.MEDIUM,
                       assignee: User | None = None, is_in_progress: bool = False,
                       initiatives: list[Initiative] = ()) -> Opportunity:
    """Add a design opportunity, numbered after the organisation's last one."""
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
                priority: Priority = Priority.MEDIUM, owners: list[User] = (),
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
    lane_id = opportunity.id if opportunity else None
    number = (db.session.scalar(select(func.max(Card.number)).where(
        Card.organisation_id == org.id,
        Card.opportunity_id.is_(None) if lane_id is None else Card.opportunity_id == lane_id)) or 0) + 1
    card = Card(organisation=org, opportunity=opportunity, kind=kind, number=number, title=title.strip(),
                rationale=text(rationale), description=text(description), priority=priority, owners=list(owners),
                initiatives=list(initiatives), column=column,
                position=_cell_count(org.id, lane_id, column),
                completed_on=today() if column == RoadmapColumn.COMPLETED else None)
    db.session.add(card)
    db.session.flush()
    log(card, user, _("Created in %(column)s", column=column.label))
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
    changed = [name for name in CARD_FIELDS if name in fields and getattr(card, name) != fields[name]]
    for name in changed:
        setattr(card, name, fields[name])
    if {u.id for u in card.owners} != {u.id for u in owners}:
        card.owners = list(owners)
        changed.append("owners")
    if {i.id for i in card.initiatives} != {i.id for i in initiatives}:
        card.initiatives = list(initiatives)
        changed.append("initiatives")
    if changed:
        card.updated_dt = utcnow()
        log(card, user, _("Changed %(fields)s", fields=", ".join(str(FIELD_LABELS[n]) for n in changed)))
        db.session.flush()
    return changed


FIELD_LABELS = {"title": _l("title"), "rationale": _l("how it supports the objectives"),
                "description": _l("description"), "priority": _l("priority"), "kind": _l("kind"),
                "owners": _l("owners"), "initiatives": _l("linked initiatives")}


def move_card(card: Card, *, column: RoadmapColumn, expected_version: int | None, user: User | None,
              after_id: int | None = None) -> MoveResult:
    """Move a card to ``column``, within its own lane.

    ``after_id`` is the card it should follow: ``None`` puts it at the bottom, ``0`` at the top. Positions
    in the source and target cells are rewritten in this transaction with two set-based updates, so a
    move costs the same however many cards the column holds. Reaching Completed records today's date;
    leaving it clears the date.

    :raises StaleCard: someone else moved or changed the card since ``expected_version``.
    :raises BoardError: ``after_id`` names a card in another lane or column.
    """
    check_version(card, expected_version)
    table = Card.__table__.c
    lane = _lane_filter(card.organisation_id, card.opportunity_id)
    if after_id == card.id:
        return MoveResult(False, _("%(code)s stayed where it was", code=card.code))
    after_position = None
    if after_id:
        row = db.session.execute(select(table.position, table.column, table.opportunity_id,
                                        table.organisation_id).where(table.id == after_id)).first()
        if (row is None or row.organisation_id != card.organisation_id or row.opportunity_id != card.opportunity_id
                or row.column != column.value):
            raise BoardError(_("That place is not in this card's lane and column; reload the board and try again"))
        after_position = row.position
    old_column, old_position = card.column, card.position
    # The card's index in the target cell once it has left its old place.
    if after_position is None and after_id == 0:
        index = 0
    elif after_position is None:
        index = _cell_count(card.organisation_id, card.opportunity_id, column) - (1 if column == old_column else 0)
    else:
        index = after_position + 1 - (1 if column == old_column and after_position > old_position else 0)
    if column == old_column and index == old_position:
        return MoveResult(False, _("%(code)s stayed where it was", code=card.code))
    # Close the gap the card leaves behind, then open one where it goes.
    db.session.execute(update(Card.__table__).where(lane, table.column == old_column.value,
                                                    table.position > old_position)
                       .values(position=table.position - 1))
    db.session.execute(update(Card.__table__).where(lane, table.column == column.value, table.position >= index,
                                                    table.id != card.id)
                       .values(position=table.position + 1))
    card.column = column
    card.position = index
    if column == RoadmapColumn.COMPLETED and old_column != RoadmapColumn.COMPLETED:
        card.completed_on = today()
    elif column != RoadmapColumn.COMPLETED:
        card.completed_on = None
    card.updated_dt = utcnow()
    total = _cell_count(card.organisation_id, card.opportunity_id, column)
    if column == old_column:
        summary = _("Moved to position %(n)s in %(column)s", n=index + 1, column=column.label)
    else:
        summary = _("Moved from %(old)s to %(new)s", old=old_column.label, new=column.label)
    log(card, user, summary)
    db.session.flush()
    return MoveResult(True, _("%(code)s %(title)s moved to %(column)s, position %(n)s of %(total)s",
                              code=card.code, title=card.title, column=column.label, n=index + 1, total=total))


def add_action(card: Card, *, text: str, owner: User | None, due_on: date | None, user: User | None) -> Action:
    action = Action(card=card, text=text.strip(), owner=owner, due_on=due_on)
    db.session.add(action)
    log(card, user, _("Added action: %(text)s", text=action.text))
    db.session.flush()
    return action


def set_action_done(action: Action, *, done: bool, user: User | None) -> None:
    if action.is_done == done:
        return
    action.is_done = done
    log(action.card, user, (_("Marked action done: %(text)s", text=action.text) if done
                            else _("Marked action not done: %(text)s", text=action.text)))
    db.session.flush()


def add_progress_update(card: Card, *, on: date, body: str, user: User | None) -> ProgressUpdate:
    """Record a dated progress update (Markdown)."""
    if on > today():
        raise BoardError(_("The date of a progress update cannot be in the future"))
    entry = ProgressUpdate(card=card, on=on, body=body, author=user)
    db.session.add(entry)
    log(card, user, _("Added a progress update"))
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
    if other in card.related:
        return
    db.session.execute(card_link.insert(), [{"card_id": card.id, "other_id": other.id},
                                            {"card_id": other.id, "other_id": card.id}])
    db.session.expire(card, ["related"])
    db.session.expire(other, ["related"])
    log(card, user, _("Linked to %(code)s %(title)s", code=other.code, title=other.title))
    log(other, user, _("Linked to %(code)s %(title)s", code=card.code, title=card.title))
    db.session.flush()


def unlink_cards(card: Card, other: Card, *, user: User | None) -> None:
    db.session.execute(card_link.delete().where(
        ((card_link.c.card_id == card.id) & (card_link.c.other_id == other.id))
        | ((card_link.c.card_id == other.id) & (card_link.c.other_id == card.id))))
    db.session.expire(card, ["related"])
    db.session.expire(other, ["related"])
    log(card, user, _("Removed link to %(code)s %(title)s", code=other.code, title=other.title))
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
    log(card, user, _("Updated the concept capture sheet") if sheet_class is ConceptSheet
        else _("Updated the prototyping plan"))
    db.session.flush()
