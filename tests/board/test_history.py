"""A card's history as data: every kind written by its service, put into words when shown, and found by date."""

from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import event, select

from tests import factories
from tests.board.test_services import fresh
from tracker.board import history, services
from tracker.board.models import CardEvent, CardEventKind, ConceptSheet, Kind, Priority, PrototypePlan, RoadmapColumn
from tracker.core import clock
from tracker.extensions import db
from tracker.programmes.models import Organisation

B, C, P, H, D = (RoadmapColumn.BACKLOG, RoadmapColumn.CONCEPT, RoadmapColumn.PROTOTYPING, RoadmapColumn.ON_HOLD,
                 RoadmapColumn.COMPLETED)


@contextmanager
def counting():
    """The SQL statements run inside the block."""
    seen: list[str] = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def move(card, column, *, position=None, user=None):
    services.move_card(fresh(card), column=column, expected_version=fresh(card).version, user=user,
                       position=position)
    db.session.commit()


def latest(card) -> CardEvent:
    return fresh(card).events[0]


def script(world):
    """Every kind of change the app records, on one idea (and a quick win it links to); returns what each wrote,
    oldest first, as (kind, from, to, payload, words)."""
    team = world.team_a
    idea = factories.make_card(world.org_a, "Text reminders", kind=Kind.IDEA, opportunity=world.opportunity_a,
                               user=team)
    other = world.card_a
    card = fresh(idea)
    services.update_card(card, expected_version=card.version, user=team, owners=[team], initiatives=[],
                         title="Text message reminders", priority=Priority.HIGH, description=card.description)
    db.session.commit()
    move(idea, C, user=team)
    move(idea, P, user=team)
    move(world.idea_a, P, user=team)
    move(idea, P, position=2, user=team)
    move(idea, H, user=team)
    move(idea, P, user=team)
    move(idea, D, user=team)
    action = services.add_action(fresh(idea), text="Ask the SMS supplier", owner=team, due_on=None, user=team)
    db.session.commit()
    services.update_action(action, expected_version=action.version, text="Ask two SMS suppliers", owner=team,
                           due_on=date(2026, 2, 1), user=team)
    services.set_action_done(action, done=True, user=team)
    services.set_action_done(action, done=False, user=team)
    services.set_archived(action, archived=True, user=team)
    services.set_archived(action, archived=False, user=team)
    update = services.add_progress_update(fresh(idea), on=date(2026, 1, 5), body="Met the supplier", user=team)
    services.set_archived(update, archived=True, user=team)
    services.set_archived(update, archived=False, user=team)
    services.link_cards(fresh(idea), fresh(other), user=team)
    services.unlink_cards(fresh(idea), fresh(other), user=team)
    card = fresh(idea)
    services.save_sheet(card, ConceptSheet, expected_version=card.version, user=team, name="Reminders")
    card = fresh(idea)
    services.save_sheet(card, PrototypePlan, expected_version=card.version, user=team, assumptions="People read texts")
    card = fresh(idea)
    services.archive_card(card, expected_version=card.version, user=team)
    services.restore_card(fresh(idea), user=team)
    db.session.commit()
    events = db.session.scalars(select(CardEvent).where(CardEvent.card_id == idea.id).order_by(CardEvent.id)).all()
    return idea, other, action, update, [(e.kind, e.from_column, e.to_column, e.payload, history.describe(e))
                                         for e in events]


