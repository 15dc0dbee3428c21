"""The results tracker as a table, worked out in Python before rendering.

A tracker of 50 indicators × 8 periods has 800 figure cells. Formatting them in the template (a call, a
translation and a URL per cell) cost ten times the markup, so labels are translated once per page and
each indicator's figure cells are written here as one piece of escaped HTML; the template lays out the
rest of the table.
"""

from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import gettext
from markupsafe import Markup, escape

from tracker.programmes.models import Organisation, Programme
from tracker.results import periods as period_rules
from tracker.results import queries, services
from tracker.results.models import Indicator, Objective, Outcome, Output, Unit


@dataclass
class IndicatorRow:
    indicator: Indicator
    rag: services.Rag
    target: str
    #: For each period, the organisation's cell and the "across all organisations" cell (``<td>``s).
    cells_html: Markup


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
    change, enter = escape(gettext("Change")), escape(gettext("Enter"))
    not_testing = f' <span class="govuk-body-s">({escape(gettext("not testing phase"))})</span>'
    missing = f'<span class="govuk-body-s">{escape(gettext("Missing"))}</span>'
    labels = [escape(p.label) for p in periods]
    numbers = [p.number for p in periods]

    blocks = []
    for objective in objectives:
        block = ObjectiveBlock(objective)
        for outcome in objective.outcomes:
            outcome_block = OutcomeBlock(outcome)
            for indicator in outcome.indicators:
                unit, iid = indicator.unit, indicator.id
                numeric = unit in (Unit.COUNT, Unit.PROPORTION)
                code = escape(indicator.code)
                base = (escape(url_for("results.figure", indicator_id=iid, org_slug=org.slug, period_number=0)[:-1])
                        if org is not None and can_edit else "")
                parts = []
                for i, number in enumerate(numbers):
                    own = figures.get((iid, number))
                    total = totals.get((iid, number))
                    # Plain strings (not Markup, whose + would escape the HTML added below); every value
                    # that is not our own markup goes through escape().
                    mine = ""
                    if own is not None:
                        if numeric:  # digits, separators, % and brackets only
                            mine = services.format_amount(unit, own.value, own.numerator, own.denominator)
                        else:
                            mine = str(escape(services.display_value(indicator, own)))
                        if not own.is_testing_phase:
                            mine += not_testing
                    if base and started[i]:
                        mine += (f'<br><a class="govuk-link govuk-body-s app-no-print" href="{base}{number}">'
                                 f'{change if own is not None else enter}<span class="govuk-visually-hidden"> '
                                 f'{code}, {labels[i]}</span></a>')
                    elif own is None and started[i] and overdue[i] and org is not None:
                        mine += missing
                    everyone = ""
                    if total is not None:
                        if numeric:
                            everyone = services.format_amount(unit, total.value, total.numerator, total.denominator)
                        elif unit == Unit.YES_NO:
                            everyone = str(escape(yes_label % {"yes": total.yes}))
                        everyone += (f'<br><span class="govuk-body-s">'
                                     f'{escape(reported % {"n": total.reported, "total": n_orgs})}</span>')
                    parts.append(f'<td class="govuk-table__cell app-figure">{mine}</td>'
                                 f'<td class="govuk-table__cell app-figure">{everyone}</td>')
                cells_html = Markup("".join(parts))  # noqa: S704 - every value above went through escape()
                target = ""
                if indicator.target is not None:
                    percent = "%" if indicator.unit == Unit.PROPORTION else ""
                    target = services.format_number(indicator.target) + percent
                actual = latest[indicator.id].comparable if indicator.id in latest else None
                outcome_block.indicators.append(IndicatorRow(
                    indicator, services.rag(indicator, actual, programme.rag_band_percent), target, cells_html))
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
