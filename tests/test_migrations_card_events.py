"""The migration to structured card events keeps every old event and shows it as before (SQLite, PostgreSQL).

The schema is built at the revision before it and filled with every sentence the app used to write (and a few it
did not); the migration's downgrade must give back the same sentences, and after the upgrade the app must read
every event in the same words.
"""

import os
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tracker import create_app
from tracker.board import history
from tracker.board.models import CardEvent, CardEventKind, RoadmapColumn
from tracker.config import database_url
from tracker.extensions import db

BEFORE, REVISION = "6c9d0e1f2a3b", "8e1f2a3b4c5d"
B, C, P, H, D = (RoadmapColumn.BACKLOG, RoadmapColumn.CONCEPT, RoadmapColumn.PROTOTYPING, RoadmapColumn.ON_HOLD,
                 RoadmapColumn.COMPLETED)

old_event = sa.table("card_event", sa.column("id", sa.Integer), sa.column("card_id", sa.Integer),
                     sa.column("user_id", sa.Integer), sa.column("at_dt", sa.DateTime), sa.column("summary", sa.Text))


def sentences(ids: dict) -> list[tuple[str, int, tuple | None]]:
    """(sentence, card, what it becomes: kind, from, to, payload; ``None`` for a note)."""
    quick, idea, other = ids["quick"], ids["idea"], ids["other_org"]
    action, twin = ids["action"], ids["twin"]
    return [
        *[(f"Created in {column.label}", quick, (CardEventKind.CREATED, None, column, {})) for column in RoadmapColumn],
        ("Changed title", quick, (CardEventKind.EDITED, None, None, {"fields": ["title"]})),
        ("Changed title, how it supports the objectives, description, priority, kind, owners, linked initiatives",
         quick, (CardEventKind.EDITED, None, None, {"fields": ["title", "rationale", "description", "priority", "kind",
                                                            "owners", "initiatives"]})),
        ("Moved from Backlog (not started) to Concept development", idea, (CardEventKind.MOVED, B, C, {})),
        ("Moved from Concept development to Prototyping", idea, (CardEventKind.MOVED, C, P, {})),
        ("Moved from Prototyping to On hold", idea, (CardEventKind.PUT_ON_HOLD, P, H, {})),
        ("Moved from On hold to Prototyping", idea, (CardEventKind.MOVED, H, P, {})),
        ("Moved from Prototyping to Completed", idea, (CardEventKind.COMPLETED, P, D, {})),
        ("Moved from Completed to Backlog (not started)", idea, (CardEventKind.MOVED, D, B, {})),
        ("Moved from Backlog (not started) to Completed", quick, (CardEventKind.COMPLETED, B, D, {})),
        ("Moved to position 3 in Prototyping", idea, (CardEventKind.REORDERED, P, P, {"position": 3})),
        ("Moved to position 12 in Backlog (not started)", quick, (CardEventKind.REORDERED, B, B, {"position": 12})),
        ("Added action: Ask the SMS supplier", quick,
         (CardEventKind.ACTION_ADDED, None, None, {"action_id": action, "text": "Ask the SMS supplier"})),
        ("Changed action: An older wording", quick,
         (CardEventKind.ACTION_EDITED, None, None, {"action_id": None, "text": "An older wording"})),
        ("Marked action done: Ask the SMS supplier", quick,
         (CardEventKind.ACTION_DONE, None, None, {"action_id": action, "text": "Ask the SMS supplier"})),
        ("Marked action not done: Ask the SMS supplier", quick,
         (CardEventKind.ACTION_REOPENED, None, None, {"action_id": action, "text": "Ask the SMS supplier"})),
        ("Archived action: Call CAB", quick,  # two actions of the card have this text: which one is not known
         (CardEventKind.ACTION_ARCHIVED, None, None, {"action_id": None, "text": "Call CAB"})),
        ("Restored action: Reach 50% of tenants: then\nwrite to the rest", quick,
         (CardEventKind.ACTION_RESTORED, None, None, {"action_id": twin, "text": "Reach 50% of tenants: then\nwrite "
                                                                            "to the rest"})),
        ("Added action: ", quick, (CardEventKind.ACTION_ADDED, None, None, {"action_id": None, "text": ""})),
        ("Added a progress update", idea, (CardEventKind.UPDATE_ADDED, None, None, {})),
        ("Archived the progress update of 5 January 2026", idea,
         (CardEventKind.UPDATE_ARCHIVED, None, None, {"on": "2026-01-05"})),
        ("Restored the progress update of 29 February 2028", idea,
         (CardEventKind.UPDATE_RESTORED, None, None, {"on": "2028-02-29"})),
        ("Linked to 1.1 Regular feedback", quick,
         (CardEventKind.LINKED, None, None, {"card_id": idea, "code": "1.1", "title": "Regular feedback"})),
        ("Linked to 1 Make letters: friendlier", idea,
         (CardEventKind.LINKED, None, None, {"card_id": quick, "code": "1", "title": "Make letters: friendlier"})),
        ("Removed link to 1.1 Regular feedback (as it was called)", quick,
         (CardEventKind.UNLINKED, None, None, {"card_id": idea, "code": "1.1",
                                           "title": "Regular feedback (as it was called)"})),
        ("Removed link to 7 A card since deleted", quick,
         (CardEventKind.UNLINKED, None, None, {"card_id": None, "code": "7", "title": "A card since deleted"})),
        # Codes are looked up in the card's own organisation, never naming the card itself.
        ("Linked to 1.1 Regular feedback", other,
         (CardEventKind.LINKED, None, None, {"card_id": None, "code": "1.1", "title": "Regular feedback"})),
        ("Linked to 1 Somewhere else", other,
         (CardEventKind.LINKED, None, None, {"card_id": None, "code": "1", "title": "Somewhere else"})),
        ("Updated the concept capture sheet", idea, (CardEventKind.SHEET_UPDATED, None, None, {})),
        ("Updated the prototyping plan", idea, (CardEventKind.PLAN_UPDATED, None, None, {})),
        ("Archived", quick, (CardEventKind.ARCHIVED, None, None, {})),
        ("Restored from the archive", quick, (CardEventKind.RESTORED, None, None, {})),
        # Not sentences the app wrote: kept as they are.
        ("Imported from the old spreadsheet", quick, None),
        ("Moved from Backlog to Done", quick, None),
        ("Moved from Prototyping to Prototyping", quick, None),
        ("Moved to position 03 in Prototyping", quick, None),
        ("Changed colour", quick, None),
        ("Changed title,  priority", quick, None),
        ("Archived the progress update of 31 February 2026", idea, None),
        ("Archived the progress update of 2026-01-05", idea, None),
        ("Linked to Regular feedback", quick, None),
        ("archived", quick, None),
        ("Archived ", quick, None),
        ("", quick, None),
    ]


