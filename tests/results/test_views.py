"""Results pages through HTTP: the tracker, figure entry, outputs, card links and the board filter."""

from datetime import date
from decimal import Decimal

import pytest

from tests import factories
from tracker.board import services as board_services
from tracker.extensions import db
from tracker.results import services
from tracker.results.models import Direction, Figure, Unit

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setattr(board_services, "today", lambda: TODAY)
    monkeypatch.setattr("tracker.results.views.today", lambda: TODAY)


@pytest.fixture
def indicator(world):
    objective = services.create_objective(world.programme, "Reduce fall-out")
    outcome = services.create_outcome(objective, "Fewer households fall out")
    indicator = services.create_indicator(outcome, name="Share falling out", unit=Unit.PROPORTION,
                                          numerator_label="fell out", denominator_label="households",
                                          direction=Direction.DECREASE, target=Decimal("12"))
    services.create_output(outcome, description="Narrative report", due_days_after_period=14)
    db.session.commit()
    return indicator


def figure_url(indicator, org, period):
    return f"/indicators/{indicator.id}/figures/{org.slug}/{period}"


def test_team_member_enters_a_figure_and_sees_it_across_all(client, world, login, indicator):
    login(client, world.team_a)
    response = client.post(figure_url(indicator, world.org_a, 1),
                           data={"numerator": "10", "denominator": "100", "is_testing_phase": "y", "source": "CMS"})
    assert response.status_code == 302
    login(client, world.team_b)
    client.post(figure_url(indicator, world.org_b, 1), data={"numerator": "30", "denominator": "100"})
    page = client.get(f"/programmes/{world.programme.slug}/results").get_data(as_text=True)
    assert "20.0% (40/200)" in page  # pooled across both organisations
    assert "2 of 2 reported" in page
    assert "30.0% (30/100)" in page  # team B's own figure
    assert "10.0% (10/100)" not in page  # team A's own figure is not shown to team B
    assert "Off track" in page  # 20% against a 12% target where lower is better


def test_invalid_figures_get_form_errors_and_nothing_is_written(client, world, login, indicator):
    login(client, world.team_a)
    response = client.post(figure_url(indicator, world.org_a, 1), data={"numerator": "30", "denominator": "20"})
    assert response.status_code == 422
    assert "The numerator cannot be more than the denominator" in response.get_data(as_text=True)
    response = client.post(figure_url(indicator, world.org_a, 3), data={"numerator": "1", "denominator": "2"})
    assert response.status_code == 422
    assert "has not started yet" in response.get_data(as_text=True)
    assert db.session.query(Figure).count() == 0


def test_a_stale_figure_is_refused_with_the_current_value(client, world, login, indicator):
    login(client, world.team_a)
    client.post(figure_url(indicator, world.org_a, 1), data={"numerator": "1", "denominator": "10"})
    version = db.session.query(Figure).one().version
    client.post(figure_url(indicator, world.org_a, 1), data={"numerator": "2", "denominator": "10",
                                                              "version": version})
    response = client.post(figure_url(indicator, world.org_a, 1), data={"numerator": "3", "denominator": "10",
                                                                         "version": version})
    assert response.status_code == 409
    assert "This figure was changed by someone else" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.query(Figure).one().numerator == Decimal("2")


def test_who_may_enter_figures(client, world, login, indicator):
    url = figure_url(indicator, world.org_b, 1)
    data = {"numerator": "1", "denominator": "2"}
    for user, status in ((world.team_a, 404), (world.viewer, 403), (world.viewer_b, 403), (world.outsider, 404)):
        login(client, user)
        assert client.post(url, data=data).status_code == status, user.name
    assert db.session.query(Figure).count() == 0
    login(client, world.facilitator)
    assert client.post(url, data=data).status_code == 302
    assert client.get(url).status_code == 200


