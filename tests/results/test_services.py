"""Results rules: periods, validation, history, stale edits, totals across organisations, RAG, outputs."""

from datetime import date
from decimal import Decimal

import pytest

from tests import factories
from tracker.extensions import db
from tracker.programmes import services as programmes
from tracker.results import periods, queries, services
from tracker.results.models import Direction, Figure, FigureChange, Unit

TODAY = date(2026, 6, 1)  # periods 1 and 2 open, period 1 not yet locked


def framework(world, unit=Unit.COUNT, **fields):
    objective = services.create_objective(world.programme, "Reduce fall-out")
    outcome = services.create_outcome(objective, "Fewer households fall out")
    defaults = {"name": "Households falling out", "unit": unit, "target": Decimal("100"),
                "direction": Direction.INCREASE}
    if unit == Unit.PROPORTION:
        defaults.update(numerator_label="fell out", denominator_label="households", target=Decimal("12"),
                        direction=Direction.DECREASE)
    defaults.update(fields)
    indicator = services.create_indicator(outcome, **defaults)
    db.session.commit()
    return indicator


def save(indicator, org, period, today=TODAY, user=None, version=None, **values):
    figure, changed = services.save_figure(indicator, org, period, services.FigureValues(**values), user=user,
                                           today=today, expected_version=version)
    db.session.commit()
    return figure, changed


def test_numbering_and_codes(world):
    objective = services.create_objective(world.programme, "One")
    outcome = services.create_outcome(objective, "First outcome")
    outcome2 = services.create_outcome(objective, "Second outcome")
    a = services.create_indicator(outcome, name="A")
    b = services.create_indicator(outcome, name="B")
    c = services.create_indicator(outcome2, name="C")
    assert (outcome.code, outcome2.code) == ("1.1", "1.2")
    assert (a.code, b.code, c.code) == ("1.1.1", "1.1.2", "1.2.1")
    assert services.create_objective(world.programme, "Two").number == 2


def test_a_proportion_needs_numerator_and_denominator_labels(world):
    objective = services.create_objective(world.programme, "One")
    outcome = services.create_outcome(objective, "Outcome")
    with pytest.raises(services.ResultsError):
        services.create_indicator(outcome, name="Share", unit=Unit.PROPORTION)
    with pytest.raises(services.ResultsError):
        services.create_indicator(outcome, name="Share", unit=Unit.PROPORTION, numerator_label="a",
                                  denominator_label="b", target=Decimal("120"))


def test_periods_follow_the_start_date_and_interval(world):
    programme = world.programme  # starts 1 January 2026, 12 months, every 3 months
    found = periods.periods(programme)
    assert [(p.number, p.months_from, p.months_to) for p in found] == [(1, 0, 3), (2, 3, 6), (3, 6, 9), (4, 9, 12)]
    assert found[0].start == date(2026, 1, 1) and found[0].end == date(2026, 3, 31)
    assert found[0].label == "0–3 months since start date"
    assert found[0].due == date(2026, 4, 14)
    programme.evaluation_months = 14
    assert [(p.months_from, p.months_to) for p in periods.periods(programme)][-1] == (12, 14)
    assert periods.add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_changing_the_start_date_moves_periods_not_figures(world):
    indicator = framework(world)
    save(indicator, world.org_a, 2, value="10")
    programmes.update_programme(world.programme, start_date=date(2025, 7, 1))
    db.session.commit()
    assert periods.period(world.programme, 2).start == date(2025, 10, 1)
    assert services.find_figure(indicator, world.org_a, 2).value == Decimal("10")