def _old_data() -> dict:
    """Cards, actions and events as the app stored them at the revision before the migration (plain SQL on the
    tables as they were then: today's models may have columns those tables do not)."""
    now = datetime(2026, 1, 1)
    with db.engine.begin() as connection:
        def add(table_name: str, /, **values) -> int:
            table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
            return connection.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()

        user = add("user", email="gg@example.org", name="Gwen", password_hash="x", is_admin=False,
                   is_facilitator=False, is_active=True, created_dt=now)
        programme = add("programme", slug="pilot", name="Pilot", aim="", expected_outcomes="",
                        start_date=date(2026, 1, 1), evaluation_months=12, checkin_interval_months=3,
                        survey_interval_months=3, created_dt=now)
        org, other_org = (add("organisation", programme_id=programme, slug=slug, name=slug) for slug in "ab")
        opportunity = add("opportunity", organisation_id=org, number=1, title="How might we keep in touch?",
                          rationale="", priority="medium", is_in_progress=False, created_dt=now)
        plain = {"rationale": "", "description": "", "priority": "medium", "column": "backlog", "position": 0,
                 "version": 1, "created_dt": now, "updated_dt": now}
        quick = add("card", organisation_id=org, kind="quick_win", number=1, title="Make letters: friendlier", **plain)
        idea = add("card", organisation_id=org, opportunity_id=opportunity, kind="idea", number=1,
                   title="Regular feedback", **plain)
        other = add("card", organisation_id=other_org, kind="quick_win", number=1, title="Somewhere else", **plain)
        action, twin, *_calls = (
            add("action", card_id=quick, text=words, is_done=False, created_dt=now)
            for words in ("Ask the SMS supplier", "Reach 50% of tenants: then\nwrite to the rest", "Call CAB",
                          "Call CAB"))
        ids = {"user": user, "quick": quick, "idea": idea, "other_org": other, "action": action, "twin": twin}
        rows = [{"card_id": card, "user_id": user if n % 3 else None, "at_dt": datetime(2026, 1, 1, 9, n % 60),
                 "summary": words} for n, (words, card, _) in enumerate(sentences(ids))]
        # More rows than the migration reads at once.
        rows += [{"card_id": idea, "user_id": user, "at_dt": datetime(2026, 2, 1),
                  "summary": "Moved from Concept development to Prototyping"} for _ in range(2100)]
        connection.execute(old_event.insert(), rows)
    return ids


