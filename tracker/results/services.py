"""Rules of the results tracker: numbering, figure validation, history, stale edits, outputs, links.

Services change objects and ``flush()``; the caller commits.
"""

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select

from tracker.accounts.models import User
from tracker.board.models import Card
from tracker.core import numbers
from tracker.core.db import utcnow
from tracker.core.locks import lock
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme
from tracker.results import periods as period_rules
from tracker.results import queries, versions
from tracker.results.models import (
    Direction,
    Figure,
    FigureChange,
    FigureTotal,
    Indicator,
    Objective,
    Outcome,
    Output,
    OutputReceipt,
    Unit,
    card_indicator,
)

INDICATOR_FIELDS = ("name", "definition", "unit", "numerator_label", "denominator_label", "direction", "baseline",
                    "target", "frequency", "data_source", "who_collects")


class ResultsError(ValueError):
    """A rule was broken; the message is shown to the user, on ``field`` when it names the form's field at
    fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class FigureInvalid(ResultsError):
    """A figure failed validation; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class StaleFigure(Exception):
    """The figure changed since the person loaded it; ``figure`` holds its current state."""

    def __init__(self, figure: Figure):
        super().__init__(f"figure {figure.id} changed")
        self.figure = figure


def _next(column, *where) -> int:
    return (db.session.scalar(select(func.max(column)).where(*where)) or 0) + 1


def create_objective(programme: Programme, title: str) -> Objective:
    objective = Objective(programme=programme, title=title.strip(),
                          number=_next(Objective.number, Objective.programme_id == programme.id))
    db.session.add(objective)
    db.session.flush()
    return objective


def create_outcome(objective: Objective, title: str) -> Outcome:
    outcome = Outcome(objective=objective, title=title.strip(),
                      number=_next(Outcome.number, Outcome.objective_id == objective.id))
    db.session.add(outcome)
    db.session.flush()
    return outcome


def create_indicator(outcome: Outcome, **fields) -> Indicator:
    """Add an indicator numbered after the outcome's last one; its code is ``<outcome>.<n>`` (``1.1.2``).

    :raises ResultsError: see :func:`check_indicator`.
    """
    values = {name: fields.get(name) for name in INDICATOR_FIELDS}
    values["unit"] = values["unit"] or Unit.COUNT
    values["direction"] = values["direction"] or Direction.INCREASE
    check_indicator(values)
    number = _next(Indicator.number, Indicator.outcome_id == outcome.id)
    indicator = Indicator(programme_id=outcome.objective.programme_id, number=number, code=f"{outcome.code}.{number}",
                          **{k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()
                             if v is not None or k in ("baseline", "target")})
    indicator.outcome = outcome
    db.session.add(indicator)
    db.session.flush()
    return indicator


def check_indicator(values: dict) -> None:
    """:raises ResultsError: a proportion without numerator and denominator labels, or with a baseline or
    target outside 0–100 %."""
    if values["unit"] == Unit.PROPORTION and not (values["numerator_label"] and values["denominator_label"]):
        raise ResultsError(_("Say what the numerator and the denominator count"),
                           "denominator_label" if values["numerator_label"] else "numerator_label")
    if values["unit"] == Unit.PROPORTION:
        for key in ("baseline", "target"):
            if values[key] is not None and not (0 <= values[key] <= 100):
                raise ResultsError(_("For a proportion, baseline and target are percentages from 0 to 100"), key)


def update_indicator(indicator: Indicator, **fields) -> None:
    """Change an indicator's definition.

    :raises ResultsError: see :func:`check_indicator`.
    """
    values = {name: fields[name] if name in fields else getattr(indicator, name) for name in INDICATOR_FIELDS}
    check_indicator(values)
    for name, value in values.items():
        setattr(indicator, name, value.strip() if isinstance(value, str) else value)


def create_output(outcome: Outcome, *, description: str, evidence: str = "", due_days_after_period: int = 14) -> Output:
    output = Output(outcome=outcome, description=description.strip(), evidence=evidence,
                    due_days_after_period=due_days_after_period,
                    number=_next(Output.number, Output.outcome_id == outcome.id))
    db.session.add(output)
    db.session.flush()
    return output


# --- figures -----------------------------------------------------------------------------------------