@pytest.mark.parametrize(("unit", "values", "field", "message"), [
    (Unit.COUNT, {"value": "-1"}, "value", "cannot be negative"),
    (Unit.COUNT, {"value": "ten"}, "value", "must be a whole number, like 12"),
    (Unit.COUNT, {"value": "2.5"}, "value", "must be a whole number, like 12"),  # a count: households
    (Unit.COUNT, {"value": "1e3"}, "value", "must be a whole number, like 12"),
    (Unit.COUNT, {"value": "1_000"}, "value", "must be a whole number, like 12"),
    (Unit.COUNT, {"value": "\u0661\u0662"}, "value", "must be a whole number, like 12"),  # Arabic-Indic digits
    (Unit.COUNT, {"value": "\uff11\uff12"}, "value", "must be a whole number, like 12"),  # full-width digits
    (Unit.COUNT, {"value": "1,000"}, "value", "must be a whole number, like 12"),  # separators: imports only
    (Unit.COUNT, {"value": "1" * 15}, "value", "must be less than 100,000,000,000,000"),
    (Unit.PROPORTION, {"numerator": "1e1", "denominator": "20"}, "numerator", "must be a number, like 12 or 0.5"),
    (Unit.COUNT, {"value": ""}, "value", "Enter the value"),
    (Unit.COUNT, {"value": "NaN"}, "value", "must be a whole number, like 12"),
    (Unit.PROPORTION, {"numerator": "30", "denominator": "20"}, "numerator", "cannot be more than the denominator"),
    (Unit.PROPORTION, {"numerator": "0", "denominator": "0"}, "denominator", "more than 0"),
    (Unit.PROPORTION, {"numerator": "3"}, "denominator", "Enter the denominator"),
    (Unit.YES_NO, {}, "flag", "Choose yes or no"),
    (Unit.NARRATIVE, {"narrative": "  "}, "narrative", "Enter the narrative"),
])
def test_validation(world, unit, values, field, message):
    indicator = framework(world, unit)
    with pytest.raises(services.FigureInvalid) as error:
        save(indicator, world.org_a, 1, **values)
    assert message in error.value.errors[field]
    db.session.rollback()
    assert db.session.query(Figure).count() == 0


def test_a_figure_for_a_period_that_has_not_started_is_refused(world):
    indicator = framework(world)
    with pytest.raises(services.FigureInvalid) as error:
        save(indicator, world.org_a, 4, today=date(2026, 5, 1), value="1")
    assert "has not started" in error.value.errors["period"]
    with pytest.raises(services.FigureInvalid) as error:
        save(indicator, world.org_a, 9, value="1")
    assert "no reporting period 9" in error.value.errors["period"]


def test_every_change_keeps_who_when_old_and_new(world):
    indicator = framework(world)
    figure, changed = save(indicator, world.org_a, 1, value="10", source="CMS", user=world.team_a)
    assert changed
    figure, changed = save(indicator, world.org_a, 1, value="12", source="CMS", user=world.facilitator,
                           version=figure.version)
    assert changed
    _same, changed = save(indicator, world.org_a, 1, value="12.0", source="CMS", user=world.facilitator)
    assert not changed
    history = db.session.query(FigureChange).order_by(FigureChange.id).all()
    assert [(h.old and h.old["value"], h.new["value"], h.user.name) for h in history] == [
        (None, "10", "Team A"), ("10", "12", "Fran Facilitator")]


def test_a_stale_figure_edit_is_refused(world):
    indicator = framework(world)
    figure, _ = save(indicator, world.org_a, 1, value="10")
    seen = figure.version
    save(indicator, world.org_a, 1, value="11", version=seen)
    with pytest.raises(services.StaleFigure) as error:
        save(indicator, world.org_a, 1, value="12", version=seen)
    db.session.rollback()
    assert error.value.figure.value == Decimal("11")
    assert services.find_figure(indicator, world.org_a, 1).value == Decimal("11")


def test_locked_periods_need_a_facilitator(world):
    indicator = framework(world)
    late = date(2026, 12, 31)  # period 1 ended 31 March; locked after 90 days
    with pytest.raises(services.ResultsError, match="locked"):
        services.save_figure(indicator, world.org_a, 1, services.FigureValues(value="1"), user=None, today=late)
    figure, changed = services.save_figure(indicator, world.org_a, 1, services.FigureValues(value="1"), user=None,
                                           today=late, may_change_locked=True)
    assert changed


def test_counts_are_summed_across_organisations(world):
    indicator = framework(world)
    save(indicator, world.org_a, 1, value="10")
    save(indicator, world.org_b, 1, value="5")
    save(indicator, world.org_a, 2, value="7")
    totals = queries.totals(world.programme)
    assert totals[(indicator.id, 1)].value == Decimal("15") and totals[(indicator.id, 1)].reported == 2
    assert totals[(indicator.id, 2)].value == Decimal("7") and totals[(indicator.id, 2)].reported == 1
    assert (indicator.id, 3) not in totals


