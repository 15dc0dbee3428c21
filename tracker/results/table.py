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
from tracker.results.models import Direction, Unit


@dataclass(frozen=True)
class IndicatorRow:
    id: int
    code: str
    name: str
    definition: str
    #: The indicator's page, showing the same organisation.
    href: str
    #: Progress against target: the tag's colour and words.
    rag_colour: str
    rag_label: str
    target: str
    direction: str
    frequency: str
    data_source: str
    who_collects: str
    #: For each period, the organisation's cell and the "across all organisations" cell (``<td>``s).
    cells_html: Markup


@dataclass(frozen=True)
class OutputCell:
    status: services.OutputStatus
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


@dataclass(frozen=True)
class _Words:
    """What every cell of one page may say, translated and escaped once (gettext costs more than a cell)."""

    reported: str
    yes: str
    change: str
    enter: str
    not_testing: str
    missing: str
    periods: list[str]

    @classmethod
    def for_page(cls, periods: list[period_rules.Period]) -> "_Words":
        return cls(str(escape(gettext("%(n)s of %(total)s reported"))), str(escape(gettext("%(yes)s yes"))),
                   str(escape(gettext("Change"))), str(escape(gettext("Enter"))),
                   f' <span class="govuk-body-s">({escape(gettext("not testing phase"))})</span>',
                   f'<span class="govuk-body-s">{escape(gettext("Missing"))}</span>',
                   [str(escape(p.label)) for p in periods])


def build(programme: Programme, org: Organisation | None, today: date, *, can_edit: bool,
          can_manage: bool) -> Tracker:
    """The tracker for ``programme``, with ``org``'s own figures beside the totals, in a fixed number of
    queries whatever the number of organisations and indicators."""
    periods = period_rules.periods(programme)
    framework = queries.tracker_framework(programme)
    cells = queries.tracker_cells(programme, org)
    receipts = queries.receipts(programme, org)
    words = _Words.for_page(periods)
    rag_labels = {rag: rag.label for rag in services.Rag}
    direction_labels = {direction: direction.label for direction in Direction}
    output_labels = {status: status.label for status in services.OutputStatus}
    # URLs are built once per page and filled in per row: url_for per cell cost more than the cell.
    org_query = {"organisation": org.slug} if org is not None else {}
    indicator_href = _url_pattern("results.indicator", **org_query)
    figure_href = (str(escape(_url_pattern("results.figure", org_slug=org.slug, period_number=_SLOT)))
                   if org is not None and can_edit else "")
    figure_cells = _FigureCells(periods, today, cells, words, len(programme.organisations), figure_href,
                                show_missing=org is not None)

    outcomes_of: dict[int, list[OutcomeBlock]] = {}
    outcome_blocks: dict[int, OutcomeBlock] = {}
    for outcome in framework.outcomes:
        outcome_blocks[outcome.id] = block = OutcomeBlock(f"{outcome.objective_number}.{outcome.number}",
                                                          outcome.title)
        outcomes_of.setdefault(outcome.objective_id, []).append(block)

    for indicator in framework.indicators:
        cells_html, latest = figure_cells.row(indicator)
        target = ""
        if indicator.target is not None:
            target = services.format_number(indicator.target) + ("%" if indicator.unit == Unit.PROPORTION else "")
        actual = (queries.comparable(indicator.unit, latest.value_sum, latest.numerator_sum, latest.denominator_sum)
                  if latest is not None else None)
        rag = services.rag(indicator, actual, programme.rag_band_percent)
        outcome_blocks[indicator.outcome_id].indicators.append(IndicatorRow(
            indicator.id, indicator.code, indicator.name, indicator.definition,
            indicator_href.replace(_ID, str(indicator.id), 1), rag.colour, rag_labels[rag], target,
            direction_labels[indicator.direction], indicator.frequency, indicator.data_source,
            indicator.who_collects, cells_html))

    for output in framework.outputs:
        row = []
        for period in periods:
            receipt = receipts.get((output.id, period.number))
            status = services.output_status(output, period, receipt, today)
            row.append(OutputCell(status, output_labels[status], receipt.received_on if receipt else None,
                                  can_manage and status != services.OutputStatus.NOT_DUE))
        outcome_blocks[output.outcome_id].outputs.append(OutputRow(
            output.id, output.description, output.evidence, output.due_days_after_period, row))

    blocks = [ObjectiveBlock(o.id, o.number, o.title, outcomes_of.get(o.id, [])) for o in framework.objectives]
    return Tracker(blocks, periods)


class _FigureCells:
    """Each indicator's figure cells: per period, the organisation's figure (with a link to enter or
    change it, for those who may) and the figure across all organisations."""

    def __init__(self, periods: list[period_rules.Period], today: date, cells: dict, words: _Words, n_orgs: int,
                 figure_href: str, *, show_missing: bool):
        self.numbers = [p.number for p in periods]
        self.started = [p.has_started(today) for p in periods]
        self.overdue = [p.is_overdue(today) for p in periods]
        self.cells, self.words, self.n_orgs = cells, words, n_orgs
        self.figure_href, self.show_missing = figure_href, show_missing

    def row(self, indicator) -> tuple[Markup, queries.TrackerCell | None]:
        """The ``<td>`` pairs of one indicator, and its latest period's cell (for progress against target)."""
        words, unit, iid = self.words, indicator.unit, indicator.id
        numeric = unit in (Unit.COUNT, Unit.PROPORTION)
        code = escape(indicator.code)
        href_start, _slot, href_end = self.figure_href.replace(_ID, str(iid), 1).partition(_SLOT_TEXT)
        parts, latest = [], None
        for i, number in enumerate(self.numbers):
            cell = self.cells.get((iid, number))
            has_own = cell is not None and cell.figure_id is not None
            # Plain strings (not Markup, whose + would escape the HTML added below); every value that is
            # not our own markup goes through escape().
            mine = everyone = ""
            if has_own:
                if numeric:  # digits, separators, % and brackets only
                    mine = services.format_amount(unit, cell.value, cell.numerator, cell.denominator)
                else:
                    mine = str(escape(services.display_value(indicator, cell)))
                if not cell.is_testing_phase:
                    mine += words.not_testing
            if self.figure_href and self.started[i]:
                mine += (f'<br><a class="govuk-link govuk-body-s app-no-print" href="{href_start}{number}{href_end}">'
                         f'{words.change if has_own else words.enter}<span class="govuk-visually-hidden"> '
                         f'{code}, {words.periods[i]}</span></a>')
            elif not has_own and self.show_missing and self.started[i] and self.overdue[i]:
                mine += words.missing
            if cell is not None:
                latest = cell
                if numeric:
                    everyone = services.format_amount(unit, cell.value_sum, cell.numerator_sum, cell.denominator_sum)
                elif unit == Unit.YES_NO:
                    everyone = words.yes % {"yes": cell.yes_count or 0}  # whole numbers
                everyone += (f'<br><span class="govuk-body-s">'
                             f'{words.reported % {"n": cell.reported, "total": self.n_orgs}}</span>')
            parts.append(f'<td class="govuk-table__cell app-figure">{mine}</td>'
                         f'<td class="govuk-table__cell app-figure">{everyone}</td>')
        return Markup("".join(parts)), latest  # noqa: S704 - every value above went through escape()