@dataclass
class FigureValues:
    """What a person entered for one figure (strings from a form, an import or the API)."""

    value: str | Decimal | None = None
    numerator: str | Decimal | None = None
    denominator: str | Decimal | None = None
    flag: bool | None = None
    narrative: str = ""
    is_testing_phase: bool = True
    note: str = ""
    source: str = ""
    extra: dict = field(default_factory=dict)


def _decimal(raw, name: str, label: str, errors: dict, *, whole: bool = False) -> Decimal | None:
    """``raw`` read in the one number format (``tracker.core.numbers``); a message in ``errors`` if not."""
    try:
        return numbers.parse_number(raw, whole=whole)
    except numbers.NumberError as error:
        errors[name] = numbers.number_message(error, label, whole=whole)
        return None


def validate_figure(indicator: Indicator, programme: Programme, period_number: int, values: FigureValues,
                    today: date) -> dict:
    """Check a figure and return the columns to store.

    :raises FigureInvalid: with a message per field: a figure for a period that has not started or does
        not exist, a negative or non-numeric value, a numerator above its denominator, a missing value.
    """
    errors: dict[str, str] = {}
    period = period_rules.period(programme, period_number)
    if period is None:
        errors["period"] = _("There is no reporting period %(n)s in this programme", n=period_number)
    elif not period.has_started(today):
        errors["period"] = _("The period %(label)s has not started yet", label=period.label)
    stored = {"value": None, "numerator": None, "denominator": None, "flag": None, "narrative": "",
              "is_testing_phase": bool(values.is_testing_phase), "note": (values.note or "").strip(),
              "source": (values.source or "").strip()}
    if indicator.unit == Unit.COUNT:
        stored["value"] = _decimal(values.value, "value", _("The value"), errors, whole=True)  # a count
        if stored["value"] is None and "value" not in errors:
            errors["value"] = _("Enter the value")
    elif indicator.unit == Unit.PROPORTION:
        numerator = _decimal(values.numerator, "numerator", _("The numerator"), errors)
        denominator = _decimal(values.denominator, "denominator", _("The denominator"), errors)
        if numerator is None and "numerator" not in errors:
            errors["numerator"] = _("Enter the numerator")
        if denominator is None and "denominator" not in errors:
            errors["denominator"] = _("Enter the denominator")
        if denominator is not None and denominator == 0:
            errors["denominator"] = _("The denominator must be more than 0")
        if numerator is not None and denominator is not None and numerator > denominator:
            errors["numerator"] = _("The numerator cannot be more than the denominator")
        stored.update(numerator=numerator, denominator=denominator)
    elif indicator.unit == Unit.YES_NO:
        if values.flag is None:
            errors["flag"] = _("Choose yes or no")
        stored["flag"] = values.flag
    else:
        stored["narrative"] = (values.narrative or "").strip()
        if not stored["narrative"]:
            errors["narrative"] = _("Enter the narrative")
    if errors:
        raise FigureInvalid(errors)
    return stored


def snapshot(figure: Figure) -> dict:
    """A figure's values as JSON-safe data, for its history."""

    def number(value):
        return None if value is None else format(value.normalize(), "f")

    return {"value": number(figure.value), "numerator": number(figure.numerator),
            "denominator": number(figure.denominator), "flag": figure.flag, "narrative": figure.narrative,
            "is_testing_phase": figure.is_testing_phase, "note": figure.note, "source": figure.source}


def find_figure(indicator: Indicator, org: Organisation, period_number: int, *, fresh: bool = False) -> Figure | None:
    """One organisation's figure; ``fresh`` reads the row again even if this session already holds it."""
    stmt = select(Figure).where(Figure.indicator_id == indicator.id, Figure.organisation_id == org.id,
                                Figure.period_number == period_number)
    return db.session.scalar(stmt.execution_options(populate_existing=True) if fresh else stmt)


