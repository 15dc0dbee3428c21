"""The results tracker as a table, worked out in Python before rendering.

A tracker of 50 indicators × 8 periods has 800 figure cells. Formatting them in the template (a call, a
translation and a URL per cell) cost ten times the markup, so labels are translated once per page and
each indicator's figure cells are written here as one piece of escaped HTML; the template lays out the
rest of the table. The table holds plain values only (no ORM objects), so it can be kept between
requests: see ``tracker.results.table_cache``.
"""

from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import gettext
from markupsafe import Markup, escape

from tracker.programmes.models import Organisation, Programme
from tracker.results import periods as period_rules
from tracker.results import queries, services
from tracker.results.models import Unit


@dataclass(frozen=True)
class IndicatorRow:
    id: int
    code: str
    name: str
    definition: str
    #: The indicator's page, showing the same organisation.
    href: str
    rag: services.Rag
    target: str
    direction: str
    frequency: str
    data_source: str
    who_collects: str
    #: For each period, the organisation's cell and the "across all organisations" cell (``<td>``s).
    cells_html: Markup


@dataclass(frozen=True)
class OutputCell:
    status: str
    label: str
    received_on: date | None
    can_mark: bool


@dataclass(frozen=True)
class OutputRow:
    id: int
    description: str
    evidence: str
    due_days_after_period: int
    cells: list[OutputCell]


@dataclass
class OutcomeBlock:
    code: str
    title: str
    indicators: list[IndicatorRow] = field(default_factory=list)
    outputs: list[OutputRow] = field(default_factory=list)


@dataclass
class ObjectiveBlock:
    id: int
    number: int
    title: str
    outcomes: list[OutcomeBlock] = field(default_factory=list)


@dataclass(frozen=True)
class Tracker:
    blocks: list[ObjectiveBlock]
    periods: list[period_rules.Period]


#: Stand-ins for path parts in a URL built once per page (numbers no programme reaches).
_SLOT = 987654321
_SLOT_TEXT, _ID = str(_SLOT), str(_SLOT + 1)


def _url_pattern(endpoint: str, **values) -> str:
    """The URL of ``endpoint`` for indicator ``_ID`` (and any ``_SLOT`` value), to be filled in by
    ``str.replace``."""
    return url_for(endpoint, indicator_id=_SLOT + 1, **values)


def build(programme: Programme, org: Organisation | None, today: date, *, can_edit: bool,
          can_manage: bool) -> Tracker:
    """The tracker for ``programme``, with ``org``'s own figures beside the totals, in a fixed number of
    queries whatever the number of organisations and indicators."""
    periods = period_rules.periods(programme)
    framework = queries.tracker_framework(programme)
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
    # URLs are built once per page and filled in per row: url_for per cell cost more than the cell.
    org_query = {"organisation": org.slug} if org is not None else {}
    indicator_href = _url_pattern("results.indicator", **org_query)
    figure_href = (str(escape(_url_pattern("results.figure", org_slug=org.slug, period_number=_SLOT)))
                   if org is not None and can_edit else "")
    direction_labels = {}

    outcomes_of: dict[int, list[OutcomeBlock]] = {}
    outcome_blocks: dict[int, OutcomeBlock] = {}
    for outcome in framework.outcomes:
        outcome_blocks[outcome.id] = block = OutcomeBlock(f"{outcome.objective_number}.{outcome.number}",
                                                          outcome.title)
        outcomes_of.setdefault(outcome.objective_id, []).append(block)

    for indicator in framework.indicators:
        unit, iid = indicator.unit, indicator.id
        numeric = unit in (Unit.COUNT, Unit.PROPORTION)
        code = escape(indicator.code)
        href_start, _slot, href_end = figure_href.replace(_ID, str(iid), 1).partition(_SLOT_TEXT)
        parts = []
        for i, number in enumerate(numbers):
            own = figures.get((iid, number))
            total = totals.get((iid, number))
            # Plain strings (not Markup, whose + would escape the HTML added below); every value that is
            # not our own markup goes through escape().
            mine = ""
            if own is not None:
                if numeric:  # digits, separators, % and brackets only
                    mine = services.format_amount(unit, own.value, own.numerator, own.denominator)
                else:
                    mine = str(escape(services.display_value(indicator, own)))
                if not own.is_testing_phase:
                    mine += not_testing
            if figure_href and started[i]:
                mine += (f'<br><a class="govuk-link govuk-body-s app-no-print" href="{href_start}{number}{href_end}">'
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
        target = ""
        if indicator.target is not None:
            percent = "%" if unit == Unit.PROPORTION else ""
            target = services.format_number(indicator.target) + percent
        if indicator.direction not in direction_labels:
            direction_labels[indicator.direction] = indicator.direction.label
        actual = latest[iid].comparable if iid in latest else None
        outcome_blocks[indicator.outcome_id].indicators.append(IndicatorRow(
            iid, indicator.code, indicator.name, indicator.definition, indicator_href.replace(_ID, str(iid), 1),
            services.rag(indicator, actual, programme.rag_band_percent), target,
            direction_labels[indicator.direction], indicator.frequency, indicator.data_source,
            indicator.who_collects,
            Markup("".join(parts))))  # noqa: S704 - every value above went through escape()

    for output in framework.outputs:
        cells = []
        for period in periods:
            receipt = receipts.get((output.id, period.number))
            status, label = services.output_status(output, period, receipt, today)
            cells.append(OutputCell(status, label, receipt.received_on if receipt else None,
                                    can_manage and status != "not_due"))
        outcome_blocks[output.outcome_id].outputs.append(OutputRow(
            output.id, output.description, output.evidence, output.due_days_after_period, cells))

    blocks = [ObjectiveBlock(o.id, o.number, o.title, outcomes_of.get(o.id, [])) for o in framework.objectives]
    return Tracker(blocks, periods)
