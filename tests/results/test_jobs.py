"""Figures' and outputs' notices at scripted moments of the world's programme (1 January 2026; periods of
3 months; figures and the output due 14 days after a period, so period 1's on 14 April, in summer time):
the due-day notice, the overdue one from the day after, each once, listing only what is missing."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tracker.core.mail import OutboxMessage
from tracker.extensions import db
from tracker.results import services as results
from tracker.results.models import Direction, Unit
from tracker.scheduler import registry


def run(moment: datetime) -> list[str]:
    (report,) = registry.run_due(moment, only="results_notices")
    assert not report.error, report.error
    return report.lines


def sent() -> list[tuple[str, str]]:
    return list(db.session.execute(select(OutboxMessage.kind, OutboxMessage.to_address)
                                   .order_by(OutboxMessage.id)))


@pytest.fixture
def framework(world):
    objective = results.create_objective(world.programme, "Reduce fall-out")
    outcome = results.create_outcome(objective, "Fewer households fall out")
    first = results.create_indicator(outcome, name="Households helped", unit=Unit.COUNT,
                                     direction=Direction.INCREASE, target=Decimal("10"))
    second = results.create_indicator(outcome, name="Letters rewritten", unit=Unit.COUNT,
                                      direction=Direction.INCREASE, target=Decimal("5"))
    output = results.create_output(outcome, description="Narrative report")
    db.session.commit()
    results.save_figure(first, world.org_a, 1, results.FigureValues(value="4"), user=world.team_a,
                        today=date(2026, 4, 2), expected_version=0)
    db.session.commit()
    return first, second, output


def test_due_then_overdue_each_once_with_what_is_missing(world, framework):
    first, second, output = framework
    assert run(datetime(2026, 4, 13, 22, 30)) == []  # 13 April, 11:30pm BST
    run(datetime(2026, 4, 13, 23, 30))  # 14 April, 00:30 BST: the due day in the UK
    assert sorted(sent()) == sorted([("figures_due", world.team_a.email), ("figures_due", world.team_b.email),
                                     ("outputs_due", world.team_a.email), ("outputs_due", world.team_b.email)])
    to_a = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "figures_due",
                                                         OutboxMessage.to_address == world.team_a.email))
    assert "1.1.2 Letters rewritten" in to_a.text_body and "Households helped" not in to_a.text_body
    assert "Stop sending me these: http://127.0.0.1:5000/account/email" in to_a.text_body
    assert to_a.sender_name == world.programme.name
    for moment in (datetime(2026, 4, 14, 12, 0), datetime(2026, 4, 13, 23, 30), datetime(2026, 4, 1, 9, 0)):
        assert run(moment) == []

    results.record_output(output, world.org_a, 1, received=True, user=world.facilitator, today=date(2026, 4, 14))
    results.save_figure(second, world.org_a, 1, results.FigureValues(value="2"), user=world.team_a,
                        today=date(2026, 4, 14), expected_version=0)
    db.session.commit()
    run(datetime(2026, 4, 15, 8, 0))
    assert sorted(sent()[4:]) == [("figures_overdue", world.team_b.email), ("outputs_overdue", world.team_b.email)]
    assert run(datetime(2026, 4, 16, 8, 0)) == [] and run(datetime(2026, 4, 15, 8, 0)) == []


def test_a_week_late_only_the_overdue_notice_goes_once(world, framework):
    for day in range(21, 29):
        for hour in (1, 13):
            run(datetime(2026, 4, day, hour, 0))
    kinds = sorted(k for k, _ in sent())
    assert kinds == ["figures_overdue"] * 2 + ["outputs_overdue"] * 2


def test_none_once_locked_nor_when_nothing_is_missing_nor_when_turned_off(world, framework):
    first, second, output = framework
    assert run(datetime(2026, 7, 1, 8, 0)) == []  # period 1 locked on 29 June; period 2 not due yet
    world.team_b.email_notices = False
    results.save_figure(second, world.org_a, 1, results.FigureValues(value="1"), user=world.team_a,
                        today=date(2026, 4, 2), expected_version=0)
    results.record_output(output, world.org_a, 1, received=True, user=world.facilitator, today=date(2026, 4, 2))
    db.session.commit()
    lines = run(datetime(2026, 4, 14, 8, 0))
    assert sent() == []  # A has sent everything; B's team member turned notices off
    assert len(lines) == 2  # B's notices are claimed all the same (nobody to send them to)


def test_a_whole_year_sends_each_notice_once(world, framework):
    day = datetime(2026, 1, 1, 7, 0)
    while day < datetime(2027, 2, 1):
        run(day)
        day += timedelta(days=1)
    kinds = [k for k, _ in sent()]
    # Period 1: A misses one figure; every other period both miss everything; all outputs missing but A's.
    assert kinds.count("figures_due") == 8 and kinds.count("figures_overdue") == 8
    assert kinds.count("outputs_due") == 8 and kinds.count("outputs_overdue") == 8
    total = len(kinds)
    day = datetime(2026, 1, 1, 19, 0)
    while day < datetime(2027, 2, 1):
        run(day)
        day += timedelta(days=3)
    assert len(sent()) == total