def save_figure(indicator: Indicator, org: Organisation, period_number: int, values: FigureValues, *,
                user: User | None, today: date, expected_version: int | None = None, via: str = "form",
                may_change_locked: bool = False) -> tuple[Figure, bool]:
    """Create or change a figure; returns it and whether anything changed. Every change keeps who, when,
    the old and the new values.

    ``expected_version`` is the version the person saw: ``0`` when they saw no figure yet (so a figure
    someone else created meanwhile is stale too), ``None`` to skip the check, as imports do after their
    own preview and the API does when no version is sent.

    :raises FigureInvalid: the values break a rule.
    :raises StaleFigure: someone else changed the figure since ``expected_version``.
    :raises ResultsError: another programme's indicator or organisation, or a locked period.
    """
    programme = org.programme
    if indicator.programme_id != org.programme_id:
        raise ResultsError(_("That indicator belongs to another programme"))
    stored = validate_figure(indicator, programme, period_number, values, today)
    period = period_rules.period(programme, period_number)
    if period.is_locked(today) and not may_change_locked:
        raise ResultsError(_("Figures for %(label)s are locked. Ask a facilitator to change them.",
                             label=period.label))
    # Writers of one programme's results take turns (bumping its results version takes the programme's
    # row lock on PostgreSQL; SQLite already serialises writers). The lock comes before the figure is
    # read, so two writers from one version cannot both pass the version check, and the total refreshed
    # below sees every committed figure.
    versions.touch(db.session, programme.id)
    figure = find_figure(indicator, org, period_number, fresh=True)
    if figure is not None and expected_version is not None and int(expected_version) != figure.version:
        raise StaleFigure(figure)
    if figure is None and expected_version not in (None, 0, "", "0"):
        # The person edited a figure that has since been deleted; treat as stale.
        raise ResultsError(_("This figure changed since you opened it. Reload the page and try again."))
    old = snapshot(figure) if figure is not None else None
    if figure is None:
        figure = Figure(indicator=indicator, organisation=org, period_number=period_number)
        db.session.add(figure)
    for name, value in stored.items():
        setattr(figure, name, value)
    new = snapshot(figure)
    if old == new:
        return figure, False
    figure.entered_by = user
    figure.updated_dt = utcnow()
    db.session.flush()
    db.session.add(FigureChange(figure=figure, user=user, via=via, old=old, new=new))
    db.session.flush()
    refresh_total(indicator.id, period_number)
    return figure, True


_TOTAL_COLUMNS = ["indicator_id", "period_number", "value_sum", "numerator_sum", "denominator_sum", "yes_count",
                  "reported"]


def refresh_total(indicator_id: int, period_number: int) -> None:
    """Recompute one "across all organisations" figure in SQL (see ``queries.figure_sums``)."""
    db.session.execute(delete(FigureTotal).where(FigureTotal.indicator_id == indicator_id,
                                                 FigureTotal.period_number == period_number))
    db.session.execute(insert(FigureTotal).from_select(_TOTAL_COLUMNS, queries.figure_sums(
        Figure.indicator_id == indicator_id, Figure.period_number == period_number)))


def refresh_all_totals(programme_id: int) -> None:
    """Recompute every total of a programme (after figures were written outside ``save_figure``)."""
    versions.touch(db.session, programme_id)
    indicators = select(Indicator.id).where(Indicator.programme_id == programme_id)
    db.session.execute(delete(FigureTotal).where(FigureTotal.indicator_id.in_(indicators)))
    db.session.execute(insert(FigureTotal).from_select(_TOTAL_COLUMNS,
                                                       queries.figure_sums(Figure.indicator_id.in_(indicators))))


def format_amount(unit: Unit, value, numerator, denominator) -> str:
    """A count (``1,234``) or a proportion (``25.0% (5/20)``) as the tracker shows it."""
    if unit == Unit.COUNT:
        return format_number(value)
    return f"{format_percent(numerator, denominator)} ({format_number(numerator)}/{format_number(denominator)})"


def display_value(indicator: Indicator, figure: Figure | None) -> str:
    """A figure as the tracker shows it: ``12``, ``25.0% (5/20)``, ``Yes``, or the narrative."""
    if figure is None:
        return ""
    if indicator.unit in (Unit.COUNT, Unit.PROPORTION):
        return format_amount(indicator.unit, figure.value, figure.numerator, figure.denominator)
    if indicator.unit == Unit.YES_NO:
        return _("Yes") if figure.flag else _("No")
    return figure.narrative


def format_number(value) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value.normalize():,f}"


def format_percent(numerator, denominator) -> str:
    if numerator is None or not denominator:
        return ""
    return f"{Decimal(numerator) * 100 / Decimal(denominator):.1f}%"


# --- progress against target -------------------------------------------------------------------------