def test_proportions_are_pooled_never_averaged(world):
    indicator = framework(world, Unit.PROPORTION)
    save(indicator, world.org_a, 1, numerator="1", denominator="10")   # 10%
    save(indicator, world.org_b, 1, numerator="30", denominator="100")  # 30%
    total = queries.totals(world.programme)[(indicator.id, 1)]
    assert (total.numerator, total.denominator, total.reported) == (Decimal("31"), Decimal("110"), 2)
    assert round(total.comparable, 2) == Decimal("28.18")  # not the 20% mean of percentages
    assert services.format_percent(total.numerator, total.denominator) == "28.2%"


def test_yes_no_totals_count_the_yeses(world):
    indicator = framework(world, Unit.YES_NO, target=None)
    save(indicator, world.org_a, 1, flag=True)
    save(indicator, world.org_b, 1, flag=False)
    total = queries.totals(world.programme)[(indicator.id, 1)]
    assert (total.yes, total.reported) == (1, 2)


@pytest.mark.parametrize(("direction", "actual", "colour"), [
    (Direction.INCREASE, "100", "green"), (Direction.INCREASE, "86", "green"), (Direction.INCREASE, "114", "green"),
    (Direction.INCREASE, "84", "red"), (Direction.INCREASE, "120", "amber"),
    (Direction.DECREASE, "100", "green"), (Direction.DECREASE, "116", "red"), (Direction.DECREASE, "80", "amber"),
])
def test_rag_takes_the_direction_into_account(world, direction, actual, colour):
    indicator = framework(world, direction=direction, target=Decimal("100"))
    assert services.rag(indicator, Decimal(actual), 15).colour == colour


def test_rag_is_grey_without_a_target_or_a_figure(world):
    indicator = framework(world, target=None)
    assert services.rag(indicator, Decimal("5"), 15).colour == "grey"
    indicator.target = Decimal("5")
    assert services.rag(indicator, None, 15).colour == "grey"


def test_outputs_are_due_overdue_or_received(world):
    objective = services.create_objective(world.programme, "One")
    outcome = services.create_outcome(objective, "Outcome")
    output = services.create_output(outcome, description="Narrative report", due_days_after_period=14)
    period_1 = periods.period(world.programme, 1)  # ends 31 March 2026
    assert services.output_status(output, period_1, None, date(2026, 3, 1)) == "not_due"
    assert services.output_status(output, period_1, None, date(2026, 4, 10)) == "due"
    assert services.output_status(output, period_1, None, date(2026, 4, 15)) == "overdue"
    services.record_output(output, world.org_a, 1, received=True, user=None, today=date(2026, 4, 20))
    receipt = queries.receipts(world.programme, world.org_a)[(output.id, 1)]
    assert services.output_status(output, period_1, receipt, date(2026, 5, 1)) == "received"
    services.record_output(output, world.org_a, 1, received=False, user=None, today=date(2026, 4, 20))
    assert queries.receipts(world.programme, world.org_a) == {}


def test_cards_link_only_to_indicators_of_their_programme(world):
    indicator = framework(world)
    services.set_card_indicators(world.card_a, [indicator])
    assert services.card_indicator_ids(world.card_a) == {indicator.id}
    other_programme = factories.make_programme(world.facilitator, "Other")
    objective = services.create_objective(other_programme, "x")
    foreign = services.create_indicator(services.create_outcome(objective, "y"), name="z")
    with pytest.raises(services.ResultsError):
        services.set_card_indicators(world.card_a, [foreign])


def test_an_indicator_of_another_programme_cannot_take_figures(world):
    other_programme = factories.make_programme(world.facilitator, "Other")
    objective = services.create_objective(other_programme, "x")
    foreign = services.create_indicator(services.create_outcome(objective, "y"), name="z")
    with pytest.raises(services.ResultsError):
        services.save_figure(foreign, world.org_a, 1, services.FigureValues(value="1"), user=None, today=TODAY)


def test_kept_totals_match_the_figures(world):
    count = framework(world)
    share = services.create_indicator(count.outcome, name="Share", unit=Unit.PROPORTION, numerator_label="a",
                                      denominator_label="b")
    db.session.commit()
    for org, period, value in ((world.org_a, 1, "3"), (world.org_b, 1, "4"), (world.org_a, 2, "5")):
        save(count, org, period, value=value)
        save(share, org, period, numerator="1", denominator=value)
    save(count, world.org_a, 1, value="30", version=services.find_figure(count, world.org_a, 1).version)
    kept, live = queries.totals(world.programme), queries.live_totals(world.programme)
    assert kept == live and kept[(count.id, 1)].value == Decimal("34")
    services.refresh_all_totals(world.programme.id)
    assert queries.totals(world.programme) == live