def test_outputs_are_marked_received_by_facilitators(client, world, login, indicator):
    output = indicator.outcome.outputs[0]
    url = f"/outputs/{output.id}/received/{world.org_a.slug}/1"
    login(client, world.team_a)
    assert client.post(url, data={"received": "1"}).status_code == 403
    login(client, world.facilitator)
    assert client.post(url, data={"received": "1"}).status_code == 302
    page = client.get(f"/programmes/{world.programme.slug}/results?organisation={world.org_a.slug}")
    assert "Received" in page.get_data(as_text=True)


def test_cards_link_to_indicators_and_the_board_filters_by_them(client, world, login, indicator):
    login(client, world.team_a)
    response = client.post(f"/cards/{world.card_a.id}/indicators", data={"indicators": [str(indicator.id)]})
    assert response.status_code == 302
    page = client.get(f"/indicators/{indicator.id}").get_data(as_text=True)
    assert "Make letters friendlier" in page and "Backlog (not started)" in page
    board = client.get(f"/programmes/{world.programme.slug}/{world.org_a.slug}/roadmap?indicator={indicator.id}")
    text = board.get_data(as_text=True)
    assert "Make letters friendlier" in text and "Regular feedback" not in text
    # Another organisation's card cannot be linked by this team member.
    assert client.post(f"/cards/{world.card_b.id}/indicators",
                       data={"indicators": [str(indicator.id)]}).status_code == 404


def test_framework_set_up_by_facilitators_only(client, world, login):
    url = f"/programmes/{world.programme.slug}/results/framework"
    login(client, world.team_a)
    assert client.get(url).status_code == 200
    assert client.post(url, data={"title": "Nope"}).status_code == 403
    login(client, world.facilitator)
    assert client.post(url, data={"title": "Reduce fall-out"}).status_code == 302
    objective_id = db.session.execute(db.text("select id from objective")).scalar()
    assert client.post(f"/objectives/{objective_id}/outcomes/new", data={"title": "Fewer"}).status_code == 302
    outcome_id = db.session.execute(db.text("select id from outcome")).scalar()
    response = client.post(f"/outcomes/{outcome_id}/indicators/new", data={
        "name": "Households helped", "unit": "count", "direction": "increase", "target": "100"})
    assert response.status_code == 302
    response = client.post(f"/outcomes/{outcome_id}/indicators/new", data={
        "name": "Share", "unit": "proportion", "direction": "decrease"})
    assert response.status_code == 200
    assert "Say what the numerator and the denominator count" in response.get_data(as_text=True)


def test_tracker_cells_carry_links_and_escape_narratives(client, world, login):
    objective = services.create_objective(world.programme, "One")
    outcome = services.create_outcome(objective, "Outcome")
    indicator = services.create_indicator(outcome, name="Story", unit=Unit.NARRATIVE)
    services.save_figure(indicator, world.org_a, 1, services.FigureValues(narrative="<b>bold</b> & more",
                                                                          is_testing_phase=False),
                         user=None, today=TODAY)
    db.session.commit()
    login(client, world.team_a)
    page = client.get(f"/programmes/{world.programme.slug}/results").get_data(as_text=True)
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in page and "<b>bold</b>" not in page
    assert '<span class="govuk-body-s">(not testing phase)</span>' in page
    assert f'href="/indicators/{indicator.id}/figures/{world.org_a.slug}/1">Change<span' in page
    assert f'href="/indicators/{indicator.id}/figures/{world.org_a.slug}/2">Enter<span' in page


def test_a_programme_without_organisations_shows_its_framework(client, world, login):
    programme = factories.make_programme(world.facilitator, "Starting out")
    objective = services.create_objective(programme, "Reduce fall-out")
    outcome = services.create_outcome(objective, "Fewer households fall out")
    services.create_indicator(outcome, name="Households helped", unit=Unit.COUNT, target=Decimal("10"))
    db.session.commit()
    login(client, world.facilitator)
    response = client.get(f"/programmes/{programme.slug}/results")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1.1.1 Households helped" in page and "No figures yet" in page
    assert "Testing phase in" in page and "Enter<span" not in page