class Rag(enum.StrEnum):
    """Progress against target: a colour (green, amber, red or grey) and what it means."""

    ON_TRACK = "on_track"
    AHEAD = "ahead"
    OFF_TRACK = "off_track"
    NO_TARGET = "no_target"
    NO_FIGURES = "no_figures"

    @property
    def colour(self) -> str:
        return {"on_track": "green", "ahead": "amber", "off_track": "red"}.get(self.value, "grey")

    @property
    def label(self) -> str:
        return str({"on_track": _l("On track"), "ahead": _l("Ahead of target"), "off_track": _l("Off track"),
                    "no_target": _l("No target"), "no_figures": _l("No figures yet")}[self.value])


def rag(indicator: Indicator, actual: Decimal | None, band_percent: int) -> Rag:
    """Progress against target, taking the indicator's direction into account (TolaData's default):
    within ± the band of the target is on track (green); beyond it in the bad direction is off track
    (red); beyond it in the good direction is ahead of target (amber: worth checking the target);
    grey when there is no target or no figure, or for yes/no and narrative indicators.
    """
    if indicator.unit in (Unit.YES_NO, Unit.NARRATIVE) or indicator.target is None:
        return Rag.NO_TARGET
    if actual is None:
        return Rag.NO_FIGURES
    target = Decimal(indicator.target)
    band = abs(target) * Decimal(band_percent) / 100
    if target - band <= actual <= target + band:
        return Rag.ON_TRACK
    better = actual > target if indicator.direction == Direction.INCREASE else actual < target
    return Rag.AHEAD if better else Rag.OFF_TRACK


# --- outputs -----------------------------------------------------------------------------------------


class OutputStatus(enum.StrEnum):
    RECEIVED = "received"
    #: Past its due date and not received.
    OVERDUE = "overdue"
    #: The period has ended; not yet overdue.
    DUE = "due"
    NOT_DUE = "not_due"

    @property
    def label(self) -> str:
        return str({"received": _l("Received"), "overdue": _l("Overdue"), "due": _l("Due"),
                    "not_due": _l("Not due yet")}[self.value])


def output_status(output: Output, period: period_rules.Period, received: OutputReceipt | None,
                  today: date) -> OutputStatus:
    """Received, overdue, due (period ended, not yet overdue), or not due yet."""
    if received is not None:
        return OutputStatus.RECEIVED
    due = period.end + timedelta(days=output.due_days_after_period)
    if today > due:
        return OutputStatus.OVERDUE
    if today > period.end:
        return OutputStatus.DUE
    return OutputStatus.NOT_DUE


def record_output(output: Output, org: Organisation, period_number: int, *, received: bool, user: User | None,
                  today: date) -> None:
    """Mark an output received (today) for an organisation and period, or undo that."""
    if output.outcome.objective.programme_id != org.programme_id:
        raise ResultsError(_("That output belongs to another programme"))
    if period_rules.period(org.programme, period_number) is None:
        raise ResultsError(_("There is no reporting period %(n)s in this programme", n=period_number))
    existing = db.session.scalar(select(OutputReceipt).where(
        OutputReceipt.output_id == output.id, OutputReceipt.organisation_id == org.id,
        OutputReceipt.period_number == period_number))
    if received and existing is None:
        db.session.add(OutputReceipt(output_id=output.id, organisation_id=org.id, period_number=period_number,
                                     received_on=today, recorded_by_id=user.id if user else None))
    elif not received and existing is not None:
        db.session.delete(existing)
    db.session.flush()


# --- links between cards and indicators ------------------------------------------------------------


def set_card_indicators(card: Card, indicators: list[Indicator]) -> None:
    """The indicators a card is meant to move (same programme only).

    :raises ResultsError: an indicator of another programme.
    """
    programme_id = card.organisation.programme_id
    if any(i.programme_id != programme_id for i in indicators):
        raise ResultsError(_("Choose indicators of this programme"))
    lock(Card, card.id)  # two saves at once take turns, or both would insert the same links
    scope = {"agenda_scope": ("organisation", card.organisation_id)}  # a card's agenda shows its indicators
    db.session.execute(card_indicator.delete().where(card_indicator.c.card_id == card.id), execution_options=scope)
    if indicators:
        db.session.execute(card_indicator.insert(), [{"card_id": card.id, "indicator_id": i.id} for i in indicators],
                           execution_options=scope)
    db.session.flush()


