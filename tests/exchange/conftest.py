"""A results framework with figures in both organisations, for the export and import tests."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from tracker.extensions import db
from tracker.results import services
from tracker.results.models import Direction, Indicator, Output, Unit

#: Period 1 (January–March 2026) is locked, 2 and 3 are open, 4 (from October) has not started.
TODAY = date(2026, 8, 1)


@dataclass
class Results:
    count: Indicator
    share: Indicator
    flag: Indicator
    story: Indicator
    output: Output


def save(indicator, org, period, *, user=None, today=TODAY, **values) -> None:
    services.save_figure(indicator, org, period, services.FigureValues(**values), user=user, today=today,
                         may_change_locked=True)


@pytest.fixture
def results(world) -> Results:
    return make_results(world)


def make_results(world) -> Results:
    """Objective 1 > outcome 1.1 > indicators 1.1.1 (count), 1.1.2 (proportion), 1.1.3 (yes/no),
    1.1.4 (narrative), and one output; figures for councils A and B in periods 1 and 2."""
    objective = services.create_objective(world.programme, "Reduce prevention fall-out")
    outcome = services.create_outcome(objective, "Fewer households fall out")
    count = services.create_indicator(
        outcome, name="Households helped", definition="Number of households helped", unit=Unit.COUNT,
        target=Decimal("100"), direction=Direction.INCREASE, frequency="Quarterly", data_source="Case system",
        who_collects="Front-line staff")
    share = services.create_indicator(
        outcome, name="Share of households falling out", unit=Unit.PROPORTION, numerator_label="fell out",
        denominator_label="households", target=Decimal("12"), direction=Direction.DECREASE)
    flag = services.create_indicator(outcome, name="Standards published", unit=Unit.YES_NO)
    story = services.create_indicator(outcome, name="What changed", unit=Unit.NARRATIVE)
    output = services.create_output(outcome, description="Action plan implemented",
                                    evidence="Narrative report submitted")
    a, b = world.org_a, world.org_b
    save(count, a, 1, value="10", note="First count", source="Case system")
    save(count, b, 1, value="5")
    save(count, a, 2, value="12", note="-2 on last time")
    save(share, a, 1, numerator="5", denominator="20")
    save(share, b, 1, numerator="1", denominator="10")
    save(flag, a, 1, flag=True)
    save(flag, b, 1, flag=False, is_testing_phase=False)
    save(story, a, 2, narrative="=HYPERLINK(\"http://evil.example\")")
    services.record_output(output, a, 1, received=True, user=None, today=date(2026, 4, 10))
    db.session.commit()
    return Results(count, share, flag, story, output)


def csv_bytes(*rows: str, header: str = "Indicator code,Organisation,Period number,Value,Numerator,Denominator,"
                                       "Testing phase (yes/no),Note,Source") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()
