"""structured card events

Each card event becomes a kind, the columns of a move and a small JSON payload, put into words when shown
(``tracker.board.history``), in place of one English sentence written when it happened.

The upgrade reads every stored sentence with the wordings the app has written (they never changed, and the
app never had another language): it keeps what it parsed only if writing the sentence again from the parse
gives back the exact text, so a parsed row reads as before; any other row keeps its text as kind ``note``.
Ids the sentences did not hold are looked up where they are certain: the other card of a link by its code in
the same organisation (cards keep their numbers), an action by its text when exactly one action of the card
has it; otherwise the id is ``None``. The downgrade
writes the sentences again.

The words, labels and months are copied here, not imported, so the migration means the same whatever the
app later says.

Revision ID: 8e1f2a3b4c5d
Revises: 6c9d0e1f2a3b
Create Date: 2026-12-01 12:00:00

"""
import re
from collections import defaultdict
from datetime import date

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e1f2a3b4c5d'
down_revision = '6c9d0e1f2a3b'
branch_labels = None
depends_on = None

BATCH = 1000

COLUMNS = {"backlog": "Backlog (not started)", "concept": "Concept development", "prototyping": "Prototyping",
           "on_hold": "On hold", "completed": "Completed"}
FIELDS = {"title": "title", "rationale": "how it supports the objectives", "description": "description",
          "priority": "priority", "kind": "kind", "owners": "owners", "initiatives": "linked initiatives"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]

#: Sentences whose whole text is fixed.
FIXED = {
    "Archived": "archived",
    "Restored from the archive": "restored",
    "Added a progress update": "update_added",
    "Updated the concept capture sheet": "sheet_updated",
    "Updated the prototyping plan": "plan_updated",
}
#: Sentences ending in an action's text; "Changed action: " before "Changed …" fields.
ACTIONS = {
    "Added action: ": "action_added",
    "Changed action: ": "action_edited",
    "Marked action done: ": "action_done",
    "Marked action not done: ": "action_reopened",
    "Archived action: ": "action_archived",
    "Restored action: ": "action_restored",
}
UPDATES = {"Archived the progress update of ": "update_archived", "Restored the progress update of ": "update_restored"}
LINKS = {"Linked to ": "linked", "Removed link to ": "unlinked"}

_labels = "|".join(re.escape(label) for label in COLUMNS.values())
MOVED = re.compile(rf"Moved from ({_labels}) to ({_labels})")
REORDERED = re.compile(rf"Moved to position ([1-9][0-9]*) in ({_labels})")
CREATED = re.compile(rf"Created in ({_labels})")
CODE = re.compile(r"([1-9][0-9]*(?:\.[1-9][0-9]*)?) (.*)", re.DOTALL)
DAY = re.compile(rf"([1-9][0-9]?) ({'|'.join(MONTHS)}) ([0-9]{{4}})")

card_event = sa.table(
    "card_event", sa.column("id", sa.Integer), sa.column("card_id", sa.Integer), sa.column("summary", sa.Text),
    sa.column("kind", sa.String), sa.column("from_column", sa.String), sa.column("to_column", sa.String),
    sa.column("payload", sa.JSON), sa.column("note", sa.Text))
card = sa.table("card", sa.column("id", sa.Integer), sa.column("organisation_id", sa.Integer),
                sa.column("opportunity_id", sa.Integer), sa.column("number", sa.Integer))
opportunity = sa.table("opportunity", sa.column("id", sa.Integer), sa.column("number", sa.Integer))
action = sa.table("action", sa.column("id", sa.Integer), sa.column("card_id", sa.Integer),
                  sa.column("text", sa.Text))


def _key(label: str) -> str:
    return next(key for key, value in COLUMNS.items() if value == label)


def _day(value: str) -> date | None:
    match = DAY.fullmatch(value)
    if match is None:
        return None
    try:
        return date(int(match[3]), MONTHS.index(match[2]) + 1, int(match[1]))
    except ValueError:
        return None


def _move_kind(new: str) -> str:
    return "completed" if new == "completed" else "put_on_hold" if new == "on_hold" else "moved"


def parse(sentence: str) -> tuple[str, str | None, str | None, dict] | None:
    """``(kind, from_column, to_column, payload)`` for a sentence the app wrote, else ``None``."""
    if sentence in FIXED:
        return FIXED[sentence], None, None, {}
    if match := CREATED.fullmatch(sentence):
        return "created", None, _key(match[1]), {}
    if match := MOVED.fullmatch(sentence):
        old, new = _key(match[1]), _key(match[2])
        return (_move_kind(new), old, new, {}) if old != new else None
    if match := REORDERED.fullmatch(sentence):
        column = _key(match[2])
        return "reordered", column, column, {"position": int(match[1])}
    for prefix, kind in ACTIONS.items():
        if sentence.startswith(prefix):
            return kind, None, None, {"text": sentence[len(prefix):]}
    if sentence.startswith("Changed "):
        labels = sentence[len("Changed "):].split(", ")
        names = [next((name for name, label in FIELDS.items() if label == text), None) for text in labels]
        return ("edited", None, None, {"fields": names}) if all(names) else None
    for prefix, kind in UPDATES.items():
        if sentence.startswith(prefix) and (day := _day(sentence[len(prefix):])) is not None:
            return kind, None, None, {"on": day.isoformat()}
    for prefix, kind in LINKS.items():
        if sentence.startswith(prefix) and (match := CODE.fullmatch(sentence[len(prefix):])):
            return kind, None, None, {"code": match[1], "title": match[2]}
    return None