def test_every_kind_is_written_by_its_service_and_read_in_words(world):
    idea, other, action, update, events = script(world)
    assert events == [
        (CardEventKind.CREATED, None, B, {}, "Created in Backlog (not started)"),
        (CardEventKind.EDITED, None, None, {"fields": ["title", "priority", "owners"]},
         "Changed title, priority, owners"),
        (CardEventKind.MOVED, B, C, {}, "Moved from Backlog (not started) to Concept development"),
        (CardEventKind.MOVED, C, P, {}, "Moved from Concept development to Prototyping"),
        (CardEventKind.REORDERED, P, P, {"position": 2}, "Moved to position 2 in Prototyping"),
        (CardEventKind.PUT_ON_HOLD, P, H, {}, "Moved from Prototyping to On hold"),
        (CardEventKind.MOVED, H, P, {}, "Moved from On hold to Prototyping"),
        (CardEventKind.COMPLETED, P, D, {}, "Moved from Prototyping to Completed"),
        (CardEventKind.ACTION_ADDED, None, None, {"action_id": action.id, "text": "Ask the SMS supplier"},
         "Added action: Ask the SMS supplier"),
        (CardEventKind.ACTION_EDITED, None, None, {"action_id": action.id, "text": "Ask the SMS supplier"},
         "Changed action: Ask the SMS supplier"),
        (CardEventKind.ACTION_DONE, None, None, {"action_id": action.id, "text": "Ask two SMS suppliers"},
         "Marked action done: Ask two SMS suppliers"),
        (CardEventKind.ACTION_REOPENED, None, None, {"action_id": action.id, "text": "Ask two SMS suppliers"},
         "Marked action not done: Ask two SMS suppliers"),
        (CardEventKind.ACTION_ARCHIVED, None, None, {"action_id": action.id, "text": "Ask two SMS suppliers"},
         "Archived action: Ask two SMS suppliers"),
        (CardEventKind.ACTION_RESTORED, None, None, {"action_id": action.id, "text": "Ask two SMS suppliers"},
         "Restored action: Ask two SMS suppliers"),
        (CardEventKind.UPDATE_ADDED, None, None, {"update_id": update.id, "on": "2026-01-05"},
         "Added a progress update"),
        (CardEventKind.UPDATE_ARCHIVED, None, None, {"update_id": update.id, "on": "2026-01-05"},
         "Archived the progress update of 5 January 2026"),
        (CardEventKind.UPDATE_RESTORED, None, None, {"update_id": update.id, "on": "2026-01-05"},
         "Restored the progress update of 5 January 2026"),
        (CardEventKind.LINKED, None, None, {"card_id": other.id, "code": "1", "title": "Make letters friendlier"},
         "Linked to 1 Make letters friendlier"),
        (CardEventKind.UNLINKED, None, None, {"card_id": other.id, "code": "1", "title": "Make letters friendlier"},
         "Removed link to 1 Make letters friendlier"),
        (CardEventKind.SHEET_UPDATED, None, None, {}, "Updated the concept capture sheet"),
        (CardEventKind.PLAN_UPDATED, None, None, {}, "Updated the prototyping plan"),
        (CardEventKind.ARCHIVED, D, None, {}, "Archived"),
        (CardEventKind.RESTORED, None, D, {}, "Restored from the archive"),
    ]
    assert {kind for kind, *_ in events} == set(CardEventKind) - {CardEventKind.NOTE}
    # The other card of a link has the event too, naming this one by its code then.
    assert (latest(other).kind, latest(other).payload) == (
        CardEventKind.LINKED, {"card_id": idea.id, "code": "1.2", "title": "Text message reminders"})


def test_words_are_made_when_shown_from_what_was_true_then(world):
    two = factories.make_card(world.org_a, "Two")
    services.link_cards(fresh(world.card_a), fresh(two), user=None)
    db.session.commit()
    fresh(two).title = "Renamed since"
    db.session.commit()
    assert latest(world.card_a).summary == "Linked to 2 Two"
    # Every field a card's edit can name has its words.
    assert set(history.FIELD_LABELS) == set(services.CARD_FIELDS) | {"owners", "initiatives"}


def test_an_old_sentence_kept_as_a_note_reads_as_stored(world):
    db.session.add(CardEvent(card=world.card_a, kind=CardEventKind.NOTE, note="Moved by the old import"))
    db.session.commit()
    assert latest(world.card_a).summary == "Moved by the old import"
    assert history.describe(CardEvent(kind=CardEventKind.NOTE, payload={})) == ""


