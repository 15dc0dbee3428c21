"""Changing and deleting objectives, outcomes, indicators and outputs, and the pages that confirm it."""

from sqlalchemy import func, select

from tests.exchange.conftest import TODAY, make_results
from tracker.extensions import db
from tracker.results import queries, services
from tracker.results.models import (
    Figure,
    FigureChange,
    FigureTotal,
    Indicator,
    Objective,
    Outcome,
    Output,
    OutputReceipt,
    card_indicator,
)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_what_goes_with_each_part_of_the_framework(world):
    results = make_results(world)
    services.set_card_indicators(world.card_a, [results.count, results.share])
    db.session.commit()
    outcome = results.count.outcome
    found = services.dependants(results.count)
    assert (found.figures, found.organisations, found.cards, found.indicators) == (3, 2, 1, 0)
    found = services.dependants(outcome)
    assert (found.indicators, found.outputs, found.figures, found.cards, found.receipts) == (4, 1, 8, 1, 1)
    found = services.dependants(outcome.objective)
    assert (found.outcomes, found.indicators, found.figures) == (1, 4, 8)
    assert services.dependants(results.output).receipts == 1
    empty = services.create_objective(world.programme, "Nothing under it yet")
    assert services.dependants(empty).nothing


def test_deleting_an_indicator_takes_its_figures_totals_history_and_links(world):
    results = make_results(world)
    services.set_card_indicators(world.card_a, [results.count])
    db.session.commit()
    version = world.programme.results_version
    services.delete_framework_item(results.count)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Indicator, results.count.id) is None
    assert db.session.scalar(select(func.count()).select_from(Figure).where(
        Figure.indicator_id == results.count.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(FigureTotal).where(
        FigureTotal.indicator_id == results.count.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(card_indicator)) == 0
    assert world.programme.results_version > version
    assert queries.totals(world.programme) == queries.live_totals(world.programme)
    # The other indicators keep their numbers and codes.
    assert [i.code for i in db.session.scalars(select(Indicator).order_by(Indicator.number))] == [
        "1.1.2", "1.1.3", "1.1.4"]


def test_deleting_an_objective_takes_everything_under_it(world):
    results = make_results(world)
    services.delete_framework_item(results.count.outcome.objective)
    db.session.commit()
    for model in (Objective, Outcome, Indicator, Output, OutputReceipt, Figure, FigureChange, FigureTotal):
        assert count(model) == 0, model.__name__


def test_changing_the_framework_keeps_its_numbers(world):
    results = make_results(world)
    outcome = results.count.outcome
    services.update_text(outcome, "  Fewer households fall out of prevention  ")
    services.update_output(results.output, description="Plan carried out", evidence="Report", due_days_after_period=21)
    db.session.commit()
    assert (outcome.title, outcome.code) == ("Fewer households fall out of prevention", "1.1")
    assert (results.output.description, results.output.due_days_after_period) == ("Plan carried out", 21)


def test_the_confirmation_page_says_what_goes_and_deletes_only_when_confirmed(client, world, login):
    results = make_results(world)
    login(client, world.facilitator)
    url = f"/indicators/{results.count.id}/delete"
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Are you sure you want to delete indicator 1.1.1?" in text
    assert "3 figures from 2 organisations are deleted, with their history." in text
    assert "This cannot be undone." in text
    assert db.session.get(Indicator, results.count.id) is not None
    response = client.post(url)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Indicator, results.count.id) is None
    assert "Deleted indicator 1.1.1" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_objectives_outcomes_and_outputs_are_changed_in_the_browser_forms(client, world, login):
    results = make_results(world)
    login(client, world.facilitator)
    outcome = results.count.outcome
    assert client.post(f"/objectives/{outcome.objective.id}/edit", data={"title": "Reduce fall-out"}).status_code == 302
    assert client.post(f"/outcomes/{outcome.id}/edit", data={"title": "Fewer fall out"}).status_code == 302
    assert client.post(f"/outputs/{results.output.id}/edit", data={
        "description": "Plan carried out", "evidence": "", "due_days_after_period": "7"}).status_code == 302
    response = client.post(f"/outcomes/{outcome.id}/edit", data={"title": "   "})
    assert response.status_code == 200 and "govuk-error-summary" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Outcome, outcome.id).title == "Fewer fall out"
    assert db.session.get(Objective, outcome.objective.id).title == "Reduce fall-out"
    assert db.session.get(Output, results.output.id).due_days_after_period == 7


def test_totals_hold_the_sum_of_the_largest_figures(world):
    """Every figure is below 10¹⁴; the across-all total of several of them is larger, and is kept whole
    (on PostgreSQL a column as narrow as the figures' own refused it)."""
    results = make_results(world)
    for org in (world.org_a, world.org_b):
        services.save_figure(results.count, org, 3, services.FigureValues(value="99999999999999"), user=None,
                             today=TODAY, may_change_locked=True)
    db.session.commit()
    total = queries.totals(world.programme)[(results.count.id, 3)]
    assert total.value == 199999999999998
    assert queries.totals(world.programme) == queries.live_totals(world.programme)
