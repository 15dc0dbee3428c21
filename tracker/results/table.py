"""The results tracker as a table: every cell's text worked out once, in Python, before rendering.

A tracker of 50 indicators × 8 periods has 800 figure cells; formatting them in the template (a call,
a translation and a URL per cell) cost ten times the markup. Here labels are translated once per page
and each cell is two short strings.
"""

from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import gettext

from tracker.programmes.models import Organisation, Programme
from tracker.results import periods as period_rules
from tracker.results import queries, services
from tracker.results.models import Indicator, Objective, Outcome, Output, Unit


@dataclass(slots=True)
class FigureCell:
    own: str = ""
    #: The organisation's figure is not from its testing phase.
    not_testing: bool = False
    link: str = ""
    link_text: str = ""
    missing: bool = False
    total: str = ""
    reported: str = ""


@dataclass
class IndicatorRow:
    indicator: Indicator
    rag: services.Rag
    target: str
    cells: list[FigureCell]


@dataclass
class OutputCell:
    status: str
    label: str
    received_on: date | None
    can_mark: bool


@dataclass
class OutputRow:
    output: Output
    cells: list[OutputCell]


@dataclass
class OutcomeBlock:
    outcome: Outcome
    indicators: list[IndicatorRow] = field(default_factory=list)
    outputs: list[OutputRow] = field(default_factory=list)


@dataclass
class ObjectiveBlock:
    objective: Objective
    outcomes: list[OutcomeBlock] = field(default_factory=list)


def build(programme: Programme, org: Organisation | None, today: date, *, can_edit: bool,
          can_manage: bool) -> tuple[list[ObjectiveBlock], list[period_rules.Period]]:
    """The tracker for ``programme``, with ``org``'s own figures beside the totals, in a fixed number of
    queries whatever the number of organisations and indicators."""
    periods = period_rules.periods(programme)
    objectives = queries.framework(programme)
    totals = queries.totals(programme)
    latest = queries.latest_totals(totals)
    figures = queries.organisation_figures(programme, org)
    receipts = queries.receipts(programme, org)
    n_orgs = len(programme.organisations)
    started = [p.has_started(today) for p in periods]
    overdue = [p.is_overdue(today) for p in periods]
    reported = gettext("%(n)s of %(total)s reported")
    yes_label = gettext("%(yes)s yes")
    change, enter = gettext("Change"), gettext("Enter")

    blocks = []
    for objective in objectives:
        block = ObjectiveBlock(objective)
        for outcome in objective.outcomes:
            outcome_block = OutcomeBlock(outcome)
            for indicator in outcome.indicators:
                unit = indicator.unit
                numeric = unit in (Unit.COUNT, Unit.PROPORTION)
                base = (url_for("results.figure", indicator_id=indicator.id, org_slug=org.slug, period_number=0)[:-1]
                        if org is not None and can_edit else "")
                cells = []
                for i, period in enumerate(periods):
                    own = figures.get((indicator.id, period.number))
                    total = totals.get((indicator.id, period.number))
                    cell = FigureCell()
                    if total is not None:
                        cell.reported = reported % {"n": total.reported, "total": n_orgs}
                        if numeric:
                            cell.total = services.format_amount(unit, total.value, total.numerator, total.denominator)
                        elif unit == Unit.YES_NO:
                            cell.total = yes_label % {"yes": total.yes}
                    if own is not None:
                        cell.own = (services.format_amount(unit, own.value, own.numerator, own.denominator)
                                    if numeric else services.display_value(indicator, own))
                        cell.not_testing = not own.is_testing_phase
                    if base and started[i]:
                        cell.link = f"{base}{period.number}"
                        cell.link_text = change if own is not None else enter
                    elif own is None and started[i] and overdue[i] and org is not None:
                        cell.missing = True
                    cells.append(cell)
                target = ""
                if indicator.target is not None:
                    percent = "%" if indicator.unit == Unit.PROPORTION else ""
                    target = services.format_number(indicator.target) + percent
                actual = latest[indicator.id].comparable if indicator.id in latest else None
                outcome_block.indicators.append(IndicatorRow(
                    indicator, services.rag(indicator, actual, programme.rag_band_percent), target, cells))
            for output in outcome.outputs:
                cells = []
                for period in periods:
                    receipt = receipts.get((output.id, period.number))
                    status, label = services.output_status(output, programme, period.number, receipt, today)
                    cells.append(OutputCell(status, label, receipt.received_on if receipt else None,
                                            can_manage and status != "not_due"))
                outcome_block.outputs.append(OutputRow(output, cells))
            block.outcomes.append(outcome_block)
        blocks.append(block)
    return blocks, periods