def test_events_take_their_time_from_the_clock(world):
    with clock.frozen(datetime(2026, 3, 2, 9, 30)):
        move(world.card_a, P)
    assert latest(world.card_a).at_dt == datetime(2026, 3, 2, 9, 30)


def test_the_card_page_and_the_stale_warning_show_the_words(app, world, login):
    move(world.card_a, P, user=world.team_a)
    client = login(app.test_client(), world.team_a)
    page = client.get(f"/cards/{world.card_a.id}").get_data(as_text=True)
    assert "Team A: Moved from Backlog (not started) to Prototyping" in page
    stale = client.post(f"/cards/{world.card_a.id}/edit", data={"title": "x", "kind": "quick_win",
                                                                "priority": "low", "version": "0"})
    assert stale.status_code == 409
    assert "Moved from Backlog (not started) to Prototyping – Team A" in stale.get_data(as_text=True)


def quarter(world):
    """Moves and completions before and after 1 March 2026, in both organisations."""
    org = world.org_a
    early, late, held = (factories.make_card(org, title, column=P) for title in ("Early", "Late", "Held"))
    direct = factories.make_card(org, "From concept", column=C)
    elsewhere = factories.make_card(world.org_b, "Elsewhere", column=P)
    with clock.frozen(datetime(2026, 2, 20, 12)):
        move(early, D)
    with clock.frozen(datetime(2026, 3, 1, 0, 0)):  # the first moment counts
        move(late, D)
    with clock.frozen(datetime(2026, 3, 5, 10)):
        move(held, H)
        move(direct, D)
        move(elsewhere, D)
        move(world.idea_a, C)
    return early, late, held, direct, elsewhere


def test_events_since_finds_moves_from_one_column_to_another_since_a_date(world):
    early, late, held, direct, elsewhere = quarter(world)
    since = datetime(2026, 3, 1)
    found = history.events_since(world.org_a, since, kinds=[CardEventKind.COMPLETED], from_column=P)
    assert [(e.card.title, e.from_column, e.to_column) for e in found] == [("Late", P, D)]
    completed = history.events_since(world.org_a, since, kinds=[CardEventKind.COMPLETED])
    assert [e.card.title for e in completed] == ["Late", "From concept"]
    moves = history.events_since(world.org_a, since, kinds=history.MOVES)
    assert [(e.card.code, e.kind) for e in moves] == [
        ("3", CardEventKind.COMPLETED), ("4", CardEventKind.PUT_ON_HOLD), ("5", CardEventKind.COMPLETED),
        ("1.1", CardEventKind.MOVED)]
    assert [e.card.title for e in history.events_since(world.org_a, since, to_column=H)] == ["Held"]
    assert [e.card.title for e in history.events_since(world.org_a, datetime(2026, 2, 1),
                                                       until=since, kinds=history.MOVES)] == ["Early"]
    by_ids = history.events_since([early.id, elsewhere.id], datetime(2026, 2, 1), kinds=history.MOVES)
    assert [e.card.title for e in by_ids] == ["Early", "Elsewhere"]
    assert history.events_since([], since) == []


def test_events_since_costs_one_statement_however_many_cards(world):
    quarter(world)

    def cost() -> int:
        db.session.expire_all()
        org = db.session.get(Organisation, world.org_a.id)
        with counting() as seen:
            found = history.events_since(org, datetime(2026, 1, 1))
            words = [(e.card.code, e.user.name if e.user else "", history.describe(e)) for e in found]
        assert words
        return len(seen)

    before = cost()
    for n in range(12):
        card = factories.make_card(world.org_a, f"Card {n}", kind=Kind.IDEA, opportunity=world.opportunity_a,
                                   user=world.team_a)
        with clock.frozen(datetime(2026, 3, 10)):
            move(card, P, user=world.team_a)
    assert before == cost() == 1
