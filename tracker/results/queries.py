"""Read models for the results tracker, built in a fixed number of queries.

"Across all organisations" is computed in SQL: the sum for counts; the sum of numerators over the sum of
denominators for proportions (never the mean of percentages); the number of "yes" for yes/no; and always
how many organisations reported.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import Row, and_, case, false, func, select
from sqlalchemy.orm import selectinload

from tracker.board.models import Card
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme
from tracker.results.models import (
    Figure,
    FigureTotal,
    Indicator,
    Objective,
    Outcome,
    Output,
    OutputReceipt,
    Unit,
    card_indicator,
)


@dataclass
class Total:
    """One indicator's "across all organisations" figure for one period."""

    unit: Unit
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    yes: int
    reported: int

    @property
    def comparable(self) -> Decimal | None:
        return comparable(self.unit, self.value, self.numerator, self.denominator)


def comparable(unit: Unit, value, numerator, denominator) -> Decimal | None:
    """The number compared with the target: the count, or the percentage for a proportion."""
    if unit == Unit.COUNT:
        return value
    if unit == Unit.PROPORTION and denominator:
        return Decimal(numerator) * 100 / Decimal(denominator)
    return None


def framework(programme: Programme) -> list[Objective]:
    """Objectives with their outcomes, indicators and outputs (four queries)."""
    return list(db.session.scalars(
        select(Objective).where(Objective.programme_id == programme.id).order_by(Objective.number)
        .options(selectinload(Objective.outcomes).selectinload(Outcome.indicators),
                 selectinload(Objective.outcomes).selectinload(Outcome.outputs))))


@dataclass(frozen=True)
class TrackerFramework:
    """The framework as plain rows, each list in display order."""

    objectives: list[Row]
    #: With ``objective_number`` (an outcome's code is ``objective.outcome``).
    outcomes: list[Row]
    indicators: list[Row]
    outputs: list[Row]


def tracker_framework(programme: Programme) -> TrackerFramework:
    """The framework for the tracker table as plain rows (four queries): ORM objects and their
    relationship loaders cost more than the table's own work."""
    objectives = db.session.execute(
        select(Objective.id, Objective.number, Objective.title)
        .where(Objective.programme_id == programme.id).order_by(Objective.number)).all()
    outcomes = db.session.execute(
        select(Outcome.id, Outcome.objective_id, Outcome.number, Outcome.title,
               Objective.number.label("objective_number"))
        .join(Objective, Objective.id == Outcome.objective_id)
        .where(Objective.programme_id == programme.id).order_by(Objective.number, Outcome.number)).all()
    indicators = db.session.execute(
        select(Indicator.id, Indicator.outcome_id, Indicator.code, Indicator.name, Indicator.definition,
               Indicator.unit, Indicator.direction, Indicator.target, Indicator.frequency, Indicator.data_source,
               Indicator.who_collects)
        .where(Indicator.programme_id == programme.id).order_by(Indicator.outcome_id, Indicator.number)).all()
    outputs = db.session.execute(
        select(Output.id, Output.outcome_id, Output.description, Output.evidence, Output.due_days_after_period)
        .join(Outcome, Outcome.id == Output.outcome_id).join(Objective, Objective.id == Outcome.objective_id)
        .where(Objective.programme_id == programme.id).order_by(Output.outcome_id, Output.number)).all()
    return TrackerFramework(objectives, outcomes, indicators, outputs)


def totals(programme: Programme) -> dict[tuple[int, int], Total]:
    """``(indicator_id, period_number)`` → the across-all-organisations figure (kept current in SQL by
    ``services.refresh_total``), in one query whatever the number of organisations."""
    stmt = (select(FigureTotal.indicator_id, FigureTotal.period_number, Indicator.unit, FigureTotal.value_sum,
                   FigureTotal.numerator_sum, FigureTotal.denominator_sum, FigureTotal.yes_count,
                   FigureTotal.reported)
            .join(Indicator, Indicator.id == FigureTotal.indicator_id)
            .where(Indicator.programme_id == programme.id, FigureTotal.reported > 0))
    return {(row[0], row[1]): Total(row[2], row[3], row[4], row[5], int(row[6] or 0), int(row[7]))
            for row in db.session.execute(stmt)}


class TrackerCell(NamedTuple):
    """One indicator and period of the tracker: the across-all-organisations total and the organisation's
    own figure beside it (``figure_id`` is ``None`` when it has none)."""

    indicator_id: int
    period_number: int
    value_sum: Decimal | None
    numerator_sum: Decimal | None
    denominator_sum: Decimal | None
    yes_count: int | None
    reported: int
    figure_id: int | None
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    flag: bool | None
    narrative: str | None
    is_testing_phase: bool | None