def card_indicator_ids(card: Card) -> set[int]:
    return set(db.session.scalars(select(card_indicator.c.indicator_id).where(card_indicator.c.card_id == card.id)))


# --- changing and deleting the framework -----------------------------------------------------------


def update_text(obj: Objective | Outcome, title: str) -> None:
    """Change an objective's or an outcome's wording (its number stays)."""
    obj.title = title.strip()


def update_output(output: Output, *, description: str, evidence: str, due_days_after_period: int) -> None:
    output.description = description.strip()
    output.evidence = evidence
    output.due_days_after_period = due_days_after_period


@dataclass(frozen=True)
class Dependants:
    """What goes with an objective, outcome, indicator or output when it is deleted."""

    outcomes: int = 0
    indicators: int = 0
    outputs: int = 0
    figures: int = 0
    organisations: int = 0
    cards: int = 0
    receipts: int = 0

    @property
    def nothing(self) -> bool:
        return not any((self.outcomes, self.indicators, self.outputs, self.figures, self.cards, self.receipts))


def _indicator_ids(obj) -> select:
    if isinstance(obj, Indicator):
        return select(Indicator.id).where(Indicator.id == obj.id)
    if isinstance(obj, Outcome):
        return select(Indicator.id).where(Indicator.outcome_id == obj.id)
    return select(Indicator.id).join(Outcome, Outcome.id == Indicator.outcome_id).where(Outcome.objective_id == obj.id)


def _output_ids(obj) -> select:
    if isinstance(obj, Output):
        return select(Output.id).where(Output.id == obj.id)
    if isinstance(obj, Outcome):
        return select(Output.id).where(Output.outcome_id == obj.id)
    return select(Output.id).join(Outcome, Outcome.id == Output.outcome_id).where(Outcome.objective_id == obj.id)


def dependants(obj: Objective | Outcome | Indicator | Output) -> Dependants:
    """Count what a deletion takes with it, in a fixed number of queries."""
    def count(stmt) -> int:
        return db.session.scalar(select(func.count()).select_from(stmt.subquery()))

    outputs = _output_ids(obj)
    receipts = count(select(OutputReceipt.id).where(OutputReceipt.output_id.in_(outputs)))
    if isinstance(obj, Output):
        return Dependants(receipts=receipts)
    indicators = _indicator_ids(obj)
    figures = select(Figure.id, Figure.organisation_id).where(Figure.indicator_id.in_(indicators))
    return Dependants(
        outcomes=count(select(Outcome.id).where(Outcome.objective_id == obj.id)) if isinstance(obj, Objective) else 0,
        indicators=0 if isinstance(obj, Indicator) else count(indicators),
        outputs=0 if isinstance(obj, Indicator) else count(outputs),
        figures=count(figures),
        organisations=count(select(Figure.organisation_id).where(Figure.indicator_id.in_(indicators)).distinct()),
        cards=count(select(card_indicator.c.card_id).where(card_indicator.c.indicator_id.in_(indicators)).distinct()),
        receipts=receipts)


def delete_framework_item(obj: Objective | Outcome | Indicator | Output) -> None:
    """Delete it and everything under it: outcomes, indicators, outputs, their figures with their history
    and totals, output receipts and the links from cards. Numbers are not reused or shifted, so the codes
    that imports and the API use keep meaning the same indicator."""
    programme_id = (obj.programme_id if isinstance(obj, Objective | Indicator)
                    else obj.objective.programme_id if isinstance(obj, Outcome)
                    else obj.outcome.objective.programme_id)
    versions.touch(db.session, programme_id)
    indicators = list(db.session.scalars(_indicator_ids(obj))) if not isinstance(obj, Output) else []
    if indicators:
        db.session.execute(delete(FigureTotal).where(FigureTotal.indicator_id.in_(indicators)))
        db.session.execute(delete(FigureChange).where(FigureChange.figure_id.in_(
            select(Figure.id).where(Figure.indicator_id.in_(indicators)))))
        db.session.execute(delete(Figure).where(Figure.indicator_id.in_(indicators)))
        db.session.execute(card_indicator.delete().where(card_indicator.c.indicator_id.in_(indicators)))
    db.session.execute(delete(OutputReceipt).where(OutputReceipt.output_id.in_(list(db.session.scalars(
        _output_ids(obj))))))
    db.session.delete(obj)
    db.session.flush()
