"""Archiving and restoring, changing actions, team ownership and moves to a chosen position."""

from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.board.test_services import B, C, cell, fresh
from tracker.board import queries, services
from tracker.board.models import Action, Card, Kind, ProgressUpdate
from tracker.extensions import db


def titles(lanes) -> dict:
    return {lane.dom_id: {column.value: [card.title for card in cards] for column, cards in lane.cells.items() if cards}
            for lane in lanes}


def board(org):
    return titles(queries.board_lanes(org, queries.Filters(), services.today()))


def test_an_archived_card_leaves_the_board_and_the_cards_below_move_up(world):
    org = world.org_a
    second = factories.make_card(org, "Second")
    factories.make_card(org, "Third")
    services.archive_card(fresh(second), expected_version=fresh(second).version, user=world.team_a)
    db.session.commit()
    assert cell(org, None, B) == ["Make letters friendlier", "Third"]
    assert "Second" not in str(board(org))
    assert fresh(second).events[0].summary == "Archived"
    assert [c.title for c in queries.quick_wins(org)] == ["Make letters friendlier", "Third"]
    archived_cards, _opps = queries.archived(org)
    assert [c.title for c in archived_cards] == ["Second"]


def test_a_restored_card_goes_back_to_the_bottom_of_its_column(world):
    org = world.org_a
    second = factories.make_card(org, "Second")
    services.archive_card(fresh(second), expected_version=fresh(second).version, user=None)
    factories.make_card(org, "Third")
    services.restore_card(fresh(second), user=world.team_a)
    db.session.commit()
    assert cell(org, None, B) == ["Make letters friendlier", "Third", "Second"]
    assert fresh(second).archived_dt is None
    assert fresh(second).events[0].summary == "Restored from the archive"


def test_archiving_from_an_older_version_is_refused(world):
    card = fresh(world.card_a)
    version = card.version
    services.move_card(card, column=C, expected_version=version, user=None)
    db.session.commit()
    with pytest.raises(services.StaleCard):
        services.archive_card(fresh(card), expected_version=version, user=None)


def test_an_archived_card_cannot_be_moved(world):
    card = fresh(world.card_a)
    services.archive_card(card, expected_version=card.version, user=None)
    db.session.commit()
    with pytest.raises(services.BoardError):
        services.move_card(fresh(card), column=C, expected_version=fresh(card).version, user=None)


def test_an_archived_opportunity_takes_its_lane_off_the_board_and_the_plans(world):
    org = world.org_a
    services.archive_opportunity(world.opportunity_a)
    db.session.commit()
    assert set(board(org)) == {"lane-quick-wins"}
    assert queries.opportunities_with_ideas(org) == []
    with pytest.raises(services.BoardError):
        services.move_card(fresh(world.idea_a), column=C, expected_version=fresh(world.idea_a).version, user=None)
    services.restore_opportunity(world.opportunity_a)
    db.session.commit()
    assert board(org)[f"lane-{world.opportunity_a.id}"] == {"backlog": ["Regular feedback"]}


def test_archived_actions_are_not_overdue_and_can_be_restored(world):
    action = db.session.scalar(select(Action).where(Action.card_id == world.card_a.id))
    today = date(2026, 6, 1)  # after its due date
    assert queries.board_lanes(world.org_a, queries.Filters(overdue=True), today)[0].count == 1
    services.set_archived(action, archived=True, user=world.team_a)
    db.session.commit()
    assert queries.board_lanes(world.org_a, queries.Filters(overdue=True), today)[0].count == 0
    assert fresh(world.card_a).events[0].summary == "Archived action: Draft new letter"
    services.set_archived(action, archived=False, user=world.team_a)
    db.session.commit()
    assert queries.board_lanes(world.org_a, queries.Filters(overdue=True), today)[0].count == 1


def test_progress_updates_are_archived_and_restored_with_the_history(world):
    entry = services.add_progress_update(fresh(world.card_a), on=date(2026, 1, 5), body="Met CAB", user=None)
    db.session.commit()
    services.set_archived(entry, archived=True, user=world.team_a)
    db.session.commit()
    assert db.session.get(ProgressUpdate, entry.id).archived_dt is not None
    assert fresh(world.card_a).events[0].summary == "Archived the progress update of 5 January 2026"
    assert queries.quick_wins(world.org_a)[0].updates == []
    services.set_archived(entry, archived=False, user=world.team_a)
    db.session.commit()
    assert fresh(world.card_a).events[0].summary == "Restored the progress update of 5 January 2026"


def test_an_action_is_changed_from_its_version_only(world):
    action = db.session.scalar(select(Action).where(Action.card_id == world.card_a.id))
    version = action.version
    assert services.update_action(action, expected_version=version, text="Draft the letter", owner=None,
                                  due_on=date(2026, 3, 1), user=world.team_a)
    db.session.commit()
    assert action.version == version + 1 and action.owner_id is None
    assert fresh(world.card_a).events[0].summary == "Changed action: Draft new letter"
    with pytest.raises(services.StaleAction):
        services.update_action(action, expected_version=version, text="Older", owner=None, due_on=None, user=None)
    db.session.rollback()
    # Saving the same values again changes nothing (and keeps the version).
    assert not services.update_action(action, expected_version=version + 1, text="Draft the letter", owner=None,
                                      due_on=date(2026, 3, 1), user=None)


def test_a_card_owned_by_the_project_team_says_so_on_the_board(world):
    card = services.create_card(world.org_a, kind=Kind.QUICK_WIN, title="Team job", user=None, team_owned=True,
                                owners=[world.team_a])
    db.session.commit()
    lane = queries.board_lanes(world.org_a, queries.Filters(), services.today())[0]
    shown = next(c for c in lane.cells[B] if c.id == card.id)
    assert shown.owners == ["The project team", "Team A"]
    changed = services.update_card(fresh(card), expected_version=card.version, user=None, owners=[],
                                   initiatives=[], team_owned=False)
    assert changed == ["owners"]
    assert not fresh(card).team_owned


@pytest.mark.parametrize(("position", "expected"), [
    (1, ["Moved", "Make letters friendlier", "Second"]), (2, ["Make letters friendlier", "Moved", "Second"]),
    (3, ["Make letters friendlier", "Second", "Moved"]), (99, ["Make letters friendlier", "Second", "Moved"]),
    (0, ["Moved", "Make letters friendlier", "Second"])])
def test_a_card_moves_to_a_chosen_position(world, position, expected):
    org = world.org_a
    factories.make_card(org, "Second")
    moved = factories.make_card(org, "Moved", column=C)
    services.move_card(fresh(moved), column=B, expected_version=fresh(moved).version, user=None, position=position)
    db.session.commit()
    assert cell(org, None, B) == expected
    assert cell(org, None, C) == []


def test_a_card_moves_up_within_its_column_by_position(world):
    org = world.org_a
    factories.make_card(org, "Second")
    third = factories.make_card(org, "Third")
    result = services.move_card(fresh(third), column=B, expected_version=fresh(third).version, user=None, position=1)
    db.session.commit()
    assert cell(org, None, B) == ["Third", "Make letters friendlier", "Second"]
    assert result.message == "3 Third moved to Backlog (not started), position 1 of 3"
    assert db.session.scalar(select(Card.position).where(Card.id == third.id)) == 0
