"""The results tracker and the action plans as tables, in the source documents' column order and headings.

Cells hold plain values: text, and numbers as ``int`` or ``Decimal`` so a spreadsheet gets numbers.
Each builder reads everything it needs in a fixed number of queries.
"""

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import select

from tracker.board import queries as board_queries
from tracker.board.models import Card, Priority, RoadmapColumn
from tracker.core.formats import uk_date
from tracker.exchange.files import Table
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme
from tracker.results import periods as period_rules
from tracker.results import queries, services
from tracker.results.models import Figure, Indicator, OutputReceipt, Unit

#: The import's columns, in order; the "Figures" sheet has these plus the period's label and a proportion's
#: percentage (which the import does not read).
FIGURE_COLUMNS = ("code", "organisation", "period", "period_label", "value", "numerator", "denominator",
                  "percentage", "testing_phase", "note", "source")


def figure_headings() -> dict[str, str]:
    return {"code": _("Indicator code"), "organisation": _("Organisation"), "period": _("Period number"),
            "period_label": _("Period"), "value": _("Value"), "numerator": _("Numerator"),
            "denominator": _("Denominator"), "percentage": _("Percentage"),
            "testing_phase": _("Testing phase (yes/no)"), "note": _("Note"), "source": _("Source")}


def number(value) -> int | Decimal | None:
    """A stored number as a spreadsheet number: ``12`` rather than ``12.0000``."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def percentage(numerator, denominator) -> Decimal | None:
    """Numerator over denominator as a percentage to one decimal place, as the tracker shows it."""
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def yes_no(flag: bool | None) -> str:
    if flag is None:
        return ""
    return _("Yes") if flag else _("No")


def figure_cell(indicator: Indicator, figure: Figure | None):
    """One organisation's figure in the tracker: the number (a percentage for proportions), yes or no,
    or the narrative."""
    if figure is None:
        return None
    if indicator.unit == Unit.COUNT:
        return number(figure.value)
    if indicator.unit == Unit.PROPORTION:
        return percentage(figure.numerator, figure.denominator)
    if indicator.unit == Unit.YES_NO:
        return yes_no(figure.flag)
    return figure.narrative


def total_cell(indicator: Indicator, total: queries.Total | None):
    """The across-all-organisations figure: the sum for counts, pooled percentage for proportions (sum of
    numerators over sum of denominators), the number of "yes" for yes/no; nothing for narratives."""
    if total is None:
        return None
    if indicator.unit == Unit.COUNT:
        return number(total.value)
    if indicator.unit == Unit.PROPORTION:
        return percentage(total.numerator, total.denominator)
    if indicator.unit == Unit.YES_NO:
        return _("%(yes)s yes", yes=total.yes)
    return None


# --- results tracker ------------------------------------------------------------------------------

#: The results tracker's columns before the periods' figures.
TRACKER_FIXED_COLUMNS = 5


def rag_word(rag: services.Rag) -> str:
    """Progress against target in words, with the colour of the tracker page's tag in brackets:
    "On track (green)", "Off track (red)"; grey ones ("No figures yet") without a colour."""
    colour = {"green": _("green"), "amber": _("amber"), "red": _("red")}.get(rag.colour)
    return _("%(progress)s (%(colour)s)", progress=rag.label, colour=colour) if colour else rag.label


def results_tracker(programme: Programme, organisations: list[Organisation], today: date) -> Table:
    """The results tracker in the seed's layout, carrying what the tracker page shows: three heading rows
    (the fixed columns, with the direction and the progress against target after the target; "Actual
    count" over the periods; per period "Testing phase in <organisation>" for each organisation given
    and "Across all organisations"), then per objective and outcome a heading row, its indicators (see
    :class:`_IndicatorRows`), and the outputs contributing to it with their status per organisation and
    period.

    :param organisations: the organisations whose own figures are shown (those the person may see);
        the across-all figures always count every organisation.
    """
    objectives = queries.framework(programme)
    periods = period_rules.periods(programme)
    indicator_rows = _IndicatorRows(programme, organisations, periods, today)
    receipts = _receipts(organisations)
    labels = {status: status.label for status in services.OutputStatus}
    per_period = len(organisations) + 1
    first = TRACKER_FIXED_COLUMNS
    width = first + per_period * len(periods) + 3
    last_fixed = width - 3

    top = [_("Indicator definition"), _("Indicator"), _("Target"), _("Direction"), _("Progress against target")]
    top += [None] * (width - first)
    top[first] = _("Actual count") if periods else None
    top[last_fixed:] = [_("Data collection frequency"), _("Data source"), _("Who will collect data")]
    middle, bottom = [None] * width, [None] * width
    merges = [(0, c, 2, c) for c in (*range(first), last_fixed, last_fixed + 1, last_fixed + 2)]
    if periods and per_period * len(periods) > 1:
        merges.append((0, first, 0, last_fixed - 1))
    for i, period in enumerate(periods):
        start = first + i * per_period
        middle[start] = period.label
        if per_period > 1:
            merges.append((1, start, 1, start + per_period - 1))
        for j, org in enumerate(organisations):
            bottom[start + j] = _("Testing phase in %(org)s", org=org.name)
        bottom[start + per_period - 1] = _("Across all organisations")
    rows: list[list] = [top, middle, bottom]
    sections: set[int] = set()

    def section(text: str) -> None:
        sections.add(len(rows))
        merges.append((len(rows), 0, len(rows), width - 1))
        rows.append([text] + [None] * (width - 1))

    for objective in objectives:
        section(_("Objective %(n)s:", n=objective.number) + " " + objective.title)
        for outcome in objective.outcomes:
            section(_("Outcome %(code)s", code=outcome.code) + ": " + outcome.title)
            for indicator in outcome.indicators:
                rows += indicator_rows.rows(indicator)
            if outcome.outputs:
                section(_("Outputs contributing to Outcome %(code)s", code=outcome.code))
            for output in outcome.outputs:
                row = [output.description, output.evidence] + [None] * (first - 2)
                for period in periods:
                    for org in organisations:
                        receipt = receipts.get((output.id, org.id, period.number))
                        label = labels[services.output_status(output, period, receipt, today)]
                        row.append(f"{label} {uk_date(receipt.received_on)}" if receipt else label)
                    row.append(None)
                rows.append(row + [_("Due %(n)s days after each period", n=output.due_days_after_period), None,
                                   None])
    return Table(rows, header_rows=3, section_rows=sections, merges=merges)


class _IndicatorRows:
    """An indicator's rows in the results tracker, from figures and totals read once for the programme.

    Its own row holds the definition, code and name, target, direction, progress against target (judged
    on the latest period's across-all figure, as on the tracker page) and the figures as numbers:
    percentages for proportions, "Missing" where an organisation's figure is overdue. The rows under it
    hold, in the same columns: a proportion's numerators and denominators; whether each figure is from
    the testing phase (only when one is not); and how many organisations reported ("2 of 3 reported")
    under "Across all organisations".
    """

    def __init__(self, programme: Programme, organisations: list[Organisation], periods: list[period_rules.Period],
                 today: date):
        self.organisations, self.periods = organisations, periods
        self.figures = _figures(programme, organisations)
        self.totals = queries.totals(programme)
        self.n_organisations = len(programme.organisations)
        self.band_percent = programme.rag_band_percent
        self.missing = [_("Missing") if p.has_started(today) and p.is_overdue(today) else None for p in periods]

    def rows(self, indicator: Indicator) -> list[list]:
        latest = None
        for period in self.periods:
            latest = self.totals.get((indicator.id, period.number), latest)
        rag = services.rag(indicator, latest.comparable if latest else None, self.band_percent)
        has_target = indicator.target is not None
        own = [indicator.definition, f"{indicator.code} {indicator.name}", number(indicator.target),
               indicator.direction.label if has_target else None, rag_word(rag)]
        own += self._cells(indicator, lambda f: figure_cell(indicator, f), lambda t: total_cell(indicator, t),
                           missing=True)
        rows = [own + [indicator.frequency, indicator.data_source, indicator.who_collects]]
        if indicator.unit == Unit.PROPORTION:
            numerator, denominator = _("Numerator"), _("Denominator")
            if indicator.numerator_label:
                numerator += ": " + indicator.numerator_label
            if indicator.denominator_label:
                denominator += ": " + indicator.denominator_label
            rows.append(self._line(indicator, numerator, lambda f: number(f.numerator), lambda t: number(t.numerator)))
            rows.append(self._line(indicator, denominator, lambda f: number(f.denominator),
                                   lambda t: number(t.denominator)))
        if any(not f.is_testing_phase for f in self._own_figures(indicator)):
            rows.append(self._line(indicator, _("Testing phase (yes/no)"), lambda f: yes_no(f.is_testing_phase),
                                   lambda t: None))
        if latest is not None:
            rows.append(self._line(indicator, _("Organisations reported"), lambda f: None,
                                   lambda t: _("%(n)s of %(total)s reported", n=t.reported,
                                               total=self.n_organisations)))
        return rows

    def _own_figures(self, indicator: Indicator):
        for period in self.periods:
            for org in self.organisations:
                figure = self.figures.get((indicator.id, org.id, period.number))
                if figure is not None:
                    yield figure

    def _cells(self, indicator: Indicator, own: Callable[[Figure], object],
               everyone: Callable[[queries.Total], object], *, missing: bool = False) -> list:
        """Per period, ``own(figure)`` for each organisation and ``everyone(total)``, where there is one."""
        cells = []
        for i, period in enumerate(self.periods):
            for org in self.organisations:
                figure = self.figures.get((indicator.id, org.id, period.number))
                cells.append(own(figure) if figure is not None else self.missing[i] if missing else None)
            total = self.totals.get((indicator.id, period.number))
            cells.append(everyone(total) if total is not None else None)
        return cells

    def _line(self, indicator: Indicator, label: str, own: Callable[[Figure], object],
              everyone: Callable[[queries.Total], object]) -> list:
        """A row under the indicator's own: a label in the indicator column, then figures only."""
        return ([None, label] + [None] * (TRACKER_FIXED_COLUMNS - 2) + self._cells(indicator, own, everyone)
                + [None, None, None])


def _figures(programme: Programme, organisations: list[Organisation]) -> dict[tuple[int, int, int], Figure]:
    """``(indicator_id, organisation_id, period_number)`` → figure, for these organisations only."""
    if not organisations:
        return {}
    stmt = (select(Figure).join(Indicator, Indicator.id == Figure.indicator_id)
            .where(Indicator.programme_id == programme.id,
                   Figure.organisation_id.in_([o.id for o in organisations])))
    return {(f.indicator_id, f.organisation_id, f.period_number): f for f in db.session.scalars(stmt)}


def _receipts(organisations: list[Organisation]) -> dict[tuple[int, int, int], OutputReceipt]:
    if not organisations:
        return {}
    stmt = select(OutputReceipt).where(OutputReceipt.organisation_id.in_([o.id for o in organisations]))
    return {(r.output_id, r.organisation_id, r.period_number): r for r in db.session.scalars(stmt)}


def figures_table(programme: Programme, organisations: list[Organisation]) -> Table:
    """One row per organisation × indicator × period that has a figure, in the import's columns (plus the
    period's label and a proportion's percentage), so that an export can be changed and imported again."""
    headings = figure_headings()
    rows: list[list] = [[headings[c] for c in FIGURE_COLUMNS]]
    order = {indicator.id: n for n, indicator in enumerate(
        indicator for objective in queries.framework(programme) for outcome in objective.outcomes
        for indicator in outcome.indicators)}
    indicators = {i.id: i for i in queries.indicators(programme)}
    labels = {p.number: p.label for p in period_rules.periods(programme)}
    names = {o.id: o.name for o in organisations}
    found = sorted(_figures(programme, organisations).values(),
                   key=lambda f: (order.get(f.indicator_id, 0), names[f.organisation_id], f.period_number))
    for figure in found:
        indicator = indicators[figure.indicator_id]
        if indicator.unit == Unit.COUNT:
            value = number(figure.value)
        elif indicator.unit == Unit.YES_NO:
            value = yes_no(figure.flag)
        elif indicator.unit == Unit.NARRATIVE:
            value = figure.narrative
        else:
            value = None  # proportions: the numerator and denominator are the figure
        share = percentage(figure.numerator, figure.denominator) if indicator.unit == Unit.PROPORTION else None
        rows.append([indicator.code, names[figure.organisation_id], figure.period_number,
                     labels.get(figure.period_number, ""), value, number(figure.numerator),
                     number(figure.denominator), share, yes_no(figure.is_testing_phase), figure.note,
                     figure.source])
    return Table(rows)


def results_tables(programme: Programme, organisations: list[Organisation], today: date) -> dict[str, Table]:
    """The results tracker sheet and the long-format "Figures" sheet."""
    return {_("Results tracker"): results_tracker(programme, organisations, today),
            figures_sheet_name(): figures_table(programme, organisations)}


def figures_sheet_name() -> str:
    """The long-format sheet's name in the export's language ("Figures", "Ffigurau"); the import finds it by
    either."""
    return pgettext("the name of a sheet of an export", "Figures")


# --- action plans ---------------------------------------------------------------------------------

PRIORITY_LETTERS = {Priority.LOW: "L", Priority.MEDIUM: "M", Priority.HIGH: "H"}

#: ``link(card, sheet)`` → where the card's concept capture sheet or prototyping plan is read.
Linker = Callable[[Card, str], str]


def _lines(items) -> str:
    return "\n".join(item for item in items if item)


def _owners(card: Card, team: str) -> str:
    """A card's owners as the pages show them: the project team first (the seed's owner "Team"), then
    people; "Nobody yet" when it has none."""
    names = ([team] if card.team_owned else []) + [owner.name for owner in card.owners]
    return ", ".join(names) or _("Nobody yet")


def quick_wins_table(org: Organisation, today: date) -> Table:
    """Action plan: quick wins. Name (numbered as in the seed: "1. Make PHPs…"), how it supports the
    objectives, description, priority (L/M/H), owner, actions, progress (newest first); then what the
    quick wins page adds: the linked quick wins (the related cards' numbers: "2, 4") and the roadmap
    column the card is in."""
    rows: list[list] = [[_("Name"), _("How does this change support the objectives?"), _("Description"),
                         _("Priority (l/m/h)"), _("Owner"), _("Actions"), _("Progress"), _("Linked quick wins"),
                         _("Roadmap column")]]
    team = _("The project team")
    for card in board_queries.quick_wins(org):
        actions = []
        for action in card.actions:
            text = action.text
            if action.due_on:
                text += f" ({_('due')} {uk_date(action.due_on)})"
            if action.is_done:
                text += f" – {_('done')}"
            elif action.is_overdue(today):
                text += f" – {_('overdue')}"
            actions.append(text)
        progress = [f"{uk_date(update.on)}: {update.body}" for update in card.updates]
        rows.append([f"{card.code}. {card.title}", card.rationale, card.description, PRIORITY_LETTERS[card.priority],
                     _owners(card, team), _lines(actions), _lines(progress),
                     ", ".join(other.code for other in card.related) or None, card.column.label])
    return Table(rows)


def opportunities_table(org: Organisation, link: Linker | None = None) -> Table:
    """Action plan: design opportunities > concepts > prototypes > implemented. One row per idea; the
    opportunity's own columns on its first row, as in the seed; last, the roadmap column each idea is in
    (the page shows it under the idea)."""
    rows: list[list] = [[_("Design Opportunity"), _("How does this change support the objectives?"),
                         _("Ideas to support design opportunity"), _("Link to concept"), _("Link to prototype plan"),
                         _("Priority L/M/H"), _("Assigned to"), _("In progress Y/N"), _("Roadmap column")]]
    for opp in board_queries.opportunities_with_ideas(org):
        title = f"{opp.number} {opp.title}"
        if opp.initiatives:
            title += "\n" + _("Linked to:") + " " + ", ".join(i.name for i in opp.initiatives)
        for n, card in enumerate(opp.cards or [None]):
            first = n == 0
            row = [title if first else None, opp.rationale if first else None]
            if card is None:
                row += [None, None, None, None]
            else:
                concept = prototype = None
                if card.concept_sheet is not None:
                    concept = link(card, "concept") if link else _("Concept capture sheet")
                if card.prototype_plan is not None:
                    prototype = link(card, "prototype") if link else _("Prototyping plan")
                row += [f"{card.code} {card.title}", concept, prototype, PRIORITY_LETTERS[card.priority]]
            if first:
                row += [opp.assignee.name if opp.assignee else None, _("Y") if opp.is_in_progress else _("N")]
            else:
                row += [None, None]
            rows.append(row + [card.column.label if card is not None else None])
    return Table(rows)


def roadmap_columns() -> list[tuple[RoadmapColumn, str]]:
    """The roadmap's columns with the seed's headings."""
    labels = {RoadmapColumn.COMPLETED: _("Completed (service change implemented or live prototyping)")}
    return [(column, labels.get(column, column.label)) for column in RoadmapColumn]


def roadmap_table(org: Organisation, today: date) -> Table:
    """The roadmap: one row per lane (the quick wins, then each design opportunity), the cards of each
    column listed in its cell with the initiatives each is linked to, as on the board ("1.1 Review the
    tech used – Linked to: Abritas upgrade"; the seed's sample roadmap: "– LINKED TO ABRITAS UPGRADE"),
    and the dates the completed ones were completed. The top-left heading is the programme's name, as in the seed."""
    columns = roadmap_columns()
    rows: list[list] = [[org.programme.name] + [label for _column, label in columns] + [_("Date completed")]]
    linked_to = _("Linked to:")

    def entry(card: board_queries.BoardCard) -> str:
        linked = f" – {linked_to} {', '.join(card.initiatives)}" if card.initiatives else ""
        return f"{card.code} {card.title}{linked}"

    for lane in board_queries.board_lanes(org, board_queries.Filters(), today):
        title = f"{lane.opportunity.number} {lane.opportunity.title}" if lane.opportunity else _("Quick wins")
        cells = [_lines(entry(card) for card in lane.cells[column]) or None for column, _label in columns]
        completed = _lines(f"{card.code}: {uk_date(card.completed_on)}"
                           for card in lane.cells[RoadmapColumn.COMPLETED] if card.completed_on)
        rows.append([title] + cells + [completed or None])
    return Table(rows)


def plan_tables(org: Organisation, today: date, link: Linker | None = None) -> dict[str, Table]:
    """The organisation's three action plans, one table each."""
    return {_("Quick wins"): quick_wins_table(org, today),
            _("Design opportunities"): opportunities_table(org, link),
            _("Roadmap"): roadmap_table(org, today)}