def _stored() -> dict[int, tuple]:
    """The old table's rows; the session is then closed, so that no open transaction sees an old schema."""
    rows = {row.id: (row.card_id, row.user_id, row.at_dt, row.summary)
            for row in db.session.execute(sa.select(old_event).order_by(old_event.c.id))}
    db.session.remove()
    return rows


def _check_migrated(ids: dict, before: dict[int, tuple]) -> None:
    db.session.expire_all()
    events = db.session.scalars(sa.select(CardEvent).order_by(CardEvent.id)).all()
    assert [e.id for e in events] == list(before)
    for event in events:
        card_id, user_id, at_dt, words = before[event.id]
        assert (event.card_id, event.user_id, event.at_dt) == (card_id, user_id, at_dt)
        assert history.describe(event) == words, event.id
        assert event.summary == words
    expected = sentences(ids)
    for event, (words, _card, parsed) in zip(events, expected, strict=False):
        if parsed is None:
            assert (event.kind, event.from_column, event.to_column, event.payload, event.note) == (
                CardEventKind.NOTE, None, None, {}, words), words
        else:
            assert (event.kind, event.from_column, event.to_column, event.payload) == parsed, words
            assert event.note is None
    # The agenda's question works on migrated history.
    found = history.events_since([ids["idea"]], datetime(2026, 1, 1), kinds=[CardEventKind.COMPLETED], from_column=P)
    assert [e.to_column for e in found] == [D]
    db.session.remove()


def _run(url: str) -> None:
    """Upgrade, downgrade (straight after this migration, so later ones play no part), upgrade to the head and
    read the events through today's models."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        try:
            upgrade(revision=BEFORE)
            ids = _old_data()
            before = _stored()
            assert len(before) > 2000
            upgrade(revision=REVISION)
            downgrade(revision=BEFORE)
            assert _stored() == before
            upgrade()
            _check_migrated(ids, before)
        finally:
            db.session.remove()
            db.engine.dispose()


def test_card_events_are_migrated_and_read_as_before_on_sqlite(tmp_path):
    _run(f"sqlite:///{tmp_path / 'card_events.db'}")


@pytest.mark.skipif(not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres"),
                    reason="TEST_DATABASE_URL does not point at PostgreSQL")
def test_card_events_are_migrated_and_read_as_before_on_postgresql():
    base = make_url(database_url(os.environ["TEST_DATABASE_URL"], ""))
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = f"{base.database}_card_events"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _run(base.set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
