"""Archived work stays out of every place live work is shown, counted, picked or linked; team ownership is
a filter like any owner; refusals read right."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from tests import factories
from tests.board.test_services import fresh
from tracker.board import queries, services
from tracker.board.models import Action, Kind
from tracker.extensions import db
from tracker.results import services as results
from tracker.results.models import Direction, Unit


def _archive_card(card):
    services.archive_card(fresh(card), expected_version=fresh(card).version, user=None)
    db.session.commit()


def test_the_overview_leaves_out_the_ideas_of_an_archived_opportunity(client, world, login):
    services.archive_opportunity(world.opportunity_a)
    db.session.commit()
    login(client, world.team_a)
    text = client.get(f"/programmes/{world.programme.slug}/{world.org_a.slug}/").get_data(as_text=True)
    assert "0 design opportunities, 0 ideas, concepts and prototypes" in text


def test_archived_cards_cannot_be_picked_or_linked(client, world, login):
    spare = factories.make_card(world.org_a, "Spare quick win")
    _archive_card(spare)
    login(client, world.team_a)
    page = client.get(f"/cards/{world.card_a.id}").get_data(as_text=True)
    assert "Spare quick win" not in page
    response = client.post(f"/cards/{world.card_a.id}/links", data={"other": str(spare.id)})
    assert response.status_code == 422
    assert fresh(world.card_a).related == []


def test_an_archived_related_card_is_marked_and_left_out_of_the_quick_wins_log(world):
    other = factories.make_card(world.org_a, "Linked quick win")
    services.link_cards(fresh(world.card_a), fresh(other), user=None)
    db.session.commit()
    _archive_card(other)
    db.session.expire_all()
    assert [c.related for c in queries.quick_wins(world.org_a)] == [[]]


def test_the_indicator_page_lists_only_cards_on_the_board(client, world, login):
    programme = world.programme
    programme.start_date = services.today() - timedelta(days=40)
    objective = results.create_objective(programme, "Reduce fall-out")
    outcome = results.create_outcome(objective, "Fewer households fall out")
    indicator = results.create_indicator(outcome, name="Households helped", unit=Unit.COUNT,
                                         direction=Direction.INCREASE, target=Decimal("10"))
    results.set_card_indicators(world.card_a, [indicator])
    results.set_card_indicators(world.idea_a, [indicator])
    db.session.commit()
    _archive_card(world.card_a)
    services.archive_opportunity(world.opportunity_a)
    db.session.commit()
    login(client, world.team_a)
    text = client.get(f"/indicators/{indicator.id}").get_data(as_text=True)
    assert world.card_a.title not in text and world.idea_a.title not in text


def test_no_idea_is_added_to_an_archived_opportunity(client, world, login):
    services.archive_opportunity(world.opportunity_a)
    db.session.commit()
    login(client, world.team_a)
    url = f"/programmes/{world.programme.slug}/{world.org_a.slug}/cards/new?opportunity={world.opportunity_a.id}"
    response = client.post(url, data={"title": "Lost idea", "kind": Kind.IDEA.value, "priority": "low"})
    assert response.status_code == 409
    assert "is archived: restore it before adding ideas to it" in response.get_data(as_text=True)
    assert "Add an idea" not in client.get(f"/opportunities/{world.opportunity_a.id}").get_data(as_text=True)


def test_the_board_filters_cards_the_project_team_owns(client, world, login):
    services.create_card(world.org_a, kind=Kind.QUICK_WIN, title="Team job", user=None, team_owned=True)
    db.session.commit()
    filters = queries.Filters.from_args({"owner": "team"})
    assert filters.team and filters.active and filters.as_args() == {"owner": "team"}
    lanes = queries.board_lanes(world.org_a, filters, services.today())
    assert [c.title for lane in lanes for cards in lane.cells.values() for c in cards] == ["Team job"]
    login(client, world.team_a)
    page = client.get(f"/programmes/{world.programme.slug}/{world.org_a.slug}/roadmap?owner=team")
    assert '<option value="team" selected>The project team</option>' in page.get_data(as_text=True)


def test_a_move_in_a_lane_archived_meanwhile_reloads_the_board(client, world, login):
    idea = fresh(world.idea_a)
    version = idea.version
    services.archive_opportunity(world.opportunity_a)
    db.session.commit()
    login(client, world.team_a)
    response = client.post(f"/cards/{idea.id}/move", data={"column": "concept", "version": str(version)},
                           headers={"HX-Request": "true"})
    assert response.status_code == 409
    assert response.headers["HX-Redirect"] == f"/programmes/{world.programme.slug}/{world.org_a.slug}/roadmap"
    board = client.get(response.headers["HX-Redirect"]).get_data(as_text=True)
    assert "is archived: restore it before moving it" in board


def test_refusals_say_what_happened(client, world, login):
    login(client, world.team_a)
    card = fresh(world.card_a)
    response = client.post(f"/cards/{card.id}/move", data={"column": "concept", "version": "x"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was moved" in text and "changed by someone else" not in text
    old = card.version
    services.move_card(card, column=services.RoadmapColumn.CONCEPT, expected_version=old, user=None)
    db.session.commit()
    response = client.post(f"/cards/{card.id}/archive", data={"version": str(old)})
    text = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Nothing was archived" in text and "Nothing was moved" not in text
    assert client.post(f"/cards/{card.id}/archive", data={"version": "x"}).status_code == 422


def test_an_action_form_shown_again_with_errors_keeps_the_version_first_seen(client, world, login):
    action = db.session.scalar(select(Action).where(Action.card_id == world.card_a.id))
    first = action.version
    services.update_action(action, expected_version=first, text="Changed by someone else", owner=None,
                           due_on=None, user=None)
    db.session.commit()
    login(client, world.team_a)
    response = client.post(f"/actions/{action.id}/edit", data={"version": str(first), "text": " ", "owner": ""})
    assert response.status_code == 422
    assert f'name="version" value="{first}"' in response.get_data(as_text=True)
    response = client.post(f"/actions/{action.id}/edit", data={"version": str(first), "text": "Mine", "owner": ""})
    assert response.status_code == 409