def tracker_cells(programme: Programme, org: Organisation | None) -> dict[tuple[int, int], TrackerCell]:
    """``(indicator_id, period_number)`` → its ``TrackerCell``, in one query (an organisation's figure
    always has a total). Named tuples, not result rows: the table reads ten fields from each of hundreds
    of cells, and a row's attribute lookup costs ten times a tuple's."""
    own = and_(Figure.indicator_id == FigureTotal.indicator_id, Figure.period_number == FigureTotal.period_number,
               Figure.organisation_id == org.id if org is not None else false())
    stmt = (select(FigureTotal.indicator_id, FigureTotal.period_number, FigureTotal.value_sum,
                   FigureTotal.numerator_sum, FigureTotal.denominator_sum, FigureTotal.yes_count,
                   FigureTotal.reported, Figure.id, Figure.value, Figure.numerator, Figure.denominator, Figure.flag,
                   Figure.narrative, Figure.is_testing_phase)
            .join(Indicator, Indicator.id == FigureTotal.indicator_id)
            .outerjoin(Figure, own)
            .where(Indicator.programme_id == programme.id, FigureTotal.reported > 0))
    make = TrackerCell._make
    return {(row[0], row[1]): make(row) for row in db.session.execute(stmt)}


def figure_sums(*where):
    """The "across all organisations" aggregate per indicator and period, in SQL: sums of values,
    numerators and denominators (a proportion is their quotient, never a mean of percentages), the
    number of yeses, and how many organisations reported. Kept in ``figure_total`` by
    ``services.refresh_total``."""
    return (select(Figure.indicator_id, Figure.period_number, func.sum(Figure.value), func.sum(Figure.numerator),
                   func.sum(Figure.denominator), func.sum(case((Figure.flag.is_(True), 1), else_=0)),
                   func.count(Figure.id))
            .where(*where).group_by(Figure.indicator_id, Figure.period_number))


def live_totals(programme: Programme) -> dict[tuple[int, int], Total]:
    """The same totals aggregated from the figures themselves (a check on ``totals``)."""
    units = dict(db.session.execute(select(Indicator.id, Indicator.unit)
                                    .where(Indicator.programme_id == programme.id)).all())
    rows = db.session.execute(figure_sums(Figure.indicator_id.in_(list(units))))
    return {(row[0], row[1]): Total(units[row[0]], row[2], row[3], row[4], int(row[5] or 0), int(row[6]))
            for row in rows}


def organisation_figures(programme: Programme, org: Organisation | None) -> dict[tuple[int, int], Row]:
    """``(indicator_id, period_number)`` → this organisation's figure, as a plain row (the tracker shows
    hundreds of them; ORM objects would cost more to load than to render)."""
    if org is None:
        return {}
    stmt = (select(Figure.indicator_id, Figure.period_number, Figure.value, Figure.numerator, Figure.denominator,
                   Figure.flag, Figure.narrative, Figure.is_testing_phase)
            .join(Indicator, Indicator.id == Figure.indicator_id)
            .where(Indicator.programme_id == programme.id, Figure.organisation_id == org.id))
    return {(row.indicator_id, row.period_number): row for row in db.session.execute(stmt)}


def receipts(programme: Programme, org: Organisation | None) -> dict[tuple[int, int], OutputReceipt]:
    if org is None:
        return {}
    stmt = select(OutputReceipt).where(OutputReceipt.organisation_id == org.id)
    return {(r.output_id, r.period_number): r for r in db.session.scalars(stmt)}


def linked_cards(indicator: Indicator, organisations: list[Organisation]) -> list[Card]:
    """Cards meant to move this indicator (those on the board), in the organisations the person may see."""
    if not organisations:
        return []
    from tracker.board.queries import on_board  # the board's queries read the results' link table

    return list(db.session.scalars(
        on_board(select(Card).join(card_indicator, card_indicator.c.card_id == Card.id))
        .where(card_indicator.c.indicator_id == indicator.id,
               Card.organisation_id.in_([o.id for o in organisations]))
        .options(selectinload(Card.opportunity), selectinload(Card.organisation))
        .order_by(Card.organisation_id, Card.opportunity_id, Card.number)))


def indicators(programme: Programme) -> list[Indicator]:
    return list(db.session.scalars(select(Indicator).where(Indicator.programme_id == programme.id)
                                   .order_by(Indicator.outcome_id, Indicator.number)))
