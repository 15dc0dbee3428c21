"""Rules of the board: numbering, moves and positions, completion dates, stale edits, links, history."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tracker.board import services
from tracker.board.models import Card, ConceptSheet, Kind, Priority, PrototypePlan, RoadmapColumn
from tracker.extensions import db

B, C, P, H, D = (RoadmapColumn.BACKLOG, RoadmapColumn.CONCEPT, RoadmapColumn.PROTOTYPING, RoadmapColumn.ON_HOLD,
                 RoadmapColumn.COMPLETED)


def cell(org, opportunity, column) -> list[str]:
    """Titles in one (lane, column) cell, in board order; also checks positions are dense (archived cards hold
    no place)."""
    cards = db.session.scalars(
        select(Card).where(Card.organisation_id == org.id, Card.opportunity_id == (opportunity.id if opportunity
                                                                                   else None)
                           if opportunity else Card.opportunity_id.is_(None), Card.column == column,
                           Card.archived_dt.is_(None))
        .order_by(Card.position)).all()
    assert [c.position for c in cards] == list(range(len(cards))), "positions must be 0..n-1"
    return [c.title for c in cards]


def fresh(card: Card) -> Card:
    db.session.expire_all()
    return db.session.get(Card, card.id)


def move(card, column, after=None, user=None):
    result = services.move_card(fresh(card), column=column, expected_version=fresh(card).version, user=user,
                                after_id=after)
    db.session.commit()
    return result


def test_quick_wins_and_ideas_are_numbered_in_their_lane(world):
    org = world.org_a
    second = factories.make_card(org, "Second quick win")
    assert (world.card_a.code, second.code) == ("1", "2")
    idea2 = factories.make_card(org, "Another idea", kind=Kind.IDEA, opportunity=world.opportunity_a)
    assert (world.idea_a.code, idea2.code) == ("1.1", "1.2")
    opp2 = factories.make_opportunity(org, "How might we prevent homelessness?")
    assert opp2.number == 2
    assert factories.make_card(org, "First under 2", kind=Kind.IDEA, opportunity=opp2).code == "2.1"
    # Numbers are per organisation.
    assert world.card_b.code == "1"


def test_a_quick_win_cannot_sit_under_an_opportunity_nor_an_idea_outside_one(world):
    with pytest.raises(services.BoardError):
        services.create_card(world.org_a, kind=Kind.QUICK_WIN, opportunity=world.opportunity_a, title="x", user=None)
    with pytest.raises(services.BoardError):
        services.create_card(world.org_a, kind=Kind.IDEA, opportunity=None, title="x", user=None)
    with pytest.raises(services.BoardError):
        services.create_card(world.org_a, kind=Kind.IDEA, opportunity=world.opportunity_b, title="x", user=None)


def test_new_cards_go_to_the_bottom_of_the_backlog(world):
    org = world.org_a
    factories.make_card(org, "Two")
    factories.make_card(org, "Three")
    assert cell(org, None, B) == ["Make letters friendlier", "Two", "Three"]


def test_move_to_another_column_appends_and_closes_the_gap(world):
    org = world.org_a
    two, three = factories.make_card(org, "Two"), factories.make_card(org, "Three")
    result = move(two, P)
    assert result.moved and "Prototyping" in result.message and "position 1 of 1" in result.message
    assert cell(org, None, B) == ["Make letters friendlier", "Three"]
    assert cell(org, None, P) == ["Two"]
    move(three, P)
    assert cell(org, None, P) == ["Two", "Three"]


def test_move_to_the_top_and_after_a_card(world):
    org = world.org_a
    cards = [factories.make_card(org, t, column=P) for t in ("P1", "P2", "P3")]
    move(world.card_a, P, after=0)
    assert cell(org, None, P) == ["Make letters friendlier", "P1", "P2", "P3"]
    move(world.card_a, P, after=cards[1].id)  # within the column, downwards
    assert cell(org, None, P) == ["P1", "P2", "Make letters friendlier", "P3"]
    move(cards[2], P, after=0)  # within the column, to the top
    assert cell(org, None, P) == ["P3", "P1", "P2", "Make letters friendlier"]
    move(cards[1], P, after=cards[2].id)  # upwards
    assert cell(org, None, P) == ["P3", "P2", "P1", "Make letters friendlier"]
    move(cards[0], B, after=world.card_a.id) if False else None
    move(cards[0], B, after=0)
    assert cell(org, None, B) == ["P1"]
    assert cell(org, None, P) == ["P3", "P2", "Make letters friendlier"]


def test_a_move_to_the_same_place_changes_nothing(world):
    before = fresh(world.card_a).version
    result = move(world.card_a, B)
    assert not result.moved
    assert fresh(world.card_a).version == before
    assert cell(world.org_a, None, B) == ["Make letters friendlier"]


def test_after_must_name_a_card_in_the_same_lane_and_column(world):
    org = world.org_a
    other = factories.make_card(org, "Elsewhere", column=C)
    for after in (other.id, world.idea_a.id, world.card_b.id, 999999):
        card = fresh(world.card_a)
        with pytest.raises(services.BoardError):
            services.move_card(card, column=P, expected_version=card.version, user=None, after_id=after)
        db.session.rollback()
    assert cell(org, None, B) == ["Make letters friendlier"]


def test_moves_stay_within_the_cards_lane(world):
    move(world.idea_a, P)
    assert cell(world.org_a, world.opportunity_a, P) == ["Regular feedback"]
    assert cell(world.org_a, None, P) == []


def test_completed_records_the_date_and_leaving_clears_it(world):
    move(world.card_a, D)
    assert fresh(world.card_a).completed_on == services.today()
    move(world.card_a, D, after=0)  # reordering inside Completed keeps the date
    assert fresh(world.card_a).completed_on == services.today()
    move(world.card_a, H)
    assert fresh(world.card_a).completed_on is None


def test_a_stale_move_is_refused_and_changes_nothing(world):
    card = fresh(world.card_a)
    old_version = card.version
    move(card, P)  # someone else moves it first
    card = fresh(world.card_a)
    with pytest.raises(services.StaleCard) as error:
        services.move_card(card, column=D, expected_version=old_version, user=None)
    db.session.rollback()
    assert error.value.card.column == P
    assert fresh(world.card_a).column == P and fresh(world.card_a).completed_on is None


def test_a_stale_edit_is_refused(world):
    card = fresh(world.card_a)
    seen = card.version
    services.update_card(card, expected_version=seen, user=world.team_a, owners=[], initiatives=[], title="First")
    db.session.commit()
    card = fresh(world.card_a)
    with pytest.raises(services.StaleCard):
        services.update_card(card, expected_version=seen, user=world.team_b, owners=[], initiatives=[],
                             title="Second")
    db.session.rollback()
    assert fresh(world.card_a).title == "First"


def test_moving_other_cards_does_not_make_a_card_stale(world):
    org = world.org_a
    two = factories.make_card(org, "Two")
    seen = fresh(two).version
    move(world.card_a, P)  # shifts Two's position
    assert fresh(two).position == 0
    assert fresh(two).version == seen


def test_edit_records_what_changed_in_the_history(world):
    card = fresh(world.card_a)
    changed = services.update_card(card, expected_version=card.version, user=world.team_a,
                                   owners=[world.team_a], initiatives=[], title="New title",
                                   priority=Priority.HIGH, description=card.description)
    db.session.commit()
    assert set(changed) == {"title", "priority", "owners"}
    assert "Changed title, priority, owners" in fresh(world.card_a).events[0].summary
    assert fresh(world.card_a).events[0].user.id == world.team_a.id


def test_a_quick_win_cannot_turn_into_an_idea(world):
    card = fresh(world.card_a)
    with pytest.raises(services.BoardError):
        services.update_card(card, expected_version=card.version, user=None, owners=[], initiatives=[],
                             kind=Kind.IDEA)


def test_links_are_symmetric_and_stay_within_the_organisation(world):
    org = world.org_a
    two = factories.make_card(org, "Two")
    services.link_cards(fresh(world.card_a), fresh(two), user=None)
    db.session.commit()
    assert [c.title for c in fresh(two).related] == ["Make letters friendlier"]
    with pytest.raises(services.BoardError):
        services.link_cards(fresh(world.card_a), fresh(world.card_b), user=None)
    with pytest.raises(services.BoardError):
        services.link_cards(fresh(world.card_a), fresh(world.card_a), user=None)
    services.unlink_cards(fresh(two), fresh(world.card_a), user=None)
    db.session.commit()
    assert fresh(world.card_a).related == []


def test_progress_updates_cannot_be_dated_in_the_future(world):
    with pytest.raises(services.BoardError):
        services.add_progress_update(fresh(world.card_a), on=services.today() + timedelta(days=1), body="x",
                                     user=None)
    entry = services.add_progress_update(fresh(world.card_a), on=date(2026, 1, 5), body="Met", user=None)
    assert entry.id


def test_actions_overdue_and_done(world):
    card = fresh(world.card_a)
    action = card.actions[0]
    assert action.is_overdue(date(2026, 2, 2)) and not action.is_overdue(date(2026, 2, 1))
    services.set_action_done(action, done=True, user=world.team_a)
    assert not action.is_overdue(date(2027, 1, 1))
    assert "Marked action done" in card.events[0].summary


def test_sheets_are_saved_and_stale_sheets_refused(world):
    card = fresh(world.idea_a)
    seen = card.version
    services.save_sheet(card, ConceptSheet, expected_version=seen, user=None, name="Partnerships",
                        how_it_works="Meet monthly")
    db.session.commit()
    card = fresh(world.idea_a)
    assert card.concept_sheet.name == "Partnerships" and card.version == seen + 1
    with pytest.raises(services.StaleCard):
        services.save_sheet(card, PrototypePlan, expected_version=seen, user=None, assumptions="x")
    db.session.rollback()
    assert fresh(world.idea_a).prototype_plan is None


def test_windows_line_endings_do_not_count_as_a_change(world):
    card = fresh(world.card_a)
    services.update_card(card, expected_version=card.version, user=None, owners=[], initiatives=[],
                         description="One\nTwo")
    db.session.commit()
    card = fresh(world.card_a)
    version = card.version
    changed = services.update_card(card, expected_version=version, user=None, owners=[], initiatives=[],
                                   description="One\r\nTwo")
    assert changed == [] and fresh(world.card_a).version == version