def sentence(kind: str, from_column: str | None, to_column: str | None, payload: dict, note: str | None) -> str:
    """The English sentence the app wrote for an event (the downgrade's text, and the upgrade's check)."""
    payload = payload or {}
    if kind == "note":
        return note or ""
    for text, fixed in FIXED.items():
        if kind == fixed:
            return text
    if kind == "created":
        return f"Created in {COLUMNS.get(to_column, '')}"
    if kind in ("moved", "completed", "put_on_hold"):
        return f"Moved from {COLUMNS.get(from_column, '')} to {COLUMNS.get(to_column, '')}"
    if kind == "reordered":
        return f"Moved to position {payload.get('position', '')} in {COLUMNS.get(to_column, '')}"
    for prefix, action_kind in ACTIONS.items():
        if kind == action_kind:
            return prefix + payload.get("text", "")
    if kind == "edited":
        return "Changed " + ", ".join(FIELDS.get(name, name) for name in payload.get("fields", ()))
    for prefix, update_kind in UPDATES.items():
        if kind == update_kind:
            day = date.fromisoformat(payload["on"]) if payload.get("on") else None
            return prefix + (f"{day.day} {MONTHS[day.month - 1]} {day.year}" if day else "")
    for prefix, link_kind in LINKS.items():
        if kind == link_kind:
            return f"{prefix}{payload.get('code', '')} {payload.get('title', '')}"
    return note or kind


def _card_codes(connection) -> tuple[dict[int, int], dict[tuple[int, str], int]]:
    """Each card's organisation, and each card's id by (organisation, code)."""
    rows = connection.execute(
        sa.select(card.c.id, card.c.organisation_id, card.c.number, opportunity.c.number.label("lane"))
        .select_from(card.outerjoin(opportunity, opportunity.c.id == card.c.opportunity_id))).all()
    organisations = {row.id: row.organisation_id for row in rows}
    codes = {(row.organisation_id, f"{row.lane}.{row.number}" if row.lane is not None else str(row.number)): row.id
             for row in rows}
    return organisations, codes


def _actions(connection) -> dict[tuple[int, str], list[int]]:
    found = defaultdict(list)
    for row in connection.execute(sa.select(action.c.id, action.c.card_id, action.c.text)):
        found[(row.card_id, row.text)].append(row.id)
    return found


def upgrade():
    with op.batch_alter_table('card_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('from_column', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('to_column', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('payload', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))

    connection = op.get_bind()
    organisations, codes = _card_codes(connection)
    actions = _actions(connection)
    # Bound names differ from the columns': SQLAlchemy keeps the columns' own names for itself.
    write = (sa.update(card_event).where(card_event.c.id == sa.bindparam("event_id"))
             .values(kind=sa.bindparam("new_kind"), from_column=sa.bindparam("new_from"),
                     to_column=sa.bindparam("new_to"), payload=sa.bindparam("new_payload", type_=sa.JSON),
                     note=sa.bindparam("new_note")))
    last = 0
    while rows := connection.execute(
            sa.select(card_event.c.id, card_event.c.card_id, card_event.c.summary)
            .where(card_event.c.id > last).order_by(card_event.c.id).limit(BATCH)).all():
        last = rows[-1].id
        values = []
        for row in rows:
            parsed = parse(row.summary)
            if parsed is None or sentence(*parsed, None) != row.summary:
                values.append({"event_id": row.id, "new_kind": "note", "new_from": None, "new_to": None,
                               "new_payload": {}, "new_note": row.summary})
                continue
            kind, from_column, to_column, payload = parsed
            if kind in ("linked", "unlinked"):
                other = codes.get((organisations.get(row.card_id), payload["code"]))
                payload = {"card_id": other if other != row.card_id else None, **payload}
            elif kind.startswith("action_"):
                same = actions.get((row.card_id, payload["text"]), [])
                payload = {"action_id": same[0] if len(same) == 1 else None, **payload}
            values.append({"event_id": row.id, "new_kind": kind, "new_from": from_column, "new_to": to_column,
                           "new_payload": payload, "new_note": None})
        connection.execute(write, values)

    with op.batch_alter_table('card_event', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column('payload', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_column('summary')
        batch_op.drop_index('ix_card_event_card_id')
        batch_op.create_index('ix_card_event_card_id_at_dt', ['card_id', 'at_dt'], unique=False)
        batch_op.create_index('ix_card_event_kind_at_dt', ['kind', 'at_dt'], unique=False)


def downgrade():
    with op.batch_alter_table('card_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('summary', sa.Text(), nullable=True))

    connection = op.get_bind()
    write = (sa.update(card_event).where(card_event.c.id == sa.bindparam("event_id"))
             .values(summary=sa.bindparam("new_summary")))
    last = 0
    while rows := connection.execute(
            sa.select(card_event.c.id, card_event.c.kind, card_event.c.from_column, card_event.c.to_column,
                      card_event.c.payload, card_event.c.note)
            .where(card_event.c.id > last).order_by(card_event.c.id).limit(BATCH)).all():
        last = rows[-1].id
        connection.execute(write, [{"event_id": row.id, "new_summary": sentence(row.kind, row.from_column,
                                                                               row.to_column, row.payload, row.note)}
                                   for row in rows])

    with op.batch_alter_table('card_event', schema=None) as batch_op:
        batch_op.alter_column('summary', existing_type=sa.Text(), nullable=False)
        batch_op.drop_index('ix_card_event_kind_at_dt')
        batch_op.drop_index('ix_card_event_card_id_at_dt')
        batch_op.create_index('ix_card_event_card_id', ['card_id'], unique=False)
        batch_op.drop_column('note')
        batch_op.drop_column('payload')
        batch_op.drop_column('to_column')
        batch_op.drop_column('from_column')
        batch_op.drop_column('kind')
