"""The board's read model: what each card shows, in a fixed number of statements."""

from datetime import date

from sqlalchemy import event

from tests import factories
from tracker.board import queries
from tracker.extensions import db
from tracker.programmes import services as programmes

TODAY = date(2026, 3, 1)


def board_cards(org) -> dict[str, queries.BoardCard]:
    lanes = queries.board_lanes(org, queries.Filters(), TODAY)
    return {card.title: card for lane in lanes for cards in lane.cells.values() for card in cards}


def statements(org) -> int:
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        db.session.expire_all()
        queries.board_lanes(org, queries.Filters(), TODAY)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def test_board_cards_carry_their_owners_and_linked_initiatives_in_name_order(world):
    rrtps = programmes.add_initiative(world.programme, "RRTPs")
    hsg = programmes.add_initiative(world.programme, "HSG needs assessment")
    world.card_a.initiatives = [rrtps, hsg]
    world.card_a.owners = [world.team_a, world.facilitator]
    world.idea_a.initiatives = [rrtps]
    db.session.commit()

    cards = board_cards(world.org_a)
    letters, feedback = cards["Make letters friendlier"], cards["Regular feedback"]
    assert letters.initiatives == ["HSG needs assessment", "RRTPs"]
    assert letters.owners[-2:] == ["Fran Facilitator", "Team A"]
    assert (feedback.initiatives, feedback.owners) == (["RRTPs"], [])
    # Another organisation's card linked to the same initiative is not on this board.
    world.card_b.initiatives = [rrtps]
    db.session.commit()
    assert set(board_cards(world.org_a)) == {"Make letters friendlier", "Regular feedback"}


def test_the_board_costs_the_same_statements_with_more_cards_owners_and_initiatives(world):
    before = statements(world.org_a)
    initiatives = [programmes.add_initiative(world.programme, f"Initiative {n}") for n in range(3)]
    for n in range(6):
        card = factories.make_card(world.org_a, f"Card {n}", user=world.team_a)
        card.initiatives = initiatives[: n % 3 + 1]
        card.owners = [world.team_a]
    db.session.commit()
    assert statements(world.org_a) == before
